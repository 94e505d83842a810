"""Figures render to PNG and show the numbers they claim to show."""

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
