"""The service over real HTTP on loopback: results equal the in-process Scorer (and assess), and
every kind of bad request gets its status and a JSON error with the library's problem fields."""

from __future__ import annotations

import http.client
import json
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

pytest.importorskip("starlette")
pytest.importorskip("uvicorn")

import akhlak_levels as al  # noqa: E402

SEL = "socio-emotional-levels"
SCORE = f"/v1/questionnaires/{SEL}/score"
BATCH = f"/v1/questionnaires/{SEL}/score-batch"
VALIDATE = f"/v1/questionnaires/{SEL}/validate"


def _records(q: al.Questionnaire, n: int, seed: int) -> tuple[al.ResponseSet, list[dict]]:
    """Simulated answers with about a fifth left out, as code dicts (some as labels, some as text)."""
    rng = np.random.default_rng(seed)
    values = np.floor(rng.random((n, q.n_items)) * q.n_options + 1)
    values[rng.random(values.shape) < 0.2] = np.nan
    records = []
    for row in values:
        rec = {}
        for j, (it, v) in enumerate(zip(q.items, row)):
            if not np.isnan(v):
                kind = j % 3
                rec[it.id] = int(v) if kind == 0 else str(int(v)) if kind == 1 else it.options[int(v) - 1]["id"]
        records.append(rec)
    return al.read_responses(values, q), records


def test_the_listing_and_show_describe_what_is_served(client):
    status, _, doc = client.call("GET", "/v1/questionnaires")
    assert status == 200
    listed = {s["id"]: s for s in doc["questionnaires"]}
    assert set(listed) == {"berakhlak", SEL}  # the vote instrument is not served: the Scorer does not score it
    scorer = al.Scorer(SEL)
    assert listed[SEL]["questionnaire_hash"] == scorer.questionnaire.content_hash
    assert listed[SEL]["model_hash"] == scorer.model.hash and listed["berakhlak"]["model_hash"] is None
    status, _, shown = client.call("GET", f"/v1/questionnaires/{SEL}")
    q = scorer.questionnaire
    assert status == 200 and [it["id"] for it in shown["items"]] == list(q.item_ids)
    first = shown["items"][0]
    assert first["text"] == {"id": q.items[0].text["id"], "en": q.items[0].text["en"]}
    assert [o["label"]["id"] for o in first["options"]] == list(q.items[0].option_labels("id"))
    assert [o["label"]["en"] for o in first["options"]] == list(q.items[0].option_labels("en"))
    assert [o["code"] for o in first["options"]] == [1, 2, 3, 4, 5]
    assert shown["model_hash"] == scorer.model.hash and shown["version"] == q.version


def test_score_one_equals_the_scorer_in_process(client):
    answers = {"I try to work in a way that my teammates like.": "agree", "se02": "Setuju", "SE03": "5", "SE04": None}
    status, _, doc = client.call("POST", SCORE, {"answers": answers, "respondent_id": "A-1", "lang": "id"})
    assert status == 200 and doc["respondent_id"] == "A-1"
    # JSON carries floats exactly (shortest repr), so the documents are equal, not just close
    assert doc["result"] == al.Scorer(SEL).score_one(answers, lang="id")
    assert doc["result"]["library_version"] == al.__version__


@pytest.mark.parametrize("qid", [SEL, "berakhlak"])
def test_a_batch_equals_score_many_and_assess(client, qid):
    q = al.load_questionnaire(qid)
    responses, records = _records(q, 40, seed=3)
    body = {"respondents": [{"respondent_id": f"R{i}", "answers": r} for i, r in enumerate(records)]}
    status, _, doc = client.call("POST", f"/v1/questionnaires/{qid}/score-batch", body)
    assert status == 200 and doc["n"] == 40
    assert [r["respondent_id"] for r in doc["results"]] == [f"R{i}" for i in range(40)]
    results = [r["result"] for r in doc["results"]]
    assert results == al.Scorer(q).score_many(records)
    expected = al.assess(q, responses)
    scales = np.array([[np.nan if r["scales"][s.id] is None else r["scales"][s.id] for s in q.scales] for r in results])
    np.testing.assert_allclose(scales, expected.scale_scores, rtol=0, atol=1e-12)  # the same additions in the same order
    if expected.probabilities is not None:
        np.testing.assert_allclose(np.array([r["probabilities"] for r in results]), expected.probabilities, rtol=0, atol=1e-12)
        assert [r["level"] for r in results] == expected.level.tolist()


