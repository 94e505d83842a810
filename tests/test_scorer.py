"""Scorer: the compiled scorer equals assess field by field, reads keys and values as the readers
do, refuses what it cannot read, is thread-safe and returns documents valid under its schema."""

import json
import math
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import akhlak_levels as al
from akhlak_levels import _schema
from akhlak_levels.errors import ResponseError
from akhlak_levels.scorer import Scorer

QIDS = ["socio-emotional-levels", "berakhlak"]
SCORERS = {qid: Scorer(qid) for qid in QIDS}
TOL = 1e-12


def _spaced(draw, text):
    """The text as a person might type it: another case, extra spaces around and inside."""
    case = draw(st.sampled_from([str, str.upper, str.lower, str.title]))
    pad = draw(st.sampled_from(["", " ", "  "]))
    return pad + case(text).replace(" ", draw(st.sampled_from([" ", "  "]))) + pad


@st.composite
def records(draw, q):
    """A random answers dict: some items missing, keys ids or question texts, values codes (int or
    text) or labels in either language."""
    rec = {}
    for it in q.items:
        kind = draw(st.sampled_from(["missing", "int", "text", "label-id", "label-en", "none"]))
        if kind == "missing":
            continue
        key_kind = draw(st.sampled_from(["id", "id-spaced", "text-id", "text-en"]))
        key = {"id": it.id, "id-spaced": None, "text-id": it.text.get("id"), "text-en": it.text.get("en")}[key_kind]
        key = _spaced(draw, it.id) if key is None else (key if key_kind == "id" else _spaced(draw, key))
        c = draw(st.integers(0, it.n_options - 1))
        value = {"int": c + 1, "text": f" {c + 1} ", "none": None,
                 "label-id": it.options[c].get("id"), "label-en": it.options[c].get("en")}[kind]
        if kind.startswith("label") and value is not None:
            value = _spaced(draw, value)
        rec[key] = value
    return rec


def _close(x, y):
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return y is None or (isinstance(y, float) and math.isnan(y))
    return y is not None and abs(float(x) - float(y)) <= TOL


def assert_equals_assess(q, doc, a, i=0):
    """One result document against row ``i`` of an Assessment, field by field."""
    assert doc["questionnaire_id"] == a.questionnaire_id and doc["questionnaire_version"] == a.questionnaire_version
    assert doc["questionnaire_hash"] == a.questionnaire_hash == q.content_hash
    assert doc["model_hash"] == a.model_hash and doc["model_kind"] == a.model_kind
    assert doc["library_version"] == al.__version__
    assert doc["n_answered"] == int(a.n_answered[i])
    flags = a.flags.as_strings()[i]
    assert doc["flags"] == (flags.split(";") if flags else [])
    if a.has_levels:
        assert doc["level"] == int(a.level[i])
        assert doc["level_label"] == (al.Level(doc["level"]).label("en") if doc["level"] else None)
        for k in range(5):
            assert _close(a.probabilities[i, k], doc["probabilities"][k])
        for name, arr in (("expected_level", a.expected_level), ("expected_level_sd", a.expected_level_sd),
                          ("confidence", a.confidence), ("entropy", a.entropy)):
            assert _close(arr[i], doc[name]), name
    else:
        assert doc["level"] is None and doc["probabilities"] is None and doc["confidence"] is None
    assert list(doc["scales"]) == list(a.scale_ids)
    for j, sid in enumerate(a.scale_ids):
        assert _close(a.scale_scores[i, j], doc["scales"][sid]), sid
    if a.index is None:
        assert doc["index"] is None and doc["index_category"] is None
    else:
        assert _close(a.index[i], doc["index"])
        assert doc["index_category"] == (a.index_category[i] or None)


def _assess_one(q, rec):
    return al.assess(q, al.read_responses([rec], q, missing_items="missing"))


@pytest.mark.parametrize("qid", QIDS)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_score_one_equals_assess_field_by_field(qid, data):
    scorer = SCORERS[qid]
    q = scorer.questionnaire
    rec = data.draw(records(q))
    doc = scorer.score_one(rec)
    if rec:  # the reader needs at least one item column
        assert_equals_assess(q, doc, _assess_one(q, rec))
    else:
        assert doc["n_answered"] == 0 and doc["flags"][0] == "no-answers"
        assert doc["level"] in (0, None)
    _schema.validate(doc, "result")
    assert json.loads(json.dumps(doc, allow_nan=False)) == doc  # JSON-ready: no NaN, no numpy scalars
    assert_docs_close(scorer.score_many([rec])[0], doc)


