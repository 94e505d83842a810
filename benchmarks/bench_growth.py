"""`progress` and `transitions` on 1,000,000 respondents x 3 waves x 500 units.

The data: `socio-emotional-levels` answers simulated from its default model with 20% of the
answers missing at random, scored with `assess` (not timed). Each wave keeps 95% of the previous
wave's respondents (ids "p<k>") and adds new ones, in a shuffled order, so that matching by id
is real work; true levels move between waves by a fixed transition matrix; every respondent
belongs to one of 500 units, and 2% change unit between waves. Unit sizes vary (about 2,000 on
average, a few tiny ones so that suppression has work to do).

Timed, best of --repeat, each call on its own:
- `progress({2022: a1, 2023: a2, 2024: a3}, by="unit")`: the whole (wave, unit) table with
  suppression, Welch or paired tests against the previous wave, ranks;
- `transitions(a1, a2)`: counts, expected and the latent-transition EM.
Peak memory: `tracemalloc` peak during one further call of each (numpy reports its buffers to
tracemalloc), beyond what was allocated before the call.
The assessment store is not timed here.

Usage: python benchmarks/bench_growth.py [--n 1000000] [--units 500] [--repeat 3]
Prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import platform
import time
import tracemalloc
from typing import Any, Callable

import numpy as np

import akhlak_levels as al
from akhlak_levels.growth import progress, transitions

T_MOVE = np.array([
    [0.70, 0.25, 0.05, 0.00, 0.00],
    [0.05, 0.70, 0.20, 0.05, 0.00],
    [0.00, 0.05, 0.75, 0.15, 0.05],
    [0.00, 0.00, 0.05, 0.80, 0.15],
    [0.00, 0.00, 0.00, 0.10, 0.90],
])


def make_waves(n: int, n_units: int, rng: np.random.Generator) -> dict[str, al.Assessment]:
    q = al.load_questionnaire("socio-emotional-levels")
    unit_p = rng.gamma(2.0, 1.0, n_units)
    unit_p /= unit_p.sum()
    unit_p[:5] = 3.0 / n  # five tiny units (about 3 respondents each), for the suppression rules
    unit_p /= unit_p.sum()
    person = np.arange(n)
    level = rng.choice(5, n, p=[0.15, 0.25, 0.30, 0.20, 0.10])
    unit = rng.choice(n_units, n, p=unit_p)
    next_id = n
    out = {}
    for year in ("2022", "2023", "2024"):
        if year != "2022":
            keep = rng.random(len(person)) < 0.95
            person, level, unit = person[keep], level[keep], unit[keep]
            level = (rng.random(len(level))[:, None] > np.cumsum(T_MOVE[level], axis=1)).sum(axis=1)
            movers = rng.random(len(unit)) < 0.02
            unit[movers] = rng.choice(n_units, int(movers.sum()), p=unit_p)
            k = n - len(person)
            person = np.concatenate([person, np.arange(next_id, next_id + k)])
            level = np.concatenate([level, rng.choice(5, k, p=[0.15, 0.25, 0.30, 0.20, 0.10])])
            unit = np.concatenate([unit, rng.choice(n_units, k, p=unit_p)])
            next_id += k
        order = rng.permutation(n)
        person, level, unit = person[order], level[order], unit[order]
        rs, _ = al.simulate(q, n, levels=level + 1, missing=0.2, random_state=rng)
        ids = np.char.add("p", person.astype(str))
        units = np.char.add("unit-", unit.astype(str))
        rs = al.ResponseSet(q, ids, rs.codes, unit=units, wave=np.full(n, year))
        out[year] = al.assess(q, rs)
    return out


def best(fn: Callable[[], Any], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def peak_mb(fn: Callable[[], Any]) -> float:
    tracemalloc.start()
    tracemalloc.reset_peak()
    base = tracemalloc.get_traced_memory()[0]
    fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return (peak - base) / 2**20


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--units", type=int, default=500)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    t0 = time.perf_counter()
    waves = make_waves(args.n, args.units, np.random.default_rng(0))
    t_data = time.perf_counter() - t0
    a1, a2 = waves["2022"], waves["2023"]

    table = progress(waves, by="unit")
    tt = transitions(a1, a2)
    t_progress = best(lambda: progress(waves, by="unit"), args.repeat)
    t_transitions = best(lambda: transitions(a1, a2), args.repeat)
    m_progress = peak_mb(lambda: progress(waves, by="unit"))
    m_transitions = peak_mb(lambda: transitions(a1, a2))
    print(json.dumps({
        "benchmark": "growth",
        "n_respondents_per_wave": args.n,
        "n_waves": 3,
        "n_units": args.units,
        "progress_seconds": round(t_progress, 3),
        "progress_peak_mb": round(m_progress, 1),
        "progress_rows": len(table),
        "progress_suppressed_rows": int(table.suppressed.sum()),
        "transitions_seconds": round(t_transitions, 3),
        "transitions_peak_mb": round(m_transitions, 1),
        "transitions_em_iterations": tt.iterations,
        "transitions_matched": tt.n_matched,
        "corrected_max_abs_error": round(float(np.abs(tt.corrected - T_MOVE).max()), 4),
        "raw_max_abs_error": round(float(np.nanmax(np.abs(tt.proportions - T_MOVE))), 4),
        "data_seconds_untimed": round(t_data, 1),
        "repeat": args.repeat,
        "numpy": np.__version__,
        "python": platform.python_version(),
        "machine": platform.machine(),
    }))


if __name__ == "__main__":
    main()
