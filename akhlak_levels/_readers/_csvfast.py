"""Delimited text at the speed of the file: records found with numpy on the bytes, cells parsed by
pyarrow, block by block in bounded memory.

The exact reader (:mod:`._csv`, Python's strict ``csv``) defines what a file holds. This module
reads the files on which pyarrow's parser and the strict reader provably agree, and hands every
other file to the exact reader, which reads it or names its fault. A file is read here when:

- it is UTF-8 (a UTF-8 byte-order mark is dropped) without NUL characters;
- every quote follows the one rule both parsers share: a quote that opens a cell stands at the
  start of a cell (after a delimiter, a line break or the start of the file), and a quote that
  closes it is followed by a delimiter, a line break, the end of the file, or a second quote
  (``""``, a quote inside the cell). Under that rule the quotes alternate open/close, so whether
  a byte lies inside a quoted cell is the parity of the quotes before it, for every byte at once;
- every record that is not empty has as many fields as the header (or as the header with its
  trailing empty cells, all of them empty; pyarrow refuses a record of another width), and no
  cell is longer than :data:`MAX_CELL` bytes. pyarrow checks that the cells are UTF-8.

Line numbers are exact: a record's row is the physical line it starts on, counting ``\\r\\n``,
``\\r`` and ``\\n`` as Python's ``csv`` does, line breaks inside quoted cells included. The
number of records pyarrow returns is checked against the count made here; any difference sends
the file to the exact reader.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
from dataclasses import dataclass
from typing import BinaryIO, Callable, Iterator

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from ..errors import ResponseError
from ._csvplain import (SAMPLE_ROWS, choose_numbers, number_column, parse_typed, plain_lines, quote_marks, quotes_proved,
                        read_ahead, text_sizes)
from ._arrow import strings, to_numpy
from ._columns import TextColumn, blank_rows
from ._table import MAX_CELL, Column, Table, check_header, trim_header

QUOTE, LF, CR = 34, 10, 13

#: Bytes read at a time (a block ends at the last whole record in it).
BLOCK_BYTES = 16 * 2**20

#: Bytes read at a time by a whole-file read (``batch_rows`` None): smaller blocks keep the
#: read-ahead and the coding overlapping from the first block on and fault in less memory
#: (1,000,000 codes rows: 1.38-1.61 s against 1.76-2.0 s with 16 MiB, in turns).
WHOLE_FILE_BLOCK_BYTES = 4 * 2**20


class NotFast(Exception):
    """The file is one the exact reader must read (or refuse, naming the fault). ``resume``, when
    set: where the block reader can take over (the records before it were given)."""

    resume: Resume | None = None


@dataclass(frozen=True)
class Resume:
    """A place to read on from: the file offset of a record's start, the line it is on, the header
    read before (trimmed) and its width as written, and the delimiter."""

    offset: int
    line: int
    header: list[str]
    raw_width: int
    delimiter: str


@dataclass(frozen=True)
class Records:
    """The records of a buffer: byte offsets of each start and end (before its line break), the
    physical line each starts on, and whether a quoted cell in it spans lines; ``breaks`` holds
    the offset of every line break of the buffer (to count lines up to any offset). ``checked``:
    the quote rule is proved for them (records found as plain lines are proved when parsed, see
    :mod:`._csvplain`)."""

    starts: np.ndarray
    ends: np.ndarray
    lines: np.ndarray
    multi_line: np.ndarray
    breaks: np.ndarray
    checked: bool = True

    def first(self, k: int) -> Records:
        return self.part(0, k)

    def part(self, lo: int, hi: int) -> Records:
        return Records(self.starts[lo:hi], self.ends[lo:hi], self.lines[lo:hi], self.multi_line[lo:hi], self.breaks,
                       self.checked)

    def shifted(self, by: int) -> Records:
        return Records(self.starts + by, self.ends + by, self.lines, self.multi_line, self.breaks + by, self.checked)

    def then(self, later: Records) -> Records:
        """These records and the ``later`` ones (their breaks are not needed once lines are counted)."""
        return Records(np.concatenate([self.starts, later.starts]), np.concatenate([self.ends, later.ends]),
                       np.concatenate([self.lines, later.lines]), np.concatenate([self.multi_line, later.multi_line]),
                       _EMPTY, self.checked and later.checked)

    def after_first(self) -> Records:
        return Records(self.starts[1:], self.ends[1:], self.lines[1:], self.multi_line[1:], self.breaks, self.checked)


_EMPTY = np.empty(0, dtype=np.int64)


def _breaks(b: np.ndarray, raw: bytes | bytearray, lo: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Start and end offsets in ``b`` (the bytes ``lo:n`` of ``raw``) of every line break:
    ``\\r\\n`` once, a lone ``\\r`` or ``\\n``."""
    lf = np.flatnonzero(b == LF) if raw.find(LF, lo, n) >= 0 else _EMPTY
    if raw.find(CR, lo, n) < 0:
        return lf, lf + 1
    cr = np.flatnonzero(b == CR)
    lone_lf = lf[(lf == 0) | (b[np.maximum(lf - 1, 0)] != CR)]
    starts = np.concatenate([cr, lone_lf])
    starts.sort(kind="stable")
    crlf = (b[starts] == CR) & (starts + 1 < len(b)) & (b[np.minimum(starts + 1, len(b) - 1)] == LF)
    return starts, starts + 1 + crlf


