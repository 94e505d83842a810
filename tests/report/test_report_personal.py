"""Personal reports: a person's page holds that person's figures, their unit's means where the
unit is shown, the advisory statement, and nothing of anyone else."""

from __future__ import annotations

import numpy as np
import pytest

import akhlak_levels as al
from akhlak_levels.reports import TEXT
from akhlak_levels.reports._personal import file_names


@pytest.fixture(scope="module")
def folder(tmp_path_factory, sel_waves):
    out = tmp_path_factory.mktemp("personal")
    paths = al.report(sel_waves, "socio-emotional-levels", output=out, kind="personal", date="2025-01-31")
    return out, paths


def _values(page):
    return [float(e.attrs["data-value"]) for e in page.elements if e.attrs.get("data-value", "") not in ("",)
            and e.attrs.get("data-stat") not in ("verdict",) and e.attrs["data-value"] not in TEXT]


def test_one_file_per_respondent_of_the_last_wave(folder, sel_waves):
    out, paths = folder
    ids = sel_waves["2024"].respondent_ids.tolist()
    assert [p.name for p in paths] == [f"{i}.html" for i in ids]
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{i}.html" for i in ids)


def test_a_page_holds_no_other_persons_data(folder, sel_waves, read_page):
    _, paths = folder
    a = sel_waves["2024"]
    ids = a.respondent_ids.tolist()
    table = al.progress(sel_waves, by="unit")
    rows = np.flatnonzero(table.wave == "2024")
    for k in (0, 30, 59):  # a person of a shown unit, another, and one of the smallest unit
        text = paths[k].read_text(encoding="utf-8")
        page = read_page(text)
        assert [e.attrs["data-respondent"] for e in page.elements if "data-respondent" in e.attrs] == [ids[k]]
        assert not [i for i in ids if i != ids[k] and i in text]
        # every figure on the page is the person's own, their unit's, or the methods appendix's
        r = rows[list(table.group[rows]).index(a.unit[k])]
        allowed = set(a.probabilities[k]) | set(a.scale_scores[k]) | {float(a.expected_level[k]), float(a.expected_level_sd[k])}
        allowed |= {float(a.level[k]), 0.95, 5.0}
        prev = sel_waves["2023"]
        allowed |= set(a.scale_scores[k] - prev.scale_scores[k]) | {float(a.expected_level[k] - prev.expected_level[k])}
        if not table.suppressed[r]:
            allowed |= set(table.scale_means[r]) | {float(table.mean_expected_level[r])}
        for v in _values(page):
            assert any(v == pytest.approx(x, abs=1e-12) for x in allowed), v


def test_the_persons_figures_and_the_units_means(folder, sel_waves, read_page):
    _, paths = folder
    a = sel_waves["2024"]
    table = al.progress(sel_waves, by="unit")
    rows = np.flatnonzero(table.wave == "2024")
    for k in (0, 59):
        page = read_page(paths[k].read_text(encoding="utf-8"))
        bars = [e for e in page.elements if "data-level" in e.attrs]
        np.testing.assert_allclose([float(b.attrs["data-value"]) for b in bars], a.probabilities[k], rtol=1e-12)
        scores = [float(e.attrs["data-value"]) for e in page.stats("score")]
        np.testing.assert_allclose(scores, a.scale_scores[k], rtol=1e-12)
        assert page.value("expected-level") == pytest.approx(a.expected_level[k])
        r = rows[list(table.group[rows]).index(a.unit[k])]
        means = page.stats("unit-mean")
        if table.suppressed[r]:  # the smallest unit: no unit mean, a note instead
            assert not means and page.stats("unit-suppressed")
        else:
            np.testing.assert_allclose([float(e.attrs["data-value"]) for e in means], table.scale_means[r], rtol=1e-12)
        lv = int(a.level[k])
        if lv:
            q = al.load_questionnaire("socio-emotional-levels")
            desc = next(s.description["id"] for s in q.scales if s.level == lv)
            assert page.stats("level-description")[0].text.strip() == desc
        assert page.stats("advisory")[0].text.strip() == TEXT["advisory"]["id"]
        assert "Pasal 10" in page.stats("advisory")[0].text


