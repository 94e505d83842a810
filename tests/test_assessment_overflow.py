"""A posterior that is not finite (extreme but finite weights whose sum overflows) gives level 0
and the flag "non-finite-posterior", never a level; everyone else is scored as before."""

import numpy as np
import pytest
from hypothesis import event, example, given
from hypothesis import strategies as st

import akhlak_levels as al

SEL = al.load_questionnaire("socio-emotional-levels")
BIG = 1e308


def _model(weights, kind="logistic", log_prior=None):
    return al.LevelModel(
        questionnaire_id=SEL.id,
        questionnaire_version=SEL.version,
        questionnaire_hash=SEL.content_hash,
        item_ids=SEL.item_ids,
        weights=tuple(weights),
        log_prior=np.zeros(5) if log_prior is None else np.asarray(log_prior, dtype=float),
        kind=kind,
    )


def _zeros():
    return [np.zeros((it.n_options, 5)) for it in SEL.items]


def _responses(codes):
    codes = np.asarray(codes, dtype=np.int8)
    return al.ResponseSet(SEL, np.array([f"r{i}" for i in range(len(codes))]), codes)


def _codes(first_two):
    """Three respondents; the first two answers as given, every other item option 3 (code 2)."""
    codes = np.full((len(first_two), SEL.n_items), 2, dtype=np.int8)
    codes[:, :2] = first_two
    return codes


@pytest.mark.filterwarnings("error")  # no numpy overflow warning leaks to the user either
def test_a_softmax_posterior_that_overflows_gives_level_0_and_a_flag():
    """Audit: 1e308 + 1e308 overflowed to inf, inf - inf is NaN, and NaN's argmax is level 1."""
    w = _zeros()
    w[0][0, 3] = BIG  # option 1 of the first two items: overwhelming evidence for level 4
    w[1][0, 3] = BIG
    w[0][4, 1] = 5.0  # option 5 of item 1: clear evidence for level 2
    a = al.assess(SEL, _responses(_codes([[0, 0], [0, 2], [4, 2]])), _model(w))
    assert a.level.tolist() == [0, 4, 2]
    assert a.flags["non-finite-posterior"].tolist() == [True, False, False]
    assert a.flags.for_respondent(0) == ("non-finite-posterior",)  # not low-confidence: undetermined for another reason
    assert np.isnan(a.probabilities[0]).all() and np.isnan(a.entropy[0])
    assert np.isnan([a.confidence[0], a.expected_level[0], a.expected_level_sd[0]]).all()
    np.testing.assert_allclose(a.probabilities[1:].sum(axis=1), 1.0)
    assert a.to_records()[0]["level"] == 0 and a.to_records()[0]["p_level_1"] is None


@pytest.mark.filterwarnings("error")
def test_an_ordinal_posterior_that_overflows_gives_level_0_and_a_flag():
    w = _zeros()
    w[0][0, :] = -BIG  # -beta repeated: eta = +2e308 overflows
    w[1][0, :] = -BIG
    a = al.assess(SEL, _responses(_codes([[0, 0], [0, 2]])), _model(w, "ordinal", [-1.0, 0.0, 1.0, 2.0, 0.0]))
    assert a.level.tolist()[0] == 0 and a.level.tolist()[1] != 0
    assert a.flags["non-finite-posterior"].tolist() == [True, False]
    assert np.isnan(a.probabilities[0]).all()


def test_the_flag_is_absent_when_every_posterior_is_finite(sel):
    rs, _ = al.simulate(sel, 20, random_state=0)
    assert "non-finite-posterior" not in al.assess(sel, rs).flags.names


def test_the_kernel_marks_the_respondent_in_every_chunk():
    w = _zeros()
    w[0][0, 0] = BIG
    w[1][0, 0] = BIG
    codes = _codes([[0, 0], [1, 1]] * 5)
    probs = al.model.level_probabilities(_model(w), SEL, codes, chunk_size=3)
    assert np.isnan(probs[:, 0]).tolist() == [True, False] * 5


@given(
    scale=st.sampled_from([1.0, 1e100, 1e300, 1.7e308]),
    cells=st.lists(st.tuples(st.integers(0, 37), st.integers(0, 4), st.integers(0, 4), st.sampled_from([-1.0, 1.0])), max_size=8),
    kind=st.sampled_from(["logistic", "ordinal"]),
    answers=st.lists(st.integers(-1, 4), min_size=38, max_size=38),
)
@example(scale=1.7e308, cells=[(0, 0, 0, 1.0), (1, 0, 0, 1.0)], kind="logistic", answers=[2] * 38)
@example(scale=1e308, cells=[(0, 0, 0, 1.0), (1, 0, 1, -1.0)], kind="logistic", answers=[2] * 38)
def test_every_respondent_has_a_distribution_or_level_0_and_the_flag(scale, cells, kind, answers):
    w = _zeros()
    answers = list(answers)
    for item, option, level, sign in cells:
        answers[item] = option  # the respondent gives every extreme answer
        if kind == "ordinal":
            w[item][option, :] = sign * scale
        else:
            w[item][option, level] = sign * scale
    log_prior = [-1.0, 0.0, 1.0, 2.0, 0.0] if kind == "ordinal" else None
    a = al.assess(SEL, _responses([answers]), _model(w, kind, log_prior))
    flagged = bool(a.flags["non-finite-posterior"][0])
    event(f"flagged: {flagged}")
    if flagged:
        assert a.level[0] == 0 and np.isnan(a.probabilities[0]).all()
    else:
        assert np.isfinite(a.probabilities[0]).all() and a.probabilities[0].sum() == pytest.approx(1.0)
        assert np.isfinite(a.entropy[0])
