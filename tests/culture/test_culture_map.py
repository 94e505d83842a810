"""The culture map: a small case computed by hand, properties, interval coverage by simulation,
and suppression of small groups."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from akhlak_levels import VoteSet, culture_map
from akhlak_levels.culture import band_of, category_of, match_band_of

from culture_helpers import tiny_questionnaire

Q = tiny_questionnaire()

# respondent: (personal, current, desired); r0-r2 in unit A, r3-r5 in unit B
PICKS = [
    ([0, 2], [0, 5, 6], [0, 3]),
    ([0, 1], [5, 6], [3, 4]),
    ([2, 7], [1, 2, 5], [0, 3]),
    ([0, 3], [0, 1], [1, 3]),
    ([1, 4], [5, 7], [4, 7]),
    ([0, 2], [0, 4, 6], [0, 4]),
]


def voteset(picks, unit=None, q=Q, ids=None):
    arr = np.full((len(picks), 3, 3), -1, dtype=np.int16)
    for r, qs in enumerate(picks):
        for k, row in enumerate(qs):
            arr[r, k, : len(row)] = row
    ids = np.arange(len(picks)).astype(str) if ids is None else ids
    return VoteSet(q.id, q.version, ids, arr, unit=None if unit is None else np.asarray(unit))


UNITS = ["A", "A", "A", "B", "B", "B"]


def test_small_case_by_hand():
    cm = culture_map(Q, voteset(PICKS, UNITS), by="unit", min_group_size=3)
    assert cm.group == ("(all)", "A", "B") and cm.n.tolist() == [6, 3, 3]
    assert not cm.suppressed.any()
    # votes, all: personal b0: r0 r1 r3 r5 = 4, b1: r1 r4 = 2, b2: r0 r2 r5 = 3, b3 b4 b7: 1 each (12 = 6 x 2)
    # current b0: r0 r3 r5 = 3, b1: r2 r3 = 2, b2 = 1, b4 = 1, b5: r0 r1 r2 r4 = 4, b6: r0 r1 r5 = 3, b7 = 1 (15)
    # desired b0: r0 r2 r5 = 3, b1 = 1, b3: r0-r3 = 4, b4: r1 r4 r5 = 3, b7 = 1 (12)
    assert cm.votes[0].tolist() == [[4, 2, 3, 1, 1, 0, 0, 1], [3, 2, 1, 0, 1, 4, 3, 1], [3, 1, 0, 4, 3, 0, 0, 1]]
    np.testing.assert_allclose(cm.share[0, 1], np.array([3, 2, 1, 0, 1, 4, 3, 1]) / 6)
    # unit A current: b0 r0, b1 r2, b2 r2, b5 r0 r1 r2, b6 r0 r1 (8 votes)
    assert cm.votes[1, 1].tolist() == [1, 1, 1, 0, 0, 3, 2, 0]
    # Wilson for 4 of 6 at 95 %: centre (4/6 + 1.9208/6)/1.6403, half 1.96 sqrt(2/9/6 + 3.8415/144)/1.6403
    z = 1.959963984540054
    centre = (4 / 6 + z * z / 12) / (1 + z * z / 6)
    half = z * np.sqrt((4 / 6) * (2 / 6) / 6 + z * z / 144) / (1 + z * z / 6)
    assert cm.share_low[0, 1, 5] == pytest.approx(centre - half) and cm.share_high[0, 1, 5] == pytest.approx(centre + half)
    # top lists, most votes first, ties in behaviour order (current: b0 and b6 both 3: b0 first)
    assert cm.top_ids("(all)", "personal") == ("jujur", "ramah", "disiplin", "inovatif", "kerja-sama", "ikhlas")
    assert cm.top_ids("(all)", "current") == ("birokratis", "jujur", "menunggu-perintah", "disiplin", "ramah", "kerja-sama", "ikhlas")
    assert cm.top_ids("(all)", "desired") == ("inovatif", "jujur", "kerja-sama", "disiplin", "ikhlas")
    assert (cm.top[0, 2, 5:] == -1).all()
    # matches: P&C {0,1,2,4,7} = 5, C&D {0,1,4,7} = 4 (good), P&D {0,1,3,4,7} = 5
    assert [int(cm.matches[k][0]) for k in ("personal-current", "current-desired", "personal-desired")] == [5, 4, 5]
    assert cm.matched["current-desired"][0] == ("jujur", "disiplin", "kerja-sama", "ikhlas")
    assert cm.alignment_band[0] == "good"
    # hindering: limiting current votes b5 = 4, b6 = 3
    assert cm.hindering[0].tolist() == [5, 6, -1, -1, -1]
    # entropy: limiting current votes 7 of 15 = 46.67 % (critical); A: 5 of 8 = 62.5; B: 2 of 7 = 28.57 (significant)
    np.testing.assert_allclose(cm.entropy, [700 / 15, 62.5, 200 / 7])
    assert cm.entropy_band.tolist() == ["critical issues", "critical issues", "significant issues"]
    np.testing.assert_allclose(cm.positive_energy, 100 - np.array([700 / 15, 62.5, 200 / 7]))
    # delta method: z_i = 100 (l_i - E v_i) / mean(v), l = 2 2 1 0 1 1, v = 3 2 3 2 2 3, mean(v) = 2.5:
    # z = 24, 42.667, -16, -37.333, 2.667, -16; sum z^2 = 4309.33; se = sqrt(4309.33 / 5 / 6) = 11.985
    se = np.sqrt(4309.3333333 / 5 / 6)
    assert cm.entropy_low[0] == pytest.approx(700 / 15 - z * se, abs=1e-5)
    assert cm.entropy_high[0] == pytest.approx(700 / 15 + z * se, abs=1e-5)
    assert cm.positive_energy_low[0] == pytest.approx(100 - cm.entropy_high[0])
    # jumps = desired share - current share: b0 0, b1 1/6-2/6, b2 -1/6, b3 4/6, b4 2/6, b5 -4/6, b6 -3/6, b7 0
    np.testing.assert_allclose(cm.jumps[0], np.array([0, -1, -1, 4, 2, -4, -3, 0]) / 6, atol=1e-12)
    # level profile (levels b0..b7 = 4 4 3 5 3 2 1 5): personal L3 b2 3 + b4 1, L4 b0 4 + b1 2, L5 b3 1 + b7 1
    np.testing.assert_allclose(cm.level_profile[0, 0], np.array([0, 0, 4, 6, 2]) / 12)
    np.testing.assert_allclose(cm.level_profile[0, 1], np.array([3, 4, 2, 5, 1]) / 15)
    np.testing.assert_allclose(cm.level_profile[0, 2], np.array([0, 0, 3, 4, 5]) / 12)
    # balance = 100 * (-sum p log p) / log 5; personal: p = 4/12, 6/12, 2/12
    h = -(4 / 12 * np.log(4 / 12) + 6 / 12 * np.log(6 / 12) + 2 / 12 * np.log(2 / 12))
    assert cm.balance[0, 0] == pytest.approx(100 * h / np.log(5), abs=1e-12)
    assert 0 < cm.balance[0, 0] < cm.balance[0, 1] < 100  # current spreads over all five levels
    # reach index (current): akuntabel r0 r2 r3 r5 = 4/6, pelayanan r2 = 1/6, adaptif 0, kolaboratif r5 = 1/6
    assert cm.values == ("akuntabel", "berorientasi-pelayanan", "adaptif", "kolaboratif")
    np.testing.assert_allclose(cm.value_index[0], np.array([4, 1, 0, 1]) / 6 * 100)
    assert cm.value_category[0].tolist() == ["B", "D", "D", "D"]
    # unit A: akuntabel r0 r2 2/3, pelayanan r2 1/3; unit B: akuntabel r3 r5 2/3, kolaboratif r5 1/3; overall 25 each
    np.testing.assert_allclose(cm.value_index[1], [200 / 3, 100 / 3, 0, 0])
    np.testing.assert_allclose(cm.value_index[2], [200 / 3, 0, 0, 100 / 3])
    np.testing.assert_allclose(cm.implementation, [25.0, 25.0, 25.0])
    assert cm.implementation_category.tolist() == ["C", "C", "C"]
    # health = (positive energy 53.33 + implementation 25 + alignment 100 * 4 / 10) / 3 = 39.44 (C)
    assert cm.health[0] == pytest.approx((100 - 700 / 15 + 25 + 40) / 3)
    assert cm.health_category[0] == "C"
    assert cm.health_low[0] < cm.health[0] < cm.health_high[0]


def test_votes_definition_by_hand():
    # most picks: min(3 max picks, behaviours of the value): akuntabel 2, the others 1
    # akuntabel: (3 + 2) votes / (6 x 2) = 41.67; pelayanan 1/6; adaptif 0; kolaboratif 1/6; overall 18.75
    cm = culture_map(Q, voteset(PICKS), index="votes")
    np.testing.assert_allclose(cm.value_index[0], [500 / 12, 100 / 6, 0, 100 / 6])
    assert cm.implementation[0] == pytest.approx(18.75)
    assert cm.group == ("(all)",)


def test_tables():
    cm = culture_map(Q, voteset(PICKS, UNITS), by="unit", min_group_size=3)
    rec = cm.to_records()
    assert [r["group"] for r in rec] == ["(all)", "A", "B"]
    assert rec[0]["hindering"] == ["birokratis", "menunggu-perintah"]
    assert rec[0]["matches_current-desired"] == 4 and rec[0]["entropy_band"] == "critical issues"
    beh = cm.to_records("behaviours")
    assert len(beh) == 3 * 3 * 8
    row = next(r for r in beh if r["group"] == "(all)" and r["question"] == "c" and r["behaviour"] == "birokratis")
    assert row["votes"] == 4 and row["share"] == pytest.approx(4 / 6) and row["jump"] == pytest.approx(-4 / 6)
    assert len(cm.to_records("values")) == 3 * 4 and len(cm.to_records("levels")) == 3 * 3 * 5
    assert cm.to_frame("values").shape == (12, 6)
    with pytest.raises(ValueError, match="table must be one of"):
        cm.to_records("nope")


def test_errors():
    with pytest.raises(ValueError, match="min_group_size"):
        culture_map(Q, voteset(PICKS), min_group_size=0)
    with pytest.raises(ValueError, match="index"):
        culture_map(Q, voteset(PICKS), index="mean")
    other = VoteSet("other", "1", np.array(["a"]), np.zeros((1, 3, 1), dtype=np.int16))
    with pytest.raises(ValueError, match="answer 'other'"):
        culture_map(Q, other)
    big = VoteSet(Q.id, Q.version, np.array(["a"]), np.full((1, 3, 1), 8, dtype=np.int16))
    with pytest.raises(ValueError, match="8 behaviours"):
        culture_map(Q, big)


def test_published_bands():
    # Barrett: 0-10 healthy, 11-20 minor, 21-30 significant, 31-40 serious, 41+ critical
    assert band_of(np.array([5, 10, 11, 20, 21, 30, 31, 40, 41, 55])).tolist() == [
        "healthy", "healthy", "minor issues", "minor issues", "significant issues", "significant issues",
        "serious issues", "serious issues", "critical issues", "critical issues"]
    # national reports: 92.4 A, 61.8 B, 39.8 C (Adaptif), 74.9 B, 75 A
    assert category_of(np.array([92.4, 61.8, 39.8, 74.9, 75.0, 24.9])).tolist() == ["A", "B", "C", "B", "A", "D"]
    assert match_band_of(np.array([6, 5, 3, 1])).tolist() == ["excellent", "good", "fair", "poor"]


def random_picks(rng, n):
    """n respondents, 2-3 distinct picks per question (the tiny questionnaire's rules)."""
    return [tuple(sorted(rng.choice(8, k, replace=False).tolist()) for k in (2, int(rng.integers(2, 4)), 2)) for _ in range(n)]


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), n=st.integers(2, 15))
def test_properties(seed, n):
    rng = np.random.default_rng(seed)
    picks = random_picks(rng, n)
    units = rng.choice(["A", "B"], n).tolist()
    cm = culture_map(Q, voteset(picks, units), by="unit", min_group_size=1)
    shown = ~np.isnan(cm.share)
    assert ((cm.share[shown] >= 0) & (cm.share[shown] <= 1)).all()
    assert ((cm.value_index >= 0) & (cm.value_index <= 100)).all()
    # permuting respondents changes nothing
    perm = rng.permutation(n)
    cp = culture_map(Q, voteset([picks[i] for i in perm], [units[i] for i in perm]), by="unit", min_group_size=1)
    for name in ("votes", "top", "entropy", "entropy_low", "value_index", "health_high", "level_profile"):
        np.testing.assert_allclose(getattr(cp, name), getattr(cm, name), rtol=1e-12, atol=1e-12, err_msg=name)
    # adding a unit does not change another unit's figures
    extra = random_picks(rng, 4)
    ca = culture_map(Q, voteset(picks + extra, units + ["Z"] * 4), by="unit", min_group_size=1)
    for g in set(units):
        for name in ("votes", "share_low", "top", "hindering", "entropy_high", "value_index_low", "health"):
            np.testing.assert_allclose(getattr(ca, name)[ca.row(g)], getattr(cm, name)[cm.row(g)], err_msg=name)


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), n=st.integers(1, 10))
def test_entropy_extremes(seed, n):
    rng = np.random.default_rng(seed)
    pos = [(a, tuple(x for x in c if x not in (5, 6)) or (0,), d) for a, c, d in random_picks(rng, n)]
    assert culture_map(Q, voteset(pos), min_group_size=1).entropy[0] == 0.0
    only = [(a, tuple(rng.choice([5, 6], int(rng.integers(1, 3)), replace=False).tolist()), d) for a, _, d in random_picks(rng, n)]
    cm = culture_map(Q, voteset(only), min_group_size=1)
    assert cm.entropy[0] == 100.0 and cm.positive_energy[0] == 0.0 and cm.entropy_band[0] == "critical issues"


