"""The files the command writes are safe to open in a spreadsheet (no cell runs a formula) and
appear whole, or not at all: issue 9, "Nothing lost, nothing leaked"."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import akhlak_levels as al
from akhlak_levels.cli import main

SCRIPT = Path(sys.executable).parent / "akhlak-levels"
COMMAND = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "akhlak_levels"]

#: Ids, units and group labels of an export tampered with (OWASP CSV injection).
PAYLOADS = ['=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)"]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
REGION = ("--group-column", "region")  # the export's third column


def run_script(*args):
    """The command as a user runs it: the installed script, in a process of its own."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env["PYTHONIOENCODING"] = "utf-8"
    return subprocess.run(COMMAND + [str(a) for a in args], capture_output=True, text=True, encoding="utf-8", env=env,
                          timeout=120)


def run(*args):
    """The command's entry point in this process (the same code as the script, faster)."""
    out, err = io.StringIO(), io.StringIO()
    code = main([str(a) for a in args], stdout=out, stderr=err)
    return subprocess.CompletedProcess(args, code, out.getvalue(), err.getvalue())


def read_csv(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


def tampered_export(path: Path, sel: al.Questionnaire, n: int = 60, seed: int = 0, shift: int = 0) -> Path:
    """A CSV export whose first ids, every unit and every region are formula payloads."""
    rs, _ = al.simulate(sel, n, random_state=seed)
    levels = np.clip(np.arange(n) % 5 + 1 + shift * (np.arange(n) % 2), 1, 5)
    rs, _ = al.simulate(sel, n, levels=levels, random_state=seed)
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["respondent_id", "unit", "region"] + list(sel.item_ids))
        for r in range(n):
            rid = PAYLOADS[r] if r < len(PAYLOADS) else f"P{r:03d}"
            answers = ["" if np.isnan(x) else int(x) for x in rs.values[r]]
            w.writerow([rid, PAYLOADS[r % 4], PAYLOADS[(r + 1) % 4]] + answers)
    return path


def assert_numbers_untouched(rows: list[dict[str, str]], columns) -> None:
    """Numeric columns hold numbers (or blanks), never a quoted text."""
    for row in rows:
        for c in columns:
            if row[c] not in ("", "True", "False"):
                float(row[c])  # raises on "'-0.25"


# ------------------------------------------------------------------ CSV injection


def test_score_neutralises_formula_ids_and_units_and_leaves_numbers_numbers(tmp_path, sel):
    src = tampered_export(tmp_path / "in.csv", sel)
    out = tmp_path / "levels.csv"
    r = run_script("score", src, "-q", "socio-emotional-levels", "--group-column", "region", "-o", out)
    assert r.returncode == 0, r.stderr
    rows = read_csv(out)
    assert [row["respondent_id"] for row in rows[:4]] == ["'" + p for p in PAYLOADS]
    assert rows[4]["respondent_id"] == "P004"
    assert [row["unit"] for row in rows[:4]] == ["'" + p for p in PAYLOADS]
    assert [row["region"] for row in rows[:4]] == ["'" + p for p in PAYLOADS[1:] + PAYLOADS[:1]]
    expected = al.assess(sel, al.read_responses(src, sel, group_columns=["region"]))
    np.testing.assert_allclose([float(row["expected_level"]) for row in rows], expected.expected_level, atol=1e-6)
    assert [int(row["level"]) for row in rows] == expected.level.tolist()
    numeric = [c for c in rows[0] if c not in ("respondent_id", "unit", "region", "level_label", "flags")]
    assert_numbers_untouched(rows, numeric)
    r = run("score", src, "-q", "socio-emotional-levels", *REGION, "--quiet")  # standard output goes through the same writer
    assert [row["respondent_id"] for row in csv.DictReader(io.StringIO(r.stdout))][:4] == ["'" + p for p in PAYLOADS]


def test_a_formula_column_name_is_neutralised_in_the_header(tmp_path, sel):
    src = tampered_export(tmp_path / "in.csv", sel)
    text = src.read_text(encoding="utf-8").replace(",region,", ",=cmd(),", 1)
    src.write_text(text, encoding="utf-8")
    out = tmp_path / "levels.csv"
    r = run("score", src, "-q", "socio-emotional-levels", "--group-column", "=cmd()", "-o", out)
    assert r.returncode == 0, r.stderr
    assert out.read_text(encoding="utf-8").splitlines()[0].split(",")[:4] == ["respondent_id", "unit", "'=cmd()", "level"]


def test_jsonl_is_written_as_it_is(tmp_path, sel):
    src = tampered_export(tmp_path / "in.csv", sel)
    out = tmp_path / "levels.jsonl"
    assert run("score", src, "-q", "socio-emotional-levels", *REGION, "-o", out).returncode == 0
    recs = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [rec["respondent_id"] for rec in recs[:4]] == PAYLOADS  # JSON is data, not a spreadsheet


def test_quality_tables_neutralise_ids_group_labels_and_keep_numbers(tmp_path, sel):
    src = tampered_export(tmp_path / "in.csv", sel)
    r = run("quality", src, "-q", "socio-emotional-levels", "--group", "region", "-o", tmp_path / "q.csv")
    assert r.returncode == 0, r.stderr
    careless = read_csv(tmp_path / "q-careless.csv")
    assert [row["respondent_id"] for row in careless[:4]] == ["'" + p for p in PAYLOADS]
    assert_numbers_untouched(careless, ["longstring_share", "irv", "mahalanobis", "person_fit"])
    decisions = read_csv(tmp_path / "q-level_decisions.csv")
    assert sorted(row["group"] for row in decisions) == sorted("'" + p for p in PAYLOADS)
    assert_numbers_untouched(decisions, ["n", "share_level_1", "impact_ratio_ge_3"])
    dif = read_csv(tmp_path / "q-dif.csv")
    assert len(dif) == sel.n_items and all(not row["note"].startswith(FORMULA_STARTS) for row in dif)
    assert_numbers_untouched(dif, ["chi2_uniform", "p_uniform_adjusted", "effect_size", "beta_change"])


