"""Time the embedded `Scorer` against a numpy floor measured in the same run.

The data: `simulate(socio-emotional-levels, 10000, random_state=0, missing=0.1)` (38 items),
turned into answers dicts keyed by item id, as a backend would send them: `codes` (ints 1..k) and
`labels` (every third answer an Indonesian option label, the rest ints).

- **one person**: `Scorer.score_one(answers)` over 10,000 calls, each timed alone
  (`perf_counter_ns`), against the **floor** timed alike over the same respondents: the
  gather-and-add of that respondent's codes (an int array made beforehand, no lookup) over the
  model's weight rows laid end to end, plus the log prior and a softmax in numpy. Calls are
  interleaved in blocks of 500 (floor, codes, labels, then the next block), so machine noise
  hits them alike. Reported: median and p99 in microseconds, the ratio of the medians, and the
  library's own time (median minus the floor's median).
- **1,000 people**: `Scorer.score_many(records)` in one call, `--repeat` times interleaved with
  its floor (the same gather-and-add for all 1,000 at once, item by item, then the softmax):
  best, median and worst in milliseconds, and the ratio of the bests; alongside, the kernel
  alone (`score_codes` on the code matrix, which builds its grouped tables on every call), to
  show how much of `score_many` is reading the dicts and writing the result documents; and
  `score_many` of 1,000 complete records (every item, in one order: a form whose questions are
  all required), which takes the Scorer's fast path for such batches.

Goals (issue 13): one person under 50 us median, 1,000 people under 5 ms.
The worker runs in a child of a small wrapper, which reports the worker's peak RSS
(`resource.getrusage(RUSAGE_CHILDREN).ru_maxrss`); the load average (`os.getloadavg()`) is read
before and after.

Usage: python benchmarks/bench_embed.py [--calls 10000] [--repeat 30]
Prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time

import numpy as np

WRAPPER = (
    "import json, resource, subprocess, sys\n"
    "r = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
    "if r.returncode:\n"
    "    sys.exit(r.stderr)\n"
    "out = json.loads(r.stdout.strip().splitlines()[-1])\n"
    "out['peak_rss_mb'] = round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1)\n"
    "print(json.dumps(out))\n"
)

BLOCK = 500


def floor_one(codes: np.ndarray, offsets: np.ndarray, missing: np.ndarray, rows: np.ndarray, log_prior: np.ndarray) -> np.ndarray:
    """One respondent: gather its rows (missing codes at each item's last row), add, softmax."""
    logit = log_prior + rows[np.where(codes < 0, missing, codes) + offsets].sum(axis=0)
    p = np.exp(logit - logit.max())
    return p / p.sum()


def floor_many(codes: np.ndarray, tables: list[np.ndarray], log_prior: np.ndarray) -> np.ndarray:
    """All respondents at once: an n x 5 gather per item, then the softmax."""
    logit = np.broadcast_to(log_prior, (codes.shape[0], 5)).copy()
    for i, t in enumerate(tables):
        logit += np.take(t, codes[:, i], axis=0)  # code -1 takes the last row, zero
    logit -= logit.max(axis=1, keepdims=True)
    p = np.exp(logit)
    p /= p.sum(axis=1, keepdims=True)
    return p


def _stats_us(ns: list[int]) -> dict[str, float]:
    a = np.array(ns) / 1000.0
    return {"median_us": round(float(np.median(a)), 2), "p99_us": round(float(np.percentile(a, 99)), 2),
            "best_us": round(float(a.min()), 2)}


def worker(calls: int, repeat: int) -> dict:
    import akhlak_levels as al

    q = al.load_questionnaire("socio-emotional-levels")
    rs, _ = al.simulate(q, calls, random_state=0, missing=0.1)
    codes = rs.codes
    labels = [[lab["id"] for lab in it.options] for it in q.items]
    as_codes = [{it.id: int(c) + 1 for it, c in zip(q.items, row) if c >= 0} for row in codes]
    as_labels = [{it.id: (labels[j][c] if j % 3 == 0 else int(c) + 1) for j, (it, c) in enumerate(zip(q.items, row)) if c >= 0}
                 for row in codes]
    scorer = al.Scorer(q)
    m = q.default_model
    tables = list(m.tables)
    rows = np.concatenate(tables)
    sizes = np.array([t.shape[0] for t in tables])
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    missing = sizes - 1
    log_prior = np.asarray(m.log_prior, dtype=float)
    codes64 = [np.asarray(r, dtype=np.int64) for r in codes]

    # the floor and the scorer agree before anything is timed
    check = min(200, calls)
    got = np.array([scorer.score_one(r)["probabilities"] for r in as_codes[:check]])
    want = np.array([floor_one(c, offsets, missing, rows, log_prior) for c in codes64[:check]])
    assert np.allclose(got, want, rtol=0, atol=1e-12), float(np.abs(got - want).max())
    assert all(scorer.score_one(a) == scorer.score_one(b) for a, b in zip(as_codes[:check], as_labels[:check]))

    t_floor: list[int] = []
    t_codes: list[int] = []
    t_labels: list[int] = []
    clock = time.perf_counter_ns
    for start in range(0, calls, BLOCK):
        stop = min(calls, start + BLOCK)
        for i in range(start, stop):
            t0 = clock()
            floor_one(codes64[i], offsets, missing, rows, log_prior)
            t_floor.append(clock() - t0)
        for i in range(start, stop):
            t0 = clock()
            scorer.score_one(as_codes[i])
            t_codes.append(clock() - t0)
        for i in range(start, stop):
            t0 = clock()
            scorer.score_one(as_labels[i])
            t_labels.append(clock() - t0)

    many_records, many_codes = as_codes[:1000], codes[:1000]
    # a form whose questions are all required: every record holds every item, in one order
    full_records = [{it.id: (int(c) if c >= 0 else 0) + 1 for it, c in zip(q.items, row)} for row in codes[:1000]]
    from akhlak_levels.model import score_codes

    t_many, t_many_floor, t_many_labels, t_kernel, t_many_full = [], [], [], [], []
    for _ in range(repeat):
        t0 = time.perf_counter()
        score_codes(q, many_codes, m)
        t_kernel.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        floor_many(many_codes, tables, log_prior)
        t_many_floor.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        scorer.score_many(many_records)
        t_many.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        scorer.score_many(as_labels[:1000])
        t_many_labels.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        scorer.score_many(full_records)
        t_many_full.append(time.perf_counter() - t0)

    one_floor, one_codes, one_labels = _stats_us(t_floor), _stats_us(t_codes), _stats_us(t_labels)

    def ms(ts: list[float]) -> dict[str, float]:
        return {"best_ms": round(min(ts) * 1e3, 3), "median_ms": round(statistics.median(ts) * 1e3, 3), "worst_ms": round(max(ts) * 1e3, 3)}

    return {
        "calls": calls,
        "one_floor": one_floor,
        "one_score_one_codes": one_codes,
        "one_score_one_labels": one_labels,
        "one_ratio_median_codes": round(one_codes["median_us"] / one_floor["median_us"], 2),
        "one_library_us_median_codes": round(one_codes["median_us"] - one_floor["median_us"], 2),
        "one_goal_50us_median_met": one_codes["median_us"] < 50,
        "many_1000_floor": ms(t_many_floor),
        "many_1000_score_many_codes": ms(t_many),
        "many_1000_score_many_labels": ms(t_many_labels),
        "many_1000_score_many_full_codes": ms(t_many_full),
        "many_goal_5ms_met_full": statistics.median(t_many_full) < 5e-3,
        "many_1000_kernel_score_codes": ms(t_kernel),
        "many_ratio_best": round(min(t_many) / min(t_many_floor), 2),
        "many_goal_5ms_met": statistics.median(t_many) < 5e-3,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--calls", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=30)
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        print(json.dumps(worker(args.calls, args.repeat)))
        return
    load_before = os.getloadavg()
    cmd = [sys.executable, "-c", WRAPPER, sys.executable, __file__, "--worker", "--calls", str(args.calls), "--repeat", str(args.repeat)]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode:
        sys.exit(r.stderr)
    out = json.loads(r.stdout.strip().splitlines()[-1])
    out["load_before"] = [round(x, 2) for x in load_before]
    out["load_after"] = [round(x, 2) for x in os.getloadavg()]
    out["cpus"] = os.cpu_count()
    out["python"] = platform.python_version()
    out["numpy"] = np.__version__
    print(json.dumps(out))


if __name__ == "__main__":
    main()
