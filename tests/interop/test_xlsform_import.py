"""An agency's own instrument as an XLSForm: load_questionnaire reads it (with the akhlak::
columns for what XLSForm does not carry), and a bundled instrument survives the round trip."""

from __future__ import annotations


import numpy as np
import pytest

from akhlak_levels import QuestionnaireError, assess, load_questionnaire, read_responses
from akhlak_levels.interop import to_xlsform

openpyxl = pytest.importorskip("openpyxl")


@pytest.mark.parametrize("qid", ["berakhlak", "socio-emotional-levels"])
def test_a_bundled_instrument_comes_back_from_its_xlsform_as_the_same_instrument(tmp_path, qid):
    q = load_questionnaire(qid)
    back = load_questionnaire(to_xlsform(q, tmp_path / "form.xlsx"))
    assert back.content_hash == q.content_hash and (back.id, back.version) == (q.id, q.version)
    assert [it.text for it in back.items] == [dict(it.text) for it in q.items]
    assert [it.option_labels("en") for it in back.items] == [it.option_labels("en") for it in q.items]
    assert [(s.id, dict(s.name), s.level, s.item_ids, s.keys) for s in back.scales] == [
        (s.id, dict(s.name), s.level, s.item_ids, s.keys) for s in q.scales]
    # and scores the same answers the same way (scale scores; levels need a model)
    rng = np.random.default_rng(1)
    codes = rng.integers(0, q.n_options, size=(50, q.n_items))
    records = [dict(zip(q.item_ids, (row + 1).tolist())) for row in codes]
    a, b = assess(q, read_responses(records, q)), assess(back, read_responses(records, back))
    np.testing.assert_allclose(a.scale_scores, b.scale_scores, rtol=0, atol=0)


