"""Group progress over waves: statistics by hand and against scipy's t-tests, small-group
suppression (property), permutation invariance, and bad input."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

import akhlak_levels as al
from akhlak_levels.growth import progress
from growth_helpers import BER, SEL, made, onehot, unit_waves


def test_progress_statistics_computed_by_hand_and_against_scipy():
    e1 = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 2.0])
    e2 = np.array([2.0, 3.0, 3.0, 5.0, 5.0, 4.0, 4.0])
    p1 = onehot(e1.astype(int))
    p2 = onehot(e2.astype(int))
    w1 = made(SEL, np.arange(6), probs=p1)
    w2 = made(SEL, np.arange(10, 17), probs=p2)
    t = progress([w1, w2], waves=["2023", "2024"])
    assert t.group.tolist() == ["(all)", "(all)"] and t.n.tolist() == [6, 7]
    assert t.mean_expected_level[0] == pytest.approx(e1.mean())
    half = stats.t.ppf(0.975, 5) * e1.std(ddof=1) / math.sqrt(6)
    assert (t.expected_level_ci_lower[0], t.expected_level_ci_upper[0]) == pytest.approx((e1.mean() - half, e1.mean() + half))
    np.testing.assert_allclose(t.level_shares[0], [0, 1 / 6, 2 / 6, 1 / 6, 1 / 6, 1 / 6])
    assert t.share_level_4_5[1] == pytest.approx(4 / 7)
    welch = stats.ttest_ind(e2, e1, equal_var=False)
    assert t.change_test[1] == "welch"
    assert t.change_expected_level[1] == pytest.approx(e2.mean() - e1.mean())
    assert t.change_expected_level_p[1] == pytest.approx(welch.pvalue, rel=1e-10)
    # the same people in both waves: a paired test
    w2p = made(SEL, np.arange(6), probs=p2[:6])
    tp = progress({"2023": w1, "2024": w2p})
    paired = stats.ttest_rel(e2[:6], e1)
    assert tp.change_test[1] == "paired"
    assert tp.change_expected_level_p[1] == pytest.approx(paired.pvalue, rel=1e-10)
    ci = paired.confidence_interval(0.95)
    assert (tp.change_expected_level_ci_lower[1], tp.change_expected_level_ci_upper[1]) == pytest.approx((ci.low, ci.high))


def test_progress_of_berakhlak_reports_scales_index_and_categories_without_levels():
    waves = unit_waves([[8, 6], [7, 9]], q=BER, seed=3)
    t = progress(waves, by="unit")
    assert np.isnan(t.mean_expected_level).all() and np.isnan(t.change_expected_level).all()
    assert any("no level model" in n for n in t.notes)
    a = waves["2020"]
    u0 = a.unit == "u0"
    assert t.scale_means[1] == pytest.approx(a.scale_scores[u0].mean(axis=0))
    assert t.index_mean[1] == pytest.approx(a.index[u0].mean())
    assert t.index_category[1] == BER.index.categorize(np.array([a.index[u0].mean()]))[0]
    assert t.scale_categories[1].tolist() == BER.index.categorize(a.scale_scores[u0].mean(axis=0)).tolist()
    b = waves["2021"]
    welch = stats.ttest_ind(b.index[b.unit == "u0"], a.index[u0], equal_var=False)
    assert t.change_index_p[4] == pytest.approx(welch.pvalue, rel=1e-10) and t.change_index_test[4] == "welch"
    ranks = t.rank_index[1:3]
    assert sorted(ranks.tolist()) == [1.0, 2.0]
    assert ranks[np.argmax(t.index_mean[1:3])] == 1.0
    rec = t.to_records()[1]
    assert rec["scale_adaptif_category"] in {"A", "B", "C", "D"} and isinstance(rec["n"], int)


@given(st.lists(st.lists(st.integers(0, 12), min_size=1, max_size=6), min_size=2, max_size=3), st.integers(1, 6))
def test_no_shown_cell_or_difference_reveals_a_group_smaller_than_the_minimum(sizes, min_size):
    G = max(len(s) for s in sizes)
    sizes = [s + [0] * (G - len(s)) for s in sizes]
    sizes = [s if sum(s) else [1] + s[1:] for s in sizes]
    n_seen = sum(1 for g in range(G) if any(s[g] for s in sizes))  # groups seen in some wave
    waves = unit_waves(sizes, seed=sum(map(sum, sizes)))
    t = progress(waves, by="unit", min_group_size=min_size)
    stat_cols = [t.mean_expected_level, t.expected_level_ci_lower, t.share_level_4_5, t.change_expected_level,
                 t.change_expected_level_p, t.rank_expected_level]
    for w, wave in enumerate(waves):
        rows = t.wave == wave
        groups = rows & (t.group != "(all)")
        true_n = np.array([sizes[w][int(g[1:])] for g in t.group[groups]])
        hidden = t.suppressed[groups]
        assert not np.any(~hidden & (true_n < min_size))  # no small group shown
        assert t.n[groups].tolist() == true_n.tolist()  # sizes stay, also where hidden
        pool = true_n[hidden].sum()
        total_shown = not t.suppressed[rows & (t.group == "(all)")][0]
        if total_shown:
            assert pool == 0 or pool >= min_size  # total minus the shown groups reveals no small group
        for col in stat_cols:
            assert np.isnan(col[rows][t.suppressed[rows]]).all()
        assert np.isnan(t.level_shares[rows][t.suppressed[rows]]).all()
        assert np.isnan(t.scale_means[rows][t.suppressed[rows]]).all()
        if w:
            prev = t.suppressed[t.wave == list(waves)[w - 1]]
            either = prev | t.suppressed[rows]
            assert np.isnan(t.change_expected_level[rows][either]).all()
    assert len(t) == len(waves) * (n_seen + 1)  # never omitted: every group seen has a row in every wave


def test_scale_means_over_few_scored_respondents_are_suppressed_too():
    waves = unit_waves([[10, 10]], q=BER, seed=1)
    a = waves["2020"]
    s = a.scale_scores.copy()
    s[:8, 0] = np.nan  # unit u0: only 2 of 10 have the first scale scored
    t = progress({"2020": replace(a, scale_scores=s)}, by="unit")
    assert not t.suppressed[1] and np.isnan(t.scale_means[1, 0]) and not np.isnan(t.scale_means[1, 1])
    assert np.isnan(t.scale_means[2, 0])  # secondary: u1 would reveal u0 through the total
    assert not np.isnan(t.scale_means[0, 0])


def test_permuting_respondents_within_waves_changes_nothing():
    waves = unit_waves([[9, 7, 3, 12], [8, 8, 2, 15]], seed=9, shared_ids=True)
    base = progress(waves, by="unit")
    rng = np.random.default_rng(0)
    perm = {w: a.take(rng.permutation(len(a))) for w, a in waves.items()}
    again = progress(perm, by="unit")
    for name in ("n", "mean_expected_level", "expected_level_ci_lower", "share_level_4_5", "change_expected_level",
                 "change_expected_level_p", "rank_expected_level", "level_shares", "scale_means"):
        np.testing.assert_allclose(getattr(again, name), getattr(base, name), rtol=1e-12, atol=1e-12, err_msg=name)
    assert again.change_test.tolist() == base.change_test.tolist()
    assert again.suppressed.tolist() == base.suppressed.tolist()


BAD_PROGRESS = [
    pytest.param(lambda a, b: progress([a, b], waves=["1", "1"]), ValueError, "appears more than once", id="duplicate-wave"),
    pytest.param(lambda a, b: progress([a, b]), ValueError, "no wave column", id="no-labels"),
    pytest.param(lambda a, b: progress([a, b], waves=["1"]), ValueError, "2 assessments but 1 wave labels", id="label-count"),
    pytest.param(lambda a, b: progress({"1": a}, by="agency"), ValueError, "No group column 'agency'", id="unknown-group"),
    pytest.param(lambda a, b: progress({"1": a}, min_group_size=0), ValueError, "min_group_size", id="min-size-zero"),
    pytest.param(lambda a, b: progress({"1": a}, confidence=95), ValueError, "confidence", id="confidence-percent"),
    pytest.param(lambda a, b: progress([]), ValueError, "at least one wave", id="no-waves"),
    pytest.param(lambda a, b: progress(a), ValueError, "needs several waves", id="one-assessment-without-wave-column"),
    pytest.param(lambda a, b: progress(42), TypeError, "sequence or a mapping", id="not-assessments"),
    pytest.param(
        lambda a, b: progress({"1": a, "2": made(BER, ["x"], scores=np.full((1, 7), 50.0))}),
        al.ModelError, "wave 1 used 'socio-emotional-levels'.*wave 2 used 'berakhlak'", id="mixed-questionnaires",
    ),
]


@pytest.mark.parametrize("call, exc, message", BAD_PROGRESS)
def test_bad_input_to_progress_says_what_was_expected(call, exc, message):
    a = made(SEL, ["a", "b"], probs=onehot([1, 2]), unit=["u", "u"])
    b = made(SEL, ["a", "c"], probs=onehot([2, 2]), unit=["u", "v"])
    with pytest.raises(exc, match=message):
        call(a, b)
