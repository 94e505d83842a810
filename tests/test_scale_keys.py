"""Keys per scale (issue 10, item 3): a scale's ``keys`` key an item +1 or -1 in that scale, the
item's global ``reverse`` flag is its default key in every scale. Checked here: the schema and
consistency errors (with their JSON paths), the content hash, and that scoring, reliability,
item analysis and the Scorer follow the scale's keys; a questionnaire whose keys equal the
global flags scores exactly as the old form (hypothesis). The agreement with R psych on real
data (EPI) is in tests/quality/test_scale_keys_epi.py."""

from __future__ import annotations

import copy
import io
from contextlib import redirect_stdout
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import akhlak_levels as al
from akhlak_levels.errors import QuestionnaireError, SchemaError
from akhlak_levels.quality import keyed_matrix
from akhlak_levels.questionnaire import questionnaire_from_dict
from akhlak_levels.scorer import Scorer


def _format(points: int) -> dict:
    return {"id": f"p{points}", "type": "likert", "points": points, "labels": {"en": [str(c) for c in range(1, points + 1)]}}


def _doc(items: list[dict], scales: list[dict], formats=(5,)) -> dict:
    return {
        "format": "akhlak-levels/questionnaire", "format_version": 1, "id": "keys-test", "version": "1",
        "title": {"en": "keys per scale"}, "languages": ["en"],
        "response_formats": [_format(p) for p in sorted(set(formats))],
        "scales": scales, "items": items,
    }


def _item(item_id: str, scales: list[str], reverse: bool | None = None, points: int = 5) -> dict:
    it = {"id": item_id, "type": "likert", "format": f"p{points}", "text": {"en": item_id}, "scales": scales}
    if reverse is not None:
        it["reverse"] = reverse
    return it


def _two_way(x_reverse: bool | None = None, keys_a: dict | None = None, keys_b: dict | None = None) -> dict:
    """X is in scales A and B; Y only in A, Z only in B (5 points each)."""
    a, b = {"id": "A", "name": {"en": "A"}}, {"id": "B", "name": {"en": "B"}}
    if keys_a is not None:
        a["keys"] = keys_a
    if keys_b is not None:
        b["keys"] = keys_b
    return _doc([_item("X", ["A", "B"], x_reverse), _item("Y", ["A"]), _item("Z", ["B"])], [a, b])


def _responses(q, codes):
    codes = np.asarray(codes, dtype=np.int8)
    return al.ResponseSet(questionnaire=q, codes=codes, respondent_ids=np.arange(len(codes)).astype(str))


# --------------------------------------------------------------------------- reading, errors


def test_a_scale_holds_its_own_keys_and_the_global_flag_is_the_default():
    q = questionnaire_from_dict(_two_way(x_reverse=True, keys_a={"X": 1}))
    a, b = q.scales
    assert a.item_ids == ("X", "Y") and a.keys == (1, 1)  # A keys X positively: overrides the flag
    assert b.item_ids == ("X", "Z") and b.keys == (-1, 1)  # B takes X's global reverse flag
    assert a.key("X") == 1 and b.key("X") == -1 and b.key("Z") == 1
    with pytest.raises(KeyError, match="'A' has no item 'Z'"):
        a.key("Z")


def test_files_without_keys_read_as_before():
    q = al.load_questionnaire("berakhlak")
    for s in q.scales:
        assert s.keys == tuple(-1 if q.item(i).reverse else 1 for i in s.item_ids)


@pytest.mark.parametrize("bad", [2, 0, -2, 0.5, True, "-1", None])
def test_a_key_other_than_plus_or_minus_one_is_a_schema_error_at_its_path(bad):
    with pytest.raises(SchemaError) as err:
        questionnaire_from_dict(_two_way(keys_b={"X": bad}))
    assert [p.path for p in err.value.problems] == ["$.scales[1].keys.X"]