def bernoulli_votes(rng, p, n):
    """Each behaviour picked independently with probability p (all three questions)."""
    picked = rng.random((n, 3, len(p))) < p
    arr = np.where(picked, np.arange(len(p)), -1).astype(np.int16)
    return VoteSet(Q.id, Q.version, np.arange(n).astype(str), arr)


def test_intervals_cover_at_nominal_rate():
    rng = np.random.default_rng(11)
    p = np.array([0.5, 0.4, 0.3, 0.35, 0.45, 0.3, 0.25, 0.4])
    truth_e = 100 * p[5:7].sum() / p.sum()  # ratio of expected limiting votes to expected votes
    reps, n = 400, 60
    cover_share, cover_e, total = 0, 0, 0
    for _ in range(reps):
        cm = culture_map(Q, bernoulli_votes(rng, p, n))
        # share of those who answered: P(b | at least one pick) ~ p (P(no pick) = prod(1 - p) = 0.012)
        cond = p / (1 - np.prod(1 - p))
        cover_share += int(((cm.share_low[0, 1] <= cond) & (cond <= cm.share_high[0, 1])).sum())
        total += len(p)
        cover_e += int(cm.entropy_low[0] <= truth_e <= cm.entropy_high[0])
    # 3200 shares (not independent within a replicate): within 3 binomial SEs of 0.95 per replicate count
    se_rep = np.sqrt(0.95 * 0.05 / reps)
    assert abs(cover_share / total - 0.95) < 3 * se_rep
    assert abs(cover_e / reps - 0.95) < 3 * se_rep


