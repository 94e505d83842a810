"""Figures of an index of values (the Likert ``berakhlak`` questionnaire: the BerAKHLAK index
and its seven values, in the categories A Sehat, B Cukup Sehat, C Tidak Sehat, D): each value's
mean with its interval against the category bands, the index per unit across waves, and the
units x values heatmap in the categories' colours.

Every number drawn is a number of the :class:`~akhlak_levels.ProgressTable` (rounded to one
decimal where written); a suppressed cell is drawn as suppressed, never with a number. The
artists carrying the table's numbers have a ``gid`` (``"value"`` for bars, cells and their
written scores, ``"index:<group>"`` for a trend line), so a figure can be read back.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from .._validation import Options, check
from ..questionnaire import Questionnaire, load_questionnaire
from ._base import SUPPRESSED_COLOR, category_colors, finite_or, new_figure

__all__ = ["index_trend_figure", "unit_value_heatmap", "value_profile_figure"]

_ALL = "(all)"
_VALUE_COLOR, _INDEX_COLOR = "#4d6a8a", "#1f2d3d"
_TEXT = {
    "all": {"id": "(semua)", "en": "(all)"},
    "suppressed": {"id": "disembunyikan", "en": "suppressed"},
    "small": {"id": "disembunyikan (kelompok kecil)", "en": "suppressed (small group)"},
    "score": {"id": "skor (0-100)", "en": "score (0-100)"},
    "whiskers": {"id": "garis: interval {p}%", "en": "whiskers: {p}% interval"},
    "wave": {"id": "gelombang", "en": "wave"},
    "profile": {"id": "Profil nilai", "en": "Value profile"},
    "trend": {"id": "per unit dan gelombang", "en": "per unit and wave"},
    "heatmap": {"id": "Nilai per unit", "en": "Values per unit"},
}


def _t(key: str, lang: str) -> str:
    return _TEXT[key][lang]


def _setup(table: Any, questionnaire: Questionnaire | str, lang: str, fname: str) -> Questionnaire:
    """The questionnaire (for names and bands), after checking ``lang`` and that there is an index."""
    check(fname, "lang", lang, Options({"id", "en"}))
    q = questionnaire if isinstance(questionnaire, Questionnaire) else load_questionnaire(questionnaire)
    if q.index is None:
        raise ValueError(f"{fname} draws an index and its values; questionnaire {q.id!r} has no index.")
    if table.index_mean is None:
        raise ValueError(f"{fname} draws an index and its values; the progress table has none "
                         "(its assessments have no index).")
    return q


def _wave(table: Any, wave: Any) -> str:
    if wave is None:
        return str(table.waves[-1])
    w = str(wave)
    if w not in table.waves:
        raise ValueError(f"No wave {w!r} in the progress table; waves are {list(table.waves)}.")
    return w


def _row(table: Any, group: str, wave: str) -> int:
    hit = np.flatnonzero((table.group == group) & (table.wave == wave))
    if not len(hit):
        raise ValueError(f"No group {group!r} in the progress table; groups are {sorted(set(table.group.tolist()))}.")
    return int(hit[0])


def _group_label(group: str, lang: str) -> str:
    return _t("all", lang) if group == _ALL else group


def _bands(ax: Any, q: Questionnaire, lang: str, side: str) -> None:
    """The index categories as background bands, labelled on the ``side`` of the axes."""
    assert q.index is not None
    cats = q.index.categories  # best first
    top = 100.0
    x, ha = (1.01, "left") if side == "right" else (0.005, "left")
    for c, col in zip(cats, category_colors(len(cats))):
        ax.axhspan(c.min, top, color=col, alpha=0.35, linewidth=0, zorder=0)
        ax.text(x, (c.min + top) / 2, f"{c.code} {c.label.get(lang, c.code)}", transform=ax.get_yaxis_transform(),
                ha=ha, va="center", fontsize=7, color="#404040")
        top = c.min
    ax.set_ylim(0, 100)


def _scale_intervals(table: Any, assessments: Any, group: str, wave: str, row: int) -> tuple[np.ndarray, np.ndarray]:
    """Each value's t interval in one cell, from the assessments the table was made from (NaN
    where the table hides the value's mean)."""
    from ..growth import MISSING_GROUP, resolve_waves, t_interval

    resolved = dict(resolve_waves(assessments, None, "value_profile_figure"))
    if wave not in resolved:
        raise ValueError(f"The assessments have no wave {wave!r}; they have {list(resolved)}.")
    a = resolved[wave]
    if group == _ALL:
        members = np.ones(len(a), dtype=bool)
    else:  # the group column as progress() reads it: a missing value is MISSING_GROUP
        col = a.unit if table.by == "unit" else a.groups.get(table.by)
        labels = np.asarray(col).astype(str) if col is not None else np.full(len(a), "")
        members = np.where(labels == "", MISSING_GROUP, labels) == group
    x = np.asarray(a.scale_scores, dtype=float)[members]
    table_means = table.scale_means[row]
    if x.shape[1] != len(table_means):
        raise ValueError("The assessments are not the waves the progress table was made from (other scales).")
    ok = np.isfinite(x)
    n = ok.sum(axis=0).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(ok, x, 0.0).sum(axis=0) / n
        var = (np.where(ok, x - mean, 0.0) ** 2).sum(axis=0) / (n - 1)
    shown = np.isfinite(table_means)
    if not np.allclose(mean[shown], table_means[shown], rtol=1e-9, atol=1e-9):
        raise ValueError(f"The assessments are not the waves the progress table was made from (the means of "
                         f"{group!r} in wave {wave!r} differ).")
    lo, hi = t_interval(mean, var, n, table.confidence)
    return np.where(shown, lo, np.nan), np.where(shown, hi, np.nan)