def test_the_path_of_a_key_is_spelled_as_jsonschema_spells_it():
    doc = _doc([_item("A.1", ["S"]), _item("A2", ["S"])], [{"id": "S", "name": {"en": "S"}, "keys": {"A.1": 3}}])
    with pytest.raises(SchemaError) as err:
        questionnaire_from_dict(doc)
    assert [p.path for p in err.value.problems] == ["$.scales[0].keys['A.1']"]
    doc["scales"] = [{"id": "S", "name": {"en": "S"}}, {"id": "T", "name": {"en": "T"}, "keys": {"A.1": -1}}]
    with pytest.raises(QuestionnaireError) as err:  # the same spelling for a consistency problem
        questionnaire_from_dict(doc)
    assert [p.path for p in err.value.problems] == ["$.scales[1].keys['A.1']"]


def test_a_key_for_an_item_not_in_the_scale_is_refused_with_its_path():
    with pytest.raises(QuestionnaireError) as err:
        questionnaire_from_dict(_two_way(keys_a={"Z": -1}))  # Z lists only scale B
    (p,) = err.value.problems
    assert p.path == "$.scales[0].keys.Z" and p.value == -1
    assert "item 'Z' is not in scale 'A'" in p.message


def test_a_key_for_an_unknown_item_and_a_reversed_choice_item_are_refused():
    doc = _two_way(keys_a={"Nope": 1})
    doc["items"].append({"id": "C", "type": "choice", "text": {"en": "C"}, "scales": ["B"],
                         "options": [{"text": {"en": "a"}, "level": 1}, {"text": {"en": "b"}, "level": 5}]})
    doc["scales"][1]["keys"] = {"C": -1}
    with pytest.raises(QuestionnaireError) as err:
        questionnaire_from_dict(doc)
    by_path = {p.path: p.message for p in err.value.problems}
    assert set(by_path) == {"$.scales[0].keys.Nope", "$.scales[1].keys.C"}
    assert by_path["$.scales[0].keys.Nope"].startswith("unknown item")
    assert "choice item" in by_path["$.scales[1].keys.C"]
    doc["scales"] = [{"id": "A", "name": {"en": "A"}}, {"id": "B", "name": {"en": "B"}, "keys": {"C": 1}}]
    assert questionnaire_from_dict(doc).scale("B").key("C") == 1  # +1 on a choice item is its only key


# --------------------------------------------------------------------------- content hash


def test_the_hash_changes_with_a_scale_key_and_not_with_keys_equal_to_the_flags():
    old = questionnaire_from_dict(_two_way(x_reverse=True)).content_hash
    same = questionnaire_from_dict(_two_way(x_reverse=True, keys_a={"X": -1, "Y": 1}, keys_b={"X": -1})).content_hash
    flipped = questionnaire_from_dict(_two_way(x_reverse=True, keys_a={"X": 1})).content_hash
    other = questionnaire_from_dict(_two_way(x_reverse=True, keys_b={"X": 1})).content_hash
    assert same == old  # keys equal to the flags are the same content
    assert len({old, flipped, other}) == 3  # a key is content: each change is another hash


def test_bundled_hashes_are_unchanged():
    # pinned before keys per scale existed (also in tests/test_votes_instrument.py)
    assert al.load_questionnaire("berakhlak").content_hash == (
        "sha256:bfd4d4bf5219f6419e99bb77b17b4fcaa4776e88c1cda8d6e52cfa175af537ea")
    assert al.load_questionnaire("socio-emotional-levels").content_hash == (
        "sha256:7d619aa840961b4a449c873f726defa1f245ab07208d1252c75b40beb9151186")


# --------------------------------------------------------------------------- scoring


def test_one_item_counts_positively_in_one_scale_and_negatively_in_another():
    """X = 4 of 5 counts 3/4 in A and 1/4 in B; with Y = 4 and Z = 2: A = 75, B = 25."""
    q = questionnaire_from_dict(_two_way(keys_b={"X": -1}))
    rs = _responses(q, [[3, 3, 1], [4, -1, -1]])  # codes 0-based: X = 4, Y = 4, Z = 2; then X = 5 only
    a = al.assess(q, rs, min_answered=1e-9)
    np.testing.assert_allclose(a.scale_scores, [[75.0, 25.0], [100.0, 0.0]], atol=1e-12)
    docs = Scorer(q).score_many([{"X": 4, "Y": 4, "Z": 2}, {"X": 5}])
    assert [d["scales"] for d in docs] == [{"A": 75.0, "B": 25.0}, {"A": 100.0, "B": 0.0}]
    np.testing.assert_array_equal(keyed_matrix(q, rs, ("X",), scale=q.scale("A"))[:, 0], [4.0, 5.0])
    np.testing.assert_array_equal(keyed_matrix(q, rs, ("X",), scale=q.scale("B"))[:, 0], [2.0, 1.0])
    np.testing.assert_array_equal(keyed_matrix(q, rs, ("X",))[:, 0], [4.0, 5.0])  # the global flag


