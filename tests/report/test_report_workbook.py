"""``output="report.xlsx"``: the report's tables as a workbook, with the HTML report's figures."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

import akhlak_levels as al
from akhlak_levels.cli import main

openpyxl = pytest.importorskip("openpyxl")


def _sheet(path, name):
    ws = openpyxl.load_workbook(path)[name]
    rows = list(ws.values)
    return ws, [dict(zip(rows[0], r)) for r in rows[1:]]


def test_agency_workbook_has_the_progress_figures(tmp_path, berakhlak_waves):
    waves = dict(berakhlak_waves)
    a = waves["2025"]
    unit = a.unit.astype(object)
    unit[unit == "Dinas Kesehatan"] = '=HYPERLINK("http://x","y")'
    waves["2025"] = replace(a, unit=unit.astype(str))
    [path] = al.report(waves, "berakhlak", output=tmp_path / "r.xlsx", lang="en")
    t = al.progress(waves, by="unit")
    ws, rows = _sheet(path, "Units x values")
    assert ws.freeze_panes == "A2"
    last = np.flatnonzero(t.wave == "2025")
    assert len(rows) == len(last)
    for rec, r in zip(rows, last):
        assert rec["Respondents"] == t.n[r]
        if t.suppressed[r]:
            assert rec["Suppressed"] == "yes" and rec["BerAKHLAK index"] is None and rec["Accountable"] is None
        else:
            assert rec["BerAKHLAK index"] == pytest.approx(t.index_mean[r], abs=1e-12)
            assert rec["BerAKHLAK index - Category"] == t.index_category[r]
    names = [rec["Unit"] for rec in rows]
    assert "'=HYPERLINK(\"http://x\",\"y\")" in names  # neutralised: text, not a formula
    ws, ranking = _sheet(path, "Ranking")
    assert [rec["Rank"] for rec in ranking] == sorted(t.rank_index[last][np.isfinite(t.rank_index[last])].astype(int).tolist())
    ws, change = _sheet(path, "Change")
    assert {round(rec["Difference"], 9) for rec in change if rec["Difference"] is not None} == {5.0}


def test_personal_workbook_and_the_cli(tmp_path, sel_waves):
    [path] = al.report(sel_waves, "socio-emotional-levels", kind="personal", output=tmp_path / "p.xlsx")
    _, rows = _sheet(path, "Skor per orang")
    a = sel_waves["2024"]
    assert [r["Responden"] for r in rows] == a.respondent_ids.tolist()
    np.testing.assert_allclose([r["Level harapan (rata-rata)"] for r in rows], a.expected_level, rtol=1e-12)
    out = tmp_path / "cli.xlsx"
    from pathlib import Path

    f = Path(__file__).resolve().parents[2] / "questionnaires" / "examples" / "berakhlak-excel-id.csv"
    assert main(["report", str(f), "-q", "berakhlak", "-o", str(out)]) == 0
    assert "Unit x nilai" in openpyxl.load_workbook(out).sheetnames
