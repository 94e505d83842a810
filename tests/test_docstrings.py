"""Every docstring example in the package runs and prints what it shows (as imported: the
installed package in CI, the source tree in development)."""

import doctest
import importlib
import pkgutil

import numpy as np
import pytest

import akhlak_levels

MODULES = sorted(
    m.name for m in pkgutil.walk_packages(akhlak_levels.__path__, "akhlak_levels.") if m.name != "akhlak_levels.__main__"
)


def test_the_package_has_modules_to_check():
    """Every module of every subpackage is walked, so no docstring example is lost in a move."""
    assert {
        "akhlak_levels.assessment",
        "akhlak_levels.responses",
        "akhlak_levels.model",
        "akhlak_levels.model._scoring",
        "akhlak_levels.quality._careless",
        "akhlak_levels.growth",
        "akhlak_levels.store._store",
        "akhlak_levels.cli._main",
    } <= set(MODULES)


@pytest.mark.parametrize("name", ["akhlak_levels"] + MODULES)
def test_docstring_examples_run(name):
    module = importlib.import_module(name)
    flags = doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS
    result = doctest.testmod(module, optionflags=flags, extraglobs={"np": np}, report=True, verbose=False)
    assert result.failed == 0, f"{result.failed} of {result.attempted} doctest examples failed in {name}"
