"""The vote instrument as data (issue 11, item 1): behaviours and multi-select vote questions in
the questionnaire format, their loader checks, the content hash, and the bundled
``berakhlak-culture-map``."""

import copy
import io
import json
from pathlib import Path

import pytest

import akhlak_levels as al
from akhlak_levels import _schema
from akhlak_levels._votes import AREAS, BERAKHLAK_INDICATORS, BERAKHLAK_VALUES
from akhlak_levels.cli._main import main
from akhlak_levels.questionnaire import questionnaire_from_dict

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).parent / "data" / "schemas"

#: The content hashes of the existing instruments before vote instruments existed (computed on
#: commit 3dbb3d9): adding behaviours to the format must not move them, or every saved model
#: would stop matching its questionnaire.
HASHES_BEFORE = {
    "berakhlak": "sha256:bfd4d4bf5219f6419e99bb77b17b4fcaa4776e88c1cda8d6e52cfa175af537ea",
    "socio-emotional-levels": "sha256:7d619aa840961b4a449c873f726defa1f245ab07208d1252c75b40beb9151186",
    "questionnaire.valid.json": "sha256:734f7ff855a2f25705a99c7a04971ce157c37857c516517b591164cb9a388744",
}


@pytest.fixture(scope="module")
def cm():
    return al.load_questionnaire("berakhlak-culture-map")


def _tiny():
    return json.loads((DATA / "questionnaire-votes.valid.json").read_text(encoding="utf-8"))


def _problems(doc):
    with pytest.raises(al.QuestionnaireError) as err:
        questionnaire_from_dict(doc, source="v.json")
    assert all(p.file == "v.json" for p in err.value.problems)
    return [(p.path, p.message) for p in err.value.problems]


# --------------------------------------------------------------------------- the bundled list


def test_the_culture_map_is_bundled_with_three_questions_of_ten_picks_over_74_behaviours(cm):
    assert "berakhlak-culture-map" in al.list_questionnaires()
    assert cm.n_items == 0 and cm.items == () and cm.default_model is None
    assert len(cm.behaviours) == 74 and len(set(cm.behaviour_ids)) == 74
    assert [(q.id, q.role, q.min_picks, q.max_picks) for q in cm.vote_questions] == [
        ("personal", "personal", 10, 10), ("current", "current", 10, 10), ("desired", "desired", 10, 10)
    ]
    for q in cm.vote_questions:
        assert q.exact and q.behaviour_ids == cm.behaviour_ids  # every question offers the whole list
        assert set(q.text) == {"id", "en"} and "10" in q.text["id"] and "10" in q.text["en"]
    assert cm.vote_question("personal").text["id"] == "Pilih 10 perilaku yang paling menggambarkan diri Anda."
    assert [s.id for s in cm.scales] == list(BERAKHLAK_VALUES)


def test_every_official_indicator_is_expressed_by_a_positive_behaviour_of_its_value(cm, berakhlak):
    official = {ind_id: s.id for s in berakhlak.scales for ind_id, _ in s.indicators}
    assert official == BERAKHLAK_INDICATORS and len(official) == 21
    covered = {b.indicator for b in cm.behaviours if b.indicator}
    assert covered == set(official)
    for b in cm.behaviours:
        if b.indicator:
            assert b.value == official[b.indicator] and b.polarity == "positive", b.id
    # the behaviours the 2022 reports name, in their reported words
    assert cm.behaviour("bertanggung-jawab").label["id"] == "bertanggung jawab"
    assert cm.behaviour("siap-menghadapi-perubahan").label["id"] == "siap menghadapi perubahan"


def test_limiting_behaviours_are_at_least_15_at_levels_1_to_3_and_include_the_reported_ones(cm):
    limiting = [b for b in cm.behaviours if b.limiting]
    assert len(limiting) >= 15
    assert {b.level for b in limiting} == {1, 2, 3}
    assert all(b.value is None and b.indicator is None for b in limiting)
    labels = {b.label["id"] for b in limiting}
    assert {
        "berhati-hati berlebihan", "menghindari risiko", "kepemimpinan yang kurang efektif",
        "pasif terhadap perubahan", "mengontrol",  # hindering factors reported in the news
        "birokratis", "menyalahkan", "kerja silo", "hierarkis", "menunggu perintah",
    } <= labels


