"""Time `assess` against two numpy floors measured in the same run, at 1,000,000 and 4,000,000 rows.

The data: `simulate(socio-emotional-levels, n, random_state=0, missing=0.1)` (38 items, an int8
matrix), made once per n by a worker and saved to a temporary directory, so every timed worker
reads the same codes. Alongside, `berakhlak` (42 items, no level model: scale and index scores
only) on uniform random codes with 10% missing, to time the scale half of the kernel.

The two floors compute only the level probabilities, with the model's own (options + 1) x 5
weight tables (the last row zero for the missing code), and are checked against `assess`:

- **take floor**: all respondents at once, one `np.take` of an n x 5 block per item into an
  n x 5 accumulator, then a softmax (the floor of docs/performance.md until issue 15);
- **chunked floor**: the same, item by item over chunks of respondents that stay in cache: per
  chunk, `np.take(table, codes[chunk, i], axis=0, out=scratch, mode="wrap")` and an in-place add
  into a chunk x 5 accumulator, then the softmax written into the output. It is timed at chunks
  of 2,048, 4,096 and 8,192 rows (80-320 kB of accumulator) and the fastest counts as the
  floor, so the ratio is never flattered by a badly chosen chunk.

Timing: one worker per n runs every contender `--repeat` times, interleaved (take floor, chunked
floors, assess, berakhlak assess, then the next repeat, the order rotating), so machine noise
hits them alike; it reports best, median and worst seconds. The ratio is assess (best) over the
best chunked floor (best). It also reports the peak memory allocated during one `assess` call
(tracemalloc, which numpy reports its buffers to) and how much of it is the outputs.

Memory: every peak RSS comes from a fresh worker started by a small wrapper process, which reports
`resource.getrusage(RUSAGE_CHILDREN).ru_maxrss` of that worker alone: the input alone (codes,
ids, the ResponseSet), then input + one `assess`, input + one chunked floor, input + the take
floor. The load average (`os.getloadavg()`) is read before and after each worker.

The project machine is a VM whose memory is backed on first touch: writing memory the VM has
never used runs at about 0.5 GB/s, and `assess` writes about 119 bytes of output per respondent (the
floors 40; `write_outputs`, timed alongside, allocates and fills arrays of those sizes, which
shows what that alone costs). So the timing worker first touches and frees `--warm-gb` GiB (default 3), which makes
the figures those of a machine whose memory is already backed; `--warm-gb 0` shows the cold case.

Usage: python benchmarks/bench_assess.py [--n 1000000 4000000] [--repeat 5] [--no-rss] [--warm-gb 3]
Prints one JSON line per n.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

FLOOR_CHUNKS = (2048, 4096, 8192)

WRAPPER = (
    "import json, resource, subprocess, sys\n"
    "r = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
    "if r.returncode:\n"
    "    sys.exit(r.stderr)\n"
    "out = json.loads(r.stdout.strip().splitlines()[-1])\n"
    "out['peak_rss_mb'] = round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1)\n"
    "print(json.dumps(out))\n"
)


def take_floor(codes: np.ndarray, tables: list[np.ndarray], log_prior: np.ndarray) -> np.ndarray:
    """All respondents at once: an n x 5 gather per item (np.take: faster than fancy indexing)."""
    logit = np.broadcast_to(log_prior, (codes.shape[0], 5)).copy()
    for i, t in enumerate(tables):
        logit += np.take(t, codes[:, i], axis=0)
    logit -= logit.max(axis=1, keepdims=True)
    p = np.exp(logit)
    p /= p.sum(axis=1, keepdims=True)
    return p


def chunked_floor(codes: np.ndarray, tables: list[np.ndarray], log_prior: np.ndarray, chunk: int) -> np.ndarray:
    """Item by item over chunks of respondents that stay in cache, outputs written in place."""
    n = codes.shape[0]
    out = np.empty((n, 5))
    acc, tmp = np.empty((chunk, 5)), np.empty((chunk, 5))
    for start in range(0, n, chunk):
        stop = min(n, start + chunk)
        block, a, g, o = codes[start:stop], acc[: stop - start], tmp[: stop - start], out[start:stop]
        a[:] = log_prior
        for i, t in enumerate(tables):
            np.take(t, block[:, i], axis=0, out=g, mode="wrap")  # code -1: the zero last row
            a += g
        a -= a.max(axis=1, keepdims=True)
        np.exp(a, out=o)
        o /= o.sum(axis=1, keepdims=True)
    return out


# ------------------------------------------------------------------ workers


def _load(data: str):
    import akhlak_levels as al

    sel, ber = al.load_questionnaire("socio-emotional-levels"), al.load_questionnaire("berakhlak")
    ids = np.load(os.path.join(data, "ids.npy"))
    rs = al.ResponseSet(sel, ids, np.load(os.path.join(data, "sel.npy")))
    rb = al.ResponseSet(ber, ids, np.load(os.path.join(data, "berakhlak.npy")))
    return al, sel, rs, ber, rb


def _prepare(data: str, n: int) -> dict:
    import akhlak_levels as al

    sel, ber = al.load_questionnaire("socio-emotional-levels"), al.load_questionnaire("berakhlak")
    rs, _ = al.simulate(sel, n, random_state=0, missing=0.1)
    rng = np.random.default_rng(0)
    codes = rng.integers(0, 5, size=(n, ber.n_items)).astype(np.int8)
    codes[rng.random(codes.shape) < 0.1] = al.MISSING
    ids = rs.respondent_ids.astype(f"U{max(len(rs.respondent_ids[-1]), 1)}")
    np.save(os.path.join(data, "ids.npy"), ids)
    np.save(os.path.join(data, "sel.npy"), rs.codes)
    np.save(os.path.join(data, "berakhlak.npy"), codes)
    return {"input_mb": round((rs.codes.nbytes + codes.nbytes + ids.nbytes) / 2**20, 1)}


def write_outputs(n: int, n_scales: int) -> list[np.ndarray]:
    """Not a floor: allocate and fill arrays of the sizes `assess` returns (119 bytes a respondent
    for socio-emotional-levels; the floors write 40), to show what writing fresh memory costs."""
    out = [np.empty((n, 5)), np.empty((n, n_scales))] + [np.empty(n) for _ in range(4)]
    out += [np.empty(n, dtype=np.int32), np.empty(n, dtype=np.int8), np.empty((n, 2), dtype=bool)]
    for a in out:
        a.fill(1)
    return out


def _spread(times: list[float]) -> dict:
    return {"best": round(min(times), 4), "median": round(statistics.median(times), 4), "worst": round(max(times), 4)}


def _warm(gb: float) -> float:
    """Touch and free ``gb`` GiB, so that memory the VM has never backed (a first touch costs
    about 2 s per GiB on the project machine) is not charged to whichever contender allocates
    it first."""
    t0 = time.perf_counter()
    if gb > 0:
        block = np.ones(int(gb * 2**30) // 8)
        del block
    return round(time.perf_counter() - t0, 2)


def _time(data: str, repeat: int, warm_gb: float) -> dict:
    import tracemalloc

    al, sel, rs, ber, rb = _load(data)
    warm_s = _warm(warm_gb)
    model = sel.default_model
    codes, tables, prior = rs.codes, list(model.tables), model.log_prior
    contenders = {"take_floor": lambda: take_floor(codes, tables, prior)}
    for c in FLOOR_CHUNKS:
        contenders[f"chunked_floor_{c}"] = lambda c=c: chunked_floor(codes, tables, prior, c)
    contenders["assess"] = lambda: al.assess(sel, rs, model)
    contenders["assess_berakhlak"] = lambda: al.assess(ber, rb)
    contenders["write_outputs"] = lambda: write_outputs(len(rs), len(sel.scales))
    names = list(contenders)
    times: dict[str, list[float]] = {k: [] for k in names}
    for r in range(repeat):
        for k in names[r % len(names):] + names[: r % len(names)]:  # interleaved, the order rotating
            t0 = time.perf_counter()
            contenders[k]()
            times[k].append(time.perf_counter() - t0)
    result = al.assess(sel, rs, model)
    for p in (take_floor(codes, tables, prior), chunked_floor(codes, tables, prior, FLOOR_CHUNKS[0])):
        assert np.allclose(result.probabilities, p, rtol=0, atol=1e-12), "assess and a floor disagree"
    del result
    tracemalloc.start()
    a = al.assess(sel, rs, model)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    shared = {id(x) for x in (rs.respondent_ids, rs.unit, rs.wave, rs.date) if x is not None}
    arrays = [getattr(a, f) for f in ("probabilities", "level", "expected_level", "expected_level_sd", "confidence",
                                      "entropy", "scale_scores", "index", "index_category", "n_answered")]
    out_bytes = sum(x.nbytes for x in arrays + [a.flags.values] if x is not None and id(x) not in shared)
    floors = {k: min(v) for k, v in times.items() if k.startswith("chunked_floor_")}
    best_floor = min(floors, key=floors.__getitem__)
    return {
        "seconds": {k: _spread(v) for k, v in times.items()},
        "chunked_floor_chunk": int(best_floor.rsplit("_", 1)[1]),
        "ratio_assess_to_chunked_floor": round(min(times["assess"]) / floors[best_floor], 3),
        "ratio_assess_to_take_floor": round(min(times["assess"]) / min(times["take_floor"]), 3),
        "respondents_per_s": round(len(rs) / min(times["assess"])),
        "assess_peak_allocated_mb": round(peak / 2**20, 1),
        "assess_outputs_mb": round(out_bytes / 2**20, 1),
        "assess_scratch_mb": round((peak - out_bytes) / 2**20, 2),
        "warmed_gb": warm_gb,
        "warm_s": warm_s,
    }


def _rss(data: str, what: str) -> dict:
    al, sel, rs, _, _ = _load(data)
    model = sel.default_model
    if what == "assess":
        al.assess(sel, rs, model)
    elif what == "chunked_floor":
        chunked_floor(rs.codes, list(model.tables), model.log_prior, 4096)
    elif what == "take_floor":
        take_floor(rs.codes, list(model.tables), model.log_prior)
    return {}


def _worker(args: argparse.Namespace) -> None:
    if args.worker == "prepare":
        out = _prepare(args.data, args.n[0])
    elif args.worker == "time":
        out = _time(args.data, args.repeat, args.warm_gb)
    else:
        out = _rss(args.data, args.worker.split(":", 1)[1])
    print(json.dumps(out))


def _run(args: list[str]) -> dict:
    before = os.getloadavg()
    r = subprocess.run([sys.executable, "-c", WRAPPER, sys.executable, os.path.abspath(__file__), *args],
                       capture_output=True, text=True)
    if r.returncode:
        sys.exit(r.stderr)
    out = json.loads(r.stdout.strip().splitlines()[-1])
    out["load_before_after"] = [round(x, 2) for x in before + os.getloadavg()]
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, nargs="+", default=[1_000_000, 4_000_000])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--no-rss", action="store_true", help="skip the peak RSS workers")
    ap.add_argument("--warm-gb", type=float, default=3.0, help="GiB the timing worker touches and frees first (0: none)")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--data", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        _worker(args)
        return
    import akhlak_levels as al

    for n in args.n:
        with tempfile.TemporaryDirectory(prefix="bench_assess_") as data:
            prepared = _run(["--worker", "prepare", "--data", data, "--n", str(n)])
            report = {"benchmark": "assess", "n_respondents": n, "n_items": 38, "input_mb": prepared["input_mb"],
                      "library": os.path.dirname(al.__file__)}
            report.update(_run(["--worker", "time", "--data", data, "--repeat", str(args.repeat), "--warm-gb", str(args.warm_gb)]))
            report["time_worker_peak_rss_mb"] = report.pop("peak_rss_mb")
            report["time_worker_load"] = report.pop("load_before_after")
            if not args.no_rss:
                rss = {w: _run(["--worker", f"rss:{w}", "--data", data]) for w in ("input", "assess", "chunked_floor", "take_floor")}
                report["peak_rss_mb"] = {w: r["peak_rss_mb"] for w, r in rss.items()}
                report["assess_rss_above_input_mb"] = round(rss["assess"]["peak_rss_mb"] - rss["input"]["peak_rss_mb"], 1)
                report["rss_worker_load"] = {w: r["load_before_after"] for w, r in rss.items()}
            report.update(python=platform.python_version(), numpy=np.__version__, cpus=os.cpu_count())
        print(json.dumps(report), flush=True)


if __name__ == "__main__":
    main()
