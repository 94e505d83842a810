"""assess: properties of the posterior, an oracle, recovery from simulation, scale and index scores."""

import copy
import json
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import akhlak_levels as al
from akhlak_levels.questionnaire import questionnaire_from_dict

SEL = al.load_questionnaire("socio-emotional-levels")
N_OPT = SEL.n_options


@st.composite
def code_matrices(draw, max_rows=30, q=SEL):
    n = draw(st.integers(1, max_rows))
    u = draw(arrays(np.float64, (n, q.n_items), elements=st.floats(0, 1, exclude_max=True)))
    miss = draw(arrays(np.bool_, (n, q.n_items)))
    codes = np.floor(u * q.n_options).astype(np.int8)
    codes[miss] = al.MISSING
    return codes


def responses(codes, q=SEL):
    ids = np.array([f"r{i}" for i in range(codes.shape[0])])
    return al.ResponseSet(q, ids, codes)


def naive_posterior(q, model, codes):
    """Bayes' rule respondent by respondent, item by item, in probabilities (an oracle)."""
    probs = model.item_probabilities
    out = np.empty((codes.shape[0], 5))
    for r in range(codes.shape[0]):
        post = model.prior.copy()
        for i in range(q.n_items):
            if codes[r, i] >= 0:
                post = post * probs[i][codes[r, i]]
                post = post / post.sum()
        out[r] = post
    return out


# ------------------------------------------------------------------ properties


@given(code_matrices())
def test_probabilities_are_a_distribution_over_the_five_levels(codes):
    a = al.assess(SEL, responses(codes))
    assert a.probabilities.shape == (codes.shape[0], 5)
    assert np.all(a.probabilities >= 0)
    np.testing.assert_allclose(a.probabilities.sum(axis=1), 1.0, rtol=1e-12)
    np.testing.assert_allclose(a.expected_level, a.probabilities @ np.arange(1, 6), rtol=1e-12)
    assert np.all((a.expected_level >= 1) & (a.expected_level <= 5))
    np.testing.assert_allclose(a.confidence, a.probabilities.max(axis=1))
    np.testing.assert_allclose(
        a.expected_level_sd**2, a.probabilities @ np.arange(1, 6) ** 2 - a.expected_level**2, atol=1e-9
    )
    ent = -(a.probabilities * np.log(np.clip(a.probabilities, 1e-300, None))).sum(axis=1)
    np.testing.assert_allclose(a.entropy, ent, atol=1e-9)


@given(code_matrices(), st.randoms(use_true_random=False))
def test_permuting_respondents_permutes_every_result(codes, rnd):
    perm = np.array(rnd.sample(range(codes.shape[0]), codes.shape[0]))
    a = al.assess(SEL, responses(codes))
    b = al.assess(SEL, responses(codes).take(perm))
    np.testing.assert_array_equal(b.respondent_ids, a.respondent_ids[perm])
    np.testing.assert_allclose(b.probabilities, a.probabilities[perm], rtol=1e-12)
    np.testing.assert_array_equal(b.level, a.level[perm])
    np.testing.assert_array_equal(b.scale_scores, a.scale_scores[perm])


def _with_extra_item():
    doc = copy.deepcopy(dict(SEL.document))
    extra = copy.deepcopy(doc["items"][0])
    extra["id"] = "SE99"
    extra.pop("scales")  # on a scale it would (rightly) change that scale's proration threshold
    doc["items"].append(extra)
    return questionnaire_from_dict(doc)


SEL_PLUS = _with_extra_item()


@given(code_matrices())
def test_adding_an_unanswered_item_changes_nothing(codes):
    plus = np.concatenate([codes, np.full((codes.shape[0], 1), al.MISSING, np.int8)], axis=1)
    a = al.assess(SEL, responses(codes))
    b = al.assess(SEL_PLUS, responses(plus, SEL_PLUS))
    np.testing.assert_array_equal(b.probabilities, a.probabilities)
    np.testing.assert_array_equal(b.scale_scores, a.scale_scores)


LIKERT = [i for i, it in enumerate(SEL.items) if it.type == "likert"]


