"""The workbook writer (akhlak_levels._workbook): read back with openpyxl, the cells hold the
values given (full precision, rounded only for display), headers are bold and frozen, category
cells are filled, no text is ever a formula, sheet names are valid and distinct, and any text,
control characters included, is stored as a spreadsheet will show it (or refused, past Excel's
cell limit)."""

from __future__ import annotations

import datetime as dt
import math
import os
import re
import zipfile

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from akhlak_levels._workbook import (
    MAX_SHEET_NAME,
    MAX_TEXT,
    sheet_names,
    workbook_text,
    write_workbook,
)

openpyxl = pytest.importorskip("openpyxl")
from openpyxl.utils.escape import unescape

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
GREEN, YELLOW = "#66bd63", "#d9ef8b"


def _xml_char(c: str) -> bool:
    """The Char production of XML 1.0 (what a worksheet can hold), written out independently."""
    o = ord(c)
    return o in (0x9, 0xA, 0xD) or 0x20 <= o <= 0xD7FF or 0xE000 <= o <= 0xFFFD or 0x10000 <= o <= 0x10FFFF


def _shown(text: str) -> str:
    """What a spreadsheet shows for a text we gave: XML-illegal characters as U+FFFD, and a
    ``'`` in front when the text starts like a formula."""
    clean = "".join(c if _xml_char(c) else "\ufffd" for c in text)
    return "'" + clean if clean.startswith(FORMULA_STARTS) else clean


def _read(path, sheet=None):
    wb = openpyxl.load_workbook(path)
    return wb[sheet] if sheet else wb.worksheets[0]


def _values(ws):
    return [[c.value for c in row] for row in ws.iter_rows()]


RECORDS = [
    {"Unit": "Dinas A", "Indeks": 80.123456789, "Kategori": "A", "n": 31, "Ditekan": False},
    {"Unit": "Dinas B", "Indeks": 61.5, "Kategori": "Cukup Sehat", "n": 12, "Ditekan": False},
    {"Unit": "Dinas C", "Indeks": math.nan, "Kategori": None, "n": 3, "Ditekan": True},
]


def test_values_formats_bold_frozen_header(tmp_path):
    path = write_workbook(tmp_path / "r.xlsx", {"Unit": RECORDS})
    assert path == tmp_path / "r.xlsx"
    ws = _read(path)
    assert _values(ws) == [["Unit", "Indeks", "Kategori", "n", "Ditekan"],
                           ["Dinas A", 80.123456789, "A", 31, False],
                           ["Dinas B", 61.5, "Cukup Sehat", 12, False],
                           ["Dinas C", None, None, 3, True]]
    assert ws.freeze_panes == "A2"
    assert all(c.font.b for c in ws[1]) and not any(c.font.b for c in ws[2])
    # floats keep every digit and show one decimal; whole numbers and text show as they are
    assert ws["B2"].number_format == "0.0" and ws["B3"].number_format == "0.0"
    assert ws["D2"].number_format == "General" and ws["A2"].number_format == "General"
    assert ws["B2"].data_type == "n" and ws["D2"].data_type == "n" and ws["E4"].data_type == "b"
    assert openpyxl.load_workbook(path).properties.language == "id"


def test_columns_give_the_same_sheet_as_records(tmp_path):
    columns = {"Unit": np.array(["Dinas A", "Dinas B", "Dinas C"]), "Indeks": np.array([80.123456789, 61.5, np.nan]),
               "Kategori": ["A", "Cukup Sehat", None], "n": np.array([31, 12, 3], dtype=np.int64),
               "Ditekan": np.array([False, False, True])}
    a = write_workbook(tmp_path / "a.xlsx", {"s": RECORDS})
    b = write_workbook(tmp_path / "b.xlsx", {"s": columns})
    wa, wb = _read(a), _read(b)
    assert _values(wa) == _values(wb)
    assert [c.number_format for c in wa[2]] == [c.number_format for c in wb[2]]
    with pytest.raises(ValueError, match=r"columns of sheet 's' differ in length: 'x': 2, 'y': 1"):
        write_workbook(tmp_path / "c.xlsx", {"s": {"x": [1, 2], "y": [1]}})
    with pytest.raises(TypeError, match=r"Sheet 's': record 1 is a list, not a mapping"):
        write_workbook(tmp_path / "c.xlsx", {"s": [{"x": 1}, [1]]})
    assert not (tmp_path / "c.xlsx").exists()


