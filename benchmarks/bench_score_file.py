"""End to end: `akhlak-levels score FILE -o levels.csv` on exports of 1,000,000 and 4,000,000
respondents, with reading, scoring and writing timed apart, in one run.

For each file (benchmarks/_exports.py: a labels CSV as Google Forms writes it, and a codes CSV):
- ``cli``: the command as a user runs it (``--quiet``), in a process of its own: wall time and
  that process's peak resident memory (``ru_maxrss``);
- ``phases``: the same loop in a child process without the read-ahead thread, so that reading
  (`iter_responses` batches), scoring (`assess`) and writing (the CSV writer of the command) are
  timed apart;
- ``pyarrow``: `pyarrow.csv.read_csv` of the same file, the parse alone, as the floor of reading.
Reported: respondents per second end to end (best of ``--repeats`` runs of the command, the
pyarrow parse repeated alike and interleaved, with the spread max/min of each), the ratio of the
command's time to the pyarrow parse and the rows per second of that parse (the floor any reader
of the file meets), peak RSS, CPU seconds of each child, and the load average before and after.

With ``--store``, instead: ``score FILE -o levels.csv --store S --wave W`` (the wave stored batch by
batch in one transaction, a new store each run; ``--key`` adds ``--pseudonymize-key-env``) against
the same command without ``--store``, alternated ``--repeats`` times in the same run: best and
median seconds of each, their ratio, respondents per second, peak RSS of each, the store's size.

Usage: python benchmarks/bench_score_file.py [--n 1000000 4000000] [--kinds labels codes] [--dir D]
       python benchmarks/bench_score_file.py --store [--key] [--repeats 3] [--n ...] [--kinds ...]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
READING = {"labels": ["--unit-column", "Unit Kerja", "--ignore-column", "Timestamp"], "codes": []}


def phases(kind: str, path: str, out: str, batch: int) -> None:
    """The command's loop, each phase timed: print seconds of reading, scoring and writing."""
    import akhlak_levels as al
    from akhlak_levels.cli._output import AssessmentWriter

    q = al.load_questionnaire("socio-emotional-levels")
    opts = dict(unit_column="Unit Kerja", ignore_columns=["Timestamp"]) if kind == "labels" else {}
    t = {"read": 0.0, "score": 0.0, "write": 0.0}
    n = 0
    with open(out, "wb") as fh:
        writer = AssessmentWriter(fh, out, "en")
        batches = al.iter_responses(path, q, batch_size=batch, **opts)
        while True:
            t0 = time.perf_counter()
            rs = next(batches, None)
            t1 = time.perf_counter()
            t["read"] += t1 - t0
            if rs is None:
                break
            a = al.assess(q, rs)
            t2 = time.perf_counter()
            writer.write(a)
            t["write"] += time.perf_counter() - t2
            t["score"] += t2 - t1
            n += len(rs)
    print(json.dumps({**{k: round(v, 3) for k, v in t.items()}, "rows": n}))


def pyarrow_parse(path: str) -> None:
    import pyarrow.csv as pa_csv

    t0 = time.perf_counter()
    n = pa_csv.read_csv(path).num_rows
    print(json.dumps({"read": round(time.perf_counter() - t0, 3), "rows": n}))


def in_child(args: list[str]) -> tuple[float, float, str]:
    """Run ``args``; wall seconds, that process's peak RSS in MB, and what it printed."""
    wall, rss, _, out = in_child_cpu(args)
    return wall, rss, out


