"""The commands of README.md and docs/quickstart.md run, and print what the pages show.

Block conventions of these pages (what this test reads):

- A ```console block is a shell session. A line starting with ``$ `` is a command; the lines
  under it, up to the next ``$ `` line or the end of the block, are what it prints (standard
  output and standard error together, as a terminal shows them). The command runs with bash, the
  output is compared line by line after normalising whitespace only (runs of spaces and tabs are
  one space, trailing spaces and blank lines do not count). Two placeholders, to be used rarely,
  for figures that legitimately vary or for an excerpt of long output: a line that is only
  ``...`` stands for any number of lines, and ``...`` inside a line for any text within that
  line. The exit status must be 0, unless the output shown is the command's own failure:
  ``akhlak-levels CMD: invalid input: ...`` (status 3) or ``akhlak-levels CMD: error: ...``
  (status 2).
- A ```sh or ```bash block is a script: its lines run in order as one bash script (``set -e -o
  pipefail``, so each must succeed; a variable set on one line holds on the next), nothing it
  prints is compared. ``pip install ...`` (alone or before ``&&``) is not
  run: installing is what CI does before the tests; a bare ``pytest`` is not run either (it is
  this test suite), only checked to be what runs the suite from the root (pyproject testpaths).
- A ```python block runs in one namespace per page (after the pages' blocks before it); a
  statement followed directly by comment lines (``# ...``) must print those lines (same
  whitespace normalisation and placeholders).
- Any other block (no language, ``text``, ``json``...) is not run.

Every page's commands run in one temporary folder, in page order, from which the repository's
``questionnaires/`` is reachable as it is from a clone's root (a symbolic link), so the pages'
relative paths work and what a command writes (``levels.csv``, ``hr.sqlite``) is there for the
next one.
"""

from __future__ import annotations

import ast
import contextlib
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = ["README.md", "docs/quickstart.md"]
FENCE = re.compile(r"^```([A-Za-z]*)[^\n]*\n(.*?)^```[ \t]*$", re.S | re.M)
PLACEHOLDER = "..."
TIMEOUT = 300


def _blocks(page: str) -> list[tuple[str, str]]:
    return [(lang.lower(), body) for lang, body in FENCE.findall((ROOT / page).read_text(encoding="utf-8"))]


def _normalise(text: str) -> list[str]:
    """Lines with runs of whitespace as one space, without trailing spaces or blank lines."""
    return [re.sub(r"[ \t]+", " ", line).strip() for line in text.splitlines() if line.strip()]


def _line_pattern(expected: str) -> re.Pattern[str]:
    return re.compile(".*?".join(re.escape(part) for part in expected.split(PLACEHOLDER)) + r"\Z", re.S)


def _matches(shown: list[str], actual: list[str]) -> bool:
    """``actual`` is ``shown``, where a ``...`` line takes any lines and ``...`` in a line any text."""
    if not shown:
        return not actual
    head, rest = shown[0], shown[1:]
    if head == PLACEHOLDER:
        return any(_matches(rest, actual[k:]) for k in range(len(actual) + 1))
    return bool(actual) and bool(_line_pattern(head).match(actual[0])) and _matches(rest, actual[1:])


def _session(body: str) -> list[tuple[str, str]]:
    """``(command, output shown)`` of a ```console block."""
    steps: list[tuple[str, list[str]]] = []
    for line in body.splitlines():
        if line.startswith("$ "):
            steps.append((line[2:], []))
        elif steps:
            steps[-1][1].append(line)
        elif line.strip():
            raise AssertionError(f"a console block must start with a '$ ' command line, not {line!r}")
    return [(cmd, "\n".join(out)) for cmd, out in steps]


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")  # this environment's commands
    env["PYTHONUNBUFFERED"] = "1"  # standard output and error interleave as on a terminal
    env["COLUMNS"] = "80"
    return env


