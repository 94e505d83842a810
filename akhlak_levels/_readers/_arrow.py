"""pyarrow arrays to numpy and back without the pandas shim.

pyarrow imports pandas (0.2-0.3 s) the first time ``pa.array`` or ``Array.to_numpy`` is called in
a process, to check for pandas types. A first read of a small file paid that import several
times its own cost; these build the same arrays from the arrays' buffers instead. Each falls back
to pyarrow's own conversion for what it does not handle (nulls, other types).
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

_NUMPY = {pa.int8(): np.int8, pa.int16(): np.int16, pa.int32(): np.int32, pa.int64(): np.int64,
          pa.uint8(): np.uint8, pa.uint32(): np.uint32, pa.float64(): np.float64}


def to_numpy(arr: Any) -> np.ndarray:
    """A pyarrow array (or chunked array) of numbers or booleans without nulls as numpy (a view
    of its buffer where one chunk of numbers), as ``to_numpy(zero_copy_only=False)`` gives it."""
    if isinstance(arr, pa.ChunkedArray):
        parts = [to_numpy(c) for c in arr.chunks]
        return parts[0] if len(parts) == 1 else np.concatenate(parts) if parts else arr.to_numpy()
    if arr.null_count:
        return arr.to_numpy(zero_copy_only=False)
    if arr.type == pa.bool_():
        bits = np.frombuffer(arr.buffers()[1], dtype=np.uint8)
        return np.unpackbits(bits, bitorder="little", count=arr.offset + len(arr))[arr.offset:].astype(bool)
    dtype = _NUMPY.get(arr.type)
    if dtype is None:
        return arr.to_numpy(zero_copy_only=False)
    return np.frombuffer(arr.buffers()[1], dtype=dtype, count=arr.offset + len(arr))[arr.offset:]


def texts(arr: Any) -> np.ndarray:
    """A pyarrow string array as an object array of Python strings (None for a null)."""
    out = np.empty(len(arr), dtype=object)
    out[:] = arr.to_pylist()
    return out


def strings(values: Sequence[Any]) -> Any:
    """A pyarrow string array of Python strings (``pa.array(values, pa.string())``)."""
    if not all(type(v) is str for v in values):
        return pa.array(values, type=pa.string())
    encoded = [v.encode("utf-8") for v in values]
    offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
    np.cumsum([len(e) for e in encoded], out=offsets[1:])
    if offsets[-1] >= 2**31:
        return pa.array(values, type=pa.string())
    return pa.StringArray.from_buffers(len(encoded), pa.py_buffer(offsets.astype(np.int32).tobytes()),
                                       pa.py_buffer(b"".join(encoded)))


def padded_ascii(texts: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """ASCII texts as a numpy text array of the longest one's width, and as bytes padded with NUL
    to a multiple of 8 (one row a text), built from the padded buffer (no Python call a text)."""
    width = max(int(pc.max(pc.binary_length(texts)).as_py() or 0), 1)
    padded = pc.utf8_rpad(texts, width=-(-width // 8) * 8, padding="\0")
    offsets = np.frombuffer(padded.buffers()[1], dtype=np.int64 if pa.types.is_large_string(padded.type) else np.int32)
    size = -(-width // 8) * 8
    matrix = np.frombuffer(padded.buffers()[2], dtype=np.uint8, count=len(padded) * size,
                           offset=int(offsets[padded.offset])).reshape(len(padded), size)
    return matrix[:, :width].astype(np.uint32).view(f"<U{width}").reshape(-1), matrix


def distinct_rows(matrix: np.ndarray) -> bool:
    """True when no two rows of a (n, 8k) uint8 matrix can be the same: a 64-bit polynomial hash of
    each row (the row itself for k = 1), sorted, has no two equal. Equal hashes (a repeat, or rarely
    two rows that clash) give False."""
    words = np.ascontiguousarray(matrix).view(np.uint64)
    h = words[:, 0].copy()
    for k in range(1, words.shape[1]):
        h = h * np.uint64(0x100000001B3) + words[:, k]  # wraps modulo 2**64
    h.sort()
    return not bool((h[1:] == h[:-1]).any())
