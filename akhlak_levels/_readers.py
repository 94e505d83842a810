"""Turn any supported source into a column table of raw cells, naming rows as the source does.

Structure problems (empty file, not UTF-8, ragged rows, duplicate headers) are raised here with
file and row; cell values are interpreted later, against the questionnaire.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import os
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Sequence

import numpy as np

from . import _schema
from .errors import Problem, ResponseError, SchemaError

SUFFIXES = (".csv", ".txt", ".tsv", ".json", ".jsonl", ".ndjson", ".xlsx", ".parquet")


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


def read_source(source: Any, *, delimiter: str | None = None, sheet: str | int | None = None) -> Table:
    """Dispatch on the kind of ``source`` (path, DataFrame, records)."""
    if isinstance(source, (str, os.PathLike)):
        path = os.fspath(source)
        if not os.path.isfile(path):
            raise ResponseError(f"No responses file at {path!r}.")
        suffix = os.path.splitext(path)[1].lower()
        if suffix in (".csv", ".txt", ".tsv"):
            return _read_csv(path, delimiter)
        if suffix == ".json":
            return _read_json(path)
        if suffix in (".jsonl", ".ndjson"):
            return _read_jsonl(path)
        if suffix == ".xlsx":
            return _read_xlsx(path, sheet)
        if suffix == ".parquet":
            return _read_parquet(path)
        raise ResponseError(
            f"Cannot read {path!r}: expected a file ending in one of {SUFFIXES}, got {suffix or 'no suffix'!r}."
        )
    if _is_dataframe(source):
        return _from_dataframe(source)
    if isinstance(source, Mapping):
        return _document_table(source, None)
    if isinstance(source, Sequence) and not isinstance(source, (str, bytes)):
        return _from_records(list(source), None, first_row=1)
    raise TypeError(
        "read_responses expects a path (.csv, .xlsx, .json, .jsonl, .parquet), a pandas DataFrame, "
        f"a list of dicts, a responses document or a numpy array; got {type(source).__name__}."
    )


# --------------------------------------------------------------------------- CSV


def _decode(path: str, raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ResponseError(
            f"The file {path} is not UTF-8 text: byte 0x{raw[exc.start]:02x} on line {line} cannot be decoded. "
            "Save the export as 'CSV UTF-8' (Excel) or re-encode it to UTF-8."
        ) from None


def _sniff_delimiter(text: str) -> str:
    """The delimiter that splits the header and the first rows into the same number of fields.

    Counting in the header alone picks ``,`` for a ``;`` file whose question texts hold commas;
    when no delimiter splits the sample evenly, the one most frequent in the header is taken.
    """
    widest, best = 1, None
    for d in (",", ";", "\t"):
        head = text[: 1 << 20]  # the first rows are enough; do not copy a large file three times
        sample = list(itertools.islice(csv.reader(io.StringIO(head, newline=""), delimiter=d), 6))
        header = _trim_header([h.strip() for h in sample[0]]) if sample else []
        width = len(header)
        rows = [r for r in sample[1:] if any(c.strip() for c in r)]
        if width > widest and all(len(r) >= width and not any(c.strip() for c in r[width:]) for r in rows):
            widest, best = width, d
    if best is not None:
        return best
    header_line = text.split("\n", 1)[0]
    counts = {d: header_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


def _trim_header(header: list[str]) -> list[str]:
    """The header without trailing empty cells (spreadsheets write trailing separators)."""
    while header and header[-1] == "":
        header = header[:-1]
    return header


def _read_csv(path: str, delimiter: str | None) -> Table:
    with open(path, "rb") as fh:
        raw = fh.read()
    text = _decode(path, raw)
    if not text.strip():
        raise ResponseError(f"The file {path} is empty: expected a header row and at least one data row.")
    if delimiter is None:
        delimiter = "\t" if path.lower().endswith(".tsv") else _sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = _trim_header([h.strip() for h in next(reader)])
    width = len(header)
    header_lines = reader.line_num
    everything = list(reader)
    if reader.line_num == header_lines + len(everything):
        # one physical line per record (no line breaks inside quoted cells): rows are known
        # without tracking the reader record by record
        records, rows, skipped, problems = _split_rows(everything, width, header_lines + 1, path)
        return _sheet_table(header, records, rows, skipped, problems, path)
    records, rows, skipped, problems = _track_rows(text, delimiter, width, path)
    return _sheet_table(header, records, rows, skipped, problems, path)


def _track_rows(
    text: str, delimiter: str, width: int, path: str
) -> tuple[list[list[str]], list[int], list[int], list[Problem]]:
    """Rows record by record, following the reader's line count (quoted cells span lines)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    next(reader)
    records: list[list[str]] = []
    rows: list[int] = []
    skipped: list[int] = []
    problems: list[Problem] = []
    prev_line = reader.line_num
    for rec in reader:
        line = prev_line + 1  # first physical line of this record
        prev_line = reader.line_num
        if not rec or not "".join(rec).strip():
            skipped.append(line)
            continue
        if len(rec) != width:
            if len(rec) > width and not any(c.strip() for c in rec[width:]):
                rec = rec[:width]  # trailing empty cells, as spreadsheets write them
            else:
                problems.append(
                    Problem(f"expected {width} fields as in the header, got {len(rec)} (a ragged row)", file=path, row=line)
                )
                continue
        records.append(rec)
        rows.append(line)
    return records, rows, skipped, problems


