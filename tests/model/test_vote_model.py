"""Levels from votes through the level model (issue 11, item 4): the indicator view of a vote
instrument, ``assess`` of votes (theory prior and models), latent-class calibration of votes,
and vote models saved and loaded."""

import json
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from akhlak_levels import LevelModel, VoteSet, assess, calibrate, load_model, load_questionnaire, read_votes, vote_levels
from akhlak_levels.errors import ModelError, ResponseError
from akhlak_levels.model import (
    inclusion_probabilities,
    indicator_ids,
    indicator_view,
    simulate_votes,
    theory_hash,
    view_for_items,
    vote_responses,
)


def _tiny_questionnaire():
    """The hand-worked tiny instrument of the culture-map tests (tests/culture/culture_helpers.py)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("culture_helpers_", Path(__file__).parents[1] / "culture" / "culture_helpers.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.tiny_questionnaire()

CM = load_questionnaire("berakhlak-culture-map")
TINY = _tiny_questionnaire()
EXAMPLE = Path(__file__).resolve().parents[2] / "questionnaires" / "examples" / "berakhlak-culture-map-google-forms.csv"


def tiny_votes(rows):
    """VoteSet of the tiny instrument from per-respondent (personal, current, desired) pick lists."""
    picks = np.full((len(rows), 3, 3), -1, dtype=np.int16)
    for r, qs in enumerate(rows):
        for qi, p in enumerate(qs):
            picks[r, qi, : len(p)] = p
    return VoteSet(TINY.id, TINY.version, np.array([f"r{i}" for i in range(len(rows))]), picks, n_behaviours=8)


# ----------------------------------------------------------------------------- the indicator view


def test_indicator_view_is_the_instrument_seen_as_items():
    v = indicator_view(TINY, ["personal", "desired"])
    assert v.item_ids == tuple(f"{q}:{b}" for q in ("p", "d") for b in TINY.behaviour_ids)
    assert (v.id, v.version, v.content_hash) == (TINY.id, TINY.version, TINY.content_hash)
    assert v.scales == () and v.index is None
    assert [it.level for it in v.items[:8]] == [4, 4, 3, 5, 3, 2, 1, 5]
    assert v.items[0].option_labels("id") == ("tidak dipilih", "dipilih")
    assert indicator_ids(TINY, [1]) == tuple(f"c:{b}" for b in TINY.behaviour_ids)


def test_vote_responses_codes_by_hand():
    # r0 picks jujur+ramah (personal), nothing in current; r1 answers only the current question
    rs = vote_responses(TINY, tiny_votes([([0, 2], [], [3, 4]), ([], [5, 6, 7], [])]), ["personal", "current"])
    assert rs.codes.tolist() == [
        [1, 0, 1, 0, 0, 0, 0, 0] + [-1] * 8,
        [-1] * 8 + [0, 0, 0, 0, 0, 1, 1, 1],
    ]
    assert rs.respondent_ids.tolist() == ["r0", "r1"]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(st.integers(0, 7), min_size=0, max_size=2, unique=True), min_size=1, max_size=6))
def test_vote_responses_code_one_exactly_the_picks(personal):
    votes = tiny_votes([(p, [], []) for p in personal])
    codes = vote_responses(TINY, votes).codes
    for r, p in enumerate(personal):
        if p:
            assert np.flatnonzero(codes[r] == 1).tolist() == sorted(p)
            assert (codes[r] >= 0).all()
        else:
            assert (codes[r] == -1).all()


def test_votes_of_another_instrument_are_refused():
    other = VoteSet("other", "1", np.array(["a"]), np.full((1, 3, 3), -1))
    with pytest.raises(ResponseError, match=r"read for questionnaire 'other' version '1', not 'tiny-culture'"):
        vote_responses(TINY, other)


# ----------------------------------------------------------------------------- the theory


def test_inclusion_probabilities_sum_to_the_picks_and_match_simulation():
    p = np.array([x[1] for x in inclusion_probabilities(CM, [0])])  # (74, 5)
    np.testing.assert_allclose(p.sum(axis=0), 10.0, atol=1e-9)  # k = 10 picks expected at every level
    votes, true = simulate_votes(CM, 40_000, random_state=1)
    codes = vote_responses(CM, votes).codes
    freq = np.stack([(codes[true == k] == 1).mean(axis=0) for k in range(1, 6)], axis=1)
    # Manly's approximation of Wallenius' mean: measured 0.012 at worst, 0.0026 on average; a
    # frequency from ~8,000 respondents has SE <= 0.0056, so 0.025 is > 3.5 SE above the bias
    assert np.abs(freq - p).max() < 0.025
    assert np.abs(freq - p).mean() < 0.006


def test_assess_of_votes_without_a_model_is_the_theory():
    votes, true = simulate_votes(CM, 600, random_state=4)
    a, vl = assess(CM, votes), vote_levels(CM, votes)
    np.testing.assert_array_equal(a.probabilities, vl.probabilities)
    np.testing.assert_array_equal(a.level, vl.level)
    np.testing.assert_allclose(a.expected_level_sd, vl.expected_level_sd, rtol=0, atol=0)
    assert a.model_kind == "theory-prior" and a.model_hash == theory_hash(CM, [0], 1.0)
    assert a.scale_ids == () and a.scale_scores.shape == (600, 0) and a.index is None
    assert (a.n_answered == 10).all()
    np.testing.assert_allclose(a.entropy, -(a.probabilities * np.log(a.probabilities)).sum(axis=1), rtol=1e-12)


def test_assess_of_votes_flags_who_picked_nothing():
    a = assess(TINY, tiny_votes([([0, 1], [2, 3], [4, 5]), ([], [2, 3], [4, 5])]))
    assert a.level.tolist()[1] == 0 and a.n_answered.tolist() == [2, 0]
    assert a.flags["no-answers"].tolist() == [False, True]
    np.testing.assert_allclose(a.probabilities[1], 0.2)


def test_assess_reads_a_vote_file(tmp_path):
    """Anything read_votes reads: a Google Forms export with its unit column read as the unit."""
    votes = read_votes(EXAMPLE, CM, unit_column="Unit Kerja")
    path = tmp_path / "votes.csv"
    path.write_text(EXAMPLE.read_text(encoding="utf-8").replace("Unit Kerja", "unit", 1), encoding="utf-8")
    a = assess(CM, path)
    assert a.respondent_ids.tolist() == votes.respondent_ids.tolist()
    np.testing.assert_array_equal(a.probabilities, vote_levels(CM, votes).probabilities)
    assert a.unit is not None and a.unit.tolist() == votes.unit.tolist()


def test_careless_is_refused_for_votes():
    with pytest.raises(ValueError, match=r"'careless' parameter of assess must be False for a vote instrument"):
        assess(TINY, tiny_votes([([0, 1], [], [])]), careless=True)


def test_a_model_on_indicators_scores_by_the_sum_of_its_weights():
    """A hand-made indicator model: the log posterior is the log prior plus each answered
    indicator's log P(code | level), summed here one indicator at a time."""
    view = indicator_view(TINY, ["personal", "current"])
    rng = np.random.default_rng(0)
    probs = []
    for _ in view.items:
        p1 = rng.uniform(0.05, 0.95, size=5)
        probs.append(np.stack([1 - p1, p1]))
    prior = np.array([0.1, 0.2, 0.3, 0.25, 0.15])
    model = LevelModel.from_probabilities(view, probs, prior)
    assert model.questionnaire_hash == TINY.content_hash
    rows = [([0, 2], [1, 4], []), ([], [5, 6, 7], [0, 1]), ([3, 7], [], []), ([], [], [1, 2])]
    votes = tiny_votes(rows)
    a = assess(TINY, votes, model)
    codes = vote_responses(TINY, votes, ["personal", "current"]).codes
    for r in range(len(rows)):
        logit = np.log(prior).copy()
        for i, c in enumerate(codes[r]):
            if c >= 0:
                logit += np.log(probs[i][c])
        expect = np.exp(logit - logit.max())
        np.testing.assert_allclose(a.probabilities[r], expect / expect.sum(), rtol=1e-12)
    assert a.n_answered.tolist() == [4, 3, 2, 0]  # picks in the model's questions
    assert a.level[3] == 0 and a.flags["no-answers"].tolist() == [False, False, False, True]
    assert a.model_kind == "latent-class" and a.model_hash == model.hash


