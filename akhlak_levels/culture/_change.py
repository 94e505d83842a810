"""Change of a culture map's indices between two waves, per group, with intervals and whether
the change is beyond noise; groups suppressed in either wave show no change."""

from __future__ import annotations

from dataclasses import dataclass, field
from statistics import NormalDist
from typing import Any

import numpy as np

from .._tables import frame, html_repr, records
from .._validation import Interval, check
from ._rank import statistic_of
from ._result import CultureMap

__all__ = ["CHANGE_INDICES", "ChangeTable", "culture_change"]

#: The indices compared, before the per-value implementation indices (the value ids).
CHANGE_INDICES = ("entropy", "positive_energy", "implementation", "total_health")


@dataclass(frozen=True, eq=False)
class ChangeTable:
    """Each index of each group before and after, the difference and its interval.

    Rows are the groups present in both maps (everyone's row first); columns the indices
    (:data:`CHANGE_INDICES`, then each value's implementation index, named by its value id).
    A group suppressed in either wave keeps its sizes and has NaN everywhere else.

    Attributes
    ----------
    group : tuple of str
    indices : tuple of str
    n_before, n_after : ndarray of int, shape (G,)
    suppressed : ndarray of bool, shape (G,)
        Suppressed in the first wave, the second or both.
    before, after, difference, se, low, high : ndarray of float, shape (G, K)
        The index in each wave, ``after - before``, its standard error
        ``sqrt(se_before^2 + se_after^2)`` and its normal interval (not clipped).
    beyond_noise : ndarray of bool, shape (G, K)
        The interval excludes 0 (False where there is no interval).
    confidence, note

    Examples
    --------
    See :func:`~akhlak_levels.culture_change`.
    """

    group: tuple[str, ...]
    indices: tuple[str, ...]
    n_before: np.ndarray
    n_after: np.ndarray
    suppressed: np.ndarray
    before: np.ndarray
    after: np.ndarray
    difference: np.ndarray
    se: np.ndarray
    low: np.ndarray
    high: np.ndarray
    beyond_noise: np.ndarray
    confidence: float = 0.95
    note: tuple[str, ...] = field(default_factory=tuple)

    def __len__(self) -> int:
        return len(self.group)

    def __repr__(self) -> str:
        return f"ChangeTable(groups={len(self)}, indices={len(self.indices)}, suppressed={int(self.suppressed.sum())})"

    def cell(self, group: str, index: str) -> dict[str, Any]:
        """The record of one group and index."""
        if group not in self.group or index not in self.indices:
            raise KeyError(f"no ({group!r}, {index!r}); groups {list(self.group)}, indices {list(self.indices)}")
        return self.to_records()[self.group.index(group) * len(self.indices) + self.indices.index(index)]

    def _columns(self) -> dict[str, Any]:
        G, K = self.before.shape
        g, k = (a.ravel() for a in np.indices((G, K)))
        shown = np.isfinite(self.difference.ravel())
        return {
            "group": np.asarray(self.group, dtype=object)[g], "index": np.asarray(self.indices, dtype=object)[k],
            "n_before": self.n_before[g], "n_after": self.n_after[g], "suppressed": self.suppressed[g],
            "before": self.before.ravel(), "after": self.after.ravel(), "difference": self.difference.ravel(),
            "se": self.se.ravel(), "low": self.low.ravel(), "high": self.high.ravel(),
            "beyond_noise": [bool(b) if s else None for b, s in zip(self.beyond_noise.ravel(), shown)],
        }

    _repr_html_ = html_repr  # a compact, rounded table in a notebook

    def to_records(self) -> list[dict[str, Any]]:
        """One JSON-ready dict per (group, index); NaN and an undecided ``beyond_noise`` as None."""
        return records(self._columns())

    def to_frame(self) -> Any:
        """The table as a pandas DataFrame (needs pandas)."""
        return frame(self._columns())


