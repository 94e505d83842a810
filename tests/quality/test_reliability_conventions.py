"""The missing-data, omega and Feldt conventions of ``reliability`` against R psych 2.2.9 on
public data it was never tuned on: psychTools' epi (3,570 x 57, two items keyed differently in
two scales) and ability (ICAR-16, 1,525 x 16, respondents who skipped whole scales), and psych's
bfi. Fixtures: tests/reference/conventions_psych.json, made by
tests/reference/conventions_make.R (see tests/reference/README.md)."""

import json
from pathlib import Path

import numpy as np
import pytest

import akhlak_levels as al
from akhlak_levels.questionnaire import questionnaire_from_dict
from akhlak_levels.quality import cronbach_alpha, omega_total, reliability
from akhlak_levels.responses import MISSING

REF_DIR = Path(__file__).resolve().parents[1] / "reference"
REF = json.loads((REF_DIR / "conventions_psych.json").read_text(encoding="utf-8"))
CASES = [(ds, s) for ds in ("epi", "ability", "bfi") for s in REF[ds]]


def data(name):
    """The items of a public data set as a float array (NaN = missing) and the column names."""
    file = {"epi": "conventions_epi.csv", "ability": "conventions_ability.csv", "bfi": "bfi.csv"}[name]
    with open(REF_DIR / file, encoding="utf-8") as f:
        header = [h.strip('"') for h in f.readline().strip().split(",")]
    X = np.genfromtxt(REF_DIR / file, delimiter=",", skip_header=1, filling_values=np.nan)
    if name == "bfi":
        header, X = header[:25], X[:, :25]
    return X, header


DATA = {name: data(name) for name in ("epi", "ability", "bfi")}


def keyed(name, scale):
    """The scale's keyed matrix, reversed as (min + max) - x over the data set, as psych does."""
    X, cols = DATA[name]
    lo, hi = np.nanmin(X), np.nanmax(X)
    out = []
    for key in REF[name][scale]["keys"]:
        x = X[:, cols.index(key.lstrip("-"))]
        out.append(lo + hi - x if key.startswith("-") else x)
    return np.column_stack(out)


@pytest.mark.parametrize("name,scale", CASES)
def test_median_imputation_on_every_row_is_score_items_and_on_answered_rows_is_the_median_policy(name, scale):
    """psych::scoreItems(impute="median") imputes every row, those who skipped the scale too;
    nan_policy="median" of reliability keeps the respondents with an answer. Both equal a psych
    call to 1e-12 (closed forms)."""
    X, r = keyed(name, scale), REF[name][scale]
    answered = ~np.isnan(X).all(axis=1)
    assert answered.sum() == r["n_answered"]
    assert cronbach_alpha(X, nan_policy="median") == pytest.approx(r["score_items_median"], abs=1e-12)
    assert cronbach_alpha(X[answered], nan_policy="median") == pytest.approx(r["median_answered"], abs=1e-12)


def test_the_two_median_conventions_differ_where_rows_skip_a_scale_and_only_there():
    """The outside check's figures: up to 6e-3 on ability, 4e-3 on epi; nothing on bfi, where
    every respondent answered something on every scale."""
    gap = {ds: max(abs(v["score_items_median"] - v["median_answered"]) for v in REF[ds].values()) for ds in ("epi", "ability", "bfi")}
    assert 5e-3 < gap["ability"] < 7e-3
    assert 2e-3 < gap["epi"] < 5e-3
    assert gap["bfi"] < 1e-12


@pytest.mark.parametrize("name,scale", CASES)
def test_omega_is_fa_minres_with_mcdonalds_formula_not_psych_omega(name, scale):
    """omega_total equals sum(l)^2 / (sum(l)^2 + sum(1 - l^2)) with l from
    psych::fa(nfactors=1, fm="minres") to 1e-6 (psych's optimiser stops earlier than ours);
    psych::omega(nfactors=1)$omega.tot is another estimator, divided by sum(R)."""
    X, r = keyed(name, scale), REF[name][scale]
    assert omega_total(X) == pytest.approx(r["omega_fa"], abs=1e-6)


def test_psych_omega_tot_is_a_different_estimator_by_up_to_0_017():
    diffs = {(ds, s): abs(v["omega_fa"] - v["omega_tot_psych"]) for ds in ("epi", "ability", "bfi") for s, v in REF[ds].items()}
    assert max(diffs, key=diffs.get) == ("epi", "Imp")
    assert 0.016 < diffs[("epi", "Imp")] < 0.018  # 0.4932 (fa + McDonald) vs 0.5100 (omega.tot)
    assert max(v for (ds, _), v in diffs.items() if ds == "bfi") < 4e-4
    assert omega_total(keyed("epi", "Imp")) == pytest.approx(0.4932, abs=5e-5)


