"""The careless-responding indices, vectorised over respondents: loops run over items, scales
or distinct missing-data patterns, never over people. :func:`~akhlak_levels.quality.careless`
turns them into a table and flags; their definitions are documented on
:class:`~akhlak_levels.quality.CarelessTable`.

Examples
--------
>>> import numpy as np
>>> longest_runs(np.array([[0, 0, 1, 1, 1], [2, -1, 2, 2, -1]], dtype=np.int8)).tolist()
[3, 2]
>>> sd, count = row_sd(np.array([[1.0, 2.0, 3.0], [4.0, np.nan, np.nan]]))
>>> sd.tolist(), count.tolist()
([1.0, nan], [3, 1])
"""

from __future__ import annotations

import numpy as np

from ..levels import N_LEVELS
from ..model import LevelModel
from ..questionnaire import Questionnaire
from ..responses import MISSING, ResponseSet
from ._keyed import keyed_matrix, pairwise_covariance

__all__ = ["even_odd_consistency", "longest_runs", "mahalanobis_by_pattern", "person_fit_lz", "row_sd"]

# Two half-means closer than this (in keyed answer units, squared) are treated as equal: a mean
# of equal numbers can differ from them by rounding, and a spurious variance of 1e-32 would
# give an arbitrary correlation.
_ZERO_VARIANCE = 1e-12


def longest_runs(L: np.ndarray) -> np.ndarray:
    """Longest run of equal codes along each row; MISSING ends a run and counts for nothing."""
    n, m = L.shape
    run = np.zeros(n, dtype=np.int64)
    longest = np.zeros(n, dtype=np.int64)
    prev = np.full(n, MISSING, dtype=L.dtype)
    for j in range(m):
        x = L[:, j]
        answered = x != MISSING
        run = np.where(answered, np.where(x == prev, run + 1, 1), 0)
        np.maximum(longest, run, out=longest)
        prev = x
    return longest


def row_sd(V: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Row standard deviations (ddof=1) over non-NaN entries, and the counts."""
    ok = ~np.isnan(V)
    c = ok.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(ok, V, 0.0).sum(axis=1) / c
        dev = np.where(ok, V - mean[:, None], 0.0)
        sd = np.sqrt((dev**2).sum(axis=1) / (c - 1))
    sd[c < 2] = np.nan
    return sd, c


def mahalanobis_by_pattern(K: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Squared distances of the rows of K (NaN = missing) from the column means under the
    pairwise covariance, each on its answered columns; and the df; and a mask of rows whose
    covariance block was singular or undefined."""
    from scipy import linalg
    n, m = K.shape
    answered = ~np.isnan(K)
    df = answered.sum(axis=1)
    d2 = np.full(n, np.nan)
    singular = np.zeros(n, dtype=bool)
    if n < 2 or m == 0:
        singular[df > 0] = True
        return d2, df, singular
    counts = answered.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(answered, K, 0.0).sum(axis=0) / counts
        C, _ = pairwise_covariance(K)
    dev = np.where(answered, K - mean, 0.0)
    patterns, inverse = np.unique(answered, axis=0, return_inverse=True)
    inverse = inverse.ravel()
    order = np.argsort(inverse, kind="stable")
    bounds = np.searchsorted(inverse[order], np.arange(patterns.shape[0] + 1))
    for p in range(patterns.shape[0]):
        cols = np.flatnonzero(patterns[p])
        rows = order[bounds[p] : bounds[p + 1]]
        if cols.size == 0:
            continue
        block = C[np.ix_(cols, cols)]
        if not np.all(np.isfinite(block)):
            singular[rows] = True
            continue
        try:
            chol = np.linalg.cholesky(block)
        except np.linalg.LinAlgError:
            singular[rows] = True
            continue
        # a numerically singular block passes Cholesky with a tiny pivot: refuse it too
        diag = np.diag(chol)
        if diag.min() <= 1e-7 * np.sqrt(np.diag(block).max()):
            singular[rows] = True
            continue
        z = linalg.solve_triangular(chol, dev[np.ix_(rows, cols)].T, lower=True, check_finite=False)
        d2[rows] = np.einsum("ij,ij->j", z, z)
    return d2, df, singular


def _row_means(X: np.ndarray) -> np.ndarray:
    """Means over the non-NaN entries of each row; NaN where a row has none."""
    ok = ~np.isnan(X)
    c = ok.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(c > 0, np.where(ok, X, 0.0).sum(axis=1) / c, np.nan)


def even_odd_consistency(q: Questionnaire, rs: ResponseSet) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Spearman-Brown corrected within-person correlation of even- and odd-half means across
    scales; the number of usable scales; masks of too few scales and of zero variance."""
    n = len(rs)
    odd = np.full((n, len(q.scales)), np.nan)
    even = np.full((n, len(q.scales)), np.nan)
    for s_i, scale in enumerate(q.scales):
        if len(scale.item_ids) < 2:
            continue
        X = keyed_matrix(q, rs, scale.item_ids, scale=scale)  # keyed by the scale's own keys
        odd[:, s_i] = _row_means(X[:, 0::2])  # 1st, 3rd, ... items of the scale
        even[:, s_i] = _row_means(X[:, 1::2])  # 2nd, 4th, ...
    usable = ~np.isnan(odd) & ~np.isnan(even)
    k = usable.sum(axis=1)
    w = usable.astype(float)
    o = np.where(usable, odd, 0.0)
    e = np.where(usable, even, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mo = o.sum(axis=1) / k
        me = e.sum(axis=1) / k
        do = w * (o - mo[:, None])
        de = w * (e - me[:, None])
        so = (do**2).sum(axis=1)
        se = (de**2).sum(axis=1)
        r = (do * de).sum(axis=1) / np.sqrt(so * se)
    few = k < 3
    flat = ~few & ((so <= _ZERO_VARIANCE) | (se <= _ZERO_VARIANCE))
    r = np.clip(r, -1.0, 1.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        sb = 2.0 * r / (1.0 + r)
    sb = np.where(r <= -1.0, -1.0, np.maximum(sb, -1.0))  # as careless::evenodd: not below -1
    sb[few | flat] = np.nan
    return sb, k, few, flat


def person_fit_lz(model: LevelModel, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``l_z`` at the modal level, and that level (0 where nothing was answered)."""
    n = codes.shape[0]
    cols = np.ascontiguousarray(codes.T)
    logit = np.empty((n, N_LEVELS))
    logit[:] = model.log_prior
    for i, table in enumerate(model.tables):
        logit += np.take(table, cols[i], axis=0)  # code -1 takes the zero row
    khat = logit.argmax(axis=1)
    ll = np.zeros(n)
    expected = np.zeros(n)
    variance = np.zeros(n)
    for i, (w, table) in enumerate(zip(model.weights, model.tables)):
        p = np.exp(w)  # options x 5: P(c | k)
        e_i = (p * w).sum(axis=0)  # sum_c P log P, per level
        v_i = (p * w**2).sum(axis=0) - e_i**2
        answered = cols[i] != MISSING
        ll += table[cols[i], khat]  # the zero row for a missing answer
        expected += np.where(answered, e_i[khat], 0.0)
        variance += np.where(answered, v_i[khat], 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        lz = (ll - expected) / np.sqrt(variance)
    none = (codes != MISSING).sum(axis=1) == 0
    lz[none | ~(variance > 0)] = np.nan
    level = (khat + 1).astype(np.int8)
    level[np.isnan(lz)] = 0
    return lz, level
