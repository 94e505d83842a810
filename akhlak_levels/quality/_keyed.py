"""Keyed item matrices and the covariances every quality statistic starts from.

The answers to a questionnaire's items as keyed numbers (reverse-keyed Likert items reversed,
in a scale by the item's key in that scale; a choice option as its keyed level; NaN = missing), and their covariance under a missing-data
policy: pairwise (R's ``use="pairwise"``), listwise, or median-imputed.

Examples
--------
>>> import numpy as np
>>> X = np.array([[1.0, 2.0], [2.0, np.nan], [3.0, 5.0], [4.0, 4.0]])
>>> C, N = pairwise_covariance(X)
>>> N.astype(int).tolist(), bool(np.isclose(C[0, 0], np.var(X[:, 0], ddof=1)))
([[4, 3], [3, 3]], True)
"""

from __future__ import annotations

import warnings
from typing import Literal

import numpy as np

from .._validation import param_error
from ..questionnaire import Questionnaire, Scale
from ..responses import ResponseSet

__all__ = [
    "NAN_POLICIES",
    "NanPolicy",
    "check_nan_policy",
    "complete_rows",
    "covariance",
    "impute_median",
    "keyed_in_first_scale",
    "keyed_matrix",
    "pairwise_correlation",
    "pairwise_covariance",
]

NanPolicy = Literal["pairwise", "listwise", "median"]
NAN_POLICIES = ("pairwise", "listwise", "median")


def check_nan_policy(nan_policy: str, func: str) -> None:
    """Refuse a ``nan_policy`` other than the three, in the one message shape."""
    if nan_policy not in NAN_POLICIES:
        raise param_error(func, "nan_policy", "one of {'pairwise', 'listwise', 'median'}", nan_policy)


def pairwise_covariance(X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Covariances over the respondents who answered both items (R's ``use="pairwise"``), and
    the pair counts. Vectorised: three matrix products."""
    M = (~np.isnan(X)).astype(float)
    X0 = np.where(M > 0, X, 0.0)
    N = M.T @ M
    S = X0.T @ M  # S[i, j]: sum of item i over respondents who answered j
    P = X0.T @ X0
    with np.errstate(invalid="ignore", divide="ignore"):
        C = (P - S * S.T / N) / (N - 1)
    C[N < 2] = np.nan
    return C, N


def pairwise_correlation(X: np.ndarray) -> np.ndarray:
    """Correlations over the respondents who answered both items, each with the means and SDs of
    that pair's respondents (R's ``cor(X, use="pairwise")``, pandas' ``DataFrame.corr``; what
    ``psych::fa`` and ``psych::omega`` factor)."""
    M = (~np.isnan(X)).astype(float)
    X0 = np.where(M > 0, X, 0.0)
    N = M.T @ M
    S = X0.T @ M  # S[i, j]: sum of item i over respondents who answered j
    Q = (X0**2).T @ M  # Q[i, j]: sum of squares of item i over respondents who answered j
    P = X0.T @ X0
    with np.errstate(invalid="ignore", divide="ignore"):
        cov = P - S * S.T / N
        var_i = Q - S**2 / N
        R = cov / np.sqrt(var_i * var_i.T)
    R[N < 2] = np.nan
    return R


def complete_rows(X: np.ndarray) -> np.ndarray:
    return X[~np.isnan(X).any(axis=1)]


def impute_median(X: np.ndarray) -> np.ndarray:
    """Missing answers replaced by the item's median (``psych::scoreItems(impute="median")``)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # an all-missing item stays missing
        med = np.nanmedian(X, axis=0)
    return np.where(np.isnan(X), med[None, :], X)


def covariance(X: np.ndarray, nan_policy: str) -> np.ndarray:
    if nan_policy == "median":
        Xi = impute_median(X)
        return np.cov(Xi, rowvar=False) if not np.isnan(Xi).any() else pairwise_covariance(Xi)[0]
    if nan_policy == "listwise":
        Xc = complete_rows(X)
        if Xc.shape[0] < 2:
            return np.full((X.shape[1], X.shape[1]), np.nan)
        return np.cov(Xc, rowvar=False)
    return pairwise_covariance(X)[0]


def keyed_matrix(
    questionnaire: Questionnaire, responses: ResponseSet, item_ids: tuple[str, ...], *, scale: Scale | None = None
) -> np.ndarray:
    """The answers to ``item_ids`` as keyed numbers (reverse-keyed Likert items as ``k + 1 - x``;
    a choice option as its keyed level), NaN where missing. Respondents x items.

    With ``scale``, each item is keyed as in that scale (its key there, :meth:`Scale.key`), as
    every per-scale statistic needs: an item may be reverse-keyed in one scale and not in
    another. Without it, each item takes its global ``reverse`` flag (its default key).
    """
    q = questionnaire
    pos = [q.item_position(i) for i in item_ids]
    out = np.full((len(responses), len(pos)), np.nan)
    for j, p in enumerate(pos):
        it = q.items[p]
        if it.type == "likert":
            values = np.arange(1, it.n_options + 1, dtype=float)
            if (scale.key(it.id) == -1) if scale is not None else it.reverse:
                values = values[::-1]
        else:
            values = np.array([np.nan if lv is None else lv for lv in it.option_levels], dtype=float)
        table = np.append(values, np.nan)  # code -1 -> NaN
        out[:, j] = table[responses.codes[:, p]]
    return out


def keyed_in_first_scale(questionnaire: Questionnaire, responses: ResponseSet) -> np.ndarray:
    """Every item (questionnaire order) keyed as in its first scale, the scale that the item
    table's row and DIF's rest score refer to; an item in no scale by its global flag."""
    q = questionnaire
    out = keyed_matrix(q, responses, q.item_ids)
    by_id = {s.id: s for s in q.scales}
    for p, it in enumerate(q.items):
        if it.type == "likert" and it.scales and by_id[it.scales[0]].key(it.id) != (-1 if it.reverse else 1):
            out[:, p] = it.n_options + 1 - out[:, p]  # keyed the other way in that scale (NaN stays)
    return out
