"""`culture_map` on 1,000,000 respondents x 3 questions x 10 picks over 600 units, against the
floor measured in the same run, and `read_votes` from Parquet and CSV (issue 11, item 7).

The data: `berakhlak-culture-map` (74 behaviours). Each unit has its own behaviour
probabilities per question (Dirichlet-like: gamma weights, limiting behaviours weighted up in the
current question); every respondent picks 10 distinct behaviours in each question, drawn
without replacement from their unit's probabilities (Gumbel top-k, seeded numpy rng). Unit sizes
vary (gamma), with five tiny units so that suppression has work to do. The VoteSet is built
directly (not timed).

Timed, interleaved (floor, culture map, floor, culture map, ...), best and median of --repeat:
- the floor: `np.bincount` of the same votes by (unit, behaviour) per question, with the units
  already coded as integers (the culture map codes the unit strings itself);
- `culture_map(q, votes, by="unit")`: everything, intervals and suppression included.
Peak RSS: in subprocesses (`resource.getrusage(RUSAGE_CHILDREN).ru_maxrss`), one building the
input only, then one building it and computing the culture map once (in that order, so the
second reading is the culture map's peak), started before this process builds its own data (a
child's ru_maxrss includes the parent's pages it was forked with).
Reading: the first --read-n respondents written as (a) Parquet with one list<string> column of
behaviour ids per question, (b) Parquet with the ids space separated (ODK), (c) a Google Forms
CSV of Indonesian labels joined by ", "; `read_votes` timed, best of --read-repeat, as
respondents per second.

With --parquet-n N (issue 11's reading goal: 1,000,000 respondents a run), only the Parquet
list file of N respondents is read: a child writes it, then a child runs --read-repeat reads, each
in a grandchild of its own, and as many of `pyarrow.parquet.read_table` of the file (the floor: the
decoding alone; in grandchildren of their own, interleaved) and `read_votes`, checked against
the picks written; the reads' peak RSS is that child's RUSAGE_CHILDREN taken before the first
floor (the writing is not counted; each read's own ru_maxrss is reported too).

Usage: python benchmarks/bench_culture_map.py [--n 1000000] [--units 600] [--repeat 5]
       [--read-n 100000] [--read-repeat 3] [--seed 2026]
       python benchmarks/bench_culture_map.py --parquet-n 1000000 [--read-repeat 3]
Prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from typing import Any

import numpy as np

import akhlak_levels as al
from akhlak_levels import culture_map, read_votes

QID = "berakhlak-culture-map"
PICKS = 10


def simulate_votes(n: int, n_units: int, seed: int) -> tuple[al.VoteSet, np.ndarray]:
    """A VoteSet of ``n`` respondents in ``n_units`` units, and the units' integer codes."""
    q = al.load_questionnaire(QID)
    rng = np.random.default_rng(seed)
    B, Q = len(q.behaviours), len(q.vote_questions)
    limiting = np.array([b.limiting for b in q.behaviours])
    unit_p = rng.gamma(2.0, 1.0, n_units)
    unit_p[:5] = 3.0 * unit_p.sum() / n  # five tiny units, about 3 respondents each
    unit_p /= unit_p.sum()
    unit = rng.choice(n_units, n, p=unit_p).astype(np.int32)
    weights = rng.gamma(1.0, 1.0, (n_units, Q, B))
    roles = [vq.role for vq in q.vote_questions]
    weights[:, roles.index("current"), limiting] *= rng.uniform(0.5, 3.0, (n_units, 1))
    log_w = np.log(weights).astype(np.float32)
    picks = np.empty((n, Q, PICKS), dtype=np.int16)
    chunk = 100_000
    for start in range(0, n, chunk):  # Gumbel top-k: k draws without replacement, vectorised
        u = unit[start:start + chunk]
        for qi in range(Q):
            keys = log_w[u, qi] + rng.gumbel(size=(len(u), B)).astype(np.float32)
            picks[start:start + chunk, qi] = np.argpartition(-keys, PICKS - 1, axis=1)[:, :PICKS]
    ids = np.arange(1, n + 1).astype(str)
    names = np.char.add("unit-", np.arange(n_units).astype(str))
    votes = al.VoteSet(q.id, q.version, ids, picks, unit=names[unit], n_behaviours=B)
    return votes, unit


