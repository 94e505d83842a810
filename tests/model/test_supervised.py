"""Supervised calibration (akhlak_levels.model, module _supervised): recovery from simulation, the mapping into
LevelModel weights against the fitted models, metrics against hand computations, the prior
shift, the ordinal gradient, reproducibility."""

from __future__ import annotations

import json

import numpy as np
import pytest
import scipy.optimize
import scipy.special
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import (
    accuracy_score,
    balanced_accuracy_score,
    brier_score_loss,
    cohen_kappa_score,
    confusion_matrix,
    log_loss,
)

import akhlak_levels as al
from akhlak_levels.model import SupervisedFit, classification_metrics, design_matrix as one_hot, fit_logistic, fit_ordinal
from akhlak_levels.model._supervised import _ordinal_objective, _ordinal_start

SEL = "socio-emotional-levels"
N = 3000


def as_model(q: al.Questionnaire, fit: SupervisedFit) -> al.LevelModel:
    """The LevelModel that calibrate builds from a SupervisedFit."""
    return al.LevelModel(
        questionnaire_id=q.id,
        questionnaire_version=q.version,
        questionnaire_hash=q.content_hash,
        item_ids=q.item_ids,
        weights=tuple(fit.weights),
        log_prior=fit.log_prior,
        kind=fit.kind,
    )


def rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


@pytest.fixture(scope="module")
def q() -> al.Questionnaire:
    return al.load_questionnaire(SEL)


@pytest.fixture(scope="module")
def data(q):
    """3000 respondents from the theory prior, 10% of answers missing, labelled with their true level."""
    responses, truth = al.simulate(q, N, missing=0.1, random_state=2024)
    return responses, truth.astype(np.int64)


@pytest.fixture(scope="module")
def true_metrics(q, data):
    """How well the generating model itself classifies: the ceiling for any fit."""
    responses, truth = data
    return classification_metrics(truth, al.assess(q, responses, min_confidence=0).probabilities)


@pytest.fixture(scope="module")
def logistic(q, data) -> SupervisedFit:
    responses, truth = data
    return fit_logistic(q, responses.codes, truth, random_state=rng(1))


@pytest.fixture(scope="module")
def ordinal(q, data) -> SupervisedFit:
    responses, truth = data
    return fit_ordinal(q, responses.codes, truth, random_state=rng(1))


# =========================================================================== recovery


def test_logistic_classifies_out_of_fold_nearly_as_well_as_the_true_model(logistic, true_metrics):
    # A latent-class posterior is exactly a multinomial logistic model in the one-hot answers, so
    # the logistic fit is well specified and loses only estimation error: 38 x 5 x 5 weights from
    # 2400 respondents per fold. Observed: 0.960 against 0.985 for the true model (seed 2024);
    # 0.04 allows that gap plus ~4 standard errors of an accuracy near 0.96 at n = 3000 (0.0036).
    assert logistic.fit["accuracy"] >= true_metrics["accuracy"] - 0.04
    assert logistic.fit["quadratic_weighted_kappa"] >= true_metrics["quadratic_weighted_kappa"] - 0.01
    assert logistic.fit["log_loss"] < 0.15


def test_ordinal_classifies_out_of_fold_close_to_the_true_model_up_to_adjacent_levels(ordinal, true_metrics):
    # The theory prior's Likert items unfold (agreement peaks at the keyed level), which a single
    # score eta cannot represent, so proportional odds is misspecified here and stays below the
    # true model: observed accuracy 0.919 against 0.985 (seed 2024). Its errors are between
    # adjacent levels, so the quadratic weighted kappa stays close (0.980 against 0.996).
    assert ordinal.fit["accuracy"] >= true_metrics["accuracy"] - 0.10
    assert ordinal.fit["quadratic_weighted_kappa"] >= true_metrics["quadratic_weighted_kappa"] - 0.03
    confusion = np.array(ordinal.fit["confusion_matrix"])
    far = np.abs(np.subtract.outer(np.arange(5), np.arange(5))) > 1
    assert confusion[far].sum() <= 0.005 * N


