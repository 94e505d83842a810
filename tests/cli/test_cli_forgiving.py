"""Forgiving input and Excel output on the command line (issue 13, item 4), end to end:
``--labels MAP.json``, ``--dayfirst``/``--monthfirst``, headers typed loosely, Excel's ids, and
``--excel`` / ``-o OUT.xlsx`` read back with pyarrow and openpyxl."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import numpy as np
import pyarrow.csv as pa_csv
import pytest

import akhlak_levels as al
from akhlak_levels.cli import main

OTHER_SCALE = ["Sangat Tidak Setuju", "Tidak Setuju", "Ragu-ragu", "Setuju", "Sangat Setuju"]


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    code = main([str(a) for a in args], stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def sel():
    return al.load_questionnaire("socio-emotional-levels")


@pytest.fixture(scope="module")
def export(tmp_path_factory, sel):
    """A Google-Forms-like export: questions typed without their full stop and in capitals, the
    answers in another label set, US dates, a unit that looks like a formula."""
    rs, _ = al.simulate(sel, 12, random_state=3)
    folder = tmp_path_factory.mktemp("forgiving")
    header = ["Timestamp", "respondent_id", "Unit Kerja", "date",
              *(it.text["id"].rstrip(".").upper() for it in sel.items)]
    rows = [header]
    for r in range(len(rs)):
        date = f"{1 + r % 12:02d}/{13 + r % 15:02d}/2024"  # month first, a day above 12 in each
        unit = "=1+1" if r == 0 else ("Bagian Umum" if r % 2 else "Keuangan")
        rows.append(["2024-03-01 10:00", f"R{r:02d}", unit, date, *(OTHER_SCALE[c] for c in rs.codes[r])])
    path = folder / "ekspor.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    labels = folder / "label.json"
    labels.write_text(json.dumps({"labels": {lab: k for k, lab in enumerate(OTHER_SCALE, 1)}}), encoding="utf-8")
    return path, labels, rs


def test_the_labels_option_reads_another_label_set_and_without_it_the_cells_are_refused(export, sel):
    path, labels, _ = export
    code, _, err = run("validate", path, "-q", sel.id, "--unit-column", "Unit Kerja")
    assert code == 3 and "cannot be read as answers to 'socio-emotional-levels'" in err
    j = next(k for k, it in enumerate(sel.items) if it.type == "choice")  # its labels are not the agree scale
    value = OTHER_SCALE[export[2].codes[0, j]]
    assert (f"  - file {path}, row 2, respondent 'R00', item '{sel.items[j].id}': expected an option number 1-5, "
            f"a letter a-e or an option's text (got '{value}')\n") in err

    code, out, err = run("validate", path, "-q", sel.id, "--unit-column", "Unit Kerja",
                         "--labels", labels)
    assert (code, err) == (0, "")
    assert "respondents: 12" in out and "answers missing: 0.0%" in out


def test_the_score_with_a_label_map_equals_the_score_of_the_coded_answers(export, sel, tmp_path):
    path, labels, rs = export
    code, _, err = run("score", path, "-q", sel.id, "--unit-column", "Unit Kerja", "--labels", labels,
                       "-o", tmp_path / "s.csv", "--quiet")
    assert (code, err) == (0, "")
    table = pa_csv.read_csv(tmp_path / "s.csv")
    want = al.assess(sel, rs)
    np.testing.assert_allclose(table["expected_level"].to_numpy(), np.round(want.expected_level, 6), atol=1e-12)
    assert table["respondent_id"].to_pylist() == [f"R{r:02d}" for r in range(12)]


def test_dates_month_first_are_told_by_the_column_and_ambiguous_ones_need_an_option(export, sel, tmp_path, capsys):
    path, labels, _ = export
    common = ("-q", sel.id, "--unit-column", "Unit Kerja", "--labels", labels, "--quiet")
    code, out, _ = run("score", path, *common)
    assert code == 0 and ',"2024-01-13",' in out.splitlines()[1]
    code, _, err = run("score", path, *common, "--dayfirst")  # 01/13/2024 is no date day first
    assert code == 3 and "column 'date': expected a date like 2023-10-13 or 13/10/2023 (got '01/13/2024')" in err

    ambiguous = tmp_path / "ambigu.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    ambiguous.write_text("\n".join([lines[0], *(ln.replace("/13/", "/03/", 1) for ln in lines[1:2])]) + "\n",
                         encoding="utf-8")
    code, _, err = run("validate", ambiguous, *common[:-1])
    assert code == 3
    assert ("the order of day and month cannot be told: every date could be read day first or month first "
            "(no day above 12; 1 such dates); ") in err
    assert "--dayfirst" in err and "--monthfirst" in err and "(got '01/03/2024')" in err
    for flag, day in (("--dayfirst", "2024-03-01"), ("--monthfirst", "2024-01-03")):
        code, out, _ = run("score", ambiguous, *common, flag)
        assert code == 0 and f',"{day}",' in out.splitlines()[1]
    capsys.readouterr()
    code, _, _ = run("validate", ambiguous, *common, "--dayfirst", "--monthfirst")
    assert code == 2 and "argument --monthfirst: not allowed with argument --dayfirst" in capsys.readouterr().err


def test_a_mistyped_question_is_answered_with_did_you_mean(tmp_path, sel):
    header = ["respondent_id", *(it.text["en"] for it in sel.items)]
    header[5] = header[5].replace("I ", "Ii ", 1)
    path = tmp_path / "typo.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([header, ["A", *["3"] * sel.n_items]])
    code, _, err = run("validate", path, "-q", sel.id)
    assert code == 3
    it = sel.items[4]
    assert f"did you mean '{it.id}: {it.text['en'][:67].rstrip()}" in err


def test_ids_excel_mangled_get_the_hint_on_the_command_line(tmp_path, sel):
    path = tmp_path / "nip.csv"
    rows = [["NIP", *sel.item_ids]] + [[nip, *["2"] * sel.n_items] for nip in ("1,97107E+17", "1,98502E+17")]
    with open(path, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, delimiter=";").writerows(rows)
    code, _, err = run("validate", path, "-q", sel.id, "--id-column", "NIP")
    assert code == 3
    assert "look like numbers Excel wrote in scientific notation (2 of 2 rows)" in err and "Format Cells > Text" in err


def test_label_map_errors_name_the_json_path_and_exit_3(export, sel, tmp_path):
    path, _, _ = export
    bad = tmp_path / "salah.json"
    bad.write_text(json.dumps({"labels": {"Setuju": 0}}), encoding="utf-8")
    code, _, err = run("validate", path, "-q", sel.id, "--labels", bad)
    assert code == 3 and f"file {bad}, at $.labels.Setuju: expected an option code" in err
    code, _, err = run("calibrate", path, "-q", sel.id, "--label-map", tmp_path / "tidak-ada.json", "-o", tmp_path / "m.json")
    assert code == 3 and "No label map file at" in err


# =========================================================================== Excel output


def _plain_and_excel(export, sel, tmp_path, *extra):
    path, labels, _ = export
    args = ("score", path, "-q", sel.id, "--unit-column", "Unit Kerja", "--labels", labels, "--quiet", *extra)
    assert run(*args, "-o", tmp_path / "plain.csv")[0] == 0
    assert run(*args, "--excel", "-o", tmp_path / "excel.csv")[0] == 0
    return tmp_path / "plain.csv", tmp_path / "excel.csv"


def test_excel_csv_is_semicolon_delimited_utf8_with_bom_and_decimal_comma(export, sel, tmp_path):
    plain, excel = _plain_and_excel(export, sel, tmp_path)
    raw = excel.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfrespondent_id;unit;")
    want = pa_csv.read_csv(plain)
    got = pa_csv.read_csv(excel, parse_options=pa_csv.ParseOptions(delimiter=";"),
                          convert_options=pa_csv.ConvertOptions(decimal_point=","))
    assert got.column_names == want.column_names
    for name in want.column_names:
        assert got[name].to_pylist() == want[name].to_pylist(), name
    assert got["unit"][0].as_py() == "'=1+1"  # still neutralised
    assert b"0.0" not in raw.split(b"\n", 1)[1]  # no decimal point left in the numbers


def test_excel_records_csv_of_quality(export, sel, tmp_path):
    path, labels, _ = export
    code, _, _ = run("quality", path, "-q", sel.id, "--unit-column", "Unit Kerja", "--labels", labels, "--excel",
                     "-o", tmp_path / "mutu.csv")
    assert code == 0
    raw = (tmp_path / "mutu-reliability.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfscale;")
    table = pa_csv.read_csv(tmp_path / "mutu-reliability.csv", parse_options=pa_csv.ParseOptions(delimiter=";"),
                            convert_options=pa_csv.ConvertOptions(decimal_point=","))
    alpha = table["alpha"].to_pylist()
    assert all(isinstance(a, float) and -1 <= a <= 1 for a in alpha if a is not None)


def test_an_xlsx_output_holds_the_same_scores(export, sel, tmp_path):
    from openpyxl import load_workbook

    plain, _ = _plain_and_excel(export, sel, tmp_path)
    path, labels, _ = export
    code, _, err = run("score", path, "-q", sel.id, "--unit-column", "Unit Kerja", "--labels", labels, "--quiet",
                       "--batch-size", "5", "-o", tmp_path / "skor.xlsx")
    assert (code, err) == (0, "")
    ws = load_workbook(tmp_path / "skor.xlsx")["scores"]
    rows = list(ws.iter_rows(values_only=True))
    want = pa_csv.read_csv(plain)
    assert list(rows[0]) == want.column_names and len(rows) == 13
    col = {n: j for j, n in enumerate(rows[0])}
    np.testing.assert_allclose([r[col["expected_level"]] for r in rows[1:]], want["expected_level"].to_numpy(), atol=1e-6)
    assert [r[col["level"]] for r in rows[1:]] == want["level"].to_pylist()
    assert rows[1][col["unit"]] == "'=1+1"
    assert ws.cell(row=2, column=col["unit"] + 1).data_type == "s"


def test_tables_as_a_workbook(export, sel, tmp_path):
    from openpyxl import load_workbook

    path, labels, _ = export
    assert run("quality", path, "-q", sel.id, "--unit-column", "Unit Kerja", "--labels", labels,
               "-o", tmp_path / "mutu.xlsx")[0] == 0
    wb = load_workbook(tmp_path / "mutu.xlsx")
    assert wb.sheetnames == ["reliability", "items", "careless"]
    assert wb["reliability"]["A1"].value == "scale"


def test_the_options_of_items_are_refused_for_a_vote_instrument_by_report_too(tmp_path):
    """``report`` on a vote export with --labels or --dayfirst: exit 2 naming the flag (was a
    TypeError traceback: read_votes has no label map)."""
    import io

    from akhlak_levels.cli import main

    votes = str(Path(__file__).resolve().parents[2] / "questionnaires/examples/berakhlak-culture-map-google-forms.csv")
    (tmp_path / "map.json").write_text('{"labels": {}}', encoding="utf-8")
    for flag in (["--labels", str(tmp_path / "map.json")], ["--dayfirst"]):
        err = io.StringIO()
        code = main(["report", votes, "-q", "berakhlak-culture-map", "--unit-column", "Unit Kerja", *flag,
                     "-o", str(tmp_path / "r.html")], stdout=io.StringIO(), stderr=err)
        assert code == 2, err.getvalue()
        assert err.getvalue().strip() == (f"akhlak-levels report: error: {flag[0] if flag[0] == '--labels' else '--dayfirst/--monthfirst'} "
                                          "is for questionnaires of items; 'berakhlak-culture-map' is a vote instrument")
        assert not (tmp_path / "r.html").exists()