def _check_quotes(b: np.ndarray, quotes: np.ndarray, delim: int) -> None:
    """Raise :class:`NotFast` unless every quote opens at a cell start or closes before a
    delimiter, a line break, the end or a doubled quote (see the module docstring)."""
    if len(quotes) % 2:
        raise NotFast("a quote is never closed")
    if not len(quotes):
        return
    n = len(b)
    edge = np.zeros(256, dtype=bool)  # the bytes a cell ends at
    edge[[delim, LF, CR]] = True
    opening, closing = quotes[0::2], quotes[1::2]
    first = 1 if opening[0] == 0 else 0  # a quote opening the buffer opens a cell
    ok_open = edge[b[opening[first:] - 1]]
    if not ok_open.all():  # else: a doubled quote "" inside a quoted cell
        bad = np.flatnonzero(~ok_open) + first
        if not (bad > 0).all() or not (opening[bad] == closing[bad - 1] + 1).all():
            raise NotFast("a quote outside the shared rule")
    last = len(closing) - 1 if closing[-1] == n - 1 else len(closing)  # a quote closing the buffer
    ok_close = edge[b[closing[:last] + 1]]
    if not ok_close.all():
        bad = np.flatnonzero(~ok_close)
        if not (bad < len(opening) - 1).all() or not (closing[bad] + 1 == opening[bad + 1]).all():
            raise NotFast("a quote outside the shared rule")


def scan(whole: np.ndarray, raw: bytes | bytearray, lo: int, n: int, delim: int, first_line: int, *,
         final: bool) -> Records:
    """The complete records of the bytes ``lo:n`` (all of them when ``final``, else those ended
    by a line break that is not the last byte), their lines counted from ``first_line`` (the
    line at ``lo``), their offsets those of ``whole``. The number of fields of each record is
    left to pyarrow, which refuses a record of another width."""
    rec = _scan(whole[lo:n], raw, lo, n, delim, first_line, final=final)
    if not lo:
        return rec
    return Records(rec.starts + lo, rec.ends + lo, rec.lines, rec.multi_line, rec.breaks + lo)


