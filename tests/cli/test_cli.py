"""The akhlak-levels command, run as a user runs it: through a subprocess, exit codes included."""

import csv
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import akhlak_levels as al

EXAMPLES = Path(__file__).resolve().parents[2] / "questionnaires" / "examples"
SCRIPT = Path(sys.executable).parent / "akhlak-levels"
COMMAND = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "akhlak_levels"]


def run(*args, cwd=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env["PYTHONIOENCODING"] = "utf-8"
    return subprocess.run(COMMAND + list(args), capture_output=True, text=True, encoding="utf-8", cwd=cwd, env=env, timeout=120)


def test_the_console_script_is_installed():
    assert SCRIPT.exists() or shutil.which("akhlak-levels"), "the akhlak-levels entry point is not installed"


def test_list_shows_both_instruments():
    r = run("list")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].split()[:4] == ["id", "version", "items", "scales"]
    assert lines[1].split()[:4] == ["berakhlak", "1.0.0", "42", "7"]
    assert lines[2].split()[:8] == ["berakhlak-culture-map", "1.0.0", "0", "7", "-", "3", "x", "74"]
    assert lines[3].split()[:6] == ["socio-emotional-levels", "1.0.0", "38", "5", "theory", "prior"]


@pytest.mark.parametrize("lang, needle", [("id", "Sangat setuju"), ("en", "Strongly agree")])
def test_show_prints_items_in_the_chosen_language(sel, lang, needle):
    r = run("show", "socio-emotional-levels", "--lang", lang)
    assert r.returncode == 0, r.stderr
    assert needle in r.stdout
    assert sel.item("SJ01").text[lang] in r.stdout


def test_validate_reports_the_export(tmp_path):
    r = run("validate", str(EXAMPLES / "socio-emotional-levels-google-forms.csv"), "-q", "socio-emotional-levels", "--unit-column", "Unit Kerja")
    assert r.returncode == 0, r.stderr
    assert "respondents: 40" in r.stdout
    assert "columns set aside: ['Timestamp', 'Email Address']" in r.stdout


def test_score_writes_a_csv_matching_the_python_api(tmp_path, sel):
    src = EXAMPLES / "socio-emotional-levels-google-forms.csv"
    out = tmp_path / "levels.csv"
    r = run("score", str(src), "--questionnaire", "socio-emotional-levels", "--unit-column", "Unit Kerja", "-o", str(out))
    assert r.returncode == 0, r.stderr
    assert r.stderr.startswith("scored 40 respondents")
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    expected = al.assess(sel, al.read_responses(src, sel, unit_column="Unit Kerja"))
    assert [row["respondent_id"] for row in rows] == expected.respondent_ids.tolist()
    assert [int(row["level"]) for row in rows] == expected.level.tolist()
    np.testing.assert_allclose([float(row["expected_level"]) for row in rows], expected.expected_level, atol=1e-6)
    assert rows[0]["unit"] == "Bagian Umum"
    assert "Email Address" not in rows[0] and "Timestamp" not in rows[0]  # personal columns do not leak


def test_score_to_stdout_and_jsonl(tmp_path, berakhlak):
    src = EXAMPLES / "berakhlak-excel-id.csv"
    r = run("score", str(src), "-q", "berakhlak", "--quiet")
    assert r.returncode == 0 and r.stderr == ""
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert len(rows) == 30 and rows[0]["respondent_id"] == "R001"
    out = tmp_path / "b.jsonl"
    r = run("score", str(src), "-q", "berakhlak", "-o", str(out))
    recs = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    expected = al.assess(berakhlak, src)
    assert [rec["index_category"] for rec in recs] == expected.index_category.tolist()
    assert "mean index" in r.stderr


