"""Files written safely (akhlak_levels._export): cells a spreadsheet runs nothing from, and files
that appear whole or not at all."""

from __future__ import annotations

import math
import os
import stat

import pytest
from hypothesis import given
from hypothesis import strategies as st

from akhlak_levels._export import FORMULA_STARTS, AtomicFiles, atomic_write, spreadsheet_text

OWASP_PAYLOADS = [
    '=HYPERLINK("http://x","y")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1)",
    "\t=1+1",
    "\r=1+1",
    "=",
    "-",
]


@pytest.mark.parametrize("payload", OWASP_PAYLOADS)
def test_a_formula_like_text_gets_one_leading_quote(payload):
    assert spreadsheet_text(payload) == "'" + payload


@pytest.mark.parametrize("text", ["Dinas A", "P001", "", "'=already quoted", " =1", "1-2", "a@b", "SUM(A1)", "level 3"])
def test_ordinary_text_is_left_as_it_is(text):
    assert spreadsheet_text(text) == text


@pytest.mark.parametrize("number", [-0.25, float("-inf"), float("inf"), -3, 0, 2.5, True, None])
def test_numbers_and_other_values_stay_what_they_are(number):
    got = spreadsheet_text(number)
    assert got is number or got == number
    assert type(got) is type(number)


def test_nan_stays_a_float_nan():
    got = spreadsheet_text(float("nan"))
    assert isinstance(got, float) and math.isnan(got)


@given(st.text())
def test_the_rule_is_owasps_and_never_leaves_a_formula_start(text):
    got = spreadsheet_text(text)
    if text[:1] in FORMULA_STARTS and text:
        assert got == "'" + text
    else:
        assert got == text
    assert not got.startswith(FORMULA_STARTS)


@given(st.one_of(st.integers(), st.floats(allow_nan=False)))
def test_numbers_are_never_touched(x):
    assert spreadsheet_text(x) == x and type(spreadsheet_text(x)) is type(x)


# ------------------------------------------------------------------ atomic files


def test_a_file_appears_whole_when_the_block_succeeds(tmp_path):
    path = tmp_path / "out.csv"
    with atomic_write(path, newline="") as fh:
        fh.write("id\r\nA\r\n")
        assert not path.exists()  # nothing visible while it is being written
    assert path.read_bytes() == b"id\r\nA\r\n"
    assert os.listdir(tmp_path) == ["out.csv"]


@pytest.mark.parametrize("error", [RuntimeError("row 900 is bad"), KeyboardInterrupt()], ids=["exception", "interrupt"])
def test_a_failure_half_way_leaves_no_file_and_no_temporary_file(tmp_path, error):
    path = tmp_path / "out.csv"
    with pytest.raises(type(error)):
        with atomic_write(path) as fh:
            fh.write("x" * 100_000)
            raise error
    assert os.listdir(tmp_path) == []


def test_a_failure_leaves_an_existing_file_and_its_permissions_as_they_were(tmp_path):
    path = tmp_path / "out.csv"
    path.write_text("old content\n")
    os.chmod(path, 0o600)
    with pytest.raises(ValueError, match="bad row"):
        with atomic_write(path) as fh:
            fh.write("new content, half")
            raise ValueError("bad row")
    assert path.read_text() == "old content\n"
    assert os.listdir(tmp_path) == ["out.csv"]
    with atomic_write(path) as fh:
        fh.write("new\n")
    assert path.read_text() == "new\n"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600  # replacing keeps the file's permissions


def test_a_new_file_gets_the_permissions_a_plain_open_gives(tmp_path):
    with atomic_write(tmp_path / "a.txt") as fh:
        fh.write("a")
    with open(tmp_path / "b.txt", "w") as fh:
        fh.write("b")
    assert stat.S_IMODE(os.stat(tmp_path / "a.txt").st_mode) == stat.S_IMODE(os.stat(tmp_path / "b.txt").st_mode)


def test_several_files_appear_together_or_not_at_all(tmp_path):
    with pytest.raises(OSError, match="disk full"):
        with AtomicFiles() as files:
            files.open(tmp_path / "table.csv").write("a,b\n")
            files.open(tmp_path / "figure.png", "wb").write(b"\x89PNG")
            raise OSError("disk full")
    assert os.listdir(tmp_path) == []
    with AtomicFiles() as files:
        files.open(tmp_path / "table.csv").write("a,b\n")
        files.open(tmp_path / "figure.png", "wb").write(b"\x89PNG")
    assert sorted(os.listdir(tmp_path)) == ["figure.png", "table.csv"]
    assert (tmp_path / "figure.png").read_bytes() == b"\x89PNG"


def test_a_missing_directory_is_named_by_the_file_asked_for(tmp_path):
    target = tmp_path / "no-such-dir" / "out.csv"
    with pytest.raises(FileNotFoundError) as info:
        with atomic_write(target):
            pass
    assert info.value.filename == str(target)


def test_only_write_modes_are_accepted(tmp_path):
    with pytest.raises(ValueError, match=r"The 'mode' parameter of AtomicFiles.open must be one of \{'w', 'wb'\}. Got 'a' instead."):
        AtomicFiles().open(tmp_path / "x", "a")
    assert os.listdir(tmp_path) == []
