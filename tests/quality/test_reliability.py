"""Reliability and item statistics against R psych (fixtures in tests/reference/, made by
tests/reference/make_psych_reference.R on psych's bfi data), pingouin and factor_analyzer."""

import json
from pathlib import Path

import numpy as np
import pytest

import akhlak_levels as al
from akhlak_levels.quality import (
    ReliabilityWarning,
    cronbach_alpha,
    guttman_lambda6,
    mean_inter_item_correlation,
    omega_total,
    one_factor_loadings,
    pairwise_correlation,
    split_half_reliability,
    standardized_alpha,
)

HERE = Path(__file__).resolve().parents[1]
REF = json.loads((HERE / "reference" / "psych_bfi.json").read_text(encoding="utf-8"))["scales"]
BFI_Q = al.load_questionnaire(str(HERE / "data" / "bfi-questionnaire.json"))
pd = pytest.importorskip("pandas")
BFI = pd.read_csv(HERE / "reference" / "bfi.csv")
SCALES = sorted(REF)


def keyed(scale):
    r = REF[scale]
    X = BFI[r["items"]].to_numpy(float)
    for j, k in enumerate(r["keys"]):
        if k.startswith("-"):
            X[:, j] = 7 - X[:, j]
    return X


# ------------------------------------------------------------------ R psych


@pytest.mark.parametrize("scale", SCALES)
def test_closed_form_statistics_equal_psych_alpha(scale):
    """psych::alpha's raw_alpha, std.alpha, G6(smc) and average_r are closed forms of the
    pairwise covariance matrix: equal to 1e-12."""
    X, a = keyed(scale), REF[scale]["alpha"]
    assert cronbach_alpha(X) == pytest.approx(a["raw_alpha"], abs=1e-12)
    assert standardized_alpha(X) == pytest.approx(a["std_alpha"], abs=1e-12)
    assert guttman_lambda6(X) == pytest.approx(a["G6_smc"], abs=1e-12)
    assert mean_inter_item_correlation(X) == pytest.approx(a["average_r"], abs=1e-12)


@pytest.mark.parametrize("scale", SCALES)
def test_listwise_alpha_and_feldt_interval_equal_r(scale):
    X, r = keyed(scale), REF[scale]
    alpha, (lo, hi) = cronbach_alpha(X, nan_policy="listwise", ci=0.95)
    assert alpha == pytest.approx(r["raw_alpha_listwise"], abs=1e-12)
    assert (lo, hi) == pytest.approx(tuple(r["feldt_ci_listwise"]), abs=1e-10)  # qf() vs scipy's f.ppf


@pytest.mark.parametrize("scale", SCALES)
def test_median_imputation_equals_psych_score_items(scale):
    """psych::scoreItems imputes item medians before computing alpha (its default)."""
    assert cronbach_alpha(keyed(scale), nan_policy="median") == pytest.approx(
        REF[scale]["scoreItems"]["impute_median"]["alpha"], abs=1e-12
    )


@pytest.mark.parametrize("scale", SCALES)
def test_one_factor_omega_and_loadings_equal_psych_fa_minres(scale):
    """psych::fa(fm="minres") stops its optimiser earlier than ours: loadings agree to 1e-5 and
    omega to 1e-6 (the omega error is second order in the loading error)."""
    X, om = keyed(scale), REF[scale]["omega"]
    lam = one_factor_loadings(pairwise_correlation(X))
    np.testing.assert_allclose(lam, list(om["fa_loadings"].values()), atol=1e-5)
    assert omega_total(X) == pytest.approx(om["omega_fa"], abs=1e-6)


@pytest.mark.parametrize("scale", SCALES)
def test_odd_even_split_half_equals_r(scale):
    assert split_half_reliability(keyed(scale)) == pytest.approx(REF[scale]["split_half_odd_even"], abs=1e-12)