def test_records_with_different_keys_take_the_union_in_order(tmp_path):
    ws = _read(write_workbook(tmp_path / "r.xlsx", {"s": [{"a": 1}, {"b": "x", "a": 2}, {"c": 0.5}]}))
    assert _values(ws) == [["a", "b", "c"], [1, None, None], [2, "x", None], [None, None, 0.5]]


def test_a_dataframe_is_a_table_too(tmp_path):
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(RECORDS)
    ws = _read(write_workbook(tmp_path / "r.xlsx", {"s": frame}))
    assert _values(ws) == _values(_read(write_workbook(tmp_path / "q.xlsx", {"s": RECORDS})))


def test_number_format_per_column_and_no_frozen_header(tmp_path):
    path = write_workbook(tmp_path / "r.xlsx", {"s": {"Indeks": [60.84656084656084], "p": [0.012345]}},
                          number_format={"p": "0.000"}, freeze_header=False, lang="en")
    ws = _read(path)
    assert ws["A2"].value == 60.84656084656084 and ws["A2"].number_format == "0.0"
    assert ws["B2"].value == 0.012345 and ws["B2"].number_format == "0.000"
    assert ws.freeze_panes is None
    assert openpyxl.load_workbook(path).properties.language == "en"
    with pytest.raises(ValueError, match="The 'lang' parameter of write_workbook must be"):
        write_workbook(tmp_path / "x.xlsx", {"s": []}, lang="fr")


def test_category_cells_are_filled_with_their_colours(tmp_path):
    fills = {"A": GREEN, "Sehat": GREEN, "B": YELLOW, "Cukup Sehat": "d9ef8b"}
    ws = _read(write_workbook(tmp_path / "r.xlsx", {"s": RECORDS}, category_fills=fills))
    assert ws["C2"].fill.fill_type == "solid" and ws["C2"].fill.fgColor.rgb == "FF66BD63"
    assert ws["C3"].fill.fgColor.rgb == "FFD9EF8B"
    # only the cells equal to a key: not the unit names, not the numbers, not the header
    for ref in ("A2", "B2", "D2", "C1", "C4"):
        assert ws[ref].fill.fill_type is None, ref
    without = _read(write_workbook(tmp_path / "n.xlsx", {"s": RECORDS}))
    assert without["C2"].fill.fill_type is None
    with pytest.raises(ValueError, match="The 'category_fills' parameter of write_workbook must be a mapping of text to colours"):
        write_workbook(tmp_path / "x.xlsx", {"s": RECORDS}, category_fills={"A": "green"})


@pytest.mark.parametrize("unit", ['=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)",
                                  "\t=1+1", "\r=1+1", "=1"])
def test_a_formula_looking_text_is_stored_as_text_never_as_a_formula(tmp_path, unit):
    path = write_workbook(tmp_path / "r.xlsx", {"s": [{"Unit": unit, unit: 1.5}]})
    ws = _read(path)
    for cell in (ws["A2"], ws["B1"]):  # a cell and a header
        assert cell.data_type == "s"
        assert unescape(cell.value) == "'" + unit
    with zipfile.ZipFile(path) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet and "<f " not in sheet
    # numbers are never touched: a negative number stays a number
    ws = _read(write_workbook(tmp_path / "n.xlsx", {"s": [{"x": -0.25, "y": -3}]}))
    assert (ws["A2"].value, ws["B2"].value) == (-0.25, -3)