def test_growth_and_transitions_csv_neutralise_units_and_keep_negative_changes_numbers(tmp_path, sel):
    store = tmp_path / "hr.sqlite"
    for i, wave in enumerate(["2024", "2025"]):
        src = tampered_export(tmp_path / f"w{wave}.csv", sel, n=80, seed=i, shift=-i)
        r = run("score", src, "-q", "socio-emotional-levels", "--store", store, "--wave", wave, *REGION, "--quiet")
        assert r.returncode == 0, r.stderr
    r = run("growth", "--store", store, "--by", "unit", "--min-group-size", "1", "-o", tmp_path / "g.csv")
    assert r.returncode == 0, r.stderr
    rows = read_csv(tmp_path / "g.csv")
    assert {row["group"] for row in rows} == {"(all)"} | {"'" + p for p in PAYLOADS}
    changes = [row["change_expected_level"] for row in rows if row["change_expected_level"]]
    assert any(c.startswith("-") for c in changes)  # a fall is a negative number, written as one
    assert_numbers_untouched(rows, ["n", "mean_expected_level", "change_expected_level", "share_level_4_5"])
    r = run("transitions", "--store", store, "--from", "2024", "--to", "2025", "-o", tmp_path / "t.csv")
    assert r.returncode == 0, r.stderr
    cells = read_csv(tmp_path / "t.csv")
    assert len(cells) == 25
    assert_numbers_untouched(cells, list(cells[0]))


# ------------------------------------------------------------------ no partial files


def failing_export(path: Path, sel: al.Questionnaire, n: int = 1000, bad_row: int = 899) -> Path:
    """A JSON export whose row ``bad_row`` has an id that cannot be written as UTF-8 (a lone
    surrogate, as a broken \\u escape gives): writing fails there, after the output is opened."""
    rs, _ = al.simulate(sel, n, random_state=0)
    recs = []
    for i in range(n):
        rec: dict = {"respondent_id": f"P{i:04d}" if i != bad_row else "P\udc80"}
        rec.update({it: None if np.isnan(v) else int(v) for it, v in zip(sel.item_ids, rs.values[i])})
        recs.append(rec)
    path.write_text(json.dumps(recs), encoding="utf-8")
    return path


@pytest.mark.parametrize("name", ["out.csv", "out.jsonl"])
def test_score_failing_in_row_900_leaves_no_file_and_an_old_file_unchanged(tmp_path, sel, name):
    src = failing_export(tmp_path / "in.json", sel)
    out = tmp_path / name
    r = run_script("score", src, "-q", "socio-emotional-levels", "-o", out)
    assert r.returncode == 3 and "can't encode character '\\udc80'" in r.stderr
    assert sorted(os.listdir(tmp_path)) == ["in.json"]  # no partial output, no temporary file
    out.write_text("the results of last year\n", encoding="utf-8")
    assert run("score", src, "-q", "socio-emotional-levels", "-o", out).returncode == 3
    assert out.read_text(encoding="utf-8") == "the results of last year\n"
    assert sorted(os.listdir(tmp_path)) == sorted(["in.json", name])


def test_storing_a_wave_again_writes_no_output(tmp_path, sel):
    src = tampered_export(tmp_path / "in.csv", sel)
    store, out = tmp_path / "s.sqlite", tmp_path / "out.csv"
    assert run("score", src, "-q", "socio-emotional-levels", "--store", store, "--wave", "2024", *REGION, "-o", out).returncode == 0
    first = out.read_bytes()
    out.unlink()
    r = run("score", src, "-q", "socio-emotional-levels", "--store", store, "--wave", "2024", *REGION, "-o", out)
    assert r.returncode == 2 and "already holds wave '2024'; add --replace to replace it" in r.stderr  # a usage error
    assert not out.exists()  # refused before anything was written
    out.write_text("kept\n", encoding="utf-8")
    assert run("score", src, "-q", "socio-emotional-levels", "--store", store, "--wave", "2024", *REGION, "-o", out).returncode == 2
    assert out.read_text(encoding="utf-8") == "kept\n"
    r = run("score", src, "-q", "socio-emotional-levels", "--store", store, "--wave", "2024", *REGION, "--replace", "-o", out)
    assert r.returncode == 0, r.stderr
    assert out.read_bytes() == first


def test_a_failing_figure_leaves_neither_the_table_nor_the_other_figure(tmp_path, sel, monkeypatch):
    pytest.importorskip("matplotlib")
    from akhlak_levels import plots

    store = tmp_path / "hr.sqlite"
    src = tampered_export(tmp_path / "in.csv", sel)
    assert run("score", src, "-q", "socio-emotional-levels", "--store", store, "--wave", "2024", *REGION, "--quiet").returncode == 0

    def broken(*args, **kwargs):
        raise ValueError("cannot draw the trajectories")

    monkeypatch.setattr(plots, "trajectory_figure", broken)
    r = run("growth", "--store", store, "-o", tmp_path / "g.csv", "--plot", tmp_path / "plots")
    assert r.returncode == 3 and "cannot draw the trajectories" in r.stderr
    assert not (tmp_path / "g.csv").exists()
    assert not (tmp_path / "plots").exists() or os.listdir(tmp_path / "plots") == []