def test_score_with_a_saved_model(tmp_path, sel):
    model = tmp_path / "m.json"
    probs = [np.full((it.n_options, 5), 1 / it.n_options) for it in sel.items]
    al.LevelModel.from_probabilities(sel, probs, [0.1, 0.1, 0.6, 0.1, 0.1]).save(model)
    out = tmp_path / "o.csv"
    r = run("score", str(EXAMPLES / "socio-emotional-levels-google-forms.csv"), "-q", "socio-emotional-levels",
            "--ignore-column", "Unit Kerja", "--model", str(model), "-o", str(out))
    assert r.returncode == 0, r.stderr
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert {row["level"] for row in rows} == {"3"}  # an uninformative model returns its prior
    assert {row["p_level_3"] for row in rows} == {"0.6"}


def test_invalid_input_exits_3_with_every_problem_on_stderr(tmp_path, sel):
    bad = tmp_path / "bad.csv"
    header = ["respondent_id"] + list(sel.item_ids)
    rows = [["a"] + ["3"] * sel.n_items, ["b"] + ["3"] * sel.n_items]
    rows[0][2] = "7"
    rows[1][5] = "banyak"
    bad.write_text("\n".join(",".join(r) for r in [header] + rows) + "\n", encoding="utf-8")
    r = run("score", str(bad), "-q", "socio-emotional-levels")
    assert r.returncode == 3
    assert r.stdout == ""
    assert f"file {bad}, row 2, respondent 'a', item 'SE02'" in r.stderr and "(got '7')" in r.stderr
    assert f"file {bad}, row 3, respondent 'b', item 'SE05'" in r.stderr and "(got 'banyak')" in r.stderr
    r = run("validate", str(bad), "-q", "socio-emotional-levels", "--on-invalid", "missing")
    assert r.returncode == 0
    assert "a: invalid:SE02" in r.stdout and "b: invalid:SE05" in r.stdout


@pytest.mark.parametrize(
    "args",
    [[], ["score"], ["score", "x.csv"], ["frobnicate"], ["show", "berakhlak", "--lang", "fr"], ["demo", "-n", "0"]],
    ids=["nothing", "score-without-file", "score-without-questionnaire", "unknown-command", "bad-language", "demo-zero"],
)
def test_usage_errors_exit_2(args):
    r = run(*args)
    assert r.returncode == 2
    assert "usage:" in r.stderr or "error:" in r.stderr


def test_an_unknown_questionnaire_or_missing_file_exits_3(tmp_path):
    assert run("show", "nope").returncode == 3
    r = run("score", str(tmp_path / "none.csv"), "-q", "berakhlak")
    assert r.returncode == 3 and "No responses file at" in r.stderr


def test_demo_shows_simulated_respondents_and_says_it_is_a_prior():
    r = run("demo", "-n", "5", "--seed", "1")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[2].split()[:3] == ["respondent", "true", "level"]
    assert len([ln for ln in lines if ln.startswith("sim-")]) == 5
    assert "theory prior" in r.stdout
    assert run("demo", "-n", "5", "--seed", "1").stdout == r.stdout


def test_version():
    r = run("--version")
    assert r.returncode == 0 and r.stdout.strip() == f"akhlak-levels {al.__version__}"


def _labelled_export(tmp_path, sel, n=1500):
    rs, truth = al.simulate(sel, n, random_state=4, missing=0.1)
    path = tmp_path / "labelled.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["respondent_id", "expert"] + list(sel.item_ids))
        for i in range(n):
            w.writerow([rs.respondent_ids[i], truth[i]] + ["" if np.isnan(x) else int(x) for x in rs.values[i]])
    return path, rs, truth


def test_calibrate_saves_a_model_prints_its_report_and_score_uses_it(tmp_path, sel):
    path, rs, truth = _labelled_export(tmp_path, sel)
    model = tmp_path / "m.json"
    r = run("calibrate", str(path), "-q", "socio-emotional-levels", "--ignore-column", "expert", "--seed", "3", "-o", str(model))
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("latent-class model of socio-emotional-levels 1.0.0, fitted on 1,500 respondents")
    assert "expected classification accuracy" in r.stdout
    assert "start 6/6: log-likelihood" in r.stderr
    expected = al.calibrate(sel, al.read_responses(path, sel, ignore_columns=["expert"]), random_state=3)
    assert al.load_model(model).hash == expected.hash  # the same fit as from Python, seed for seed
    out = tmp_path / "s.csv"
    r = run("score", str(path), "-q", "socio-emotional-levels", "--ignore-column", "expert", "--model", str(model), "-o", str(out))
    assert r.returncode == 0, r.stderr
    levels = [int(row["level"]) for row in csv.DictReader(io.StringIO(out.read_text(encoding="utf-8")))]
    assert np.mean(np.array(levels) == truth) > 0.9


