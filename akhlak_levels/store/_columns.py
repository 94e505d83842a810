"""The columnar layout of the store (schema version 2): a wave's arrays as raw bytes, a chunk at a time.

Each wave is cut into chunks of :data:`CHUNK_ROWS` respondents, in the order they were added.
Each array of a chunk (a *part*: ``respondent_id``, ``probabilities``, ``scale_scores``,
``group:<name>`` ...) is one row of ``wave_columns``: its numpy dtype as text, its number of rows
and its width (columns of a 2-D array), and a BLOB of the array's raw little-endian bytes. No
pickle, no Python object per cell: writing is ``tobytes`` and reading ``frombuffer`` into arrays
allocated once. Every BLOB is checked on the way back (dtype from an allow-list and the one its
part must have, width, ``len(data) == rows * width * itemsize``, the same rows in every part of a
chunk, text made of valid characters), so a damaged or crafted file gives :class:`StoreError`.

Text (ids, unit, index category, group values) is stored at fixed width per chunk, the longest
value's: as ASCII bytes (``|S<w>``) when every character is ASCII, else as UTF-32 (``<U<w>``).

Erasure reads the ``respondent_id`` parts of every wave, and rewrites each chunk that holds the
person without their row, all parts at once (inside the caller's transaction).

Vote waves (``_votes``) are kept the same way in their own table, ``vote_columns``: every
function here that reads or writes chunks takes the table (:data:`WAVE_TABLES`).
"""

from __future__ import annotations

import hmac
import re
import sqlite3
from typing import Any, Callable, Iterator

import numpy as np

from ..assessment import Assessment
from ..errors import StoreError
from ..flags import Flags
from ..levels import N_LEVELS
from ._layout import PSEUDONYM_HEX

#: Respondents per chunk: each part of a wave is one BLOB per this many rows (the last chunk holds
#: the rest). 65,536 rows of five probabilities are 2.5 MB; memory beyond the arrays themselves is
#: bounded by one chunk on both writing and reading.
CHUNK_ROWS = 1 << 16

#: The numeric dtypes a part may have, by part kind (text parts are ``|S<w>`` or ``<U<w>``).
NUMERIC = {"f8": "<f8", "i1": "|i1", "i2": "<i2", "i4": "<i4", "b1": "|b1", "M8": "<M8[D]", "u1": "|u1", "u2": "<u2", "u4": "<u4"}

#: Parts that are 2-D (respondents x width) whatever their width.
MATRIX_PARTS = ("probabilities", "scale_scores", "flags", "picks", "scale_answered")

#: The chunk table of each kind of wave and the table of its ``waves`` rows.
WAVE_TABLES = {"wave_columns": "waves", "vote_columns": "vote_waves"}
_TEXT = re.compile(r"(\|S|<U)([1-9][0-9]{0,5})")

_INSERT = "INSERT INTO {} (wave, chunk, part, dtype, n_rows, width, data) VALUES (?, ?, ?, ?, ?, ?, ?)"


def part_kinds(info: dict[str, Any]) -> dict[str, tuple[str, int]]:
    """The parts every chunk of a wave holds: ``{part: (kind, width)}``, from its ``waves`` row.
    Kind is a key of :data:`NUMERIC`, or ``"text"``."""
    kinds: dict[str, tuple[str, int]] = {"respondent_id": ("text", 1)}
    if info["has_unit"]:
        kinds["unit"] = ("text", 1)
    if info["has_date"]:
        kinds["date"] = ("M8", 1)
    if info["has_levels"]:
        kinds["level"] = ("i1", 1)
        for k in ("expected_level", "expected_level_sd", "confidence", "entropy"):
            kinds[k] = ("f8", 1)
        kinds["probabilities"] = ("f8", N_LEVELS)
    kinds["scale_scores"] = ("f8", len(info["scale_ids"]))
    if info["has_index"]:
        kinds["index"] = ("f8", 1)
        kinds["index_category"] = ("text", 1)
    kinds["n_answered"] = ("i4", 1)
    if info.get("scale_n_items") is not None:  # saved since issue 10: items of each scale answered
        kinds["scale_answered"] = (answered_kind(info["scale_n_items"]), len(info["scale_ids"]))
    kinds["flags"] = ("b1", len(info["flag_names"]))
    for g in info["group_names"]:
        kinds[f"group:{g}"] = ("text", 1)
    return kinds


