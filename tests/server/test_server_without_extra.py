"""Without the server extra the command says what to install (exit 2), and importing the package
or its server subpackage needs neither Starlette nor uvicorn."""

from __future__ import annotations

import io
import subprocess
import sys

import pytest

from akhlak_levels.cli import main


@pytest.mark.parametrize("missing", ["uvicorn", "starlette"])
def test_serve_without_the_extra_exits_2_naming_it(monkeypatch, missing):
    monkeypatch.setitem(sys.modules, missing, None)  # as if not installed
    err = io.StringIO()
    assert main(["serve"], stdout=io.StringIO(), stderr=err) == 2
    assert err.getvalue() == (f"akhlak-levels serve: error: serve needs the server extra: "
                              f"pip install 'akhlak-levels[server]' ({missing} is missing)\n")


def test_importing_the_server_subpackage_imports_no_web_framework():
    code = "import akhlak_levels.server, sys; print(sorted({'starlette', 'uvicorn', 'h11', 'anyio'} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
