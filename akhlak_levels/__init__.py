"""akhlak_levels: score BerAKHLAK culture questionnaires into five socio-emotional levels.

Questionnaires are bilingual JSON data, responses are read from real exports with clear errors,
a probabilistic level model with calibrated item weights turns answers into level probabilities,
and results carry their uncertainty.

Examples
--------
>>> import akhlak_levels as al
>>> q = al.load_questionnaire("socio-emotional-levels")
>>> responses, truth = al.simulate(q, 100, random_state=0)
>>> result = al.assess(q, responses)
>>> result.probabilities.shape
(100, 5)
"""

from ._version import __version__
from .assessment import Assessment, assess
from .calibration import CalibrationWarning, calibrate, fit_report
from .classification import ClassificationQuality, classification_quality
from .classifier import LevelClassifier
from .errors import (
    AkhlakLevelsError,
    ModelError,
    Problem,
    QuestionnaireError,
    ResponseError,
    SchemaError,
)
from .flags import Flags
from .item_analysis import ItemTable, item_analysis
from .levels import Level
from .model import LevelModel, load_model
from .questionnaire import Item, Questionnaire, Scale, list_questionnaires, load_questionnaire
from .reliability import (
    ReliabilityTable,
    ReliabilityWarning,
    cronbach_alpha,
    guttman_lambda6,
    omega_total,
    reliability,
    split_half_reliability,
)
from .responses import MISSING, ResponseSet, read_responses
from .simulate import simulate

__all__ = [
    "MISSING",
    "AkhlakLevelsError",
    "Assessment",
    "CalibrationWarning",
    "ClassificationQuality",
    "Flags",
    "Item",
    "ItemTable",
    "Level",
    "LevelClassifier",
    "LevelModel",
    "ModelError",
    "Problem",
    "Questionnaire",
    "QuestionnaireError",
    "ReliabilityTable",
    "ReliabilityWarning",
    "ResponseError",
    "ResponseSet",
    "Scale",
    "SchemaError",
    "__version__",
    "assess",
    "calibrate",
    "classification_quality",
    "cronbach_alpha",
    "fit_report",
    "guttman_lambda6",
    "item_analysis",
    "list_questionnaires",
    "load_model",
    "load_questionnaire",
    "omega_total",
    "read_responses",
    "reliability",
    "simulate",
    "split_half_reliability",
]
