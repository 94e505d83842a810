"""Every public result table shows in a notebook as a compact HTML table (``_repr_html_``):
valid HTML, the table's rows (first and last around an ellipsis row when long), numbers rounded,
NaN empty, text escaped."""

from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest

import akhlak_levels as al
from akhlak_levels._tables import HTML_MAX_ROWS, html_repr, html_table
from akhlak_levels.quality import careless, dif

EXAMPLES = Path(__file__).resolve().parents[1] / "questionnaires" / "examples"
SEL = al.load_questionnaire("socio-emotional-levels")
CM = al.load_questionnaire("berakhlak-culture-map")


class _Table(HTMLParser):
    """The header and the cells of one <table>, checking that every tag closes in order."""

    VOID = {"br", "img", "hr"}

    def __init__(self):
        super().__init__()
        self.stack, self.rows, self.caption, self._cell, self._in_caption = [], [], "", None, False

    def handle_starttag(self, tag, attrs):
        if tag not in self.VOID:
            self.stack.append(tag)
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = ""
        elif tag == "caption":
            self._in_caption = True

    def handle_endtag(self, tag):
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes {self.stack[-1:]}"
        self.stack.pop()
        if tag in ("td", "th"):
            self.rows[-1].append(self._cell)
            self._cell = None
        elif tag == "caption":
            self._in_caption = False

    def handle_data(self, data):
        if self._cell is not None:
            self._cell += data
        elif self._in_caption:
            self.caption += data


def parse(page):
    p = _Table()
    p.feed(page)
    p.close()
    assert p.stack == [], f"unclosed tags {p.stack}"
    return p.rows[0], p.rows[1:], p.caption


