"""Ranking the groups of a culture map with rank intervals (a parametric bootstrap over the
groups' sampling distributions), so that "ranked 31st" comes with how sure that is."""

from __future__ import annotations

from dataclasses import dataclass, field
from statistics import NormalDist
from typing import Any, Sequence

import numpy as np

from .._tables import frame, html_repr, records
from .._validation import Interval, check, check_random_state, param_error
from ._result import CultureMap

__all__ = ["RANK_STATISTICS", "RankTable", "rank_units", "statistic_of"]

#: The statistics a culture map's groups can be ranked (or compared over waves) by, besides a
#: value id; each maps to the CultureMap field holding it. ``"total_health"`` is ``health``.
RANK_STATISTICS: dict[str, str] = {
    "positive_energy": "positive_energy",
    "implementation": "implementation",
    "total_health": "health",
}


def statistic_of(cmap: CultureMap, statistic: str, func: str = "rank_units") -> tuple[np.ndarray, np.ndarray]:
    """The estimate and standard error of ``statistic`` for every row of ``cmap``.

    ``statistic`` is a key of :data:`RANK_STATISTICS`, ``"entropy"``, or a value id of the map.
    The standard error is the one the map holds (delta method); for a map built without them it
    is recovered from the interval as ``max(estimate - low, high - estimate) / z`` (exact unless
    the interval was clipped at both 0 and 100).

    Examples
    --------
    >>> import numpy as np
    >>> from akhlak_levels import VoteSet, culture_map, load_questionnaire
    >>> q = load_questionnaire("berakhlak-culture-map")
    >>> rng = np.random.default_rng(0)
    >>> picks = np.stack([[rng.choice(74, 10, replace=False) for _ in range(3)] for _ in range(30)])
    >>> cm = culture_map(q, VoteSet(q.id, q.version, np.arange(30).astype(str), picks))
    >>> est, se = statistic_of(cm, "positive_energy")
    >>> bool(est[0] == cm.positive_energy[0]), bool(se[0] == cm.entropy_se[0])
    (True, True)
    """
    if statistic in RANK_STATISTICS or statistic == "entropy":
        name = RANK_STATISTICS.get(statistic, statistic)
        est, low, high = (np.asarray(getattr(cmap, name + s), dtype=float) for s in ("", "_low", "_high"))
        se_name = "entropy_se" if name in ("entropy", "positive_energy") else name + "_se"
        se = getattr(cmap, se_name)
    elif statistic in cmap.values:
        v = cmap.values.index(statistic)
        est, low, high = (np.asarray(getattr(cmap, "value_index" + s)[:, v], dtype=float) for s in ("", "_low", "_high"))
        se = None if cmap.value_index_se is None else cmap.value_index_se[:, v]
    else:
        choices = sorted(RANK_STATISTICS) + ["entropy"] + list(cmap.values)
        raise param_error(func, "statistic", f"one of {choices}", statistic)
    if se is None:
        z = NormalDist().inv_cdf(0.5 + cmap.confidence / 2)
        with np.errstate(invalid="ignore"):
            se = np.fmax(est - low, high - est) / z
    return est, np.asarray(se, dtype=float)


@dataclass(frozen=True, eq=False)
class RankTable:
    """Groups of a culture map ranked by a statistic (1 = highest), with rank intervals.

    Rows are the ranked groups, best first (ties in the map's group order).

    Attributes
    ----------
    statistic : str
    group : tuple of str
    estimate, se : ndarray of float, shape (G,)
        The statistic and its standard error.
    rank : ndarray of int, shape (G,)
        Rank of the estimate (1 = highest; tied groups share the smaller rank).
    rank_low, rank_high : ndarray of int, shape (G,)
        The rank interval: quantiles of the group's rank over the draws.
    p_first : ndarray of float, shape (G,)
        Share of draws in which the group ranks first (tied first places count for each).
    unranked : tuple of str
        Groups of the map that are not ranked (suppressed, or without an estimate).
    n_draws, confidence, note

    Examples
    --------
    See :func:`~akhlak_levels.rank_units`.
    """

    statistic: str
    group: tuple[str, ...]
    estimate: np.ndarray
    se: np.ndarray
    rank: np.ndarray
    rank_low: np.ndarray
    rank_high: np.ndarray
    p_first: np.ndarray
    unranked: tuple[str, ...] = ()
    n_draws: int = 2000
    confidence: float = 0.95
    note: tuple[str, ...] = field(default_factory=tuple)

    def __len__(self) -> int:
        return len(self.group)

    def __repr__(self) -> str:
        return f"RankTable({self.statistic!r}, ranked={len(self)}, unranked={len(self.unranked)})"

    def _columns(self) -> dict[str, Any]:
        return {
            "group": self.group, "rank": self.rank, "rank_low": self.rank_low, "rank_high": self.rank_high,
            "p_first": self.p_first, self.statistic: self.estimate, "se": self.se,
        }

    _repr_html_ = html_repr  # a compact, rounded table in a notebook

    def to_records(self) -> list[dict[str, Any]]:
        """One JSON-ready dict per ranked group, best first."""
        return records(self._columns())

    def to_frame(self) -> Any:
        """The table as a pandas DataFrame (needs pandas)."""
        return frame(self._columns())


