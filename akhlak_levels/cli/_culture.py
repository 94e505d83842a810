"""The ``culture-map`` command: the culture map of a vote export, printed per group and written
as tables (``-o OUT.json``: one document; ``-o OUT.xlsx``: a workbook, a sheet per table;
``-o OUT.csv``: one CSV per table, with ``--excel`` as Excel with Indonesian settings opens it)."""

from __future__ import annotations

import argparse
import json
import os
import re
import time
from typing import Any, TextIO

import numpy as np

from .._export import AtomicFiles
from .._votes_read import read_votes
from ..questionnaire import Questionnaire, load_questionnaire
from ._hints import cli_hints
from ._output import workbook_bytes, write_records_csv
from ._stream import reading_options
from ._trend import check_excel, store_votes
from ._usage import UsageError

#: The tables of a culture map, in the order they are written.
TABLES = ("groups", "behaviours", "values", "levels")

#: The mark of a behaviour that is also in another top list of the same group.
MATCH_MARK = "*"

#: What separates the columns of the top lists on the terminal.
COLUMN_GAP = " | "


def vote_reading_options(args: argparse.Namespace) -> dict[str, Any]:
    """The reading options of the command line, as :func:`~akhlak_levels.read_votes` takes them
    (it has no date column and no missing items: a question left out is a column problem)."""
    return {**reading_options(args), "delimiter": args.delimiter, "sheet": args.sheet}


def _by(args: argparse.Namespace) -> str | None:
    """The grouping name ``culture_map`` takes: ``"unit"``/``"wave"`` when ``--by`` names the
    unit or wave column, else the column itself, added to the columns carried along."""
    by = args.by
    if by is None or by in ("unit", "wave"):
        return by
    if by == args.unit_column:
        return "unit"
    if by == args.wave_column:
        return "wave"
    if by not in args.group_column:
        args.group_column = [*args.group_column, by]
    return str(by)


