"""The report as an Excel workbook (``output="report.xlsx"``): the same tables as the HTML report,
as sheets with headers in the report's language, written by :func:`akhlak_levels._workbook.write_workbook`
(numbers kept whole and shown rounded, category cells in their colours, frozen headers, every
text neutralised so no cell is a formula).

A suppressed group's figures are empty cells, with "ya"/"yes" in the suppressed column: the
same rows and figures the HTML report shows.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from .._workbook import write_workbook
from ..levels import Level
from ..model import is_vote_instrument
from ._format import CATEGORY_COLORS
from ._inputs import Inputs
from ._methods import methods_context
from ._text import texts

__all__ = ["agency_sheets", "culture_sheets", "people_sheets", "write_report_workbook", "write_sheets"]


def _fig(c: dict[str, Any], key: str = "value") -> Any:
    return c[key] if c.get("shown", True) and np.isfinite(c[key]) else None


def _fills(categories: list[dict[str, Any]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for c in categories:
        out[c["code"]] = c["color"]
    return out


def agency_sheets(ctx: dict[str, Any], lang: str) -> dict[str, list[dict[str, Any]]]:
    """The agency report's tables (from :func:`~._agency.agency_context`) as sheets of records."""
    t = texts(lang)
    units, ranking, change, weakest = [], [], [], []
    main = ctx["main_name"] or t.expected_level
    for u in ctx["rows"]:
        name = t.all if u["total"] else u["group"]
        rec: dict[str, Any] = {t.unit: name, t.n: u["n"], t.suppressed_col: t.yes if u["suppressed"] else ""}
        rec[main] = _fig(u["main"])
        rec[f"{main} ({t.low})"] = _fig(u["main"], "low")
        rec[f"{main} ({t.high})"] = _fig(u["main"], "high")
        if ctx["kind"] == "index":
            rec[f"{main} - {t.category}"] = u["main"]["code"] or None
            for c in u["values"]:
                rec[c["name"]] = _fig(c)
                rec[f"{c['name']} - {t.category}"] = c["code"] or None
            w = u["weakest"]
            weakest.append({t.unit: name, t.value: w["name"] if w else None, t.score: _fig(w) if w else None})
        else:
            for s in u["shares"][1:] + u["shares"][:1]:
                head = f"{s['level']} {s['label']}" if s["level"] else t.undetermined
                rec[head] = s["value"] if s["shown"] else None
                rec[f"{head} ({t.low})"] = s["low"] if np.isfinite(s["low"]) else None
                rec[f"{head} ({t.high})"] = s["high"] if np.isfinite(s["high"]) else None
        units.append(rec)
        ch = u["change"]
        if len(ctx["waves"]) > 1:
            change.append({t.unit: name, t.difference: ch["value"] if ch["shown"] else None,
                           t.p_value: ch["p"] if ch["shown"] else None,
                           t.verdict: (t.beyond_noise if ch["beyond"] else t.within_noise) if ch["shown"] else None})
    for u in ctx["ranked"]:
        ranking.append({t.rank: int(u["rank"]), t.unit: u["group"], main: _fig(u["main"]),
                        f"{t.rank_interval} ({t.low})": int(u["rank_low"]), f"{t.rank_interval} ({t.high})": int(u["rank_high"]),
                        t.p_first: u["p_first"]})
    sheets: dict[str, list[dict[str, Any]]] = {t.sheet_units if ctx["kind"] == "index" else t.sheet_levels: units,
                                               t.ranking: ranking}
    if change:
        sheets[t.sheet_change] = change
    if weakest:
        sheets[t.weakest] = weakest
    if ctx.get("transitions"):
        sheets[t.transitions] = [{t.get("from") + " \\ " + t.to: f"{lv['level']} {lv['label']}",
                                  **{str(k + 1): n for k, n in enumerate(row)}}
                                 for lv, row in zip(ctx["levels"], ctx["transitions"]["counts"])]
    return sheets


def culture_sheets(ctx: dict[str, Any], lang: str) -> dict[str, list[dict[str, Any]]]:
    """The culture map report's tables (from :func:`~._culture.culture_context`) as sheets."""
    t = texts(lang)
    groups, top, ranking = [], [], []
    rec: dict[str, Any]
    for g in ctx["rows"]:
        name = t.all if g["total"] else g["group"]
        e = g["entropy"]
        rec = {t.group: name, t.n: g["n"], t.suppressed_col: t.yes if g["suppressed"] else "",
                               t.entropy: e["value"] if e else None, t.band: t.get(e["band"]) if e else None,
                               t.implementation: _fig(g["implementation"]),
                               f"{t.implementation} - {t.category}": g["implementation"]["code"] or None}
        for name_v, c in zip(ctx["value_names"], g["values"]):
            rec[name_v] = _fig(c)
            rec[f"{name_v} - {t.category}"] = c["code"] or None
        groups.append(rec)
        for lst in g.get("lists", []):
            for k, b in enumerate(lst["items"], start=1):
                top.append({t.group: name, t.top_lists: t.get(lst["role"]), t.position: k,
                            t.behaviour: b["label"], t.votes: b["votes"]})
    for g in ctx["ranked"]:
        r = g["rank"]
        ranking.append({t.rank: r["rank"], t.group: g["group"], t.implementation: _fig(g["implementation"]),
                        f"{t.rank_interval} ({t.low})": r["low"], f"{t.rank_interval} ({t.high})": r["high"],
                        t.p_first: r["p_first"]})
    change = []
    for g in ctx["rows"]:
        if g["change"] is None:
            continue
        rec = {t.group: t.all if g["total"] else g["group"]}
        for key, head in (("implementation", t.implementation), ("entropy", t.entropy)):
            d = g["change"][key]
            rec[f"{head}: {t.difference}"] = d["value"] if d["shown"] else None
            rec[f"{head} ({t.low})"] = d["low"] if d["shown"] else None
            rec[f"{head} ({t.high})"] = d["high"] if d["shown"] else None
            rec[f"{head}: {t.verdict}"] = (t.beyond_noise if d["beyond"] else t.within_noise) if d["shown"] else None
        change.append(rec)
    return {t.value_indices: groups, t.sheet_top: top, t.ranking: ranking, t.sheet_change: change}