def test_sheet_names_are_valid_short_and_distinct(tmp_path):
    long = "Indeks BerAKHLAK per unit kerja, gelombang "
    names = [long + "2025", long + "2026", "INDEKS BERAKHLAK PER UNIT KERJA, GELOMBANG 2027", "a/b:c?d*e[f]",
             "=cmd", "'quoted'", "", "History"]
    got = sheet_names(names)
    assert all(0 < len(n) <= MAX_SHEET_NAME for n in got)
    assert len({n.casefold() for n in got}) == len(got)
    assert got[0] == (long + "2025")[:31] and got[1].endswith("~2") and got[2].endswith("~3")
    assert got[3:] == ["a_b_c_d_e_f_", "\u2019=cmd", "\u2019quoted\u2019", "Sheet", "History_"]
    path = write_workbook(tmp_path / "r.xlsx", {n: [{"x": i}] for i, n in enumerate(names)})
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == got
    assert [wb[n]["A2"].value for n in got] == list(range(len(names)))


def test_what_excel_cannot_hold_as_a_number_or_an_empty_cell(tmp_path):
    nip = 199001012015031001  # an 18-digit NIP: not exact as a double
    ws = _read(write_workbook(tmp_path / "r.xlsx", {"s": {
        "id": [nip, 2**53 - 1], "x": [math.inf, -math.inf], "big": [1e308, -1.7976931348623157e308], "y": [np.float32(0.5), None],
        "d": [dt.date(2026, 12, 6), dt.datetime(2026, 12, 6, 8, 0, tzinfo=dt.timezone(dt.timedelta(hours=7)))]}}))
    assert ws["A2"].value == "199001012015031001" and ws["A2"].data_type == "s"
    assert ws["A3"].value == 2**53 - 1
    assert (ws["B2"].value, ws["B3"].value) == ("\u221e", "\u2212\u221e")
    assert (ws["C2"].value, ws["C3"].value) == ("1e+308", "\u22121.7976931348623157e+308")
    assert ws["D2"].value == 0.5 and ws["D3"].value is None
    assert ws["E2"].value == dt.datetime(2026, 12, 6) and ws["E3"].value == dt.datetime(2026, 12, 6, 1, 0)


def test_column_widths_fit_the_contents(tmp_path):
    ws = _read(write_workbook(tmp_path / "r.xlsx", {"s": {
        "n": [1, 2], "Unit kerja": ["Dinas A", "Badan Perencanaan Pembangunan Daerah"], "x": [0.5, 123456.75],
        "long": ["z" * 500, "y"], "share": [1.0, 0.12345]}}, number_format={"share": "0.0%"}))
    w = {k: ws.column_dimensions[k].width for k in "ABCDE"}
    assert w["A"] == 6  # the floor
    assert w["B"] == len("Badan Perencanaan Pembangunan Daerah") + 2
    assert w["C"] == len("123456.8") + 2  # as shown with one decimal
    assert w["D"] == 60  # the ceiling
    assert w["E"] == len("100.0%") + 2 and ws["E3"].number_format == "0.0%" and ws["E3"].value == 0.12345


def test_a_failure_leaves_no_file_and_an_existing_file_untouched(tmp_path):
    path = write_workbook(tmp_path / "r.xlsx", {"s": RECORDS})
    before = path.read_bytes()
    too_long = "x" * (MAX_TEXT + 1)
    with pytest.raises(ValueError, match=r"Sheet 'b', column 'note', row 2: a text of 32,768 characters; "
                                         r"Excel holds at most 32,767"):
        write_workbook(path, {"a": RECORDS, "b": {"note": ["ok", too_long]}})
    assert path.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["r.xlsx"]
    # the longest text Excel holds is written whole
    ws = _read(write_workbook(tmp_path / "m.xlsx", {"s": {"note": ["x" * MAX_TEXT]}}))
    assert ws["A2"].value == "x" * MAX_TEXT


def test_control_characters_carriage_returns_and_ooxml_escapes(tmp_path):
    texts = ["Dinas\x00A", "a\x0bb\x1fc", "line\r\nbreak", "_x0041_", "_x005F_", "\ud800x", "tab\tinside", "é😀\u2028"]
    ws = _read(write_workbook(tmp_path / "r.xlsx", {"s": {"t": texts}}))
    shown = [unescape(ws.cell(row=i + 2, column=1).value) for i in range(len(texts))]
    assert shown == ["Dinas\ufffdA", "a\ufffdb\ufffdc", "line\r\nbreak", "_x0041_", "_x005F_", "\ufffdx",
                     "tab\tinside", "é😀\u2028"]
    assert workbook_text("\x00=1") == "\ufffd=1"  # replaced first: no longer a formula start


