"""Trends of the culture map over several waves: a three-wave case worked by hand, two waves
identical to culture_change, suppression carried wave by wave, wave order as given."""

import math
from statistics import NormalDist

import numpy as np
import pytest

import akhlak_levels as al
from akhlak_levels import VoteSet, culture_change, culture_map, culture_trend
from akhlak_levels.culture import CHANGE_INDICES, TrendTable

from culture_helpers import tiny_questionnaire

Q = tiny_questionnaire()
Z = NormalDist().inv_cdf(0.975)
CURRENT = {0: [0, 1], 1: [0, 5], 2: [5, 6]}  # limiting behaviours picked (5, 6 are limiting) -> the two picks


def hand_wave(limiting_counts):
    """Everyone picks two behaviours in the current question, ``l`` of them limiting; personal
    and desired always jujur + disiplin. Units A (first half) and B."""
    n = len(limiting_counts)
    picks = np.full((n, 3, 3), -1, dtype=np.int16)
    picks[:, 0, :2] = [0, 1]
    picks[:, 2, :2] = [0, 1]
    picks[:, 1, :2] = np.array([CURRENT[k] for k in limiting_counts])
    return VoteSet(Q.id, Q.version, np.arange(n).astype(str), picks, unit=np.repeat(["A", "B"], n // 2))


def bernoulli_map(seed, sizes, by="unit", **kw):
    rng = np.random.default_rng(seed)
    units = np.repeat(["A", "B", "C"][: len(sizes)], sizes)
    picked = rng.random((len(units), 3, 8)) < np.array([0.5, 0.4, 0.3, 0.35, 0.45, 0.3, 0.25, 0.4])
    picks = np.where(picked, np.arange(8), -1).astype(np.int16)
    return culture_map(Q, VoteSet(Q.id, Q.version, np.arange(len(units)).astype(str), picks, unit=units), by=by, **kw)


def same(a, b):
    """Equal arrays, NaN where NaN (bit for bit: the trend must copy, not recompute)."""
    a, b = np.asarray(a), np.asarray(b)
    return a.shape == b.shape and bool(np.all((a == b) | (np.isnan(a) & np.isnan(b))))


def test_three_waves_by_hand():
    w1 = [1, 0, 2, 0] * 4  # entropy 50 * mean(l) = 37.5
    w2 = [0, 0, 1, 0] * 4  # 12.5
    w3 = [0, 1, 0, 0] * 4  # 12.5 again, other people
    maps = {y: culture_map(Q, hand_wave(l), by="unit") for y, l in zip(("2023", "2024", "2025"), (w1, w2, w3))}
    t = culture_trend(maps)
    assert t.group == ("(all)", "A", "B") and t.waves == ("2023", "2024", "2025")
    assert t.indices == CHANGE_INDICES + ("akuntabel", "berorientasi-pelayanan", "adaptif", "kolaboratif")
    assert t.n[0].tolist() == [16, 16, 16] and t.present.all() and not t.suppressed.any()
    e = t.indices.index("entropy")
    np.testing.assert_allclose(t.value[0, :, e], [37.5, 12.5, 12.5])
    # With two picks each, z_i = 50 l_i - E, so se = 50 sd(l) / sqrt(n): sd^2 = 11/15 and 3/15.
    var1, var2 = 2500 * (11 / 15) / 16, 2500 * (3 / 15) / 16  # 114.583..., 31.25
    np.testing.assert_allclose(t.se[0, :, e] ** 2, [var1, var2, var2], rtol=1e-12)
    np.testing.assert_allclose(t.low[0, :, e], [37.5 - Z * math.sqrt(var1), 12.5 - Z * math.sqrt(var2), 12.5 - Z * math.sqrt(var2)])
    # the change from the previous wave: -25 (se 12.08, beyond noise), then 0 (not)
    assert np.isnan(t.since_previous[0, 0, e]) and np.isnan(t.since_first[0, 0, e])
    np.testing.assert_allclose(t.since_previous[0, 1:, e], [-25.0, 0.0], atol=1e-12)
    np.testing.assert_allclose(t.since_previous_se[0, 1:, e], [math.sqrt(var1 + var2), math.sqrt(2 * var2)])
    np.testing.assert_allclose(t.since_previous_high[0, 1, e], -25.0 + Z * math.sqrt(var1 + var2))  # -1.33 < 0
    assert t.since_previous_beyond_noise[0, :, e].tolist() == [False, True, False]
    # from the first: -25 twice, both beyond noise
    np.testing.assert_allclose(t.since_first[0, 1:, e], [-25.0, -25.0], atol=1e-12)
    assert t.since_first_beyond_noise[0, :, e].tolist() == [False, True, True]
    pe = t.indices.index("positive_energy")
    np.testing.assert_allclose(t.value[0, :, pe], [62.5, 87.5, 87.5])
    np.testing.assert_allclose(t.since_first[0, 2, pe], 25.0)
    rows = t.series("(all)", "entropy")
    assert [r["wave"] for r in rows] == ["2023", "2024", "2025"]
    assert rows[0]["since_previous"] is None and rows[0]["since_previous_beyond_noise"] is None
    assert rows[1]["since_previous_beyond_noise"] is True and rows[2]["since_previous_beyond_noise"] is False
    assert rows[2]["since_first"] == pytest.approx(-25.0) and rows[1]["n"] == 16


def test_two_waves_give_culture_change_figures_exactly():
    b, a = bernoulli_map(1, (30, 25, 8)), bernoulli_map(2, (28, 30, 3))  # C hidden in the second wave
    t = culture_trend([("before", b), ("after", a)], confidence=0.9)
    ch = culture_change(b, a, confidence=0.9)
    assert t.group == ch.group and t.indices == ch.indices
    both = ~ch.suppressed
    assert same(t.value[both, 0], ch.before[both]) and same(t.value[both, 1], ch.after[both])
    # a group hidden in one wave keeps its figures in the wave that showed them (its own map
    # published them), where culture_change shows neither side
    c = t.group.index("C")
    assert ch.suppressed[c] and np.isnan(ch.before[c]).all()
    assert same(t.value[c, 0, 0], b.entropy[c]) and np.isnan(t.value[c, 1]).all()
    for trend_name, change_name in (("", "difference"), ("_se", "se"), ("_low", "low"), ("_high", "high")):
        assert same(getattr(t, "since_previous" + trend_name)[:, 1], getattr(ch, change_name))
        assert same(getattr(t, "since_first" + trend_name)[:, 1], getattr(ch, change_name))
    assert np.array_equal(t.since_previous_beyond_noise[:, 1], ch.beyond_noise)
    assert t.n[:, 0].tolist() == ch.n_before.tolist() and t.n[:, 1].tolist() == ch.n_after.tolist()
    assert np.array_equal(t.suppressed.any(axis=1), ch.suppressed)
    assert np.isnan(t.since_previous[:, 0]).all() and not t.since_previous_beyond_noise[:, 0].any()
    # each wave's own figure and interval are the map's
    e = t.indices.index("implementation")
    shown = ~b.suppressed
    assert same(t.low[shown, 0, e], b.implementation_low[shown]) and same(t.se[shown, 0, e], b.implementation_se[shown])
    v = t.indices.index("adaptif")
    assert same(t.high[shown, 0, v], b.value_index_high[shown, 2])


def test_suppressed_wave_shows_size_only_and_no_change_touching_it():
    maps = {"w1": bernoulli_map(1, (20, 20, 20)), "w2": bernoulli_map(2, (20, 3, 20)), "w3": bernoulli_map(3, (20, 20, 20))}
    t = culture_trend(maps)
    b = t.group.index("B")
    assert t.suppressed[b].tolist() == [False, True, False] and t.n[b].tolist() == [20, 3, 20]
    assert np.isfinite(t.value[b, [0, 2]]).all() and np.isnan(t.value[b, 1]).all() and np.isnan(t.low[b, 1]).all()
    assert np.isnan(t.since_previous[b, 1:]).all() and not t.since_previous_beyond_noise[b].any()
    assert np.isnan(t.since_first[b, 1]).all()
    np.testing.assert_allclose(t.since_first[b, 2], t.value[b, 2] - t.value[b, 0])  # w1 -> w3 does not touch w2
    a = t.group.index("A")
    assert np.isfinite(t.since_previous[a, 1:]).all()
    for r in t.series("B", "entropy")[1:]:
        assert r["since_previous"] is None and r["since_previous_beyond_noise"] is None
    assert t.series("B", "entropy")[1]["value"] is None and t.series("B", "entropy")[1]["n"] == 3
    assert any("suppressed in some wave" in x and "'B'" in x for x in t.note)
    # a group missing from a wave is not shown there, and named
    t2 = culture_trend({"w1": bernoulli_map(1, (20, 20)), "w2": bernoulli_map(2, (20, 20, 20)), "w3": bernoulli_map(3, (20, 20))})
    c = t2.group.index("C")
    assert t2.present[c].tolist() == [False, True, False] and t2.n[c].tolist() == [0, 20, 0]
    assert np.isnan(t2.since_previous[c]).all() and np.isnan(t2.since_first[c]).all()
    assert any("not in every wave" in x and "C (in ['w2'])" in x for x in t2.note)


def test_wave_order_is_the_one_given():
    maps = {"2023": bernoulli_map(1, (20, 20)), "2024": bernoulli_map(2, (20, 20)), "2025": bernoulli_map(3, (20, 20))}
    forward = culture_trend(maps)
    shuffled = culture_trend([("2025", maps["2025"]), ("2023", maps["2023"]), ("2024", maps["2024"])])
    by_order = culture_trend(maps, order=["2025", "2023", "2024"])
    assert shuffled.waves == by_order.waves == ("2025", "2023", "2024")
    for name in ("value", "se", "low", "high", "since_previous", "since_first", "since_previous_low", "since_first_high"):
        assert same(getattr(shuffled, name), getattr(by_order, name))
    # each wave's figures do not depend on the order; the changes follow it
    perm = [2, 0, 1]
    assert same(shuffled.value, forward.value[:, perm]) and np.array_equal(shuffled.n, forward.n[:, perm])
    ch = culture_change(maps["2025"], maps["2023"])
    assert same(shuffled.since_previous[:, 1], ch.difference)
    assert same(shuffled.since_first[:, 2], culture_change(maps["2025"], maps["2024"]).difference)
    assert same(forward.since_first[:, 2], -shuffled.since_first[:, 1])  # 2023 -> 2025 is minus 2025 -> 2023
    sub = culture_trend(maps, order=["2023", "2025"])
    assert sub.waves == ("2023", "2025") and same(sub.since_previous[:, 1], forward.since_first[:, 2])


def test_tables_and_errors():
    maps = {"a": bernoulli_map(1, (20, 20)), "b": bernoulli_map(2, (20, 20))}
    t = culture_trend(maps)
    assert isinstance(t, TrendTable) and al.culture_trend is culture_trend and al.TrendTable is TrendTable
    G, W, K = len(t.group), len(t.waves), len(t.indices)
    recs = t.to_records()
    assert len(recs) == G * W * K and recs[0]["group"] == "(all)" and recs[0]["index"] == "entropy"
    assert [r["wave"] for r in recs[:2]] == ["a", "b"]
    frame = t.to_frame()
    assert frame.shape == (G * W * K, 20) and list(frame.columns[:6]) == ["group", "index", "wave", "present", "n", "suppressed"]
    one = culture_trend({"only": maps["a"]})
    assert one.waves == ("only",) and np.isnan(one.since_previous).all()
    with pytest.raises(ValueError, match="no waves"):
        culture_trend({})
    with pytest.raises(ValueError, match="each wave once"):
        culture_trend([("a", maps["a"]), ("a", maps["b"])])
    with pytest.raises(ValueError, match="order must name distinct waves among"):
        culture_trend(maps, order=["a", "zz"])
    with pytest.raises(ValueError, match="waves 'a' and 'c' differ in by"):
        culture_trend({**maps, "c": bernoulli_map(3, (20, 20), by=None)})
    with pytest.raises(ValueError, match="differ in index_definition"):
        culture_trend({**maps, "c": bernoulli_map(3, (20, 20), index="votes")})
    with pytest.raises(TypeError, match="CultureMap"):
        culture_trend({"a": maps["a"], "b": "not a map"})
    with pytest.raises(TypeError, match="'maps' parameter of culture_trend"):
        culture_trend([maps["a"], maps["b"]])
    with pytest.raises(ValueError, match="'confidence' parameter of culture_trend"):
        culture_trend(maps, confidence=0)
    with pytest.raises(KeyError, match="no \\('Z', 'entropy'\\)"):
        t.series("Z", "entropy")
