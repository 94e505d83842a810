"""Delimited text (CSV, TSV): strict reading that names the line of a stray quote or an oversized cell."""

from __future__ import annotations

import contextlib
import csv
import io
import itertools
import re
from typing import Iterator

import numpy as np

from ..errors import Problem, ResponseError
from ._table import (
    MAX_CELL,
    Table,
    decode,
    sheet_table,
    shortened,
    trim_header,
)

_LINE_BREAK = re.compile(r"\r\n?|\n")  # what csv counts as the end of a line


def _line_of(text: str, at: int, start: int = 0, first: int = 1) -> int:
    """The line of offset ``at``, counting from line ``first`` at offset ``start``."""
    return first + len(_LINE_BREAK.findall(text, start, at))


def _refuse_nul(text: str, path: str) -> None:
    at = text.find("\x00")
    if at >= 0:
        raise ResponseError(
            f"The file {path} holds a NUL character on line {_line_of(text, at)}: a text export holds none. "
            "It may be UTF-16 without a byte-order mark, or damaged: save it again as 'CSV UTF-8' (Excel) "
            "or re-encode it to UTF-8."
        )


@contextlib.contextmanager
def _cell_limit() -> Iterator[None]:
    """csv reads cells of up to :data:`MAX_CELL` characters while the file is read."""
    before = csv.field_size_limit(MAX_CELL)
    try:
        yield
    finally:
        csv.field_size_limit(before)


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits the header and the first rows into the same number of fields.

    Counting in the header alone picks ``,`` for a ``;`` file whose question texts hold commas;
    when no delimiter splits the sample evenly, the one most frequent in the header is taken.
    """
    widest, best = 1, None
    for d in (",", ";", "\t"):
        head = text[: 1 << 20]  # the first rows are enough; do not copy a large file three times
        try:
            sample = list(itertools.islice(csv.reader(io.StringIO(head, newline=""), delimiter=d), 6))
        except csv.Error:  # a huge cell: the reading proper says where
            continue
        header = trim_header([h.strip() for h in sample[0]]) if sample else []
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


def read_csv(path: str, delimiter: str | None) -> Table:
    with open(path, "rb") as fh:
        raw = fh.read()
    text = decode(path, raw)
    if not text.strip():
        raise ResponseError(f"The file {path} is empty: expected a header row and at least one data row.")
    _refuse_nul(text, path)
    with _cell_limit():
        if delimiter is None:
            delimiter = "\t" if path.lower().endswith(".tsv") else sniff_delimiter(text)
        try:
            return _parse_csv(text, delimiter, path)
        except csv.Error as exc:  # strict reading: a stray quote, or a cell over MAX_CELL
            raise _csv_error(text, delimiter, path, exc) from None


def _parse_csv(text: str, delimiter: str, path: str) -> Table:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    header = trim_header([h.strip() for h in next(reader)])
    width = len(header)
    header_lines = reader.line_num
    joined = joined_cells(header, 1, delimiter, width, path) if header_lines > 1 else []
    if joined:
        raise ResponseError(f"The file {path} has a stray quote that joins rows ({len(joined)}):", joined)
    everything = list(reader)
    if reader.line_num == header_lines + len(everything):
        # one physical line per record (no line breaks inside quoted cells): rows are known
        # without tracking the reader record by record
        records, rows, skipped, problems = _split_rows(everything, width, header_lines + 1, path)
        return sheet_table(header, records, rows, skipped, problems, path)
    records, rows, skipped, problems = _track_rows(text, delimiter, width, path)
    return sheet_table(header, records, rows, skipped, problems, path)


def _track_rows(
    text: str, delimiter: str, width: int, path: str
) -> tuple[list[list[str]], list[int], list[int], list[Problem]]:
    """Rows record by record, following the reader's line count (quoted cells span lines).

    A quoted cell that spans lines and holds as many delimiters as a whole row is refused: a
    stray quote opened it and a later one closed it, joining rows into one respondent.
    """
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    next(reader)
    records: list[list[str]] = []
    rows: list[int] = []
    skipped: list[int] = []
    problems: list[Problem] = []
    joined: list[Problem] = []
    prev_line = reader.line_num
    for rec in reader:
        line = prev_line + 1  # first physical line of this record
        if reader.line_num > line:
            joined += joined_cells(rec, line, delimiter, width, path)
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
    if joined:
        raise ResponseError(f"The file {path} has a stray quote that joins rows ({len(joined)}):", joined)
    return records, rows, skipped, problems


def joined_cells(rec: list[str], line: int, delimiter: str, width: int, path: str) -> list[Problem]:
    """A problem for each cell of a record spanning lines that holds a whole row's delimiters."""
    problems = []
    for cell in rec:
        breaks = len(_LINE_BREAK.findall(cell))
        if breaks and cell.count(delimiter) >= max(1, width - 1):
            problems.append(
                Problem(
                    f"a quoted cell that opens on line {line} runs over {breaks + 1} lines and holds "
                    f"{cell.count(delimiter)} delimiters, as many as a whole row: a stray quote (\") has "
                    "probably joined rows into one. Remove the stray quote; a quote inside a cell is written "
                    'as two quotes ("")',
                    file=path, row=line, value=shortened(cell),
                )
            )
        line += breaks
    return problems


