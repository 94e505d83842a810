"""Latent-class fit statistics at the maximum likelihood, against flexmix and stepmix on real data
(psychTools' ``ability``, ICAR-16: 1,525 people x 16 items scored right/wrong, 4.7% missing),
and latent classes for research (``calibrate(..., n_classes=K)``) through the public API.

The flexmix optima are fixtures (tests/reference/lca_ability.json, written by
tests/reference/make_lca_reference.R: 40 random starts per K, EM to a relative tolerance of
1e-13); stepmix runs here, when installed (the test extra).
"""

import csv
import hashlib
import json
import math
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import akhlak_levels as al

REF = Path(__file__).resolve().parents[1] / "reference"
DATA = REF / "lca_ability.csv"
#: The sha256 recorded in tests/reference/README.md.
SHA256 = "23e963a90a54d1db3e0fde261face9ac945d30d10aa157abcdc38e869954ce12"
FLEXMIX = json.loads((REF / "lca_ability.json").read_text(encoding="utf-8"))


def _read():
    with open(DATA, newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    header, body = rows[0], rows[1:]
    codes = np.array([[int(v) if v != "" else al.MISSING for v in r] for r in body], dtype=np.int8)
    return header, codes


HEADER, CODES = _read()


def icar_document():
    """ICAR-16 as a questionnaire: 16 right/wrong items on one scale, no level keys."""
    return {
        "format": "akhlak-levels/questionnaire",
        "format_version": 1,
        "id": "icar16",
        "version": "1",
        "title": {"en": "ICAR-16 (psychTools ability)"},
        "languages": ["en"],
        "response_formats": [{"id": "scored", "type": "likert", "points": 2, "labels": {"en": ["wrong", "right"]}}],
        "scales": [{"id": "icar", "name": {"en": "ICAR-16"}}],
        "items": [{"id": h, "type": "likert", "format": "scored", "text": {"en": h}, "scales": ["icar"]} for h in HEADER],
    }


@pytest.fixture(scope="module")
def icar(tmp_path_factory):
    path = tmp_path_factory.mktemp("icar") / "icar16.json"
    path.write_text(json.dumps(icar_document()), encoding="utf-8")
    return al.load_questionnaire(str(path))


def responses(q, codes):
    return al.ResponseSet(q, np.array([f"r{i + 1}" for i in range(len(codes))]), codes)


def by_hand(codes, probabilities, weights):
    """Log-likelihood and posterior from the reported parameters, item by item, in probability
    space (products, not the library's log-space sums): ``sum_r log sum_k pi_k prod_i p_i[x_ri, k]``
    over answered items."""
    joint = np.tile(np.asarray(weights, dtype=float), (len(codes), 1))
    for i, p in enumerate(probabilities):
        answered = codes[:, i] >= 0
        joint[answered] *= p[codes[answered, i]]
    total = joint.sum(axis=1)
    return float(np.log(total).sum()), joint / total[:, None]


def test_the_data_extract_is_the_one_recorded():
    assert hashlib.sha256(DATA.read_bytes()).hexdigest() == SHA256
    assert CODES.shape == (1525, 16) and (CODES == al.MISSING).sum() == 1143
    assert FLEXMIX["meta"]["n_complete"] == int((CODES >= 0).all(axis=1).sum()) == 1248


@pytest.mark.parametrize("k", [3, 5])
def test_fit_statistics_at_ml_are_those_of_the_reported_ml_parameters(icar, k):
    """The log-likelihood reported at the maximum likelihood is the one the reported ML parameters
    give, recomputed by hand (1e-9 relative); the smoothed one likewise from the smoothed
    parameters; AIC, BIC and entropy R2 follow their formulas; and the ML estimates are a fixed
    point of EM (one more EM step moves no probability by more than 1e-6)."""
    lc = al.calibrate(icar, responses(icar, CODES), n_classes=k, n_init=3, random_state=0)
    fit, n, p = lc.fit, len(CODES), (k - 1) + k * 16
    ll, post = by_hand(CODES, lc.item_probabilities, lc.class_weights)
    assert fit["log_likelihood"] == pytest.approx(ll, rel=1e-9)
    np.testing.assert_allclose(lc.posterior, post, atol=1e-9)
    ll_s, post_s = by_hand(CODES, lc.item_probabilities_smoothed, lc.class_weights_smoothed)
    assert fit["log_likelihood_smoothed"] == pytest.approx(ll_s, rel=1e-9)
    assert fit["n_parameters"] == p
    assert fit["aic"] == pytest.approx(-2 * ll + 2 * p, rel=1e-12)
    assert fit["bic"] == pytest.approx(-2 * ll + p * math.log(n), rel=1e-12)
    assert fit["bic_smoothed"] == pytest.approx(-2 * ll_s + p * math.log(n), rel=1e-12)
    entropy = -np.sum(post * np.log(np.clip(post, 1e-300, None)))
    assert fit["entropy_r2"] == pytest.approx(1 - entropy / (n * math.log(k)), abs=1e-9)
    entropy_s = -np.sum(post_s * np.log(np.clip(post_s, 1e-300, None)))
    assert fit["entropy_r2_smoothed"] == pytest.approx(1 - entropy_s / (n * math.log(k)), abs=1e-9)
    assert fit["log_likelihood"] > fit["log_likelihood_smoothed"]  # the smoothing costs likelihood
    # an EM step from the ML estimates (no smoothing) returns them
    np.testing.assert_allclose(post.mean(axis=0), lc.class_weights, atol=1e-6)
    for i, p_i in enumerate(lc.item_probabilities):
        answered = CODES[:, i] >= 0
        right = post[answered & (CODES[:, i] == 1)].sum(axis=0) / post[answered].sum(axis=0)
        np.testing.assert_allclose(p_i[1], right, atol=1e-6)
    assert np.all(np.diff(lc.class_weights) <= 0)  # class 1 is the largest


@pytest.mark.parametrize("k", [3, 4, 5])
def test_the_ml_log_likelihood_reaches_flexmix_optimum(icar, k):
    """flexmix (FLXMCmvbinary, the complete cases it keeps, best of 40 starts at relative
    tolerance 1e-13): our log-likelihood at ML is at least flexmix's - 1e-6, with the same
    number of parameters, so our AIC and BIC (the same formulas as flexmix's) are at most
    flexmix's + 2e-6. Seen: ours - flexmix = +1e-9..+1.5e-8, i.e. the same optimum."""
    ref = FLEXMIX["fits"][str(k)]
    complete = np.asarray(FLEXMIX["meta"]["complete_rows_1based"]) - 1
    np.testing.assert_array_equal(complete, np.flatnonzero((CODES >= 0).all(axis=1)))
    lc = al.calibrate(icar, responses(icar, CODES[complete]), n_classes=k, n_init=2, random_state=0)
    fit = lc.fit
    assert fit["n_parameters"] == ref["n_parameters"] == (k - 1) + 16 * k
    assert fit["log_likelihood"] >= ref["log_likelihood"] - 1e-6
    assert fit["aic"] <= ref["aic"] + 2e-6
    assert fit["bic"] <= ref["bic"] + 2e-6
    # flexmix's AIC and BIC are the same formulas
    assert ref["aic"] == pytest.approx(ref["aic_by_formula"], rel=1e-12)
    assert ref["bic"] == pytest.approx(ref["bic_by_formula"], rel=1e-12)
    # the same optimum: class sizes and probabilities agree (classes in order of size) as far as
    # EM's tolerance allows
    theirs = np.argsort(ref["class_weights"])[::-1]
    np.testing.assert_allclose(lc.class_weights, np.asarray(ref["class_weights"])[theirs], atol=1e-4)
    p_yes = np.array([p[1] for p in lc.item_probabilities])  # items x classes
    np.testing.assert_allclose(p_yes, np.asarray(ref["p_yes"]).T[:, theirs], atol=1e-4)  # seen: 1.1e-5


@pytest.mark.parametrize("k", [3, 4, 5])
def test_the_ml_log_likelihood_reaches_stepmix_optimum_with_missing_answers(icar, k):
    """stepmix ('binary_nan': missing answers left out of the likelihood, as here) on all 1,525
    people, one start (random_state 0), EM to abs_tol 1e-10: ours at ML is at least stepmix's -
    1e-6, it counts the parameters as we do, and its relative entropy is our entropy R2 within
    1e-4 (the same formula; stepmix stops short of the optimum, so its posterior differs a
    little). Seen: ours - stepmix = +1.7e-7..+3.5e-6, entropy R2 within 4e-5."""
    stepmix = pytest.importorskip("stepmix.stepmix")
    X = CODES.astype(float)
    X[CODES < 0] = np.nan
    sm = stepmix.StepMix(n_components=k, measurement="binary_nan", n_init=1, max_iter=10000, abs_tol=1e-10,
                         rel_tol=1e-14, random_state=0, verbose=0, progress_bar=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sm.fit(X)
        theirs = sm.score(X) * len(X)
        relative_entropy = sm.relative_entropy(X)
    lc = al.calibrate(icar, responses(icar, CODES), n_classes=k, n_init=2, random_state=0)
    assert lc.fit["n_parameters"] == sm.n_parameters
    assert lc.fit["log_likelihood"] >= theirs - 1e-6
    assert lc.fit["entropy_r2"] == pytest.approx(relative_entropy, abs=1e-4)


def test_classes_for_research_end_to_end(icar):
    """Four classes of a questionnaire without level keys, through the public API: named class 1-4
    by size, stable over seeds, reported, JSON-ready, and refused wherever levels are assessed."""
    rs = responses(icar, CODES)
    with pytest.raises(al.ModelError, match=r"n_classes=K fits K latent classes without keys"):
        al.calibrate(icar, rs)  # the level model needs keys
    a = al.calibrate(icar, rs, n_classes=4, n_init=2, random_state=0)
    b = al.calibrate(icar, rs, n_classes=4, n_init=2, random_state=1)
    assert isinstance(a, al.LatentClasses) and a.n_classes == 4
    assert a.class_names == ("class 1", "class 2", "class 3", "class 4")
    np.testing.assert_allclose(a.class_weights, b.class_weights, atol=1e-5)  # same optimum, same names
    assert a.fit["log_likelihood"] == pytest.approx(b.fit["log_likelihood"], abs=1e-6)
    np.testing.assert_allclose(a.posterior.sum(axis=1), 1.0, atol=1e-12)
    assert np.bincount(a.modal_class, minlength=5)[1:].tolist() == a.fit["modal_class_counts_ml"]
    np.testing.assert_array_equal(a.respondent_ids, rs.respondent_ids)
    assert a.provenance["settings"]["n_classes"] == 4 and a.provenance["n_respondents"] == 1525
    report = al.fit_report(a)
    assert report.startswith("4 latent classes (for research, not levels) of icar16 1, fitted on 1,525 respondents")
    assert f"at the maximum likelihood: log-likelihood {a.fit['log_likelihood']:,.3f}; parameters 67" in report
    doc = json.loads(json.dumps(a.to_dict(), allow_nan=False))
    assert doc["kind"] == "latent-classes" and len(doc["items"]) == 16
    assert doc["items"][0]["probabilities"] == [p.tolist() for p in a.item_probabilities][0]
    for use in (lambda: al.assess(icar, rs, a), lambda: al.Scorer(icar, a), lambda: al.load_model(a)):
        with pytest.raises(al.ModelError, match=r"These are 4 latent classes fitted for research .* not a level model"):
            use()


def test_a_file_of_latent_classes_is_refused_as_a_model_saying_what_it_is(icar, tmp_path):
    """``calibrate --classes K -o classes.json`` then ``score --model classes.json``: one clear
    message, not the model schema's problems."""
    a = al.calibrate(icar, responses(icar, CODES), n_classes=3, n_init=1, random_state=0)
    path = tmp_path / "classes.json"
    path.write_text(json.dumps(a.to_dict(), allow_nan=False), encoding="utf-8")
    with pytest.raises(al.ModelError) as err:
        al.load_model(path)
    assert str(err.value) == (f"The file {path} holds latent classes fitted for research (calibrate with n_classes / "
                              "--classes), not a level model: it cannot place anyone on the five levels. Calibrate "
                              "without n_classes for a level model.")


def test_a_keyed_questionnaire_with_n_classes_gives_classes_not_levels(sel):
    rs, _ = al.simulate(sel, 1500, random_state=0)
    lc = al.calibrate(sel, rs, n_classes=5, n_init=1, random_state=0)
    assert isinstance(lc, al.LatentClasses)
    with pytest.raises(al.ModelError, match="cannot place anyone on a level"):
        al.assess(sel, rs, lc)
    one = al.calibrate(sel, rs, n_classes=1, n_init=1, random_state=0)
    assert one.fit["entropy_r2"] != one.fit["entropy_r2"]  # NaN: undefined for one class
    assert one.to_dict()["provenance"]["fit"]["entropy_r2"] is None
    # one class: the answers' marginal shares are the maximum likelihood
    answered = rs.codes[:, 0] >= 0
    shares = np.bincount(rs.codes[answered, 0], minlength=5) / answered.sum()
    np.testing.assert_allclose(one.item_probabilities[0][:, 0], shares, atol=1e-12)
    assert "entropy R2 undefined (one class)" in al.fit_report(one)


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"n_classes": 0}, ValueError, r"The 'n_classes' parameter of calibrate must be an integer >= 1 \(or None for the five levels\). Got 0"),
        ({"n_classes": 2.5}, ValueError, r"The 'n_classes' parameter of calibrate must be an integer >= 1"),
        ({"n_classes": 3, "labels": "level"}, al.ModelError, r"n_classes=3 asks for latent classes, which method='logistic' does not fit"),
        ({"n_classes": 3, "prior": [0.2] * 5}, al.ModelError, r"prior= sets the probabilities of the five levels"),
        ({"n_classes": 90}, al.ModelError, r"Too few respondents: 1525 for a model with 1529 parameters \(90 classes x options\)"),
    ],
    ids=["zero", "not-integer", "with-labels", "with-prior", "too-many"],
)
def test_bad_numbers_of_classes_are_refused(icar, kwargs, error, message):
    rs = responses(icar, CODES)
    if kwargs.get("labels") == "level":
        kwargs = dict(kwargs, labels=np.tile([1, 2, 3, 4, 5], 305))
    with pytest.raises(error, match=message):
        al.calibrate(icar, rs, **kwargs)


