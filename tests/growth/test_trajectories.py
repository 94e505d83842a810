"""Trajectories: slopes and standard errors against ordinary least squares (scipy's
linregress, numpy's polyfit), the panel of three or more waves, the time of each wave, and bad
input."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest
from scipy import stats

from akhlak_levels.growth import trajectories
from growth_helpers import BER, LEVELS, SEL, made, onehot


def test_slopes_and_standard_errors_equal_ordinary_least_squares():
    rng = np.random.default_rng(4)
    years = np.array([2021.0, 2022.0, 2024.0])
    n = 30
    ids = np.arange(n).astype(str)
    P = [rng.dirichlet(np.ones(5), n) for _ in years]
    S = [rng.uniform(0, 100, (n, 5)) for _ in years]
    waves = {str(int(y)): made(SEL, ids, probs=P[w], scores=S[w]) for w, y in enumerate(years)}
    tr = trajectories(waves)
    assert tr.time_source == "wave labels" and tr.times.tolist() == years.tolist()
    for i in (0, 7, 29):
        k = tr.respondent_ids.tolist().index(ids[i])  # trajectories are in order of first appearance
        y = np.array([p[i] @ LEVELS for p in P])
        fit = stats.linregress(years, y)
        assert tr.slope_expected_level[k] == pytest.approx(fit.slope, rel=1e-10)
        assert tr.slope_expected_level_se[k] == pytest.approx(fit.stderr, rel=1e-10)
        ys = np.array([s[i, 2] for s in S])
        assert tr.scale_slopes[k, 2] == pytest.approx(np.polyfit(years, ys, 1)[0], rel=1e-10)
    m, lo, hi = tr.mean_slope_expected_level
    assert m == pytest.approx(tr.slope_expected_level.mean()) and lo < m < hi
    assert tr.mean_trajectory.n.tolist() == [30, 30, 30]
    assert tr.mean_trajectory.change_test.tolist() == ["", "paired", "paired"]


def test_only_respondents_in_three_or_more_waves_get_a_trajectory_and_dates_set_the_time():
    p = onehot([1, 2, 3])
    w1 = made(SEL, ["a", "b", "c"], probs=p)
    w2 = made(SEL, ["a", "b"], probs=onehot([2, 3]))
    w3 = made(SEL, ["a", "b", "c"], probs=onehot([3, 4, 3]))
    w4 = made(SEL, ["a", "c"], probs=onehot([4, 3]))
    tr = trajectories([w1, w2, w3, w4], waves=["baseline", "m6", "m12", "m18"],
                      dates=["2023-01-01", "2023-07-02", "2024-01-01", "2024-07-01"])
    assert tr.respondent_ids.tolist() == ["a", "b", "c"] and tr.n_waves.tolist() == [4, 3, 3]
    assert tr.time_source == "dates"
    assert tr.slope_expected_level[0] == pytest.approx(2.0, rel=1e-2)  # one level per half year
    assert tr.slope_expected_level[2] == pytest.approx(0.0, abs=1e-12)
    # per-respondent dates carried by the assessments
    d = lambda s, k: np.array([s] * k, dtype="datetime64[D]")  # noqa: E731
    dated = [replace(w1, date=d("2022-01-01", 3)), replace(w3, date=d("2023-01-01", 3)),
             replace(w4, date=np.array(["2024-01-01", "NaT"], dtype="datetime64[D]"))]
    tr2 = trajectories(dated, waves=["x", "y", "z"])
    assert tr2.time_source == "assessment dates"
    assert tr2.slope_expected_level[0] == pytest.approx(1.5, rel=1e-2)


def test_trajectories_of_berakhlak_have_scale_and_index_slopes_only():
    waves = {str(y): made(BER, ["a", "b"], scores=np.full((2, 7), 40.0 + 5 * k)) for k, y in enumerate((2022, 2023, 2024))}
    tr = trajectories(waves)
    assert np.isnan(tr.slope_expected_level).all()
    np.testing.assert_allclose(tr.scale_slopes, 5.0)
    np.testing.assert_allclose(tr.index_slope, 5.0)
    np.testing.assert_allclose(tr.scale_slopes_se, 0.0, atol=1e-12)
    json.dumps(tr.to_records(), allow_nan=False)


def test_bad_input_to_trajectories_says_what_was_expected():
    a = made(SEL, ["a"], probs=onehot([1]))
    with pytest.raises(ValueError, match="at least 3 waves"):
        trajectories({"2023": a, "2024": a})
    with pytest.raises(ValueError, match="label is not a year; pass dates="):
        trajectories({"base": a, "mid": a, "end": a})
    with pytest.raises(ValueError, match="cannot read 'soon' as a date"):
        trajectories({"base": a, "mid": a, "end": a}, dates=["2023-01-01", "2023-06-01", "soon"])
    with pytest.raises(ValueError, match="got 3 waves but 2 dates"):
        trajectories({"base": a, "mid": a, "end": a}, dates=["2023-01-01", "2023-06-01"])
