"""simulate: reproducible draws whose frequencies match the model."""

import numpy as np
import pytest

import akhlak_levels as al


def test_the_same_seed_gives_the_same_responses(sel):
    a, ta = al.simulate(sel, 300, random_state=11, missing=0.2)
    b, tb = al.simulate(sel, 300, random_state=np.random.default_rng(11), missing=0.2)
    np.testing.assert_array_equal(a.codes, b.codes)
    np.testing.assert_array_equal(ta, tb)
    c, _ = al.simulate(sel, 300, random_state=12, missing=0.2)
    assert not np.array_equal(a.codes, c.codes)


def test_answer_frequencies_match_the_class_conditional_probabilities(sel):
    """For each item and level the observed option shares must lie within 5 binomial SEs of the
    model's probabilities (38 items x 5 levels x 5 options = 950 checks; 5 SE keeps the chance of
    a false alarm below 1e-3)."""
    n_per = 4000
    levels = np.repeat(np.arange(1, 6), n_per)
    rs, truth = al.simulate(sel, len(levels), levels=levels, random_state=5)
    np.testing.assert_array_equal(truth, levels)
    for i, p in enumerate(sel.default_model.item_probabilities):
        for k in range(5):
            codes = rs.codes[truth == k + 1, i]
            observed = np.bincount(codes, minlength=p.shape[0]) / n_per
            se = np.sqrt(p[:, k] * (1 - p[:, k]) / n_per)
            assert np.all(np.abs(observed - p[:, k]) <= 5 * se + 1e-9), (sel.items[i].id, k + 1)


def test_levels_are_drawn_from_the_prior(sel):
    prior = np.array([0.05, 0.1, 0.4, 0.3, 0.15])
    m = al.LevelModel.from_probabilities(sel, sel.default_model.item_probabilities, prior)
    _, truth = al.simulate(sel, 20000, m, random_state=1)
    shares = np.bincount(truth, minlength=6)[1:] / 20000
    assert np.all(np.abs(shares - prior) < 5 * np.sqrt(prior * (1 - prior) / 20000))


def test_missing_answers_are_deleted_at_the_requested_rate(sel):
    rs, _ = al.simulate(sel, 5000, random_state=2, missing=0.3)
    assert abs((rs.codes == al.MISSING).mean() - 0.3) < 0.005


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"n": 0}, ValueError, "The 'n' parameter of simulate must be a positive integer. Got 0 instead."),
        ({"n": 3, "missing": 1.0}, ValueError, "The 'missing' parameter of simulate must be in [0, 1). Got 1.0 instead."),
        ({"n": 2, "levels": [1, 6]}, ValueError, "The 'levels' parameter of simulate must hold 2 integers in 1..5."),
        ({"n": 2, "random_state": "seed"}, TypeError, "The 'random_state' parameter must be an int, a numpy.random.Generator or None. Got str instead."),
    ],
    ids=["no-respondents", "all-missing", "level-six", "string-seed"],
)
def test_bad_arguments_are_named(sel, kwargs, error, message):
    with pytest.raises(error) as err:
        al.simulate(sel, **kwargs)
    assert str(err.value) == message


def test_a_questionnaire_without_a_model_cannot_be_simulated(berakhlak):
    with pytest.raises(al.ModelError, match="has no default level model"):
        al.simulate(berakhlak, 3)
