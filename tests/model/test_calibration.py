"""calibrate: latent-class recovery from known truth, a published peer (stepmix), bad input."""

import json
import math
import warnings

import numpy as np
import pytest

import akhlak_levels as al
from akhlak_levels.model import fit_latent_classes, one_hot
from akhlak_levels.model._latent_class import _e_step

SEL = al.load_questionnaire("socio-emotional-levels")
TRUE_PRIOR = np.array([0.10, 0.20, 0.30, 0.25, 0.15])


def known_model(seed=2024, concentration=40.0):
    """A model unlike the theory prior: its probabilities drawn around the prior's (so the
    classes still carry the keys' meaning) with a non-uniform level distribution."""
    rng = np.random.default_rng(seed)
    probs = []
    for p in SEL.default_model.item_probabilities:
        draws = np.stack([rng.dirichlet(concentration * p[:, k] + 0.5) for k in range(5)], axis=1)
        probs.append(draws)
    return al.LevelModel.from_probabilities(SEL, probs, TRUE_PRIOR)


TRUTH = known_model()


@pytest.fixture(scope="module", params=[3000, 12000], ids=["n3000", "n12000"])
def recovered(request):
    n = request.param
    rs, levels = al.simulate(SEL, n, TRUTH, missing=0.2, random_state=n)
    model = al.calibrate(SEL, rs, n_init=3, random_state=7)
    return n, rs, levels, model


def test_class_conditional_probabilities_are_recovered(recovered):
    """Each of the 950 estimated probabilities lies within 5 standard errors of the truth,
    SE = sqrt(p (1 - p) / (n pi_k (1 - missing))), the binomial SE of a share among the
    respondents of that level who answered the item (the posterior is nearly certain: entropy
    R2 > 0.9, so classification noise adds little). Over 950 cells, |z| < 5 fails by chance
    with probability below 1e-3."""
    n, _, _, model = recovered
    worst = 0.0
    for p_hat, p in zip(model.item_probabilities, TRUTH.item_probabilities):
        se = np.sqrt(p * (1 - p) / (n * TRUE_PRIOR[None, :] * 0.8))
        worst = max(worst, float(np.max(np.abs(p_hat - p) / se)))
    assert worst < 5.0
    assert model.provenance["fit"]["entropy_r2"] > 0.9


def test_class_sizes_are_recovered(recovered):
    n, _, _, model = recovered
    se = np.sqrt(TRUE_PRIOR * (1 - TRUE_PRIOR) / n)
    assert np.all(np.abs(model.prior - TRUE_PRIOR) < 4 * se + 0.005)


def test_level_agreement_is_close_to_the_true_models(recovered):
    """The calibrated model classifies the simulated respondents about as well as the model
    that generated them: within 1.5 percentage points at n = 3000 and 1 at n = 12000."""
    n, rs, levels, model = recovered
    true_acc = float((al.assess(SEL, rs, TRUTH, min_confidence=0).level == levels).mean())
    cal_acc = float((al.assess(SEL, rs, model, min_confidence=0).level == levels).mean())
    assert cal_acc > true_acc - (0.015 if n < 10000 else 0.01)


def test_classes_mean_the_same_levels_on_every_run():
    rs, levels = al.simulate(SEL, 3000, TRUTH, missing=0.2, random_state=5)
    for seed in (0, 1, 2):
        m = al.calibrate(SEL, rs, n_init=2, random_state=seed)
        a = al.assess(SEL, rs, m, min_confidence=0)
        assert (a.level == levels).mean() > 0.9, seed


def test_the_same_seed_gives_the_same_model():
    rs, _ = al.simulate(SEL, 2000, TRUTH, random_state=9)
    a = al.calibrate(SEL, rs, n_init=2, random_state=3)
    b = al.calibrate(SEL, rs, n_init=2, random_state=3)
    assert a.hash == b.hash


def test_a_settable_prior_replaces_the_estimated_class_sizes():
    rs, _ = al.simulate(SEL, 2000, TRUTH, random_state=9)
    base = np.array([0.3, 0.3, 0.2, 0.1, 0.1])
    m = al.calibrate(SEL, rs, n_init=1, prior=base, random_state=0)
    np.testing.assert_allclose(m.prior, base)
    assert m.provenance["prior"] == base.tolist()


