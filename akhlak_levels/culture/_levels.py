"""A person's socio-emotional level from their votes: a theory prior over the behaviours' keyed
levels (distance decay), each behaviour an indicator (picked or not), and the posterior over the
five levels for every respondent, vectorised over respondents (see ``docs/methodology.md``,
"Levels from votes")."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np

from .._tables import frame, records
from .._validation import Interval, check, check_random_state, param_error
from ..levels import N_LEVELS
from ..questionnaire import Questionnaire
from ..votes import VoteSet

__all__ = ["VoteLevels", "level_weights", "simulate_votes", "vote_levels"]

_CHUNK = 8192
_LEVELS = np.arange(1, N_LEVELS + 1, dtype=float)


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


@dataclass(frozen=True, eq=False)
class VoteLevels:
    """Each respondent's level from their votes, under the theory prior.

    Attributes
    ----------
    respondent_ids : ndarray of str, shape (n,)
    probabilities : ndarray of float, shape (n, 5)
        Posterior probability of levels 1-5; rows sum to 1.
    level : ndarray of int, shape (n,)
        The most probable level (1-5), or 0 where its probability is below ``min_confidence`` or
        the respondent picked nothing in the questions used.
    confidence : ndarray of float, shape (n,)
        The largest posterior probability.
    expected_level, expected_level_sd : ndarray of float, shape (n,)
        Posterior mean of the level and its standard deviation.
    n_picks : ndarray of int, shape (n,)
        Picks in the questions used.
    questions : tuple of str
        Ids of the vote questions used.
    decay, min_confidence : float
    prior : ndarray of float, shape (5,)
    note : tuple of str

    Examples
    --------
    See :func:`~akhlak_levels.vote_levels`.
    """

    respondent_ids: np.ndarray
    probabilities: np.ndarray
    level: np.ndarray
    confidence: np.ndarray
    expected_level: np.ndarray
    expected_level_sd: np.ndarray
    n_picks: np.ndarray
    questions: tuple[str, ...]
    decay: float
    prior: np.ndarray
    min_confidence: float
    note: tuple[str, ...] = field(default_factory=tuple)

    def __len__(self) -> int:
        return int(self.level.shape[0])

    def __repr__(self) -> str:
        return f"VoteLevels(respondents={len(self)}, questions={list(self.questions)}, decay={self.decay:g})"

    def _columns(self) -> dict[str, Any]:
        cols: dict[str, Any] = {"respondent_id": self.respondent_ids, "level": self.level}
        for k in range(N_LEVELS):
            cols[f"p_level_{k + 1}"] = self.probabilities[:, k]
        cols.update(
            confidence=self.confidence, expected_level=self.expected_level,
            expected_level_sd=self.expected_level_sd, n_picks=self.n_picks,
        )
        return cols

    def to_records(self) -> list[dict[str, Any]]:
        """One JSON-ready dict per respondent."""
        return records(self._columns())

    def to_frame(self) -> Any:
        """The table as a pandas DataFrame (needs pandas)."""
        return frame(self._columns())


def _question_positions(questionnaire: Questionnaire, questions: Sequence[str], func: str) -> list[int]:
    if isinstance(questions, str):
        questions = (questions,)
    known = {vq.id: i for i, vq in enumerate(questionnaire.vote_questions)}
    known.update({vq.role: i for i, vq in enumerate(questionnaire.vote_questions)})
    if not questions or any(q not in known for q in questions):
        raise param_error(func, "questions", f"roles or ids of the vote questions {sorted(known)}", tuple(questions))
    return sorted({known[q] for q in questions})


def _prior(prior: Any, func: str) -> np.ndarray:
    if prior is None:
        return np.full(N_LEVELS, 1.0 / N_LEVELS)
    p = np.asarray(prior, dtype=float)
    if p.shape != (N_LEVELS,) or not np.isfinite(p).all() or (p < 0).any() or p.sum() <= 0:
        raise param_error(func, "prior", "5 non-negative numbers with a positive sum", prior)
    return p / p.sum()


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


def _log_likelihood(questionnaire: Questionnaire, votes: VoteSet, positions: list[int], decay: float) -> np.ndarray:
    """Log-likelihood of every respondent at each level, shape (n, 5), in blocks of respondents."""
    n_b = len(questionnaire.behaviours)
    logw = level_weights([b.level for b in questionnaire.behaviours], decay)
    out = np.zeros((len(votes), N_LEVELS))
    for qi in positions:  # a handful of questions, never respondents
        vq = questionnaire.vote_questions[qi]
        offered = np.isin(questionnaire.behaviour_ids, vq.behaviour_ids)
        w = np.vstack([np.where(offered[:, None], np.exp(logw), 0.0), np.zeros((1, N_LEVELS))])
        picks = votes.picks[:, qi, :]
        for start in range(0, len(votes), _CHUNK):  # blocks bound the (block, 5, nodes) work
            blk = picks[start:start + _CHUNK].astype(np.intp)
            idx = np.where(blk >= 0, blk, n_b)
            out[start:start + _CHUNK] += _log_set_probability(w, idx)
    return out


def vote_levels(
    questionnaire: Questionnaire,
    votes: VoteSet,
    *,
    questions: Sequence[str] = ("personal",),
    decay: float = 1.0,
    prior: Any = None,
    min_confidence: float = 0.5,
) -> VoteLevels:
    """Each respondent's socio-emotional level from the behaviours they picked.

    Parameters
    ----------
    questionnaire : Questionnaire
        The vote instrument (its behaviours carry the keyed level).
    votes : VoteSet
    questions : sequence of str, default=("personal",)
        Roles or ids of the vote questions taken as evidence. The personal question describes
        the respondent; the current and desired ones describe the organisation.
    decay : float, default=1.0
        How fast the pick weight falls with the distance between the person's level and the
        behaviour's: ``w_b(L) = exp(-decay |L - level_b|)``; 0 makes the picks uninformative.
    prior : array-like of 5 floats, optional
        Prior over levels 1-5 (normalised); default uniform.
    min_confidence : float, default=0.5
        Below this top probability the level is 0 (undecided).

    Returns
    -------
    VoteLevels

    Notes
    -----
    A person at level ``L`` gives behaviour ``b`` the weight ``w_b(L) = exp(-decay |L -
    level_b|)`` and answers a question of ``k`` picks by ``k`` draws without replacement, each
    in proportion to the weights of the behaviours not yet drawn (Plackett-Luce). The order is
    not observed, so the likelihood of the picked set ``S`` is Wallenius' multivariate
    noncentral hypergeometric probability
    ``P(S | L) = int_0^inf exp(-u) prod_{b in S} (1 - exp(-u w_b(L) / D_S(L))) du``,
    ``D_S(L)`` the weight of the offered behaviours not picked (Wallenius 1963; Fog 2008),
    computed for all respondents and levels at once from a gather of the (B + 1, 5) weight
    table over their picks (relative error below 1e-8). Questions add up (independent given
    the level). The posterior is ``softmax(log prior + log-likelihood)``; a respondent with no
    picks gets the prior and level 0. The weights are a stated theory prior, not a calibration
    (``docs/methodology.md``, "Levels from votes").

    Examples
    --------
    >>> import numpy as np
    >>> from akhlak_levels import VoteSet, load_questionnaire, vote_levels
    >>> q = load_questionnaire("berakhlak-culture-map")
    >>> top = [i for i, b in enumerate(q.behaviours) if b.level == 5][:10]
    >>> low = [i for i, b in enumerate(q.behaviours) if b.level == 1][:10]
    >>> picks = np.full((3, 3, 10), -1, dtype=np.int16)
    >>> picks[0, 0], picks[1, 0] = top, low
    >>> vl = vote_levels(q, VoteSet(q.id, q.version, np.array(["a", "b", "c"]), picks))
    >>> vl.level.tolist(), vl.n_picks.tolist()
    ([5, 1, 0], [10, 10, 0])
    >>> vl.probabilities.sum(axis=1).round(12).tolist(), vl.probabilities[2].round(2).tolist()
    ([1.0, 1.0, 1.0], [0.2, 0.2, 0.2, 0.2, 0.2])
    """
    fn = "vote_levels"
    check(fn, "decay", decay, Interval(0, None))
    check(fn, "min_confidence", min_confidence, Interval(0, 1))
    if not questionnaire.vote_questions:
        raise param_error(fn, "questionnaire", "a vote instrument (with vote questions)", questionnaire.id)
    if votes.n_questions != len(questionnaire.vote_questions):
        raise param_error(
            fn, "votes", f"picks for the {len(questionnaire.vote_questions)} vote questions of {questionnaire.id!r}",
            votes, shown=repr(votes),
        )
    positions = _question_positions(questionnaire, questions, fn)
    p0 = _prior(prior, fn)
    with np.errstate(divide="ignore"):
        logpost = np.log(p0)[None, :] + _log_likelihood(questionnaire, votes, positions, float(decay))
    logpost -= logpost.max(axis=1, keepdims=True)
    post = np.exp(logpost)
    post /= post.sum(axis=1, keepdims=True)
    mean = post @ _LEVELS
    sd = np.sqrt(np.maximum((post * (_LEVELS[None, :] - mean[:, None]) ** 2).sum(axis=1), 0.0))
    conf = post.max(axis=1)
    n_picks = (votes.picks[:, positions, :] >= 0).sum(axis=(1, 2))
    level = np.where((conf >= min_confidence) & (n_picks > 0), post.argmax(axis=1) + 1, 0)
    notes = []
    if (n_picks == 0).any():
        notes.append(f"{int((n_picks == 0).sum())} respondent(s) picked nothing in {list(questions)}: prior, level 0")
    return VoteLevels(
        respondent_ids=votes.respondent_ids, probabilities=post, level=level.astype(np.int64), confidence=conf,
        expected_level=mean, expected_level_sd=sd, n_picks=n_picks.astype(np.int64),
        questions=tuple(questionnaire.vote_questions[i].id for i in positions), decay=float(decay), prior=p0,
        min_confidence=float(min_confidence), note=tuple(notes),
    )


def simulate_votes(
    questionnaire: Questionnaire,
    n: int,
    levels: Any = None,
    decay: float = 1.0,
    random_state: int | np.random.Generator | None = None,
) -> tuple[VoteSet, np.ndarray]:
    """Votes drawn from the theory: in each question, ``k`` draws without replacement in
    proportion to ``w_b(L) = exp(-decay |L - level_b|)``.

    Parameters
    ----------
    questionnaire : Questionnaire
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
        Every question answered with ``k`` picks (``k`` uniform in ``[min_picks, max_picks]``). All questions are drawn from the person's own level (a
        simplification for the organisation questions).
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

