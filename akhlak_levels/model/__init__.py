"""The level model: weights, the scoring kernel, the theory prior, simulation and calibration.

One floor above the responses. Everything the floors above need from it is re-exported here;
the modules inside are private.

- :class:`LevelModel`, :func:`load_model` (``_model``): the calibrated weights as a JSON document.
- ``_links``: the cumulative-logit link, once, for scoring, ordinal calibration and DIF.
- ``_scoring``: the gather-and-add kernel behind :func:`akhlak_levels.assess`.
- ``_prior``: the documented theory prior of a questionnaire's keys.
- :func:`simulate` (``_simulate``): responses drawn from a model, with the true levels.
- ``_onehot``, ``_latent_class``, ``_supervised``, :func:`calibrate` (``_calibrate``): fitting;
  :class:`LatentClasses` and the latent-class fit statistics (``_latent_classes``),
  :func:`fit_report` (``_fit_report``).
- ``_classification``: expected accuracy and consistency from posterior probabilities.
- :class:`LevelClassifier` (``_classifier``): calibration and scoring as a scikit-learn estimator,
  imported on first access (it subclasses scikit-learn's ``BaseEstimator``, which takes about a
  second to import).
- ``_votes``: the indicator view of a vote instrument (each behaviour an item, picked or not)
  that models and calibration use; ``_vote_theory``: the theory prior of levels from votes.
"""

import typing as _typing

from ._calibrate import CalibrationWarning, calibrate, fit_report, match_classes
from ._classification import ClassificationQuality, quality_from_probabilities
from ._latent_class import LatentClassFit, fit_latent_classes
from ._latent_classes import LatentClasses
from ._links import cumulative_logit, cumulative_logit_log_proba, ordinal_negloglik, thresholds
from ._model import KINDS, MAX_MODEL_BYTES, PROBABILISTIC_KINDS, LevelModel, is_level_distribution, load_model, model_size_limit
from ._onehot import design_matrix, one_hot, option_offsets
from ._prior import distance_decay_probabilities, ggum_probabilities, theory_prior_model
from ._scoring import DEFAULT_CHUNK, Scores, level_probabilities, score_codes
from ._simulate import simulate
from ._supervised import SupervisedFit, classification_metrics, fit_logistic, fit_ordinal
from ._vote_theory import inclusion_probabilities, level_weights, simulate_votes, theory_hash, theory_scores, vote_log_likelihood
from ._votes import (
    DEFAULT_QUESTIONS,
    INDICATOR_SEP,
    indicator_ids,
    indicator_view,
    is_vote_instrument,
    question_positions,
    view_for_items,
    vote_responses,
)

if _typing.TYPE_CHECKING:
    from ._classifier import LevelClassifier


def __getattr__(name: str) -> _typing.Any:
    # LevelClassifier is loaded on first access so that importing the package does not import
    # scikit-learn.
    if name == "LevelClassifier":
        from ._classifier import LevelClassifier

        return LevelClassifier
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), "LevelClassifier"])


__all__ = [
    "CalibrationWarning",
    "ClassificationQuality",
    "DEFAULT_CHUNK",
    "DEFAULT_QUESTIONS",
    "INDICATOR_SEP",
    "KINDS",
    "LatentClassFit",
    "LatentClasses",
    "LevelClassifier",
    "LevelModel",
    "MAX_MODEL_BYTES",
    "PROBABILISTIC_KINDS",
    "Scores",
    "SupervisedFit",
    "calibrate",
    "classification_metrics",
    "cumulative_logit",
    "cumulative_logit_log_proba",
    "design_matrix",
    "distance_decay_probabilities",
    "fit_latent_classes",
    "fit_logistic",
    "fit_ordinal",
    "fit_report",
    "ggum_probabilities",
    "inclusion_probabilities",
    "indicator_ids",
    "indicator_view",
    "is_level_distribution",
    "is_vote_instrument",
    "level_probabilities",
    "level_weights",
    "load_model",
    "match_classes",
    "model_size_limit",
    "one_hot",
    "option_offsets",
    "ordinal_negloglik",
    "quality_from_probabilities",
    "question_positions",
    "score_codes",
    "simulate",
    "simulate_votes",
    "theory_hash",
    "theory_prior_model",
    "theory_scores",
    "thresholds",
    "view_for_items",
    "vote_log_likelihood",
    "vote_responses",
]