def test_calibrate_with_labels_fits_a_supervised_model(tmp_path, sel):
    path, _, _ = _labelled_export(tmp_path, sel)
    model = tmp_path / "m.json"
    r = run("calibrate", str(path), "-q", "socio-emotional-levels", "--labels", "expert", "--seed", "1", "-o", str(model), "--quiet")
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""
    assert r.stdout.startswith("logistic model of socio-emotional-levels")
    assert "cross-validated (5 folds): accuracy" in r.stdout
    assert al.load_model(model).kind == "logistic"


@pytest.mark.parametrize(
    "extra, code, needle",
    [
        (["-o", "m.txt"], 2, "-o must end in .json"),
        (["-o", "m.json", "--method", "ordinal"], 2, "--method ordinal needs --labels COLUMN"),
        (["-o", "m.json", "--prior", "a,b"], 2, "--prior must be five numbers"),
        (["-o", "m.json", "--labels", "unit"], 3, "the group column 'unit' is not in the data"),
    ],
    ids=["bad-suffix", "ordinal-without-labels", "bad-prior", "unknown-labels-column"],
)
def test_calibrate_usage_and_input_errors(tmp_path, sel, extra, code, needle):
    path, _, _ = _labelled_export(tmp_path, sel, n=800)
    extra = [str(tmp_path / e) if e.startswith("m.") else e for e in extra]
    r = run("calibrate", str(path), "-q", "socio-emotional-levels", "--ignore-column", "expert", *extra)
    assert r.returncode == code, r.stderr
    assert needle in r.stderr


def test_quality_prints_the_tables_and_writes_json_and_csv(tmp_path, berakhlak):
    src = EXAMPLES / "berakhlak-excel-id.csv"
    out = tmp_path / "report.json"
    r = run("quality", str(src), "-q", "berakhlak", "-o", str(out))
    assert r.returncode == 0, r.stderr
    assert "Reliability" in r.stdout and "Items" in r.stdout
    doc = json.loads(out.read_text(encoding="utf-8"))
    expected = al.reliability(berakhlak, al.read_responses(src, berakhlak))
    assert [row["alpha"] for row in doc["reliability"]] == pytest.approx(expected.alpha.tolist(), abs=1e-12)
    assert len(doc["items"]) == berakhlak.n_items
    r = run("quality", str(src), "-q", "berakhlak", "--nan-policy", "median", "-o", str(tmp_path / "q.csv"))
    assert r.returncode == 0, r.stderr
    rows = list(csv.DictReader(io.StringIO((tmp_path / "q-reliability.csv").read_text(encoding="utf-8"))))
    assert [row["scale"] for row in rows] == [s.id for s in berakhlak.scales]
    assert run("quality", str(src), "-q", "berakhlak", "-o", str(tmp_path / "q.txt")).returncode == 2


