"""``score`` and ``validate`` read a file batch by batch (issue 15): the output does not depend
on the batch size, a fault in a late batch still fails the command and leaves no output file,
and the progress bar is shown on a terminal only."""

from __future__ import annotations

import csv
import io
import json
import os
import pty
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

import akhlak_levels as al
from akhlak_levels._export import spreadsheet_text, spreadsheet_texts
from akhlak_levels.cli import main
from akhlak_levels.cli._stream import read_ahead

SCRIPT = Path(sys.executable).parent / "akhlak-levels"
COMMAND = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "akhlak_levels"]


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    code = main([str(a) for a in args], stdout=out, stderr=err)
    return subprocess.CompletedProcess(args, code, out.getvalue(), err.getvalue())


def export(path: Path, sel, n: int, *, seed: int = 0, blank_every: int = 0, invalid_at=(), ids=None) -> Path:
    """A CSV of ids, units, a region and answers, with blank lines and bad answers where asked."""
    rs, _ = al.simulate(sel, n, random_state=seed, missing=0.1)
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["respondent_id", "unit", "region", *sel.item_ids])
        for r in range(n):
            answers = ["" if np.isnan(x) else int(x) for x in rs.values[r]]
            if r in invalid_at:
                answers[3] = "banyak"
            rid = ids[r] if ids is not None else f"P{r:05d}"
            w.writerow([rid, f"Unit {r % 7}", ["=SUM(A1)", "Jawa", "-2", ""][r % 4], *answers])
            if blank_every and r % blank_every == blank_every - 1:
                fh.write("\n")
    return path


@pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
def test_the_output_does_not_depend_on_the_batch_size(tmp_path, sel, suffix):
    src = export(tmp_path / "in.csv", sel, 230, blank_every=17, invalid_at={5, 150})
    outputs = []
    for size in (1, 7, 100, 100_000):
        out = tmp_path / f"o{size}{suffix}"
        r = run("score", src, "-q", "socio-emotional-levels", "--group-column", "region", "--on-invalid", "missing",
                "--batch-size", size, "-o", out)
        assert r.returncode == 0, r.stderr
        outputs.append((out.read_bytes(), r.stderr.replace(str(out), "OUT")))
    if suffix == ".csv":  # rounded to 6 decimals: the same bytes
        assert all(o == outputs[0] for o in outputs[1:])
    else:  # full precision: equal to the last bits the vectorised sums allow
        first = [json.loads(line) for line in outputs[0][0].splitlines()]
        for o in outputs[1:]:
            assert o[1] == outputs[0][1]
            again = [json.loads(line) for line in o[0].splitlines()]
            assert [rec.keys() for rec in again] == [rec.keys() for rec in first]
            for a, b in zip(again, first):
                for k, v in a.items():
                    if isinstance(v, float):
                        assert v == pytest.approx(b[k], rel=1e-12, abs=1e-15), (k, v, b[k])
                    else:
                        assert v == b[k], k
    assert "scored 230 respondents" in outputs[0][1] and "2 respondents carry flags" in outputs[0][1]
    if suffix == ".csv":
        rows = list(csv.DictReader(io.StringIO(outputs[0][0].decode("utf-8"))))
        expected = al.assess(sel, al.read_responses(src, sel, group_columns=["region"], on_invalid="missing"))
        assert [row["respondent_id"] for row in rows] == expected.respondent_ids.tolist()
        assert [row["region"] for row in rows[:4]] == ["'=SUM(A1)", "Jawa", "'-2", ""]
        np.testing.assert_allclose([float(row["p_level_3"]) for row in rows], expected.probabilities[:, 2], atol=5e-7)
        sd = [np.nan if row["scale_dependent"] == "" else float(row["scale_dependent"]) for row in rows]
        np.testing.assert_allclose(sd, expected.scale_scores[:, 0], atol=5e-7)  # NaN written empty
        assert [row["flags"] for row in rows[5:6]] == ["invalid:SE04"]


