"""Latent-class calibration against stepmix on the same data, in the same run.

100,000 respondents of `socio-emotional-levels` simulated from its theory-prior model with 20%
of answers missing at random. Timed:

- `calibrate(q, responses)` with its defaults: 5 random starts + 1 start from the item keys,
  smoothing 1.0, tol 1e-6 per respondent, then class-to-level matching, fit statistics and the
  classification report;
- the same EM engine at maximum likelihood (smoothing 0), for a like-for-like likelihood;
- stepmix (`StepMix(n_components=5, measurement="categorical_nan")`), ONE start, its default
  tolerances (abs_tol 1e-10, rel_tol 0) and max_iter 1000.

Reports seconds, EM iterations, log-likelihood and ratios as one JSON line.

Usage: python benchmarks/bench_calibrate.py [--n 100000] [--missing 0.2] [--stepmix-starts 1]
"""

from __future__ import annotations

import argparse
import json
import time
import warnings

import numpy as np

import akhlak_levels as al
from akhlak_levels.model import fit_latent_classes


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--missing", type=float, default=0.2)
    ap.add_argument("--stepmix-starts", type=int, default=1)
    args = ap.parse_args()
    from stepmix.stepmix import StepMix

    q = al.load_questionnaire("socio-emotional-levels")
    rs, truth = al.simulate(q, args.n, missing=args.missing, random_state=0)

    t0 = time.perf_counter()
    model = al.calibrate(q, rs, random_state=1)
    t_ours = time.perf_counter() - t0
    fit = model.provenance["fit"]

    t0 = time.perf_counter()
    ml = fit_latent_classes(rs.codes, q.n_options, 5, n_init=5, smoothing=0.0, random_state=np.random.default_rng(1))
    t_ml = time.perf_counter() - t0

    X = rs.codes.astype(float)
    X[X < 0] = np.nan
    sm_runs = []
    for seed in range(args.stepmix_starts):
        sm = StepMix(n_components=5, measurement="categorical_nan", n_init=1, max_iter=1000, random_state=seed,
                     verbose=0, progress_bar=0)
        t0 = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            sm.fit(X)
        t = time.perf_counter() - t0
        sm_runs.append({"seconds": round(t, 2), "log_likelihood": round(float(sm.score(X) * len(X)), 3),
                        "iterations": int(getattr(sm, "n_iter_", -1))})
    t_sm_one = min(r["seconds"] for r in sm_runs)
    best_sm = max(r["log_likelihood"] for r in sm_runs)
    print(json.dumps({
        "benchmark": "calibrate (latent class)",
        "n_respondents": args.n,
        "missing": args.missing,
        "ours_default_s": round(t_ours, 2),
        "ours_default_starts": len(fit["start_log_likelihoods"]),
        "ours_default_iterations_per_start": fit["start_iterations"],
        "ours_default_log_likelihood": round(fit["log_likelihood"], 3),
        "ours_ml_s": round(t_ml, 2),
        "ours_ml_log_likelihood": round(ml.log_likelihood, 3),
        "stepmix_runs": sm_runs,
        "ratio_ours_all_starts_to_one_stepmix_start": round(t_ours / t_sm_one, 3),
        "log_likelihood_gain_ml_vs_best_stepmix": round(ml.log_likelihood - best_sm, 3),
        "agreement_with_truth": round(float((al.assess(q, rs, model, min_confidence=0).level == truth).mean()), 4),
    }))


if __name__ == "__main__":
    main()
