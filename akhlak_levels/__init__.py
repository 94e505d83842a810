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
from .careless import CarelessTable, careless
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
from .dif import DifTable, LevelDecisionTable, dif, level_decisions_by_group
from .flags import Flags
from .growth import (
    ProgressTable,
    ReliableChange,
    Trajectories,
    TransitionTable,
    progress,
    reliable_change,
    trajectories,
    transitions,
)
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
from .store import AssessmentStore, StoreError

__all__ = [
    "__version__",
    "AkhlakLevelsError",
    "assess",
    "Assessment",
    "AssessmentStore",
    "calibrate",
    "CalibrationWarning",
    "careless",
    "CarelessTable",
    "classification_quality",
    "ClassificationQuality",
    "cronbach_alpha",
    "dif",
    "DifTable",
    "fit_report",
    "Flags",
    "guttman_lambda6",
    "Item",
    "item_analysis",
    "ItemTable",
    "Level",
    "level_decisions_by_group",
    "LevelClassifier",
    "LevelDecisionTable",
    "LevelModel",
    "list_questionnaires",
    "load_model",
    "load_questionnaire",
    "MISSING",
    "ModelError",
    "omega_total",
    "Problem",
    "progress",
    "ProgressTable",
    "Questionnaire",
    "QuestionnaireError",
    "read_responses",
    "reliability",
    "ReliabilityTable",
    "ReliabilityWarning",
    "reliable_change",
    "ReliableChange",
    "ResponseError",
    "ResponseSet",
    "Scale",
    "SchemaError",
    "simulate",
    "split_half_reliability",
    "StoreError",
    "Trajectories",
    "trajectories",
    "transitions",
    "TransitionTable",
]
