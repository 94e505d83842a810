"""Personal reports: one page per respondent of the last wave, holding that person's results,
their unit's means where the unit is not suppressed, their change since the previous wave, and
the statement that the result is an advisory estimate (UU PDP No. 27/2022, Pasal 10).

A page is rendered from that person's row only: the arrays are sliced per person before a
template sees them, so no other person's id, score or group figure can reach the page (the unit
means come from :func:`~akhlak_levels.progress`, the library's suppression engine).
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

import numpy as np

from ..assessment import Assessment
from ..growth import progress, reliable_change
from ..levels import Level
from ..questionnaire import Questionnaire
from ._format import category_color, write_text
from ._groups import group_labels
from ._inputs import Inputs
from ._methods import methods_context

__all__ = ["file_names", "person_pages", "write_personal"]

_SAFE = re.compile(r"[^A-Za-z0-9_-]")


def file_names(ids: list[str]) -> list[str]:
    """A file name per respondent id: the id where it is plain (letters, digits, ``_``, ``-``,
    at most 64 characters), else a plain version with a short hash of the id, so names never
    leave the folder, never collide, and two ids never share a file."""
    out = []
    for i in ids:
        slug = _SAFE.sub("_", i)[:64]
        if slug != i or not slug:
            slug = f"{slug}-{hashlib.sha256(i.encode('utf-8')).hexdigest()[:10]}"
        out.append(slug + ".html")
    if len(set(out)) != len(out):  # the same id twice: the store and readers refuse it, but be sure
        raise ValueError("Respondent ids repeat in the last wave: personal reports need unique ids.")
    return out


def _level_texts(q: Questionnaire, lang: str) -> list[dict[str, Any]]:
    """Name and description of each level: the questionnaire's level scales' descriptions, else
    :meth:`Level.focus`."""
    by_level = {s.level: s for s in q.scales if s.level}
    out = []
    for k in range(1, 6):
        s = by_level.get(k)
        text = s.description.get(lang, "") if s is not None and s.description else ""
        out.append({"level": k, "label": Level(k).label(lang), "description": text or Level(k).focus(lang)})
    return out


def _previous(prev: Assessment | None, a: Assessment, conf: float, sem: np.ndarray | None = None) -> dict[str, Any]:
    """Per respondent of ``a``: matched in ``prev``, the changes of expected level, index and
    scales, and the reliable change verdict where the assessments have levels, or where the
    scales' standard errors of measurement ``sem`` are known (from the responses read)."""
    n, S = len(a), len(a.scale_ids)
    out: dict[str, Any] = {"matched": np.zeros(n, dtype=bool), "expected": np.full(n, np.nan),
                           "index": np.full(n, np.nan), "scales": np.full((n, S), np.nan),
                           "verdict": np.full(n, "not_tested", dtype=object)}
    if prev is None:
        return out
    pid = np.asarray(prev.respondent_ids).astype(str)
    order = np.argsort(pid, kind="stable")
    ids = np.asarray(a.respondent_ids).astype(str)
    pos = np.searchsorted(pid[order], ids).clip(0, max(len(pid) - 1, 0))
    hit = (pid[order][pos] == ids) if len(pid) else np.zeros(n, dtype=bool)
    j = order[pos]
    out["matched"] = hit
    if prev.scale_ids == a.scale_ids:
        out["scales"] = np.where(hit[:, None], a.scale_scores - prev.scale_scores[j], np.nan)
    if a.index is not None and prev.index is not None:
        out["index"] = np.where(hit, a.index - prev.index[j], np.nan)
    levels = a.expected_level is not None and prev.expected_level is not None
    if levels:
        assert a.expected_level is not None and prev.expected_level is not None
        out["expected"] = np.where(hit, a.expected_level - prev.expected_level[j], np.nan)
    if levels or sem is not None:
        rc = reliable_change(prev, a, confidence=conf, sem=None if levels else sem)
        rid = np.asarray(rc.respondent_ids).astype(str)
        ro = np.argsort(rid, kind="stable")
        k = ro[np.searchsorted(rid[ro], ids).clip(0, len(rid) - 1)]
        out["verdict"] = np.where(hit, rc.verdict[k], "not_tested").astype(object)
    return out


