"""Turn any supported source into a column table of raw cells, naming rows as the source does.

Structure problems (empty file, not UTF-8, ragged rows, duplicate headers) are raised here with
file and row; cell values are interpreted later, against the questionnaire.
"""

from __future__ import annotations

import csv
import io
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
        return _from_records(_records_of_document(source, None), None, first_row=1)
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


def _sniff_delimiter(header_line: str) -> str:
    counts = {d: header_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


def _read_csv(path: str, delimiter: str | None) -> Table:
    with open(path, "rb") as fh:
        raw = fh.read()
    text = _decode(path, raw)
    if not text.strip():
        raise ResponseError(f"The file {path} is empty: expected a header row and at least one data row.")
    if delimiter is None:
        delimiter = "\t" if path.lower().endswith(".tsv") else _sniff_delimiter(text.split("\n", 1)[0])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [h.strip() for h in next(reader)]
    width = len(header)
    records: list[list[str]] = []
    rows: list[int] = []
    skipped: list[int] = []
    problems: list[Problem] = []
    prev_line = reader.line_num
    for rec in reader:
        line = prev_line + 1  # first physical line of this record
        prev_line = reader.line_num
        if not rec or all(not c.strip() for c in rec):
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
        return _from_records(_records_of_document(doc, path), path, first_row=1)
    if isinstance(doc, list):
        return _from_records(doc, path, first_row=1)
    raise ResponseError(f"The file {path} holds a JSON {type(doc).__name__}; expected a list of records or a responses document.")


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
    records, rows, problems = [], [], []
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
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
    return _from_records(records, path, rows=rows)


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
        if sheet is None:
            ws = wb.worksheets[0]
        elif isinstance(sheet, int):
            ws = wb.worksheets[sheet]
        else:
            ws = wb[sheet]
        it = ws.iter_rows(values_only=True)
        header_row = next(it, None)
        if header_row is None or all(h is None for h in header_row):
            raise ResponseError(f"The file {path} is empty: expected a header row and at least one data row.")
        header = [("" if h is None else str(h)).strip() for h in header_row]
        while header and header[-1] == "":
            header.pop()
        width = len(header)
        records, rows, skipped = [], [], []
        for r, values in enumerate(it, start=2):
            values = list(values)
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
                skipped.append(r)
                continue
            if len(values) < width:
                values += [None] * (width - len(values))
            records.append(values[:width])
            rows.append(r)
    finally:
        wb.close()
    _check_header(header, path)
    if not records:
        raise ResponseError(f"The file {path} has a header but no data rows.")
    cols = [np.array(c, dtype=object) for c in zip(*records)]
    return Table(header, cols, np.array(rows), path, skipped)


def _read_parquet(path: str) -> Table:
    try:
        import pandas as pd
    except ImportError:  # pragma: no cover
        raise ImportError("Reading .parquet needs pandas and pyarrow: pip install 'akhlak-levels[frames]'.") from None
    try:
        df = pd.read_parquet(path)
    except Exception as exc:
        raise ResponseError(f"The file {path} is not a readable Parquet file: {exc}") from None
    t = _from_dataframe(df.reset_index(drop=True))
    t.file = path
    t.rows = t.rows + 1  # 1-based record number
    return t


def _is_dataframe(obj: Any) -> bool:
    return type(obj).__name__ == "DataFrame" and hasattr(obj, "columns") and hasattr(obj, "iloc")


def _from_dataframe(df: Any) -> Table:
    if len(df) == 0:
        raise ResponseError("The DataFrame has no rows.")
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
