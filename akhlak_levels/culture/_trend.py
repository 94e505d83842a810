"""Trends of a culture map's indices over any number of waves, per group: each wave's figure with
its interval, and the change from the previous wave and from the first, each with its interval
and whether it is beyond noise (the changes are :func:`~akhlak_levels.culture_change`'s)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Sequence

import numpy as np

from .._tables import frame, html_repr, records
from .._validation import Interval, check, param_error
from ._change import CHANGE_INDICES, ChangeTable, culture_change
from ._rank import RANK_STATISTICS, statistic_of
from ._result import ALL_ROWS, CultureMap

__all__ = ["TrendTable", "culture_trend"]

#: The change columns of a trend, each a :class:`ChangeTable` field: (trend suffix, field).
_CHANGE_FIELDS = (("", "difference"), ("_se", "se"), ("_low", "low"), ("_high", "high"))


@dataclass(frozen=True, eq=False)
class TrendTable:
    """Each index of each group in every wave, with the change from the previous wave and from
    the first.

    Arrays run over groups (everyone's row first, then the groups in the order they first
    appear), waves (in the order given) and indices (:data:`CHANGE_INDICES`, then each value's
    implementation index, named by its value id). A group absent from a wave has ``present``
    False, ``n`` 0 and NaN figures there; a group suppressed in a wave keeps its size and has NaN
    figures in that wave and in every change that touches it.

    Attributes
    ----------
    group : tuple of str
    waves : tuple of str
    indices : tuple of str
    present, suppressed : ndarray of bool, shape (G, W)
    n : ndarray of int, shape (G, W)
        Respondents of the group in the wave.
    value, se, low, high : ndarray of float, shape (G, W, K)
        The index in each wave with its standard error and the map's own interval.
    since_previous, since_previous_se, since_previous_low, since_previous_high : ndarray of float, shape (G, W, K)
        The change from the previous wave (NaN in the first wave), as
        :func:`~akhlak_levels.culture_change` gives it for that pair of maps.
    since_previous_beyond_noise : ndarray of bool, shape (G, W, K)
        Its interval excludes 0 (False where there is no change).
    since_first, since_first_se, since_first_low, since_first_high, since_first_beyond_noise
        The same from the first wave (NaN in the first wave).
    confidence : float
        Level of the change intervals.
    note : tuple of str

    Examples
    --------
    See :func:`~akhlak_levels.culture_trend`.
    """

    group: tuple[str, ...]
    waves: tuple[str, ...]
    indices: tuple[str, ...]
    present: np.ndarray
    suppressed: np.ndarray
    n: np.ndarray
    value: np.ndarray
    se: np.ndarray
    low: np.ndarray
    high: np.ndarray
    since_previous: np.ndarray
    since_previous_se: np.ndarray
    since_previous_low: np.ndarray
    since_previous_high: np.ndarray
    since_previous_beyond_noise: np.ndarray
    since_first: np.ndarray
    since_first_se: np.ndarray
    since_first_low: np.ndarray
    since_first_high: np.ndarray
    since_first_beyond_noise: np.ndarray
    confidence: float = 0.95
    note: tuple[str, ...] = field(default_factory=tuple)

    def __len__(self) -> int:
        return len(self.group)

    def __repr__(self) -> str:
        return f"TrendTable(groups={len(self)}, waves={list(self.waves)}, indices={len(self.indices)})"

    def series(self, group: str, index: str) -> list[dict[str, Any]]:
        """The records of one group and index, one per wave in order."""
        if group not in self.group or index not in self.indices:
            raise KeyError(f"no ({group!r}, {index!r}); groups {list(self.group)}, indices {list(self.indices)}")
        W, K = len(self.waves), len(self.indices)
        start = (self.group.index(group) * K + self.indices.index(index)) * W
        return self.to_records()[start : start + W]

    def _columns(self) -> dict[str, Any]:
        G, W, K = self.value.shape
        g, k, w = (a.ravel() for a in np.indices((G, K, W)))  # group, then index, then wave
        cols: dict[str, Any] = {
            "group": np.asarray(self.group, dtype=object)[g], "index": np.asarray(self.indices, dtype=object)[k],
            "wave": np.asarray(self.waves, dtype=object)[w], "present": self.present[g, w], "n": self.n[g, w],
            "suppressed": self.suppressed[g, w],
        }
        for name in ("value", "se", "low", "high"):
            cols[name] = getattr(self, name)[g, w, k]
        for since in ("since_previous", "since_first"):
            for suffix, _ in _CHANGE_FIELDS:
                cols[since + suffix] = getattr(self, since + suffix)[g, w, k]
            shown = np.isfinite(cols[since])
            cols[since + "_beyond_noise"] = [
                bool(b) if s else None for b, s in zip(getattr(self, since + "_beyond_noise")[g, w, k], shown)
            ]
        return cols

    _repr_html_ = html_repr  # a compact, rounded table in a notebook

    def to_records(self) -> list[dict[str, Any]]:
        """One JSON-ready dict per (group, index, wave), in that order; NaN and an undecided
        ``beyond_noise`` as None."""
        return records(self._columns())

    def to_frame(self) -> Any:
        """The table as a pandas DataFrame (needs pandas)."""
        return frame(self._columns())


def _interval(cmap: CultureMap, index: str) -> tuple[np.ndarray, np.ndarray]:
    """The map's own interval of ``index`` for every row."""
    if index in cmap.values:
        v = cmap.values.index(index)
        return cmap.value_index_low[:, v], cmap.value_index_high[:, v]
    name = RANK_STATISTICS.get(index, index)
    return getattr(cmap, name + "_low"), getattr(cmap, name + "_high")


