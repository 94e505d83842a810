"""JSON lines of a table, built column by column with pyarrow: no Python call per row.

Each column becomes its JSON text at once (``"name":value``), and the columns are joined row by
row by ``binary_join_element_wise``. The lines parse to exactly the records of
:func:`~akhlak_levels._tables.records` (``Assessment.to_records``): floats in their shortest
round-trip form (written ``2.0``, never ``2``, so they read back as floats), NaN and infinities
``null``, text escaped as :func:`json.dumps` escapes it (``ensure_ascii=False``), flags a list.
A column mixing numbers and text, or a text holding a control character, is written value by
value with :func:`json.dumps` (only those values).
"""

from __future__ import annotations

import json
from typing import Any, Mapping

import numpy as np

__all__ = ["jsonl_bytes", "text_array"]

_CONTROL = r"[\x00-\x1f]"


def text_array(arr: np.ndarray) -> Any:
    """A numpy array of text (``U`` dtype) as a pyarrow string array, NUL characters kept
    (pyarrow's own conversion ends each value at its first NUL).

    Examples
    --------
    >>> text_array(np.array(["a\\x00b", "c"])).to_pylist()
    ['a\\x00b', 'c']
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    out = pa.array(arr, type=pa.string())
    if len(arr) and not np.array_equal(pc.utf8_length(out).to_numpy(), np.char.str_len(arr)):
        out = pa.array(arr.tolist(), type=pa.string())  # a NUL inside some value
    return out


def _text_json(arr: Any) -> Any:
    """A pyarrow string array as JSON strings (null stays null)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    escaped = pc.replace_substring(pc.replace_substring(arr, "\\", "\\\\"), '"', '\\"')
    quoted = pc.binary_join_element_wise('"', escaped, '"', "")
    control = pc.fill_null(pc.match_substring_regex(arr, _CONTROL), False)
    if pc.any(control).as_py():  # json.dumps for those values only: \n, \t, \u0001, ...
        idx = np.flatnonzero(control.to_numpy(zero_copy_only=False))
        texts = np.array(quoted.to_pylist(), dtype=object)
        texts[idx] = [json.dumps(v, ensure_ascii=False) for v in arr.take(pa.array(idx)).to_pylist()]
        quoted = pa.array(texts, type=pa.string())
    return quoted


def _float_json(values: np.ndarray) -> Any:
    """Floats as JSON numbers: shortest round trip, ``.0`` after an integral value, NaN null."""
    import pyarrow as pa
    import pyarrow.compute as pc

    text = pc.cast(pa.array(np.where(np.isfinite(values), values, np.nan), from_pandas=True), pa.string())
    integral = pc.match_substring_regex(text, r"^-?[0-9]+$")
    return pc.if_else(integral, pc.binary_join_element_wise(text, ".0", ""), text)


def _column_json(values: Any) -> Any:
    """One column's JSON texts (null where the value is null), or None to write it value by value."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if isinstance(values, list):  # lists of text (flags)
        return None
    arr = np.asarray(values)
    if arr.dtype.kind == "f":
        return _float_json(arr.astype(float))
    if arr.dtype.kind == "b":
        return pc.if_else(pa.array(arr), "true", "false")
    if arr.dtype.kind in "iu":
        return pc.cast(pa.array(arr), pa.string())
    if arr.dtype.kind == "U":
        return _text_json(text_array(arr))
    try:  # object: text and None
        return _text_json(pa.array(arr, type=pa.string(), from_pandas=True))
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # numbers and text mixed
        return None


def _list_json(values: list[Any]) -> Any:
    """A column of lists of text (flags): ``[]`` or ``["a","b"]``, each name escaped."""
    import pyarrow as pa
    import pyarrow.compute as pc

    joined = pa.array([";".join(v) for v in values] if values and not isinstance(values[0], str) else values, type=pa.string())
    inner = _text_json(joined)  # '"a;b"' -> '"a","b"'
    inner = pc.replace_substring(inner, ";", '","')
    empty = pc.equal(joined, "")
    return pc.if_else(empty, "[]", pc.binary_join_element_wise("[", inner, "]", ""))


def jsonl_bytes(columns: Mapping[str, Any], list_columns: tuple[str, ...] = ("flags",)) -> bytes:
    """The rows of ``columns`` (equally long) as UTF-8 JSON lines, one object per row.

    ``list_columns`` hold ``;``-joined names (or lists of names), written as JSON lists.

    Examples
    --------
    >>> import numpy as np
    >>> cols = {"id": np.array(['a"1', "b"]), "p": np.array([0.5, np.nan]), "n": np.array([2, 3]),
    ...         "flags": np.array(["x;y", ""], dtype=object)}
    >>> print(jsonl_bytes(cols).decode(), end="")
    {"id":"a\\"1","p":0.5,"n":2,"flags":["x","y"]}
    {"id":"b","p":null,"n":3,"flags":[]}
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    pieces: list[Any] = []
    for j, (name, values) in enumerate(columns.items()):
        key = ("{" if j == 0 else ",") + json.dumps(str(name), ensure_ascii=False) + ":"
        if name in list_columns:
            text = _list_json(list(values) if not isinstance(values, np.ndarray) else values.tolist())
        else:
            text = _column_json(values)
        if text is None:  # value by value
            vals = values.tolist() if isinstance(values, np.ndarray) else list(values)
            text = pa.array([json.dumps(_plain(v), ensure_ascii=False, allow_nan=False) for v in vals], type=pa.string())
        pieces += [key, pc.fill_null(text, "null")]
    if not pieces:
        return b""
    return _concat(pc.binary_join_element_wise(*pieces, "}\n", ""))  # one join: keys and values in turn


def _concat(lines: Any) -> bytes:
    """The bytes of a string array's values, back to back (its data buffer, sliced)."""
    import pyarrow as pa

    arr = lines if isinstance(lines, pa.Array) else lines.combine_chunks()
    offsets = np.frombuffer(arr.buffers()[1], dtype=np.int32)[arr.offset: arr.offset + len(arr) + 1]
    return bytes(memoryview(arr.buffers()[2])[offsets[0]: offsets[-1]])


def _plain(v: Any) -> Any:
    """A value as json.dumps takes it: numpy scalars as Python values, NaN and infinities None."""
    if isinstance(v, (float, np.floating)):
        f = float(v)
        return f if np.isfinite(f) else None
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, np.bool_):
        return bool(v)
    return v
