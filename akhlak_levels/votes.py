"""Votes: who picked which behaviours in each vote question (the culture-map survey).

A :class:`VoteSet` is to a vote instrument what a :class:`~akhlak_levels.ResponseSet` is to a
Likert questionnaire: the validated picks of each respondent, with the columns that ride along
(unit, wave, groups) and the flags of reading.

``picks`` has one row per respondent and one block per vote question (in the order of
``questionnaire.vote_questions``): ``picks[r, q, :]`` holds the positions (in
``questionnaire.behaviours``) of the behaviours respondent ``r`` picked in question ``q``,
ascending, padded with ``-1``. The order in which a person ticked them is not kept: it means
nothing in the method. A respondent who did not answer a question has only ``-1`` there.

Examples
--------
>>> import numpy as np
>>> from akhlak_levels import load_questionnaire
>>> q = load_questionnaire("berakhlak-culture-map")
>>> picks = np.full((2, 3, 10), -1, dtype=np.int16)
>>> picks[0, :, :10] = np.arange(10)          # respondent 1 picks the first ten, thrice
>>> picks[1, 0, :10] = np.arange(10, 20)      # respondent 2 answers only the personal question
>>> v = VoteSet(q.id, q.version, np.array(["A", "B"]), picks)
>>> len(v), v.n_picks.tolist()
(2, [[10, 10, 10], [10, 0, 0]])
>>> v.picked(1)[1].nonzero()[0].tolist() == []     # question 2 (current) of respondent B
True
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

import numpy as np

from ._tables import html_repr
from .flags import Flags

__all__ = ["VoteSet"]


def _in_order(picks: np.ndarray) -> bool:
    """True when every row of ``picks`` (int16) is strictly ascending, then padded with -1: the
    order :class:`VoteSet` keeps, checked in one pass (no repeat is possible in such a row)."""
    if picks.shape[2] < 2 or picks.size == 0:
        return True
    a, b = picks[:, :, :-1], picks[:, :, 1:]
    return bool(((b > a) | (b < 0)).all() and not ((a < 0) & (b >= 0)).any())


@dataclass(frozen=True, eq=False)
class VoteSet:
    """The picks of ``n`` respondents in the vote questions of a questionnaire.

    Parameters
    ----------
    questionnaire_id, questionnaire_version : str
        The vote instrument the picks answer.
    respondent_ids : ndarray of str, shape (n,)
        Unique ids.
    picks : ndarray of int16, shape (n, n_questions, max_picks)
        Behaviour positions picked, ascending within a question, ``-1`` padding (see the module
        docstring). Checked on construction: no repeated behaviour within a question, no
        position outside ``[-1, n_behaviours)`` when ``n_behaviours`` is given.
    unit, wave : ndarray of str or None
    groups : mapping of column name to ndarray of str
    flags : Flags
        From reading (e.g. ``invalid:current`` where a question's picks were set aside with
        ``on_invalid="missing"``).
    source : str or None
    skipped_rows : tuple of int
    n_behaviours : int or None
        The size of the behaviour list, for the range check.
    """

    questionnaire_id: str
    questionnaire_version: str
    respondent_ids: np.ndarray
    picks: np.ndarray
    unit: np.ndarray | None = None
    wave: np.ndarray | None = None
    groups: Mapping[str, np.ndarray] = field(default_factory=dict)
    flags: Flags | None = None
    source: str | None = None
    skipped_rows: tuple[int, ...] = ()
    n_behaviours: int | None = None

    def __post_init__(self) -> None:
        picks = np.asarray(self.picks)
        if picks.ndim != 3:
            raise ValueError(f"picks must be a 3-d array (respondents, questions, picks), got shape {picks.shape}")
        if picks.dtype != np.int16:
            if picks.size and (picks.min() < -1 or picks.max() > np.iinfo(np.int16).max):
                raise ValueError("picks must hold behaviour positions from 0, or -1 for no pick")
            picks = picks.astype(np.int16)
        n = picks.shape[0]
        ids = np.asarray(self.respondent_ids).astype(str)
        if ids.shape != (n,):
            raise ValueError(f"respondent_ids must have one id per row of picks ({n}), got shape {ids.shape}")
        if picks.size:
            low, high = int(picks.min()), int(picks.max())
            if low < -1 or (self.n_behaviours is not None and high >= self.n_behaviours):
                raise ValueError(f"picks must lie in [-1, {self.n_behaviours}), got values from {low} to {high}")
        if not _in_order(picks):  # as readers give them: ascending, padding last, no repeat
            picks = np.sort(picks, axis=2)  # ascending, -1 first ...
            picks = np.where(picks < 0, np.iinfo(np.int16).max, picks)
            picks.sort(axis=2)  # ... then the padding moved last
            picks[picks == np.iinfo(np.int16).max] = -1
            if picks.shape[2] > 1:
                same = (picks[:, :, 1:] == picks[:, :, :-1]) & (picks[:, :, 1:] >= 0)
                if same.any():
                    r, q, _ = np.argwhere(same)[0]
                    raise ValueError(f"respondent {str(ids[r])!r} picked a behaviour twice in question {int(q) + 1}")
        elif not picks.flags.owndata or picks is self.picks:
            picks = picks.copy()  # the VoteSet's own array, read-only: the caller's stays writable
        picks.setflags(write=False)
        object.__setattr__(self, "picks", picks)
        object.__setattr__(self, "respondent_ids", ids)
        for name in ("unit", "wave"):
            v = getattr(self, name)
            if v is not None and len(v) != n:
                raise ValueError(f"{name} must have one value per respondent ({n}), got {len(v)}")
        for g, v in self.groups.items():
            if len(v) != n:
                raise ValueError(f"group column {g!r} must have one value per respondent ({n}), got {len(v)}")
        if self.flags is None:
            object.__setattr__(self, "flags", Flags.empty(n))

    def __len__(self) -> int:
        return int(self.picks.shape[0])

    @property
    def n_questions(self) -> int:
        return int(self.picks.shape[1])

    @property
    def n_picks(self) -> np.ndarray:
        """Behaviours picked per respondent and question, shape (n, n_questions)."""
        return (self.picks >= 0).sum(axis=2)

    def picked(self, respondent: int, n_behaviours: int | None = None) -> np.ndarray:
        """One respondent's picks as a boolean matrix (n_questions, n_behaviours)."""
        width = n_behaviours or self.n_behaviours or (int(self.picks.max()) + 1 if self.picks.size else 0)
        out = np.zeros((self.n_questions, width), dtype=bool)
        for qi in range(self.n_questions):
            row = self.picks[respondent, qi]
            out[qi, row[row >= 0]] = True
        return out

    _repr_html_ = html_repr  # a compact table in a notebook

    def __repr__(self) -> str:
        return f"VoteSet({self.questionnaire_id!r}, respondents={len(self)}, questions={self.n_questions})"

    def _fields(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}
