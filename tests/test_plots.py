"""Figures render to PNG and show the numbers they claim to show."""

from pathlib import Path

import numpy as np
import pytest

import akhlak_levels as al

pytest.importorskip("matplotlib")
from akhlak_levels.growth import progress, transitions  # noqa: E402
from akhlak_levels.plots import level_distribution_figure, transition_figure, trajectory_figure  # noqa: E402

SEL = al.load_questionnaire("socio-emotional-levels")


@pytest.fixture(scope="module")
def waves():
    levels = np.random.default_rng(0).integers(1, 6, 300)
    out = {}
    for i, w in enumerate(["2024", "2025", "2026"]):
        rs, _ = al.simulate(SEL, 300, levels=np.clip(levels + (i if i < 2 else 1) * (levels < 5), 1, 5), random_state=i)
        out[w] = al.assess(SEL, rs)
    return out


def _png(fig, path):
    fig.savefig(path)
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5000
    return data


def test_level_distribution_bars_are_the_level_shares(waves, tmp_path):
    table = progress(waves)
    fig = level_distribution_figure(table)
    _png(fig, tmp_path / "levels.png")
    patches = fig.axes[0].patches
    rows = np.flatnonzero(table.group == "(all)")
    heights = np.array([p.get_height() for p in patches]).reshape(6, len(rows)).T  # bars drawn level by level
    np.testing.assert_allclose(heights, table.level_shares[rows], atol=1e-12)


def test_transition_heatmap_shows_the_matrix(waves, tmp_path):
    t = transitions(waves["2024"], waves["2025"])
    for kind in ("corrected", "proportions", "expected_proportions"):
        fig = transition_figure(t, kind=kind)
        _png(fig, tmp_path / f"{kind}.png")
        np.testing.assert_allclose(fig.axes[0].images[0].get_array(), np.nan_to_num(getattr(t, kind)))
    with pytest.raises(ValueError, match="The 'kind' parameter of transition_figure must be one of"):
        transition_figure(t, kind="raw")


def test_level_charts_speak_indonesian_when_asked(waves):
    table = progress(waves)
    ax = level_distribution_figure(table, lang="id").axes[0]
    assert ax.get_title() == "Level per gelombang: (all)" and ax.get_ylabel() == "proporsi responden"
    t = transitions(waves["2024"], waves["2025"])
    ax = transition_figure(t, lang="id").axes[0]
    assert ax.get_title().startswith("Perpindahan level (dikoreksi untuk salah klasifikasi)")
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("level sesudah", "level sebelum")
    assert transition_figure(t).axes[0].get_xlabel() == "level after"
    with pytest.raises(ValueError, match="The 'lang' parameter of transition_figure must be one of"):
        transition_figure(t, lang="fr")


def test_trajectories_draw_people_and_the_mean(waves, tmp_path):
    fig = trajectory_figure(waves, max_respondents=10)
    _png(fig, tmp_path / "traj.png")
    lines = fig.axes[0].lines
    assert len(lines) == 11  # ten people and the mean
    table = progress(waves)
    np.testing.assert_allclose(lines[-1].get_ydata(), table.mean_expected_level[table.group == "(all)"])


def test_a_missing_group_is_named(waves):
    with pytest.raises(ValueError, match="No group 'Dinas X'"):
        level_distribution_figure(progress(waves), group="Dinas X")


# ------------------------------------------------------------------ culture map (issue 11)

EXAMPLE_VOTES = Path(__file__).resolve().parents[1] / "questionnaires" / "examples" / "berakhlak-culture-map-google-forms.csv"


def _culture():
    q = al.load_questionnaire("berakhlak-culture-map")
    votes = al.read_votes(EXAMPLE_VOTES, q, unit_column="Unit Kerja")
    return q, al.culture_map(q, votes, by="unit")


def test_the_level_profile_draws_each_question_s_shares_of_votes_by_level():
    from akhlak_levels.plots import level_profile_figure

    q, cm = _culture()
    fig = level_profile_figure(cm, group=cm.group[1])
    heights = np.array([p.get_height() for p in fig.axes[0].patches]).reshape(5, len(cm.roles)).T  # drawn level by level
    np.testing.assert_allclose(heights, cm.level_profile[1], atol=1e-12)
    np.testing.assert_allclose(heights.sum(axis=1), 1.0, atol=1e-12)


def test_value_jumps_show_the_largest_rises_and_falls_in_percentage_points():
    from akhlak_levels.plots import value_jumps_figure

    q, cm = _culture()
    fig = value_jumps_figure(cm, q, top=4)
    widths = [p.get_width() for p in fig.axes[0].patches]
    jumps = 100 * np.sort(np.nan_to_num(cm.jumps[0]))
    np.testing.assert_allclose(sorted(widths), sorted([*jumps[:4], *jumps[-4:]]), atol=1e-9)
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert labels[0] == q.behaviour(cm.behaviours[int(np.nanargmax(cm.jumps[0]))]).label["en"]  # the largest rise on top


# ------------------------------------------------------------------ BerAKHLAK charts (issue 12)