def _split_rows(
    everything: list[list[str]], width: int, first_line: int, path: str
) -> tuple[list[list[str]], list[int], list[int], list[Problem]]:
    """Blank rows out, ragged rows reported, trailing empty cells cut; record r is on line first_line + r."""
    lengths = np.fromiter(map(len, everything), dtype=np.int64, count=len(everything))
    blank = np.fromiter((not s.strip() for s in map("".join, everything)), dtype=bool, count=len(everything))
    skipped = (np.flatnonzero(blank) + first_line).tolist()
    problems: list[Problem] = []
    odd = np.flatnonzero(~blank & (lengths != width))
    cut: dict[int, list[str]] = {}
    for r in odd.tolist():
        rec = everything[r]
        if len(rec) > width and not "".join(rec[width:]).strip():
            cut[r] = rec[:width]  # trailing empty cells, as spreadsheets write them
        else:
            problems.append(
                Problem(f"expected {width} fields as in the header, got {len(rec)} (a ragged row)", file=path, row=r + first_line)
            )
    keep = np.flatnonzero(~blank)
    if len(keep) == len(everything) and not cut:
        records = everything
    else:
        records = [cut.get(r, everything[r]) for r in keep.tolist()]
    return records, (keep + first_line).tolist(), skipped, problems


def _sheet_table(
    header: list[str], records: list[list[Any]], rows: list[int], skipped: list[int], problems: list[Problem], path: str
) -> Table:
    """The table of a delimited file or a worksheet, once its rows are split; raise what was found."""
    if problems:
        raise ResponseError(f"The file {path} has rows of the wrong length ({len(problems)}):", problems)
    _check_header(header, path)
    if not records:
        raise ResponseError(f"The file {path} has a header but no data rows.")
    cols = [np.array(c, dtype=object) for c in zip(*records)]
    return Table(header, cols, np.array(rows), path, skipped)


def _check_header(header: list[str], path: str | None) -> None:
    seen: dict[str, int] = {}
    problems = []
    for j, h in enumerate(header):
        if h == "":
            problems.append(Problem(f"column {j + 1} has an empty header", file=path, row=1))
        elif h in seen:
            problems.append(Problem(f"columns {seen[h] + 1} and {j + 1} have the same header", file=path, row=1, value=h))
        seen.setdefault(h, j)
    if problems:
        raise ResponseError(f"The header{' of ' + path if path else ''} is not usable:", problems)


# --------------------------------------------------------------------------- JSON


def _read_json(path: str) -> Table:
    with open(path, "rb") as fh:
        raw = fh.read()
    text = _decode(path, raw)
    if not text.strip():
        raise ResponseError(f"The file {path} is empty: expected a JSON list of records or a responses document.")
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ResponseError(f"The file {path} is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}.") from None
    if isinstance(doc, Mapping):
        return _document_table(doc, path)
    if isinstance(doc, list):
        return _from_records(doc, path, first_row=1)
    raise ResponseError(f"The file {path} holds a JSON {type(doc).__name__}; expected a list of records or a responses document.")


def _document_table(doc: Mapping[str, Any], path: str | None) -> Table:
    table = _from_records(_records_of_document(doc, path), path, first_row=1)
    table.questionnaire_id = doc["questionnaire"]["id"]
    table.questionnaire_version = doc["questionnaire"].get("version")
    return table


def _records_of_document(doc: Mapping[str, Any], path: str | None) -> list[dict[str, Any]]:
    try:
        _schema.validate(doc, "responses", source=path)
    except SchemaError as exc:
        raise ResponseError(exc.summary, exc.problems) from None
    out = []
    for r in doc["respondents"]:
        flat = {k: v for k, v in r.items() if k != "answers"}
        flat.update(r["answers"])
        out.append(flat)
    return out