@pytest.mark.parametrize("qid", QIDS)
def test_score_many_equals_assess_and_score_one(qid):
    scorer = SCORERS[qid]
    q = scorer.questionnaire
    rng = np.random.default_rng(7)
    top = np.array([it.n_options for it in q.items])
    codes = np.floor(rng.random((400, q.n_items)) * (top + 1)).astype(np.int8) - 1  # some answers missing
    codes[:5] = -1  # nobody answered anything
    recs = [{it.id: int(c) + 1 for it, c in zip(q.items, row) if c >= 0} for row in codes]
    docs = scorer.score_many(recs)
    a = al.assess(q, al.ResponseSet(questionnaire=q, codes=codes, respondent_ids=np.arange(len(codes)).astype(str)))
    for i, doc in enumerate(docs):
        assert_equals_assess(q, doc, a, i)
        _schema.validate(doc, "result")
    assert [d["flags"][:1] for d in docs[:5]] == [["no-answers"]] * 5
    for d, r in zip(docs[:100], recs[:100]):
        assert_docs_close(d, scorer.score_one(r))


def assert_docs_close(d, e):
    """Two result documents equal, floats to 1e-12 (the kernel groups its additions)."""
    assert d.keys() == e.keys()
    for k in d:
        x, y = d[k], e[k]
        if isinstance(x, float) or isinstance(y, float):
            assert _close(x, y), k
        elif isinstance(x, list) and x and isinstance(x[0], (float, type(None))):
            assert all(_close(a, b) for a, b in zip(x, y)) and len(x) == len(y), k
        elif isinstance(x, dict):
            assert x.keys() == y.keys() and all(_close(x[j], y[j]) for j in x), k
        else:
            assert x == y, k


def test_keys_and_values_are_read_as_the_readers_read_them():
    s = SCORERS["socio-emotional-levels"]
    it = s.questionnaire.items[0]
    forms = [{it.id: 4}, {it.id.lower(): "4"}, {f"  {it.text['en'].upper()} ": "agree"},
             {it.text["id"]: "SETUJU"}, {it.id: 4.0}, {it.id: np.int64(4)}, {f"1. {it.text['en']}": " Agree "}]
    docs = [s.score_one(f) for f in forms]
    assert all(d == docs[0] for d in docs)
    assert s.codes_one(forms[2]).tolist()[:2] == [3, -1]
    assert s.score_one({it.id: None, "SE02": "", "SE03": float("nan")})["n_answered"] == 0


@pytest.mark.parametrize(
    "answers, item, value",
    [
        ({"SE01": 6}, "SE01", 6),
        ({"SE01": 0}, "SE01", 0),
        ({"SE01": True}, "SE01", True),
        ({"SE01": 2.5}, "SE01", 2.5),
        ({"SE01": "sometimes maybe"}, "SE01", "sometimes maybe"),
        ({"SE01": [1]}, "SE01", [1]),
        ({"SE02": 1, "nope": 1}, "nope", None),
    ],
)
def test_unknown_keys_and_values_raise_naming_the_item_and_value(answers, item, value):
    s = SCORERS["socio-emotional-levels"]
    for call, row in ((lambda: s.score_one(answers), None), (lambda: s.score_many([{"SE03": 2}, answers]), 1)):
        with pytest.raises(al.ResponseError) as err:
            call()
        (p,) = err.value.problems
        assert (p.item, p.value, p.row) == (item, value, row)


def test_two_keys_for_one_item_and_non_dict_records_are_refused():
    s = SCORERS["socio-emotional-levels"]
    with pytest.raises(al.ResponseError, match="Two keys of the answers name the same item"):
        s.score_one({"SE01": 1, " se01": 2})
    with pytest.raises(al.ResponseError, match="Two keys of the answers name the same item") as err:
        s.score_many([{"SE01": 1, "se02": 2}, {"SE01": 1, " se01": 2}])
    assert (err.value.problems[0].row, err.value.problems[0].item) == (1, "SE01")
    text_keys = [{it.text["en"]: "Agree" if it.type == "likert" else 1 for it in s.questionnaire.items}] * 3
    assert s.score_many(text_keys)[2]["n_answered"] == s.questionnaire.n_items
    with pytest.raises(al.ResponseError, match="Each record must be a dict"):
        s.score_many([{"SE01": 1}, ["SE01", 1]])
    with pytest.raises(al.ResponseError, match="'answers' parameter of Scorer.score_one must be a dict"):
        s.score_one([("SE01", 1)])
    with pytest.raises(al.QuestionnaireError, match="vote instrument"):
        Scorer("berakhlak-culture-map")
    with pytest.raises(ValueError, match="'lang' parameter"):
        s.score_one({}, lang="fr")