def test_the_model_carries_its_provenance_and_fit(tmp_path):
    rs, _ = al.simulate(SEL, 2000, TRUTH, missing=0.1, random_state=4)
    m = al.calibrate(SEL, rs, n_init=2, random_state=11)
    prov = m.provenance
    assert prov["method"] == "latent-class" and prov["library_version"] == al.__version__
    assert prov["n_respondents"] == 2000 and abs(prov["share_missing"] - 0.1) < 0.01
    assert prov["settings"] == {"random_state": 11, "n_init": 2, "smoothing": 1.0, "max_iter": 500, "tol": 1e-6}
    fit = prov["fit"]
    k, ll, n = fit["n_parameters"], fit["log_likelihood"], 2000
    assert k == 4 + 5 * int(np.sum(SEL.n_options - 1))
    assert fit["aic"] == pytest.approx(-2 * ll + 2 * k)
    assert fit["bic"] == pytest.approx(-2 * ll + k * math.log(n))
    assert sum(fit["modal_class_counts"]) == n
    assert len(fit["start_log_likelihoods"]) == 3  # 2 random + 1 from the keys
    # the best start, run on to a 100 times tighter tolerance: the smoothed estimates
    assert 0 <= fit["log_likelihood_smoothed"] - max(fit["start_log_likelihoods"]) < 1e-5 * n
    assert fit["bic_smoothed"] == pytest.approx(-2 * fit["log_likelihood_smoothed"] + k * math.log(n))
    # then run on without smoothing: the maximum likelihood is at least as high
    assert fit["log_likelihood"] >= fit["log_likelihood_smoothed"] and fit["ml_converged"]
    path = tmp_path / "m.json"
    m.save(path)
    back = al.load_model(path)
    assert back.provenance["fit"]["log_likelihood"] == ll
    json.loads(path.read_text())  # plain JSON


def test_missing_answers_are_modelled_not_dropped():
    rs, levels = al.simulate(SEL, 3000, TRUTH, missing=0.5, random_state=8)
    m = al.calibrate(SEL, rs, n_init=2, random_state=0)
    assert m.provenance["n_respondents"] == 3000
    assert (al.assess(SEL, rs, m, min_confidence=0).level == levels).mean() > 0.85


# ------------------------------------------------------------------ the EM engine


def test_em_never_decreases_the_likelihood():
    rs, _ = al.simulate(SEL, 1500, TRUTH, missing=0.3, random_state=1)
    lls = [
        fit_latent_classes(rs.codes, SEL.n_options, 5, n_init=1, max_iter=it, tol=1e-12, smoothing=0.0,
                           random_state=np.random.default_rng(0)).log_likelihood
        for it in (2, 3, 5, 10, 20)
    ]
    assert all(b >= a - 1e-6 for a, b in zip(lls, lls[1:]))


def test_a_two_class_binary_mixture_is_recovered_exactly_enough():
    rng = np.random.default_rng(0)
    n = 20000
    z = rng.random(n) < 0.3
    p_yes = np.where(z[:, None], [0.9, 0.8, 0.85, 0.7, 0.9], [0.1, 0.3, 0.2, 0.25, 0.15])
    codes = (rng.random((n, 5)) < p_yes).astype(np.int8)
    fit = fit_latent_classes(codes, [2] * 5, 2, n_init=3, smoothing=0.0, random_state=rng)
    big = int(np.argmax(fit.class_weights))
    assert fit.class_weights[1 - big] == pytest.approx(0.3, abs=0.015)
    np.testing.assert_allclose(fit.probabilities[0][1, 1 - big], 0.9, atol=0.02)


# ------------------------------------------------------------------ peer: stepmix


