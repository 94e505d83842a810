"""A whole CSV file in one parse, its checks counted instead of located.

The file is mapped into memory and read in sections of up to :data:`SECTION_BYTES` when the
whole file is wanted (:func:`~akhlak_levels.read_responses` of a path: one section for an export
of a million codes), :data:`BATCH_SECTION_BYTES` batch by batch
(:func:`~akhlak_levels.iter_responses`), each parsed by pyarrow at once with both cores.
:mod:`._csvfast` finds every record's start and end to number its line; here no position is
looked for. A section is read here when:

- every record is one line: pyarrow, told not to skip empty lines, gives an empty line as a
  record of empty cells (skipped, as the exact reader skips the line) and refuses a line of
  white space in a table of two or more columns (a record of one cell), and no parsed cell holds
  a line break (judged per distinct text, or on the bytes of a column of one text per row).
  Then every line break in the bytes ends a record and record ``k`` of a section is on its
  ``k``-th line: row numbers are exact without locating a single line break;
- the quote rule of :mod:`._csvfast` holds, proved as :mod:`._csvplain` proves it for plain
  lines (no parsed cell holds a quote; the quotes followed by a delimiter, a line break or the
  end are the closings plus the openings of cells starting with the delimiter), from three
  counts made over the bytes in one pass of cache-sized chunks;
- the columns parsed as whole numbers balance the bytes (see :mod:`._csvplain`), the line breaks
  counted in that same pass.

Anything else raises :class:`~._csvfast.NotFast`, and the block reader of :mod:`._csvfast` reads
the file from the first record of that section on (from the start when it is the first), or
hands it to the exact reader. The header, UTF-8, NUL and
byte-order-mark rules are those of :mod:`._csvfast`.
"""

from __future__ import annotations

import codecs
import mmap
import os
from concurrent.futures import ThreadPoolExecutor
from typing import BinaryIO, Iterator

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import ResponseError
from ._csvfast import TEXT_DICT, NotFast, Resume, dict_column, header_cells, parser, records_table, sniff
from ._csvplain import SAMPLE_ROWS, choose_numbers, number_column, parse_typed, text_sizes
from ._columns import PlainTextColumn
from ._table import MAX_CELL, Column, Table, check_header, trim_header

QUOTE, LF, CR = 34, 10, 13

#: The most bytes parsed at once: a larger file is read in sections cut at line breaks.
SECTION_BYTES = 256 * 2**20

#: The sections of a read batch by batch (:func:`~akhlak_levels.iter_responses`): the first batch
#: comes after a small parse, and the next section is parsed while the caller works on a batch.
BATCH_SECTION_BYTES = 32 * 2**20

#: Bytes a chunk of the counting pass holds (each of its temporaries stays in cache).
_CHUNK = 2**18


def whole_tables(path: str, delimiter: str | None, *, batches: bool = False) -> Iterator[Table]:
    """The tables of the CSV at ``path``, a section at a time; :class:`NotFast` as soon as a
    section is one the block reader must read (before the first table when it is the first).

    A file of one section is mapped with its pages at once; a larger one is mapped as it is read,
    and each section's pages are let go once it is parsed, so memory holds about one section.
    Sections are :data:`SECTION_BYTES` at most, :data:`BATCH_SECTION_BYTES` for ``batches``."""
    section = BATCH_SECTION_BYTES if batches else SECTION_BYTES
    with open(path, "rb") as fh:
        size = os.fstat(fh.fileno()).st_size
        if not size:
            raise NotFast("an empty file")
        populate = getattr(mmap, "MAP_POPULATE", 0) if size <= section else 0  # pages mapped at once (Linux)
        # unmapped when the last view of it goes (numpy and pyarrow views outlive a close)
        mm = mmap.mmap(fh.fileno(), 0, flags=mmap.MAP_SHARED | populate, prot=mmap.PROT_READ) if populate else \
            mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
        delimiter, header, raw_width, lo = _start(mm, fh, path, delimiter)
    yield from _sections(mm, lo, header, raw_width, delimiter, path, section, batches)