def test_positive_behaviours_are_at_every_level_and_every_key_is_from_its_list(cm):
    positive = [b for b in cm.behaviours if not b.limiting]
    assert {b.level for b in positive} == {1, 2, 3, 4, 5}
    assert all(b.polarity in ("positive", "limiting") for b in cm.behaviours)
    assert {b.area for b in cm.behaviours} == set(AREAS)
    assert {b.value for b in cm.behaviours} - {None} == set(BERAKHLAK_VALUES)
    assert all(b.note.get("en") for b in cm.behaviours)  # the reason of every keying is written down


@pytest.mark.parametrize("lang", ["id", "en"])
def test_labels_are_non_empty_and_unique_ignoring_case_and_spacing(cm, lang):
    labels = [" ".join(b.label[lang].split()).casefold() for b in cm.behaviours]
    assert all(labels) and len(set(labels)) == len(labels)
    assert all(b.label[lang] == b.label[lang].strip() for b in cm.behaviours)


def test_the_readme_lists_every_behaviour_with_its_keys(cm):
    readme = (ROOT / "questionnaires" / "README.md").read_text(encoding="utf-8")
    for b in cm.behaviours:
        row = f"| `{b.id}` | {b.label['id']} | {b.label['en']} | {b.level} | {b.polarity} | {b.value or '-'} | {b.area} |"
        assert row in readme, row


def test_existing_instruments_have_no_votes_and_keep_their_content_hash(sel, berakhlak):
    for q in (sel, berakhlak):
        assert q.behaviours == () and q.vote_questions == () and q.behaviour_ids == ()
        assert q.content_hash == HASHES_BEFORE[q.id]
    tiny = al.load_questionnaire(str(DATA / "questionnaire.valid.json"))
    assert tiny.content_hash == HASHES_BEFORE["questionnaire.valid.json"] and tiny.behaviours == ()


def test_lookups_name_what_is_missing(cm):
    assert cm.behaviour("menunggu-perintah").level == 1
    with pytest.raises(KeyError, match="Questionnaire 'berakhlak-culture-map' has no behaviour 'nope'"):
        cm.behaviour("nope")
    with pytest.raises(KeyError, match="Questionnaire 'berakhlak-culture-map' has no vote question 'ideal'"):
        cm.vote_question("ideal")


# --------------------------------------------------------------------------- schema


def test_the_vote_examples_follow_the_schema_and_the_valid_one_loads():
    q = al.load_questionnaire(str(DATA / "questionnaire-votes.valid.json"))
    assert q.behaviour_ids == ("jujur", "suka-menolong", "ikhlas", "menunggu-perintah")
    assert q.behaviour("jujur").indicator == "AK1" and q.behaviour("ikhlas").value is None
    personal, current = q.vote_questions
    assert (personal.min_picks, personal.max_picks, len(personal.behaviour_ids)) == (2, 2, 4)
    assert (current.min_picks, current.max_picks, current.behaviour_ids) == (1, 3, ("jujur", "suka-menolong", "menunggu-perintah"))
    assert not current.exact and q.n_items == 0 and q.scales == ()


def test_the_invalid_vote_example_is_rejected_at_every_path():
    doc = json.loads((DATA / "questionnaire-votes.invalid.json").read_text(encoding="utf-8"))
    with pytest.raises(al.SchemaError) as err:
        _schema.validate(doc, "questionnaire", source="bad.json")
    assert {p.path for p in err.value.problems} == {
        "$.behaviours[0].id", "$.behaviours[1].polarity", "$.behaviours[2]", "$.behaviours[2].area",
        "$.behaviours[2].level", "$.vote_questions[0].picks", "$.vote_questions[0].role",
        "$.vote_questions[1].behaviours", "$.vote_questions[1].picks",
    }


def test_a_questionnaire_needs_items_or_vote_questions_and_votes_need_behaviours():
    doc = _tiny()
    del doc["vote_questions"]
    with pytest.raises(al.SchemaError) as err:
        questionnaire_from_dict(doc)
    found = {(p.path, p.message) for p in err.value.problems}
    assert ("$", "'items' is a required property") in found
    assert ("$", "'vote_questions' is a dependency of 'behaviours'") in found
    doc = _tiny()
    del doc["behaviours"]
    with pytest.raises(al.SchemaError, match=r"'behaviours' is a dependency of 'vote_questions'"):
        questionnaire_from_dict(doc)


