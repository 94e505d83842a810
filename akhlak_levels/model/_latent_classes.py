"""Latent-class fit statistics at the maximum likelihood and at the smoothed estimates, and the
result of a latent-class fit for research (:class:`LatentClasses`): any number of classes, not
named as levels, so not a level model.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Mapping, Sequence

import numpy as np

from ..errors import ModelError

if TYPE_CHECKING:
    from ..questionnaire import Questionnaire
    from ..responses import ResponseSet
    from ._latent_class import LatentClassFit

__all__ = ["LatentClasses", "entropy_r2", "fit_statistics", "latent_classes", "refuse_to_assess"]


def entropy_r2(posterior: np.ndarray) -> float:
    """``1 - sum of posterior entropies / (n log K)`` (Ramaswamy et al., 1993; stepmix's
    ``relative_entropy``); NaN for one class, where it is undefined.

    Examples
    --------
    >>> entropy_r2(np.array([[1.0, 0.0], [0.5, 0.5]]))
    0.5
    """
    n, k = posterior.shape
    if k < 2 or n == 0:
        return float("nan")
    ent = -np.sum(posterior * np.log(np.clip(posterior, 1e-300, None)))
    return float(1 - ent / (n * math.log(k)))


def fit_statistics(fit: LatentClassFit, n: int, order: Sequence[int] | np.ndarray) -> dict[str, Any]:
    """The fit statistics of ``fit`` on ``n`` respondents, classes in ``order``.

    ``log_likelihood``, ``aic``, ``bic``, ``entropy_r2``, ``class_sizes_ml`` and
    ``modal_class_counts_ml`` are at the
    maximum-likelihood estimates (what poLCA, stepmix and flexmix report); the ``*_smoothed``
    ones, ``class_sizes`` and ``modal_class_counts`` at the smoothed estimates (the posterior mode under the smoothing's
    Dirichlet prior) that a level model scores with. ``n_parameters`` is
    ``(K - 1) + K * sum_i (n_options_i - 1)`` for both. AIC is ``-2 LL + 2 p``, BIC
    ``-2 LL + p log n``.

    Examples
    --------
    >>> from akhlak_levels.model import fit_latent_classes
    >>> rng = np.random.default_rng(0)
    >>> codes = (rng.random((500, 6)) < np.where(rng.random(500) < 0.5, 0.8, 0.2)[:, None]).astype(int)
    >>> fit = fit_latent_classes(codes, [2] * 6, 2, random_state=rng)
    >>> s = fit_statistics(fit, 500, [0, 1])
    >>> s["log_likelihood"] >= s["log_likelihood_smoothed"], s["n_parameters"]
    (True, 13)
    """
    order = np.asarray(order)
    k_par = fit.n_parameters
    log_n = math.log(n)
    ll, ll_s = float(fit.ml_log_likelihood), float(fit.log_likelihood)
    post_ml, post_s = fit.ml_posterior[:, order], fit.posterior[:, order]
    return {
        "estimates": "log_likelihood, aic, bic, entropy_r2, *_ml: at the maximum likelihood; *_smoothed, "
        "class_sizes, modal_class_counts: at the smoothed estimates (the posterior mode) the model scores with",
        "log_likelihood": ll,
        "n_parameters": k_par,
        "aic": -2 * ll + 2 * k_par,
        "bic": -2 * ll + k_par * log_n,
        "entropy_r2": entropy_r2(post_ml),
        "log_likelihood_smoothed": ll_s,
        "aic_smoothed": -2 * ll_s + 2 * k_par,
        "bic_smoothed": -2 * ll_s + k_par * log_n,
        "entropy_r2_smoothed": entropy_r2(post_s),
        "class_sizes": [float(v) for v in fit.class_weights[order]],
        "class_sizes_ml": [float(v) for v in fit.ml_class_weights[order]],
        "modal_class_counts": np.bincount(post_s.argmax(axis=1), minlength=len(order)).tolist(),
        "modal_class_counts_ml": np.bincount(post_ml.argmax(axis=1), minlength=len(order)).tolist(),
        "iterations": fit.n_iter,
        "converged": fit.converged,
        "ml_iterations": fit.ml_iterations,
        "ml_converged": fit.ml_converged,
        "start_log_likelihoods": fit.start_log_likelihoods,
        "start_iterations": fit.start_iterations,
    }


@dataclass(frozen=True, eq=False)
class LatentClasses:
    """Latent classes fitted for research by ``calibrate(..., n_classes=K)``: not a level model.

    The ``K`` classes are named ``"class 1"`` to ``"class K"`` from the largest to the smallest
    (by their maximum-likelihood size). They are not matched to the five levels (no item keys are
    needed), so they cannot place anyone on a level: :func:`~akhlak_levels.assess` (and
    :func:`~akhlak_levels.load_model`, the :class:`~akhlak_levels.Scorer`) refuse them. Use them to
    choose a number of classes, compare with poLCA, stepmix or flexmix, or study the answers.

    Attributes
    ----------
    questionnaire_id, questionnaire_version, questionnaire_hash : str
    item_ids : tuple of str
    respondent_ids : ndarray of str
    class_names : tuple of str
    class_weights : ndarray of shape (K,)
        Class sizes at the maximum likelihood.
    item_probabilities : tuple of ndarray
        Per item, ``(n_options, K)``: ``P(x_i = c | class k)`` at the maximum likelihood (a
        probability may be exactly 0 or 1).
    posterior : ndarray of shape (n, K)
        Each respondent's class probabilities at the maximum likelihood.
    class_weights_smoothed, item_probabilities_smoothed : ndarray, tuple of ndarray
        The same at the smoothed estimates (the posterior mode under the smoothing's Dirichlet
        prior; equal to the above when ``smoothing=0``).
    provenance : dict
        Method, settings, sample size, date, library version and ``fit`` (statistics: see
        :func:`~akhlak_levels.fit_report`).

    Examples
    --------
    >>> import akhlak_levels as al
    >>> rs, _ = al.simulate("socio-emotional-levels", 2000, random_state=0)
    >>> lc = al.calibrate("socio-emotional-levels", rs, n_classes=3, n_init=2, random_state=0)
    >>> lc.class_names, lc.posterior.shape
    (('class 1', 'class 2', 'class 3'), (2000, 3))
    >>> lc.fit["n_parameters"], bool(abs(lc.fit["bic"] - (-2 * lc.fit["log_likelihood"] + 458 * np.log(2000))) < 1e-9)
    (458, True)
    """

    questionnaire_id: str
    questionnaire_version: str
    questionnaire_hash: str
    item_ids: tuple[str, ...]
    respondent_ids: np.ndarray
    class_names: tuple[str, ...]
    class_weights: np.ndarray
    item_probabilities: tuple[np.ndarray, ...]
    posterior: np.ndarray
    class_weights_smoothed: np.ndarray
    item_probabilities_smoothed: tuple[np.ndarray, ...]
    provenance: Mapping[str, Any] = field(default_factory=dict)

    @property
    def n_classes(self) -> int:
        """``K``."""
        return len(self.class_names)

    @property
    def fit(self) -> Mapping[str, Any]:
        """The fit statistics (``provenance["fit"]``)."""
        return self.provenance["fit"]  # type: ignore[no-any-return]

    @property
    def modal_class(self) -> np.ndarray:
        """Each respondent's most probable class at the maximum likelihood, 1..K."""
        return self.posterior.argmax(axis=1) + 1

    def to_dict(self) -> dict[str, Any]:
        """The classes as a JSON-ready dict (no posterior: see :attr:`posterior`); a statistic
        that is not defined (entropy with one class) is ``None``."""
        def items(probs: Sequence[np.ndarray]) -> list[dict[str, Any]]:
            return [{"id": iid, "probabilities": p.tolist()} for iid, p in zip(self.item_ids, probs)]

        return _json({
            "kind": "latent-classes",
            "questionnaire": {"id": self.questionnaire_id, "version": self.questionnaire_version, "hash": self.questionnaire_hash},
            "classes": list(self.class_names),
            "class_weights": self.class_weights,
            "items": items(self.item_probabilities),
            "class_weights_smoothed": self.class_weights_smoothed,
            "items_smoothed": items(self.item_probabilities_smoothed),
            "provenance": dict(self.provenance),
        })

    def __repr__(self) -> str:
        return (
            f"LatentClasses(n_classes={self.n_classes}, questionnaire={self.questionnaire_id!r}, "
            f"respondents={len(self.respondent_ids)}, log_likelihood={self.fit['log_likelihood']:.3f})"
        )