def test_small_unit_suppressed_and_not_recoverable():
    rng = np.random.default_rng(3)
    picks = random_picks(rng, 23)
    units = ["A"] * 10 + ["B"] * 10 + ["C"] * 3
    cm = culture_map(Q, voteset(picks, units), by="unit")
    # C (3 < 5) is hidden; the hidden pool would be 3 people, so the smallest shown unit joins it
    # (A and B tie at 10: the first, A)
    assert cm.suppressed.tolist() == [False, True, False, True]
    assert cm.n.tolist() == [23, 10, 10, 3]
    hidden = cm.suppressed[1:]
    assert cm.n[1:][hidden].sum() >= 5  # total minus shown units describes at least 5 people
    c = cm.row("C")
    assert np.isnan(cm.votes[c]).all() and np.isnan(cm.entropy[c]) and (cm.top[c] == -1).all()
    assert cm.matches["current-desired"][c] == -1 and cm.entropy_band[c] == ""
    assert cm.to_records()[c]["entropy"] is None and any("suppressed" in x for x in cm.note)
    # the total minus the shown units is the pooled hidden units, not C alone
    shown = ~cm.suppressed & (np.arange(len(cm)) > 0)
    rest = cm.votes[0] - cm.votes[shown].sum(axis=0)
    only_c = culture_map(Q, voteset(picks[20:], units[20:]), min_group_size=1).votes[0]
    assert not np.array_equal(rest, only_c)
    # too few people altogether: everyone's row is hidden too
    assert culture_map(Q, voteset(picks[:4])).suppressed.tolist() == [True]


