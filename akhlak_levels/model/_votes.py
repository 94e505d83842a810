"""Levels from votes in the level model.

A vote instrument's questions are multi-select: each respondent picks ``k`` of the behaviours a
question offers. The level model reads them in two ways, both documented in
``docs/methodology.md`` ("Levels from votes"):

- **The theory prior** (no calibration): a person at level ``L`` weights behaviour ``b`` by
  ``w_b(L) = exp(-decay |L - level_b|)`` and picks ``k`` behaviours one after another, each in
  proportion to the weights of those not yet picked. The likelihood of the picked set is
  Wallenius' multivariate noncentral hypergeometric probability (:func:`vote_log_likelihood`).
- **Indicators** (what calibration fits and a calibrated model scores): each offered behaviour
  of a question is an item with two options, not picked (code 0) and picked (code 1); a
  respondent who left the question unanswered has it missing. :func:`indicator_view` is the
  vote instrument seen as those items, with the instrument's identity (id, version, content
  hash), so that a :class:`~akhlak_levels.LevelModel`, the scoring kernel and latent-class
  calibration work on it unchanged.

This module holds the indicator view; ``_vote_theory`` the theory prior. Everything is
vectorised over respondents; loops run over questions and pick positions.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Sequence

import numpy as np

from .._validation import param_error
from ..errors import ModelError, ResponseError
from ..flags import Flags
from ..questionnaire import Item, Questionnaire
from ..responses import MISSING, ResponseSet
from ..votes import VoteSet

__all__ = [
    "DEFAULT_QUESTIONS",
    "INDICATOR_SEP",
    "check_votes",
    "indicator_ids",
    "indicator_view",
    "is_vote_instrument",
    "offered",
    "question_positions",
    "view_for_items",
    "vote_responses",
]

#: The questions a person's level is read from unless told otherwise: the personal question
#: describes the respondent; the current and desired ones describe the organisation.
DEFAULT_QUESTIONS = ("personal",)

#: Joins a question id and a behaviour id into an indicator's item id: ``"personal:jujur"``.
INDICATOR_SEP = ":"

_OPTIONS = ({"id": "tidak dipilih", "en": "not picked"}, {"id": "dipilih", "en": "picked"})


def is_vote_instrument(q: Questionnaire) -> bool:
    """True for a questionnaire of vote questions only (no Likert or choice items)."""
    return bool(q.vote_questions) and not q.items


def question_positions(q: Questionnaire, questions: Sequence[str] | str, func: str) -> list[int]:
    """Positions (in ``q.vote_questions``) of the questions named by role or id, ascending."""
    if isinstance(questions, str):
        questions = (questions,)
    known = {vq.id: i for i, vq in enumerate(q.vote_questions)}
    known.update({vq.role: i for i, vq in enumerate(q.vote_questions)})
    if not questions or any(not isinstance(x, str) or x not in known for x in questions):
        raise param_error(func, "questions", f"roles or ids of the vote questions {sorted(known)}", tuple(questions))
    return sorted({known[x] for x in questions})


def offered(q: Questionnaire, qi: int) -> np.ndarray:
    """Positions (in ``q.behaviours``) of the behaviours question ``qi`` offers, in list order."""
    return np.flatnonzero(np.isin(q.behaviour_ids, q.vote_questions[qi].behaviour_ids))


def indicator_ids(q: Questionnaire, positions: Sequence[int]) -> tuple[str, ...]:
    """Item ids of the indicators of the questions at ``positions``: ``"QUESTION:BEHAVIOUR"``.

    Examples
    --------
    >>> from akhlak_levels import load_questionnaire
    >>> indicator_ids(load_questionnaire("berakhlak-culture-map"), [0])[:2]
    ('personal:patuh-arahan-pimpinan', 'personal:mengikuti-prosedur')
    """
    ids = q.behaviour_ids
    return tuple(f"{q.vote_questions[qi].id}{INDICATOR_SEP}{ids[b]}" for qi in positions for b in offered(q, qi))


def indicator_view(q: Questionnaire, questions: Sequence[str] | str = DEFAULT_QUESTIONS) -> Questionnaire:
    """The vote instrument seen as items: one two-option item (not picked, picked) per behaviour
    each of ``questions`` offers, keyed to the behaviour's level.

    The view keeps the instrument's id, version and content hash: a model calibrated on it
    belongs to the instrument. It has no scales and no index.

    Examples
    --------
    >>> from akhlak_levels import load_questionnaire
    >>> q = load_questionnaire("berakhlak-culture-map")
    >>> v = indicator_view(q, ["personal", "current"])
    >>> v.n_items, v.items[0].option_labels("en"), v.content_hash == q.content_hash
    (148, ('not picked', 'picked'), True)
    """
    if not is_vote_instrument(q):
        raise param_error("indicator_view", "questionnaire", "a vote instrument (vote questions, no items)", q.id)
    positions = question_positions(q, questions, "indicator_view")
    items = []
    for qi in positions:
        vq = q.vote_questions[qi]
        for b in offered(q, qi):
            beh = q.behaviours[b]
            text = {lang: f"{vq.text.get(lang, vq.id)}: {lab}" for lang, lab in beh.label.items()}
            items.append(
                Item(id=f"{vq.id}{INDICATOR_SEP}{beh.id}", type="choice", text=text, options=_OPTIONS,
                     option_levels=(None, beh.level), level=beh.level, indicator=beh.indicator)
            )
    view = replace(q, items=tuple(items), scales=(), index=None)
    view.__dict__["content_hash"] = q.content_hash  # the instrument's identity (a cached_property)
    return view


def view_for_items(q: Questionnaire, item_ids: Sequence[str], source: str | None = None) -> Questionnaire:
    """The :func:`indicator_view` whose items are ``item_ids`` (a model's), or a ModelError."""
    heads = {str(i).split(INDICATOR_SEP, 1)[0] for i in item_ids}
    names = {vq.id for vq in q.vote_questions}
    if not item_ids or not heads <= names:
        raise ModelError(
            f"A level model of the vote instrument {q.id!r}{' in ' + source if source else ''} has one item per "
            f"behaviour of the questions it scores, named 'QUESTION{INDICATOR_SEP}BEHAVIOUR' with QUESTION one of "
            f"{sorted(names)}; its items begin {list(item_ids)[:3]}."
        )
    view = indicator_view(q, sorted(heads))
    if tuple(item_ids) != view.item_ids:
        raise ModelError(
            f"The level model's items must be the indicators of the questions {sorted(heads)} of {q.id!r} in "
            f"questionnaire order ({view.n_items} items: every behaviour each question offers); "
            f"it has {len(item_ids)}{' in ' + source if source else ''}."
        )
    return view


def check_votes(q: Questionnaire, votes: VoteSet, func: str) -> None:
    if (votes.questionnaire_id, votes.questionnaire_version) != (q.id, q.version):
        raise ResponseError(
            f"These votes were read for questionnaire {votes.questionnaire_id!r} version "
            f"{votes.questionnaire_version!r}, not {q.id!r} version {q.version!r}."
        )
    if votes.n_questions != len(q.vote_questions) or (votes.picks.size and int(votes.picks.max()) >= len(q.behaviours)):
        raise param_error(
            func, "votes", f"picks for the {len(q.vote_questions)} vote questions of {q.id!r}", votes, shown=repr(votes)
        )


def vote_responses(q: Questionnaire, votes: VoteSet, questions: Sequence[str] | str = DEFAULT_QUESTIONS) -> ResponseSet:
    """The votes as a :class:`~akhlak_levels.ResponseSet` of the :func:`indicator_view`: code 1
    where a behaviour was picked, 0 where it was offered and not picked, ``MISSING`` (-1) for
    every behaviour of a question the respondent did not answer (picked nothing in).

    Examples
    --------
    >>> import numpy as np
    >>> from akhlak_levels import VoteSet, load_questionnaire
    >>> q = load_questionnaire("berakhlak-culture-map")
    >>> picks = np.full((2, 3, 10), -1, dtype=np.int16); picks[0, 0, :2] = [0, 3]
    >>> rs = vote_responses(q, VoteSet(q.id, q.version, np.array(["a", "b"]), picks))
    >>> rs.codes[0, :5].tolist(), rs.codes[1, :5].tolist()
    ([1, 0, 0, 1, 0], [-1, -1, -1, -1, -1])
    """
    check_votes(q, votes, "vote_responses")
    view = indicator_view(q, questions)
    positions = question_positions(q, questions, "vote_responses")
    n, n_b = len(votes), len(q.behaviours)
    blocks = []
    for qi in positions:  # a few questions, never respondents
        picks = votes.picks[:, qi, :].astype(np.intp)
        hit = np.zeros((n, n_b + 1), dtype=np.int8)
        rows = np.broadcast_to(np.arange(n)[:, None], picks.shape)
        hit[rows, np.where(picks >= 0, picks, n_b)] = 1  # the padding lands in the spare column
        block = hit[:, offered(q, qi)]
        block[(picks < 0).all(axis=1)] = MISSING  # nothing picked: the question was not answered
        blocks.append(block)
    codes = np.concatenate(blocks, axis=1) if blocks else np.zeros((n, 0), dtype=np.int8)
    return ResponseSet(
        questionnaire=view, respondent_ids=votes.respondent_ids, codes=codes, unit=votes.unit, wave=votes.wave,
        groups=dict(votes.groups), flags=votes.flags if votes.flags is not None else Flags.empty(n), source=votes.source, skipped_rows=votes.skipped_rows,
    )
