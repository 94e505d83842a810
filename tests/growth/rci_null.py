"""Null simulations of :func:`akhlak_levels.reliable_change` on questionnaires that are not bundled
(issue 10, item 1): nobody changes between the two waves, so every verdict other than "no
reliable change" is a false positive.

Two custom questionnaires, built here (not bundled, so ``reliable_change`` cannot look them up):

- ``scales_questionnaire()``: four scales of 3, 5, 8 and 4 items on 5-, 4/5-, 7- and 5-point
  formats (score steps 100/12, 100/60, 100/48, 100/16), two reverse-keyed items; no level model.
- ``levels_questionnaire()``: ``socio-emotional-levels`` cut to scales of 3, 6, 4, 5 and 2 items
  plus its eight choice items, under another id, with its theory prior.

Answers are missing completely at random with a probability that depends on the item's scale
(``SCALE_MISSING``, ``LEVEL_MISSING``). A plain module with a name unique in the test tree (see
``growth_helpers``); ``benchmarks/study_rci_null.py`` runs the same simulations at larger sizes
and against an older akhlak_levels, using only the public API.
"""

from __future__ import annotations

import copy
import dataclasses
import json
from pathlib import Path

import numpy as np

import akhlak_levels as al
from akhlak_levels.questionnaire import questionnaire_from_dict

ROOT = Path(__file__).resolve().parents[2]

#: Per scale of ``scales_questionnaire``: the probability that an item of it is unanswered.
SCALE_MISSING = {"a": 0.0, "b": 0.05, "c": 0.3, "d": 0.1}

#: The same questionnaire with every answer given (where akhlak_levels before issue 10, without
#: ``questionnaire=``, lost its continuity correction and went over the nominal rate).
COMPLETE = dict.fromkeys(SCALE_MISSING, 0.0)

#: Per scale of ``levels_questionnaire`` (and "choice" for its choice items).
LEVEL_MISSING = {"dependent": 0.05, "ego-dependent": 0.4, "socio-dependent": 0.2, "intra-dependent": 0.1,
                 "inter-dependent": 0.5, "choice": 0.3}

_FORMATS = [
    {"id": "agree4", "type": "likert", "points": 4, "labels": {"en": ["Disagree", "Rather disagree", "Rather agree", "Agree"]}},
    {"id": "freq5", "type": "likert", "points": 5, "labels": {"en": ["Never", "Rarely", "Sometimes", "Often", "Always"]}},
    {"id": "agree7", "type": "likert", "points": 7, "labels": {"en": [f"{k}" for k in range(1, 8)]}},
]

#: (scale, format of each item, reversed items by position)
_SCALES = [("a", ["freq5"] * 3, ()), ("b", ["agree4", "agree4", "freq5", "freq5", "agree4"], ()),
           ("c", ["agree7"] * 8, (2, 5)), ("d", ["freq5"] * 4, ())]


def scales_questionnaire() -> al.Questionnaire:
    """Four scales of unequal length and response formats, no level model, not bundled."""
    items = []
    for sid, formats, reversed_at in _SCALES:
        for j, fmt in enumerate(formats):
            items.append({"id": f"{sid}{j + 1}", "type": "likert", "format": fmt, "text": {"en": f"Item {sid}{j + 1}"},
                          "scales": [sid], "reverse": j in reversed_at})
    doc = {
        "format": "akhlak-levels/questionnaire", "format_version": 1, "id": "custom-rci-null", "version": "1.0.0",
        "title": {"en": "Reliable change null simulation"}, "languages": ["en"], "response_formats": _FORMATS,
        "scales": [{"id": sid, "name": {"en": sid.upper()}} for sid, _, _ in _SCALES], "items": items,
    }
    return questionnaire_from_dict(doc)


