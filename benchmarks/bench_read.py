"""Time `read_responses` on a Google-Forms-style CSV of labels against pandas.read_csv, in one run.

The file: N simulated respondents of `socio-emotional-levels`, Indonesian question texts as
headers, Indonesian labels as cells, 5% blank. The peer: `pandas.read_csv(path, dtype=str,
keep_default_na=False)` (the C parser) followed by nothing else; it only splits the text, while
`read_responses` also matches every header to an item, every label to a code, checks ids and
reports problems, so the ratio is an upper bound on what parsing alone would cost.

Usage: python benchmarks/bench_read.py [--n 100000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import tempfile
import time

import numpy as np

import akhlak_levels as al


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    import pandas as pd

    q = al.load_questionnaire("socio-emotional-levels")
    rs, _ = al.simulate(q, args.n, random_state=0, missing=0.05)
    path = os.path.join(tempfile.mkdtemp(), "export.csv")
    labels = [np.array([o["id"] for o in it.options] + [""], dtype=object) for it in q.items]
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow([it.text["id"] for it in q.items])
        w.writerows(zip(*[labels[i][rs.codes[:, i]] for i in range(q.n_items)]))

    t_ours, t_pandas = [], []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        pd.read_csv(path, dtype=str, keep_default_na=False)
        t_pandas.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        back = al.read_responses(path, q)
        t_ours.append(time.perf_counter() - t0)
    assert np.array_equal(back.codes, rs.codes), "read_responses did not recover the codes"
    print(json.dumps({
        "benchmark": "read_responses (CSV of labels)",
        "n_respondents": args.n,
        "file_mb": round(os.path.getsize(path) / 2**20, 1),
        "read_responses_s": round(min(t_ours), 3),
        "pandas_read_csv_s": round(min(t_pandas), 3),
        "ratio": round(min(t_ours) / min(t_pandas), 2),
        "respondents_per_s": int(args.n / min(t_ours)),
    }))


if __name__ == "__main__":
    main()
