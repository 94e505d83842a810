"""The methods appendix of every report: instrument, model, reliability, suppression rule,
date and library version."""

from __future__ import annotations

import datetime as _dt
from typing import Any

import numpy as np

from .._version import __version__
from ..model import is_vote_instrument
from ..quality import reliability
from ._text import texts
from ._inputs import Inputs

__all__ = ["methods_context"]


def _reliability_rows(inp: Inputs, lang: str) -> list[dict[str, Any]]:
    q = inp.questionnaire
    assert inp.responses is not None
    rt = reliability(q, inp.responses)
    rows = []
    for i, s in enumerate(rt.scale):
        try:
            name = q.scale(s).name.get(lang, s)
        except KeyError:
            name = s
        rows.append({"scale": s, "name": name, "n": int(rt.n_respondents[i]), "alpha": float(rt.alpha[i]),
                     "alpha_low": float(rt.alpha_ci_lower[i]), "alpha_high": float(rt.alpha_ci_upper[i]),
                     "omega": float(rt.omega_total[i]), "sem": float(rt.sem[i])})
    return rows


def methods_context(inp: Inputs, *, lang: str, min_group_size: int, confidence: float, date: Any,
                    notes: list[str] | None = None) -> dict[str, Any]:
    """What the methods appendix shows."""
    t = texts(lang)
    q = inp.questionnaire
    kind = mhash = None
    if inp.waves:
        a = inp.waves[-1][1]
        kind, mhash = a.model_kind, a.model_hash
    model_label = ""
    if kind:
        model_label = t.theory_prior if kind == "theory-prior" else f"{t.calibrated} ({kind})"
    rel: list[dict[str, Any]] = []
    if is_vote_instrument(q):
        note = t.reliability_votes
    elif inp.responses is not None:
        import warnings

        with warnings.catch_warnings():  # a short scale warns of its reliability; the table shows it
            warnings.simplefilter("ignore")
            rel = _reliability_rows(inp, lang)
        note = ""
    else:
        note = t.reliability_not_stored if inp.from_store else t.reliability_no_responses
    when = date if date is not None else _dt.datetime.now(_dt.timezone.utc).date()
    waves = [w for w, _ in inp.waves] or [w for w, _ in inp.maps]
    return {
        "questionnaire_id": q.id, "questionnaire_version": q.version, "questionnaire_hash": q.content_hash,
        "questionnaire_title": q.title.get(lang, q.id), "model_kind": kind, "model_hash": mhash,
        "model_label": model_label, "reliability": rel, "reliability_note": note, "source": inp.source if inp.source not in ("dict", "Assessment", "") else t.source_python,
        "waves": waves, "confidence": float(confidence), "min_group_size": int(min_group_size),
        "date": when.isoformat() if hasattr(when, "isoformat") else str(when), "version": __version__,
        "reliability_caption": t.reliability_from_wave.format(wave=inp.responses_wave) if rel and inp.responses_wave else "",
        "notes": [str(n) for n in (notes or []) if n and not (isinstance(n, float) and np.isnan(n))],
    }