def _agency_form(path, *, survey_extra=(), choices_extra=()):
    """A form as an agency would write it in KoBo: groups, a note, its own unit and gender
    questions, Likert choices named by words, an item keyed against its direction in one scale."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "survey"
    ws.append(["type", "name", "label::Indonesian (id)", "label::English (en)", "required",
               "akhlak::scale", "akhlak::reverse", "akhlak::level"])
    rows = [
        ["begin_group", "intro", "Pembuka", "Opening", "", "", "", ""],
        ["note", "welcome", "Selamat datang", "Welcome", "", "", "", ""],
        ["select_one units", "unit", "Unit kerja", "Work unit", "yes", "", "", ""],
        ["select_one gender", "gender", "Jenis kelamin", "Gender", "", "", "", ""],
        ["end_group", "", "", "", "", "", "", ""],
        ["begin_group", "grp_a", "Bagian A", "Part A", "", "", "", ""],
        ["select_one setuju", "Q1", "Saya suka bekerja sama.", "I like working together.", "yes", "kerja-sama", "", "3"],
        ["select_one setuju", "Q2", "Saya lebih suka bekerja sendiri.", "I prefer working alone.", "yes",
         "kerja-sama mandiri:+1", "yes", "2"],
        ["select_one setuju", "Q3", "Saya mengambil keputusan sendiri.", "I take decisions myself.", "yes", "mandiri", "", "4"],
        ["end_group", "", "", "", "", "", "", ""],
        *survey_extra,
    ]
    for r in rows:
        ws.append(r)
    ch = wb.create_sheet("choices")
    ch.append(["list_name", "name", "label::Indonesian (id)", "label::English (en)"])
    for r in [["units", "biro_umum", "Biro Umum", "General Bureau"], ["units", "biro_sdm", "Biro SDM", "HR Bureau"],
              ["gender", "l", "Laki-laki", "Male"], ["gender", "p", "Perempuan", "Female"],
              ["setuju", "sts", "Sangat tidak setuju", "Strongly disagree"], ["setuju", "ts", "Tidak setuju", "Disagree"],
              ["setuju", "n", "Netral", "Neutral"], ["setuju", "s", "Setuju", "Agree"],
              ["setuju", "ss", "Sangat setuju", "Strongly agree"], *choices_extra]:
        ch.append(r)
    st = wb.create_sheet("settings")
    st.append(["form_title", "form_id", "version", "default_language"])
    st.append(["Budaya Kerja Biro", "budaya-biro", "2025.1", "Indonesian (id)"])
    sc = wb.create_sheet("akhlak_scales")
    sc.append(["name", "label::Indonesian (id)", "label::English (en)", "akhlak::level"])
    sc.append(["kerja-sama", "Kerja sama", "Working together", "3"])
    sc.append(["mandiri", "Mandiri", "Independence", "4"])
    wb.save(path)
    return path


def test_an_agency_xlsform_is_loaded_and_answers_with_its_choice_names_read_and_scored(tmp_path):
    q = load_questionnaire(_agency_form(tmp_path / "agency.xlsx"))
    assert (q.id, q.version, q.languages, q.item_ids) == ("budaya-biro", "2025.1", ("id", "en"), ("Q1", "Q2", "Q3"))
    assert q.item("Q2").reverse and q.item("Q1").level == 3 and q.items[0].option_labels("en")[4] == "Strongly agree"
    together, alone = q.scales
    assert (together.id, together.item_ids, together.keys, together.level) == ("kerja-sama", ("Q1", "Q2"), (1, -1), 3)
    assert (alone.id, alone.item_ids, alone.keys) == ("mandiri", ("Q2", "Q3"), (1, 1))  # Q2 keyed +1 here
    # answers as KoBo exports them with XML values: choice names (the words of the agency's list)
    names = ["sts", "ts", "n", "s", "ss"]
    rows = [["biro_umum", "p", "ss", "sts", "s"], ["biro_sdm", "l", "n", "", "ts"]]
    records = [{"unit": r[0], "Q1": r[2], "Q2": r[3] or None, "Q3": r[4]} for r in rows]
    rs = read_responses(records, q, missing_items="missing")
    assert rs.codes.tolist() == [[names.index("ss"), names.index("sts"), names.index("s")],
                                 [names.index("n"), -1, names.index("ts")]]
    a = assess(q, rs)
    # person 1: Q1 = 5, Q2 = 1 reversed in kerja-sama (5) -> 100; in mandiri Q2 counts as 1 -> (0 + 75) / 2
    np.testing.assert_allclose(a.scale_scores[0], [100.0, 37.5])


def _problems(tmp_path, **extra):
    with pytest.raises(QuestionnaireError) as err:
        load_questionnaire(_agency_form(tmp_path / "bad.xlsx", **extra))
    return err.value


def test_what_cannot_be_read_is_refused_naming_the_file_row_question_and_value(tmp_path):
    err = _problems(tmp_path, survey_extra=[
        ["select_one setuju", "Q4", "a", "b", "", "mandiri", "maybe", ""],
        ["select_one setuju", "Q5", "a", "b", "", "mandiri", "", "7"],
        ["select_one nolist", "Q6", "a", "b", "", "mandiri", "", ""],
        ["select_one setuju", "Q7", "a", "b", "", "mandiri:-2", "", ""],
    ])
    file = str(tmp_path / "bad.xlsx")
    got = sorted((p.row, p.item, p.value, p.message) for p in err.problems)
    assert [g[:3] for g in got] == [(12, "Q4", "maybe"), (13, "Q5", "7"), (14, "Q6", "select_one nolist"), (15, "Q7", "mandiri:-2")]
    assert [g[3] for g in got] == [
        "akhlak::reverse must be yes or no",
        "akhlak::level must be a level from 1 to 5",
        "the question's choice list is missing or has fewer than 2 choices",
        "a key in akhlak::scale must be :+1 or :-1 (as 'neuroticism:-1')",
    ]
    assert all(p.file == file for p in err.problems)
    assert str(err).startswith(f"The XLSForm {file} cannot be read as a questionnaire (4 problems):")


def test_likert_choices_named_by_numbers_must_be_their_points(tmp_path):
    wb_path = tmp_path / "numbers.xlsx"
    _agency_form(wb_path)
    wb = openpyxl.load_workbook(wb_path)
    ch = wb["choices"]
    for row in ch.iter_rows(min_row=2):
        if row[0].value == "setuju":
            row[1].value = {"sts": "5", "ts": "4", "n": "3", "s": "2", "ss": "1"}[row[1].value]
    wb.save(wb_path)
    with pytest.raises(QuestionnaireError) as err:
        load_questionnaire(wb_path)
    assert [(p.row, p.value) for p in err.value.problems] == [(6, "5"), (7, "4"), (9, "2"), (10, "1")]
    assert "must be named by its point" in err.value.problems[0].message


def test_a_label_column_without_a_language_code_is_refused(tmp_path):
    path = tmp_path / "lang.xlsx"
    _agency_form(path)
    wb = openpyxl.load_workbook(path)
    wb["survey"]["C1"] = "label::Klingon"
    wb.save(path)
    with pytest.raises(QuestionnaireError, match=r"must name its language code, as 'label::Indonesian \(id\)'"):
        load_questionnaire(path)


def test_a_file_that_is_no_workbook_is_refused_as_such(tmp_path):
    path = tmp_path / "fake.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(QuestionnaireError, match=r"is not a readable \.xlsx workbook"):
        load_questionnaire(path)


from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402

_TOKENS = st.sampled_from(["select_one setuju", "select_one", "select_multiple setuju", "begin_group", "note", "text",
                           "Q1", "Q2", "q-1", "1", "2", "7", "-1", "yes", "no", "maybe", "mandiri", "mandiri:-1",
                           "kerja-sama:+1", "x:y", "", "=1+1", "setuju", "sts", "label", "   ", "Ä", "0.5"])


@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(survey=st.lists(st.lists(_TOKENS, min_size=8, max_size=8), max_size=6),
       choices=st.lists(st.lists(_TOKENS, min_size=5, max_size=5), max_size=6))
def test_any_form_ends_in_a_questionnaire_or_the_librarys_own_error(tmp_path, survey, choices):
    """Fuzzing the instrument reader: whatever the cells, a questionnaire or a QuestionnaireError
    / SchemaError naming what is wrong, never another exception."""
    from akhlak_levels import SchemaError

    path = tmp_path / "fuzz.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "survey"
    ws.append(["type", "name", "label::Indonesian (id)", "label::English (en)", "required", "akhlak::scale",
               "akhlak::reverse", "akhlak::level"])
    for r in survey:
        ws.append(r)
    ch = wb.create_sheet("choices")
    ch.append(["list_name", "name", "label::Indonesian (id)", "label::English (en)", "akhlak_level"])
    for r in choices:
        ch.append(r)
    wb.save(path)
    try:
        q = load_questionnaire(path)
    except (QuestionnaireError, SchemaError) as err:
        assert str(err)
    else:
        assert q.n_items >= 1 and all(it.n_options >= 2 for it in q.items)


def test_an_item_keyed_differently_in_two_scales_survives_the_xlsform_round_trip(tmp_path):
    """EPI's item V11 is + in Neuroticism and - in Sociability (psych's epi.keys): the XLSForm
    says so with 'Soc:-1' in akhlak::scale, and loads back as the same instrument."""
    from pathlib import Path

    q = load_questionnaire(Path(__file__).resolve().parents[1] / "data" / "epi-questionnaire.json")
    mixed = [(s.id, it) for s in q.scales for it, k in zip(s.item_ids, s.keys) if (k == -1) != q.item(it).reverse]
    assert mixed, "the EPI questionnaire keys some item against its own direction in a scale"
    path = to_xlsform(q, tmp_path / "epi.xlsx", consent=False, unit=False)
    wb = openpyxl.load_workbook(path)
    header = [c.value for c in wb["survey"][1]]
    cells = {row[header.index("name")]: row[header.index("akhlak::scale")] for row in wb["survey"].iter_rows(min_row=2, values_only=True)}
    sid, item = mixed[0]
    assert f"{sid}:{q.scale(sid).key(item):+d}" in cells[item].split()
    back = load_questionnaire(path)
    assert back.content_hash == q.content_hash
    assert [(s.id, s.item_ids, s.keys) for s in back.scales] == [(s.id, s.item_ids, s.keys) for s in q.scales]
