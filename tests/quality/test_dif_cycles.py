"""DIF purification that cycles (issue 10, item 5): detected, reported and closed by the
documented rule, on constructed sequences of flagged sets and on psych's bfi by gender."""

import importlib
from pathlib import Path

import numpy as np
import pytest

import akhlak_levels as al
from akhlak_levels.quality import dif
from akhlak_levels.responses import MISSING

fits_module = importlib.import_module("akhlak_levels.quality._dif_fits")
dif_module = importlib.import_module("akhlak_levels.quality._dif")
purification_rounds = fits_module.purification_rounds
REF_DIR = Path(__file__).resolve().parents[1] / "reference"


def scripted(script):
    """A round that flags script[left_out] and records the sets it was given."""
    seen = []

    def one_round(left_out):
        seen.append(left_out)
        return sorted(left_out), frozenset(script[left_out])

    return one_round, seen


A, AB, BC, ABC, B = (frozenset(x) for x in ("a", "ab", "bc", "abc", "b"))


@pytest.mark.parametrize("on_cycle,closing", [("union", ABC), ("intersection", B)])
def test_a_two_set_cycle_is_detected_reported_and_closed_by_the_rule(on_cycle, closing):
    one_round, seen = scripted({frozenset(): AB, AB: BC, BC: AB, ABC: A, B: BC})
    done = purification_rounds(one_round, purify=True, max_rounds=10, on_cycle=on_cycle)
    assert done.status == "cycle"
    assert done.cycle == (AB, BC)  # in the order the rounds visited them
    assert seen == [frozenset(), AB, BC, closing]  # the closing round, once
    assert done.excluded == closing and done.result == sorted(closing) and done.rounds == 4


def test_a_cycle_through_the_empty_set_and_a_fixed_point_are_told_apart():
    one_round, _ = scripted({frozenset(): A, A: frozenset()})
    done = purification_rounds(one_round, purify=True, max_rounds=10)
    assert (done.status, done.cycle, done.excluded, done.rounds) == ("cycle", (frozenset(), A), A, 3)
    one_round, _ = scripted({frozenset(): A, A: A})
    done = purification_rounds(one_round, purify=True, max_rounds=10)
    assert (done.status, done.cycle, done.excluded, done.rounds) == ("converged", (), A, 2)
    one_round, _ = scripted({frozenset(): frozenset()})
    assert purification_rounds(one_round, purify=True, max_rounds=10).status == "converged"


def test_max_rounds_and_no_purification_end_the_rounds_and_say_so():
    chain = {frozenset(): A, A: AB, AB: ABC, ABC: frozenset("abcd")}
    one_round, seen = scripted(chain)
    done = purification_rounds(one_round, purify=True, max_rounds=3)
    assert (done.status, done.rounds, done.excluded, done.cycle) == ("max_rounds", 3, AB, ())
    one_round, seen = scripted(chain)
    done = purification_rounds(one_round, purify=False, max_rounds=3)
    assert (done.status, done.rounds, seen) == ("off", 1, [frozenset()])


def test_dif_reports_a_constructed_cycle_in_its_table(monkeypatch):
    """dif with fits scripted to cycle: items 0 and 1 flagged, then 1 and 2, then 0 and 1 ..."""
    q = al.load_questionnaire("socio-emotional-levels")
    rs, _ = al.simulate(q, 120, random_state=3)
    ids = q.item_ids
    script = {frozenset(): {0, 1}, frozenset(ids[i] for i in (0, 1)): {1, 2}, frozenset(ids[i] for i in (1, 2)): {0, 1},
              frozenset(ids[i] for i in (0, 1, 2)): {2}}
    calls = []

    def fake_matching(q_, rs_, matching, model, exclude=frozenset()):
        calls.append(exclude)
        return [np.zeros(len(rs_))] * q_.n_items, [""] * q_.n_items, [""] * q_.n_items

    def fake_fits(Y, scores, labels, names, dummies, notes):
        chi2 = np.zeros(Y.shape[1])
        chi2[list(script[calls[-1]])] = 100.0
        out = {c: np.zeros(Y.shape[1]) for c in ("chi2_uniform", "chi2_nonuniform", "r2_m1", "r2_m2", "r2_m3", "beta_change")}
        out["chi2_total"] = chi2
        return out, np.full(Y.shape[1], len(labels)), np.full(Y.shape[1], 5)

    monkeypatch.setattr(dif_module, "_matching", fake_matching)
    monkeypatch.setattr(dif_module, "fit_items", fake_fits)
    t = dif(q, rs, np.repeat(["x", "y"], 60))
    assert (t.purification, t.converged, t.rounds) == ("cycle", False, 4)
    assert t.cycle == ((ids[0], ids[1]), (ids[1], ids[2]))
    assert t.purified == ids[:3]
    assert t.flagged.nonzero()[0].tolist() == [2]
    off = dif(q, rs, np.repeat(["x", "y"], 60), purify=False)
    assert (off.purification, off.rounds, off.cycle, off.converged) == ("off", 1, (), False)


def test_an_unknown_cycle_rule_is_refused():
    q = al.load_questionnaire("socio-emotional-levels")
    rs, _ = al.simulate(q, 40, random_state=0)
    with pytest.raises(ValueError, match="on_cycle"):
        dif(q, rs, np.repeat(["x", "y"], 20), on_cycle="last")


def test_bfi_by_gender_cycles_and_the_union_closes_it():
    """psych's bfi (2,800 respondents) by gender: the outside check's 7 rounds end with 15
    items flagged and 12 left out, the same in R with the same rule. The rounds visit 15, 17
    and 12 items, then 15 again; the closing round leaves out the union, 17 items, among them
    all five of Agreeableness, whose items then have no rest score (NaN rows saying so)."""
    pd = pytest.importorskip("pandas")
    q = al.load_questionnaire(str(REF_DIR.parent / "data" / "bfi-questionnaire.json"))
    df = pd.read_csv(REF_DIR / "bfi.csv")
    V = df[list(q.item_ids)].to_numpy(float)
    rs = al.ResponseSet(q, np.array([f"r{i}" for i in range(len(V))]), np.where(np.isnan(V), MISSING, V - 1).astype(np.int8))
    t = dif(q, rs, np.where(df["gender"] == 1, "male", "female"))
    assert t.purification == "cycle" and not t.converged
    assert [len(c) for c in t.cycle] == [15, 17, 12]
    assert t.rounds == 8  # 7 rounds to see the cycle, one to close it
    union = set().union(*t.cycle)
    assert set(t.purified) == union and len(union) == 17
    assert {"A1", "A2", "A3", "A4", "A5"} <= union
    for i, item in enumerate(t.item):
        if item.startswith("A"):
            assert np.isnan(t.p_total[i]) and "no other item" in t.note[i]
    assert int(t.flagged.sum()) == 12
