"""The scoring kernel (model/_scoring.py) against a straightforward reference computation.

The kernel gathers items in groups, packs scale counts into bit fields and finishes each chunk in
a levels x respondents layout; the reference below does none of that: one item at a time over
all respondents, then a softmax (or the cumulative logit), then scale means of keyed values.
"""

import copy
import tracemalloc

import numpy as np
import pytest

import akhlak_levels as al
from akhlak_levels.model import cumulative_logit, score_codes
from akhlak_levels.questionnaire import questionnaire_from_dict

SEL = al.load_questionnaire("socio-emotional-levels")
BERAKHLAK = al.load_questionnaire("berakhlak")


def _mixed_questionnaire():
    """SEL changed so that the kernel's harder cases occur: 7-point items (8 codes, thirds and
    sixths that floats do not hold exactly, common denominator 12 with the 5-point items), a choice
    item on a scale with an unkeyed option, an item on two scales, items on no scale."""
    doc = copy.deepcopy(dict(SEL.document))
    doc.pop("default_model")
    doc["id"] = "mixed-kernel-test"
    five = doc["response_formats"][0]
    seven = {"id": "agree7", "type": "likert", "points": 7,
             "labels": {lang: [f"{lang}{p}" for p in range(7)] for lang in five["labels"]}}
    doc["response_formats"].append(seven)
    first, second = doc["scales"][0]["id"], doc["scales"][1]["id"]
    items = doc["items"]
    for it in items[1:6]:
        it["format"] = "agree7"
    items[0]["scales"] = [first, second]
    choice = next(it for it in items if it["type"] == "choice")
    choice["scales"] = [first]
    choice["options"][1].pop("level")
    return questionnaire_from_dict(doc)


MIXED = _mixed_questionnaire()


def _model(q, kind, seed):
    rng = np.random.default_rng(seed)
    if kind == "ordinal":
        weights = [np.repeat(rng.normal(0, 0.6, (it.n_options, 1)), 5, axis=1) for it in q.items]
        log_prior = np.array([-2.0, -0.5, 0.7, 2.1, 0.0])
    else:
        weights = [rng.normal(0, 1.5, (it.n_options, 5)) for it in q.items]
        log_prior = rng.normal(0, 1, 5)
    return al.LevelModel(questionnaire_id=q.id, questionnaire_version=q.version, questionnaire_hash=q.content_hash,
                         item_ids=q.item_ids, weights=tuple(weights), log_prior=log_prior, kind=kind)


def _codes(q, n, seed, missing=0.2):
    rng = np.random.default_rng(seed)
    codes = np.floor(rng.random((n, q.n_items)) * q.n_options).astype(np.int8)
    codes[rng.random(codes.shape) < missing] = al.MISSING
    codes[: min(3, n)] = al.MISSING  # nobody answered anything
    if n > 4:
        codes[4] = 0  # option 1 everywhere
    return codes


def _keyed_value(it, c):
    if it.type == "likert":
        k = it.n_options - 1 - c if it.reverse else c
        return k / (it.n_options - 1)
    lv = it.option_levels[c]
    return np.nan if lv is None else (lv - 1) / 4


