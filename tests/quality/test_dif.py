"""dif: oracles (logistic regression by scikit-learn, the cumulative-logit likelihood written
out, Benjamini-Hochberg by hand), calibration under no DIF, recovery of simulated DIF, and bad
input. Level decisions by group are in tests/test_decisions.py."""

import json
import math

import numpy as np
import pytest
import scipy.optimize
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from sklearn.linear_model import LogisticRegression

import akhlak_levels as al
import importlib

dif_module = importlib.import_module("akhlak_levels.quality._dif")
fits_module = importlib.import_module("akhlak_levels.quality._dif_fits")
from akhlak_levels.decisions import level_decisions_by_group
from akhlak_levels.model import thresholds
from akhlak_levels.quality import benjamini_hochberg, dif

SEL = al.load_questionnaire("socio-emotional-levels")
IDS = list(SEL.item_ids)


def rset(codes, q=SEL):
    return al.ResponseSet(q, np.array([f"r{i}" for i in range(codes.shape[0])]), np.asarray(codes, dtype=np.int8))


# =========================================================================== Benjamini-Hochberg


def test_benjamini_hochberg_equals_a_hand_computation_with_and_without_scipy():
    # sorted: .005 .01 .03 .04 (m = 4) -> 4p/i = .02 .02 .04 .04, already monotone
    p = [0.01, 0.04, 0.03, 0.005, np.nan]
    expected = [0.02, 0.04, 0.04, 0.02, np.nan]
    np.testing.assert_allclose(benjamini_hochberg(p), expected, rtol=1e-12)
    np.testing.assert_allclose(dif_module._bh(np.array(p[:4])), expected[:4], rtol=1e-12)
    # the step-up minimum: .01 .02 .03 (m = 3) -> .03 .03 .03 ; and the cap at 1
    np.testing.assert_allclose(dif_module._bh(np.array([0.02, 0.01, 0.03])), [0.03, 0.03, 0.03], rtol=1e-12)
    np.testing.assert_allclose(dif_module._bh(np.array([0.9, 0.8])), [0.9, 0.9], rtol=1e-12)


@given(st.lists(st.floats(0, 1), min_size=1, max_size=40))
def test_the_fallback_equals_scipy_false_discovery_control(p):
    fdc = getattr(stats, "false_discovery_control", None)
    if fdc is None:  # pragma: no cover - scipy < 1.11
        pytest.skip("scipy.stats.false_discovery_control needs scipy >= 1.11")
    np.testing.assert_allclose(dif_module._bh(np.array(p)), fdc(np.array(p), method="bh"), rtol=1e-12, atol=1e-15)


# =========================================================================== the likelihood


def naive_loglik(beta, theta, X, y):
    """log prod_n [F(theta_y - x beta) - F(theta_{y-1} - x beta)], F logistic, theta_{-1} = -inf,
    theta_{J-1} = +inf: the cumulative-logit model written out."""
    eta = X @ beta
    cut = np.concatenate([[-np.inf], theta, [np.inf]])
    F = lambda s: 1.0 / (1.0 + np.exp(-s))  # noqa: E731
    return float(np.sum(np.log(F(cut[y + 1] - eta) - F(cut[y] - eta))))


@pytest.mark.parametrize("J", [2, 3, 5])
def test_the_fit_is_the_maximum_of_the_cumulative_logit_likelihood(J):
    rng = np.random.default_rng(J)
    n = 800
    X = np.column_stack([rng.normal(size=n), rng.integers(0, 2, n), rng.normal(size=n)])
    latent = X @ np.array([1.0, -0.5, 0.3]) + rng.logistic(size=n)
    y = np.searchsorted(np.quantile(latent, np.linspace(0, 1, J + 1)[1:-1]), latent)
    ll, params = fits_module._fit(X, y, J, fits_module._start(y, J, 3))
    beta, theta = params[:3], thresholds(params[3:])
    assert ll == pytest.approx(naive_loglik(beta, theta, X, y), rel=1e-12)
    # the log-likelihood is concave in (beta, theta) (Pratt, 1981), so a stationary point is
    # the maximum: the numerical gradient of the written-out likelihood vanishes there
    # (central differences, step 1e-5: truncation error ~1e-8 times n)
    point = np.concatenate([beta, theta])
    grad = scipy.optimize.approx_fprime(point, lambda v: naive_loglik(v[:3], v[3:], X, y), 1e-6)
    assert np.abs(grad).max() < 1e-3


