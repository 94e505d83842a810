"""Level transitions between two waves: the 5 x 5 table of moves, raw and corrected.

:func:`transitions` counts the moves of matched respondents by hard level, sums the products of
their posteriors (the expected table), and fits a latent-transition model by EM that corrects
the moves for misclassification. The statistics are in ``docs/growth.md``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .._tables import frame, html_repr, records
from .._validation import Interval, check, param_error
from ..assessment import Assessment
from ..errors import ModelError
from ..levels import N_LEVELS
from ..model import LevelModel
from ._waves import (
    check_assessment,
    check_same_instrument,
    hard_levels,
    id_index,
    pair_positions,
    questionnaire_of,
    wilson_interval,
)

__all__ = ["TransitionTable", "transitions"]


@dataclass(frozen=True, eq=False)
class TransitionTable:
    """Level transitions between two waves; see :func:`transitions`.

    Every 5 x 5 array has rows = level before, columns = level after, levels 1-5 in order.

    Attributes
    ----------
    counts : ndarray of int64, shape (5, 5)
        Matched respondents by hard level; respondents undetermined (level 0) in either wave
        are left out and counted in ``n_undetermined``.
    proportions, proportions_ci_lower, proportions_ci_upper : ndarray of shape (5, 5)
        Row proportions of ``counts`` with Wilson intervals (NaN for an empty row).
    expected : ndarray of shape (5, 5)
        ``sum_i p_before[i, j] * p_after[i, k]`` over all matched respondents; sums to
        ``n_matched``.
    expected_proportions, expected_ci_lower, expected_ci_upper : ndarray of shape (5, 5)
        Row proportions of ``expected``, with Wilson intervals that treat the expected row total
        as the number of trials (an approximation).
    corrected : ndarray of shape (5, 5)
        Latent-transition estimate ``T[j, k] = P(level k after | level j before)``, corrected
        for misclassification; rows sum to 1. A row for a level nobody is estimated to hold
        before is not estimable and is set uniform (``notes`` says so).
    corrected_initial : ndarray of shape (5,)
        Estimated latent level distribution before (``pi``).
    corrected_counts : ndarray of shape (5, 5)
        ``n_matched * pi_j * T[j, k]``: expected latent moves. Rows with small totals are poorly
        determined.
    n_matched, n_undetermined, n_only_before, n_only_after : int
    prior : ndarray of shape (5,)
        The scoring model's prior used to turn posteriors into likelihoods.
    iterations : int
    converged : bool
    log_likelihood : float
        Of the latent-transition model, up to a constant.
    confidence : float
    notes : tuple of str
    """

    counts: np.ndarray
    proportions: np.ndarray
    proportions_ci_lower: np.ndarray
    proportions_ci_upper: np.ndarray
    expected: np.ndarray
    expected_proportions: np.ndarray
    expected_ci_lower: np.ndarray
    expected_ci_upper: np.ndarray
    corrected: np.ndarray
    corrected_initial: np.ndarray
    corrected_counts: np.ndarray
    n_matched: int
    n_undetermined: int
    n_only_before: int
    n_only_after: int
    prior: np.ndarray
    iterations: int
    converged: bool
    log_likelihood: float
    confidence: float
    notes: tuple[str, ...]

    def _columns(self) -> dict[str, np.ndarray]:
        j, k = np.meshgrid(np.arange(1, 6), np.arange(1, 6), indexing="ij")
        return {
            "level_before": j.ravel(),
            "level_after": k.ravel(),
            "count": self.counts.ravel(),
            "proportion": self.proportions.ravel(),
            "proportion_ci_lower": self.proportions_ci_lower.ravel(),
            "proportion_ci_upper": self.proportions_ci_upper.ravel(),
            "expected": self.expected.ravel(),
            "expected_proportion": self.expected_proportions.ravel(),
            "expected_ci_lower": self.expected_ci_lower.ravel(),
            "expected_ci_upper": self.expected_ci_upper.ravel(),
            "corrected": self.corrected.ravel(),
        }

    _repr_html_ = html_repr  # a compact, rounded table in a notebook

    def to_records(self) -> list[dict[str, Any]]:
        """One JSON-ready dict per (level before, level after) cell, 25 in all."""
        return records(self._columns())

    def to_frame(self) -> Any:
        """A pandas DataFrame with one row per cell (needs pandas)."""
        return frame(self._columns())

    def __repr__(self) -> str:
        return (
            f"TransitionTable(matched={self.n_matched}, undetermined={self.n_undetermined}, "
            f"stay={np.trace(self.counts)}, converged={self.converged})"
        )


def _resolve_prior(a: Assessment, model: LevelModel | None, prior: Any, notes: list[str]) -> np.ndarray:
    """The prior of the model that scored the waves, which turns posteriors into likelihoods:
    ``prior``, ``model.prior``, the default model's when it scored them, else uniform."""
    if model is not None and prior is not None:
        raise ValueError("Pass either 'model' or 'prior' to transitions, not both.")
    if prior is not None:
        b = np.asarray(prior, dtype=float)
        if b.shape != (N_LEVELS,) or np.any(~np.isfinite(b)) or np.any(b <= 0):
            raise param_error("transitions", "prior", "5 positive numbers", np.asarray(prior).tolist())
        return b / b.sum()
    if model is not None:
        if not isinstance(model, LevelModel):
            raise param_error("transitions", "model", "a LevelModel", model, error=TypeError, shown=type(model).__name__)
        if model.hash != a.model_hash:
            raise ModelError(
                f"The model passed ({model.hash[:19]}...) is not the one these assessments were scored with "
                f"({(a.model_hash or 'none')[:19]}...)."
            )
        if model.kind not in ("latent-class", "theory-prior"):
            notes.append(
                f"a {model.kind!r} model: its posteriors divided by its prior are only approximately likelihoods; "
                "pass prior= (the training level shares) for a better correction"
            )
        return model.prior
    q = questionnaire_of(a)
    dm = q.default_model if q is not None else None
    if dm is not None and dm.hash == a.model_hash:
        return dm.prior
    notes.append("the scoring model's prior is unknown: taken as uniform (pass model= or prior=)")
    return np.full(N_LEVELS, 1.0 / N_LEVELS)


