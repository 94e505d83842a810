"""Per-group statistics of one wave and of the change between two waves, all at once with
``bincount`` over each respondent's group (no loop over groups): counts, means and variances,
t intervals, the paired or Welch change test and ranks. The total is always the last entry."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..assessment import Assessment
from ..levels import N_LEVELS

__all__ = ["WaveStats", "change_test", "rank_desc", "t_interval", "wave_stats"]


@dataclass
class WaveStats:
    """Per-group sums of one wave (G groups, plus the total as group G)."""

    n: np.ndarray
    level_counts: np.ndarray | None
    mean_e: np.ndarray
    var_e: np.ndarray
    scale_n: np.ndarray
    scale_mean: np.ndarray
    index_n: np.ndarray
    index_mean: np.ndarray
    index_var: np.ndarray


def _group_mean_var(x: np.ndarray, inv: np.ndarray, G: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Count, mean and sample variance (ddof=1) of the finite ``x`` per group, plus the total as
    entry G; two passes for accuracy."""
    ok = np.isfinite(x)
    xv = np.where(ok, x, 0.0)
    cnt = np.bincount(inv, weights=ok.astype(float), minlength=G)
    s = np.bincount(inv, weights=xv, minlength=G)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = s / cnt
        dev = np.where(ok, x - mean[inv], 0.0)
        ss = np.bincount(inv, weights=dev * dev, minlength=G)
        var = ss / (cnt - 1)
        N = ok.sum()
        tm = xv.sum() / N if N else np.nan
        tvar = float(np.sum(np.where(ok, x - tm, 0.0) ** 2) / (N - 1)) if N > 1 else np.nan
    return (np.append(cnt, N), np.append(mean, tm), np.append(var, tvar))


def wave_stats(a: Assessment, inv: np.ndarray, G: int) -> WaveStats:
    """Sizes, level counts and the means and variances of the expected level, the scales and the
    index of the ``G`` groups of one wave (``inv`` = each respondent's group), plus the total."""
    n = np.append(np.bincount(inv, minlength=G), len(inv)).astype(float)
    if a.has_levels:
        assert a.level is not None and a.expected_level is not None
        lc = np.bincount(inv * (N_LEVELS + 1) + a.level.astype(np.int64), minlength=G * (N_LEVELS + 1))
        lc = lc.reshape(G, N_LEVELS + 1).astype(float)
        level_counts: np.ndarray | None = np.vstack([lc, lc.sum(axis=0)])
        _, mean_e, var_e = _group_mean_var(np.asarray(a.expected_level, dtype=float), inv, G)
    else:
        level_counts = None
        mean_e = var_e = np.full(G + 1, np.nan)
    S = a.scale_scores.shape[1]
    scale_n = np.empty((G + 1, S))
    scale_mean = np.empty((G + 1, S))
    for j in range(S):
        c, m, _ = _group_mean_var(np.asarray(a.scale_scores[:, j], dtype=float), inv, G)
        scale_n[:, j], scale_mean[:, j] = c, m
    if a.index is not None:
        index_n, index_mean, index_var = _group_mean_var(np.asarray(a.index, dtype=float), inv, G)
    else:
        index_n = np.zeros(G + 1)
        index_mean = index_var = np.full(G + 1, np.nan)
    return WaveStats(n, level_counts, mean_e, var_e, scale_n, scale_mean, index_n, index_mean, index_var)


def t_interval(mean: np.ndarray, var: np.ndarray, n: np.ndarray, conf: float) -> tuple[np.ndarray, np.ndarray]:
    """t interval of group means at level ``conf`` (NaN for a group of fewer than two)."""
    from scipy import stats
    with np.errstate(invalid="ignore", divide="ignore"):
        half = stats.t.ppf((1 + conf) / 2, n - 1) * np.sqrt(var / n)
    half = np.where(n > 1, half, np.nan)
    return mean - half, mean + half


def change_test(
    x_prev: np.ndarray, g_prev: np.ndarray, x_cur: np.ndarray, g_cur: np.ndarray,
    rows_prev: np.ndarray, rows_cur: np.ndarray, prev: tuple[np.ndarray, np.ndarray, np.ndarray],
    cur: tuple[np.ndarray, np.ndarray, np.ndarray], G: int, conf: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Change of the group means from the previous wave (G groups + total), its interval, p-value
    and test. Paired where the group has exactly the same respondents (all with a finite value)
    in both waves; Welch's t-test otherwise."""
    from scipy import stats
    n1, m1, v1 = prev
    n2, m2, v2 = cur
    # --- Welch
    with np.errstate(invalid="ignore", divide="ignore"):
        a, b = v1 / n1, v2 / n2
        se_w = np.sqrt(a + b)
        df_w = (a + b) ** 2 / (a * a / (n1 - 1) + b * b / (n2 - 1))
    diff = m2 - m1
    # --- paired: matched respondents in the same group in both waves, all finite
    same = g_prev[rows_prev] == g_cur[rows_cur]
    d = x_cur[rows_cur] - x_prev[rows_prev]
    okp = same & np.isfinite(d)
    gi = g_cur[rows_cur][okp]
    dv = d[okp]
    pc, pm, pv = _group_mean_var(dv, gi, G) if len(dv) else (np.zeros(G + 1), np.full(G + 1, np.nan), np.full(G + 1, np.nan))
    # the total pairs every matched respondent, whatever their group
    dall = d[np.isfinite(d)]
    pc[G] = len(dall)
    pm[G] = dall.mean() if len(dall) else np.nan
    pv[G] = dall.var(ddof=1) if len(dall) > 1 else np.nan
    paired = (pc == n1) & (pc == n2) & (pc > 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        se_p = np.sqrt(pv / pc)
        df_p = pc - 1
    se = np.where(paired, se_p, se_w)
    df = np.where(paired, df_p, df_w)
    est = np.where(paired, pm, diff)
    with np.errstate(invalid="ignore", divide="ignore"):
        tstat = est / se
        p = 2 * stats.t.sf(np.abs(tstat), df)
        half = stats.t.ppf((1 + conf) / 2, df) * se
    p = np.where(se == 0, np.where(est == 0, 1.0, 0.0), p)
    test = np.where(paired, "paired", "welch")
    ok = np.isfinite(est) & (n1 > 1) & (n2 > 1)
    test = np.where(ok, test, "")
    return np.where(ok, est, np.nan), np.where(ok, est - half, np.nan), np.where(ok, est + half, np.nan), np.where(ok, p, np.nan), test


def rank_desc(values: np.ndarray) -> np.ndarray:
    """1 = highest; ties share the best rank; NaN stays NaN."""
    from scipy import stats
    out = np.full(len(values), np.nan)
    ok = np.isfinite(values)
    if ok.any():
        out[ok] = stats.rankdata(-values[ok], method="min")
    return out