def test_items_and_vote_questions_live_together(sel):
    likert = json.loads((DATA / "questionnaire.valid.json").read_text(encoding="utf-8"))
    both = {**likert, "behaviours": _tiny()["behaviours"], "vote_questions": _tiny()["vote_questions"]}
    # the questionnaire has scales of its own ('s'), so a value must name one of them
    assert _problems(both)[0] == ("$.behaviours[0].value", "unknown value of behaviour 'jujur'; expected one of ['s']")
    for b in both["behaviours"]:
        b["value"] = "s" if b["polarity"] == "positive" else None
        b.pop("indicator", None)
    q = questionnaire_from_dict(both)
    assert q.item_ids == ("A1", "A2", "C1") and len(q.behaviours) == 4 and len(q.vote_questions) == 2
    assert q.behaviour("jujur").value == "s" and q.scale("s").item_ids == ("A1", "A2")
    assert q.content_hash != HASHES_BEFORE["questionnaire.valid.json"]


# --------------------------------------------------------------------------- loader checks


def test_a_limiting_behaviour_above_level_3_is_refused_naming_it():
    doc = _tiny()
    doc["behaviours"][3]["level"] = 4
    assert _problems(doc) == [
        ("$.behaviours[3].level", "the limiting behaviour 'menunggu-perintah' is keyed to level 4; limiting "
                                  "behaviours belong to levels 1-3 only")
    ]
    with pytest.raises(al.QuestionnaireError, match=r"at \$\.behaviours\[3\]\.level: the limiting behaviour 'menunggu-perintah'"):
        questionnaire_from_dict(doc)


@pytest.mark.parametrize(
    "change, expected",
    [
        (lambda d: d["behaviours"][1].update(id="jujur"), [  # and question 'current' still offers the old id
            ("$.behaviours[1].id", "duplicate behaviour id"),
            ("$.vote_questions[1].behaviours[1]", "question 'current' offers an unknown behaviour"),
        ]),
        (lambda d: d["vote_questions"][1].update(id="personal"), [("$.vote_questions[1].id", "duplicate vote question id")]),
        (lambda d: d["vote_questions"][1].update(role="personal"),
         [("$.vote_questions[1].role", "the role 'personal' is already that of question 'personal'; each role is asked once")]),
        (lambda d: d["vote_questions"][1]["behaviours"].append("malas"),
         [("$.vote_questions[1].behaviours[3]", "question 'current' offers an unknown behaviour")]),
        (lambda d: d["vote_questions"][0].update(picks=5), [("$.vote_questions[0].picks", "asks for 5 picks but offers only 4 behaviours")]),
        (lambda d: d["vote_questions"][1].update(picks={"min": 1, "max": 4}),
         [("$.vote_questions[1].picks", "asks for up to 4 picks but offers only 3 behaviours")]),
        (lambda d: d["vote_questions"][1].update(picks={"min": 3, "max": 2}), [("$.vote_questions[1].picks", "picks: min (3) is more than max (2)")]),
        (lambda d: d["behaviours"][2].update(value="integritas"),
         [("$.behaviours[2].value", f"unknown value of behaviour 'ikhlas'; expected one of {sorted(BERAKHLAK_VALUES)}")]),
        (lambda d: d["behaviours"][0].update(indicator="AK9"), [("$.behaviours[0].indicator", "unknown behaviour indicator of 'jujur'")]),
        (lambda d: d["behaviours"][0].update(indicator="HA2"),
         [("$.behaviours[0].value", "behaviour 'jujur' expresses the indicator 'HA2' of 'harmonis', so its value must be 'harmonis'")]),
        (lambda d: d["behaviours"][3].update(indicator="AK1"),
         [("$.behaviours[3].indicator", "the limiting behaviour 'menunggu-perintah' cannot express the indicator 'AK1'")]),
        (lambda d: d["behaviours"][1]["label"].pop("en"), [("$.behaviours[1].label", "text lacks the language(s) ['en'] that the questionnaire declares")]),
        (lambda d: d["vote_questions"][0]["text"].pop("id"), [("$.vote_questions[0].text", "text lacks the language(s) ['id'] that the questionnaire declares")]),
        (lambda d: d["behaviours"][2]["label"].update(en="  Honest "),
         [("$.behaviours[2].label.en", "the 'en' label of 'ikhlas' is also the label of 'jujur' (case and spacing ignored); votes are read by label, so labels must differ")]),
    ],
)
def test_each_loader_check_reports_its_path_and_message(change, expected):
    doc = _tiny()
    change(doc)
    assert _problems(doc) == expected