def test_validate_lists_every_problem_and_scores_nothing(client):
    body = {"respondents": [
        {"respondent_id": "ok-1", "answers": {"SE01": 4}},
        {"respondent_id": "bad-1", "answers": {"SE01": 9, "SE02": "maybe", "NOPE": 1}},
        {"answers": {}},
        {"respondent_id": 77, "answers": {"SE01": 1, "se01 ": 2}},
    ]}
    status, _, doc = client.call("POST", VALIDATE, body)
    assert status == 200 and doc["valid"] is False and doc["complete"] is True and doc["n"] == 4
    got = [(p["row"], p["respondent"], p["item"], p["value"]) for p in doc["problems"]]
    assert got == [(1, "bad-1", "SE01", 9), (1, "bad-1", "SE02", "maybe"), (1, "bad-1", "NOPE", None), (3, "77", "SE01", "se01 ")]
    assert "results" not in doc
    status, _, doc = client.call("POST", VALIDATE, {"respondents": [{"answers": {"SE01": "Setuju"}}]})
    assert (status, doc) == (200, {"valid": True, "n": 1, "complete": True, "problems": []})


def _error(status: int, doc: dict, expected_status: int, kind: str) -> list[dict]:
    assert status == expected_status, doc
    assert set(doc) == {"status", "error", "message", "problems"} and doc["status"] == status and doc["error"] == kind
    for p in doc["problems"]:
        assert set(p) == {"row", "respondent", "item", "value", "message"}
    return doc["problems"]


@pytest.mark.parametrize("raw, why", [
    (b"{\"answers\": {", "truncated"),
    (b"answers=1", "a form, not JSON"),
    (b"{\"answers\": {\"SE01\": NaN}}", "NaN is not JSON"),
    (b"[" * 40 + b"]" * 40, "nested deeper than 32"),
    (b"{\"answers\": {\"SE01\": \"\xff\"}}", "not UTF-8"),
    (b"", "empty"),
], ids=lambda v: v if isinstance(v, str) else None)
def test_a_body_that_is_not_json_is_400(client, raw, why):
    status, headers, doc = client.call("POST", SCORE, raw=raw)
    assert headers["content-type"] == "application/json"
    _error(status, doc, 400, "malformed-json")


@pytest.mark.parametrize("body, message", [
    (["SE01", 4], "must be a JSON object"),
    ({"answers": [4, 4]}, "'answers' must be a JSON object"),
    ({"answer": {"SE01": 4}}, "Unknown field 'answer'"),
    ({"answers": {"SE01": 4}, "respondent_id": {"nip": 1}}, "'respondent_id' must be"),
    ({"answers": {"SE01": 4}, "respondent_id": True}, "'respondent_id' must be"),
    ({"answers": {"SE01": 4}, "lang": "fr"}, "'lang' must be one of"),
], ids=["list-body", "answers-list", "unknown-field", "id-object", "id-bool", "lang"])
def test_wrong_types_are_422_naming_the_field(client, body, message):
    status, _, doc = client.call("POST", SCORE, body)
    _error(status, doc, 422, "invalid-request")
    assert message in doc["message"]


@pytest.mark.parametrize("answers, item, value", [
    ({"SE01": "maybe"}, "SE01", "maybe"),
    ({"SE01": 6}, "SE01", 6),
    ({"SE01": [4]}, "SE01", "[4]"),
    ({"SE01": {"v": 4}}, "SE01", '{"v": 4}'),
    ({"Not a question": 4}, "Not a question", None),
])
def test_an_unknown_item_or_answer_is_422_naming_item_and_value(client, answers, item, value):
    status, _, doc = client.call("POST", SCORE, {"answers": answers, "respondent_id": "X9"})
    (problem,) = _error(status, doc, 422, "invalid-answers")
    assert (problem["item"], problem["value"], problem["respondent"], problem["row"]) == (item, value, "X9", None)


