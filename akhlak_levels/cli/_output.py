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

With ``excel`` (``--excel``) a CSV is written as Excel with Indonesian (and most European)
settings opens it: ``;`` between cells, a decimal comma (``0,25``), UTF-8 with a byte-order mark
(without it Excel takes the file for the local code page). An output ending in ``.xlsx`` is a
workbook instead (:func:`~akhlak_levels._workbook.write_workbook`: the same neutralising rule).
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


#: The byte-order mark an ``--excel`` CSV starts with.
BOM = "\ufeff"


def _excel_cell(v: Any) -> Any:
    """A cell of an ``--excel`` CSV: a float with a decimal comma (empty for NaN), else as
    :func:`_csv_cell` writes it."""
    if isinstance(v, float):
        return "" if math.isnan(v) else repr(v).replace(".", ",")
    return _csv_cell(v)


def write_csv(fh: IO[Any], header: Sequence[str], columns: Sequence[list[Any]], *, excel: bool = False) -> None:
    """The one CSV writer of the commands: ``header`` then the rows of ``columns`` (lists of
    equal length), every cell through :func:`_csv_cell` (text neutralised for spreadsheets,
    numbers left numbers). A column of numbers only is written without a per-cell call.
    ``excel``: a byte-order mark first, ``;`` between cells, floats with a decimal comma."""
    writer = csv.writer(fh, lineterminator="\n", delimiter=";" if excel else ",")
    if excel:
        fh.write(BOM)
    writer.writerow([_csv_cell(h) for h in header])
    as_is = _AS_IS - {float} if excel else _AS_IS
    cell = _excel_cell if excel else _csv_cell
    cells = [col if set(map(type, col)) <= as_is else [cell(v) for v in col] for col in columns]
    writer.writerows(zip(*cells))


def _arrow_column(values: Any, excel: bool = False) -> Any:
    """One output column as a pyarrow array: floats rounded to 6 decimals with NaN empty (with
    ``excel``, as text with a decimal comma), ints as they are, text neutralised for
    spreadsheets; a column mixing kinds cell by cell."""
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = np.asarray(values)
    if arr.dtype.kind == "f":
        rounded = pc.round(pa.array(arr, from_pandas=True), 6)  # from_pandas: NaN -> null (an empty cell)
        return pc.replace_substring(pc.cast(rounded, pa.string()), ".", ",") if excel else rounded
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
    """Write assessments to one CSV, JSON lines or workbook output, batch after batch.

    CSV: the header once (through :func:`write_csv`'s rule), then each batch's columns through
    pyarrow's CSV writer (``excel``: ``;``, decimal comma, a byte-order mark). ``fh`` is a binary
    file, or a text stream (standard output) that gets the decoded text. JSON lines when ``name``
    ends in ``.jsonl``; a workbook when it ends in ``.xlsx`` (the batches are kept and written
    by :meth:`close`, at most :data:`MAX_XLSX_ROWS` respondents).
    """

    def __init__(self, fh: IO[Any], name: str, lang: str, *, excel: bool = False) -> None:
        self.fh, self.lang, self.excel = fh, lang, excel
        self.jsonl = name.lower().endswith(".jsonl")
        self.xlsx: list[dict[str, Any]] | None = [] if name.lower().endswith(".xlsx") else None
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
        if self.xlsx is not None:
            if sum(len(next(iter(c.values()))) for c in self.xlsx) + len(result) > MAX_XLSX_ROWS:
                raise ValueError(f"a worksheet holds at most {MAX_XLSX_ROWS:,} rows; write a .csv (with --excel) instead")
            self.xlsx.append(cols)
            return
        if self.header is None:
            self.header = list(cols)
            head = io.StringIO()
            write_csv(head, self.header, [[] for _ in self.header], excel=self.excel)
            self._put(head.getvalue())
        elif list(cols) != self.header:
            raise ValueError(f"a batch with other columns: {list(cols)} after {self.header}")
        table = pa.table([_arrow_column(v, self.excel) for v in cols.values()], names=[f"c{j}" for j in range(len(cols))])
        sink = io.BytesIO()
        pa_csv.write_csv(table, sink, pa_csv.WriteOptions(include_header=False, batch_size=65_536,
                                                          delimiter=";" if self.excel else ","))
        self._put(sink.getvalue())

    def close(self) -> None:
        """Write what is kept: the workbook of an ``.xlsx`` output (nothing else to do)."""
        if self.xlsx is None:
            return
        batches, self.xlsx = self.xlsx, None
        names = list(batches[0]) if batches else ["respondent_id"]
        sheet: dict[str, Any] = {h: np.concatenate([np.asarray(b[h], dtype=object) for b in batches]) if batches else []
                                 for h in names}
        self.fh.write(workbook_bytes({"scores": sheet}, self.lang))


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


def write_records(records: list[dict[str, Any]], path: str, files: AtomicFiles, *, excel: bool = False) -> None:
    """Write records to ``path`` (through ``files``, so it appears whole when the command
    succeeds): a JSON list when it ends in ``.json``, a workbook when it ends in ``.xlsx``, else
    CSV (``excel``: for Excel with Indonesian settings)."""
    if path.lower().endswith(".json"):
        json.dump(records, files.open(path), ensure_ascii=False, indent=1, allow_nan=False)
    elif path.lower().endswith(".xlsx"):
        files.open(path, "wb").write(workbook_bytes({"table": records}))
    else:
        write_records_csv(records, files.open(path, newline=""), excel=excel)


def write_records_csv(records: list[dict[str, Any]], fh: IO[Any], *, excel: bool = False) -> None:
    """Records as CSV, the keys of the first as the header (``excel``: see :func:`write_csv`)."""
    names = list(records[0]) if records else []
    write_csv(fh, names, [[rec.get(c) for rec in records] for c in names], excel=excel)


#: The most rows a worksheet holds besides its header (Excel's limit).
MAX_XLSX_ROWS = 1_048_575


def _joined(v: Any) -> Any:
    """A record's value as a worksheet cell: a list joined by ``;`` as the CSV writes it."""
    return ";".join("" if x is None else str(x) for x in v) if isinstance(v, (list, tuple)) else v


def workbook_bytes(sheets: dict[str, Any], lang: str = "id") -> bytes:
    """The bytes of a workbook of ``sheets`` (sheet name -> records or columns), written by
    :func:`~akhlak_levels._workbook.write_workbook` (numbers kept, texts neutralised, a record's
    list joined by ``;`` as in the CSV) in a temporary folder: the caller writes them through
    its own atomic file."""
    import os
    import tempfile

    from .._workbook import write_workbook

    sheets = {name: [{k: _joined(v) for k, v in rec.items()} for rec in table] if isinstance(table, list) else table
              for name, table in sheets.items()}
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "out.xlsx")
        write_workbook(path, sheets, lang=lang if lang in ("id", "en") else "id", number_format="0.000")
        with open(path, "rb") as fh:
            return fh.read()
