"""What the commands print and write: tables on the terminal, results as CSV or JSON.

Every CSV the commands write makes each text cell safe to open in a spreadsheet
(:func:`~akhlak_levels._export.spreadsheet_text`: a text starting with ``= + - @``, a tab or a
carriage return gets a leading ``'``) and leaves numbers as numbers. Which cells are text is
decided by the value's type, not by its look: ids, units, group labels, level labels, notes and
flags are text; the ints and floats we computed are numbers (``-0.25`` and ``-inf`` included).
JSON and JSON lines are written as they are.

Two writers share that rule: :func:`write_csv` for the small tables of records (quality,
growth), cell by cell; :class:`AssessmentWriter` for scores, batch by batch and column by column
through pyarrow (a million rows in a few seconds), which quotes every text cell.
"""

from __future__ import annotations

import csv
import io
import json
import math
from typing import IO, Any, Sequence, TextIO

import numpy as np

from .._export import AtomicFiles, spreadsheet_text, spreadsheet_texts
from ..assessment import Assessment
from ..levels import N_LEVELS
from ._jsonl import jsonl_bytes, text_array


def _fmt(v: Any) -> Any:
    """A float as the CSV shows it: rounded to 6 decimals (still a number), None for NaN."""
    if isinstance(v, float):
        return None if math.isnan(v) else round(v, 6)
    return v


def _csv_cell(v: Any) -> Any:
    """A value as a CSV cell: None empty, lists joined by ';', text made spreadsheet-safe,
    numbers as they are."""
    if v is None:
        return ""
    if isinstance(v, (list, tuple)):
        return spreadsheet_text(";".join("" if x is None else str(x) for x in v))
    return spreadsheet_text(v)


#: Cell types written as they are (the csv module writes None as an empty cell).
_AS_IS = frozenset({int, float, bool, type(None)})


def write_csv(fh: IO[Any], header: Sequence[str], columns: Sequence[list[Any]]) -> None:
    """The one CSV writer of the commands: ``header`` then the rows of ``columns`` (lists of
    equal length), every cell through :func:`_csv_cell` (text neutralised for spreadsheets,
    numbers left numbers). A column of numbers only is written without a per-cell call."""
    writer = csv.writer(fh, lineterminator="\n")
    writer.writerow([_csv_cell(h) for h in header])
    cells = [col if set(map(type, col)) <= _AS_IS else [_csv_cell(v) for v in col] for col in columns]
    writer.writerows(zip(*cells))


def _arrow_column(values: Any) -> Any:
    """One output column as a pyarrow array: floats rounded to 6 decimals with NaN empty, ints
    as they are, text neutralised for spreadsheets; a column mixing kinds cell by cell."""
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = np.asarray(values)
    if arr.dtype.kind == "f":
        return pc.round(pa.array(arr, from_pandas=True), 6)  # from_pandas: NaN -> null (an empty cell)
    if arr.dtype.kind in "iub":
        return pa.array(arr)
    if arr.dtype.kind in "US":
        return spreadsheet_texts(text_array(arr.astype(str)))
    try:  # object: text and None (ids, units, labels, flags)
        return spreadsheet_texts(pa.array(arr, type=pa.string(), from_pandas=True))
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # a column mixing numbers and text
        cells = [_csv_cell(_fmt(v)) for v in arr.tolist()]
        return pa.array(["" if v is None else str(v) for v in cells], type=pa.string())


class AssessmentWriter:
    """Write assessments to one CSV or JSON lines output, batch after batch.

    CSV: the header once (through :func:`write_csv`'s rule), then each batch's columns through
    pyarrow's CSV writer. ``fh`` is a binary file, or a text stream (standard output) that gets
    the decoded text. JSON lines when ``name`` ends in ``.jsonl``.
    """

    def __init__(self, fh: IO[Any], name: str, lang: str) -> None:
        self.fh, self.lang = fh, lang
        self.jsonl = name.lower().endswith(".jsonl")
        self.binary = not isinstance(fh, io.TextIOBase)
        self.header: list[str] | None = None

    def _put(self, text: str | bytes) -> None:
        if self.binary:
            self.fh.write(text.encode("utf-8") if isinstance(text, str) else text)
        else:
            self.fh.write(text.decode("utf-8") if isinstance(text, bytes) else text)

    def write(self, result: Assessment) -> None:
        """Append the rows of ``result``."""
        if self.jsonl:  # column by column, as to_records gives them (flags a list)
            self._put(jsonl_bytes(result.columns(self.lang)))
            return
        import pyarrow as pa
        import pyarrow.csv as pa_csv

        cols = result.columns(self.lang)
        if self.header is None:
            self.header = list(cols)
            head = io.StringIO()
            write_csv(head, self.header, [[] for _ in self.header])
            self._put(head.getvalue())
        elif list(cols) != self.header:
            raise ValueError(f"a batch with other columns: {list(cols)} after {self.header}")
        table = pa.table([_arrow_column(v) for v in cols.values()], names=[f"c{j}" for j in range(len(cols))])
        sink = io.BytesIO()
        pa_csv.write_csv(table, sink, pa_csv.WriteOptions(include_header=False, batch_size=65_536))
        self._put(sink.getvalue())


