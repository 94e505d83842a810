"""The common case of :mod:`._csvfast` made cheap, with the same result: records found without
locating every quote, the quote rule proved from pyarrow's own parse, and columns of small whole
numbers parsed by pyarrow as ``int8`` instead of hashed text.

Three shortcuts, each checked exactly, each falling back to the general path of
:mod:`._csvfast` when its check fails (never to another result):

- **Plain records.** When no line break of a block lies inside quotes, the records are its lines.
  That holds when every line holds an even number of quotes (the parity of the quotes before a
  line break is then even): one XOR per line (``np.bitwise_xor.reduceat``) instead of the
  position of every quote. A lone ``\\r`` (a line break only Python's ``csv`` sees) or an odd
  line sends the block to the general scan. Taken when a block's records are parsed together,
  before any is given (:func:`~akhlak_levels.read_responses`; not when reading batch by batch),
  so that a file breaking the rule is handed over at the same record as the scan hands it over.
- **The quote rule from the parse.** The general scan proves the rule (see :mod:`._csvfast`)
  quote by quote. For records found as plain lines it is proved after pyarrow's parse instead:
  when no parsed cell holds a quote, every quote in the bytes is one pyarrow read as a cell's
  opening (at a cell start: the rule for openings holds) or closing quote, and the quotes
  alternate open/close; the rule for closings (followed by a delimiter or a line break) then
  holds exactly when the quotes followed by one of those are the ``Q/2`` closings plus the
  openings of cells whose text starts with one (``M``): ``N_qE == Q/2 + M``. Otherwise the
  rule is checked quote by quote on the bytes of the batch, as the general scan does.
- **Whole-number columns.** A column whose first :data:`SAMPLE_ROWS` records are all small whole
  numbers written plainly (``0``..``99``, or empty) is parsed by pyarrow as ``int8``. pyarrow's
  integers also accept ``04``, `` 4``, ``4\\t``, ``0x4`` and ``-0``, whose text is not the
  number's; every such text is longer (in bytes) than the number written plainly, and no other
  spelling of an ``int8`` (-128..127) is as short (a hexadecimal one carries ``0x`` and, below
  128, at most one digit fewer than the decimal one). So the cells are exactly the plain numbers when the bytes of
  the batch balance: the bytes of the records equal the bytes of their cells (text, plus the
  quotes in the bytes, less one per quote in a text) plus the delimiters, with every whole
  number counted at its plain length. A batch that does not balance, or whose parse fails on a
  column, is parsed again with that column (or all) as text. The column is then given as the
  text of its numbers, exactly the cells the general path gives.

And :func:`read_ahead`: a whole-file read parses the next block in a thread of its own while the
caller codes the current one.
"""

from __future__ import annotations

import queue
import re
import threading
from typing import Callable, Iterator, TypeVar

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ._arrow import strings, to_numpy
from ._columns import NumberColumn
from ._table import Column

QUOTE, LF, CR = 34, 10, 13

#: Records of the first batch looked at to choose the whole-number columns.
SAMPLE_ROWS = 2000

T = TypeVar("T")

_PLAIN_NUMBER = re.compile(r"^(?:[1-9]?[0-9])?$")
_CONVERSION = re.compile(r"^In CSV column #(\d+): CSV conversion error")