def binary_design(seed=0, n=600):
    """SEL answers with item SE01 cut to two categories, and a group that shifts it."""
    rs, _ = al.simulate(SEL, n, random_state=seed)
    codes = rs.codes.copy()
    group = np.where(np.random.default_rng(seed).random(n) < 0.4, "B", "A")
    j = IDS.index("SE01")
    high = codes[:, j] >= 3
    flip = (group == "B") & (np.random.default_rng(seed + 1).random(n) < 0.25)
    codes[:, j] = np.where(high ^ flip, 4, 0)
    return rset(codes), group


def test_for_a_two_category_item_the_statistics_are_those_of_logistic_regression():
    rs, group = binary_design()
    t = dif(SEL, rs, group, purify=False)  # the plain rest score, written out below
    j = IDS.index("SE01")
    assert t.n_categories[j] == 2 and t.matching_scale[j] == "socio-dependent"
    # the rest score written out: mean keyed answer of the other socio-dependent items
    others = [i for i in SEL.scale("socio-dependent").item_ids if i != "SE01"]
    vals = rs.values[:, [IDS.index(i) for i in others]]
    rev = np.array([SEL.item(i).reverse for i in others])
    rest = np.where(rev, 6 - vals, vals).mean(axis=1)
    y = (rs.codes[:, j] == 4).astype(int)
    g = (group == "B").astype(float)
    designs = [rest[:, None], np.column_stack([rest, g]), np.column_stack([rest, g, rest * g])]
    ll = []
    for X in designs:  # C=inf: no penalty (penalty=None is deprecated from scikit-learn 1.8)
        model = LogisticRegression(C=np.inf, tol=1e-12, max_iter=100_000).fit(X, y)
        p = model.predict_proba(X)[np.arange(len(y)), y]
        ll.append(float(np.log(p).sum()))
    # both optimisers stop within ~1e-9 of the maximum log-likelihood (about -350 here)
    assert t.chi2_uniform[j] == pytest.approx(2 * (ll[1] - ll[0]), rel=1e-6, abs=1e-6)
    assert t.chi2_nonuniform[j] == pytest.approx(2 * (ll[2] - ll[1]), rel=1e-6, abs=1e-6)
    assert t.chi2_total[j] == pytest.approx(2 * (ll[2] - ll[0]), rel=1e-6, abs=1e-6)
    assert t.p_total[j] == pytest.approx(stats.chi2.sf(2 * (ll[2] - ll[0]), 2), rel=1e-5)
    n = len(y)
    ll0 = y.sum() * math.log(y.mean()) + (n - y.sum()) * math.log(1 - y.mean())
    nagelkerke = [(1 - math.exp(2 * (ll0 - v) / n)) / (1 - math.exp(2 * ll0 / n)) for v in ll]
    assert t.r2_m1[j] == pytest.approx(nagelkerke[0], rel=1e-6)
    assert t.effect_size[j] == pytest.approx(nagelkerke[2] - nagelkerke[0], rel=1e-4, abs=1e-9)
    assert t.flagged[j]  # a 25% flip in group B is large DIF


# =========================================================================== calibration and recovery