def floor(votes: al.VoteSet, unit: np.ndarray, n_units: int, n_behaviours: int) -> np.ndarray:
    """Votes by (question, unit, behaviour): one ``np.bincount`` per question."""
    out = np.empty((votes.n_questions, n_units * n_behaviours), dtype=np.int64)
    for qi in range(votes.n_questions):
        p = votes.picks[:, qi, :]
        ok = p >= 0
        out[qi] = np.bincount((unit[:, None] * n_behaviours + p)[ok], minlength=n_units * n_behaviours)
    return out


def spread(times: list[float]) -> dict[str, float]:
    t = np.sort(times)
    return {"best": round(float(t[0]), 4), "median": round(float(np.median(t)), 4), "worst": round(float(t[-1]), 4)}


def time_map(votes: al.VoteSet, unit: np.ndarray, n_units: int, repeat: int) -> dict[str, Any]:
    """Floor and culture map, interleaved."""
    q = al.load_questionnaire(QID)
    B = len(q.behaviours)
    t_floor, t_map = [], []
    cm = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        counts = floor(votes, unit, n_units, B)
        t_floor.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        cm = culture_map(q, votes, by="unit")
        t_map.append(time.perf_counter() - t0)
    assert cm is not None
    # the same votes: the culture map's unit rows (sorted labels) against the floor's counts
    labels = np.char.add("unit-", np.arange(n_units).astype(str))
    checked = 0
    for k in range(n_units):
        r = cm.group.index(str(labels[k])) if str(labels[k]) in cm.group else -1
        if r > 0 and not cm.suppressed[r] and checked < 20:
            checked += 1
            got = cm.votes[r].astype(np.int64)
            want = counts[:, k * B:(k + 1) * B]
            assert (got == want).all(), "the culture map's votes differ from the floor's"
    f, m = spread(t_floor), spread(t_map)
    return {
        "floor_s": f, "culture_map_s": m, "ratio_best": round(m["best"] / f["best"], 2),
        "ratio_median": round(m["median"] / f["median"], 2),
        "units_checked_against_floor": checked, "groups": len(cm) - 1, "suppressed": int(cm.suppressed.sum()),
    }


def rss_worker(mode: str, n: int, n_units: int, seed: int) -> None:
    votes, _ = simulate_votes(n, n_units, seed)
    if mode == "map":
        culture_map(QID, votes, by="unit")


def peak_rss(n: int, n_units: int, seed: int) -> dict[str, float]:
    """Peak RSS (MB) of a child building the input only, then of one also computing the map."""
    out = {}
    for mode in ("input", "map"):  # RUSAGE_CHILDREN is the largest child so far: input first
        subprocess.run([sys.executable, __file__, "--rss-worker", mode, "--n", str(n), "--units", str(n_units),
                        "--seed", str(seed)], check=True)
        out[mode] = round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1)  # KB on Linux
    return {"input_only_mb": out["input"], "input_and_culture_map_mb": out["map"]}