def competition_ranks(x: np.ndarray) -> np.ndarray:
    """Ranks along the last axis, 1 = highest, ties sharing the smaller rank ("1224").

    Examples
    --------
    >>> competition_ranks(np.array([[3.0, 5.0, 5.0, 1.0], [1.0, 2.0, 3.0, 4.0]])).tolist()
    [[3, 1, 1, 4], [4, 3, 2, 1]]
    """
    x = np.asarray(x, dtype=float)
    order = np.argsort(-x, axis=-1, kind="stable")
    s = np.take_along_axis(x, order, axis=-1)
    pos = np.broadcast_to(np.arange(x.shape[-1]), x.shape)
    new = np.ones(x.shape, dtype=bool)
    new[..., 1:] = s[..., 1:] != s[..., :-1]
    start = np.maximum.accumulate(np.where(new, pos, 0), axis=-1)
    out = np.empty(x.shape, dtype=np.int64)
    np.put_along_axis(out, order, start + 1, axis=-1)
    return out


def rank_units(
    cmap: CultureMap,
    statistic: str = "implementation",
    *,
    among: Sequence[str] | None = None,
    n_draws: int = 2000,
    confidence: float = 0.95,
    random_state: int | np.random.Generator | None = None,
) -> RankTable:
    """Rank the shown groups of a culture map by a statistic, with rank intervals.

    Parameters
    ----------
    cmap : CultureMap
        A map with groups (``culture_map(..., by=...)``); everyone's row is not ranked.
    statistic : str, default="implementation"
        ``"implementation"``, ``"total_health"``, ``"positive_energy"`` or a value id of the map
        (its implementation index). Higher ranks first.
    among : sequence of str, optional
        Rank only these groups (a peer group, as the national reports rank provinces among
        provinces of a region); default all groups.
    n_draws : int, default=2000
        Draws of the parametric bootstrap.
    confidence : float, default=0.95
        Level of the rank intervals.
    random_state : int or numpy Generator, optional

    Returns
    -------
    RankTable

    Notes
    -----
    Each group's statistic is drawn ``n_draws`` times from its sampling distribution, normal
    with the map's delta-method standard error (groups are independent samples); each draw is
    ranked (1 = highest), and the rank interval is the ``(1 - confidence) / 2`` and
    ``(1 + confidence) / 2`` quantiles of the group's ranks; ``p_first`` is the share of draws
    it ranks first (Goldstein & Spiegelhalter 1996). Vectorised over draws and groups.
    Suppressed groups and groups without an estimate or standard error are not ranked and are
    named in ``unranked`` and the note. Ranks are of the groups ranked, so a suppressed group
    moves the others' ranks by nothing.

    Examples
    --------
    >>> import numpy as np
    >>> from akhlak_levels import VoteSet, culture_map, load_questionnaire, rank_units
    >>> q = load_questionnaire("berakhlak-culture-map")
    >>> rng = np.random.default_rng(0)
    >>> picks = np.stack([[rng.choice(74, 10, replace=False) for _ in range(3)] for _ in range(90)])
    >>> v = VoteSet(q.id, q.version, np.arange(90).astype(str), picks, unit=np.repeat(["A", "B", "C"], 30))
    >>> rt = rank_units(culture_map(q, v, by="unit"), "positive_energy", random_state=1)
    >>> rt.group, rt.rank.tolist()
    (('C', 'B', 'A'), [1, 2, 3])
    >>> bool((rt.rank_low <= rt.rank).all() and (rt.rank <= rt.rank_high).all()), round(float(rt.p_first.sum()), 6)
    (True, 1.0)
    """
    fn = "rank_units"
    draws = check(fn, "n_draws", n_draws, Interval(1, None, integer=True))
    check(fn, "confidence", confidence, Interval(0, 1, closed="neither"))
    rng = check_random_state(random_state, fn)
    est, se = statistic_of(cmap, statistic, fn)
    names = np.asarray(cmap.group, dtype=object)
    rows = np.arange(1, len(cmap.group))
    if among is not None:
        unknown = [g for g in among if g not in cmap.group[1:]]
        if unknown:
            raise param_error(fn, "among", f"groups of the map {list(cmap.group[1:])}", unknown)
        rows = rows[np.isin(names[rows], list(among))]
    hidden = np.asarray(cmap.suppressed, dtype=bool)[rows]
    bad = ~hidden & ~(np.isfinite(est[rows]) & np.isfinite(se[rows]))
    keep = rows[~hidden & ~bad]
    notes = []
    if hidden.any():
        notes.append(f"not ranked, suppressed: {[str(g) for g in names[rows[hidden]]]}")
    if bad.any():
        notes.append(f"not ranked, no estimate or standard error: {[str(g) for g in names[rows[bad]]]}")
    e, s = est[keep], se[keep]
    point = competition_ranks(e)
    order = np.lexsort((np.arange(len(keep)), point))
    if len(keep):
        x = e + s * rng.standard_normal((draws, len(keep)))
        ranks = competition_ranks(x)
        a = (1 - confidence) / 2
        low = np.quantile(ranks, a, axis=0, method="inverted_cdf").astype(np.int64)
        high = np.quantile(ranks, 1 - a, axis=0, method="inverted_cdf").astype(np.int64)
        first = (ranks == 1).mean(axis=0)
    else:
        low = high = np.zeros(0, dtype=np.int64)
        first = np.zeros(0)
    return RankTable(
        statistic=statistic, group=tuple(str(g) for g in names[keep][order]), estimate=e[order], se=s[order],
        rank=point[order], rank_low=low[order], rank_high=high[order], p_first=first[order],
        unranked=tuple(str(g) for g in names[rows[hidden | bad]]), n_draws=draws, confidence=float(confidence),
        note=tuple(notes),
    )