def levels_questionnaire() -> al.Questionnaire:
    """``socio-emotional-levels`` with scales of 3, 6, 4, 5 and 2 items (and its choice items),
    under another id: its theory prior, not bundled."""
    doc = copy.deepcopy(json.loads((ROOT / "questionnaires" / "socio-emotional-levels.json").read_text("utf-8")))
    keep = {"dependent": 3, "ego-dependent": 6, "socio-dependent": 4, "intra-dependent": 5, "inter-dependent": 2}
    seen = dict.fromkeys(keep, 0)
    items = []
    for it in doc["items"]:
        scales = it.get("scales") or []
        if scales:
            if seen[scales[0]] >= keep[scales[0]]:
                continue
            seen[scales[0]] += 1
        items.append(it)
    doc.update(id="custom-levels-null", items=items)
    doc.pop("index", None)
    return questionnaire_from_dict(doc)


def _missing_mask(q: al.Questionnaire, by_scale: dict[str, float], n: int, rng: np.random.Generator) -> np.ndarray:
    """n x items: True where the answer is dropped, with each item's scale's probability."""
    p = np.array([by_scale[it.scales[0]] if it.scales else by_scale["choice"] for it in q.items])
    return rng.random((n, q.n_items)) < p[None, :]


def scales_waves(
    q: al.Questionnaire, n: int, rng: np.random.Generator, missing: dict[str, float] | None = None
) -> tuple[al.ResponseSet, al.ResponseSet]:
    """Two waves of the same ``n`` people with the same latent value per scale (nobody changes):
    each answer is the latent value plus item noise, on the item's options, rounded and clipped
    (reversed where the item is reverse-keyed), some answers dropped (``missing``, by default
    ``SCALE_MISSING``)."""
    scale_pos = {s.id: j for j, s in enumerate(q.scales)}
    latent = rng.normal(0.3, 0.8, size=(n, len(q.scales)))
    ids = np.char.add("p", np.arange(n).astype(str))
    waves = []
    for _ in range(2):
        codes = np.empty((n, q.n_items), dtype=np.int8)
        for i, it in enumerate(q.items):  # a loop over items, vectorised over people
            k = it.n_options
            x = (k - 1) / 2 + (k - 1) / 4 * (latent[:, scale_pos[it.scales[0]]] + rng.normal(0, 1.0, n))
            keyed = np.clip(np.rint(x), 0, k - 1).astype(np.int8)
            codes[:, i] = (k - 1 - keyed) if it.reverse else keyed
        codes[_missing_mask(q, SCALE_MISSING if missing is None else missing, n, rng)] = al.MISSING
        waves.append(al.ResponseSet(q, ids, codes))
    return waves[0], waves[1]


def levels_waves(q: al.Questionnaire, n: int, rng: np.random.Generator) -> tuple[al.ResponseSet, al.ResponseSet]:
    """Two waves drawn from the questionnaire's own model with the same true level per person,
    some answers dropped (``LEVEL_MISSING``)."""
    levels = rng.integers(1, 6, n)
    out = []
    for _ in range(2):
        rs, _ = al.simulate(q, n, levels=levels, random_state=rng)
        codes = rs.codes.copy()
        codes[_missing_mask(q, LEVEL_MISSING, n, rng)] = al.MISSING
        out.append(dataclasses.replace(rs, codes=codes))
    return out[0], out[1]


def false_positive_rates(method: str, n: int, confidences: tuple[float, ...], seed: int = 0,
                         pass_questionnaire: bool = False, missing: dict[str, float] | None = None) -> dict[float, float]:
    """Share of the ``n`` unchanged people given a verdict, per confidence, for ``method``
    ("scales": SEM from ``reliability`` on the baseline, answers missing by ``missing`` or
    ``SCALE_MISSING``; "levels": the theory prior, ``LEVEL_MISSING``)."""
    rng = np.random.default_rng(seed)
    if method == "scales":
        q = scales_questionnaire()
        before, after = scales_waves(q, n, rng, missing)
        extra = {"reliability": al.reliability(q, before)}
    else:
        q = levels_questionnaire()
        before, after = levels_waves(q, n, rng)
        extra = {}
    if pass_questionnaire:
        extra["questionnaire"] = q
    a, b = al.assess(q, before), al.assess(q, after)
    out = {}
    for conf in confidences:
        rc = al.reliable_change(a, b, method=method, confidence=conf, **extra)
        out[conf] = float(np.mean(rc.verdict != "no reliable change"))
    return out