def test_without_dif_the_likelihood_ratio_tests_reject_at_their_nominal_rate():
    """Ten samples of 600 from one model, groups assigned at random: 300 total-DIF tests. The
    unadjusted rejection rate at 0.05 must lie within 3 binomial SE of 0.05 ([0.012, 0.088]);
    after Benjamini-Hochberg, a sample with any flag is a family-wise error, at most 0.05 per
    sample under the global null, so at most 2 of 10 (P(3 or more) = 0.012)."""
    rejected = tested = samples_with_flags = 0
    for r in range(10):
        rs, _ = al.simulate(SEL, 600, random_state=500 + r)
        group = np.random.default_rng(r).permutation(np.repeat(["A", "B"], 300))
        t = dif(SEL, rs, group)
        ok = ~np.isnan(t.p_total)
        rejected += int((t.p_total[ok] < 0.05).sum())
        tested += int(ok.sum())
        samples_with_flags += bool(t.flagged.any())
    assert tested == 300
    assert 0.012 <= rejected / tested <= 0.088
    assert samples_with_flags <= 2


def tilt(p, delta):
    """Shift answer probabilities toward higher options: P'(c|k) ~ P(c|k) exp(delta_k c)."""
    c = np.arange(p.shape[0])[:, None]
    w = p * np.exp(np.asarray(delta, dtype=float)[None, :] * c)
    return w / w.sum(axis=0)


UNIFORM = ("SE03", "SE08", "SE12")  # three scales: inter-, socio-, ego-dependent
NONUNIFORM = "SE13"  # dependent scale (level 1): agreement falls with the level


def dif_models(shift=0.5, crossing=1.0):
    base = SEL.default_model
    probs = list(base.item_probabilities)
    focal = list(probs)
    for i in UNIFORM:
        focal[IDS.index(i)] = tilt(probs[IDS.index(i)], np.full(5, shift))
    # non-uniform: the shift changes sign with the level (+crossing at level 5, -crossing at 1)
    focal[IDS.index(NONUNIFORM)] = tilt(probs[IDS.index(NONUNIFORM)], crossing * (np.arange(1, 6) - 3) / 2)
    return (al.LevelModel.from_probabilities(SEL, probs, base.prior),
            al.LevelModel.from_probabilities(SEL, focal, base.prior))


def test_simulated_dif_is_found_and_clean_items_stay_clean():
    """Two groups of 600 at the same level distribution; group B's answers to three items are
    shifted at every level (uniform DIF) and to one item by a shift that changes sign with the
    level (non-uniform DIF). Three replicates, with purification.

    Power: every DIF item is flagged in every replicate (20 of 20 replicates in the study in
    docs/quality-careless-dif.md). The non-uniform item is found by the non-uniform test, the
    uniform ones by the uniform test.

    False positives: Benjamini-Hochberg rejects only p-values <= alpha, so with valid p-values
    and a matching score free of DIF (purification) a clean item is flagged with probability
    <= alpha = 0.05. Over 3 x 26 clean items that allows 0.05 + 3 SE = 0.124, i.e. at most
    9 flags (the study flagged 0 of 520). Without purification the DIF items contaminate the
    rest scores of their scales, and clean items are flagged more often (5% there)."""
    model_a, model_b = dif_models()
    clean_flags = clean_tests = 0
    for r in range(3):
        rng = np.random.default_rng(r)
        a, _ = al.simulate(SEL, 600, model_a, random_state=rng)
        b, _ = al.simulate(SEL, 600, model_b, random_state=rng)
        rs = rset(np.vstack([a.codes, b.codes]))
        t = dif(SEL, rs, np.repeat(["A", "B"], 600), purify=True)
        flagged = dict(zip(t.item, t.flagged))
        assert all(flagged[i] for i in (*UNIFORM, NONUNIFORM)), r
        assert set(t.purified) >= {*UNIFORM, NONUNIFORM}
        j = IDS.index(NONUNIFORM)
        assert t.p_nonuniform_adjusted[j] < 0.05
        assert all(t.p_uniform_adjusted[IDS.index(i)] < 0.05 for i in UNIFORM)
        for i, row in enumerate(t.item):
            if row not in (*UNIFORM, NONUNIFORM) and not np.isnan(t.p_total[i]):
                clean_tests += 1
                clean_flags += bool(t.flagged[i])
    assert clean_tests == 3 * 26
    assert clean_flags <= 9