def people_sheets(pages: list[dict[str, Any]], lang: str) -> dict[str, list[dict[str, Any]]]:
    """One row per respondent: their level, probabilities, scores, index and change."""
    t = texts(lang)
    rows = []
    for p in pages:
        rec: dict[str, Any] = {t.respondent: p["id"], t.unit: p["unit"]}
        if p["levels"]:
            L = p["levels"]
            rec[t.level] = L["level"] or None
            rec[t.expected_level] = L["expected"]
            for k, pr in enumerate(L["probabilities"], start=1):
                rec[f"{t.probability} {k}"] = pr
        if p["index"]:
            rec[p["index"]["name"]] = p["index"]["value"]
            rec[f"{p['index']['name']} - {t.category}"] = p["index"]["code"] or None
        for s in p["scales"]:
            rec[s["name"]] = s["value"] if np.isfinite(s["value"]) else None
        if p["has_previous"]:
            rec[t.verdict] = t.get(p["verdict"]) if p["matched"] else None
        rows.append(rec)
    return {t.sheet_people: rows}


def write_sheets(path: Path, sheets: dict[str, list[dict[str, Any]]], lang: str,
                 categories: list[dict[str, Any]] | None = None) -> Path:
    """Write ``sheets`` with the categories' fill colours (their codes and labels)."""
    t = texts(lang)
    # shares as percentages, p-values to three decimals, the 1-5 expected level to two; every
    # other float (0-100 scores) with one decimal
    heads = [f"{k} {Level(k).label(lang)}" for k in range(1, 6)] + [t.undetermined]
    formats = {h: "0.0%" for head in heads for h in (head, f"{head} ({t.low})", f"{head} ({t.high})")}
    formats.update({t.p_first: "0%", t.p_value: "0.000", t.expected_level: "0.00",
                    f"{t.expected_level} ({t.low})": "0.00", f"{t.expected_level} ({t.high})": "0.00",
                    t.confidence: "0%", **{f"{t.probability} {k}": "0%" for k in range(1, 6)}})
    fills = _fills(categories or [])
    for c in categories or []:
        fills[c["label"]] = c["color"]
    if not fills:
        fills = {code: col for code, col in zip("ABCD", CATEGORY_COLORS)}
    sheets = {k: v for k, v in sheets.items() if v}
    return write_workbook(path, sheets, lang=lang, category_fills=fills, number_format=formats)


def methods_sheet(methods: dict[str, Any], lang: str) -> list[dict[str, Any]]:
    """The methods appendix as rows of (what, value)."""
    t = texts(lang)
    rows = [(t.instrument, f"{methods['questionnaire_id']} {methods['questionnaire_version']}"),
            (t.content_hash, methods["questionnaire_hash"]),
            (t.model, f"{methods['model_label']} {methods['model_hash'] or ''}".strip() if methods["model_kind"] else t.no_model),
            (t.source, methods["source"]), (t.waves, ", ".join(methods["waves"])),
            (t.confidence, methods["confidence"]),
            (t.suppression_rule, t.suppression_text.format(mgs=methods["min_group_size"])),
            (t.date, methods["date"]), (t.library, f"akhlak_levels {methods['version']}")]
    rows += [(f"{t.alpha}: {r['name']}", r["alpha"]) for r in methods["reliability"]]
    if methods["reliability_note"]:
        rows.append((t.reliability, methods["reliability_note"]))
    return [{t.methods: k, t.value: v} for k, v in rows]


def write_report_workbook(inp: Inputs, out: Path, *, kind: str, by: str | None, mgs: int, conf: float, lang: str,
                          date: Any, random_state: Any) -> Path:
    """The report's tables as a workbook at ``out`` (an ``.xlsx`` path)."""
    q = inp.questionnaire
    categories: list[dict[str, Any]] = []
    notes: list[str] = []
    if kind == "personal":
        from ._personal import person_pages

        pages, notes = person_pages(inp, by=by, mgs=mgs, conf=conf, lang=lang)
        sheets = people_sheets(pages, lang)
    elif is_vote_instrument(q):
        from ._culture import culture_context

        ctx = culture_context(inp.maps, q, lang=lang, confidence=conf, random_state=random_state, charts=False)
        sheets, categories = culture_sheets(ctx, lang), ctx["categories"]
    else:
        from ._agency import agency_context

        ctx = agency_context(inp.waves, q, by=by, min_group_size=mgs, confidence=conf, lang=lang,
                             random_state=random_state, charts=False)
        sheets, categories, notes = agency_sheets(ctx, lang), ctx["categories"], ctx["notes"]
    methods = methods_context(inp, lang=lang, min_group_size=mgs, confidence=conf, date=date, notes=notes)
    sheets[texts(lang).methods] = methods_sheet(methods, lang)
    return write_sheets(out, sheets, lang, categories)