def _latent_transition_em(
    L1T: np.ndarray, L2T: np.ndarray, start: np.ndarray, *, tol: float, max_iter: int, chunk: int = 1 << 20
) -> tuple[np.ndarray, int, bool, float]:
    """EM for the joint latent distribution ``Theta[j, k] = pi_j T[j, k]`` given likelihoods
    ``L1T[j, i]`` (wave 1, level j, respondent i) and ``L2T[k, i]`` (wave 2).

    The log-likelihood ``sum_i log sum_jk Theta_jk L1_ij L2_ik`` is concave in ``Theta`` (a log of
    a linear function) over the simplex, so EM converges to the global maximum from any interior
    start. E and M steps in one pass: ``Theta <- Theta * (L1' (L2 / Z)) / n`` with
    ``Z_i = L1_i' Theta L2_i``, computed in chunks of respondents (no n x 5 x 5 arrays); the
    arrays are levels x respondents so that every product runs along the long axis.
    """
    n = L1T.shape[1]
    theta = start.copy()
    ll = -np.inf
    converged = False
    it = 0
    for it in range(1, max_iter + 1):
        acc = np.zeros((N_LEVELS, N_LEVELS))
        ll_new = 0.0
        for s in range(0, n, chunk):
            l1, l2 = L1T[:, s : s + chunk], L2T[:, s : s + chunk]
            A = theta.T @ l1  # A[k, i] = sum_j theta[j, k] L1[i, j]
            A *= l2
            Z = A.sum(axis=0)
            acc += l1 @ (l2 / Z).T
            ll_new += float(np.log(Z).sum())
        new = theta * acc / n
        new /= new.sum()
        delta = float(np.abs(new - theta).max())
        theta = new
        ll = ll_new
        if delta < tol:
            converged = True
            break
    return theta, it, converged, ll