def test_reliability_and_item_analysis_key_each_scale_by_its_keys():
    """Data where X goes with Y and against Z: keyed - in B, X is consistent with Z there."""
    rng = np.random.default_rng(3)
    t = rng.normal(size=500)
    noise = rng.normal(scale=0.7, size=(500, 3))
    codes = np.clip(np.rint(2 + 1.2 * np.column_stack([t, t, -t]) + noise), 0, 4).astype(np.int8)
    q = questionnaire_from_dict(_two_way(keys_b={"X": -1}))
    rs = _responses(q, codes)
    table = al.reliability(q, rs)
    X = codes + 1.0
    for j, cols in enumerate(([X[:, 0], X[:, 1]], [6 - X[:, 0], X[:, 2]])):  # by hand: keyed first
        C = np.cov(np.column_stack(cols), rowvar=False)
        assert table.alpha[j] == pytest.approx(2 * (1 - np.trace(C) / C.sum()), abs=1e-12)
    assert table.alpha[1] > 0.7  # reversed in B, X agrees with Z
    items_b = al.item_analysis(q, rs, scale="B")
    assert items_b.item == ("X", "Z") and items_b.scale == ("B", "B")
    assert items_b.mean[0] == pytest.approx((6 - X[:, 0]).mean(), abs=1e-12)
    assert items_b.r_drop[0] == pytest.approx(np.corrcoef(6 - X[:, 0], X[:, 2])[0, 1], abs=1e-12)
    items_a = al.item_analysis(q, rs, scale="A")
    assert items_a.r_drop[0] == pytest.approx(np.corrcoef(X[:, 0], X[:, 1])[0, 1], abs=1e-12)
    every = al.item_analysis(q, rs)  # each item once, in its first scale: X in A
    assert every.scale == ("A", "A", "B") and every.r_drop[0] == items_a.r_drop[0]
    with pytest.raises(ValueError, match="The 'scale' parameter of item_analysis must be one of"):
        al.item_analysis(q, rs, scale="C")


def test_show_names_the_scales_that_key_an_item_otherwise():
    from akhlak_levels.cli import main

    out = io.StringIO()
    with redirect_stdout(out):
        assert main(["show", str(Path(__file__).parent / "data" / "epi-questionnaire.json")]) == 0
    line = next(ln for ln in out.getvalue().splitlines() if ln.strip().startswith("V11 "))
    assert "scale N,Soc" in line and "reverse in Soc" in line and "reverse in N" not in line


# --------------------------------------------------------------------------- property


@st.composite
def instruments(draw):
    """A small questionnaire (2-7 Likert items of 2-7 points in up to 3 scales, global flags at
    random), its form with every scale's keys written out equal to the flags, a psych-style form
    (no global flags on items in a scale, each scale listing its -1 keys), and a seed."""
    n_items = draw(st.integers(2, 7))
    n_scales = draw(st.integers(1, 3))
    points = [draw(st.integers(2, 7)) for _ in range(n_items)]
    reverse = [draw(st.booleans()) for _ in range(n_items)]
    member = [draw(st.lists(st.integers(0, n_scales - 1), unique=True, max_size=n_scales)) for _ in range(n_items)]
    items = [_item(f"I{i}", [f"S{s}" for s in sorted(m)], r, p) for i, (m, r, p) in enumerate(zip(member, reverse, points))]
    scales = [{"id": f"S{s}", "name": {"en": f"S{s}"}} for s in range(n_scales)]
    old = _doc(items, scales, points)
    explicit = copy.deepcopy(old)
    psych = copy.deepcopy(old)
    for s in range(n_scales):
        mine = [i for i in range(n_items) if s in member[i]]
        explicit["scales"][s]["keys"] = {f"I{i}": -1 if reverse[i] else 1 for i in mine}
        psych["scales"][s]["keys"] = {f"I{i}": -1 for i in mine if reverse[i]}
    for it in psych["items"]:
        if it["scales"]:  # an item in no scale keeps its flag: no scale could say it
            it.pop("reverse")
    seed = draw(st.integers(0, 2**31 - 1))
    return old, explicit, psych, seed


