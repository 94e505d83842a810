"""Column codecs of the store: an assessment's arrays to SQL rows and back, a chunk at a time.

Every conversion between numpy arrays and SQLite rows goes through here, ``_CHUNK`` rows at a
time, so that memory beyond the assessment is bounded by the chunk and no Python code runs per
cell: :class:`WaveRows` checks an assessment, orders (and pseudonymises) its ids and writes its
rows; :func:`read_wave` reads a wave's rows back into an :class:`~akhlak_levels.Assessment`.
"""

from __future__ import annotations

import hmac
import itertools
import sqlite3
from typing import Any, Callable, Iterator, Sequence

import numpy as np

from ..assessment import Assessment
from ..errors import StoreError
from ..flags import Flags
from ..levels import N_LEVELS
from ._layout import FIXED_COLUMNS, LEVEL_COLUMNS, PSEUDONYM_HEX, quote

#: Rows converted to Python objects and handed to ``executemany`` (or fetched) at a time: bounds memory.
_CHUNK = 1 << 14

#: The numpy kind of each fixed column read back (after ``seq`` and ``respondent_id``).
_FIXED_KINDS = ["U", "D"] + ["i"] + ["f"] * (len(LEVEL_COLUMNS) - 1) + ["f", "U", "i", "U"]


def check_assessment(a: Assessment, name: str) -> None:
    """Refuse, before any write, an assessment whose parts disagree."""
    n = len(a.respondent_ids)
    where = f"Cannot add wave {name!r}:"
    shapes: list[tuple[str, Any, tuple[int, ...]]] = [
        ("scale_scores", a.scale_scores, (n, len(a.scale_ids))),
        ("n_answered", a.n_answered, (n,)),
        ("flags", a.flags.values, (n, len(a.flags.names))),
    ]
    level_parts = {
        "probabilities": (a.probabilities, (n, N_LEVELS)),
        "level": (a.level, (n,)),
        "expected_level": (a.expected_level, (n,)),
        "expected_level_sd": (a.expected_level_sd, (n,)),
        "confidence": (a.confidence, (n,)),
        "entropy": (a.entropy, (n,)),
    }
    present = [k for k, (v, _) in level_parts.items() if v is not None]
    if present and len(present) != len(level_parts):
        raise StoreError(f"{where} the level results must all be present or all None; present: {present}.")
    shapes += [(k, v, s) for k, (v, s) in level_parts.items() if v is not None]
    if (a.index is None) != (a.index_category is None):
        raise StoreError(f"{where} 'index' and 'index_category' must both be present or both None.")
    for k in ("index", "index_category", "unit", "date"):
        if getattr(a, k) is not None:
            shapes.append((k, getattr(a, k), (n,)))
    shapes += [(f"groups[{g!r}]", v, (n,)) for g, v in a.groups.items()]
    for label, arr, shape in shapes:
        got = np.shape(arr)
        if got != shape:
            raise StoreError(f"{where} {label} has shape {got}; expected {shape} for {n} respondents.")
    for kind, names in (("scale id", a.scale_ids), ("group name", tuple(a.groups))):
        folded = [s.lower() for s in names]
        if len(set(folded)) != len(folded) or any(not s for s in names):
            raise StoreError(f"{where} {kind}s must be non-empty and distinct ignoring case (SQL columns); got {list(names)}.")
    bad_flags = [f for f in a.flags.names if ";" in f]
    if bad_flags:
        raise StoreError(f"{where} flag names must not contain ';' (the stored separator); got {bad_flags}.")
    empty = np.asarray(a.respondent_ids, dtype=str) == ""
    if empty.any():
        raise StoreError(f"{where} respondent ids must be non-empty; row {int(np.flatnonzero(empty)[0])} has none.")
    if a.wave is not None:
        col = np.asarray(a.wave, dtype=str)
        others = np.unique(col[(col != name) & (col != "")]).tolist()
        if others:
            raise StoreError(
                f"{where} the assessment's own wave column holds {others[:5]}{' ...' if len(others) > 5 else ''}, "
                f"not {name!r}. Store each wave on its own, e.g. store.add(a.take(a.wave == w), wave=w), or drop the "
                "column with dataclasses.replace(a, wave=None)."
            )


