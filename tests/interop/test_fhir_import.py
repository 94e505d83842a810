"""An instrument kept as a FHIR Questionnaire: load_questionnaire reads the resource (with the
library's extensions for what FHIR does not carry), and every bundled instrument survives the
round trip through fhir_questionnaire."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from akhlak_levels import QuestionnaireError, SchemaError, assess, load_questionnaire, read_responses
from akhlak_levels.interop import fhir_questionnaire

EPI = Path(__file__).resolve().parents[1] / "data" / "epi-questionnaire.json"


def _write(tmp_path, doc, name="q.json"):
    path = tmp_path / name
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.mark.parametrize("qid", ["berakhlak", "socio-emotional-levels", str(EPI)])
def test_an_instrument_comes_back_from_its_fhir_questionnaire_as_the_same_instrument(tmp_path, qid):
    q = load_questionnaire(qid)
    doc = fhir_questionnaire(q, respondent_id=True)
    fhir = pytest.importorskip("fhir.resources.R4B.questionnaire")
    fhir.Questionnaire.model_validate(doc)  # the library's extensions are valid FHIR
    back = load_questionnaire(_write(tmp_path, doc))
    assert back.content_hash == q.content_hash and (back.id, back.version, back.title) == (q.id, q.version, dict(q.title))
    assert [dict(it.text) for it in back.items] == [dict(it.text) for it in q.items]
    assert [[dict(o) for o in it.options] for it in back.items] == [[dict(o) for o in it.options] for it in q.items]
    assert [(s.id, dict(s.name), s.level, s.item_ids, s.keys) for s in back.scales] == [
        (s.id, dict(s.name), s.level, s.item_ids, s.keys) for s in q.scales]
    codes = np.random.default_rng(2).integers(0, q.n_options, size=(40, q.n_items))
    records = [dict(zip(q.item_ids, (row + 1).tolist())) for row in codes]
    np.testing.assert_array_equal(assess(q, read_responses(records, q)).scale_scores,
                                  assess(back, read_responses(records, back)).scale_scores)


def _agency():
    """A Questionnaire as an agency's FHIR tool might hold it: nested groups, a display item, its
    own questions, codes named by words, translations, one item keyed against its direction."""
    urn = "urn:akhlak-levels"

    def coding(code, id_, en):
        return {"valueCoding": {"system": "http://example.org/agree", "code": code, "display": id_,
                                "_display": {"extension": [{"url": "http://hl7.org/fhir/StructureDefinition/translation",
                                                            "extension": [{"url": "lang", "valueCode": "en"},
                                                                          {"url": "content", "valueString": en}]}]}}}

    agree = [coding("sts", "Sangat tidak setuju", "Strongly disagree"), coding("ts", "Tidak setuju", "Disagree"),
             coding("s", "Setuju", "Agree"), coding("ss", "Sangat setuju", "Strongly agree")]

    def q(link, text, scale=None, reverse=None):
        ext = []
        if scale:
            ext.append({"url": f"{urn}:scale", "valueString": scale})
        if reverse is not None:
            ext.append({"url": f"{urn}:reverse", "valueBoolean": reverse})
        return {"linkId": link, "type": "choice", "text": text, **({"extension": ext} if ext else {}), "answerOption": agree}

    return {"resourceType": "Questionnaire", "id": "budaya-biro", "language": "id", "version": "2025.1",
            "title": "Budaya Kerja Biro", "status": "active",
            "extension": [{"url": f"{urn}:scale-definition", "extension": [
                {"url": "id", "valueString": "kerja-sama"}, {"url": "name-id", "valueString": "Kerja sama"},
                {"url": "level", "valueInteger": 3}]}],
            "item": [{"linkId": "intro", "type": "group", "item": [
                {"linkId": "note", "type": "display", "text": "Selamat datang"},
                {"linkId": "unit", "type": "string", "text": "Unit kerja"}]},
                {"linkId": "grp", "type": "group", "item": [
                    q("Q1", "Saya suka bekerja sama.", "kerja-sama"),
                    {"linkId": "sub", "type": "group", "item": [q("Q2", "Saya lebih suka sendiri.", "kerja-sama", True)]},
                    {"linkId": "gender", "type": "choice", "text": "Jenis kelamin",
                     "answerOption": [{"valueCoding": {"code": "l", "display": "Laki-laki"}},
                                      {"valueCoding": {"code": "p", "display": "Perempuan"}}]}]}]}


def test_an_agency_fhir_questionnaire_is_loaded_and_answers_by_code_read_and_scored(tmp_path):
    q = load_questionnaire(_write(tmp_path, _agency()))
    assert (q.id, q.version, q.languages, q.item_ids) == ("budaya-biro", "2025.1", ("id",), ("Q1", "Q2"))
    assert q.item("Q2").reverse and q.items[0].option_labels("id") == ("Sangat tidak setuju", "Tidak setuju", "Setuju", "Sangat setuju")
    (scale,) = q.scales
    assert (scale.id, dict(scale.name), scale.level, scale.keys) == ("kerja-sama", {"id": "Kerja sama"}, 3, (1, -1))
    rs = read_responses([{"Q1": "ss", "Q2": "sts"}, {"Q1": "s", "Q2": "ss"}], q)  # the codes, as a FHIR response holds them
    assert rs.codes.tolist() == [[3, 0], [2, 3]]
    np.testing.assert_allclose(assess(q, rs).scale_scores[:, 0], [100.0, 100 / 3])  # (3 + (5 - 4)) / 2 = 2 on 1..4


def test_what_cannot_be_read_is_refused_naming_the_item_and_its_position(tmp_path):
    doc = _agency()
    no_lang = {k: v for k, v in doc.items() if k != "language"}
    with pytest.raises(QuestionnaireError, match=r"has no 'language': say which language its texts are in"):
        load_questionnaire(_write(tmp_path, no_lang))
    bad = copy.deepcopy(doc)
    q1 = bad["item"][1]["item"][0]
    q1["extension"].append({"url": "urn:akhlak-levels:level", "valueInteger": 7})
    q1["extension"][0]["valueString"] = "kerja-sama:-2"
    with pytest.raises(QuestionnaireError) as err:
        load_questionnaire(_write(tmp_path, bad, "bad.json"))
    assert str(err.value).startswith(f"The FHIR Questionnaire {tmp_path / 'bad.json'} cannot be read as a questionnaire (2 problems):")
    assert sorted((p.row, p.item, p.value) for p in err.value.problems) == [(3, "Q1", "7"), (3, "Q1", "kerja-sama:-2")]  # groups are not counted


_CELL = st.one_of(st.none(), st.booleans(), st.integers(-2, 9), st.sampled_from(["", "1", "Q1", "x", "choice", "group", "display",
                                                                                    "urn:akhlak-levels:scale", "id", "s:-1"]))
_JSON = st.recursive(_CELL, lambda kids: st.one_of(st.lists(kids, max_size=4),
                                                    st.dictionaries(st.sampled_from(["linkId", "type", "text", "item", "answerOption",
                                                                                     "valueCoding", "code", "display", "extension",
                                                                                     "url", "valueString", "valueInteger", "repeats"]),
                                                                    kids, max_size=5)), max_leaves=25)


@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(items=_JSON, lang=st.sampled_from(["id", "en", None, 3]))
def test_any_resource_ends_in_a_questionnaire_or_the_librarys_own_error(tmp_path, items, lang):
    """Fuzzing the FHIR instrument reader: whatever the resource holds, a questionnaire or the
    library's own error, never another exception."""
    doc = {"resourceType": "Questionnaire", "id": "fz", "language": lang, "item": items}
    try:
        q = load_questionnaire(_write(tmp_path, doc, "fuzz.json"))
    except (QuestionnaireError, SchemaError) as err:
        assert str(err)
    else:
        assert q.n_items >= 1
