"""Latent class analysis of categorical answers by EM, vectorised over respondents.

The model: respondent ``r`` belongs to class ``k`` with probability ``pi_k``; given the class,
answers are independent with ``P(x_i = c | k) = P_i[c, k]``. Missing answers are left out of the
likelihood (full-information maximum likelihood under missing at random); no respondent is
dropped. Both EM steps are sparse matrix products over a one-hot coding of the answers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Sequence, TYPE_CHECKING

import numpy as np
if TYPE_CHECKING:
    from scipy import sparse

from ._onehot import one_hot

__all__ = ["LatentClassFit", "fit_latent_classes"]

#: The maximum-likelihood refinement (accelerated EM) stops when a cycle gains less than this
#: much log-likelihood per respondent (at most ``ML_MAX_ITER_FACTOR * max_iter`` EM steps).
ML_TOL = 1e-12
ML_MAX_ITER_FACTOR = 10


@dataclass(frozen=True)
class LatentClassFit:
    """The best of several EM runs.

    Attributes
    ----------
    probabilities : list of ndarray
        Per item, ``(n_options, n_classes)``: ``P(x_i = c | class k)``; columns sum to one.
    class_weights : ndarray of shape (n_classes,)
    log_likelihood : float
        Observed-data log-likelihood at the estimates (missing answers integrated out).
    posterior : ndarray of shape (n, n_classes)
    n_iter : int
    converged : bool
    start_log_likelihoods : list of float
        Final log-likelihood of every start, in the order run.
    n_parameters : int
        ``(K - 1) + K * sum_i (n_options_i - 1)``, counted as poLCA, stepmix and flexmix count
        them (every probability free, whether or not it ends on a boundary).
    ml_probabilities, ml_class_weights, ml_posterior : list of ndarray, ndarray, ndarray
        The maximum-likelihood estimates: EM without smoothing (accelerated by SQUAREM), run on
        from the estimates above until a cycle of three EM steps gains less than ``1e-12`` in
        log-likelihood per respondent. With ``smoothing=0`` they are the estimates above, run on
        to that tolerance.
    ml_log_likelihood : float
        Observed-data log-likelihood at the maximum-likelihood estimates.
    ml_iterations : int
        EM steps of the refinement.
    ml_converged : bool
    """

    probabilities: list[np.ndarray]
    class_weights: np.ndarray
    log_likelihood: float
    posterior: np.ndarray
    n_iter: int
    converged: bool
    start_log_likelihoods: list[float] = field(default_factory=list)
    start_iterations: list[int] = field(default_factory=list)
    n_parameters: int = 0
    ml_probabilities: list[np.ndarray] = field(default_factory=list)
    ml_class_weights: np.ndarray = field(default_factory=lambda: np.empty(0))
    ml_log_likelihood: float = float("nan")
    ml_posterior: np.ndarray = field(default_factory=lambda: np.empty((0, 0)))
    ml_iterations: int = 0
    ml_converged: bool = False


def _blocks(n_options: Sequence[int] | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    sizes = np.asarray(n_options, dtype=np.int64)
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    return offsets, sizes


def _m_step(
    X: sparse.csr_matrix,
    post: np.ndarray,
    offsets: np.ndarray,
    sizes: np.ndarray,
    smoothing: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Class weights and flat class-conditional probabilities (sum of options x K)."""
    counts = np.asarray(X.T @ post)  # (T, K): posterior mass choosing each option
    counts += np.repeat(smoothing / sizes, sizes)[:, None]  # additive smoothing, `smoothing` per item and class
    totals = np.repeat(np.add.reduceat(counts, offsets, axis=0), sizes, axis=0)  # per item and class
    if smoothing > 0:
        flat = counts / totals
    else:  # a class that has emptied (no posterior mass at all) keeps uniform probabilities
        flat = np.divide(counts, totals, out=np.repeat(1.0 / sizes, sizes)[:, None] * np.ones_like(counts), where=totals > 0)
    weights = post.mean(axis=0)
    return weights, flat


def _e_step(X: sparse.csr_matrix, log_flat: np.ndarray, log_weights: np.ndarray) -> tuple[np.ndarray, float]:
    from scipy.special import logsumexp
    joint = np.asarray(X @ log_flat) + log_weights  # (n, K)
    norm = logsumexp(joint, axis=1)
    post = np.exp(joint - norm[:, None])
    return post, float(norm.sum())


