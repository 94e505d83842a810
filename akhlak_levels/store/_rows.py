"""Schema version 1 of the store, one SQL row per respondent and wave: read it back; and the
checks of an assessment before any write (of either layout).

:func:`check_assessment` refuses an assessment whose parts disagree before anything is written;
:func:`read_wave` reads a version-1 wave's rows back into an :class:`~akhlak_levels.Assessment`,
``_CHUNK`` rows at a time (sqlite3 makes a Python object per cell: about 15 s per million
respondents, which is why version 2 stores columns, see ``_columns``). Version 1 is read, never
written: :meth:`AssessmentStore.upgrade` rewrites such a file as version 2.
"""

from __future__ import annotations

import sqlite3
from typing import Any, Sequence

import numpy as np

from ..assessment import Assessment
from ..errors import StoreError
from ..flags import Flags
from ..levels import N_LEVELS
from ._layout import FIXED_COLUMNS, LEVEL_COLUMNS, quote

#: Rows fetched at a time: bounds memory.
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
    scale_parts = {"scale_n_items": a.scale_n_items, "scale_steps": a.scale_steps, "scale_answered": a.scale_answered}
    held = [k for k, v in scale_parts.items() if v is not None]
    if held and len(held) != len(scale_parts):
        raise StoreError(f"{where} the per-scale counts must all be present or all None; present: {held}.")
    if held:
        S = len(a.scale_ids)
        shapes += [("scale_n_items", a.scale_n_items, (S,)), ("scale_steps", a.scale_steps, (S,)),
                   ("scale_answered", a.scale_answered, (n, S))]
    for label, arr, shape in shapes:
        got = np.shape(arr)
        if got != shape:
            raise StoreError(f"{where} {label} has shape {got}; expected {shape} for {n} respondents.")
    if held:
        ans = np.asarray(a.scale_answered)
        if ans.dtype.kind not in "ui" or bool((ans < 0).any()) or bool((ans > np.asarray(a.scale_n_items)).any()):
            raise StoreError(
                f"{where} scale_answered must hold integers from 0 to each scale's number of items "
                f"({np.asarray(a.scale_n_items).tolist()})."
            )
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
