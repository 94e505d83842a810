"""The culture map report of a vote instrument (``berakhlak-culture-map``): the three top-ten
lists with their matches, the hindering factors, cultural entropy with its band, the value
indices with their categories, the groups ranked with rank intervals.

Every figure is a figure of :class:`~akhlak_levels.CultureMap` (suppressed groups are the map's)
or of :func:`~akhlak_levels.rank_units`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..culture import CultureMap, culture_change, rank_units
from ..questionnaire import Questionnaire
from ._format import category_color

__all__ = ["culture_context"]

_PAIRS = ("personal-current", "current-desired", "personal-desired")


def _float(x: Any) -> float:
    """A figure of a table record (None where hidden) as a float (NaN where hidden)."""
    return float("nan") if x is None else float(x)


def _cell(value: float, low: float, high: float, code: str, codes: tuple[str, ...], labels: dict[str, str]) -> dict[str, Any]:
    shown = bool(np.isfinite(value))
    return {"value": float(value), "low": float(low), "high": float(high), "shown": shown,
            "code": str(code) if shown else "", "label": labels.get(str(code), "") if shown else "",
            "color": category_color(code, codes) if shown else ""}


def _top_lists(cm: CultureMap, q: Questionnaire, r: int, lang: str) -> list[dict[str, Any]]:
    """Each question's top list of row ``r``: behaviour label, votes, share, level, polarity and
    whether it is in another list of the row."""
    beh = {b.id: b for b in q.behaviours}
    in_pairs: dict[str, set[str]] = {}
    for pair in _PAIRS:
        for matched in cm.matched[pair][r]:
            in_pairs.setdefault(matched, set()).update(pair.split("-"))
    out = []
    for qi, role in enumerate(cm.roles):
        items = []
        for pos in cm.top[r, qi].tolist():
            if pos < 0:
                continue
            bid = cm.behaviours[pos]
            b = beh[bid]
            items.append({"id": bid, "label": b.label.get(lang, bid), "votes": float(cm.votes[r, qi, pos]),
                          "share": float(cm.share[r, qi, pos]), "level": b.level, "limiting": b.polarity != "positive",
                          "matched": role in in_pairs.get(bid, set())})
        out.append({"role": role, "question": cm.questions[qi], "items": items})
    return out


def culture_context(maps: list[tuple[str, CultureMap]], q: Questionnaire, *, lang: str, confidence: float,
                    random_state: Any = 0, charts: bool = True) -> dict[str, Any]:
    """Everything the culture template shows, for the last vote wave."""
    wave, cm = maps[-1]
    choices = q.culture_map_choices
    if choices is None:  # pragma: no cover - every vote instrument has its choices (defaults filled in)
        raise ValueError(f"{q.id!r} has no culture map choices.")
    codes = tuple(c.code for c in choices.categories)
    labels = {c.code: c.label.get(lang, c.code) for c in choices.categories}
    beh = {b.id: b for b in q.behaviours}
    vnames = []
    for v in cm.values:
        try:
            vnames.append(q.scale(v).name.get(lang, v))
        except KeyError:
            vnames.append(v)
    ranked = rank_units(cm, "implementation", confidence=confidence, random_state=random_state) if len(cm.group) > 1 else None
    rank_of = {} if ranked is None else {g: i for i, g in enumerate(ranked.group)}
    cur = cm.roles.index("current") if "current" in cm.roles else 0
    change = culture_change(maps[-2][1], cm, confidence=confidence) if len(maps) > 1 else None
    rows = []
    for r, g in enumerate(cm.group):
        hidden = bool(cm.suppressed[r])
        row: dict[str, Any] = {"group": g, "total": r == 0, "n": int(cm.n[r]), "suppressed": hidden, "entropy": None}
        if not hidden:
            row["lists"] = _top_lists(cm, q, r, lang)
            row["matches"] = [{"pair": p, "count": int(cm.matches[p][r]),
                               "behaviours": [beh[b].label.get(lang, b) for b in cm.matched[p][r]]} for p in _PAIRS]
            row["alignment_band"] = str(cm.alignment_band[r])
            row["hindering"] = [{"label": beh[cm.behaviours[p]].label.get(lang, cm.behaviours[p]),
                                 "votes": float(cm.votes[r, cur, p])} for p in cm.hindering[r].tolist() if p >= 0]
            row["entropy"] = {"value": float(cm.entropy[r]), "low": float(cm.entropy_low[r]),
                              "high": float(cm.entropy_high[r]), "band": str(cm.entropy_band[r]), "shown": True}
        row["implementation"] = _cell(cm.implementation[r], cm.implementation_low[r], cm.implementation_high[r],
                                      cm.implementation_category[r], codes, labels)
        row["values"] = [_cell(cm.value_index[r, v], cm.value_index_low[r, v], cm.value_index_high[r, v],
                               cm.value_category[r, v], codes, labels) for v in range(len(cm.values))]
        row["change"] = None
        if change is not None and g in change.group:
            cells = {k: change.cell(g, k) for k in ("implementation", "entropy")}
            row["change"] = {k: {"value": _float(c["difference"]), "low": _float(c["low"]), "high": _float(c["high"]),
                                 "beyond": bool(c["beyond_noise"]), "shown": bool(np.isfinite(_float(c["difference"])))}
                             for k, c in cells.items()}
        i = rank_of.get(g)
        row["rank"] = None if ranked is None or i is None else {
            "rank": int(ranked.rank[i]), "low": int(ranked.rank_low[i]), "high": int(ranked.rank_high[i]),
            "p_first": float(ranked.p_first[i])}
        rows.append(row)
    ctx: dict[str, Any] = {
        "wave": wave, "waves": [w for w, _ in maps], "previous": maps[-2][0] if len(maps) > 1 else None, "rows": rows, "overall": rows[0], "groups": rows[1:],
        "value_ids": list(cm.values), "value_names": vnames, "confidence": confidence,
        "min_group_size": int(cm.min_group_size), "index_definition": cm.index_definition,
        "categories": [{"code": c.code, "label": c.label.get(lang, c.code), "min": c.min,
                        "color": category_color(c.code, codes)} for c in choices.categories],
        "ranked": sorted((x for x in rows if x["rank"]), key=lambda x: (x["rank"]["rank"], x["group"])),
        "n_draws": ranked.n_draws if ranked is not None else 0, "charts": {},
    }
    if charts:
        from ..plots import level_profile_figure, value_jumps_figure
        from ._format import svg_of

        ctx["charts"] = {"profile": svg_of(level_profile_figure(cm, lang=lang)),
                         "jumps": svg_of(value_jumps_figure(cm, q, lang=lang))}
    return ctx
