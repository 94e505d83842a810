"""The table every reader gives, and what the readers share: text decoding, header checks, limits."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Iterator, Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import Problem, ResponseError

#: The most characters a CSV cell may hold (1 MiB; Python's csv module stops at 128 KiB).
MAX_CELL = 2**20

#: How deep a JSON responses file may nest objects and arrays (a responses document is 4 deep).
MAX_JSON_DEPTH = 32


def norm(text: object) -> str:
    """Case-folded, NFKC-normalised text with runs of white space folded to one space."""
    s = unicodedata.normalize("NFKC", str(text)).casefold()
    return " ".join(s.split())


_BEFORE_MARK = re.compile(r"\s+(?=[^\w\s])")
_TRAILING = re.compile(r"[\W_]+$")


def loose(text: object) -> str:
    """:func:`norm`, then without white space before punctuation and without trailing
    punctuation: the key a header is matched by when it does not match exactly (a question typed
    without its final full stop, ``"Saya ... ?"`` for ``"Saya ...?"``)."""
    s = _BEFORE_MARK.sub("", norm(text))
    return _TRAILING.sub("", s) or s


def shortened(v: object, limit: int = 60) -> object:
    """``v`` as a problem report shows it: a long text (or list, object, bytes) cut to its start
    and its length, a huge whole number by its number of digits; anything else as it is."""
    if isinstance(v, int) and not isinstance(v, bool) and v.bit_length() > 256:
        return f"a whole number of about {int(v.bit_length() * 0.30103) + 1} digits"
    text = v if isinstance(v, str) else repr(v) if isinstance(v, (list, dict, tuple, bytes)) else None
    if text is None or len(text) <= limit:
        return v
    return f"{text[:limit]}... ({len(text)} characters)"


@dataclass(frozen=True)
class Column:
    """A column of raw cells held as its distinct values and, per row, the index of its value
    (dictionary encoding): cells are interpreted once per distinct value, not once per row."""

    values: np.ndarray  # object array of the distinct cells
    index: np.ndarray  # int32, one per row
    arrow: Any = None  # the distinct cells as a pyarrow string array, where the reader has them (same order)

    def __len__(self) -> int:
        return len(self.index)

    def __getitem__(self, r: int) -> object:
        return self.values[self.index[r]]

    def at(self, rows: np.ndarray | slice) -> Column:
        """The column of some rows (positions or a slice), its distinct values kept."""
        return Column(self.values, self.index[rows], self.arrow)


def distinct(col: np.ndarray | Column) -> Column:
    """``col`` as distinct values and an index per row, in C loops (no Python call per cell).

    Cells are told apart by type and value, so ``True``, ``1`` and ``1.0`` stay three values
    (each is read and reported as the source holds it); a cell that cannot be a key (a JSON
    list or object) is a distinct value of its own.
    """
    if isinstance(col, Column):
        return col
    cells = col.tolist()
    if cells and set(map(type, cells)) == {str}:
        return text_column(pa.array(cells, type=pa.string()))
    try:
        keys = list(zip(map(type, cells), cells))
        order = dict.fromkeys(keys)
    except TypeError:  # lists or dicts from JSON
        keys = [(type(v), v) if _hashable(v) else (list, r) for r, v in enumerate(cells)]
        order = dict.fromkeys(keys)
    position = {k: u for u, k in enumerate(order)}
    index = np.fromiter(map(position.__getitem__, keys), dtype=np.int64, count=len(keys))
    first = np.full(len(position), len(index), dtype=np.int64)
    np.minimum.at(first, index, np.arange(len(index)))
    values = np.empty(len(position), dtype=object)
    values[:] = [cells[r] for r in first.tolist()]
    return Column(values, index)


def _hashable(v: object) -> bool:
    try:
        hash(v)
    except TypeError:
        return False
    return True


def text_column(arr: pa.Array | pa.ChunkedArray) -> Column:
    """A pyarrow string column as distinct texts and an index per row (pyarrow's hashing)."""
    encoded = pc.dictionary_encode(arr)
    if isinstance(encoded, pa.ChunkedArray):
        encoded = encoded.unify_dictionaries() if hasattr(encoded, "unify_dictionaries") else encoded
        chunks = encoded.chunks
        if not chunks:
            return Column(np.empty(0, dtype=object), np.empty(0, dtype=np.int64))
        values = chunks[0].dictionary
        index = np.concatenate([c.indices.to_numpy(zero_copy_only=False) for c in chunks])
    else:
        values, index = encoded.dictionary, encoded.indices.to_numpy(zero_copy_only=False)
    return Column(values.to_numpy(zero_copy_only=False).astype(object), index.astype(np.int64, copy=False), values)


@dataclass
class Table:
    """Raw cells by column. ``rows[r]`` is how the source names record ``r`` in messages."""

    columns: list[str]
    data: Sequence[np.ndarray | Column]
    rows: np.ndarray
    file: str | None = None
    skipped_rows: list[int] = field(default_factory=list)
    questionnaire_id: str | None = None  # as declared by a responses document
    questionnaire_version: str | None = None
    done: float | None = None  # the share of the source read through this table (for progress)

    @property
    def n(self) -> int:
        return len(self.rows)

    def batches(self, size: int | None, *, start: int = 0, after_line: int = 0) -> Iterator[Table]:
        """The records from ``start`` on, ``size`` at a time (all at once when None); each batch
        lists the skipped rows before the next batch's first row (and after ``after_line``)."""
        n = self.n
        skipped = np.asarray(self.skipped_rows, dtype=np.int64)
        skipped = skipped[skipped > after_line]
        step = max(n - start, 1) if size is None else size
        for lo in range(start, n, step):
            hi = min(lo + step, n)
            mine = skipped[skipped < self.rows[hi]] if hi < n else skipped
            skipped = skipped[len(mine):]
            data = [c.at(slice(lo, hi)) if isinstance(c, Column) else c[lo:hi] for c in self.data]
            yield Table(self.columns, data, self.rows[lo:hi], self.file, mine.tolist(),
                        self.questionnaire_id, self.questionnaire_version, hi / n)
        if start >= n and len(skipped):  # blank rows after the last record given
            yield Table(self.columns, [c[:0] if isinstance(c, np.ndarray) else c.at(slice(0, 0)) for c in self.data],
                        self.rows[:0], self.file, skipped.tolist(), self.questionnaire_id, self.questionnaire_version, 1.0)


def decode(path: str, raw: bytes) -> str:
    """UTF-8 text (a byte-order mark dropped), or UTF-16 text that starts with its byte-order mark
    (Excel's "Unicode Text"); anything else is refused naming the line that cannot be decoded."""
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise ResponseError(
                f"The file {path} starts with a UTF-16 byte-order mark but byte {exc.start} is not UTF-16 text. "
                "Save the export as 'CSV UTF-8' (Excel) or re-encode it to UTF-8."
            ) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ResponseError(
            f"The file {path} is not UTF-8 text: byte 0x{raw[exc.start]:02x} on line {line} cannot be decoded. "
            "Save the export as 'CSV UTF-8' (Excel) or re-encode it to UTF-8."
        ) from None


def trim_header(header: list[str]) -> list[str]:
    """The header without trailing empty cells (spreadsheets write trailing separators)."""
    while header and header[-1] == "":
        header = header[:-1]
    return header


def sheet_table(
    header: list[str], records: list[list[Any]], rows: list[int], skipped: list[int], problems: list[Problem], path: str
) -> Table:
    """The table of a delimited file or a worksheet, once its rows are split; raise what was found."""
    if problems:
        raise ResponseError(f"The file {path} has rows of the wrong length ({len(problems)}):", problems)
    check_header(header, path)
    if not records:
        raise ResponseError(f"The file {path} has a header but no data rows.")
    cols = [np.array(c, dtype=object) for c in zip(*records)]
    return Table(header, cols, np.array(rows), path, skipped)


def check_header(header: list[str], path: str | None, row: int | None = 1) -> None:
    """Refuse empty headers and headers that are the same, or the same but for case and spaces
    (columns are matched that way, so one of them would be read in place of the other)."""
    seen: dict[str, int] = {}
    problems = []
    for j, h in enumerate(header):
        key = norm(h)
        if h == "":
            problems.append(Problem(f"column {j + 1} has an empty header", file=path, row=row))
        elif key in seen:
            how = "" if header[seen[key]] == h else " (ignoring case and spaces)"
            problems.append(Problem(f"columns {seen[key] + 1} and {j + 1} have the same header{how}", file=path, row=row, value=shortened(h)))
        seen.setdefault(key, j)
    if problems:
        raise ResponseError(f"The header{' of ' + path if path else ''} is not usable:", problems)
