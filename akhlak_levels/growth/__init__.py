"""Growth over waves: reliable change per person, level transitions, unit progress and
trajectories, all from assessments matched across waves. One floor above the assessment."""

from ._change import VERDICTS, ReliableChange, reliable_change
from ._group_stats import rank_desc as rank_desc, t_interval as t_interval  # for akhlak_levels.dask (not in __all__)
from ._progress import ProgressTable, progress
from ._trajectories import Trajectories, trajectories
from ._transitions import TransitionTable, transitions
from ._waves import ALL_GROUP, MISSING_GROUP, resolve_waves

__all__ = [
    "ALL_GROUP",
    "MISSING_GROUP",
    "ProgressTable",
    "ReliableChange",
    "Trajectories",
    "TransitionTable",
    "VERDICTS",
    "progress",
    "reliable_change",
    "resolve_waves",
    "trajectories",
    "transitions",
]
