"""The level model as a scikit-learn classifier, for pipelines and cross-validation."""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from ..levels import N_LEVELS
from ._scoring import level_probabilities
from ..questionnaire import Questionnaire, load_questionnaire
from ..responses import ResponseSet, read_responses

__all__ = ["LevelClassifier"]


class LevelClassifier(ClassifierMixin, BaseEstimator):
    """Calibrate a level model and classify respondents, as a scikit-learn estimator.

    ``fit`` runs :func:`~akhlak_levels.calibrate`; ``predict_proba`` is the ``probabilities``
    of :func:`~akhlak_levels.assess` with the fitted model. It works in
    :func:`sklearn.pipeline.make_pipeline`, :func:`sklearn.model_selection.cross_val_score`,
    grid searches and the like.

    Parameters
    ----------
    questionnaire : str or Questionnaire, default="socio-emotional-levels"
        The instrument; ``X`` has one column per item, in questionnaire order.
    method : {"latent-class", "logistic", "ordinal"}, default="latent-class"
        ``"latent-class"`` learns from the answers alone and ignores ``y`` (so it can be
        scored against labels it never saw); ``"logistic"`` and ``"ordinal"`` learn from the
        labels ``y`` (levels 1-5, every level present).
    prior : array-like of shape (5,), default=None
        Level probabilities of the population to be scored (latent class and logistic only).
    n_init, smoothing, max_iter, tol : default=5, 1.0, 500, 1e-6
        Latent-class settings, see :func:`~akhlak_levels.calibrate`.
    cv : int, default=5
        Supervised methods: folds of the cross-validation that picks the regularisation.
    random_state : int, numpy.random.Generator or None, default=None
        An int makes ``fit`` reproducible; a Generator is drawn from at every fit.

    Attributes
    ----------
    model_ : LevelModel
        The calibrated model (save it with ``model_.save(path)``).
    questionnaire_ : Questionnaire
    classes_ : ndarray of shape (5,)
        The levels ``[1, 2, 3, 4, 5]``, whatever levels ``y`` holds.
    n_features_in_ : int
        The number of items.
    feature_names_in_ : ndarray of str
        When ``X`` was a DataFrame with string column names.

    Notes
    -----
    ``X`` is an array (or DataFrame) of shape ``(n_respondents, n_items)`` holding the codes
    shown in the questionnaire (Likert 1..k, choice options from 1), NaN where unanswered, or a
    :class:`~akhlak_levels.ResponseSet` read for the same questionnaire. Unanswered items add
    nothing to a respondent's evidence (see :func:`~akhlak_levels.assess`).

    Examples
    --------
    >>> from sklearn.model_selection import cross_val_score
    >>> from akhlak_levels import simulate
    >>> from akhlak_levels.model import LevelClassifier
    >>> responses, truth = simulate("socio-emotional-levels", 2000, missing=0.1, random_state=0)
    >>> X = responses.values  # codes 1..5 as shown, NaN where unanswered
    >>> clf = LevelClassifier(n_init=2, random_state=0).fit(X)  # latent class: no labels needed
    >>> clf.predict(X[:5]).tolist(), truth[:5].tolist()
    ([4, 2, 1, 1, 5], [4, 2, 1, 1, 5])
    >>> clf.predict_proba(X[:5]).sum(axis=1).round(6).tolist()
    [1.0, 1.0, 1.0, 1.0, 1.0]
    >>> # labels from interviews; latent class ignores them when fitting, the score uses them
    >>> scores = cross_val_score(LevelClassifier(n_init=2, random_state=0), X, truth, cv=2)
    >>> bool(scores.min() > 0.9)
    True
    """

    def __init__(
        self,
        questionnaire: str | Questionnaire = "socio-emotional-levels",
        method: str = "latent-class",
        prior: Sequence[float] | np.ndarray | None = None,
        n_init: int = 5,
        smoothing: float = 1.0,
        max_iter: int = 500,
        tol: float = 1e-6,
        cv: int = 5,
        random_state: int | np.random.Generator | None = None,
    ) -> None:
        self.questionnaire = questionnaire
        self.method = method
        self.prior = prior
        self.n_init = n_init
        self.smoothing = smoothing
        self.max_iter = max_iter
        self.tol = tol
        self.cv = cv
        self.random_state = random_state

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True  # NaN is an unanswered item
        tags.target_tags.required = self.method != "latent-class"
        return tags

    # ------------------------------------------------------------------ input

    def _check_response_set(self, X: ResponseSet, q: Questionnaire) -> ResponseSet:
        if X.questionnaire.id != q.id or X.questionnaire.content_hash != q.content_hash:
            raise ValueError(
                f"These responses were read for questionnaire {X.questionnaire.id!r}, but the "
                f"classifier's questionnaire is {q.id!r}."
            )
        return X

    def _from_array(self, X: np.ndarray, q: Questionnaire, *, reset: bool) -> ResponseSet:
        """A validated array as a ResponseSet of ``q``."""
        if X.shape[1] != q.n_items:  # when predicting, validate_data has already said so
            raise ValueError(
                f"X has {X.shape[1]} columns, but LevelClassifier expects {q.n_items}: one per item of "
                f"questionnaire {q.id!r}, in questionnaire order."
            )
        names = getattr(self, "feature_names_in_", None)
        if reset and names is not None and set(names) == set(q.item_ids) and tuple(names) != q.item_ids:
            raise ValueError(
                f"The columns of X are the items of {q.id!r} in another order; put them in questionnaire "
                "order, e.g. X[list(questionnaire.item_ids)]."
            )
        return read_responses(X, q)

    # ------------------------------------------------------------------ estimator

    def fit(self, X: Any, y: Any = None) -> LevelClassifier:
        """Calibrate the level model on ``X`` (and the levels ``y`` for a supervised method).

        Parameters
        ----------
        X : array-like of shape (n_respondents, n_items), or ResponseSet
            Codes as shown in the questionnaire, NaN where unanswered.
        y : array-like of int in 1..5, shape (n_respondents,), default=None
            Level labels; required by ``"logistic"`` and ``"ordinal"``, ignored by
            ``"latent-class"``.

        Returns
        -------
        self

        Raises
        ------
        ValueError
            ``X`` has the wrong number of columns, codes out of range, ``y`` missing for a
            supervised method or not levels 1-5 (:class:`~akhlak_levels.ResponseError` and
            :class:`~akhlak_levels.ModelError` are ValueErrors).
        """
        from ._calibrate import calibrate

        q = load_questionnaire(self.questionnaire)
        supervised = self.method != "latent-class"
        if supervised and y is None:
            raise ValueError(
                f"LevelClassifier with method={self.method!r} requires y to be passed, but the target y is "
                "None: give a level 1-5 per respondent, or use method='latent-class' to fit without labels."
            )
        labels = None
        if isinstance(X, ResponseSet):
            responses = self._check_response_set(X, q)
            self.n_features_in_ = q.n_items
            if hasattr(self, "feature_names_in_"):
                del self.feature_names_in_
            if supervised:
                labels = np.asarray(y)
                if labels.shape != (len(X),):
                    raise ValueError(f"Expected y of shape ({len(X)},), one level per respondent, got shape {labels.shape}.")
                check_classification_targets(labels)
        elif supervised:
            X, labels = validate_data(self, X, y, ensure_all_finite="allow-nan")
            check_classification_targets(labels)
            responses = self._from_array(X, q, reset=True)
        else:
            X = validate_data(self, X, ensure_all_finite="allow-nan")
            responses = self._from_array(X, q, reset=True)
        self.model_ = calibrate(
            q,
            responses,
            labels=labels,
            method=self.method,
            prior=self.prior,
            n_init=self.n_init,
            smoothing=self.smoothing,
            max_iter=self.max_iter,
            tol=self.tol,
            cv=self.cv,
            random_state=self.random_state,
        )
        self.questionnaire_ = q
        self.classes_ = np.arange(1, N_LEVELS + 1)
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        """Level probabilities, shape ``(n_respondents, 5)``; columns are ``classes_`` (levels 1-5)."""
        check_is_fitted(self)
        if isinstance(X, ResponseSet):
            responses = self._check_response_set(X, self.questionnaire_)
        else:
            X = validate_data(self, X, reset=False, ensure_all_finite="allow-nan")
            responses = self._from_array(X, self.questionnaire_, reset=False)
        probabilities = level_probabilities(self.model_, self.questionnaire_, responses.codes)
        assert probabilities is not None  # a fitted model always gives probabilities
        return probabilities

    def predict(self, X: Any) -> np.ndarray:
        """The most probable level (1-5) of each respondent."""
        probabilities = self.predict_proba(X)
        return self.classes_[np.argmax(probabilities, axis=1)]
