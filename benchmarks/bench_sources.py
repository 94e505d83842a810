"""Reading the tools' exports by name (``source_format=``): what the adapters cost, in one run.

Files (simulated ``socio-emotional-levels``, 10% missing):
- ``kobo``: a KoBo CSV (``;``, group paths in every item header, KoBo's metadata), read with
  ``source_format="kobo"``, against the floor ``plain``: the same cells with item ids as headers,
  the metadata named in ``ignore_columns`` (what reading a KoBo export cost before);
- ``fhir``: a FHIR Bundle of QuestionnaireResponses (items nested in a group, ``valueCoding``),
  read with ``source_format="fhir"``, against the floor ``json.load`` of the same file (parsing
  only, which any reader of a Bundle pays).

Each measurement runs in a child process (imports before the clock), so its peak resident memory
(``ru_maxrss`` of that child) is its own; repeats are interleaved; the best, the spread (max/min)
and the load average before and after are reported.

Usage: python benchmarks/bench_sources.py [--n 100000] [--n-fhir 10000] [--repeat 3]
Prints one JSON line per comparison.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time

META = ["start", "end", "_id", "_uuid", "_submission_time", "_index"]


def child(tool: str, path: str) -> None:
    """Read ``path`` once with ``tool``; print the seconds and the respondents read."""
    import akhlak_levels as al

    q = al.load_questionnaire("socio-emotional-levels")
    t0 = time.perf_counter()
    if tool == "plain":
        n = len(al.read_responses(path, q, ignore_columns=META, missing_items="missing"))
    elif tool == "json.load":
        with open(path, encoding="utf-8") as fh:
            n = len(json.load(fh)["entry"])
    else:
        n = len(al.read_responses(path, q, source_format=tool, missing_items="missing"))
    print(json.dumps({"seconds": time.perf_counter() - t0, "rows": n}))


def measure(tool: str, path: str) -> dict[str, float]:
    proc = subprocess.Popen([sys.executable, __file__, "--child", tool, path], stdout=subprocess.PIPE, text=True)
    out = proc.stdout.read() if proc.stdout else ""
    _, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{tool} failed on {path}")
    got = json.loads(out)
    got["rss_mb"] = usage.ru_maxrss / 1024
    return got


def write_files(folder: str, n: int, n_fhir: int) -> dict[str, str]:
    import numpy as np

    import akhlak_levels as al

    q = al.load_questionnaire("socio-emotional-levels")
    codes = al.simulate(q, min(n, 5000), missing=0.1, random_state=0)[0].codes
    codes = codes[np.arange(n) % len(codes)]
    cells = np.where(codes >= 0, (codes + 1).astype(str), "")
    paths = {"plain": os.path.join(folder, "plain.csv"), "kobo": os.path.join(folder, "kobo.csv"),
             "fhir": os.path.join(folder, "bundle.json")}
    for kind, items in (("plain", list(q.item_ids)), ("kobo", [f"items/part{j % 2 + 1}/{i}" for j, i in enumerate(q.item_ids)])):
        with open(paths[kind], "w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh, delimiter=";")
            w.writerow([*META, *items])
            for r in range(n):
                w.writerow(["2024-03-10T09:00", "2024-03-10T09:12", str(r), f"u{r}", "2024-03-10", str(r + 1), *cells[r]])
    entries = [{"resource": {"resourceType": "QuestionnaireResponse", "id": f"r{r}", "status": "completed",
                             "identifier": {"value": f"P{r}"}, "item": [{"linkId": "items", "item": [
                                 {"linkId": it.id, "answer": [{"valueCoding": {"code": str(c + 1)}}]}
                                 for it, c in zip(q.items, row) if c >= 0]}]}}
               for r, row in enumerate(codes[:n_fhir].tolist())]
    with open(paths["fhir"], "w", encoding="utf-8") as fh:
        json.dump({"resourceType": "Bundle", "type": "collection", "entry": entries}, fh)
    return paths


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3])
        return
    if len(sys.argv) > 1 and sys.argv[1] == "--write":
        print(json.dumps(write_files(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))))
        return
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--n-fhir", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        # written by a child: a child forked from a parent holding the data would count its pages in ru_maxrss
        paths = json.loads(subprocess.run([sys.executable, __file__, "--write", folder, str(args.n), str(args.n_fhir)],
                                          check=True, capture_output=True, text=True).stdout)
        for tool, floor, path, floor_path in (("kobo", "plain", paths["kobo"], paths["plain"]),
                                              ("fhir", "json.load", paths["fhir"], paths["fhir"])):
            load_before = os.getloadavg()
            runs: dict[str, list[dict[str, float]]] = {tool: [], floor: []}
            for _ in range(args.repeat):
                runs[floor].append(measure(floor, floor_path))
                runs[tool].append(measure(tool, path))
            best = {k: min(r["seconds"] for r in v) for k, v in runs.items()}
            print(json.dumps({
                "source_format": tool, "respondents": runs[tool][0]["rows"], "mb": round(os.path.getsize(path) / 2**20, 1),
                "seconds": round(best[tool], 3), f"{floor}_seconds": round(best[floor], 3),
                "ratio_to_floor": round(best[tool] / best[floor], 2),
                "spread": round(max(r["seconds"] for r in runs[tool]) / best[tool], 2),
                "rss_mb": round(max(r["rss_mb"] for r in runs[tool]), 1),
                f"{floor}_rss_mb": round(max(r["rss_mb"] for r in runs[floor]), 1),
                "load_before": [round(x, 2) for x in load_before], "load_after": [round(x, 2) for x in os.getloadavg()],
            }))


if __name__ == "__main__":
    main()
