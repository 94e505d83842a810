"""Reliable change per respondent: posterior move probabilities and scale RCIs computed by
hand, unmatched respondents, false-positive rates among non-changers and recovery of a known
share of improvers in simulation, and bad parameters."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from scipy import stats

import akhlak_levels as al
from akhlak_levels.growth import VERDICTS, reliable_change
from growth_helpers import BER, SEL, binomial_bound, made, onehot, simulated_waves


def test_posterior_probabilities_of_a_move_are_computed_as_by_hand():
    p = [[0.5, 0.5, 0, 0, 0], [0, 0, 1, 0, 0]]
    q = [[0, 0.5, 0.5, 0, 0], [0, 0.9, 0.1, 0, 0]]
    rc = reliable_change(made(SEL, ["a", "b"], probs=p), made(SEL, ["a", "b"], probs=q))
    # a: P(L2 > L1) = 0.5 (L1=1) * 1 + 0.5 (L1=2) * 0.5 (L2=3) = 0.75; P(L2 < L1) = 0
    # b: P(L2 < L1) = 0.9; P(L2 > L1) = 0
    np.testing.assert_allclose(rc.p_improved, [0.75, 0.0], atol=1e-15)
    np.testing.assert_allclose(rc.p_declined, [0.0, 0.9], atol=1e-15)
    # d = E2 - E1: a: 2.5 - 1.5 = 1; b: 2.1 - 3 = -0.9; SE from the two posterior variances
    np.testing.assert_allclose(rc.expected_change, [1.0, -0.9], atol=1e-12)
    np.testing.assert_allclose(rc.expected_change_se, [math.sqrt(0.25 + 0.25), math.sqrt(0 + 0.09)], atol=1e-12)
    assert rc.verdict.tolist() == ["no reliable change", "no reliable change"]  # 0.75, 0.9 < 0.95
    assert reliable_change(made(SEL, ["a", "b"], probs=p), made(SEL, ["a", "b"], probs=q), confidence=0.7).verdict.tolist() == [
        "improved", "declined"]
    assert rc.level_change.tolist() == [1.0, -1.0]  # a: 0.5 is not below min_confidence; the tie goes to level 1


def test_respondents_in_one_wave_are_reported_as_unmatched_not_dropped():
    p = onehot([1, 2, 3])
    rc = reliable_change(made(SEL, ["a", "b", "c"], probs=p), made(SEL, ["d", "c", "b"], probs=onehot([5, 4, 2])))
    assert rc.respondent_ids.tolist() == ["a", "b", "c", "d"]  # before's order, then after-only
    assert rc.in_before.tolist() == [True, True, True, False]
    assert rc.in_after.tolist() == [False, True, True, True]
    assert rc.verdict.tolist() == ["unmatched", "no reliable change", "improved", "unmatched"]
    assert rc.level_before.tolist() == [1, 2, 3, -1] and rc.level_after.tolist() == [-1, 2, 4, 5]
    assert rc.counts() == {"improved": 1, "declined": 0, "no reliable change": 1, "unmatched": 2}
    rec = rc.to_records()
    json.dumps(rec, allow_nan=False)
    assert rec[0]["level_after"] is None and rec[3]["level_before"] is None and rec[2]["level_change"] == 1
    assert set(rc.verdict) <= set(VERDICTS)


@pytest.mark.parametrize("missing", [0.0, 0.5, 0.8])
@pytest.mark.parametrize("confidence", [0.9, 0.95, 0.99])
def test_false_positive_rate_among_non_changers_is_at_most_nominal(missing, confidence):
    """Answers simulated from the default model and scored with it (where the posteriors are
    valid): people whose true level did not change get a verdict at most 1 - confidence of the
    time, within three binomial standard errors (docs/growth.md, Table 1: at most 0.037 at 0.90,
    0.015 at 0.95, 0.003 at 0.99)."""
    n = 20000
    lv = np.random.default_rng(1).integers(1, 6, n)
    a1, a2 = simulated_waves(n, [lv, lv], missing=missing, seed=int(100 * missing) + int(1000 * confidence))
    rc = reliable_change(a1, a2, confidence=confidence)
    rate = float(np.mean(rc.verdict != "no reliable change"))
    assert rate <= binomial_bound(1 - confidence, n)


def test_a_known_share_of_improvers_is_recovered():
    """30% of people (below level 5) move up one level; with the full questionnaire 95% of them
    are found, none is called 'declined', and among the rest the false-positive rate stays under
    the nominal 5%. Observed: recall 0.962, false positives 0.002."""
    n = 10000
    rng = np.random.default_rng(7)
    lv = rng.integers(1, 6, n)
    up = (rng.random(n) < 0.3) & (lv < 5)
    a1, a2 = simulated_waves(n, [lv, lv + up], seed=8)
    v = reliable_change(a1, a2).verdict
    recall = np.mean(v[up] == "improved")
    assert recall >= 0.93  # observed 0.962; binomial SE with 2,348 improvers is 0.004
    assert not np.any(v[up] == "declined")
    assert np.mean(v[~up] != "no reliable change") <= binomial_bound(0.05, int((~up).sum()))
    # the share called improved is the true share times the recall, plus false positives
    assert abs(np.mean(v == "improved") - up.mean() * recall) < 0.01


def test_scale_rcis_with_a_bonferroni_verdict_control_false_positives_when_classical_test_theory_holds():
    """Scores = true score + normal error with a known SEM (the model the Jacobson-Truax RCI
    assumes), on the lattice of a six-item five-point scale (steps of 100/24), seven scales: one
    verdict per person keeps the false-positive rate under 5%, where a verdict whenever any
    scale's RCI passes 1.96 gives about 1 - 0.95^7 = 30%."""
    n, h = 20000, 100 / 24
    sd_error = np.array([4.0, 5.0, 6.0, 4.5, 5.5, 3.5, 6.5])
    rng = np.random.default_rng(3)
    true = rng.uniform(30, 70, (n, 1)) + rng.normal(0, 8, (n, 7))
    ids = np.arange(n).astype(str)

    def observed():
        return np.round((true + rng.normal(0, 1, (n, 7)) * sd_error) / h) * h

    sem = np.sqrt(sd_error**2 + h * h / 12)  # rounding to the lattice adds h^2 / 12
    rc = reliable_change(made(BER, ids, scores=observed()), made(BER, ids, scores=observed()), sem=sem)
    assert rc.method == "scales"
    rate = float(np.mean(rc.verdict != "no reliable change"))
    assert rate <= binomial_bound(0.05, n)
    assert rate >= 0.01  # conservative (the continuity correction) but not useless; observed 0.019
    naive = np.mean((np.abs(rc.scale_rci) > 1.96).any(axis=1))
    assert naive == pytest.approx(1 - 0.95**7, abs=0.03)