def test_the_public_table_gives_the_same_numbers_from_a_questionnaire_file():
    responses = al.read_responses(HERE / "reference" / "bfi.csv", BFI_Q, unknown_columns="ignore")
    table = al.reliability(BFI_Q, responses)
    assert table.scale == ("A", "C", "E", "N", "O")
    for j, s in enumerate(table.scale):
        r = REF[s]
        assert table.alpha[j] == pytest.approx(r["alpha"]["raw_alpha"], abs=1e-12)
        assert table.standardized_alpha[j] == pytest.approx(r["alpha"]["std_alpha"], abs=1e-12)
        assert table.lambda6[j] == pytest.approx(r["alpha"]["G6_smc"], abs=1e-12)
        assert table.omega_total[j] == pytest.approx(r["omega"]["omega_fa"], abs=1e-6)
        assert table.split_half[j] == pytest.approx(r["split_half_odd_even"], abs=1e-12)
        assert table.n_items[j] == 5
    listwise = al.reliability(BFI_Q, responses, nan_policy="listwise")
    assert listwise.n_respondents.tolist() == [REF[s]["n_complete"] for s in listwise.scale]
    median = al.reliability(BFI_Q, responses, nan_policy="median")
    np.testing.assert_allclose(median.alpha, [REF[s]["scoreItems"]["impute_median"]["alpha"] for s in SCALES], atol=1e-12)


def test_item_statistics_equal_psych():
    responses = al.read_responses(HERE / "reference" / "bfi.csv", BFI_Q, unknown_columns="ignore")
    items = al.item_analysis(BFI_Q, responses)
    for j, item in enumerate(items.item):
        ref = REF[item[0]]["alpha"]
        assert items.r_drop[j] == pytest.approx(ref["item"]["r_drop"][item], abs=1e-12)
        assert items.r_total[j] == pytest.approx(ref["item"]["raw_r"][item], abs=1e-12)
        assert items.alpha_if_dropped[j] == pytest.approx(ref["item"]["alpha_if_dropped"][item], abs=1e-12)
        freq = ref["response_freq"][item]  # psych counts the keyed (reversed) answers
        theirs = [freq[str(k)] for k in range(1, 7)]
        np.testing.assert_allclose(items.option_shares[j], theirs[::-1] if BFI_Q.item(item).reverse else theirs, atol=1e-12)
        assert items.answered_share[j] == pytest.approx(1 - freq["miss"], abs=1e-12)


# ------------------------------------------------------------------ pingouin
# (factor_analyzer 0.5.1, the other peer named in the issue, no longer runs with scikit-learn
# >= 1.8: it passes check_array a keyword scikit-learn removed. Its MINRES is psych's, which
# the loadings are checked against above.)


def test_alpha_equals_pingouins_published_examples():
    """pingouin's documentation: cronbach_wide_missing gives 0.732660835214447 [0.435, 0.909]
    pairwise and 0.8016949152542373 listwise."""
    pg = pytest.importorskip("pingouin")
    data = pg.read_dataset("cronbach_wide_missing")
    alpha, ci = cronbach_alpha(data.to_numpy(float), ci=0.95)
    assert alpha == pytest.approx(0.732660835214447, abs=1e-12)
    assert np.round(ci, 3).tolist() == [0.435, 0.909]
    assert cronbach_alpha(data.to_numpy(float), nan_policy="listwise") == pytest.approx(0.8016949152542373, abs=1e-12)
    long = pg.read_dataset("cronbach_alpha").pivot(index="Subj", columns="Items", values="Scores")
    alpha, ci = cronbach_alpha(long.to_numpy(float), ci=0.95)
    assert alpha == pytest.approx(0.5917188485995826, abs=1e-12)
    assert np.round(ci, 3).tolist() == [0.195, 0.84]