def person_pages(inp: Inputs, *, by: str | None, mgs: int, conf: float, lang: str) -> tuple[list[dict[str, Any]], list[str]]:
    """The data of each person's page (sliced per person), and the table's notes."""
    q = inp.questionnaire
    wmap = dict(inp.waves)
    names = [w for w, _ in inp.waves]
    a = wmap[names[-1]]
    table = progress(wmap, by=by, min_group_size=mgs, confidence=conf, questionnaire=q)
    rows = np.flatnonzero(table.wave == names[-1])
    where = {g: i for i, g in enumerate(table.group[rows].tolist())}
    labels = group_labels(a, by)
    uniq, inv = np.unique(labels, return_inverse=True)
    r = rows[np.array([where[g] for g in uniq.tolist()], dtype=np.int64)[inv]] if len(a) else rows[:0]
    unit_scales = table.scale_means[r]
    unit_hidden = table.suppressed[r]
    unit_index = table.index_mean[r] if table.index_mean is not None else np.full(len(a), np.nan)
    unit_expected = table.mean_expected_level[r]
    sem = None
    if inp.responses is not None and len(names) > 1 and a.probabilities is None:
        import warnings

        from ..quality import reliability

        with warnings.catch_warnings():  # a short scale warns of its reliability; its SEM is still the one to use
            warnings.simplefilter("ignore")
            rt = reliability(q, inp.responses)
        if tuple(rt.scale) == tuple(a.scale_ids):
            sem = np.asarray(rt.sem, dtype=float)
    ch = _previous(wmap[names[-2]] if len(names) > 1 else None, a, conf, sem)
    snames = q.scale_names(a.scale_ids, lang)
    codes = tuple(c.code for c in q.index.categories) if q.index is not None else ()
    labels_of = {c.code: c.label.get(lang, c.code) for c in q.index.categories} if q.index is not None else {}
    levels = _level_texts(q, lang)
    ids = np.asarray(a.respondent_ids).astype(str).tolist()
    files = file_names(ids)
    pages = []
    for i, rid in enumerate(ids):  # one page per person: the rendering is per person by nature
        page: dict[str, Any] = {
            "id": rid, "file": files[i], "unit": None if by is None else str(labels[i]), "wave": names[-1],
            "unit_suppressed": bool(unit_hidden[i]),
            "scales": [{"id": s, "name": snames[j], "value": float(a.scale_scores[i, j]),
                        "unit": np.nan if unit_hidden[i] else float(unit_scales[i, j]),
                        "change": float(ch["scales"][i, j])} for j, s in enumerate(a.scale_ids)],
            "matched": bool(ch["matched"][i]), "has_previous": len(names) > 1, "previous": names[-2] if len(names) > 1 else "",
            "verdict": str(ch["verdict"][i]), "index": None, "levels": None,
        }
        if a.index is not None and q.index is not None:
            code = str(a.index_category[i]) if a.index_category is not None else ""
            page["index"] = {"name": q.index.name.get(lang, q.index.id), "value": float(a.index[i]), "code": code,
                             "label": labels_of.get(code, ""), "color": category_color(code, codes),
                             "unit": np.nan if unit_hidden[i] else float(unit_index[i]), "change": float(ch["index"][i])}
        if a.probabilities is not None and a.level is not None:
            assert a.expected_level is not None and a.expected_level_sd is not None
            lv = int(a.level[i])
            page["levels"] = {
                "probabilities": [float(p) for p in a.probabilities[i]], "level": lv,
                "text": levels[lv - 1] if lv else None, "all": levels,
                "expected": float(a.expected_level[i]), "sd": float(a.expected_level_sd[i]),
                "unit_expected": np.nan if unit_hidden[i] else float(unit_expected[i]),
                "change": float(ch["expected"][i]),
            }
        pages.append(page)
    return pages, list(table.notes)


def write_personal(inp: Inputs, env: Any, out: Path, *, by: str | None, min_group_size: int, confidence: float,
                   lang: str, date: Any) -> list[Path]:
    """Write the personal pages: one file with a page each when ``out`` ends in ``.html``, else
    one file per respondent in the folder ``out``."""
    pages, notes = person_pages(inp, by=by, mgs=min_group_size, conf=confidence, lang=lang)
    methods = methods_context(inp, lang=lang, min_group_size=min_group_size, confidence=confidence, date=date, notes=notes)
    template = env.get_template("personal.html.j2")
    t = env.globals["t"]
    common = {"methods": methods, "report_kind": "personal", "questionnaire_title": inp.questionnaire.title.get(lang, inp.questionnaire.id)}
    if out.suffix.lower() in (".html", ".htm"):
        write_text(out, template.render(pages=pages, title=t.personal_title, **common))
        return [out]
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for page in pages:
        path = out / page["file"]
        write_text(path, template.render(pages=[page], title=f"{t.personal_title}: {page['id']}", **common))
        written.append(path)
    return written
