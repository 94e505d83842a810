"""Score the same 1,000,000 respondents with `akhlak_levels.dask` on a LocalCluster of 1 and of 2
worker processes (one thread each), against `assess` on one machine, in one run.

Each configuration runs in its own subprocess (so peak memory is its own): the answers (a pandas
DataFrame of codes, 38 items, 10% missing, 200 units) are simulated there in `--partitions`
chunks with their own seeds: concatenated for the single machine, made and persisted on the
workers for the cluster (`dd.from_map`, then one untimed warm-up partition), so the timed part is reading and
scoring only, as in the single-machine timing: `read_responses(df) + assess + to_frame` against
`assess_dask(frame).persist()` (results stay on the workers) and `progress_dask` by unit.

Reported: the median and the spread (min-max) over the repeats, the scaling ratio
(1 worker / 2 workers; 2.0 is perfect on 2 cores), each cluster time over the single-machine time,
peak RSS measured inside each subprocess (`RUSAGE_SELF` for the driver, `RUSAGE_CHILDREN` after
the cluster closed for the largest worker process), and `os.getloadavg()` before and after: the machine has 2 cores
and others use it.

With ``--culture``: the culture map instead. The votes (berakhlak-culture-map, `simulate_votes`
with 8% of the current question and 5% of the desired skipped, 200 units, one column per question
of space-joined behaviour ids) are made the same way; timed are `culture_map(read_votes(df), by="unit")`
on one machine against `culture_map_dask(frame, by="unit")` (reading, tallies per partition, the
tree of merges and the finishing step), and also `culture_map` alone on the VoteSet already read.
The cluster's figures are compared with the single machine's (the largest relative difference of
the means, indices and standard errors; counts and suppression must be equal).

Usage: python benchmarks/bench_dask.py [--n 1000000] [--repeat 3] [--partitions 16] [--culture]
Prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time

import numpy as np


def _chunk(i: int, rows: int):
    """Partition ``i`` of the answers: simulated with its own seed, indexed by global row."""
    import pandas as pd

    import akhlak_levels as al

    q = al.load_questionnaire("socio-emotional-levels")
    rs, _ = al.simulate(q, rows, random_state=i, missing=0.1)
    df = pd.DataFrame(rs.values, columns=q.item_ids, index=pd.RangeIndex(i * rows, (i + 1) * rows))
    df["unit"] = np.array([f"unit-{u:03d}" for u in range(200)])[np.random.default_rng(i).integers(0, 200, rows)]
    return df


def _vote_chunk(i: int, rows: int):
    """Partition ``i`` of the votes: one column per question of space-joined behaviour ids."""
    import pandas as pd

    import akhlak_levels as al
    from akhlak_levels.model._vote_theory import simulate_votes

    q = al.load_questionnaire("berakhlak-culture-map")
    votes, _ = simulate_votes(q, rows, random_state=i)
    rng = np.random.default_rng(i)
    picks = votes.picks.copy()
    picks[rng.random(rows) < 0.08, 1] = -1
    picks[rng.random(rows) < 0.05, 2] = -1
    ids = np.array([b.id for b in q.behaviours] + [""], dtype=object)
    cols = {qn.id: [" ".join(x for x in r if x) for r in ids[picks[:, k]].tolist()] for k, qn in enumerate(q.vote_questions)}
    df = pd.DataFrame(cols, index=pd.RangeIndex(i * rows, (i + 1) * rows))
    df["unit"] = np.array([f"unit-{u:03d}" for u in range(200)])[rng.integers(0, 200, rows)]
    return df


#: The CultureMap arrays compared between the cluster and the single machine.
_FLOATS = ("entropy", "entropy_low", "entropy_high", "value_index", "value_index_low", "value_index_high",
           "implementation", "health", "health_low", "health_high", "entropy_se", "value_index_se",
           "implementation_se", "health_se")


def _figures(cm) -> dict:
    out = {k: np.asarray(getattr(cm, k), dtype=float).ravel().tolist() for k in _FLOATS}
    out["votes"] = np.asarray(cm.votes).ravel().tolist()
    out["suppressed"] = cm.suppressed.astype(int).tolist()
    out["top"] = cm.top.ravel().tolist()
    return out


def run_culture_single(n: int, repeat: int, partitions: int) -> dict:
    import pandas as pd

    import akhlak_levels as al

    q = al.load_questionnaire("berakhlak-culture-map")
    df = pd.concat([_vote_chunk(i, n // partitions) for i in range(partitions)])
    times, map_times = [], []
    for _ in range(repeat):
        t0 = time.perf_counter()
        votes = al.read_votes(df, q)
        t1 = time.perf_counter()
        cm = al.culture_map(q, votes, by="unit")
        times.append(time.perf_counter() - t0)
        map_times.append(time.perf_counter() - t1)
    return {"score_s": times, "map_s": map_times, "figures": _figures(cm)}


def run_culture_cluster(n: int, repeat: int, workers: int, partitions: int) -> dict:
    import dask.dataframe as dd
    import distributed

    import akhlak_levels as al
    from akhlak_levels.dask import culture_map_dask

    q = al.load_questionnaire("berakhlak-culture-map")
    with distributed.LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None, silence_logs=40) as cluster, distributed.Client(cluster) as client:
        frame = dd.from_map(_vote_chunk, range(partitions), args=(n // partitions,)).persist()
        distributed.wait(frame)
        culture_map_dask(frame.partitions[0], q, by="unit")  # warm-up: imports on the workers
        times = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            cm = culture_map_dask(frame, q, by="unit")
            times.append(time.perf_counter() - t0)
        client.close()
    return {"score_s": times, "figures": _figures(cm)}


def _compare(a: dict, b: dict) -> dict:
    """The largest relative difference of the float figures; whether counts, top lists and
    suppression are equal."""
    worst = 0.0
    for k in _FLOATS:
        x, y = np.asarray(a[k]), np.asarray(b[k])
        assert np.array_equal(np.isnan(x), np.isnan(y)), k
        ok = ~np.isnan(x) & (y != 0)
        if ok.any():
            worst = max(worst, float(np.max(np.abs(x[ok] - y[ok]) / np.abs(y[ok]))))
    exact = all(a[k] == b[k] for k in ("votes", "suppressed", "top"))
    return {"max_relative_difference": worst, "counts_tops_suppression_equal": exact}


def run_single(n: int, repeat: int, partitions: int) -> dict:
    import pandas as pd

    import akhlak_levels as al

    q = al.load_questionnaire("socio-emotional-levels")
    df = pd.concat([_chunk(i, n // partitions) for i in range(partitions)])
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        a = al.assess(q, al.read_responses(df, q))
        a.to_frame()  # the same output as the cluster's: a DataFrame of results
        times.append(time.perf_counter() - t0)
    t0 = time.perf_counter()
    al.progress({"1": a}, by="unit")
    return {"score_s": times, "progress_s": time.perf_counter() - t0, "levels": np.bincount(a.level, minlength=6).tolist()}


def run_cluster(n: int, repeat: int, workers: int, partitions: int) -> dict:
    import dask.dataframe as dd
    import distributed

    from akhlak_levels.dask import assess_dask, progress_dask

    import akhlak_levels as al

    q = al.load_questionnaire("socio-emotional-levels")
    with distributed.LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None, silence_logs=40) as cluster, distributed.Client(cluster) as client:
        # the data is made on the workers (the same chunks as the single machine concatenates)
        frame = dd.from_map(_chunk, range(partitions), args=(n // partitions,)).persist()
        distributed.wait(frame)
        distributed.wait(assess_dask(frame.partitions[0], q).persist())  # warm-up: imports on the workers
        times, progress_times = [], []
        for _ in range(repeat):
            t0 = time.perf_counter()
            scored = assess_dask(frame, q).persist()
            distributed.wait(scored)
            times.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            progress_dask(scored, q, "unit", wave="1")
            progress_times.append(time.perf_counter() - t0)
            levels = np.bincount(scored["level"].compute().to_numpy(), minlength=6).tolist()
            del scored
        client.close()
    return {"score_s": times, "progress_s": statistics.median(progress_times), "levels": levels}


def _child(args: argparse.Namespace) -> None:
    if args.mode == "single":
        out = (run_culture_single if args.culture else run_single)(args.n, args.repeat, args.partitions)
    else:
        out = (run_culture_cluster if args.culture else run_cluster)(args.n, args.repeat, int(args.mode), args.partitions)
    # KiB on Linux: this process (the driver), and its children (the worker processes, reaped
    # when the cluster closed; the largest of them)
    out["driver_peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    out["worker_peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1)
    print(json.dumps(out))


def _spawn(mode: str, args: argparse.Namespace) -> dict:
    cmd = [sys.executable, __file__, "--child", mode, "--n", str(args.n), "--repeat", str(args.repeat),
           "--partitions", str(args.partitions)] + ["--culture"] * args.culture
    done = subprocess.run(cmd, check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _summary(times: list[float]) -> dict:
    return {"median_s": round(statistics.median(times), 3), "min_s": round(min(times), 3), "max_s": round(max(times), 3)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--partitions", type=int, default=16)
    ap.add_argument("--child", dest="mode", default=None)
    ap.add_argument("--culture", action="store_true", help="the culture map instead of scoring")
    args = ap.parse_args()
    if args.mode is not None:
        _child(args)
        return
    if args.culture:
        print(json.dumps(culture_report(args)))
        return
    load_before = os.getloadavg()
    single = _spawn("single", args)
    one = _spawn("1", args)
    two = _spawn("2", args)
    load_after = os.getloadavg()
    assert single["levels"] == one["levels"] == two["levels"], "the cluster and the single machine disagree"
    med = {k: statistics.median(v["score_s"]) for k, v in (("single", single), ("1", one), ("2", two))}
    report = {
        "benchmark": "dask",
        "n_respondents": args.n,
        "partitions": args.partitions,
        "single_machine": {**_summary(single["score_s"]), "progress_s": round(single["progress_s"], 3),
                           "peak_rss_mb": single["driver_peak_rss_mb"]},
        "dask_1_worker": {**_summary(one["score_s"]), "progress_dask_s": round(one["progress_s"], 3),
                          "driver_peak_rss_mb": one["driver_peak_rss_mb"], "worker_peak_rss_mb": one["worker_peak_rss_mb"]},
        "dask_2_workers": {**_summary(two["score_s"]), "progress_dask_s": round(two["progress_s"], 3),
                           "driver_peak_rss_mb": two["driver_peak_rss_mb"], "worker_peak_rss_mb": two["worker_peak_rss_mb"]},
        "scaling_1_over_2_workers": round(med["1"] / med["2"], 2),
        "dask_1_worker_over_single": round(med["1"] / med["single"], 2),
        "dask_2_workers_over_single": round(med["2"] / med["single"], 2),
        "loadavg_before": [round(x, 2) for x in load_before],
        "loadavg_after": [round(x, 2) for x in load_after],
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
    }
    print(json.dumps(report))


def culture_report(args: argparse.Namespace) -> dict:
    load_before = os.getloadavg()
    single = _spawn("single", args)
    one = _spawn("1", args)
    two = _spawn("2", args)
    load_after = os.getloadavg()
    med = {k: statistics.median(v["score_s"]) for k, v in (("single", single), ("1", one), ("2", two))}
    best = {k: min(v["score_s"]) for k, v in (("single", single), ("1", one), ("2", two))}
    return {
        "benchmark": "dask --culture",
        "n_respondents": args.n,
        "partitions": args.partitions,
        "single_machine_read_votes_and_culture_map": {**_summary(single["score_s"]), "peak_rss_mb": single["driver_peak_rss_mb"]},
        "single_machine_culture_map_only": _summary(single["map_s"]),
        "dask_1_worker": {**_summary(one["score_s"]), "driver_peak_rss_mb": one["driver_peak_rss_mb"],
                          "worker_peak_rss_mb": one["worker_peak_rss_mb"]},
        "dask_2_workers": {**_summary(two["score_s"]), "driver_peak_rss_mb": two["driver_peak_rss_mb"],
                           "worker_peak_rss_mb": two["worker_peak_rss_mb"]},
        "scaling_1_over_2_workers": {"median": round(med["1"] / med["2"], 2), "best": round(best["1"] / best["2"], 2)},
        "dask_2_workers_over_single": {"median": round(med["2"] / med["single"], 2), "best": round(best["2"] / best["single"], 2)},
        "dask_1_worker_over_single": {"median": round(med["1"] / med["single"], 2), "best": round(best["1"] / best["single"], 2)},
        "agreement_1_worker": _compare(one["figures"], single["figures"]),
        "agreement_2_workers": _compare(two["figures"], single["figures"]),
        "loadavg_before": [round(x, 2) for x in load_before],
        "loadavg_after": [round(x, 2) for x in load_after],
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
    }


if __name__ == "__main__":
    main()
