"""Shared fixtures and hypothesis profiles (choose with HYPOTHESIS_PROFILE=ci|dev|thorough)."""

from __future__ import annotations

import os

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

import akhlak_levels as al

settings.register_profile("ci", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", max_examples=25, deadline=None)
settings.register_profile("thorough", max_examples=500, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(scope="session")
def sel() -> al.Questionnaire:
    return al.load_questionnaire("socio-emotional-levels")


@pytest.fixture(scope="session")
def berakhlak() -> al.Questionnaire:
    return al.load_questionnaire("berakhlak")


@pytest.fixture(autouse=True)
def _doctest_namespace(doctest_namespace):
    doctest_namespace["np"] = np
