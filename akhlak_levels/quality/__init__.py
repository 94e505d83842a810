"""Psychometric quality, measured rather than assumed: reliability, item analysis, careless
responding and differential item functioning.

One floor above the level model and below the assessment (which adds the careless flags).
The modules inside are private; what the floors above use is re-exported here.

- ``_inputs``: :func:`responses_for` and :func:`model_for`, the responses and level model an
  analysis starts from (the assessment above uses them too).
- ``_keyed``: keyed item matrices and covariances under a missing-data policy.
- ``_reliability``: alpha, omega, lambda-6, split-half, SEM; :func:`reliability` tabulates a
  questionnaire's scales.
- ``_items``: :func:`item_analysis`.
- ``_careless``, ``_careless_indices``: :func:`careless`, the careless-responding indices and
  flags.
- ``_groups``, ``_dif``, ``_dif_fits``: group labels and :func:`dif`, ordinal
  logistic-regression DIF.
"""

from ._careless import DEFAULT_THRESHOLDS, FLAG_NAMES, CarelessTable, careless
from ._dif import EFFECT_SIZE_CRITERIA, DifTable, benjamini_hochberg, dif
from ._groups import group_columns, group_labels
from ._inputs import model_for, responses_for
from ._items import ItemTable, item_analysis
from ._keyed import NAN_POLICIES, NanPolicy, covariance, impute_median, keyed_matrix, pairwise_correlation, pairwise_covariance
from ._reliability import (
    ReliabilityTable,
    ReliabilityWarning,
    cronbach_alpha,
    guttman_lambda6,
    mean_inter_item_correlation,
    omega_total,
    one_factor_loadings,
    reliability,
    split_half_reliability,
    standardized_alpha,
)

__all__ = [
    "CarelessTable",
    "DEFAULT_THRESHOLDS",
    "DifTable",
    "EFFECT_SIZE_CRITERIA",
    "FLAG_NAMES",
    "ItemTable",
    "NAN_POLICIES",
    "NanPolicy",
    "ReliabilityTable",
    "ReliabilityWarning",
    "benjamini_hochberg",
    "careless",
    "covariance",
    "cronbach_alpha",
    "dif",
    "group_columns",
    "group_labels",
    "guttman_lambda6",
    "impute_median",
    "item_analysis",
    "keyed_matrix",
    "mean_inter_item_correlation",
    "model_for",
    "omega_total",
    "one_factor_loadings",
    "pairwise_correlation",
    "pairwise_covariance",
    "reliability",
    "responses_for",
    "split_half_reliability",
    "standardized_alpha",
]
