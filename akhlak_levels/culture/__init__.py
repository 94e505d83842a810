"""The culture map of vote instruments (the national BerAKHLAK survey's method, after Barrett's
Cultural Values Assessment): votes, top lists and their matches, hindering factors, cultural
entropy, value jumps, the level profile, implementation and health indices, with intervals and
small groups suppressed. One floor above the assessment, beside ``decisions``."""

from .._votes import CategoryBand, CultureMapChoices
from ._definitions import (
    ENTROPY_BANDS,
    HEALTH_WEIGHTS,
    INDEX_BANDS,
    INDEX_DEFINITIONS,
    MATCH_BANDS,
    N_HINDERING,
    TOP_N,
    band_of,
    category_of,
    match_band_of,
)
from ._change import CHANGE_INDICES, ChangeTable, culture_change
from ._levels import VoteLevels, level_weights, simulate_votes, vote_levels
from ._map import culture_map
from ._map import map_of_tallies as map_of_tallies, map_options as map_options, vote_tallies as vote_tallies  # for akhlak_levels.dask (not in __all__)
from ._counts import Tallies as Tallies, merge_tallies as merge_tallies  # for akhlak_levels.dask (not in __all__)
from ._rank import RANK_STATISTICS, RankTable, competition_ranks, rank_units, statistic_of
from ._result import ALL_ROWS, CultureMap
from ._trend import TrendTable, culture_trend

__all__ = [
    "ALL_ROWS",
    "CHANGE_INDICES",
    "CategoryBand",
    "ChangeTable",
    "CultureMap",
    "CultureMapChoices",
    "ENTROPY_BANDS",
    "HEALTH_WEIGHTS",
    "INDEX_BANDS",
    "INDEX_DEFINITIONS",
    "MATCH_BANDS",
    "N_HINDERING",
    "RANK_STATISTICS",
    "RankTable",
    "TOP_N",
    "TrendTable",
    "VoteLevels",
    "band_of",
    "category_of",
    "competition_ranks",
    "culture_change",
    "culture_map",
    "culture_trend",
    "level_weights",
    "match_band_of",
    "rank_units",
    "simulate_votes",
    "statistic_of",
    "vote_levels",
]