def _read_jsonl(path: str) -> Table:
    with open(path, "rb") as fh:
        raw = fh.read()
    text = _decode(path, raw)
    records, rows, problems, skipped = [], [], [], []
    lines = text.split("\n")  # not splitlines: U+2028 may sit inside a string
    if lines[-1] == "":
        lines.pop()  # the end of the last line, not a line
    for lineno, line in enumerate(lines, start=1):
        if not line.strip():
            skipped.append(lineno)
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(Problem(f"not valid JSON: {exc.msg}", file=path, row=lineno))
            continue
        if not isinstance(rec, Mapping):
            problems.append(Problem("expected a JSON object per line", file=path, row=lineno, value=type(rec).__name__))
            continue
        if "answers" in rec and isinstance(rec["answers"], Mapping):
            rec = {**{k: v for k, v in rec.items() if k != "answers"}, **rec["answers"]}
        records.append(rec)
        rows.append(lineno)
    if problems:
        raise ResponseError(f"The file {path} has lines that are not JSON records ({len(problems)}):", problems)
    if not records:
        raise ResponseError(f"The file {path} is empty: expected one JSON object per line.")
    table = _from_records(records, path, rows=rows)
    table.skipped_rows = skipped
    return table


def _from_records(records: list[Any], path: str | None, *, first_row: int = 1, rows: Iterable[int] | None = None) -> Table:
    if not records:
        raise ResponseError(f"No responses{' in ' + path if path else ''}: the list of records is empty.")
    row_numbers = list(rows) if rows is not None else list(range(first_row, first_row + len(records)))
    problems = []
    columns: dict[str, None] = {}
    for rec, row in zip(records, row_numbers):
        if not isinstance(rec, Mapping):
            problems.append(Problem("expected a record (a dict / JSON object)", file=path, row=row, value=type(rec).__name__))
            continue
        for k in rec:
            columns.setdefault(str(k), None)
    if problems:
        raise ResponseError(f"The responses{' in ' + path if path else ''} are not all records:", problems)
    names = list(columns)
    data = [np.array([rec.get(c) for rec in records], dtype=object) for c in names]
    return Table(names, data, np.array(row_numbers), path)


# --------------------------------------------------------------------------- XLSX, Parquet, DataFrame


def _read_xlsx(path: str, sheet: str | int | None) -> Table:
    try:
        import openpyxl
    except ImportError:  # pragma: no cover - exercised only without the extra
        raise ImportError("Reading .xlsx needs openpyxl: pip install 'akhlak-levels[xlsx]'.") from None
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:
        raise ResponseError(f"The file {path} is not a readable .xlsx workbook: {exc}") from None
    try:
        try:
            if sheet is None:
                ws = wb.worksheets[0]
            elif isinstance(sheet, int):
                ws = wb.worksheets[sheet]
            else:
                ws = wb[sheet]
        except (IndexError, KeyError):
            raise ResponseError(f"The file {path} has no sheet {sheet!r}: its sheets are {wb.sheetnames}.") from None
        it = ws.iter_rows(values_only=True)
        header_row = next(it, None)
        if header_row is None or all(h is None for h in header_row):
            raise ResponseError(f"The file {path} is empty: expected a header row and at least one data row.")
        header = _trim_header([("" if h is None else str(h)).strip() for h in header_row])
        width = len(header)
        records, rows, skipped, problems = [], [], [], []
        for r, values in enumerate(it, start=2):
            values = list(values)
            filled = [v is not None and not (isinstance(v, str) and not v.strip()) for v in values]
            if not any(filled):
                skipped.append(r)
                continue
            if any(filled[width:]):  # a value under no header would be dropped unseen
                n = len(filled) - filled[::-1].index(True)
                problems.append(Problem(f"expected {width} fields as in the header, got {n} (a ragged row)", file=path, row=r))
                continue
            if len(values) < width:
                values += [None] * (width - len(values))
            records.append(values[:width])
            rows.append(r)
    finally:
        wb.close()
    return _sheet_table(header, records, rows, skipped, problems, path)


def _read_parquet(path: str) -> Table:
    try:
        import pandas as pd
    except ImportError:  # pragma: no cover
        raise ImportError("Reading .parquet needs pandas and pyarrow: pip install 'akhlak-levels[frames]'.") from None
    try:
        df = pd.read_parquet(path)
    except Exception as exc:
        raise ResponseError(f"The file {path} is not a readable Parquet file: {exc}") from None
    t = _from_dataframe(df)
    t.rows = np.arange(len(df))
    t.file = path
    t.rows = t.rows + 1  # 1-based record number
    return t


def _is_dataframe(obj: Any) -> bool:
    return type(obj).__name__ == "DataFrame" and hasattr(obj, "columns") and hasattr(obj, "iloc")


def _from_dataframe(df: Any) -> Table:
    if len(df) == 0:
        raise ResponseError("The DataFrame has no rows.")
    if any(name is not None for name in df.index.names):
        df = df.reset_index()  # a named index (e.g. respondent_id) is data, not a row label
    names = [str(c).strip() for c in df.columns]
    _check_header(names, None)
    data = []
    for j in range(df.shape[1]):
        col = df.iloc[:, j]
        arr = col.to_numpy()
        if arr.dtype.kind not in "iuf":
            arr = col.to_numpy(dtype=object)
        data.append(arr)
    index = df.index.to_numpy()
    rows = index if index.dtype.kind in "iu" else np.arange(len(df))
    return Table(names, data, np.asarray(rows), None)
