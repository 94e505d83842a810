"""Turn any supported source into a column table of raw cells, naming rows as the source does.

Structure problems (empty file, not UTF-8, ragged rows, duplicate headers, a stray quote, a JSON
key given twice, merged cells) are raised here with file and row; cell values are interpreted
later, against the questionnaire. Nothing is dropped or rewritten silently: a reader either
gives every record the source holds, exactly, or raises a :class:`ResponseError`.

Limits: a CSV cell holds at most :data:`MAX_CELL` characters; JSON nests objects and arrays at
most :data:`MAX_JSON_DEPTH` levels deep.

One module per kind of source: ``_csv`` (delimited text), ``_json`` (JSON, JSONL, records,
responses documents), ``_sheets`` (XLSX, Parquet, DataFrames); ``_table`` holds the table they
all give and what they share.
"""

from __future__ import annotations

import os
from typing import Any, Iterator, Mapping, Sequence

from ..errors import ResponseError
from ._csv import read_csv
from ._columns import NumberColumn, PlainTextColumn
from ._csvfast import NotFast, fast_tables
from ._csvplain import read_ahead
from ._csvwhole import whole_tables
from ._json import document_table, from_records, read_json, read_jsonl
from ._sheets import ArrowColumns, arrow_column, from_dataframe, is_dataframe, parquet_tables, read_parquet, read_xlsx
from ._labelmap import LabelMap, json_path, load_label_map
from ._table import MAX_CELL, MAX_JSON_DEPTH, Column, Table, distinct, loose, norm, shortened

__all__ = ["MAX_CELL", "MAX_JSON_DEPTH", "SUFFIXES", "ArrowColumns", "Column", "NumberColumn", "PlainTextColumn", "arrow_column", "Table", "distinct", "LabelMap", "json_path", "load_label_map", "loose", "norm", "read_source", "shortened", "source_tables"]

SUFFIXES = (".csv", ".txt", ".tsv", ".json", ".jsonl", ".ndjson", ".xlsx", ".parquet")


def read_source(source: Any, *, delimiter: str | None = None, sheet: str | int | None = None) -> Table:
    """Dispatch on the kind of ``source`` (path, DataFrame, records)."""
    if isinstance(source, (str, os.PathLike)):
        path = os.fspath(source)
        if not os.path.isfile(path):
            raise ResponseError(f"No responses file at {path!r}.")
        suffix = os.path.splitext(path)[1].lower()
        if suffix in (".csv", ".txt", ".tsv"):
            return read_csv(path, delimiter)
        if suffix == ".json":
            return read_json(path)
        if suffix in (".jsonl", ".ndjson"):
            return read_jsonl(path)
        if suffix == ".xlsx":
            return read_xlsx(path, sheet)
        if suffix == ".parquet":
            return read_parquet(path)
        raise ResponseError(
            f"Cannot read {path!r}: expected a file ending in one of {SUFFIXES}, got {suffix or 'no suffix'!r}."
        )
    if is_dataframe(source):
        return from_dataframe(source)
    if isinstance(source, Mapping):
        return document_table(source, None)
    if isinstance(source, Sequence) and not isinstance(source, (str, bytes)):
        return from_records(list(source), None, first_row=1)
    raise TypeError(
        "read_responses expects a path (.csv, .xlsx, .json, .jsonl, .parquet), a pandas DataFrame, "
        f"a list of dicts, a responses document or a numpy array; got {type(source).__name__}."
    )


def source_tables(
    source: Any, *, delimiter: str | None = None, sheet: str | int | None = None, batch_rows: int | None = None,
    arrow: bool = False,
) -> Iterator[Table]:
    """The tables of ``source``, ``batch_rows`` records at a time (as the reading goes for a
    CSV file, in bounded memory; other sources are read whole, then cut).

    A CSV or Parquet file is read as the batches are taken. A CSV file is read by the whole-file
    reader (:mod:`._csvwhole`: one parse a section) while its sections are ones it reads exactly as
    the strict reader does; from the first section that is not, by the block reader
    (:mod:`._csvfast`), from that section's first record; from the first part the block reader
    cannot read, the strict reader reads the file and gives the records not given yet (or raises
    the fault it names). A part holding only blank rows is not given on its own: its rows join the
    skipped rows of a neighbour.
    With ``arrow``, a Parquet file read whole keeps its columns as pyarrow arrays too (see
    :func:`arrow_column`).
    """
    pending: Table | None = None
    for t in _tables(source, delimiter, sheet, batch_rows, arrow):
        if pending is None:
            pending = t
        elif t.n == 0 or pending.n == 0:
            rows = sorted([*pending.skipped_rows, *t.skipped_rows])
            done = max(pending.done or 0.0, t.done or 0.0)
            pending = pending if t.n == 0 else t
            pending.skipped_rows, pending.done = rows, done
        else:
            yield pending
            pending = t
    if pending is not None:
        yield pending


def whole_batches(path: str, delimiter: str | None, batch_rows: int | None) -> Iterator[Table]:
    """The tables of :func:`whole_tables` (a section each), cut into ``batch_rows`` respondents
    (fewer at a section's end) when given; ``done`` counts the file's bytes read."""
    before = 0.0
    tables = whole_tables(path, delimiter) if batch_rows is None else read_ahead(
        lambda: whole_tables(path, delimiter, batches=True))
    for t in tables:
        if batch_rows is None:
            yield t
            continue
        end = t.done if t.done is not None else 1.0
        for b in t.batches(batch_rows):
            b.done = before + (end - before) * (b.done if b.done is not None else 1.0)
            yield b
        before = end


def _tables(source: Any, delimiter: str | None, sheet: str | int | None, batch_rows: int | None,
            arrow: bool = False) -> Iterator[Table]:
    if isinstance(source, (str, os.PathLike)) and os.path.splitext(os.fspath(source))[1].lower() in (".csv", ".txt", ".tsv"):
        path = os.fspath(source)
        if not os.path.isfile(path):
            raise ResponseError(f"No responses file at {path!r}.")
        given, last_line, resume = 0, 0, None
        readers = [lambda: whole_batches(path, delimiter, batch_rows),  # a section at a time, when its lines are records
                   lambda: fast_tables(path, delimiter, batch_rows=batch_rows, resume=resume)]
        for reader in readers:
            try:
                for t in reader():
                    given += t.n
                    last_line = max([last_line, *t.skipped_rows, *(t.rows[-1:].tolist())])
                    yield t
                if given:
                    return
                break  # no data rows: the exact reader says so
            except NotFast as exc:  # the next reader reads on from where this one stopped
                resume = exc.resume if given or last_line else None
                if (given or last_line) and resume is None:
                    break
        yield from read_csv(path, delimiter).batches(batch_rows, start=given, after_line=last_line)
        return
    if isinstance(source, (str, os.PathLike)) and os.path.splitext(os.fspath(source))[1].lower() == ".parquet":
        path = os.fspath(source)
        if not os.path.isfile(path):
            raise ResponseError(f"No responses file at {path!r}.")
        yield from parquet_tables(path, batch_rows, arrow=arrow)
        return
    yield from read_source(source, delimiter=delimiter, sheet=sheet).batches(batch_rows)
