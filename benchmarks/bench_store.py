"""Time `AssessmentStore.load` and `add` of one wave of 1,000,000 respondents against Parquet.

The peer: the same wave written by `AssessmentStore.to_parquet` (pandas + pyarrow), read back with
`pyarrow.parquet.read_table`, and written again with `pyarrow.parquet.write_table` from that
table. The wave: `simulate` + `assess` on socio-emotional-levels (38 items, 10% missing), with a
unit and a group column (`region`), 1,000,000 respondents by default.

Every timed call runs in a fresh worker process, started by a small wrapper process that reports
the worker's peak RSS (``resource.getrusage(RUSAGE_CHILDREN).ru_maxrss``), so each figure's
memory is its own. Workers are interleaved (store load, Parquet read, store add, Parquet write,
then the next repeat), so machine noise hits both alike. The add worker first builds the
assessment (untimed; its RSS before `add` is reported too), and after `add` times the erasure of
one respondent from the wave it added (a chunk rewritten, the journal checkpointed and truncated).

Usage: python benchmarks/bench_store.py [--n 1000000] [--repeat 3] [--keep DIR]
Prints one JSON line: best, median and worst seconds of each, the ratios store / Parquet (best
over best), peak RSS of each worker, the file sizes, the load average before and after, and the
Python, SQLite, numpy and pyarrow versions. The loaded wave is checked bit for bit against the
assessment before any figure is reported.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import textwrap

WORKER = textwrap.dedent(
    """
    import dataclasses, json, resource, sys, time
    import numpy as np
    import akhlak_levels as al
    from akhlak_levels.store import AssessmentStore

    def build(n):
        q = al.load_questionnaire("socio-emotional-levels")
        rs, _ = al.simulate(q, n, random_state=0, missing=0.1)
        rng = np.random.default_rng(0)
        units = np.array([f"U{k:03d}" for k in range(120)])
        regions = np.array(["Gorontalo", "Bone Bolango", "Boalemo", "Pohuwato", "Gorontalo Utara"])
        rs = dataclasses.replace(rs, unit=rng.choice(units, n), groups={"region": rng.choice(regions, n)})
        return al.assess(q, rs)

    what, path, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    out = {}
    if what == "setup":  # the store and the Parquet file, untimed
        a = build(n)
        with AssessmentStore(path) as s:
            s.add(a, wave="w")
            s.to_parquet(sys.argv[4], wave="w")
            back = s.load("w")
        assert np.array_equal(back.probabilities.view(np.uint64), a.probabilities.view(np.uint64))
        assert np.array_equal(back.respondent_ids, a.respondent_ids) and np.array_equal(back.groups["region"], a.groups["region"])
        assert np.array_equal(np.isnan(back.scale_scores), np.isnan(a.scale_scores))
        assert np.array_equal(back.flags.values, a.flags.values) and back.flags.names == a.flags.names
    elif what == "load":
        with AssessmentStore(path) as s:
            t0 = time.perf_counter()
            a = s.load("w")
            out["seconds"] = time.perf_counter() - t0
        out["n"] = len(a)
    elif what == "read_parquet":
        import pyarrow.parquet as pq
        t0 = time.perf_counter()
        t = pq.read_table(path)
        out["seconds"] = time.perf_counter() - t0
        out["n"] = t.num_rows
    elif what == "write_parquet":
        import pyarrow.parquet as pq
        t = pq.read_table(sys.argv[4])
        t0 = time.perf_counter()
        pq.write_table(t, path)
        out["seconds"] = time.perf_counter() - t0
    elif what == "add":
        a = build(n)
        out["rss_before_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        with AssessmentStore(path) as s:
            t0 = time.perf_counter()
            s.add(a, wave="w")
            out["seconds"] = time.perf_counter() - t0
            t0 = time.perf_counter()
            assert s.erase(str(a.respondent_ids[n // 2])) == 1
            out["erase_seconds"] = time.perf_counter() - t0
    print(json.dumps(out))
    """
)

WRAPPER = textwrap.dedent(
    """
    import json, resource, subprocess, sys
    r = subprocess.run(sys.argv[1:], capture_output=True, text=True)
    if r.returncode:
        sys.exit(r.stderr)
    out = json.loads(r.stdout.strip().splitlines()[-1])
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(json.dumps(out))
    """
)


def run(what: str, *args: str) -> dict:
    """One worker in its own process (through the wrapper that measures its peak RSS)."""
    cmd = [sys.executable, "-c", WRAPPER, sys.executable, "-c", WORKER, what, *args]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode:
        raise SystemExit(f"{what} failed:\n{r.stderr}")
    return json.loads(r.stdout.strip().splitlines()[-1])


def fresh(path: str) -> str:
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)
    return path


def summary(runs: list[dict]) -> dict:
    s = [r["seconds"] for r in runs]
    return {"best_s": round(min(s), 3), "median_s": round(statistics.median(s), 3), "worst_s": round(max(s), 3),
            "peak_rss_mb": round(max(r["peak_rss_mb"] for r in runs), 1)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--keep", help="a folder for the files (default: a new temporary folder)")
    args = ap.parse_args()
    folder = args.keep or tempfile.mkdtemp(prefix="bench_store_")
    store, parquet = os.path.join(folder, "store.sqlite"), os.path.join(folder, "wave.parquet")
    load_before = os.getloadavg()
    n = str(args.n)
    run("setup", fresh(store), n, parquet)
    runs: dict[str, list[dict]] = {"load": [], "read_parquet": [], "add": [], "write_parquet": []}
    for _ in range(args.repeat):
        runs["load"].append(run("load", store, n))
        runs["read_parquet"].append(run("read_parquet", parquet, n))
        runs["add"].append(run("add", fresh(os.path.join(folder, "added.sqlite")), n))
        runs["write_parquet"].append(run("write_parquet", os.path.join(folder, "written.parquet"), n, parquet))
    assert all(r["n"] == args.n for r in runs["load"] + runs["read_parquet"])
    s = {k: summary(v) for k, v in runs.items()}
    import numpy
    import pyarrow

    report = {
        "benchmark": "store.load / store.add vs Parquet",
        "n_respondents": args.n,
        "repeat": args.repeat,
        **{k: v for k, v in s.items()},
        "ratio_load_to_read_parquet": round(s["load"]["best_s"] / s["read_parquet"]["best_s"], 2),
        "ratio_add_to_write_parquet": round(s["add"]["best_s"] / s["write_parquet"]["best_s"], 2),
        "add_rss_before_add_mb": round(min(r["rss_before_mb"] for r in runs["add"]), 1),
        "erase_one_id_s": [round(r["erase_seconds"], 3) for r in runs["add"]],
        "store_file_mb": round(os.path.getsize(store) / 2**20, 1),
        "parquet_file_mb": round(os.path.getsize(parquet) / 2**20, 1),
        "loadavg_before": [round(x, 2) for x in load_before],
        "loadavg_after": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "numpy": numpy.__version__,
        "pyarrow": pyarrow.__version__,
    }
    print(json.dumps(report))


if __name__ == "__main__":
    main()
