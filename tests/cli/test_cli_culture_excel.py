"""``--excel`` and ``-o OUT.xlsx`` on ``culture-map`` and ``culture-trend``: the CSV tables for
Excel with Indonesian settings (``;``, a decimal comma, UTF-8 with a byte-order mark, formula-like
text still neutralised) and the workbook hold the same values as the plain CSV, read back with
pyarrow and openpyxl; ``--excel`` where it would change nothing exits 2."""

from __future__ import annotations

import csv
import io

import numpy as np
import pytest

from akhlak_levels import load_questionnaire
from akhlak_levels.cli._culture import TABLES
from akhlak_levels.cli._main import main
from akhlak_levels.culture import simulate_votes

pa_csv = pytest.importorskip("pyarrow.csv")

QID = "berakhlak-culture-map"
Q = load_questionnaire(QID)
UNITS = np.array(["Bagian Umum", "=Keuangan", "Inspektorat"])
BOM = b"\xef\xbb\xbf"


def cli(*args):
    out, err = io.StringIO(), io.StringIO()
    code = main([str(a) for a in args], stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def _export(path, seed, decay, n=60):
    """A Google-Forms-like vote export of ``n`` people in three units (one named like a formula)."""
    votes, _ = simulate_votes(Q, n, decay=decay, random_state=seed)
    labels = [b.label["id"] for b in Q.behaviours]
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["respondent_id", "unit"] + [vq.id for vq in Q.vote_questions])
        for r, (rid, picks) in enumerate(zip(votes.respondent_ids, votes.picks)):
            w.writerow([rid, UNITS[r % 3]] + [", ".join(labels[int(b)] for b in row if b >= 0) for row in picks])
    return path


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Two vote waves in a store; the culture map of the second written plain, for Excel and as
    a workbook; the trend likewise."""
    tmp = tmp_path_factory.mktemp("excel")
    store = tmp / "s.sqlite"
    for wave, seed, decay in (("2024", 1, 0.5), ("2025", 2, 2.0)):
        code, _, err = cli("culture-map", _export(tmp / f"{wave}.csv", seed, decay), "-q", QID, "--by", "unit",
                           "--store", store, "--wave", wave, "--quiet", "-o", tmp / f"plain-{wave}.csv")
        assert code == 0, err
    last = tmp / "2025.csv"
    for args in (("--excel", "-o", tmp / "excel.csv"), ("-o", tmp / "map.xlsx")):
        code, _, err = cli("culture-map", last, "-q", QID, "--by", "unit", "--quiet", *args)
        assert code == 0, err
    for args in (("-o", tmp / "trend.csv"), ("--excel", "-o", tmp / "trend-excel.csv"), ("-o", tmp / "trend.xlsx")):
        code, _, err = cli("culture-trend", "--store", store, "-q", QID, "--by", "unit", *args)
        assert code == 0, err
    return tmp


def _plain(path):
    return pa_csv.read_csv(path)


def _excel(path):
    raw = path.read_bytes()
    assert raw.startswith(BOM)
    table = pa_csv.read_csv(path, parse_options=pa_csv.ParseOptions(delimiter=";"),
                            convert_options=pa_csv.ConvertOptions(decimal_point=","))
    return raw, table


def _same(got, want):
    assert got.column_names == want.column_names
    for name in want.column_names:
        assert got[name].to_pylist() == want[name].to_pylist(), name


def _workbook_rows(path, sheet):
    from openpyxl import load_workbook

    ws = load_workbook(path)[sheet]
    return ws, list(ws.iter_rows(values_only=True))


def _same_as_workbook(rows, want):
    """The sheet's rows equal the plain CSV read back (numbers as numbers, empty cells None)."""
    assert list(rows[0]) == want.column_names and len(rows) == want.num_rows + 1
    for j, name in enumerate(want.column_names):
        cells, values = [r[j] for r in rows[1:]], want[name].to_pylist()
        if all(isinstance(v, (int, float)) or v is None for v in values):
            np.testing.assert_allclose(np.array(cells, dtype=float), np.array(values, dtype=float), rtol=0, atol=1e-12,
                                       err_msg=name)
        else:
            assert [None if c == "" else c for c in cells] == values, name


def _decimal_commas(path, want):
    """Every cell of a float column of the Excel CSV ``path`` is written with a decimal comma
    (read back as text): none keeps a decimal point; returns how many have a comma."""
    import pyarrow as pa

    floats = [n for n in want.column_names if pa.types.is_floating(want[n].type)]
    text = pa_csv.read_csv(path, parse_options=pa_csv.ParseOptions(delimiter=";"),
                           convert_options=pa_csv.ConvertOptions(column_types={n: pa.string() for n in floats}))
    cells = [c for n in floats for c in text[n].to_pylist() if c]
    assert not [c for c in cells if "." in c]
    return sum("," in c for c in cells)


def test_culture_map_excel_csv_tables_equal_the_plain_ones(runs):
    commas = 0
    for name in (*TABLES, "ranking"):
        raw, got = _excel(runs / f"excel-{name}.csv")
        want = _plain(runs / f"plain-2025-{name}.csv")
        _same(got, want)
        assert raw[len(BOM):].split(b"\n", 1)[0] == ";".join(want.column_names).encode()
        commas += _decimal_commas(runs / f"excel-{name}.csv", want)
    assert commas > 50
    groups = _excel(runs / "excel-groups.csv")[1]["group"].to_pylist()
    assert "'=Keuangan" in groups  # still neutralised
    assert "=Keuangan" not in groups


def test_culture_map_workbook_has_a_sheet_per_table(runs):
    from openpyxl import load_workbook

    assert load_workbook(runs / "map.xlsx").sheetnames == [*TABLES, "ranking"]
    for name in (*TABLES, "ranking"):
        ws, rows = _workbook_rows(runs / "map.xlsx", name)
        _same_as_workbook(rows, _plain(runs / f"plain-2025-{name}.csv"))
    ws, rows = _workbook_rows(runs / "map.xlsx", "groups")
    col = rows[0].index("group")
    cell = next(c for c in ws.iter_cols(min_col=col + 1, max_col=col + 1, min_row=2) for c in c if c.value == "'=Keuangan")
    assert cell.data_type == "s"  # text, never a formula


def test_culture_trend_excel_csv_and_workbook_equal_the_plain_table(runs):
    want = _plain(runs / "trend.csv")
    raw, got = _excel(runs / "trend-excel.csv")
    _same(got, want)
    assert "'=Keuangan" in got["group"].to_pylist() and "=Keuangan" not in got["group"].to_pylist()
    assert _decimal_commas(runs / "trend-excel.csv", want) > 10
    _, rows = _workbook_rows(runs / "trend.xlsx", "trend")
    _same_as_workbook(rows, want)


@pytest.mark.parametrize("command", ["culture-map", "culture-trend"])
@pytest.mark.parametrize("output", [None, "out.json", "out.xlsx"])
def test_excel_without_a_csv_output_is_a_usage_error(runs, command, output):
    args = [runs / "2025.csv"] if command == "culture-map" else ["--store", runs / "s.sqlite"]
    code, out, err = cli(command, *args, "-q", QID, "--excel", *(["-o", runs / output] if output else []))
    assert (code, out) == (2, "")
    assert err == (f"akhlak-levels {command}: error: --excel writes the CSV tables for Excel with Indonesian settings; "
                   "give -o OUT.csv (or -o OUT.xlsx for a workbook, which needs no --excel)\n")