def test_a_bad_answer_in_a_batch_names_row_and_respondent(client):
    body = {"respondents": [{"respondent_id": "a", "answers": {"SE01": 1}}, {"respondent_id": "b", "answers": {"SE07": "x"}}]}
    (problem,) = _error(*client.call("POST", BATCH, body)[::2], 422, "invalid-answers")
    assert (problem["row"], problem["respondent"], problem["item"], problem["value"]) == (1, "b", "SE07", "x")
    body = {"respondents": [{"respondent_id": "a", "answers": {}}, {"respondent_id": "a", "answers": {}}]}
    (problem,) = _error(*client.call("POST", BATCH, body)[::2], 422, "invalid-request")
    assert (problem["row"], problem["respondent"]) == (1, "a")
    (problem,) = _error(*client.call("POST", BATCH, {"respondents": [{"answers": {}}, 5]})[::2], 422, "invalid-request")
    assert problem["row"] == 1


def test_an_unknown_questionnaire_is_404_and_a_wrong_method_405(client):
    for path in ("/v1/questionnaires/nope", "/v1/questionnaires/berakhlak-culture-map/score"):
        method = "GET" if path.endswith("nope") else "POST"
        status, _, doc = client.call(method, path, None if method == "GET" else {"answers": {}})
        _error(status, doc, 404, "unknown-questionnaire")
        assert "served: ['berakhlak', 'socio-emotional-levels']" in doc["message"]
    status, headers, doc = client.call("GET", SCORE)
    _error(status, doc, 405, "method-not-allowed")
    assert headers["allow"] == "POST"
    _error(*client.call("GET", "/v2/anything")[::2], 404, "not-found")


def test_a_batch_over_the_limit_is_413(client):
    body = {"respondents": [{"answers": {}}] * 51}
    _error(*client.call("POST", BATCH, body)[::2], 413, "batch-too-large")
    _error(*client.call("POST", VALIDATE, body)[::2], 413, "batch-too-large")
    assert client.call("POST", BATCH, {"respondents": [{"answers": {}}] * 50})[0] == 200


