"""Ranking the groups of a culture map with rank intervals, and the change between two waves:
cases worked by hand, reproducibility, coverage by simulation and suppression."""

import dataclasses
from statistics import NormalDist

import numpy as np
import pytest

from akhlak_levels import VoteSet, culture_change, culture_map, rank_units
from akhlak_levels.culture import competition_ranks, statistic_of

from culture_helpers import tiny_questionnaire

Q = tiny_questionnaire()
LIMITING = np.array([False] * 5 + [True, True, False])
VALUE_OF = [[0, 1], [2], [3], [4]]  # akuntabel, berorientasi-pelayanan, adaptif, kolaboratif


def bernoulli_votes(rng, p, units):
    """Each behaviour picked independently with probability p (per unit: one row of p each)."""
    units = np.asarray(units)
    probs = np.asarray(p)[np.unique(units, return_inverse=True)[1].ravel()] if np.ndim(p) == 2 else np.asarray(p)
    picked = rng.random((len(units), 3, 8)) < (probs[:, None, :] if probs.ndim == 2 else probs)
    arr = np.where(picked, np.arange(8), -1).astype(np.int16)
    return VoteSet(Q.id, Q.version, np.arange(len(units)).astype(str), arr, unit=units)


def truths(p):
    """Entropy and implementation ("reach") of Bernoulli voters with probabilities p, among those
    who answered the current question (a reach implies an answer)."""
    p = np.asarray(p)
    answered = 1 - np.prod(1 - p)
    entropy = 100 * p[LIMITING].sum() / p.sum()
    reach = np.array([1 - np.prod(1 - p[v]) for v in VALUE_OF]) / answered
    return entropy, 100 * reach.mean()


P0 = np.array([0.5, 0.4, 0.3, 0.35, 0.45, 0.3, 0.25, 0.4])


def a_map(seed=0, sizes=(40, 40), p=P0, **kw):
    rng = np.random.default_rng(seed)
    units = np.repeat(["A", "B", "C"][: len(sizes)], sizes)
    return culture_map(Q, bernoulli_votes(rng, p, units), by="unit", **kw)


def with_stat(cm, est, se):
    """The map with the implementation of rows 1.. set by hand (row 0 kept)."""
    impl = np.concatenate([[50.0], est])
    s = np.concatenate([[1.0], se])
    return dataclasses.replace(cm, implementation=impl, implementation_se=s,
                               implementation_low=impl - 1.96 * s, implementation_high=impl + 1.96 * s)


def test_competition_ranks():
    assert competition_ranks(np.array([2.0, 9.0, 9.0, 1.0, 9.0])).tolist() == [4, 1, 1, 5, 1]
    assert competition_ranks(np.array([[1.0, 2.0], [2.0, 1.0]])).tolist() == [[2, 1], [1, 2]]


def test_rank_by_hand():
    cm = a_map()
    # very different groups: B far above A, rank intervals are points
    rt = rank_units(with_stat(cm, [10.0, 90.0], [1.0, 1.0]), "implementation", random_state=0)
    assert rt.group == ("B", "A") and rt.rank.tolist() == [1, 2]
    assert rt.rank_low.tolist() == [1, 2] and rt.rank_high.tolist() == [1, 2]
    assert rt.p_first.tolist() == [1.0, 0.0] and rt.estimate.tolist() == [90.0, 10.0]
    # equal groups: tied first by the estimate, both intervals [1, 2], P(first) ~ 0.5
    draws = 4000
    rt = rank_units(with_stat(cm, [50.0, 50.0], [5.0, 5.0]), "implementation", n_draws=draws, random_state=1)
    assert rt.group == ("A", "B") and rt.rank.tolist() == [1, 1]
    assert rt.rank_low.tolist() == [1, 1] and rt.rank_high.tolist() == [2, 2]
    assert abs(rt.p_first[0] - 0.5) < 3 * np.sqrt(0.25 / draws)
    assert rt.p_first.sum() == pytest.approx(1.0)
    # a gap of 2 with standard errors 1 and 1: P(A first) = Phi(2 / sqrt 2) = 0.9214
    draws = 20000
    rt = rank_units(with_stat(cm, [52.0, 50.0], [1.0, 1.0]), "implementation", n_draws=draws, random_state=2)
    exact = NormalDist().cdf(2 / np.sqrt(2))
    assert abs(rt.p_first[0] - exact) < 3 * np.sqrt(exact * (1 - exact) / draws)
    # rank 2 for A happens in ~7.9 % of draws: the 95 % interval reaches 2
    assert rt.rank_low.tolist() == [1, 1] and rt.rank_high.tolist() == [2, 2]


