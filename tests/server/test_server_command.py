"""``akhlak-levels serve`` as a user runs it (a subprocess on loopback): bearer-token auth, a log
without answers or ids, several workers; the OpenAPI description, checked for structure and
against the answers the server gives; usage errors before any port is opened."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess

import pytest

pytest.importorskip("starlette")
pytest.importorskip("uvicorn")

from conftest import Client, CommandServer  # noqa: E402

import akhlak_levels as al  # noqa: E402
from akhlak_levels.cli import main  # noqa: E402

TOKEN = "s3cret-token-for-tests-0123456789"
SEL = "socio-emotional-levels"
SCORE = f"/v1/questionnaires/{SEL}/score"


@pytest.fixture(scope="module")
def with_token():
    server = CommandServer("--max-batch", "20", env={"AKHLAK_LEVELS_TOKEN": TOKEN}).wait_ready()
    yield server
    server.stop()


def test_with_a_token_every_route_but_health_and_openapi_needs_it(with_token):
    anonymous = Client(with_token.port)
    for method, path in (("GET", "/v1/questionnaires"), ("GET", f"/v1/questionnaires/{SEL}"), ("POST", SCORE),
                         ("GET", "/v1/nothing")):
        status, headers, doc = anonymous.call(method, path, {"answers": {}} if method == "POST" else None)
        assert status == 401 and doc["error"] == "unauthorized" and headers["www-authenticate"].startswith("Bearer")
    for header in (f"Bearer {TOKEN[:-1]}", f"Bearer {TOKEN}x", f"Basic {TOKEN}", TOKEN, "Bearer "):
        assert anonymous.call("POST", SCORE, {"answers": {}}, headers={"Authorization": header})[0] == 401, header
    assert anonymous.call("GET", "/health")[0] == 200 and anonymous.call("GET", "/openapi.json")[0] == 200
    status, _, doc = Client(with_token.port, TOKEN).call("POST", SCORE, {"answers": {"SE01": 5}})
    assert status == 200 and doc["result"] == al.Scorer(SEL).score_one({"SE01": 5})
    assert Client(with_token.port, TOKEN).call("GET", "/v1/nothing")[0] == 404
    status, _, doc = Client(with_token.port, TOKEN).call("POST", f"/v1/questionnaires/{SEL}/score-batch",
                                                         {"respondents": [{"answers": {}}] * 21})
    assert (status, doc["error"]) == (413, "batch-too-large")


def test_the_log_of_the_command_holds_no_answer_no_id_and_no_token():
    server = CommandServer(env={"AKHLAK_LEVELS_TOKEN": TOKEN}).wait_ready()
    try:
        client = Client(server.port, TOKEN)
        rid, answer, key = "NIP-198807-LEAK", "ANSWER-5e1-LEAK", "QUESTION-2b7-LEAK"
        assert client.call("POST", SCORE, {"answers": {"SE01": "sAnGaT sEtUjU"}, "respondent_id": rid})[0] == 200
        assert client.call("POST", SCORE, {"answers": {"SE01": answer}, "respondent_id": rid})[0] == 422
        assert client.call("POST", SCORE, {"answers": {key: 3}, "respondent_id": rid})[0] == 422
        batch = {"respondents": [{"respondent_id": rid, "answers": {"SE02": answer}}]}
        assert client.call("POST", f"/v1/questionnaires/{SEL}/validate", batch)[0] == 200
        assert client.call("POST", f"/v1/questionnaires/{SEL}/score-batch", batch)[0] == 422
        assert client.call("POST", f"{SCORE}?respondent_id={rid}", {"answers": {}})[0] == 200
        assert client.call("GET", f"/v1/questionnaires/{rid}")[0] == 404
        assert client.call("POST", SCORE, raw=f'{{"answers": {{"{key}": '.encode())[0] == 400
        assert Client(server.port, "WRONG-TOKEN-LEAK-0000").call("POST", SCORE, {"answers": {}})[0] == 401
    finally:
        log = server.stop()
    assert server.proc.returncode == 0
    assert "Uvicorn running on http://127.0.0.1:" in log  # the log was captured
    assert re.search(rf"POST /v1/questionnaires/{SEL}/score 200 [0-9.]+ ms", log)
    assert f"POST /v1/questionnaires/{SEL}/validate 200" in log and "GET /v1/questionnaires/... 404" in log
    assert f"POST /v1/questionnaires/{SEL}/score 401" in log
    for marker in (rid, answer, key, "sAnGaT", TOKEN, "WRONG-TOKEN"):
        assert marker not in log, marker


def test_two_workers_answer_as_one():
    server = CommandServer("--workers", "2").wait_ready()
    try:
        answers = {"SE01": "Setuju", "SE10": 2}
        results = [Client(server.port).call("POST", SCORE, {"answers": answers}) for _ in range(6)]
    finally:
        server.stop()
    assert all(status == 200 and doc["result"] == al.Scorer(SEL).score_one(answers) for status, _, doc in results)


@pytest.mark.parametrize("argv, env, message", [
    (["--no-bundled"], {}, "--no-bundled leaves nothing to serve"),
    (["--model", "socio-emotional-levels"], {}, "expected ID=FILE"),
    (["--port", "70000"], {}, "expected a port from 1 to 65535"),
    (["--max-batch", "0"], {}, "expected at least 1"),
    (["--min-confidence", "2"], {}, "must be from 0 to 1"),
    ([], {"AKHLAK_LEVELS_TOKEN": "short"}, "has 5 characters; use at least 16"),
], ids=["nothing", "model", "port", "batch", "confidence", "token"])
def test_usage_errors_exit_2_before_a_port_is_opened(monkeypatch, capsys, argv, env, message):
    monkeypatch.delenv("AKHLAK_LEVELS_TOKEN", raising=False)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    err = io.StringIO()
    assert main(["serve", *argv], stdout=io.StringIO(), stderr=err) == 2
    text = err.getvalue() + capsys.readouterr().err  # argparse writes to sys.stderr
    assert message in text and "Traceback" not in text


def test_a_model_for_a_questionnaire_not_served_exits_3(tmp_path, monkeypatch):
    monkeypatch.delenv("AKHLAK_LEVELS_TOKEN", raising=False)
    path = tmp_path / "m.json"
    al.load_questionnaire(SEL).default_model.save(str(path))
    err = io.StringIO()
    assert main(["serve", "--model", f"nope={path}"], stdout=io.StringIO(), stderr=err) == 3
    assert "A model is given for 'nope', which is not served" in err.getvalue()



def _blocks(language: str) -> list[str]:
    """The ```language blocks of docs/embedding.md."""
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "docs" / "embedding.md").read_text(encoding="utf-8")
    return re.findall(rf"```{language}\n(.*?)```", text, re.S)


def test_the_curl_and_php_examples_of_the_docs_run_against_the_command(tmp_path):
    if not (shutil.which("php") and shutil.which("curl")):  # CI installs them (.ci/run) and requires them
        if os.environ.get("AKHLAK_REQUIRE_PHP") == "1":
            pytest.fail("php and curl are required here (AKHLAK_REQUIRE_PHP=1) but were not found")
        pytest.skip("php (with its curl extension) and curl run the docs' examples")
    server = CommandServer(env={"AKHLAK_LEVELS_TOKEN": TOKEN}).wait_ready()
    env = {"AKHLAK_LEVELS_TOKEN": TOKEN, "PATH": os.environ["PATH"]}
    here = f"127.0.0.1:{server.port}"
    try:
        (curl,) = [b for b in _blocks("bash") if b.startswith("curl ")]
        out = subprocess.run(["bash", "-c", curl.replace("127.0.0.1:8000", here)], env=env, capture_output=True,
                             text=True, timeout=30)
        php = tmp_path / "score.php"
        (block,) = _blocks("php")
        php.write_text(block.replace("127.0.0.1:8000", here), encoding="utf-8")
        printed = subprocess.run(["php", str(php)], env=env, capture_output=True, text=True, timeout=30)
    finally:
        server.stop()
    answers = {"SE01": 4, "SE02": "Setuju", "SE03": "5"}
    scored = json.loads(out.stdout)
    assert scored["respondent_id"] == "A1" and scored["result"] == al.Scorer(SEL).score_one(answers)
    assert printed.returncode == 0, printed.stderr
    r = al.Scorer(SEL).score_one(answers, lang="id")
    assert printed.stdout == f"level {r['level']} ({r['level_label'] or ''}), confidence {r['confidence']:.2f}, model {r['model_hash']}\n"
