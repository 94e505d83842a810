"""Vote waves on the command line: ``culture-map --store`` keeps a vote export as a wave of an
assessment store, and ``culture-trend`` prints each group's indices across the stored vote
waves, with their intervals and the changes beyond noise (``-o``: the trend table as CSV, JSON or
a workbook; ``--excel``: the CSV as Excel with Indonesian settings opens it)."""

from __future__ import annotations

import argparse
import json
from typing import Any, TextIO

import numpy as np

from .._export import AtomicFiles
from ..questionnaire import Questionnaire, load_questionnaire
from ._hints import cli_hints
from ._output import workbook_bytes, write_records_csv
from ._usage import UsageError, check_new_wave, store_key

#: The mark of a change from the previous wave whose interval excludes 0.
BEYOND_NOISE_MARK = "*"


def check_excel(args: argparse.Namespace) -> None:
    """``--excel`` shapes a CSV output: refused (exit 2) without ``-o OUT.csv``, where it would
    change nothing."""
    if args.excel and not (args.output or "").lower().endswith(".csv"):
        raise UsageError("--excel writes the CSV tables for Excel with Indonesian settings; give -o OUT.csv "
                         "(or -o OUT.xlsx for a workbook, which needs no --excel)")


def store_votes(args: argparse.Namespace, q: Questionnaire, votes: Any, err: TextIO) -> None:
    """``culture-map --store S --wave W``: add ``votes`` to the store as vote wave ``W``."""
    from ..store import AssessmentStore

    if not args.wave:
        raise UsageError("--store needs --wave (the survey wave these votes belong to, e.g. 2025)")
    if not args.replace:
        check_new_wave(args.store, args.wave, votes=True)
    with AssessmentStore(args.store, pseudonymize_key=store_key(args)) as store:
        n = store.add_votes(votes, wave=args.wave, questionnaire=q, replace=args.replace)
    if not args.quiet:
        print(f"stored {n:,} respondents as vote wave {args.wave!r} in {args.store}", file=err)


def _cell(t: Any, g: int, w: int, k: int) -> str:
    """One wave of one index of one group: ``2024 61.8 [58.1, 65.5] +3.2*``."""
    wave = t.waves[w]
    if not t.present[g, w]:
        return f"{wave} -"
    if t.suppressed[g, w]:
        return f"{wave} suppressed ({int(t.n[g, w])})"
    text = f"{wave} {t.value[g, w, k]:.1f} [{t.low[g, w, k]:.1f}, {t.high[g, w, k]:.1f}]"
    change = t.since_previous[g, w, k]
    if w > 0 and np.isfinite(change):
        text += f" {change:+.1f}{BEYOND_NOISE_MARK if t.since_previous_beyond_noise[g, w, k] else ''}"
    return text


def print_trend(t: Any, q: Questionnaire, by: str | None, out: TextIO) -> None:
    """Each group (everyone first): its sizes per wave, then one line per index across the waves."""
    print(f"Culture trend of {q.id} over vote waves {', '.join(t.waves)}" + (f" by {by}" if by else "")
          + f"; intervals {100 * t.confidence:g}%", file=out)
    print(f"(each wave: value [interval], then the change from the previous wave, {BEYOND_NOISE_MARK} where "
          "its interval excludes 0; a suppressed group shows its size only)", file=out)
    width = max(len(i) for i in t.indices)
    for g, name in enumerate(t.group):
        sizes = " | ".join(f"{wave} {int(t.n[g, w]):,}" if t.present[g, w] else f"{wave} -" for w, wave in enumerate(t.waves))
        print(f"\n== {name}: respondents {sizes}", file=out)
        for k, index in enumerate(t.indices):
            print(f"   {index:<{width}}  " + " | ".join(_cell(t, g, w, k) for w in range(len(t.waves))), file=out)
    for note in t.note:
        print(f"note: {cli_hints(note)}", file=out)


def write_trend(t: Any, q: Questionnaire, by: str | None, output: str, *, excel: bool = False) -> None:
    """The trend table: ``OUT.csv`` one row per group, wave and index (``excel``: ``;``-delimited,
    decimal comma, with a byte-order mark), ``OUT.xlsx`` the same rows in a ``trend`` sheet (text
    cells neutralised for spreadsheets in both); ``OUT.json`` one document. The file appears
    whole or not at all."""
    rows = t.to_records()
    with AtomicFiles() as files:
        if output.lower().endswith(".json"):
            doc = {"questionnaire": q.id, "by": by, "waves": list(t.waves), "confidence": t.confidence,
                   "note": list(t.note), "trend": rows}
            json.dump(doc, files.open(output), ensure_ascii=False, indent=1, allow_nan=False)
        elif output.lower().endswith(".xlsx"):
            files.open(output, "wb").write(workbook_bytes({"trend": rows}))
        else:
            write_records_csv(rows, files.open(output, newline=""), excel=excel)


def cmd_culture_trend(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """``akhlak-levels culture-trend --store S -q ID [--by unit]``: the culture map of every
    stored vote wave (or of ``--waves``, in that order) and the trend of its indices."""
    from ..culture import culture_trend
    from ..store import AssessmentStore

    check_excel(args)
    q = load_questionnaire(args.questionnaire)
    with AssessmentStore(args.store) as store:
        known = store.vote_waves()
        waves = args.waves or known
        missing = [w for w in waves if w not in known]
        if missing:
            raise UsageError(f"no vote wave {missing} in {args.store}; it holds {known}")
        if len(waves) < 2:
            raise UsageError(f"a trend needs at least two vote waves; {args.store} has {waves}")
        maps = store.culture_maps(q, waves=waves, by=args.by, min_group_size=args.min_group_size, index=args.index)
    trend = culture_trend(maps, order=waves)
    print_trend(trend, q, args.by, out)
    if args.output:
        write_trend(trend, q, args.by, args.output, excel=args.excel)
        print(f"wrote {args.output}", file=err)
    return 0
