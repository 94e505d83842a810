"""What every figure of :mod:`akhlak_levels.plots` shares: a new figure (or the caller's axes)
built without pyplot and without touching matplotlib's backend, the palettes, and the category
colours of an index."""

from __future__ import annotations

from typing import Any

import numpy as np

# an ordered palette: undetermined grey, then light to dark for levels 1..5
LEVEL_COLORS = ["#bdbdbd", "#fde0c5", "#facba6", "#f59e72", "#e8685a", "#b5305f"]
# index categories from the best band down (BerAKHLAK: A Sehat, B Cukup Sehat, C Tidak Sehat, D)
CATEGORY_COLORS = ["#66bd63", "#d9ef8b", "#fdae61", "#f46d43", "#d73027", "#a50026"]
SUPPRESSED_COLOR = "#d9d9d9"

def figure_class() -> Any:
    """:class:`akhlak_levels.plots._figure.Figure` (a matplotlib Figure that also shows itself in
    a notebook), imported on first use so that the package imports without matplotlib."""
    try:
        from ._figure import Figure
    except ImportError:  # pragma: no cover - exercised only without the extra
        raise ImportError("Figures need matplotlib: pip install 'akhlak-levels[plot]'.") from None
    return Figure


def new_figure(ax: Any = None, size: tuple[float, float] = (7.0, 4.0)) -> tuple[Any, Any]:
    """``(figure, axes)``: the figure of ``ax`` when one is given, else a new figure with one axes.

    The figure is built directly (no pyplot, no figure manager), so matplotlib's backend and the
    caller's pyplot state stay as they were; save it with ``fig.savefig``.
    """
    cls = figure_class()
    if ax is not None:
        return ax.figure, ax
    fig = cls(figsize=size, layout="constrained")
    return fig, fig.add_subplot()


def category_colors(n: int) -> list[str]:
    """Colours of ``n`` index categories, best first (green to red)."""
    picks = {1: [0], 2: [0, 3], 3: [0, 2, 3], 4: [0, 1, 2, 3]}.get(n)
    if picks is None:
        picks = [min(k, len(CATEGORY_COLORS) - 1) for k in range(n)]
    return [CATEGORY_COLORS[k] for k in picks]


def finite_or(x: Any, fill: float = 0.0) -> np.ndarray:
    """``x`` as floats with NaN replaced by ``fill`` (for drawing; never for the numbers shown)."""
    return np.nan_to_num(np.asarray(x, dtype=float), nan=fill)
