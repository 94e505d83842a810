"""Calibration: fit the level model's item weights on an agency's own responses.

``method="latent-class"`` needs no labels: five latent classes fitted by EM, matched to the
five levels through the item keys (or, with ``n_classes``, any number of classes for research,
not named as levels: :class:`LatentClasses`). ``method="logistic"`` and ``method="ordinal"`` fit
expert or interview labels. Every model carries its provenance and fit statistics.
"""

from __future__ import annotations

import warnings
from typing import Any, Callable, Sequence, overload

import numpy as np

from .._version import __version__
from ._classification import quality_from_probabilities
from ..errors import ModelError, Problem
from ..levels import N_LEVELS
from ._fit_report import fit_report
from ._latent_class import LatentClassFit
from ._latent_classes import LatentClasses, fit_statistics, latent_classes
from ._model import LevelModel, is_level_distribution, utc_timestamp
from ..questionnaire import Questionnaire, load_questionnaire
from ..responses import MISSING, ResponseSet, read_responses
from ..votes import VoteSet
from .._votes_read import read_votes
from ._vote_theory import inclusion_probabilities
from ._votes import DEFAULT_QUESTIONS, INDICATOR_SEP, is_vote_instrument, question_positions, vote_responses
from .._validation import Interval, Options, check, check_random_state, param_error

__all__ = ["calibrate", "CalibrationWarning", "fit_report"]

METHODS = ("latent-class", "logistic", "ordinal")
#: Default theory-prior settings used to match classes to levels when a questionnaire has keys
#: but no default model of its own.
_KEY_PRIOR = {
    "kind": "theory-prior",
    "likert": {"model": "ggum", "discrimination": 0.8, "thresholds": None},
    "choice": {"model": "distance-decay", "decay": 1.0},
    "prior": [0.2] * 5,
}


class CalibrationWarning(UserWarning):
    """A calibration ran but something about it needs a look (an empty class, a weak match)."""


def _labels(labels: Any, responses: ResponseSet) -> np.ndarray:
    """Validated integer levels 1..5, one per respondent; every problem listed."""
    n = len(responses)
    if isinstance(labels, str):
        if labels not in responses.groups:
            raise ModelError(
                f"The labels column {labels!r} was not read with the responses; read it with "
                f"group_columns=[{labels!r}] (columns carried: {sorted(responses.groups)})."
            )
        raw = np.asarray(responses.groups[labels], dtype=object)
    else:
        raw = np.asarray(labels, dtype=object)
    if raw.ndim != 1 or raw.shape[0] != n:
        raise ModelError(
            f"Expected one label per respondent ({n} respondents, in the order of the responses), "
            f"got {raw.shape[0] if raw.ndim == 1 else raw.shape}."
        )
    out = np.zeros(n, dtype=np.int64)
    problems = []
    for i, v in enumerate(raw.tolist()):
        try:
            f = float(v)
            ok = f.is_integer() and 1 <= f <= N_LEVELS and not isinstance(v, (bool, np.bool_))
        except (TypeError, ValueError):
            ok = False
        if ok:
            out[i] = int(f)
        else:
            problems.append(Problem("a label must be a level 1-5", respondent=str(responses.respondent_ids[i]), value=v))
    if problems:
        raise ModelError(f"{len(problems)} labels are not levels 1-5:", problems[:1000], total=len(problems))
    absent = [k for k in range(1, N_LEVELS + 1) if not np.any(out == k)]
    if absent:
        raise ModelError(
            f"Levels {absent} are absent from the labels: a supervised model cannot learn a level it "
            "has never seen. Collect labelled respondents at every level, or use method='latent-class'."
        )
    return out


def _key_reference(q: Questionnaire) -> list[np.ndarray]:
    """Class-conditional probabilities implied by the item keys, to name the classes (for the
    indicator view of a vote instrument: the theory's inclusion probabilities)."""
    if q.vote_questions and q.items:
        heads = sorted({iid.split(INDICATOR_SEP, 1)[0] for iid in q.item_ids})
        return inclusion_probabilities(q, question_positions(q, heads, "calibrate"))
    if q.default_model is not None and q.default_model.item_probabilities is not None:
        return list(q.default_model.item_probabilities)
    from ._prior import distance_decay_probabilities, ggum_probabilities

    problems = []
    out = []
    for it in q.items:
        if it.type == "likert":
            if it.level is None:
                problems.append(Problem("not keyed to a level", item=it.id))
                continue
            tau = -0.6 * np.arange(it.n_options - 1, 0, -1)  # -0.6 * (C, ..., 1): the bundled spacing
            p = ggum_probabilities(np.arange(1, 6) - it.level, 0.8, tau).T
            out.append(p[::-1] if it.reverse else p)  # global direction towards the level (not a scale key)
        else:
            if any(lv is None for lv in it.option_levels):
                problems.append(Problem("has options not keyed to a level", item=it.id))
                continue
            out.append(distance_decay_probabilities([lv or 0 for lv in it.option_levels], 1.0))
    if problems:
        raise ModelError(
            "Latent classes are matched to levels through the item keys, and these items have none; "
            "key every item (Likert 'level', choice options 'level') or use a supervised method; for research, "
            "n_classes=K fits K latent classes without keys (not named as levels, so they cannot assess levels):",
            problems,
        )
    return out


