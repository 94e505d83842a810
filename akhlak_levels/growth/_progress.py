"""Progress of groups over waves, with small groups suppressed.

:func:`progress` reports, per wave and group: respondents, the level distribution, the mean
expected level, the share at level 4 or 5, scale and index scores with their categories, the
change from the previous wave with its test, and ranks. Small groups keep their row and size but
show no statistic, and never can be worked out by difference (``docs/growth.md``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple, Sequence

import numpy as np

from .._tables import frame, html_repr, records
from .._validation import Interval, check
from ..assessment import Assessment
from ..levels import N_LEVELS
from ..privacy import crossed_groups, suppression_mask
from ..questionnaire import Questionnaire, load_questionnaire
from ._group_stats import WaveStats, change_test, rank_desc, t_interval, wave_stats
from ._waves import (
    ALL_GROUP,
    IdIndex,
    group_labels,
    distinct_labels,
    id_index,
    label_codes,
    pair_positions,
    questionnaire_of,
    resolve_waves,
)

__all__ = ["ProgressTable", "progress", "progress_of_waves"]


@dataclass(frozen=True, eq=False)
class ProgressTable:
    """Group progress over waves, one row per (wave, group); see :func:`progress`.

    Rows come wave by wave, each wave starting with its total row (group ``"(all)"``) and then
    the groups in sorted order. Every group seen in any wave has a row in every wave.

    Attributes
    ----------
    wave, group : ndarray of str
    n : ndarray of int
        Respondents (shown also where suppressed, as in every group report of the library).
    suppressed : ndarray of bool
        Fewer than ``min_group_size`` respondents, or hidden so that a small group cannot be
        worked out by difference. Every statistic of a suppressed row is NaN (its size stays).
    level_shares : ndarray of shape (rows, 6)
        Share at level 0 (undetermined), 1, ..., 5.
    mean_expected_level, expected_level_ci_lower, expected_level_ci_upper : ndarray
        Mean with a t-based interval.
    share_level_4_5 : ndarray
        Share of all respondents at level 4 or 5 (level 0 counts as neither).
    scale_ids : tuple of str
    scale_means : ndarray of shape (rows, n_scales)
        Mean scale scores (over respondents with the scale scored).
    scale_categories : ndarray of str, shape (rows, n_scales), or None
        Band of each scale mean under the questionnaire's index bands, where it has an index.
    index_mean, index_ci_lower, index_ci_upper : ndarray or None
    index_category : ndarray of str or None
        Band of ``index_mean``.
    change_expected_level, change_expected_level_ci_lower, change_expected_level_ci_upper,
    change_expected_level_p : ndarray
        Change of the mean expected level from the previous wave, its interval and the p-value
        of its test; NaN in the first wave or where either side is suppressed.
    change_test : ndarray of str
        ``"paired"`` (same respondents in both waves), ``"welch"`` or ``""``.
    change_index, change_index_p : ndarray or None
    change_index_test : ndarray of str or None
    rank_expected_level, rank_index : ndarray of float
        Rank of the group within its wave (1 = highest mean), over shown groups; NaN for totals
        and suppressed rows. ``rank_index`` is None without an index.
    by : str or None
    min_group_size : int
    confidence : float
    waves : tuple of str
    notes : tuple of str
    """

    wave: np.ndarray
    group: np.ndarray
    n: np.ndarray
    suppressed: np.ndarray
    level_shares: np.ndarray
    mean_expected_level: np.ndarray
    expected_level_ci_lower: np.ndarray
    expected_level_ci_upper: np.ndarray
    share_level_4_5: np.ndarray
    scale_ids: tuple[str, ...]
    scale_means: np.ndarray
    scale_categories: np.ndarray | None
    index_mean: np.ndarray | None
    index_ci_lower: np.ndarray | None
    index_ci_upper: np.ndarray | None
    index_category: np.ndarray | None
    change_expected_level: np.ndarray
    change_expected_level_ci_lower: np.ndarray
    change_expected_level_ci_upper: np.ndarray
    change_expected_level_p: np.ndarray
    change_test: np.ndarray
    change_index: np.ndarray | None
    change_index_p: np.ndarray | None
    change_index_test: np.ndarray | None
    rank_expected_level: np.ndarray
    rank_index: np.ndarray | None
    by: str | None
    min_group_size: int
    confidence: float
    waves: tuple[str, ...]
    notes: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.wave)

    def _columns(self) -> dict[str, np.ndarray]:
        cols: dict[str, np.ndarray] = {
            "wave": self.wave.astype(object),
            "group": self.group.astype(object),
            "n": self.n,
            "suppressed": self.suppressed,
        }
        for k in range(N_LEVELS + 1):
            cols[f"share_level_{k}"] = self.level_shares[:, k]
        cols["share_level_4_5"] = self.share_level_4_5
        cols["mean_expected_level"] = self.mean_expected_level
        cols["expected_level_ci_lower"] = self.expected_level_ci_lower
        cols["expected_level_ci_upper"] = self.expected_level_ci_upper
        for j, s in enumerate(self.scale_ids):
            cols[f"scale_{s}"] = self.scale_means[:, j]
            if self.scale_categories is not None:
                cols[f"scale_{s}_category"] = self.scale_categories[:, j].astype(object)
        if self.index_mean is not None:
            assert self.index_ci_lower is not None and self.index_ci_upper is not None and self.index_category is not None
            cols["index"] = self.index_mean
            cols["index_ci_lower"] = self.index_ci_lower
            cols["index_ci_upper"] = self.index_ci_upper
            cols["index_category"] = self.index_category.astype(object)
        cols["change_expected_level"] = self.change_expected_level
        cols["change_expected_level_ci_lower"] = self.change_expected_level_ci_lower
        cols["change_expected_level_ci_upper"] = self.change_expected_level_ci_upper
        cols["change_expected_level_p"] = self.change_expected_level_p
        cols["change_test"] = self.change_test.astype(object)
        if self.change_index is not None:
            assert self.change_index_p is not None and self.change_index_test is not None
            cols["change_index"] = self.change_index
            cols["change_index_p"] = self.change_index_p
            cols["change_index_test"] = self.change_index_test.astype(object)
        cols["rank_expected_level"] = self.rank_expected_level
        if self.rank_index is not None:
            cols["rank_index"] = self.rank_index
        return cols

    _repr_html_ = html_repr  # a compact, rounded table in a notebook

    def to_records(self) -> list[dict[str, Any]]:
        """One JSON-ready dict per row (NaN as None; ranks as integers)."""
        recs = records(self._columns())
        for r in recs:
            for k in ("rank_expected_level", "rank_index"):
                if r.get(k) is not None:
                    r[k] = int(r[k])
        return recs

    def to_frame(self) -> Any:
        """A pandas DataFrame, one row per (wave, group) (needs pandas)."""
        return frame(self._columns())

    def __repr__(self) -> str:
        return (
            f"ProgressTable(waves={list(self.waves)}, by={self.by!r}, rows={len(self)}, "
            f"suppressed={int(self.suppressed.sum())})"
        )


def progress(
    assessments: Any,
    by: str | None = None,
    *,
    waves: Sequence[Any] | None = None,
    min_group_size: int = 5,
    confidence: float = 0.95,
    questionnaire: Questionnaire | str | None = None,
) -> ProgressTable:
    """Progress of groups over waves, with small groups suppressed.

    Parameters
    ----------
    assessments : sequence of Assessment, mapping of label to Assessment, or one Assessment
        The waves, in order. A sequence takes its labels from ``waves`` or from each
        assessment's (single-valued) wave column; one Assessment is split by its wave column.
    by : str, default=None
        ``"unit"`` or the name of a group column (``Assessment.groups``); None for totals only.
        A missing group value is reported as group ``"(missing)"``.
    waves : sequence, default=None
        Labels of a sequence of assessments.
    min_group_size : int, default=5
        Groups with fewer respondents are shown as suppressed (see Notes).
    confidence : float, default=0.95
        Level of the intervals.
    questionnaire : Questionnaire or str, default=None
        Where to read the index bands from; the bundled questionnaire the assessments name
        when None.

    Returns
    -------
    ProgressTable

    Raises
    ------
    ModelError
        Waves scored on different questionnaires or with different level models.
    ValueError
        Duplicate or missing wave labels, an unknown group column, bad parameters.

    Notes
    -----
    **Suppression.** A cell (one group in one wave) with fewer than ``min_group_size``
    respondents keeps its row and its size but shows no statistic. Because every wave's total row is
    shown, the hidden cells of a wave must together hold no one or at least ``min_group_size``
    people, else "total minus the shown groups" would reveal them: the smallest shown groups are
    hidden too until that holds (secondary suppression). The same rule is applied to each
    scale and to the index over the respondents with that score. A change whose either side is
    hidden is hidden. Groups are never dropped: a hidden group keeps its row.

    **Change test.** Against the previous wave, for the mean expected level and the index: a
    paired t-test when the group has exactly the same respondents in both waves, else Welch's
    t-test (unequal variances, Welch-Satterthwaite degrees of freedom), which ignores the
    correlation of repeated respondents and is then conservative when that correlation is
    positive. ``change_test`` says which.

    Examples
    --------
    >>> from dataclasses import replace
    >>> from akhlak_levels import assess, load_questionnaire, simulate
    >>> q = load_questionnaire("socio-emotional-levels")
    >>> r1, _ = simulate(q, 40, random_state=1)
    >>> r2, _ = simulate(q, 40, random_state=2)
    >>> units = np.array(["A"] * 20 + ["B"] * 17 + ["C"] * 3)  # C is small; B is hidden too
    >>> a1, a2 = replace(assess(q, r1), unit=units), replace(assess(q, r2), unit=units)
    >>> table = progress({"2023": a1, "2024": a2}, by="unit")
    >>> [(r["wave"], r["group"], r["n"], r["suppressed"], r["mean_expected_level"]) for r in table.to_records()][2:4]
    [('2023', 'B', 17, True, None), ('2023', 'C', 3, True, None)]
    >>> table.change_test.tolist()[4:]
    ['paired', 'paired', '', '']
    """
    conf = float(check("progress", "confidence", confidence, Interval(0, 1, closed="neither")))
    mgs = check("progress", "min_group_size", min_group_size, Interval(1, None, integer=True))
    wl = resolve_waves(assessments, waves, "progress")
    return progress_of_waves(wl, by, min_group_size=mgs, confidence=conf, questionnaire=questionnaire)


def progress_of_waves(
    wl: list[tuple[str, Assessment]],
    by: str | None,
    *,
    min_group_size: int,
    confidence: float,
    questionnaire: Questionnaire | str | None = None,
    published: list[tuple[str, Assessment]] | None = None,
) -> ProgressTable:
    """:func:`progress` of resolved waves (parameters checked by the caller).

    ``published``: the same waves over more people, whose table is (or may be) published too,
    e.g. every respondent while ``wl`` holds the panel of a trajectory. A cell is then also
    hidden where the people it leaves out of ``published``'s cell are fewer than
    ``min_group_size`` (complementary suppression, :mod:`akhlak_levels.privacy`).
    """
    mgs, conf = min_group_size, confidence
    a0 = wl[0][1]
    q = load_questionnaire(questionnaire) if questionnaire is not None else questionnaire_of(a0)
    index_spec = q.index if q is not None else None
    has_levels = a0.has_levels
    has_index = a0.index is not None
    notes: list[str] = []
    if not has_levels:
        notes.append(f"no level model for {a0.questionnaire_id!r}: level statistics are NaN")
    if has_index and index_spec is None:
        notes.append("index bands unknown (pass questionnaire=): categories are empty")

    labels = [lab for lab, _ in wl]
    group_cols = [group_labels(a, by, lab) for lab, a in wl]
    full = [(a, group_labels(a, by, lab)) for lab, a in published] if published is not None else None
    ids_per = [id_index(a, lab) for lab, a in wl]
    union = np.unique(np.concatenate([distinct_labels(g) for g in group_cols])) if by is not None else np.array([], dtype=str)
    G = len(union)
    cols = _ProgressColumns.empty(len(wl) * (G + 1), len(a0.scale_ids))
    prev: _WaveState | None = None
    for w, ((_, a), gcol) in enumerate(zip(wl, group_cols)):
        # by=None: one group holding everyone; only its total row is output
        grid = union if by is not None else None
        crossed = _other_groupings(a, gcol, by, labels[w], grid, mgs) if by is not None and grid is not None else None
        cur = _wave_state(a, gcol, ids_per[w], grid, mgs, full[w] if full is not None else None, crossed)
        rows = _WaveRows(slice(w * (G + 1), (w + 1) * (G + 1)), G if by is not None else 1, by is not None)
        _fill_wave_rows(cols, rows, cur, has_levels=has_levels, has_index=has_index, conf=conf)
        if prev is not None:
            _fill_changes(cols, rows, prev, cur, has_levels=has_levels, has_index=has_index, conf=conf)
        prev = cur
    return _progress_table(cols, labels, union, a0, index_spec, has_index, by=by, min_group_size=mgs, conf=conf, notes=notes)


def _other_groupings(a: Assessment, gcol: np.ndarray, by: str, wave: str, union: np.ndarray, mgs: int) -> np.ndarray:
    """Cells of the grid hidden because another grouping column of the same wave (``unit`` or a
    group column) may be published too (:func:`akhlak_levels.privacy.crossed_groups`)."""
    others = (["unit"] if a.unit is not None and by != "unit" else []) + [g for g in a.groups if g != by]
    return crossed_groups(union, gcol, (group_labels(a, name, wave) for name in others), mgs)


class _LeftOut(NamedTuple):
    """Per group of the grid and then the total: the people of a larger published wave that
    this wave's cell leaves out, counted as each statistic counts them."""

    n: np.ndarray
    scale_n: np.ndarray  # (groups + 1) x scales: left-out people with that scale scored
    index_n: np.ndarray