def value_profile_figure(
    table: Any,
    *,
    group: str = _ALL,
    wave: Any = None,
    assessments: Any = None,
    questionnaire: Questionnaire | str = "berakhlak",
    lang: str = "id",
    ax: Any = None,
) -> Any:
    """Bars: each value's mean score and the index of one group in one wave, with interval
    whiskers, over the index categories as background bands.

    Parameters
    ----------
    table : ProgressTable
        From :func:`akhlak_levels.progress` on assessments of an instrument with an index.
    group : str, default="(all)"
        The unit (or group) to show; ``"(all)"`` for everyone.
    wave : str, default=None
        The wave to show; the last when None.
    assessments : mapping of wave to Assessment, default=None
        The waves the table was made from: when given, each value's bar gets its t interval
        (at the table's confidence); the table itself holds intervals for the index only.
    questionnaire : Questionnaire or str, default="berakhlak"
        Where the values' names and the category bands come from.
    lang : {"id", "en"}, default="id"
    ax : matplotlib Axes, default=None
        Draw on these axes (the figure returned is theirs); a new figure when None.

    Returns
    -------
    matplotlib.figure.Figure
        The bars (``gid="value"``) have the table's means as heights (0 where suppressed), and
        each bar's score is written above it rounded to one decimal.

    Raises
    ------
    ValueError
        No index in the table or questionnaire, an unknown group or wave, or assessments that
        are not the table's.

    Examples
    --------
    >>> import akhlak_levels as al
    >>> from akhlak_levels.plots import value_profile_figure
    >>> a = al.assess("berakhlak", al.read_responses("questionnaires/examples/berakhlak-excel-id.csv", "berakhlak",
    ...                                              unit_column="unit"))
    >>> table = al.progress({"2025": a}, by="unit")
    >>> fig = value_profile_figure(table, assessments={"2025": a}, lang="en")
    >>> bars = fig.axes[0].containers[0]
    >>> len(bars), float(bars[-1].get_height()) == float(table.index_mean[0])   # 7 values and the index
    (8, True)
    """
    q = _setup(table, questionnaire, lang, "value_profile_figure")
    assert q.index is not None and table.index_mean is not None
    w = _wave(table, wave)
    r = _row(table, group, w)
    S = len(table.scale_ids)
    heights = np.append(table.scale_means[r], table.index_mean[r])
    lo = np.full(S + 1, np.nan)
    hi = np.full(S + 1, np.nan)
    lo[S], hi[S] = table.index_ci_lower[r], table.index_ci_upper[r]
    if assessments is not None:
        lo[:S], hi[:S] = _scale_intervals(table, assessments, group, w, r)
    fig, ax = new_figure(ax, (8.0, 4.5))
    _bands(ax, q, lang, "right")
    x = np.arange(S + 1)
    ax.bar(x, finite_or(heights), width=0.65, color=[_VALUE_COLOR] * S + [_INDEX_COLOR], zorder=2, gid="value")
    whisk = np.isfinite(lo) & np.isfinite(hi)
    if whisk.any():
        ax.vlines(x[whisk], lo[whisk], hi[whisk], color="black", linewidth=1.2, zorder=3)
        for ends in (lo, hi):
            ax.hlines(ends[whisk], x[whisk] - 0.12, x[whisk] + 0.12, color="black", linewidth=1.2, zorder=3)
    for xi, v, top in zip(x, heights, np.fmax(heights, hi)):
        if np.isfinite(v):
            ax.text(xi, top + 1.5, f"{v:.1f}", ha="center", va="bottom", fontsize=8, zorder=4, gid="value")
        else:
            ax.text(xi, 2, _t("suppressed", lang), ha="center", va="bottom", rotation=90, fontsize=7, zorder=4)
    ax.axvline(S - 0.5, color="white", linewidth=2, zorder=1)
    ax.set_xticks(x, q.scale_names(table.scale_ids, lang) + [q.index.name.get(lang, q.index.id)],
                  rotation=30, ha="right", fontsize=8)
    pct = f"{100 * table.confidence:g}"
    ax.set_ylabel(f"{_t('score', lang)}; {_t('whiskers', lang).format(p=pct)}", fontsize=8)
    n = int(table.n[r])
    small = f" - {_t('small', lang)}" if table.suppressed[r] else ""
    ax.set_title(f"{_t('profile', lang)}: {_group_label(group, lang)}, {w} (n = {n}){small}", fontsize=10)
    return fig


