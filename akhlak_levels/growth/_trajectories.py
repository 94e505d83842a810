"""Individual trajectories over three or more waves.

:func:`trajectories` fits, for every respondent present in at least three waves, the slope per
year of the expected level and of every scale score (and the index) by ordinary least squares,
with its standard error, for all respondents at once; the mean trajectory is :func:`progress`
over the same panel. The statistics are in ``docs/growth.md``.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from functools import partial
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from .._tables import frame, html_repr, records
from .._validation import Interval, check
from ..assessment import Assessment
from ._progress import ProgressTable, progress_of_waves
from ._waves import id_index, match_ids, resolve_waves

__all__ = ["Trajectories", "trajectories"]

_DAYS_PER_YEAR = 365.2425


@dataclass(frozen=True, eq=False)
class Trajectories:
    """Per-respondent slopes over three or more waves; see :func:`trajectories`.

    Attributes
    ----------
    respondent_ids : ndarray of str
        Respondents present in at least three waves, in the order they first appear (the first
        wave's order, then each later wave's newcomers).
    n_waves : ndarray of int
    slope_expected_level, slope_expected_level_se : ndarray of float
        Change of the expected level per year (OLS) and its standard error; NaN without levels.
    scale_ids : tuple of str
    scale_slopes, scale_slopes_se : ndarray of shape (n, n_scales)
        Points (0-100) per year; NaN where a scale is scored in fewer than three waves.
    index_slope, index_slope_se : ndarray or None
    times : ndarray of float, shape (n_waves_total,)
        The time of each wave in years (mean over its respondents when respondents carry
        their own dates).
    waves : tuple of str
    mean_slope_expected_level : tuple of float
        (mean, lower, upper): mean individual slope with a t interval; NaN without levels.
    mean_scale_slopes : ndarray of shape (3, n_scales)
        Rows: mean, lower, upper.
    mean_trajectory : ProgressTable
        :func:`progress` over the same respondents (the panel): per wave (and group) means with
        intervals, paired changes, and the same suppression.
    time_source : str
        ``"dates"`` (the ``dates`` argument), ``"assessment dates"`` or ``"wave labels"``.
    notes : tuple of str
    """

    respondent_ids: np.ndarray
    n_waves: np.ndarray
    slope_expected_level: np.ndarray
    slope_expected_level_se: np.ndarray
    scale_ids: tuple[str, ...]
    scale_slopes: np.ndarray
    scale_slopes_se: np.ndarray
    index_slope: np.ndarray | None
    index_slope_se: np.ndarray | None
    times: np.ndarray
    waves: tuple[str, ...]
    mean_slope_expected_level: tuple[float, float, float]
    mean_scale_slopes: np.ndarray
    mean_trajectory: ProgressTable
    time_source: str
    notes: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.respondent_ids)

    def _columns(self) -> dict[str, np.ndarray]:
        cols: dict[str, np.ndarray] = {
            "respondent_id": self.respondent_ids.astype(object),
            "n_waves": self.n_waves,
            "slope_expected_level": self.slope_expected_level,
            "slope_expected_level_se": self.slope_expected_level_se,
        }
        for j, s in enumerate(self.scale_ids):
            cols[f"slope_{s}"] = self.scale_slopes[:, j]
            cols[f"slope_{s}_se"] = self.scale_slopes_se[:, j]
        if self.index_slope is not None and self.index_slope_se is not None:
            cols["slope_index"] = self.index_slope
            cols["slope_index_se"] = self.index_slope_se
        return cols

    _repr_html_ = html_repr  # a compact, rounded table in a notebook

    def to_records(self) -> list[dict[str, Any]]:
        """One JSON-ready dict per respondent (slopes per year; NaN as None)."""
        return records(self._columns())

    def to_frame(self) -> Any:
        """A pandas DataFrame, one row per respondent (needs pandas)."""
        return frame(self._columns())

    def __repr__(self) -> str:
        return f"Trajectories(respondents={len(self)}, waves={list(self.waves)}, time={self.time_source!r})"


def _to_years(value: Any, what: str) -> float:
    """A date-like or a number (a decimal year) as a decimal year."""
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        return float(value)
    try:
        d = np.datetime64(value, "D") if not isinstance(value, _dt.datetime) else np.datetime64(value.date(), "D")
    except (ValueError, TypeError):
        raise ValueError(f"{what}: cannot read {value!r} as a date (2023-10-13) or a year (2023.5).") from None
    if np.isnat(d):
        raise ValueError(f"{what}: no date given ({value!r}).")
    return 1970.0 + float(d.astype("datetime64[D]").astype(np.int64)) / _DAYS_PER_YEAR


def _wave_times(wl: list[tuple[str, Assessment]], dates: Sequence[Any] | Mapping[str, Any] | None) -> tuple[list[np.ndarray], str]:
    """Time in years of every respondent of every wave, and where it came from."""
    if dates is not None:
        if isinstance(dates, Mapping):
            missing = [lab for lab, _ in wl if lab not in dates]
            if missing:
                raise ValueError(f"trajectories: 'dates' has no date for waves {missing}.")
            vals = [dates[lab] for lab, _ in wl]
        else:
            vals = list(dates)
            if len(vals) != len(wl):
                raise ValueError(f"trajectories: got {len(wl)} waves but {len(vals)} dates.")
        return [np.full(len(a), _to_years(v, f"date of wave {lab}")) for (lab, a), v in zip(wl, vals)], "dates"
    if all(a.date is not None and not np.isnat(np.asarray(a.date)).all() for _, a in wl):
        out = []
        for _, a in wl:
            assert a.date is not None
            d = np.asarray(a.date).astype("datetime64[D]")
            days = d.astype(np.int64).astype(float)
            nat = np.isnat(d)
            days[nat] = np.median(days[~nat])  # a respondent without a date: the wave's median date
            out.append(1970.0 + days / _DAYS_PER_YEAR)
        return out, "assessment dates"
    times = []
    for lab, a in wl:
        try:
            times.append(np.full(len(a), float(lab)))
        except ValueError:
            raise ValueError(
                f"trajectories needs the time of each wave: wave {lab!r} has no dates (Assessment.date) and its label "
                "is not a year; pass dates=[...] (one date or decimal year per wave)."
            ) from None
    return times, "wave labels"


def _ols_slopes(t: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Row-wise OLS slope of ``y`` on ``t`` over the finite entries (n x W), its standard error
    and the number of points; NaN with fewer than 3 points or no spread in time."""
    ok = np.isfinite(y) & np.isfinite(t)
    m = ok.sum(axis=1).astype(float)
    t0 = np.where(ok, t, 0.0)
    y0 = np.where(ok, y, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        tm = t0.sum(axis=1) / m
        ym = y0.sum(axis=1) / m
        dt = np.where(ok, t - tm[:, None], 0.0)
        dy = np.where(ok, y - ym[:, None], 0.0)
        sxx = (dt * dt).sum(axis=1)
        slope = (dt * dy).sum(axis=1) / sxx
        resid = np.where(ok, dy - slope[:, None] * dt, 0.0)
        rss = (resid * resid).sum(axis=1)
        se = np.sqrt(rss / (m - 2) / sxx)
    bad = (m < 3) | ~(sxx > 0)
    slope[bad] = np.nan
    se[bad] = np.nan
    return slope, se, m


def _mean_ci(x: np.ndarray, conf: float) -> tuple[float, float, float]:
    from scipy import stats
    x = x[np.isfinite(x)]
    if len(x) == 0:
        return (float("nan"),) * 3
    m = float(x.mean())
    if len(x) < 2:
        return (m, float("nan"), float("nan"))
    half = float(stats.t.ppf((1 + conf) / 2, len(x) - 1) * x.std(ddof=1) / np.sqrt(len(x)))
    return (m, m - half, m + half)


def trajectories(
    assessments: Any,
    *,
    waves: Sequence[Any] | None = None,
    dates: Sequence[Any] | Mapping[str, Any] | None = None,
    by: str | None = None,
    min_group_size: int = 5,
    confidence: float = 0.95,
) -> Trajectories:
    """Per-respondent trajectories over three or more waves: slopes per year with standard errors.

    Parameters
    ----------
    assessments : sequence of Assessment, mapping of label to Assessment, or one Assessment
        The waves, as for :func:`progress`.
    waves : sequence, default=None
        Labels of a sequence of assessments.
    dates : sequence or mapping of date-like or number, default=None
        The date of each wave (``"2023-10-13"``, a ``datetime.date``, ``numpy.datetime64``) or
        a decimal year (``2023.5``). When None: each respondent's ``Assessment.date`` (a missing
        one takes its wave's median date) if every wave has dates, else the wave labels read as
        years (``"2023"``).
    by : str, default=None
        Group column of the mean trajectory (as in :func:`progress`).
    min_group_size : int, default=5
        Suppression threshold of the mean trajectory.
    confidence : float, default=0.95

    Returns
    -------
    Trajectories

    Raises
    ------
    ModelError
        Waves scored on different questionnaires or models.
    ValueError
        Fewer than three waves, no usable times, bad parameters.

    Notes
    -----
    For respondent ``i`` with points ``(t_w, y_w)`` in ``m >= 3`` waves,
    ``slope = sum (t - t_bar)(y - y_bar) / S_tt`` and
    ``SE = sqrt(RSS / (m - 2) / S_tt)`` (ordinary least squares), computed for all respondents
    at once as masked row sums. With three waves the SE has one degree of freedom and is very
    uncertain; it describes the scatter around the line, not measurement error, which it
    includes. A scale score missing in a wave is skipped; with fewer than three scored waves the
    slope is NaN.

    Examples
    --------
    >>> from akhlak_levels import assess, load_questionnaire, simulate
    >>> q = load_questionnaire("socio-emotional-levels")
    >>> waves = {}
    >>> for year, lv in (("2022", 2), ("2023", 3), ("2024", 4)):
    ...     r, _ = simulate(q, 6, levels=[lv] * 6, random_state=int(year))
    ...     waves[year] = assess(q, r)
    >>> tr = trajectories(waves)
    >>> len(tr), tr.time_source, np.round(tr.slope_expected_level, 1).tolist()  # levels per year
    (6, 'wave labels', [1.0, 1.0, 1.0, 1.0, 1.0, 1.0])
    """
    conf = float(check("trajectories", "confidence", confidence, Interval(0, 1, closed="neither")))
    wl = resolve_waves(assessments, waves, "trajectories")
    if len(wl) < 3:
        raise ValueError(f"trajectories needs at least 3 waves; got {len(wl)} ({[lab for lab, _ in wl]}).")
    times_per, source = _wave_times(wl, dates)
    ids, pos, present = _panel(wl)
    a0 = wl[0][1]
    notes: list[str] = []
    slopes = _slopes(wl, _time_matrix(times_per, pos, present), pos, present, notes)
    mean_scale = np.full((3, len(a0.scale_ids)), np.nan)
    for j in range(len(a0.scale_ids)):
        mean_scale[:, j] = _mean_ci(slopes.scales[:, j], conf)
    if len(ids) == 0:
        notes.append("no respondent is in three or more waves")
    # the panel, wave by wave: progress over the same respondents
    # published beside progress() of all respondents: complementary suppression, so that no
    # difference of the two tables shows the few people of a cell who are not in the panel
    mgs = check("trajectories", "min_group_size", min_group_size, Interval(1, None, integer=True))
    mean_traj = progress_of_waves(
        list(_panel_waves(wl, pos, present).items()), by, min_group_size=mgs, confidence=conf, published=wl
    )
    wave_times = np.array([float(np.mean(t)) if len(t) else np.nan for t in times_per])
    return Trajectories(
        respondent_ids=ids,
        n_waves=present.sum(axis=1).astype(np.int64),
        slope_expected_level=slopes.expected_level,
        slope_expected_level_se=slopes.expected_level_se,
        scale_ids=a0.scale_ids,
        scale_slopes=slopes.scales,
        scale_slopes_se=slopes.scales_se,
        index_slope=slopes.index,
        index_slope_se=slopes.index_se,
        times=wave_times,
        waves=tuple(lab for lab, _ in wl),
        mean_slope_expected_level=_mean_ci(slopes.expected_level, conf),
        mean_scale_slopes=mean_scale,
        mean_trajectory=mean_traj,
        time_source=source,
        notes=tuple(notes),
    )


# --------------------------------------------------------------------------- steps


def _panel(wl: list[tuple[str, Assessment]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Respondents in three or more waves (in order of first appearance), their row in each
    wave (-1 if absent) and where they are present."""
    ids_per = [id_index(a, lab) for lab, a in wl]
    union, pos = match_ids(ids_per)
    present = pos >= 0
    keep = present.sum(axis=1) >= 3
    return union[keep], pos[keep], present[keep]


def _time_matrix(times_per: list[np.ndarray], pos: np.ndarray, present: np.ndarray) -> np.ndarray:
    """Each panel respondent's time in each wave (NaN where absent), centred per respondent for
    numerical accuracy."""
    n, W = present.shape
    T = np.full((n, W), np.nan)
    for w in range(W):
        pr = present[:, w]
        T[pr, w] = times_per[w][pos[pr, w]]
    return T - np.nanmean(T, axis=1, keepdims=True) if n else T


def _scale_column(a: Assessment, j: int) -> np.ndarray:
    return a.scale_scores[:, j]


def _stack(
    wl: list[tuple[str, Assessment]], pos: np.ndarray, present: np.ndarray, get: Callable[[Assessment], Any]
) -> np.ndarray:
    """``get(assessment)`` of every panel respondent in every wave (respondents x waves; NaN where
    absent or where the wave has no such values)."""
    out = np.full(present.shape, np.nan)
    for w, (_, a) in enumerate(wl):
        v = get(a)
        if v is None:
            continue
        col = np.asarray(v, dtype=float)
        pr = present[:, w]
        out[pr, w] = col[pos[pr, w]]
    return out


@dataclass(frozen=True)
class _Slopes:
    """Per-respondent OLS slopes per year and their standard errors."""

    expected_level: np.ndarray
    expected_level_se: np.ndarray
    scales: np.ndarray
    scales_se: np.ndarray
    index: np.ndarray | None
    index_se: np.ndarray | None


def _slopes(
    wl: list[tuple[str, Assessment]], T: np.ndarray, pos: np.ndarray, present: np.ndarray, notes: list[str]
) -> _Slopes:
    """Slopes of the expected level (NaN without a level model), of every scale score and of the
    index (None without one) against the times ``T``."""
    a0 = wl[0][1]
    n, S = len(pos), len(a0.scale_ids)
    if a0.has_levels:
        slope_e, se_e, _ = _ols_slopes(T, _stack(wl, pos, present, lambda a: a.expected_level))
    else:
        slope_e = se_e = np.full(n, np.nan)
        notes.append(f"no level model for {a0.questionnaire_id!r}: expected-level slopes are NaN")
    s_slope = np.full((n, S), np.nan)
    s_se = np.full((n, S), np.nan)
    for j in range(S):
        s_slope[:, j], s_se[:, j], _ = _ols_slopes(T, _stack(wl, pos, present, partial(_scale_column, j=j)))
    i_slope = i_se = None
    if a0.index is not None:
        i_slope, i_se, _ = _ols_slopes(T, _stack(wl, pos, present, lambda a: a.index))
    return _Slopes(slope_e, se_e, s_slope, s_se, i_slope, i_se)


def _panel_waves(wl: list[tuple[str, Assessment]], pos: np.ndarray, present: np.ndarray) -> dict[str, Assessment]:
    """Each wave restricted to the panel respondents (in the wave's own order)."""
    panel = []
    for w, (lab, a) in enumerate(wl):
        rows = pos[present[:, w], w]
        panel.append((lab, a.take(np.sort(rows))))
    return dict(panel)
