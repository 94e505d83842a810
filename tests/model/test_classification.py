"""Expected classification accuracy and consistency (Rudner; Lee) against hand computation and
against simulated repeated administrations with known truth."""

import math

import numpy as np
import pytest

import akhlak_levels as al
from akhlak_levels.model import quality_from_probabilities

SEL = al.load_questionnaire("socio-emotional-levels")


def test_a_hand_computed_example():
    p = np.array(
        [
            [0.7, 0.3, 0.0, 0.0, 0.0],
            [0.2, 0.8, 0.0, 0.0, 0.0],
            [0.0, 0.4, 0.6, 0.0, 0.0],
            [0.0, 0.0, 0.0, 0.1, 0.9],
        ]
    )
    cq = quality_from_probabilities(p)
    assert cq.accuracy == pytest.approx((0.7 + 0.8 + 0.6 + 0.9) / 4)
    C = np.zeros((5, 5))
    C[:, 0] = p[0]
    C[:, 1] = p[1]
    C[:, 2] = p[2]
    C[:, 4] = p[3]
    np.testing.assert_allclose(cq.expected_confusion, C)
    M = C / C.sum(axis=1, keepdims=True)
    w = C.sum(axis=1) / 4
    assert cq.consistency == pytest.approx(float(np.sum(w * (M**2).sum(axis=1))))
    np.testing.assert_allclose(cq.true_share, w)
    chance = float(np.sum((w @ M) ** 2))
    assert cq.kappa == pytest.approx((cq.consistency - chance) / (1 - chance))


def test_certain_posteriors_give_perfect_accuracy_and_consistency():
    p = np.eye(5)[[0, 1, 2, 3, 4, 2]]
    cq = quality_from_probabilities(p)
    assert (cq.accuracy, cq.consistency, cq.kappa) == pytest.approx((1.0, 1.0, 1.0))


@pytest.mark.parametrize("missing", [0.0, 0.6])
def test_expected_accuracy_and_consistency_match_repeated_administrations(missing):
    """Under the true model, the expected accuracy must match the observed agreement with the
    true levels, and the expected consistency the observed agreement of two independent
    administrations to the same people, each within 4 binomial standard errors (n = 6000)."""
    n = 6000
    levels = np.random.default_rng(0).integers(1, 6, n)
    first, _ = al.simulate(SEL, n, levels=levels, missing=missing, random_state=1)
    second, _ = al.simulate(SEL, n, levels=levels, missing=missing, random_state=2)
    a1 = al.assess(SEL, first, min_confidence=0)
    a2 = al.assess(SEL, second, min_confidence=0)
    cq = al.classification_quality(SEL, a1)
    observed_acc = float((a1.level == levels).mean())
    observed_cons = float((a1.level == a2.level).mean())
    for expected, observed in ((cq.accuracy, observed_acc), (cq.consistency, observed_cons)):
        se = math.sqrt(expected * (1 - expected) / n)
        assert abs(expected - observed) < 4 * se + 1e-3


def test_it_is_reported_by_calibrate_and_serialisable():
    rs, _ = al.simulate(SEL, 2000, random_state=0)
    m = al.calibrate(SEL, rs, n_init=1, random_state=0)
    c = m.provenance["fit"]["classification"]
    assert set(c) == {"n", "accuracy", "consistency", "kappa", "expected_confusion", "accuracy_by_level", "consistency_by_level", "true_share"}
    assert 0.9 < c["accuracy"] <= 1


def test_a_questionnaire_without_levels_has_no_classification(berakhlak):
    with pytest.raises(ValueError, match="needs level probabilities"):
        al.classification_quality(berakhlak, np.full((2, berakhlak.n_items), 3.0))