def test_values_and_indicators_are_checked_against_the_questionnaires_own_scales(berakhlak):
    doc = _tiny()
    doc["scales"] = [{"id": "integritas", "name": {"id": "Integritas", "en": "Integrity"},
                      "indicators": [{"id": "I1", "text": {"id": "Jujur", "en": "Honest"}}]}]
    doc["behaviours"][0].update(value="integritas", indicator="I1")
    doc["behaviours"][1]["value"] = None
    q = questionnaire_from_dict(doc)
    assert q.behaviour("jujur").value == "integritas"
    doc["behaviours"][1]["value"] = "harmonis"  # a BerAKHLAK value, but not a scale of this questionnaire
    doc["behaviours"][2]["indicator"] = "AK1"
    assert _problems(doc) == [
        ("$.behaviours[1].value", "unknown value of behaviour 'suka-menolong'; expected one of ['integritas']"),
        ("$.behaviours[2].indicator", "unknown behaviour indicator of 'ikhlas'"),
    ]


def test_every_problem_is_reported_together():
    doc = _tiny()
    doc["behaviours"][3]["level"] = 5
    doc["vote_questions"][1]["picks"] = {"min": 4, "max": 3}
    doc["behaviours"][1]["id"] = "jujur"
    with pytest.raises(al.QuestionnaireError) as err:
        questionnaire_from_dict(doc)
    assert err.value.total == 4  # duplicate id, limiting level, min > max, and the renamed behaviour is unknown to question 1
    assert str(err.value).startswith("The questionnaire 'tiny-votes' is inconsistent (4 problems):")


# --------------------------------------------------------------------------- content hash


def test_the_hash_ignores_labels_and_texts_but_not_keys(cm):
    doc = copy.deepcopy(dict(cm.document))
    doc["behaviours"][0]["label"]["en"] = "following the head's direction"
    doc["behaviours"][0]["note"] = {"en": "reworded"}
    doc["vote_questions"][0]["text"]["en"] = "Pick ten."
    assert questionnaire_from_dict(doc).content_hash == cm.content_hash
    changes = [
        lambda d: d["behaviours"][5].update(level=4),
        lambda d: d["behaviours"][60].update(level=3),
        lambda d: d["behaviours"][10].update(polarity="limiting"),
        lambda d: d["behaviours"][10].update(value="adaptif"),
        lambda d: d["behaviours"][10].update(area="growth" if d["behaviours"][10]["area"] != "growth" else "results"),
        lambda d: d["behaviours"][11].update(indicator="KO1", value="kompeten"),
        lambda d: d["behaviours"].insert(0, d["behaviours"].pop(1)),
        lambda d: d["vote_questions"][2].update(picks=9),
        lambda d: d["vote_questions"][2].update(picks={"min": 5, "max": 10}),
        lambda d: d["vote_questions"][2].update(behaviours=[b["id"] for b in d["behaviours"][:-1]]),
        lambda d: d["vote_questions"][2].update(role="personal") or d["vote_questions"][0].update(role="desired"),
    ]
    hashes = {cm.content_hash}
    for change in changes:
        doc = copy.deepcopy(dict(cm.document))
        change(doc)
        hashes.add(questionnaire_from_dict(doc).content_hash)
    assert len(hashes) == len(changes) + 1


# --------------------------------------------------------------------------- command line


@pytest.mark.parametrize("lang", ["id", "en"])
def test_show_prints_the_questions_and_the_behaviours_in_the_chosen_language(cm, lang):
    out, err = io.StringIO(), io.StringIO()
    assert main(["show", "berakhlak-culture-map", "--lang", lang], stdout=out, stderr=err) == 0, err.getvalue()
    text = out.getvalue()
    for q in cm.vote_questions:
        assert f"  {q.id} [{q.role}; pick 10 of 74] {q.text[lang]}" in text
    assert "Behaviours (74; 22 potentially limiting, marked !):" in text
    assert "  ! menunggu-perintah [level 1; no value; governance] " + cm.behaviour("menunggu-perintah").label[lang] in text
    assert "    bertanggung-jawab [level 4; akuntabel; governance; AK1] " + cm.behaviour("bertanggung-jawab").label[lang] in text
    assert "\nItems:" not in text