def _run(
    X: sparse.csr_matrix,
    flat: np.ndarray,
    weights: np.ndarray,
    offsets: np.ndarray,
    sizes: np.ndarray,
    smoothing: float,
    max_iter: int,
    tol: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, float, int, bool]:
    n = X.shape[0]
    ll_old = -np.inf
    converged = False
    it = 0
    post = np.empty((n, len(weights)))
    for it in range(1, max_iter + 1):
        post, ll = _e_step(X, np.log(np.maximum(flat, 1e-300)), np.log(np.maximum(weights, 1e-300)))
        if ll - ll_old < tol * n and it > 1:
            converged = True
            break
        ll_old = ll
        weights, flat = _m_step(X, post, offsets, sizes, smoothing)
    else:  # out of iterations: evaluate the last M step's parameters
        post, ll = _e_step(X, np.log(np.maximum(flat, 1e-300)), np.log(np.maximum(weights, 1e-300)))
    # ll and post belong to the returned parameters
    return flat, weights, post, ll, it, converged


def _em_map(
    X: sparse.csr_matrix, flat: np.ndarray, weights: np.ndarray, offsets: np.ndarray, sizes: np.ndarray
) -> tuple[np.ndarray, np.ndarray, float, np.ndarray]:
    """One EM step without smoothing: the next estimates, and the log-likelihood and posterior of
    the ones given."""
    post, ll = _e_step(X, np.log(np.maximum(flat, 1e-300)), np.log(np.maximum(weights, 1e-300)))
    new_weights, new_flat = _m_step(X, post, offsets, sizes, 0.0)
    return new_flat, new_weights, ll, post


def _run_ml(
    X: sparse.csr_matrix,
    flat: np.ndarray,
    weights: np.ndarray,
    offsets: np.ndarray,
    sizes: np.ndarray,
    max_iter: int,
    tol: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, float, int, bool]:
    """EM without smoothing, accelerated by SQUAREM (Varadhan & Roland, 2008, scheme S3): from
    ``theta0``, two EM steps give ``r = theta1 - theta0`` and ``v = theta2 - 2 theta1 + theta0``;
    the extrapolation ``theta0 - 2 a r + a^2 v`` (``a = -|r| / |v|``, at most -1; an affine
    combination, so each distribution still sums to one; negative entries set to 0 and the
    distribution renormalised) is followed by one EM step, and kept only if its log-likelihood
    is at least ``theta1``'s, else ``theta2`` is. So the log-likelihood never decreases. Stops when
    a cycle gains less than ``tol`` per respondent; the count returned is of EM steps."""
    n = X.shape[0]
    ll_prev = -np.inf
    steps = 0
    while True:
        f1, w1, ll0, post0 = _em_map(X, flat, weights, offsets, sizes)  # ll0, post0: of (flat, weights)
        steps += 1
        converged = ll0 - ll_prev < tol * n
        if converged or steps >= max_iter:
            return flat, weights, post0, ll0, steps, bool(converged)
        ll_prev = ll0
        f2, w2, ll1, _ = _em_map(X, f1, w1, offsets, sizes)
        steps += 1
        rf, rw = f1 - flat, w1 - weights
        vf, vw = f2 - f1 - rf, w2 - w1 - rw
        norm_v = float(np.sqrt(np.sum(vf**2) + np.sum(vw**2)))
        f0, w0 = flat, weights
        flat, weights = f2, w2  # plain EM, unless the extrapolation does better
        if norm_v == 0:
            continue
        a = min(-float(np.sqrt(np.sum(rf**2) + np.sum(rw**2))) / norm_v, -1.0)
        fp = np.maximum(f0 - 2 * a * rf + a**2 * vf, 0.0)
        wp = np.maximum(w0 - 2 * a * rw + a**2 * vw, 0.0)
        totals = np.repeat(np.add.reduceat(fp, offsets, axis=0), sizes, axis=0)
        if np.all(totals > 0) and wp.sum() > 0:
            f3, w3, llp, _ = _em_map(X, fp / totals, wp / wp.sum(), offsets, sizes)
            steps += 1
            if llp >= ll1:
                flat, weights = f3, w3


