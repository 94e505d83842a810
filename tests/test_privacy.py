"""One suppression engine (akhlak_levels.privacy): its rules as invariants, and the differencing
attacks an auditor tried on the published tables, each of which must now fail."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import akhlak_levels as al
from akhlak_levels.privacy import complement_safe, suppression_mask

SEL = al.load_questionnaire("socio-emotional-levels")
K = 5


def _unsafe(x: float) -> bool:
    return 0 < x < K


# --------------------------------------------------------------------------- the engine


@given(st.lists(st.integers(0, 40), min_size=1, max_size=12))
def test_no_small_cell_is_shown_and_the_hidden_cells_hold_nobody_or_enough(counts):
    c = np.array(counts)
    hide = suppression_mask(c, K)
    assert not ((c < K) & ~hide).any()  # primary
    if c.sum() >= K:  # a total of fewer than K is itself hidden by the caller
        assert not _unsafe(c[hide].sum())  # secondary: total minus shown cells reveals no one


@given(st.lists(st.tuples(st.integers(0, 40), st.integers(0, 12)), min_size=1, max_size=12))
def test_a_subset_table_leaves_out_nobody_or_enough_in_every_shown_cell_and_in_the_hidden_ones(cells):
    part = np.array([p for p, _ in cells])
    left_out = np.array([d for _, d in cells])
    hide = suppression_mask(part, K, complements=[left_out])
    assert complement_safe(part + left_out, part, K)[~hide].all()
    if left_out.sum() >= K and part.sum() >= K:
        assert not _unsafe(part[hide].sum()) and not _unsafe(left_out[hide].sum())


def test_a_forced_cell_counts_as_hidden_and_without_a_published_total_there_is_no_secondary_rule():
    assert suppression_mask(np.array([20, 30, 40]), K, forced=np.array([False, True, False])).tolist() == [False, True, False]
    assert suppression_mask(np.array([20, 3, 40]), K, total_shown=False).tolist() == [False, True, False]
    assert suppression_mask(np.array([20, 3, 40]), K).tolist() == [True, True, False]


# --------------------------------------------------------------------------- the attacks


def _waves_with_a_newcomer():
    """Three waves of two units. U1 has 8 people in every wave, 7 of them in all three waves
    (the panel); in the third wave one newcomer joins U1 (9 people). U2 has 20 people, always."""
    rng = np.random.default_rng(7)
    waves = {}
    for w, year in enumerate(("2022", "2023", "2024")):
        ids = [f"u1-{i}" for i in range(7)] + [f"u1-x{w}"] + [f"u2-{i}" for i in range(20)]
        units = ["U1"] * 8 + ["U2"] * 20
        if year == "2024":
            ids.append("u1-newcomer")
            units.append("U1")
        rs, _ = al.simulate(SEL, len(ids), levels=rng.integers(1, 6, len(ids)), random_state=w)
        rs = replace(rs, respondent_ids=np.array(ids), unit=np.array(units))
        waves[year] = al.assess(SEL, rs)
    return waves


def test_progress_minus_the_mean_trajectory_does_not_give_one_person():
    """The audit: progress(by=unit) minus the unit's trajectories(...).mean_trajectory gave one
    person's result exactly (all U1 people of a wave minus the panel = the one non-panel person)."""
    waves = _waves_with_a_newcomer()
    full = al.progress(waves, by="unit")
    panel = al.trajectories(waves, by="unit").mean_trajectory
    attacked = 0
    for r in range(len(panel)):
        f = [i for i in range(len(full)) if full.wave[i] == panel.wave[r] and full.group[i] == panel.group[r]]
        assert len(f) == 1
        f = f[0]
        left_out = int(full.n[f] - panel.n[r])
        both_shown = not full.suppressed[f] and not panel.suppressed[r]
        if both_shown:
            assert left_out == 0 or left_out >= K, (panel.wave[r], panel.group[r], left_out)
        if _unsafe(left_out):
            attacked += 1
            # what the attack computed: sum over all minus sum over the panel
            diff = full.mean_expected_level[f] * full.n[f] - panel.mean_expected_level[r] * panel.n[r]
            assert np.isnan(diff)
    assert attacked >= 2  # the attack had something to try: U1 and the total, in every wave


