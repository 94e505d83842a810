"""Every subcommand explains itself: a description, help on every option and positional, and an
examples epilog whose examples run (exit 0) on the bundled example exports, so they cannot rot."""

from __future__ import annotations

import argparse
import io
import shlex
import shutil
from pathlib import Path

import pytest

from akhlak_levels.cli import main
from akhlak_levels.cli._main import build_parser

ROOT = Path(__file__).resolve().parents[2]

#: Commands that never end by themselves (a server): their examples are parsed, not run.
LONG_RUNNING = {"serve"}


def _subparsers() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    (sub,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(sub.choices)


def _examples(parser: argparse.ArgumentParser) -> list[str]:
    """The command lines of an epilog: its lines ``$ akhlak-levels ...``."""
    return [line.strip()[2:] for line in (parser.epilog or "").splitlines() if line.strip().startswith("$ akhlak-levels ")]


def test_every_subcommand_has_a_description_help_on_every_argument_and_examples():
    subparsers = _subparsers()
    assert {"list", "show", "validate", "score", "growth", "transitions", "calibrate", "quality", "culture-map",
            "culture-trend", "report", "demo"} <= set(subparsers)
    for name, p in subparsers.items():
        assert p.description and len(p.description.split()) >= 8, f"{name}: no description"
        for action in p._actions:
            assert action.help and action.help.strip(), f"{name}: {action.option_strings or action.dest} has no help"
            if action.default not in (None, False, [], argparse.SUPPRESS):  # a default that is not "nothing"
                assert "default" in action.help, f"{name}: the help of {action.option_strings} does not say its default"
        examples = _examples(p)
        assert examples, f"{name}: no example line ($ akhlak-levels {name} ...) in the epilog"
        assert any(shlex.split(e)[1] == name for e in examples), f"{name}: no example of the command itself"
        assert isinstance(p.formatter_class, type) and issubclass(p.formatter_class, argparse.RawDescriptionHelpFormatter)


def test_the_help_shows_description_and_examples_verbatim():
    text = _subparsers()["score"].format_help()
    assert "Score an export into level probabilities" in text
    assert "\nexamples:\n  # levels and scale scores as CSV\n  $ akhlak-levels score questionnaires/examples/" in text
    assert "-q ID, --questionnaire ID\n" in text and "a bundled questionnaire id" in text


@pytest.fixture(scope="module")
def stores(tmp_path_factory) -> Path:
    """``hr.sqlite`` (the Google Forms example as waves 2024 and 2025) and ``culture.sqlite`` (the
    vote example as vote waves 2024 and 2025): what the store-reading examples expect to find."""
    folder = tmp_path_factory.mktemp("stores")
    (folder / "questionnaires").symlink_to(ROOT / "questionnaires")
    se = "questionnaires/examples/socio-emotional-levels-google-forms.csv"
    votes = "questionnaires/examples/berakhlak-culture-map-google-forms.csv"
    import os

    here = os.getcwd()
    os.chdir(folder)
    try:
        for wave in ("2024", "2025"):
            code = main(["score", se, "-q", "socio-emotional-levels", "--unit-column", "Unit Kerja", "--quiet",
                         "--store", "hr.sqlite", "--wave", wave, "-o", f"levels-{wave}.csv"],
                        stdout=io.StringIO(), stderr=io.StringIO())
            assert code == 0
            code = main(["culture-map", votes, "-q", "berakhlak-culture-map", "--unit-column", "Unit Kerja", "--quiet",
                         "--store", "culture.sqlite", "--wave", wave], stdout=io.StringIO(), stderr=io.StringIO())
            assert code == 0
    finally:
        os.chdir(here)
    return folder


COMMAND_NAMES = list(_subparsers())


@pytest.mark.parametrize("name", COMMAND_NAMES)
def test_the_examples_of_the_help_run(name, stores, tmp_path, monkeypatch):
    """The examples of a command run in order (a first one may prepare a file for the next), from
    a folder holding ``questionnaires/``; an example that reads a store (``--store`` without
    ``--wave``) finds the stores of the fixture there. Each exits 0 and prints or writes."""
    (tmp_path / "questionnaires").symlink_to(ROOT / "questionnaires")
    monkeypatch.chdir(tmp_path)
    for example in _examples(_subparsers()[name]):
        argv = shlex.split(example)[1:]
        if argv[0] in LONG_RUNNING:
            build_parser().parse_args(argv)  # it parses; running it would not end
            continue
        if "--store" in argv and "--wave" not in argv:
            for store in ("hr.sqlite", "culture.sqlite"):
                shutil.copy(stores / store, tmp_path / store)
        out, err = io.StringIO(), io.StringIO()
        code = main(argv, stdout=out, stderr=err)
        assert code == 0, f"{example}\n{err.getvalue()}"
        assert out.getvalue().strip() or "-o" in argv, example
        if "-o" in argv:  # what -o names was written
            written = tmp_path / argv[argv.index("-o") + 1]
            assert written.exists() or list(tmp_path.glob(f"{written.stem}-*{written.suffix}")), example


def test_demo_writes_the_simulated_answers_as_an_export(tmp_path, monkeypatch):
    """``demo -o`` writes what ``simulate`` draws, readable back as the same answers and levels."""
    import numpy as np

    import akhlak_levels as al

    monkeypatch.chdir(tmp_path)
    err = io.StringIO()
    assert main(["demo", "-n", "50", "--seed", "3", "-o", "sim.csv"], stdout=io.StringIO(), stderr=err) == 0
    assert "wrote 50 simulated respondents of socio-emotional-levels (seed 3) to sim.csv" in err.getvalue()
    q = al.load_questionnaire("socio-emotional-levels")
    expected, truth = al.simulate(q, 50, random_state=3)
    back = al.read_responses("sim.csv", q, group_columns=["true_level"])
    np.testing.assert_array_equal(back.codes, expected.codes)
    np.testing.assert_array_equal(back.groups["true_level"].astype(int), truth)
    assert main(["demo", "-o", "sim.json"], stdout=io.StringIO(), stderr=err) == 2
