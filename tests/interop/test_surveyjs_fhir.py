"""The SurveyJS survey, loaded and answered in the real survey-core model under node, and the
FHIR Questionnaire, validated by fhir.resources; what each produces reads back exactly."""

from __future__ import annotations

import json

import numpy as np
import pytest

from akhlak_levels import load_questionnaire, read_responses, read_votes, simulate
from akhlak_levels.interop import CODE_SYSTEM, fhir_questionnaire, surveyjs_json
from akhlak_levels.model import simulate_votes

from form_tools import node_with_survey_core, run_node  # tests/ has no __init__: pytest puts this folder on sys.path

BUNDLED = ["berakhlak", "socio-emotional-levels", "berakhlak-culture-map"]


def _answers(q, n, seed):
    """Simulated answers as a survey tool's records (codes 1..k, behaviour ids), and the truth."""
    records = [{"consent": True, "unit": "Biro Umum" if i % 2 else "Biro SDM"} for i in range(n)]
    codes = votes = None
    if q.items:
        if q.default_model is not None:
            codes = simulate(q, n, random_state=seed)[0].codes
        else:  # an instrument without a level model: answers drawn uniformly
            codes = np.random.default_rng(seed).integers(0, q.n_options, size=(n, q.n_items)).astype(np.int8)
        for rec, row in zip(records, codes.tolist()):
            rec.update({it: c + 1 for it, c in zip(q.item_ids, row)})
    if q.vote_questions:
        votes, _ = simulate_votes(q, n, random_state=seed)
        ids = [b.id for b in q.behaviours]
        for rec, row in zip(records, votes.picks.tolist()):
            rec.update({vq.id: [ids[p] for p in picks if p >= 0] for vq, picks in zip(q.vote_questions, row)})
    return records, codes, votes


@pytest.mark.parametrize("qid", BUNDLED)
def test_survey_core_loads_the_survey_without_json_errors_and_answers_read_back_exactly(tmp_path, qid):
    env = node_with_survey_core()
    q = load_questionnaire(qid)
    survey = surveyjs_json(q, units=["Biro Umum", "Biro SDM"])
    (tmp_path / "survey.json").write_text(json.dumps(survey), encoding="utf-8")
    records, codes, votes = _answers(q, 15, seed=11)
    (tmp_path / "answers.json").write_text(json.dumps(records), encoding="utf-8")
    out = run_node("surveyjs_check.js", tmp_path / "survey.json", tmp_path / "answers.json", env=env)
    assert out["jsonErrors"] == []
    built = {x["name"]: x for x in out["questions"]}
    assert list(built) == ["consent", "unit", *q.item_ids, *(vq.id for vq in q.vote_questions)]
    for it in q.items:
        assert built[it.id]["type"] == "radiogroup" and built[it.id]["required"] is True
        assert built[it.id]["choices"] == list(range(1, it.n_options + 1))
    for vq in q.vote_questions:
        assert (built[vq.id]["type"], built[vq.id]["min"], built[vq.id]["max"]) == ("checkbox", vq.min_picks, vq.max_picks)
        assert built[vq.id]["choices"] == list(vq.behaviour_ids)
    # every complete answer passes survey-core's own validation, and its data is what was given
    assert all(r["errors"] == [] for r in out["results"])
    data = [r["data"] for r in out["results"]]
    assert data == records
    # titles in each locale are the questionnaire's texts
    first = out["results"][0]["titles"]
    shown = [it.text for it in q.items] + [vq.text for vq in q.vote_questions]
    for lang in ("id", "en"):
        assert first[lang][2:] == [t[lang] for t in shown]
    if codes is not None:
        back = read_responses(data, q, ignore_columns=["consent"])
        np.testing.assert_array_equal(back.codes, codes)
        assert back.unit.tolist() == [r["unit"] for r in records]
    if votes is not None:
        back_votes = read_votes(data, q, ignore_columns=["consent"])
        np.testing.assert_array_equal(back_votes.picks, votes.picks)


