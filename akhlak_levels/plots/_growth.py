"""Figures of the level model over waves: level shares per wave, level transitions and
trajectories of the expected level (an instrument with a level model, e.g.
``socio-emotional-levels``)."""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from .._validation import Options, check
from ..levels import N_LEVELS, Level
from ._base import LEVEL_COLORS as _COLORS, new_figure as _figure

__all__ = ["level_distribution_figure", "transition_figure", "trajectory_figure"]


#: The fixed texts of the level charts, in both languages.
_GROWTH_TEXT: dict[str, dict[str, str]] = {
    "share": {"en": "share of respondents", "id": "proporsi responden"},
    "levels_per_wave": {"en": "Levels per wave", "id": "Level per gelombang"},
    "after": {"en": "level after", "id": "level sesudah"},
    "before": {"en": "level before", "id": "level sebelum"},
    "transitions": {"en": "Level transitions", "id": "Perpindahan level"},
    "corrected": {"en": "corrected for misclassification", "id": "dikoreksi untuk salah klasifikasi"},
    "proportions": {"en": "observed levels", "id": "level teramati"},
    "expected_proportions": {"en": "from posteriors", "id": "dari probabilitas posterior"},
    "row_share": {"en": "row share", "id": "proporsi baris"},
}


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
        Draw on these axes (the figure returned is theirs); a new figure when None.

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
    rows = np.flatnonzero(progress.group == group)
    if not len(rows):
        raise ValueError(f"No group {group!r} in the progress table; groups are {sorted(set(progress.group.tolist()))}.")
    shown = ~progress.suppressed
    if shown.any() and np.isnan(progress.level_shares[shown]).all():
        raise ValueError("The progress table has no levels (its questionnaire has no level model): nothing to draw; "
                         "for an index and its values see value_profile_figure and index_trend_figure.")
    fig, ax = _figure(ax)
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
    ax.set_ylabel(_GROWTH_TEXT["share"][lang])
    ax.set_title(f"{_GROWTH_TEXT['levels_per_wave'][lang]}: {group}")
    ax.legend(loc="center left", bbox_to_anchor=(1.0, 0.5), fontsize=8, frameon=False)
    return fig


def transition_figure(table: Any, *, kind: str = "corrected", lang: str = "en", ax: Any = None) -> Any:
    """Heatmap of a 5 x 5 transition matrix (rows: level before, columns: level after).

    Parameters
    ----------
    table : TransitionTable
        From :func:`akhlak_levels.transitions`.
    kind : {"corrected", "proportions", "expected_proportions"}, default="corrected"
        The latent-transition estimate (corrected for misclassification), the raw row shares
        of hard levels, or the row shares of the expected transitions.
    lang : {"en", "id"}, default="en"
        Language of the titles and axis labels.
    ax : matplotlib Axes, default=None
        Draw on these axes (the figure returned is theirs); a new figure when None.

    Returns
    -------
    matplotlib.figure.Figure
    """
    check("transition_figure", "kind", kind, Options({"corrected", "proportions", "expected_proportions"}))
    check("transition_figure", "lang", lang, Options({"en", "id"}))
    t = {k: v[lang] for k, v in _GROWTH_TEXT.items()}
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
    ax.set_xlabel(t["after"])
    ax.set_ylabel(t["before"])
    ax.set_title(f"{t['transitions']} ({t[kind]}), n = {table.n_matched}")
    fig.colorbar(im, ax=ax, label=t["row_share"])
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
    ax : matplotlib Axes, default=None
        Draw on these axes (the figure returned is theirs); a new figure when None.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ValueError
        Assessments without a level model (nothing to draw).
    """
    from ..growth import resolve_waves, progress

    resolved = resolve_waves(assessments, waves, "trajectory_figure")
    without = [w for w, a in resolved if not a.has_levels]
    if without:
        raise ValueError(f"Waves {without} have no expected levels (questionnaire {resolved[0][1].questionnaire_id!r} "
                         "has no level model): there are no trajectories of levels to draw.")
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
