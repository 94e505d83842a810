"""The typed result of :func:`~akhlak_levels.culture_map`, with its tables."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

import numpy as np

from .._tables import frame, html_repr, records
from ..levels import N_LEVELS

__all__ = ["ALL_ROWS", "PAIRS", "CultureMap"]

#: The label of row 0, everyone in the vote set.
ALL_ROWS = "(all)"

#: The pairs of questions (by role) whose top lists are matched.
PAIRS = (("personal", "current"), ("current", "desired"), ("personal", "desired"))

TABLES = ("groups", "behaviours", "values", "levels")


@dataclass(frozen=True, eq=False)
class CultureMap:
    """The culture map of everyone and of each group: arrays over rows (row 0 is everyone,
    :data:`ALL_ROWS`; then the groups of ``by``, sorted), questions (in questionnaire order),
    behaviours (in questionnaire order) and values.

    A suppressed row keeps its label and sizes; its figures are NaN (``-1`` in the integer
    arrays, ``""`` in the bands), see :func:`~akhlak_levels.culture_map`.

    Attributes
    ----------
    group : tuple of str
    n : ndarray of int, shape (R,)
        Respondents in the row.
    n_answered : ndarray of int, shape (R, Q)
        Respondents who picked at least one behaviour in each question.
    suppressed : ndarray of bool, shape (R,)
    questions, roles, behaviours, values : tuple of str
        Question ids and their roles; behaviour ids; the values of the implementation index.
    votes : ndarray of float, shape (R, Q, B)
        Votes (whole numbers; float so that a suppressed row can hold NaN).
    share, share_low, share_high : ndarray of float, shape (R, Q, B)
        Share of the respondents who answered the question that picked the behaviour, with its
        Wilson interval.
    top : ndarray of int, shape (R, Q, top_n)
        Behaviour positions of each question's top list (``top_n`` of the questionnaire's
        :class:`~akhlak_levels.culture.CultureMapChoices`, by default :data:`TOP_N` = 10): most votes first, ties in behaviour
        order, behaviours without votes left out (``-1`` padding).
    matches : dict of str to ndarray of int, shape (R,)
        Per pair ``"personal-current"``, ``"current-desired"``, ``"personal-desired"``: the
        behaviours in both top lists.
    matched : dict of str to tuple of tuple of str
        Those behaviours' ids per row, in behaviour order.
    alignment_band : ndarray of str, shape (R,)
        Barrett's band of the current-desired matches.
    hindering : ndarray of int, shape (R, hindering)
        The most voted limiting behaviours of the current question (ties in behaviour order,
        ``-1`` padding; ``hindering`` of the choices, by default :data:`N_HINDERING` = 5).
    entropy, entropy_low, entropy_high : ndarray of float, shape (R,)
        Cultural entropy in percent, with its interval; ``entropy_band`` its Barrett band.
    positive_energy, positive_energy_low, positive_energy_high : ndarray of float, shape (R,)
        ``100 - entropy``.
    jumps : ndarray of float, shape (R, B)
        Desired share minus current share.
    level_profile : ndarray of float, shape (R, Q, 5)
        Share of each question's votes going to behaviours of levels 1..5.
    balance : ndarray of float, shape (R, Q)
        How evenly a question's votes spread over the five levels: the Shannon entropy of the
        level profile over its largest value (log 5), in percent (0 = every vote at one level,
        100 = the same share at each).
    index_definition : str
        ``"reach"`` or ``"votes"`` (:data:`~akhlak_levels.culture.INDEX_DEFINITIONS`).
    value_index, value_index_low, value_index_high : ndarray of float, shape (R, V)
        Implementation index per value (0-100), ``value_category`` its A-D category.
    implementation, implementation_low, implementation_high : ndarray of float, shape (R,)
        The mean of the value indices; ``implementation_category``.
    health, health_low, health_high : ndarray of float, shape (R,)
        The total health index; ``health_category``.
    confidence, min_group_size, by, note
    entropy_se, value_index_se, implementation_se, health_se : ndarray of float or None
        The delta-method standard errors behind the intervals (unclipped; the standard error of
        positive energy is that of entropy), used by :func:`~akhlak_levels.rank_units` and
        :func:`~akhlak_levels.culture_change`. None in a map built without them.

    Examples
    --------
    See :func:`~akhlak_levels.culture_map`.
    """

    questionnaire_id: str
    group: tuple[str, ...]
    n: np.ndarray
    n_answered: np.ndarray
    suppressed: np.ndarray
    questions: tuple[str, ...]
    roles: tuple[str, ...]
    behaviours: tuple[str, ...]
    values: tuple[str, ...]
    votes: np.ndarray
    share: np.ndarray
    share_low: np.ndarray
    share_high: np.ndarray
    top: np.ndarray
    matches: Mapping[str, np.ndarray]
    matched: Mapping[str, tuple[tuple[str, ...], ...]]
    alignment_band: np.ndarray
    hindering: np.ndarray
    entropy: np.ndarray
    entropy_low: np.ndarray
    entropy_high: np.ndarray
    entropy_band: np.ndarray
    positive_energy: np.ndarray
    positive_energy_low: np.ndarray
    positive_energy_high: np.ndarray
    jumps: np.ndarray
    level_profile: np.ndarray
    index_definition: str
    value_index: np.ndarray
    value_index_low: np.ndarray
    value_index_high: np.ndarray
    value_category: np.ndarray
    implementation: np.ndarray
    implementation_low: np.ndarray
    implementation_high: np.ndarray
    implementation_category: np.ndarray
    health: np.ndarray
    health_low: np.ndarray
    health_high: np.ndarray
    health_category: np.ndarray
    confidence: float = 0.95
    min_group_size: int = 5
    by: str | None = None
    note: tuple[str, ...] = field(default_factory=tuple)
    entropy_se: np.ndarray | None = None
    value_index_se: np.ndarray | None = None
    implementation_se: np.ndarray | None = None
    health_se: np.ndarray | None = None
    balance: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.group)

    def __repr__(self) -> str:
        return (
            f"CultureMap({self.questionnaire_id!r}, rows={len(self)}, respondents={int(self.n[0])}, "
            f"suppressed={int(self.suppressed.sum())})"
        )

    def row(self, group: str) -> int:
        """The row of a group label (``"(all)"`` for everyone)."""
        if group not in self.group:
            raise KeyError(f"no group {group!r} in this culture map; groups: {list(self.group)}")
        return self.group.index(group)

    def top_ids(self, group: str, role: str) -> tuple[str, ...]:
        """The behaviour ids of a group's top list in the question of ``role``."""
        t = self.top[self.row(group), self.roles.index(role)]
        return tuple(self.behaviours[i] for i in t[t >= 0])

    def _columns(self, table: str) -> dict[str, Any]:
        if table not in TABLES:
            raise ValueError(f"table must be one of {list(TABLES)}, got {table!r}")
        R, Q, B = self.votes.shape
        if table == "groups":
            cols: dict[str, Any] = {"group": self.group, "n": self.n, "suppressed": self.suppressed}
            for qi, q in enumerate(self.questions):
                cols[f"n_answered_{q}"] = self.n_answered[:, qi]
            for qi, q in enumerate(self.questions):
                cols[f"top_{q}"] = [tuple(self.behaviours[i] for i in t[t >= 0]) for t in self.top[:, qi]]
            for pair, m in self.matches.items():
                cols[f"matches_{pair}"] = m
                cols[f"matched_{pair}"] = self.matched[pair]
            cols["alignment_band"] = self.alignment_band
            cols["hindering"] = [tuple(self.behaviours[i] for i in h[h >= 0]) for h in self.hindering]
            for name in ("entropy", "positive_energy", "implementation", "health"):
                for suffix in ("", "_low", "_high"):
                    cols[name + suffix] = getattr(self, name + suffix)
            if self.balance is not None:
                for qi, q in enumerate(self.questions):
                    cols[f"balance_{q}"] = self.balance[:, qi]
            cols["entropy_band"] = self.entropy_band
            cols["implementation_category"] = self.implementation_category
            cols["health_category"] = self.health_category
            return cols
        if table == "behaviours":
            r, q, b = (a.ravel() for a in np.indices((R, Q, B)))
            return {
                "group": np.asarray(self.group)[r], "question": np.asarray(self.questions)[q],
                "behaviour": np.asarray(self.behaviours)[b], "votes": self.votes.ravel(),
                "share": self.share.ravel(), "share_low": self.share_low.ravel(), "share_high": self.share_high.ravel(),
                "jump": self.jumps[r, b],
            }
        if table == "values":
            r, v = (a.ravel() for a in np.indices(self.value_index.shape))
            return {
                "group": np.asarray(self.group)[r], "value": np.asarray(self.values)[v],
                "index": self.value_index.ravel(), "index_low": self.value_index_low.ravel(),
                "index_high": self.value_index_high.ravel(), "category": self.value_category.ravel(),
            }
        r, q, lv = (a.ravel() for a in np.indices((R, Q, N_LEVELS)))
        return {
            "group": np.asarray(self.group)[r], "question": np.asarray(self.questions)[q],
            "level": lv + 1, "share": self.level_profile.ravel(),
        }

    _repr_html_ = html_repr  # a compact, rounded table in a notebook

    def to_records(self, table: str = "groups") -> list[dict[str, Any]]:
        """One JSON-ready dict per row of ``table`` (``"groups"``, ``"behaviours"``,
        ``"values"`` or ``"levels"``); NaN as None."""
        return records(self._columns(table))

    def to_frame(self, table: str = "groups") -> Any:
        """``table`` as a pandas DataFrame (needs pandas)."""
        return frame(self._columns(table))