def culture_change(before: CultureMap, after: CultureMap, *, confidence: float = 0.95) -> ChangeTable:
    """The change of every index between two waves' culture maps, per group.

    Parameters
    ----------
    before, after : CultureMap
        Maps of the same questionnaire, value-index definition and grouping (``by``), one per
        wave (for example ``culture_map(q, votes_2024, by="unit")`` and the same for 2025).
    confidence : float, default=0.95
        Level of the intervals of the differences.

    Returns
    -------
    ChangeTable

    Notes
    -----
    For each group present in both maps (everyone's row included) and each index: the
    difference ``after - before``, its standard error ``sqrt(se_b^2 + se_a^2)`` from the maps'
    delta-method standard errors, the interval ``difference +- z se`` and ``beyond_noise`` when
    the interval excludes 0. The waves are taken as independent samples. When the same people
    answer both waves and their answers are positively correlated (the usual case), the
    variance of the difference is ``se_b^2 + se_a^2 - 2 cov``, smaller than assumed, so the
    interval is conservative (too wide); a paired analysis would need the respondents' votes
    matched across waves. ``beyond_noise`` is per cell: over many groups and indices about
    ``1 - confidence`` of unchanged cells are flagged by chance.

    A group suppressed in either map shows its sizes only (its change could otherwise reveal
    what the map hid); groups present in one map only are named in the note.

    Examples
    --------
    >>> import numpy as np
    >>> from akhlak_levels import VoteSet, culture_change, culture_map, load_questionnaire
    >>> q = load_questionnaire("berakhlak-culture-map")
    >>> rng = np.random.default_rng(0)
    >>> def wave(n):
    ...     picks = np.stack([[rng.choice(74, 10, replace=False) for _ in range(3)] for _ in range(n)])
    ...     return VoteSet(q.id, q.version, np.arange(n).astype(str), picks, unit=np.repeat(["A", "B"], n // 2))
    >>> ch = culture_change(culture_map(q, wave(60), by="unit"), culture_map(q, wave(60), by="unit"))
    >>> ch.group, ch.indices[:4]
    (('(all)', 'A', 'B'), ('entropy', 'positive_energy', 'implementation', 'total_health'))
    >>> r = ch.cell("A", "entropy")
    >>> bool(r["low"] < r["difference"] < r["high"]), r["beyond_noise"]
    (True, False)
    """
    fn = "culture_change"
    check(fn, "confidence", confidence, Interval(0, 1, closed="neither"))
    for what in ("questionnaire_id", "index_definition", "values", "by"):
        if getattr(before, what) != getattr(after, what):
            raise ValueError(
                f"culture_change: the maps differ in {what} ({getattr(before, what)!r} and {getattr(after, what)!r}); "
                "compare maps of the same questionnaire, index definition and grouping."
            )
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    common = [g for g in before.group if g in after.group]
    rb = np.array([before.group.index(g) for g in common], dtype=np.int64)
    ra = np.array([after.group.index(g) for g in common], dtype=np.int64)
    indices = CHANGE_INDICES + tuple(before.values)
    eb, sb = (np.stack(x, axis=1) for x in zip(*(statistic_of(before, k, fn) for k in indices)))
    ea, sa = (np.stack(x, axis=1) for x in zip(*(statistic_of(after, k, fn) for k in indices)))
    hidden = np.asarray(before.suppressed, dtype=bool)[rb] | np.asarray(after.suppressed, dtype=bool)[ra]
    mask = hidden[:, None]
    b = np.where(mask, np.nan, eb[rb])
    a = np.where(mask, np.nan, ea[ra])
    diff = a - b
    se = np.where(mask, np.nan, np.sqrt(sb[rb] ** 2 + sa[ra] ** 2))
    low, high = diff - z * se, diff + z * se
    with np.errstate(invalid="ignore"):
        beyond = (low > 0) | (high < 0)
    notes = []
    if hidden.any():
        notes.append(f"no change shown, suppressed in a wave: {[g for g, h in zip(common, hidden) if h]}")
    only = [g for g in before.group if g not in common] + [g for g in after.group if g not in common]
    if only:
        notes.append(f"in one wave only, no change: {only}")
    return ChangeTable(
        group=tuple(common), indices=indices, n_before=np.asarray(before.n)[rb], n_after=np.asarray(after.n)[ra],
        suppressed=hidden, before=b, after=a, difference=diff, se=se, low=low, high=high, beyond_noise=beyond,
        confidence=float(confidence), note=tuple(notes),
    )