def write_files(votes: al.VoteSet, n: int, folder: str,
                kinds: tuple[str, ...] = ("parquet_id_lists", "parquet_id_spaces", "csv_labels")) -> dict[str, str]:
    """The first ``n`` respondents as Parquet (id lists; space-separated ids) and as a Google
    Forms CSV of labels."""
    import pyarrow as pa
    import pyarrow.csv as pa_csv
    import pyarrow.parquet as pq

    q = al.load_questionnaire(QID)
    ids = np.array([b.id for b in q.behaviours] + [""], dtype=object)
    labels = np.array([b.label["id"] for b in q.behaviours] + [""], dtype=object)
    picks = votes.picks[:n]
    base = {"respondent_id": pa.array(votes.respondent_ids[:n]), "unit": pa.array(votes.unit[:n])}
    lists, spaced, texts = dict(base), dict(base), {"respondent_id": base["respondent_id"], "unit": base["unit"]}
    for qi, vq in enumerate(q.vote_questions):
        p = picks[:, qi, :]  # every respondent answered, 10 picks each
        lists[vq.id] = pa.ListArray.from_arrays(np.arange(0, p.size + 1, PICKS, dtype=np.int32),
                                                pa.array(ids[p.ravel()], type=pa.string()))
        if "parquet_id_spaces" in kinds:
            spaced[vq.id] = pa.array([" ".join(r) for r in ids[p].tolist()], type=pa.string())
        if "csv_labels" in kinds:
            texts[vq.text["id"]] = pa.array([", ".join(r) for r in labels[p].tolist()], type=pa.string())
    paths = {k: os.path.join(folder, f"votes-{k}") for k in ("parquet_id_lists", "parquet_id_spaces", "csv_labels")}
    paths = {k: v + (".csv" if k.startswith("csv") else ".parquet") for k, v in paths.items()}
    paths = {k: v for k, v in paths.items() if k in kinds}
    if "parquet_id_lists" in kinds:
        pq.write_table(pa.table(lists), paths["parquet_id_lists"])
    if "parquet_id_spaces" in kinds:
        pq.write_table(pa.table(spaced), paths["parquet_id_spaces"])
    if "csv_labels" in kinds:
        pa_csv.write_csv(pa.table(texts), paths["csv_labels"])
    return paths


def time_reading(votes: al.VoteSet, n: int, repeat: int) -> dict[str, Any]:
    out: dict[str, Any] = {"respondents": n}
    with tempfile.TemporaryDirectory() as folder:
        paths = write_files(votes, n, folder)
        for name, path in paths.items():
            times = []
            for _ in range(repeat):
                t0 = time.perf_counter()
                v = read_votes(path, QID)
                times.append(time.perf_counter() - t0)
            assert len(v) == n and (v.picks == votes.picks[:n]).all(), name  # read back exactly
            s = spread(times)
            out[name] = {"seconds": s, "respondents_per_s": round(n / s["best"]),
                         "mb": round(os.path.getsize(path) / 1e6, 1)}
    return out


def parquet_prepare(n: int, n_units: int, seed: int, folder: str) -> None:
    """Child: write the Parquet list file of ``n`` respondents and their picks (to check reads)."""
    votes, _ = simulate_votes(n, n_units, seed)
    path = write_files(votes, n, folder, kinds=("parquet_id_lists",))["parquet_id_lists"]
    os.replace(path, os.path.join(folder, "votes.parquet"))
    np.save(os.path.join(folder, "picks.npy"), votes.picks)


def parquet_read_once(folder: str, what: str) -> None:
    """Grandchild: ``read_votes`` of the file, checked, and this process's peak RSS; or the
    floor (``read_table``, pyarrow's plain decoding of the same file)."""
    import pyarrow.parquet as pq

    path = os.path.join(folder, "votes.parquet")
    t0 = time.perf_counter()
    if what == "floor":
        n = pq.read_table(path).num_rows
    else:
        v = read_votes(path, QID)
        n = len(v)
    seconds = time.perf_counter() - t0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if what != "floor":
        picks = np.load(os.path.join(folder, "picks.npy"), mmap_mode="r")
        assert n == len(picks) and (v.picks == picks).all(), "read_votes did not give back the picks written"
    print(json.dumps({"seconds": seconds, "n": n, "rss_mb": rss}))


def parquet_reads(folder: str, repeat: int) -> None:
    """Child: ``repeat`` reads and floors, interleaved, each in a grandchild of its own; times,
    and the peak RSS of the reads (read_votes grandchildren only: RUSAGE_CHILDREN taken before the
    first floor's) and of all."""
    runs: dict[str, list[dict[str, Any]]] = {"votes": [], "floor": []}
    peak_votes = 0.0
    for what in ("votes", "floor") * repeat:
        out = subprocess.run([sys.executable, __file__, "--parquet-read-once", folder, "--what", what], check=True,
                             capture_output=True, text=True).stdout
        runs[what].append(json.loads(out.strip().splitlines()[-1]))
        if what == "votes" and not runs["floor"]:
            peak_votes = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    n = runs["votes"][0]["n"]
    read, floor_ = spread([r["seconds"] for r in runs["votes"]]), spread([r["seconds"] for r in runs["floor"]])
    print(json.dumps({
        "respondents": n, "read_votes_s": read, "read_table_floor_s": floor_,
        "respondents_per_s": {"best": round(n / read["best"]), "median": round(n / read["median"]),
                              "worst": round(n / read["worst"])},
        "ratio_to_floor": {"best": round(read["best"] / floor_["best"], 2),
                           "median": round(read["median"] / floor_["median"], 2)},
        "peak_rss_mb": {"read_votes_children": round(peak_votes, 1),
                        "read_votes_self_max": round(max(r["rss_mb"] for r in runs["votes"]), 1),
                        "all_children": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1)},
        "mb": round(os.path.getsize(os.path.join(folder, "votes.parquet")) / 1e6, 1),
    }))