@given(code_matrices(max_rows=10), st.sampled_from(LIKERT), st.integers(0, 3))
def test_raising_keyed_agreement_never_lowers_the_keyed_level(codes, i, c):
    it = SEL.items[i]
    lo, hi = codes.copy(), codes.copy()
    # "more agreement in the keyed direction": higher category, or lower for a reverse-keyed item
    lo[:, i], hi[:, i] = (c + 1, c) if it.reverse else (c, c + 1)
    p_lo = al.assess(SEL, responses(lo)).probabilities[:, it.level - 1]
    p_hi = al.assess(SEL, responses(hi)).probabilities[:, it.level - 1]
    assert np.all(p_hi >= p_lo - 1e-12)


@given(code_matrices(max_rows=8))
def test_posterior_equals_bayes_rule_computed_naively(codes):
    a = al.assess(SEL, responses(codes))
    np.testing.assert_allclose(a.probabilities, naive_posterior(SEL, SEL.default_model, codes), rtol=1e-9, atol=1e-300)


@given(code_matrices(max_rows=40), st.integers(1, 9))
def test_chunking_does_not_change_results(codes, chunk):
    a = al.assess(SEL, responses(codes))
    b = al.assess(SEL, responses(codes), chunk_size=chunk)
    np.testing.assert_allclose(b.probabilities, a.probabilities, rtol=1e-12)
    np.testing.assert_array_equal(b.scale_scores, a.scale_scores)


# ------------------------------------------------------------------ recovery


def test_levels_are_recovered_from_data_simulated_from_the_default_model():
    """Under the true model the expected accuracy of argmax classification is the mean top
    posterior probability (Rudner, 2005); the observed agreement with the truth must lie within
    four binomial standard errors of it, and above 0.95 (0.99 in docs/methodology.md)."""
    n = 5000
    rs, truth = al.simulate(SEL, n, random_state=20241124)
    a = al.assess(SEL, rs, min_confidence=0.0)
    agreement = float((a.level == truth).mean())
    expected = float(a.confidence.mean())
    se = math.sqrt(expected * (1 - expected) / n)
    assert abs(agreement - expected) < 4 * se + 1e-3
    assert agreement > 0.95


def test_missing_answers_widen_the_uncertainty_but_keep_the_scoring_honest():
    rs, truth = al.simulate(SEL, 4000, random_state=7)
    rs_half, _ = al.simulate(SEL, 4000, levels=truth, random_state=7, missing=0.5)
    full = al.assess(SEL, rs, min_confidence=0.0)
    half = al.assess(SEL, rs_half, min_confidence=0.0)
    assert half.entropy.mean() > full.entropy.mean()
    assert half.expected_level_sd.mean() > full.expected_level_sd.mean()
    # still calibrated: accuracy matches the mean confidence within sampling error
    acc = float((half.level == truth).mean())
    assert abs(acc - half.confidence.mean()) < 4 * math.sqrt(acc * (1 - acc) / 4000) + 1e-3


# ------------------------------------------------------------------ levels, thresholds, flags


def test_a_respondent_with_no_answers_gets_the_prior_and_no_level():
    codes = np.full((2, SEL.n_items), al.MISSING, np.int8)
    codes[1] = al.simulate(SEL, 1, levels=[4], random_state=0)[0].codes[0]
    a = al.assess(SEL, responses(codes))
    np.testing.assert_allclose(a.probabilities[0], SEL.default_model.prior)
    assert a.level[0] == 0
    assert a.flags.for_respondent(0) == ("no-answers", "low-confidence")
    assert a.flags.for_respondent(1) == ()
    assert np.isnan(a.scale_scores[0]).all()


def test_the_level_is_zero_below_the_confidence_threshold():
    rs, _ = al.simulate(SEL, 500, random_state=3, missing=0.8)
    for threshold in (0.0, 0.5, 0.9):
        a = al.assess(SEL, rs, min_confidence=threshold)
        undetermined = a.confidence < threshold
        assert np.all(a.level[undetermined] == 0)
        np.testing.assert_array_equal(a.level[~undetermined], a.probabilities[~undetermined].argmax(axis=1) + 1)
        np.testing.assert_array_equal(a.flags["low-confidence"], undetermined)