def _start(mm: mmap.mmap, fh: BinaryIO, path: str, delimiter: str | None) -> tuple[str, list[str], int, int]:
    """The delimiter, the header (trimmed), its width as written and the offset after it."""
    if mm[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise NotFast("UTF-16")
    start = 3 if mm[:3] == codecs.BOM_UTF8 else 0
    if delimiter is None:
        fh.seek(start)
        delimiter = "\t" if path.lower().endswith(".tsv") else sniff(fh, path)
    if len(delimiter) != 1 or delimiter in '"\r\n':
        raise NotFast("a delimiter pyarrow does not take")
    header, raw_width, lo = _take_header(mm, start, delimiter, path)
    if raw_width < 2:
        raise NotFast("one column: pyarrow reads an empty line as a record of it")
    return delimiter, header, raw_width, lo


def _sections(mm: mmap.mmap, lo: int, header: list[str], raw_width: int, delimiter: str, path: str,
              section: int, batches: bool) -> Iterator[Table]:
    n, types, line, given = len(mm), None, 2, 0
    if mm.find(b"\0", 0, lo) >= 0:
        raise NotFast("a NUL character")
    while lo < n:
        hi = n if n - lo <= section else mm.rfind(b"\n", lo, lo + section) + 1
        if hi <= lo:
            raise NotFast("a line longer than a section")
        if mm.find(b"\0", lo, hi) >= 0:
            raise NotFast("a NUL character")
        if types is None:
            types = _choose_types(mm, lo, hi, raw_width, delimiter)
        try:
            table = _section(mm, lo, hi, header, raw_width, types, delimiter, path, line)
            if batches and table.skipped_rows:  # batches are cut around blank lines as the block reader cuts them
                raise NotFast("blank rows, batch by batch")
        except NotFast as exc:  # the block reader can read on from this section's first record
            exc.resume = Resume(lo, line, header, raw_width, delimiter)
            raise
        line += table.n + len(table.skipped_rows)
        given += table.n
        table.done = hi / n
        if hi < n and hasattr(mm, "madvise"):  # the section's pages are not needed again
            start = lo - lo % mmap.PAGESIZE
            mm.madvise(mmap.MADV_DONTNEED, start, hi - start)
        lo = hi
        yield table
    if not given:
        raise NotFast("no data rows")  # the exact reader gives the message


def _take_header(mm: mmap.mmap, start: int, delimiter: str, path: str) -> tuple[list[str], int, int]:
    """The header (trimmed), its width as written, and the offset after its line break."""
    end = mm.find(b"\n", start)
    if end < 0:
        raise NotFast("no line break after the header")
    cr = mm.find(b"\r", start, end)  # not beyond the first line: the pages of the rest are not touched
    end = cr if cr >= 0 else end
    after = end + 2 if mm[end:end + 2] == b"\r\n" else end + 1
    try:
        text = mm[start:end].decode("utf-8")
    except UnicodeDecodeError:
        raise NotFast("not UTF-8") from None
    if not text.strip():
        raise NotFast("a blank first line")
    raw = header_cells(text, delimiter)  # a quote opening a cell that spans lines: not one strict record
    header = trim_header(raw)
    try:
        check_header(header, path)
    except ResponseError:
        raise NotFast("a header the exact reader refuses") from None
    return header, len(raw), after


def _choose_types(mm: mmap.mmap, lo: int, hi: int, width: int, delimiter: str) -> tuple[set[int], frozenset[int]]:
    """The columns whose first :data:`SAMPLE_ROWS` lines hold only plain whole numbers (parsed as
    ``int8``), and the other columns whose texts there all differ (parsed as one text per row,
    without a dictionary: ids, times); neither when those lines do not parse on their own."""
    end = lo
    for _ in range(SAMPLE_ROWS):
        at = mm.find(b"\n", end, hi)
        if at < 0:
            end = hi
            break
        end = at + 1
    try:
        sample = parser(memoryview(mm), lo, end, width, delimiter, True)({j: TEXT_DICT for j in range(width)})
        cols = [dict_column(c)[0] for c in sample.columns]
    except (pa.ArrowException, NotFast):
        return set(), frozenset()
    numbers = choose_numbers(cols)
    rows = sample.num_rows
    plain = frozenset(j for j, c in enumerate(cols) if j not in numbers and rows > 1 and len(c.arrow) == rows)
    return numbers, plain


def _section(mm: mmap.mmap, lo: int, hi: int, header: list[str], raw_width: int, types: tuple[set[int], frozenset[int]],
             delimiter: str, path: str, first_line: int) -> Table:
    """The table of the bytes ``lo:hi`` (whole lines), its first line ``first_line``; ``types``:
    the columns parsed as whole numbers and as one text per row (see :func:`_choose_types`)."""
    numbers, plain = types
    if mm[lo:lo + 3] == codecs.BOM_UTF8:
        raise NotFast("a record starting with a byte-order mark (pyarrow would drop it)")
    buf = memoryview(mm)
    b = np.frombuffer(buf, dtype=np.uint8, count=hi)[lo:]
    with ThreadPoolExecutor(1) as pool:  # the counting pass runs beside pyarrow's parse
        counting = pool.submit(_counts, b, ord(delimiter), cr=mm.find(b"\r", lo, hi) >= 0)
        parse = parser(buf, lo, hi, raw_width, delimiter, True, skip_empty=False)
        try:
            table, numbers = parse_typed(parse, set(numbers), raw_width, TEXT_DICT, plain)
        except pa.ArrowException as exc:  # another width, not UTF-8
            raise NotFast(f"pyarrow: {exc}") from None
        cols, counted = _columns(table, numbers, plain, delimiter)
        quotes, closed, breaks = counting.result()
    if not _proved(counted, quotes, closed, table.num_rows, raw_width, numbers, breaks, hi - lo):
        if not numbers:
            raise NotFast("the quote rule not proved")
        table, _ = parse_typed(parse, set(), raw_width, TEXT_DICT, plain)
        cols, counted = _columns(table, set(), plain, delimiter)
        if not _proved(counted, quotes, closed, table.num_rows, raw_width, set(), breaks, hi - lo):
            raise NotFast("the quote rule not proved")
    return _table(cols, header, raw_width, path, first_line)


def _columns(table: pa.Table, numbers: set[int], plain: frozenset[int], delimiter: str,
             ) -> tuple[list[Column], tuple[int, int, int]]:
    """The columns of a parsed section and, over all its cells, the bytes of their texts (whole
    numbers written plainly), the quotes they hold and the cells starting with the delimiter;
    :class:`NotFast` when a text holds a line break or is longer than :data:`MAX_CELL` bytes."""
    cols: list[Column] = []
    size = quotes = edge = 0
    for j in range(table.num_columns):
        if j in numbers:
            col, s = number_column(table.column(j))
        elif j in plain:
            col = PlainTextColumn(table.column(j))
            s, q, e = _plain_sizes(col.texts, ord(delimiter))
            quotes, edge = quotes + q, edge + e
        else:
            col, dictionary = dict_column(table.column(j))
            if len(dictionary) and pc.any(pc.match_substring_regex(dictionary, "[\r\n]")).as_py():
                raise NotFast("a cell holds a line break")
            s, q, e = text_sizes(dictionary, col.index, delimiter)
            quotes, edge = quotes + q, edge + e
        cols.append(col)
        size += s
    return cols, (size, quotes, edge)


def _plain_sizes(texts: pa.Array, delim: int) -> tuple[int, int, int]:
    """For a text per row: the bytes of the texts, the quotes they hold and how many start with
    the delimiter, read from the array's bytes; :class:`NotFast` for a line break in a text or a
    text over :data:`MAX_CELL` bytes."""
    n = len(texts)
    if not n:
        return 0, 0, 0
    offsets = np.frombuffer(texts.buffers()[1], dtype=np.int32, count=texts.offset + n + 1)[texts.offset:]
    first, last = int(offsets[0]), int(offsets[-1])
    if last == first:
        return 0, 0, 0
    data = np.frombuffer(texts.buffers()[2], dtype=np.uint8, count=last)[first:]
    if int(np.diff(offsets).max()) > MAX_CELL:
        raise NotFast("a cell over MAX_CELL bytes")
    if np.count_nonzero(data == LF) or np.count_nonzero(data == CR):
        raise NotFast("a cell holds a line break")
    starts = offsets[:-1][offsets[1:] > offsets[:-1]] - first
    return last - first, int(np.count_nonzero(data == QUOTE)), int(np.count_nonzero(data[starts] == delim))


def _counts(b: np.ndarray, delim: int, *, cr: bool) -> tuple[int, int, int]:
    """Over the bytes ``b``: the quotes, the quotes followed by the delimiter, a line break or the
    end, and the line-break bytes (``\\n`` and ``\\r``), in one pass of cache-sized chunks."""
    n = len(b)
    if not n:
        return 0, 0, 0
    quotes = closed = breaks = 0
    q = np.empty(_CHUNK, dtype=bool)
    e = np.empty(_CHUNK, dtype=bool)
    t = np.empty(_CHUNK, dtype=bool)
    for i in range(0, n, _CHUNK):
        m = min(_CHUNK, n - i)
        cur = b[i:i + m]
        nl = np.equal(cur, LF, out=t[:m])
        breaks += int(np.count_nonzero(nl))
        if cr:
            breaks += int(np.count_nonzero(np.equal(cur, CR, out=t[:m])))
        qq = np.equal(cur, QUOTE, out=q[:m])
        k = int(np.count_nonzero(qq))
        if not k:
            continue
        quotes += k
        k = min(m, n - i - 1)  # the bytes that have a next byte
        nxt = b[i + 1:i + 1 + k]
        ee = np.equal(nxt, delim, out=e[:k])
        np.logical_or(ee, np.equal(nxt, LF, out=t[:k]), out=ee)
        np.logical_or(ee, np.equal(nxt, CR, out=t[:k]), out=ee)
        closed += int(np.count_nonzero(np.logical_and(ee, qq[:k], out=ee)))
    closed += int(b[-1] == QUOTE)  # a quote at the end
    return quotes, closed, breaks


def _proved(counted: tuple[int, int, int], quotes: int, closed: int, n: int, width: int, numbers: set[int],
            breaks: int, size: int) -> bool:
    """Whether the quote rule holds (see :mod:`._csvplain`: no text holds a quote, and the
    quotes followed by an edge are the ``quotes / 2`` closings plus the openings of cells whose
    text starts with the delimiter) and, with whole-number columns, the bytes balance: the
    records' bytes are their cells' texts, their quotes and their delimiters."""
    texts, text_quotes, at_edge = counted
    if text_quotes or quotes % 2 or closed != quotes // 2 + at_edge:
        return False
    return not numbers or size - breaks == texts + quotes + n * (width - 1)


def _table(cols: list[Column], header: list[str], raw_width: int, path: str, first_line: int) -> Table:
    """The table of a section's columns, its rows numbered from ``first_line``."""
    n = len(cols[0]) if cols else 0
    return records_table(cols, header, raw_width, np.arange(first_line, first_line + n, dtype=np.int64), path,
                         np.empty(0, dtype=np.int64))