def match_classes(fitted: Sequence[np.ndarray], reference: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Assign each latent class to a level by minimum total cross-entropy with the key reference.

    Returns ``order`` (``order[j]`` = the class that becomes level ``j + 1``) and the cost matrix
    ``cost[k, j] = -sum_i sum_c P_fit[i][c, k] log P_ref[i][c, j]`` (classes x levels).
    """
    from scipy.optimize import linear_sum_assignment
    cost = np.zeros((fitted[0].shape[1], N_LEVELS))
    for p_fit, p_ref in zip(fitted, reference):
        cost -= p_fit.T @ np.log(p_ref)
    rows, cols = linear_sum_assignment(cost)
    order = np.empty(N_LEVELS, dtype=int)
    order[cols] = rows
    return order, cost


@overload
def calibrate(
    questionnaire: Questionnaire | str,
    responses: ResponseSet | Any,
    labels: Sequence[Any] | np.ndarray | str | None = ...,
    *,
    method: str | None = ...,
    prior: Sequence[float] | np.ndarray | None = ...,
    n_init: int = ...,
    smoothing: float = ...,
    max_iter: int = ...,
    tol: float = ...,
    cv: int = ...,
    random_state: int | np.random.Generator | None = ...,
    progress: Callable[[str], None] | None = ...,
    questions: Sequence[str] = ...,
    n_classes: None = ...,
) -> LevelModel: ...


@overload
def calibrate(
    questionnaire: Questionnaire | str,
    responses: ResponseSet | Any,
    labels: Sequence[Any] | np.ndarray | str | None = ...,
    *,
    method: str | None = ...,
    prior: Sequence[float] | np.ndarray | None = ...,
    n_init: int = ...,
    smoothing: float = ...,
    max_iter: int = ...,
    tol: float = ...,
    cv: int = ...,
    random_state: int | np.random.Generator | None = ...,
    progress: Callable[[str], None] | None = ...,
    questions: Sequence[str] = ...,
    n_classes: int,
) -> LatentClasses: ...


def calibrate(
    questionnaire: Questionnaire | str,
    responses: ResponseSet | Any,
    labels: Sequence[Any] | np.ndarray | str | None = None,
    *,
    method: str | None = None,
    prior: Sequence[float] | np.ndarray | None = None,
    n_init: int = 5,
    smoothing: float = 1.0,
    max_iter: int = 500,
    tol: float = 1e-6,
    cv: int = 5,
    random_state: int | np.random.Generator | None = None,
    progress: Callable[[str], None] | None = None,
    questions: Sequence[str] = DEFAULT_QUESTIONS,
    n_classes: int | None = None,
) -> LevelModel | LatentClasses:
    """Fit the level model's item weights on responses, with or without level labels.

    Parameters
    ----------
    questionnaire : Questionnaire or str
    responses : ResponseSet, or anything :func:`read_responses` reads
        For a vote instrument: a :class:`~akhlak_levels.VoteSet`, or anything
        :func:`~akhlak_levels.read_votes` reads; the model's items are then the indicators of
        ``questions`` (each offered behaviour, picked or not).
    labels : array-like of int, or str, default=None
        A level 1-5 per respondent (expert or interview placement), or the name of a column read
        with ``group_columns``. Needed for the supervised methods.
    method : {"latent-class", "logistic", "ordinal"}, default=None
        ``"latent-class"`` without labels, ``"logistic"`` with labels.
    prior : array-like of shape (5,), default=None
        Level probabilities for the people the model will score (e.g. the base rates of the
        target population). Latent class: replaces the estimated class sizes in the model's
        prior; logistic: replaces the training base rates by Bayes' rule. Not available for
        ``"ordinal"``.
    n_init : int, default=5
        Latent class: random starts (plus one start from the key-implied probabilities); the
        best log-likelihood wins.
    smoothing : float, default=1.0
        Latent class: pseudo-count per item and class spread over the options, so no
        probability is zero (a Dirichlet prior; 0 gives maximum likelihood).
    max_iter : int, default=500
    tol : float, default=1e-6
        Latent class: stop when the log-likelihood gains less than ``tol`` per respondent.
    cv : int, default=5
        Supervised: folds of the cross-validation that picks the regularisation and reports
        the out-of-fold metrics.
    random_state : int, Generator or None, default=None
    progress : callable, default=None
        Called with a one-line message as the fit proceeds.
    questions : sequence of str, default=("personal",)
        Vote instrument only: the roles or ids of the vote questions whose picks the model reads.
    n_classes : int, default=None
        For research: this many latent classes (>= 1), not named as levels, as a
        :class:`LatentClasses` (no keys needed; cannot assess levels). None: the level model.

    Returns
    -------
    LevelModel or LatentClasses
        ``provenance`` holds the method, settings, sample size, date, library version and fit
        statistics (:func:`fit_report`; latent class: at the maximum likelihood, and at the
        smoothed estimates the model scores with as ``*_smoothed``).

    Raises
    ------
    ModelError
        Too few respondents for the parameters, items nobody answered, labels that are not
        levels 1-5, not one per respondent, or miss a level, items without keys (latent class).

    Warns
    -----
    CalibrationWarning
        A latent class that (nearly) empties, EM that did not converge, a weak match of a class
        to its level.

    Examples
    --------
    >>> from akhlak_levels import assess, calibrate, simulate
    >>> responses, truth = simulate("socio-emotional-levels", 3000, missing=0.2, random_state=1)
    >>> model = calibrate("socio-emotional-levels", responses, random_state=0)
    >>> model.kind, model.provenance["n_respondents"]
    ('latent-class', 3000)
    >>> float((assess("socio-emotional-levels", responses, model).level == truth).mean()) > 0.9
    True

    Votes (each behaviour of the personal question an indicator):

    >>> from akhlak_levels.culture import simulate_votes
    >>> votes, truth = simulate_votes("berakhlak-culture-map", 3000, random_state=2)
    >>> vm = calibrate("berakhlak-culture-map", votes, random_state=0, n_init=2)
    >>> vm.item_ids[0], len(vm.item_ids)
    ('personal:patuh-arahan-pimpinan', 74)
    >>> float((assess("berakhlak-culture-map", votes, vm).level == truth).mean()) > 0.6
    True
    >>> calibrate("socio-emotional-levels", responses, n_classes=3, n_init=1).class_names  # research
    ('class 1', 'class 2', 'class 3')
    """
    q = load_questionnaire(questionnaire)
    if is_vote_instrument(q):  # fitted on the indicator view: each behaviour an item, picked or not
        if not isinstance(responses, VoteSet):
            responses = read_votes(responses, q)
        question_positions(q, questions, "calibrate")
        responses = vote_responses(q, responses, questions)
        q = responses.questionnaire
    elif not isinstance(responses, ResponseSet):
        responses = read_responses(responses, q)
    if method is None:
        method = "latent-class" if labels is None else "logistic"
    _check_settings(method, n_classes, prior, n_init=n_init, max_iter=max_iter, cv=cv, smoothing=smoothing, tol=tol)
    prior_arr = None if prior is None else _check_prior(prior)
    rng = check_random_state(random_state)
    _check_estimable(q, responses.codes, method, N_LEVELS if n_classes is None else int(n_classes))
    say = progress or (lambda msg: None)
    settings: dict[str, Any] = {"random_state": random_state if isinstance(random_state, (int, np.integer)) else None}
    if n_classes is not None:  # for research: classes, not levels
        return _calibrate_classes(q, responses, int(n_classes), int(n_init), smoothing, int(max_iter), tol, rng, say, settings)
    if method == "latent-class":
        return _calibrate_latent_class(q, responses, prior_arr, int(n_init), smoothing, int(max_iter), tol, rng, say, settings)
    return _calibrate_supervised(q, responses, _labels(labels, responses), method, prior_arr, int(cv), rng, say, settings)


def _check_settings(method: str, n_classes: Any, prior: Any, **numbers: Any) -> None:
    """The method, the counts and tolerances, and ``n_classes`` only where it means something."""
    check("calibrate", "method", method, Options(METHODS))
    for name, low in (("n_init", 1), ("max_iter", 1), ("cv", 2)):
        if not Interval(low, None, integer=True).accepts(numbers[name]):
            raise param_error("calibrate", name, f"an integer >= {low}", numbers[name])
    check("calibrate", "smoothing", numbers["smoothing"], Interval(0, None))
    check("calibrate", "tol", numbers["tol"], Interval(0, None, closed="neither"))
    if n_classes is None:
        return
    if not Interval(1, None, integer=True).accepts(n_classes):
        raise param_error("calibrate", "n_classes", "an integer >= 1 (or None for the five levels)", n_classes)
    if method != "latent-class":
        raise ModelError(
            f"n_classes={n_classes} asks for latent classes, which method={method!r} does not fit: a supervised "
            "model learns the five labelled levels. Leave out the labels (method='latent-class') or n_classes."
        )
    if prior is not None:
        raise ModelError(
            "prior= sets the probabilities of the five levels, and latent classes fitted with n_classes are not "
            "levels; leave out prior (the classes' sizes are estimated)."
        )


def _check_prior(prior: Any) -> np.ndarray:
    """``prior`` as 5 probabilities of the levels, normalised."""
    p = np.asarray(prior, dtype=float)
    if not is_level_distribution(p):
        raise param_error("calibrate", "prior", "5 positive numbers summing to 1", prior)
    return p / p.sum()


def _check_estimable(q: Questionnaire, codes: np.ndarray, method: str, n_classes: int = N_LEVELS) -> None:
    """Refuse items nobody answered, and (latent class) fewer respondents than parameters."""
    answered = (codes != MISSING).sum(axis=0)
    never = [it.id for it, a in zip(q.items, answered) if a == 0]
    if never:
        raise ModelError(
            f"{len(never)} items have no answers at all, so nothing can be estimated for them: {never}. "
            "Leave them out of the questionnaire, or collect answers."
        )
    n = codes.shape[0]
    n_params = (n_classes - 1) + n_classes * int(np.sum(q.n_options - 1))
    if method == "latent-class" and n < n_params:
        raise ModelError(
            f"Too few respondents: {n} for a model with {n_params} parameters ({n_classes} classes x options). "
            "Calibrate on more respondents (see docs/calibration.md for how many), or keep the theory prior."
        )


def _calibrate_supervised(
    q: Questionnaire,
    responses: ResponseSet,
    y: np.ndarray,
    method: str,
    prior: np.ndarray | None,
    cv: int,
    rng: np.random.Generator,
    say: Callable[[str], None],
    settings: dict[str, Any],
) -> LevelModel:
    """A logistic or ordinal model fitted on the labels ``y``, with its cross-validated fit."""
    from . import _supervised as supervised

    codes = responses.codes
    say(f"fitting a {method} model on {codes.shape[0]:,} labelled respondents ({cv}-fold cross-validation)")
    if method == "logistic":
        fit = supervised.fit_logistic(q, codes, y, cv=cv, random_state=rng, prior=prior)
    else:
        if prior is not None:
            raise ModelError(
                "A prior over levels cannot be expressed in a cumulative-logit (ordinal) model; "
                "use method='logistic' or 'latent-class' to set one."
            )
        fit = supervised.fit_ordinal(q, codes, y, cv=cv, random_state=rng)
    settings.update(fit.settings)
    settings["cv"] = cv
    return LevelModel(
        questionnaire_id=q.id,
        questionnaire_version=q.version,
        questionnaire_hash=q.content_hash,
        item_ids=q.item_ids,
        weights=tuple(np.asarray(w, dtype=float) for w in fit.weights),
        log_prior=np.asarray(fit.log_prior, dtype=float),
        kind=fit.kind,
        provenance=_provenance(method, settings, responses, dict(fit.fit), prior),
    )


def _fit(
    q: Questionnaire,
    responses: ResponseSet,
    n_classes: int,
    reference: list[np.ndarray] | None,
    n_init: int,
    smoothing: float,
    max_iter: int,
    tol: float,
    rng: np.random.Generator,
    say: Callable[[str], None],
) -> LatentClassFit:
    """EM from ``n_init`` random starts (plus one from the keys' ``reference``), with the
    maximum-likelihood estimates."""
    from ._latent_class import fit_latent_classes

    extra = " + 1 from the keys" if reference is not None else ""
    say(f"fitting {n_classes} latent classes to {len(responses):,} respondents: {n_init} random starts{extra}")
    fit = fit_latent_classes(
        responses.codes, q.n_options, n_classes,
        n_init=n_init, smoothing=smoothing, max_iter=max_iter, tol=tol, random_state=rng, init=reference,
        progress=lambda s, total, ll: say(f"start {s}/{total}: log-likelihood {ll:,.2f}"),
    )
    if not fit.ml_converged:
        warnings.warn(
            f"the maximum-likelihood refinement did not converge within {fit.ml_iterations} iterations: the fit "
            "statistics at the maximum likelihood are lower bounds; raise max_iter", CalibrationWarning, stacklevel=4,
        )
    return fit


def _calibrate_classes(
    q: Questionnaire,
    responses: ResponseSet,
    n_classes: int,
    n_init: int,
    smoothing: float,
    max_iter: int,
    tol: float,
    rng: np.random.Generator,
    say: Callable[[str], None],
    settings: dict[str, Any],
) -> LatentClasses:
    """``n_classes`` latent classes for research, named by size, not matched to levels."""
    fitted = _fit(q, responses, n_classes, None, n_init, smoothing, max_iter, tol, rng, say)
    settings.update({"n_classes": n_classes, "n_init": n_init, "smoothing": smoothing, "max_iter": max_iter, "tol": tol})
    return latent_classes(q, responses, fitted, _provenance("latent-class", settings, responses, {}, None))


def _calibrate_latent_class(
    q: Questionnaire,
    responses: ResponseSet,
    prior: np.ndarray | None,
    n_init: int,
    smoothing: float,
    max_iter: int,
    tol: float,
    rng: np.random.Generator,
    say: Callable[[str], None],
    settings: dict[str, Any],
) -> LevelModel:
    reference = _key_reference(q)
    n = len(responses)
    fit = _fit(q, responses, N_LEVELS, reference, n_init, smoothing, max_iter, tol, rng, say)
    order, cost = match_classes(fit.probabilities, reference)
    probs = [p[:, order] for p in fit.probabilities]
    weights = fit.class_weights[order]
    post = fit.posterior[:, order]
    warn: list[str] = []
    if not fit.converged:
        warn.append(f"EM did not converge within max_iter={max_iter} iterations; raise max_iter or tol")
    sizes = weights * n
    for k in range(N_LEVELS):
        if sizes[k] < max(1.0, 0.005 * n):
            warn.append(
                f"the class matched to level {k + 1} is (nearly) empty ({sizes[k]:.1f} respondents): the data "
                "may hold fewer than five distinct groups; its weights rest on the smoothing"
            )
    # how clearly each class matches its level: the cost gap to the next-best level, per item
    margin = (np.array([np.delete(cost[order][j], j).min() for j in range(N_LEVELS)]) - cost[order][np.arange(5), np.arange(5)]) / q.n_items
    for k in range(N_LEVELS):
        if margin[k] < 0.05:
            warn.append(
                f"the class matched to level {k + 1} is not clearly that level (cross-entropy margin "
                f"{margin[k]:.3f} nats per item): its answers resemble another level's keys as much"
            )
    for w in warn:
        warnings.warn(w, CalibrationWarning, stacklevel=3)
    floor = 1e-12  # smoothing=0 can leave exact zeros; a model needs log-probabilities
    probs = [np.maximum(p, floor) / np.maximum(p, floor).sum(axis=0, keepdims=True) for p in probs]
    stats = fit_statistics(fit, n, order)
    stats.update({
        "match_margin_nats_per_item": [float(v) for v in margin],
        "classification": quality_from_probabilities(post).to_dict(),
        "warnings": warn,
    })
    settings.update({"n_init": n_init, "smoothing": smoothing, "max_iter": max_iter, "tol": tol})
    log_prior = np.log(prior if prior is not None else np.maximum(weights, 1e-12) / np.maximum(weights, 1e-12).sum())
    return LevelModel.from_probabilities(
        q, probs, np.exp(log_prior), kind="latent-class",
        provenance=_provenance("latent-class", settings, responses, stats, prior),
    )


def _provenance(method: str, settings: dict[str, Any], responses: ResponseSet, fit: dict[str, Any], prior: np.ndarray | None) -> dict[str, Any]:
    return {
        "method": method,
        "created": utc_timestamp(),
        "library_version": __version__,
        "settings": settings,
        "prior": None if prior is None else [float(v) for v in prior],
        "n_respondents": int(len(responses)),
        "share_missing": float((responses.codes == MISSING).mean()),
        "source": responses.source,
        "fit": fit,
    }