@pytest.mark.parametrize("name,scale", CASES)
def test_feldt_interval_counting_every_row_is_psych_alpha_feldt(name, scale):
    """The plain cronbach_alpha (pairwise) counts every row of X, as psych::alpha(X)$feldt."""
    X, r = keyed(name, scale), REF[name][scale]
    a, (lo, hi) = cronbach_alpha(X, ci=0.95)
    assert a == pytest.approx(r["alpha_pairwise"], abs=1e-12)
    assert (lo, hi) == pytest.approx(tuple(r["feldt_rows"]), abs=1e-10)  # qf() vs scipy's f.ppf


# ------------------------------------------------------------------ through reliability()


def questionnaire(name, scales, points):
    """A questionnaire document for a public data set: one Likert format, scales from the keys."""
    items, seen = [], {}
    for s in scales:
        for key in REF[name][s]["keys"]:
            seen.setdefault(key.lstrip("-"), (s, key.startswith("-")))
    for item, (s, rev) in seen.items():
        items.append({"id": item, "type": "likert", "format": "f", "text": {"en": item}, "scales": [s], "reverse": rev})
    return questionnaire_from_dict({
        "format": "akhlak-levels/questionnaire", "format_version": 1, "id": f"{name}-test", "version": "1",
        "title": {"en": name}, "languages": ["en"],
        "response_formats": [{"id": "f", "type": "likert", "points": points, "labels": {"en": [str(i) for i in range(points)]}}],
        "scales": [{"id": s, "name": {"en": s}} for s in scales],
        "items": items,
    })


def responses(q, name):
    X, cols = DATA[name]
    V = X[:, [cols.index(i) for i in q.item_ids]]
    codes = np.where(np.isnan(V), MISSING, V - np.nanmin(X)).astype(np.int8)
    return al.ResponseSet(q, np.array([f"r{i}" for i in range(len(V))]), codes)


@pytest.fixture(scope="module")
def ability():
    q = questionnaire("ability", list(REF["ability"]), 2)
    return q, responses(q, "ability")


def test_reliability_median_all_rows_is_score_items_and_median_leaves_out_who_skipped(ability):
    q, rs = ability
    every = reliability(q, rs, nan_policy="median_all_rows")
    some = reliability(q, rs, nan_policy="median")
    for i, s in enumerate(q.scales):
        r = REF["ability"][s.id]
        assert every.alpha[i] == pytest.approx(r["score_items_median"], abs=1e-12)
        assert some.alpha[i] == pytest.approx(r["median_answered"], abs=1e-12)
        assert (every.n_respondents[i], some.n_respondents[i]) == (r["n_rows"], r["n_answered"])
    assert every.nan_policy == "median_all_rows"


def test_reliability_feldt_n_used_is_alpha_ci_and_rows_is_alpha_feldt(ability):
    """feldt_n="used": psych::alpha.ci(alpha, n.obs = respondents with an answer, n.var = k);
    feldt_n="rows": psych::alpha(X)$feldt, n = every row. Pairwise alpha either way."""
    q, rs = ability
    used = reliability(q, rs)
    rows = reliability(q, rs, feldt_n="rows")
    assert used.feldt_n == "used" and rows.feldt_n == "rows"
    for i, s in enumerate(q.scales):
        r = REF["ability"][s.id]
        assert used.alpha[i] == pytest.approx(r["alpha_pairwise"], abs=1e-12)
        assert (used.alpha_ci_lower[i], used.alpha_ci_upper[i]) == pytest.approx(tuple(r["feldt_answered"]), abs=1e-10)
        assert (rows.alpha_ci_lower[i], rows.alpha_ci_upper[i]) == pytest.approx(tuple(r["feldt_rows"]), abs=1e-10)
        assert used.omega_total[i] == pytest.approx(r["omega_fa"], abs=1e-6)


def test_on_bfi_the_two_feldt_conventions_and_the_two_median_conventions_coincide():
    """Every bfi respondent answered something on every scale, so n_used = rows."""
    q = questionnaire("bfi", list(REF["bfi"]), 6)
    rs = responses(q, "bfi")
    a = reliability(q, rs, nan_policy="median", feldt_n="rows")
    b = reliability(q, rs, nan_policy="median_all_rows", feldt_n="used")
    np.testing.assert_allclose(a.alpha, [REF["bfi"][s]["score_items_median"] for s in a.scale], atol=1e-12)
    np.testing.assert_array_equal(a.alpha_ci_lower, b.alpha_ci_lower)


@pytest.mark.parametrize("kwargs,message", [
    ({"nan_policy": "median-all"}, "nan_policy"),
    ({"feldt_n": "all"}, "feldt_n"),
])
def test_an_unknown_convention_is_refused_naming_the_choices(ability, kwargs, message):
    q, rs = ability
    with pytest.raises(ValueError, match=message) as e:
        reliability(q, rs, **kwargs)
    assert "median_all_rows" in str(e.value) or "'rows'" in str(e.value)