EXAMPLE_BER = Path(__file__).resolve().parents[1] / "questionnaires" / "examples" / "berakhlak-excel-id.csv"
BER = al.load_questionnaire("berakhlak")


@pytest.fixture(scope="module")
def ber_waves():
    """Two waves of the bundled BerAKHLAK example: the second a few points higher; two people
    moved to a unit of their own, which is then too small (and hides one more unit)."""
    from dataclasses import replace

    a = al.assess(BER, al.read_responses(EXAMPLE_BER, BER, unit_column="unit"))
    units = a.unit.copy()
    units[:2] = "Kecil"
    a = replace(a, unit=units)
    rng = np.random.default_rng(7)
    scores = np.clip(a.scale_scores + rng.normal(5, 5, a.scale_scores.shape), 0, 100)
    b = replace(a, scale_scores=scores, index=scores.mean(axis=1), index_category=BER.index.categorize(scores.mean(axis=1)))
    return {"2024": a, "2025": b}


@pytest.fixture(scope="module")
def ber_table(ber_waves):
    return progress(ber_waves, by="unit")


def _texts(ax, gid="value"):
    return [t.get_text() for t in ax.texts if t.get_gid() == gid]


def test_the_value_profile_draws_the_table_s_means_and_intervals(ber_waves, ber_table, tmp_path):
    from scipy import stats

    from akhlak_levels.plots import value_profile_figure

    t = ber_table
    r = int(np.flatnonzero((t.group == "Bagian Umum") & (t.wave == "2025"))[0])
    fig = value_profile_figure(t, group="Bagian Umum", assessments=ber_waves, lang="en")
    _png(fig, tmp_path / "profile.png")
    ax = fig.axes[0]
    expected = np.append(t.scale_means[r], t.index_mean[r])
    np.testing.assert_allclose([b.get_height() for b in ax.containers[0]], expected, rtol=1e-12)
    assert _texts(ax) == [f"{v:.1f}" for v in expected]
    # whiskers: each value's t interval over the unit's respondents, the index's from the table
    a = ber_waves["2025"]
    x = a.scale_scores[a.unit == "Bagian Umum"]
    half = stats.t.ppf(0.975, len(x) - 1) * x.std(axis=0, ddof=1) / np.sqrt(len(x))
    segs = np.array([s[:, 1] for s in ax.collections[0].get_segments()])  # (lower, upper) of each bar
    np.testing.assert_allclose(segs[:-1], np.column_stack([x.mean(axis=0) - half, x.mean(axis=0) + half]), rtol=1e-10)
    np.testing.assert_allclose(segs[-1], [t.index_ci_lower[r], t.index_ci_upper[r]], rtol=1e-12)
    assert [tick.get_text() for tick in ax.get_xticklabels()][:2] == ["Service-oriented", "Accountable"]
    bands = [tx.get_text() for tx in ax.texts if tx.get_gid() is None]
    assert bands == ["A Healthy", "B Fairly healthy", "C Unhealthy", "D Category D"]
    assert [tx.get_text() for tx in value_profile_figure(t, lang="id").axes[0].texts if tx.get_gid() is None][:3] == [
        "A Sehat", "B Cukup Sehat", "C Tidak Sehat"]


def test_a_suppressed_unit_s_profile_shows_no_number(ber_table):
    from akhlak_levels.plots import value_profile_figure

    fig = value_profile_figure(ber_table, group="Kecil", lang="en")
    ax = fig.axes[0]
    assert [b.get_height() for b in ax.containers[0]] == [0.0] * 8
    assert _texts(ax) == [] and "suppressed (small group)" in ax.get_title()


def test_assessments_other_than_the_table_s_are_refused(ber_waves, ber_table):
    from akhlak_levels.plots import value_profile_figure

    swapped = {"2024": ber_waves["2025"], "2025": ber_waves["2024"]}
    with pytest.raises(ValueError, match="not the waves the progress table was made from"):
        value_profile_figure(ber_table, group="Bagian Umum", assessments=swapped)
    with pytest.raises(ValueError, match="No wave '2030'"):
        value_profile_figure(ber_table, wave="2030")


def test_the_index_trend_lines_are_the_table_s_index_per_group(ber_table, tmp_path):
    from akhlak_levels.plots import index_trend_figure

    t = ber_table
    fig = index_trend_figure(t)
    _png(fig, tmp_path / "trend.png")
    lines = {ln.get_gid(): ln for ln in fig.axes[0].lines}
    groups = list(dict.fromkeys(t.group.tolist()))
    assert list(lines) == [f"index:{g}" for g in groups]
    for g in groups:
        np.testing.assert_array_equal(lines[f"index:{g}"].get_ydata(), t.index_mean[t.group == g])
    assert np.isnan(lines["index:Kecil"].get_ydata()).all()  # suppressed: a gap, not a number
    fig = index_trend_figure(t, groups=["Dinas Kesehatan"])
    assert [ln.get_gid() for ln in fig.axes[0].lines] == ["index:Dinas Kesehatan"]