def test_the_effect_size_category_follows_the_chosen_cuts():
    rs, group = binary_design(seed=3)
    for criteria, (lo, hi) in dif_module.EFFECT_SIZE_CRITERIA.items():
        t = dif(SEL, rs, group, criteria=criteria)
        assert t.criteria == criteria and t.cuts == (lo, hi)
        for cat, es, flagged in zip(t.category, t.effect_size, t.flagged):
            if np.isnan(es):
                assert cat == ""
            elif not flagged or es < lo:
                assert cat == "A"
            else:
                assert cat == ("C" if es >= hi else "B")
        if criteria == "jodoin-gierl":
            assert t.category == dif(SEL, rs, group).category  # the default


@settings(max_examples=3)
@given(st.sampled_from(["A", "B", "C"]), st.randoms(use_true_random=False))
def test_the_reference_group_and_the_order_of_respondents_do_not_change_the_tests(reference, rnd):
    rs, _ = al.simulate(SEL, 240, random_state=8)
    group = np.repeat(["A", "B", "C"], 80)
    base = dif(SEL, rs, group)
    perm = list(range(240))
    rnd.shuffle(perm)
    other = dif(SEL, rs.take(np.array(perm)), group[perm], reference=reference)
    assert other.reference == reference and base.reference == "A" and other.df_total == 4
    # reparametrised fits reach the same maximum up to the optimiser's tolerance
    np.testing.assert_allclose(other.chi2_total, base.chi2_total, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(other.chi2_uniform, base.chi2_uniform, rtol=1e-4, atol=1e-5)


def test_expected_level_matching_tests_the_situational_judgement_items_too():
    rs, _ = al.simulate(SEL, 300, random_state=1)
    t = dif(SEL, rs, np.tile(["x", "y"], 150), matching="expected_level")
    assert not np.isnan(t.p_total).any() and t.matching == "expected_level"
    assert set(t.matching_scale) == {""}
    rest = dif(SEL, rs, np.tile(["x", "y"], 150))
    assert np.isnan(rest.p_total[-8:]).all() and "matching='expected_level'" in rest.note[-1]


def test_records_and_frame(tmp_path):
    rs, group = binary_design(seed=2, n=200)
    t = dif(SEL, rs, group)
    recs = t.to_records()
    json.dumps(recs, allow_nan=False)
    assert recs[0]["item"] == "SE01" and isinstance(recs[0]["flagged"], bool)
    assert len(recs) == SEL.n_items and "flagged=" in repr(t)
    pytest.importorskip("pandas")
    assert list(t.to_frame().columns) == list(t.COLUMNS)


# =========================================================================== bad input


@settings(max_examples=8)
@given(st.integers(2, 40), st.integers(0, 2**32 - 1), st.floats(0.0, 0.6), st.integers(2, 3))
def test_small_or_sparse_data_give_numbers_or_stated_nans_never_an_exception(n, seed, missing, n_groups):
    rng = np.random.default_rng(seed)
    codes = rng.integers(0, 5, (n, SEL.n_items)).astype(np.int8)
    codes[rng.random(codes.shape) < missing] = al.MISSING
    group = np.array(["A", "B", "C"][:n_groups])[np.arange(n) % n_groups]
    t = dif(SEL, rset(codes), group, purify=True, min_group_size=1)  # warnings are errors in this suite
    computed = ~np.isnan(t.p_total)
    assert all(note for note, ok in zip(t.note, computed) if not ok)
    assert np.all((t.p_total[computed] >= 0) & (t.p_total[computed] <= 1))
    assert np.all(t.chi2_total[computed] >= 0)



def test_a_group_with_a_single_member_gives_nan_rows_with_the_reason():
    rs, _ = al.simulate(SEL, 100, random_state=0)
    group = np.array(["A"] * 60 + ["B"] * 39 + ["C"])
    t = dif(SEL, rs, group, min_group_size=1)  # C is not suppressed here: its fits cannot run
    assert np.isnan(t.p_total).all() and not t.flagged.any()
    assert "group(s) ['C'] have fewer than 2 respondents" in t.note[0] and "C: 1" in t.note[0]
    assert t.group_sizes == {"A": 60, "B": 39, "C": 1}


def test_an_item_without_variance_gives_a_nan_row_with_the_reason():
    rs, _ = al.simulate(SEL, 100, random_state=0)
    codes = rs.codes.copy()
    codes[:, 0] = 2
    t = dif(SEL, rset(codes), np.repeat(["A", "B"], 50))
    assert np.isnan(t.p_total[0]) and "no variance" in t.note[0]
    assert not np.isnan(t.p_total[1])


def test_an_item_nobody_answered_gives_a_nan_row_with_the_reason():
    rs, _ = al.simulate(SEL, 60, random_state=0)
    codes = rs.codes.copy()
    codes[:, 0] = al.MISSING
    t = dif(SEL, rset(codes), np.repeat(["A", "B"], 30))
    assert np.isnan(t.p_total[0]) and t.n[0] == 0 and "fewer than 2 respondents" in t.note[0]


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"group": np.repeat(["A"], 20)}, ValueError, "at least two groups"),
        ({"group": np.array([""] * 10 + ["A"] * 10)}, ValueError, "at least two groups"),
        ({"group": "Unit"}, al.ResponseError, r"group_columns=\['Unit'\]"),
        ({"group": np.repeat(["A", "B"], 5)}, ValueError, "one label per respondent"),
        ({"matching": "total"}, ValueError, "The 'matching' parameter of dif must be one of"),
        ({"criteria": "ets"}, ValueError, "The 'criteria' parameter of dif must be one of"),
        ({"alpha": 0.0}, ValueError, "The 'alpha' parameter of dif must be in"),
        ({"reference": "Z"}, ValueError, r"must be one of the groups \['A', 'B'\]"),
        ({"max_rounds": 0}, ValueError, "The 'max_rounds' parameter"),
    ],
    ids=["one-group", "one-labelled-group", "unknown-column", "wrong-length", "bad-matching", "bad-criteria",
         "bad-alpha", "unknown-reference", "bad-max-rounds"],
)
def test_bad_parameters_say_what_was_expected(kwargs, error, message):
    rs, _ = al.simulate(SEL, 20, random_state=0)
    args = {"group": np.repeat(["A", "B"], 10), **kwargs}
    with pytest.raises(error, match=message):
        dif(SEL, rs, **args)