def reference(q, model, codes, min_answered=0.5):
    """One item at a time over all respondents, in the straightforward order."""
    n = codes.shape[0]
    out = {"n_answered": (codes != al.MISSING).sum(axis=1)}
    values = np.full(codes.shape, np.nan)
    for i, it in enumerate(q.items):
        for c in range(it.n_options):
            values[codes[:, i] == c, i] = _keyed_value(it, c)
    scores = np.full((n, len(q.scales)), np.nan)
    for s_i, s in enumerate(q.scales):
        v = values[:, [q.item_position(iid) for iid in s.item_ids]]
        answered = np.isfinite(v).sum(axis=1)
        with np.errstate(invalid="ignore"):
            mean = 100.0 * np.nansum(v, axis=1) / answered
        ok = (answered >= min_answered * len(s.item_ids) - 1e-9) & (answered > 0)
        scores[ok, s_i] = mean[ok]
    out["scale_scores"] = scores
    if model is None:
        return out
    logit = np.tile(model.log_prior, (n, 1))
    for i, w in enumerate(model.weights):
        answered = codes[:, i] >= 0
        logit[answered] += w[codes[answered, i]]
    if model.link == "cumulative-logit":
        p = cumulative_logit(logit)
    else:
        p = np.exp(logit - logit.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
    levels = np.arange(1, 6)
    out["probabilities"] = p
    with np.errstate(divide="ignore", invalid="ignore"):
        out["entropy"] = -np.where(p > 0, p * np.log(p), 0.0).sum(axis=1)
    out["expected"] = p @ levels
    out["sd"] = np.sqrt(((levels - out["expected"][:, None]) ** 2 * p).sum(axis=1))
    out["confidence"] = p.max(axis=1)
    out["top"] = p.argmax(axis=1) + 1
    return out


def _assert_matches(scores, ref, atol=1e-12):
    np.testing.assert_array_equal(scores.n_answered, ref["n_answered"])
    np.testing.assert_array_equal(np.isnan(scores.scale_scores), np.isnan(ref["scale_scores"]))
    np.testing.assert_allclose(scores.scale_scores, ref["scale_scores"], rtol=0, atol=atol)
    if "probabilities" not in ref:
        assert scores.probabilities is None and scores.top is None
        return
    np.testing.assert_allclose(scores.probabilities, ref["probabilities"], rtol=0, atol=atol)
    for name in ("entropy", "expected", "confidence"):
        np.testing.assert_allclose(getattr(scores, name), ref[name], rtol=0, atol=atol, err_msg=name)
    np.testing.assert_allclose(scores.sd, ref["sd"], rtol=1e-12, atol=atol, err_msg="sd")
    # the argmax level agrees wherever the top two probabilities are not within rounding of each other
    p = np.sort(ref["probabilities"], axis=1)
    clear = p[:, -1] - p[:, -2] > 1e-9
    np.testing.assert_array_equal(scores.top[clear], ref["top"][clear])
    np.testing.assert_array_equal(scores.top, scores.probabilities.argmax(axis=1) + 1)  # exactly, on its own output


CASES = [
    pytest.param(SEL, lambda q: q.default_model, id="sel-theory-prior"),
    pytest.param(SEL, lambda q: _model(q, "logistic", 1), id="sel-logistic"),
    pytest.param(SEL, lambda q: _model(q, "ordinal", 2), id="sel-cumulative-logit"),
    pytest.param(MIXED, lambda q: _model(q, "logistic", 3), id="mixed-logistic"),
    pytest.param(MIXED, lambda q: _model(q, "ordinal", 4), id="mixed-cumulative-logit"),
    pytest.param(MIXED, lambda q: None, id="mixed-no-model"),
    pytest.param(BERAKHLAK, lambda q: None, id="berakhlak-no-model"),
]


@pytest.mark.parametrize("q, make_model", CASES)
@pytest.mark.parametrize("chunk", [1, 2, 3, 7, 64, 4096, None])
def test_the_kernel_matches_the_reference_for_every_chunk_size(q, make_model, chunk):
    model = make_model(q)
    codes = _codes(q, 300, seed=11)
    got = score_codes(q, codes, model, chunk_size=chunk or len(codes))
    _assert_matches(got, reference(q, model, codes))


@pytest.mark.parametrize("min_answered", [1e-9, 0.5, 2 / 3, 1.0])
def test_the_proration_threshold_matches_the_reference(min_answered):
    codes = _codes(MIXED, 400, seed=5, missing=0.35)
    got = score_codes(MIXED, codes, None, min_answered=min_answered, chunk_size=37)
    _assert_matches(got, reference(MIXED, None, codes, min_answered))


def test_results_do_not_depend_on_the_chunk_size_or_the_code_dtype_at_all():
    model = _model(MIXED, "logistic", 6)
    codes = _codes(MIXED, 500, seed=7)
    a = score_codes(MIXED, codes, model, chunk_size=4096)
    for chunk, dtype in [(1, np.int8), (13, np.int64), (500, np.int16)]:
        b = score_codes(MIXED, codes.astype(dtype), model, chunk_size=chunk)
        for x, y in zip(a, b):
            np.testing.assert_array_equal(x, y)


def test_scale_scores_and_counts_are_exact_when_keyed_values_are():
    """Quarters (5-point items) add exactly, in any grouping: bit for bit the reference."""
    codes = _codes(BERAKHLAK, 2000, seed=8)
    got = score_codes(BERAKHLAK, codes, None, chunk_size=100)
    ref = reference(BERAKHLAK, None, codes)
    np.testing.assert_array_equal(got.scale_scores, ref["scale_scores"])
    np.testing.assert_array_equal(got.n_answered, ref["n_answered"])


def test_unbounded_weights_are_added_one_item_at_a_time_as_the_reference_does():
    """Weights whose sum can overflow: no grouping, so exactly the reference's sums (and NaN rows)."""
    w = [np.zeros((it.n_options, 5)) for it in SEL.items]
    w[0][0, 3] = w[1][0, 3] = 1e308  # overflows when both are answered with option 1
    w[2][1, 2] = 3.0
    model = al.LevelModel(questionnaire_id=SEL.id, questionnaire_version=SEL.version, questionnaire_hash=SEL.content_hash,
                          item_ids=SEL.item_ids, weights=tuple(w), log_prior=np.zeros(5), kind="logistic")
    codes = _codes(SEL, 200, seed=9, missing=0.3)
    codes[5:40, :2] = 0
    got = score_codes(SEL, codes, model, chunk_size=16)
    with np.errstate(over="ignore", invalid="ignore"):
        ref = reference(SEL, model, codes)
    overflowed = ~np.isfinite(ref["probabilities"]).all(axis=1)
    assert overflowed.sum() > 10
    assert np.isnan(got.probabilities[overflowed]).all() and np.isnan(got.confidence[overflowed]).all()
    np.testing.assert_allclose(got.probabilities[~overflowed], ref["probabilities"][~overflowed], rtol=0, atol=1e-15)


def test_a_small_sd_keeps_its_digits():
    """The SD of a near-certain posterior, against the same sum in extended precision: the
    one-pass E[k^2] - E[k]^2 kept 8 digits at SD 1e-3 and about none at 1e-8."""
    codes = _codes(SEL, 3000, seed=12, missing=0.0)
    got = score_codes(SEL, codes, SEL.default_model, chunk_size=97)
    p = got.probabilities.astype(np.longdouble)
    mean = p @ np.arange(1, 6, dtype=np.longdouble)
    exact = np.sqrt(((np.arange(1, 6, dtype=np.longdouble) - mean[:, None]) ** 2 * p).sum(axis=1))
    small = (exact > 1e-12) & (exact < 1e-2)
    assert small.sum() > 20
    np.testing.assert_allclose(got.sd[small], exact[small].astype(float), rtol=1e-9)


def test_memory_beyond_the_outputs_is_bounded_by_the_chunk():
    model = SEL.default_model
    extra = []
    for n in (20_000, 80_000):
        codes = _codes(SEL, n, seed=10)
        tracemalloc.start()
        s = score_codes(SEL, codes, model, chunk_size=1024)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        outputs = sum(a.nbytes for a in s if a is not None)
        extra.append(peak - outputs)
    assert extra[0] < 1.5 * 2**20  # about 0.7 MB of tables and scratch for 1,024 respondents
    assert abs(extra[1] - extra[0]) < 64 * 2**10  # four times the respondents, the same scratch
