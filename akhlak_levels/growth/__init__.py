"""Growth over waves: reliable change per person, level transitions, unit progress and
trajectories, all from assessments matched across waves. One floor above the assessment."""

from ._growth import (
    ALL_GROUP,
    MISSING_GROUP,
    VERDICTS,
    ProgressTable,
    ReliableChange,
    Trajectories,
    TransitionTable,
    progress,
    reliable_change,
    resolve_waves,
    trajectories,
    transitions,
)

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
