"""The agency (unit) report of an instrument of items: the BerAKHLAK index and its values by unit
(``berakhlak``), or the level distribution by unit (``socio-emotional-levels``).

Every figure is a figure of :func:`~akhlak_levels.progress` (which applies the library's one
suppression engine), of :func:`~akhlak_levels.transitions` or of
:func:`~akhlak_levels.reliable_change`; the intervals the table does not hold (a value's mean,
a rank) are released only where the table shows the mean (see ``_groups``).
"""

from __future__ import annotations

from statistics import NormalDist
from typing import Any

import numpy as np

from .._intervals import wilson_interval
from ..assessment import Assessment
from ..growth import ALL_GROUP, ProgressTable, progress, reliable_change, transitions
from ..levels import Level
from ..questionnaire import Questionnaire
from ._format import category_color
from ._groups import group_stats, rank_intervals

__all__ = ["agency_context"]


def _cell(value: Any, low: Any = np.nan, high: Any = np.nan, code: Any = "", q: Questionnaire | None = None,
          lang: str = "id", name: str = "") -> dict[str, Any]:
    """One figure with its interval and category (label and colour) for a template."""
    code = "" if code is None else str(code)
    codes: tuple[str, ...] = ()
    label = ""
    if q is not None and q.index is not None:
        codes = tuple(c.code for c in q.index.categories)
        label = next((c.label.get(lang, c.code) for c in q.index.categories if c.code == code), "")
    v = float(value)
    return {"name": name, "value": v, "low": float(low), "high": float(high), "code": code if np.isfinite(v) else "",
            "label": label if np.isfinite(v) else "", "color": category_color(code, codes) if code else "",
            "shown": bool(np.isfinite(v))}


def _change(table: ProgressTable, r: int, value: Any, p: Any, test: Any) -> dict[str, Any]:
    v, pv = float(value), float(p)
    first = table.wave[r] == table.waves[0]
    return {"value": v, "p": pv, "test": str(test), "first": bool(first), "shown": bool(np.isfinite(v)),
            "beyond": bool(np.isfinite(pv) and pv < 1 - table.confidence)}


def _charts(kind: str, table: ProgressTable, waves: dict[str, Assessment], q: Questionnaire, lang: str,
            last: str) -> dict[str, str]:
    """The report's charts as inline SVG."""
    from ..plots import index_trend_figure, level_distribution_figure, unit_value_heatmap, value_profile_figure
    from ._format import svg_of

    if kind == "index":
        out = {"heatmap": svg_of(unit_value_heatmap(table, wave=last, questionnaire=q, lang=lang)),
               "profile": svg_of(value_profile_figure(table, assessments=waves, questionnaire=q, lang=lang))}
        if len(table.waves) > 1:
            out["trend"] = svg_of(index_trend_figure(table, questionnaire=q, lang=lang))
        return out
    return {"levels": svg_of(level_distribution_figure(table, lang=lang))}