def transitions(
    before: Assessment,
    after: Assessment,
    *,
    model: LevelModel | None = None,
    prior: Any = None,
    confidence: float = 0.95,
    min_confidence: float | None = None,
    tol: float = 1e-7,
    max_iter: int = 5000,
) -> TransitionTable:
    """The 5 x 5 table of level moves between two waves: raw, expected and corrected.

    Parameters
    ----------
    before, after : Assessment
        Two waves scored on the same questionnaire with the same level model.
    model : LevelModel, default=None
        The model the posteriors came from (its prior turns them into likelihoods). When None,
        the questionnaire's default model if that is what scored the waves, else a uniform prior.
    prior : array-like of shape (5,), default=None
        The scoring model's prior level probabilities, instead of ``model``.
    confidence : float, default=0.95
        Level of the Wilson intervals.
    min_confidence : float, default=None
        Threshold for the hard levels in ``counts``; None keeps each assessment's ``level``.
    tol : float, default=1e-7
        EM stops when no entry of ``pi_j T[j, k]`` moves by more than this.
    max_iter : int, default=5000

    Returns
    -------
    TransitionTable

    Raises
    ------
    ModelError
        Different questionnaires or models across the waves, or a ``model`` that did not score
        them.
    ValueError
        Assessments without levels, bad parameters, duplicate ids, no matched respondents.

    Notes
    -----
    Both raw tables count classification noise as movement: a stable person misclassified in
    one wave is counted as a move. The corrected table fits a latent transition model: the
    latent level before is ``pi``, after it is drawn from row ``T[j]``, and the answers at each
    wave come from the level model. An ``Assessment`` holds posteriors, not answers, but for a
    probabilistic model (latent class, theory prior) ``p_t[i, k] / b_k`` is proportional to the
    likelihood of respondent ``i``'s answers at wave ``t`` given level ``k`` (``b`` the model's
    prior), which is all EM needs. The log-likelihood is concave in ``pi_j T[j, k]``, so the
    maximum is global. The estimate is as good as the level model: when the model is
    overconfident, part of the misclassification goes uncorrected.

    Examples
    --------
    >>> from akhlak_levels import assess, load_questionnaire, simulate
    >>> q = load_questionnaire("socio-emotional-levels")
    >>> r1, _ = simulate(q, 6, levels=[1, 2, 3, 3, 4, 5], random_state=3)
    >>> r2, _ = simulate(q, 6, levels=[1, 3, 3, 4, 4, 5], random_state=4)
    >>> t = transitions(assess(q, r1), assess(q, r2))
    >>> t.counts
    array([[1, 0, 0, 0, 0],
           [0, 0, 1, 0, 0],
           [0, 0, 1, 1, 0],
           [0, 0, 0, 1, 0],
           [0, 0, 0, 0, 1]])
    >>> round(float(t.expected.sum()), 9), bool(np.allclose(t.corrected.sum(axis=1), 1))
    (6.0, True)
    """
    from scipy import stats
    before = check_assessment(before, "before", "transitions")
    after = check_assessment(after, "after", "transitions")
    conf = float(check("transitions", "confidence", confidence, Interval(0, 1, closed="neither")))
    max_iter = check("transitions", "max_iter", max_iter, Interval(1, None, integer=True))
    if not tol > 0:
        raise param_error("transitions", "tol", "positive", tol)
    check_same_instrument([("before", before), ("after", after)])
    if not before.has_levels:
        raise ValueError(
            f"transitions needs level probabilities; these assessments of {before.questionnaire_id!r} have none "
            "(no level model). Use progress() for scale and index scores."
        )
    notes: list[str] = []
    b = _resolve_prior(before, model, prior, notes)
    ix_b, ix_a = id_index(before, "before"), id_index(after, "after")
    rb, ra = pair_positions(ix_b, ix_a)
    n = len(rb)
    if n == 0:
        raise ValueError("No respondent id appears in both waves: nothing to tabulate.")
    counts, n_determined = _observed_counts(before, after, rb, ra, min_confidence)
    z = float(stats.norm.isf((1 - conf) / 2))
    prop, lo, hi = _row_shares(counts, z)
    expected, L1T, L2T = _expected_counts_and_likelihoods(before, after, rb, ra, b)
    eprop, elo, ehi = _row_shares(expected, z)
    fit = _fit_latent_transitions(L1T, L2T, expected, n, tol=float(tol), max_iter=max_iter, notes=notes)
    return TransitionTable(
        counts=counts.astype(np.int64),
        proportions=prop,
        proportions_ci_lower=lo,
        proportions_ci_upper=hi,
        expected=expected,
        expected_proportions=eprop,
        expected_ci_lower=elo,
        expected_ci_upper=ehi,
        corrected=fit.corrected,
        corrected_initial=fit.initial,
        corrected_counts=fit.joint * n,
        n_matched=int(n),
        n_undetermined=int(n - n_determined),
        n_only_before=int(len(ix_b.ids) - n),
        n_only_after=int(len(ix_a.ids) - n),
        prior=b,
        iterations=fit.iterations,
        converged=fit.converged,
        log_likelihood=fit.log_likelihood,
        confidence=conf,
        notes=tuple(notes),
    )


