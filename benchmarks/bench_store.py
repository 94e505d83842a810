"""Time `AssessmentStore.add` of one wave of 1,000,000 respondents against the sqlite3 floor.

The floor: the same rows (column lists from `tolist`, zipped) handed to `executemany` in one
transaction into a bare table with the same columns and primary key, WAL journal, no library
code. `add` does that plus validation, the wave's metadata, flag texts and (with a key)
pseudonymisation. Both write a fresh file each time, interleaved so machine noise hits both
alike.

Usage: python benchmarks/bench_store.py [--n 1000000] [--repeat 3] [--pandas]
Prints one JSON line: best-of-N seconds for `add` and the floor and their ratio; `add` with
pseudonymisation; `load` of the wave back; peak memory allocated by Python and numpy during one
`add` (tracemalloc, measured in a separate untimed call because tracing slows allocation; SQLite's
own page cache, at most its default 2 MB, is not traced); the file size. With --pandas, also
`DataFrame.to_sql` of the same wave, a common peer (it creates no primary key).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import sqlite3
import tempfile
import time
import tracemalloc

import numpy as np

import akhlak_levels as al
from akhlak_levels.store import AssessmentStore


def fresh(folder: str, name: str) -> str:
    path = os.path.join(folder, name)
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)
    return path


def floor(a: al.Assessment, path: str, chunk: int = 1 << 16) -> None:
    """The same rows through plain sqlite3: executemany in one transaction."""
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("PRAGMA journal_mode = WAL")
    k = len(a.scale_ids)
    names = ["wave", "respondent_id", "unit", "date", "level", "el", "sd", "conf", "ent", "p1", "p2", "p3", "p4",
             "p5", "idx", "cat", "n_answered", "flags"] + [f"s{j}" for j in range(k)]
    con.execute(f"CREATE TABLE r ({', '.join(names)}, PRIMARY KEY (wave, respondent_id))")
    sql = f"INSERT INTO r VALUES ({', '.join('?' * len(names))})"
    flags = np.array(a.flags.as_strings(), dtype=object)
    con.execute("BEGIN IMMEDIATE")
    for s in range(0, len(a), chunk):
        sl = slice(s, s + chunk)
        m = len(a.respondent_ids[sl])
        cols = [itertools.repeat("w", m), a.respondent_ids[sl].tolist(), itertools.repeat(None, m),
                itertools.repeat(None, m), a.level[sl].tolist(),
                a.expected_level[sl].tolist(), a.expected_level_sd[sl].tolist(), a.confidence[sl].tolist(),
                a.entropy[sl].tolist()] + [a.probabilities[sl, j].tolist() for j in range(5)]
        cols += [itertools.repeat(None, m), itertools.repeat(None, m), a.n_answered[sl].tolist(), flags[sl].tolist()]
        cols += [a.scale_scores[sl, j].tolist() for j in range(k)]
        con.executemany(sql, zip(*cols))
    con.execute("COMMIT")
    assert con.execute("SELECT count(*) FROM r").fetchone()[0] == len(a)
    con.close()


def add(a: al.Assessment, path: str, key: str | None = None) -> None:
    with AssessmentStore(path, pseudonymize_key=key) as s:
        s.add(a, wave="w")


def timed(fn, *args) -> float:
    t0 = time.perf_counter()
    fn(*args)
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--pandas", action="store_true", help="also time DataFrame.to_sql (a peer)")
    args = ap.parse_args()

    q = al.load_questionnaire("socio-emotional-levels")
    responses, _ = al.simulate(q, args.n, random_state=0, missing=0.1)
    a = al.assess(q, responses)
    folder = tempfile.mkdtemp(prefix="bench_store_")

    t_add, t_floor, t_key = [], [], []
    for _ in range(args.repeat):
        t_floor.append(timed(floor, a, fresh(folder, "floor.sqlite")))
        t_add.append(timed(add, a, fresh(folder, "store.sqlite")))
    for _ in range(max(1, args.repeat // 2)):
        t_key.append(timed(add, a, fresh(folder, "keyed.sqlite"), "a secret key"))
    size = os.path.getsize(os.path.join(folder, "store.sqlite"))
    with AssessmentStore(os.path.join(folder, "store.sqlite")) as s:
        t0 = time.perf_counter()
        back = s.load("w")
        t_load = time.perf_counter() - t0
    assert np.array_equal(back.probabilities, a.probabilities) and np.array_equal(back.respondent_ids, a.respondent_ids)
    del back

    path = fresh(folder, "store.sqlite")
    tracemalloc.start()
    add(a, path)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    t_pandas = None
    if args.pandas:
        frame = a.to_frame()
        con = sqlite3.connect(fresh(folder, "pandas.sqlite"))
        con.execute("PRAGMA journal_mode = WAL")
        t0 = time.perf_counter()
        frame.to_sql("results", con, index=False)
        con.commit()
        t_pandas = time.perf_counter() - t0
        con.close()

    report = {
        "benchmark": "store.add",
        "n_respondents": args.n,
        "columns": 18 + len(a.scale_ids),
        "add_s": round(min(t_add), 3),
        "floor_s": round(min(t_floor), 3),
        "ratio": round(min(t_add) / min(t_floor), 2),
        "add_pseudonymized_s": round(min(t_key), 3),
        "load_s": round(t_load, 3),
        "peak_traced_mb": round(peak / 2**20, 1),
        "file_mb": round(size / 2**20, 1),
        "pandas_to_sql_s": None if t_pandas is None else round(t_pandas, 3),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
    }
    print(json.dumps(report))


if __name__ == "__main__":
    main()