def _left_out(st: WaveStats, published: tuple[Assessment, np.ndarray], union: np.ndarray | None, Gw: int) -> _LeftOut:
    """The larger wave's statistics on the same grid (its groups outside the grid in one bucket
    of their own, which is in the total only), minus this wave's."""
    fa, fcol = published
    if union is None:
        inv = np.zeros(len(fa), dtype=np.int64)
    else:
        pos = np.searchsorted(union, fcol)
        inside = pos < Gw
        inside[inside] = union[pos[inside]] == fcol[inside]
        inv = np.where(inside, pos, Gw)
    fst = wave_stats(fa, inv, Gw + 1)
    rows = np.r_[0:Gw, Gw + 1]  # the grid's groups, then the total
    return _LeftOut(fst.n[rows] - st.n, fst.scale_n[rows] - st.scale_n, fst.index_n[rows] - st.index_n)


# --------------------------------------------------------------------------- steps


@dataclass(frozen=True)
class _ProgressColumns:
    """The columns of a :class:`ProgressTable`, filled wave by wave: row ``w * (G + 1)`` is the
    total of wave ``w``, row ``w * (G + 1) + 1 + g`` its group ``g``."""

    n: np.ndarray
    suppressed: np.ndarray
    level_shares: np.ndarray
    mean_expected_level: np.ndarray
    expected_level_ci_lower: np.ndarray
    expected_level_ci_upper: np.ndarray
    share_level_4_5: np.ndarray
    scale_means: np.ndarray
    index_mean: np.ndarray
    index_ci_lower: np.ndarray
    index_ci_upper: np.ndarray
    change_expected_level: np.ndarray
    change_expected_level_ci_lower: np.ndarray
    change_expected_level_ci_upper: np.ndarray
    change_expected_level_p: np.ndarray
    change_test: np.ndarray
    change_index: np.ndarray
    change_index_p: np.ndarray
    change_index_test: np.ndarray
    rank_expected_level: np.ndarray
    rank_index: np.ndarray

    @classmethod
    def empty(cls, R: int, S: int) -> _ProgressColumns:
        """``R`` rows of NaN statistics (sizes 0, nothing suppressed, no test) over ``S`` scales."""
        def nan() -> np.ndarray:
            return np.full(R, np.nan)

        return cls(
            n=np.zeros(R, dtype=np.int64),
            suppressed=np.zeros(R, dtype=bool),
            level_shares=np.full((R, N_LEVELS + 1), np.nan),
            mean_expected_level=nan(),
            expected_level_ci_lower=nan(),
            expected_level_ci_upper=nan(),
            share_level_4_5=nan(),
            scale_means=np.full((R, S), np.nan),
            index_mean=nan(),
            index_ci_lower=nan(),
            index_ci_upper=nan(),
            change_expected_level=nan(),
            change_expected_level_ci_lower=nan(),
            change_expected_level_ci_upper=nan(),
            change_expected_level_p=nan(),
            change_test=np.full(R, "", dtype=object),
            change_index=nan(),
            change_index_p=nan(),
            change_index_test=np.full(R, "", dtype=object),
            rank_expected_level=nan(),
            rank_index=nan(),
        )


