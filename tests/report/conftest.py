"""Shared material of the report tests: the bundled examples as assessments, and a small HTML
reader (html.parser) that finds the figures a report puts in data- attributes."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest

import akhlak_levels as al

pytest.importorskip("jinja2")
pytest.importorskip("matplotlib")

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "questionnaires" / "examples"
VOID = {"meta", "br", "img", "input", "link", "hr", "col", "area", "base", "source", "wbr"}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    parents: list["Element"] = field(default_factory=list)
    children: int = 0
    text: str = ""

    def up(self, attr: str) -> str | None:
        """The nearest enclosing element's ``attr`` (this element's first)."""
        for e in [self, *reversed(self.parents)]:
            if attr in e.attrs:
                return e.attrs[attr]
        return None


class Page(HTMLParser):
    """Every element with its attributes, its ancestors and its text."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self.stack: list[Element] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        e = Element(tag, {k: (v or "") for k, v in attrs}, list(self.stack))
        if self.stack:
            self.stack[-1].children += 1
        self.elements.append(e)
        if tag not in VOID:
            self.stack.append(e)

    def handle_startendtag(self, tag, attrs):
        e = Element(tag, {k: (v or "") for k, v in attrs}, list(self.stack))
        if self.stack:
            self.stack[-1].children += 1
        self.elements.append(e)

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                break

    def handle_data(self, data):
        for e in self.stack:
            e.text += data

    def stats(self, stat: str, group: str | None = None) -> list[Element]:
        """Elements with ``data-stat=stat`` (inside the row or block of ``group`` when given)."""
        return [e for e in self.elements if e.attrs.get("data-stat") == stat and (group is None or e.up("data-group") == group)]

    def value(self, stat: str, group: str | None = None, table: str | None = None) -> float:
        hits = [e for e in self.stats(stat, group) if table is None or e.up("data-table") == table]
        assert len(hits) >= 1, (stat, group)
        return float(hits[0].attrs["data-value"])


@pytest.fixture(scope="session")
def berakhlak_responses():
    return al.read_responses(EXAMPLES / "berakhlak-excel-id.csv", "berakhlak", unit_column="unit")


@pytest.fixture(scope="session")
def berakhlak_waves(berakhlak_responses):
    """Two waves of the bundled BerAKHLAK example: the second is the first with every score 5
    points higher, and one unit renamed to a script tag (12 people) and three people moved to a
    unit of their own (suppressed, and a shown unit hidden with it)."""
    a = al.assess("berakhlak", berakhlak_responses)
    unit = np.asarray(a.unit).astype(object)
    unit[:3] = "Kecil"
    unit[unit == "Bagian Umum"] = "<script>alert(1)</script>"
    a1 = replace(a, unit=unit.astype(str))
    a2 = replace(a1, scale_scores=a1.scale_scores + 5.0, index=a1.index + 5.0,
                 index_category=np.asarray(al.load_questionnaire("berakhlak").index.categorize(a1.index + 5.0)))
    return {"2024": a1, "2025": a2}


@pytest.fixture(scope="session")
def sel_waves():
    q = al.load_questionnaire("socio-emotional-levels")
    r1, _ = al.simulate(q, 60, random_state=1)
    r2, _ = al.simulate(q, 60, random_state=2)
    ids = np.array([f"P{i:03d}X" for i in range(60)])
    units = np.array(["Alpha"] * 25 + ["Beta"] * 20 + ["Gamma"] * 12 + ["Tiny"] * 3)
    a1 = replace(al.assess(q, r1), respondent_ids=ids, unit=units)
    a2 = replace(al.assess(q, r2), respondent_ids=ids, unit=units)
    return {"2023": a1, "2024": a2}


@pytest.fixture(scope="session")
def read_page():
    return Page