def write_assessment(result: Assessment, fh: IO[Any], name: str, lang: str) -> None:
    """Write ``result`` to ``fh``: JSON lines when ``name`` ends in ``.jsonl``, else CSV."""
    AssessmentWriter(fh, name, lang).write(result)


class Totals:
    """What the one-line report of ``score`` says, summed over the batches scored."""

    def __init__(self, min_confidence: float) -> None:
        self.min_confidence = min_confidence
        self.n = self.flagged = self.n_index = 0
        self.counts: np.ndarray | None = None
        self.index_sum = 0.0

    def add(self, a: Assessment) -> None:
        self.n += len(a)
        if a.level is not None:
            counts = np.bincount(a.level, minlength=N_LEVELS + 1)
            self.counts = counts if self.counts is None else self.counts + counts
        if a.index is not None:
            finite = np.isfinite(a.index)
            self.n_index += int(finite.sum())
            self.index_sum += float(a.index[finite].sum())
        self.flagged += int(a.flags.any().sum())

    def summary(self, output: str | None) -> str:
        """Levels found, mean index, flags."""
        parts = [f"scored {self.n:,} respondents" + (f" -> {output}" if output else "")]
        if self.counts is not None:
            dist = ", ".join(f"level {k}: {self.counts[k]}" for k in range(1, N_LEVELS + 1))
            parts.append(f"{dist}; undetermined (confidence < {self.min_confidence:g}): {self.counts[0]}")
        if self.n_index:
            parts.append(f"mean index {self.index_sum / self.n_index:.1f} of {self.n_index} respondents with every scale scored")
        if self.flagged:
            parts.append(f"{self.flagged} respondents carry flags (see the flags column)")
        return "; ".join(parts)


def print_table(rows: Sequence[Sequence[str]], out: TextIO) -> None:
    """Rows as left-aligned columns, the first row as the header."""
    widths = [max(len(str(r[j])) for r in rows) for j in range(len(rows[0]))]
    for r in rows:
        print("  ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip(), file=out)


def _fmt_cell(v: Any) -> str:
    """A record's value as a terminal table shows it."""
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:.3f}"
    if isinstance(v, list):
        return "/".join(_fmt_cell(x) for x in v)
    return str(v)


def print_records(title: str, records: list[dict[str, Any]], columns: Sequence[str], out: TextIO, limit: int = 60) -> None:
    """A titled table of ``columns`` of the first ``limit`` records."""
    print(f"\n{title}", file=out)
    rows = [tuple(columns)] + [tuple(_fmt_cell(r.get(c)) for c in columns) for r in records[:limit]]
    print_table(rows, out)
    if len(records) > limit:
        print(f"  ... {len(records) - limit} more rows (write them with -o)", file=out)


def write_records(records: list[dict[str, Any]], path: str, files: AtomicFiles) -> None:
    """Write records to ``path`` (through ``files``, so it appears whole when the command
    succeeds): a JSON list when it ends in ``.json``, else CSV."""
    if path.lower().endswith(".json"):
        json.dump(records, files.open(path), ensure_ascii=False, indent=1, allow_nan=False)
    else:
        write_records_csv(records, files.open(path, newline=""))


def write_records_csv(records: list[dict[str, Any]], fh: IO[Any]) -> None:
    """Records as CSV, the keys of the first as the header."""
    names = list(records[0]) if records else []
    write_csv(fh, names, [[rec.get(c) for rec in records] for c in names])
