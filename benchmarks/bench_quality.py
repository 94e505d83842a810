"""`reliability` on 100,000 respondents x 42 items (the `berakhlak` instrument, 7 scales of 6
items) against pingouin's `cronbach_alpha` per scale, in the same run.

The data: per respondent a latent level per value (correlated across values), each answer a
rounded noisy copy on 1..5, 10% missing at random, reverse-keyed items reversed in the answers
so that keying matters.

Timed, best of --repeat:
- ours, `reliability(q, responses)`: the whole table (keying, alpha with Feldt CI, standardised
  alpha, omega total by MINRES, lambda-6, split-half, mean r, SEM) for all 7 scales;
- ours, `cronbach_alpha` alone on the 7 keyed matrices (like for like with pingouin);
- pingouin `cronbach_alpha(DataFrame)` on the same 7 keyed matrices (pairwise, its default).
The alphas are asserted equal (1e-10) before anything is reported.

factor_analyzer (the omega peer named in issue 4) is not timed: version 0.5.1 fails with
scikit-learn >= 1.8 (it passes `force_all_finite` to `check_array`).

Usage: python benchmarks/bench_quality.py [--n 100000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np

import akhlak_levels as al
from akhlak_levels.quality import keyed_matrix


def simulate_berakhlak(q: al.Questionnaire, n: int, rng: np.random.Generator) -> al.ResponseSet:
    n_scales = len(q.scales)
    cov = 0.5 * np.ones((n_scales, n_scales)) + 0.5 * np.eye(n_scales)
    latent = rng.multivariate_normal(np.zeros(n_scales), cov, size=n)
    codes = np.empty((n, q.n_items), dtype=np.int8)
    scale_pos = {s.id: j for j, s in enumerate(q.scales)}
    for i, it in enumerate(q.items):
        x = 3 + latent[:, scale_pos[it.scales[0]]] + rng.normal(0, 1.0, n)
        c = np.clip(np.rint(x), 1, 5).astype(np.int8) - 1
        codes[:, i] = 4 - c if it.reverse else c
    codes[rng.random(codes.shape) < 0.1] = al.MISSING
    return al.ResponseSet(q, np.arange(1, n + 1).astype(str), codes)


def best(fn, repeat: int) -> float:
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return min(out)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    import pandas as pd
    import pingouin as pg

    q = al.load_questionnaire("berakhlak")
    rs = simulate_berakhlak(q, args.n, np.random.default_rng(0))
    mats = [keyed_matrix(q, rs, s.item_ids) for s in q.scales]
    frames = [pd.DataFrame(m) for m in mats]

    table = al.reliability(q, rs)
    ours_alpha = [al.cronbach_alpha(m) for m in mats]
    theirs = [float(pg.cronbach_alpha(f)[0]) for f in frames]
    np.testing.assert_allclose(ours_alpha, theirs, atol=1e-10)
    np.testing.assert_allclose(table.alpha, theirs, atol=1e-10)

    t_table = best(lambda: al.reliability(q, rs), args.repeat)
    t_alpha = best(lambda: [al.cronbach_alpha(m, ci=0.95) for m in mats], args.repeat)
    t_pg = best(lambda: [pg.cronbach_alpha(f) for f in frames], args.repeat)
    print(json.dumps({
        "benchmark": "reliability",
        "n_respondents": args.n,
        "n_items": q.n_items,
        "n_scales": len(q.scales),
        "ours_reliability_table_s": round(t_table, 3),
        "ours_cronbach_alpha_7_scales_s": round(t_alpha, 3),
        "pingouin_cronbach_alpha_7_scales_s": round(t_pg, 3),
        "ratio_alpha_ours_to_pingouin": round(t_alpha / t_pg, 3),
        "ratio_full_table_to_pingouin_alpha_only": round(t_table / t_pg, 3),
        "alpha": [round(a, 4) for a in ours_alpha],
        "max_abs_alpha_difference": float(np.max(np.abs(np.array(ours_alpha) - theirs))),
    }))


if __name__ == "__main__":
    main()