# ----------------------------------------------------------------------------- calibration


def test_latent_class_calibration_of_votes_recovers_the_theory():
    """Votes drawn from the theory (5,000 respondents): the calibrated indicator model's
    class-conditional pick probabilities are near the theory's inclusion probabilities and it
    places respondents about as well as the true model does. Measured: mean absolute error 0.008
    (a pick probability from ~1,000 respondents per class has SE up to 0.016), agreement 0.898
    against the true model's 0.900."""
    votes, true = simulate_votes(CM, 5000, random_state=3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no CalibrationWarning: five clear classes
        model = calibrate(CM, votes, random_state=0)
    assert model.kind == "latent-class" and len(model.item_ids) == 74
    truth = np.array([p[1] for p in inclusion_probabilities(CM, [0])])
    fitted = np.array([np.exp(w[1]) for w in model.weights])
    assert np.abs(fitted - truth).mean() < 0.015
    assert np.abs(model.prior - 0.2).max() < 0.03  # uniform true levels: 1,000 each, SE 0.006
    lca = (assess(CM, votes, model).probabilities.argmax(axis=1) + 1 == true).mean()
    oracle = (assess(CM, votes).probabilities.argmax(axis=1) + 1 == true).mean()
    assert lca > oracle - 0.02
    assert model.provenance["n_respondents"] == 5000


def test_calibration_of_several_questions_and_bad_questions():
    votes, _ = simulate_votes(CM, 800, random_state=5)
    model = calibrate(CM, votes, questions=["personal", "current"], random_state=0, n_init=1)
    assert len(model.item_ids) == 148 and model.item_ids[74] == "current:patuh-arahan-pimpinan"
    a = assess(CM, votes, model)
    assert (a.n_answered == 20).all()
    with pytest.raises(ValueError, match=r"'questions' parameter of calibrate must be roles or ids of the vote questions"):
        calibrate(CM, votes, questions=["boss"])


def test_supervised_calibration_of_votes_with_labels():
    votes, true = simulate_votes(CM, 1500, random_state=6)
    model = calibrate(CM, votes, labels=true, method="logistic", random_state=0, cv=3)
    assert model.kind == "logistic"
    assert (assess(CM, votes, model).level == true).mean() > 0.7


# ----------------------------------------------------------------------------- saving and loading


def test_a_vote_model_saves_and_loads(tmp_path):
    votes, _ = simulate_votes(CM, 800, random_state=7)
    model = calibrate(CM, votes, random_state=0, n_init=1)
    path = tmp_path / "votes-model.json"
    model.save(path)
    for loaded in (load_model(path), load_model(path, CM)):
        assert loaded.hash == model.hash and loaded.item_ids == model.item_ids
    np.testing.assert_array_equal(assess(CM, votes, str(path)).probabilities, assess(CM, votes, model).probabilities)


def test_a_vote_model_with_wrong_items_is_refused(tmp_path):
    votes, _ = simulate_votes(CM, 800, random_state=7)
    doc = calibrate(CM, votes, random_state=0, n_init=1).to_dict()
    path = tmp_path / "m.json"
    dropped = dict(doc, items=doc["items"][:-1])
    path.write_text(json.dumps(dropped))
    with pytest.raises(ModelError, match=r"must be the indicators of the questions \['personal'\] .* \(74 items"):
        load_model(path)
    renamed = dict(doc, items=[dict(doc["items"][0], id="boss:x")] + doc["items"][1:])
    path.write_text(json.dumps(renamed))
    with pytest.raises(ModelError, match=r"named 'QUESTION:BEHAVIOUR' with QUESTION one of \['current', 'desired', 'personal'\]"):
        load_model(path)
    with pytest.raises(ModelError, match=r"must be the indicators"):
        view_for_items(CM, ["personal:x"])


def test_a_likert_model_cannot_score_votes():
    votes, _ = simulate_votes(CM, 10, random_state=0)
    with pytest.raises(ModelError, match=r"belongs to questionnaire 'socio-emotional-levels'"):
        assess(CM, votes, load_questionnaire("socio-emotional-levels").default_model)

