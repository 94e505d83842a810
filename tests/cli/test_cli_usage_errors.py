"""Misuse of the command line ends in exit 2 with a one-line message and no traceback, before
any output is written (issue 13, item 3): a delimiter of several characters, --sheet on a file
that has no sheets, a threshold outside [0, 1], a wave the store already holds."""

import io
from pathlib import Path

import pytest

from akhlak_levels.cli._main import main

EXAMPLE = Path(__file__).resolve().parents[2] / "questionnaires" / "examples" / "socio-emotional-levels-google-forms.csv"
VOTES = Path(__file__).resolve().parents[2] / "questionnaires" / "examples" / "berakhlak-culture-map-google-forms.csv"
SCORE = ["score", str(EXAMPLE), "-q", "socio-emotional-levels", "--unit-column", "Unit Kerja"]


def cli(*args):
    out, err = io.StringIO(), io.StringIO()
    code = main([str(a) for a in args], stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("extra, message", [
    (["--delimiter", "||"], "argument --delimiter: expected one character (or 'tab'), got '||'"),
    (["--min-confidence", "7"], "argument --min-confidence: expected a number from 0 to 1, got 7"),
    (["--min-answered", "x"], "argument --min-answered: expected a number from 0 to 1, got 'x'"),
    (["--sheet", "foo"], "--sheet applies to .xlsx files;"),
])
def test_misuse_exits_2_with_one_line(extra, message, capsys):
    code, out, err = cli(*SCORE, *extra)
    captured = capsys.readouterr()  # argparse writes its usage errors to sys.stderr
    text = err + captured.err
    assert code == 2
    assert message in text
    assert "Traceback" not in text and out == ""


def test_a_tab_delimiter_is_accepted(tmp_path):
    import csv

    src = tmp_path / "t.tsv"
    with open(EXAMPLE, newline="", encoding="utf-8") as fin, open(src, "w", newline="", encoding="utf-8") as fout:
        csv.writer(fout, delimiter="\t").writerows(csv.reader(fin))
    code, out, err = cli("score", src, "-q", "socio-emotional-levels", "--unit-column", "Unit Kerja", "--delimiter", "tab")
    assert code == 0, err
    assert len(out.splitlines()) == 41


def test_a_wave_already_stored_is_refused_before_anything_is_written(tmp_path):
    store, first, second = tmp_path / "s.sqlite", tmp_path / "a.csv", tmp_path / "b.csv"
    assert cli(*SCORE, "--store", store, "--wave", "2025", "-o", first)[0] == 0
    code, _, err = cli(*SCORE, "--store", store, "--wave", "2025", "-o", second)
    assert code == 2
    assert f"{store} already holds wave '2025'; add --replace to replace it" in err
    assert not second.exists()
    assert cli(*SCORE, "--store", store, "--wave", "2025", "-o", second, "--replace")[0] == 0


def test_a_vote_wave_already_stored_is_refused_with_the_cli_flag(tmp_path):
    store = tmp_path / "v.sqlite"
    args = ["culture-map", VOTES, "-q", "berakhlak-culture-map", "--unit-column", "Unit Kerja", "--store", store, "--wave", "2024"]
    assert cli(*args)[0] == 0
    code, _, err = cli(*args)
    assert code == 2 and "already holds vote wave '2024'; add --replace to replace it" in err
    assert cli(*args, "--replace")[0] == 0


BERAKHLAK = Path(__file__).resolve().parents[2] / "questionnaires" / "examples" / "berakhlak-excel-id.csv"


def test_quality_group_follows_the_unit_column(tmp_path):
    """`--group unit` (or the unit column's own name) is the unit read with --unit-column; without
    a unit column it is a usage error naming the flag, not a Python hint."""
    renamed = tmp_path / "b.csv"
    renamed.write_text(BERAKHLAK.read_text(encoding="utf-8").replace("unit", "Unit Kerja", 1), encoding="utf-8")
    base = ["quality", renamed, "-q", "berakhlak"]
    by_flag = cli(*base, "--unit-column", "Unit Kerja", "--group", "unit")
    by_name = cli(*base, "--unit-column", "Unit Kerja", "--group", "Unit Kerja")
    assert by_flag[0] == 0 and by_name[0] == 0, (by_flag[2], by_name[2])
    assert "Differential item functioning across 'unit'" in by_flag[1]
    assert by_flag[1] == by_name[1]
    code, _, err = cli(*base, "--ignore-column", "Unit Kerja", "--group", "unit")
    assert code == 2 and "--group unit needs the unit column" in err and "--unit-column COLUMN" in err
