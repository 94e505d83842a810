"""Time `assess` on 1,000,000 simulated respondents against the numpy floor, in the same run.

The floor: the same weights accumulated item by item (one gather of an n x 5 block per item)
plus a softmax, on the same int8 matrix, all at once. `assess` does that plus the expected level,
its SD, confidence, entropy, scale scores and flags, in chunks so memory stays bounded.

Usage: python benchmarks/bench_assess.py [--n 1000000] [--repeat 3]
Prints one JSON line: best-of-N seconds for both (interleaved so machine noise hits both alike),
their ratio, the peak of memory allocated during one `assess` call (tracemalloc; numpy reports
its buffers to it), which includes the outputs, and the process's maximum resident set size,
which includes the simulated input and the floor's arrays.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import time
import tracemalloc

import numpy as np

import akhlak_levels as al


def numpy_floor(codes: np.ndarray, tables: list[np.ndarray], log_prior: np.ndarray) -> np.ndarray:
    logit = np.broadcast_to(log_prior, (codes.shape[0], 5)).copy()
    for i, t in enumerate(tables):
        logit += np.take(t, codes[:, i], axis=0)  # np.take: faster than fancy indexing
    logit -= logit.max(axis=1, keepdims=True)
    p = np.exp(logit)
    p /= p.sum(axis=1, keepdims=True)
    return p


def best_of(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    q = al.load_questionnaire("socio-emotional-levels")
    model = q.default_model
    responses, _ = al.simulate(q, args.n, random_state=0, missing=0.1)
    codes = responses.codes
    tables = list(model.tables)

    # interleave the two so that machine noise hits both alike
    t_floor, t_assess = [], []
    for _ in range(args.repeat):
        t_floor.append(best_of(lambda: numpy_floor(codes, tables, model.log_prior), 1))
        t_assess.append(best_of(lambda: al.assess(q, responses, model), 1))
    p_floor = numpy_floor(codes, tables, model.log_prior)
    result = al.assess(q, responses, model)
    assert np.allclose(result.probabilities, p_floor, atol=1e-12), "assess and the floor disagree"

    tracemalloc.start()
    al.assess(q, responses, model)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    out_bytes = result.probabilities.nbytes + result.scale_scores.nbytes + 5 * 8 * args.n

    report = {
        "benchmark": "assess",
        "n_respondents": args.n,
        "n_items": q.n_items,
        "input_mb": round(codes.nbytes / 2**20, 1),
        "assess_s": round(min(t_assess), 3),
        "numpy_floor_s": round(min(t_floor), 3),
        "ratio": round(min(t_assess) / min(t_floor), 2),
        "peak_mb": round(peak / 2**20, 1),
        "outputs_mb": round(out_bytes / 2**20, 1),
        "process_max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "python": platform.python_version(),
        "numpy": np.__version__,
    }
    print(json.dumps(report))


if __name__ == "__main__":
    main()