def _csv_error(text: str, delimiter: str, path: str, exc: csv.Error) -> ResponseError:
    """The error for a file that strict CSV reading refused, naming the line where the guilty
    cell (a quoted cell never closed or closed too early, or a cell over MAX_CELL) starts."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    first = 1  # the first line of the record that fails
    with contextlib.suppress(csv.Error):
        for _ in reader:
            first = reader.line_num + 1
    breaks = itertools.islice(_LINE_BREAK.finditer(text), first - 2, None) if first > 1 else iter(())
    start = next((m.end() for m in breaks), 0 if first == 1 else len(text))
    found = _cell_trouble(text, start, delimiter)
    if found is None:
        return ResponseError(f"The file {path} cannot be read as CSV from line {first}: {exc}.")
    kind, at, end = found
    line = _line_of(text, at, start, first)
    quote_hint = 'Remove the stray quote (") or close the cell; a quote inside a cell is written as two quotes ("").'
    if kind == "open":
        why = f"the quote on line {line} opens a cell that is never closed, so it would swallow every row after it"
        summary = f"The file {path} cannot be read: {why}. {quote_hint}"
    elif kind == "closed":
        why = (f"a quoted cell opens on line {line} and its closing quote on line {_line_of(text, end, at, line)} is "
               f"followed by {text[end:end + 12]!r}, not a delimiter or the end of the line: a stray quote opened or "
               "closed it, and rows may have been joined")
        summary = f"The file {path} cannot be read: {why}. {quote_hint}"
    else:
        why = f"a cell starting on line {line} holds more than {MAX_CELL:,} characters (1 MiB), the most a cell may hold"
        summary = (f"The file {path} cannot be read: {why}. A stray quote can make a cell swallow the rows after "
                   "it: check that line.")
    return ResponseError(summary, [Problem(why, file=path, row=line, value=shortened(text[at:at + 61]))])


def _cell_trouble(text: str, pos: int, delimiter: str) -> tuple[str, int, int] | None:
    """Walk the cells of the record starting at ``pos`` as strict csv does: ("open", start, _)
    for a quote never closed, ("closed", start, end) for a closing quote followed by other text,
    ("large", start, end) for a cell over MAX_CELL; None when the record is fine."""
    n = len(text)
    stop = re.compile(f"[{re.escape(delimiter)}\r\n]")
    while pos < n:
        if text[pos] == '"':
            end = pos + 1
            while True:  # the closing quote: one not doubled
                end = text.find('"', end)
                if end < 0:
                    return "open", pos, n
                if text.startswith('""', end):
                    end += 2
                    continue
                end += 1
                break
            if end - pos - 2 > MAX_CELL:
                return "large", pos, end
            if end < n and text[end] not in (delimiter, "\r", "\n"):
                return "closed", pos, end
        else:
            m = stop.search(text, pos)
            end = n if m is None else m.start()
            if end - pos > MAX_CELL:
                return "large", pos, end
        if end >= n or text[end] != delimiter:
            return None
        pos = end + 1
    return None


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