def _wave_files(tmp_path, sel, n=120):
    levels = np.random.default_rng(0).integers(1, 6, n)
    units = np.array(["Dinas A", "Dinas B", "Badan C"], dtype=object)[np.arange(n) % 3]
    units[:3] = "Kantor Kecil"  # a group too small to show
    paths = []
    for i, wave in enumerate(["2024", "2025", "2026"]):
        rs, _ = al.simulate(sel, n, levels=np.clip(levels + i * (np.arange(n) % 2), 1, 5), random_state=i)
        path = tmp_path / f"w{wave}.csv"
        with path.open("w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["respondent_id", "unit"] + list(sel.item_ids))
            for r in range(n):
                w.writerow([f"P{r:03d}", units[r]] + ["" if np.isnan(x) else int(x) for x in rs.values[r]])
        paths.append((wave, path))
    return paths


def test_score_into_a_store_then_growth_and_transitions(tmp_path, sel):
    store = tmp_path / "hr.sqlite"
    for wave, path in _wave_files(tmp_path, sel):
        r = run("score", str(path), "-q", "socio-emotional-levels", "--store", str(store), "--wave", wave, "-o", str(tmp_path / f"s{wave}.csv"))
        assert r.returncode == 0, r.stderr
        assert f"stored 120 respondents as wave '{wave}'" in r.stderr
    again = run("score", str(path), "-q", "socio-emotional-levels", "--store", str(store), "--wave", "2026", "-o", str(tmp_path / "x.csv"))
    assert again.returncode == 2 and "add --replace to replace it" in again.stderr  # never duplicated
    r = run("growth", "--store", str(store), "--by", "unit", "-o", str(tmp_path / "g.json"), "--plot", str(tmp_path / "plots"))
    assert r.returncode == 0, r.stderr
    rows = json.loads((tmp_path / "g.json").read_text(encoding="utf-8"))
    small = [row for row in rows if row["group"] == "Kantor Kecil"]
    assert len(small) == 3 and all(row["suppressed"] and row["mean_expected_level"] is None for row in small)
    assert (tmp_path / "plots" / "levels.png").read_bytes()[:4] == b"\x89PNG"
    r = run("transitions", "--store", str(store), "--from", "2024", "--to", "2025", "-o", str(tmp_path / "t.csv"), "--plot", str(tmp_path / "plots"))
    assert r.returncode == 0, r.stderr
    assert "120 respondents in both waves" in r.stdout
    cells = list(csv.DictReader(io.StringIO((tmp_path / "t.csv").read_text(encoding="utf-8"))))
    assert len(cells) == 25 and sum(int(c["count"]) for c in cells) <= 120
    assert (tmp_path / "plots" / "transitions-corrected.png").exists()


@pytest.mark.parametrize(
    "args, needle",
    [
        (["growth", "--store", "missing.sqlite"], "no store at"),
        (["transitions", "--store", "STORE", "--from", "2020", "--to", "2024"], "the store has no wave '2020'"),
    ],
    ids=["no-store", "unknown-wave"],
)
def test_growth_usage_errors(tmp_path, sel, args, needle):
    store = tmp_path / "hr.sqlite"
    wave, path = _wave_files(tmp_path, sel, n=30)[0]
    assert run("score", str(path), "-q", "socio-emotional-levels", "--store", str(store), "--wave", wave, "--quiet").returncode == 0
    args = [str(store) if a == "STORE" else (str(tmp_path / a) if a.endswith(".sqlite") else a) for a in args]
    r = run(*args)
    assert r.returncode == 2 and needle in r.stderr


def test_store_needs_a_wave(tmp_path, sel):
    wave, path = _wave_files(tmp_path, sel, n=30)[0]
    r = run("score", str(path), "-q", "socio-emotional-levels", "--store", str(tmp_path / "s.sqlite"))
    assert r.returncode == 2 and "--store needs --wave" in r.stderr


def test_quality_with_a_group_writes_dif_and_level_decisions(tmp_path, sel):
    """--group adds the fairness tables: DIF across the column's groups and, for an instrument
    with levels, the level decisions by group (the same numbers as the Python calls)."""
    src = EXAMPLES / "socio-emotional-levels-google-forms.csv"
    out = tmp_path / "fair.json"
    r = run("quality", str(src), "-q", "socio-emotional-levels", "--group", "Unit Kerja", "-o", str(out))
    assert r.returncode == 0, r.stderr
    assert "Differential item functioning across 'Unit Kerja'" in r.stdout
    assert "Level decisions by 'Unit Kerja'" in r.stdout
    doc = json.loads(out.read_text(encoding="utf-8"))
    rs = al.read_responses(src, sel, group_columns=["Unit Kerja"])
    expected = al.level_decisions_by_group(sel, rs, "Unit Kerja")
    assert [row["group"] for row in doc["level_decisions"]] == list(expected.group)
    assert [row["n"] for row in doc["level_decisions"]] == expected.n.tolist()
    assert len(doc["dif"]) == sel.n_items