def _scan(b: np.ndarray, raw: bytes | bytearray, lo: int, n: int, delim: int, first_line: int, *, final: bool) -> Records:
    quotes = np.flatnonzero(b == QUOTE) if raw.find(QUOTE, lo, n) >= 0 else _EMPTY
    brk, brk_end = _breaks(b, raw, lo, n)
    inside = np.searchsorted(quotes, brk) % 2 == 1 if len(quotes) else np.zeros(len(brk), dtype=bool)
    term, term_end = brk[~inside], brk_end[~inside]
    if not final:
        whole = term_end < len(b)  # a CR as the last byte may be the first half of a CRLF
        term, term_end = term[whole], term_end[whole]
    stop = len(b) if final else int(term_end[-1]) if len(term) else 0
    _check_quotes(b[:stop], quotes[: int(np.searchsorted(quotes, stop))], delim)
    starts = np.concatenate([[0], term_end]).astype(np.int64)
    ends = np.concatenate([term, [stop]]).astype(np.int64)
    if not final or (len(term) and term_end[-1] == len(b)):
        starts, ends = starts[:-1], ends[:-1]  # nothing after the last line break
    if inside.any():
        quoted_breaks = brk[inside & (brk < stop)]
        multi = np.searchsorted(quoted_breaks, ends) > np.searchsorted(quoted_breaks, starts)
    else:
        multi = np.zeros(len(starts), dtype=bool)
    return Records(starts, ends, first_line + np.searchsorted(brk, starts), multi, brk)


def header_cells(text: str, delimiter: str) -> list[str]:
    try:
        cells = next(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True))
    except (csv.Error, StopIteration):
        raise NotFast("the header is not one strict record") from None
    return [h.strip() for h in cells]


def blank_records(cols: list[Column], n: int) -> np.ndarray:
    """Rows whose every cell is white space (a row of empty cells), judged per distinct value."""
    blank = np.ones(n, dtype=bool)
    for c in cols:
        blank &= blank_rows(c)
        if not blank.any():
            break
    return blank


@dataclass
class _State:
    header: list[str] | None = None
    raw_width: int = 0
    header_end: int = 0  # offset of the header's line break in the first buffer
    line: int = 1  # the line the next buffer starts on
    numbers: set[int] | None = None  # the columns parsed as int8 (chosen on the first batch)
    unbalanced: int = 0  # batches whose whole numbers were not all written plainly


#: Whether the shortcuts of :mod:`._csvplain` are taken (the tests compare both ways).
PLAIN = True


def _records(b: np.ndarray, raw: bytearray, lo: int, n: int, delim: int, first_line: int, *, final: bool,
             plain: bool) -> Records:
    """The complete records of the bytes ``lo:n``: with ``plain``, as plain lines when no line
    break lies inside quotes (their quote rule proved when they are parsed), else by :func:`scan`.

    Plain lines are taken only when all the records of a scan are parsed (and their rule
    proved) together, before any of them is given (``batch_rows`` None): a file that breaks the
    rule is then handed over at the same record as by the scan, which refuses it whole."""
    if PLAIN and plain:
        got = plain_lines(b, raw, lo, n, final=final)
        if got is not None:
            starts, ends, breaks, k = got
            return Records(starts, ends, first_line + k, np.zeros(len(starts), dtype=bool), breaks, checked=False)
    return scan(b, raw, lo, n, delim, first_line, final=final)


def _parse_block(buf: bytearray, rec: Records, state: _State, delimiter: str, path: str) -> Table:
    """The table of the records ``rec`` of one buffer (the header already taken): pyarrow parses
    the cells straight into dictionary-encoded columns and checks that they are UTF-8."""
    assert state.header is not None
    width = len(state.header)
    empty = rec.ends == rec.starts
    full = ~empty
    if rec.multi_line.any():
        _check_joined(buf, rec, delimiter, width, path)
    n = int(full.sum())
    if not n:
        none = Column(np.empty(0, object), np.empty(0, np.int64))
        return Table(state.header, [none] * width, np.empty(0, np.int64), path, rec.lines.tolist())
    lo, hi = int(rec.starts[full][0]), int(rec.ends[full][-1])
    if bytes(buf[lo:lo + 3]) == codecs.BOM_UTF8:
        raise NotFast("a record starting with a byte-order mark (pyarrow would drop it)")
    cols = _cells(buf, rec, full, state, delimiter, lo, hi)
    return records_table(cols, state.header, state.raw_width, rec.lines[full].astype(np.int64), path,
                         rec.lines[empty])


