"""Scoring a dask DataFrame on a real two-process cluster gives what the single-machine path gives
on the concatenated frame: the same ids, levels, probabilities and group aggregates, and the same
errors (akhlak_levels.dask)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

dd = pytest.importorskip("dask.dataframe", reason="the dask extra")
distributed = pytest.importorskip("distributed", reason="the dask extra")
import dask  # noqa: E402

from akhlak_levels import ResponseError, assess, load_questionnaire, progress, read_responses, simulate  # noqa: E402
from akhlak_levels.dask import assess_dask, culture_map_dask, progress_dask  # noqa: E402

SEL = load_questionnaire("socio-emotional-levels")


@pytest.fixture(scope="module")
def client():
    """Two worker processes, one thread each, closed after the module."""
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None, silence_logs=40
    ) as cluster, distributed.Client(cluster) as c:
        yield c


def _answers(n: int, seed: int) -> pd.DataFrame:
    rs, _ = simulate(SEL, n, random_state=seed)
    df = pd.DataFrame(rs.values, columns=SEL.item_ids)
    df.iloc[7, :5] = np.nan  # a partial answer sheet
    df.iloc[8, :] = np.nan  # nothing answered: level 0
    return df


def _with_empty_partition(df: pd.DataFrame):
    """Four partitions, the second empty."""
    cut = np.linspace(0, len(df), 4).astype(int)
    pieces = [df.iloc[cut[0]:cut[1]], df.iloc[:0], df.iloc[cut[1]:cut[2]], df.iloc[cut[2]:]]
    frame = dd.from_delayed([dask.delayed(p) for p in pieces], meta=df.iloc[:0], verify_meta=False)
    assert frame.map_partitions(len).compute().tolist()[1] == 0
    return frame


def _reference(frame, q=SEL, **read):
    return assess(q, read_responses(frame.compute(), q, **read))


def _assert_same_results(got: pd.DataFrame, want: pd.DataFrame) -> None:
    got = got.reset_index(drop=True)
    assert list(got.columns) == list(want.columns)
    assert got.dtypes.to_dict() == want.dtypes.to_dict()
    assert got["respondent_id"].tolist() == want["respondent_id"].tolist()
    for c in want.columns:
        x, y = got[c].to_numpy(), want[c].to_numpy()
        if x.dtype.kind == "f":
            np.testing.assert_allclose(x, y, rtol=0, atol=1e-12, err_msg=c)
        else:
            assert (x == y).all(), c


def test_numbered_respondents_equal_the_single_machine_path(client):
    df = _answers(2000, 0)
    df["unit"] = np.where(np.arange(2000) % 7 == 0, "small-and-spread", "big")
    frame = _with_empty_partition(df)
    scored = assess_dask(frame, SEL)
    ref = _reference(frame).to_frame()
    # meta is declared: the same columns and dtypes as Assessment.to_frame, without computing
    assert list(scored.columns) == list(ref.columns)
    assert scored.dtypes.to_dict() == ref.dtypes.to_dict()
    got = scored.compute()
    _assert_same_results(got, ref)
    ids = got["respondent_id"].to_numpy()
    assert len(np.unique(ids)) == len(ids) == 2000  # unique across partitions: numbered on from each offset
    assert ids[666] == "667" and ids[667] == "668"  # numbered on across the empty partition
    assert got.index.equals(frame.index.compute())  # results align with the input rows
    assert (got["level"].to_numpy() == 0).sum() >= 1 and got["level"].dtype == np.int64


def test_an_empty_partition_gives_an_empty_frame_with_the_meta(client):
    frame = _with_empty_partition(_answers(400, 1))
    scored = assess_dask(frame, SEL)
    part = scored.partitions[1].compute()
    assert scored.partitions[2].compute()["respondent_id"].iloc[0] == str(len(scored.partitions[0].compute()) + 1)
    assert len(part) == 0
    assert part.dtypes.to_dict() == scored.dtypes.to_dict()


def test_an_id_column_and_a_text_index_equal_the_single_machine_path(client):
    df = _answers(1200, 2)
    df.insert(0, "respondent_id", [f"P{i:05d}" for i in range(1200)])
    df.index = [f"r{i}" for i in range(1200)]  # not an integer index: rows are numbered by position
    df.loc["r900", SEL.item_ids[3]] = 9  # out of range, set missing and flagged
    frame = dd.from_pandas(df, npartitions=3, sort=False)
    got = assess_dask(frame, SEL, on_invalid="missing").compute()
    ref = _reference(frame, on_invalid="missing").to_frame()
    _assert_same_results(got, ref)
    assert got.loc["r900", "flags"] == ref["flags"].iloc[900] == f"invalid:{SEL.item_ids[3]}"


def test_an_id_given_in_two_partitions_is_refused_naming_both_rows(client):
    df = _answers(900, 3)
    ids = [f"P{i}" for i in range(900)]
    ids[850] = ids[10]  # partition 0 and partition 2
    df.insert(0, "respondent_id", ids)
    frame = dd.from_pandas(df, npartitions=3)
    with pytest.raises(ResponseError) as single:
        read_responses(df, SEL)
    with pytest.raises(ResponseError, match="Respondent ids must be unique") as got:
        assess_dask(frame, SEL).compute()
    assert got.value.problems[0].row == 850 and got.value.problems[0].respondent == "P10"
    assert str(got.value.problems[0]) == str(single.value.problems[0])  # "... on rows [10, 850]"
    assert "on rows [10, 850]" in str(got.value)
    # the same ids without the repeat pass, and a repeat inside one partition is the reader's own error
    assert len(assess_dask(frame, SEL, check_ids=False).compute()) == 900
    with pytest.raises(ResponseError, match=r"on rows \[10, 11\]"):
        assess_dask(dd.from_pandas(df.assign(respondent_id=[*ids[:11], ids[10], *ids[12:]]), npartitions=3), SEL).compute()


def test_an_unreadable_answer_names_the_whole_frame_s_row_and_number(client):
    df = _answers(600, 4)
    df.iloc[450, 2] = 17
    frame = dd.from_pandas(df, npartitions=3)
    with pytest.raises(ResponseError) as single:
        read_responses(df, SEL)
    with pytest.raises(ResponseError) as got:
        assess_dask(frame, SEL).compute()
    assert [str(p) for p in got.value.problems] == [str(p) for p in single.value.problems]
    assert got.value.problems[0].respondent == "451" and got.value.problems[0].row == 450


def test_columns_that_do_not_fit_are_refused_before_anything_runs():
    df = _answers(20, 5).assign(shoe_size=42)
    with pytest.raises(ResponseError, match="unknown column"):
        assess_dask(dd.from_pandas(df, npartitions=2), SEL)
    with pytest.raises(TypeError, match="dask DataFrame"):
        assess_dask(df, SEL)


def _assert_same_table(got, want) -> None:
    a, b = got.to_frame(), want.to_frame()
    assert list(a.columns) == list(b.columns)
    for c in b.columns:
        x, y = a[c].to_numpy(), b[c].to_numpy()
        if x.dtype.kind == "f":
            np.testing.assert_allclose(x, y, rtol=1e-10, atol=1e-12, equal_nan=True, err_msg=c)
        else:
            assert x.tolist() == y.tolist(), c
    assert got.notes == want.notes


def test_group_aggregates_equal_progress(client):
    n = 3000
    df = _answers(n, 6)
    units = np.array(["A"] * 1200 + ["B"] * 900 + ["C"] * 600 + ["D"] * 297 + ["E"] * 3)
    region = np.where(units == "A", "north", "south")
    region[1200:1202] = "north"  # north = unit A + 2 people of B: A and B hidden by the two-groupings rule
    perm = np.random.default_rng(0).permutation(n)  # groups spread over every partition
    df["unit"], df["region"] = units[perm], region[perm]
    df.loc[df.index[:5], "unit"] = ""  # a missing unit is its own group
    frame = _with_empty_partition(df)
    scored = assess_dask(frame, SEL, group_columns=["region"]).persist()
    a = _reference(frame, group_columns=["region"])
    for by in ("unit", "region", None):
        got = progress_dask(scored, SEL, by, wave="2024")
        want = progress({"2024": a}, by=by)
        _assert_same_table(got, want)
    got = progress_dask(scored, SEL, "unit", wave="2024")
    assert got.suppressed.tolist() == progress({"2024": a}, by="unit").suppressed.tolist()
    assert got.group.tolist()[:3] == ["(all)", "(missing)", "A"]
    assert got.suppressed[got.group.tolist().index("A")]  # the crossed rule, on the reduced counts
    assert got.suppressed[got.group.tolist().index("E")] and not got.suppressed[0]


def test_group_aggregates_of_an_index_without_levels_equal_progress(client):
    q = load_questionnaire("berakhlak")
    rng = np.random.default_rng(7)
    X = rng.integers(1, 6, size=(800, q.n_items)).astype(float)
    X[rng.random(X.shape) < 0.05] = np.nan
    df = pd.DataFrame(X, columns=q.item_ids).assign(unit=rng.choice(["x", "y", "z"], 800, p=[0.6, 0.395, 0.005]))
    frame = dd.from_pandas(df, npartitions=3)
    got = progress_dask(assess_dask(frame, q), q, "unit", wave="1")
    want = progress({"1": _reference(frame, q)}, by="unit")
    _assert_same_table(got, want)
    assert got.index_mean is not None and np.isfinite(got.index_mean[0])


def test_one_wave_at_a_time():
    df = _answers(40, 8).assign(wave=["2023"] * 20 + ["2024"] * 20)
    scored = assess_dask(dd.from_pandas(df, npartitions=2), SEL)
    with pytest.raises(ValueError, match="one wave"):
        progress_dask(scored, SEL)
    table = progress_dask(scored[scored["wave"] == "2024"], SEL)
    assert table.waves == ("2024",) and table.n.tolist() == [20]


def test_the_culture_map_on_the_cluster_equals_the_in_memory_map(client):
    from akhlak_levels import culture_map, read_votes
    from test_dask_culture import CM, assert_same_map, partitioned, vote_frame

    df = vote_frame(1500, 9)
    frame = partitioned(df, [0, 500, 500, 1000, 1500])  # an empty partition
    got = culture_map_dask(frame, CM, by="unit", group_columns=["region"])  # the client's cluster computes
    want = culture_map(CM, read_votes(df, CM, group_columns=["region"]), by="unit")
    assert_same_map(got, want)
    assert got.n.tolist() == want.n.tolist() and got.n[0] == 1500 and np.isfinite(got.health[0])
