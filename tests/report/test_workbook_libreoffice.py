"""The report workbook opened by LibreOffice (headless ``soffice``, the spreadsheet most agencies
without Excel use): every sheet converts, every number LibreOffice reads is the number openpyxl
reads (so the file's XML means the same to both), the figures are the library's, and a
formula-looking unit name stays text in LibreOffice (not evaluated).

Marked ``libreoffice``; skipped only where ``soffice`` is absent. ``.ci/run`` installs
``libreoffice-calc-nogui`` and sets ``AKHLAK_REQUIRE_LIBREOFFICE=1``, under which a missing
LibreOffice is an error.
"""

from __future__ import annotations

import csv
import math
import os
import shutil
import subprocess
from dataclasses import replace

import numpy as np
import pytest

import akhlak_levels as al

openpyxl = pytest.importorskip("openpyxl")

pytestmark = pytest.mark.libreoffice

SOFFICE = shutil.which("soffice")
if SOFFICE is None:
    if os.environ.get("AKHLAK_REQUIRE_LIBREOFFICE"):
        raise RuntimeError("AKHLAK_REQUIRE_LIBREOFFICE is set but soffice is not installed")
    pytest.skip("LibreOffice (soffice) is not installed", allow_module_level=True)

#: Comma-separated, UTF-8 (76), quoted text, full precision (not "as shown"), every sheet (-1).
CSV_FILTER = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"


def libreoffice_sheets(path, tmp_path):
    """Each sheet of the workbook as LibreOffice reads it: {sheet name: rows of text}."""
    out = tmp_path / "lo"
    profile = tmp_path / "lo-profile"
    subprocess.run(
        [SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
         "--convert-to", CSV_FILTER, "--outdir", str(out), str(path)],
        check=True, capture_output=True, timeout=120,
    )
    sheets = {}
    for f in sorted(out.glob(f"{path.stem}-*.csv")):
        with open(f, newline="", encoding="utf-8") as fh:
            sheets[f.stem[len(path.stem) + 1:]] = list(csv.reader(fh))
    return sheets


def _number(text):
    try:
        return float(text)
    except ValueError:
        return None


@pytest.fixture(scope="module")
def workbook(tmp_path_factory, berakhlak_waves):
    tmp = tmp_path_factory.mktemp("wb")
    waves = dict(berakhlak_waves)
    last = list(waves)[-1]
    unit = np.asarray(waves[last].unit).astype(object)
    unit[unit == unit[-1]] = "=1+1"  # a formula-looking unit name
    waves[last] = replace(waves[last], unit=unit.astype(str))
    path = al.report(waves, "berakhlak", output=tmp / "agency.xlsx", date="2025-01-31")[0]
    return path, waves


def test_libreoffice_reads_every_sheet_and_every_number_as_openpyxl_does(workbook, tmp_path):
    path, _ = workbook
    lo = libreoffice_sheets(path, tmp_path)
    book = openpyxl.load_workbook(path)
    assert sorted(lo) == sorted(book.sheetnames)
    n_numbers = 0
    for name in book.sheetnames:
        rows = [[c.value for c in row] for row in book[name].iter_rows()]
        assert len(lo[name]) == len(rows), name
        for r, (lo_row, xl_row) in enumerate(zip(lo[name], rows)):
            for c, v in enumerate(xl_row):
                text = lo_row[c] if c < len(lo_row) else ""
                if isinstance(v, (int, float)) and not isinstance(v, bool):
                    got = _number(text)
                    if got is None and text.endswith("%"):  # a share shown as a percentage
                        got = _number(text[:-1]) / 100
                    assert got is not None and math.isclose(got, v, rel_tol=1e-13, abs_tol=1e-13), (name, r, c, text, v)
                    n_numbers += 1
                elif v is None:
                    assert text == "", (name, r, c, text)
                else:
                    assert text == str(v), (name, r, c, text, v)
    assert n_numbers > 50


def test_the_figures_libreoffice_shows_are_the_library_s(workbook, tmp_path):
    path, waves = workbook
    lo = libreoffice_sheets(path, tmp_path)
    table = al.progress(waves, by="unit")
    sheet = next(rows for name, rows in lo.items() if name in ("Unit x nilai", "Units x values"))
    header = sheet[0]
    col = header.index("Indeks BerAKHLAK")
    last = table.waves.index(list(waves)[-1]) if hasattr(table, "waves") else None
    shown = {row[0]: row[col] for row in sheet[1:]}
    records = [r for r in table.to_records() if last is None or r.get("wave") == table.waves[last]]
    checked = 0
    for rec in records:
        group = rec.get("group") or rec.get("unit")
        key = "'" + group if group.startswith("=") else group
        if key not in shown or rec.get("index") is None:
            continue
        assert math.isclose(float(shown[key]), rec["index"], rel_tol=1e-13), (group, shown[key], rec["index"])
        checked += 1
    assert checked >= 3


def test_a_formula_looking_unit_stays_text_in_libreoffice(workbook, tmp_path):
    path, _ = workbook
    lo = libreoffice_sheets(path, tmp_path)
    units = [row[0] for name, rows in lo.items() if rows and rows[0][0] == "Unit" for row in rows[1:]]
    assert "'=1+1" in units  # shown as the text it is, in every sheet listing units ...
    assert "2" not in units and "=1+1" not in units  # ... never evaluated, never a formula
