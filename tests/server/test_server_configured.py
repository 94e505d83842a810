"""Questionnaires and models configured beside the bundled ones: served, described and scored as
the Scorer scores them; settings that cannot be served are refused when the app is built."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("starlette")
pytest.importorskip("uvicorn")

from conftest import Client, ThreadServer  # noqa: E402

import akhlak_levels as al  # noqa: E402
from akhlak_levels.server import create_app  # noqa: E402


@pytest.fixture(scope="module")
def survey(tmp_path_factory):
    """The bundled socio-emotional questionnaire saved under another id, and its theory prior as a model file."""
    folder = tmp_path_factory.mktemp("configured")
    document = dict(al.load_questionnaire("socio-emotional-levels").document)
    document["id"] = "my-survey"
    path = folder / "my-survey.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    model = folder / "model.json"
    al.load_questionnaire(str(path)).default_model.save(str(model))
    return path, model


def test_a_configured_questionnaire_and_model_are_served_as_the_scorer_scores_them(survey):
    path, model = survey
    app = create_app([path], models={"my-survey": model}, bundled=False, token_env=None)
    assert app.served == ("my-survey",)
    scorer = al.Scorer(str(path), str(model))
    with ThreadServer(app) as server:
        client = Client(server.port)
        status, _, listed = client.call("GET", "/v1/questionnaires")
        assert status == 200 and [s["id"] for s in listed["questionnaires"]] == ["my-survey"]
        assert listed["questionnaires"][0]["model_hash"] == scorer.model.hash
        status, _, doc = client.call("POST", "/v1/questionnaires/my-survey/score", {"answers": {"SE01": 2, "SE05": "Agree"}})
        assert status == 200 and doc["result"] == scorer.score_one({"SE01": 2, "SE05": "Agree"})
        assert doc["result"]["questionnaire_id"] == "my-survey"
        assert client.call("GET", "/v1/questionnaires/socio-emotional-levels")[0] == 404  # --no-bundled


@pytest.mark.parametrize("settings, error, message", [
    ({"questionnaires": ["socio-emotional-levels"]}, al.QuestionnaireError, "is served once (bundled)"),
    ({"questionnaires": ["berakhlak-culture-map"], "bundled": False}, al.QuestionnaireError, "is a vote instrument"),
    ({"models": {"nope": "m.json"}}, al.QuestionnaireError, "A model is given for 'nope', which is not served"),
    ({"max_batch": 0}, ValueError, "'max_batch' parameter of create_app must be a whole number >= 1"),
    ({"max_body_bytes": True}, ValueError, "'max_body_bytes' parameter"),
], ids=["twice", "votes", "model", "batch", "body"])
def test_what_cannot_be_served_is_refused_when_the_app_is_built(settings, error, message):
    with pytest.raises(error, match=message.replace("(", r"\(").replace(")", r"\)")):
        create_app(token_env=None, **settings)


def test_a_short_or_empty_token_is_refused(monkeypatch):
    for value in ("", "   ", "fifteen-chars!!"):
        monkeypatch.setenv("AKHLAK_LEVELS_TOKEN", value)
        with pytest.raises(ValueError, match="use at least 16"):
            create_app()
    monkeypatch.setenv("AKHLAK_LEVELS_TOKEN", "  sixteen-chars!!!\n")  # surrounding space is not part of it
    assert create_app().auth is True
    monkeypatch.delenv("AKHLAK_LEVELS_TOKEN")
    assert create_app().auth is False