# --------------------------------------------------------------------------- steps


def _observed_counts(
    before: Assessment, after: Assessment, rb: np.ndarray, ra: np.ndarray, min_confidence: float | None
) -> tuple[np.ndarray, int]:
    """Moves of the matched respondents (rows ``rb`` before, ``ra`` after) by hard level, and how
    many were determined (level 1-5) in both waves."""
    hb = hard_levels(before, min_confidence, "transitions")[rb].astype(np.int64)
    ha = hard_levels(after, min_confidence, "transitions")[ra].astype(np.int64)
    det = (hb > 0) & (ha > 0)
    counts = np.bincount((hb[det] - 1) * N_LEVELS + (ha[det] - 1), minlength=N_LEVELS * N_LEVELS).reshape(N_LEVELS, N_LEVELS)
    return counts, int(det.sum())


def _row_shares(table: np.ndarray, z: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Row proportions of a 5 x 5 table (NaN for an empty row) with Wilson intervals that take
    the row total as the number of trials."""
    rows = table.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        prop = np.where(rows > 0, table / rows, np.nan)
    lo, hi = wilson_interval(table, np.broadcast_to(rows, table.shape), z)
    return prop, lo, hi


def _expected_counts_and_likelihoods(
    before: Assessment, after: Assessment, rb: np.ndarray, ra: np.ndarray, b: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The expected table ``sum_i p_before[i, j] * p_after[i, k]`` of the matched respondents, and
    each wave's likelihoods (posterior / prior, up to a constant per respondent) as levels x
    respondents, contiguous rows, for the EM."""
    assert before.probabilities is not None and after.probabilities is not None
    P = before.probabilities[rb]
    Q = after.probabilities[ra]
    expected = P.T @ Q
    L1T = np.ascontiguousarray(P.T)
    L2T = np.ascontiguousarray(Q.T)
    del P, Q
    for L in (L1T, L2T):
        L /= b[:, None]
        L /= L.sum(axis=0)
    return expected, L1T, L2T


@dataclass(frozen=True)
class _LatentFit:
    """The latent-transition estimate: ``joint[j, k] = pi_j T[j, k]``."""

    corrected: np.ndarray
    initial: np.ndarray
    joint: np.ndarray
    iterations: int
    converged: bool
    log_likelihood: float


def _fit_latent_transitions(
    L1T: np.ndarray, L2T: np.ndarray, expected: np.ndarray, n: int, *, tol: float, max_iter: int, notes: list[str]
) -> _LatentFit:
    """Fit the latent-transition model by EM from a start near the expected table, and turn the
    joint distribution into rows ``T[j] = P(level after | level j before)``."""
    start = (expected + 1.0) / (expected.sum() + N_LEVELS * N_LEVELS)  # interior, near the data
    theta, iters, converged, ll = _latent_transition_em(L1T, L2T, start, tol=tol, max_iter=max_iter)
    if not converged:
        notes.append(f"EM did not converge in {iters} iterations (raise max_iter)")
    pi = theta.sum(axis=1)
    empty = pi * n < 1e-9  # no latent mass at this level before: its row is not estimable
    T = np.full((N_LEVELS, N_LEVELS), 1.0 / N_LEVELS)
    T[~empty] = theta[~empty] / pi[~empty, None]
    if empty.any():
        notes.append(
            f"no one is estimated at level(s) {(np.nonzero(empty)[0] + 1).tolist()} before: "
            "those rows of 'corrected' are not estimable and are set uniform"
        )
    return _LatentFit(T, pi, theta, int(iters), bool(converged), float(ll))