@dataclass(frozen=True)
class _WaveRows:
    """Where one wave goes in the output: the rows ``where``, and :meth:`of`, which turns a
    per-wave array over its ``n_groups`` groups plus the total (last) into those rows, total first
    (only the total when not ``grouped``)."""

    where: slice
    n_groups: int
    grouped: bool

    def of(self, x: np.ndarray) -> np.ndarray:
        G = self.n_groups
        if self.grouped:
            return np.concatenate([x[G : G + 1], x[:G]])
        return x[G : G + 1]


@dataclass(frozen=True)
class _WaveState:
    """One wave's groups, sums and suppression masks (over its groups plus the total, last);
    what the next wave's change needs of it."""

    a: Assessment
    inv: np.ndarray
    ids: IdIndex
    stats: WaveStats
    hide_groups: np.ndarray
    hide: np.ndarray
    scale_hide: np.ndarray
    index_hide: np.ndarray


def _wave_state(
    a: Assessment,
    gcol: np.ndarray,
    ids: IdIndex,
    union: np.ndarray | None,
    mgs: int,
    published: tuple[Assessment, np.ndarray] | None = None,
    crossed: np.ndarray | None = None,
) -> _WaveState:
    """Group sums of one wave (``union`` = the sorted groups of all waves; None for one group
    holding everyone) and which cells to hide, for each scale and the index too. ``published``:
    the same wave over more people (and their groups), whose table is published too; what each
    cell leaves out of it must be nobody or at least ``mgs`` people (complementary rule).
    ``crossed``: cells hidden because of another grouping of the same people."""
    inv = label_codes(gcol, union) if union is not None else np.zeros(len(a), dtype=np.int64)
    Gw = len(union) if union is not None else 1
    st = wave_stats(a, inv, Gw)
    lo = _left_out(st, published, union, Gw) if published is not None else None

    def rule(n: np.ndarray, left: np.ndarray | None, forced: np.ndarray | None = None) -> np.ndarray:
        """Cells of the grid, then the total: hidden by the privacy engine."""
        comps = [left[:Gw]] if left is not None else []
        cells = suppression_mask(n[:Gw], mgs, forced=forced, complements=comps)
        total = n[Gw] < mgs or (left is not None and 0 < left[Gw] < mgs)
        return np.append(cells, total)

    hide = rule(st.n, lo.n if lo is not None else None, crossed)
    hide_g = hide[:Gw]
    S = len(a.scale_ids)
    scale_hide = np.empty((Gw + 1, S), dtype=bool)
    for j in range(S):
        scale_hide[:, j] = rule(st.scale_n[:, j], lo.scale_n[:, j] if lo is not None else None, hide_g) | hide
    index_hide = rule(st.index_n, lo.index_n if lo is not None else None, hide_g) | hide
    return _WaveState(a, inv, ids, st, hide_g, hide, scale_hide, index_hide)