def test_ordinal_recovers_a_proportional_odds_model_it_is_drawn_from(q):
    # Well specified: labels drawn from a known cumulative-logit model of random answers.
    g = rng(7)
    n = 2000
    codes = g.integers(0, 5, size=(n, q.n_items)).astype(np.int8)
    codes[g.random(codes.shape) < 0.1] = al.MISSING
    beta = g.normal(0.0, 1.0, size=int(q.n_options.sum()))
    eta = one_hot(q, codes) @ beta
    theta = np.quantile(eta, [0.2, 0.4, 0.6, 0.8])
    cum = np.c_[np.zeros(n), scipy.special.expit(theta - eta[:, None]), np.ones(n)]
    labels = 1 + (g.random(n)[:, None] > cum[:, 1:-1]).sum(axis=1)
    oracle = classification_metrics(labels, np.diff(cum, axis=1))

    fit = fit_ordinal(q, codes, labels, random_state=rng(0))
    # observed 0.663 against the oracle's 0.682; 0.04 is ~4 standard errors of an accuracy near
    # 0.67 at n = 2000 (0.0105)
    assert fit.fit["accuracy"] >= oracle["accuracy"] - 0.04
    # beta is identified up to a constant per item: compare within-item contrasts
    b_hat = -np.concatenate([w[:, 0] for w in fit.weights])
    off = np.r_[0, np.cumsum(q.n_options)]

    def contrasts(b):
        return np.concatenate([b[off[i] : off[i + 1]] - b[off[i] : off[i + 1]].mean() for i in range(q.n_items)])

    assert np.corrcoef(contrasts(b_hat), contrasts(beta))[0, 1] > 0.98  # observed 0.993
    # the gaps between thresholds are identified: within 25% (penalised, so a little off)
    np.testing.assert_allclose(np.diff(fit.log_prior[:4]), np.diff(theta), rtol=0.25)


# =========================================================================== mapping into LevelModel


def test_the_logistic_level_model_reproduces_predict_proba_of_the_sklearn_model(q, data, logistic):
    responses, truth = data
    s = logistic.settings
    sk = LogisticRegression(C=s["C"], solver=s["solver"], tol=s["tol"], max_iter=s["max_iter"])
    sk.fit(one_hot(q, responses.codes), truth)
    expected = sk.predict_proba(one_hot(q, responses.codes))
    got = al.assess(q, responses, as_model(q, logistic), min_confidence=0).probabilities
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-8)
    assert s["C"] in s["Cs"] and len(s["cv_log_loss"]) == len(s["Cs"])
    assert s["C"] == s["Cs"][int(np.argmin(s["cv_log_loss"]))]


def test_the_ordinal_level_model_reproduces_a_cumulative_logit_computed_independently(q, data, ordinal):
    responses, truth = data
    w = np.concatenate(ordinal.weights)
    np.testing.assert_array_equal(w, np.repeat(w[:, :1], 5, axis=1))  # -beta repeated over levels
    beta = -w[:, 0]
    theta = ordinal.log_prior[:4]
    assert ordinal.log_prior[4] == 0.0
    eta = one_hot(q, responses.codes) @ beta
    cum = scipy.special.expit(theta[None, :] - eta[:, None])
    expected = np.diff(np.c_[np.zeros(N), cum, np.ones(N)], axis=1)
    got = al.assess(q, responses, as_model(q, ordinal), min_confidence=0).probabilities
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-12)


def test_the_ordinal_model_is_a_proper_ordered_distribution(q, data, ordinal):
    responses, _ = data
    theta = ordinal.log_prior[:4]
    assert np.all(np.diff(theta) > 0)
    p = al.assess(q, responses, as_model(q, ordinal), min_confidence=0).probabilities
    assert np.all(p >= 0)
    np.testing.assert_allclose(p.sum(axis=1), 1.0, atol=1e-12)
    # stochastic order: a higher score eta never makes a low level more likely
    beta = -np.concatenate(ordinal.weights)[:, 0]
    eta = one_hot(q, responses.codes) @ beta
    cum = np.cumsum(p[np.argsort(eta)], axis=1)[:, :4]
    assert np.all(np.diff(cum, axis=0) <= 1e-12)