def records_table(cols: list[Column], header: list[str], raw_width: int, lines: np.ndarray, path: str,
                  empty: np.ndarray) -> Table:
    """The table of parsed records (``cols``, as wide as the header was written, ``lines`` the
    line of each): a column under a trailing empty header cell must be empty (else the exact
    reader decides); rows of empty cells are skipped and listed by line with the ``empty`` lines,
    as the exact reader skips them."""
    width, n = len(header), len(lines)
    if raw_width > width and not blank_records(cols[width:], n).all():
        raise NotFast("a trailing header cell is empty but the column is not")
    cols = cols[:width]
    blank = blank_records(cols, n)
    skipped = empty
    if blank.any():
        keep = np.flatnonzero(~blank)
        skipped = np.sort(np.concatenate([empty, lines[blank]]))
        cols = [c.at(keep) for c in cols]
        lines = lines[keep]
    return Table(header, cols, lines, path, skipped.tolist())


TEXT_DICT = pa.dictionary(pa.int32(), pa.string())


def parser(buf: bytearray | memoryview, lo: int, hi: int, raw_width: int, delimiter: str, multi_line: bool, *,
            skip_empty: bool = True) -> Callable[[dict[int, pa.DataType]], pa.Table]:
    """pyarrow's read of the bytes ``lo:hi`` of ``buf``, given each column's type (an empty cell
    of an ``int8`` column is null; text cells are never null); with ``skip_empty`` False an
    empty line is an error (a record of one field)."""
    names = [f"c{j}" for j in range(raw_width)]

    def parse(types: dict[int, pa.DataType]) -> pa.Table:
        return pa_csv.read_csv(
            pa.py_buffer(memoryview(buf)[lo:hi]),  # parsed into new arrays: nothing keeps the buffer
            read_options=pa_csv.ReadOptions(column_names=names, block_size=1 << 20),
            parse_options=pa_csv.ParseOptions(
                delimiter=delimiter, quote_char='"', double_quote=True, escape_char=False,
                newlines_in_values=multi_line, ignore_empty_lines=skip_empty,
            ),
            convert_options=pa_csv.ConvertOptions(
                column_types={names[j]: t for j, t in types.items()}, null_values=[""], strings_can_be_null=False,
                quoted_strings_can_be_null=True, check_utf8=True,
            ),
        ).unify_dictionaries()

    return parse