def check(table, columns, n):
    """The page of ``table``: valid, captioned by its repr, the expected rows, numbers rounded."""
    page = table._repr_html_()
    head, rows, caption = parse(page)
    empty = [k for k, v in columns.items() if isinstance(v, np.ndarray) and v.dtype.kind == "f" and np.isnan(v).all()]
    columns = {k: v for k, v in columns.items() if k not in empty}
    assert caption == repr(table) + (f" ({len(empty)} columns without any value left out)" if empty else "")
    assert head == list(columns)
    if n > HTML_MAX_ROWS:
        assert len(rows) == HTML_MAX_ROWS + 1 and all(c == "\u2026" for c in rows[HTML_MAX_ROWS // 2])
        shown = list(range(HTML_MAX_ROWS // 2)) + list(range(n - HTML_MAX_ROWS // 2, n))
        rows = rows[: HTML_MAX_ROWS // 2] + rows[HTML_MAX_ROWS // 2 + 1 :]
    else:
        assert len(rows) == n
        shown = list(range(n))
    for name, col in columns.items():
        j = head.index(name)
        for r, i in zip(rows, shown):
            v = col[i]
            if isinstance(v, (float, np.floating)):
                assert r[j] == ("" if np.isnan(v) else f"{v:.2f}"), (name, i, r[j], v)
            elif isinstance(v, (bool, np.bool_)):
                assert r[j] == str(bool(v))
            elif isinstance(v, (int, np.integer)):
                assert r[j] == str(int(v))
            elif isinstance(v, str):
                assert r[j] == v
    return page


# ------------------------------------------------------------------ the helper


def test_html_table_escapes_text_rounds_numbers_and_shows_nan_as_empty():
    page = html_table({"unit": ["<script>alert(1)</script>", 'a "b" & c'], "index": [60.84656084656084, np.nan],
                       "<th>": [1, 2]}, caption="<i>caption</i>")
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<i>" not in page
    head, rows, caption = parse(page)
    assert head == ["unit", "index", "<th>"] and caption == "<i>caption</i>"
    assert rows == [["<script>alert(1)</script>", "60.85", "1"], ['a "b" & c', "", "2"]]
    assert parse(html_table({"x": [1.23456]}, digits=3))[1] == [["1.235"]]


@pytest.mark.parametrize("n", [0, 1, 20, 21, 57])
def test_a_long_table_shows_its_first_and_last_rows_around_an_ellipsis(n):
    _, rows, _ = parse(html_table({"i": np.arange(n)}))
    if n <= 20:
        assert [r[0] for r in rows] == [str(i) for i in range(n)]
    else:
        assert [r[0] for r in rows] == [str(i) for i in range(10)] + ["\u2026"] + [str(i) for i in range(n - 10, n)]
    _, rows, _ = parse(html_table({"i": np.arange(n)}, max_rows=5))
    assert len(rows) == (6 if n > 5 else n)


# ------------------------------------------------------------------ every result table


@pytest.fixture(scope="module")
def sel_waves():
    out = {}
    for i, w in enumerate(["2024", "2025"]):
        rs, _ = al.simulate(SEL, 40, random_state=i)
        a = al.assess(SEL, rs)
        out[w] = (rs, a.__class__(**{**a.__dict__, "unit": np.repeat(["A", "B"], 20)}))
    return out


@pytest.fixture(scope="module")
def maps():
    votes = al.read_votes(EXAMPLES / "berakhlak-culture-map-google-forms.csv", CM, unit_column="Unit Kerja")
    return votes, {"2024": al.culture_map(CM, votes, by="unit"), "2025": al.culture_map(CM, votes, by="unit")}


def test_assessment_and_responses(sel_waves):
    rs, a = sel_waves["2024"]
    check(a, a.columns(), len(a))
    page = check(rs, {"respondent_id": rs.respondent_ids, **{it: rs.values[:, j] for j, it in enumerate(rs.item_ids)}}, len(rs))
    assert "&#8230;" in page
    small = rs.take(np.arange(3))
    head, rows, _ = parse(small._repr_html_())
    assert len(rows) == 3 and rows[0][1:] == [f"{v:.2f}" for v in small.values[0]]


def test_votes(maps):
    votes, _ = maps
    head, rows, _ = parse(votes._repr_html_())
    assert head[:2] == ["respondent_id", "unit"] and head[-3:] == ["picks_1", "picks_2", "picks_3"]
    n = len(votes)
    assert len(rows) == (min(n, HTML_MAX_ROWS) + (n > HTML_MAX_ROWS))
    first = votes.picks[0, 0]
    assert rows[0][head.index("picks_1")] == ", ".join(str(b) for b in first[first >= 0])


def test_quality_tables(sel_waves):
    rs, a = sel_waves["2024"]
    rel = al.reliability(SEL, rs)
    check(rel, {c: getattr(rel, c) for c in rel.COLUMNS}, len(rel.scale))
    items = al.item_analysis(SEL, rs)
    head, rows, _ = parse(items._repr_html_())
    assert head == list(items.COLUMNS) and len(rows) == HTML_MAX_ROWS + 1  # 38 items
    assert rows[0][head.index("mean")] == f"{items.mean[0]:.2f}"
    ct = careless(SEL, rs)
    check(ct, ct._columns(), len(ct))
    d = dif(SEL, rs, np.repeat(["A", "B"], 20))
    check(d, {c: getattr(d, c) for c in d.COLUMNS}, len(d))
    dec = al.level_decisions_by_group(a, np.repeat(["north", "south"], 20))
    check(dec, dec._columns(), len(dec))


def test_growth_tables(sel_waves):
    waves = {w: a for w, (_, a) in sel_waves.items()}
    t = al.progress(waves, by="unit", min_group_size=25)  # both units suppressed: NaN shown empty
    page = check(t, t._columns(), len(t))
    assert t.suppressed[1] and "<td>True</td>" in page
    rc = al.reliable_change(waves["2024"], waves["2025"])
    check(rc, rc._columns(), len(rc))
    tt = al.transitions(waves["2024"], waves["2025"])
    check(tt, tt._columns(), 25)
    tr = al.trajectories({**waves, "2026": waves["2025"]})
    check(tr, tr._columns(), len(tr))


def test_culture_tables(maps):
    votes, m = maps
    cm = m["2025"]
    check(cm, cm._columns("groups"), len(cm))
    rt = al.rank_units(cm, random_state=0, n_draws=200)
    check(rt, rt._columns(), len(rt))
    ch = al.culture_change(m["2024"], m["2025"])
    check(ch, ch._columns(), len(ch))
    tr = al.culture_trend(m)
    check(tr, tr._columns(), len(tr))
    vl = al.vote_levels(CM, votes)
    check(vl, vl._columns(), len(vl))


def test_a_berakhlak_progress_table_leaves_out_the_empty_level_columns():
    q = al.load_questionnaire("berakhlak")
    a = al.assess(q, al.read_responses(EXAMPLES / "berakhlak-excel-id.csv", q, unit_column="unit"))
    t = al.progress({"2024": a, "2025": a}, by="unit")
    head, rows, caption = parse(t._repr_html_())
    assert "mean_expected_level" not in head and "share_level_1" not in head and "change_expected_level" not in head
    assert head[:4] == ["wave", "group", "n", "suppressed"] and "index" in head and "scale_adaptif" in head
    assert caption.endswith("(15 columns without any value left out)")  # 6 + 2 + 2 + 4 + 1 level columns
    assert [r[head.index("index")] for r in rows] == [f"{v:.2f}" for v in t.index_mean]
    assert [r[head.index("index_category")] for r in rows] == t.index_category.tolist()


def test_every_public_result_class_has_an_html_view():
    tables = {n for n in al.__all__ if callable(getattr(getattr(al, n), "to_records", None))} - {"AssessmentStore"}  # a store, not a table
    assert tables <= {n for n in al.__all__ if getattr(getattr(al, n), "_repr_html_", None) is html_repr}
    for n in ("ResponseSet", "VoteSet", "Assessment", "ProgressTable", "ReliabilityTable", "TransitionTable", "CultureMap"):
        assert getattr(al, n)._repr_html_ is html_repr, n


def test_a_large_assessment_formats_only_the_rows_it_shows(monkeypatch):
    rs, _ = al.simulate(SEL, 5000, random_state=3)
    a = al.assess(SEL, rs)
    seen = []
    columns = a.__class__.columns
    monkeypatch.setattr(a.__class__, "columns", lambda self, lang="en": seen.append(len(self)) or columns(self, lang))
    head, rows, _ = parse(a._repr_html_())
    assert seen == [HTML_MAX_ROWS] and len(rows) == HTML_MAX_ROWS + 1
    assert rows[-1][0] == a.respondent_ids[-1] and rows[0][0] == a.respondent_ids[0]
