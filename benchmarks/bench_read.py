"""Reading survey exports: `read_responses` against pyarrow (and polars where installed) on the
same files, in one run.

Files (benchmarks/_exports.py, simulated `socio-emotional-levels`, 5% blank):
- labels CSV: a Google-Forms-style export, Indonesian question texts as headers, Indonesian
  labels as cells, every cell quoted, a timestamp and a unit column;
- codes CSV: respondent ids, units, item ids as headers, codes 1..k as cells;
- Parquet: the labels table as Parquet.

Each measurement runs in a process of its own (imports done before the clock starts), so its
peak resident memory (``ru_maxrss`` of that child, imports included) is its own. The tools:
- ``ours``: `akhlak_levels.read_responses(path, q, ...)`: parse, match every header to an item,
  code every answer, check ids (unique, across the whole file) and report problems;
- ``pyarrow``: `pyarrow.csv.read_csv(path)` (`pyarrow.parquet.read_table` for Parquet), which
  only splits the text into typed columns;
- ``polars``: `polars.read_csv` / `polars.read_parquet`, where polars is installed.
Repeats are interleaved so that machine noise hits every tool alike; the best and the spread
(max/min) are reported, with the load average seen before and after. The CPU time of each child
(user + system, all its threads, imports included) is reported too (``*_cpu_s``, best of the
repeats): on a shared machine it moves less with the load than the wall time does.

Usage: python benchmarks/bench_read.py [--n 100000 1000000] [--repeat 3] [--kinds labels codes parquet]
Prints one JSON line per file.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
OPTIONS = {  # read_responses options for each kind of file
    "labels": dict(unit_column="Unit Kerja", ignore_columns=["Timestamp"]),
    "codes": dict(id_column="respondent_id", unit_column="unit"),
    "parquet": dict(unit_column="Unit Kerja", ignore_columns=["Timestamp"]),
}


def child(tool: str, kind: str, path: str) -> None:
    """Read ``path`` once with ``tool``; print the seconds and the rows read."""
    if tool == "ours":
        import akhlak_levels as al

        q = al.load_questionnaire("socio-emotional-levels")
        t0 = time.perf_counter()
        n = len(al.read_responses(path, q, **OPTIONS[kind]))
    elif tool == "pyarrow":
        import pyarrow.csv as pa_csv
        import pyarrow.parquet as pq

        t0 = time.perf_counter()
        n = (pq.read_table(path) if kind == "parquet" else pa_csv.read_csv(path)).num_rows
    else:
        import polars as pl

        t0 = time.perf_counter()
        n = (pl.read_parquet(path) if kind == "parquet" else pl.read_csv(path, infer_schema_length=0)).height
    print(json.dumps({"seconds": time.perf_counter() - t0, "rows": n}))


def measure(tool: str, kind: str, path: str) -> dict[str, float]:
    """One read in a child process: seconds, rows, that child's peak RSS in MB and its CPU seconds."""
    proc = subprocess.Popen([sys.executable, __file__, "--child", tool, kind, path], stdout=subprocess.PIPE, text=True)
    out = proc.stdout.read() if proc.stdout else ""
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{tool} failed on {path} (exit {proc.returncode})")
    got = json.loads(out)
    got["rss_mb"] = usage.ru_maxrss / 1024
    got["cpu_s"] = usage.ru_utime + usage.ru_stime
    return got


def _median(xs: list[float]) -> float:
    xs = sorted(xs)
    return (xs[(len(xs) - 1) // 2] + xs[len(xs) // 2]) / 2


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, nargs="+", default=[100_000, 1_000_000])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--kinds", nargs="+", default=["labels", "codes", "parquet"])
    ap.add_argument("--dir", default=None, help="where the exports are written (default: a temporary folder)")
    args = ap.parse_args()
    sys.path.insert(0, HERE)
    from _exports import write_export

    try:
        import polars  # noqa: F401

        tools = ["ours", "pyarrow", "polars"]
    except ImportError:
        tools = ["ours", "pyarrow"]
    folder = args.dir or tempfile.mkdtemp()
    for n in args.n:
        for kind in args.kinds:
            path = os.path.join(folder, f"{kind}_{n}.{'parquet' if kind == 'parquet' else 'csv'}")
            if not os.path.exists(path):
                write_export(n, kind, path)
            load_before = os.getloadavg()
            runs: dict[str, list[dict[str, float]]] = {t: [] for t in tools}
            for _ in range(args.repeat):
                for t in tools:
                    runs[t].append(measure(t, kind, path))
            assert all(r["rows"] == n for rr in runs.values() for r in rr), "a tool read another number of rows"
            best = {t: min(r["seconds"] for r in rr) for t, rr in runs.items()}
            line = {
                "benchmark": f"read {kind}", "n": n, "file_mb": round(os.path.getsize(path) / 2**20, 1),
                **{f"{t}_s": round(best[t], 3) for t in tools},
                **{f"{t}_spread": round(max(r["seconds"] for r in runs[t]) / best[t], 2) for t in tools},
                **{f"{t}_rss_mb": round(max(r["rss_mb"] for r in runs[t])) for t in tools},
                **{f"{t}_cpu_s": round(min(r["cpu_s"] for r in runs[t]), 2) for t in tools},
                "ratio_to_pyarrow": round(best["ours"] / best["pyarrow"], 2),
                "median_ratio_to_pyarrow": round(_median([r["seconds"] for r in runs["ours"]])
                                                 / _median([r["seconds"] for r in runs["pyarrow"]]), 2),
                "respondents_per_s": int(n / best["ours"]),
                "load_before_after": [round(load_before[0], 2), round(os.getloadavg()[0], 2)],
            }
            if "polars" in tools:
                line["ratio_to_polars"] = round(best["ours"] / best["polars"], 2)
            print(json.dumps(line), flush=True)


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--child":
        child(*sys.argv[2:])
    else:
        main()
