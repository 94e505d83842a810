"""The theory prior: the GGUM and distance-decay response processes and the model they imply."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from akhlak_levels.model import distance_decay_probabilities, ggum_probabilities

ALPHA, TAU = 0.8, [-2.4, -1.8, -1.2, -0.6]


def ggum_by_the_formula(theta, delta, alpha, tau):
    """Roberts, Donoghue & Laughlin (2000), eq. 1, transcribed term by term (an oracle written
    independently of the vectorised code)."""
    C = len(tau)
    M = 2 * C + 1
    taus = [0.0] + list(tau)

    def term(z):
        s = sum(taus[: z + 1])
        return math.exp(alpha * (z * (theta - delta) - s)) + math.exp(alpha * ((M - z) * (theta - delta) - s))

    denom = sum(term(w) for w in range(C + 1))
    return [term(z) / denom for z in range(C + 1)]


@given(
    d=st.floats(-6, 6),
    alpha=st.floats(0.2, 3),
    tau=st.lists(st.floats(-3, 0.5), min_size=1, max_size=6),
)
def test_ggum_matches_the_published_formula(d, alpha, tau):
    expected = ggum_by_the_formula(d, 0.0, alpha, tau)
    np.testing.assert_allclose(ggum_probabilities(np.array(d), alpha, tau), expected, rtol=1e-9, atol=1e-15)


def test_ggum_is_symmetric_and_single_peaked_in_the_distance():
    d = np.arange(-4, 5)
    p = ggum_probabilities(d, ALPHA, TAU)
    np.testing.assert_allclose(p, p[::-1], rtol=1e-12)  # same probabilities at +d and -d
    top = p[:, -1]
    assert top.argmax() == 4 and np.all(np.diff(top[4:]) < 0)  # agreement peaks at the keyed level


def test_bundled_prior_has_monotone_likelihood_ratios_for_the_keyed_level():
    """Raising agreement with an item keyed to level k raises the evidence for k against every
    other level: log P(c | k) - log P(c | j) is increasing in c. This is what makes p_k
    non-decreasing in the answer (tested on assess in test_assessment)."""
    P = ggum_probabilities(np.arange(0, 5), ALPHA, TAU)  # rows: distance 0..4
    for j in range(1, 5):
        assert np.all(np.diff(np.log(P[0]) - np.log(P[j])) > 0)


def test_choice_probabilities_fall_with_the_distance_between_levels():
    p = distance_decay_probabilities([3, 1, 5, 2, 4], 1.0)
    np.testing.assert_allclose(p.sum(axis=0), 1.0)
    for k in range(5):
        order = np.argsort(np.abs(np.array([3, 1, 5, 2, 4]) - (k + 1)))
        assert p[order[0], k] == p[:, k].max()
    assert p[0, 2] == pytest.approx(1 / (1 + 2 * math.exp(-1) + 2 * math.exp(-2)))


def test_default_model_is_built_from_the_keys(sel):
    m = sel.default_model
    assert m.kind == "theory-prior"
    np.testing.assert_allclose(m.prior, 0.2)
    for it, p in zip(sel.items, m.item_probabilities):
        if it.type == "likert":
            expected = ggum_probabilities(np.arange(1, 6) - it.level, ALPHA, TAU).T
            if it.reverse:
                expected = expected[::-1]
        else:
            expected = distance_decay_probabilities(it.option_levels, 1.0)
        np.testing.assert_allclose(p, expected, rtol=1e-12)


def test_a_reverse_keyed_item_is_disagreed_with_most_at_its_level(sel):
    m = sel.default_model
    for it, p in zip(sel.items, m.item_probabilities):
        if it.type == "likert" and it.reverse:
            assert p[0].argmax() == it.level - 1  # "strongly disagree" is most likely at the keyed level


def test_the_default_model_says_it_is_a_theory_prior(sel):
    prov = sel.default_model.provenance
    assert prov["method"] == "theory-prior"
    assert "not an empirical calibration" in prov["description"]


@given(
    delta=st.integers(1, 5),
    alpha=st.floats(0.3, 2.5),
    tau=st.lists(st.floats(-3, 0.5), min_size=2, max_size=5),
)
def test_ggum_matches_girth_a_published_implementation(delta, alpha, tau):
    """girth (Ryan Sanchez, MIT; ``girth.synthetic``) computes the GGUM as a partial credit model
    on 2C+2 categories with step difficulties delta + (tau_1..tau_C, 0, -tau_C..-tau_1), folded.
    Our closed form must give the same probabilities to 1e-10."""
    polytomous = pytest.importorskip("girth.synthetic.polytomous")
    theta = np.arange(1.0, 6.0)
    tau = np.asarray(tau)
    difficulty = delta + np.concatenate([tau, [0.0], -tau[::-1]])
    out = np.zeros((len(difficulty) + 1, len(theta)))
    polytomous._unfold_func(difficulty, alpha, theta, out)
    expected = out[: len(tau) + 1].T
    np.testing.assert_allclose(ggum_probabilities(theta - delta, alpha, tau), expected, rtol=1e-10, atol=1e-14)