def _waves(maps: Mapping[Any, CultureMap] | Iterable[tuple[Any, CultureMap]], order: Sequence[Any] | None) -> list[tuple[str, CultureMap]]:
    fn = "culture_trend"
    pairs = list(maps.items()) if isinstance(maps, Mapping) else list(maps)
    if any(not (isinstance(p, tuple) and len(p) == 2) for p in pairs):
        raise param_error(fn, "maps", "a mapping of wave to CultureMap or a sequence of (wave, CultureMap) pairs", maps, error=TypeError)
    named = [(str(w), m) for w, m in pairs]
    names = [w for w, _ in named]
    if len(set(names)) != len(names):
        raise ValueError(f"{fn}: each wave once; got {names}.")
    if order is not None:
        wanted = [str(w) for w in order]
        unknown = [w for w in wanted if w not in names]
        if unknown or len(set(wanted)) != len(wanted):
            raise ValueError(f"{fn}: order must name distinct waves among {names}; got {wanted}.")
        named = [named[names.index(w)] for w in wanted]
    if not named:
        raise ValueError(f"{fn}: no waves; give at least one (wave, CultureMap).")
    for w, m in named:
        if not isinstance(m, CultureMap):
            raise param_error(fn, f"the map of wave {w!r}", "a CultureMap", m, error=TypeError, shown=type(m).__name__)
    first_wave, first = named[0]
    for w, m in named[1:]:
        for what in ("questionnaire_id", "index_definition", "values", "by"):
            if getattr(m, what) != getattr(first, what):
                raise ValueError(
                    f"{fn}: the maps of waves {first_wave!r} and {w!r} differ in {what} ({getattr(first, what)!r} and "
                    f"{getattr(m, what)!r}); a trend needs maps of the same questionnaire, index definition and grouping."
                )
    return named