@pytest.mark.parametrize("kind", ["logistic", "ordinal"])
def test_both_models_survive_a_json_round_trip(q, logistic, ordinal, kind, tmp_path):
    model = as_model(q, logistic if kind == "logistic" else ordinal)
    model.save(tmp_path / "m.json")
    back = al.load_model(tmp_path / "m.json")
    assert back.kind == kind and back.hash == model.hash


# =========================================================================== prior


def test_a_prior_shifts_the_logistic_intercept_by_bayes_rule(q, data):
    responses, truth = data
    codes, labels = responses.codes[:1500], truth[:1500]
    plain = fit_logistic(q, codes, labels, Cs=(1.0,), cv=2, random_state=rng(3))
    prior = np.array([0.6, 0.1, 0.1, 0.1, 0.1])
    shifted = fit_logistic(q, codes, labels, Cs=(1.0,), cv=2, random_state=rng(3), prior=prior)

    shares = np.bincount(labels, minlength=6)[1:] / labels.size
    np.testing.assert_allclose(shifted.log_prior - plain.log_prior, np.log(prior) - np.log(shares), rtol=0, atol=1e-12)
    for a, b in zip(shifted.weights, plain.weights):
        np.testing.assert_array_equal(a, b)
    assert shifted.settings["prior"] == pytest.approx(prior.tolist())
    assert shifted.settings["training_shares"] == pytest.approx(shares.tolist())

    before = al.assess(q, responses, as_model(q, plain), min_confidence=0).probabilities
    after = al.assess(q, responses, as_model(q, shifted), min_confidence=0).probabilities
    bayes = before * prior / shares
    bayes /= bayes.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(after, bayes, rtol=0, atol=1e-12)
    # more weight on level 1: its mean probability and its predicted share go up; the level whose
    # prior / share ratio is smallest loses
    assert after[:, 0].mean() > before[:, 0].mean()
    assert (after.argmax(axis=1) == 0).sum() > (before.argmax(axis=1) == 0).sum()
    lowest = int(np.argmin(prior / shares))
    assert after[:, lowest].mean() < before[:, lowest].mean()


def test_the_ordinal_model_refuses_a_prior(q, data):
    responses, truth = data
    with pytest.raises(al.ModelError, match="cannot be expressed in a cumulative-logit") as err:
        fit_ordinal(q, responses.codes, truth, random_state=rng(), prior=[0.2] * 5)
    assert "method='logistic' or 'latent-class'" in str(err.value)


# =========================================================================== the ordinal objective


@pytest.fixture(scope="module")
def small_problem(q):
    g = rng(3)
    codes = g.integers(0, 5, size=(60, q.n_items)).astype(np.int8)
    codes[g.random(codes.shape) < 0.2] = al.MISSING
    y0 = np.tile(np.arange(5), 12)  # every level, extremes included
    params = np.concatenate([g.normal(0.0, 0.3, size=int(q.n_options.sum())), [-1.0, np.log(0.8), np.log(1.2), np.log(0.5)]])
    return one_hot(q, codes), y0, params


def test_the_ordinal_gradient_matches_finite_differences(small_problem):
    X, y0, params = small_problem
    value, grad = _ordinal_objective(params, X, y0, 0.7)
    numeric = scipy.optimize.approx_fprime(params, lambda p: _ordinal_objective(p, X, y0, 0.7)[0], 1e-7)
    # forward differences: truncation ~ h |f''| / 2 ~ 1e-7, rounding ~ 1e-16 |f| / h ~ 1e-7;
    # observed largest error 1.2e-6 on gradients up to 11
    np.testing.assert_allclose(grad, numeric, rtol=0, atol=1e-5)
    err = scipy.optimize.check_grad(lambda p: _ordinal_objective(p, X, y0, 0.7)[0], lambda p: _ordinal_objective(p, X, y0, 0.7)[1], params)
    assert err < 1e-4 * np.linalg.norm(grad)


def test_the_ordinal_objective_is_the_penalised_negative_log_likelihood(small_problem):
    X, y0, params = small_problem
    beta, tau = params[: X.shape[1]], params[X.shape[1] :]
    theta = np.r_[-np.inf, tau[0] + np.r_[0.0, np.cumsum(np.exp(tau[1:]))], np.inf]
    eta = X @ beta
    p = scipy.special.expit(theta[y0 + 1] - eta) - scipy.special.expit(theta[y0] - eta)  # naive
    expected = -np.log(p).sum() + 0.5 * 0.7 * beta @ beta
    assert _ordinal_objective(params, X, y0, 0.7)[0] == pytest.approx(expected, rel=1e-12)


