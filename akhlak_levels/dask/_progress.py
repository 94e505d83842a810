"""The one-wave table of :func:`akhlak_levels.progress` from a scored dask DataFrame, reduced from
mergeable partial sums per group: :func:`progress_dask` (see the package notes)."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._validation import Interval, check
from ..growth import ALL_GROUP, MISSING_GROUP, ProgressTable, rank_desc, t_interval  # the statistics of progress
from ..levels import N_LEVELS
from ..privacy import crossed_groups, suppression_mask
from ..questionnaire import Questionnaire, load_questionnaire
from ._score import require_dask

__all__ = ["progress_dask"]

#: Shifts of the sums of squares (near the middle of each scale, so the sums stay small).
_SHIFT_E, _SHIFT_I = 3.0, 50.0


def progress_dask(
    results: Any,
    questionnaire: Questionnaire | str,
    by: str | None = None,
    *,
    wave: str | None = None,
    min_group_size: int = 5,
    confidence: float = 0.95,
) -> ProgressTable:
    """The one-wave table of :func:`akhlak_levels.progress`, from a scored dask DataFrame.

    Parameters
    ----------
    results : dask.dataframe.DataFrame
        From :func:`assess_dask` (or ``Assessment.to_frame`` columns).
    questionnaire : Questionnaire or str
        The questionnaire scored (its index bands give the categories).
    by : str, default=None
        ``"unit"`` or a group column; None for the total only.
    wave : str, default=None
        The wave's label; by default the single value of the wave column, else ``"1"``.
    min_group_size, confidence
        As for :func:`akhlak_levels.progress`.

    Returns
    -------
    ProgressTable
        Equal (to rounding) to ``progress({wave: assessment}, by)`` of the same respondents
        scored in memory; changes between waves are not computed (one wave).

    Raises
    ------
    ValueError
        A wave column with more than one wave (call once per wave), an unknown group column.

    Notes
    -----
    Each partition gives per group: respondents, respondents per level 0..5, and for the expected
    level and the index the count of finite values, their sum and their sum of squares about a
    fixed shift (3 and 50); for each scale the count and sum of finite scores; and per other
    grouping column the cross-tabulated counts. Sums are added across partitions (a tree
    reduction by ``groupby().sum()``); the variance is ``(S2 - S1**2 / n) / (n - 1)`` of the
    shifted sums. Suppression (primary, secondary and the two-groupings rule) runs once, on the
    reduced counts, by :mod:`akhlak_levels.privacy`. The two-groupings rule reads the reduced
    cross-tabulation expanded to one label per respondent on the client (memory of the order
    of the respondents, only when other grouping columns exist).

    Examples
    --------
    >>> import dask.dataframe as dd
    >>> import pandas as pd
    >>> from akhlak_levels import load_questionnaire, simulate
    >>> from akhlak_levels.dask import assess_dask
    >>> q = load_questionnaire("socio-emotional-levels")
    >>> rs, _ = simulate(q, 40, random_state=0)
    >>> df = pd.DataFrame(rs.values, columns=q.item_ids).assign(unit=["A"] * 30 + ["B"] * 8 + ["C"] * 2)
    >>> table = progress_dask(assess_dask(dd.from_pandas(df, npartitions=3), q), q, by="unit", wave="2024")
    >>> [(r["group"], r["n"], r["suppressed"]) for r in table.to_records()]
    [('(all)', 40, False), ('A', 30, False), ('B', 8, True), ('C', 2, True)]
    """
    dask = require_dask()
    q = load_questionnaire(questionnaire)
    mgs = check("progress_dask", "min_group_size", min_group_size, Interval(1, None, integer=True))
    conf = float(check("progress_dask", "confidence", confidence, Interval(0, 1, closed="neither")))
    cols = [str(c) for c in results.columns]
    scales = tuple(c[len("scale_"):] for c in cols if c.startswith("scale_"))
    has_levels, has_index = "level" in cols, "index" in cols
    groupings = _grouping_columns(cols)
    if by is not None and by not in groupings:
        raise ValueError(f"No group column {by!r}; available: {groupings or 'none'}.")
    others = [g for g in groupings if g != by] if by is not None else []
    spec = _PartialSpec(by, others, scales, has_levels, has_index, "wave" in cols)
    meta = _partials(results._meta, spec)
    parts = results.map_partitions(_partials, spec, meta=meta, enforce_metadata=False)
    sums = parts.drop(columns=others + ["wave"] * spec.wave).groupby("group").sum(split_out=1)
    tabs = [parts.groupby(["group", o])["n"].sum(split_out=1) for o in others]
    waves = parts["wave"].unique() if spec.wave else None
    totals, crosstabs, wave_values = dask.compute(sums, tabs, waves)
    label = _wave_label(wave, wave_values)
    return _table(totals, crosstabs, spec, q, label, mgs, conf)


def _grouping_columns(cols: list[str]) -> list[str]:
    """``unit`` and the group columns of a results frame: those between the id and the levels."""
    end = next((i for i, c in enumerate(cols) if c == "level" or c.startswith("scale_") or c == "n_answered"), len(cols))
    return [c for c in cols[1:end] if c not in ("wave", "date")]


def _wave_label(wave: str | None, values: Any) -> str:
    if values is not None:
        found = sorted({str(v) for v in np.asarray(values, dtype=object).tolist()})
        if len(found) > 1:
            raise ValueError(
                f"progress_dask reports one wave; the wave column holds {found[:5]}. Filter the frame to one "
                "wave and call once per wave (changes between waves pair respondents: use progress on the assessments)."
            )
        if wave is None and found:
            return found[0]
    return "1" if wave is None else str(wave)


class _PartialSpec:
    """What one partition sums: the grouping, the other groupings, the scales and parts present."""

    def __init__(self, by: str | None, others: list[str], scales: tuple[str, ...], levels: bool, index: bool,
                 wave: bool):
        self.by, self.others, self.scales, self.levels, self.index, self.wave = by, others, scales, levels, index, wave


def _labels(col: Any) -> np.ndarray:
    lab = np.asarray(col, dtype=object).astype(str)
    return np.where(lab == "", MISSING_GROUP, lab)


def _shifted(x: np.ndarray, shift: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    ok = np.isfinite(x)
    d = np.where(ok, x - shift, 0.0)
    return ok.astype(np.int64), d, d * d


def _partials(pdf: Any, spec: _PartialSpec) -> Any:
    """One row per respondent of the quantities summed per group (the groupby sums them)."""
    import pandas as pd

    k = len(pdf)
    data: dict[str, Any] = {"group": _labels(pdf[spec.by]) if spec.by is not None else np.full(k, ALL_GROUP)}
    for o in spec.others:
        data[o] = _labels(pdf[o])
    if spec.wave:
        data["wave"] = np.asarray(pdf["wave"], dtype=object).astype(str)
    data["n"] = np.ones(k, dtype=np.int64)
    if spec.levels:
        level = np.asarray(pdf["level"], dtype=np.int64)
        for v in range(N_LEVELS + 1):
            data[f"level_{v}"] = (level == v).astype(np.int64)
        data["e_n"], data["e_s1"], data["e_s2"] = _shifted(np.asarray(pdf["expected_level"], dtype=float), _SHIFT_E)
    for s in spec.scales:
        x = np.asarray(pdf[f"scale_{s}"], dtype=float)
        ok = np.isfinite(x)
        data[f"s_n:{s}"], data[f"s_s1:{s}"] = ok.astype(np.int64), np.where(ok, x, 0.0)
    if spec.index:
        data["i_n"], data["i_s1"], data["i_s2"] = _shifted(np.asarray(pdf["index"], dtype=float), _SHIFT_I)
    out = pd.DataFrame(data, index=pdf.index)
    return out


def _mean_var(total: Any, prefix: str, shift: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Count, mean and sample variance (ddof=1) from the count, shifted sum and shifted squares."""
    n = total[f"{prefix}_n"].to_numpy(dtype=float)
    s1 = total[f"{prefix}_s1"].to_numpy(dtype=float)
    s2 = total[f"{prefix}_s2"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = shift + s1 / n
        var = np.maximum(s2 - s1 * s1 / n, 0.0) / (n - 1)
    return n, np.where(n > 0, mean, np.nan), np.where(n > 1, var, np.nan)


def _crossed(union: np.ndarray, crosstabs: list[Any], mgs: int) -> np.ndarray | None:
    """The two-groupings rule of :func:`akhlak_levels.privacy.crossed_groups` on the reduced
    cross-tabulations, expanded back to one (group, other group) label pair per respondent."""
    if not crosstabs:
        return None
    labels, others = [], []
    for tab in crosstabs:
        counts = tab.to_numpy(dtype=np.int64)
        g = np.asarray(tab.index.get_level_values(0), dtype=object).astype(str)
        o = np.asarray(tab.index.get_level_values(1), dtype=object).astype(str)
        labels.append(np.repeat(g, counts))
        others.append(np.repeat(o, counts))
    hide = np.zeros(len(union), dtype=bool)
    for lab, oth in zip(labels, others):
        hide |= crossed_groups(union, lab, [oth], mgs)
    return hide


def _table(totals: Any, crosstabs: list[Any], spec: _PartialSpec, q: Questionnaire, label: str, mgs: int,
           conf: float) -> ProgressTable:
    """The ProgressTable of the reduced sums: suppression by the privacy engine, then statistics."""
    grouped = spec.by is not None
    names = np.asarray(totals.index, dtype=object).astype(str)
    union = np.unique(names) if grouped else np.array([], dtype=str)
    G = len(union)
    groups = totals.reindex(union) if grouped else totals.iloc[:0]
    total = totals.sum(axis=0).to_frame().T
    both = _stack(groups, total)  # the groups, then the total (last), as progress orders its sums
    n = both["n"].to_numpy(dtype=float)

    def rule(counts: np.ndarray, forced: np.ndarray | None) -> np.ndarray:
        return np.append(suppression_mask(counts[:G], mgs, forced=forced), counts[G] < mgs)

    hide = rule(n, _crossed(union, crosstabs, mgs) if grouped else None)
    hide_g = hide[:G]
    S = len(spec.scales)
    scale_n = np.column_stack([both[f"s_n:{s}"].to_numpy(dtype=float) for s in spec.scales]) if S else np.zeros((G + 1, 0))
    scale_s = np.column_stack([both[f"s_s1:{s}"].to_numpy(dtype=float) for s in spec.scales]) if S else np.zeros((G + 1, 0))
    scale_hide = np.column_stack([rule(scale_n[:, j], hide_g) | hide for j in range(S)]) if S else np.zeros((G + 1, 0), bool)
    with np.errstate(invalid="ignore", divide="ignore"):
        scale_mean = scale_s / scale_n

    def o(x: np.ndarray) -> np.ndarray:  # total first, then the groups
        return np.concatenate([x[G:G + 1], x[:G]]) if grouped else x[G:G + 1]

    R = G + 1 if grouped else 1
    nan = np.full(R, np.nan)
    shares = np.full((R, N_LEVELS + 1), np.nan)
    mean_e, lo_e, hi_e, share45, rank_e = nan.copy(), nan.copy(), nan.copy(), nan.copy(), nan.copy()
    notes: list[str] = []
    if spec.levels:
        counts = np.column_stack([both[f"level_{v}"].to_numpy(dtype=float) for v in range(N_LEVELS + 1)])
        with np.errstate(invalid="ignore", divide="ignore"):
            sh = counts / n[:, None]
        shares = np.where(o(hide)[:, None], np.nan, o(sh))
        share45 = np.where(o(hide), np.nan, o(sh[:, 4] + sh[:, 5]))
        en, em, ev = _mean_var(both, "e", _SHIFT_E)
        lo, hi = t_interval(em, ev, n, conf)
        mean_e, lo_e, hi_e = (np.where(o(hide), np.nan, o(x)) for x in (em, lo, hi))
        if grouped:
            rank_e = o(np.append(rank_desc(np.where(hide_g, np.nan, em[:G])), np.nan))
    else:
        notes.append(f"no level model for {q.id!r}: level statistics are NaN")
    index_fields: dict[str, Any] = dict(index_mean=None, index_ci_lower=None, index_ci_upper=None, index_category=None,
                                         change_index=None, change_index_p=None, change_index_test=None, rank_index=None)
    scale_means = np.where(o(scale_hide), np.nan, o(scale_mean))
    scale_cat = None
    if spec.index:
        bands = q.index
        i_n, i_m, i_v = _mean_var(both, "i", _SHIFT_I)
        index_hide = rule(i_n, hide_g) | hide
        ilo, ihi = t_interval(i_m, i_v, i_n, conf)
        im, il, ih = (np.where(o(index_hide), np.nan, o(x)) for x in (i_m, ilo, ihi))
        rank_i = o(np.append(rank_desc(np.where(index_hide[:G], np.nan, i_m[:G])), np.nan)) if grouped else nan.copy()
        cat = bands.categorize(im) if bands is not None else np.full(R, "", dtype=str)
        scale_cat = (bands.categorize(scale_means.ravel()).reshape(scale_means.shape) if bands is not None
                     else np.full(scale_means.shape, "", dtype=str))
        index_fields = dict(index_mean=im, index_ci_lower=il, index_ci_upper=ih, index_category=cat,
                            change_index=nan.copy(), change_index_p=nan.copy(), change_index_test=np.full(R, "", dtype=str),
                            rank_index=rank_i)
    group_col = np.concatenate([[ALL_GROUP], union]).astype(str) if grouped else np.array([ALL_GROUP])
    return ProgressTable(
        wave=np.full(R, label).astype(str), group=group_col, n=o(n).astype(np.int64), suppressed=o(hide),
        level_shares=shares, mean_expected_level=mean_e, expected_level_ci_lower=lo_e, expected_level_ci_upper=hi_e,
        share_level_4_5=share45, scale_ids=spec.scales, scale_means=scale_means, scale_categories=scale_cat,
        change_expected_level=nan.copy(), change_expected_level_ci_lower=nan.copy(),
        change_expected_level_ci_upper=nan.copy(), change_expected_level_p=nan.copy(),
        change_test=np.full(R, "", dtype=str), rank_expected_level=rank_e, by=spec.by, min_group_size=mgs,
        confidence=conf, waves=(label,), notes=tuple(notes), **index_fields,
    )


def _stack(groups: Any, total: Any) -> Any:
    import pandas as pd

    return pd.concat([groups.fillna(0), total], ignore_index=True)
