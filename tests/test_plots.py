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
