"""The library's hints speak the command line's language when the command line prints them: the
flag (``--ignore-column``, ``--on-invalid missing``, ``--replace``, ...) or the subcommand, never
``name=[...]``, ``=True`` or ``func()``."""

from __future__ import annotations

import ast
import csv
import io
import re
from pathlib import Path

import numpy as np
import pytest

import akhlak_levels as al
from akhlak_levels.cli import main
from akhlak_levels.cli._hints import HINTS, cli_hints

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "akhlak_levels"

#: Python in a message: a keyword argument (``name=[``, ``name=...``, ``name='x'``, ``name=True``,
#: ``name=)``...) or a call with no arguments (``progress()``).
PYTHON = re.compile(r"\b[a-z_]+=(?:\[|\.\.\.|True\b|False\b|'|\)|\s|$|[,.;:])|\b[a-z_]+\(\)")

#: What no message the command line prints may hold.
PYTHON_SYNTAX = ("=[", "=True", "=False", "()", "='", "=...")


#: Calls whose string arguments are messages: exceptions and problem records by name, and the
#: ``append`` of a list of notes, reasons, problems or messages.
MESSAGE_CALL = re.compile(r"(Error|Exception|Warning|Problem|problem|param_error|warn)$")
MESSAGE_LIST = re.compile(r"(note|reason|problem|message|warning|error)s?$", re.I)


def _is_message_call(node: ast.AST) -> bool:
    if not isinstance(node, ast.Call):
        return False
    f = node.func
    name = f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else ""
    if name == "append" and isinstance(f, ast.Attribute):
        owner = f.value.attr if isinstance(f.value, ast.Attribute) else f.value.id if isinstance(f.value, ast.Name) else ""
        return bool(MESSAGE_LIST.search(owner))
    return bool(MESSAGE_CALL.search(name))