def _cells(buf: bytearray, rec: Records, full: np.ndarray, state: _State, delimiter: str, lo: int, hi: int) -> list[Column]:
    """The columns of the full records of ``rec`` (bytes ``lo:hi``), parsed by pyarrow: the
    columns of small whole numbers as ``int8`` while their texts balance the bytes, the others
    as dictionaries; the quote rule of records found as plain lines proved (see :mod:`._csvplain`)."""
    width, n = state.raw_width, int(full.sum())
    parse = parser(buf, lo, hi, width, delimiter, bool(rec.multi_line.any()))
    try:
        if state.numbers is None:
            state.numbers = set()
            if PLAIN:
                k = min(SAMPLE_ROWS, n)
                sample = parser(buf, lo, int(rec.ends[full][k - 1]), width, delimiter, bool(rec.multi_line[full][:k].any()))
                state.numbers = choose_numbers([dict_column(c)[0] for c in sample({j: TEXT_DICT for j in range(width)}).columns])
        table, numbers = parse_typed(parse, state.numbers, width, TEXT_DICT)
        cols, sizes = _columns(table, numbers, delimiter, sized=bool(numbers) or not rec.checked)
        b = np.frombuffer(buf, dtype=np.uint8, count=hi)
        quoted = (bool(numbers) or not rec.checked) and buf.find(b'"', lo, hi) >= 0
        marks = quote_marks(b, lo, hi) if quoted else np.zeros(0, dtype=bool)
        # the bytes of the records less their delimiters and quotes: the texts' bytes less their quotes
        if numbers and int((rec.ends - rec.starts)[full].sum()) - n * (width - 1) - int(np.count_nonzero(marks)) != sizes[0]:
            state.unbalanced += 1  # a whole number not written plainly: the batch is read as text
            if state.unbalanced >= 2:
                numbers.clear()
                state.numbers = set()
            table = parse({j: TEXT_DICT for j in range(width)})
            cols, sizes = _columns(table, set(), delimiter, sized=not rec.checked)
    except pa.ArrowException as exc:  # another width, not UTF-8: the exact reader names it
        raise NotFast(f"pyarrow: {exc}") from None
    if table.num_rows != n:
        raise NotFast("pyarrow counted other records")
    if not rec.checked and not quotes_proved(
            b, lo, hi, rec.ends[full], marks, ord(delimiter), sizes[1], sizes[2]):
        _check_quotes(b[lo:hi], np.flatnonzero(b[lo:hi] == QUOTE), ord(delimiter))
    return cols


def _columns(table: pa.Table, numbers: set[int], delimiter: str, *, sized: bool
             ) -> tuple[list[Column], tuple[int, int, int]]:
    """The columns of a parsed batch and (when ``sized``), over all its cells: the bytes of their
    texts (numbers written plainly) less the quotes they hold, the quotes they hold, and the
    cells starting with the delimiter or a line break."""
    cols, size, quotes, edge = [], 0, 0, 0
    for j in range(table.num_columns):
        if j in numbers:
            col, s = number_column(table.column(j))
        else:
            col, dictionary = dict_column(table.column(j))
            s, q, e = text_sizes(dictionary, col.index, delimiter) if sized else (0, 0, 0)
            s, quotes, edge = s - q, quotes + q, edge + e
        cols.append(col)
        size += s
    return cols, (size, quotes, edge)


def dict_column(col: pa.ChunkedArray) -> tuple[Column, pa.Array]:
    """A dictionary column (its chunks sharing one dictionary) as a :class:`Column`, and its
    dictionary; a cell over :data:`MAX_CELL` bytes sends the file to the exact reader (it
    counts characters)."""
    if not col.num_chunks:
        return Column(np.empty(0, object), np.empty(0, np.int64)), strings([])
    values = col.chunks[0].dictionary
    if len(values) and pc.max(pc.binary_length(values)).as_py() > MAX_CELL:
        raise NotFast("a cell over MAX_CELL bytes")
    index = to_numpy(pa.chunked_array([c.indices for c in col.chunks], type=pa.int32()))
    return TextColumn(values, index), values


def _check_joined(buf: bytearray, rec: Records, delimiter: str, width: int, path: str) -> None:
    """A quoted cell spanning lines that holds a whole row's delimiters (a stray quote joined
    rows) sends the file to the exact reader, which names every such cell; only the records
    spanning lines are parsed here."""
    from ._csv import joined_cells

    for k in np.flatnonzero(rec.multi_line).tolist():
        try:
            text = bytes(buf[rec.starts[k]:rec.ends[k]]).decode("utf-8")
            cells = next(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True))
        except (UnicodeDecodeError, csv.Error, StopIteration):
            raise NotFast("a record the strict reader refuses, or not UTF-8") from None
        if joined_cells(cells, int(rec.lines[k]), delimiter, width, path):
            raise NotFast("a stray quote joins rows")


