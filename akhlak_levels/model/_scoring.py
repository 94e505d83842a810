"""The scoring kernel: one gather-and-add pass over a flat weight table, in chunks of
respondents, giving level probabilities, their entropy, answered counts and 0-100 scale scores.

:func:`akhlak_levels.assess` wraps it with validation, level decisions and flags; the quality
and decision modules call it directly when they need probabilities or scale scores, so no
floor below the assessment has to import it.

Examples
--------
>>> from akhlak_levels import load_questionnaire, simulate
>>> q = load_questionnaire("socio-emotional-levels")
>>> rs, _ = simulate(q, 10, random_state=0)
>>> s = score_codes(q, rs.codes, q.default_model)
>>> s.probabilities.shape, s.scale_scores.shape, bool((s.n_answered == q.n_items).all())
((10, 5), (10, 5), True)
"""

from __future__ import annotations

from typing import Callable, NamedTuple

import numpy as np

from ..levels import N_LEVELS
from ..questionnaire import Questionnaire
from ..responses import MISSING
from ._links import cumulative_logit
from ._model import LevelModel

__all__ = ["DEFAULT_CHUNK", "Scores", "level_probabilities", "score_codes"]

#: Respondents scored at a time; memory beyond the outputs is O(DEFAULT_CHUNK).
DEFAULT_CHUNK = 1 << 14


class Scores(NamedTuple):
    """What one pass of the kernel gives (``probabilities`` and ``entropy`` are None without a model).

    A respondent whose posterior is not finite (the summed weights overflowed) has NaN
    probabilities and entropy; :func:`akhlak_levels.assess` gives them level 0 and the flag
    ``"non-finite-posterior"``.
    """

    probabilities: np.ndarray | None
    entropy: np.ndarray | None
    n_answered: np.ndarray
    scale_scores: np.ndarray


def _score_tables(q: Questionnaire) -> list[np.ndarray]:
    """Per item, the 0..1 keyed value of each option, NaN appended for code -1 (missing)."""
    out = []
    for it in q.items:
        if it.type == "likert":
            v = np.arange(it.n_options, dtype=float) / (it.n_options - 1)
            if it.reverse:
                v = v[::-1]
        else:
            lv = np.array([np.nan if l is None else l for l in it.option_levels], dtype=float)
            v = (lv - 1) / (N_LEVELS - 1)
        out.append(np.append(v, np.nan))
    return out


class _ScaleTables(NamedTuple):
    values: list[np.ndarray]  # per item, keyed 0..1 value per code (missing or unkeyed: 0)
    counts: list[np.ndarray]  # per item, 1 where the code counts as answered for the scales
    item_scales: list[list[int]]  # per item, the scales it counts in
    size: np.ndarray  # items per scale


def _scale_tables(q: Questionnaire) -> _ScaleTables:
    tables = _score_tables(q)
    item_scales: list[list[int]] = [[] for _ in q.items]
    for s_i, s in enumerate(q.scales):
        for iid in s.item_ids:
            item_scales[q.item_position(iid)].append(s_i)
    return _ScaleTables(
        [np.nan_to_num(t, nan=0.0) for t in tables],
        [np.isfinite(t).astype(np.float64) for t in tables],
        item_scales,
        np.array([len(s.item_ids) for s in q.scales], dtype=float),
    )


def _levels_block(model: LevelModel, cols: np.ndarray, probs: np.ndarray, entropy: np.ndarray) -> None:
    """Level probabilities and entropy of one chunk (``cols``: items x m codes), written in place.

    A respondent whose summed log posterior or entropy is not finite (weights so large that a
    sum overflows) gets NaN probabilities and entropy: no level can be read from them.
    """
    m = cols.shape[1]
    logit = np.empty((m, N_LEVELS))
    logit[:] = model.log_prior
    with np.errstate(over="ignore", invalid="ignore"):
        for i, table in enumerate(model.tables):
            logit += np.take(table, cols[i], axis=0)  # code -1 takes the zero row
        finite = np.isfinite(logit).all(axis=1)
        if model.link == "cumulative-logit":
            p = cumulative_logit(logit)
            probs[:] = p
            with np.errstate(divide="ignore"):
                entropy[:] = -np.where(p > 0, p * np.log(p), 0.0).sum(axis=1)
        else:
            logit -= logit.max(axis=1, keepdims=True)
            np.exp(logit, out=probs)
            total = probs.sum(axis=1, keepdims=True)
            probs /= total
            # entropy = log(total) - sum p * logit  (logit shifted so max is 0)
            entropy[:] = np.log(total[:, 0]) - np.einsum("ij,ij->i", probs, logit)
    finite &= np.isfinite(entropy)  # e.g. logits so far apart that shifting them overflowed
    if not finite.all():
        probs[~finite] = np.nan
        entropy[~finite] = np.nan


def _scales_block(st: _ScaleTables, cols: np.ndarray, min_answered: float) -> np.ndarray:
    """0-100 scale scores of one chunk; NaN where too few of a scale's items are answered."""
    m = cols.shape[1]
    k = st.size.shape[0]
    sums = np.zeros((m, k))
    counts = np.zeros((m, k))
    for i, sc in enumerate(st.item_scales):
        if not sc:
            continue
        v = np.take(st.values[i], cols[i])
        ok = np.take(st.counts[i], cols[i])
        for s_i in sc:
            sums[:, s_i] += v
            counts[:, s_i] += ok
    with np.errstate(invalid="ignore", divide="ignore"):
        score = 100.0 * sums / counts
    score[counts < min_answered * st.size - 1e-9] = np.nan
    score[counts == 0] = np.nan
    return score


def score_codes(
    q: Questionnaire,
    codes: np.ndarray,
    model: LevelModel | None,
    *,
    min_answered: float = 0.5,
    chunk_size: int = DEFAULT_CHUNK,
    progress: Callable[[int, int], None] | None = None,
    scales: bool = True,
) -> Scores:
    """Score an integer code matrix (respondents x items, ``MISSING`` for no answer) in one pass.

    The caller has checked that ``model`` belongs to ``q`` and that codes are in range. With
    ``scales=False`` the scale scores are left out (all NaN).
    """
    n = codes.shape[0]
    st = _scale_tables(q)
    n_answered = np.empty(n, dtype=np.int32)
    scale_scores = np.empty((n, len(q.scales))) if scales else np.full((n, len(q.scales)), np.nan)
    probs = np.empty((n, N_LEVELS)) if model is not None else None
    entropy = np.empty(n) if model is not None else None
    step = max(1, int(chunk_size))
    for start in range(0, n, step):
        stop = min(n, start + step)
        cols = np.ascontiguousarray(codes[start:stop].T)  # items x m: each item's codes contiguous
        n_answered[start:stop] = (cols != MISSING).sum(axis=0)
        if model is not None:
            assert probs is not None and entropy is not None
            _levels_block(model, cols, probs[start:stop], entropy[start:stop])
        if scales and len(q.scales):
            scale_scores[start:stop] = _scales_block(st, cols, min_answered)
        if progress is not None:
            progress(stop, n)
    return Scores(probs, entropy, n_answered, scale_scores)


def level_probabilities(model: LevelModel, q: Questionnaire, codes: np.ndarray, *, chunk_size: int = DEFAULT_CHUNK) -> np.ndarray:
    """Level probabilities (n x 5) of an integer code matrix under ``model``."""
    probs = score_codes(q, codes, model, chunk_size=chunk_size, scales=False).probabilities
    assert probs is not None
    return probs
