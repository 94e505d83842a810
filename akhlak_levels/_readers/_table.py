"""The table every reader gives, and what the readers share: text decoding, header checks, limits."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import Problem, ResponseError

#: The most characters a CSV cell may hold (1 MiB; Python's csv module stops at 128 KiB).
MAX_CELL = 2**20

#: How deep a JSON responses file may nest objects and arrays (a responses document is 4 deep).
MAX_JSON_DEPTH = 32


def norm(text: object) -> str:
    """Case-folded, NFKC-normalised text with runs of white space folded to one space."""
    s = unicodedata.normalize("NFKC", str(text)).casefold()
    return " ".join(s.split())


def shortened(v: object, limit: int = 60) -> object:
    """``v`` as a problem report shows it: a long text (or list, object, bytes) cut to its start
    and its length, a huge whole number by its number of digits; anything else as it is."""
    if isinstance(v, int) and not isinstance(v, bool) and v.bit_length() > 256:
        return f"a whole number of about {int(v.bit_length() * 0.30103) + 1} digits"
    text = v if isinstance(v, str) else repr(v) if isinstance(v, (list, dict, tuple, bytes)) else None
    if text is None or len(text) <= limit:
        return v
    return f"{text[:limit]}... ({len(text)} characters)"


@dataclass
class Table:
    """Raw cells by column. ``rows[r]`` is how the source names record ``r`` in messages."""

    columns: list[str]
    data: list[np.ndarray]
    rows: np.ndarray
    file: str | None = None
    skipped_rows: list[int] = field(default_factory=list)
    questionnaire_id: str | None = None  # as declared by a responses document
    questionnaire_version: str | None = None

    @property
    def n(self) -> int:
        return len(self.rows)


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