def index_trend_figure(
    table: Any,
    *,
    groups: Sequence[str] | None = None,
    questionnaire: Questionnaire | str = "berakhlak",
    lang: str = "id",
    ax: Any = None,
) -> Any:
    """Lines: the index of each unit (and of everyone, thick) across the waves, with interval
    whiskers, over the index categories as background bands.

    Parameters
    ----------
    table : ProgressTable
        From :func:`akhlak_levels.progress` on assessments of an instrument with an index.
    groups : sequence of str, default=None
        The groups to draw, in this order; every group of the table (``"(all)"`` first) when None.
    questionnaire : Questionnaire or str, default="berakhlak"
    lang : {"id", "en"}, default="id"
    ax : matplotlib Axes, default=None
        Draw on these axes (the figure returned is theirs); a new figure when None.

    Returns
    -------
    matplotlib.figure.Figure
        One line per group (``gid="index:<group>"``) whose y-data are the table's index means
        wave by wave; a suppressed wave is a gap (NaN).

    Examples
    --------
    >>> import akhlak_levels as al
    >>> from akhlak_levels.plots import index_trend_figure
    >>> a = al.assess("berakhlak", al.read_responses("questionnaires/examples/berakhlak-excel-id.csv", "berakhlak",
    ...                                              unit_column="unit"))
    >>> fig = index_trend_figure(al.progress({"2024": a, "2025": a}, by="unit"))
    >>> [line.get_gid() for line in fig.axes[0].lines][:2]
    ['index:(all)', 'index:Badan Keuangan']
    """
    q = _setup(table, questionnaire, lang, "index_trend_figure")
    assert table.index_mean is not None
    known = list(dict.fromkeys(table.group.tolist()))
    chosen = known if groups is None else [str(g) for g in groups]
    unknown = [g for g in chosen if g not in known]
    if unknown:
        raise ValueError(f"No group {unknown[0]!r} in the progress table; groups are {sorted(known)}.")
    fig, ax = new_figure(ax, (8.0, 4.5))
    _bands(ax, q, lang, "left")
    x = np.arange(len(table.waves), dtype=float)
    G = len(chosen)
    spread = min(0.3, 0.05 * (G - 1))
    offsets = np.linspace(-spread / 2, spread / 2, G) if G > 1 else np.zeros(1)
    for g, off in zip(chosen, offsets):
        rows = np.flatnonzero(table.group == g)  # one per wave, in wave order
        y, lo, hi = table.index_mean[rows], table.index_ci_lower[rows], table.index_ci_upper[rows]
        total = g == _ALL
        (line,) = ax.plot(x + off, y, marker="o", markersize=4, linewidth=2.5 if total else 1.2, zorder=3,
                          color="black" if total else None, label=_group_label(g, lang), gid=f"index:{g}")
        ok = np.isfinite(lo) & np.isfinite(hi)
        ax.vlines((x + off)[ok], lo[ok], hi[ok], color=line.get_color(), alpha=0.6, linewidth=1, zorder=2)
    ax.set_xticks(x, list(table.waves))
    ax.set_xlim(-0.5, len(x) - 0.5)
    ax.set_xlabel(_t("wave", lang))
    ax.set_ylabel(_t("score", lang))
    ax.set_title(f"{q.index.name.get(lang, q.index.id) if q.index else ''} {_t('trend', lang)}", fontsize=10)
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=7, frameon=False)
    return fig