def answered_kind(scale_n_items: list[int]) -> str:
    """The part kind of ``scale_answered``: the smallest unsigned integer holding every scale's
    item count, as :func:`akhlak_levels.assess` makes it (uint8 up to 255 items)."""
    top = max(scale_n_items, default=0)
    return "u1" if top < 1 << 8 else "u2" if top < 1 << 16 else "u4"


# =========================================================================== ids


def stored_ids(ids: np.ndarray, key: bytes | None, name: str) -> np.ndarray:
    """The ids as stored (themselves, or their keyed hashes in hex as ``S32`` when ``key`` is
    given), in the order given; repeated ids are refused. No Python code per id but one HMAC
    when hashing."""
    if key is None:
        order = np.argsort(ids, kind="stable")
        same = np.zeros(max(len(ids) - 1, 0), dtype=bool)
        for i in range(0, len(ids) - 1, CHUNK_ROWS):  # neighbours in sorted order, without a sorted copy
            k = ids[order[i : i + CHUNK_ROWS + 1]]
            same[i : i + len(k) - 1] = k[1:] == k[:-1]
        out = ids
    else:
        digest = hmac.digest
        half = PSEUDONYM_HEX // 2
        raw = b"".join(  # 16 bytes per id; Python strings only a chunk at a time
            b"".join([digest(key, s.encode("utf-8"), "sha256")[:half] for s in ids[i : i + CHUNK_ROWS].tolist()])
            for i in range(0, len(ids), CHUNK_ROWS)
        )
        words = np.frombuffer(raw, dtype=">u8").reshape(-1, 2)  # 16 bytes as two big-endian words
        order = np.lexsort((words[:, 1], words[:, 0])) if len(ids) else np.zeros(0, dtype=np.intp)
        w = words[order]
        same = (w[1:] == w[:-1]).all(axis=1)
        out = np.frombuffer(raw.hex().encode("ascii"), dtype=f"S{PSEUDONYM_HEX}")  # ASCII: stored as it is
    if same.any():
        repeated = np.unique(ids[order[1:][same]])[:5].tolist()
        raise StoreError(
            f"Cannot add wave {name!r}: respondent ids must be unique within a wave; repeated: {repeated}. "
            "Nothing was stored."
        )
    return out


# =========================================================================== encoding


def as_text(values: Any) -> np.ndarray:
    """``values`` as a ``<U`` array: itself when it is one (``astype(str)`` would copy it through
    numpy's per-element string cast, about 0.3 s per million values), else ``astype(str)``."""
    a = np.asarray(values)
    return a if a.dtype.kind == "U" else a.astype(str)