def test_reading_flags_are_carried_into_the_assessment():
    rows = [{"respondent_id": "x", **{i: 3 for i in SEL.item_ids}}, {"respondent_id": "y", **{i: 3 for i in SEL.item_ids}}]
    rows[1]["SE04"] = 9
    rs = al.read_responses(rows, SEL, on_invalid="missing")
    a = al.assess(SEL, rs)
    assert a.flags.for_respondent(1) == ("invalid:SE04",)
    assert a.n_answered.tolist() == [SEL.n_items, SEL.n_items - 1]


# ------------------------------------------------------------------ scale and index scores


def test_scale_scores_are_keyed_means_rescaled_to_0_100():
    scale = SEL.scale("dependent")
    items = [SEL.item(i) for i in scale.item_ids]
    codes = np.full((1, SEL.n_items), al.MISSING, np.int8)
    answers = [4, 3, 0, 1, 2, 4]  # codes 0..4 = points 1..5
    for it, c in zip(items, answers):
        codes[0, SEL.item_ids.index(it.id)] = c
    keyed = [(4 - c) if it.reverse else c for it, c in zip(items, answers)]
    a = al.assess(SEL, responses(codes))
    assert a.scale_score("dependent")[0] == pytest.approx(100 * np.mean(keyed) / 4)


def test_a_scale_is_prorated_only_when_enough_items_are_answered():
    scale = SEL.scale("intra-dependent")
    cols = [SEL.item_ids.index(i) for i in scale.item_ids]
    codes = np.full((3, SEL.n_items), al.MISSING, np.int8)
    codes[0, cols[:3]] = 4  # 3 of 6 answered: exactly half
    codes[1, cols[:2]] = 4  # 2 of 6
    codes[2, cols] = 4
    a = al.assess(SEL, responses(codes))
    s = a.scale_score("intra-dependent")
    rev = [SEL.item(i).reverse for i in scale.item_ids]
    assert s[0] == pytest.approx(100 * np.mean([0 if r else 1 for r in rev[:3]]))
    assert np.isnan(s[1])
    b = al.assess(SEL, responses(codes), min_answered=1 / 3)
    assert not np.isnan(b.scale_score("intra-dependent")[1])


def test_berakhlak_gives_value_scores_an_index_and_its_category(berakhlak):
    keyed = lambda good: {it.id: ((6 - good) if it.reverse else good) for it in berakhlak.items}  # noqa: E731
    rows = [{"respondent_id": f"p{g}", **keyed(g)} for g in (5, 4, 3, 2, 1)]
    a = al.assess(berakhlak, rows)
    assert not a.has_levels and a.probabilities is None and a.level is None
    np.testing.assert_allclose(a.index, [100, 75, 50, 25, 0])
    assert a.index_category.tolist() == ["A", "A", "B", "C", "D"]
    np.testing.assert_allclose(a.scale_scores, np.repeat([[100], [75], [50], [25], [0]], 7, axis=1))


def test_the_index_is_missing_unless_every_value_is_scored(berakhlak):
    rows = [{i: 4 for i in berakhlak.item_ids if not i.startswith("AK")}]
    a = al.assess(berakhlak, al.read_responses(rows, berakhlak, missing_items="missing"))
    assert np.isnan(a.scale_score("akuntabel")[0])
    assert np.isnan(a.index[0]) and a.index_category[0] == ""


# ------------------------------------------------------------------ export


def test_records_are_json_ready_and_frames_have_one_row_per_respondent():
    rs, _ = al.simulate(SEL, 20, random_state=2, missing=0.7)
    a = al.assess(SEL, rs)
    recs = a.to_records()
    text = json.dumps(recs, allow_nan=False)
    assert len(json.loads(text)) == 20
    assert recs[0]["respondent_id"] == "sim-1"
    assert recs[0]["p_level_1"] == a.probabilities[0, 0]
    assert any(r["scale_dependent"] is None for r in recs)  # NaN became None
    frame = a.to_frame()
    assert frame.shape[0] == 20
    assert frame["level"].tolist() == a.level.tolist()
    assert frame.columns[:3].tolist() == ["respondent_id", "level", "level_label"]
    assert al.assess(SEL, rs).to_records("id")[0]["level_label"] in {"", *[al.Level(k).label("id") for k in range(1, 6)]}


