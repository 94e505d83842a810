"""The culture map report of the vote instrument, the ``report`` command, and the texts."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import akhlak_levels as al
from akhlak_levels.cli import main
from akhlak_levels.reports import LANGS, TEXT

EXAMPLES = Path(__file__).resolve().parents[2] / "questionnaires" / "examples"


@pytest.fixture(scope="module")
def votes():
    q = al.load_questionnaire("berakhlak-culture-map")
    rng = np.random.default_rng(3)
    n = 63
    picks = np.stack([[rng.choice(74, 10, replace=False) for _ in range(3)] for _ in range(n)])
    unit = np.array(["U1"] * 30 + ["U2"] * 30 + ["U3"] * 3)
    return q, al.VoteSet(q.id, q.version, np.array([f"V{i:03d}" for i in range(n)]), picks, unit=unit)


def test_culture_report_is_the_maps(tmp_path, votes, read_page):
    q, v = votes
    [path] = al.report(v, q, output=tmp_path / "cm.html", lang="en")
    text = path.read_text(encoding="utf-8")
    page = read_page(text)
    cm = al.culture_map(q, v, by="unit")
    for r, g in enumerate(cm.group):
        row = [e for e in page.elements if e.tag == "tr" and e.attrs.get("data-group") == g and e.up("data-table") == "groups"][0]
        assert int(row.attrs["data-n"]) == cm.n[r]
        impl = [e for e in page.stats("implementation", g) if e.up("data-table") == "groups"][0]
        if cm.suppressed[r]:
            assert "data-value" not in impl.attrs
            assert not [e for e in page.elements if e.up("data-group") == g and "data-value" in e.attrs]
            continue
        assert float(impl.attrs["data-value"]) == pytest.approx(cm.implementation[r])
        assert impl.attrs["data-category"] == cm.implementation_category[r]
        ent = [e for e in page.stats("entropy", g) if e.up("data-table") == "groups"][0]
        assert float(ent.attrs["data-value"]) == pytest.approx(cm.entropy[r]) and ent.attrs["data-band"] == cm.entropy_band[r]
        for j, val in enumerate(cm.values):
            cell = [e for e in page.stats(f"value:{val}", g) if e.up("data-table") == "groups"][0]
            assert float(cell.attrs["data-value"]) == pytest.approx(cm.value_index[r, j])
    # the three top-ten lists of everyone, in the map's order, and the matches
    summary = [e for e in page.elements if e.tag == "section" and e.attrs.get("id") == "summary"][0]
    for qi, role in enumerate(cm.roles):
        items = [e.attrs["data-behaviour"] for e in page.elements if "data-behaviour" in e.attrs
                 and summary in e.parents and e.up("data-list") == role]
        assert items == [cm.behaviours[p] for p in cm.top[0, qi] if p >= 0]
    for pair, m in cm.matches.items():
        assert page.value(f"matches:{pair}", "(all)") == m[0]
    ranked = [e.up("data-group") for e in page.stats("rank")]
    shown = [g for r, g in enumerate(cm.group) if r and not cm.suppressed[r]]
    assert cm.suppressed[cm.group.index("U3")] and sorted(ranked) == sorted(shown) and len(shown) >= 1
    assert {e.attrs["data-chart"] for e in page.elements if e.tag == "figure"} == {"level-profile", "value-jumps"}


def test_cli_report_from_a_file_and_a_store(tmp_path, read_page, capsys):
    out = tmp_path / "a.html"
    code = main(["report", str(EXAMPLES / "berakhlak-excel-id.csv"), "-q", "berakhlak", "-o", str(out), "--lang", "en"])
    assert code == 0 and out.exists()
    assert "wrote" in capsys.readouterr().out
    store = tmp_path / "s.sqlite"
    a = al.assess("berakhlak", al.read_responses(EXAMPLES / "berakhlak-excel-id.csv", "berakhlak", unit_column="unit"))
    with al.AssessmentStore(store) as s:
        s.add(a, wave="2024")
    folder = tmp_path / "people"
    assert main(["report", "--store", str(store), "-q", "berakhlak", "--kind", "personal", "-o", str(folder)]) == 0
    assert len(list(folder.glob("*.html"))) == len(a)
    page = read_page((tmp_path / "a.html").read_text(encoding="utf-8"))
    t = al.progress({"berakhlak-excel-id": a}, by="unit")
    assert page.value("index", "(all)", table="units") == pytest.approx(t.index_mean[0])


def test_cli_report_exit_codes(tmp_path, capsys):
    f = str(EXAMPLES / "berakhlak-excel-id.csv")
    assert main(["report", f, "--store", str(tmp_path / "s.sqlite"), "-q", "berakhlak", "-o", str(tmp_path / "x.html")]) == 2
    assert main(["report", "-q", "berakhlak", "-o", str(tmp_path / "x.html")]) == 2
    assert main(["report", f, "-q", "berakhlak", "-o", str(tmp_path / "x.xls")]) == 2
    assert main(["report", "--store", str(tmp_path / "none.sqlite"), "-q", "berakhlak", "-o", str(tmp_path / "x.html")]) == 3
    assert main(["report", f, "-q", "socio-emotional-levels", "-o", str(tmp_path / "x.html")]) == 3
    err = capsys.readouterr().err
    assert "give either FILE or --store" in err and ".xls format" in err
    assert not (tmp_path / "x.html").exists()


def test_every_text_is_in_both_languages():
    for key, entry in TEXT.items():
        assert set(entry) == set(LANGS), key
        assert all(isinstance(v, str) and v.strip() for v in entry.values()), key
        if "{" in entry["id"]:  # the same placeholders in both
            import string

            fields = [{f for _, f, _, _ in string.Formatter().parse(entry[lang]) if f} for lang in LANGS]
            assert fields[0] == fields[1], key


def test_the_report_colours_are_the_charts(tmp_path):
    from akhlak_levels.plots._base import CATEGORY_COLORS, category_colors
    from akhlak_levels.reports._format import CATEGORY_COLORS as REPORT

    assert list(REPORT) == category_colors(4) == CATEGORY_COLORS[:4]


def test_culture_report_from_a_store_shows_the_change_of_the_last_two_vote_waves(tmp_path, votes, read_page):
    q, v = votes
    rng = np.random.default_rng(9)
    picks = np.stack([[rng.choice(74, 10, replace=False) for _ in range(3)] for _ in range(len(v))])
    v2 = al.VoteSet(q.id, q.version, v.respondent_ids, picks, unit=v.unit)
    path = tmp_path / "votes.sqlite"
    with al.AssessmentStore(path) as store:
        store.add_votes(v, wave="2024", questionnaire=q)
        store.add_votes(v2, wave="2025", questionnaire=q)
    [html] = al.report(path, q, output=tmp_path / "cm.html")
    page = read_page(html.read_text(encoding="utf-8"))
    assert page.stats("wave")[0].text.strip() == "2025"
    ch = al.culture_change(al.culture_map(q, v, by="unit"), al.culture_map(q, v2, by="unit"))
    for g in ch.group:
        for k in ("implementation", "entropy"):
            cell = ch.cell(g, k)
            [e] = page.stats(f"change:{k}", g)
            if cell["suppressed"]:
                assert "data-value" not in e.attrs
            else:
                assert float(e.attrs["data-value"]) == pytest.approx(cell["difference"])
                assert e.attrs["data-beyond"] == ("true" if cell["beyond_noise"] else "false")
    # the summary is the last wave's map
    cm = al.culture_map(q, v2, by="unit")
    assert page.value("implementation", "(all)", table="groups") == pytest.approx(cm.implementation[0])