def _bash(script: str, folder: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", "-c", script], cwd=folder, env=_env(), stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, timeout=TIMEOUT)


def _expected_status(shown: str) -> int:
    first = next((line for line in shown.splitlines() if line.startswith("akhlak-levels ")), "")
    if re.match(r"akhlak-levels [\w-]+: invalid input:", first):
        return 3
    if re.match(r"akhlak-levels [\w-]+: error:", first):
        return 2
    return 0


def _script_lines(body: str) -> list[str]:
    """The lines of a ```sh block to run: comments, blank lines, ``pip install`` and a bare
    ``pytest`` left out (see the module's docstring)."""
    run = []
    for raw in body.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = [p.strip() for p in line.split(" && ")]
        while parts and parts[0].startswith("pip install "):
            _check_pip_install(parts.pop(0))
        if parts == ["pytest"]:
            _check_pytest_from_root()
            continue
        if parts:
            run.append(" && ".join(parts))
    return run


def _check_pip_install(command: str) -> None:
    """``pip install .`` or ``pip install ".[a,b]"`` with extras pyproject.toml defines."""
    match = re.fullmatch(r'pip install (?:\.|"\.\[([a-z,]+)\]")(?:\s+#.*)?', command)
    assert match, f"not an install of this checkout: {command!r}"
    extras = _pyproject()["project"]["optional-dependencies"]
    for extra in (match.group(1) or "").split(","):
        assert not extra or extra in extras, f"{command!r}: no extra {extra!r} in pyproject.toml"


def _pyproject() -> dict:
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        tomllib = pytest.importorskip("tomli")
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _check_pytest_from_root() -> None:
    options = _pyproject()["tool"]["pytest"]["ini_options"]
    assert options["testpaths"] == ["tests"] and Path(__file__).parent == ROOT / "tests"


def _python_outputs(code: str) -> list[tuple[str, str]]:
    """``(statement, comment lines under it)`` of a ```python block, in order."""
    lines = code.splitlines()
    out = []
    for stmt in ast.parse(code).body:
        source = "\n".join(lines[stmt.lineno - 1: stmt.end_lineno])
        shown = []
        for line in lines[stmt.end_lineno:]:
            if not line.startswith("#"):
                break
            shown.append(line[2:] if line.startswith("# ") else line[1:])
        out.append((source, "\n".join(shown)))
    return out


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "questionnaires").symlink_to(ROOT / "questionnaires")
    return tmp_path


@pytest.mark.parametrize("page", PAGES)
def test_the_commands_of_the_page_print_what_it_shows(page, folder, monkeypatch):
    blocks = _blocks(page)
    assert any(lang in ("console", "sh", "bash") for lang, _ in blocks), f"{page}: no command block"
    monkeypatch.chdir(folder)
    namespace: dict[str, object] = {"__name__": "__docs__"}
    for n, (lang, body) in enumerate(blocks, start=1):
        where = f"{page}, block {n} ({lang})"
        if lang == "console":
            for command, shown in _session(body):
                done = _bash(command, folder)
                assert done.returncode == _expected_status(shown), f"{where}: $ {command}\n{done.stdout}"
                assert _matches(_normalise(shown), _normalise(done.stdout)), (
                    f"{where}: $ {command}\n--- shown\n{shown}\n--- printed\n{done.stdout}")
        elif lang in ("sh", "bash"):
            script = "\n".join(["set -e -o pipefail", *_script_lines(body)])
            done = _bash(script, folder)
            assert done.returncode == 0, f"{where}:\n{script}\n--- printed (end)\n{done.stdout[-3000:]}"
        elif lang == "python":
            for statement, shown in _python_outputs(body):
                printed = io.StringIO()
                with contextlib.redirect_stdout(printed):
                    exec(compile(statement, where, "exec"), namespace)  # noqa: S102 - our own documentation
                if shown:
                    assert _matches(_normalise(shown), _normalise(printed.getvalue())), (
                        f"{where}:\n{statement}\n--- shown\n{shown}\n--- printed\n{printed.getvalue()}")


def test_the_comparison_normalises_whitespace_only():
    assert _matches(_normalise("a  b\n\n c\t d  \n"), _normalise("a b\nc d"))
    assert not _matches(_normalise("a b"), _normalise("a  c"))
    assert not _matches(_normalise("a b"), _normalise("a b\nextra line"))
    assert _matches(["took ... s", "..."], ["took 1.2 s", "x", "y"])
    assert not _matches(["took ... s"], ["took 1.2 ms!"])
    assert _session("$ echo 1\n1\n$ true\n") == [("echo 1", "1"), ("true", "")]
    assert _expected_status("akhlak-levels validate: invalid input: x") == 3
    assert _python_outputs("x = 1\nprint(x)\n# 1\ny = 2\n") == [("x = 1", ""), ("print(x)", "1"), ("y = 2", "")]
