"""``akhlak-levels growth`` shows the columns the instrument has: the index with its category
label and each value's mean for ``berakhlak`` (rounded), the level columns for
``socio-emotional-levels``; ``--plot`` writes the charts that can be drawn and says what it skips."""

import io
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

import akhlak_levels as al
from akhlak_levels.cli._main import main

EXAMPLES = Path(__file__).resolve().parents[2] / "questionnaires" / "examples"
BER = al.load_questionnaire("berakhlak")


def run(*argv):
    out, err = io.StringIO(), io.StringIO()
    code = main([str(a) for a in argv], stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def ber_store(tmp_path_factory):
    """Two waves of the bundled BerAKHLAK example, the second a few points higher, with a unit
    of two people (suppressed)."""
    a = al.assess(BER, al.read_responses(EXAMPLES / "berakhlak-excel-id.csv", BER, unit_column="unit"))
    units = a.unit.copy()
    units[:2] = "Kecil"
    a = replace(a, unit=units)
    scores = np.clip(a.scale_scores + np.random.default_rng(3).normal(4, 4, a.scale_scores.shape), 0, 100)
    b = replace(a, scale_scores=scores, index=scores.mean(axis=1), index_category=BER.index.categorize(scores.mean(axis=1)))
    path = tmp_path_factory.mktemp("ber") / "ber.sqlite"
    with al.AssessmentStore(path) as store:
        store.add(a, wave="2024")
        store.add(b, wave="2025")
    return path, al.progress({"2024": a, "2025": b}, by="unit")


def _table(stdout, first_column="wave"):
    lines = stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if line.split()[:1] == [first_column])
    head = lines[start]
    # columns are left-aligned under their header: cut each line at the headers' starts
    starts = [i for i, ch in enumerate(head) if ch != " " and (i == 0 or head[i - 1] == " ")]
    rows = []
    for line in lines[start:]:
        if not line.strip() or line.startswith(("values:", "groups under", "  ...")):
            break
        rows.append([line[s:e].strip() for s, e in zip(starts, starts[1:] + [None])])
    return rows[0], rows[1:]


def test_berakhlak_growth_shows_the_index_its_category_and_each_value_rounded(ber_store):
    path, table = ber_store
    code, stdout, stderr = run("growth", "--store", path, "--by", "unit")
    assert code == 0, stderr
    head, rows = _table(stdout)
    assert head == ["wave", "group", "n", "suppressed", "index", "interval", "category",
                    "BP", "AK", "KO", "HA", "LO", "AD", "KL", "change", "change_p", "rank"]
    assert "mean_expected_level" not in stdout and "share_level_4_5" not in stdout  # no empty level columns
    assert len(rows) == len(table)
    labels = {c.code: f"{c.code} {c.label['id']}" for c in BER.index.categories}
    for r, row in enumerate(rows):
        cells = dict(zip(head, row))
        assert (cells["wave"], cells["group"], int(cells["n"])) == (table.wave[r], table.group[r], table.n[r])
        if np.isnan(table.index_mean[r]):
            assert cells["index"] == cells["category"] == "-" and all(cells[h] == "-" for h in head[7:14])
            continue
        assert cells["index"] == f"{table.index_mean[r]:.1f}"
        assert cells["interval"] == f"{table.index_ci_lower[r]:.1f}-{table.index_ci_upper[r]:.1f}"
        assert cells["category"] == labels[table.index_category[r]]
        assert [cells[h] for h in head[7:14]] == [f"{v:.1f}" for v in table.scale_means[r]]
        if np.isfinite(table.change_index[r]):
            assert cells["change"] == f"{table.change_index[r]:+.1f}" and cells["change_p"] == f"{table.change_index_p[r]:.3f}"
    assert any(row[6] == "C Tidak Sehat" for row in rows)
    assert [row[3] for row in rows if row[1] == "Kecil"] == ["True", "True"]
    assert "values: BP = Berorientasi Pelayanan, AK = Akuntabel" in stdout and "index with its 95% interval" in stdout


def test_berakhlak_growth_plot_writes_the_value_charts_and_skips_the_level_charts(ber_store, tmp_path):
    pytest.importorskip("matplotlib")
    path, table = ber_store
    code, _, stderr = run("growth", "--store", path, "--by", "unit", "--plot", tmp_path / "plots")
    assert code == 0, stderr
    shown = [g for g, w, s in zip(table.group, table.wave, table.suppressed) if w == "2025" and g != "(all)" and not s]
    expected = {"value-profile.png", "index-trend.png", "unit-values.png"} | {
        f"value-profile-{k:03d}-{g.replace(' ', '-')}.png" for k, g in enumerate(shown, 1)}
    written = {p.name for p in (tmp_path / "plots").iterdir()}
    assert written == expected and "levels.png" not in written and "trajectories.png" not in written
    assert all((tmp_path / "plots" / name).read_bytes()[:4] == b"\x89PNG" for name in written)
    assert "note: no level model for 'berakhlak': no level or trajectory charts" in stderr


def test_socio_emotional_growth_keeps_its_level_columns_and_charts(tmp_path):
    q = al.load_questionnaire("socio-emotional-levels")
    path = tmp_path / "sel.sqlite"
    waves = {}
    with al.AssessmentStore(path) as store:
        for i, w in enumerate(["2024", "2025"]):
            a = al.assess(q, al.simulate(q, 40, random_state=i)[0])
            waves[w] = a = replace(a, unit=np.array(["A"] * 20 + ["B"] * 20))
            store.add(a, wave=w)
    code, stdout, stderr = run("growth", "--store", path, "--by", "unit", "--plot", tmp_path / "plots")
    assert code == 0, stderr
    head, rows = _table(stdout)
    assert head == ["wave", "group", "n", "suppressed", "mean_expected_level", "expected_level_ci_lower",
                    "expected_level_ci_upper", "share_level_4_5", "change_expected_level", "change_expected_level_p",
                    "rank_expected_level"]
    table = al.progress(waves, by="unit")
    assert [r[4] for r in rows] == [f"{v:.3f}" for v in table.mean_expected_level]
    assert "category" not in head and "values:" not in stdout
    assert {p.name for p in (tmp_path / "plots").iterdir()} == {"levels.png", "trajectories.png"}