def test_the_change_since_the_last_wave_is_the_reliable_change(folder, sel_waves, read_page):
    _, paths = folder
    rc = al.reliable_change(sel_waves["2023"], sel_waves["2024"])
    for k in (3, 40):
        page = read_page(paths[k].read_text(encoding="utf-8"))
        assert page.value("expected-change") == pytest.approx(rc.expected_change[k])
        assert page.stats("verdict")[0].attrs["data-value"] == rc.verdict[k]


def test_one_file_with_a_page_each_prints_a_page_each(tmp_path, sel_waves, read_page):
    [path] = al.report(sel_waves, "socio-emotional-levels", output=tmp_path / "all.html", kind="personal", lang="en")
    text = path.read_text(encoding="utf-8")
    page = read_page(text)
    assert len([e for e in page.elements if e.tag == "section" and "page" in e.attrs.get("class", "")]) == 60
    assert "break-after: page" in text and "size: A4" in text
    assert TEXT["advisory"]["en"] in text


def test_berakhlak_personal_index_and_category(tmp_path, berakhlak_waves, read_page):
    [path] = al.report(berakhlak_waves, "berakhlak", output=tmp_path / "b.html", kind="personal")
    page = read_page(path.read_text(encoding="utf-8"))
    a = berakhlak_waves["2025"]
    idx = page.stats("index")
    assert [float(e.attrs["data-value"]) for e in idx] == pytest.approx(a.index.tolist())
    assert [e.attrs["data-category"] for e in idx] == a.index_category.tolist()
    assert [float(e.attrs["data-value"]) for e in page.stats("index-change")] == pytest.approx([5.0] * len(a))
    assert not page.stats("level")  # berakhlak has no level model: no level section


def test_file_names_stay_in_the_folder_and_never_collide():
    names = file_names(["R001", "../etc/passwd", "a b", "a_b", "", "x" * 100])
    assert names[0] == "R001.html"
    assert all("/" not in n and not n.startswith(".") for n in names)
    assert len(set(names)) == len(names)


def test_berakhlak_change_is_tested_with_the_baselines_sem_when_files_are_given(tmp_path, read_page):
    from pathlib import Path

    src = Path(__file__).resolve().parents[2] / "questionnaires" / "examples" / "berakhlak-excel-id.csv"
    lines = src.read_text(encoding="utf-8-sig").splitlines()
    # the second wave: every answer two steps up on the frequency scale, as far as it can go
    up = {"Tidak pernah": "Kadang-kadang", "Jarang": "Sering", "Kadang-kadang": "Selalu", "Sering": "Selalu"}
    later = [lines[0]] + [";".join(c if i < 2 else up.get(c, c) for i, c in enumerate(line.split(";"))) for line in lines[1:]]
    f1, f2 = tmp_path / "2024.csv", tmp_path / "2025.csv"
    f1.write_text("\n".join(lines) + "\n", encoding="utf-8")
    f2.write_text("\n".join(later) + "\n", encoding="utf-8")
    opts = {"unit_column": "unit"}
    [path] = al.report([f1, f2], "berakhlak", kind="personal", output=tmp_path / "p.html", read_options=opts)
    page = read_page(path.read_text(encoding="utf-8"))
    r1, r2 = (al.read_responses(f, "berakhlak", **opts) for f in (f1, f2))
    rc = al.reliable_change(al.assess("berakhlak", r1), al.assess("berakhlak", r2),
                            sem=al.reliability("berakhlak", r1).sem)
    got = [e.attrs["data-value"] for e in page.stats("verdict")]
    assert got == rc.verdict.tolist() and "improved" in got
    assert TEXT["reliability_from_wave"]["id"].format(wave="2024") in path.read_text(encoding="utf-8")