def in_child_cpu(args: list[str]) -> tuple[float, float, float, str]:
    """Run ``args``; wall seconds, that process's peak RSS in MB, its CPU seconds (user +
    system, all threads), and what it printed."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
    out = proc.stdout.read() if proc.stdout else ""
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{args} failed")
    return wall, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime, out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, nargs="+", default=[1_000_000, 4_000_000])
    ap.add_argument("--kinds", nargs="+", default=["labels", "codes"])
    ap.add_argument("--batch", type=int, default=100_000)
    ap.add_argument("--dir", default=None)
    ap.add_argument("--store", action="store_true", help="time score --store against score alone")
    ap.add_argument("--key", action="store_true", help="with --store: pseudonymise the ids")
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    sys.path.insert(0, HERE)
    from _exports import write_export

    folder = args.dir or tempfile.mkdtemp()
    script = shutil.which("akhlak-levels") or os.path.join(os.path.dirname(sys.executable), "akhlak-levels")
    for n in args.n:
        for kind in args.kinds:
            path = os.path.join(folder, f"{kind}_{n}.csv")
            if not os.path.exists(path):
                write_export(n, kind, path)
            out = os.path.join(folder, "levels.csv")
            if args.store:
                store_against_plain(args, script, kind, path, out, n, folder)
                continue
            load_before = os.getloadavg()[0]
            cli, parse = [], []
            for _ in range(args.repeats):
                cli.append(in_child_cpu([script, "score", path, "-q", "socio-emotional-levels", *READING[kind],
                                         "--batch-size", str(args.batch), "--quiet", "-o", out]))
                wall, rss, cpu, pa = in_child_cpu([sys.executable, __file__, "--pyarrow", path])
                parse.append((json.loads(pa)["read"], rss, cpu))
            _, ph_rss, ph = in_child([sys.executable, __file__, "--phases", kind, path, out, str(args.batch)])
            ph_t = json.loads(ph)
            cli_s, pa_s = min(c[0] for c in cli), min(p[0] for p in parse)
            print(json.dumps({
                "benchmark": f"score {kind} CSV end to end", "n": n, "repeats": args.repeats,
                "file_mb": round(os.path.getsize(path) / 2**20), "output_mb": round(os.path.getsize(out) / 2**20),
                "cli_s": round(cli_s, 2), "cli_spread": round(max(c[0] for c in cli) / cli_s, 2),
                "respondents_per_s": int(n / cli_s), "cli_rss_mb": round(max(c[1] for c in cli)),
                "cli_cpu_s": round(min(c[2] for c in cli), 2),
                "phases_s": {k: ph_t[k] for k in ("read", "score", "write")}, "phases_rss_mb": round(ph_rss),
                "pyarrow_parse_s": pa_s, "pyarrow_spread": round(max(p[0] for p in parse) / pa_s, 2),
                "pyarrow_rows_per_s": int(n / pa_s), "pyarrow_rss_mb": round(max(p[1] for p in parse)),
                "pyarrow_cpu_s": round(min(p[2] for p in parse), 2),
                "cli_to_pyarrow_parse": round(cli_s / pa_s, 2),
                "load_before_after": [round(load_before, 2), round(os.getloadavg()[0], 2)],
            }), flush=True)


def store_against_plain(args: argparse.Namespace, script: str, kind: str, path: str, out: str, n: int, folder: str) -> None:
    """``score`` with and without ``--store``, alternated: one JSON line."""
    import statistics

    cmd = [script, "score", path, "-q", "socio-emotional-levels", *READING[kind], "--batch-size", str(args.batch),
           "--quiet", "-o", out]
    db = os.path.join(folder, "bench.sqlite")
    store = [*cmd, "--store", db, "--wave", "2025"] + (["--pseudonymize-key-env", "BENCH_STORE_KEY"] if args.key else [])
    os.environ["BENCH_STORE_KEY"] = "kunci-rahasia-benchmark"
    load_before = os.getloadavg()[0]
    runs: dict[str, list[float]] = {"plain": [], "store": []}
    rss: dict[str, float] = {"plain": 0.0, "store": 0.0}
    size = 0
    for _ in range(args.repeats):
        for name, argv in (("plain", cmd), ("store", store)):
            for f in (db, db + "-wal", db + "-shm"):
                if os.path.exists(f):
                    os.remove(f)
            wall, peak, _ = in_child(argv)
            runs[name].append(wall)
            rss[name] = max(rss[name], peak)
            if name == "store":
                size = os.path.getsize(db)
    best = {k: min(v) for k, v in runs.items()}
    med = {k: statistics.median(v) for k, v in runs.items()}
    print(json.dumps({
        "benchmark": f"score {kind} CSV --store{' (pseudonymised)' if args.key else ''} against score alone", "n": n,
        "batch": args.batch, "repeats": args.repeats,
        "store_s": [round(x, 2) for x in runs["store"]], "plain_s": [round(x, 2) for x in runs["plain"]],
        "store_best_median_s": [round(best["store"], 2), round(med["store"], 2)],
        "plain_best_median_s": [round(best["plain"], 2), round(med["plain"], 2)],
        "store_to_plain_best": round(best["store"] / best["plain"], 2),
        "store_respondents_per_s": int(n / best["store"]), "plain_respondents_per_s": int(n / best["plain"]),
        "store_rss_mb": round(rss["store"]), "plain_rss_mb": round(rss["plain"]), "store_file_mb": round(size / 2**20),
        "load_before_after": [round(load_before, 2), round(os.getloadavg()[0], 2)],
    }), flush=True)


if __name__ == "__main__":
    if len(sys.argv) == 6 and sys.argv[1] == "--phases":
        phases(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]))
    elif len(sys.argv) == 3 and sys.argv[1] == "--pyarrow":
        pyarrow_parse(sys.argv[2])
    else:
        main()
