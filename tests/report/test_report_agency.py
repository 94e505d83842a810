"""The agency report: its figures are the library's (read back from the data- attributes), its
charts are non-empty inline SVG, it needs no network, it escapes text, suppressed units show no
figure, and it reads in both languages."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

import akhlak_levels as al
from akhlak_levels.reports import TEXT

EXAMPLE = Path(__file__).resolve().parents[2] / "questionnaires" / "examples" / "berakhlak-excel-id.csv"


@pytest.fixture(scope="module")
def berakhlak_report(tmp_path_factory, berakhlak_waves, read_page):
    out = tmp_path_factory.mktemp("agency") / "agency.html"
    [path] = al.report(berakhlak_waves, "berakhlak", output=out, date="2025-01-31")
    text = path.read_text(encoding="utf-8")
    return text, read_page(text)


@pytest.fixture(scope="module")
def berakhlak_table(berakhlak_waves):
    return al.progress(berakhlak_waves, by="unit")


def _rows(table, wave):
    return [(int(r), str(table.group[r])) for r in np.flatnonzero(table.wave == wave)]


def test_index_and_values_are_the_progress_tables(berakhlak_report, berakhlak_table):
    _, page = berakhlak_report
    t = berakhlak_table
    checked = 0
    for r, g in _rows(t, "2025"):
        if t.suppressed[r]:
            continue
        assert page.value("index", g, table="units") == pytest.approx(t.index_mean[r], abs=1e-9)
        cell = [e for e in page.stats("index", g) if e.up("data-table") == "units"][0]
        assert float(cell.attrs["data-low"]) == pytest.approx(t.index_ci_lower[r], abs=1e-9)
        assert float(cell.attrs["data-high"]) == pytest.approx(t.index_ci_upper[r], abs=1e-9)
        assert cell.attrs["data-category"] == t.index_category[r]
        for j, s in enumerate(t.scale_ids):
            assert page.value(f"value:{s}", g, table="units") == pytest.approx(t.scale_means[r, j], abs=1e-9)
        row = [e for e in page.elements if e.tag == "tr" and e.attrs.get("data-group") == g and e.up("data-table") == "units"][0]
        assert int(row.attrs["data-n"]) == t.n[r]
        checked += 1
    assert checked >= 2
    # the overall card: index with its interval, rounded text with a decimal comma (Indonesian)
    r0 = _rows(t, "2025")[0][0]
    big = [e for e in page.stats("index", "(all)") if e.tag == "div"][0]
    assert float(big.attrs["data-value"]) == pytest.approx(t.index_mean[r0])
    assert big.text.strip() == f"{t.index_mean[r0]:.1f}".replace(".", ",")


def test_value_intervals_are_t_intervals_of_the_shown_means(berakhlak_report, berakhlak_waves):
    _, page = berakhlak_report
    a = berakhlak_waves["2025"]
    x = a.scale_scores[:, 0]
    from scipy import stats

    half = stats.t.ppf(0.975, len(x) - 1) * x.std(ddof=1) / np.sqrt(len(x))
    cell = [e for e in page.stats("value:berorientasi-pelayanan", "(all)") if e.up("data-table") == "units"][0]
    assert float(cell.attrs["data-low"]) == pytest.approx(x.mean() - half, abs=1e-9)
    assert float(cell.attrs["data-high"]) == pytest.approx(x.mean() + half, abs=1e-9)


def test_suppressed_units_have_no_figures(berakhlak_report, berakhlak_table):
    _, page = berakhlak_report
    t = berakhlak_table
    hidden = {str(t.group[r]) for r, _ in _rows(t, "2025") if t.suppressed[r]}
    assert "Kecil" in hidden and len(hidden) >= 2  # the small unit and one hidden with it
    for e in page.elements:
        if e.up("data-group") in hidden:
            assert "data-value" not in e.attrs, (e.tag, e.attrs)
    ranked = {e.up("data-group") for e in page.stats("rank")}
    assert not ranked & hidden


def test_ranking_has_rank_intervals_around_the_tables_rank(berakhlak_report, berakhlak_table):
    _, page = berakhlak_report
    t = berakhlak_table
    ranks = page.stats("rank")
    shown = [(r, g) for r, g in _rows(t, "2025") if np.isfinite(t.rank_index[r])]
    assert len(ranks) == len(shown) >= 2
    for r, g in shown:
        e = page.stats("rank", g)[0]
        rank, low, high = (float(e.attrs[k]) for k in ("data-value", "data-low", "data-high"))
        assert rank == t.rank_index[r]
        assert 1 <= low <= high <= len(shown)
    p_first = sum(float(e.attrs["data-value"]) for e in page.stats("p-first"))
    assert p_first == pytest.approx(1.0, abs=1e-9)


def test_change_from_the_previous_wave_and_noise(berakhlak_report, berakhlak_table):
    _, page = berakhlak_report
    t = berakhlak_table
    for r, g in _rows(t, "2025"):
        cells = page.stats("change", g)
        assert len(cells) == 1
        if t.suppressed[r]:
            assert "data-value" not in cells[0].attrs
            continue
        assert float(cells[0].attrs["data-value"]) == pytest.approx(5.0, abs=1e-9) == t.change_index[r]
        assert cells[0].attrs["data-beyond"] == "true"


def test_weakest_value_per_unit(berakhlak_report, berakhlak_table):
    _, page = berakhlak_report
    t = berakhlak_table
    q = al.load_questionnaire("berakhlak")
    for r, g in _rows(t, "2025"):
        if t.suppressed[r]:
            assert not page.stats("weakest", g)
            continue
        j = int(np.nanargmin(t.scale_means[r]))
        assert page.stats("weakest", g)[0].text.strip() == q.scale(t.scale_ids[j]).name["id"]
        assert page.value("weakest-score", g) == pytest.approx(t.scale_means[r, j])


def test_charts_are_non_empty_inline_svg_and_nothing_is_fetched(berakhlak_report, read_page):
    text, page = berakhlak_report
    charts = [e for e in page.elements if e.tag == "figure"]
    assert {c.attrs["data-chart"] for c in charts} >= {"heatmap", "profile", "trend"}
    for c in charts:
        svgs = [e for e in page.elements if e.tag == "svg" and c in e.parents]
        assert len(svgs) == 1 and svgs[0].children > 0
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", text, re.I)
    assert "<script" not in text.lower() and "<link" not in text.lower() and "@import" not in text
    assert "@page" in text and "size: A4" in text
    ids = [e.attrs["id"] for e in page.elements if "id" in e.attrs]
    assert len(ids) == len(set(ids))  # the figures' ids do not collide


def test_unit_names_are_escaped_everywhere(berakhlak_report):
    text, page = berakhlak_report
    assert "<script>alert(1)</script>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert any(e.attrs.get("data-group") == "<script>alert(1)</script>" for e in page.elements)


def test_methods_appendix(berakhlak_report):
    _, page = berakhlak_report
    q = al.load_questionnaire("berakhlak")
    assert q.content_hash in page.stats("instrument")[0].text
    assert page.stats("date")[0].text.strip() == "2025-01-31"
    assert al.__version__ in page.stats("library")[0].text
    assert page.value("min_group_size") == 5
    assert page.stats("reliability-note")[0].text.strip() == TEXT["reliability_no_responses"]["id"]


def test_from_a_file_the_reliability_is_the_librarys(tmp_path, berakhlak_responses, read_page):
    [path] = al.report(EXAMPLE, "berakhlak", output=tmp_path, lang="en", read_options={"unit_column": "unit"})
    assert path == tmp_path / "report-berakhlak.html"
    page = read_page(path.read_text(encoding="utf-8"))
    rt = al.reliability("berakhlak", berakhlak_responses)
    alphas = [float(e.attrs["data-value"]) for e in page.stats("alpha")]
    np.testing.assert_allclose(alphas, rt.alpha, rtol=1e-12)


def test_both_languages_render(tmp_path, berakhlak_waves, read_page):
    [en] = al.report(berakhlak_waves, "berakhlak", output=tmp_path / "en.html", lang="en")
    text = en.read_text(encoding="utf-8")
    assert '<html lang="en">' in text
    assert TEXT["agency_title"]["en"] in text and TEXT["agency_title"]["id"] not in text
    assert "Healthy" in text or "Fairly healthy" in text or "Unhealthy" in text


def test_socio_emotional_levels_shares_with_intervals_and_transitions(tmp_path, sel_waves, read_page):
    [path] = al.report(sel_waves, "socio-emotional-levels", output=tmp_path / "sel.html", lang="en")
    page = read_page(path.read_text(encoding="utf-8"))
    t = al.progress(sel_waves, by="unit")
    for r, g in _rows(t, "2024"):
        cells = [e for e in page.stats("share:4", g) if e.up("data-table") == "levels"]
        if t.suppressed[r]:
            assert "data-value" not in cells[0].attrs
            continue
        assert float(cells[0].attrs["data-value"]) == pytest.approx(t.level_shares[r, 4])
        assert float(cells[0].attrs["data-low"]) <= t.level_shares[r, 4] <= float(cells[0].attrs["data-high"])
        assert page.value("expected-level", g, table="levels") == pytest.approx(t.mean_expected_level[r])
    tt = al.transitions(sel_waves["2023"], sel_waves["2024"])
    got = np.array([[page.value(f"transition:{i}-{j}") for j in range(1, 6)] for i in range(1, 6)])
    np.testing.assert_array_equal(got, tt.counts)
    rc = al.reliable_change(sel_waves["2023"], sel_waves["2024"]).counts()
    assert {v: page.value(f"reliable:{v}") for v in rc} == rc
    assert {e.attrs["data-chart"] for e in page.elements if e.tag == "figure"} == {"levels", "transitions"}


def test_bad_parameters_are_refused(tmp_path, berakhlak_waves):
    with pytest.raises(ValueError, match="'lang' parameter of report"):
        al.report(berakhlak_waves, "berakhlak", output=tmp_path / "x.html", lang="fr")
    with pytest.raises(ValueError, match="'kind' parameter of report"):
        al.report(berakhlak_waves, "berakhlak", output=tmp_path / "x.html", kind="team")
    with pytest.raises(ValueError, match="'output' parameter of report"):
        al.report(berakhlak_waves, "berakhlak", output=tmp_path / "no-such-folder")
    assert not (tmp_path / "x.html").exists() and not (tmp_path / "no-such-folder").exists()
