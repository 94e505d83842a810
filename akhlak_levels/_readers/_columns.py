"""Columns as pyarrow parsed them, their Python texts made only when asked for.

A :class:`~._table.Column` holds a column's distinct cells as Python objects and an index per row.
Made for every column of a million-row file, those objects cost more than the parse: a
million ids become a million Python strings that the reader never needs when the ids are plain
(:func:`~akhlak_levels._coding.plain_ids` reads them from pyarrow), and a column of whole numbers
needs no distinct values at all to be coded (:meth:`NumberColumn.keyed`). These columns are
:class:`~._table.Column` objects whose ``values`` and ``index`` are made on first use, exactly
as the plain column would hold them.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ._arrow import strings, texts, to_numpy
from ._table import Column, text_column


class TextColumn(Column):
    """A dictionary-encoded text column: ``arrow`` its distinct texts, ``index`` each row's; the
    object array ``values`` made from ``arrow`` on first use."""

    _values: np.ndarray | None

    def __init__(self, arrow: pa.Array, index: np.ndarray) -> None:
        object.__setattr__(self, "arrow", arrow)
        object.__setattr__(self, "index", index)
        object.__setattr__(self, "_values", None)

    @property  # type: ignore[override]
    def values(self) -> np.ndarray:
        if self._values is None:
            object.__setattr__(self, "_values", texts(self.arrow))
        return self._values  # type: ignore[return-value]

    def at(self, rows: np.ndarray | slice) -> Column:
        return TextColumn(self.arrow, self.index[rows])


class PlainTextColumn(Column):
    """A text column parsed as one text per row, without a dictionary (a column whose texts
    differ from row to row, such as ids): ``texts`` a pyarrow string array; ``values``,
    ``index`` and ``arrow`` (its distinct texts, by pyarrow's hashing) made on first use."""

    texts: pa.Array
    _made: Column | None

    def __init__(self, texts: pa.Array | pa.ChunkedArray) -> None:
        object.__setattr__(self, "texts", texts.combine_chunks() if isinstance(texts, pa.ChunkedArray) else texts)
        object.__setattr__(self, "_made", None)

    def _encoded(self) -> Column:
        if self._made is None:
            object.__setattr__(self, "_made", text_column(self.texts))
        return self._made  # type: ignore[return-value]

    @property  # type: ignore[override]
    def values(self) -> np.ndarray:
        return self._encoded().values

    @property  # type: ignore[override]
    def index(self) -> np.ndarray:
        return self._encoded().index

    @property  # type: ignore[override]
    def arrow(self) -> pa.Array:
        return self._encoded().arrow

    def __len__(self) -> int:
        return len(self.texts)

    def __getitem__(self, r: int) -> object:
        return self.texts[int(r)].as_py()

    def at(self, rows: np.ndarray | slice) -> Column:
        if isinstance(rows, slice):
            lo, hi, _ = rows.indices(len(self.texts))
            return PlainTextColumn(self.texts.slice(lo, max(hi - lo, 0)))
        return PlainTextColumn(self.texts.take(pa.array(rows, type=pa.int64())))


class NumberColumn(Column):
    """A column of whole numbers parsed as ``int8`` (``numbers``, nulls for empty cells), from
    ``low`` to ``high``. A row's text is its number written plainly (``""`` for an empty cell).

    Made on first use: :meth:`keyed` (each row's key: the number's byte, or ``blank`` for an
    empty cell, a byte no number of the column has), and ``values``/``index`` (the distinct
    texts in key order, and each row's), exactly as a column of those texts would hold them."""

    numbers: pa.Array | pa.ChunkedArray
    low: int
    high: int
    _keys: np.ndarray | None
    _made: tuple[np.ndarray, np.ndarray] | None

    def __init__(self, numbers: pa.Array | pa.ChunkedArray) -> None:
        span = pc.min_max(numbers).as_py() if len(numbers) else {"min": None}
        low, high = (0, -1) if span["min"] is None else (span["min"], span["max"])
        object.__setattr__(self, "numbers", numbers)
        object.__setattr__(self, "low", low)
        object.__setattr__(self, "high", high)
        object.__setattr__(self, "_keys", None)
        object.__setattr__(self, "_made", None)

    @property  # type: ignore[override]
    def arrow(self) -> None:
        return None

    @property
    def blank(self) -> int | None:
        """The key of an empty cell (0 when the numbers leave it free), or None without one."""
        if not self.numbers.null_count:
            return None
        free = [k for k in (0, self.high + 1, self.low - 1) if -128 <= k <= 127 and not self.low <= k <= self.high]
        return free[0] & 0xFF if free else 256  # no byte free: keys of two bytes

    @property
    def keys(self) -> np.ndarray:
        """Each row's key (uint8, or uint16 when :attr:`blank` is 256)."""
        if self._keys is None:
            arr = self.numbers.combine_chunks() if isinstance(self.numbers, pa.ChunkedArray) else self.numbers
            blank = self.blank
            if blank is None or not len(arr):
                keys = _bytes(arr) if len(arr) else np.empty(0, dtype=np.uint8)
            elif blank == 256:
                keys = np.where(to_numpy(arr.is_valid()), _bytes(arr).astype(np.uint16), np.uint16(256))
            else:
                keys = _bytes(pc.fill_null(arr, pa.scalar(blank - 256 if blank > 127 else blank, pa.int8())))
            object.__setattr__(self, "_keys", keys)
        return self._keys  # type: ignore[return-value]

    def __len__(self) -> int:
        return len(self.numbers)

    def __getitem__(self, r: int) -> object:
        return self.text(int(self.keys[r]))

    def text(self, key: int) -> str:
        """The text of the cells of ``key``."""
        return "" if key == self.blank else str(key - 256 if key > 127 else key)

    def keyed_texts(self) -> dict[int, str]:
        """The keys the rows may hold, with their texts: every number from ``low`` to ``high``,
        and :attr:`blank` (a superset of the keys present)."""
        blank = self.blank
        keys = [v & 0xFF for v in range(self.low, self.high + 1)] + ([blank] if blank is not None else [])
        return {k: self.text(k) for k in keys}

    def shifted(self, by: int, blank: int, out: np.ndarray) -> np.ndarray:
        """Write each row's number plus ``by`` (``blank`` for an empty cell) into ``out`` (int8),
        from pyarrow's buffers (a number times its validity, plus ``by``): no key is made."""
        arr = self.numbers.combine_chunks() if isinstance(self.numbers, pa.ChunkedArray) else self.numbers
        if not len(arr):
            return out
        x = _bytes(arr).view(np.int8)
        if not arr.null_count:
            return np.add(x, np.int8(by), out=out, casting="unsafe")
        bits = np.frombuffer(arr.buffers()[0], dtype=np.uint8)
        valid = np.unpackbits(bits, bitorder="little", count=arr.offset + len(arr))[arr.offset:].view(np.int8)
        np.multiply(x, valid, out=out)
        np.add(out, np.int8(by), out=out, casting="unsafe")
        if blank != by:
            np.copyto(out, np.int8(blank), where=valid == 0)
        return out

    def size(self) -> int:
        """The bytes of the rows' texts in all."""
        if 0 <= self.low and self.high <= 9:  # one digit each, none for an empty cell
            return len(self.numbers) - self.numbers.null_count
        counts = np.bincount(self.keys, minlength=257)
        present = np.flatnonzero(counts)
        return int(np.dot(counts[present], [len(self.text(int(k))) for k in present.tolist()]))

    def _compact(self) -> tuple[np.ndarray, np.ndarray]:
        if self._made is None:
            counts = np.bincount(self.keys, minlength=257)
            present = np.flatnonzero(counts)
            position = np.zeros(len(counts), dtype=np.int32)
            position[present] = np.arange(len(present), dtype=np.int32)
            values = np.empty(len(present), dtype=object)
            values[:] = [self.text(k) for k in present.tolist()]
            object.__setattr__(self, "_made", (values, position[self.keys]))
        return self._made  # type: ignore[return-value]

    @property  # type: ignore[override]
    def values(self) -> np.ndarray:
        return self._compact()[0]

    @property  # type: ignore[override]
    def index(self) -> np.ndarray:
        return self._compact()[1]

    def at(self, rows: np.ndarray | slice) -> Column:
        if isinstance(rows, slice):
            lo, hi, _ = rows.indices(len(self.numbers))
            return NumberColumn(self.numbers.slice(lo, max(hi - lo, 0)))
        return NumberColumn(self.numbers.take(pa.array(rows, type=pa.int64())))


def blank_rows(col: Column) -> np.ndarray:
    """For each row of ``col``: is its cell empty or white space only (as ``str.strip`` sees it)?"""
    if isinstance(col, NumberColumn):
        return col.keys == col.blank if col.blank is not None else np.zeros(len(col), dtype=bool)
    if isinstance(col, PlainTextColumn):  # a text starting with a visible ASCII byte is not blank
        texts, n = col.texts, len(col.texts)
        if not n or texts.null_count or texts.type != pa.string():
            return blank_values(texts)
        offsets = np.frombuffer(texts.buffers()[1], dtype=np.int32, count=texts.offset + n + 1)[texts.offset:]
        data = np.frombuffer(texts.buffers()[2], dtype=np.uint8) if texts.buffers()[2] is not None else np.zeros(0, np.uint8)
        data = data if len(data) else np.zeros(1, dtype=np.uint8)  # all empty: judged one by one below
        starts = offsets[:-1]
        first = data[np.minimum(starts, len(data) - 1)]
        judge = np.flatnonzero((offsets[1:] == starts) | (first < 0x21) | (first > 0x7E))
        blank = np.zeros(n, dtype=bool)
        if len(judge):
            blank[judge] = blank_values(texts.take(pa.array(judge, type=pa.int64())))
        return blank
    if isinstance(col, TextColumn):
        return blank_values(col.arrow)[col.index]
    values = col.values
    return blank_values(col.arrow if col.arrow is not None and len(col.arrow) == len(values) else values)[col.index]


def blank_values(values: pa.Array | np.ndarray) -> np.ndarray:
    """For each text of ``values`` (pyarrow strings or an object array of Python strings): is it
    empty or white space only (as ``str.strip`` sees it)? A text holding a visible ASCII character
    is not; any other is judged by ``str.strip``, one by one."""
    arr = values if isinstance(values, (pa.Array, pa.ChunkedArray)) else strings(values.tolist())
    visible = to_numpy(pc.match_substring_regex(arr, "[!-~]"))
    blank = np.zeros(len(arr), dtype=bool)
    for u in np.flatnonzero(~visible).tolist():
        v = values[u] if isinstance(values, np.ndarray) else arr[u].as_py()
        blank[u] = not v.strip()
    return blank


def _bytes(arr: Any) -> np.ndarray:
    """The bytes of an ``int8`` array's values (a view)."""
    return np.frombuffer(arr.buffers()[1], dtype=np.uint8, count=arr.offset + len(arr))[arr.offset:]
