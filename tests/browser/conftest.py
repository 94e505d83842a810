"""Fixtures for the tests that open pages in headless chromium (marked ``browser``).

``browser`` is one chromium for the whole session (it starts in well under a second); ``page``
is a fresh tab for each test, closed afterwards. Both skip, with the reason, only where chromium
is not installed; ``.ci/run`` installs it and sets ``AKHLAK_REQUIRE_BROWSER=1``, so in CI they
run (without chromium they would be an error there, not a skip).
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from cdp import (  # tests/ has no __init__: pytest puts this folder on sys.path
    Browser,
    Page,
    chromium_path,
)

SKIP_REASON = "chromium is not installed (apt-get install chromium; .ci/run installs it)"


@pytest.hookimpl(trylast=True)  # after -m / -k have deselected what will not run
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    marked = [item for item in items if "browser" in item.keywords]
    if marked and chromium_path() is None:
        if os.environ.get("AKHLAK_REQUIRE_BROWSER") == "1":  # set by .ci/run: CI must not skip them
            raise pytest.UsageError(f"AKHLAK_REQUIRE_BROWSER=1 but {SKIP_REASON}")
        skip = pytest.mark.skip(reason=SKIP_REASON)
        for item in marked:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if chromium_path() is None:
        pytest.skip(SKIP_REASON)
    with Browser() as b:
        yield b


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    p = browser.new_page()
    try:
        yield p
    finally:
        p.close()