def test_balance_is_0_with_every_vote_at_one_level_and_100_with_equal_shares():
    # personal: only level-4 behaviours (b0, b1) -> 0; current: one vote at each level
    # (b6 L1, b5 L2, b2 L3, b0 L4, b3 L5 over five respondents) -> 100
    picks = [([0, 1], [6, 5], [0, 3]), ([0, 1], [2, 0], [0, 3]), ([0, 1], [3], [0, 3])]
    cm = culture_map(Q, voteset(picks), min_group_size=3)
    assert cm.balance[0, 0] == pytest.approx(0.0, abs=1e-12)
    assert cm.balance[0, 1] == pytest.approx(100.0, abs=1e-9)
    assert cm.to_records()[0]["balance_c"] == pytest.approx(100.0, abs=1e-9)


# --------------------------------------------------------------------------- choices held in the questionnaire file

import copy  # noqa: E402
import json  # noqa: E402
from pathlib import Path  # noqa: E402

from akhlak_levels import QuestionnaireError, SchemaError, load_questionnaire  # noqa: E402
from akhlak_levels.culture import CultureMapChoices  # noqa: E402
from akhlak_levels.questionnaire import questionnaire_from_dict  # noqa: E402

#: Other choices than the defaults: the "votes" index, positive energy weighted twice, three
#: categories, two entropy bands, two match bands, top three, one hindering factor.
OTHER_CHOICES = {
    "value_index": "votes",
    "health_weights": {"positive_energy": 2, "implementation": 1, "alignment": 1},
    "categories": [
        {"code": "hi", "label": {"id": "tinggi", "en": "high"}, "min": 40},
        {"code": "mid", "label": {"id": "sedang", "en": "middle"}, "min": 20},
        {"code": "lo", "label": {"id": "rendah", "en": "low"}, "min": 0},
    ],
    "entropy_bands": [{"name": "ok", "max": 50}, {"name": "bad", "max": 100}],
    "match_bands": [{"name": "high", "min": 2}, {"name": "low", "min": 0}],
    "top_n": 3,
    "hindering": 1,
}


