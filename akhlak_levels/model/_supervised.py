"""Supervised calibration: level weights learnt from labelled respondents.

Two models on one-hot coded answers, both cross-validated and both mapped into the weight table
of a :class:`~akhlak_levels.LevelModel`:

``"logistic"``
    Multinomial logistic regression (scikit-learn, L2, lbfgs). ``logit_k = b_k + sum_i
    W[i, x_i, k]`` is exactly the level model's softmax, so ``W`` is the coefficient table and
    ``b`` the intercept.
``"ordinal"``
    A proportional-odds (cumulative-logit) model, ``P(level <= k | x) = logistic(theta_k -
    eta)`` with ``eta = sum_i beta[i, x_i]``, fitted with :func:`scipy.optimize.minimize`. It
    uses the order of the levels: one score ``eta`` instead of four free contrasts.

The regularisation of each is chosen by stratified K-fold cross-validation on the log loss; the
out-of-fold probabilities of the chosen value give the reported fit (:func:`classification_metrics`).

An unanswered item sets no one-hot column and so adds 0 to the score. The L2 penalty picks, among
the equivalent codings, the one whose weights are centred over each item's options, so 0 is
close to the item's average option: a missing answer counts as about neutral. That is an
approximation; a latent-class model marginalises a missing answer exactly.

The dispatcher :func:`akhlak_levels.calibration.calibrate` validates inputs and builds the
:class:`~akhlak_levels.LevelModel`; the functions here take validated arrays.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any, Sequence, TYPE_CHECKING

import numpy as np
if TYPE_CHECKING:
    import scipy.optimize
    import scipy.sparse
    from sklearn.linear_model import LogisticRegression
from threadpoolctl import threadpool_limits

from ._onehot import option_offsets, design_matrix
from ._links import cumulative_logit_log_proba, ordinal_negloglik, thresholds
from ._model import is_level_distribution
from ..errors import ModelError
from ..levels import N_LEVELS
from ..questionnaire import Questionnaire, load_questionnaire
from .._validation import Interval, check, check_random_state, param_error

__all__ = ["SupervisedFit", "fit_logistic", "fit_ordinal", "classification_metrics"]

_LEVELS = np.arange(1, N_LEVELS + 1)
#: Solver settings of the logistic fits (recorded in ``settings`` so that a fit can be repeated).
_LOGISTIC_TOL = 1e-8
_LOGISTIC_CV_TOL = 1e-6  # enough to rank the grid values, four times faster
_LOGISTIC_MAX_ITER = 5000
#: L-BFGS-B settings of the ordinal fits.
_ORDINAL_MAX_ITER = 5000
_ORDINAL_OPTIONS = {"maxiter": _ORDINAL_MAX_ITER, "gtol": 1e-6, "ftol": 1e-12}
_N_BINS = 10


@dataclass(frozen=True)
class SupervisedFit:
    """A fitted supervised model in the level model's terms.

    Attributes
    ----------
    kind : str
        ``"logistic"`` or ``"ordinal"``.
    weights : list of ndarray
        One ``(n_options_i, 5)`` array per item, in questionnaire order: ``W[i, c, k]``.
    log_prior : ndarray of shape (5,)
        The intercepts (logistic) or the thresholds ``theta_1..theta_4`` followed by 0 (ordinal).
    settings : dict
        The regularisation chosen and the grid it was chosen from, the cross-validation and
        solver settings, and the out-of-fold log loss of every grid value.
    fit : dict
        Cross-validated (out-of-fold) metrics, see :func:`classification_metrics`.
    """

    kind: str
    weights: list[np.ndarray]
    log_prior: np.ndarray
    settings: dict[str, Any]
    fit: dict[str, Any]


# =========================================================================== design matrix


def _split_columns(q: Questionnaire, table: np.ndarray) -> list[np.ndarray]:
    """Cut a (n_columns, 5) table into one (n_options_i, 5) block per item."""
    offsets = option_offsets(q)
    return [np.array(table[offsets[i] : offsets[i + 1]], dtype=float) for i in range(q.n_items)]


# =========================================================================== metrics


def classification_metrics(labels: Sequence[int] | np.ndarray, probabilities: np.ndarray) -> dict[str, Any]:
    """How well level probabilities predict known levels.

    Parameters
    ----------
    labels : array-like of int in 1..5, shape (n,)
    probabilities : ndarray of shape (n, 5)
        Columns are levels 1..5; the predicted level is the most probable one (the lowest on a
        tie).

    Returns
    -------
    dict
        JSON-ready (plain ``int`` / ``float``):

        - ``n``: number of respondents;
        - ``accuracy``: share predicted right;
        - ``balanced_accuracy``: mean over the levels present in ``labels`` of the share of
          that level predicted right;
        - ``quadratic_weighted_kappa``: Cohen's kappa with weights ``(j - k)^2``
          (``None`` when undefined, i.e. both labels and predictions are one level);
        - ``log_loss``: ``-mean log p_y`` (probabilities clipped at machine epsilon);
        - ``brier``: ``mean_n sum_k (p_k - [y = k])^2``, from 0 (perfect) to 2;
        - ``calibration_error``: expected calibration error of the top probability, in 10 bins
          ``[0, 0.1), ..., [0.9, 1]``: ``sum_b (n_b / n) |accuracy_b - mean confidence_b|``;
        - ``confusion_matrix``: 5 x 5 counts, rows true level 1..5, columns predicted level.

    Examples
    --------
    >>> from akhlak_levels.model import classification_metrics
    >>> p = np.array([[.7, .1, .1, .05, .05], [.1, .6, .2, .05, .05], [.1, .5, .3, .05, .05]])
    >>> m = classification_metrics([1, 2, 3], p)
    >>> m["accuracy"], round(m["log_loss"], 4), m["confusion_matrix"][2]
    (0.6666666666666666, 0.6905, [0, 1, 0, 0, 0])
    """
    from sklearn.metrics import cohen_kappa_score
    y = np.asarray(labels)
    p = np.asarray(probabilities, dtype=float)
    if y.ndim != 1 or p.shape != (y.shape[0], N_LEVELS):
        raise ValueError(f"Expected labels of shape (n,) and probabilities of shape (n, {N_LEVELS}); got {y.shape} and {p.shape}.")
    if y.shape[0] == 0:
        raise ValueError("classification_metrics needs at least one respondent.")
    if not np.isin(y, _LEVELS).all():
        raise ValueError(f"Labels must be levels 1..{N_LEVELS}; got {sorted(set(np.unique(y).tolist()) - set(_LEVELS.tolist()))}.")
    y = y.astype(np.int64)
    n = y.shape[0]
    rows = np.arange(n)
    pred = p.argmax(axis=1) + 1
    correct = pred == y
    truth = np.zeros_like(p)
    truth[rows, y - 1] = 1.0

    confusion = np.zeros((N_LEVELS, N_LEVELS), dtype=np.int64)
    np.add.at(confusion, (y - 1, pred - 1), 1)
    per_level = confusion.sum(axis=1)
    present = per_level > 0
    recall = np.diag(confusion)[present] / per_level[present]

    with warnings.catch_warnings(), np.errstate(divide="ignore", invalid="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        kappa = float(cohen_kappa_score(y, pred, labels=_LEVELS, weights="quadratic"))

    confidence = p.max(axis=1)
    bins = np.minimum((confidence * _N_BINS).astype(np.int64), _N_BINS - 1)
    count = np.bincount(bins, minlength=_N_BINS)
    gap = np.abs(np.bincount(bins, weights=correct, minlength=_N_BINS) - np.bincount(bins, weights=confidence, minlength=_N_BINS))
    eps = np.finfo(float).eps
    return {
        "n": int(n),
        "accuracy": float(correct.mean()),
        "balanced_accuracy": float(recall.mean()),
        "quadratic_weighted_kappa": kappa if np.isfinite(kappa) else None,
        "log_loss": float(-np.log(np.clip(p[rows, y - 1], eps, 1.0)).mean()),
        "brier": float(((p - truth) ** 2).sum(axis=1).mean()),
        # sum_b (n_b / n) |acc_b - conf_b| = sum_b |sum correct - sum confidence| / n
        "calibration_error": float(gap[count > 0].sum() / n),
        "confusion_matrix": confusion.tolist(),
    }


# =========================================================================== shared helpers


def _check_cv(cv: int, labels: np.ndarray) -> int:
    """``cv`` as an int, once every level has at least ``cv`` labelled respondents."""
    cv = check(None, "cv", cv, Interval(2, None, integer=True))
    counts = np.bincount(labels, minlength=N_LEVELS + 1)[1:]
    if counts.min() < cv:
        short = ", ".join(f"level {k}: {c}" for k, c in zip(_LEVELS, counts) if c < cv)
        raise ModelError(
            f"Stratified {cv}-fold cross-validation needs at least {cv} labelled respondents at every level "
            f"({short}). Label more respondents at these levels or lower cv."
        )
    return cv


def _check_grid(name: str, values: Sequence[float]) -> list[float]:
    """The penalties to choose from, as floats."""
    grid = [float(v) for v in np.atleast_1d(np.asarray(values, dtype=float))]
    if not grid or not all(np.isfinite(v) and v > 0 for v in grid):
        raise param_error(None, name, "a non-empty sequence of positive numbers", values)
    return grid


def _folds(labels: np.ndarray, cv: int, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    from sklearn.model_selection import StratifiedKFold
    splitter = StratifiedKFold(n_splits=cv, shuffle=True, random_state=seed)
    return list(splitter.split(np.zeros((labels.shape[0], 1)), labels))


def _log_loss(labels: np.ndarray, probabilities: np.ndarray) -> float:
    p = probabilities[np.arange(labels.shape[0]), labels - 1]
    return float(-np.log(np.clip(p, np.finfo(float).eps, 1.0)).mean())


def _one_blas_thread() -> threadpool_limits:
    """The fits do many small vector operations: BLAS threads only add overhead, and on a busy
    machine their spinning slows a fit tenfold."""
    return threadpool_limits(limits=1, user_api="blas")


def _seed(rng: np.random.Generator) -> int:
    """An integer seed for scikit-learn, drawn from the generator."""
    return int(rng.integers(0, 2**31 - 1))


# =========================================================================== logistic


def _logistic(C: float, tol: float = _LOGISTIC_TOL) -> LogisticRegression:
    from sklearn.linear_model import LogisticRegression
    return LogisticRegression(C=C, solver="lbfgs", tol=tol, max_iter=_LOGISTIC_MAX_ITER)


def fit_logistic(
    questionnaire: Questionnaire | str,
    codes: np.ndarray,
    labels: np.ndarray,
    *,
    Cs: Sequence[float] = (0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0),
    cv: int = 5,
    random_state: np.random.Generator | int | None,
    prior: Sequence[float] | np.ndarray | None = None,
) -> SupervisedFit:
    """Multinomial logistic regression of the levels on one-hot answers.

    Parameters
    ----------
    questionnaire : Questionnaire or str
    codes : ndarray of int8, shape (n, n_items)
        Option index from 0, -1 for missing (validated by the caller).
    labels : ndarray of int, shape (n,)
        Levels 1..5, every level present.
    Cs : sequence of float, default=(0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
        Inverse L2 penalties to choose from (scikit-learn's ``C``).
    cv : int, default=5
        Folds of stratified cross-validation.
    random_state : numpy.random.Generator
        Draws the seed of the fold split.
    prior : array-like of shape (5,), default=None
        Level probabilities of the population the model will score (positive, summing to one).
        The fitted intercept carries the level shares of the training sample; with a prior it
        is shifted by ``log(prior) - log(training shares)`` (Bayes' rule).

    Returns
    -------
    SupervisedFit
        ``W[i, c, k] = coef_[k, column of (i, c)]``, ``log_prior = intercept_`` (shifted when a
        prior is given); ``settings`` has ``C``, ``Cs``, ``cv``, ``cv_seed``, ``cv_log_loss``,
        ``solver``, ``tol``, ``max_iter``, and with a prior ``prior`` and ``training_shares``.

    Notes
    -----
    The penalised objective is scikit-learn's ``C sum_n -log p(y_n | x_n) + ||W||^2 / 2`` (the
    intercept is not penalised). ``C`` is the grid value with the smallest out-of-fold log loss
    (pooled over the folds; the smaller ``C`` on a tie); the model is refitted on all data. The
    reported fit uses the same out-of-fold probabilities, so it is slightly optimistic (the best
    of ``len(Cs)`` values was picked on them); with a handful of values the optimism is small.
    With a prior, the reported fit is that of the unshifted model on the training sample, where
    the training shares are the right base rates.

    One-hot coding is collinear (each answered item sets exactly one of its columns); the
    penalty makes the coefficients unique.

    Examples
    --------
    >>> from akhlak_levels import load_questionnaire, simulate
    >>> from akhlak_levels.model import fit_logistic
    >>> q = load_questionnaire("socio-emotional-levels")
    >>> rs, truth = simulate(q, 300, random_state=0)
    >>> fit = fit_logistic(q, rs.codes, truth, Cs=(0.1, 1.0), cv=3, random_state=np.random.default_rng(0))
    >>> fit.kind, fit.weights[0].shape, fit.fit["accuracy"] > 0.8
    ('logistic', (5, 5), True)
    """
    q = load_questionnaire(questionnaire)
    rng = check_random_state(random_state)
    y = np.asarray(labels).astype(np.int64)
    cv = _check_cv(cv, y)
    grid = sorted(_check_grid("Cs", Cs))
    shift = None
    if prior is not None:
        shift = _prior_shift(prior, y)
    X = design_matrix(q, codes)
    seed = _seed(rng)
    folds = _folds(y, cv, seed)

    oof = np.empty((len(grid), y.shape[0], N_LEVELS))
    with _one_blas_thread():
        for train, test in folds:
            for j, C in enumerate(grid):
                oof[j, test] = _logistic(C, _LOGISTIC_CV_TOL).fit(X[train], y[train]).predict_proba(X[test])
        losses = [_log_loss(y, oof[j]) for j in range(len(grid))]
        best = int(np.argmin(losses))  # the stronger penalty on a tie
        model = _logistic(grid[best]).fit(X, y)
    _warn_unconverged(model.n_iter_, _LOGISTIC_MAX_ITER, "logistic regression")

    log_prior = np.asarray(model.intercept_, dtype=float).copy()
    settings: dict[str, Any] = {
        "C": grid[best],
        "Cs": grid,
        "cv": cv,
        "cv_seed": seed,
        "cv_log_loss": losses,
        "selection": "smallest out-of-fold log loss",
        "solver": "lbfgs",
        "penalty": "l2",
        "tol": _LOGISTIC_TOL,
        "cv_tol": _LOGISTIC_CV_TOL,
        "max_iter": _LOGISTIC_MAX_ITER,
        "n_iter": int(np.max(model.n_iter_)),
    }
    if shift is not None:
        log_prior += shift[0]
        settings["prior"] = shift[1].tolist()
        settings["training_shares"] = shift[2].tolist()
    return SupervisedFit(
        kind="logistic",
        weights=_split_columns(q, np.asarray(model.coef_, dtype=float).T),
        log_prior=log_prior,
        settings=settings,
        fit=classification_metrics(y, oof[best]),
    )


def _prior_shift(prior: Sequence[float] | np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    pr = np.asarray(prior, dtype=float)
    if not is_level_distribution(pr):
        raise param_error(None, "prior", f"{N_LEVELS} positive numbers summing to 1", np.asarray(prior).tolist(), error=ModelError)
    pr = pr / pr.sum()
    shares = np.bincount(y, minlength=N_LEVELS + 1)[1:] / y.shape[0]
    return np.log(pr) - np.log(shares), pr, shares


def _warn_unconverged(n_iter: Any, max_iter: int, what: str) -> None:
    from sklearn.exceptions import ConvergenceWarning
    if np.max(n_iter) >= max_iter:
        warnings.warn(
            f"The {what} did not converge in {max_iter} iterations; the weights may be imprecise.",
            ConvergenceWarning,
            stacklevel=3,
        )


# =========================================================================== ordinal


def _ordinal_objective(
    params: np.ndarray, X: scipy.sparse.csr_matrix, y0: np.ndarray, alpha: float
) -> tuple[float, np.ndarray]:
    """Penalised negative log-likelihood of the five-level cumulative-logit model and its gradient
    (see :func:`akhlak_levels.model._links.ordinal_negloglik`); ``y0`` holds levels 0..4."""
    return ordinal_negloglik(params, X, y0, N_LEVELS, alpha)


def _ordinal_start(y0: np.ndarray, n_beta: int) -> np.ndarray:
    """``beta = 0`` and thresholds at the logits of the cumulative level shares."""
    import scipy.special
    shares = np.bincount(y0, minlength=N_LEVELS) + 0.5
    cum = np.cumsum(shares)[:-1] / shares.sum()
    theta = scipy.special.logit(cum)
    return np.concatenate([np.zeros(n_beta), [theta[0]], np.log(np.diff(theta))])


def _fit_ordinal_params(X: scipy.sparse.csr_matrix, y0: np.ndarray, alpha: float, start: np.ndarray) -> scipy.optimize.OptimizeResult:
    import scipy.optimize
    return scipy.optimize.minimize(
        _ordinal_objective, start, args=(X, y0, alpha), jac=True, method="L-BFGS-B", options=_ORDINAL_OPTIONS
    )


def _ordinal_proba(params: np.ndarray, X: scipy.sparse.csr_matrix) -> np.ndarray:
    n_beta = X.shape[1]
    return np.exp(cumulative_logit_log_proba(thresholds(params[n_beta:]), X @ params[:n_beta]))


def fit_ordinal(
    questionnaire: Questionnaire | str,
    codes: np.ndarray,
    labels: np.ndarray,
    *,
    alphas: Sequence[float] = (0.01, 0.1, 1.0, 10.0),
    cv: int = 5,
    random_state: np.random.Generator | int | None,
    prior: Sequence[float] | np.ndarray | None = None,
) -> SupervisedFit:
    """Proportional-odds (cumulative-logit) regression of the levels on one-hot answers.

    Parameters
    ----------
    questionnaire : Questionnaire or str
    codes : ndarray of int8, shape (n, n_items)
        Option index from 0, -1 for missing (validated by the caller).
    labels : ndarray of int, shape (n,)
        Levels 1..5, every level present.
    alphas : sequence of float, default=(0.01, 0.1, 1.0, 10.0)
        L2 penalties to choose from.
    cv : int, default=5
        Folds of stratified cross-validation.
    random_state : numpy.random.Generator
        Draws the seed of the fold split.
    prior : None
        Not supported; see Raises.

    Returns
    -------
    SupervisedFit
        Every weight row ``W[i, c, :] = -beta[i, c]`` (the same for the five levels) and
        ``log_prior = (theta_1, theta_2, theta_3, theta_4, 0)``: what a
        :class:`~akhlak_levels.LevelModel` of kind ``"ordinal"`` (link ``"cumulative-logit"``)
        expects. ``settings`` has ``alpha``, ``alphas``, ``cv``, ``cv_seed``, ``cv_log_loss``,
        ``solver``, ``converged``, ``n_iter``.

    Raises
    ------
    ModelError
        A ``prior`` was given: a prior over levels cannot be expressed in a cumulative-logit
        model.

    Notes
    -----
    ``P(level <= k | x) = logistic(theta_k - eta)`` with ``eta = sum_{answered i} beta[i, x_i]``
    and ``theta_1 < theta_2 < theta_3 < theta_4``. The thresholds are parametrised as
    ``theta_1`` and the logs of the increments ``theta_{k+1} - theta_k``, so the optimiser
    cannot cross them. The objective ``-sum_n log p(y_n | x_n) + alpha ||beta||^2 / 2``
    (``alpha`` plays the role of ``1 / C`` of the logistic fit; the thresholds are not
    penalised) is minimised by L-BFGS-B with its analytic gradient. One-hot coding has one
    redundant column per item; the penalty makes ``beta`` unique. ``alpha`` is chosen, and the
    fit reported, as in :func:`fit_logistic`.

    References
    ----------
    McCullagh, P. (1980). Regression models for ordinal data. *Journal of the Royal Statistical
    Society B*, 42(2), 109-142. (R: ``MASS::polr``, ``ordinal::clm``.)

    Examples
    --------
    >>> from akhlak_levels import load_questionnaire, simulate
    >>> from akhlak_levels.model import fit_ordinal
    >>> q = load_questionnaire("socio-emotional-levels")
    >>> rs, truth = simulate(q, 300, random_state=0)
    >>> fit = fit_ordinal(q, rs.codes, truth, alphas=(1.0,), cv=3, random_state=np.random.default_rng(0))
    >>> fit.kind, bool(np.all(np.diff(fit.log_prior[:4]) > 0)), float(fit.log_prior[4])
    ('ordinal', True, 0.0)
    """
    if prior is not None:
        raise ModelError(
            "A prior over levels cannot be expressed in a cumulative-logit (ordinal) model: its thresholds "
            "fix the level shares together with the item weights. Use method='logistic' or 'latent-class' "
            "to score with a prior."
        )
    q = load_questionnaire(questionnaire)
    rng = check_random_state(random_state)
    y = np.asarray(labels).astype(np.int64)
    cv = _check_cv(cv, y)
    grid = sorted(_check_grid("alphas", alphas), reverse=True)  # strongest first: warm starts
    X = design_matrix(q, codes)
    y0 = y - 1
    seed = _seed(rng)
    folds = _folds(y, cv, seed)

    oof = np.empty((len(grid), y.shape[0], N_LEVELS))
    with _one_blas_thread():
        for train, test in folds:
            params = _ordinal_start(y0[train], X.shape[1])
            for j, alpha in enumerate(grid):
                params = _fit_ordinal_params(X[train], y0[train], alpha, params).x
                oof[j, test] = _ordinal_proba(params, X[test])
        losses = [_log_loss(y, oof[j]) for j in range(len(grid))]
        best = int(np.argmin(losses))  # the stronger penalty on a tie
        result = _fit_ordinal_params(X, y0, grid[best], _ordinal_start(y0, X.shape[1]))
    _warn_unconverged(result.nit, _ORDINAL_MAX_ITER, "ordinal regression")
    beta, tau = result.x[: X.shape[1]], result.x[X.shape[1] :]
    theta = thresholds(tau)
    table = np.repeat(-beta[:, None], N_LEVELS, axis=1)
    settings: dict[str, Any] = {
        "alpha": grid[best],
        "alphas": grid,
        "cv": cv,
        "cv_seed": seed,
        "cv_log_loss": losses,
        "selection": "smallest out-of-fold log loss",
        "solver": "L-BFGS-B",
        "penalty": "l2",
        "converged": bool(result.success),
        "n_iter": int(result.nit),
    }
    return SupervisedFit(
        kind="ordinal",
        weights=_split_columns(q, table),
        log_prior=np.append(theta, 0.0),
        settings=settings,
        fit=classification_metrics(y, oof[best]),
    )
