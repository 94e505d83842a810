"""A person's socio-emotional level from their votes: a theory prior over the behaviours' keyed
levels (distance decay), each behaviour an indicator (picked or not), and the posterior over the
five levels for every respondent, vectorised over respondents (see ``docs/methodology.md``,
"Levels from votes")."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np

from .._tables import frame, html_repr, records
from .._validation import Interval, check, param_error
from ..levels import N_LEVELS
from ..model import level_weights, question_positions, simulate_votes, theory_scores
from ..questionnaire import Questionnaire
from ..votes import VoteSet

__all__ = ["VoteLevels", "level_weights", "simulate_votes", "vote_levels"]

_LEVELS = np.arange(1, N_LEVELS + 1, dtype=float)


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

    _repr_html_ = html_repr  # a compact, rounded table in a notebook

    def to_records(self) -> list[dict[str, Any]]:
        """One JSON-ready dict per respondent."""
        return records(self._columns())

    def to_frame(self) -> Any:
        """The table as a pandas DataFrame (needs pandas)."""
        return frame(self._columns())


def _prior(prior: Any, func: str) -> np.ndarray:
    if prior is None:
        return np.full(N_LEVELS, 1.0 / N_LEVELS)
    p = np.asarray(prior, dtype=float)
    if p.shape != (N_LEVELS,) or not np.isfinite(p).all() or (p < 0).any() or p.sum() <= 0:
        raise param_error(func, "prior", "5 non-negative numbers with a positive sum", prior)
    return p / p.sum()


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
    positions = question_positions(questionnaire, questions, fn)
    p0 = _prior(prior, fn)
    scores = theory_scores(questionnaire, votes, positions, float(decay), p0)
    post, conf, n_picks = scores.probabilities, scores.confidence, scores.n_answered
    assert post is not None and conf is not None and scores.top is not None
    assert scores.expected is not None and scores.sd is not None
    level = np.where((conf >= min_confidence) & (n_picks > 0), scores.top, 0)
    notes = []
    if (n_picks == 0).any():
        notes.append(f"{int((n_picks == 0).sum())} respondent(s) picked nothing in {list(questions)}: prior, level 0")
    return VoteLevels(
        respondent_ids=votes.respondent_ids, probabilities=post, level=level.astype(np.int64), confidence=conf,
        expected_level=scores.expected, expected_level_sd=scores.sd, n_picks=n_picks.astype(np.int64),
        questions=tuple(questionnaire.vote_questions[i].id for i in positions), decay=float(decay), prior=p0,
        min_confidence=float(min_confidence), note=tuple(notes),
    )