def _fill_wave_rows(
    cols: _ProgressColumns, rows: _WaveRows, cur: _WaveState, *, has_levels: bool, has_index: bool, conf: float
) -> None:
    """One wave's sizes and statistics, NaN where suppressed."""
    st, o, sl = cur.stats, rows.of, rows.where
    cols.suppressed[sl] = o(cur.hide)
    cols.n[sl] = o(st.n).astype(np.int64)
    if has_levels and st.level_counts is not None:
        _fill_level_rows(cols, rows, cur, conf)
    cols.scale_means[sl] = np.where(o(cur.scale_hide), np.nan, o(st.scale_mean))
    if has_index:
        _fill_index_rows(cols, rows, cur, conf)


def _fill_level_rows(cols: _ProgressColumns, rows: _WaveRows, cur: _WaveState, conf: float) -> None:
    """Level shares, share at level 4 or 5, mean expected level with its interval, and ranks."""
    st, o, sl = cur.stats, rows.of, rows.where
    assert st.level_counts is not None
    counts = st.n
    hide_o = o(cur.hide)
    with np.errstate(invalid="ignore", divide="ignore"):
        sh = st.level_counts / counts[:, None]
    cols.level_shares[sl] = np.where(hide_o[:, None], np.nan, o(sh))
    cols.share_level_4_5[sl] = np.where(hide_o, np.nan, o(sh[:, 4] + sh[:, 5]))
    lo, hi = t_interval(st.mean_e, st.var_e, counts, conf)
    cols.mean_expected_level[sl] = np.where(hide_o, np.nan, o(st.mean_e))
    cols.expected_level_ci_lower[sl] = np.where(hide_o, np.nan, o(lo))
    cols.expected_level_ci_upper[sl] = np.where(hide_o, np.nan, o(hi))
    if rows.grouped:
        r = rank_desc(np.where(cur.hide_groups, np.nan, st.mean_e[: rows.n_groups]))
        cols.rank_expected_level[sl] = o(np.append(r, np.nan))


