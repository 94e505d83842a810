"""Counting kernels of the culture map: votes by (row, question, behaviour) with one
``np.bincount``, group means and delta-method standard errors (the Wilson interval is the ground floor's, re-exported).

A "row" is a table row of the culture map: row 0 is everyone, rows 1.. the groups. A respondent
enters row 0 and the row of their group, so each kernel takes the respondents' positions
``sel`` and the rows ``rows`` they are counted in (both of the same length).
"""

from __future__ import annotations

import numpy as np

from .._intervals import wilson_interval

__all__ = ["count_votes", "row_mean_se", "wilson_interval"]


def count_votes(picks: np.ndarray, sel: np.ndarray, rows: np.ndarray, n_rows: int, n_behaviours: int) -> np.ndarray:
    """Votes per (row, question, behaviour), shape (n_rows, Q, B), from the picks (n, Q, P).

    Examples
    --------
    >>> picks = np.array([[[0, 1]], [[1, -1]]], dtype=np.int16)   # 2 respondents, 1 question
    >>> count_votes(picks, np.array([0, 1, 1]), np.array([0, 0, 1]), 2, 3).tolist()
    [[[1, 2, 0]], [[0, 1, 0]]]
    """
    n_q = picks.shape[1]
    out = np.empty((n_rows, n_q, n_behaviours), dtype=np.int64)
    kind = np.dtype(np.int32 if n_rows * n_behaviours < 2**31 else np.int64)
    base = rows.astype(kind)[:, None] * np.asarray(n_behaviours, dtype=kind)  # (m, 1)
    for qi in range(n_q):  # one bincount per question: temporaries of (m, P), not (m, Q, P) in int64
        p = picks[sel, qi]
        key = base + p
        out[:, qi] = np.bincount(key[p >= 0], minlength=n_rows * n_behaviours).reshape(n_rows, n_behaviours)
    return out


def row_mean_se(y: np.ndarray, rows: np.ndarray, n_rows: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per row: the count, the mean of ``y`` (m,) or (m, k) and the standard error of that mean
    (sample variance with ``n - 1``, NaN under two people).

    Examples
    --------
    >>> n, mean, se = row_mean_se(np.array([1.0, 3.0, 5.0]), np.array([0, 0, 1]), 2)
    >>> n.tolist(), mean.tolist(), se.round(6).tolist()[0]
    ([2.0, 1.0], [2.0, 5.0], 1.0)
    """
    y2 = y.reshape(y.shape[0], -1)
    n = np.bincount(rows, minlength=n_rows).astype(float)
    s = np.stack([np.bincount(rows, weights=y2[:, j], minlength=n_rows) for j in range(y2.shape[1])], axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = s / n[:, None]
        dev = y2 - mean[rows]
        ss = np.stack([np.bincount(rows, weights=dev[:, j] ** 2, minlength=n_rows) for j in range(y2.shape[1])], axis=1)
        se = np.where(n[:, None] > 1, np.sqrt(ss / np.maximum(n[:, None] - 1, 1) / n[:, None]), np.nan)
    shape = (n_rows,) + y.shape[1:]
    return n, mean.reshape(shape), se.reshape(shape)