def test_a_fault_in_a_late_batch_fails_the_command_and_leaves_no_file(tmp_path, sel):
    ids = [f"P{r:05d}" for r in range(120)]
    ids[110] = ids[3]  # a repeat 107 rows later, in another batch
    src = export(tmp_path / "in.csv", sel, 120, ids=ids)
    out = tmp_path / "levels.csv"
    r = run("score", src, "-q", "socio-emotional-levels", "--ignore-column", "region", "--batch-size", 10, "-o", out)
    assert r.returncode == 3
    assert "duplicate respondent id, on rows [5, 112]" in r.stderr
    assert not out.exists() and os.listdir(tmp_path) == ["in.csv"]  # no partial or temporary file
    src = export(tmp_path / "in.csv", sel, 120, invalid_at={115})
    r = run("score", src, "-q", "socio-emotional-levels", "--ignore-column", "region", "--batch-size", 10, "-o", out)
    assert r.returncode == 3 and "row 117, respondent 'P00115', item 'SE04'" in r.stderr
    assert not out.exists()


def test_validate_says_the_same_for_every_batch_size(tmp_path, sel):
    src = export(tmp_path / "in.csv", sel, 90, blank_every=4, invalid_at={2, 40, 88})
    reports = [run("validate", src, "-q", "socio-emotional-levels", "--ignore-column", "region",
                   "--on-invalid", "missing", "--batch-size", size) for size in (1, 3, 50, 1000)]
    assert all(r.returncode == 0 for r in reports), reports[0].stderr
    assert all(r.stdout == reports[0].stdout for r in reports[1:])
    text = reports[0].stdout
    rs = al.read_responses(src, sel, ignore_columns=["region"], on_invalid="missing")
    assert "respondents: 90" in text
    assert f"answers missing: {100 * (1 - rs.answered.mean()):.1f}%" in text
    assert f"empty rows skipped: {list(rs.skipped_rows[:20])} ..." in text  # 22 blank lines, 20 shown
    assert "respondents flagged (answers set missing): 3" in text and "P00088: invalid:SE04" in text


def _on_a_terminal(args: list[str]) -> tuple[int, str]:
    """Run the command with stderr on a pseudo-terminal; its exit code and what the terminal got."""
    leader, follower = pty.openpty()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    proc = subprocess.Popen(COMMAND + args, stdout=subprocess.DEVNULL, stderr=follower, env=env)
    os.close(follower)
    chunks = []
    while True:
        try:
            data = os.read(leader, 4096)
        except OSError:  # the terminal closed with the process
            break
        if not data:
            break
        chunks.append(data)
    os.close(leader)
    return proc.wait(timeout=120), b"".join(chunks).decode("utf-8", "replace")


def test_the_progress_bar_is_shown_on_a_terminal_only(tmp_path, sel):
    src = export(tmp_path / "in.csv", sel, 3000)
    args = ["score", str(src), "-q", "socio-emotional-levels", "--ignore-column", "region", "--batch-size", "500", "-o", str(tmp_path / "o.csv")]
    code, shown = _on_a_terminal(args)
    assert code == 0, shown
    assert "scoring:" in shown and "100%" in shown and "3,000 respondents" in shown and "/s" in shown
    assert "scored 3,000 respondents" in shown  # the summary after the bar
    code, shown = _on_a_terminal([*args, "--quiet"])
    assert code == 0 and shown == ""
    r = subprocess.run(COMMAND + args, capture_output=True, text=True, timeout=120)  # stderr a pipe: no bar
    assert r.returncode == 0 and r.stderr.count("\n") == 1 and "\r" not in r.stderr
    assert r.stderr.startswith("scored 3,000 respondents")


def test_read_ahead_gives_every_item_in_order_and_raises_where_the_source_failed():
    assert list(read_ahead(iter(range(1000)))) == list(range(1000))

    def failing():
        yield 1
        yield 2
        raise ValueError("row 900 is bad")

    got = []
    with pytest.raises(ValueError, match="row 900 is bad"):
        for item in read_ahead(failing()):
            got.append(item)
    assert got == [1, 2]


def test_read_ahead_stops_its_thread_when_the_caller_stops_early():
    before = threading.active_count()
    items = read_ahead(iter(range(10**9)))
    assert next(items) == 0
    items.close()
    assert threading.active_count() == before


