"""Recovery study for latent-class calibration: how many respondents are needed?

For each sample size, respondents are simulated from a KNOWN model (the theory prior's
probabilities perturbed at random — Dirichlet around them with concentration 40 — and a
non-uniform level distribution 0.10/0.20/0.30/0.25/0.15), with 20% of answers missing at random,
then calibrated with the defaults. Reported per size (mean over replications):

- mae_probability: mean absolute error of the 950 class-conditional probabilities;
- max_abs_error: the largest error of any of them;
- class_size_mae: mean absolute error of the five level shares;
- agreement_true / agreement_calibrated: share of simulated respondents placed at their true
  level by the generating model and by the calibrated one, on the calibration sample;
- agreement_new_sample: the calibrated model on 20,000 fresh respondents from the same truth,
  against the true model there (out-of-sample: what an agency would get);
- matched: replications in which the calibrated model placed over 80% at their true level
  (i.e. the classes were matched to their own levels).

``--separation weak`` draws the truth around a prior with half the discrimination, where the
levels overlap much more: the harder, and perhaps more realistic, case.

Usage: python benchmarks/study_recovery.py [--sizes 800 1500 3000 6000 12000] [--reps 3]
"""

from __future__ import annotations

import argparse
import json
import warnings

import numpy as np

import akhlak_levels as al

PRIOR = np.array([0.10, 0.20, 0.30, 0.25, 0.15])


def known_model(q: al.Questionnaire, separation: str = "strong", seed: int = 2024, concentration: float = 40.0) -> al.LevelModel:
    """Strong: around the bundled prior (GGUM alpha 0.8, decay 1.0). Weak: around a prior with
    half the discrimination (alpha 0.4, decay 0.5), so levels overlap much more."""
    from akhlak_levels.model import theory_prior_model

    spec = dict(q.document["default_model"])
    if separation == "weak":
        spec = {**spec, "likert": {**spec["likert"], "discrimination": 0.4}, "choice": {**spec["choice"], "decay": 0.5}}
    base = theory_prior_model(q, spec)
    rng = np.random.default_rng(seed)
    probs = [np.stack([rng.dirichlet(concentration * p[:, k] + 0.5) for k in range(5)], axis=1)
             for p in base.item_probabilities]
    return al.LevelModel.from_probabilities(q, probs, PRIOR)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[800, 1500, 3000, 6000, 12000])
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--missing", type=float, default=0.2)
    ap.add_argument("--separation", choices=("strong", "weak"), default="strong")
    args = ap.parse_args()
    q = al.load_questionnaire("socio-emotional-levels")
    truth = known_model(q, args.separation)
    fresh, fresh_levels = al.simulate(q, 20000, truth, missing=args.missing, random_state=999)
    true_fresh = float((al.assess(q, fresh, truth, min_confidence=0).level == fresh_levels).mean())
    for n in args.sizes:
        rows = []
        for rep in range(args.reps):
            rs, levels = al.simulate(q, n, truth, missing=args.missing, random_state=1000 * n + rep)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", al.CalibrationWarning)
                model = al.calibrate(q, rs, random_state=rep)
            err = np.concatenate([np.abs(a - b).ravel() for a, b in zip(model.item_probabilities, truth.item_probabilities)])
            acc_true = float((al.assess(q, rs, truth, min_confidence=0).level == levels).mean())
            acc_cal = float((al.assess(q, rs, model, min_confidence=0).level == levels).mean())
            acc_new = float((al.assess(q, fresh, model, min_confidence=0).level == fresh_levels).mean())
            rows.append((err.mean(), err.max(), np.abs(model.prior - PRIOR).mean(), acc_true, acc_cal, acc_new, acc_cal > 0.8))
        r = np.array(rows, dtype=float)
        print(json.dumps({
            "separation": args.separation, "n": n, "reps": args.reps, "missing": args.missing,
            "mae_probability": round(r[:, 0].mean(), 4), "max_abs_error": round(r[:, 1].mean(), 3),
            "class_size_mae": round(r[:, 2].mean(), 4),
            "agreement_true": round(r[:, 3].mean(), 4), "agreement_calibrated": round(r[:, 4].mean(), 4),
            "agreement_new_sample": round(r[:, 5].mean(), 4), "agreement_new_sample_true_model": round(true_fresh, 4),
            "matched": f"{int(r[:, 6].sum())}/{args.reps}",
        }), flush=True)


if __name__ == "__main__":
    main()
