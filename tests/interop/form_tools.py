"""Finding the ecosystems' own tools for the form tests: node with survey-core, java for ODK
Validate. A missing tool skips its tests, unless CI asks for it (AKHLAK_REQUIRE_NODE=1,
AKHLAK_REQUIRE_JAVA=1), where a missing tool fails them."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).parent


def _need(tool: str, env: str, why: str) -> None:
    if os.environ.get(env) == "1":
        pytest.fail(f"{why} is required here ({env}=1) but {tool} was not found")
    pytest.skip(f"{why}: {tool} not found (set {env}=1 to make this a failure)")


def node_with_survey_core() -> dict[str, str]:
    """The environment that runs node with survey-core importable (NODE_PATH)."""
    node = shutil.which("node")
    if node is None:
        _need("node", "AKHLAK_REQUIRE_NODE", "checking the SurveyJS survey in survey-core")
    env = dict(os.environ)
    probe = subprocess.run([node or "node", "-e", "require('survey-core')"], env=env, capture_output=True, text=True)
    if probe.returncode != 0:
        _need("the npm package survey-core (NODE_PATH)", "AKHLAK_REQUIRE_NODE", "checking the SurveyJS survey")
    return env


def run_node(script: str, *args: Any, env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run one of this folder's node scripts and return the JSON it prints."""
    node = shutil.which("node")
    if node is None:
        _need("node", "AKHLAK_REQUIRE_NODE", "running the Google Apps Script against a FormApp stand-in")
    out = subprocess.run([node or "node", str(HERE / script), *map(str, args)], env=env, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)  # type: ignore[no-any-return]


def java_for_odk_validate() -> None:
    if shutil.which("java") is None:
        _need("java", "AKHLAK_REQUIRE_JAVA", "ODK Validate (pyxform's validator)")