@settings(deadline=None)  # examples: the hypothesis profile (tests/conftest.py)
@given(instruments())
def test_keys_equal_to_the_global_flags_score_exactly_as_the_old_form(case):
    """Scale scores (assess, Scorer), each scale's keyed matrix (what reliability, item analysis,
    even-odd consistency and DIF rest scores start from) and the item tables are equal, to the
    bit, in the three forms. (Reliability itself is run on the forms below: its one-factor fit
    takes about a second per scale on random, uncorrelated answers.)"""
    old, explicit, psych, seed = case
    forms = [questionnaire_from_dict(d) for d in (old, explicit, psych)]
    q = forms[0]
    assert forms[1].content_hash == q.content_hash  # the same content
    rng = np.random.default_rng(seed)
    codes = (np.floor(rng.random((40, q.n_items)) * q.n_options)).astype(np.int8)
    codes[rng.random(codes.shape) < 0.15] = -1
    results = []
    for f in forms:
        rs = _responses(f, codes)
        a = al.assess(f, rs, min_answered=1e-9)
        keyed = [keyed_matrix(f, rs, s.item_ids, scale=s) for s in f.scales]
        tables = [al.item_analysis(f, rs), *(al.item_analysis(f, rs, scale=s.id) for s in f.scales)]
        docs = Scorer(f).score_many([{it.id: int(c) + 1 for it, c in zip(f.items, row) if c >= 0} for row in codes[:10]])
        results.append((a.scale_scores, keyed, tables, docs))
    base = results[0]
    for other in results[1:]:
        np.testing.assert_array_equal(other[0], base[0])
        for mine, theirs in zip(other[1], base[1]):
            np.testing.assert_array_equal(mine, theirs)
        for mine, theirs in zip(other[2], base[2]):
            for col in ("mean", "sd", "r_drop", "r_total", "alpha_if_dropped"):
                np.testing.assert_array_equal(getattr(mine, col), getattr(theirs, col))
        assert [d["scales"] for d in other[3]] == [d["scales"] for d in base[3]]


def test_reliability_is_the_same_in_the_three_forms():
    """One instrument in the three forms (flags; keys written out; psych-style keys only), with
    answers that follow the keys: every column of the reliability table is equal to the bit."""
    items = [_item("P1", ["S", "T"]), _item("P2", ["S"]), _item("R1", ["S", "T"], True), _item("P3", ["T"]),
             _item("R2", ["T"], True)]
    scales = [{"id": "S", "name": {"en": "S"}}, {"id": "T", "name": {"en": "T"}}]
    old = _doc(items, scales)
    explicit, psych = copy.deepcopy(old), copy.deepcopy(old)
    explicit["scales"][0]["keys"] = {"P1": 1, "P2": 1, "R1": -1}
    explicit["scales"][1]["keys"] = {"P1": 1, "R1": -1, "P3": 1, "R2": -1}
    psych["scales"][0]["keys"] = {"R1": -1}
    psych["scales"][1]["keys"] = {"R1": -1, "R2": -1}
    for it in psych["items"]:
        it.pop("reverse", None)
    rng = np.random.default_rng(11)
    t = rng.normal(size=300)
    direction = np.array([1, 1, -1, 1, -1])
    codes = np.clip(np.rint(2 + direction * t[:, None] + rng.normal(scale=0.8, size=(300, 5))), 0, 4).astype(np.int8)
    codes[rng.random(codes.shape) < 0.1] = -1
    tables = [al.reliability(questionnaire_from_dict(d), _responses(questionnaire_from_dict(d), codes)) for d in (old, explicit, psych)]
    assert tables[0].alpha.min() > 0.6  # the answers follow the keys
    for other in tables[1:]:
        for col in ("alpha", "alpha_ci_lower", "standardized_alpha", "omega_total", "lambda6", "split_half", "mean_r", "sem"):
            np.testing.assert_array_equal(getattr(other, col), getattr(tables[0], col))
