"""The cumulative-logit link, written once: probabilities for scoring, stable log-probabilities,
ordered thresholds and the penalised likelihood (with its gradient) for fitting.

Used by the scoring kernel (an ``"ordinal"`` :class:`~akhlak_levels.LevelModel`), by the
supervised ordinal calibration and by the ordinal logistic-regression DIF test.

The model: for ``J`` ordered categories and linear predictor ``eta``,
``P(Y <= j) = F(theta_j - eta)``, ``j = 1..J-1``, with ``F`` the logistic function and
``theta_1 < ... < theta_{J-1}``. Thresholds are parametrised as
``tau = (theta_1, log(theta_2 - theta_1), ..., log(theta_{J-1} - theta_{J-2}))`` so that any
real ``tau`` gives increasing thresholds.

Examples
--------
>>> import numpy as np
>>> theta = thresholds(np.array([-1.0, 0.0, 0.0, 0.0]))
>>> theta.tolist()
[-1.0, 0.0, 1.0, 2.0]
>>> p = cumulative_logit(theta[None, :] - 0.5)
>>> np.allclose(p, np.exp(cumulative_logit_log_proba(theta, np.array([0.5])))), bool(np.isclose(p.sum(), 1.0))
(True, True)
"""

from __future__ import annotations

import numpy as np

from ..levels import N_LEVELS

__all__ = ["cumulative_logit", "cumulative_logit_log_proba", "ordinal_negloglik", "thresholds"]


def thresholds(tau: np.ndarray) -> np.ndarray:
    """Increasing ``theta`` from ``tau = (theta_1, log(theta_2 - theta_1), ...)``."""
    return tau[0] + np.concatenate([[0.0], np.cumsum(np.exp(tau[1:]))])


def cumulative_logit(s: np.ndarray) -> np.ndarray:
    """Category probabilities from ``s_j = theta_j - eta``, shape (n, J - 1) -> (n, J).

    ``p_j = F(s_j) - F(s_{j-1})``, with ``F`` computed as a stable ``(1 + tanh(s / 2)) / 2``;
    thresholds that do not increase give 0, never a negative probability. Extra trailing
    columns of ``s`` beyond ``J - 1`` are not read, so a 5-column log prior of an ordinal
    :class:`~akhlak_levels.LevelModel` (its last entry unused) can be passed as is.
    """
    J = N_LEVELS
    cum = np.empty((s.shape[0], J + 1))
    cum[:, 0] = 0.0
    cum[:, J] = 1.0
    cum[:, 1:J] = 0.5 * (1.0 + np.tanh(0.5 * s[:, : J - 1]))
    return np.maximum(np.diff(cum, axis=1), 0.0)


def cumulative_logit_log_proba(theta: np.ndarray, eta: np.ndarray) -> np.ndarray:
    """``log P(Y = j)`` for every respondent and category, shape (n, J), J = len(theta) + 1.

    With ``a = theta_j - eta`` and ``b = theta_{j-1} - eta``, ``F(a) - F(b) = F(a) (1 - F(b))
    (1 - exp(b - a))``, so ``log p_j = -softplus(-a) - softplus(b) + log(-expm1(b - a))``:
    no difference of nearly equal numbers.
    """
    J = theta.shape[0] + 1
    s = theta[None, :] - eta[:, None]
    out = np.zeros((eta.shape[0], J))
    out[:, :-1] -= np.logaddexp(0.0, -s)  # log F(theta_j - eta), j = 1..J-1
    out[:, 1:] -= np.logaddexp(0.0, s)  # log (1 - F(theta_{j-1} - eta)), j = 2..J
    out[:, 1:-1] += np.log(-np.expm1(-np.diff(theta)))[None, :]
    return out


def ordinal_negloglik(params: np.ndarray, X, y: np.ndarray, n_categories: int, alpha: float = 0.0) -> tuple[float, np.ndarray]:
    """Penalised negative log-likelihood ``-sum_n log P(y_n) + alpha ||beta||^2 / 2`` and its gradient.

    ``params`` is ``beta`` (one per column of ``X``, dense or sparse) followed by ``tau``
    (``n_categories - 1`` values, see :func:`thresholds`); ``y`` holds categories
    ``0..n_categories-1``. Every term is computed in log space; a threshold gap that
    underflows (thresholds merging on separated data) is kept just above 0, so an optimiser
    can follow the supremum of the likelihood there.
    """
    import scipy.special
    J = int(n_categories)
    n_beta = X.shape[1]
    beta, tau = params[:n_beta], params[n_beta:]
    theta = thresholds(tau)
    eta = X @ beta
    upper = y < J - 1  # an upper threshold theta_y
    lower = y > 0  # a lower threshold theta_{y-1}
    middle = upper & lower
    hi = np.where(upper, y, 0)
    lo = np.where(lower, y - 1, 0)
    mid = np.where(middle, y - 1, 0)
    a = theta[hi] - eta
    b = theta[lo] - eta
    gaps = np.maximum(np.diff(theta), 1e-300) if J > 2 else np.ones(1)
    gap = np.where(middle, gaps[np.minimum(mid, gaps.shape[0] - 1)], 1.0)
    logp = (
        np.where(upper, -np.logaddexp(0.0, -a), 0.0)
        + np.where(lower, -np.logaddexp(0.0, b), 0.0)
        + np.where(middle, np.log(-np.expm1(-gap)), 0.0)
    )
    value = -logp.sum() + 0.5 * alpha * float(beta @ beta)
    # d log p / d a = 1 - F(a),  d log p / d b = -F(b),  d log(-expm1(-g)) / d g = 1 / expm1(g)
    ga = np.where(upper, scipy.special.expit(-a), 0.0)
    gb = np.where(lower, -scipy.special.expit(b), 0.0)
    with np.errstate(over="ignore"):
        gg = np.where(middle, 1.0 / np.expm1(gap), 0.0)
    grad_beta = X.T @ (ga + gb) + alpha * beta  # d(-log p) / d eta = ga + gb
    g_theta = -(np.bincount(hi, weights=ga + gg, minlength=J - 1) + np.bincount(lo, weights=gb - gg, minlength=J - 1))
    # theta_j = tau_0 + sum_{1 <= i <= j-1} exp(tau_i): d/d tau_0 = sum_j, d/d tau_i = exp(tau_i) sum_{j >= i}
    tail = np.cumsum(g_theta[::-1])[::-1]
    grad_tau = np.concatenate([[tail[0]], np.exp(tau[1:]) * tail[1:]])
    return float(value), np.concatenate([grad_beta, grad_tau])