def test_before_the_fix_the_difference_was_exactly_the_left_out_persons_expected_level():
    """The same data with the panel's table built without the complement rule (as before): the
    difference is exactly the newcomer's expected level, which is what the rule now prevents."""
    from akhlak_levels.growth._progress import progress_of_waves  # the unprotected call

    waves = _waves_with_a_newcomer()
    full = al.progress(waves, by="unit")
    tr = al.trajectories(waves, by="unit")
    panel_waves = [(lab, a.take(np.flatnonzero(np.isin(a.respondent_ids, tr.respondent_ids)))) for lab, a in waves.items()]
    naked = progress_of_waves(panel_waves, "unit", min_group_size=K, confidence=0.95)
    f = [i for i in range(len(full)) if full.wave[i] == "2024" and full.group[i] == "U1"][0]
    r = [i for i in range(len(naked)) if naked.wave[i] == "2024" and naked.group[i] == "U1"][0]
    diff = full.mean_expected_level[f] * full.n[f] - naked.mean_expected_level[r] * naked.n[r]
    newcomer = waves["2024"].expected_level[list(waves["2024"].respondent_ids).index("u1-newcomer")]
    x2 = waves["2024"].expected_level[list(waves["2024"].respondent_ids).index("u1-x2")]
    assert diff == pytest.approx(newcomer + x2)  # two people: the newcomer and this wave's extra
    protected = al.trajectories(waves, by="unit").mean_trajectory
    assert protected.suppressed[r] and np.isnan(protected.mean_expected_level[r])


def test_level_decisions_hide_every_group_when_every_group_is_small():
    """The audit: with every group small, nothing was suppressed."""
    rs, _ = al.simulate(SEL, 12, random_state=0)
    a = al.assess(SEL, rs)
    t = al.level_decisions_by_group(a, np.repeat(["A", "B", "C"], 4))
    assert t.small.all() and t.suppressed.all()
    assert np.isnan(t.shares).all() and np.isnan(t.selection_rate).all() and np.isnan(t.impact_ratio).all()
    assert t.comparison_group == ("", "", "", "") and t.n.tolist() == [4, 4, 4]


def test_level_decisions_count_the_unlabelled_respondents_as_hidden():
    """Two respondents without a group label are in the overall figures but in no group: the
    overall counts minus the two shown groups would give their levels. A group is hidden too."""
    rs, _ = al.simulate(SEL, 22, random_state=1)
    a = al.assess(SEL, rs)
    groups = np.array(["A"] * 10 + ["B"] * 10 + [""] * 2)
    t = al.level_decisions_by_group(a, groups)
    assert t.n_missing_group == 2 and not t.small.any()
    assert t.suppressed.sum() == 1 and any("also suppressed" in n for n in t.note)
    without = al.level_decisions_by_group(a.take(np.arange(20)), groups[:20])
    assert not without.suppressed.any()  # with everyone labelled, both groups are shown


