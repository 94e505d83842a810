"""Level transitions: tables computed by hand, table sums (property), the corrected table
recovering a known transition matrix in simulation, the prior or model used, and bad input."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

import akhlak_levels as al
from akhlak_levels.growth import transitions
from growth_helpers import BER, SEL, made, onehot, simulated_waves


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
