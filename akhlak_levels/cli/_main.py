"""The ``akhlak-levels`` command.

Exit codes: 0 success, 2 usage error, 3 invalid input (the problem list on stderr).
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import sys
import time
from typing import Any, Sequence, TextIO

import numpy as np

from .. import __version__
from ..assessment import Assessment, assess
from ..errors import AkhlakLevelsError
from ..levels import N_LEVELS, Level
from ..model import load_model
from ..questionnaire import list_questionnaires, load_questionnaire
from ..responses import read_responses
from ..model import simulate

EXIT_OK, EXIT_USAGE, EXIT_INVALID = 0, 2, 3
PROGRESS_FROM = 100_000  # respondents; smaller jobs print no progress
READ_NOTICE_FROM = 5 * 2**20  # bytes; reading a larger file is announced on stderr


class _UsageError(Exception):
    pass


def _reading_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("reading the responses")
    g.add_argument("--id-column", help="column of respondent ids (default: respondent_id if present, else numbered)")
    g.add_argument("--unit-column", help="column of organisational units (default: unit if present)")
    g.add_argument("--wave-column", help="column of survey waves (default: wave if present)")
    g.add_argument("--date-column", help="column of dates (default: date if present)")
    g.add_argument("--group-column", action="append", default=[], metavar="COLUMN", help="a grouping column to carry along (repeatable)")
    g.add_argument("--ignore-column", action="append", default=[], metavar="COLUMN", help="a column to set aside, e.g. a name or NIP (repeatable)")
    g.add_argument("--ignore-unknown-columns", action="store_true", help="set aside every column that is not an item")
    g.add_argument("--allow-missing-items", action="store_true", help="score a partial questionnaire: items without a column are unanswered")
    g.add_argument("--on-invalid", choices=("raise", "missing"), default="raise", help="unreadable answers: fail (default) or set missing and flag the respondent")
    g.add_argument("--delimiter", help="CSV delimiter (default: detected from the header)")
    g.add_argument("--sheet", help="XLSX sheet name (default: the first)")


def _read(args: argparse.Namespace, q: Any) -> Any:
    return read_responses(
        args.file,
        q,
        id_column=args.id_column,
        unit_column=args.unit_column,
        wave_column=args.wave_column,
        date_column=args.date_column,
        group_columns=args.group_column,
        ignore_columns=args.ignore_column,
        unknown_columns="ignore" if args.ignore_unknown_columns else "error",
        missing_items="missing" if args.allow_missing_items else "error",
        on_invalid=args.on_invalid,
        delimiter=args.delimiter,
        sheet=args.sheet,
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="akhlak-levels",
        description="Score BerAKHLAK culture questionnaires into five socio-emotional levels.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    sub.add_parser("list", help="list the bundled questionnaires")

    p = sub.add_parser("show", help="show a questionnaire's scales and items")
    p.add_argument("questionnaire", metavar="ID", help="a bundled id or a questionnaire .json file")
    p.add_argument("--lang", choices=("id", "en"), default="id")

    p = sub.add_parser("validate", help="check a responses file against a questionnaire")
    p.add_argument("file", metavar="FILE")
    p.add_argument("-q", "--questionnaire", required=True, metavar="ID")
    _reading_options(p)

    p = sub.add_parser("score", help="score a responses file into levels and scale scores")
    p.add_argument("file", metavar="FILE")
    p.add_argument("-q", "--questionnaire", required=True, metavar="ID")
    p.add_argument("--model", metavar="M.json", help="a calibrated level model (default: the questionnaire's theory prior)")
    p.add_argument("-o", "--output", metavar="OUT", help="write .csv or .jsonl (default: CSV on standard output)")
    p.add_argument("--lang", choices=("id", "en"), default="en", help="language of level labels")
    p.add_argument("--min-confidence", type=float, default=0.5, help="level 0 where the top probability is below this (default 0.5)")
    p.add_argument("--min-answered", type=float, default=0.5, help="share of a scale's items needed to score it (default 0.5)")
    p.add_argument("--quiet", action="store_true", help="no progress or summary on stderr")
    p.add_argument("--store", metavar="STORE.sqlite", help="also add the results to an assessment store, as --wave")
    p.add_argument("--wave", help="the wave (e.g. 2025) the results are stored as; needed with --store")
    p.add_argument("--replace", action="store_true", help="replace the wave if the store already holds it")
    p.add_argument("--pseudonymize-key-env", metavar="VAR",
                   help="pseudonymise respondent ids in the store with the secret in this environment variable")
    _reading_options(p)

    p = sub.add_parser("growth", help="progress of units over the waves in a store")
    p.add_argument("--store", required=True, metavar="STORE.sqlite")
    p.add_argument("--by", metavar="COLUMN", help="group by unit (or another stored group)")
    p.add_argument("--min-group-size", type=int, default=5, help="smaller groups are suppressed (default 5)")
    p.add_argument("-o", "--output", metavar="OUT", help="write the table as .csv or .json")
    p.add_argument("--plot", metavar="DIR", help="save level-distribution and trajectory figures (PNG) in DIR")

    p = sub.add_parser("transitions", help="level moves between two waves in a store")
    p.add_argument("--store", required=True, metavar="STORE.sqlite")
    p.add_argument("--from", dest="wave_from", required=True, metavar="WAVE")
    p.add_argument("--to", dest="wave_to", required=True, metavar="WAVE")
    p.add_argument("-o", "--output", metavar="OUT", help="write the 25 cells as .csv or .json")
    p.add_argument("--plot", metavar="DIR", help="save the transition heatmaps (PNG) in DIR")

    p = sub.add_parser("calibrate", help="fit the level model's weights on your own responses")
    p.add_argument("file", metavar="FILE")
    p.add_argument("-q", "--questionnaire", required=True, metavar="ID")
    p.add_argument("-o", "--output", required=True, metavar="MODEL.json", help="where to save the model (JSON)")
    p.add_argument("--labels", metavar="COLUMN", help="column of expert/interview levels 1-5 (for logistic or ordinal)")
    p.add_argument("--method", choices=("latent-class", "logistic", "ordinal"), help="default: latent-class, or logistic with --labels")
    p.add_argument("--seed", type=int, default=None, help="random seed, for a reproducible fit")
    p.add_argument("--n-init", type=int, default=5, help="latent class: random starts (default 5)")
    p.add_argument("--prior", metavar="P1,P2,P3,P4,P5", help="level probabilities of the target population")
    p.add_argument("--quiet", action="store_true", help="no progress on stderr")
    _reading_options(p)

    p = sub.add_parser("quality", help="reliability, item analysis, careless responding and fairness tables")
    p.add_argument("file", metavar="FILE")
    p.add_argument("-q", "--questionnaire", required=True, metavar="ID")
    p.add_argument("--group", metavar="COLUMN", help="a grouping column for fairness: DIF and level decisions by group")
    p.add_argument("--nan-policy", choices=("pairwise", "listwise", "median"), default="pairwise",
                   help="missing answers in reliability: pairwise (psych::alpha), listwise, or median-imputed (psych::scoreItems)")
    p.add_argument("-o", "--output", metavar="OUT", help="write the tables: OUT.json (one document) or OUT.csv (one CSV per table, OUT-<table>.csv)")
    _reading_options(p)

    p = sub.add_parser("demo", help="simulate a small sample and score it")
    p.add_argument("-q", "--questionnaire", default="socio-emotional-levels", metavar="ID")
    p.add_argument("-n", type=int, default=8, help="respondents (default 8)")
    p.add_argument("--seed", type=int, default=2024)
    return parser


# --------------------------------------------------------------------------- commands


def _cmd_list(args: argparse.Namespace, out: TextIO) -> int:
    rows = [("id", "version", "items", "scales", "level model", "title")]
    for qid in list_questionnaires():
        q = load_questionnaire(qid)
        has_model = "theory prior" if "default_model" in q.document else "-"
        rows.append((q.id, q.version, str(q.n_items), str(len(q.scales)), has_model, q.title.get("en", "")))
    _print_table(rows, out)
    return EXIT_OK


def _cmd_show(args: argparse.Namespace, out: TextIO) -> int:
    q = load_questionnaire(args.questionnaire)
    lang = args.lang
    print(f"{q.title.get(lang, q.id)}  [{q.id} {q.version}]", file=out)
    if q.description:
        print(q.description.get(lang, ""), file=out)
    print("\nScales:", file=out)
    for s in q.scales:
        lv = f" (level {s.level})" if s.level else ""
        print(f"  {s.id}{lv}: {s.name.get(lang, '')} - {len(s.item_ids)} items", file=out)
        for ind_id, text in s.indicators:
            print(f"      {ind_id}: {text.get(lang, '')}", file=out)
    if q.index is not None:
        bands = ", ".join(f"{c.code} {c.label.get(lang, '')} >= {c.min:g}" for c in q.index.categories)
        print(f"\nIndex {q.index.id}: mean of {len(q.index.scales)} scales; categories: {bands}", file=out)
    print("\nItems:", file=out)
    for it in q.items:
        keys = []
        if it.level:
            keys.append(f"level {it.level}")
        if it.scales:
            keys.append("scale " + ",".join(it.scales))
        if it.reverse:
            keys.append("reverse")
        print(f"  {it.id} [{'; '.join(keys) or it.type}] {it.text.get(lang, '')}", file=out)
        if it.type == "choice":
            for c, opt in enumerate(it.options):
                keyed = it.option_levels[c]
                print(f"      {c + 1}. {opt.get(lang, '')}" + (f"  (level {keyed})" if keyed else ""), file=out)
        elif it is q.items[0] or it.format != q.items[q.item_ids.index(it.id) - 1].format:
            print("      options: " + " / ".join(f"{c + 1}={lab}" for c, lab in enumerate(it.option_labels(lang))), file=out)
    return EXIT_OK


def _cmd_validate(args: argparse.Namespace, out: TextIO) -> int:
    q = load_questionnaire(args.questionnaire)
    rs = _read(args, q)
    answered = rs.answered
    print(f"{args.file}: valid responses to {q.id} {q.version}", file=out)
    print(f"  respondents: {len(rs)}", file=out)
    print(f"  items: {q.n_items}; answers missing: {100 * (1 - answered.mean()):.1f}%", file=out)
    print(f"  respondents with no answers: {int((~answered.any(axis=1)).sum())}", file=out)
    if rs.ignored_columns:
        print(f"  columns set aside: {list(rs.ignored_columns)}", file=out)
    if rs.skipped_rows:
        print(f"  empty rows skipped: {list(rs.skipped_rows[:20])}{' ...' if len(rs.skipped_rows) > 20 else ''}", file=out)
    flagged = rs.flags.any()
    if flagged.any():
        print(f"  respondents flagged (answers set missing): {int(flagged.sum())}", file=out)
        for i in np.flatnonzero(flagged)[:20]:
            print(f"    {rs.respondent_ids[i]}: {', '.join(rs.flags.for_respondent(i))}", file=out)
    return EXIT_OK


def _cmd_score(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    q = load_questionnaire(args.questionnaire)
    model = load_model(args.model, q) if args.model else None
    if args.output and os.path.splitext(args.output)[1].lower() not in (".csv", ".jsonl"):
        raise _UsageError(f"-o must end in .csv or .jsonl, got {args.output!r}")
    if args.store and not args.wave:
        raise _UsageError("--store needs --wave (the wave these results belong to, e.g. 2025)")
    size = os.path.getsize(args.file) if os.path.isfile(args.file) else 0
    if not args.quiet and size >= READ_NOTICE_FROM:
        print(f"reading {args.file} ({size / 2**20:,.0f} MB) ...", file=err, flush=True)
    t0 = time.perf_counter()
    rs = _read(args, q)
    if not args.quiet and size >= READ_NOTICE_FROM:
        print(f"read {len(rs):,} respondents in {time.perf_counter() - t0:.1f} s", file=err, flush=True)
    show_progress = not args.quiet and len(rs) >= PROGRESS_FROM

    def progress(done: int, total: int) -> None:
        print(f"\rscored {done:,}/{total:,} respondents", end="" if done < total else "\n", file=err, flush=True)

    result = assess(
        q, rs, model,
        min_confidence=args.min_confidence,
        min_answered=args.min_answered,
        progress=progress if show_progress else None,
    )
    if args.output:
        with open(args.output, "w", encoding="utf-8", newline="") as fh:
            _write(result, fh, args.output, args.lang)
    else:
        _write(result, out, "stdout.csv", args.lang)
    if not args.quiet:
        print(_summary(result, args.output), file=err)
    if args.store:
        from ..store import AssessmentStore

        key = os.environ.get(args.pseudonymize_key_env) if args.pseudonymize_key_env else None
        if args.pseudonymize_key_env and not key:
            raise _UsageError(f"the environment variable {args.pseudonymize_key_env} is empty or not set")
        with AssessmentStore(args.store, pseudonymize_key=key) as store:
            n = store.add(result, wave=args.wave, replace=args.replace)
        if not args.quiet:
            print(f"stored {n:,} respondents as wave {args.wave!r} in {args.store}", file=err)
    return EXIT_OK


def _cmd_calibrate(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from ..model import calibrate, fit_report

    if not args.output.lower().endswith(".json"):
        raise _UsageError(f"-o must end in .json (a model is saved as JSON), got {args.output!r}")
    prior = None
    if args.prior:
        try:
            prior = [float(v) for v in args.prior.split(",")]
        except ValueError:
            raise _UsageError(f"--prior must be five numbers separated by commas, got {args.prior!r}") from None
    if args.method in ("logistic", "ordinal") and not args.labels:
        raise _UsageError(f"--method {args.method} needs --labels COLUMN")
    q = load_questionnaire(args.questionnaire)
    if args.labels and args.labels not in args.group_column:
        args.group_column = [*args.group_column, args.labels]
    rs = _read(args, q)

    def progress(message: str) -> None:
        if not args.quiet:
            print(message, file=err, flush=True)

    import warnings

    from ..model import CalibrationWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CalibrationWarning)  # they are printed in the report
        model = calibrate(
            q, rs, args.labels, method=args.method, prior=prior, n_init=args.n_init,
            random_state=args.seed, progress=progress,
        )
    model.save(args.output)
    print(fit_report(model), file=out)
    print(f"saved {args.output}; score with: akhlak-levels score FILE -q {q.id} --model {args.output}", file=out)
    return EXIT_OK


def _quality_tables(args: argparse.Namespace, q: Any, rs: Any) -> dict[str, list[dict[str, Any]]]:
    from ..quality import item_analysis
    from ..quality import reliability

    tables: dict[str, list[dict[str, Any]]] = {
        "reliability": reliability(q, rs, nan_policy=args.nan_policy).to_records(),
        "items": item_analysis(q, rs, nan_policy=args.nan_policy).to_records(),
    }
    from ..quality import careless

    tables["careless"] = careless(q, rs).to_records()
    if args.group:
        from ..quality import dif, level_decisions_by_group

        tables["dif"] = dif(q, rs, args.group).to_records()
        if q.default_model is not None:
            tables["level_decisions"] = level_decisions_by_group(q, rs, args.group).to_records()
    return tables


def _fmt_cell(v: Any) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:.3f}"
    if isinstance(v, list):
        return "/".join(_fmt_cell(x) for x in v)
    return str(v)


def _print_records(title: str, records: list[dict[str, Any]], columns: Sequence[str], out: TextIO, limit: int = 60) -> None:
    print(f"\n{title}", file=out)
    rows = [tuple(columns)] + [tuple(_fmt_cell(r.get(c)) for c in columns) for r in records[:limit]]
    _print_table(rows, out)
    if len(records) > limit:
        print(f"  ... {len(records) - limit} more rows (write them with -o)", file=out)


def _cmd_quality(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    q = load_questionnaire(args.questionnaire)
    if args.group and args.group not in args.group_column:
        args.group_column = [*args.group_column, args.group]
    if args.output and os.path.splitext(args.output)[1].lower() not in (".csv", ".json"):
        raise _UsageError(f"-o must end in .csv or .json, got {args.output!r}")
    rs = _read(args, q)
    tables = _quality_tables(args, q, rs)
    print(f"{q.id} {q.version}: {len(rs):,} respondents; missing answers handled {args.nan_policy}", file=out)
    _print_records("Reliability", tables["reliability"],
                   ("scale", "n_respondents", "n_items", "alpha", "alpha_ci_lower", "alpha_ci_upper", "standardized_alpha",
                    "omega_total", "lambda6", "split_half", "mean_r", "sem", "note"), out)
    _print_records("Items", tables["items"], ("item", "scale", "answered_share", "mean", "sd", "r_drop", "r_total", "alpha_if_dropped"), out)
    if "careless" in tables:
        flagged: dict[str, int] = {}
        for rec in tables["careless"]:
            for f in rec.get("flags", []):
                flagged[f] = flagged.get(f, 0) + 1
        print("\nCareless responding: " + (", ".join(f"{k}: {v}" for k, v in sorted(flagged.items())) or "no respondent flagged")
              + f" (of {len(tables['careless']):,})", file=out)
    if "dif" in tables:
        cols = [c for c in ("item", "chi2_uniform", "p_uniform_adjusted", "chi2_nonuniform", "p_nonuniform_adjusted",
                            "effect_size", "category", "note") if c in tables["dif"][0]]
        _print_records(f"Differential item functioning across {args.group!r}", tables["dif"], cols, out)
    if "level_decisions" in tables:
        _print_records(f"Level decisions by {args.group!r}", tables["level_decisions"], tuple(tables["level_decisions"][0]), out)
    if args.output:
        if args.output.lower().endswith(".json"):
            with open(args.output, "w", encoding="utf-8") as fh:
                json.dump({"questionnaire": {"id": q.id, "version": q.version}, "nan_policy": args.nan_policy, **tables},
                          fh, ensure_ascii=False, indent=1, allow_nan=False)
            written = [args.output]
        else:
            stem = args.output[:-4]
            written = []
            for name, records in tables.items():
                path = f"{stem}-{name}.csv"
                with open(path, "w", encoding="utf-8", newline="") as fh:
                    _write_records_csv(records, fh)
                written.append(path)
        print(f"wrote {', '.join(written)}", file=err)
    return EXIT_OK


def _csv_cell(v: Any) -> Any:
    if v is None:
        return ""
    if isinstance(v, list):
        return ";".join(str(_csv_cell(x)) for x in v)
    return v


def _open_store(path: str) -> Any:
    from ..store import AssessmentStore

    if not os.path.isfile(path):
        raise _UsageError(f"no store at {path!r}; create one with: akhlak-levels score FILE -q ID --store {path} --wave 2025")
    return AssessmentStore(path)


def _write_records(records: list[dict[str, Any]], path: str) -> None:
    if path.lower().endswith(".json"):
        with open(path, "w", encoding="utf-8") as fh:
            json.dump(records, fh, ensure_ascii=False, indent=1, allow_nan=False)
        return
    with open(path, "w", encoding="utf-8", newline="") as fh:
        _write_records_csv(records, fh)


def _write_records_csv(records: list[dict[str, Any]], fh: TextIO) -> None:
    w = csv.writer(fh, lineterminator="\n")
    names = list(records[0]) if records else []
    w.writerow(names)
    for rec in records:
        w.writerow([_csv_cell(rec.get(c)) for c in names])


def _check_output(path: str | None) -> None:
    if path and os.path.splitext(path)[1].lower() not in (".csv", ".json"):
        raise _UsageError(f"-o must end in .csv or .json, got {path!r}")


def _cmd_growth(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from ..growth import progress

    _check_output(args.output)
    with _open_store(args.store) as store:
        waves = {w: store.load(w) for w in store.waves()}
    if not waves:
        raise _UsageError(f"the store {args.store} holds no waves yet")
    table = progress(waves, args.by, min_group_size=args.min_group_size)
    records = table.to_records()
    cols = [c for c in ("wave", "group", "n", "suppressed", "mean_expected_level", "expected_level_ci_lower",
                        "expected_level_ci_upper", "share_level_4_5", "index_mean", "index_category",
                        "change_expected_level", "change_expected_level_p", "rank_expected_level") if records and c in records[0]]
    _print_records(f"Progress over waves {list(waves)}" + (f" by {args.by}" if args.by else ""), records, cols, out, limit=200)
    print(f"groups under {args.min_group_size} respondents are suppressed (shown, without statistics)", file=out)
    if args.output:
        _write_records(records, args.output)
        print(f"wrote {args.output}", file=err)
    if args.plot:
        from ..plots import level_distribution_figure, trajectory_figure

        os.makedirs(args.plot, exist_ok=True)
        written = []
        for name, fig in (("levels.png", level_distribution_figure(table)), ("trajectories.png", trajectory_figure(waves))):
            path = os.path.join(args.plot, name)
            fig.savefig(path, dpi=120)
            written.append(path)
        print(f"wrote {', '.join(written)}", file=err)
    return EXIT_OK


def _cmd_transitions(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from ..growth import transitions

    _check_output(args.output)
    with _open_store(args.store) as store:
        for w in (args.wave_from, args.wave_to):
            if w not in store:
                raise _UsageError(f"the store has no wave {w!r}; it has {store.waves()}")
        before, after = store.load(args.wave_from), store.load(args.wave_to)
    t = transitions(before, after)
    print(f"Level transitions {args.wave_from} -> {args.wave_to}: {t.n_matched:,} respondents in both waves "
          f"({t.n_only_before:,} only before, {t.n_only_after:,} only after, {t.n_undetermined:,} undetermined in one)", file=out)
    for title, M, fmt in (("counts (observed levels)", t.counts, "{:6d}"),
                          ("row shares corrected for misclassification", t.corrected, "{:6.2f}")):
        print(f"\n{title}; rows: level before, columns: level after", file=out)
        print("        " + "".join(f"{k:>6d}" for k in range(1, N_LEVELS + 1)), file=out)
        for j in range(N_LEVELS):
            print(f"  {j + 1:>4d}  " + "".join(fmt.format(M[j, k]) for k in range(N_LEVELS)), file=out)
    for note in t.notes:
        print(f"note: {note}", file=out)
    if args.output:
        _write_records(t.to_records(), args.output)
        print(f"wrote {args.output}", file=err)
    if args.plot:
        from ..plots import transition_figure

        os.makedirs(args.plot, exist_ok=True)
        written = []
        for kind in ("corrected", "proportions"):
            path = os.path.join(args.plot, f"transitions-{kind}.png")
            transition_figure(t, kind=kind).savefig(path, dpi=120)
            written.append(path)
        print(f"wrote {', '.join(written)}", file=err)
    return EXIT_OK


def _cmd_demo(args: argparse.Namespace, out: TextIO) -> int:
    if args.n < 1:
        raise _UsageError(f"-n must be a positive integer, got {args.n}")
    q = load_questionnaire(args.questionnaire)
    if q.default_model is None:
        raise _UsageError(f"questionnaire {q.id!r} has no level model to simulate from")
    rs, truth = simulate(q, args.n, random_state=args.seed)
    a = assess(q, rs)
    assert a.level is not None and a.probabilities is not None  # the questionnaire has a model
    assert a.expected_level is not None and a.expected_level_sd is not None and a.confidence is not None
    print(f"Simulated {args.n} respondents of {q.id} from its theory-prior model (seed {args.seed}) and scored them:\n", file=out)
    rows = [("respondent", "true", "level", "expected", "sd", "confidence", "P(1..5)")]
    for i in range(len(a)):
        rows.append(
            (
                a.respondent_ids[i],
                str(truth[i]),
                f"{a.level[i]} {Level(a.level[i]).label('en') if a.level[i] else '(undetermined)'}",
                f"{a.expected_level[i]:.2f}",
                f"{a.expected_level_sd[i]:.2f}",
                f"{a.confidence[i]:.2f}",
                " ".join(f"{p:.2f}" for p in a.probabilities[i]),
            )
        )
    _print_table(rows, out)
    print(
        "\nThe levels are probabilities, not verdicts. This model is a theory prior; calibrate on your own data "
        "(see docs/methodology.md). Score a file with: akhlak-levels score FILE --questionnaire " + q.id,
        file=out,
    )
    return EXIT_OK


# --------------------------------------------------------------------------- output


def _fmt(v: Any) -> Any:
    if isinstance(v, float):
        return "" if math.isnan(v) else repr(round(v, 6))
    return v


def _write(result: Assessment, fh: TextIO, name: str, lang: str) -> None:
    if name.lower().endswith(".jsonl"):
        for rec in result.to_records(lang):
            fh.write(json.dumps(rec, ensure_ascii=False, allow_nan=False))
            fh.write("\n")
        return
    cols = result._columns(lang)
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


def _summary(a: Assessment, output: str | None) -> str:
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


def _print_table(rows: Sequence[Sequence[str]], out: TextIO) -> None:
    widths = [max(len(str(r[j])) for r in rows) for j in range(len(rows[0]))]
    for r in rows:
        print("  ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip(), file=out)


# --------------------------------------------------------------------------- entry point


def main(argv: Sequence[str] | None = None, *, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    """Run the command; returns the exit code."""
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse: 0 for --help/--version, 2 for usage
        return int(exc.code or 0)
    try:
        if args.command == "list":
            return _cmd_list(args, out)
        if args.command == "show":
            return _cmd_show(args, out)
        if args.command == "validate":
            return _cmd_validate(args, out)
        if args.command == "score":
            return _cmd_score(args, out, err)
        if args.command == "demo":
            return _cmd_demo(args, out)
        if args.command == "calibrate":
            return _cmd_calibrate(args, out, err)
        if args.command == "quality":
            return _cmd_quality(args, out, err)
        if args.command == "growth":
            return _cmd_growth(args, out, err)
        if args.command == "transitions":
            return _cmd_transitions(args, out, err)
    except _UsageError as exc:
        print(f"akhlak-levels {args.command}: error: {exc}", file=err)
        return EXIT_USAGE
    except ImportError as exc:
        print(f"akhlak-levels {args.command}: error: {exc}", file=err)
        return EXIT_USAGE
    except (AkhlakLevelsError, ValueError) as exc:
        print(f"akhlak-levels {args.command}: invalid input: {exc}", file=err)
        return EXIT_INVALID
    except BrokenPipeError:  # e.g. `akhlak-levels score ... | head`: the reader has gone
        try:
            sys.stdout = open(os.devnull, "w")
        except OSError:  # pragma: no cover
            pass
        return EXIT_OK
    except OSError as exc:
        print(f"akhlak-levels {args.command}: cannot write or read a file: {exc}", file=err)
        return EXIT_INVALID
    parser.error(f"unknown command {args.command!r}")  # pragma: no cover
    return EXIT_USAGE  # pragma: no cover


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
