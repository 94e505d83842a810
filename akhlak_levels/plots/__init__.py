"""Figures for growth reports, BerAKHLAK reports and culture maps (needs the ``plot`` extra:
matplotlib).

Each function returns a :class:`matplotlib.figure.Figure` and draws nothing on screen; save it
with ``fig.savefig("file.png")``, or show it in a notebook by leaving it as a cell's value. Given
``ax=``, a function draws on those axes instead (and returns their figure), so a figure can
be one panel of the caller's own. Figures are built without pyplot: matplotlib's backend and
the caller's pyplot figures are never changed. The command line's ``--plot DIR`` writes them as
PNG files.
"""

from ._berakhlak import index_trend_figure, unit_value_heatmap, value_profile_figure
from ._culture import level_profile_figure, value_jumps_figure
from ._growth import level_distribution_figure, trajectory_figure, transition_figure

__all__ = [
    "index_trend_figure",
    "level_distribution_figure",
    "level_profile_figure",
    "trajectory_figure",
    "transition_figure",
    "unit_value_heatmap",
    "value_jumps_figure",
    "value_profile_figure",
]