def fit_latent_classes(
    codes: np.ndarray,
    n_options: Sequence[int] | np.ndarray,
    n_classes: int,
    *,
    n_init: int = 5,
    smoothing: float = 1.0,
    max_iter: int = 500,
    tol: float = 1e-6,
    random_state: np.random.Generator,
    init: Sequence[np.ndarray] | None = None,
    progress: Callable[[int, int, float], None] | None = None,
) -> LatentClassFit:
    """Fit a latent class model by EM from several starts and keep the best.

    Parameters
    ----------
    codes : ndarray of int, shape (n, n_items)
        Option index from 0; :data:`~akhlak_levels.MISSING` (-1) where unanswered.
    n_options : sequence of int
    n_classes : int
    n_init : int, default=5
        Random starts: class-conditional probabilities drawn from a flat Dirichlet, equal class
        weights. When ``init`` is given it is run first, in addition to these.
    smoothing : float, default=1.0
        Pseudo-count added per item and class, spread evenly over the options (a Dirichlet
        prior); it keeps every probability above zero. 0 gives maximum likelihood. Whatever
        it is, the maximum-likelihood estimates are computed too (``ml_*``).
    max_iter : int, default=500
    tol : float, default=1e-6
        Stop when the log-likelihood gains less than ``tol`` per respondent in an iteration.
        The best start is then run on until it gains less than ``tol / 100``.
    random_state : numpy.random.Generator
    init : sequence of ndarray, default=None
        Starting class-conditional probabilities, one ``(n_options, n_classes)`` array per item.
    progress : callable, default=None
        ``progress(start, n_starts, log_likelihood)`` after each start.

    Returns
    -------
    LatentClassFit

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> truth = rng.integers(0, 2, 2000)
    >>> p_yes = np.where(truth[:, None] == 1, 0.9, 0.2)
    >>> codes = (rng.random((2000, 6)) < p_yes).astype(np.int8)
    >>> fit = fit_latent_classes(codes, [2] * 6, 2, random_state=rng)
    >>> sorted(fit.class_weights.round(1).tolist())
    [0.5, 0.5]
    """
    codes = np.asarray(codes)
    X = one_hot(codes, n_options)
    offsets, sizes = _blocks(n_options)
    starts: list[tuple[np.ndarray, np.ndarray]] = []
    if init is not None:
        starts.append((np.concatenate([np.asarray(p, dtype=float) for p in init], axis=0), np.full(n_classes, 1.0 / n_classes)))
    for _ in range(n_init):
        flat = np.concatenate([rng_dirichlet(random_state, s, n_classes) for s in sizes], axis=0)
        starts.append((flat, np.full(n_classes, 1.0 / n_classes)))
    best = None
    lls: list[float] = []
    iters: list[int] = []
    for s_i, (flat0, w0) in enumerate(starts):
        flat, weights, post, ll, it, conv = _run(X, flat0, w0, offsets, sizes, smoothing, max_iter, tol)
        lls.append(ll)
        iters.append(it)
        if best is None or ll > best[3]:
            best = (flat, weights, post, ll, it, conv)
        if progress is not None:
            progress(s_i + 1, len(starts), ll)
    assert best is not None
    # polish the winner: starts are compared at `tol`, the chosen one is run on to `tol / 100`
    flat, weights, post, ll, it, conv = best
    if conv and it < max_iter:
        flat, weights, post, ll2, it2, conv = _run(X, flat, weights, offsets, sizes, smoothing, max_iter - it, tol / 100)
        if ll2 >= ll:
            ll, it = ll2, it + it2
        else:  # pragma: no cover - EM does not decrease the likelihood
            flat, weights, post, ll, it, conv = best
    # the maximum likelihood: EM without smoothing, from the estimates above, to a tight tolerance
    ml_flat, ml_w, ml_post, ml_ll, ml_it, ml_conv = _run_ml(X, flat, weights, offsets, sizes, ML_MAX_ITER_FACTOR * max_iter, ML_TOL)
    if smoothing == 0:  # the estimates are the maximum likelihood's, run on
        flat, weights, post, ll = ml_flat, ml_w, ml_post, ml_ll
    probs = [flat[o : o + s].copy() for o, s in zip(offsets, sizes)]
    ml_probs = [ml_flat[o : o + s].copy() for o, s in zip(offsets, sizes)]
    n_par = (n_classes - 1) + n_classes * int(np.sum(sizes - 1))
    return LatentClassFit(
        probs, weights, ll, post, it, conv, lls, iters, n_par, ml_probs, ml_w, ml_ll, ml_post, ml_it, ml_conv
    )


def rng_dirichlet(rng: np.random.Generator, n_opt: int, n_classes: int) -> np.ndarray:
    """``(n_opt, n_classes)``: each column a draw from a flat Dirichlet."""
    return rng.dirichlet(np.ones(n_opt), size=n_classes).T