def result_columns(scale_ids: Sequence[str], group_names: Sequence[str]) -> tuple[list[str], list[str]]:
    """The ``results`` columns of a wave's scales and of its group variables."""
    return [f"scale_{s}" for s in scale_ids], [f"group_{g}" for g in group_names]


# =========================================================================== writing


def _flag_strings(flags: Flags) -> np.ndarray:
    """Each respondent's flag names joined by ';' (``""`` for none), without a per-row loop:
    the distinct flag patterns are found on the bit-packed rows and joined once each."""
    n = len(flags)
    out = np.full(n, "", dtype=object)
    if not flags.names or not n or not flags.values.any():
        return out
    packed = np.packbits(flags.values, axis=1)
    keys = np.ascontiguousarray(packed).view(np.dtype((np.void, packed.shape[1]))).ravel()
    uniq, inverse = np.unique(keys, return_inverse=True)
    patterns = np.unpackbits(uniq.view(np.uint8).reshape(len(uniq), -1), axis=1, count=len(flags.names)).astype(bool)
    names = np.array(flags.names, dtype=object)
    texts = np.array([";".join(names[p].tolist()) for p in patterns], dtype=object)
    return texts[inverse.reshape(-1)]


def _sorted_ids(ids: np.ndarray, key: bytes | None, name: str) -> tuple[np.ndarray, Callable[[slice], list[str]]]:
    """The order that sorts the stored ids (the ids, or their keyed hashes when ``key`` is
    given), and a function turning a slice of the sorted stored ids into Python strings. Rows go
    in in this order, so that the primary-key index grows at its end instead of at random places
    (ids from a real export, and keyed hashes above all, come in no order: a million keyed hashes
    took 16.2 s unsorted, 8.7 s sorted)."""
    if key is None:
        order = np.argsort(ids, kind="stable")  # code-point order = SQLite's BINARY order of UTF-8
        same = np.zeros(max(len(ids) - 1, 0), dtype=bool)
        for i in range(0, len(ids) - 1, _CHUNK):  # neighbours in sorted order, without a sorted copy
            k = ids[order[i : i + _CHUNK + 1]]
            same[i : i + len(k) - 1] = k[1:] == k[:-1]
        to_text: Callable[[slice], list[str]] = lambda sl: ids[order[sl]].tolist()  # noqa: E731
    else:
        digest = hmac.digest
        half = PSEUDONYM_HEX // 2
        raw = b"".join(  # 16 bytes per id; Python strings only a chunk at a time
            b"".join([digest(key, s.encode("utf-8"), "sha256")[:half] for s in ids[i : i + _CHUNK].tolist()])
            for i in range(0, len(ids), _CHUNK)
        )
        words = np.frombuffer(raw, dtype=">u8").reshape(-1, 2)  # 16 bytes as two big-endian words
        order = np.lexsort((words[:, 1], words[:, 0])) if len(ids) else np.zeros(0, dtype=np.intp)
        keys = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 16)[order]
        same = (keys[1:] == keys[:-1]).all(axis=1)

        def to_text(sl: slice) -> list[str]:
            h = keys[sl].tobytes().hex()
            return [h[i : i + PSEUDONYM_HEX] for i in range(0, len(h), PSEUDONYM_HEX)]

    if same.any():
        repeated = np.unique(ids[order[1:][same]])[:5].tolist()
        raise StoreError(
            f"Cannot add wave {name!r}: respondent ids must be unique within a wave; repeated: {repeated}. "
            "Nothing was stored."
        )
    return order, to_text