def test_the_heatmap_colours_cells_by_category_and_writes_the_scores(ber_table, tmp_path):
    from akhlak_levels.plots import unit_value_heatmap

    t = ber_table
    fig = unit_value_heatmap(t, wave="2025")
    _png(fig, tmp_path / "heatmap.png")
    ax = fig.axes[0]
    rows = t.wave == "2025"
    V = np.column_stack([t.scale_means[rows], t.index_mean[rows]])
    assert _texts(ax) == [f"{v:.1f}" for v in V.ravel() if np.isfinite(v)]  # row by row, none for hidden cells
    img = ax.images[0].get_array()
    np.testing.assert_array_equal(img.mask, ~np.isfinite(V))  # hidden cells are the grey "bad" colour
    codes = BER.index.categorize(V.ravel()).reshape(V.shape)
    cats = [c.code for c in BER.index.categories]
    np.testing.assert_array_equal(img.filled(-1), np.where(np.isfinite(V), np.vectorize(lambda c: cats.index(c) if c else -1)(codes), -1))
    labels = [tick.get_text() for tick in ax.get_yticklabels()]
    assert labels[0] == "(semua) (n = 30)" and labels[-1] == "Kecil (n = 2) - disembunyikan"
    assert img.shape == (6, 8) and unit_value_heatmap(t, index=False).axes[0].images[0].get_array().shape == (6, 7)


def test_level_charts_of_an_instrument_without_levels_refuse_instead_of_drawing_nothing(ber_waves, ber_table):
    with pytest.raises(ValueError, match="no level model"):
        trajectory_figure(ber_waves)
    with pytest.raises(ValueError, match="has no levels"):
        level_distribution_figure(ber_table)


def test_berakhlak_charts_need_an_index(waves):
    from akhlak_levels.plots import index_trend_figure, unit_value_heatmap, value_profile_figure

    for f in (index_trend_figure, unit_value_heatmap, value_profile_figure):
        with pytest.raises(ValueError, match="has no index"):
            f(progress(waves), questionnaire=SEL)


# ------------------------------------------------------------------ no global state (issue 12)


def _every_figure(waves, ber_waves, ber_table, ax=None):
    from akhlak_levels import plots

    q, cm = _culture()
    table = progress(waves)
    return {
        "level_distribution_figure": lambda ax: plots.level_distribution_figure(table, ax=ax),
        "transition_figure": lambda ax: plots.transition_figure(transitions(waves["2024"], waves["2025"]), ax=ax),
        "trajectory_figure": lambda ax: plots.trajectory_figure(waves, max_respondents=3, ax=ax),
        "level_profile_figure": lambda ax: plots.level_profile_figure(cm, ax=ax),
        "value_jumps_figure": lambda ax: plots.value_jumps_figure(cm, q, top=3, ax=ax),
        "value_profile_figure": lambda ax: plots.value_profile_figure(ber_table, assessments=ber_waves, ax=ax),
        "index_trend_figure": lambda ax: plots.index_trend_figure(ber_table, ax=ax),
        "unit_value_heatmap": lambda ax: plots.unit_value_heatmap(ber_table, ax=ax),
    }


def test_every_plot_function_is_tested_here(waves, ber_waves, ber_table):
    from akhlak_levels import plots

    assert set(_every_figure(waves, ber_waves, ber_table)) == set(plots.__all__)


def test_no_plot_function_touches_the_backend_or_pyplot(waves, ber_waves, ber_table, monkeypatch):
    import matplotlib
    from matplotlib.figure import Figure

    before = matplotlib.get_backend()
    matplotlib.use("svg", force=True)  # a backend other than Agg that needs no display
    try:
        calls = []
        monkeypatch.setattr(matplotlib, "use", lambda *a, **k: calls.append(a))
        for name, draw in _every_figure(waves, ber_waves, ber_table).items():
            fig = draw(None)
            assert isinstance(fig, Figure), name
            assert fig.canvas.manager is None, name  # not a pyplot figure: the user's figures stay theirs
        assert calls == [] and matplotlib.get_backend() == "svg"
    finally:
        monkeypatch.undo()
        matplotlib.use(before, force=True)


def test_every_plot_function_draws_on_the_axes_it_is_given(waves, ber_waves, ber_table):
    from matplotlib.figure import Figure

    for name, draw in _every_figure(waves, ber_waves, ber_table).items():
        host = Figure(figsize=(12, 4))
        left, right = host.subplots(1, 2)
        fig = draw(right)
        assert fig is host, name
        assert not left.has_data() and right.has_data(), name


def test_a_figure_shows_itself_in_a_notebook_as_png(ber_table):
    from akhlak_levels.plots import unit_value_heatmap

    png = unit_value_heatmap(ber_table)._repr_png_()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_figure_pickles_and_reads_as_a_figure(ber_table):
    import pickle

    from akhlak_levels.plots import index_trend_figure

    fig = index_trend_figure(ber_table)
    assert repr(fig).startswith("<Figure size")
    again = pickle.loads(pickle.dumps(fig))
    np.testing.assert_array_equal(again.axes[0].lines[0].get_ydata(), fig.axes[0].lines[0].get_ydata())
