"""Time writing scores: our CSV and JSON lines writers against a floor and the record-by-record peer.

The data: `assess(socio-emotional-levels, simulate(n, random_state=0))`, 1,000,000 respondents by
default (17 columns: id, level, label, 11 floats, n_answered, flags).

Contenders, interleaved `--repeat` times (the order rotating) so machine noise hits them alike:

- **csv**: `AssessmentWriter(.., "x.csv")`: pyarrow's CSV writer, floats rounded to 6 decimals,
  text made spreadsheet-safe;
- **csv floor**: pyarrow's CSV writer on the same columns as they are (no rounding, no safety);
- **jsonl**: `AssessmentWriter(.., "x.jsonl")`: the columnar JSON lines writer (`cli/_jsonl.py`);
- **jsonl per record**: `json.dumps` of each of `Assessment.to_records()` (the writer before it):
  the peer whose output the columnar writer reproduces.

Each writes into memory (`io.BytesIO`). The script checks that the two JSON lines outputs parse
to the same records (first and last 1,000 lines) and reports best/median/worst seconds, the
ratios jsonl/peer and csv/floor, and the load average before and after.

Usage: python benchmarks/bench_write.py [--n 1000000] [--repeat 3]
Prints one JSON line.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import time


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    import pyarrow as pa
    import pyarrow.csv as pa_csv

    from akhlak_levels import assess, load_questionnaire, simulate
    from akhlak_levels.cli._output import AssessmentWriter

    q = load_questionnaire("socio-emotional-levels")
    a = assess(q, simulate(q, args.n, random_state=0)[0])
    cols = a.columns("en")

    def csv_ours() -> bytes:
        b = io.BytesIO()
        AssessmentWriter(b, "x.csv", "en").write(a)
        return b.getvalue()

    def csv_floor() -> bytes:
        b = io.BytesIO()
        table = pa.table({k: pa.array(v, from_pandas=True) for k, v in cols.items()})
        pa_csv.write_csv(table, b)
        return b.getvalue()

    def jsonl_ours() -> bytes:
        b = io.BytesIO()
        AssessmentWriter(b, "x.jsonl", "en").write(a)
        return b.getvalue()

    def jsonl_peer() -> bytes:
        return "".join(json.dumps(r, ensure_ascii=False, allow_nan=False) + "\n" for r in a.to_records("en")).encode()

    contenders = {"csv": csv_ours, "csv floor": csv_floor, "jsonl": jsonl_ours, "jsonl per record": jsonl_peer}
    ours, peer = jsonl_ours().splitlines(), jsonl_peer().splitlines()
    assert len(ours) == len(peer) == args.n
    for i in list(range(1000)) + list(range(args.n - 1000, args.n)):
        assert json.loads(ours[i]) == json.loads(peer[i]), i
    times: dict[str, list[float]] = {k: [] for k in contenders}
    load_before = os.getloadavg()
    names = list(contenders)
    for r in range(args.repeat):
        for name in names[r % len(names):] + names[: r % len(names)]:
            t = time.perf_counter()
            contenders[name]()
            times[name].append(time.perf_counter() - t)
    load_after = os.getloadavg()

    def stats(v: list[float]) -> dict[str, float]:
        return {"best": round(min(v), 3), "median": round(statistics.median(v), 3), "worst": round(max(v), 3)}

    print(json.dumps({
        "n": args.n, "repeat": args.repeat,
        "seconds": {k: stats(v) for k, v in times.items()},
        "ratio jsonl / per record (best)": round(min(times["jsonl"]) / min(times["jsonl per record"]), 3),
        "ratio csv / floor (best)": round(min(times["csv"]) / min(times["csv floor"]), 3),
        "bytes": {"csv": len(csv_ours()), "jsonl": len(ours and jsonl_ours())},
        "load before": load_before, "load after": load_after,
    }))


if __name__ == "__main__":
    main()