def _row_chunks(
    a: Assessment, name: str, flag_text: np.ndarray, order: np.ndarray, id_text: Any
) -> Iterator[Iterator[tuple[Any, ...]]]:
    """Rows for ``executemany`` in ``order``, ``_CHUNK`` at a time, built column by column."""
    n = len(a)
    levels = a.probabilities is not None
    for start in range(0, n, _CHUNK):
        sl = slice(start, min(n, start + _CHUNK))
        idx = order[sl]
        m = len(idx)
        cols: list[Any] = [itertools.repeat(name, m), id_text(sl), idx.tolist()]
        cols.append(itertools.repeat(None, m) if a.unit is None else a.unit[idx].astype(str).tolist())
        if a.date is None:
            cols.append(itertools.repeat(None, m))
        else:
            d = a.date[idx].astype("datetime64[D]")
            text = d.astype(str).astype(object)
            text[np.isnat(d)] = None
            cols.append(text.tolist())
        if levels:
            assert a.level is not None and a.probabilities is not None
            cols.append(a.level[idx].astype(np.int64).tolist())
            for arr in (a.expected_level, a.expected_level_sd, a.confidence, a.entropy):
                cols.append(np.asarray(arr)[idx].tolist())
            p = a.probabilities[idx]
            cols.extend(p[:, k].tolist() for k in range(N_LEVELS))
        else:
            cols.extend(itertools.repeat(None, m) for _ in LEVEL_COLUMNS)
        if a.index is not None and a.index_category is not None:
            cols.append(a.index[idx].tolist())
            cols.append(a.index_category[idx].astype(str).tolist())
        else:
            cols.extend((itertools.repeat(None, m), itertools.repeat(None, m)))
        cols.append(a.n_answered[idx].astype(np.int64).tolist())
        cols.append(flag_text[idx].tolist())
        scores = a.scale_scores[idx]
        cols.extend(scores[:, j].tolist() for j in range(len(a.scale_ids)))
        cols.extend(v[idx].astype(str).tolist() for v in a.groups.values())
        yield zip(*cols)


class WaveRows:
    """The ``results`` rows of one assessment as one wave, made ready outside the write
    transaction (ids sorted, and hashed with ``key`` when given; flags joined), then written by
    :meth:`insert` inside it. The assessment is checked with :func:`check_assessment` first."""

    def __init__(self, a: Assessment, name: str, key: bytes | None) -> None:
        self.assessment = a
        self.name = name
        self.order, self.id_text = _sorted_ids(np.asarray(a.respondent_ids, dtype=str), key, name)
        self.scale_columns, self.group_columns = result_columns(a.scale_ids, tuple(a.groups))
        self.columns = ("wave", "respondent_id", "seq") + FIXED_COLUMNS + tuple(self.scale_columns) + tuple(self.group_columns)
        self.flag_text = _flag_strings(a.flags)

    def insert(self, con: sqlite3.Connection) -> None:
        """``executemany`` of the rows, ``_CHUNK`` at a time (in the caller's transaction)."""
        sql = f"INSERT INTO results ({', '.join(map(quote, self.columns))}) VALUES ({', '.join('?' * len(self.columns))})"
        try:
            for rows in _row_chunks(self.assessment, self.name, self.flag_text, self.order, self.id_text):
                con.executemany(sql, rows)
        except sqlite3.IntegrityError as exc:  # pragma: no cover - the ids were checked before
            raise StoreError(f"Cannot add wave {self.name!r}: {exc}. Nothing was stored.") from exc


# =========================================================================== reading


def parse_flags(texts: np.ndarray, names: tuple[str, ...], wave: str) -> Flags:
    """The :class:`~akhlak_levels.Flags` of stored flag texts (names joined by ';')."""
    n = len(texts)
    if not names:
        return Flags((), np.zeros((n, 0), dtype=bool))
    lookup: dict[str, int] = {}
    codes = np.fromiter((lookup.setdefault(s, len(lookup)) for s in texts.tolist()), dtype=np.intp, count=n)
    pos = {f: j for j, f in enumerate(names)}
    table = np.zeros((max(len(lookup), 1), len(names)), dtype=bool)
    for s, i in lookup.items():
        for f in s.split(";") if s else ():
            if f not in pos:  # pragma: no cover - only if the file was edited outside the library
                raise StoreError(f"Wave {wave!r} holds flag {f!r}, which its flag names {list(names)} do not list.")
            table[i, pos[f]] = True
    return Flags(names, table[codes])


