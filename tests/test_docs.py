"""The Python examples in the README and the docs run as written (from a folder holding the
bundled example exports, as a clone does)."""

import doctest
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted(["README.md"] + [str(p.relative_to(ROOT)) for p in (ROOT / "docs").glob("*.md")])
BLOCK = re.compile(r"```python\n(.*?)```", re.S)


def test_every_page_is_checked_and_mapped_to_a_floor():
    """Every docs page is in PAGES (so its examples run), and docs/architecture.md lists it."""
    architecture = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    for page in (ROOT / "docs").glob("*.md"):
        assert f"docs/{page.name}" in PAGES
        if page.name != "architecture.md":
            assert f"]({page.name})" in architecture, f"{page.name} is not on the architecture page's map"


@pytest.mark.parametrize("page", PAGES)
def test_python_examples_in_the_docs_run(page, tmp_path, monkeypatch, capsys):
    """The ```python blocks of a page run in order in one namespace, as a reader would run
    them; blocks written as an interactive session (>>>) must also print what they show."""
    blocks = BLOCK.findall((ROOT / page).read_text(encoding="utf-8"))
    (tmp_path / "questionnaires").symlink_to(ROOT / "questionnaires")
    monkeypatch.chdir(tmp_path)
    namespace = {"__name__": "__docs__"}
    for i, code in enumerate(blocks, start=1):
        if ">>> " in code:
            test = doctest.DocTestParser().get_doctest(code, namespace, f"{page}#{i}", page, 0)
            runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS)
            runner.run(test, clear_globs=False)
            assert runner.failures == 0, capsys.readouterr().out
        else:
            exec(compile(code, f"{page}#{i}", "exec"), namespace)  # noqa: S102 - our own documentation