def _with_choices(block, q=Q):
    doc = copy.deepcopy(dict(q.document))
    if block is None:
        doc.pop("culture_map", None)
    else:
        doc["culture_map"] = block
    return questionnaire_from_dict(doc)


def test_choices_from_the_file_give_the_hand_computed_figures():
    q = _with_choices(OTHER_CHOICES)
    c = q.culture_map_choices
    assert c.value_index == "votes" and c.top_n == 3 and c.hindering == 1 and [b.code for b in c.categories] == ["hi", "mid", "lo"]
    assert q.content_hash == Q.content_hash  # the choices are not part of the structure a model checks
    cm = culture_map(q, voteset(PICKS))
    assert cm.index_definition == "votes"
    # top three, ties in behaviour order: personal b0 4, b2 3, b1 2; current b5 4, b0 3, b6 3; desired b3 4, b0 3, b4 3
    assert cm.top[0].tolist() == [[0, 2, 1], [5, 0, 6], [3, 0, 4]]
    # every pair shares b0 only: 1 match each, "low" (fewer than 2)
    assert [int(cm.matches[k][0]) for k in ("personal-current", "current-desired", "personal-desired")] == [1, 1, 1]
    assert cm.alignment_band.tolist() == ["low"] and cm.hindering.tolist() == [[5]]
    # entropy 7 of 15 = 46.67 %: "ok" (<= 50)
    assert cm.entropy[0] == pytest.approx(700 / 15) and cm.entropy_band.tolist() == ["ok"]
    # the votes index (as in test_votes_definition_by_hand): 41.67, 16.67, 0, 16.67; implementation 18.75
    np.testing.assert_allclose(cm.value_index[0], [500 / 12, 100 / 6, 0, 100 / 6])
    assert cm.value_category[0].tolist() == ["hi", "lo", "lo", "lo"]
    assert cm.implementation[0] == pytest.approx(18.75) and cm.implementation_category[0] == "lo"
    # health = (2 x positive energy 53.33 + implementation 18.75 + alignment 100 x 1 / 3) / 4 = 39.6875
    assert cm.health[0] == pytest.approx((2 * (100 - 700 / 15) + 18.75 + 100 / 3) / 4) == pytest.approx(39.6875)
    assert cm.health_category[0] == "mid"
    # its standard error: the influence -1/2 z_e + 1/4 (y - 18.75), z_e as in test_small_case_by_hand and
    # y the respondents' mean of the four value scores (12.5, 0, 37.5, 25, 0, 37.5)
    z_e = np.array([24, 128 / 3, -16, -112 / 3, 8 / 3, -16])
    z_h = -0.5 * z_e + 0.25 * (np.array([12.5, 0, 37.5, 25, 0, 37.5]) - 18.75)
    assert cm.health_se[0] == pytest.approx(np.sqrt((z_h**2).sum() / 5 / 6))