def test_wrong_sheets_argument(tmp_path):
    with pytest.raises(TypeError, match="The 'sheets' parameter of write_workbook must be a non-empty mapping"):
        write_workbook(tmp_path / "r.xlsx", [RECORDS])
    with pytest.raises(ValueError, match="The 'sheets' parameter of write_workbook must be a non-empty mapping"):
        write_workbook(tmp_path / "r.xlsx", {})
    with pytest.raises(TypeError, match="Sheet 's' is a str"):
        write_workbook(tmp_path / "r.xlsx", {"s": "abc"})


ANY_TEXT = st.text(st.characters(codec=None, exclude_categories=()), max_size=40)
CELL = st.one_of(ANY_TEXT, st.floats(), st.integers(min_value=-(2**63), max_value=2**63), st.booleans(), st.none())


def _expected(x):
    """The value openpyxl reads back (after OOXML unescaping) for a value we wrote."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return None
    if isinstance(x, float) and math.isinf(x):
        return "\u221e" if x > 0 else "\u2212\u221e"
    if isinstance(x, int) and not isinstance(x, bool) and abs(x) >= 2**53:
        return str(x)
    if isinstance(x, float) and abs(x) > 9.99999999999999e307:  # Excel's largest number
        return repr(x).replace("-", "\u2212")
    if isinstance(x, str):
        return _shown(x) or None  # an empty text is an empty cell
    return x


def _kind(x):
    return "number" if isinstance(x, (int, float)) and not isinstance(x, bool) else type(x).__name__


@given(records=st.lists(st.dictionaries(ANY_TEXT, CELL, max_size=4), min_size=1, max_size=6), title=ANY_TEXT)
def test_any_records_read_back_as_given(tmp_path_factory, records, title):
    path = tmp_path_factory.mktemp("wb") / "r.xlsx"
    write_workbook(path, {title: records})
    ws = _read(path)
    assert ws.title == sheet_names([title])[0]
    headers = list(dict.fromkeys(k for r in records for k in r))
    rows = list(ws.iter_rows())
    if not headers:
        assert ws.max_row == 1 and ws["A1"].value is None
        return
    assert [unescape(c.value) if c.value is not None else None for c in rows[0]] == [_shown(h) or None for h in headers]
    for i, record in enumerate(records):
        cells = rows[i + 1] if i + 1 < len(rows) else []
        got = [c.value for c in cells] + [None] * (len(headers) - len(cells))
        for h, cell_value in zip(headers, got):
            want = _expected(record.get(h))
            value = unescape(cell_value) if isinstance(cell_value, str) else cell_value
            # Excel has one number type (openpyxl reads 0.0 back as 0); text, booleans and empty stay apart
            # openpyxl writes a float with 16 significant digits ("%.16g"; Excel shows 15)
            if _kind(want) == "number":
                assert _kind(value) == "number" and value == pytest.approx(want, rel=1e-15, abs=0), (h, want)
            else:
                assert value == want and _kind(value) == _kind(want), (h, record.get(h))
    assert all(c.data_type != "f" for row in rows for c in row)


@given(names=st.lists(ANY_TEXT, min_size=1, max_size=8))
def test_any_sheet_names_are_valid_for_excel(names):
    got = sheet_names(names)
    assert len(got) == len(names) and len({n.casefold() for n in got}) == len(got)
    for n in got:
        assert 0 < len(n) <= MAX_SHEET_NAME
        assert not re.search(r"[:\\/?*\[\]]", n) and all(_xml_char(c) and ord(c) >= 0x20 for c in n)
        assert not n.startswith("'") and not n.endswith("'") and not n.startswith(FORMULA_STARTS)
        assert n.casefold() != "history"