def column_array(values: Sequence[Any], kind: str) -> np.ndarray:
    """A numpy column from an SQL result column (NULL: NaN for floats, NaT for dates)."""
    if kind == "f":
        return np.array(values, dtype=np.float64)
    if kind == "i":
        return np.array([0 if v is None else v for v in values] if None in values else values, dtype=np.int64)
    if kind == "D":
        return np.array(values, dtype="datetime64[D]")
    return np.array(["" if v is None else v for v in values] if None in values else values, dtype=str)


def _read_columns(con: sqlite3.Connection, path: str, name: str, info: dict[str, Any]) -> dict[str, np.ndarray]:
    """The wave's ``results`` columns by name, in the order its respondents were added."""
    scale_cols, group_cols = result_columns(info["scale_ids"], info["group_names"])
    columns = ("seq", "respondent_id") + FIXED_COLUMNS + tuple(scale_cols) + tuple(group_cols)
    kinds = ["i", "U"] + _FIXED_KINDS + ["f"] * len(scale_cols) + ["U"] * len(group_cols)
    # in primary-key order (no sort in SQL); put back in the order added through ``seq``
    cur = con.execute(f"SELECT {', '.join(map(quote, columns))} FROM results WHERE wave = ?", (name,))
    parts: list[list[np.ndarray]] = [[] for _ in columns]
    while True:
        rows = cur.fetchmany(_CHUNK)
        if not rows:
            break
        for j, col in enumerate(zip(*rows)):
            parts[j].append(column_array(col, kinds[j]))
    n = info["n"]
    cols = [np.concatenate(p) if p else column_array((), kinds[j]) for j, p in enumerate(parts)]
    if len(cols[0]) != n:  # pragma: no cover - only if the file was edited outside the library
        raise StoreError(f"The store {path!r} is inconsistent: wave {name!r} records {n} respondents but holds {len(cols[0])}.")
    back = np.argsort(cols[0], kind="stable")
    return {c: v[back] for c, v in zip(columns[1:], cols[1:])}


def read_wave(con: sqlite3.Connection, path: str, name: str, info: dict[str, Any]) -> Assessment:
    """The stored wave ``name`` (described by its ``waves`` row ``info``) as an Assessment (in
    the caller's read transaction)."""
    by = _read_columns(con, path, name, info)
    n = info["n"]
    scale_cols, group_cols = result_columns(info["scale_ids"], info["group_names"])
    levels = info["has_levels"]
    return Assessment(
        questionnaire_id=info["questionnaire_id"],
        questionnaire_version=info["questionnaire_version"],
        questionnaire_hash=info["questionnaire_hash"],
        respondent_ids=by["respondent_id"],
        probabilities=np.column_stack([by[f"p{k}"] for k in range(1, N_LEVELS + 1)]) if levels else None,
        level=by["level"].astype(np.int8) if levels else None,
        expected_level=by["expected_level"] if levels else None,
        expected_level_sd=by["expected_level_sd"] if levels else None,
        confidence=by["confidence"] if levels else None,
        entropy=by["entropy"] if levels else None,
        scale_ids=tuple(info["scale_ids"]),
        scale_scores=np.column_stack([by[c] for c in scale_cols]) if scale_cols else np.empty((n, 0)),
        index=by["index_score"] if info["has_index"] else None,
        index_category=by["index_category"] if info["has_index"] else None,
        n_answered=by["n_answered"].astype(np.int32),
        flags=parse_flags(by["flags"], tuple(info["flag_names"]), name),
        min_confidence=info["min_confidence"],
        min_answered=info["min_answered"],
        model_hash=info["model_hash"],
        model_kind=info["model_kind"],
        unit=by["unit"] if info["has_unit"] else None,
        wave=np.full(n, name),
        date=by["date"] if info["has_date"] else None,
        groups={g: by[c] for g, c in zip(info["group_names"], group_cols)},
    )
