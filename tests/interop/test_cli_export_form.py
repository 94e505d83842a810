"""``akhlak-levels export-form`` writes each format, and says what it cannot do with exit 2."""

from __future__ import annotations

import json

import pytest

from akhlak_levels.cli import main


def _run(argv, capsys):
    code = main(argv)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_each_format_is_written_from_the_suffix_or_to(tmp_path, capsys):
    openpyxl = pytest.importorskip("openpyxl")
    code, out, _ = _run(["export-form", "berakhlak", "-o", str(tmp_path / "f.xlsx"), "--unit", "Biro Umum",
                         "--unit", "Biro SDM", "--lang", "id"], capsys)
    assert code == 0 and out.startswith(f"wrote {tmp_path / 'f.xlsx'} (berakhlak 1.0.0, 42 items")
    wb = openpyxl.load_workbook(tmp_path / "f.xlsx")
    assert wb.sheetnames == ["survey", "choices", "settings", "akhlak_scales"]
    header = [c.value for c in wb["survey"][1]]
    assert "label::Indonesian (id)" in header and "label::English (en)" not in header
    units = [r[1] for r in wb["choices"].iter_rows(min_row=2, values_only=True) if r[0] == "units"]
    assert units == ["Biro Umum", "Biro SDM"]

    code, _, _ = _run(["export-form", "berakhlak-culture-map", "--to", "surveyjs", "--lang", "en", "--lang", "id",
                       "--no-consent", "--no-unit", "-o", str(tmp_path / "s.json")], capsys)
    survey = json.loads((tmp_path / "s.json").read_text("utf-8"))
    assert code == 0 and survey["locale"] == "en" and [p["name"] for p in survey["pages"]] == [
        "personal_page", "current_page", "desired_page"]

    code, _, _ = _run(["export-form", "berakhlak", "--to", "fhir", "--respondent-id", "--optional",
                       "-o", str(tmp_path / "q.json")], capsys)
    fhir = json.loads((tmp_path / "q.json").read_text("utf-8"))
    assert code == 0 and fhir["resourceType"] == "Questionnaire"
    assert [i["linkId"] for i in fhir["item"][:3]] == ["consent", "unit", "respondent_id"]
    assert all(i["required"] is False for i in fhir["item"][3:])

    code, _, _ = _run(["export-form", "berakhlak", "--lang", "en", "-o", str(tmp_path / "g.gs")], capsys)
    assert code == 0 and "FormApp.create(\"BerAKHLAK" in (tmp_path / "g.gs").read_text("utf-8")


def test_a_json_file_without_to_is_a_usage_error_naming_the_flag(tmp_path, capsys):
    code, out, err = _run(["export-form", "berakhlak", "-o", str(tmp_path / "f.json")], capsys)
    assert code == 2 and out == ""
    assert err.strip() == (f"akhlak-levels export-form: error: cannot tell the form's format from "
                           f"{str(tmp_path / 'f.json')!r}: give --to (xlsform, surveyjs, fhir, google-apps-script); "
                           ".xlsx is an XLSForm and .gs a Google Apps Script by default")
    assert not (tmp_path / "f.json").exists()


def test_units_with_no_unit_question_is_refused(tmp_path, capsys):
    code, _, err = _run(["export-form", "berakhlak", "--no-unit", "--unit", "A", "-o", str(tmp_path / "f.xlsx")], capsys)
    assert code == 2 and err.strip() == ("akhlak-levels export-form: error: --unit offers units in the unit question, "
                                         "which --no-unit leaves out: give one or the other")
    assert not (tmp_path / "f.xlsx").exists()
