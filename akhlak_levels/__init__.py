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

import typing as _typing

from ._version import __version__
from ._votes import Behaviour, VoteQuestion
from .assessment import Assessment, assess
from .decisions import LevelDecisionTable, classification_quality, level_decisions_by_group
from .culture import (
    ChangeTable,
    CultureMap,
    RankTable,
    TrendTable,
    VoteLevels,
    culture_change,
    culture_map,
    culture_trend,
    rank_units,
    vote_levels,
)
from .errors import (
    AkhlakLevelsError,
    ModelError,
    Problem,
    QuestionnaireError,
    ResponseError,
    SchemaError,
    StoreError,
)
from .flags import Flags
from .interop import export_form
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
from .levels import Level
from .model import (
    CalibrationWarning,
    ClassificationQuality,
    LatentClasses,
    LevelModel,
    calibrate,
    fit_report,
    load_model,
    simulate,
)
from .quality import (
    CarelessTable,
    DifTable,
    ItemTable,
    ReliabilityTable,
    ReliabilityWarning,
    careless,
    cronbach_alpha,
    dif,
    guttman_lambda6,
    item_analysis,
    omega_total,
    reliability,
    split_half_reliability,
)
from .questionnaire import Item, Questionnaire, Scale, list_questionnaires, load_questionnaire
from .responses import MISSING, ResponseSet, iter_responses, read_responses
from .scorer import Scorer
from ._votes_read import read_votes
from .votes import VoteSet
from .store import AssessmentStore
from .reports import report

if _typing.TYPE_CHECKING:
    from .model import LevelClassifier


def __getattr__(name: str) -> _typing.Any:
    # LevelClassifier (a scikit-learn estimator) is loaded on first access: importing the
    # package does not import scikit-learn (about a second).
    if name == "LevelClassifier":
        from .model import LevelClassifier

        return LevelClassifier
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), "LevelClassifier"])


__all__ = [
    "__version__",
    "AkhlakLevelsError",
    "assess",
    "Assessment",
    "AssessmentStore",
    "Behaviour",
    "calibrate",
    "CalibrationWarning",
    "careless",
    "CarelessTable",
    "ChangeTable",
    "classification_quality",
    "ClassificationQuality",
    "cronbach_alpha",
    "culture_change",
    "culture_map",
    "culture_trend",
    "CultureMap",
    "dif",
    "DifTable",
    "export_form",
    "fit_report",
    "Flags",
    "guttman_lambda6",
    "Item",
    "item_analysis",
    "ItemTable",
    "iter_responses",
    "LatentClasses",
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
    "rank_units",
    "RankTable",
    "read_responses",
    "read_votes",
    "reliability",
    "ReliabilityTable",
    "ReliabilityWarning",
    "reliable_change",
    "ReliableChange",
    "report",
    "ResponseError",
    "ResponseSet",
    "Scale",
    "SchemaError",
    "Scorer",
    "simulate",
    "split_half_reliability",
    "StoreError",
    "Trajectories",
    "trajectories",
    "transitions",
    "TransitionTable",
    "TrendTable",
    "vote_levels",
    "VoteLevels",
    "VoteQuestion",
    "VoteSet",
]