def test_the_rci_is_the_jacobson_truax_ratio_inflated_for_unanswered_items():
    s1 = np.full((2, 7), 50.0)
    s2 = s1 + np.array([[10.0] * 7, [10.0] * 7])
    scale_ids = [s.id for s in BER.scales]
    loyal = scale_ids.index("loyal")
    b = made(BER, ["x", "y"], scores=s1)
    # y answers 3 of the 6 items of every scale after, but all of loyal's: each scale its own count
    half = np.array([[6] * 7, [3] * 7])
    half[1, loyal] = 6
    a = made(BER, ["x", "y"], scores=s2, n_answered=[BER.n_items, BER.n_items // 2], scale_answered=half)
    rc = reliable_change(b, a, sem={s: 5.0 for s in scale_ids} | {"loyal": 2.0})
    assert rc.scale_rci[0, 0] == pytest.approx(10 / (math.sqrt(2) * 5))
    assert rc.scale_rci[0, loyal] == pytest.approx(10 / (math.sqrt(2) * 2.0))
    assert rc.scale_rci[1, 0] == pytest.approx(10 / (5 * math.sqrt(1 + 2)))  # half the items: error variance doubles
    assert rc.scale_rci[1, loyal] == pytest.approx(10 / (math.sqrt(2) * 2.0))  # loyal complete: not widened
    # six five-point items: scores move in steps of 100 / 24; the verdict subtracts half a step
    np.testing.assert_allclose(rc.scale_steps, 100 / 24)
    # Bonferroni over 7 scales at 0.95 needs 2.69: loyal's (10 - 2.08) / 2.83 = 2.80 passes, for
    # y too (loyal complete); over the whole questionnaire's answered share it would not have
    assert stats.norm.isf(0.05 / 14) == pytest.approx(2.6901, abs=1e-4)
    assert rc.verdict.tolist() == ["improved", "improved"]
    rc3 = reliable_change(b, a, sem={s: 5.0 for s in scale_ids} | {"loyal": 2.2})  # (10 - 2.08) / 3.11 = 2.55
    assert rc3.scale_rci[0, loyal] > 2.69 and rc3.verdict[0] == "no reliable change"
    np.testing.assert_allclose(rc.index_change, [10.0, 10.0])


def test_reliability_gives_the_sem_from_the_baseline_sd():
    rng = np.random.default_rng(0)
    s1 = rng.uniform(20, 80, (50, 7))
    b = made(BER, np.arange(50), scores=s1)
    a = made(BER, np.arange(50), scores=s1 + 1)
    rc = reliable_change(b, a, reliability=0.84)
    np.testing.assert_allclose(rc.sem, s1.std(axis=0, ddof=1) * 0.4)
    responses, _ = al.simulate(SEL, 300, random_state=0)
    t = al.reliability(SEL, responses)
    a_sel = al.assess(SEL, responses)
    rc2 = reliable_change(a_sel, a_sel, reliability=t)
    np.testing.assert_array_equal(rc2.sem, t.sem)
    assert np.all(rc2.scale_change == 0) and np.all(rc2.verdict == "no reliable change")


def test_without_sem_the_level_verdict_is_used_and_the_result_says_so():
    a1, a2 = simulated_waves(20, [np.full(20, 2), np.full(20, 3)], seed=4)
    rc = reliable_change(a1, a2)
    assert rc.method == "levels" and np.isnan(rc.scale_rci).all()
    assert any("no SEM" in n for n in rc.notes)
    assert np.all(rc.verdict == "improved")
    assert rc.to_frame().shape[0] == 20


BAD_RC = [
    pytest.param(dict(confidence=0.5), ValueError, "confidence", id="confidence-at-one-half"),
    pytest.param(dict(confidence=1.0), ValueError, "confidence", id="confidence-one"),
    pytest.param(dict(method="bayes"), ValueError, "method", id="unknown-method"),
    pytest.param(dict(method="scales", sem=5.0), ValueError, "keyed to levels", id="scales-on-level-keyed-scales"),
    pytest.param(dict(sem=[1.0, 2.0]), ValueError, "one value per scale", id="sem-wrong-length"),
    pytest.param(dict(sem={"dependent": 1.0}), ValueError, "missing", id="sem-dict-missing-scales"),
    pytest.param(dict(sem=1.0, reliability=0.8), ValueError, "not both", id="sem-and-reliability"),
    pytest.param(dict(reliability=1.5), ValueError, r"\[0, 1\]", id="reliability-above-one"),
    pytest.param(dict(min_confidence=2.0), ValueError, "min_confidence", id="min-confidence-above-one"),
]


@pytest.mark.parametrize("kwargs, exc, message", BAD_RC)
def test_bad_parameters_of_reliable_change_say_what_was_expected(kwargs, exc, message):
    a = made(SEL, ["a", "b"], probs=onehot([1, 2]))
    with pytest.raises(exc, match=message):
        reliable_change(a, a, **kwargs)


def test_berakhlak_without_sem_or_reliability_asks_for_one():
    b = made(BER, ["a"], scores=np.full((1, 7), 50.0))
    with pytest.raises(ValueError, match="pass sem= or reliability="):
        reliable_change(b, b)
    with pytest.raises(ValueError, match="needs level probabilities"):
        reliable_change(b, b, method="levels", sem=5.0)
