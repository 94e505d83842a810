"""Growth: reliable change, transitions, progress and trajectories.

Hand-computed examples, oracles (scipy's t-tests, numpy's polyfit, scipy's linregress),
properties (permutation invariance, suppression, table sums), recovery from simulation with
known truth (false-positive rate among non-changers, share of improvers, a known transition
matrix), and bad input.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

import akhlak_levels as al
from akhlak_levels.growth import (
    VERDICTS,
    progress,
    reliable_change,
    trajectories,
    transitions,
)

SEL = al.load_questionnaire("socio-emotional-levels")
BER = al.load_questionnaire("berakhlak")
LEVELS = np.arange(1, 6, dtype=float)
ROOT = Path(__file__).resolve().parents[2]


def binomial_bound(p: float, n: int, k: float = 3.0) -> float:
    """``p`` plus ``k`` binomial standard errors: an observed rate above this is evidence (at
    about the 0.1% level, one-sided) that the true rate exceeds ``p``."""
    return p + k * math.sqrt(p * (1 - p) / n)


def made(q, ids, *, probs=None, scores=None, n_answered=None, unit=None, wave=None, date=None, groups=None):
    """An Assessment with the given posteriors and scale scores (the rest consistent with them)."""
    ids = np.asarray(ids).astype(str)
    n = len(ids)
    a = al.assess(q, al.ResponseSet(q, ids, np.full((n, q.n_items), al.MISSING, dtype=np.int8)))
    ch: dict = {"n_answered": np.full(n, q.n_items) if n_answered is None else np.asarray(n_answered)}
    if probs is not None:
        p = np.asarray(probs, dtype=float)
        e = p @ LEVELS
        level = (p.argmax(axis=1) + 1).astype(np.int8)
        level[p.max(axis=1) < 0.5] = 0
        ch.update(
            probabilities=p, expected_level=e, expected_level_sd=np.sqrt(np.maximum(p @ LEVELS**2 - e**2, 0)),
            confidence=p.max(axis=1), level=level,
        )
    if scores is not None:
        s = np.asarray(scores, dtype=float)
        ch["scale_scores"] = s
        if q.index is not None:
            pos = [a.scale_ids.index(sid) for sid in q.index.scales]
            ch["index"] = s[:, pos].mean(axis=1)
            ch["index_category"] = q.index.categorize(ch["index"])
    for k, v in (("unit", unit), ("wave", wave), ("date", date)):
        if v is not None:
            ch[k] = np.asarray(v)
    if groups is not None:
        ch["groups"] = {k: np.asarray(v) for k, v in groups.items()}
    return replace(a, **ch)


def onehot(levels):
    p = np.full((len(levels), 5), 0.0)
    p[np.arange(len(levels)), np.asarray(levels) - 1] = 1.0
    return p


def simulated_waves(n, levels_by_wave, *, missing=0.0, seed=0):
    rng = np.random.default_rng(seed)
    out = []
    for lv in levels_by_wave:
        rs, _ = al.simulate(SEL, n, levels=lv, missing=missing, random_state=rng)
        out.append(al.assess(SEL, rs))
    return out


# =========================================================================== reliable_change


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
    n_items = BER.n_items
    b = made(BER, ["x", "y"], scores=s1, n_answered=[n_items, n_items])
    a = made(BER, ["x", "y"], scores=s2, n_answered=[n_items, n_items // 2])
    scale_ids = [s.id for s in BER.scales]
    rc = reliable_change(b, a, sem={s: 5.0 for s in scale_ids} | {"loyal": 2.0})
    loyal = scale_ids.index("loyal")
    assert rc.scale_rci[0, 0] == pytest.approx(10 / (math.sqrt(2) * 5))
    assert rc.scale_rci[0, loyal] == pytest.approx(10 / (math.sqrt(2) * 2.0))
    assert rc.scale_rci[1, 0] == pytest.approx(10 / (5 * math.sqrt(1 + 2)))  # half the items: error variance doubles
    # six five-point items: scores move in steps of 100 / 24; the verdict subtracts half a step
    np.testing.assert_allclose(rc.scale_steps, 100 / 24)
    # Bonferroni over 7 scales at 0.95 needs 2.69: x's loyal (10 - 2.08) / 2.83 = 2.80 passes
    assert stats.norm.isf(0.05 / 14) == pytest.approx(2.6901, abs=1e-4)
    assert rc.verdict.tolist() == ["improved", "no reliable change"]
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


def test_waves_from_different_questionnaires_or_models_are_refused():
    a = made(SEL, ["a"], probs=onehot([1]))
    b = made(BER, ["a"], scores=np.full((1, 7), 50.0))
    with pytest.raises(al.ModelError, match="same questionnaire.*socio-emotional-levels.*berakhlak"):
        reliable_change(a, b)
    other = replace(a, model_hash="sha256:0000", model_kind="latent-class")
    with pytest.raises(al.ModelError, match="same level model"):
        transitions(a, other)
    with pytest.raises(TypeError, match="Assessment"):
        reliable_change(a, "not an assessment")


def test_duplicate_ids_within_a_wave_are_refused():
    a = made(SEL, ["a", "a", "b"], probs=onehot([1, 2, 3]))
    with pytest.raises(ValueError, match=r"unique within a wave; wave before repeats \['a'\]"):
        reliable_change(a, a)


def test_berakhlak_without_sem_or_reliability_asks_for_one():
    b = made(BER, ["a"], scores=np.full((1, 7), 50.0))
    with pytest.raises(ValueError, match="pass sem= or reliability="):
        reliable_change(b, b)
    with pytest.raises(ValueError, match="needs level probabilities"):
        reliable_change(b, b, method="levels", sem=5.0)


# =========================================================================== transitions


T_TRUE = np.array([
    [0.60, 0.30, 0.10, 0.00, 0.00],
    [0.10, 0.60, 0.25, 0.05, 0.00],
    [0.00, 0.10, 0.60, 0.25, 0.05],
    [0.00, 0.00, 0.10, 0.70, 0.20],
    [0.00, 0.00, 0.00, 0.20, 0.80],
])


def test_transition_tables_computed_by_hand():
    p = [[0.8, 0.2, 0, 0, 0], [0, 0, 0.3, 0.7, 0], [0.2, 0.2, 0.2, 0.2, 0.2]]
    q = [[0, 1.0, 0, 0, 0], [0, 0, 0, 0.6, 0.4], [0, 0, 1.0, 0, 0]]
    t = transitions(made(SEL, ["a", "b", "c"], probs=p), made(SEL, ["a", "b", "c"], probs=q))
    expected_counts = np.zeros((5, 5), int)
    expected_counts[0, 1] = 1  # a: 1 -> 2
    expected_counts[3, 3] = 1  # b: 4 -> 4 ; c is undetermined before (0.2 < 0.5)
    np.testing.assert_array_equal(t.counts, expected_counts)
    assert (t.n_matched, t.n_undetermined) == (3, 1)
    np.testing.assert_allclose(t.expected, np.asarray(p).T @ np.asarray(q), atol=1e-15)
    assert t.expected[0, 1] == pytest.approx(0.8)
    assert t.expected[3, 4] == pytest.approx(0.7 * 0.4)
    # Wilson interval of 1 success in 1 trial at 95%: [1 / (1 + z^2), 1]
    z = stats.norm.isf(0.025)
    assert t.proportions_ci_lower[0, 1] == pytest.approx(1 / (1 + z * z))
    assert t.proportions_ci_upper[0, 1] == pytest.approx(1.0)
    assert np.isnan(t.proportions[2]).all()  # nobody determined at level 3 before
    recs = t.to_records()
    assert len(recs) == 25 and recs[1]["level_before"] == 1 and recs[1]["level_after"] == 2 and recs[1]["count"] == 1
    json.dumps(recs, allow_nan=False)


def test_with_certain_posteriors_the_corrected_table_is_the_raw_one():
    """One-hot posteriors leave nothing to correct: EM reaches the raw row proportions (its
    first step already does)."""
    rng = np.random.default_rng(5)
    l1 = rng.integers(1, 6, 500)
    l2 = np.clip(l1 + rng.integers(-1, 2, 500), 1, 5)
    t = transitions(made(SEL, np.arange(500), probs=onehot(l1)), made(SEL, np.arange(500), probs=onehot(l2)))
    np.testing.assert_allclose(t.corrected, t.proportions, atol=1e-9)
    np.testing.assert_allclose(t.corrected_initial, np.bincount(l1 - 1, minlength=5) / 500, atol=1e-9)


@given(st.integers(0, 2**32 - 1), st.integers(2, 40))
def test_table_sums_and_row_sums(seed, n):
    rng = np.random.default_rng(seed)
    p = rng.dirichlet(np.full(5, 0.3), n)
    q = rng.dirichlet(np.full(5, 0.3), n)
    ids = np.arange(n).astype(str)
    t = transitions(made(SEL, ids, probs=p), made(SEL, ids[::-1], probs=q))
    assert t.counts.sum() == t.n_matched - t.n_undetermined
    assert t.expected.sum() == pytest.approx(t.n_matched)
    np.testing.assert_allclose(t.corrected.sum(axis=1), 1.0, atol=1e-12)
    assert t.corrected_initial.sum() == pytest.approx(1.0)
    full = t.counts.sum(axis=1) > 0
    np.testing.assert_allclose(t.proportions[full].sum(axis=1), 1.0)
    inside = (t.proportions_ci_lower <= t.proportions + 1e-12) & (t.proportions <= t.proportions_ci_upper + 1e-12)
    assert inside[full].all()


def test_the_latent_transition_estimate_recovers_a_known_matrix_better_than_the_raw_table():
    """20,000 people, wave-1 levels from pi, wave-2 levels moved by a known T, 80% of answers
    missing at random so that about 15% are misclassified. The corrected estimate is within 0.05
    of every entry of T (about 4 sampling standard errors for a row of 2,000 people, sqrt(0.25 /
    2000) = 0.011, inflated by the misclassification); the raw row proportions are off by more
    than 0.15 (observed: 0.031 against 0.230; docs/growth.md, Table 4)."""
    n = 20000
    rng = np.random.default_rng(11)
    l1 = rng.choice(5, n, p=[0.15, 0.25, 0.30, 0.20, 0.10])
    l2 = (rng.random(n)[:, None] > np.cumsum(T_TRUE[l1], axis=1)).sum(axis=1)
    a1, a2 = simulated_waves(n, [l1 + 1, l2 + 1], missing=0.8, seed=12)
    t = transitions(a1, a2)
    assert t.converged
    err_corrected = np.abs(t.corrected - T_TRUE).max()
    err_raw = np.nanmax(np.abs(t.proportions - T_TRUE))
    err_expected = np.nanmax(np.abs(t.expected_proportions - T_TRUE))
    assert err_corrected < 0.05
    assert err_raw > 0.15 and err_expected > 0.15
    assert np.linalg.norm(t.corrected - T_TRUE) < np.linalg.norm(t.proportions - T_TRUE) / 4
    np.testing.assert_allclose(t.corrected_initial, np.bincount(l1, minlength=5) / n, atol=0.02)


def test_a_prior_or_the_scoring_model_can_be_given():
    a1, a2 = simulated_waves(50, [np.full(50, 2), np.full(50, 3)], seed=2)
    t = transitions(a1, a2, model=SEL.default_model)
    np.testing.assert_allclose(t.prior, SEL.default_model.prior)
    t2 = transitions(a1, a2, prior=[1, 1, 1, 1, 1])
    np.testing.assert_allclose(t2.corrected, t.corrected)  # the bundled prior is uniform
    other = al.LevelModel.from_probabilities(SEL, SEL.default_model.item_probabilities, prior=[0.1, 0.2, 0.4, 0.2, 0.1])
    with pytest.raises(al.ModelError, match="not the one these assessments were scored with"):
        transitions(a1, a2, model=other)
    with pytest.raises(ValueError, match="5 positive numbers"):
        transitions(a1, a2, prior=[1, 0, 1, 1, 1])


def test_transitions_need_levels_and_overlap():
    b = made(BER, ["a"], scores=np.full((1, 7), 50.0))
    with pytest.raises(ValueError, match="needs level probabilities"):
        transitions(b, b)
    with pytest.raises(ValueError, match="No respondent id appears in both waves"):
        transitions(made(SEL, ["a"], probs=onehot([1])), made(SEL, ["b"], probs=onehot([1])))


# =========================================================================== progress


def unit_waves(sizes_by_wave, *, seed=0, q=SEL, shared_ids=False):
    """One assessment per wave, with unit sizes as given, random posteriors and scores."""
    rng = np.random.default_rng(seed)
    out = {}
    for w, sizes in enumerate(sizes_by_wave):
        units = np.repeat([f"u{g}" for g in range(len(sizes))], sizes)
        n = len(units)
        ids = np.arange(n).astype(str) if shared_ids else np.char.add(f"w{w}-", np.arange(n).astype(str))
        probs = rng.dirichlet(np.full(5, 0.5), n) if q is SEL else None
        scores = rng.uniform(0, 100, (n, len(q.scales)))
        out[str(2020 + w)] = made(q, ids, probs=probs, scores=scores, unit=units)
    return out


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


def test_one_assessment_is_split_by_its_wave_column_and_missing_groups_are_named():
    w = unit_waves([[6, 6]], seed=2)["2020"]
    waves = np.array(["2024"] * 6 + ["2023"] * 6)
    units = w.unit.copy()
    units[:2] = ""
    t = progress(replace(w, wave=waves, unit=units), by="unit", min_group_size=1)
    assert list(t.waves) == ["2023", "2024"]
    assert "(missing)" in t.group.tolist()
    t2 = progress([replace(w, groups={"eselon": np.array(["II"] * 12)})], by="eselon", waves=["2023"])
    assert t2.group.tolist() == ["(all)", "II"]


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


# =========================================================================== trajectories


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
        k = tr.respondent_ids.tolist().index(ids[i])  # trajectories are in sorted id order
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


# =========================================================================== docs


