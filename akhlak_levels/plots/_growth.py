"""Figures for growth reports and culture maps (needs the ``plot`` extra: matplotlib).

Each function returns a :class:`matplotlib.figure.Figure` and draws nothing on screen; save it
with ``fig.savefig("file.png")``. The command line's ``--plot DIR`` writes them as PNG files.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ._validation import Options, check
from .levels import N_LEVELS, Level

__all__ = ["level_distribution_figure", "level_profile_figure", "transition_figure", "trajectory_figure", "value_jumps_figure"]

# an ordered palette: undetermined grey, then light to dark for levels 1..5
_COLORS = ["#bdbdbd", "#fde0c5", "#facba6", "#f59e72", "#e8685a", "#b5305f"]


def _figure(ax: Any = None, size: tuple[float, float] = (7.0, 4.0)) -> tuple[Any, Any]:
    try:
        import matplotlib

        matplotlib.use("Agg", force=False)
        from matplotlib.figure import Figure
    except ImportError:  # pragma: no cover - exercised only without the extra
        raise ImportError("Figures need matplotlib: pip install 'akhlak-levels[plot]'.") from None
    if ax is not None:
        return ax.figure, ax
    fig = Figure(figsize=size, layout="constrained")
    return fig, fig.add_subplot()


def level_distribution_figure(progress: Any, *, group: str = "(all)", lang: str = "en", ax: Any = None) -> Any:
    """Stacked bars: the share at each level (and undetermined) per wave, for one group.

    Parameters
    ----------
    progress : ProgressTable
        From :func:`akhlak_levels.progress`.
    group : str, default="(all)"
        The group to show; a suppressed wave is drawn as an empty, hatched bar, labelled.
    lang : {"en", "id"}, default="en"
    ax : matplotlib Axes, default=None

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> from akhlak_levels import assess, progress, simulate
    >>> from akhlak_levels.plots import level_distribution_figure
    >>> waves = {w: assess("socio-emotional-levels", simulate("socio-emotional-levels", 50, random_state=i)[0])
    ...          for i, w in enumerate(["2024", "2025"])}
    >>> fig = level_distribution_figure(progress(waves))
    >>> len(fig.axes[0].patches)
    12
    """
    fig, ax = _figure(ax)
    rows = np.flatnonzero(progress.group == group)
    if not len(rows):
        raise ValueError(f"No group {group!r} in the progress table; groups are {sorted(set(progress.group.tolist()))}.")
    waves = [str(w) for w in progress.wave[rows]]
    shares = np.nan_to_num(progress.level_shares[rows])
    x = np.arange(len(rows))
    bottom = np.zeros(len(rows))
    labels = ["undetermined" if lang == "en" else "belum dapat ditentukan"] + [Level(k).label(lang) for k in range(1, N_LEVELS + 1)]
    for k in range(N_LEVELS + 1):
        ax.bar(x, shares[:, k], bottom=bottom, color=_COLORS[k], edgecolor="white", label=labels[k])
        bottom += shares[:, k]
    for j, r in enumerate(rows):
        if progress.suppressed[r]:
            ax.text(x[j], 0.5, "suppressed\n(small group)", ha="center", va="center", fontsize=8, rotation=90)
    ax.set_xticks(x, waves)
    ax.set_ylim(0, 1)
    ax.set_ylabel("share of respondents")
    ax.set_title(f"Levels per wave: {group}")
    ax.legend(loc="center left", bbox_to_anchor=(1.0, 0.5), fontsize=8, frameon=False)
    return fig


def transition_figure(table: Any, *, kind: str = "corrected", ax: Any = None) -> Any:
    """Heatmap of a 5 x 5 transition matrix (rows: level before, columns: level after).

    Parameters
    ----------
    table : TransitionTable
        From :func:`akhlak_levels.transitions`.
    kind : {"corrected", "proportions", "expected_proportions"}, default="corrected"
        The latent-transition estimate (corrected for misclassification), the raw row shares
        of hard levels, or the row shares of the expected transitions.

    Returns
    -------
    matplotlib.figure.Figure
    """
    check("transition_figure", "kind", kind, Options({"corrected", "proportions", "expected_proportions"}))
    fig, ax = _figure(ax, (5.5, 4.5))
    M = np.asarray(getattr(table, kind), dtype=float)
    im = ax.imshow(np.nan_to_num(M), vmin=0, vmax=1, cmap="Purples")
    for j in range(N_LEVELS):
        for k in range(N_LEVELS):
            v = M[j, k]
            ax.text(k, j, "-" if np.isnan(v) else f"{v:.2f}", ha="center", va="center",
                    color="white" if v > 0.6 else "black", fontsize=9)
    ticks = np.arange(N_LEVELS)
    ax.set_xticks(ticks, [str(k) for k in range(1, N_LEVELS + 1)])
    ax.set_yticks(ticks, [str(k) for k in range(1, N_LEVELS + 1)])
    ax.set_xlabel("level after")
    ax.set_ylabel("level before")
    title = {"corrected": "corrected for misclassification", "proportions": "observed levels", "expected_proportions": "from posteriors"}[kind]
    ax.set_title(f"Level transitions ({title}), n = {table.n_matched}")
    fig.colorbar(im, ax=ax, label="row share")
    return fig


def trajectory_figure(
    assessments: Any,
    *,
    respondent_ids: Sequence[str] | None = None,
    max_respondents: int = 30,
    waves: Sequence[Any] | None = None,
    min_group_size: int = 5,
    ax: Any = None,
) -> Any:
    """Individual trajectories of the expected level (thin lines) and the group mean with its
    interval (thick line), over the waves.

    Parameters
    ----------
    assessments : mapping of wave to Assessment, or a sequence of Assessment
    respondent_ids : sequence of str, default=None
        Whose lines to draw; by default the first ``max_respondents`` present in every wave.
    max_respondents : int, default=30
    waves : sequence, default=None
        Wave labels for a sequence of assessments (see :func:`akhlak_levels.progress`).
    min_group_size : int, default=5
        The mean is not drawn for a wave with fewer respondents.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from .growth import resolve_waves, progress

    resolved = resolve_waves(assessments, waves, "trajectory_figure")
    fig, ax = _figure(ax)
    labels = [w for w, _ in resolved]
    x = np.arange(len(labels))
    all_ids = [set(a.respondent_ids.tolist()) for _, a in resolved]
    if respondent_ids is None:
        common = sorted(set.intersection(*all_ids)) if all_ids else []
        respondent_ids = common[:max_respondents]
    for rid in respondent_ids:
        ys = []
        for _, a in resolved:
            hit = np.flatnonzero(a.respondent_ids == rid)
            ys.append(a.expected_level[hit[0]] if len(hit) and a.expected_level is not None else np.nan)
        ax.plot(x, ys, color="#9e9ac8", alpha=0.5, linewidth=0.8)
    table = progress(dict(resolved), min_group_size=min_group_size)
    rows = np.flatnonzero(table.group == "(all)")
    ax.plot(x, table.mean_expected_level[rows], color="#54278f", linewidth=2.5, marker="o", label="mean")
    ax.fill_between(x, table.expected_level_ci_lower[rows], table.expected_level_ci_upper[rows], color="#54278f", alpha=0.2)
    ax.set_xticks(x, labels)
    ax.set_ylim(0.8, 5.2)
    ax.set_yticks(range(1, 6), [f"{k} {Level(k).label('en').split(' ')[0]}" for k in range(1, 6)])
    ax.set_ylabel("expected level")
    ax.set_title(f"Trajectories: {len(respondent_ids)} people and the mean of all")
    ax.legend(loc="lower right", frameon=False)
    return fig


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