def test_labels_in_indonesian_and_the_berakhlak_index():
    s = SCORERS["berakhlak"]
    q = s.questionnaire
    answers = {it.id: (2 if it.reverse else 4) for it in q.items}  # "often", as assess's example
    en, id_ = s.score_one(answers), s.score_one(answers, lang="id")
    assert (en["index"], en["index_category"], en["index_category_label"]) == (75.0, "A", "Healthy")
    assert id_["index_category_label"] == "Sehat"
    se = SCORERS["socio-emotional-levels"]
    docs = [se.score_many([{"SE01": 5}], lang=lang)[0] for lang in ("en", "id")]
    assert docs[1]["level_label"] in {None, *(al.Level(k).label("id") for k in range(1, 6))}
    assert {k: v for k, v in docs[0].items() if k != "level_label"} == {k: v for k, v in docs[1].items() if k != "level_label"}


def test_an_explicit_model_and_min_confidence_are_used():
    q = al.load_questionnaire("socio-emotional-levels")
    strict = Scorer(q, q.default_model, min_confidence=0.99)
    rec = {"SE01": 4, "SE02": 2}
    doc = strict.score_one(rec)
    a = al.assess(q, al.read_responses([rec], q, missing_items="missing"), min_confidence=0.99)
    assert_equals_assess(q, doc, a)
    assert doc["level"] == 0 and doc["flags"] == ["low-confidence"]
    with pytest.raises(ValueError, match="min_confidence"):
        Scorer(q, min_confidence=2)


def test_thread_safe_eight_threads_score_two_thousand_people_as_one_thread_does():
    s = SCORERS["socio-emotional-levels"]
    q = s.questionnaire
    rs, _ = al.simulate(q, 2000, random_state=3)
    rng = np.random.default_rng(3)
    codes = np.where(rng.random(rs.codes.shape) < 0.1, -1, rs.codes)
    labels = [[lab["id"] for lab in it.options] for it in q.items]
    recs = [{it.id: (labels[j][c] if (i + j) % 3 == 0 else int(c) + 1) for j, (it, c) in enumerate(zip(q.items, row)) if c >= 0}
            for i, row in enumerate(codes)]
    sequential = [s.score_one(r) for r in recs]
    with ThreadPoolExecutor(max_workers=8) as pool:
        parallel = list(pool.map(s.score_one, recs))
        batches = list(pool.map(s.score_many, [recs[i : i + 250] for i in range(0, 2000, 250)]))
    assert parallel == sequential
    flat = [d for b in batches for d in b]
    for d, e in zip(flat, sequential):
        assert_docs_close(d, e)


def test_the_result_schema_refuses_a_broken_document():
    doc = SCORERS["socio-emotional-levels"].score_one({"SE01": 5})
    doc.update(level=7, probabilities=[0.5] * 4, flags=["invented"])
    del doc["model_hash"]
    with pytest.raises(al.SchemaError) as err:
        _schema.validate(doc, "result")
    assert {p.path for p in err.value.problems} >= {"$.level", "$.probabilities", "$.flags[0]", "$"}


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_a_batch_of_records_with_the_same_keys_reads_as_the_general_path_reads_it(data):
    """The fast path of score_many (every record with the same item ids in the same order,
    whole-number answers) gives exactly what the general path gives for the same records with
    their keys in another order, including refusals (a value out of range, a bool, a float)."""
    s = Scorer("berakhlak")
    ids = list(s.questionnaire.item_ids)
    n = data.draw(st.integers(1, 30))
    cols = data.draw(st.lists(st.sampled_from(ids), min_size=1, max_size=8, unique=True))
    values = data.draw(st.lists(st.lists(st.integers(0, 6), min_size=len(cols), max_size=len(cols)), min_size=n, max_size=n))
    records = [dict(zip(cols, row)) for row in values]
    odd = data.draw(st.sampled_from([None, True, 2.0, "3"]))
    if odd is not None:
        records[data.draw(st.integers(0, n - 1))][cols[0]] = odd
    shuffled = [dict(reversed(list(r.items()))) for r in records]  # another order: the general path
    if len(cols) == 1:
        shuffled = [dict(r) for r in records] + [{}]  # lengths differ: the general path
    try:
        expected = s.codes_many(shuffled)
    except ResponseError as err:
        with pytest.raises(ResponseError) as got:
            s.codes_many(records)
        (problem,) = got.value.problems  # the first wrong cell met: a cell of the records, and wrong
        assert err.problems and problem.row < n and records[problem.row][problem.item] == problem.value
        v = problem.value
        assert not (type(v) is int and 1 <= v <= 5) and not (isinstance(v, str) and v in "12345")
    else:
        np.testing.assert_array_equal(s.codes_many(records), expected[:n])