def plain_lines(b: np.ndarray, raw: bytes | bytearray, lo: int, n: int, *, final: bool
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None:
    """The records of the bytes ``lo:n`` as :func:`._csvfast.scan` would find them (``starts``,
    ``ends``, line breaks' starts, and the number of lines each record is after the first), or
    None unless every line break there is outside quotes and is ``\\n`` or ``\\r\\n``. Offsets are
    those of ``b``; ``final`` as for the scan."""
    bb = b[lo:n]
    size = n - lo
    tail_cr = not final and size and raw[n - 1] == CR  # may be the first half of a CRLF
    if raw.find(CR, lo, n) >= 0 and raw.count(b"\r", lo, n) != raw.count(b"\r\n", lo, n) + tail_cr:
        return None
    lf = np.flatnonzero(bb == LF) if raw.find(LF, lo, n) >= 0 else np.empty(0, dtype=np.int64)
    crlf = (lf > 0) & (bb[np.maximum(lf - 1, 0)] == CR)
    brk, term_end = lf - crlf, lf + 1
    term = brk
    if not final:
        whole = term_end < size
        term, term_end = term[whole], term_end[whole]
    stop = size if final else int(term_end[-1]) if len(term) else 0
    starts = np.concatenate([[0], term_end]).astype(np.int64)
    ends = np.concatenate([term, [stop]]).astype(np.int64)
    if not final or (len(term) and term_end[-1] == size):
        starts, ends = starts[:-1], ends[:-1]
    if len(starts) and raw.find(QUOTE, lo, lo + stop) >= 0:
        odd = np.bitwise_xor.reduceat((bb[:stop] == QUOTE).view(np.uint8), starts)
        if odd.any():
            return None
    return starts + lo, ends + lo, brk.astype(np.int64) + lo, np.arange(len(starts), dtype=np.int64)


def quote_marks(b: np.ndarray, lo: int, hi: int) -> np.ndarray:
    """Where the quotes of the bytes ``lo:hi`` are (a mask)."""
    return b[lo:hi] == QUOTE


def quotes_proved(b: np.ndarray, lo: int, hi: int, ends: np.ndarray, quotes: np.ndarray, delim: int, text_quotes: int,
                  opened_at_edge: int) -> bool:
    """Whether the quotes (``quotes``, the mask of :func:`quote_marks`) of the records ``lo:hi``
    (ending at ``ends``) keep the rule, proved from pyarrow's parse: no parsed cell holds a quote
    (``text_quotes`` counts them) and the quotes followed by a delimiter, a line break or the end
    are the closings plus the ``opened_at_edge`` openings of cells whose text starts with one.
    False: not proved (the caller checks quote by quote).

    The quotes followed by a line break are counted at the ends of the records only: one inside
    a record is missed, which can only make the count short of the sum (then the caller checks),
    never reach it wrongly, since at most ``Q/2`` quotes are closings."""
    if text_quotes:
        return False
    total = int(np.count_nonzero(quotes))
    if not total:
        return True
    followed = quotes[:-1] & (b[lo + 1:hi] == delim)
    at_ends = int(np.count_nonzero(quotes[ends - 1 - lo])) if len(ends) else 0
    return int(np.count_nonzero(followed)) + at_ends == total // 2 + opened_at_edge


def choose_numbers(sample: list[Column]) -> set[int]:
    """The columns whose cells in ``sample`` are all plain numbers 0..99 or empty."""
    return {j for j, c in enumerate(sample) if all(_PLAIN_NUMBER.match(v) for v in c.values.tolist())}


def parse_typed(parse: Callable[[dict[int, pa.DataType]], pa.Table], numbers: set[int], width: int,
                text_type: pa.DataType, plain: frozenset[int] = frozenset()) -> tuple[pa.Table, set[int]]:
    """``parse`` (pyarrow's read of a batch, given each column's type) with ``numbers`` as
    ``int8``, ``plain`` as ``string`` and the other columns as ``text_type``; a column pyarrow
    cannot read as ``int8`` is
    read as text (after two such failures in one batch, all of them are). Returns the table
    and the columns read as numbers (``numbers`` loses the ones that failed)."""
    failures = 0
    while True:
        types = {j: (pa.int8() if j in numbers else pa.string() if j in plain else text_type) for j in range(width)}
        try:
            return parse(types), set(numbers)
        except pa.ArrowInvalid as exc:
            m = _CONVERSION.match(str(exc))
            if not numbers or m is None or int(m.group(1)) not in numbers:
                raise
            failures += 1
            if failures >= 2:
                numbers.clear()
            else:
                numbers.discard(int(m.group(1)))


def number_column(col: pa.ChunkedArray) -> tuple[Column, int]:
    """An ``int8`` column as the :class:`~._columns.NumberColumn` of its cells' text (each number
    written plainly, ``""`` where empty) and the bytes those texts take in all."""
    made = NumberColumn(col)
    return made, made.size()


def text_sizes(dictionary: pa.Array, index: np.ndarray, delim: str) -> tuple[int, int, int]:
    """For a text column (its dictionary and each row's index): the bytes of its cells in all,
    the quotes they hold, and how many start with the delimiter or a line break."""
    if not len(index):
        return 0, 0, 0
    counts = np.bincount(index, minlength=len(dictionary))
    size = int(np.dot(counts, to_numpy(pc.binary_length(dictionary))))
    quotes = int(np.dot(counts, to_numpy(pc.count_substring(dictionary, '"'))))
    first = pc.utf8_slice_codeunits(dictionary, 0, 1)
    edge = to_numpy(pc.is_in(first, value_set=strings([delim, "\r", "\n"])))
    return size, quotes, int(counts[edge].sum())


def read_ahead(make: Callable[[], Iterator[T]]) -> Iterator[T]:
    """The items of ``make()``, produced by a thread of their own one item ahead of the
    consumer: pyarrow's parse and numpy's passes over the next block (which release the GIL)
    run while the caller codes the current one. An exception of the producer is raised to the
    consumer where the producer raised it (after the items before it); a consumer that stops
    early stops the producer (at its next item)."""
    box: queue.Queue[tuple[str, object]] = queue.Queue(maxsize=1)
    stop = threading.Event()

    def put(item: tuple[str, object]) -> bool:
        while not stop.is_set():
            try:
                box.put(item, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in make():
                if not put(("item", item)):
                    return
            end: tuple[str, object] = ("end", None)
        except BaseException as exc:  # handed to the consumer, raised there
            end = ("error", exc)
        put(end)

    worker = threading.Thread(target=produce, name="akhlak-levels-read-ahead", daemon=True)
    worker.start()
    try:
        while True:
            kind, got = box.get()
            if kind == "error":
                assert isinstance(got, BaseException)
                raise got
            if kind == "end":
                return
            yield got  # type: ignore[misc]
    finally:
        stop.set()
        worker.join()