def test_an_oversized_body_is_refused_before_it_is_read(small_limits_server, client):
    limit = 64 * 1024
    # Content-Length over the limit: the answer comes before a byte of the body is sent
    conn = http.client.HTTPConnection("127.0.0.1", small_limits_server.port, timeout=10)
    conn.putrequest("POST", SCORE)
    conn.putheader("Content-Length", str(limit + 1))
    conn.endheaders()
    resp = conn.getresponse()
    doc = json.loads(resp.read())
    assert resp.status == 413 and doc["error"] == "body-too-large" and resp.getheader("connection") == "close"
    conn.close()
    # chunked, no length: refused once the running total passes the limit, the rest never sent
    conn = http.client.HTTPConnection("127.0.0.1", small_limits_server.port, timeout=10)
    conn.putrequest("POST", SCORE)
    conn.putheader("Transfer-Encoding", "chunked")
    conn.endheaders()
    chunk = b'{"answers": {' + b" " * 4096
    sent = 0
    while sent <= limit:
        conn.send(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        sent += len(chunk)
    resp = conn.getresponse()  # no final chunk was sent: the server answered while the body was open
    assert resp.status == 413 and json.loads(resp.read())["error"] == "body-too-large"
    conn.close()
    # a body of exactly the limit is read and scored
    status, _, doc = client.call("POST", SCORE, raw=b'{"answers": {}}' + b" " * (limit - 15))
    assert status == 200 and doc["result"]["n_answered"] == 0


def test_concurrent_requests_from_threads_each_get_their_own_result(client):
    q = al.load_questionnaire(SEL)
    _, records = _records(q, 64, seed=11)
    scorer = al.Scorer(q)
    expected = [scorer.score_one(r) for r in records]

    def one(i: int) -> tuple[int, dict]:
        status, _, doc = client.call("POST", SCORE, {"answers": records[i], "respondent_id": i})
        return status, doc

    with ThreadPoolExecutor(max_workers=16) as pool:
        answers = list(pool.map(one, range(64)))
    assert [s for s, _ in answers] == [200] * 64
    assert [d["respondent_id"] for _, d in answers] == list(range(64))
    assert [d["result"] for _, d in answers] == expected


def test_health_and_the_log_hold_no_answer_or_id(small_limits_server, client):
    assert client.call("GET", "/health")[::2] == (200, {"status": "ok"})
    marker_id, marker_answer, marker_key = "RID-4d1e-LEAK", "ANS-9c2b-LEAK", "KEY-77aa-LEAK"
    client.call("POST", SCORE, {"answers": {"SE01": "sangat SETUJU"}, "respondent_id": marker_id})
    client.call("POST", SCORE, {"answers": {"SE01": marker_answer}, "respondent_id": marker_id})
    client.call("POST", SCORE, {"answers": {marker_key: 1}, "respondent_id": marker_id})
    client.call("POST", VALIDATE, {"respondents": [{"answers": {"SE02": marker_answer}, "respondent_id": marker_id}]})
    client.call("POST", f"{SCORE}?respondent_id={marker_id}", {"answers": {}})
    client.call("GET", f"/v1/questionnaires/{marker_id}")
    text = small_limits_server.log_text()
    assert f"POST /v1/questionnaires/{SEL}/score 200" in text and f"POST /v1/questionnaires/{SEL}/score 422" in text
    assert "GET /v1/questionnaires/... 404" in text  # the unknown id is not written
    for marker in (marker_id, marker_answer, marker_key, "sangat SETUJU"):
        assert marker not in text


@pytest.mark.parametrize("entry, message", [
    ({"answers": {}, "nip": "1"}, "field 'nip' is not allowed here"),
    ({"answers": {}, "respondent_id": ""}, "a respondent id cannot be a JSON string"),
    ({"answers": {}, "respondent_id": 1.5}, "a respondent id cannot be a JSON number"),
    ({"answers": "SE01=4"}, "'answers' is a JSON string"),
    ({"respondent_id": "c"}, "'answers' is a JSON null"),
    ([], "a JSON array is not allowed here"),
], ids=["field", "empty-id", "float-id", "answers-text", "no-answers", "array"])
def test_a_wrong_entry_of_a_batch_is_422_naming_its_row(client, entry, message):
    body = {"respondents": [{"respondent_id": "a", "answers": {}}, {"respondent_id": "b", "answers": {}}, entry]}
    for path in (BATCH, VALIDATE):
        (problem,) = _error(*client.call("POST", path, body)[::2], 422, "invalid-request")
        assert problem["row"] == 2 and problem["message"] == message


def test_validate_finds_problems_across_blocks_and_stops_listing_at_100():
    from akhlak_levels.server._handlers import BLOCK, MAX_PROBLEMS, Limits, validate_batch

    scorer = al.Scorer(SEL)
    bad_rows = [5, BLOCK, BLOCK + 1, 3 * BLOCK - 1, 299]
    respondents = [{"respondent_id": f"p{i}", "answers": {"SE01": 9 if i in bad_rows else 1}} for i in range(300)]
    doc = validate_batch(scorer, {"respondents": respondents}, Limits(2**21, 1000))
    assert [(p["row"], p["respondent"], p["item"], p["value"]) for p in doc["problems"]] == [
        (r, f"p{r}", "SE01", 9) for r in bad_rows]
    assert doc["complete"] is True and doc["valid"] is False
    many = {f"Q{k}": 1 for k in range(500)}  # one respondent, 500 unknown questions
    doc = validate_batch(scorer, {"respondents": [{"answers": many}, {"answers": {"SE01": 0}}]}, Limits(2**21, 1000))
    assert len(doc["problems"]) == MAX_PROBLEMS and doc["complete"] is False
    assert [p["item"] for p in doc["problems"][:3]] == ["Q0", "Q1", "Q2"]