def test_survey_core_refuses_too_few_picks_and_a_missing_answer(tmp_path):
    env = node_with_survey_core()
    q = load_questionnaire("berakhlak-culture-map")
    (tmp_path / "survey.json").write_text(json.dumps(surveyjs_json(q, consent=False, unit=False)), encoding="utf-8")
    records, _, _ = _answers(q, 1, seed=2)
    short = {k: v for k, v in records[0].items() if k in ("personal", "current")}
    short["personal"] = short["personal"][:9]
    (tmp_path / "answers.json").write_text(json.dumps([short]), encoding="utf-8")
    out = run_node("surveyjs_check.js", tmp_path / "survey.json", tmp_path / "answers.json", env=env)
    errors = {e["name"]: e["errors"] for e in out["results"][0]["errors"]}
    assert set(errors) == {"personal", "desired"}
    assert any("10" in text for text in errors["personal"])


@pytest.mark.parametrize("qid", BUNDLED)
def test_fhir_resources_validates_the_questionnaire_and_a_response_to_it(qid):
    fhir_q = pytest.importorskip("fhir.resources.R4B.questionnaire")
    fhir_qr = pytest.importorskip("fhir.resources.R4B.questionnaireresponse")
    q = load_questionnaire(qid)
    doc = fhir_questionnaire(q, units=["Biro Umum"], respondent_id=True)
    res = fhir_q.Questionnaire.model_validate(doc)
    assert res.status == "active" and res.version == q.version
    by_link = {i.linkId: i for i in res.item}
    assert list(by_link) == ["consent", "unit", "respondent_id", *q.item_ids, *(vq.id for vq in q.vote_questions)]
    for it in q.items:
        codes = [o.valueCoding.code for o in by_link[it.id].answerOption]
        assert codes == [str(c) for c in range(1, it.n_options + 1)]
        assert by_link[it.id].text == it.text["id"]
        assert [o.valueCoding.display for o in by_link[it.id].answerOption] == list(it.option_labels("id"))
    for vq in q.vote_questions:
        item = by_link[vq.id]
        assert item.repeats is True and [o.valueCoding.code for o in item.answerOption] == list(vq.behaviour_ids)
        occurs = {e.url.rsplit("-", 1)[1]: e.valueInteger for e in item.extension}
        assert occurs == {"minOccurs": vq.min_picks, "maxOccurs": vq.max_picks}
    # a response to it, as a FHIR client would send it, is valid too
    records, _, _ = _answers(q, 1, seed=4)
    answers = []
    for link, value in records[0].items():
        if link in ("consent", "unit"):
            answers.append({"linkId": link, "answer": [{"valueBoolean": value} if link == "consent" else {"valueString": value}]})
        elif isinstance(value, list):
            answers.append({"linkId": link, "answer": [{"valueCoding": {"system": f"{CODE_SYSTEM}/{q.id}/behaviours", "code": b}} for b in value]})
        else:
            answers.append({"linkId": link, "answer": [{"valueCoding": {"code": str(value)}}]})
    fhir_qr.QuestionnaireResponse.model_validate({"resourceType": "QuestionnaireResponse", "status": "completed",
                                                  "questionnaire": f"Questionnaire/{q.id}", "item": answers})


def test_the_fhir_texts_carry_every_language_of_the_form():
    q = load_questionnaire("berakhlak")
    doc = fhir_questionnaire(q, consent=False, unit=False, languages=["en", "id"])
    item = doc["item"][0]
    assert doc["language"] == "en" and item["text"] == q.items[0].text["en"]
    (translation,) = item["_text"]["extension"]
    assert translation["extension"] == [{"url": "lang", "valueCode": "id"}, {"url": "content", "valueString": q.items[0].text["id"]}]
    single = fhir_questionnaire(q, consent=False, unit=False, languages="id")
    assert "_text" not in single["item"][0]
