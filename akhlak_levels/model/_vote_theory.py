"""The theory prior of levels from votes: pick weights that decay with the distance between a
person's level and a behaviour's, the likelihood of a picked set (Wallenius' distribution), the
inclusion probabilities that name latent classes, and votes simulated from the theory (see
``_votes`` and ``docs/methodology.md``, "Levels from votes")."""

from __future__ import annotations

import hashlib
import json
from typing import Any, Sequence

import numpy as np

from .._validation import Interval, check, check_random_state, param_error
from ..levels import N_LEVELS
from ..questionnaire import Questionnaire, load_questionnaire
from ..votes import VoteSet
from ._scoring import Scores
from ._votes import check_votes, offered

__all__ = ["inclusion_probabilities", "level_weights", "simulate_votes", "theory_hash", "theory_scores", "vote_log_likelihood"]

_LEVELS = np.arange(1, N_LEVELS + 1, dtype=float)
_CHUNK = 8192  # respondents per block of the set likelihood: bounds the (block, 5, nodes) work


def level_weights(behaviour_levels: Any, decay: float = 1.0) -> np.ndarray:
    """Log pick weights ``log w_b(L) = -decay * |L - level_b|``, shape (B, 5).

    Parameters
    ----------
    behaviour_levels : array-like of int, shape (B,)
        The level (1-5) each behaviour is keyed to.
    decay : float, default=1.0

    Returns
    -------
    ndarray of float, shape (B, 5)
        Column ``L - 1`` holds the log weights of a person at level ``L``.

    Examples
    --------
    >>> level_weights([1, 3, 5]).round(1).tolist()
    [[0.0, -1.0, -2.0, -3.0, -4.0], [-2.0, -1.0, 0.0, -1.0, -2.0], [-4.0, -3.0, -2.0, -1.0, 0.0]]
    """
    lv = np.asarray(behaviour_levels, dtype=float)
    return 0.0 - float(decay) * np.abs(_LEVELS[None, :] - lv[:, None])  # 0.0 - : no negative zeros


def inclusion_probabilities(q: Questionnaire, positions: Sequence[int], decay: float = 1.0) -> list[np.ndarray]:
    """The theory's chance that a person at each level picks each offered behaviour, as the
    indicators' class-conditional probabilities: one (2, 5) array per indicator (rows: not
    picked, picked), in :func:`indicator_ids` order.

    For ``k`` picks in proportion to the weights ``w_b(L)``, the inclusion probability is
    approximated by Manly's (1974) mean of Wallenius' distribution,
    ``pi_b = 1 - exp(-t w_b)`` with ``t`` such that ``sum_b pi_b = k`` (solved by bisection per
    level); ``k`` is the middle of the question's ``[min_picks, max_picks]``. Probabilities are
    kept within ``[1e-6, 1 - 1e-6]`` so every weight is finite.

    Examples
    --------
    >>> from akhlak_levels import load_questionnaire
    >>> q = load_questionnaire("berakhlak-culture-map")
    >>> p = inclusion_probabilities(q, [0])
    >>> len(p), p[0].shape, round(float(sum(x[1, 0] for x in p)), 6)
    (74, (2, 5), 10.0)
    """
    logw = level_weights([b.level for b in q.behaviours], decay)
    out: list[np.ndarray] = []
    for qi in positions:
        vq = q.vote_questions[qi]
        w = np.exp(logw[offered(q, qi)])  # (B_q, 5)
        k = min(0.5 * (vq.min_picks + vq.max_picks), float(len(w)))
        if k >= len(w):
            pi = np.ones_like(w)
        else:
            lo, hi = np.zeros(N_LEVELS), np.full(N_LEVELS, 1.0)
            while ((1 - np.exp(-hi[None, :] * w)).sum(axis=0) < k).any():
                hi *= 2.0
            for _ in range(100):  # bisection: 2^-100 of the bracket
                mid = 0.5 * (lo + hi)
                low_side = (1 - np.exp(-mid[None, :] * w)).sum(axis=0) < k
                lo, hi = np.where(low_side, mid, lo), np.where(low_side, hi, mid)
            pi = 1 - np.exp(-0.5 * (lo + hi)[None, :] * w)
        pi = np.clip(pi, 1e-6, 1 - 1e-6)
        out.extend(np.stack([1 - row, row]) for row in pi)
    return out