def test_rank_reproducible_and_statistics():
    cm = a_map(seed=3, sizes=(30, 30, 30))
    a = rank_units(cm, "positive_energy", random_state=7)
    b = rank_units(cm, "positive_energy", random_state=7)
    assert a.group == b.group and np.array_equal(a.p_first, b.p_first) and np.array_equal(a.rank_high, b.rank_high)
    # the estimates are the map's, highest first; the standard error is the entropy's
    rows = [cm.row(g) for g in a.group]
    assert np.array_equal(a.estimate, cm.positive_energy[rows]) and np.all(np.diff(a.estimate) <= 0)
    assert np.array_equal(a.se, cm.entropy_se[rows])
    assert np.all((a.rank_low <= a.rank) & (a.rank <= a.rank_high)) and a.p_first.sum() == pytest.approx(1.0)
    for stat, field in (("total_health", "health"), ("implementation", "implementation")):
        r = rank_units(cm, stat, random_state=0)
        assert np.array_equal(r.estimate, getattr(cm, field)[[cm.row(g) for g in r.group]])
    r = rank_units(cm, "adaptif", random_state=0)
    v = cm.values.index("adaptif")
    assert np.array_equal(r.estimate, cm.value_index[[cm.row(g) for g in r.group], v])
    # a peer group: only those groups, ranked among themselves
    peer = rank_units(cm, "positive_energy", among=["A", "C"], random_state=0)
    assert set(peer.group) == {"A", "C"} and sorted(peer.rank.tolist()) == [1, 2]
    # tables
    recs = a.to_records()
    assert [r["group"] for r in recs] == list(a.group) and set(recs[0]) == {
        "group", "rank", "rank_low", "rank_high", "p_first", "positive_energy", "se"}
    assert a.to_frame().shape == (3, 7)


def test_rank_se_recovered_from_the_interval():
    cm = a_map(seed=4)
    bare = dataclasses.replace(cm, implementation_se=None, entropy_se=None, value_index_se=None)
    for stat, se_field in (("implementation", "implementation_se"), ("positive_energy", "entropy_se")):
        _, se = statistic_of(bare, stat)
        np.testing.assert_allclose(se, getattr(cm, se_field), rtol=1e-9)
    _, se = statistic_of(bare, "akuntabel")
    np.testing.assert_allclose(se, cm.value_index_se[:, 0], rtol=1e-9)


def test_rank_errors():
    cm = a_map()
    with pytest.raises(ValueError, match="The 'statistic' parameter of rank_units must be one of"):
        rank_units(cm, "happiness")
    with pytest.raises(ValueError, match="The 'among' parameter of rank_units must be groups of the map"):
        rank_units(cm, among=["Z"])
    with pytest.raises(ValueError, match="'n_draws' parameter"):
        rank_units(cm, n_draws=0)


def test_rank_suppressed_not_ranked():
    cm = a_map(sizes=(10, 12, 3))  # C (3) hidden, and A (the smallest shown) with it
    assert cm.suppressed.tolist() == [False, True, False, True]
    rt = rank_units(cm, random_state=0)
    assert rt.group == ("B",) and rt.rank.tolist() == [1] and rt.p_first.tolist() == [1.0]
    assert rt.unranked == ("A", "C") and "suppressed: ['A', 'C']" in rt.note[0]
    none = rank_units(culture_map(Q, bernoulli_votes(np.random.default_rng(0), P0, ["A"] * 3 + ["B"] * 3), by="unit"))
    assert len(none) == 0 and none.to_records() == []


def test_change_by_hand():
    b, a = a_map(seed=1), a_map(seed=2)
    ch = culture_change(b, a)
    assert ch.group == ("(all)", "A", "B") and ch.indices == (
        "entropy", "positive_energy", "implementation", "total_health", "akuntabel", "berorientasi-pelayanan",
        "adaptif", "kolaboratif")
    assert ch.n_before.tolist() == [80, 40, 40] and not ch.suppressed.any()
    np.testing.assert_array_equal(ch.before[:, 0], b.entropy)
    np.testing.assert_array_equal(ch.after[:, 3], a.health)
    np.testing.assert_array_equal(ch.difference[:, 2], a.implementation - b.implementation)
    np.testing.assert_allclose(ch.se[:, 1], np.hypot(b.entropy_se, a.entropy_se))
    np.testing.assert_allclose(ch.difference[:, 1], -ch.difference[:, 0])
    np.testing.assert_array_equal(ch.before[:, 4:], b.value_index)
    np.testing.assert_allclose(ch.high - ch.difference, 1.959963984540054 * ch.se)
    assert np.array_equal(ch.beyond_noise, (ch.low > 0) | (ch.high < 0))
    rec = ch.cell("B", "adaptif")
    assert rec["difference"] == pytest.approx(a.value_index[2, 2] - b.value_index[2, 2])
    assert len(ch.to_records()) == 3 * 8 and ch.to_frame().shape == (24, 12)
    # a wider interval at a higher confidence
    assert np.all(culture_change(b, a, confidence=0.99).high >= ch.high)