def test_a_scale_mean_is_hidden_when_its_left_out_people_are_few_though_the_cell_is_not():
    """Six people of U1 are not in the panel in 2024 (enough to show the cell's level figures),
    but only one of them answered the 'dependent' items: the difference of the two tables' means
    of that scale would be that one person's score, so that scale's mean is hidden."""
    rng = np.random.default_rng(3)
    cols = [SEL.item_position(i) for i in SEL.scale("dependent").item_ids]
    j = [s.id for s in SEL.scales].index("dependent")
    waves = {}
    for w, year in enumerate(("2022", "2023", "2024")):
        ids = [f"u1-{i}" for i in range(10)] + [f"u2-{i}" for i in range(20)]
        units = ["U1"] * 10 + ["U2"] * 20
        extra = 6 if year == "2024" else 0
        ids += [f"u1-new{i}" for i in range(extra)]
        units += ["U1"] * extra
        rs, _ = al.simulate(SEL, len(ids), levels=rng.integers(1, 6, len(ids)), random_state=10 + w)
        codes = rs.codes.copy()
        if extra:
            codes[np.ix_(np.arange(31, 36), cols)] = al.MISSING  # five newcomers skip the scale
        rs = replace(rs, respondent_ids=np.array(ids), unit=np.array(units), codes=codes)
        waves[year] = al.assess(SEL, rs)
    full = al.progress(waves, by="unit")
    panel = al.trajectories(waves, by="unit").mean_trajectory

    def row(t, wave, group):
        return [i for i in range(len(t)) if t.wave[i] == wave and t.group[i] == group][0]

    f, r = row(full, "2024", "U1"), row(panel, "2024", "U1")
    assert full.n[f] - panel.n[r] == 6 and not panel.suppressed[r]
    assert np.isfinite(panel.mean_expected_level[r])  # six left out: the cell's figures may show
    assert np.isnan(panel.scale_means[r, j])  # one left out with the scale scored: hidden
    assert np.isfinite(full.scale_means[f, j])
    other = [s for s in range(len(SEL.scales)) if s != j]
    assert np.isfinite(panel.scale_means[r, other]).all()


def _two_groupings(extra: int):
    """40 people: units A and B of 20 each; region "north" is unit A plus ``extra`` people of B."""
    rs, _ = al.simulate(SEL, 40, levels=np.repeat([2, 4], 20), random_state=5)
    unit = np.repeat(["A", "B"], 20)
    region = np.where(np.arange(40) < 20 + extra, "north", "south")
    rs = replace(rs, respondent_ids=np.char.add("p", np.arange(40).astype(str)), unit=unit, groups={"region": region})
    return {"2024": al.assess(SEL, rs)}


def test_two_groupings_of_the_same_people_cannot_be_differenced():
    """The audit's "two groupings" attack: north (unit A plus two people of B) minus unit A gives
    those two people's figures. Each table hides its side of such a pair."""
    waves = _two_groupings(extra=2)
    by_unit = al.progress(waves, by="unit")
    by_region = al.progress(waves, by="region")
    u = {g: i for i, g in enumerate(by_unit.group)}
    r = {g: i for i, g in enumerate(by_region.group)}
    attack = (by_region.mean_expected_level[r["north"]] * by_region.n[r["north"]]
              - by_unit.mean_expected_level[u["A"]] * by_unit.n[u["A"]])
    assert np.isnan(attack)
    assert by_unit.suppressed[u["A"]] and by_region.suppressed[r["north"]]
    assert not by_unit.suppressed[u["(all)"]]  # the total stays: the hidden cells hold 40
    # the same groupings with nobody between them (north is exactly A) hide nothing
    same = _two_groupings(extra=0)
    assert not al.progress(same, by="unit").suppressed.any()
    # and with enough people between them (north = A + 6 of B), nothing either
    assert not al.progress(_two_groupings(extra=6), by="unit").suppressed.any()


def test_level_decisions_by_one_grouping_cannot_be_differenced_against_another():
    """The same rule in level decisions: by region, "north" is unit A plus two people."""
    a = _two_groupings(extra=2)["2024"]
    by_region = al.level_decisions_by_group(a, "region")
    by_unit = al.level_decisions_by_group(a, "unit")
    assert by_region.suppressed.all() and by_unit.suppressed.all()
    assert np.isnan(by_region.shares).all() and np.isnan(by_unit.shares).all()
    ok = _two_groupings(extra=0)["2024"]
    assert not al.level_decisions_by_group(ok, "region").suppressed.any()
    assert not al.level_decisions_by_group(ok, np.asarray(ok.unit)).suppressed.any()
