"""The culture map of a dask DataFrame of votes (akhlak_levels.dask.culture_map_dask) equals the
in-memory map of the concatenated frame: counts, top lists, matches and suppression exactly,
means, indices, standard errors and intervals to 1e-12 relative. Synchronous scheduler here; the
two-process LocalCluster test is in tests/test_dask.py (it shares that module's cluster)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

dd = pytest.importorskip("dask.dataframe", reason="the dask extra")
import dask  # noqa: E402

from akhlak_levels import ResponseError, culture_map, load_questionnaire, read_votes  # noqa: E402
from akhlak_levels.dask import culture_map_dask  # noqa: E402
from akhlak_levels.model._vote_theory import simulate_votes  # noqa: E402

CM = load_questionnaire("berakhlak-culture-map")
#: Figures computed from the same whole numbers by the same code: equal bit for bit.
EXACT = {"votes", "share", "share_low", "share_high", "jumps", "level_profile", "balance"}


def vote_frame(n: int, seed: int, *, lists: bool = False) -> pd.DataFrame:
    """Simulated votes as one column per question (behaviour ids joined by spaces, or lists),
    with skipped questions, a unit, a region and unlabelled respondents."""
    votes, _ = simulate_votes(CM, n, random_state=seed)
    rng = np.random.default_rng(seed)
    picks = votes.picks.copy()
    picks[rng.random(n) < 0.08, 1] = -1  # current skipped
    picks[rng.random(n) < 0.05, 2] = -1
    ids = np.array([b.id for b in CM.behaviours] + [""])
    cols = {}
    for k, qn in enumerate(CM.vote_questions):
        chosen = ids[picks[:, k]]  # -1 reads the appended ""
        cells = [[x for x in row if x] for row in chosen.tolist()]
        cols[qn.id] = cells if lists else [" ".join(c) for c in cells]
    df = pd.DataFrame(cols)
    df["unit"] = rng.choice(["Keuangan", "Umum", "Hukum", "SDM"], n)
    df["region"] = np.where(df["unit"].isin(["Keuangan", "Umum"]), "barat", "timur")
    df.loc[df.index[:4], "unit"] = ""  # respondents without a unit: in everyone's row only
    return df


def partitioned(df: pd.DataFrame, cuts: list[int]):
    """A dask frame of the pieces between ``cuts`` (an equal pair of cuts: an empty partition)."""
    pieces = [df.iloc[a:b] for a, b in zip(cuts[:-1], cuts[1:])]
    return dd.from_delayed([dask.delayed(p) for p in pieces], meta=df.iloc[:0], verify_meta=False)


def assert_same_map(got, want) -> None:
    for f in dataclasses.fields(want):
        x, y = getattr(got, f.name), getattr(want, f.name)
        if isinstance(y, np.ndarray) and y.dtype.kind == "f" and f.name not in EXACT:
            assert x.shape == y.shape and x.dtype == y.dtype, f.name
            np.testing.assert_array_equal(np.isnan(x), np.isnan(y), err_msg=f.name)
            np.testing.assert_allclose(x, y, rtol=1e-12, atol=0, equal_nan=True, err_msg=f.name)
        elif isinstance(y, np.ndarray):
            assert x.dtype == y.dtype and x.shape == y.shape, f.name
            np.testing.assert_array_equal(x, y, err_msg=f.name)
        elif isinstance(y, dict):
            assert x.keys() == y.keys(), f.name
            for k in y:
                same = np.array_equal(x[k], y[k]) if isinstance(y[k], np.ndarray) else x[k] == y[k]
                assert same, (f.name, k)
        else:
            assert x == y, f.name


@pytest.fixture(scope="module")
def frame_and_df():
    df = vote_frame(400, 1)
    tail = df.iloc[:2].assign(unit="Tiny", region="timur")  # a unit of 2 respondents
    late = df.iloc[:30].assign(unit="Late")  # a unit present in the last partition only
    whole = pd.concat([df, tail, late], ignore_index=True)
    return partitioned(whole, [0, 150, 150, 300, 402, 432]), whole


@pytest.mark.parametrize("by", [None, "unit", "region"])
@pytest.mark.parametrize("index", ["reach", "votes"])
def test_the_reduced_map_equals_the_in_memory_map(frame_and_df, by, index):
    frame, whole = frame_and_df
    assert frame.map_partitions(len).compute(scheduler="sync").tolist() == [150, 0, 150, 102, 30]
    with dask.config.set(scheduler="sync"):
        got = culture_map_dask(frame, CM, by=by, index=index, group_columns=["region"])
    want = culture_map(CM, read_votes(whole, CM, group_columns=["region"]), by=by, index=index)
    assert_same_map(got, want)
    if by == "unit":
        assert got.group == ("(all)", "Hukum", "Keuangan", "Late", "SDM", "Tiny", "Umum")
        assert got.n[got.row("Tiny")] == 2 and got.suppressed[got.row("Tiny")]  # 2 respondents: hidden
        assert np.isnan(got.entropy[got.row("Tiny")]) and got.top[got.row("Tiny")].max() == -1
        assert got.n[got.row("Late")] == 30
        assert not got.suppressed[0] and np.isfinite(got.health_se[0]) and got.health_se[0] > 0


def test_lists_in_cells_a_text_index_and_ids_equal_the_in_memory_map():
    df = vote_frame(240, 2, lists=True)
    df.insert(0, "respondent_id", [f"P{i:04d}" for i in range(240)])
    df.index = [f"r{i}" for i in range(240)]
    with dask.config.set({"dataframe.convert-string": False}):  # keep the lists (not their text) in the cells
        frame = dd.from_pandas(df, npartitions=4, sort=False)
    with dask.config.set(scheduler="sync"):
        got = culture_map_dask(frame, CM, by="unit", min_group_size=3, confidence=0.9, ignore_columns=["region"])
    want = culture_map(CM, read_votes(df, CM, ignore_columns=["region"]), by="unit", min_group_size=3, confidence=0.9)
    assert_same_map(got, want)


def test_errors_of_the_whole_frame():
    df = vote_frame(60, 3).drop(columns="region")
    with pytest.raises(ResponseError, match="unknown column"):
        culture_map_dask(dd.from_pandas(df.assign(shoe_size=42), npartitions=2), CM)
    with pytest.raises(ResponseError, match="No column 'grade'"):
        culture_map_dask(dd.from_pandas(df, npartitions=2), CM, by="grade")
    with pytest.raises(TypeError, match="dask DataFrame"):
        culture_map_dask(df, CM)
    ids = [f"P{i}" for i in range(60)]
    ids[55] = ids[3]  # the first and the last partition
    frame = dd.from_pandas(df.assign(respondent_id=ids), npartitions=3)
    with dask.config.set(scheduler="sync"):
        with pytest.raises(ResponseError, match=r"on rows \[3, 55\]"):
            culture_map_dask(frame, CM)
        bad = df.copy()
        bad.loc[45, "current"] = "no-such-behaviour"
        with pytest.raises(ResponseError) as single:
            read_votes(bad, CM)
        with pytest.raises(ResponseError) as got:
            culture_map_dask(dd.from_pandas(bad, npartitions=3), CM)
        assert [str(p) for p in got.value.problems] == [str(p) for p in single.value.problems]
        with pytest.raises(ResponseError, match="no rows"):
            culture_map_dask(dd.from_pandas(df.iloc[:0], npartitions=1), CM)


def test_the_long_layout_with_each_respondent_in_one_partition():
    df = vote_frame(200, 5).drop(columns="region")
    df.insert(0, "respondent_id", [f"R{i:03d}" for i in range(200)])
    picks = [df[["respondent_id", "unit", q]].assign(behaviour=df[q].str.split(" "), question=q).explode("behaviour")
             for q in ("personal", "current", "desired")]
    long = pd.concat(picks)[["respondent_id", "unit", "question", "behaviour"]]
    long = long[long["behaviour"].fillna("") != ""].sort_values("respondent_id", kind="stable").reset_index(drop=True)
    first = np.flatnonzero(long["respondent_id"].to_numpy() != np.roll(long["respondent_id"].to_numpy(), 1))
    with dask.config.set(scheduler="sync"):
        got = culture_map_dask(partitioned(long, [0, first[50], first[120], first[120], len(long)]), CM, by="unit")
        assert_same_map(got, culture_map(CM, read_votes(long, CM), by="unit"))
        assert got.n[0] == 200
        with pytest.raises(ResponseError, match="respondent 'R050'"):  # a respondent cut in two
            culture_map_dask(partitioned(long, [0, first[50] + 1, len(long)]), CM, by="unit")