def _log_set_probability(w: np.ndarray, idx: np.ndarray, step: float = 0.2) -> np.ndarray:
    """``log P(picked set | L)`` for ``k`` draws without replacement in proportion to ``w``,
    the order not observed (Wallenius' multivariate noncentral hypergeometric distribution).

    ``w`` is the (B + 1, 5) weight table (row B, the padding, 0; behaviours not offered 0) and
    ``idx`` the (c, P) picks with the padding as B. Uses
    ``P(S) = int_0^inf exp(-u) prod_{b in S} (1 - exp(-u w_b / D)) du``, ``D`` the weight of
    the behaviours not picked, by the trapezoidal rule in ``z = log u`` (step 0.2 up to
    ``log(2 P + 60)``: relative error below 1e-8 against enumeration of the orders). Below
    ``z_c = min(0, -log max a)`` the integrand is at most ``prod a e^{(k + 1) z}`` and at least
    ``2^-k e^-1`` times that, so the grid starts ``(40 + k log 2) / (k + 1)`` below ``z_c``
    (``k`` the fewest picks in the block): what is left out is below ``e^-40`` of the integral.
    """
    picked = w[idx]  # (c, P, 5)
    rest = w[:-1].sum(axis=0)[None, :] - picked.sum(axis=1)  # (c, 5)
    every = rest <= 0  # all offered behaviours picked: certain
    a = picked / np.where(every, 1.0, rest)[:, None, :]
    k = (idx < w.shape[0] - 1).sum(axis=1)
    low = -30.0
    a_max = float(np.where(every[:, None, :], 0.0, a).max(initial=0.0))
    if a_max > 0:
        k_min = int(k[k > 0].min())
        low = max(min(0.0, -np.log(a_max)) - (40 + k_min * np.log(2)) / (k_min + 1), -60.0)
    z = np.arange(low, np.log(2 * idx.shape[1] + 60) + step, step)
    u = np.exp(z)
    acc = np.broadcast_to(z - u, (idx.shape[0], N_LEVELS, len(z))).copy()
    with np.errstate(divide="ignore"):
        for j in range(idx.shape[1]):  # pick positions (at most the question's k), not respondents
            col = a[:, j, :, None]
            acc += np.where(col > 0, np.log(-np.expm1(-col * u)), 0.0)
    top = acc.max(axis=2)
    out = top + np.log(step * np.exp(acc - top[:, :, None]).sum(axis=2))
    return np.where(every, 0.0, out)


def vote_log_likelihood(q: Questionnaire, votes: VoteSet, positions: Sequence[int], decay: float = 1.0) -> np.ndarray:
    """Log-likelihood of every respondent's picks at each level under the theory prior, shape
    (n, 5): the questions at ``positions`` add up (independent given the level); a question
    with no picks adds nothing.

    Examples
    --------
    >>> import numpy as np
    >>> from akhlak_levels import VoteSet, load_questionnaire
    >>> q = load_questionnaire("berakhlak-culture-map")
    >>> picks = np.full((1, 3, 10), -1, dtype=np.int16)
    >>> picks[0, 0] = [i for i, b in enumerate(q.behaviours) if b.level == 5][:10]
    >>> int(vote_log_likelihood(q, VoteSet(q.id, q.version, np.array(["a"]), picks), [0]).argmax()) + 1
    5
    """
    check_votes(q, votes, "vote_log_likelihood")
    n_b = len(q.behaviours)
    logw = level_weights([b.level for b in q.behaviours], decay)
    out = np.zeros((len(votes), N_LEVELS))
    for qi in positions:  # a handful of questions, never respondents
        offered = np.isin(q.behaviour_ids, q.vote_questions[qi].behaviour_ids)
        w = np.vstack([np.where(offered[:, None], np.exp(logw), 0.0), np.zeros((1, N_LEVELS))])
        picks = votes.picks[:, qi, :]
        for start in range(0, len(votes), _CHUNK):  # blocks bound the (block, 5, nodes) work
            blk = picks[start:start + _CHUNK].astype(np.intp)
            idx = np.where(blk >= 0, blk, n_b)
            out[start:start + _CHUNK] += _log_set_probability(w, idx)
    return out