def parquet_benchmark(n: int, n_units: int, seed: int, repeat: int) -> dict[str, Any]:
    """Issue 11's reading goal: ``n`` respondents from the Parquet list file, in children."""
    load_start = os.getloadavg()
    with tempfile.TemporaryDirectory() as folder:
        subprocess.run([sys.executable, __file__, "--parquet-prepare", folder, "--n", str(n), "--units", str(n_units),
                        "--seed", str(seed)], check=True)
        out = subprocess.run([sys.executable, __file__, "--parquet-reads", folder, "--read-repeat", str(repeat)],
                             check=True, capture_output=True, text=True).stdout
    report = json.loads(out.strip().splitlines()[-1])
    report["goal_respondents_per_s"] = 500_000
    report["load_average"] = {"start": [round(x, 2) for x in load_start], "end": [round(x, 2) for x in os.getloadavg()]}
    report["cpus"] = os.cpu_count()
    report["akhlak_levels"] = al.__version__
    return report


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--units", type=int, default=600)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--read-n", type=int, default=100_000)
    ap.add_argument("--read-repeat", type=int, default=3)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--rss-worker", choices=("input", "map"), help=argparse.SUPPRESS)
    ap.add_argument("--skip-rss", action="store_true")
    ap.add_argument("--parquet-n", type=int, help="only read N respondents from Parquet (see above)")
    ap.add_argument("--parquet-prepare", help=argparse.SUPPRESS)
    ap.add_argument("--parquet-reads", help=argparse.SUPPRESS)
    ap.add_argument("--parquet-read-once", help=argparse.SUPPRESS)
    ap.add_argument("--what", choices=("votes", "floor"), default="votes", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.rss_worker:
        rss_worker(args.rss_worker, args.n, args.units, args.seed)
        return
    if args.parquet_prepare or args.parquet_reads or args.parquet_read_once:
        if args.parquet_prepare:
            parquet_prepare(args.n, args.units, args.seed, args.parquet_prepare)
        elif args.parquet_reads:
            parquet_reads(args.parquet_reads, args.read_repeat)
        else:
            parquet_read_once(args.parquet_read_once, args.what)
        return
    if args.parquet_n:
        print(json.dumps(parquet_benchmark(args.parquet_n, args.units, args.seed, args.read_repeat)))
        return
    load_start = os.getloadavg()
    # RSS first, while this process is small: a child's ru_maxrss counts the parent it was forked from
    rss = None if args.skip_rss else peak_rss(args.n, args.units, args.seed)
    t0 = time.perf_counter()
    votes, unit = simulate_votes(args.n, args.units, args.seed)
    report: dict[str, Any] = {
        "n": args.n, "units": args.units, "questions": votes.n_questions, "picks": PICKS,
        "simulate_s": round(time.perf_counter() - t0, 2), "repeat": args.repeat,
    }
    report.update(time_map(votes, unit, args.units, args.repeat))
    report["reading"] = time_reading(votes, min(args.read_n, args.n), args.read_repeat)
    report["peak_rss"] = rss
    report["load_average"] = {"start": [round(x, 2) for x in load_start], "end": [round(x, 2) for x in os.getloadavg()]}
    report["cpus"] = os.cpu_count()
    report["python"] = platform.python_version()
    report["numpy"] = np.__version__
    report["akhlak_levels"] = al.__version__
    print(json.dumps(report))


if __name__ == "__main__":
    main()