def test_the_accelerated_refinement_reaches_plain_em_limit_in_fewer_steps():
    """The maximum-likelihood refinement (SQUAREM-accelerated EM) ends at least as high as plain
    EM run to the same tolerance, from the same smoothed estimates, in under a third of the EM
    steps (ability, 8 classes, a slow case: seen 109 steps against 815, +8e-8)."""
    from akhlak_levels.model import fit_latent_classes, one_hot
    from akhlak_levels.model._latent_class import ML_TOL, _blocks, _run

    fit = fit_latent_classes(CODES, [2] * 16, 8, n_init=2, random_state=np.random.default_rng(0))
    X = one_hot(CODES, [2] * 16)
    offsets, sizes = _blocks([2] * 16)
    flat = np.concatenate(fit.probabilities, axis=0)
    *_, ll_em, steps_em, converged = _run(X, flat, fit.class_weights, offsets, sizes, 0.0, 20000, ML_TOL)
    assert converged
    assert fit.ml_converged and fit.ml_log_likelihood >= ll_em - 1e-9
    assert fit.ml_iterations < steps_em / 3


@settings(deadline=None)
@given(
    n=st.integers(30, 120),
    n_options=st.lists(st.integers(2, 4), min_size=2, max_size=5),
    k=st.integers(1, 3),
    missing=st.floats(0.0, 0.4),
    smoothing=st.sampled_from([0.0, 0.5, 1.0]),
    seed=st.integers(0, 2**16),
)
def test_ml_statistics_hold_on_any_data(n, n_options, k, missing, smoothing, seed):
    """On any answers: the maximum likelihood is at least the smoothed estimates' likelihood, it is
    the likelihood of the reported ML parameters (by hand, 1e-9), its distributions sum to one,
    and with smoothing 0 the two sets of estimates are the same."""
    from akhlak_levels.model import fit_latent_classes

    rng = np.random.default_rng(seed)
    codes = np.stack([rng.integers(0, c, n) for c in n_options], axis=1)
    codes[rng.random(codes.shape) < missing] = al.MISSING
    fit = fit_latent_classes(codes, n_options, k, n_init=1, smoothing=smoothing, max_iter=200, random_state=rng)
    assert fit.ml_log_likelihood >= fit.log_likelihood - 1e-9
    ll, _ = by_hand(codes, fit.ml_probabilities, fit.ml_class_weights)
    assert fit.ml_log_likelihood == pytest.approx(ll, rel=1e-9)
    assert fit.ml_class_weights.sum() == pytest.approx(1.0, abs=1e-12)
    for p in fit.ml_probabilities:
        np.testing.assert_allclose(p.sum(axis=0), 1.0, atol=1e-12)
    if smoothing == 0:
        assert fit.log_likelihood == fit.ml_log_likelihood


def test_a_model_saved_before_the_ml_statistics_is_reported_as_smoothed(sel):
    rs, _ = al.simulate(sel, 1500, random_state=0)
    m = al.calibrate(sel, rs, n_init=1, random_state=0)
    old = {k: v for k, v in m.provenance["fit"].items() if "smoothed" not in k and not k.endswith("_ml") and k != "estimates"}
    old["log_likelihood"] = m.provenance["fit"]["log_likelihood_smoothed"]
    legacy = al.LevelModel(m.questionnaire_id, m.questionnaire_version, m.questionnaire_hash, m.item_ids, m.weights,
                           m.log_prior, kind=m.kind, provenance=dict(m.provenance, fit=old))
    line = al.fit_report(legacy).splitlines()[1]
    assert line.startswith(f"at the smoothed estimates: log-likelihood {old['log_likelihood']:,.2f}")
    assert al.fit_report(m).splitlines()[2].startswith("at the smoothed estimates (posterior mode, smoothing 1.0)")
