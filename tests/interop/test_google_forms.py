"""The Google Apps Script, run under node against a stand-in for Google's FormApp that records
the form it builds (Google's service cannot be called offline), and a CSV export written as
Google writes it (titles as headers, labels as answers, ticked boxes joined by ", ") read back."""

from __future__ import annotations

import csv

import numpy as np
import pytest

from akhlak_levels import QuestionnaireError, load_questionnaire, read_responses, read_votes, simulate
from akhlak_levels.interop import export_form, google_apps_script
from akhlak_levels.model import simulate_votes

from form_tools import run_node  # tests/ has no __init__: pytest puts this folder on sys.path


def _built(tmp_path, q, **options):
    path = export_form(q, tmp_path / "form.gs", **options)
    return run_node("gforms_mock.js", path)["form"]


@pytest.mark.parametrize("lang", ["id", "en"])
def test_the_script_builds_the_form_with_the_exact_titles_choices_and_rules(tmp_path, lang):
    q = load_questionnaire("socio-emotional-levels")
    form = _built(tmp_path, q, languages=lang, units=["Biro Umum", "Biro SDM"])
    assert form["title"] == q.title[lang] and form["collectEmail"] is False
    consent, unit, *items = form["items"]
    assert consent["kind"] == "checkbox" and consent["required"] is True and len(consent["choices"]) == 1
    assert (unit["kind"], unit["choices"], unit["required"]) == ("list", ["Biro Umum", "Biro SDM"], True)
    assert [i["title"] for i in items] == [it.text[lang] for it in q.items]
    assert [i["choices"] for i in items] == [list(it.option_labels(lang)) for it in q.items]
    assert all(i["kind"] == "multipleChoice" and i["required"] is True for i in items)


def test_the_vote_questions_are_checkboxes_with_the_pick_count_as_their_validation(tmp_path):
    q = load_questionnaire("berakhlak-culture-map")
    form = _built(tmp_path, q, consent=False, unit=False, respondent_id=True)
    nip, *votes = form["items"]
    assert nip["validation"] == {"kind": "text", "rules": [["pattern", "[0-9]{18}"]]}
    for item, vq in zip(votes, q.vote_questions):
        assert item["kind"] == "checkbox" and item["title"] == vq.text["id"]
        assert item["choices"] == [q.behaviour(b).label["id"] for b in vq.behaviour_ids]
        assert item["validation"] == {"kind": "checkbox", "rules": [["exactly", vq.min_picks]]}


def _google_csv(path, header, rows):
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)


def test_a_google_export_of_the_likert_form_reads_back_with_no_mapping(tmp_path):
    q = load_questionnaire("socio-emotional-levels")
    form = _built(tmp_path, q, units=["Biro Umum", "Biro SDM"])
    rs, _ = simulate(q, 120, random_state=8)
    header = ["Timestamp"] + [i["title"] for i in form["items"]]
    rows = []
    for i, codes in enumerate(rs.codes.tolist()):
        labels = [item["choices"][c] for item, c in zip(form["items"][2:], codes)]
        rows.append([f"2024/03/{1 + i % 28:02d} 09:15:00", "Saya setuju", ["Biro Umum", "Biro SDM"][i % 2], *labels])
    _google_csv(tmp_path / "export.csv", header, rows)
    back = read_responses(tmp_path / "export.csv", q, unit_column="Unit kerja", ignore_columns=[form["items"][0]["title"]])
    np.testing.assert_array_equal(back.codes, rs.codes)
    assert back.unit.tolist() == [["Biro Umum", "Biro SDM"][i % 2] for i in range(120)]


def test_a_google_export_of_the_vote_form_reads_back_with_no_mapping(tmp_path):
    q = load_questionnaire("berakhlak-culture-map")
    form = _built(tmp_path, q, consent=False, unit=False)
    votes, _ = simulate_votes(q, 150, random_state=9)
    labels = [b.label["id"] for b in q.behaviours]
    header = ["Timestamp"] + [i["title"] for i in form["items"]]
    rows = [["2024/03/20 09:15:00", *(", ".join(labels[p] for p in picks if p >= 0) for picks in row)]
            for row in votes.picks.tolist()]
    _google_csv(tmp_path / "votes.csv", header, rows)
    back = read_votes(tmp_path / "votes.csv", q)
    np.testing.assert_array_equal(back.picks, votes.picks)


def test_a_label_google_would_split_is_refused_naming_the_behaviour():
    import copy

    from akhlak_levels.questionnaire import questionnaire_from_dict

    doc = copy.deepcopy(dict(load_questionnaire("berakhlak-culture-map").document))
    doc["behaviours"][0]["label"]["id"] = "patuh, taat"
    q = questionnaire_from_dict(doc)
    with pytest.raises(QuestionnaireError, match="cannot be made a Google Form exactly") as err:
        google_apps_script(q)
    assert [(p.item, p.value) for p in err.value.problems] == [(doc["behaviours"][0]["id"], "patuh, taat")]
    google_apps_script(q, language="en")  # the English labels are fine