def test_our_likelihood_is_the_one_stepmix_reports_and_ours_is_at_least_as_high():
    """stepmix (Morin et al., 2023) fits the same model ('categorical_nan' handles missing answers
    the same way). Two checks: our log-likelihood evaluated at stepmix's estimates equals
    stepmix's own score (the two implementations define the likelihood alike, rtol 1e-9); and our
    fit (maximum likelihood, smoothing 0) is at least as high as stepmix's best of three starts,
    within 1e-5 per respondent (both stop when the gain per iteration is of that order)."""
    stepmix = pytest.importorskip("stepmix.stepmix")
    rs, _ = al.simulate(SEL, 3000, TRUTH, missing=0.2, random_state=21)
    X = rs.codes.astype(float)
    X[X < 0] = np.nan
    best = -np.inf
    for seed in range(3):
        sm = stepmix.StepMix(n_components=5, measurement="categorical_nan", n_init=1, max_iter=1000,
                             abs_tol=1e-10, rel_tol=1e-7, random_state=seed, verbose=0, progress_bar=0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            sm.fit(X)
        ll_theirs = sm.score(X) * len(X)
        par = sm.get_parameters()
        pis = par["measurement"]["pis"].reshape(5, SEL.n_items, -1)
        flat = np.concatenate([pis[:, i, : SEL.items[i].n_options].T for i in range(SEL.n_items)], axis=0)
        _, ll_ours_at_theirs = _e_step(one_hot(rs.codes, SEL.n_options), np.log(np.maximum(flat, 1e-300)), np.log(par["weights"]))
        assert ll_ours_at_theirs == pytest.approx(ll_theirs, rel=1e-9)
        best = max(best, ll_theirs)
    ours = fit_latent_classes(rs.codes, SEL.n_options, 5, n_init=3, smoothing=0.0, random_state=np.random.default_rng(0))
    assert ours.log_likelihood >= best - 1e-5 * len(X)


# ------------------------------------------------------------------ bad input


def _rs(n=1000, **kw):
    return al.simulate(SEL, n, TRUTH, random_state=0, **kw)


def test_too_few_respondents_for_the_parameters():
    rs, _ = _rs(300)
    with pytest.raises(al.ModelError, match=r"Too few respondents: 300 for a model with 764 parameters"):
        al.calibrate(SEL, rs)


def test_an_item_nobody_answered_is_named():
    rs, _ = _rs()
    codes = rs.codes.copy()
    codes[:, 3] = al.MISSING
    with pytest.raises(al.ModelError, match=r"1 items have no answers at all.*\['SE04'\]"):
        al.calibrate(SEL, al.ResponseSet(SEL, rs.respondent_ids, codes))


def test_an_empty_class_is_a_stated_warning():
    levels = np.repeat([1, 2, 3, 4], 500)  # nobody at level 5
    rs, _ = al.simulate(SEL, 2000, TRUTH, levels=levels, random_state=0)
    with pytest.warns(al.CalibrationWarning) as record:
        m = al.calibrate(SEL, rs, n_init=2, random_state=0)
    messages = " ".join(str(w.message) for w in record)
    assert "level 5" in messages
    assert m.provenance["fit"]["warnings"]


@pytest.mark.parametrize(
    "labels, message",
    [
        (np.full(1000, 3), r"Levels \[1, 2, 4, 5\] are absent from the labels"),
        (np.r_[np.tile([1, 2, 3, 4, 5], 199), [6, 0, 3, 2, 1]], r"2 labels are not levels 1-5"),
        (np.tile([1, 2, 3, 4, 5], 100), r"Expected one label per respondent \(1000 respondents"),
        (["x"] + [1, 2, 3, 4, 5] * 199 + [1, 2, 3, 4], r"1 labels are not levels 1-5"),
    ],
    ids=["one-level-only", "outside-1-5", "not-aligned", "not-a-number"],
)
def test_bad_labels_are_refused(labels, message):
    rs, _ = _rs()
    with pytest.raises(al.ModelError, match=message):
        al.calibrate(SEL, rs, labels, method="logistic")


def test_labels_outside_the_range_name_the_respondent():
    rs, _ = _rs()
    labels = np.tile([1, 2, 3, 4, 5], 200).astype(object)
    labels[7] = 9
    with pytest.raises(al.ModelError) as err:
        al.calibrate(SEL, rs, labels, method="logistic")
    (problem,) = err.value.problems
    assert (problem.respondent, problem.value) == ("sim-8", 9)


def test_a_labels_column_must_have_been_read():
    rs, _ = _rs()
    with pytest.raises(al.ModelError, match="The labels column 'expert' was not read"):
        al.calibrate(SEL, rs, "expert")


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"method": "kmeans"}, "The 'method' parameter of calibrate must be one of"),
        ({"n_init": 0}, "The 'n_init' parameter of calibrate must be an integer >= 1. Got 0 instead."),
        ({"cv": 1}, "The 'cv' parameter of calibrate must be an integer >= 2. Got 1 instead."),
        ({"smoothing": -1}, "The 'smoothing' parameter of calibrate must be a number >= 0. Got -1 instead."),
        ({"prior": [0.5, 0.5, 0, 0, 0]}, "The 'prior' parameter of calibrate must be 5 positive numbers summing to 1."),
    ],
    ids=["method", "n_init", "cv", "smoothing", "prior"],
)
def test_bad_parameters_say_what_was_expected(kwargs, message):
    rs, _ = _rs()
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)").replace("[", r"\[")):
        al.calibrate(SEL, rs, **kwargs)


def test_ordinal_refuses_a_prior():
    rs, levels = _rs(1000)
    with pytest.raises(al.ModelError, match="cannot be expressed in a cumulative-logit"):
        al.calibrate(SEL, rs, levels, method="ordinal", prior=TRUE_PRIOR)