def agency_context(waves: list[tuple[str, Assessment]], q: Questionnaire, *, by: str | None, min_group_size: int,
                   confidence: float, lang: str, random_state: int | np.random.Generator | None,
                   charts: bool = True, n_draws: int = 2000) -> dict[str, Any]:
    """Everything the agency template shows, for the waves of an instrument of items."""
    wmap = dict(waves)
    table = progress(wmap, by=by, min_group_size=min_group_size, confidence=confidence, questionnaire=q)
    last = table.waves[-1]
    a = wmap[last]
    rows = np.flatnonzero(table.wave == last)
    has_index = table.index_mean is not None and q.index is not None
    kind = "index" if has_index else "levels"
    if has_index:
        assert table.index_mean is not None and table.index_ci_lower is not None and table.index_ci_upper is not None
        main, table_main = a.index, table.index_mean[rows]
        main_low, main_high, rank = table.index_ci_lower[rows], table.index_ci_upper[rows], table.rank_index
        assert rank is not None and table.change_index is not None and table.change_index_p is not None
        ch_v, ch_p, ch_t = table.change_index, table.change_index_p, table.change_index_test
    else:
        main, table_main = a.expected_level, table.mean_expected_level[rows]
        main_low, main_high, rank = table.expected_level_ci_lower[rows], table.expected_level_ci_upper[rows], table.rank_expected_level
        ch_v, ch_p, ch_t = table.change_expected_level, table.change_expected_level_p, table.change_test
    if main is None:
        raise ValueError(f"The assessments of {q.id!r} have neither an index nor levels: no agency report can be made.")
    stats = group_stats(table, a, rows, main, table_main)
    rng = random_state if isinstance(random_state, np.random.Generator) else np.random.default_rng(random_state)
    ranks = rank_intervals(table_main, stats.main_se, rank[rows], confidence=confidence, n_draws=n_draws, rng=rng)
    names = q.scale_names(table.scale_ids, lang)
    cats = table.scale_categories[rows] if table.scale_categories is not None else np.full((len(rows), len(names)), "")
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    out_rows = []
    for i, r in enumerate(rows.tolist()):
        values = [_cell(table.scale_means[r, j], stats.scale_low[i, j], stats.scale_high[i, j], cats[i, j], q, lang, names[j])
                  for j in range(len(names))]
        code = table.index_category[r] if has_index and table.index_category is not None else ""
        row: dict[str, Any] = {
            "group": str(table.group[r]), "total": table.group[r] == ALL_GROUP, "n": int(table.n[r]),
            "suppressed": bool(table.suppressed[r]),
            "main": _cell(table_main[i], main_low[i], main_high[i], code, q if has_index else None, lang),
            "values": values,
            "rank": float(rank[r]), "rank_low": float(ranks.low[i]), "rank_high": float(ranks.high[i]),
            "p_first": float(ranks.p_first[i]),
            "change": _change(table, r, ch_v[r], ch_p[r], ch_t[r] if ch_t is not None else ""),
        }
        shown = [c for c in values if c["shown"]]
        row["weakest"] = min(shown, key=lambda c: c["value"]) if shown else None
        if not has_index:
            shares = table.level_shares[r]
            counts = np.rint(shares * table.n[r])
            lo, hi = wilson_interval(counts, np.full(6, float(table.n[r])), z)
            hide = bool(table.suppressed[r])
            row["shares"] = [{"level": k, "label": Level(k).label(lang) if k else "", "value": float(shares[k]),
                              "low": np.nan if hide else float(lo[k]), "high": np.nan if hide else float(hi[k]),
                              "shown": bool(np.isfinite(shares[k]))} for k in range(6)]
        out_rows.append(row)
    ranked = sorted((x for x in out_rows if np.isfinite(x["rank"])), key=lambda x: (x["rank"], x["group"]))
    ctx: dict[str, Any] = {
        "kind": kind, "wave": last, "waves": list(table.waves), "by": by, "rows": out_rows,
        "scale_ids": list(table.scale_ids),
        "overall": out_rows[0], "units": out_rows[1:], "ranked": ranked, "value_names": names,
        "confidence": confidence, "n_draws": ranks.n_draws, "min_group_size": min_group_size,
        "main_name": (q.index.name.get(lang, q.index.id) if has_index and q.index is not None else None),
        "notes": list(table.notes),
        "categories": ([{"code": c.code, "label": c.label.get(lang, c.code), "min": c.min,
                         "color": category_color(c.code, tuple(x.code for x in q.index.categories))}
                        for c in q.index.categories] if has_index and q.index is not None else []),
        "levels": [{"level": k, "label": Level(k).label(lang)} for k in range(1, 6)],
        "transitions": None, "reliable": None, "charts": {},
    }
    if not has_index and len(waves) > 1:
        ctx.update(_between_waves(wmap[table.waves[-2]], a, min_group_size, confidence, lang, charts))
    if charts:
        ctx["charts"].update(_charts(kind, table, wmap, q, lang, last))
    return ctx


def _between_waves(before: Assessment, after: Assessment, mgs: int, conf: float, lang: str, charts: bool) -> dict[str, Any]:
    """Level moves and reliable change counts between the last two waves; nothing shown unless
    at least ``mgs`` respondents are matched."""
    tt = transitions(before, after, confidence=conf)
    rc = reliable_change(before, after, confidence=conf)
    out: dict[str, Any] = {"transitions": None, "reliable": None}
    if tt.n_matched < mgs:
        return out
    out["transitions"] = {"counts": tt.counts.astype(int).tolist(), "n_matched": int(tt.n_matched)}
    out["reliable"] = rc.counts()
    if charts:
        from ..plots import transition_figure
        from ._format import svg_of

        out["transitions"]["svg"] = svg_of(transition_figure(tt, lang=lang))
    return out
