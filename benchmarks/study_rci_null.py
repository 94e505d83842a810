"""False-positive rate of `reliable_change` among people who did not change, on questionnaires that
are not bundled (issue 10, item 1; docs/growth.md, Table 6; docs/validation.md, Growth).

The simulations are those of tests/growth/rci_null.py (imported from there, public API only, so
the same script measures an older akhlak_levels: `PYTHONPATH=/path/to/old/tree`): a four-scale
questionnaire of 3, 5, 8 and 4 items on 4-, 5- and 7-point formats with 0-30% of answers missing
by scale ("scales": SEM from `reliability` on the baseline wave), and a cut-down
socio-emotional-levels under another id with 5-50% missing by scale ("levels": its theory prior).
Each rate is reported with and without `questionnaire=`, with its binomial standard error and
the bound nominal + 3 SE the tests use.

Usage: python benchmarks/study_rci_null.py [--n 20000] [--seeds 0 1 2]
Prints one JSON line per (method, design, questionnaire passed); the scales method is run on two
designs: answers missing by scale (`SCALE_MISSING`) and complete answers (`COMPLETE`).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "growth"))

import akhlak_levels as al  # noqa: E402
import rci_null  # noqa: E402

CONFIDENCES = (0.90, 0.95, 0.99)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=20_000, help="people per simulated run")
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    args = ap.parse_args()
    designs = [("scales", "missing by scale", rci_null.SCALE_MISSING), ("scales", "complete", rci_null.COMPLETE),
               ("levels", "missing by scale", rci_null.LEVEL_MISSING)]
    for method, design, missing in designs:
        for passed in (False, True):
            t0, load = time.perf_counter(), os.getloadavg()
            runs = [rci_null.false_positive_rates(method, args.n, CONFIDENCES, seed=s, pass_questionnaire=passed,
                                                  missing=missing if method == "scales" else None)
                    for s in args.seeds]
            total = args.n * len(args.seeds)
            rates = {c: sum(r[c] for r in runs) / len(runs) for c in CONFIDENCES}
            print(json.dumps({
                "study": "rci_null", "method": method, "design": design, "missing": missing,
                "questionnaire_passed": passed, "people": total,
                "library": os.path.dirname(al.__file__),
                "false_positive_rate": {str(c): round(v, 5) for c, v in rates.items()},
                "binomial_se": {str(c): round(math.sqrt(v * (1 - v) / total), 5) for c, v in rates.items()},
                "bound_nominal_plus_3se": {
                    str(c): round((1 - c) + 3 * math.sqrt(c * (1 - c) / total), 5) for c in CONFIDENCES
                },
                "per_seed": [{str(c): round(r[c], 5) for c in CONFIDENCES} for r in runs],
                "seconds": round(time.perf_counter() - t0, 1), "load": [round(x, 2) for x in (*load, *os.getloadavg())],
            }), flush=True)


if __name__ == "__main__":
    main()