def _fill_index_rows(cols: _ProgressColumns, rows: _WaveRows, cur: _WaveState, conf: float) -> None:
    """Mean index with its interval, and ranks."""
    st, o, sl = cur.stats, rows.of, rows.where
    lo, hi = t_interval(st.index_mean, st.index_var, st.index_n, conf)
    ih = o(cur.index_hide)
    cols.index_mean[sl] = np.where(ih, np.nan, o(st.index_mean))
    cols.index_ci_lower[sl] = np.where(ih, np.nan, o(lo))
    cols.index_ci_upper[sl] = np.where(ih, np.nan, o(hi))
    if rows.grouped:
        r = rank_desc(np.where(cur.index_hide[: rows.n_groups], np.nan, st.index_mean[: rows.n_groups]))
        cols.rank_index[sl] = o(np.append(r, np.nan))


def _fill_changes(
    cols: _ProgressColumns, rows: _WaveRows, prev: _WaveState, cur: _WaveState, *, has_levels: bool,
    has_index: bool, conf: float,
) -> None:
    """Change of the mean expected level and of the index from the previous wave, with its test;
    hidden where either side is suppressed."""
    rows_prev, rows_cur = pair_positions(prev.ids, cur.ids)
    pst, cst = prev.stats, cur.stats
    o, sl, Gw = rows.of, rows.where, rows.n_groups
    if has_levels:
        assert prev.a.expected_level is not None and cur.a.expected_level is not None
        est, lo, hi, p, test = change_test(
            np.asarray(prev.a.expected_level, float), prev.inv, np.asarray(cur.a.expected_level, float), cur.inv,
            rows_prev, rows_cur, (pst.n, pst.mean_e, pst.var_e), (cst.n, cst.mean_e, cst.var_e), Gw, conf,
        )
        h = o(prev.hide | cur.hide)
        cols.change_expected_level[sl] = np.where(h, np.nan, o(est))
        cols.change_expected_level_ci_lower[sl] = np.where(h, np.nan, o(lo))
        cols.change_expected_level_ci_upper[sl] = np.where(h, np.nan, o(hi))
        cols.change_expected_level_p[sl] = np.where(h, np.nan, o(p))
        cols.change_test[sl] = np.where(h, "", o(test))
    if has_index:
        assert prev.a.index is not None and cur.a.index is not None
        est, _, _, p, test = change_test(
            np.asarray(prev.a.index, float), prev.inv, np.asarray(cur.a.index, float), cur.inv,
            rows_prev, rows_cur, (pst.index_n, pst.index_mean, pst.index_var),
            (cst.index_n, cst.index_mean, cst.index_var), Gw, conf,
        )
        h = o(prev.index_hide | cur.index_hide)
        cols.change_index[sl] = np.where(h, np.nan, o(est))
        cols.change_index_p[sl] = np.where(h, np.nan, o(p))
        cols.change_index_test[sl] = np.where(h, "", o(test))