@pytest.mark.parametrize("scale", SCALES)
def test_alpha_equals_pingouin_run_on_the_same_data(scale):
    """Equal alpha for both policies; the pairwise interval equals pingouin's. Under listwise
    deletion pingouin's Feldt interval still counts every row (n = 2800), while ours counts the
    respondents used, as Feldt's formula intends; we check ours against R's qf() above."""
    pg = pytest.importorskip("pingouin")
    X = keyed(scale)
    frame = pd.DataFrame(X)
    a_pg, ci_pg = pg.cronbach_alpha(frame)
    a, ci = cronbach_alpha(X, ci=0.95)
    assert a == pytest.approx(a_pg, abs=1e-12)
    assert np.round(ci, 3).tolist() == pytest.approx(ci_pg.tolist(), abs=1e-12)
    assert cronbach_alpha(X, nan_policy="listwise") == pytest.approx(pg.cronbach_alpha(frame, nan_policy="listwise")[0], abs=1e-12)


# ------------------------------------------------------------------ bad input


@pytest.mark.parametrize(
    "func", [cronbach_alpha, standardized_alpha, guttman_lambda6, omega_total, split_half_reliability, mean_inter_item_correlation]
)
def test_one_item_is_a_clear_error(func):
    with pytest.raises(ValueError, match=rf"{func.__name__} needs at least 2 items; got 1\."):
        func(np.ones((10, 1)))


def test_zero_variance_is_a_stated_nan():
    X = np.ones((10, 3))
    with pytest.warns(ReliabilityWarning, match="cronbach_alpha: the items have no variance"):
        assert np.isnan(cronbach_alpha(X))
    with pytest.warns(ReliabilityWarning, match="guttman_lambda6"):
        assert np.isnan(guttman_lambda6(X))


def test_bad_nan_policy_is_named():
    with pytest.raises(ValueError, match=r"The 'nan_policy' parameter of cronbach_alpha must be one of \{'pairwise', 'listwise', 'median'\}\. Got 'drop' instead\."):
        cronbach_alpha(np.ones((3, 3)), nan_policy="drop")


def test_the_table_states_why_a_value_is_missing(sel):
    codes = np.zeros((20, sel.n_items), dtype=np.int8)  # everyone answers option 1 everywhere
    rs = al.ResponseSet(sel, np.arange(20).astype(str), codes)
    table = al.reliability(sel, rs)
    assert np.isnan(table.alpha).all()
    assert all(n.startswith("items without variance") for n in table.note)
    empty = al.ResponseSet(sel, np.arange(5).astype(str), np.full((5, sel.n_items), al.MISSING, np.int8))
    t2 = al.reliability(sel, empty)
    assert t2.note[0] == "fewer than 3 respondents with answers (0)"
    assert t2.to_records()[0]["alpha"] is None


def test_reverse_keyed_items_are_keyed_before_anything(sel):
    rs, _ = al.simulate(sel, 3000, random_state=0)
    table = al.reliability(sel, rs)
    assert np.all(table.alpha > 0.3)  # unkeyed reverse items would pull alpha towards zero
    items = al.item_analysis(sel, rs)
    likert = [j for j, t in enumerate(items.type) if t == "likert"]
    assert np.all(items.r_drop[likert] > 0)


def test_sem_is_on_the_0_100_scale(sel):
    rs, _ = al.simulate(sel, 3000, random_state=0)
    table = al.reliability(sel, rs)
    scores = al.assess(sel, rs).scale_scores
    sd = np.nanstd(scores, axis=0, ddof=1)
    np.testing.assert_allclose(table.sem, sd * np.sqrt(1 - table.alpha), rtol=1e-9)


def test_choice_items_report_how_options_relate_to_the_level(sel):
    rs, truth = al.simulate(sel, 3000, random_state=0)
    items = al.item_analysis(sel, rs)
    j = items.item.index("SJ01")
    levels = sel.item("SJ01").option_levels
    means = np.array(items.option_expected_level[j])
    # under the theory prior, the option keyed to a higher level is chosen by higher-level people
    order = np.argsort(levels)
    assert np.all(np.diff(means[order]) > 0)