def culture_trend(
    maps: Mapping[Any, CultureMap] | Sequence[tuple[Any, CultureMap]],
    *,
    order: Sequence[Any] | None = None,
    confidence: float = 0.95,
) -> TrendTable:
    """The trend of every index of a culture map over several waves, per group.

    Parameters
    ----------
    maps : mapping of wave to CultureMap, or sequence of (wave, CultureMap)
        One map per wave, of the same questionnaire, value-index definition and grouping
        (``by``), in the order of the waves (a mapping's order, or the sequence's). For the vote
        waves of a store: ``store.culture_maps(q, by="unit")``.
    order : sequence of wave names, optional
        The waves to use, in this order (a subset of ``maps``); the order given when None.
    confidence : float, default=0.95
        Level of the intervals of the changes. Each wave's own interval is the map's.

    Returns
    -------
    TrendTable

    Notes
    -----
    Each wave's figure, standard error and interval are the map's own. Each change, from the
    previous wave and from the first, is :func:`~akhlak_levels.culture_change` of those two
    maps, unchanged: the difference, its standard error ``sqrt(se_a^2 + se_b^2)``, the interval
    ``difference +- z se`` and ``beyond_noise`` when the interval excludes 0. The waves are taken
    as independent samples (conservative when the same people answer again, see
    :func:`~akhlak_levels.culture_change`), and ``beyond_noise`` is per cell: over many groups,
    indices and waves about ``1 - confidence`` of unchanged cells are flagged by chance.

    Suppression is each map's: a group suppressed in a wave shows its size only there, and no
    change that starts or ends in that wave (so neither change can reveal what the map hid).
    Groups missing from a wave are named in the note.

    Examples
    --------
    >>> import numpy as np
    >>> from akhlak_levels import VoteSet, culture_map, culture_trend, load_questionnaire
    >>> q = load_questionnaire("berakhlak-culture-map")
    >>> rng = np.random.default_rng(0)
    >>> def wave(n):
    ...     picks = np.stack([[rng.choice(74, 10, replace=False) for _ in range(3)] for _ in range(n)])
    ...     return VoteSet(q.id, q.version, np.arange(n).astype(str), picks, unit=np.repeat(["A", "B"], n // 2))
    >>> maps = {year: culture_map(q, wave(60), by="unit") for year in ("2023", "2024", "2025")}
    >>> trend = culture_trend(maps)
    >>> trend.group, trend.waves
    (('(all)', 'A', 'B'), ('2023', '2024', '2025'))
    >>> rows = trend.series("A", "entropy")
    >>> [r["wave"] for r in rows], rows[0]["since_previous"] is None
    (['2023', '2024', '2025'], True)
    >>> bool(rows[2]["since_first"] == rows[2]["value"] - rows[0]["value"])
    True
    """
    fn = "culture_trend"
    check(fn, "confidence", confidence, Interval(0, 1, closed="neither"))
    named = _waves(maps, order)
    waves = tuple(w for w, _ in named)
    first = named[0][1]
    groups: list[str] = [ALL_ROWS] if ALL_ROWS in first.group else []
    for _, m in named:
        groups += [g for g in m.group if g not in groups]
    indices = CHANGE_INDICES + tuple(first.values)
    G, W, K = len(groups), len(waves), len(indices)
    where = {g: i for i, g in enumerate(groups)}
    present = np.zeros((G, W), dtype=bool)
    suppressed = np.zeros((G, W), dtype=bool)
    n = np.zeros((G, W), dtype=np.int64)
    cube = {name: np.full((G, W, K), np.nan) for name in ("value", "se", "low", "high")}
    for j, (_, m) in enumerate(named):
        rows = np.array([where[g] for g in m.group], dtype=np.intp)
        hidden = np.asarray(m.suppressed, dtype=bool)
        present[rows, j] = True
        suppressed[rows, j] = hidden
        n[rows, j] = np.asarray(m.n)
        for k, index in enumerate(indices):
            est, se = statistic_of(m, index, fn)
            low, high = _interval(m, index)
            for name, a in (("value", est), ("se", se), ("low", low), ("high", high)):
                cube[name][rows, j, k] = np.where(hidden, np.nan, np.asarray(a, dtype=float))
    changes: dict[str, dict[str, np.ndarray]] = {}
    for since, start in (("since_previous", None), ("since_first", 0)):
        out = {suffix: np.full((G, W, K), np.nan) for suffix, _ in _CHANGE_FIELDS}
        out["_beyond_noise"] = np.zeros((G, W, K), dtype=bool)
        for j in range(1, W):
            i = j - 1 if start is None else start
            ch: ChangeTable = culture_change(named[i][1], named[j][1], confidence=confidence)
            rows = np.array([where[g] for g in ch.group], dtype=np.intp)
            for suffix, name in _CHANGE_FIELDS:
                out[suffix][rows, j] = getattr(ch, name)
            out["_beyond_noise"][rows, j] = ch.beyond_noise
        changes[since] = out
    notes = []
    missing = [f"{g} (in {[w for w, p in zip(waves, present[i]) if p]})" for i, g in enumerate(groups) if not present[i].all()]
    if missing:
        notes.append(f"not in every wave: {missing}")
    hidden_any = [g for i, g in enumerate(groups) if suppressed[i].any()]
    if hidden_any:
        notes.append(f"suppressed in some wave (size only there, no change touching it): {hidden_any}")
    return TrendTable(
        group=tuple(groups), waves=waves, indices=indices, present=present, suppressed=suppressed, n=n,
        **cube, **{since + suffix: a for since, out in changes.items() for suffix, a in out.items()},
        confidence=float(confidence), note=tuple(notes),
    )
