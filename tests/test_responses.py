"""read_responses on real exports: every reader on good input, every kind of bad input, and properties.

Input files are built in ``tmp_path`` inside each test, the way the tools that produce them write
them (Google Forms, Microsoft Forms, Excel with Indonesian regional settings, JSON, pandas).
Good input is checked cell by cell (codes, ids, carried columns); bad input by the problems the
error lists (file, row, respondent, item, value), not only by its type.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from numpy.testing import assert_array_equal

import akhlak_levels as al
from akhlak_levels import MISSING, ResponseError, read_responses

# --------------------------------------------------------------------------- helpers


def _write_csv(path: Path, rows, *, delimiter=",", bom=False, encoding="utf-8") -> Path:
    """Write ``rows`` (lists of cells, header first) as a spreadsheet program would."""
    with open(path, "w", newline="", encoding="utf-8-sig" if bom else encoding) as fh:
        csv.writer(fh, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return path


def _codes_matrix(q: al.Questionnaire, n: int, seed: int) -> np.ndarray:
    """Answer values 1..k (as shown in the questionnaire), respondents x items."""
    rng = np.random.default_rng(seed)
    return rng.integers(1, q.n_options[None, :] + 1, size=(n, q.n_items))


def _records(q: al.Questionnaire, values: np.ndarray, ids=None) -> list[dict]:
    ids = [f"R{i + 1}" for i in range(len(values))] if ids is None else ids
    return [{"respondent_id": rid, **dict(zip(q.item_ids, map(int, row)))} for rid, row in zip(ids, values)]


def _label(q: al.Questionnaire, item: str, value: int, lang: str) -> str:
    return q.items[q.item_ids.index(item)].options[value - 1][lang]


def _raises(*args, **kwargs) -> ResponseError:
    with pytest.raises(ResponseError) as info:
        read_responses(*args, **kwargs)
    return info.value


def _where(problems) -> list[tuple]:
    """(row, respondent, item, value) of each problem, in order."""
    return [(p.row, p.respondent, p.item, p.value) for p in problems]


# =========================================================================== good input: CSV


def test_a_utf8_csv_of_codes_gives_every_code_in_item_order(tmp_path, berakhlak):
    values = _codes_matrix(berakhlak, 3, seed=1)
    header = ["respondent_id", "unit", *berakhlak.item_ids]
    rows = [header] + [[f"R{i + 1}", f"Unit {i}", *map(str, v)] for i, v in enumerate(values)]
    path = _write_csv(tmp_path / "codes.csv", rows)

    rs = read_responses(path, berakhlak)

    assert_array_equal(rs.codes, values - 1)
    assert rs.codes.dtype == np.int8
    assert_array_equal(rs.values, values.astype(float))
    assert rs.respondent_ids.tolist() == ["R1", "R2", "R3"]
    assert rs.unit.tolist() == ["Unit 0", "Unit 1", "Unit 2"]
    assert rs.wave is None and rs.date is None and dict(rs.groups) == {}
    assert rs.source == str(path)
    assert rs.ignored_columns == () and rs.skipped_rows == ()
    assert rs.flags.names == () and len(rs) == 3


def test_a_byte_order_mark_does_not_hide_the_first_header(tmp_path, berakhlak):
    values = _codes_matrix(berakhlak, 2, seed=2)
    rows = [["respondent_id", *berakhlak.item_ids]] + [[f"A{i}", *map(str, v)] for i, v in enumerate(values)]
    path = _write_csv(tmp_path / "bom.csv", rows, bom=True)
    assert path.read_bytes().startswith(b"\xef\xbb\xbfrespondent_id,")

    rs = read_responses(path, berakhlak)

    assert rs.respondent_ids.tolist() == ["A0", "A1"]
    assert_array_equal(rs.codes, values - 1)


def test_a_semicolon_csv_with_comma_decimals_from_indonesian_excel_is_read(tmp_path, berakhlak):
    values = _codes_matrix(berakhlak, 3, seed=3)
    header = ["respondent_id", "unit", *berakhlak.item_ids]
    rows = [header] + [[f"R{i}", "Bagian Umum", *(f"{v},0" for v in row)] for i, row in enumerate(values)]
    path = _write_csv(tmp_path / "excel-id.csv", rows, delimiter=";", bom=True)
    assert path.read_text(encoding="utf-8-sig").splitlines()[1].startswith(f"R0;Bagian Umum;{values[0, 0]},0;")

    rs = read_responses(path, berakhlak)

    assert_array_equal(rs.codes, values - 1)
    assert rs.respondent_ids.tolist() == ["R0", "R1", "R2"]
    assert rs.unit.tolist() == ["Bagian Umum"] * 3


def test_a_semicolon_csv_whose_question_texts_hold_commas_is_split_on_semicolons(tmp_path, berakhlak):
    # Regression: the delimiter was guessed by counting in the header alone, and these four
    # Indonesian question texts hold more commas than the header has semicolons.
    items = berakhlak.items[8:12]
    header = [it.text["id"] for it in items]
    assert sum(h.count(",") for h in header) > len(header) - 1
    path = _write_csv(tmp_path / "partial.csv", [header, ["4", "2", "5", "1"]], delimiter=";")

    rs = read_responses(path, berakhlak, missing_items="missing")

    expected = np.full((1, berakhlak.n_items), MISSING)
    expected[0, 8:12] = [3, 1, 4, 0]
    assert_array_equal(rs.codes, expected)


def test_a_tab_delimited_tsv_is_read(tmp_path, berakhlak):
    values = _codes_matrix(berakhlak, 2, seed=4)
    rows = [["respondent_id", *berakhlak.item_ids]] + [[f"T{i}", *map(str, v)] for i, v in enumerate(values)]
    path = _write_csv(tmp_path / "answers.tsv", rows, delimiter="\t")

    rs = read_responses(path, berakhlak)

    assert rs.respondent_ids.tolist() == ["T0", "T1"]
    assert_array_equal(rs.codes, values - 1)


def test_trailing_separators_written_by_spreadsheets_do_not_make_an_empty_header(tmp_path, berakhlak):
    # Regression: a header ending in ';' (a formatted but empty column) was rejected as an empty header.
    header = ";".join(["respondent_id", *berakhlak.item_ids]) + ";"
    line = ";".join(["R1", *["3"] * berakhlak.n_items]) + ";"
    path = tmp_path / "trailing.csv"
    path.write_text(f"{header}\r\n{line}\r\n", encoding="utf-8")

    rs = read_responses(path, berakhlak)

    assert_array_equal(rs.codes, np.full((1, berakhlak.n_items), 2))


def test_a_google_forms_export_is_read_by_question_text_and_answer_labels(tmp_path, sel):
    likert = [it for it in sel.items if it.type == "likert"]
    choice = [it for it in sel.items if it.type == "choice"]
    # (cell, expected code) for respondent 1 on each Likert item, cycling through label spellings
    spellings = [
        ("sangat  SETUJU", 4), ("Ragu-ragu", 2), ("Strongly agree", 4), (" tidak setuju ", 1),
        ("STS", 0), ("Netral", 2), ("agree", 3), ("Kurang setuju", 2), ("SANGAT TIDAK SETUJU", 0),
        ("Sangat setuju", 4),
    ]
    sj = choice[0]
    choice_cells = [
        (sj.options[2]["id"].upper(), 2),           # Indonesian option text, shouted
        (choice[1].options[1]["en"], 1),           # English option text
        ("c", 2),                                  # letter
        ("D", 3),                                  # letter, upper case
        ("5", 4),                                  # option number
        (f"2 - {choice[5].options[1]['id']}", 1),  # number and text that agree
        ("", MISSING),                             # skipped question
        (f"  {choice[7].options[0]['en'].lower()}  ", 0),
    ]
    header = ["Timestamp", "Email Address", *(it.text["id"] for it in sel.items)]
    row1 = ["2023/10/13 8:01:02 AM GMT+7", "a@example.go.id"]
    row1 += [spellings[j % len(spellings)][0] for j in range(len(likert))] + [c for c, _ in choice_cells]
    row2 = ["2023/10/13 9:15:44 AM GMT+7", "b@example.go.id"] + ["Setuju"] * len(likert) + ["1"] * len(choice)
    path = _write_csv(tmp_path / "Kuesioner (Responses) - Form Responses 1.csv", [header, row1, row2])

    rs = read_responses(path, sel)

    expected1 = [spellings[j % len(spellings)][1] for j in range(len(likert))] + [c for _, c in choice_cells]
    expected2 = [3] * len(likert) + [0] * len(choice)
    assert_array_equal(rs.codes, np.array([expected1, expected2]))
    assert rs.respondent_ids.tolist() == ["1", "2"]
    assert rs.ignored_columns == ("Timestamp", "Email Address")


@pytest.mark.parametrize(
    "metadata",
    [
        pytest.param(["Stempel waktu", "Alamat email", "Skor"], id="google-forms-indonesian"),
        pytest.param(["Cap waktu", "Nama"], id="google-forms-older-indonesian"),
        pytest.param(["ID", "Waktu mulai", "Waktu penyelesaian", "Email", "Nama", "Last modified time"], id="microsoft-forms-indonesian"),
    ],
)
def test_form_metadata_columns_in_indonesian_are_set_aside_too(berakhlak, metadata):
    rows = [{**{m: "x" for m in metadata}, **{i: 3 for i in berakhlak.item_ids}}]

    rs = read_responses(rows, berakhlak)

    assert rs.ignored_columns == tuple(metadata)
    assert_array_equal(rs.codes, np.full((1, berakhlak.n_items), 2))


def test_english_question_texts_are_headers_too(tmp_path, berakhlak):
    values = _codes_matrix(berakhlak, 2, seed=5)
    header = [it.text["en"] for it in berakhlak.items]
    rows = [header] + [[_label(berakhlak, i, int(v), "en") for i, v in zip(berakhlak.item_ids, row)] for row in values]
    path = _write_csv(tmp_path / "english.csv", rows)

    rs = read_responses(path, berakhlak)

    assert_array_equal(rs.codes, values - 1)
    assert rs.respondent_ids.tolist() == ["1", "2"]


def test_google_forms_grid_headers_match_by_the_row_in_brackets(tmp_path, berakhlak):
    header = [f"Seberapa sering Anda melakukan hal berikut? [{it.text['id']}]" for it in berakhlak.items]
    path = _write_csv(tmp_path / "grid.csv", [header, ["Selalu"] * len(header), ["jarang"] * len(header)])

    rs = read_responses(path, berakhlak)

    assert_array_equal(rs.codes, np.array([[4] * berakhlak.n_items, [1] * berakhlak.n_items]))


def test_numbered_headers_match_after_the_question_number(tmp_path, berakhlak):
    header = [f"{j + 1}. {it.text['id']}" for j, it in enumerate(berakhlak.items)]
    header[1] = f"2) {berakhlak.items[1].text['en']}"
    path = _write_csv(tmp_path / "numbered.csv", [header, ["2"] * len(header)])

    rs = read_responses(path, berakhlak)

    assert_array_equal(rs.codes, np.full((1, berakhlak.n_items), 1))


def test_a_numbered_label_counts_when_number_and_label_agree(berakhlak):
    rows = [{**{i: "4 - Sering" for i in berakhlak.item_ids}}, {**{i: "5. selalu" for i in berakhlak.item_ids}}]

    rs = read_responses(rows, berakhlak)

    assert_array_equal(rs.codes[:, 0], [3, 4])


def test_empty_cells_na_and_dashes_are_unanswered(tmp_path, berakhlak):
    tokens = ["", "NA", "-", "n/a", " N/A ", "--", "null", "Tidak dijawab"]
    header = ["respondent_id", *berakhlak.item_ids]
    cells = [tokens[j % len(tokens)] if j < 16 else "3" for j in range(berakhlak.n_items)]
    path = _write_csv(tmp_path / "missing.csv", [header, ["R1", *cells]])

    rs = read_responses(path, berakhlak)

    assert_array_equal(rs.codes[0], [MISSING] * 16 + [2] * (berakhlak.n_items - 16))
    assert np.isnan(rs.values[0, :16]).all()
    assert_array_equal(rs.answered[0], [False] * 16 + [True] * (berakhlak.n_items - 16))


def test_blank_rows_and_excel_semicolon_rows_are_skipped_and_listed(tmp_path, berakhlak):
    k = berakhlak.n_items
    lines = [
        ";".join(["respondent_id", *berakhlak.item_ids]),  # line 1
        ";".join(["R1", *["1"] * k]),                      # line 2
        "",                                                # line 3: blank line
        ";" * k,                                           # line 4: an empty spreadsheet row
        ";".join(["R2", *["5"] * k]),                      # line 5
        " ; ;" + ";" * (k - 2),                            # line 6: white space only
    ]
    path = tmp_path / "blank-rows.csv"
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")

    rs = read_responses(path, berakhlak)

    assert rs.skipped_rows == (3, 4, 6)
    assert rs.respondent_ids.tolist() == ["R1", "R2"]
    assert_array_equal(rs.codes, np.array([[0] * k, [4] * k]))


# =========================================================================== good input: XLSX


def _write_xlsx(path: Path, rows, *, sheet_title="Sheet1") -> Path:
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet_title
    for r in rows:
        ws.append(list(r))
    wb.save(path)
    return path


def test_a_microsoft_forms_workbook_sets_its_metadata_columns_aside(tmp_path, berakhlak):
    values = _codes_matrix(berakhlak, 3, seed=6)
    meta = ["ID", "Start time", "Completion time", "Email", "Name"]
    header = [*meta, *(it.text["id"] for it in berakhlak.items)]
    rows = [header]
    for i, row in enumerate(values):
        start = dt.datetime(2023, 10, 13, 8, i)
        rows.append([i + 1, start, start + dt.timedelta(minutes=7), f"asn{i}@example.go.id", f"Pegawai {i}",
                     *(_label(berakhlak, it, int(v), "id") for it, v in zip(berakhlak.item_ids, row))])
    rows.insert(3, [None] * len(header))  # an empty row between respondents
    path = _write_xlsx(tmp_path / "Microsoft Forms.xlsx", rows)

    rs = read_responses(path, berakhlak)

    assert_array_equal(rs.codes, values - 1)
    assert rs.ignored_columns == tuple(meta)
    assert rs.respondent_ids.tolist() == ["1", "2", "3"]
    assert rs.skipped_rows == (4,)
    assert rs.source == str(path)


def test_a_workbook_id_column_of_numbers_gives_ids_without_decimals(tmp_path, berakhlak):
    # (An 18-digit NIP cannot be an Excel number at all: doubles hold 15 digits, so NIPs are text.)
    rows = [["No", *berakhlak.item_ids], [1001, *[4] * berakhlak.n_items], [7.0, *[2] * berakhlak.n_items]]
    path = _write_xlsx(tmp_path / "numbered.xlsx", rows)

    rs = read_responses(path, berakhlak, id_column="No")

    assert rs.respondent_ids.tolist() == ["1001", "7"]
    assert_array_equal(rs.codes[:, 0], [3, 1])


def test_a_named_sheet_is_read(tmp_path, berakhlak):
    path = _write_xlsx(tmp_path / "sheets.xlsx", [berakhlak.item_ids, [3] * berakhlak.n_items], sheet_title="Jawaban")

    rs = read_responses(path, berakhlak, sheet="Jawaban")

    assert_array_equal(rs.codes, np.full((1, berakhlak.n_items), 2))


# =========================================================================== good input: JSON


def test_a_json_list_of_records_is_read(tmp_path, berakhlak):
    values = _codes_matrix(berakhlak, 3, seed=7)
    records = _records(berakhlak, values)
    records[1][berakhlak.item_ids[0]] = None
    records[2][berakhlak.item_ids[1]] = "Kadang-kadang"
    path = tmp_path / "records.json"
    path.write_text(json.dumps(records), encoding="utf-8")

    rs = read_responses(path, berakhlak)

    expected = values - 1
    expected[1, 0] = MISSING
    expected[2, 1] = 2
    assert_array_equal(rs.codes, expected)
    assert rs.respondent_ids.tolist() == ["R1", "R2", "R3"]


def _document(q: al.Questionnaire, respondents: list[dict]) -> dict:
    return {
        "format": "akhlak-levels/responses",
        "format_version": 1,
        "questionnaire": {"id": q.id},
        "respondents": respondents,
    }


def test_a_json_responses_document_is_read_with_its_carried_fields(tmp_path, sel):
    answers1 = {i: 4 for i in sel.item_ids}
    answers1["SE01"] = "Sangat setuju"
    answers1["SJ01"] = "b"
    answers2 = {i: None for i in sel.item_ids}
    answers2["SE02"] = 1
    doc = _document(sel, [
        {"respondent_id": "P-01", "unit": "Dinas Kesehatan", "wave": 1, "date": "2023-10-13", "answers": answers1},
        {"respondent_id": 2, "unit": None, "wave": "2", "date": "14/10/2023", "answers": answers2},
    ])
    path = tmp_path / "responses.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")

    rs = read_responses(path, sel)

    expected = np.full((2, sel.n_items), MISSING)
    expected[0] = 3
    expected[0, sel.item_ids.index("SE01")] = 4
    expected[0, sel.item_ids.index("SJ01")] = 1
    expected[1, sel.item_ids.index("SE02")] = 0
    assert_array_equal(rs.codes, expected)
    assert rs.respondent_ids.tolist() == ["P-01", "2"]
    assert rs.unit.tolist() == ["Dinas Kesehatan", ""]
    assert rs.wave.tolist() == ["1", "2"]
    assert_array_equal(rs.date, np.array(["2023-10-13", "2023-10-14"], dtype="datetime64[D]"))


def test_a_responses_document_given_as_a_dict_is_read(berakhlak):
    doc = _document(berakhlak, [{"respondent_id": "X", "answers": {i: "Often" for i in berakhlak.item_ids}}])

    rs = read_responses(doc, berakhlak)

    assert rs.respondent_ids.tolist() == ["X"]
    assert_array_equal(rs.codes, np.full((1, berakhlak.n_items), 3))


def test_jsonl_lines_are_records_and_nested_answers_are_flattened(tmp_path, berakhlak):
    lines = [
        json.dumps({"respondent_id": "J1", "unit": "A", **{i: 1 for i in berakhlak.item_ids}}),
        "",
        json.dumps({"respondent_id": "J2", "unit": "B", "answers": {i: "Selalu" for i in berakhlak.item_ids}}),
    ]
    path = tmp_path / "answers.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    rs = read_responses(path, berakhlak)

    assert rs.respondent_ids.tolist() == ["J1", "J2"]
    assert rs.unit.tolist() == ["A", "B"]
    assert_array_equal(rs.codes, np.array([[0] * berakhlak.n_items, [4] * berakhlak.n_items]))


def test_a_jsonl_string_holding_a_line_separator_character_stays_one_record(tmp_path, berakhlak):
    # Regression: str.splitlines() also splits on U+2028, which json.dumps(ensure_ascii=False) writes raw.
    rec = {"respondent_id": "J1", "unit": "Bagian\u2028Umum", **{i: 2 for i in berakhlak.item_ids}}
    path = tmp_path / "u2028.jsonl"
    path.write_text(json.dumps(rec, ensure_ascii=False) + "\n", encoding="utf-8")

    rs = read_responses(path, berakhlak)

    assert rs.unit.tolist() == ["Bagian\u2028Umum"]
    assert_array_equal(rs.codes, np.full((1, berakhlak.n_items), 1))


# =========================================================================== good input: in memory


def test_a_dataframe_of_numeric_codes_with_nan_is_read(berakhlak):
    values = _codes_matrix(berakhlak, 4, seed=8).astype(float)
    values[2, 5] = np.nan
    df = pd.DataFrame(values, columns=list(berakhlak.item_ids))
    df.insert(0, "respondent_id", ["a", "b", "c", "d"])

    rs = read_responses(df, berakhlak)

    expected = np.nan_to_num(values, nan=0).astype(int) - 1
    expected[2, 5] = MISSING
    assert_array_equal(rs.codes, expected)
    assert rs.respondent_ids.tolist() == ["a", "b", "c", "d"]
    assert rs.source is None


def test_a_dataframe_of_labels_is_read(berakhlak):
    df = pd.DataFrame({i: ["Tidak pernah", "never", None, "SELALU"] for i in berakhlak.item_ids})

    rs = read_responses(df, berakhlak)

    assert_array_equal(rs.codes, np.tile([[0], [0], [MISSING], [4]], (1, berakhlak.n_items)))
    assert rs.respondent_ids.tolist() == ["1", "2", "3", "4"]


def test_pandas_missing_values_in_nullable_columns_are_unanswered(berakhlak):
    # Regression: pd.NA (string and nullable dtypes) was read as the text "<NA>" and rejected.
    df = pd.DataFrame({i: ["Sering", None] for i in berakhlak.item_ids}).astype("string")
    df[berakhlak.item_ids[1]] = pd.array([5, None], dtype="Int64")
    assert df[berakhlak.item_ids[0]].to_numpy(dtype=object)[1] is pd.NA

    rs = read_responses(df, berakhlak)

    expected = np.array([[3] * berakhlak.n_items, [MISSING] * berakhlak.n_items])
    expected[0, 1] = 4
    assert_array_equal(rs.codes, expected)


def test_a_missing_date_in_a_datetime_column_is_not_a_date(berakhlak):
    # Regression: NaT in a datetime64 column crashed with a TypeError.
    df = pd.DataFrame({"date": pd.to_datetime(["2023-10-13", None]), **{i: [1, 2] for i in berakhlak.item_ids}})

    rs = read_responses(df, berakhlak)

    assert_array_equal(rs.date, np.array(["2023-10-13", "NaT"], dtype="datetime64[D]"))


def test_a_parquet_file_is_read(tmp_path, berakhlak):
    values = _codes_matrix(berakhlak, 3, seed=9)
    df = pd.DataFrame(_records(berakhlak, values))
    df["unit"] = ["U1", "U2", None]
    path = tmp_path / "answers.parquet"
    df.to_parquet(path)

    rs = read_responses(path, berakhlak)

    assert_array_equal(rs.codes, values - 1)
    assert rs.respondent_ids.tolist() == ["R1", "R2", "R3"]
    assert rs.unit.tolist() == ["U1", "U2", ""]
    assert rs.source == str(path)


def test_a_list_of_dicts_is_read_and_keys_absent_from_a_record_are_unanswered(berakhlak):
    rows = [{"respondent_id": "A", **{i: "Jarang" for i in berakhlak.item_ids}},
            {"respondent_id": "B", berakhlak.item_ids[3]: 5}]

    rs = read_responses(rows, berakhlak)

    expected = np.array([[1] * berakhlak.n_items, [MISSING] * berakhlak.n_items])
    expected[1, 3] = 4
    assert_array_equal(rs.codes, expected)
    assert rs.respondent_ids.tolist() == ["A", "B"]


def test_a_numpy_array_with_nan_is_read_in_item_order(sel):
    X = np.full((3, sel.n_items), 3.0)
    X[0, 0] = np.nan
    X[1, -1] = 5
    X[2, :] = 1

    rs = read_responses(X, sel, respondent_ids=["x", "y", "z"])

    expected = np.full((3, sel.n_items), 2)
    expected[0, 0] = MISSING
    expected[1, -1] = 4
    expected[2, :] = 0
    assert_array_equal(rs.codes, expected)
    assert rs.respondent_ids.tolist() == ["x", "y", "z"]
    assert rs.unit is None and rs.ignored_columns == ()


def test_a_list_of_lists_is_read_as_an_array(berakhlak):
    rs = read_responses([[2] * berakhlak.n_items, [4] * berakhlak.n_items], berakhlak)

    assert rs.respondent_ids.tolist() == ["1", "2"]
    assert_array_equal(rs.codes[:, 0], [1, 3])


# =========================================================================== choice items and carried columns


@pytest.mark.parametrize(
    "answer",
    [
        pytest.param(lambda it: "3", id="option-number"),
        pytest.param(lambda it: 3, id="option-number-int"),
        pytest.param(lambda it: "c", id="letter"),
        pytest.param(lambda it: " C ", id="letter-upper-case-with-spaces"),
        pytest.param(lambda it: it.options[2]["id"], id="indonesian-text"),
        pytest.param(lambda it: it.options[2]["en"].upper(), id="english-text-upper-case"),
        pytest.param(lambda it: f"3. {it.options[2]['id']}", id="number-and-text"),
    ],
)
def test_a_choice_item_is_answered_by_option_number_letter_or_text(sel, answer):
    choice = [it for it in sel.items if it.type == "choice"]
    rows = [{**{i: 4 for i in sel.item_ids}, **{it.id: answer(it) for it in choice}}]

    rs = read_responses(rows, sel)

    positions = [sel.item_ids.index(it.id) for it in choice]
    assert_array_equal(rs.codes[0, positions], [2] * len(choice))


def test_named_id_unit_wave_date_and_group_columns_are_carried(tmp_path, berakhlak):
    header = ["NIP", "Unit Kerja", "Gelombang", "Tanggal", "Jabatan", "Wilayah", *berakhlak.item_ids]
    rows = [
        header,
        ["1985", "Bagian Umum", "2023-1", "2023-10-13", "Analis", "Jawa", *["1"] * berakhlak.n_items],
        ["1986", "Keuangan", "2023-2", "13/10/2023 08:15", "Pengawas", "", *["2"] * berakhlak.n_items],
        ["1987", "", "2024-1", "2024-01-02T10:00:00", "Analis", "Bali", *["3"] * berakhlak.n_items],
    ]
    path = _write_csv(tmp_path / "carried.csv", rows)

    rs = read_responses(
        path, berakhlak, id_column="NIP", unit_column="Unit Kerja", wave_column="Gelombang",
        date_column="Tanggal", group_columns=["Jabatan", "Wilayah"],
    )

    assert rs.respondent_ids.tolist() == ["1985", "1986", "1987"]
    assert rs.unit.tolist() == ["Bagian Umum", "Keuangan", ""]
    assert rs.wave.tolist() == ["2023-1", "2023-2", "2024-1"]
    assert rs.date.dtype == np.dtype("datetime64[D]")
    assert_array_equal(rs.date, np.array(["2023-10-13", "2023-10-13", "2024-01-02"], dtype="datetime64[D]"))
    assert list(rs.groups) == ["Jabatan", "Wilayah"]
    assert rs.groups["Jabatan"].tolist() == ["Analis", "Pengawas", "Analis"]
    assert rs.groups["Wilayah"].tolist() == ["Jawa", "", "Bali"]
    assert_array_equal(rs.codes[:, 0], [0, 1, 2])


def test_columns_named_unit_wave_and_date_are_carried_without_being_asked(berakhlak):
    rows = [{"Respondent_ID": "Z", "Unit": "U", "wave": 3, "DATE": "02/01/2024", **{i: 1 for i in berakhlak.item_ids}}]

    rs = read_responses(rows, berakhlak, dayfirst=True)  # 02/01/2024 alone does not tell the order

    assert rs.respondent_ids.tolist() == ["Z"]
    assert rs.unit.tolist() == ["U"] and rs.wave.tolist() == ["3"]
    assert_array_equal(rs.date, np.array(["2024-01-02"], dtype="datetime64[D]"))


def test_ignored_and_unknown_columns_are_set_aside_and_listed(berakhlak):
    rows = [{"Nama": "Budi", "NIP": "1985", "Catatan": "-", **{i: 1 for i in berakhlak.item_ids}}]

    rs = read_responses(rows, berakhlak, ignore_columns=["NIP"], unknown_columns="ignore")

    assert rs.ignored_columns == ("NIP", "Nama", "Catatan")
    assert_array_equal(rs.codes, np.zeros((1, berakhlak.n_items)))


def test_a_partial_questionnaire_leaves_its_absent_items_unanswered(berakhlak):
    present = berakhlak.item_ids[:6]
    rows = [{"respondent_id": "P", **{i: 4 for i in present}}]

    rs = read_responses(rows, berakhlak, missing_items="missing")

    assert_array_equal(rs.codes[0], [3] * 6 + [MISSING] * (berakhlak.n_items - 6))
    assert rs.item_ids == berakhlak.item_ids


def test_a_questionnaire_can_be_named_by_its_id(berakhlak):
    rs = read_responses([{i: 2 for i in berakhlak.item_ids}], "berakhlak")

    assert rs.questionnaire.id == "berakhlak"
    assert_array_equal(rs.codes, np.ones((1, berakhlak.n_items)))


# =========================================================================== bad input: columns


def _codes_file(tmp_path: Path, q: al.Questionnaire, *, extra=(), drop=(), name="answers.csv") -> Path:
    items = [i for i in q.item_ids if i not in drop]
    header = ["respondent_id", *(c for c, _ in extra), *items]
    rows = [header, ["R1", *(v for _, v in extra), *["3"] * len(items)], ["R2", *(v for _, v in extra), *["4"] * len(items)]]
    return _write_csv(tmp_path / name, rows)


def test_an_unknown_column_is_named_with_the_hint_to_set_it_aside(tmp_path, berakhlak):
    path = _codes_file(tmp_path, berakhlak, extra=[("Jabatan", "Analis"), ("Golongan", "III/a")])

    exc = _raises(path, berakhlak)

    assert [(p.file, p.value) for p in exc.problems] == [(str(path), "Jabatan"), (str(path), "Golongan")]
    assert all("unknown column" in p.message and "ignore_columns=[...]" in p.message for p in exc.problems)
    assert "unknown_columns='ignore'" in str(exc)
    assert str(exc).startswith(f"The columns of {path} do not fit questionnaire 'berakhlak':")


def test_missing_item_columns_are_named_with_the_hint_for_a_partial_questionnaire(tmp_path, berakhlak):
    path = _codes_file(tmp_path, berakhlak, drop=("AK1a", "KL3b"))

    exc = _raises(path, berakhlak)

    [p] = exc.problems
    assert p.file == str(path)
    assert p.message.startswith("2 of 42 items have no column: ['AK1a', 'KL3b']")
    assert "missing_items='missing'" in p.message


def test_a_missing_named_column_is_reported_with_the_columns_there_are(tmp_path, berakhlak):
    path = _codes_file(tmp_path, berakhlak)

    exc = _raises(path, berakhlak, id_column="NIP", group_columns=["Wilayah"])

    named, unknown = exc.problems[:2], exc.problems[2:]
    assert [p.message.split(" is not in the data")[0] for p in named] == ["the id column 'NIP'", "the group column 'Wilayah'"]
    assert "columns are ['respondent_id', 'BP1a', 'BP1b'," in named[0].message
    assert named[0].message.endswith(" ...")
    # with another id column named, respondent_id is a column like any other, and unknown
    assert [p.value for p in unknown] == ["respondent_id"]


def test_an_item_held_by_two_columns_is_reported(tmp_path, berakhlak):
    path = _codes_file(tmp_path, berakhlak, extra=[(berakhlak.items[0].text["en"], "3")])

    exc = _raises(path, berakhlak)

    [p] = exc.problems
    assert p.item == "BP1a"
    assert "both hold this item" in p.message


# =========================================================================== bad input: answers


def test_out_of_range_codes_are_each_named_with_row_respondent_item_and_value(tmp_path, berakhlak):
    header = ["respondent_id", *berakhlak.item_ids]
    r1 = ["R1", *["3"] * berakhlak.n_items]
    r2 = ["R2", *["3"] * berakhlak.n_items]
    r1[1], r1[2], r2[5] = "7", "0", "2.5"
    path = _write_csv(tmp_path / "range.csv", [header, r1, r2])

    exc = _raises(path, berakhlak)

    assert _where(exc.problems) == [(2, "R1", "BP1a", "7"), (2, "R1", "BP1b", "0"), (3, "R2", "BP3a", "2.5")]
    assert {p.file for p in exc.problems} == {str(path)}
    assert exc.problems[0].message.startswith("expected a code 1-5 or a label (Tidak pernah / Jarang")
    assert str(exc).startswith(f"3 answers in {path} cannot be read as answers to 'berakhlak'")
    assert "on_invalid='missing'" in str(exc)


def test_an_unparseable_label_is_named(tmp_path, sel):
    rows = [{"respondent_id": "Q1", **{i: "Setuju" if i.startswith("SE") else 4 for i in sel.item_ids}}]
    rows[0]["SE07"] = "Sangat"
    rows[0]["SJ02"] = "f"  # a letter past the last option

    exc = _raises(rows, sel)

    assert _where(exc.problems) == [(1, "Q1", "SE07", "Sangat"), (1, "Q1", "SJ02", "f")]
    assert exc.problems[1].message == "expected an option number 1-5, a letter a-e or an option's text"
    assert exc.problems[0].file is None


def test_a_number_and_label_that_disagree_are_not_an_answer(berakhlak):
    rows = [{i: "2 - Selalu" for i in berakhlak.item_ids}]

    exc = _raises(rows, berakhlak)

    assert len(exc.problems) == berakhlak.n_items
    assert exc.problems[0].value == "2 - Selalu"


def test_boolean_answers_are_rejected_and_never_read_as_one(berakhlak):
    # Regression: True == 1 shared a dict key, so True read as code 1 (or 1 was rejected as True).
    for answers in ((1, True), (True, 1), (False, 1)):
        rows = [{"respondent_id": f"R{r}", **{i: a for i in berakhlak.item_ids}} for r, a in enumerate(answers)]
        bool_row = next(r for r, a in enumerate(answers) if isinstance(a, bool))

        exc = _raises(rows, berakhlak)

        assert len(exc.problems) == berakhlak.n_items
        assert {(p.respondent, p.value) for p in exc.problems} == {(f"R{bool_row}", answers[bool_row])}


def test_a_dataframe_names_bad_rows_by_their_index_label(berakhlak):
    df = pd.DataFrame({i: [1, 2, 3] for i in berakhlak.item_ids}, index=[10, 20, 30])
    df.loc[20, "BP1a"] = 9

    exc = _raises(df, berakhlak)

    assert _where(exc.problems) == [(20, "2", "BP1a", 9)]


def test_every_bad_cell_is_listed_not_just_the_first(tmp_path, berakhlak):
    rows = [["respondent_id", *berakhlak.item_ids]]
    bad = {(0, 4): "6", (2, 0): "Sangat jarang", (2, 41): "-1"}
    for r in range(3):
        cells = ["2"] * berakhlak.n_items
        for (br, bc), v in bad.items():
            if br == r:
                cells[bc] = v
        rows.append([f"R{r + 1}", *cells])
    path = _write_csv(tmp_path / "three-bad.csv", rows)

    exc = _raises(path, berakhlak)

    assert len(exc.problems) == 3
    assert _where(exc.problems) == [
        (4, "R3", "BP1a", "Sangat jarang"),
        (2, "R1", "BP3a", "6"),
        (4, "R3", "KL3b", "-1"),
    ]


def test_on_invalid_missing_sets_exactly_the_bad_cells_missing_and_flags_their_respondents(tmp_path, berakhlak):
    values = _codes_matrix(berakhlak, 4, seed=10)
    rows = [["respondent_id", *berakhlak.item_ids]] + [[f"R{i}", *map(str, v)] for i, v in enumerate(values)]
    rows[1][1 + 0] = "7"          # R0, BP1a
    rows[3][1 + 5] = "Kadang"     # R2, BP3b
    rows[3][1 + 41] = "2.5"       # R2, KL3b
    path = _write_csv(tmp_path / "lenient.csv", rows)

    rs = read_responses(path, berakhlak, on_invalid="missing")

    expected = values - 1
    expected[0, 0] = expected[2, 5] = expected[2, 41] = MISSING
    assert_array_equal(rs.codes, expected)
    assert len(rs) == 4
    assert rs.respondent_ids.tolist() == ["R0", "R1", "R2", "R3"]
    assert rs.flags.for_respondent(0) == ("invalid:BP1a",)
    assert rs.flags.for_respondent(1) == ()
    assert rs.flags.for_respondent(2) == ("invalid:BP3b", "invalid:KL3b")
    assert rs.flags.for_respondent(3) == ()
    assert_array_equal(rs.flags["invalid:BP3b"], [False, False, True, False])


def test_on_invalid_missing_flags_an_array_source_too(berakhlak):
    X = np.full((3, berakhlak.n_items), 2.0)
    X[1, 3] = 6
    X[2, 0] = 0.5

    rs = read_responses(X, berakhlak, on_invalid="missing")

    assert len(rs) == 3
    assert rs.codes[1, 3] == MISSING and rs.codes[2, 0] == MISSING
    assert (rs.codes == 1).sum() == 3 * berakhlak.n_items - 2
    assert [rs.flags.for_respondent(i) for i in range(3)] == [(), ("invalid:BP2b",), ("invalid:BP1a",)]


def test_an_array_lists_every_out_of_range_cell(berakhlak):
    X = np.full((2, berakhlak.n_items), 3.0)
    X[0, 1] = 7
    X[1, 0] = 2.5
    X[1, 2] = 0

    exc = _raises(X, berakhlak, respondent_ids=["a", "b"])

    assert _where(exc.problems) == [(1, "a", "BP1b", 7.0), (2, "b", "BP1a", 2.5), (2, "b", "BP2a", 0.0)]
    assert exc.problems[0].message == "expected a whole number from 1 to 5 or NaN"


def test_an_array_of_the_wrong_shape_names_the_shape_expected(berakhlak):
    exc = _raises(np.ones((2, 5)), berakhlak)

    assert "Expected an array of shape (n_respondents, 42)" in str(exc) and "got shape (2, 5)" in str(exc)


# =========================================================================== bad input: ids and dates


def test_duplicate_respondent_ids_name_both_rows(tmp_path, berakhlak):
    rows = [["respondent_id", *berakhlak.item_ids]] + [[rid, *["2"] * berakhlak.n_items] for rid in ("R1", "R2", "R1 ", "R3")]
    path = _write_csv(tmp_path / "dupes.csv", rows)

    exc = _raises(path, berakhlak)

    [p] = exc.problems
    assert (p.file, p.row, p.respondent) == (str(path), 4, "R1")
    assert "duplicate respondent id, on rows [2, 4]" in p.message


def test_duplicate_respondent_ids_for_an_array_are_reported(berakhlak):
    exc = _raises(np.ones((3, berakhlak.n_items)), berakhlak, respondent_ids=["a", "b", "a"])

    [p] = exc.problems
    assert p.respondent == "a" and "on rows [1, 3]" in p.message


def test_an_empty_respondent_id_names_its_row(tmp_path, berakhlak):
    rows = [["respondent_id", *berakhlak.item_ids]] + [[rid, *["2"] * berakhlak.n_items] for rid in ("R1", "", "NA")]
    path = _write_csv(tmp_path / "empty-id.csv", rows)

    exc = _raises(path, berakhlak)

    assert [(p.row, p.message) for p in exc.problems] == [
        (3, "the respondent id (column 'respondent_id') is empty"),
        (4, "the respondent id (column 'respondent_id') is empty"),
    ]


def test_a_bad_date_names_its_row_respondent_and_value(tmp_path, berakhlak):
    rows = [["respondent_id", "Tanggal", *berakhlak.item_ids]]
    for rid, d in (("R1", "13/10/2023"), ("R2", "32/13/2023"), ("R3", "kemarin")):
        rows.append([rid, d, *["2"] * berakhlak.n_items])
    path = _write_csv(tmp_path / "dates.csv", rows)

    exc = _raises(path, berakhlak, date_column="Tanggal")

    assert _where(exc.problems) == [(3, "R2", None, "32/13/2023"), (4, "R3", None, "kemarin")]
    assert exc.problems[0].message == "column 'Tanggal': expected a date like 2023-10-13 or 13/10/2023"


# =========================================================================== bad input: files


def test_an_empty_file_is_reported_as_empty(tmp_path, berakhlak):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")

    exc = _raises(path, berakhlak)

    assert str(exc) == f"The file {path} is empty: expected a header row and at least one data row."


def test_a_header_only_file_is_reported_as_having_no_data_rows(tmp_path, berakhlak):
    path = _write_csv(tmp_path / "header.csv", [["respondent_id", *berakhlak.item_ids], [], []])

    exc = _raises(path, berakhlak)

    assert str(exc) == f"The file {path} has a header but no data rows."


def test_a_latin1_file_is_reported_with_the_line_that_cannot_be_decoded(tmp_path, berakhlak):
    rows = [["respondent_id", "Nama", *berakhlak.item_ids], ["R1", "Budi", *["2"] * 42], ["R2", "José", *["2"] * 42]]
    path = _write_csv(tmp_path / "latin1.csv", rows, encoding="latin-1")

    exc = _raises(path, berakhlak)

    assert "is not UTF-8 text: byte 0xe9 on line 3 cannot be decoded" in str(exc)
    assert "CSV UTF-8" in str(exc)


def test_a_ragged_row_is_named(tmp_path, berakhlak):
    rows = [["respondent_id", *berakhlak.item_ids], ["R1", *["2"] * 42], ["R2", *["2"] * 40], ["R3", *["2"] * 42, "extra"]]
    path = _write_csv(tmp_path / "ragged.csv", rows)

    exc = _raises(path, berakhlak)

    assert [(p.file, p.row, p.message) for p in exc.problems] == [
        (str(path), 3, "expected 43 fields as in the header, got 41 (a ragged row)"),
        (str(path), 4, "expected 43 fields as in the header, got 44 (a ragged row)"),
    ]


def test_duplicate_and_empty_headers_are_named(tmp_path, berakhlak):
    header = ["respondent_id", "Nama", "Nama", "", *berakhlak.item_ids]
    path = _write_csv(tmp_path / "headers.csv", [header, ["R1", "a", "b", "c", *["2"] * 42]])

    exc = _raises(path, berakhlak)

    assert [(p.row, p.message, p.value) for p in exc.problems] == [
        (1, "columns 2 and 3 have the same header", "Nama"),
        (1, "column 4 has an empty header", None),
    ]


def test_a_workbook_value_under_no_header_is_a_ragged_row(tmp_path, berakhlak):
    # Regression: cells to the right of the last header were dropped unseen.
    path = _write_xlsx(tmp_path / "beyond.xlsx", [berakhlak.item_ids, [2] * 42, [2] * 42 + [None, "catatan"]])

    exc = _raises(path, berakhlak)

    [p] = exc.problems
    assert (p.row, p.message) == (3, "expected 42 fields as in the header, got 44 (a ragged row)")


@pytest.mark.parametrize("sheet", ["Jawaban", 3])
def test_a_sheet_that_is_not_there_is_named_with_the_sheets_there_are(tmp_path, berakhlak, sheet):
    # Regression: a raw KeyError / IndexError escaped from openpyxl.
    path = _write_xlsx(tmp_path / "one-sheet.xlsx", [berakhlak.item_ids, [2] * 42], sheet_title="Form1")

    exc = _raises(path, berakhlak, sheet=sheet)

    assert str(exc) == f"The file {path} has no sheet {sheet!r}: its sheets are ['Form1']."


def test_a_document_that_breaks_the_schema_lists_its_problems_with_json_paths(berakhlak):
    doc = _document(berakhlak, [{"respondent_id": "A", "answers": {"BP1a": [1, 2]}}])
    doc["format_version"] = 2

    exc = _raises(doc, berakhlak)

    assert exc.summary == "The responses document does not match its schema (2 problems):"
    assert [p.path for p in exc.problems] == ["$.format_version", "$.respondents[0].answers.BP1a"]


BAD_FILES = [
    pytest.param("x.csv", b"", "is empty", id="empty-csv"),
    pytest.param("x.csv", b" \r\n\r\n", "is empty", id="whitespace-only-csv"),
    pytest.param("x.csv", b"BP1a,BP1b\r\n", "has a header but no data rows", id="header-only-csv"),
    pytest.param("x.csv", b"BP1a,BP1b\r\n1,2,3\r\n", "got 3 (a ragged row)", id="ragged-row"),
    pytest.param("x.csv", b"BP1a,BP1a\r\n1,2\r\n", "columns 1 and 2 have the same header", id="duplicate-header"),
    pytest.param("x.csv", b"a,\xff\r\n", "byte 0xff on line 1", id="not-utf8"),
    pytest.param("x.json", b"", "is empty", id="empty-json"),
    pytest.param("x.json", b"[{\"BP1a\": 1,}]", "is not valid JSON", id="invalid-json"),
    pytest.param("x.json", b"[]", "the list of records is empty", id="empty-json-list"),
    pytest.param("x.json", b"42", "holds a JSON int", id="json-scalar"),
    pytest.param("x.json", b"[{\"BP1a\": 1}, 3]", "are not all records", id="json-list-with-a-number"),
    pytest.param("x.jsonl", b"\n\n", "is empty", id="empty-jsonl"),
    pytest.param("x.jsonl", b"{\"BP1a\": 1}\n[1]\n{oops\n", "lines that are not JSON records (2)", id="jsonl-bad-lines"),
    pytest.param("x.xlsx", b"not a workbook", "is not a readable .xlsx workbook", id="corrupt-xlsx"),
    pytest.param("x.parquet", b"not parquet", "is not a readable Parquet file", id="corrupt-parquet"),
    pytest.param("x.sav", b"whatever", "expected a file ending in one of", id="unsupported-suffix"),
    pytest.param("x", b"whatever", "got 'no suffix'", id="no-suffix"),
]


@pytest.mark.parametrize(("name", "content", "message"), BAD_FILES)
def test_a_bad_file_raises_a_response_error_saying_what_is_wrong(tmp_path, berakhlak, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)

    exc = _raises(path, berakhlak, missing_items="missing")

    assert message in str(exc)
    assert str(path) in str(exc)


def test_a_non_existent_path_is_named(tmp_path, berakhlak):
    exc = _raises(tmp_path / "nowhere.csv", berakhlak)

    assert str(exc) == f"No responses file at {str(tmp_path / 'nowhere.csv')!r}."


BAD_SOURCES = [
    pytest.param([], "the list of records is empty", id="empty-list"),
    pytest.param(pd.DataFrame(), "The DataFrame has no rows", id="empty-dataframe"),
    pytest.param(np.empty((0, 42)), "The array has no rows", id="empty-array"),
    pytest.param(np.array([["Sering"] * 42]), "must hold numeric codes", id="array-of-labels"),
    pytest.param([{"BP1a": 1}, "BP1a"], "are not all records", id="list-with-a-string"),
]


@pytest.mark.parametrize(("source", "message"), BAD_SOURCES)
def test_a_bad_in_memory_source_raises_a_response_error_saying_what_is_wrong(berakhlak, source, message):
    exc = _raises(source, berakhlak, **({} if isinstance(source, np.ndarray) else {"missing_items": "missing"}))

    assert message in str(exc)


@pytest.mark.parametrize("name", ["unknown_columns", "missing_items", "on_invalid"])
def test_a_bad_parameter_value_raises_a_value_error_saying_what_is_allowed(berakhlak, name):
    with pytest.raises(ValueError, match=rf"The '{name}' parameter of read_responses must be one of \{{.*\}}\. Got 'sometimes' instead\."):
        read_responses([{"BP1a": 1}], berakhlak, **{name: "sometimes"})


def test_respondent_ids_are_only_for_an_array_source(berakhlak):
    with pytest.raises(TypeError, match="respondent_ids is only for an array source"):
        read_responses([{"BP1a": 1}], berakhlak, respondent_ids=["a"])


def test_a_source_of_another_kind_is_a_type_error(berakhlak):
    with pytest.raises(TypeError, match="got int"):
        read_responses(42, berakhlak)


# =========================================================================== properties


def _answer_matrices(draw, q: al.Questionnaire) -> np.ndarray:
    n = draw(st.integers(1, 6))
    cells = st.lists(st.integers(MISSING, 4), min_size=q.n_items, max_size=q.n_items)
    return np.array(draw(st.lists(cells, min_size=n, max_size=n)), dtype=np.int8)


@given(
    data=st.data(),
    which=st.sampled_from(["sel", "berakhlak"]),
    form=st.sampled_from(["codes", "id", "en"]),
    headers=st.sampled_from(["ids", "id", "en"]),
    delimiter=st.sampled_from([",", ";", "\t"]),
    bom=st.booleans(),
)
def test_codes_written_as_codes_or_labels_in_either_language_read_back_unchanged(
    tmp_path_factory, sel, berakhlak, data, which, form, headers, delimiter, bom
):
    q = sel if which == "sel" else berakhlak
    codes = _answer_matrices(data.draw, q)

    def cell(it, c):
        if c == MISSING:
            return ""
        return str(c + 1) if form == "codes" else it.options[c][form]

    header = ["respondent_id", *(it.id if headers == "ids" else it.text[headers] for it in q.items)]
    rows = [header] + [[f"R{r}", *(cell(it, int(c)) for it, c in zip(q.items, row))] for r, row in enumerate(codes)]
    path = _write_csv(tmp_path_factory.mktemp("roundtrip") / "answers.csv", rows, delimiter=delimiter, bom=bom)

    rs = read_responses(path, q)

    assert_array_equal(rs.codes, codes)
    assert rs.respondent_ids.tolist() == [f"R{r}" for r in range(len(codes))]


@given(data=st.data())
def test_permuting_the_rows_permutes_ids_and_codes_alike(berakhlak, data):
    codes = _answer_matrices(data.draw, berakhlak)
    perm = np.array(data.draw(st.permutations(range(len(codes)))), dtype=int)
    ids = [f"P{r}" for r in range(len(codes))]

    def records(order):
        return [{"respondent_id": ids[r], **{i: (None if c == MISSING else int(c) + 1) for i, c in zip(berakhlak.item_ids, codes[r])}} for r in order]

    rs = read_responses(records(range(len(codes))), berakhlak)
    rs_perm = read_responses(records(perm), berakhlak)

    assert_array_equal(rs_perm.respondent_ids, rs.respondent_ids[perm])
    assert_array_equal(rs_perm.codes, rs.codes[perm])
    assert_array_equal(rs.take(perm).codes, rs_perm.codes)


_SPACE = st.sampled_from([" ", "  ", "\t", "\u00a0", " \t "])


@given(data=st.data(), lang=st.sampled_from(["id", "en"]), code=st.integers(0, 4), item=st.integers(0, 29))
def test_label_matching_ignores_case_and_white_space(sel, data, lang, code, item):
    it = sel.items[item]
    words = it.options[code][lang].split()
    flips = data.draw(st.lists(st.booleans(), min_size=sum(map(len, words)), max_size=sum(map(len, words))))
    chars = iter(flips)
    words = ["".join(ch.upper() if next(chars) else ch.lower() for ch in w) for w in words]
    gaps = [data.draw(_SPACE) for _ in words[1:]]
    label = data.draw(st.sampled_from(["", " ", "\t"])) + words[0] + "".join(g + w for g, w in zip(gaps, words[1:]))
    label += data.draw(st.sampled_from(["", " ", "  \t"]))

    rs = read_responses([{it.id: label}], sel, missing_items="missing")

    assert rs.codes[0, item] == code
    assert (rs.codes[0] == MISSING).sum() == sel.n_items - 1


# ------------------------------------------------------------------ follow-ups from review


def test_a_responses_document_for_another_questionnaire_is_refused(sel):
    doc = {
        "format": "akhlak-levels/responses",
        "format_version": 1,
        "questionnaire": {"id": "berakhlak"},
        "respondents": [{"respondent_id": "a", "answers": {i: 3 for i in sel.item_ids}}],
    }
    with pytest.raises(ResponseError, match="is for questionnaire 'berakhlak', not 'socio-emotional-levels'"):
        read_responses(doc, sel)


def test_a_named_dataframe_index_is_read_as_the_respondent_id(sel):
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame([[3] * sel.n_items, [4] * sel.n_items], columns=list(sel.item_ids))
    df.index = pd.Index(["p-1", "p-2"], name="respondent_id")
    rs = read_responses(df, sel)
    assert rs.respondent_ids.tolist() == ["p-1", "p-2"]
    assert rs.codes[:, 0].tolist() == [2, 3]


def test_a_parquet_file_keeps_its_respondent_id_index(sel, tmp_path):
    pd = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    df = pd.DataFrame([[5] * sel.n_items], columns=list(sel.item_ids))
    df.index = pd.Index(["p-9"], name="respondent_id")
    path = tmp_path / "r.parquet"
    df.to_parquet(path)
    assert read_responses(path, sel).respondent_ids.tolist() == ["p-9"]


def test_blank_jsonl_lines_are_listed_as_skipped(sel, tmp_path):
    rec = json.dumps({"respondent_id": "a", **{i: 3 for i in sel.item_ids}})
    path = tmp_path / "r.jsonl"
    path.write_text(rec + "\n\n" + rec.replace('"a"', '"b"') + "\n   \n", encoding="utf-8")
    rs = read_responses(path, sel)
    assert rs.respondent_ids.tolist() == ["a", "b"]
    assert rs.skipped_rows == (2, 4)


def test_a_responses_document_for_another_version_is_refused(sel):
    doc = {
        "format": "akhlak-levels/responses",
        "format_version": 1,
        "questionnaire": {"id": sel.id, "version": "0.9"},
        "respondents": [{"respondent_id": "a", "answers": {i: 3 for i in sel.item_ids}}],
    }
    with pytest.raises(ResponseError, match="is for version '0.9' of 'socio-emotional-levels', but the questionnaire is version '1.0.0'"):
        read_responses(doc, sel)


def test_empty_and_duplicate_ids_are_reported_together(sel):
    rows = [{"respondent_id": rid, **{i: 3 for i in sel.item_ids}} for rid in ("a", "", "a")]
    with pytest.raises(ResponseError) as err:
        read_responses(rows, sel)
    messages = [p.message for p in err.value.problems]
    assert any("is empty" in m for m in messages) and any("duplicate respondent id" in m for m in messages)


def test_the_error_summary_counts_every_unreadable_answer(sel):
    X = np.full((400, sel.n_items), 9.0)
    with pytest.raises(ResponseError) as err:
        read_responses(X, sel)
    assert err.value.total == 400 * sel.n_items
    assert f"... and {400 * sel.n_items - 20} more problems" in str(err.value)


# =========================================================================== nothing lost, nothing leaked (issue 9)


def _ts_rows(q: al.Questionnaire, n: int = 5, *, extra=None) -> list[list[str]]:
    """A Google-Forms-style table: Timestamp, respondent_id, unit, items (codes 1 + r % 5)[, extra]."""
    header = ["Timestamp", "respondent_id", "unit", *q.item_ids] + ([extra] if extra else [])
    rows = [header]
    for r in range(n):
        rows.append([f"2023/10/13 8:0{r}:00", f"R{r}", f"U{r}", *[str(1 + r % 5)] * q.n_items] + (["ok"] if extra else []))
    return rows


def _write_lines(path: Path, rows) -> Path:
    """Rows joined by hand (no quoting), so a test can place a stray quote exactly."""
    path.write_text("".join(",".join(r) + "\r\n" for r in rows), encoding="utf-8")
    return path


def test_stray_quotes_in_two_timestamps_do_not_merge_rows_silently(tmp_path, berakhlak):
    # Regression: csv.reader(strict=False) read the quote on line 3 as opening a cell that the
    # quote on line 5 closed, then glued the rest of line 5 on: 3 respondents of 5, no error.
    rows = _ts_rows(berakhlak)
    rows[2][0] = '"' + rows[2][0]
    rows[4][0] = '"' + rows[4][0]
    path = _write_lines(tmp_path / "stray.csv", rows)

    exc = _raises(path, berakhlak)

    [p] = exc.problems
    assert (p.file, p.row) == (str(path), 3)
    assert "a quoted cell opens on line 3" in str(exc)
    assert "stray quote" in str(exc)


def test_a_quote_pair_that_joins_two_rows_into_one_respondent_is_refused(tmp_path, berakhlak):
    # Regression: the unit cell of line 3 opened a quote that line 4's unit cell closed; the file
    # is well-formed CSV, so R1 silently got R2's answers and R2 vanished.
    rows = _ts_rows(berakhlak)
    rows[2][2] = '"' + rows[2][2]
    rows[3][2] = rows[3][2] + '"'
    path = _write_lines(tmp_path / "joined.csv", rows)

    exc = _raises(path, berakhlak)

    [p] = exc.problems
    assert (p.file, p.row) == (str(path), 3)
    assert "runs over 2 lines and holds 44 delimiters, as many as a whole row" in str(exc)


def test_an_unbalanced_quote_in_the_last_column_does_not_swallow_the_rows_after_it(tmp_path, berakhlak):
    # Regression: the last (set-aside) column of line 4 opened a quote that never closed; the
    # reader put lines 5-6 into that cell and read 3 respondents of 5.
    rows = _ts_rows(berakhlak, extra="Catatan")
    rows[3][-1] = '"' + rows[3][-1]
    path = _write_lines(tmp_path / "open.csv", rows)

    exc = _raises(path, berakhlak, ignore_columns=["Catatan"])

    [p] = exc.problems
    assert (p.file, p.row) == (str(path), 4)
    assert "the quote on line 4 opens a cell that is never closed" in str(exc)


def test_quoted_cells_over_several_lines_are_still_read(tmp_path, berakhlak):
    rows = _ts_rows(berakhlak, 3, extra="Catatan")
    rows[2][-1] = "baik,\r\nterima kasih"
    path = _write_csv(tmp_path / "multiline.csv", rows)

    rs = read_responses(path, berakhlak, ignore_columns=["Catatan"])

    assert rs.respondent_ids.tolist() == ["R0", "R1", "R2"]
    assert rs.unit.tolist() == ["U0", "U1", "U2"]


def test_a_cell_of_140_kb_is_read_and_one_over_1_mb_is_an_error_naming_its_line(tmp_path, berakhlak):
    # Regression: both raised _csv.Error (field larger than field limit).
    rows = _ts_rows(berakhlak, 3)
    rows[2][2] = "U" * 140_000
    before = csv.field_size_limit()
    rs = read_responses(_write_csv(tmp_path / "big.csv", rows), berakhlak)
    assert rs.unit.tolist() == ["U0", "U" * 140_000, "U2"]
    assert csv.field_size_limit() == before  # the limit is raised only while reading

    rows[2][2] = "U" * (2**20 + 1)
    path = _write_csv(tmp_path / "huge.csv", rows)
    exc = _raises(path, berakhlak)
    [p] = exc.problems
    assert (p.file, p.row) == (str(path), 3)
    assert "holds more than 1,048,576 characters (1 MiB), the most a cell may hold" in str(exc)
    assert len(str(exc)) < 1000


def test_an_answer_of_4301_digits_is_an_unreadable_answer_named_by_row_with_a_shortened_value(tmp_path, berakhlak):
    # Regression: a ValueError from int() (integer string conversion limit) naming no row.
    rows = _ts_rows(berakhlak, 2)
    rows[2][3] = "1" * 4301
    path = _write_csv(tmp_path / "digits.csv", rows)

    exc = _raises(path, berakhlak)

    [p] = exc.problems
    assert (p.row, p.respondent, p.item) == (3, "R1", berakhlak.item_ids[0])
    assert p.value.startswith("1111") and p.value.endswith("(4301 characters)") and len(p.value) < 100


def test_a_nul_byte_is_refused_naming_its_line(tmp_path, berakhlak):
    rows = _ts_rows(berakhlak, 2)
    rows[2][1] = "R\x001"
    path = _write_lines(tmp_path / "nul.csv", rows)

    exc = _raises(path, berakhlak)

    assert "holds a NUL character on line 3" in str(exc)


def test_a_utf16_file_with_a_byte_order_mark_is_read(tmp_path, berakhlak):
    rows = _ts_rows(berakhlak, 2)
    rows[1][2] = "Bagian Umum – Timur"
    path = tmp_path / "unicode.txt"
    path.write_text("".join("\t".join(r) + "\r\n" for r in rows), encoding="utf-16")

    rs = read_responses(path, berakhlak)

    assert rs.unit.tolist() == ["Bagian Umum – Timur", "U1"]
    assert_array_equal(rs.codes[:, 0], [0, 1])


# --------------------------------------------------------------------------- XLSX


def _rewrite_xlsx(path: Path, member: str, edit) -> Path:
    """Rewrite one member of a workbook (``edit(bytes) -> bytes``, or None to drop it)."""
    import zipfile

    with zipfile.ZipFile(path) as z:
        parts = {i: z.read(i.filename) for i in z.infolist()}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in parts.items():
            if info.filename == member:
                data = edit(data)
                if data is None:
                    continue
            z.writestr(info.filename, data)
    return path


def test_a_workbook_whose_dimension_is_wrong_is_read_whole(tmp_path, berakhlak):
    # Regression: openpyxl's read-only mode trusted <dimension ref="A1:AQ4"/>: 3 rows of 8.
    rows = [["respondent_id", *berakhlak.item_ids]] + [[f"X{r}", *[1 + r % 5] * 42] for r in range(8)]
    path = _write_xlsx(tmp_path / "dim.xlsx", rows)
    _rewrite_xlsx(path, "xl/worksheets/sheet1.xml", lambda b: b.replace(b'<dimension ref="A1:AQ9"', b'<dimension ref="A1:AQ4"'))

    rs = read_responses(path, berakhlak)

    assert rs.respondent_ids.tolist() == [f"X{r}" for r in range(8)]
    assert_array_equal(rs.codes[:, -1], [r % 5 for r in range(8)])


def test_merged_unit_cells_in_a_workbook_are_refused_naming_sheet_rows_and_column(tmp_path, berakhlak):
    # Regression: only the top-left cell of a merged range holds the value; B3 and B4 read as empty units.
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Jawaban"
    ws.append(["respondent_id", "unit", *berakhlak.item_ids])
    for r in range(3):
        ws.append([f"X{r}", "Umum" if r == 0 else None, *[3] * 42])
    ws.merge_cells("B2:B4")
    path = tmp_path / "merged.xlsx"
    wb.save(path)

    exc = _raises(path, berakhlak)

    [p] = exc.problems
    assert (p.file, p.row, p.value) == (str(path), 2, "B2:B4")
    assert "sheet 'Jawaban': cells B2:B4 (rows 2-4 of column B) are merged" in str(exc)
    assert "unmerge" in str(exc)


def test_formula_cells_without_a_stored_value_are_refused_with_how_to_store_it(tmp_path, berakhlak):
    # Regression: a formula with no cached value read as an empty (unanswered) cell.
    rows = [["respondent_id", *berakhlak.item_ids], ["X0", *[3] * 42], ["X1", "=B2+1", *[3] * 41]]
    path = _write_xlsx(tmp_path / "formula.xlsx", rows)

    exc = _raises(path, berakhlak)

    [p] = exc.problems
    assert (p.row, p.value) == (3, "B3")
    assert "sheet 'Sheet1': cell B3 (row 3, column B) holds a formula without a stored value" in str(exc)
    assert "open and save the file in Excel so the values are stored, or export to CSV" in str(exc)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        pytest.param(lambda b: b[: len(b) // 2], "cannot be read", id="truncated-sheet-xml"),
        pytest.param(lambda b: None, "is not a readable .xlsx workbook", id="dropped-sheet-xml"),
        pytest.param(lambda b: b.replace(b"<sheetData>", b"<sheetData><row r=", 1), "cannot be read", id="malformed-xml"),
    ],
)
def test_a_workbook_with_broken_xml_is_a_response_error(tmp_path, berakhlak, edit, message):
    # Regression: ParseError / KeyError escaped from openpyxl while rows were read.
    path = _write_xlsx(tmp_path / "broken.xlsx", [berakhlak.item_ids, [2] * 42, [3] * 42])
    _rewrite_xlsx(path, "xl/worksheets/sheet1.xml", edit)

    exc = _raises(path, berakhlak)

    assert message in str(exc) and str(path) in str(exc)


def test_a_workbook_with_a_corrupted_zip_member_is_a_response_error(tmp_path, berakhlak):
    # Guard: a damaged member (bad CRC, broken deflate stream) is our error, whenever it is found.
    import zipfile

    path = _write_xlsx(tmp_path / "crc.xlsx", [berakhlak.item_ids, *[[2] * 42] * 50])
    with zipfile.ZipFile(path) as z:
        info = z.getinfo("xl/worksheets/sheet1.xml")
    raw = bytearray(path.read_bytes())
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    for k in range(start + 20, start + info.compress_size - 20, 7):
        raw[k] ^= 0x55
    path.write_bytes(bytes(raw))

    exc = _raises(path, berakhlak)

    assert str(path) in str(exc)


def test_an_id_over_2_53_in_a_numeric_workbook_cell_is_refused_with_a_hint(tmp_path, berakhlak):
    rows = [["NIP", *berakhlak.item_ids], [1.98501012010011e17, *[3] * 42], [1001, *[3] * 42]]
    path = _write_xlsx(tmp_path / "nip.xlsx", rows)

    exc = _raises(path, berakhlak, id_column="NIP")

    [p] = exc.problems
    assert p.row == 2
    assert "store the id column as text" in p.message


# --------------------------------------------------------------------------- JSON


def test_a_key_given_twice_in_a_json_record_is_refused_with_its_path(tmp_path, berakhlak):
    # Regression: json.loads kept the last value: respondent 'B', no error.
    answers = ", ".join(f'"{i}": 3' for i in berakhlak.item_ids)
    path = tmp_path / "dup.json"
    path.write_text('[{"respondent_id": "A", ' + answers + '}, {"respondent_id": "A2", "respondent_id": "B", ' + answers + "}]")

    exc = _raises(path, berakhlak)

    [p] = exc.problems
    assert (p.file, p.path) == (str(path), "$[1].respondent_id")
    assert "the key 'respondent_id' is given more than once" in p.message


def test_a_key_given_twice_in_a_jsonl_line_is_refused_with_its_line(tmp_path, berakhlak):
    answers = ", ".join(f'"{i}": 3' for i in berakhlak.item_ids)
    path = tmp_path / "dup.jsonl"
    path.write_text('{"respondent_id": "A", ' + answers + '}\n{"unit": "X", "unit": "Y", "respondent_id": "B", ' + answers + "}\n")

    exc = _raises(path, berakhlak)

    [p] = exc.problems
    assert (p.row, p.path) == (2, "$.unit")


def test_an_answer_key_that_collides_with_a_respondent_field_is_refused(tmp_path, berakhlak):
    # Regression: keys inside "answers" overwrote respondent_id and unit: respondent 'B' of unit 'V'.
    doc = _document(berakhlak, [
        {"respondent_id": "A", "unit": "U", "answers": {**{i: 3 for i in berakhlak.item_ids}, "respondent_id": "B", "Unit": "V"}},
    ])
    path = tmp_path / "collide.json"
    path.write_text(json.dumps(doc), encoding="utf-8")

    exc = _raises(path, berakhlak)

    assert [(p.path, p.value) for p in exc.problems] == [
        ("$.respondents[0].answers.respondent_id", "respondent_id"),
        ("$.respondents[0].answers.Unit", "Unit"),
    ]
    assert "collides with the respondent's field" in exc.problems[0].message

    line = {"respondent_id": "A", "answers": {**{i: 3 for i in berakhlak.item_ids}, "respondent_id": "B"}}
    path = tmp_path / "collide.jsonl"
    path.write_text(json.dumps(line) + "\n", encoding="utf-8")
    [p] = _raises(path, berakhlak).problems
    assert (p.row, p.path) == (1, "$.answers.respondent_id")


@pytest.mark.parametrize("suffix", [".json", ".jsonl"])
def test_json_nested_too_deeply_is_refused(tmp_path, berakhlak, suffix):
    # Regression: RecursionError from json.loads (100,000 levels); 40 levels read but are no answer.
    path = tmp_path / f"deep{suffix}"
    for depth in (100_000, 40):
        record = '{"respondent_id": "A", "BP1a": ' + "[" * depth + "]" * depth + "}"
        path.write_text(record if suffix == ".jsonl" else f"[{record}]", encoding="utf-8")

        exc = _raises(path, berakhlak, missing_items="missing")

        assert "more than 32 levels deep" in str(exc) and str(path) in str(exc)


def test_a_case_only_different_key_is_a_duplicate_column(berakhlak):
    rows = [{"respondent_id": "A", "Respondent_ID": "B", **{i: 3 for i in berakhlak.item_ids}}]

    exc = _raises(rows, berakhlak)

    [p] = exc.problems
    assert p.message == "columns 1 and 2 have the same header (ignoring case and spaces)"


@pytest.mark.parametrize(
    ("text", "why"),
    [
        pytest.param("[1, 2]", "a list", id="list"),
        pytest.param("true", "a true/false value", id="boolean"),
        pytest.param("Infinity", "a number that is not finite", id="infinity"),
        pytest.param('{"a": 1}', "an object", id="object"),
        pytest.param("1.5", "a number with a fraction", id="fraction"),
        pytest.param("1.98501012010011e17", "store the id column as text", id="float-over-2-53"),
    ],
)
def test_a_json_id_that_is_not_a_string_or_an_integer_is_refused(tmp_path, berakhlak, text, why):
    # Regression: lists, booleans and Infinity became their Python text ('[1 2]', 'True', 'inf').
    answers = ", ".join(f'"{i}": 3' for i in berakhlak.item_ids)
    path = tmp_path / "ids.json"
    path.write_text(f'[{{"respondent_id": {text}, {answers}}}]', encoding="utf-8")

    exc = _raises(path, berakhlak)

    [p] = exc.problems
    assert p.row == 1 and why in p.message


def test_an_18_digit_json_integer_id_is_read_exactly(tmp_path, berakhlak):
    records = [{"respondent_id": 198501012010011001 + k, **{i: 3 for i in berakhlak.item_ids}} for k in range(2)]
    path = tmp_path / "nip.json"
    path.write_text(json.dumps(records), encoding="utf-8")

    rs = read_responses(path, berakhlak)

    assert rs.respondent_ids.tolist() == ["198501012010011001", "198501012010011002"]


# --------------------------------------------------------------------------- pandas and Parquet


def test_a_float_id_column_that_cannot_hold_the_ids_exactly_is_refused(berakhlak):
    # Regression: 1.985010120100110e17 read as '198501012010011008' (digits altered).
    df = pd.DataFrame({"respondent_id": [1.98501012010011e17, 2.0], **{i: [3, 3] for i in berakhlak.item_ids}})

    exc = _raises(df, berakhlak)

    [p] = exc.problems
    assert p.row == 0
    assert "cannot hold it exactly" in p.message and "store the id column as text" in p.message


def test_parquet_binary_ids_are_decoded_and_undecodable_ones_refused(tmp_path, berakhlak):
    # Regression: binary ids read as "b'R001'".
    pytest.importorskip("pyarrow")
    df = pd.DataFrame({"respondent_id": [b"R001", b"R002"], "unit": [b"Umum", None], **{i: [3, 3] for i in berakhlak.item_ids}})
    path = tmp_path / "binary.parquet"
    df.to_parquet(path)

    rs = read_responses(path, berakhlak)

    assert rs.respondent_ids.tolist() == ["R001", "R002"]
    assert rs.unit.tolist() == ["Umum", ""]

    df["respondent_id"] = [b"R001", b"\xff\xfe"]
    df.to_parquet(path)
    [p] = _raises(path, berakhlak).problems
    assert (p.row, p.file) == (2, str(path)) and "not UTF-8 text" in p.message


def test_a_json_answer_of_4301_digits_is_an_unreadable_answer_and_such_an_id_is_kept_whole(tmp_path, berakhlak):
    # Regression: json.loads raised ValueError (integer string conversion limit), naming no line.
    answers = ", ".join(f'"{i}": 3' for i in berakhlak.item_ids[1:])
    path = tmp_path / "digits.json"
    path.write_text(f'[{{"respondent_id": "A", "{berakhlak.item_ids[0]}": {"7" * 4301}, {answers}}}]', encoding="utf-8")

    [p] = _raises(path, berakhlak).problems

    assert (p.row, p.respondent, p.item) == (1, "A", berakhlak.item_ids[0])
    assert p.value == "7" * 60 + "... (4301 characters)"

    path.write_text(f'[{{"respondent_id": {"7" * 4301}, "{berakhlak.item_ids[0]}": 3, {answers}}}]', encoding="utf-8")
    assert read_responses(path, berakhlak).respondent_ids.tolist() == ["7" * 4301]


def test_a_unit_whose_text_would_not_be_what_the_file_holds_is_refused(tmp_path, berakhlak):
    # Regression: a JSON list became the unit "['A']" and 1e17 the unit "100000000000000000".
    rows = [{"respondent_id": f"R{k}", "unit": unit, **{i: 3 for i in berakhlak.item_ids}} for k, unit in enumerate([["A"], 1e17, 5, 2.5])]
    path = tmp_path / "units.json"
    path.write_text(json.dumps(rows), encoding="utf-8")

    exc = _raises(path, berakhlak)

    assert [(p.row, p.value) for p in exc.problems] == [(1, ["A"]), (2, 1e17)]
    assert exc.problems[0].message == "column 'unit' holds a list; store the column as text"

    path.write_text(json.dumps(rows[2:]), encoding="utf-8")
    assert read_responses(path, berakhlak).unit.tolist() == ["5", "2.5"]


def test_a_workbook_whose_first_sheet_lost_its_data_is_not_read_from_the_second(tmp_path, berakhlak):
    # Regression: openpyxl skips a sheet whose XML is missing, so sheet 0 was the second sheet.
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    wb.active.title = "Jawaban"
    wb.active.append(["respondent_id", *berakhlak.item_ids])
    wb.active.append(["A", *[3] * 42])
    other = wb.create_sheet("Lama")
    other.append(["respondent_id", *berakhlak.item_ids])
    other.append(["Z", *[1] * 42])
    path = tmp_path / "two.xlsx"
    wb.save(path)
    _rewrite_xlsx(path, "xl/worksheets/sheet1.xml", lambda b: None)

    exc = _raises(path, berakhlak)

    assert str(exc) == f"The file {path} is not a readable .xlsx workbook: the data of sheets ['Jawaban'] is missing (a damaged file)."
