"""What the commands print and write: tables on the terminal, results as CSV or JSON."""

from __future__ import annotations

import csv
import json
import math
from typing import Any, Sequence, TextIO

import numpy as np

from ..assessment import Assessment
from ..levels import N_LEVELS


def _fmt(v: Any) -> Any:
    """A float as the CSV shows it: rounded to 6 decimals, empty for NaN."""
    if isinstance(v, float):
        return "" if math.isnan(v) else repr(round(v, 6))
    return v


def write_assessment(result: Assessment, fh: TextIO, name: str, lang: str) -> None:
    """Write ``result`` to ``fh``: JSON lines when ``name`` ends in ``.jsonl``, else CSV."""
    if name.lower().endswith(".jsonl"):
        for rec in result.to_records(lang):
            fh.write(json.dumps(rec, ensure_ascii=False, allow_nan=False))
            fh.write("\n")
        return
    cols = result.columns(lang)
    writer = csv.writer(fh, lineterminator="\n")
    writer.writerow(list(cols))
    lists = []
    for v in cols.values():
        arr = np.asarray(v)
        if arr.dtype.kind == "f":
            lists.append([_fmt(x) for x in arr.tolist()])
        else:
            lists.append(arr.tolist())
    writer.writerows(zip(*lists))


def summary(a: Assessment, output: str | None) -> str:
    """The one-line report of ``score`` on stderr: levels found, mean index, flags."""
    parts = [f"scored {len(a):,} respondents" + (f" -> {output}" if output else "")]
    if a.level is not None:
        counts = np.bincount(a.level, minlength=N_LEVELS + 1)
        dist = ", ".join(f"level {k}: {counts[k]}" for k in range(1, N_LEVELS + 1))
        parts.append(f"{dist}; undetermined (confidence < {a.min_confidence:g}): {counts[0]}")
    if a.index is not None and np.isfinite(a.index).any():
        mean = float(np.nanmean(a.index))
        parts.append(f"mean index {mean:.1f} of {int(np.isfinite(a.index).sum())} respondents with every scale scored")
    flagged = int(a.flags.any().sum())
    if flagged:
        parts.append(f"{flagged} respondents carry flags (see the flags column)")
    return "; ".join(parts)


def print_table(rows: Sequence[Sequence[str]], out: TextIO) -> None:
    """Rows as left-aligned columns, the first row as the header."""
    widths = [max(len(str(r[j])) for r in rows) for j in range(len(rows[0]))]
    for r in rows:
        print("  ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip(), file=out)


def _fmt_cell(v: Any) -> str:
    """A record's value as a terminal table shows it."""
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:.3f}"
    if isinstance(v, list):
        return "/".join(_fmt_cell(x) for x in v)
    return str(v)


def print_records(title: str, records: list[dict[str, Any]], columns: Sequence[str], out: TextIO, limit: int = 60) -> None:
    """A titled table of ``columns`` of the first ``limit`` records."""
    print(f"\n{title}", file=out)
    rows = [tuple(columns)] + [tuple(_fmt_cell(r.get(c)) for c in columns) for r in records[:limit]]
    print_table(rows, out)
    if len(records) > limit:
        print(f"  ... {len(records) - limit} more rows (write them with -o)", file=out)


def _csv_cell(v: Any) -> Any:
    """A record's value as a CSV cell (lists joined by ';', None empty)."""
    if v is None:
        return ""
    if isinstance(v, list):
        return ";".join(str(_csv_cell(x)) for x in v)
    return v


def write_records(records: list[dict[str, Any]], path: str) -> None:
    """Write records to ``path``: a JSON list when it ends in ``.json``, else CSV."""
    if path.lower().endswith(".json"):
        with open(path, "w", encoding="utf-8") as fh:
            json.dump(records, fh, ensure_ascii=False, indent=1, allow_nan=False)
        return
    with open(path, "w", encoding="utf-8", newline="") as fh:
        write_records_csv(records, fh)


def write_records_csv(records: list[dict[str, Any]], fh: TextIO) -> None:
    """Records as CSV, the keys of the first as the header."""
    w = csv.writer(fh, lineterminator="\n")
    names = list(records[0]) if records else []
    w.writerow(names)
    for rec in records:
        w.writerow([_csv_cell(rec.get(c)) for c in names])
