"""Helpers shared by the growth tests: assessments with given posteriors and scale scores,
one-hot posteriors, simulated waves, waves of units, and a binomial bound for rates found by
simulation.

A plain module with a name unique in the test tree (pytest puts this folder on ``sys.path``
when it imports the tests here), not ``conftest.py``: ``from conftest import ...`` gets whichever
conftest pytest loaded last, which breaks once another test folder has one.
"""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import numpy as np

import akhlak_levels as al

SEL = al.load_questionnaire("socio-emotional-levels")
BER = al.load_questionnaire("berakhlak")
LEVELS = np.arange(1, 6, dtype=float)
ROOT = Path(__file__).resolve().parents[2]


def binomial_bound(p: float, n: int, k: float = 3.0) -> float:
    """``p`` plus ``k`` binomial standard errors: an observed rate above this is evidence (at
    about the 0.1% level, one-sided) that the true rate exceeds ``p``."""
    return p + k * math.sqrt(p * (1 - p) / n)


def made(q, ids, *, probs=None, scores=None, n_answered=None, unit=None, wave=None, date=None, groups=None,
         scale_answered=None):
    """An Assessment with the given posteriors and scale scores (the rest consistent with them;
    every scale's items answered unless ``scale_answered`` says otherwise)."""
    ids = np.asarray(ids).astype(str)
    n = len(ids)
    # scored with placeholder ids (a ResponseSet refuses repeated ids), then given the ids asked
    # for, repeated ones included, so that the growth functions' own checks can be tested
    a = al.assess(q, al.ResponseSet(q, np.arange(n).astype(str), np.full((n, q.n_items), al.MISSING, dtype=np.int8)))
    ch: dict = {"respondent_ids": ids, "n_answered": np.full(n, q.n_items) if n_answered is None else np.asarray(n_answered)}
    full = np.broadcast_to(a.scale_n_items, (n, len(a.scale_ids)))
    ch["scale_answered"] = (full if scale_answered is None else np.asarray(scale_answered)).astype(a.scale_answered.dtype)
    if probs is not None:
        p = np.asarray(probs, dtype=float)
        e = p @ LEVELS
        level = (p.argmax(axis=1) + 1).astype(np.int8)
        level[p.max(axis=1) < 0.5] = 0
        ch.update(
            probabilities=p, expected_level=e, expected_level_sd=np.sqrt(np.maximum(p @ LEVELS**2 - e**2, 0)),
            confidence=p.max(axis=1), level=level,
        )
    if scores is not None:
        s = np.asarray(scores, dtype=float)
        ch["scale_scores"] = s
        if q.index is not None:
            pos = [a.scale_ids.index(sid) for sid in q.index.scales]
            ch["index"] = s[:, pos].mean(axis=1)
            ch["index_category"] = q.index.categorize(ch["index"])
    for k, v in (("unit", unit), ("wave", wave), ("date", date)):
        if v is not None:
            ch[k] = np.asarray(v)
    if groups is not None:
        ch["groups"] = {k: np.asarray(v) for k, v in groups.items()}
    return replace(a, **ch)


def onehot(levels):
    p = np.full((len(levels), 5), 0.0)
    p[np.arange(len(levels)), np.asarray(levels) - 1] = 1.0
    return p


def simulated_waves(n, levels_by_wave, *, missing=0.0, seed=0):
    rng = np.random.default_rng(seed)
    out = []
    for lv in levels_by_wave:
        rs, _ = al.simulate(SEL, n, levels=lv, missing=missing, random_state=rng)
        out.append(al.assess(SEL, rs))
    return out


def unit_waves(sizes_by_wave, *, seed=0, q=SEL, shared_ids=False):
    """One assessment per wave, with unit sizes as given, random posteriors and scores."""
    rng = np.random.default_rng(seed)
    out = {}
    for w, sizes in enumerate(sizes_by_wave):
        units = np.repeat([f"u{g}" for g in range(len(sizes))], sizes)
        n = len(units)
        ids = np.arange(n).astype(str) if shared_ids else np.char.add(f"w{w}-", np.arange(n).astype(str))
        probs = rng.dirichlet(np.full(5, 0.5), n) if q is SEL else None
        scores = rng.uniform(0, 100, (n, len(q.scales)))
        out[str(2020 + w)] = made(q, ids, probs=probs, scores=scores, unit=units)
    return out