def encode(kind: str, arr: np.ndarray) -> tuple[str, int, int, bytes]:
    """``(dtype, rows, width, data)`` of one part of one chunk (text may come as ``U`` or, when
    ASCII, as ``S``)."""
    if kind != "text":
        a = np.ascontiguousarray(arr, dtype=NUMERIC[kind])
        return NUMERIC[kind], len(a), (a.shape[1] if a.ndim == 2 else 1), a.tobytes()
    a = np.asarray(arr)
    if a.dtype.kind not in "US":
        a = a.astype(str)
    size = 4 if a.dtype.kind == "U" else 1  # bytes (S: ASCII pseudonyms) or UTF-32 code points
    n, length = len(a), max(a.dtype.itemsize // size, 1)
    codes = np.ascontiguousarray(a, dtype=f"{'<U' if size == 4 else '|S'}{length}").view(f"<u{size}").reshape(n, length)
    used = np.flatnonzero((codes != 0).any(axis=0)) if n else np.zeros(0, dtype=np.intp)
    w = int(used[-1]) + 1 if len(used) else 1  # the longest value's length
    codes = codes[:, :w]
    if not n or int(codes.max()) < 128:
        return f"|S{w}", n, 1, codes.astype(np.uint8).tobytes()
    return f"<U{w}", n, 1, codes.astype("<u4").tobytes()


def _damaged(path: str, name: str, chunk: int, part: str, what: str) -> StoreError:
    return StoreError(
        f"The store {path!r} is damaged: wave {name!r}, chunk {chunk}, part {part!r} {what}. It was not written "
        "by akhlak_levels, or was changed outside it; restore the file from a backup."
    )


def decode(row: tuple[Any, ...], kind: str, width: int, where: tuple[str, str], codes: bool = False) -> np.ndarray:
    """The array of one stored part ``row`` = ``(chunk, part, dtype, rows, width, data)``,
    checked against the ``kind`` and ``width`` its part must have; ``where`` = (path, wave).
    With ``codes``, text comes as its (rows, w) matrix of character codes (uint8 or uint32)."""
    chunk, part, dtype, rows, stored_width, data = row
    if not isinstance(data, bytes) or not isinstance(rows, int) or rows < 0 or stored_width != width:
        raise _damaged(*where, chunk, part, f"has rows {rows!r} and width {stored_width!r} (expected width {width})")
    if kind == "text":
        m = _TEXT.fullmatch(dtype) if isinstance(dtype, str) else None
        if m is None:
            raise _damaged(*where, chunk, part, f"has dtype {dtype!r}, not text (|S<w> or <U<w>)")
        w, wide = int(m.group(2)), m.group(1) == "<U"
        if len(data) != rows * w * (4 if wide else 1):
            raise _damaged(*where, chunk, part, f"holds {len(data)} bytes, not {rows} x {w} characters")
        matrix = np.frombuffer(data, dtype="<u4" if wide else np.uint8).reshape(rows, w)
        if rows and int(matrix.max()) >= (0x110000 if wide else 128):
            raise _damaged(*where, chunk, part, "holds bytes that are not characters")
        return matrix if codes else np.ascontiguousarray(matrix, dtype="<u4").view(f"<U{w}").reshape(rows)
    if dtype != NUMERIC[kind]:
        raise _damaged(*where, chunk, part, f"has dtype {dtype!r}; expected {NUMERIC[kind]!r}")
    dt = np.dtype(dtype)
    if len(data) != rows * width * dt.itemsize:
        raise _damaged(*where, chunk, part, f"holds {len(data)} bytes, not {rows} x {width} x {dt.itemsize}")
    if kind == "b1" and data and int(np.frombuffer(data, dtype=np.uint8).max()) > 1:
        raise _damaged(*where, chunk, part, "holds booleans other than 0 and 1")
    a = np.frombuffer(data, dtype=dt)
    return a.reshape(rows, width) if width != 1 or part in MATRIX_PARTS else a


# =========================================================================== writing


def wave_arrays(a: Assessment, ids: np.ndarray) -> dict[str, np.ndarray]:
    """The parts of an assessment to store, by name, in the order added; ``ids`` as stored."""
    out: dict[str, np.ndarray] = {"respondent_id": ids}
    if a.unit is not None:
        out["unit"] = as_text(a.unit)
    if a.date is not None:
        out["date"] = np.asarray(a.date).astype("datetime64[D]")
    if a.probabilities is not None:
        out["level"] = np.asarray(a.level)
        for k in ("expected_level", "expected_level_sd", "confidence", "entropy"):
            out[k] = np.asarray(getattr(a, k))
        out["probabilities"] = a.probabilities
    out["scale_scores"] = a.scale_scores
    if a.index is not None and a.index_category is not None:
        out["index"] = a.index
        out["index_category"] = as_text(a.index_category)
    out["n_answered"] = a.n_answered
    if a.scale_answered is not None:
        out["scale_answered"] = a.scale_answered
    out["flags"] = a.flags.values
    for g, v in a.groups.items():
        out[f"group:{g}"] = as_text(v)
    return out


def _chunk_rows(
    name: str, kinds: dict[str, tuple[str, int]], arrays: dict[str, np.ndarray], n: int, first_chunk: int = 0
) -> Iterator[list[tuple[Any, ...]]]:
    """The ``wave_columns`` rows of each chunk in turn, numbered from ``first_chunk``."""
    step = CHUNK_ROWS
    for chunk, start in enumerate(range(0, n, step), first_chunk):
        sl = slice(start, min(n, start + step))
        yield [(name, chunk, part, *encode(kinds[part][0], arrays[part][sl])) for part in kinds]


def write_wave(con: sqlite3.Connection, name: str, info: dict[str, Any], a: Assessment, ids: np.ndarray) -> None:
    """Insert the chunks of ``a`` as wave ``name`` (whose ``waves`` row is ``info``), in the
    caller's transaction."""
    write_parts(con, name, part_kinds(info), wave_arrays(a, ids), len(a))


def write_parts(
    con: sqlite3.Connection, name: str, kinds: dict[str, tuple[str, int]], arrays: dict[str, np.ndarray], n: int,
    table: str = "wave_columns", first_chunk: int = 0,
) -> None:
    """Insert the ``n`` rows of ``arrays`` (parts ``kinds``) as the chunks of wave ``name`` in
    ``table``, numbered from ``first_chunk`` (a wave added batch by batch writes a chunk at a
    time: ``_append``), in the caller's transaction."""
    insert = _INSERT.format(_table(table))
    for rows in _chunk_rows(name, kinds, arrays, n, first_chunk):
        con.executemany(insert, rows)


# =========================================================================== reading


def _chunks(
    con: sqlite3.Connection, name: str, sql: str = "", args: tuple[Any, ...] = (), table: str = "wave_columns"
) -> Iterator[tuple[int, dict[str, tuple[Any, ...]]]]:
    """``(chunk, {part: row})`` of a wave in chunk order, one chunk's BLOBs in memory at a time."""
    cur = con.execute(
        f"SELECT chunk, part, dtype, n_rows, width, data FROM {_table(table)} WHERE wave = ?{sql} ORDER BY chunk, part",
        (name, *args),
    )
    current: int | None = None
    parts: dict[str, tuple[Any, ...]] = {}
    for row in cur:
        if row[0] != current and parts:
            yield current, parts  # type: ignore[misc]
            parts = {}
        current = row[0]
        parts[row[1]] = row
    if parts:
        yield current, parts  # type: ignore[misc]


def _decoded(
    parts: dict[str, tuple[Any, ...]], kinds: dict[str, tuple[str, int]], where: tuple[str, str], chunk: int, codes: bool = False
) -> dict[str, np.ndarray]:
    """Every part of one chunk, checked: the parts its wave must have, each with the same rows."""
    if set(parts) != set(kinds):
        raise _damaged(*where, chunk, "*", f"has parts {sorted(parts)}; expected {sorted(kinds)}")
    got = {p: decode(parts[p], *kinds[p], where, codes) for p in kinds}
    rows = {len(v) for v in got.values()}
    if len(rows) != 1:
        raise _damaged(*where, chunk, "*", f"has parts of different lengths {sorted(rows)}")
    return got


def _text(pieces: list[tuple[int, np.ndarray]], n: int) -> np.ndarray:
    """A ``<U<w>`` array of ``n`` values from the character-code matrices of its chunks (placed
    at their offsets), ``w`` the widest: one assignment per chunk, no string casts."""
    w = max([m.shape[1] for _, m in pieces], default=1)
    out = np.zeros((n, w), dtype="<u4")
    for at, m in pieces:
        out[at : at + len(m), : m.shape[1]] = m
    return out.view(f"<U{w}").reshape(n)


def _table(table: str) -> str:
    if table not in WAVE_TABLES:  # pragma: no cover - a programming error
        raise ValueError(f"no chunk table {table!r}")
    return table


def _label(name: str, table: str) -> str:
    """How errors name a wave: its name, or ``votes:<name>`` for a vote wave."""
    return name if table == "wave_columns" else f"votes:{name}"


def read_arrays(
    con: sqlite3.Connection, path: str, name: str, info: dict[str, Any],
    kinds: dict[str, tuple[str, int]] | None = None, table: str = "wave_columns",
) -> dict[str, np.ndarray]:
    """The wave's parts (``kinds``, by default the assessment parts of ``info``) by name, each
    allocated once and filled a chunk at a time, from ``table``."""
    kinds = part_kinds(info) if kinds is None else kinds
    n, where = info["n"], (path, _label(name, table))
    out: dict[str, Any] = {}
    for p, (kind, width) in kinds.items():
        if kind == "text":
            out[p] = []
        else:
            out[p] = np.empty((n, width) if p in MATRIX_PARTS else n, dtype=NUMERIC[kind])
    at = 0
    for chunk, parts in _chunks(con, name, table=table):
        got = _decoded(parts, kinds, where, chunk, codes=True)
        rows = len(got["respondent_id"])
        if at + rows > n:
            at += rows
            break
        for p, v in got.items():
            if isinstance(out[p], list):
                out[p].append((at, v))
            else:
                out[p][at : at + rows] = v
        at += rows
    if at != n:
        raise StoreError(f"The store {path!r} is damaged: wave {where[1]!r} records {n} respondents but holds more or fewer.")
    return {p: _text(v, n) if isinstance(v, list) else v for p, v in out.items()}


def read_wave(con: sqlite3.Connection, path: str, name: str, info: dict[str, Any]) -> Assessment:
    """The stored wave ``name`` (described by its ``waves`` row ``info``) as an Assessment (in
    the caller's read transaction)."""
    by = read_arrays(con, path, name, info)
    n = info["n"]
    levels = info["has_levels"]
    return Assessment(
        questionnaire_id=info["questionnaire_id"],
        questionnaire_version=info["questionnaire_version"],
        questionnaire_hash=info["questionnaire_hash"],
        respondent_ids=by["respondent_id"],
        probabilities=by["probabilities"] if levels else None,
        level=by["level"] if levels else None,
        expected_level=by["expected_level"] if levels else None,
        expected_level_sd=by["expected_level_sd"] if levels else None,
        confidence=by["confidence"] if levels else None,
        entropy=by["entropy"] if levels else None,
        scale_ids=tuple(info["scale_ids"]),
        scale_scores=by["scale_scores"],
        index=by["index"] if info["has_index"] else None,
        index_category=by["index_category"] if info["has_index"] else None,
        n_answered=by["n_answered"],
        flags=Flags(tuple(info["flag_names"]), by["flags"]),
        min_confidence=info["min_confidence"],
        min_answered=info["min_answered"],
        model_hash=info["model_hash"],
        model_kind=info["model_kind"],
        unit=by["unit"] if info["has_unit"] else None,
        wave=np.full(n, name),
        date=by["date"] if info["has_date"] else None,
        groups={g: by[f"group:{g}"] for g in info["group_names"]},
        **_scale_fields(info, by),
    )


def _scale_fields(info: dict[str, Any], by: dict[str, np.ndarray]) -> dict[str, Any]:
    """The Assessment's ``scale_*`` fields of a stored wave: None for one saved without them."""
    if info.get("scale_n_items") is None:
        return {}
    return {
        "scale_n_items": tuple(int(k) for k in info["scale_n_items"]),
        "scale_steps": tuple(float(h) for h in info["scale_steps"]),
        "scale_answered": by["scale_answered"],
    }


# =========================================================================== erasure


def erase_id(
    con: sqlite3.Connection, path: str, infos: list[dict[str, Any]], sid: str,
    kinds_of: Callable[[dict[str, Any]], dict[str, tuple[str, int]]] = part_kinds, table: str = "wave_columns",
) -> list[str]:
    """Remove the stored id ``sid`` and all its values from every wave (``infos``: the waves
    rows), rewriting each chunk that holds it without its row, and lower each wave's ``n``;
    the waves it was in, once per row removed (in the caller's transaction)."""
    hit: list[str] = []
    for info in infos:
        name, kinds = info["wave"], kinds_of(info)
        where = (path, _label(name, table))
        chunks = [
            (c, np.flatnonzero(decode(parts["respondent_id"], *kinds["respondent_id"], where) == sid))
            for c, parts in _chunks(con, name, " AND part = ?", ("respondent_id",), table)
        ]
        for chunk, rows in [(c, r) for c, r in chunks if len(r)]:
            parts = next(p for _, p in _chunks(con, name, " AND chunk = ?", (chunk,), table))
            kept = {p: np.delete(v, rows, axis=0) for p, v in _decoded(parts, kinds, where, chunk).items()}
            if len(kept["respondent_id"]):
                con.executemany(
                    f"UPDATE {_table(table)} SET dtype = ?, n_rows = ?, width = ?, data = ? WHERE wave = ? AND chunk = ? AND part = ?",
                    [(*encode(kinds[p][0], v), name, chunk, p) for p, v in kept.items()],
                )
            else:
                con.execute(f"DELETE FROM {_table(table)} WHERE wave = ? AND chunk = ?", (name, chunk))
            con.execute(f"UPDATE {WAVE_TABLES[table]} SET n = n - ? WHERE wave = ?", (len(rows), name))
            hit.extend([name] * len(rows))
    return hit