def sniff(fh: BinaryIO, path: str) -> str:
    """The delimiter the exact reader would pick, from the same first 2**20 characters."""
    from ._csv import sniff_delimiter

    head = fh.read(4 * 2**20 + 3)
    fh.seek(0)
    try:
        text = codecs.getincrementaldecoder("utf-8-sig")().decode(head, final=len(head) < 4 * 2**20 + 3)
    except UnicodeDecodeError:
        raise NotFast("not UTF-8") from None
    if "\n" not in text and len(head) >= 4 * 2**20 + 3:
        raise NotFast("a first line over 4 MiB")
    return sniff_delimiter(text)


def fast_tables(path: str, delimiter: str | None, *, batch_rows: int | None = None,
                block_bytes: int | None = None, resume: Resume | None = None) -> Iterator[Table]:
    """Tables of at most ``batch_rows`` records (a block's worth when None) of the CSV at
    ``path``; :class:`NotFast` as soon as a part of the file is one the exact reader must read.
    With ``batch_rows`` None (the whole file is wanted) the next block is read by a thread of
    its own while the caller codes the current one. ``block_bytes``: by default
    :data:`WHOLE_FILE_BLOCK_BYTES` for a whole-file read, :data:`BLOCK_BYTES` batch by batch.
    ``resume``: read the records from there on (the header and delimiter as it says)."""
    if block_bytes is None:
        block_bytes = WHOLE_FILE_BLOCK_BYTES if batch_rows is None else BLOCK_BYTES
    if batch_rows is None and PLAIN:
        return read_ahead(lambda: _tables(path, delimiter, batch_rows, block_bytes, resume))
    return _tables(path, delimiter, batch_rows, block_bytes, resume)


def _tables(path: str, delimiter: str | None, batch_rows: int | None, block_bytes: int,
            resume: Resume | None = None) -> Iterator[Table]:
    with open(path, "rb") as fh:
        if resume is not None:
            fh.seek(resume.offset)
            state = _State(header=resume.header, raw_width=resume.raw_width, line=resume.line)
            yield from _blocks(fh, path, resume.delimiter, batch_rows, block_bytes, state)
            return
        start = fh.read(4)
        if start[:2] in (b"\xff\xfe", b"\xfe\xff"):
            raise NotFast("UTF-16")
        fh.seek(3 if start[:3] == codecs.BOM_UTF8 else 0)
        if delimiter is None:
            delimiter = "\t" if path.lower().endswith(".tsv") else sniff(fh, path)
            fh.seek(3 if start[:3] == codecs.BOM_UTF8 else 0)
        if len(delimiter) != 1 or delimiter in '"\r\n':
            raise NotFast("a delimiter pyarrow does not take")
        yield from _blocks(fh, path, delimiter, batch_rows, block_bytes)