def test_the_start_has_zero_scores_and_increasing_thresholds(q):
    start = _ordinal_start(np.array([0, 1, 1, 2, 3, 4, 4]), 190)
    assert np.all(start[:190] == 0) and start.shape == (194,)
    assert np.all(np.isfinite(start))


# =========================================================================== metrics


def test_metrics_match_a_hand_computation():
    labels = [1, 2, 3, 5]
    p = np.array(
        [
            [0.70, 0.10, 0.10, 0.05, 0.05],  # right, confidence 0.70 (bin 7)
            [0.10, 0.60, 0.20, 0.05, 0.05],  # right, confidence 0.60 (bin 6)
            [0.10, 0.50, 0.30, 0.05, 0.05],  # predicted 2 for a 3: wrong, 0.50 (bin 5)
            [0.05, 0.05, 0.05, 0.05, 0.80],  # right, 0.80 (bin 8)
        ]
    )
    m = classification_metrics(labels, p)
    assert m["n"] == 4
    assert m["accuracy"] == 0.75
    # levels present: 1 (1/1), 2 (1/1), 3 (0/1), 5 (1/1)
    assert m["balanced_accuracy"] == 0.75
    assert m["confusion_matrix"] == [
        [1, 0, 0, 0, 0],
        [0, 1, 0, 0, 0],
        [0, 1, 0, 0, 0],
        [0, 0, 0, 0, 0],
        [0, 0, 0, 0, 1],
    ]
    # log loss: -(ln .7 + ln .6 + ln .3 + ln .8) / 4
    assert m["log_loss"] == pytest.approx(-(np.log(0.7) + np.log(0.6) + np.log(0.3) + np.log(0.8)) / 4, rel=1e-12)
    # Brier: (.09+.01+.01+.0025+.0025) + (.01+.16+.04+.0025+.0025) + (.01+.25+.49+.0025+.0025)
    #        + (.0025*4 + .04), over 4
    assert m["brier"] == pytest.approx((0.115 + 0.215 + 0.755 + 0.05) / 4, rel=1e-12)
    # one respondent per bin: (|1-.7| + |1-.6| + |0-.5| + |1-.8|) / 4
    assert m["calibration_error"] == pytest.approx((0.3 + 0.4 + 0.5 + 0.2) / 4, rel=1e-12)
    # quadratic weights (i-j)^2 / 16; observed: one 3->2 (w 1/16); expected from the margins
    # (true 1,2,3,5 each 1/4; predicted 1: 1/4, 2: 1/2, 5: 1/4) times n = 4
    w = np.subtract.outer(np.arange(5), np.arange(5)) ** 2 / 16
    expected = np.outer([1, 1, 1, 0, 1], [1, 2, 0, 0, 1]) / 4
    kappa = 1 - (1 / 16) / (w * expected).sum()
    assert m["quadratic_weighted_kappa"] == pytest.approx(kappa, rel=1e-12)


def test_metrics_pool_respondents_in_a_bin():
    # two respondents in bin 4 (.42 and .48, one right): |0.5 - 0.45| * 2/3; one in bin 9: |1 - .95| / 3
    p = np.array([[0.42, 0.38, 0.1, 0.05, 0.05], [0.48, 0.42, 0.05, 0.03, 0.02], [0.01, 0.01, 0.01, 0.02, 0.95]])
    m = classification_metrics([1, 2, 5], p)
    assert m["calibration_error"] == pytest.approx(0.05 * 2 / 3 + 0.05 / 3, rel=1e-12)


