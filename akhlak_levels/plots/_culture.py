"""Figures of a culture map (the vote instrument): each question's votes by level and the
behaviours whose share jumps most from the current to the desired culture."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..levels import N_LEVELS, Level
from ._base import LEVEL_COLORS as _COLORS, new_figure as _figure

__all__ = ["level_profile_figure", "value_jumps_figure"]


def _culture_row(cmap: Any, group: str) -> int:
    rows = [r for r, g in enumerate(cmap.group) if g == group]
    if not rows:
        raise ValueError(f"No group {group!r} in the culture map; groups are {list(cmap.group)}.")
    return rows[0]


def level_profile_figure(cmap: Any, *, group: str = "(all)", lang: str = "en", ax: Any = None) -> Any:
    """Stacked bars: the share of each question's votes going to behaviours of each level.

    Parameters
    ----------
    cmap : CultureMap
        From :func:`akhlak_levels.culture_map`.
    group : str, default="(all)"
        The group to show; a suppressed group is drawn empty, labelled.
    lang : {"en", "id"}, default="en"
    ax : matplotlib Axes, default=None
        Draw on these axes (the figure returned is theirs); a new figure when None.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import akhlak_levels as al
    >>> from akhlak_levels.plots import level_profile_figure
    >>> v = al.read_votes("questionnaires/examples/berakhlak-culture-map-google-forms.csv",
    ...                   "berakhlak-culture-map", unit_column="Unit Kerja")
    >>> fig = level_profile_figure(al.culture_map("berakhlak-culture-map", v))
    >>> len(fig.axes[0].patches)   # 3 questions x 5 levels
    15
    """
    fig, ax = _figure(ax)
    r = _culture_row(cmap, group)
    shares = np.nan_to_num(np.asarray(cmap.level_profile[r], dtype=float))  # (Q, 5)
    x = np.arange(shares.shape[0])
    bottom = np.zeros(shares.shape[0])
    for k in range(N_LEVELS):
        ax.bar(x, shares[:, k], bottom=bottom, color=_COLORS[k + 1], edgecolor="white", label=Level(k + 1).label(lang))
        bottom += shares[:, k]
    if cmap.suppressed[r]:
        ax.text(x.mean() if len(x) else 0, 0.5, "suppressed (small group)", ha="center", va="center", fontsize=9)
    ax.set_xticks(x, list(cmap.roles))
    ax.set_ylim(0, 1)
    ax.set_ylabel("share of votes" if lang == "en" else "bagian suara")
    ax.set_title(f"Level profile: {group}")
    ax.legend(loc="center left", bbox_to_anchor=(1.0, 0.5), fontsize=8, frameon=False)
    return fig


def value_jumps_figure(cmap: Any, questionnaire: Any, *, group: str = "(all)", top: int = 10, lang: str = "en",
                       ax: Any = None) -> Any:
    """Horizontal bars: the behaviours whose share rises most (and falls most) from the current
    to the desired culture, ``top`` of each (desired share minus current share).

    Parameters
    ----------
    cmap : CultureMap
    questionnaire : Questionnaire
        The vote instrument, for the behaviours' labels.
    group : str, default="(all)"
    top : int, default=10
    lang : {"en", "id"}, default="en"
    ax : matplotlib Axes, default=None
        Draw on these axes (the figure returned is theirs); a new figure when None.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import akhlak_levels as al
    >>> from akhlak_levels.plots import value_jumps_figure
    >>> q = al.load_questionnaire("berakhlak-culture-map")
    >>> v = al.read_votes("questionnaires/examples/berakhlak-culture-map-google-forms.csv", q, unit_column="Unit Kerja")
    >>> fig = value_jumps_figure(al.culture_map(q, v), q, top=5)
    >>> len(fig.axes[0].patches)
    10
    """
    fig, ax = _figure(ax, size=(7.0, 5.0))
    r = _culture_row(cmap, group)
    jumps = np.asarray(cmap.jumps[r], dtype=float)
    if cmap.suppressed[r] or not np.isfinite(jumps).any():
        ax.text(0.5, 0.5, "suppressed (small group)", ha="center", va="center", transform=ax.transAxes)
        ax.set_title(f"Value jumps: {group}")
        return fig
    order = np.argsort(-np.nan_to_num(jumps, nan=0.0), kind="stable")
    chosen = np.concatenate([order[:top], order[::-1][:top][::-1]]) if len(order) > 2 * top else order
    labels = [questionnaire.behaviour(cmap.behaviours[b]).label.get(lang, cmap.behaviours[b]) for b in chosen]
    y = np.arange(len(chosen))[::-1]
    ax.barh(y, 100 * jumps[chosen], color=["#2b8cbe" if jumps[b] >= 0 else "#e8685a" for b in chosen])
    ax.set_yticks(y, labels, fontsize=7)
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_xlabel("desired share - current share (percentage points)")
    ax.set_title(f"Value jumps: {group}")
    return fig