def test_change_errors():
    b = a_map()
    with pytest.raises(ValueError, match="differ in index_definition"):
        culture_change(b, a_map(index="votes"))
    with pytest.raises(ValueError, match="differ in by"):
        culture_change(b, culture_map(Q, bernoulli_votes(np.random.default_rng(0), P0, ["A"] * 10)))
    with pytest.raises(ValueError, match="'confidence' parameter of culture_change"):
        culture_change(b, b, confidence=1.0)


def test_change_suppression_carried():
    b = a_map(seed=1, sizes=(10, 12, 3))  # A and C hidden in the first wave
    a = a_map(seed=2, sizes=(20, 20, 20))
    assert b.suppressed.tolist() == [False, True, False, True] and not a.suppressed.any()
    ch = culture_change(b, a)
    assert ch.suppressed.tolist() == [False, True, False, True]
    for g in ("A", "C"):
        k = ch.group.index(g)
        assert np.isnan(ch.before[k]).all() and np.isnan(ch.after[k]).all() and np.isnan(ch.difference[k]).all()
        assert not ch.beyond_noise[k].any()
        rec = ch.cell(g, "entropy")
        assert rec["after"] is None and rec["beyond_noise"] is None and rec["n_after"] == 20
    assert np.isfinite(ch.difference[ch.group.index("B")]).all()
    assert "suppressed in a wave: ['A', 'C']" in ch.note[0]
    # the other way round too, and a group of one wave only is named, not shown
    two = a_map(seed=5, sizes=(20, 20))
    ch2 = culture_change(two, b)
    assert ch2.group == ("(all)", "A", "B") and ch2.suppressed.tolist() == [False, True, False]
    assert any("one wave only" in x and "'C'" in x for x in ch2.note)


def test_change_interval_coverage_by_simulation():
    """Votes drawn twice from the same per-unit probabilities: the interval covers 0 at about
    its nominal rate; with a known shift it covers the true difference."""
    rng = np.random.default_rng(21)
    p_b = np.array([P0, P0[::-1]])  # unit A, unit B
    p_shift = np.array([P0, np.array([0.6, 0.5, 0.35, 0.4, 0.5, 0.15, 0.1, 0.45])])  # B improves
    e0, i0 = truths(P0[::-1])
    e1, i1 = truths(p_shift[1])
    units = np.repeat(["A", "B"], 60)
    reps = 300
    cover_null = np.zeros(3)  # entropy, implementation (unit A), entropy (unit B)
    cover_shift = np.zeros(2)  # entropy and implementation of unit B
    flagged = 0
    for _ in range(reps):
        before = culture_map(Q, bernoulli_votes(rng, p_b, units), by="unit")
        same = culture_change(before, culture_map(Q, bernoulli_votes(rng, p_b, units), by="unit"))
        cover_null += [same.low[1, 0] <= 0 <= same.high[1, 0], same.low[1, 2] <= 0 <= same.high[1, 2],
                       same.low[2, 0] <= 0 <= same.high[2, 0]]
        shift = culture_change(before, culture_map(Q, bernoulli_votes(rng, p_shift, units), by="unit"))
        cover_shift += [shift.low[2, 0] <= e1 - e0 <= shift.high[2, 0], shift.low[2, 2] <= i1 - i0 <= shift.high[2, 2]]
        flagged += int(shift.beyond_noise[2, 0])
    se_rep = np.sqrt(0.95 * 0.05 / reps)
    assert np.all(np.abs(cover_null / reps - 0.95) < 3 * se_rep), cover_null / reps
    assert np.all(np.abs(cover_shift / reps - 0.95) < 3 * se_rep), cover_shift / reps
    # the entropy drop (about 13 points) is flagged beyond noise in most replicates
    assert e1 - e0 < -10 and flagged / reps > 0.8