def cmd_culture_map(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """``akhlak-levels culture-map FILE -q ID``: read the votes, compute the culture map, print
    it group by group and write its tables with ``-o``; returns the exit code (0)."""
    from ..culture import culture_map

    q = load_questionnaire(args.questionnaire)
    if args.wave and not args.store:
        raise UsageError("--wave names the vote wave kept in --store; give --store too")
    check_excel(args)
    by = _by(args)
    t0 = time.perf_counter()
    votes = read_votes(args.file, q, **vote_reading_options(args))
    t1 = time.perf_counter()
    if args.store:
        store_votes(args, q, votes, err)
    cm = culture_map(q, votes, by=by, min_group_size=args.min_group_size, index=args.index)
    ranking = _ranking(cm, args.rank_by, args.seed)
    if not args.quiet:
        print(f"read {len(votes):,} respondents in {t1 - t0:.1f} s; culture map of {len(cm) - 1:,} groups "
              f"in {time.perf_counter() - t1:.1f} s", file=err)
    print_culture_map(cm, q, args.lang, out)
    if ranking is not None:
        print_ranking(ranking, out)
    if args.output:
        written = write_culture_map(cm, args.output, ranking, excel=args.excel, lang=args.lang)
        print(f"wrote {', '.join(written)}", file=err)
    if args.plot:
        written = plot_culture_map(cm, q, args.plot, args.lang)
        print(f"wrote {len(written)} figures in {args.plot}", file=err)
    return 0


def plot_culture_map(cm: Any, q: Questionnaire, folder: str, lang: str) -> list[str]:
    """The level profile and the value jumps of everyone and of each shown group, as PNG files
    ``NNN-<group>-level-profile.png`` and ``NNN-<group>-value-jumps.png`` (NNN the row number,
    so two groups never share a name); all appear, whole, or none."""
    from ..plots import level_profile_figure, value_jumps_figure

    os.makedirs(folder, exist_ok=True)
    written = []
    with AtomicFiles() as files:
        for r, group in enumerate(cm.group):
            if cm.suppressed[r]:
                continue
            slug = re.sub(r"[^0-9A-Za-z]+", "-", group).strip("-")[:40] or "group"
            for kind, fig in (("level-profile", level_profile_figure(cm, group=group, lang=lang)),
                              ("value-jumps", value_jumps_figure(cm, q, group=group, lang=lang))):
                path = os.path.join(folder, f"{r:03d}-{slug}-{kind}.png")
                fig.savefig(files.open(path, "wb"), format="png", dpi=110)
                written.append(path)
    return written


def _ranking(cm: Any, statistic: str, seed: int) -> Any:
    """The ranking of the groups with rank intervals (None without groups to rank)."""
    from ..culture import rank_units

    if cm.by is None or int((~np.asarray(cm.suppressed[1:])).sum()) < 2:
        return None
    try:
        return rank_units(cm, statistic, random_state=seed)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def print_ranking(ranking: Any, out: TextIO) -> None:
    """The groups by rank, each with its rank interval and the chance it is first."""
    level = f"{100 * ranking.confidence:g}%"
    print(f"\nRanking by {ranking.statistic} (rank interval {level}, chance of being first; "
          f"{ranking.n_draws:,} draws):", file=out)
    for i in np.argsort(ranking.rank, kind="stable").tolist():
        print(f"   {int(ranking.rank[i]):>3}  [{int(ranking.rank_low[i])}-{int(ranking.rank_high[i])}]  "
              f"P(first) {ranking.p_first[i]:.2f}  {ranking.group[i]}  {ranking.estimate[i]:.1f}", file=out)
    for note in ranking.note:
        print(f"note: {cli_hints(note)}", file=out)


def write_culture_map(cm: Any, output: str, ranking: Any = None, *, excel: bool = False, lang: str = "id") -> list[str]:
    """Write every table of ``cm`` (and the ranking): ``OUT.json`` one document, ``OUT.xlsx`` a
    workbook with a sheet per table (in language ``lang``), ``OUT.csv`` one CSV per table
    (``OUT-groups.csv``, ...; ``excel``: ``;``-delimited, decimal comma, with a byte-order mark).
    Text cells are neutralised for spreadsheets. The files appear whole, together, or not at
    all. Returns the paths written."""
    tables = {name: cm.to_records(name) for name in TABLES}
    if ranking is not None:
        tables["ranking"] = ranking.to_records()
    with AtomicFiles() as files:
        if output.lower().endswith(".json"):
            head = {"questionnaire": cm.questionnaire_id, "by": cm.by, "index_definition": cm.index_definition,
                    "min_group_size": cm.min_group_size, "confidence": cm.confidence, "note": list(cm.note)}
            json.dump({**head, **tables}, files.open(output), ensure_ascii=False, indent=1, allow_nan=False)
            return [output]
        if output.lower().endswith(".xlsx"):
            files.open(output, "wb").write(workbook_bytes(tables, lang))
            return [output]
        stem = os.path.splitext(output)[0]
        written = []
        for name, records in tables.items():
            path = f"{stem}-{name}.csv"
            write_records_csv(records, files.open(path, newline=""), excel=excel)
            written.append(path)
    return written


def _label(q: Questionnaire, behaviour: str, lang: str) -> str:
    label = q.behaviour(behaviour).label
    return str(label.get(lang) or label.get("en") or behaviour)


def _value_name(q: Questionnaire, value: str, lang: str) -> str:
    for s in q.scales:
        if s.id == value:
            return str(s.name.get(lang) or value)
    return value


def top_list_lines(cm: Any, q: Questionnaire, r: int, lang: str) -> list[str]:
    """The three top lists of row ``r`` side by side: a header of question roles, then one line
    per rank, each cell ``label (votes)`` with :data:`MATCH_MARK` after a behaviour that is in
    another of the row's top lists; cells separated by :data:`COLUMN_GAP`."""
    tops = cm.top[r]  # (Q, TOP_N)
    cells: list[list[str]] = []
    for qi in range(tops.shape[0]):
        others = set(np.concatenate([tops[j] for j in range(tops.shape[0]) if j != qi]).tolist()) - {-1}
        col = []
        for b in tops[qi][tops[qi] >= 0].tolist():
            mark = f" {MATCH_MARK}" if b in others else ""
            col.append(f"{_label(q, cm.behaviours[b], lang)} ({int(cm.votes[r, qi, b])}){mark}")
        cells.append(col)
    depth = max((len(c) for c in cells), default=0)
    widths = [max([len(cm.roles[qi])] + [len(c) for c in cells[qi]]) for qi in range(len(cells))]
    lines = ["     " + COLUMN_GAP.join(role.ljust(w) for role, w in zip(cm.roles, widths)).rstrip()]
    for k in range(depth):
        row = [(c[k] if k < len(c) else "").ljust(w) for c, w in zip(cells, widths)]
        lines.append(f"  {k + 1:>2d} " + COLUMN_GAP.join(row).rstrip())
    return lines


def _interval(v: float, low: float, high: float, unit: str = "") -> str:
    return f"{v:.1f}{unit} [{low:.1f}, {high:.1f}]"


def print_culture_map(cm: Any, q: Questionnaire, lang: str, out: TextIO) -> None:
    """Print each row of ``cm`` (everyone first): sizes, the top lists, the hindering factors,
    entropy and positive energy, the value indices and the health index; a suppressed row shows
    its size only."""
    cur = cm.roles.index("current") if "current" in cm.roles else 0
    print(f"Culture map of {cm.questionnaire_id}: {int(cm.n[0]):,} respondents"
          + (f" by {cm.by}" if cm.by else "") + f"; value index: {cm.index_definition}; intervals {100 * cm.confidence:g}%",
          file=out)
    print(f"({MATCH_MARK} a behaviour also in another top list of the group; groups under {cm.min_group_size} "
          "respondents are shown without figures)", file=out)
    for r, name in enumerate(cm.group):
        answered = ", ".join(f"{role} {int(a)}" for role, a in zip(cm.roles, cm.n_answered[r]))
        print(f"\n== {name}: {int(cm.n[r]):,} respondents (answered: {answered})", file=out)
        if cm.suppressed[r]:
            print("   suppressed: too few respondents in this group or one that would reveal it", file=out)
            continue
        print("   Top ten:", file=out)
        for line in top_list_lines(cm, q, r, lang):
            print(line, file=out)
        matches = ", ".join(f"{pair} {int(m[r])}" for pair, m in cm.matches.items())
        print(f"   Matches: {matches} (current-desired: {cm.alignment_band[r]})", file=out)
        hindering = [h for h in cm.hindering[r].tolist() if h >= 0]
        print("   Hindering factors: " + (", ".join(f"{_label(q, cm.behaviours[h], lang)} {int(cm.votes[r, cur, h])} votes"
                                                      for h in hindering) or "none"), file=out)
        print(f"   Entropy: {_interval(cm.entropy[r], cm.entropy_low[r], cm.entropy_high[r], '%')} {cm.entropy_band[r]}; "
              f"positive energy: {_interval(cm.positive_energy[r], cm.positive_energy_low[r], cm.positive_energy_high[r], '%')}",
              file=out)
        print("   Value indices:", file=out)
        for v, value in enumerate(cm.values):
            print(f"     {_value_name(q, value, lang):<24} "
                  f"{_interval(cm.value_index[r, v], cm.value_index_low[r, v], cm.value_index_high[r, v])} {cm.value_category[r, v]}",
                  file=out)
        print(f"   Implementation: {_interval(cm.implementation[r], cm.implementation_low[r], cm.implementation_high[r])} "
              f"{cm.implementation_category[r]}", file=out)
        print(f"   Total health index: {_interval(cm.health[r], cm.health_low[r], cm.health_high[r])} {cm.health_category[r]}",
              file=out)
    for note in cm.note:
        print(f"note: {cli_hints(note)}", file=out)