def _message_templates() -> list[tuple[str, str]]:
    """Every message of the library outside the command line and the HTTP service that holds
    Python, as ``(file:line, text)``: the strings of a ``raise``, of an exception, warning or
    problem record built, of a note appended, of a ``return`` in a function named like a message
    or of a module constant named ``*_HINT``/``*_MESSAGE``; an f-string's fields read ``{}``."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if {"cli", "server"} & set(path.relative_to(PACKAGE).parts):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        roots: list[ast.AST] = []
        for node in ast.walk(tree):
            if isinstance(node, ast.Raise) or _is_message_call(node):
                roots.append(node)
            elif isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and re.search(r"(HINT|MESSAGE)$", t.id)
                                                      for t in node.targets):
                roots.append(node.value)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and re.search(r"(message|hint|reason|note)",
                                                                                          node.name):
                roots += [n.value for n in ast.walk(node) if isinstance(n, ast.Return) and n.value is not None]
        seen = set()
        for root in roots:
            inner = {id(v) for n in ast.walk(root) if isinstance(n, ast.JoinedStr) for v in n.values}
            for node in ast.walk(root):
                if id(node) in inner or id(node) in seen:
                    continue
                seen.add(id(node))
                if isinstance(node, ast.JoinedStr):
                    text = "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
                elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                    text = node.value
                else:
                    continue
                if PYTHON.search(text):
                    found.append((f"{path.relative_to(ROOT)}:{node.lineno}", text))
    return found


def test_every_python_hint_of_the_library_has_a_translation():
    """Grep the library: each message holding Python reads without it once translated."""
    templates = _message_templates()
    assert len(templates) >= 20  # the scan finds the hints (ignore_columns, replace=True, progress(), ...)
    untranslated = [f"{where}: {PYTHON.findall(cli_hints(text))} in {cli_hints(text)!r}"
                    for where, text in templates if PYTHON.search(cli_hints(text))]
    assert untranslated == [], "add a translation to akhlak_levels/cli/_hints.py HINTS:\n" + "\n".join(untranslated)


def test_the_translations_hold_no_python():
    for pattern, replacement in HINTS:
        assert not PYTHON.search(replacement) and not any(s in replacement for s in PYTHON_SYNTAX), replacement
        re.compile(pattern)


def _run(argv: list[str], folder: Path, monkeypatch, env: dict[str, str] | None = None) -> tuple[int, str]:
    monkeypatch.chdir(folder)
    for k, v in (env or {}).items():
        monkeypatch.setenv(k, v)
    out, err = io.StringIO(), io.StringIO()
    code = main(argv, stdout=out, stderr=err)
    return code, err.getvalue()


def _speaks_cli(message: str) -> None:
    assert not any(s in message for s in PYTHON_SYNTAX), message
    assert not PYTHON.search(message), message


def _write(path: Path, header: list[str], rows: list[list[object]]) -> str:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return str(path)


SE = str(ROOT / "questionnaires/examples/socio-emotional-levels-google-forms.csv")
VOTES = str(ROOT / "questionnaires/examples/berakhlak-culture-map-google-forms.csv")
BK = str(ROOT / "questionnaires/examples/berakhlak-excel-id.csv")


def test_an_unknown_column_names_ignore_column(tmp_path, monkeypatch):
    code, err = _run(["validate", SE, "-q", "socio-emotional-levels"], tmp_path, monkeypatch)
    assert code == 3
    assert "(add --ignore-column COLUMN or --ignore-unknown-columns to set it aside) (got 'Unit Kerja')" in err
    _speaks_cli(err)


def test_missing_item_columns_name_allow_missing_items(tmp_path, monkeypatch):
    path = _write(tmp_path / "few.csv", ["respondent_id", "SE01", "SE02"], [["a", 1, 2], ["b", 3, 4]])
    code, err = _run(["score", path, "-q", "socio-emotional-levels"], tmp_path, monkeypatch)
    assert code == 3 and "(add --allow-missing-items to score a partial questionnaire)" in err
    _speaks_cli(err)
    assert _run(["score", path, "-q", "socio-emotional-levels", "--allow-missing-items", "--quiet"],
                tmp_path, monkeypatch)[0] == 0  # and the flag named does it


def test_an_unreadable_answer_names_on_invalid_missing(tmp_path, monkeypatch):
    q = al.load_questionnaire("berakhlak")
    rows = [["r1", *(["Sering"] * q.n_items)], ["r2", "Maybe", *(["Jarang"] * (q.n_items - 1))]]
    path = _write(tmp_path / "bad.csv", ["respondent_id", *q.item_ids], rows)
    code, err = _run(["validate", path, "-q", "berakhlak"], tmp_path, monkeypatch)
    assert code == 3 and "(add --on-invalid missing to set them missing and flag the respondents)" in err
    _speaks_cli(err)
    assert _run(["validate", path, "-q", "berakhlak", "--on-invalid", "missing"], tmp_path, monkeypatch)[0] == 0


def test_votes_an_unknown_column_and_an_unknown_behaviour_name_the_flags(tmp_path, monkeypatch):
    code, err = _run(["culture-map", VOTES, "-q", "berakhlak-culture-map", "--quiet"], tmp_path, monkeypatch)
    assert code == 3 and "add --ignore-column COLUMN or --ignore-unknown-columns" in err and "'Unit Kerja'" in err
    _speaks_cli(err)
    with open(VOTES, encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    rows[1][2] = "terbang ke bulan, " + rows[1][2]  # a behaviour the instrument does not offer
    path = _write(tmp_path / "votes.csv", rows[0], rows[1:])
    code, err = _run(["culture-map", path, "-q", "berakhlak-culture-map", "--unit-column", "Unit Kerja", "--quiet"],
                     tmp_path, monkeypatch)
    assert code == 3 and "add --on-invalid missing" in err
    _speaks_cli(err)


def test_transitions_without_levels_names_the_growth_command(tmp_path, monkeypatch):
    for wave in ("2024", "2025"):
        assert _run(["score", BK, "-q", "berakhlak", "--quiet", "--store", "hr.sqlite", "--wave", wave, "-o", "x.csv"],
                    tmp_path, monkeypatch)[0] == 0
    code, err = _run(["transitions", "--store", "hr.sqlite", "--from", "2024", "--to", "2025"], tmp_path, monkeypatch)
    assert code == 3 and "Use akhlak-levels growth for scale and index scores" in err
    _speaks_cli(err)


def test_a_pseudonymised_store_without_its_key_names_the_key_option(tmp_path, monkeypatch):
    argv = ["score", BK, "-q", "berakhlak", "--quiet", "--store", "p.sqlite", "-o", "x.csv"]
    assert _run([*argv, "--wave", "2024", "--pseudonymize-key-env", "AKHLAK_KEY"], tmp_path, monkeypatch,
                {"AKHLAK_KEY": "s3cret-s3cret-s3cret"})[0] == 0
    code, err = _run([*argv, "--wave", "2025"], tmp_path, monkeypatch)
    assert code == 3 and "--pseudonymize-key-env VAR" in err
    _speaks_cli(err)


def test_calibrate_hints_name_the_method_option(tmp_path, monkeypatch):
    assert _run(["demo", "-n", "300", "--seed", "2", "-o", "sim.csv"], tmp_path, monkeypatch)[0] == 0
    code, err = _run(["calibrate", "sim.csv", "-q", "socio-emotional-levels", "--labels", "true_level",
                      "--method", "ordinal", "--prior", "0.2,0.2,0.2,0.2,0.2", "-o", "m.json", "--quiet"],
                     tmp_path, monkeypatch)
    assert code == 3 and "--method logistic or --method latent-class" in err
    _speaks_cli(err)
    with open(tmp_path / "sim.csv", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    rows = [rows[0]] + [r for r in rows[1:] if r[1] != "5"]  # nobody labelled level 5
    _write(tmp_path / "no5.csv", rows[0], rows[1:])
    code, err = _run(["calibrate", "no5.csv", "-q", "socio-emotional-levels", "--labels", "true_level", "-o", "m.json",
                      "--quiet"], tmp_path, monkeypatch)
    assert code == 3 and "or use --method latent-class" in err
    _speaks_cli(err)


def test_ambiguous_dates_name_dayfirst_and_monthfirst(tmp_path, monkeypatch):
    q = al.load_questionnaire("berakhlak")
    rows = [[f"r{i}", f"0{i}/0{i + 1}/2024", *(["Sering"] * q.n_items)] for i in range(1, 4)]
    path = _write(tmp_path / "dates.csv", ["respondent_id", "date", *q.item_ids], rows)
    code, err = _run(["validate", path, "-q", "berakhlak"], tmp_path, monkeypatch)
    assert code == 3 and "--dayfirst" in err and "--monthfirst" in err
    _speaks_cli(err)


def test_a_stored_wave_names_replace(tmp_path):
    """The commands refuse a stored wave before the library would (naming --replace); the
    library's own message, printed by the command line, says the same."""
    q = al.load_questionnaire("berakhlak")
    a = al.assess(q, al.read_responses(BK, q))
    with al.AssessmentStore(tmp_path / "s.sqlite") as store:
        store.add(a, wave="2025")
        with pytest.raises(al.AkhlakLevelsError) as info:
            store.add(a, wave="2025")
    message = cli_hints(str(info.value))
    assert "pass replace=True" in str(info.value) and message.endswith("a wave is stored once: add --replace to replace it.")
    _speaks_cli(message)
    assert np.all([cli_hints(t) == t for t in ("no hint here", "add --replace")])