def _progress_table(
    cols: _ProgressColumns, labels: list[str], union: np.ndarray, a0: Assessment, index_spec: Any, has_index: bool,
    *, by: str | None, min_group_size: int, conf: float, notes: list[str],
) -> ProgressTable:
    """The :class:`ProgressTable` of the filled columns, with wave and group labels and the
    categories of the scale and index means under the index bands."""
    G, W = len(union), len(labels)
    wave_col = np.repeat(np.array(labels, dtype=object), G + 1).astype(str)
    group_col = np.tile(np.concatenate([[ALL_GROUP], union]).astype(object), W).astype(str)
    scale_cat = index_cat = None
    if has_index:
        if index_spec is not None:
            scale_cat = index_spec.categorize(cols.scale_means.ravel()).reshape(cols.scale_means.shape)
            index_cat = index_spec.categorize(cols.index_mean)
        else:
            scale_cat = np.full(cols.scale_means.shape, "", dtype=str)
            index_cat = np.full(len(cols.index_mean), "", dtype=str)
    return ProgressTable(
        wave=wave_col,
        group=group_col,
        n=cols.n,
        suppressed=cols.suppressed,
        level_shares=cols.level_shares,
        mean_expected_level=cols.mean_expected_level,
        expected_level_ci_lower=cols.expected_level_ci_lower,
        expected_level_ci_upper=cols.expected_level_ci_upper,
        share_level_4_5=cols.share_level_4_5,
        scale_ids=a0.scale_ids,
        scale_means=cols.scale_means,
        scale_categories=scale_cat,
        index_mean=cols.index_mean if has_index else None,
        index_ci_lower=cols.index_ci_lower if has_index else None,
        index_ci_upper=cols.index_ci_upper if has_index else None,
        index_category=index_cat,
        change_expected_level=cols.change_expected_level,
        change_expected_level_ci_lower=cols.change_expected_level_ci_lower,
        change_expected_level_ci_upper=cols.change_expected_level_ci_upper,
        change_expected_level_p=cols.change_expected_level_p,
        change_test=cols.change_test.astype(str),
        change_index=cols.change_index if has_index else None,
        change_index_p=cols.change_index_p if has_index else None,
        change_index_test=cols.change_index_test.astype(str) if has_index else None,
        rank_expected_level=cols.rank_expected_level,
        rank_index=cols.rank_index if has_index else None,
        by=by,
        min_group_size=min_group_size,
        confidence=conf,
        waves=tuple(labels),
        notes=tuple(notes),
    )