@given(st.lists(st.one_of(st.none(), st.text(max_size=6), st.sampled_from(["=1", "+", "-x", "@a", "\tz", "\r", "'="]))))
def test_the_column_neutraliser_agrees_with_the_cell_one(cells):
    assert spreadsheet_texts(pa.array(cells, type=pa.string())).to_pylist() == [spreadsheet_text(c) for c in cells]


def _store_contents(path: Path) -> tuple[list[tuple], list[tuple]]:
    """The ``waves`` rows without the time ``added``, and every ``wave_columns`` row."""
    import sqlite3

    con = sqlite3.connect(path)
    try:
        cols = [r[1] for r in con.execute("PRAGMA table_info(waves)")]
        waves = [tuple(v for c, v in zip(cols, r) if c != "added") for r in con.execute("SELECT * FROM waves ORDER BY position")]
        return waves, con.execute("SELECT * FROM wave_columns ORDER BY wave, chunk, part").fetchall()
    finally:
        con.close()


def test_score_into_a_store_streams_and_stores_what_add_stores(tmp_path, sel, monkeypatch):
    from akhlak_levels.store import AssessmentStore
    from akhlak_levels.store import _columns

    monkeypatch.setattr(_columns, "CHUNK_ROWS", 64)  # so that 230 rows make four chunks
    monkeypatch.setenv("STORE_KEY", "kunci-rahasia")
    src = export(tmp_path / "in.csv", sel, 230, blank_every=17, invalid_at={5, 150})
    options = ["-q", "socio-emotional-levels", "--group-column", "region", "--on-invalid", "missing"]
    whole = al.assess(sel, al.read_responses(src, sel, group_columns=["region"], on_invalid="missing"))
    with AssessmentStore(tmp_path / "expected.sqlite", pseudonymize_key="kunci-rahasia") as store:
        store.add(whole, wave="2025")
    expected = _store_contents(tmp_path / "expected.sqlite")
    plain = run("score", src, *options, "-o", tmp_path / "plain.csv")
    for size in (1, 7, 64, 100, 100_000):
        out, db = tmp_path / f"o{size}.csv", tmp_path / f"s{size}.sqlite"
        r = run("score", src, *options, "--batch-size", size, "-o", out, "--store", db, "--wave", "2025",
                "--pseudonymize-key-env", "STORE_KEY")
        assert r.returncode == 0, r.stderr
        assert "stored 230 respondents as wave '2025'" in r.stderr
        waves, chunks = _store_contents(db)
        assert out.read_bytes() == (tmp_path / "plain.csv").read_bytes()
        # every part byte for byte; the flag columns in the order their names first came (a flag
        # first seen in a later batch comes after the others): the same flags by name
        flag_names = json.loads(waves[0][12])
        assert sorted(flag_names) == sorted(json.loads(expected[0][0][12]))
        assert waves[0][:12] + waves[0][13:] == expected[0][0][:12] + expected[0][0][13:]
        assert [c for c in chunks if c[2] != "flags"] == [c for c in expected[1] if c[2] != "flags"]
        with AssessmentStore(db) as store:
            flags = store.load("2025").flags
        assert all(np.array_equal(flags[f], whole.flags[f]) for f in flag_names)
        if size >= 7:  # row 5's bad answer in the first batch: the flags in the order of scoring the file whole
            assert (waves, chunks) == expected
    assert plain.returncode == 0


def test_a_fault_in_a_late_batch_leaves_the_store_as_it_was(tmp_path, sel):
    db, out = tmp_path / "s.sqlite", tmp_path / "levels.csv"
    good = export(tmp_path / "good.csv", sel, 120)
    assert run("score", good, "-q", "socio-emotional-levels", "--ignore-column", "region", "--store", db, "--wave", "2025",
               "--quiet").returncode == 0
    before = _store_contents(db)
    bad = export(tmp_path / "bad.csv", sel, 120, seed=1, invalid_at={115})
    for extra in (["--wave", "2026"], ["--wave", "2025", "--replace"]):
        r = run("score", bad, "-q", "socio-emotional-levels", "--ignore-column", "region", "--batch-size", 10, "-o", out,
                "--store", db, *extra)
        assert r.returncode == 3 and "row 117, respondent 'P00115', item 'SE04'" in r.stderr
        assert not out.exists()
        assert _store_contents(db) == before