def unit_value_heatmap(
    table: Any,
    *,
    wave: Any = None,
    questionnaire: Questionnaire | str = "berakhlak",
    lang: str = "id",
    index: bool = True,
    ax: Any = None,
) -> Any:
    """Heatmap of units x values in one wave: each cell coloured by the category of its mean
    score, with the score written in it; suppressed cells grey and without a number.

    Parameters
    ----------
    table : ProgressTable
        From :func:`akhlak_levels.progress` on assessments of an instrument with an index.
    wave : str, default=None
        The wave to show; the last when None.
    questionnaire : Questionnaire or str, default="berakhlak"
    lang : {"id", "en"}, default="id"
    index : bool, default=True
        Add the index as the last column.
    ax : matplotlib Axes, default=None
        Draw on these axes (the figure returned is theirs); a new figure when None.

    Returns
    -------
    matplotlib.figure.Figure
        Rows: ``"(all)"`` then each group of the wave; the cells' texts (``gid="value"``) are
        the table's means rounded to one decimal, row by row.

    Examples
    --------
    >>> import akhlak_levels as al
    >>> from akhlak_levels.plots import unit_value_heatmap
    >>> a = al.assess("berakhlak", al.read_responses("questionnaires/examples/berakhlak-excel-id.csv", "berakhlak",
    ...                                              unit_column="unit"))
    >>> fig = unit_value_heatmap(al.progress({"2025": a}, by="unit"))
    >>> fig.axes[0].images[0].get_array().shape   # (all) and 4 units x 7 values and the index
    (5, 8)
    """
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Patch

    q = _setup(table, questionnaire, lang, "unit_value_heatmap")
    assert q.index is not None and table.index_mean is not None
    w = _wave(table, wave)
    rows = np.flatnonzero(table.wave == w)
    V = table.scale_means[rows]
    names = q.scale_names(table.scale_ids, lang)
    if index:
        V = np.column_stack([V, table.index_mean[rows]])
        names.append(q.index.name.get(lang, q.index.id))
    cats = q.index.categories
    colors = category_colors(len(cats))
    codes = q.index.categorize(V.ravel()).reshape(V.shape)
    K = np.full(V.shape, np.nan)
    for k, c in enumerate(cats):
        K[codes == c.code] = k
    fig, ax = new_figure(ax, (9.0, 1.6 + 0.4 * len(rows)))
    cmap = ListedColormap(colors).with_extremes(bad=SUPPRESSED_COLOR)
    ax.imshow(np.ma.masked_invalid(K), cmap=cmap, vmin=-0.5, vmax=len(cats) - 0.5, aspect="auto")
    for i, j in zip(*np.nonzero(np.isfinite(V))):
        ax.text(j, i, f"{V[i, j]:.1f}", ha="center", va="center", fontsize=8, gid="value")
    labels = [f"{_group_label(g, lang)} (n = {n})" + (f" - {_t('suppressed', lang)}" if s else "")
              for g, n, s in zip(table.group[rows], table.n[rows], table.suppressed[rows])]
    ax.set_yticks(np.arange(len(rows)), labels, fontsize=8)
    ax.set_xticks(np.arange(V.shape[1]), names, rotation=30, ha="right", fontsize=8)
    if index:
        ax.axvline(V.shape[1] - 1.5, color="white", linewidth=3)
    handles = [Patch(color=col, label=f"{c.code} {c.label.get(lang, c.code)}") for c, col in zip(cats, colors)]
    handles.append(Patch(color=SUPPRESSED_COLOR, label=_t("small", lang)))
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=7, frameon=False)
    ax.set_title(f"{_t('heatmap', lang)}, {w}", fontsize=10)
    return fig