def test_a_parameter_overrides_the_files_value_index():
    q = _with_choices(OTHER_CHOICES)
    cm = culture_map(q, voteset(PICKS, UNITS), by="unit", min_group_size=3, index="reach")
    assert cm.index_definition == "reach"
    np.testing.assert_allclose(cm.value_index[0], np.array([4, 1, 0, 1]) / 6 * 100)  # as in the small case
    assert cm.value_category[0].tolist() == ["hi", "lo", "lo", "lo"] and cm.hindering.shape == (3, 1)


def test_the_bundled_choices_are_the_defaults_and_give_todays_figures():
    bundled = load_questionnaire("berakhlak-culture-map")
    assert bundled.culture_map_choices == CultureMapChoices()
    assert bundled.culture_map_choices.value_index == "reach" and bundled.culture_map_choices.top_n == 10
    without = _with_choices(None, bundled)
    assert without.culture_map_choices is None and without.content_hash == bundled.content_hash
    rng = np.random.default_rng(5)
    n = 300
    picks = np.argsort(rng.random((n, 3, len(bundled.behaviours))), axis=2)[:, :, :10].astype(np.int16)
    unit = rng.choice(["a", "b", "c", "d"], n, p=[0.45, 0.45, 0.09, 0.01])
    v = VoteSet(bundled.id, bundled.version, np.arange(n).astype(str), picks, unit=unit)
    for index in (None, "votes"):
        got, want = culture_map(bundled, v, by="unit", index=index), culture_map(without, v, by="unit", index=index)
        for name in got.__dataclass_fields__:
            a, b = getattr(got, name), getattr(want, name)
            if isinstance(a, np.ndarray):
                np.testing.assert_array_equal(a, b, err_msg=name)  # bit for bit
            elif name == "matches":
                assert a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in a)
            else:
                assert a == b, name


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"health_weights": {"positive_energy": -1, "implementation": 1, "alignment": 1}}, "$.culture_map.health_weights.positive_energy"),
        ({"health_weights": {"positive_energy": 1, "implementation": 1}}, "$.culture_map.health_weights"),
        ({"value_index": "mean"}, "$.culture_map.value_index"),
        ({"top_n": 0}, "$.culture_map.top_n"),
        ({"categories": [{"code": "A", "label": {"en": "a"}, "min": 120}]}, "$.culture_map.categories[0].min"),
        ({"entropy": 3}, "$.culture_map"),
    ],
)
def test_a_schema_invalid_block_is_refused_with_its_json_path(change, path):
    doc = copy.deepcopy(dict(Q.document))
    doc["culture_map"] = change
    with pytest.raises(SchemaError) as err:
        questionnaire_from_dict(doc, source="c.json")
    assert path in [p.path for p in err.value.problems]