def test_unit_and_wave_are_carried_through():
    rows = [{"respondent_id": "a", "unit": "Dinas X", "wave": "2025", **{i: 3 for i in SEL.item_ids}}]
    a = al.assess(SEL, rows)
    assert a.unit.tolist() == ["Dinas X"] and a.wave.tolist() == ["2025"]
    assert a.to_records()[0]["unit"] == "Dinas X"


# ------------------------------------------------------------------ bad input


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"min_confidence": 1.5}, "The 'min_confidence' parameter of assess must be in [0, 1]. Got 1.5 instead."),
        ({"min_answered": 0}, "The 'min_answered' parameter of assess must be in (0, 1]. Got 0 instead."),
        ({"chunk_size": 0}, "The 'chunk_size' parameter of assess must be a positive integer. Got 0 instead."),
    ],
    ids=["confidence-above-one", "answered-zero", "chunk-zero"],
)
def test_bad_parameters_say_what_was_expected(kwargs, message):
    rs, _ = al.simulate(SEL, 2, random_state=0)
    with pytest.raises(ValueError) as err:
        al.assess(SEL, rs, **kwargs)
    assert str(err.value) == message


def test_responses_read_for_another_questionnaire_are_refused(berakhlak):
    rs, _ = al.simulate(SEL, 2, random_state=0)
    with pytest.raises(al.ResponseError, match="read for questionnaire 'socio-emotional-levels', not 'berakhlak'"):
        al.assess(berakhlak, rs)


def test_level_names_are_bilingual():
    assert [al.Level(k).label("en") for k in range(1, 6)] == [
        "Dependent", "Ego-dependent", "Socio-dependent", "Intra-dependent", "Inter-dependent (noble purpose)"
    ]
    assert al.Level.INTER_DEPENDENT == 5
    with pytest.raises(ValueError, match="The 'lang' parameter must be one of"):
        al.Level(1).label("fr")


def test_no_answers_means_no_level_even_without_a_threshold():
    codes = np.full((1, SEL.n_items), al.MISSING, np.int8)
    a = al.assess(SEL, responses(codes), min_confidence=0.0)
    assert a.level.tolist() == [0]


def test_an_unkeyed_choice_option_does_not_count_in_its_scale(tmp_path):
    doc = copy.deepcopy(dict(SEL.document))
    doc.pop("default_model")
    sj = next(i for i in doc["items"] if i["id"] == "SJ01")
    sj["scales"] = ["inter-dependent"]
    del sj["options"][0]["level"]
    q = questionnaire_from_dict(doc)
    codes = np.full((1, q.n_items), al.MISSING, np.int8)
    scale = q.scale("inter-dependent")
    likert = [q.item_ids.index(i) for i in scale.item_ids if i != "SJ01"]
    for c in likert:
        codes[0, c] = 0 if q.items[c].reverse else 4  # the top keyed answer
    codes[0, q.item_ids.index("SJ01")] = 0  # the unkeyed option
    a = al.assess(q, al.ResponseSet(q, np.array(["x"]), codes))
    assert a.scale_score("inter-dependent").tolist() == [100.0]


def test_records_carry_entropy_and_empty_dates_as_none():
    rows = [
        {"respondent_id": "a", "date": "13/10/2023", **{i: 3 for i in SEL.item_ids}},
        {"respondent_id": "b", "date": "", **{i: 3 for i in SEL.item_ids}},
    ]
    a = al.assess(SEL, rows)
    recs = a.to_records()
    assert [r["date"] for r in recs] == ["2023-10-13", ""]
    assert recs[0]["entropy"] == pytest.approx(a.entropy[0])
