"""Figures per group that the progress table does not hold, released only where the table shows
the group's mean: each scale's interval and the standard error behind a rank interval.

Every suppression decision is the progress table's (the library's one engine, applied by
:func:`~akhlak_levels.progress`): a statistic computed here is kept only in the cells whose mean
the table shows, and those means are checked to equal the table's.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..assessment import Assessment
from ..culture import competition_ranks
from ..growth import ALL_GROUP, MISSING_GROUP, ProgressTable, t_interval

__all__ = ["GroupStats", "RankIntervals", "group_labels", "group_stats", "rank_intervals"]


@dataclass
class GroupStats:
    """For the rows of one wave of a progress table (total first): each scale's and the main
    statistic's interval, and the main statistic's standard error; NaN where the table hides the mean."""

    scale_low: np.ndarray
    scale_high: np.ndarray
    main_se: np.ndarray


def group_labels(a: Assessment, by: str | None) -> np.ndarray:
    """Each respondent's group as :func:`~akhlak_levels.progress` reads it."""
    if by is None:
        return np.full(len(a), ALL_GROUP)
    col = a.unit if by == "unit" else a.groups.get(by)
    if col is None:
        raise ValueError(f"No group column {by!r} in the assessments.")
    lab = np.asarray(col).astype(str)
    return np.where(lab == "", MISSING_GROUP, lab)


def group_stats(table: ProgressTable, a: Assessment, rows: np.ndarray, main: np.ndarray, table_main: np.ndarray) -> GroupStats:
    """Intervals of the scale means and the standard error of ``main`` (the index, or the
    expected level) for ``rows`` of ``table`` (one wave: the total row, then its groups), from
    that wave's assessment ``a``. Vectorised over respondents: one pass of ``np.add.at``."""
    groups = table.group[rows]
    labels = group_labels(a, table.by)
    uniq, inv = np.unique(labels, return_inverse=True)
    where = {g: i for i, g in enumerate(groups.tolist())}
    to_row = np.array([where.get(g, -1) for g in uniq.tolist()], dtype=np.int64)  # one per group, not per person
    code = to_row[inv]
    X = np.column_stack([np.asarray(a.scale_scores, dtype=float), np.asarray(main, dtype=float)])
    ok = np.isfinite(X)
    G, C = len(groups), X.shape[1]
    n = np.zeros((G, C))
    s = np.zeros((G, C))
    inside = code >= 0
    np.add.at(n, code[inside], ok[inside])
    np.add.at(s, code[inside], np.where(ok, X, 0.0)[inside])
    n[0], s[0] = ok.sum(axis=0), np.where(ok, X, 0.0).sum(axis=0)  # the total row: everyone
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = s / n
        dev = np.zeros((G, C))
        d = np.where(ok & inside[:, None], X - mean[code.clip(0)], 0.0) ** 2
        np.add.at(dev, code[inside], d[inside])
        dev[0] = (np.where(ok, X - mean[0], 0.0) ** 2).sum(axis=0)
        var = dev / (n - 1)
    table_means = np.column_stack([table.scale_means[rows], table_main])
    shown = np.isfinite(table_means)
    if not np.allclose(mean[shown], table_means[shown], rtol=1e-9, atol=1e-9):
        raise ValueError("The assessments are not those the progress table was made from (group means differ).")
    lo, hi = t_interval(mean, var, n, table.confidence)
    with np.errstate(invalid="ignore", divide="ignore"):
        se = np.sqrt(var[:, -1] / n[:, -1])
    return GroupStats(
        scale_low=np.where(shown[:, :-1], lo[:, :-1], np.nan),
        scale_high=np.where(shown[:, :-1], hi[:, :-1], np.nan),
        main_se=np.where(shown[:, -1], se, np.nan),
    )


@dataclass
class RankIntervals:
    """Rank intervals of the ranked rows (NaN elsewhere) and the share of draws ranked first."""

    low: np.ndarray
    high: np.ndarray
    p_first: np.ndarray
    n_draws: int


def rank_intervals(estimate: np.ndarray, se: np.ndarray, rank: np.ndarray, *, confidence: float,
                   n_draws: int, rng: np.random.Generator) -> RankIntervals:
    """The rank interval of every row with a rank (``rank`` finite: the groups the progress table
    ranks), by the parametric bootstrap of :func:`~akhlak_levels.rank_units`: each estimate drawn
    ``n_draws`` times from a normal with its standard error, each draw ranked (1 = highest), the
    interval the ``(1 - confidence) / 2`` and ``(1 + confidence) / 2`` quantiles (Goldstein &
    Spiegelhalter 1996)."""
    keep = np.flatnonzero(np.isfinite(rank) & np.isfinite(estimate) & np.isfinite(se))
    low = np.full(len(rank), np.nan)
    high = np.full(len(rank), np.nan)
    first = np.full(len(rank), np.nan)
    if len(keep):
        x = estimate[keep] + se[keep] * rng.standard_normal((n_draws, len(keep)))
        ranks = competition_ranks(x)
        a = (1 - confidence) / 2
        low[keep] = np.quantile(ranks, a, axis=0, method="inverted_cdf")
        high[keep] = np.quantile(ranks, 1 - a, axis=0, method="inverted_cdf")
        first[keep] = (ranks == 1).mean(axis=0)
    return RankIntervals(low, high, first, n_draws)
