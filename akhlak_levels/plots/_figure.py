"""The figure class of :mod:`akhlak_levels.plots` (imports matplotlib: imported only when a
figure is drawn)."""

from __future__ import annotations

import io

from matplotlib.figure import Figure as _MatplotlibFigure

__all__ = ["Figure"]


class Figure(_MatplotlibFigure):  # type: ignore[misc]
    """A :class:`matplotlib.figure.Figure` that a notebook shows as PNG even where no matplotlib
    display hook is set up (pyplot never imported); with one set up, the hook draws it as any
    figure. A module-level class, so a figure pickles as matplotlib's do."""

    def _repr_png_(self) -> bytes:
        buf = io.BytesIO()
        self.savefig(buf, format="png", dpi=100)
        return buf.getvalue()