def _blocks(fh: io.BufferedIOBase, path: str, delimiter: str, batch_rows: int | None, block_bytes: int,
            state: _State | None = None) -> Iterator[Table]:
    """Read ``fh`` into one buffer, a block at a time. Each new block is scanned from the end of
    the last complete record; the records found wait until ``batch_rows`` of them (that are not
    empty lines) are there, or the file ends, and are then parsed together. The bytes before the
    first record still waiting are dropped from the front of the buffer as it fills.

    So scanning works on one block at a time (its temporaries bounded by ``block_bytes``) while a
    batch holds ``batch_rows`` records whatever their size (with ``batch_rows`` None: the
    records of each block). ``state``: the header already read (reading on from a record)."""
    resumed = state is not None
    state = _State() if state is None else state
    delim, eof, given = ord(delimiter), False, 0
    base, total = fh.tell(), max(os.fstat(fh.fileno()).st_size, 1)  # the file offset of space[0]
    space = bytearray(block_bytes)
    n = scanned = 0  # bytes held; the offset after the last complete record (where scanning resumes)
    size = block_bytes
    waiting: Records | None = None  # records found and not given yet
    while not eof:
        if len(space) < n + size:  # room for one more block (grown, or the held bytes moved to the front)
            keep = int(waiting.starts[0]) if waiting is not None and len(waiting.starts) else scanned
            if keep and n - keep + size <= len(space):
                space[: n - keep] = space[keep:n]
                waiting = None if waiting is None else waiting.shifted(-keep)
                n, scanned, base = n - keep, scanned - keep, base + keep
            else:
                grown = bytearray(max(len(space) + len(space) // 2, n + size))
                grown[:n] = space[:n]
                space = grown
        got = fh.readinto(memoryview(space)[n:n + size])
        eof = got < size
        if space.find(0, n, n + got) >= 0:
            raise NotFast("a NUL character")
        n += got
        b = np.frombuffer(space, dtype=np.uint8, count=n)
        rec = _records(b, space, scanned, n, delim, state.line, final=eof, plain=batch_rows is None)
        stop = scanned
        if state.header is None and len(rec.starts):
            rec = _take_header(space, rec, state, delimiter, path)
            stop = _record_stop(b, state.header_end)
            if not len(rec.starts):
                _check_utf8(space, stop)  # the header alone so far
        if len(rec.starts):
            stop = _record_stop(b, int(rec.ends[-1]))
            waiting = rec if waiting is None else waiting.then(rec)
        elif stop == scanned and not eof:
            size *= 2  # a record longer than the blocks read so far: read more at once
        state.line += int(np.searchsorted(rec.breaks, stop))
        scanned = stop
        while waiting is not None and len(waiting.starts):
            filled = np.flatnonzero(waiting.ends > waiting.starts)
            if batch_rows is not None and len(filled) > batch_rows:
                cut = int(filled[batch_rows - 1]) + 1
            elif eof or batch_rows is None or len(filled) == batch_rows:
                cut = len(waiting.starts)
            else:
                break  # wait for more records
            part, waiting = waiting.part(0, cut), waiting.part(cut, len(waiting.starts))
            table = _parse_block(space, part, state, delimiter, path)
            table.done = min((base + _record_stop(b, int(part.ends[-1]))) / total, 1.0)
            given += table.n
            yield table
        del b
    if state.header is None:
        raise NotFast("no header")
    if not given and not resumed:
        raise NotFast("no data rows")  # the exact reader gives the message


def _check_utf8(space: bytearray, stop: int) -> None:
    try:
        codecs.utf_8_decode(memoryview(space)[:stop], None, True)
    except UnicodeDecodeError:
        raise NotFast("not UTF-8") from None


def _record_stop(b: np.ndarray, end: int) -> int:
    """The offset just after the line break that ends a record at ``end`` (or ``end`` at the end)."""
    if end < len(b) and b[end] == CR:
        return end + 2 if end + 1 < len(b) and b[end + 1] == LF else end + 1
    return end + 1 if end < len(b) else end


def _take_header(buf: bytearray, rec: Records, state: _State, delimiter: str, path: str) -> Records:
    """Read the header (the first record) into ``state``; the records after it. A header the
    exact reader refuses (blank, spanning lines, repeated or empty names) is left to it."""
    if rec.multi_line[0] or rec.ends[0] == rec.starts[0]:
        raise NotFast("a header spanning lines, or none")
    if not rec.checked:
        head = np.frombuffer(buf, dtype=np.uint8, count=int(rec.ends[0]))[int(rec.starts[0]):]
        _check_quotes(head, np.flatnonzero(head == QUOTE), ord(delimiter))
    try:
        text = bytes(buf[rec.starts[0]:rec.ends[0]]).decode("utf-8")
    except UnicodeDecodeError:
        raise NotFast("not UTF-8") from None
    raw = header_cells(text, delimiter)
    header = trim_header(raw)
    if not text.strip():
        raise NotFast("a blank first line")
    try:
        check_header(header, path)
    except ResponseError:
        raise NotFast("a header the exact reader refuses") from None
    state.header, state.raw_width, state.header_end = header, len(raw), int(rec.ends[0])
    return rec.after_first()
