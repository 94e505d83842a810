"""Level decisions by group (akhlak_levels.decisions): selection rates and adverse-impact ratios
against hand computations, the ways to call it, suppression of small groups, and bad calls."""

import dataclasses
import json

import numpy as np
import pytest

import akhlak_levels as al
from akhlak_levels.decisions import level_decisions_by_group

SEL = al.load_questionnaire("socio-emotional-levels")
IDS = list(SEL.item_ids)


def test_selection_rates_and_adverse_impact_ratios_equal_a_hand_computation():
    rs, _ = al.simulate(SEL, 23, random_state=0)
    a = al.assess(SEL, rs)
    # group A (10): levels 0 1 2 3 3 4 4 5 5 5 ; B (10): 1 1 2 2 2 3 3 3 4 5 ; C (3): 5 5 5
    levels = np.array([0, 1, 2, 3, 3, 4, 4, 5, 5, 5, 1, 1, 2, 2, 2, 3, 3, 3, 4, 5, 5, 5, 5], dtype=np.int8)
    group = np.array(["A"] * 10 + ["B"] * 10 + ["C"] * 3)
    a = dataclasses.replace(a, level=levels)
    # A and B alone: both shown; the comparison rate is the highest, A's at t = 3..5, and A and
    # B tie at t = 2 (the first, A, is named)
    ab = level_decisions_by_group(a.take(np.arange(20)), group[:20])
    assert ab.group == ("A", "B") and ab.n.tolist() == [10, 10] and not ab.suppressed.any()
    np.testing.assert_allclose(ab.shares[0], [0.1, 0.1, 0.1, 0.2, 0.2, 0.3])
    # P(level >= t), t = 2..5; A: 8/10 7/10 5/10 3/10 ; B: 8/10 5/10 2/10 1/10
    np.testing.assert_allclose(ab.selection_rate, [[0.8, 0.7, 0.5, 0.3], [0.8, 0.5, 0.2, 0.1]])
    assert ab.comparison_group == ("A", "A", "A", "A")
    np.testing.assert_allclose(ab.impact_ratio[1], [1.0, 5 / 7, 0.4, 1 / 3])
    assert ab.adverse_impact.tolist() == [[False] * 4, [False, True, True, True]]
    rec = ab.to_records()[1]
    assert rec["impact_ratio_ge_3"] == pytest.approx(5 / 7) and rec["adverse_impact_ge_3"] is True
    json.dumps(ab.to_records(), allow_nan=False)
    # with C (3 people, all at level 5) and min_group_size=3 every group is shown, and C's rate
    # of 1 is the comparison rate
    bigger = level_decisions_by_group(a, group, min_group_size=3, ratio=0.5)
    assert not bigger.small.any() and not bigger.suppressed.any() and bigger.comparison_group == ("C", "C", "C", "C")
    np.testing.assert_allclose(bigger.impact_ratio[1], [0.8, 0.5, 0.2, 0.1])
    assert bigger.adverse_impact[1].tolist() == [False, False, True, True]


def test_a_small_group_is_hidden_with_enough_others_that_no_difference_reveals_it():
    """C (3 people) is below min_group_size=5. Hiding C alone would not protect it: the overall
    level counts (published with every report) minus A's and B's give C's. So the smallest shown
    group (A, first of a tie) is hidden with it, the comparison rate comes from the groups still
    shown, and no ratio gives a hidden group's rate back."""
    rs, _ = al.simulate(SEL, 23, random_state=0)
    levels = np.array([0, 1, 2, 3, 3, 4, 4, 5, 5, 5, 1, 1, 2, 2, 2, 3, 3, 3, 4, 5, 5, 5, 5], dtype=np.int8)
    group = np.array(["A"] * 10 + ["B"] * 10 + ["C"] * 3)
    a = dataclasses.replace(al.assess(SEL, rs), level=levels)
    t = level_decisions_by_group(a, group)
    assert t.small.tolist() == [False, False, True] and t.suppressed.tolist() == [True, False, True]
    assert t.n.tolist() == [10, 10, 3]  # sizes stay
    for hidden in (0, 2):
        assert np.isnan(t.shares[hidden]).all() and np.isnan(t.selection_rate[hidden]).all()
        assert np.isnan(t.impact_ratio[hidden]).all() and not t.adverse_impact[hidden].any()
    np.testing.assert_allclose(t.selection_rate[1], [0.8, 0.5, 0.2, 0.1])
    assert t.comparison_group == ("B", "B", "B", "B")
    np.testing.assert_allclose(t.impact_ratio[1], [1.0, 1.0, 1.0, 1.0])
    assert any("suppressed: ['C']" in n for n in t.note) and any("also suppressed" in n and "['A']" in n for n in t.note)
    # the attack: overall counts minus the shown groups' counts must not give C (or A) alone
    shown = ~t.suppressed
    overall = np.bincount(levels, minlength=6)
    rest = overall - (t.shares[shown] * t.n[shown, None]).sum(axis=0)
    assert rest.sum() >= t.min_group_size  # what is left holds at least five people


def test_level_decisions_from_a_questionnaire_and_responses_and_from_a_column():
    rows = [{"respondent_id": f"p{i}", "Unit": "north" if i % 3 else "", **{iid: 1 + (i % 5) for iid in IDS}}
            for i in range(30)]
    rs = al.read_responses(rows, SEL, group_columns=["Unit"])
    t = level_decisions_by_group(SEL, rs, "Unit")
    assert t.group == ("north",) and t.n.tolist() == [20] and t.n_missing_group == 10
    same = level_decisions_by_group(al.assess(SEL, rs), "Unit")
    np.testing.assert_array_equal(same.selection_rate, t.selection_rate)


def test_no_comparison_group_selecting_anyone_gives_a_nan_ratio_with_the_reason():
    rs, _ = al.simulate(SEL, 12, random_state=0)
    a = dataclasses.replace(al.assess(SEL, rs), level=np.full(12, 2, dtype=np.int8))
    t = level_decisions_by_group(a, np.repeat(["A", "B"], 6))
    assert np.isnan(t.impact_ratio[:, 1:]).all() and not t.adverse_impact.any()
    assert len(t.note) == 3 and "level >= 3" in t.note[0]


def test_level_decisions_refuse_a_wrong_call():
    rs, _ = al.simulate(SEL, 10, random_state=0)
    a = al.assess(SEL, rs)
    g = np.repeat(["A", "B"], 5)
    with pytest.raises(ValueError, match=r"takes the group after an Assessment"):
        level_decisions_by_group(a, rs, g)  # type: ignore[call-overload]
    with pytest.raises(ValueError, match="needs responses and a group"):
        level_decisions_by_group(SEL, g)  # type: ignore[call-overload]
    with pytest.raises(ValueError, match="min_group_size"):
        level_decisions_by_group(a, g, min_group_size=0)
    with pytest.raises(ValueError, match="'ratio'"):
        level_decisions_by_group(a, g, ratio=1.5)
    with pytest.raises(ValueError, match="no respondent has a group label"):
        level_decisions_by_group(a, np.full(10, ""))