def theory_scores(
    q: Questionnaire, votes: VoteSet, positions: Sequence[int], decay: float = 1.0, prior: np.ndarray | None = None
) -> Scores:
    """Level results of every respondent under the theory prior, as the scoring kernel gives
    them for items: posterior probabilities ``softmax(log prior + vote_log_likelihood)``, their
    entropy, expected level and SD (two passes), top probability and argmax level; the
    ``n_answered`` field counts the behaviours picked in the questions used. ``prior`` (5
    probabilities) defaults to uniform; no scale scores.
    """
    p0 = np.full(N_LEVELS, 1.0 / N_LEVELS) if prior is None else np.asarray(prior, dtype=float)
    with np.errstate(divide="ignore"):
        logpost = np.log(p0)[None, :] + vote_log_likelihood(q, votes, positions, decay)
    logpost -= logpost.max(axis=1, keepdims=True)
    post = np.exp(logpost)
    post /= post.sum(axis=1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        entropy = -np.where(post > 0, post * np.log(post), 0.0).sum(axis=1)
    expected = (post * _LEVELS[None, :]).sum(axis=1)
    sd = np.sqrt((post * (_LEVELS[None, :] - expected[:, None]) ** 2).sum(axis=1))
    n_picks = (votes.picks[:, list(positions), :] >= 0).sum(axis=(1, 2)).astype(np.int32)
    return Scores(
        probabilities=post, entropy=entropy, n_answered=n_picks, scale_scores=np.zeros((len(votes), 0)),
        expected=expected, sd=sd, confidence=post.max(axis=1), top=(post.argmax(axis=1) + 1).astype(np.int8),
    )


def theory_hash(q: Questionnaire, positions: Sequence[int], decay: float, prior: np.ndarray | None = None) -> str:
    """SHA-256 naming the theory prior as used (questions, decay, prior, instrument): what an
    :class:`~akhlak_levels.Assessment` of votes records as its model hash."""
    doc = {
        "kind": "theory-prior", "likelihood": "wallenius", "questionnaire": q.content_hash, "decay": float(decay),
        "questions": [q.vote_questions[i].id for i in positions],
        "prior": None if prior is None else [float(v) for v in np.asarray(prior, dtype=float)],
    }
    canonical = json.dumps(doc, sort_keys=True, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def simulate_votes(
    questionnaire: Questionnaire | str,
    n: int,
    levels: Any = None,
    decay: float = 1.0,
    random_state: int | np.random.Generator | None = None,
) -> tuple[VoteSet, np.ndarray]:
    """Votes drawn from the theory: in each question, ``k`` draws without replacement in
    proportion to ``w_b(L) = exp(-decay |L - level_b|)``.

    Parameters
    ----------
    questionnaire : Questionnaire or str
        A vote instrument.
    n : int
        Respondents.
    levels : array-like of int, shape (n,), optional
        True levels 1-5; default drawn uniformly.
    decay : float, default=1.0
    random_state : int or numpy Generator, optional

    Returns
    -------
    votes : VoteSet
        Every question answered with ``k`` picks (``k`` uniform in ``[min_picks, max_picks]``).
        All questions are drawn from the person's own level (a simplification for the
        organisation questions).
    levels : ndarray of int, shape (n,)

    Notes
    -----
    Sequential draws without replacement (Plackett-Luce) are sampled by the Gumbel-top-k
    trick: the ``k`` largest of ``log w_b(L) + G_b``, ``G_b`` standard Gumbel (Kool, van Hoof &
    Welling 2019). Vectorised over respondents.

    Examples
    --------
    >>> from akhlak_levels import load_questionnaire
    >>> from akhlak_levels.culture import simulate_votes
    >>> q = load_questionnaire("berakhlak-culture-map")
    >>> v, true = simulate_votes(q, 4, levels=[1, 2, 3, 5], random_state=0)
    >>> v.n_picks.tolist(), true.tolist()
    ([[10, 10, 10], [10, 10, 10], [10, 10, 10], [10, 10, 10]], [1, 2, 3, 5])
    """
    fn = "simulate_votes"
    questionnaire = load_questionnaire(questionnaire)
    if not questionnaire.vote_questions:
        raise param_error(fn, "questionnaire", "a vote instrument (with vote questions)", questionnaire.id)
    n = check(fn, "n", n, Interval(0, None, integer=True))
    check(fn, "decay", decay, Interval(0, None))
    rng = check_random_state(random_state, fn)
    if levels is None:
        lv = rng.integers(1, N_LEVELS + 1, size=n)
    else:
        lv = np.asarray(levels, dtype=np.int64)
        if lv.shape != (n,) or ((lv < 1) | (lv > N_LEVELS)).any():
            raise param_error(fn, "levels", f"{n} levels in 1..5", levels, shown=f"shape {lv.shape}")
    logw = level_weights([b.level for b in questionnaire.behaviours], decay)  # (B, 5)
    width = max((vq.max_picks for vq in questionnaire.vote_questions), default=0)
    picks = np.full((n, len(questionnaire.vote_questions), width), -1, dtype=np.int16)
    for qi, vq in enumerate(questionnaire.vote_questions):  # a few questions, not respondents
        offered = np.isin(questionnaire.behaviour_ids, vq.behaviour_ids)
        keys = np.where(offered[None, :], logw[:, lv - 1].T, -np.inf) + rng.gumbel(size=(n, len(offered)))
        top = np.argsort(-keys, axis=1, kind="stable")[:, : vq.max_picks]
        k = rng.integers(vq.min_picks, vq.max_picks + 1, size=n)
        picks[:, qi, : vq.max_picks] = np.where(np.arange(vq.max_picks)[None, :] < k[:, None], top, -1)
    ids = np.char.add("r", np.arange(n).astype(str))
    votes = VoteSet(questionnaire.id, questionnaire.version, ids, picks, n_behaviours=len(questionnaire.behaviours))
    return votes, lv
