"""Keys per scale against R psych on real data: psychTools' epi (3570 respondents, 57 items)
keyed with psychTools' own epi.keys, which key item V11 + in Neuroticism and - in Sociability.
The questionnaire tests/data/epi-questionnaire.json writes those keys as each scale's ``keys``
(no global ``reverse`` flags); the reference values are psych::scoreItems and psych::alpha
(tests/reference/epi_make_reference.R -> epi_psych.json, data conventions_epi.csv). Closed
forms: equal to 1e-12, as the bfi tests."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest

import akhlak_levels as al
from akhlak_levels.quality import keyed_matrix
from akhlak_levels.scorer import Scorer

HERE = Path(__file__).resolve().parents[1]
CSV = HERE / "reference" / "conventions_epi.csv"
REF = json.loads((HERE / "reference" / "epi_psych.json").read_text(encoding="utf-8"))
Q = al.load_questionnaire(str(HERE / "data" / "epi-questionnaire.json"))
SCALES = list(REF["scales"])
RS = al.read_responses(CSV, Q)
#: The data rows read (0-based): read_responses skips the 54 rows with no answer at all.
ROWS = np.setdiff1d(np.arange(REF["meta"]["n"]), np.asarray(RS.skipped_rows) - 2)


def _psych_scores(scale: str) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in REF["scales"][scale]["scoreItems"]["impute_none"]["scores"]])


def test_the_data_and_the_questionnaire_are_psychs():
    assert hashlib.sha256(CSV.read_bytes()).hexdigest() == "835273e16cacb84e52c60631f3065672682dd71387090f3775f47a35d478989f"
    assert len(RS) == len(ROWS) == 3516 and len(RS.skipped_rows) == 54
    for s in SCALES:  # the questionnaire's per-scale keys are epi.keys, item for item
        keys = REF["scales"][s]["keys"]
        scale = Q.scale(s)
        assert sorted(scale.item_ids) == sorted(k.lstrip("-") for k in keys)
        assert {i: scale.key(i) for i in scale.item_ids} == {k.lstrip("-"): -1 if k[0] == "-" else 1 for k in keys}
    assert Q.scale("N").key("V11") == 1 and Q.scale("Soc").key("V11") == -1  # one item, two directions
    assert not any(it.reverse for it in Q.items)


@pytest.mark.parametrize("scale", SCALES)
def test_scale_scores_equal_psych_score_items(scale):
    """psych::scoreItems(epi.keys, epi, impute="none")$scores: the mean keyed answer (1..2) of
    the items answered; ours is the same on 0-100, ``100 (mean - 1)``. Every respondent."""
    a = al.assess(Q, RS, min_answered=1e-9)
    ours = a.scale_scores[:, Q.scales.index(Q.scale(scale))] / 100 + 1
    theirs = _psych_scores(scale)
    assert np.isnan(np.delete(theirs, ROWS)).all()  # psych has no score where we read no row
    theirs = theirs[ROWS]
    np.testing.assert_array_equal(np.isnan(ours), np.isnan(theirs))
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-12)
    docs = Scorer(Q, min_answered=1e-9).score_many([{i: int(c) + 1 for i, c in zip(Q.item_ids, row) if c >= 0} for row in RS.codes[:300]])
    mine = np.array([np.nan if d["scales"][scale] is None else d["scales"][scale] for d in docs])
    np.testing.assert_allclose(mine, a.scale_scores[:300, Q.scales.index(Q.scale(scale))], rtol=0, atol=1e-9)


def test_v11_counts_one_way_in_n_and_the_other_in_soc():
    x = RS.codes[:, Q.item_position("V11")] + 1.0
    x[RS.codes[:, Q.item_position("V11")] < 0] = np.nan
    np.testing.assert_array_equal(keyed_matrix(Q, RS, ("V11",), scale=Q.scale("N"))[:, 0], x)
    np.testing.assert_array_equal(keyed_matrix(Q, RS, ("V11",), scale=Q.scale("Soc"))[:, 0], 3 - x)
    for s in ("N", "Soc"):
        item = REF["scales"][s]["alpha"]["item"]
        table = al.item_analysis(Q, RS, scale=s)
        j = table.item.index("V11")
        assert table.mean[j] == pytest.approx(item["mean"]["V11"], abs=1e-12)
        assert table.r_drop[j] == pytest.approx(item["r_drop"]["V11"], abs=1e-12)
    assert REF["scales"]["N"]["alpha"]["item"]["mean"]["V11"] + REF["scales"]["Soc"]["alpha"]["item"]["mean"]["V11"] == pytest.approx(3)


def test_alpha_and_its_companions_equal_psych_alpha_per_scale():
    table = al.reliability(Q, RS)
    assert table.scale == tuple(SCALES)
    for j, s in enumerate(SCALES):
        r = REF["scales"][s]
        assert table.alpha[j] == pytest.approx(r["alpha"]["raw_alpha"], abs=1e-12)
        assert table.alpha[j] == pytest.approx(r["scoreItems"]["impute_none"]["alpha"], abs=1e-12)
        assert table.standardized_alpha[j] == pytest.approx(r["alpha"]["std_alpha"], abs=1e-12)
        assert table.lambda6[j] == pytest.approx(r["alpha"]["G6_smc"], abs=1e-12)
        assert table.mean_r[j] == pytest.approx(r["alpha"]["average_r"], abs=1e-12)


@pytest.mark.parametrize("scale", SCALES)
def test_item_total_statistics_equal_psych_alpha_per_scale(scale):
    """psych::alpha(X)$item.stats (r.drop, raw.r, mean, sd) and $alpha.drop$raw_alpha, X the
    scale's items keyed by its keys."""
    ref = REF["scales"][scale]["alpha"]["item"]
    table = al.item_analysis(Q, RS, scale=scale)
    assert table.item == Q.scale(scale).item_ids and set(table.scale) == {scale}
    for col, theirs in (("r_drop", "r_drop"), ("r_total", "raw_r"), ("alpha_if_dropped", "alpha_if_dropped"),
                        ("mean", "mean"), ("sd", "sd")):
        np.testing.assert_allclose(getattr(table, col), [ref[theirs][i] for i in table.item], rtol=0, atol=1e-12)
    np.testing.assert_allclose(table.answered_share * len(RS), [ref["n"][i] for i in table.item], rtol=0, atol=1e-9)


def test_the_first_scale_view_agrees_with_each_scale_view():
    """Without ``scale=``, each item's row is its first scale's (E before Imp, N before Soc)."""
    every = al.item_analysis(Q, RS)
    for s in SCALES:
        one = al.item_analysis(Q, RS, scale=s)
        for j, i in enumerate(one.item):
            k = Q.item_position(i)
            if every.scale[k] == s:
                assert every.r_drop[k] == one.r_drop[j] and every.mean[k] == one.mean[j]