def test_metrics_agree_with_sklearn():
    g = rng(11)
    p = g.dirichlet(np.ones(5), size=200)
    y = g.integers(1, 6, size=200)
    pred = p.argmax(axis=1) + 1
    levels = [1, 2, 3, 4, 5]
    m = classification_metrics(y, p)
    assert m["log_loss"] == pytest.approx(log_loss(y, p, labels=levels), rel=1e-12)
    assert m["brier"] == pytest.approx(brier_score_loss(y, p, labels=levels), rel=1e-12)
    assert m["accuracy"] == pytest.approx(accuracy_score(y, pred), rel=1e-12)
    assert m["balanced_accuracy"] == pytest.approx(balanced_accuracy_score(y, pred), rel=1e-12)
    assert m["quadratic_weighted_kappa"] == pytest.approx(cohen_kappa_score(y, pred, weights="quadratic"), rel=1e-12)
    assert m["confusion_matrix"] == confusion_matrix(y, pred, labels=levels).tolist()


def test_metrics_are_json_ready(logistic):
    assert json.loads(json.dumps(logistic.fit, allow_nan=False)) == logistic.fit
    assert all(type(v) in (int, float, list) for v in logistic.fit.values())
    assert json.loads(json.dumps(logistic.settings, allow_nan=False)) == logistic.settings


@pytest.mark.parametrize(
    "labels, probabilities, message",
    [
        ([1, 2], np.full((3, 5), 0.2), "Expected labels of shape"),
        ([1, 6], np.full((2, 5), 0.2), r"Labels must be levels 1..5; got \[6\]"),
        ([], np.zeros((0, 5)), "at least one respondent"),
    ],
    ids=["misaligned", "level-6", "empty"],
)
def test_metrics_refuse_bad_input(labels, probabilities, message):
    with pytest.raises(ValueError, match=message):
        classification_metrics(labels, probabilities)


# =========================================================================== coding, settings, reproducibility


def test_one_hot_sets_one_column_per_answer_and_none_for_missing(q):
    codes = np.array([[0] * q.n_items, [4] * q.n_items, [-1] * q.n_items], dtype=np.int8)
    codes[0, 1] = -1
    X = one_hot(q, codes)
    assert X.shape == (3, int(q.n_options.sum()))
    assert X.sum(axis=1).A1.tolist() == [q.n_items - 1, q.n_items, 0]
    off = np.r_[0, np.cumsum(q.n_options)]
    assert X[0].indices.tolist() == [off[i] for i in range(q.n_items) if i != 1]
    assert X[1].indices.tolist() == [off[i] + 4 for i in range(q.n_items)]


@pytest.mark.parametrize("fit", [fit_logistic, fit_ordinal], ids=["logistic", "ordinal"])
def test_the_same_random_state_gives_the_same_model(q, data, fit):
    responses, truth = data
    codes, labels = responses.codes[:800], truth[:800]
    kwargs = {"Cs": (0.3, 1.0)} if fit is fit_logistic else {"alphas": (1.0, 10.0)}
    a = fit(q, codes, labels, cv=3, random_state=rng(5), **kwargs)
    b = fit(q, codes, labels, cv=3, random_state=rng(5), **kwargs)
    c = fit(q, codes, labels, cv=3, random_state=rng(6), **kwargs)
    for wa, wb in zip(a.weights, b.weights):
        np.testing.assert_array_equal(wa, wb)
    np.testing.assert_array_equal(a.log_prior, b.log_prior)
    assert a.fit == b.fit and a.settings == b.settings
    assert c.settings["cv_seed"] != a.settings["cv_seed"]  # another split of the folds


def test_cross_validation_needs_every_level_in_every_fold(q, data):
    responses, truth = data
    labels = truth[:500].copy()
    labels[np.flatnonzero(labels == 5)[3:]] = 4  # three respondents at level 5
    with pytest.raises(al.ModelError, match=r"at least 5 labelled respondents at every level \(level 5: 3\)"):
        fit_logistic(q, responses.codes[:500], labels, random_state=rng())


@pytest.mark.parametrize(
    "kwargs, message",
    [({"cv": 1}, "The 'cv' parameter must be an integer >= 2"), ({"Cs": (1.0, -1.0)}, "The 'Cs' parameter must be")],
    ids=["cv", "Cs"],
)
def test_bad_settings_say_what_was_expected(q, data, kwargs, message):
    responses, truth = data
    with pytest.raises(ValueError, match=message):
        fit_logistic(q, responses.codes[:200], truth[:200], random_state=rng(), **kwargs)
