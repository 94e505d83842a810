"""Security-relevant dependency floors (docs/security.md) hold in the project file and in the
environment the tests run in."""

from __future__ import annotations

import re
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
#: CVE-2023-47248: arbitrary code execution when pyarrow 0.14.0-14.0.0 reads a crafted file.
PYARROW_FLOOR = Version("14.0.1")


def _floor(requirement: str, name: str) -> Version | None:
    m = re.fullmatch(rf"{name}\s*>=\s*([0-9][0-9A-Za-z.]*)", requirement.strip())
    return Version(m.group(1)) if m else None


def test_every_pyarrow_requirement_has_the_cve_2023_47248_floor():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    requirements = list(project.get("dependencies", []))
    for extra in project.get("optional-dependencies", {}).values():
        requirements += extra
    pyarrow = [r for r in requirements if re.match(r"pyarrow\b", r)]
    assert pyarrow, "pyarrow is required by an extra (Parquet)"
    for r in pyarrow:
        floor = _floor(r, "pyarrow")
        assert floor is not None and floor >= PYARROW_FLOOR, r


def test_the_installed_pyarrow_is_not_a_vulnerable_version():
    try:
        installed = Version(metadata.version("pyarrow"))
    except metadata.PackageNotFoundError:
        pytest.skip("pyarrow is not installed (the frames extra)")
    assert installed >= PYARROW_FLOOR