def test_a_block_needs_a_vote_instrument():
    doc = json.loads((Path(__file__).resolve().parents[2] / "questionnaires" / "berakhlak.json").read_text(encoding="utf-8"))
    doc["culture_map"] = {"top_n": 5}
    with pytest.raises(SchemaError, match="'vote_questions' is a dependency of 'culture_map'"):
        questionnaire_from_dict(doc)


def test_inconsistent_choices_are_reported_together_with_their_paths():
    bad = {
        "health_weights": {"positive_energy": 0, "implementation": 0, "alignment": 0},
        "categories": [{"code": "A", "label": {"id": "a", "en": "a"}, "min": 50},
                       {"code": "A", "label": {"id": "b"}, "min": 60}],
        "entropy_bands": [{"name": "low", "max": 30}, {"name": "high", "max": 90}],
        "match_bands": [{"name": "all", "min": 4}, {"name": "some", "min": 1}],
        "top_n": 3,
    }
    doc = copy.deepcopy(dict(Q.document))
    doc["culture_map"] = bad
    with pytest.raises(QuestionnaireError) as err:
        questionnaire_from_dict(doc, source="c.json")
    found = {(p.path, p.message) for p in err.value.problems}
    assert found == {
        ("$.culture_map.health_weights", "the health weights sum to 0; at least one must be positive"),
        ("$.culture_map.categories[1].label", "text lacks the language(s) ['en'] that the questionnaire declares"),
        ("$.culture_map.categories[1].min", "category bands go from the highest down: 60 is not below 50"),
        ("$.culture_map.categories[1].min", "the lowest category band must start at 0 so every score has a category"),
        ("$.culture_map.categories", "category codes must differ"),
        ("$.culture_map.entropy_bands[1].max", "the last entropy band must end at 100 so every entropy has a band"),
        ("$.culture_map.match_bands[1].min", "the lowest match band must start at 0 so every count has a band"),
        ("$.culture_map.match_bands[0].min", "the band 'all' needs 4 matches, but a top list holds 3"),
    }
    assert all(p.file == "c.json" for p in err.value.problems)


def test_the_schema_offers_the_known_value_index_definitions():
    from akhlak_levels._schema import load_schema
    from akhlak_levels.culture import INDEX_DEFINITIONS

    block = load_schema("questionnaire")["$defs"]["culture_map"]["properties"]
    assert tuple(block["value_index"]["enum"]) == INDEX_DEFINITIONS
    assert set(block["health_weights"]["required"]) == set(CultureMapChoices().health_weights)
