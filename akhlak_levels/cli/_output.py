"""What the commands print and write: tables on the terminal, results as CSV or JSON.

Every CSV the commands write goes through :func:`write_csv`, which makes each text cell safe to
open in a spreadsheet (:func:`~akhlak_levels._export.spreadsheet_text`: a text starting with
``= + - @``, a tab or a carriage return gets a leading ``'``) and leaves numbers as numbers.
Which cells are text is decided by the value's type, not by its look: ids, units, group
labels, level labels, notes and flags are text; the ints and floats we computed are numbers
(``-0.25`` and ``-inf`` included). JSON and JSON lines are written as they are.
"""

from __future__ import annotations

import csv
import json
import math
from typing import IO, Any, Sequence, TextIO

import numpy as np

from .._export import AtomicFiles, spreadsheet_text
from ..assessment import Assessment
from ..levels import N_LEVELS


def _fmt(v: Any) -> Any:
    """A float as the CSV shows it: rounded to 6 decimals (still a number), None for NaN."""
    if isinstance(v, float):
        return None if math.isnan(v) else round(v, 6)
    return v


def _csv_cell(v: Any) -> Any:
    """A value as a CSV cell: None empty, lists joined by ';', text made spreadsheet-safe,
    numbers as they are."""
    if v is None:
        return ""
    if isinstance(v, (list, tuple)):
        return spreadsheet_text(";".join("" if x is None else str(x) for x in v))
    return spreadsheet_text(v)


#: Cell types written as they are (the csv module writes None as an empty cell).
_AS_IS = frozenset({int, float, bool, type(None)})


def write_csv(fh: IO[Any], header: Sequence[str], columns: Sequence[list[Any]]) -> None:
    """The one CSV writer of the commands: ``header`` then the rows of ``columns`` (lists of
    equal length), every cell through :func:`_csv_cell` (text neutralised for spreadsheets,
    numbers left numbers). A column of numbers only is written without a per-cell call."""
    writer = csv.writer(fh, lineterminator="\n")
    writer.writerow([_csv_cell(h) for h in header])
    cells = [col if set(map(type, col)) <= _AS_IS else [_csv_cell(v) for v in col] for col in columns]
    writer.writerows(zip(*cells))


def write_assessment(result: Assessment, fh: IO[Any], name: str, lang: str) -> None:
    """Write ``result`` to ``fh``: JSON lines when ``name`` ends in ``.jsonl``, else CSV."""
    if name.lower().endswith(".jsonl"):
        for rec in result.to_records(lang):
            fh.write(json.dumps(rec, ensure_ascii=False, allow_nan=False))
            fh.write("\n")
        return
    cols = result.columns(lang)
    lists = []
    for v in cols.values():
        arr = np.asarray(v)
        if arr.dtype.kind == "f":
            lists.append([_fmt(x) for x in arr.tolist()])
        else:
            lists.append(arr.tolist())
    write_csv(fh, list(cols), lists)


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


def write_records(records: list[dict[str, Any]], path: str, files: AtomicFiles) -> None:
    """Write records to ``path`` (through ``files``, so it appears whole when the command
    succeeds): a JSON list when it ends in ``.json``, else CSV."""
    if path.lower().endswith(".json"):
        json.dump(records, files.open(path), ensure_ascii=False, indent=1, allow_nan=False)
    else:
        write_records_csv(records, files.open(path, newline=""))


def write_records_csv(records: list[dict[str, Any]], fh: IO[Any]) -> None:
    """Records as CSV, the keys of the first as the header."""
    names = list(records[0]) if records else []
    write_csv(fh, names, [[rec.get(c) for rec in records] for c in names])