def latent_classes(q: Questionnaire, responses: ResponseSet, fit: LatentClassFit, provenance: dict[str, Any]) -> LatentClasses:
    """``fit`` as a :class:`LatentClasses`, classes from the largest to the smallest (by their
    maximum-likelihood size; ties by the smoothed size, then the order fitted)."""
    k = len(fit.class_weights)
    order = np.lexsort((np.arange(k), -fit.class_weights, -fit.ml_class_weights))
    provenance = dict(provenance)
    provenance["fit"] = fit_statistics(fit, len(responses), order)
    return LatentClasses(
        questionnaire_id=q.id,
        questionnaire_version=q.version,
        questionnaire_hash=q.content_hash,
        item_ids=q.item_ids,
        respondent_ids=responses.respondent_ids,
        class_names=tuple(f"class {j + 1}" for j in range(k)),
        class_weights=fit.ml_class_weights[order],
        item_probabilities=tuple(p[:, order] for p in fit.ml_probabilities),
        posterior=fit.ml_posterior[:, order],
        class_weights_smoothed=fit.class_weights[order],
        item_probabilities_smoothed=tuple(p[:, order] for p in fit.probabilities),
        provenance=provenance,
    )


def refuse_to_assess(classes: LatentClasses) -> ModelError:
    """The error a level model's user gets when handing over latent classes fitted for research."""
    return ModelError(
        f"These are {classes.n_classes} latent classes fitted for research (calibrate(..., n_classes="
        f"{classes.n_classes})), not a level model: the classes are not named as the five levels, so they "
        "cannot place anyone on a level. To assess levels, calibrate without n_classes (five classes named "
        "as levels through the item keys), or with labels (method='logistic' or 'ordinal')."
    )


def _json(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {str(k): _json(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_json(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return _json(obj.tolist())
    if isinstance(obj, np.generic):
        obj = obj.item()
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj
