"""The bundled instruments meet their specification; loading validates and reports every problem."""

import copy
import json

import numpy as np
import pytest

import akhlak_levels as al
from akhlak_levels.questionnaire import questionnaire_from_dict


def test_both_bundled_instruments_are_listed():
    assert al.list_questionnaires() == ["berakhlak", "berakhlak-culture-map", "socio-emotional-levels"]


def test_socio_emotional_levels_has_30_likert_items_six_per_level_and_reverse_items(sel):
    likert = [it for it in sel.items if it.type == "likert"]
    assert len(likert) >= 30
    per_level = np.bincount([it.level for it in likert], minlength=6)[1:]
    assert (per_level >= 6).all()
    assert sum(it.reverse for it in likert) >= 4
    for it in likert:
        assert it.n_options == 5
        assert set(it.text) == {"id", "en"}
        assert it.scales == (sel.scales[it.level - 1].id,)


def test_socio_emotional_levels_has_8_situational_items_with_one_option_per_level(sel):
    choice = [it for it in sel.items if it.type == "choice"]
    assert len(choice) >= 8
    for it in choice:
        assert sorted(it.option_levels) == [1, 2, 3, 4, 5]
        assert list(it.option_levels) not in ([1, 2, 3, 4, 5], [5, 4, 3, 2, 1])  # order gives nothing away
        for opt in it.options:
            assert set(opt) == {"id", "en"}


def test_scales_of_socio_emotional_levels_are_the_five_levels_in_order(sel):
    assert [s.level for s in sel.scales] == [1, 2, 3, 4, 5]
    assert [s.id for s in sel.scales] == ["dependent", "ego-dependent", "socio-dependent", "intra-dependent", "inter-dependent"]


def test_berakhlak_has_seven_values_with_official_indicators_and_two_items_each(berakhlak):
    assert [s.id for s in berakhlak.scales] == [
        "berorientasi-pelayanan", "akuntabel", "kompeten", "harmonis", "loyal", "adaptif", "kolaboratif"
    ]
    pelayanan = berakhlak.scale("berorientasi-pelayanan")
    assert [t["id"] for _, t in pelayanan.indicators] == [
        "Memahami dan memenuhi kebutuhan masyarakat",
        "Ramah, cekatan, solutif, dan dapat diandalkan",
        "Melakukan perbaikan tiada henti",
    ]
    for s in berakhlak.scales:
        assert len(s.indicators) == 3
        for ind_id, _ in s.indicators:
            assert sum(it.indicator == ind_id for it in berakhlak.items) >= 2
    assert berakhlak.default_model is None


def test_berakhlak_index_bands_come_from_the_file(berakhlak):
    cats = {c.code: (c.min, c.label["id"]) for c in berakhlak.index.categories}
    assert cats == {"A": (75.0, "Sehat"), "B": (50.0, "Cukup Sehat"), "C": (25.0, "Tidak Sehat"), "D": (0.0, "Kategori D")}
    scores = np.array([100, 75, 74.9, 60.9, 50, 49.99, 38.9, 25, 24.9, 0])
    assert berakhlak.index.categorize(scores).tolist() == ["A", "A", "B", "B", "B", "C", "C", "C", "D", "D"]


def test_an_agency_can_change_the_bands_in_the_questionnaire_file(berakhlak):
    doc = copy.deepcopy(dict(berakhlak.document))
    doc["index"]["categories"][0]["min"] = 80
    q = questionnaire_from_dict(doc)
    assert q.index.categorize(np.array([78.0])).tolist() == ["B"]


def test_content_hash_ignores_texts_but_not_keys(sel):
    doc = copy.deepcopy(dict(sel.document))
    doc["items"][0]["text"]["en"] = "A corrected translation."
    assert questionnaire_from_dict(doc).content_hash == sel.content_hash
    doc["items"][0]["level"] = doc["items"][0]["level"] % 5 + 1
    doc["items"][0]["scales"] = [sel.scales[doc["items"][0]["level"] - 1].id]
    assert questionnaire_from_dict(doc).content_hash != sel.content_hash


def test_loading_a_file_by_path_gives_the_same_instrument(tmp_path, sel):
    path = tmp_path / "copy.json"
    path.write_text(json.dumps(sel.document), encoding="utf-8")
    q = al.load_questionnaire(str(path))
    assert q.item_ids == sel.item_ids and q.content_hash == sel.content_hash


def test_unknown_id_names_the_bundled_ones():
    with pytest.raises(al.QuestionnaireError, match=r"Unknown questionnaire 'nope'.*\['berakhlak', 'berakhlak-culture-map', 'socio-emotional-levels'\]"):
        al.load_questionnaire("nope")


def test_a_file_that_is_not_json_is_refused_with_its_position(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"id": ', encoding="utf-8")
    with pytest.raises(al.SchemaError, match=r"broken.json is not valid JSON: .* line 1"):
        al.load_questionnaire(str(path))


def test_every_schema_violation_is_reported_with_its_json_path(sel):
    doc = copy.deepcopy(dict(sel.document))
    doc["items"][2]["type"] = "slider"
    doc["version"] = 3
    doc["languages"] = ["indonesian"]
    with pytest.raises(al.SchemaError) as err:
        questionnaire_from_dict(doc, source="q.json")
    paths = {p.path for p in err.value.problems}
    assert {"$.version", "$.languages[0]", "$.items[2]"} <= paths
    assert all(p.file == "q.json" for p in err.value.problems)


def test_inconsistencies_are_all_reported(sel):
    doc = copy.deepcopy(dict(sel.document))
    doc["items"][1]["id"] = doc["items"][0]["id"]
    doc["items"][3]["scales"] = ["no-such-scale"]
    doc["items"][4]["format"] = "agree7"
    del doc["items"][5]["text"]["en"]
    doc["default_model"]["likert"]["thresholds"] = [-1.0, -0.5]
    with pytest.raises(al.QuestionnaireError) as err:
        questionnaire_from_dict(doc)
    text = str(err.value)
    for expected in (
        "$.items[1].id: duplicate item id",
        "$.items[3].scales: unknown scale (got 'no-such-scale')",
        "$.items[4].format: unknown response format (got 'agree7')",
        "$.items[5].text: text lacks the language(s) ['en']",
        "the GGUM prior has 2 thresholds",
    ):
        assert expected in text


def test_items_and_scales_are_looked_up_by_id(sel):
    assert sel.item("SJ01").type == "choice"
    assert sel.scale("intra-dependent").level == 4
    with pytest.raises(KeyError, match="no item 'XX'"):
        sel.item("XX")