def test_without_a_level_model_expected_level_matching_and_level_decisions_say_why(berakhlak):
    rs = al.read_responses(np.tile([[3.0], [4.0]], (5, berakhlak.n_items)), berakhlak)
    group = np.repeat(["A", "B"], 5)
    with pytest.raises(al.ModelError, match="needs a level model"):
        dif(berakhlak, rs, group, matching="expected_level")
    with pytest.raises(al.ModelError, match="Level decisions need levels"):
        level_decisions_by_group(berakhlak, rs, group)
    assert len(dif(berakhlak, rs, group)) == berakhlak.n_items  # "rest" matching needs no model


def test_groups_under_min_group_size_are_left_out_of_every_fit_and_named():
    """A DIF test of a group of a few people describes those people's answers: such a group is
    suppressed (the privacy engine's primary rule) and the others are compared without it."""
    rs, _ = al.simulate(SEL, 103, random_state=0)
    group = np.array(["A"] * 60 + ["B"] * 40 + ["C"] * 3)
    t = dif(SEL, rs, group)
    assert t.suppressed_groups == ("C",) and t.groups == ("A", "B") and t.df_total == 2
    assert t.group_sizes == {"A": 60, "B": 40, "C": 3}
    same = dif(SEL, rs.take(np.arange(100)), group[:100])  # as if C had not answered
    np.testing.assert_allclose(t.chi2_total, same.chi2_total, rtol=1e-9, equal_nan=True)
    assert t.n.max() <= 100
    with pytest.raises(ValueError, match=r"'reference' parameter of dif must be a group of at least min_group_size=5"):
        dif(SEL, rs, group, reference="C")
    with pytest.raises(ValueError, match=r"at least two groups.*left out: \['B', 'C'\]"):
        dif(SEL, rs.take(np.arange(64)), group[np.r_[0:60, 60:62, 100:102]])

