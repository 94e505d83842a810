"""The subcommands of ``akhlak-levels``, one function each: ``(args, out, err) -> exit code``."""

from __future__ import annotations

import argparse
import json
import os
import re
from typing import Any, Callable, TextIO

import numpy as np

from .._export import AtomicFiles
from ..assessment import assess
from ..levels import N_LEVELS, Level
from .._votes_read import read_votes
from ..model import is_vote_instrument, load_model, simulate
from ..questionnaire import Questionnaire, list_questionnaires, load_questionnaire
from ..responses import read_responses
from ._classes import check_classes_options, run_classes
from ._culture import cmd_culture_map
from ._hints import cli_hints
from ._report import cmd_report
from ._trend import cmd_culture_trend
from ._usage import UsageError, check_new_wave, store_key
from ._output import AssessmentWriter, Totals, print_records, print_table, workbook_bytes, write_records, write_records_csv
from ._stream import batches, reading_options, vote_reading_options

EXIT_OK, EXIT_USAGE, EXIT_INVALID = 0, 2, 3


def _read(args: argparse.Namespace, q: Any) -> Any:
    """The responses of ``args.file`` (the votes, for a vote instrument), read whole with the
    reading options of the command line."""
    options = reading_options(args)
    if is_vote_instrument(q):
        return read_votes(args.file, q, delimiter=args.delimiter, sheet=args.sheet, **vote_reading_options(options, q))
    return read_responses(args.file, q, delimiter=args.delimiter, sheet=args.sheet, **options)


def _cmd_list(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    rows = [("id", "version", "items", "scales", "level model", "votes", "title")]
    for qid in list_questionnaires():
        q = load_questionnaire(qid)
        has_model = "theory prior" if "default_model" in q.document else "-"
        votes = f"{len(q.vote_questions)} x {len(q.behaviours)}" if q.vote_questions else "-"
        rows.append((q.id, q.version, str(q.n_items), str(len(q.scales)), has_model, votes, q.title.get("en", "")))
    print_table(rows, out)
    return EXIT_OK


def _cmd_show(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    q = load_questionnaire(args.questionnaire)
    lang = args.lang
    print(f"{q.title.get(lang, q.id)}  [{q.id} {q.version}]", file=out)
    if q.description:
        print(q.description.get(lang, ""), file=out)
    print("\nScales:", file=out)
    for s in q.scales:
        lv = f" (level {s.level})" if s.level else ""
        n_keyed = f"{len(s.item_ids)} items" if q.items or not q.behaviours else f"{sum(b.value == s.id for b in q.behaviours)} behaviours"
        print(f"  {s.id}{lv}: {s.name.get(lang, '')} - {n_keyed}", file=out)
        for ind_id, text in s.indicators:
            print(f"      {ind_id}: {text.get(lang, '')}", file=out)
    if q.index is not None:
        bands = ", ".join(f"{c.code} {c.label.get(lang, '')} >= {c.min:g}" for c in q.index.categories)
        print(f"\nIndex {q.index.id}: mean of {len(q.index.scales)} scales; categories: {bands}", file=out)
    if q.vote_questions:
        _show_votes(q, lang, out)
    if not q.items:
        return EXIT_OK
    print("\nItems:", file=out)
    for it in q.items:
        keys = []
        if it.level:
            keys.append(f"level {it.level}")
        if it.scales:
            keys.append("scale " + ",".join(it.scales))
        if it.reverse:  # the global flag; a scale that keys the item otherwise is named below
            keys.append("reverse")
        for s in q.scales:
            if it.id in s.item_ids and s.key(it.id) != (-1 if it.reverse else 1):
                keys.append(f"{'reverse' if s.key(it.id) == -1 else 'positive'} in {s.id}")
        print(f"  {it.id} [{'; '.join(keys) or it.type}] {it.text.get(lang, '')}", file=out)
        if it.type == "choice":
            for c, opt in enumerate(it.options):
                keyed = it.option_levels[c]
                print(f"      {c + 1}. {opt.get(lang, '')}" + (f"  (level {keyed})" if keyed else ""), file=out)
        elif it is q.items[0] or it.format != q.items[q.item_ids.index(it.id) - 1].format:
            print("      options: " + " / ".join(f"{c + 1}={lab}" for c, lab in enumerate(it.option_labels(lang))), file=out)
    return EXIT_OK


def _show_votes(q: Questionnaire, lang: str, out: TextIO) -> None:
    """The vote questions and the behaviours they offer, with each behaviour's keys."""
    print("\nVote questions:", file=out)
    for vq in q.vote_questions:
        picks = f"{vq.min_picks}" if vq.exact else f"{vq.min_picks}-{vq.max_picks}"
        print(f"  {vq.id} [{vq.role}; pick {picks} of {len(vq.behaviour_ids)}] {vq.text.get(lang, '')}", file=out)
    n_limiting = sum(b.limiting for b in q.behaviours)
    print(f"\nBehaviours ({len(q.behaviours)}; {n_limiting} potentially limiting, marked !):", file=out)
    for b in q.behaviours:
        keys = "; ".join([f"level {b.level}", b.value or "no value", b.area] + ([b.indicator] if b.indicator else []))
        print(f"  {'!' if b.limiting else ' '} {b.id} [{keys}] {b.label.get(lang, '')}", file=out)


def _cmd_validate(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    q = load_questionnaire(args.questionnaire)
    n = answered = empty = n_flagged = 0
    ignored: list[str] = []
    skipped: list[int] = []
    flagged: list[str] = []
    for rs in batches(args, q, err, "validating"):  # bounded memory: counts kept, batches dropped
        n += len(rs)
        answered += int(rs.answered.sum())
        empty += int((~rs.answered.any(axis=1)).sum())
        ignored = ignored or list(rs.ignored_columns)
        skipped += list(rs.skipped_rows[: 21 - len(skipped)])
        hit = np.flatnonzero(rs.flags.any())
        n_flagged += len(hit)
        flagged += [f"{rs.respondent_ids[i]}: {', '.join(rs.flags.for_respondent(i))}" for i in hit[: 20 - len(flagged)]]
    print(f"{args.file}: valid responses to {q.id} {q.version}", file=out)
    print(f"  respondents: {n}", file=out)
    print(f"  items: {q.n_items}; answers missing: {100 * (1 - answered / max(n * q.n_items, 1)):.1f}%", file=out)
    print(f"  respondents with no answers: {empty}", file=out)
    if ignored:
        print(f"  columns set aside: {ignored}", file=out)
    if skipped:
        print(f"  empty rows skipped: {skipped[:20]}{' ...' if len(skipped) > 20 else ''}", file=out)
    if n_flagged:
        print(f"  respondents flagged (answers set missing): {n_flagged}", file=out)
        for line in flagged:
            print(f"    {line}", file=out)
    return EXIT_OK


def _cmd_score(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from typing import Iterator

    q = load_questionnaire(args.questionnaire)
    model = load_model(args.model, q) if args.model else None
    if args.output and os.path.splitext(args.output)[1].lower() not in (".csv", ".jsonl", ".xlsx"):
        raise UsageError(f"-o must end in .csv, .jsonl or .xlsx, got {args.output!r}")
    if args.store and not args.wave:
        raise UsageError("--store needs --wave (the wave these results belong to, e.g. 2025)")
    key = store_key(args)
    if args.store and not args.replace:
        check_new_wave(args.store, args.wave)  # before any output is written
    settings = dict(min_confidence=args.min_confidence, min_answered=args.min_answered)
    totals = Totals(args.min_confidence)
    with AtomicFiles() as files:  # -o appears, whole, only when the whole file was scored (and stored)
        writer = AssessmentWriter(files.open(args.output, "wb") if args.output else out, args.output or "stdout.csv", args.lang,
                                  excel=args.excel)

        def scored() -> Iterator[Any]:  # batch by batch: memory bounded by --batch-size, not by the file
            for rs in batches(args, q, err, "scoring"):
                result = assess(q, rs, model, **settings)
                writer.write(result)
                totals.add(result)
                yield result

        if is_vote_instrument(q):  # votes are read whole
            result = assess(q, _read(args, q), model, **settings)
            writer.write(result)
            totals.add(result)
            stream: Iterator[Any] = iter([result])
        else:
            stream = scored()
        if args.store:  # each batch stored as it is scored, the wave in one transaction
            from ..store import AssessmentStore

            with AssessmentStore(args.store, pseudonymize_key=key) as store:
                n = store.add_batches(stream, wave=args.wave, replace=args.replace)
        else:
            for _ in stream:
                pass
        writer.close()  # a workbook is written once every batch is in
    if not args.quiet:
        print(totals.summary(args.output), file=err)
        if args.store:
            print(f"stored {n:,} respondents as wave {args.wave!r} in {args.store}", file=err)
    return EXIT_OK


def _cmd_calibrate(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from ..model import calibrate, fit_report

    if args.classes is not None:  # latent classes for research (cli/_classes.py)
        check_classes_options(args)
        q = load_questionnaire(args.questionnaire)
        return run_classes(args, q, _read(args, q), out, err)
    if not args.output:
        raise UsageError("-o MODEL.json is needed: where to save the model (JSON); or give --classes K for latent "
                         "classes for research")
    if not args.output.lower().endswith(".json"):
        raise UsageError(f"-o must end in .json (a model is saved as JSON), got {args.output!r}")
    prior = None
    if args.prior:
        try:
            prior = [float(v) for v in args.prior.split(",")]
        except ValueError:
            raise UsageError(f"--prior must be five numbers separated by commas, got {args.prior!r}") from None
    if args.method in ("logistic", "ordinal") and not args.labels:
        raise UsageError(f"--method {args.method} needs --labels COLUMN")
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
        from ..decisions import level_decisions_by_group
        from ..quality import dif

        tables["dif"] = [{**r, "note": cli_hints(r["note"])} if isinstance(r.get("note"), str) else r
                         for r in dif(q, rs, args.group).to_records()]
        if q.default_model is not None:
            tables["level_decisions"] = level_decisions_by_group(q, rs, args.group).to_records()
    return tables


def _cmd_quality(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    q = load_questionnaire(args.questionnaire)
    for name in ("unit", "wave"):  # --group names the unit (or wave) column itself, or says "unit"
        if args.group and args.group == getattr(args, f"{name}_column"):
            args.group = name
    if args.group and args.group not in ("unit", "wave") and args.group not in args.group_column:
        args.group_column = [*args.group_column, args.group]
    _check_output(args.output)
    rs = _read(args, q)
    if args.group in ("unit", "wave") and getattr(rs, args.group) is None:
        raise UsageError(f"--group {args.group} needs the {args.group} column: the file has no column {args.group!r}; "
                         f"name it with --{args.group}-column COLUMN")
    tables = _quality_tables(args, q, rs)
    print(f"{q.id} {q.version}: {len(rs):,} respondents; missing answers handled {args.nan_policy}", file=out)
    print_records("Reliability", tables["reliability"],
                  ("scale", "n_respondents", "n_items", "alpha", "alpha_ci_lower", "alpha_ci_upper", "standardized_alpha",
                   "omega_total", "lambda6", "split_half", "mean_r", "sem", "note"), out)
    print_records("Items", tables["items"], ("item", "scale", "answered_share", "mean", "sd", "r_drop", "r_total", "alpha_if_dropped"), out)
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
        print_records(f"Differential item functioning across {args.group!r}", tables["dif"], cols, out)
    if "level_decisions" in tables:
        print_records(f"Level decisions by {args.group!r}", tables["level_decisions"], tuple(tables["level_decisions"][0]), out)
    if args.output:
        with AtomicFiles() as files:  # every table file, whole, or none
            if args.output.lower().endswith(".json"):
                json.dump({"questionnaire": {"id": q.id, "version": q.version}, "nan_policy": args.nan_policy, **tables},
                          files.open(args.output), ensure_ascii=False, indent=1, allow_nan=False)
                written = [args.output]
            elif args.output.lower().endswith(".xlsx"):  # a sheet per table
                files.open(args.output, "wb").write(workbook_bytes(tables))
                written = [args.output]
            else:
                stem = args.output[:-4]
                written = []
                for name, records in tables.items():
                    path = f"{stem}-{name}.csv"
                    write_records_csv(records, files.open(path, newline=""), excel=args.excel)
                    written.append(path)
        print(f"wrote {', '.join(written)}", file=err)
    return EXIT_OK


def _open_store(path: str) -> Any:
    """The store at ``path``, which must exist (reading commands do not create one)."""
    from ..store import AssessmentStore

    if not os.path.isfile(path):
        raise UsageError(f"no store at {path!r}; create one with: akhlak-levels score FILE -q ID --store {path} --wave 2025")
    return AssessmentStore(path)


def _check_output(path: str | None) -> None:
    """Refuse an output file that is neither ``.csv`` nor ``.json``."""
    if path and os.path.splitext(path)[1].lower() not in (".csv", ".json", ".xlsx"):
        raise UsageError(f"-o must end in .csv, .json or .xlsx, got {path!r}")


def _cmd_growth(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from ..growth import progress

    _check_output(args.output)
    with _open_store(args.store) as store:
        waves = {w: store.load(w) for w in store.waves()}
    if not waves:
        raise UsageError(f"the store {args.store} holds no waves yet")
    table = progress(waves, args.by, min_group_size=args.min_group_size)
    records = table.to_records()
    has_levels = all(a.has_levels for a in waves.values())
    q = _stored_questionnaire(next(iter(waves.values())).questionnaire_id)
    lang = getattr(args, "lang", None) or "id"
    title = f"Progress over waves {list(waves)}" + (f" by {args.by}" if args.by else "")
    if has_levels:
        cols = [c for c in ("wave", "group", "n", "suppressed", "mean_expected_level", "expected_level_ci_lower",
                            "expected_level_ci_upper", "share_level_4_5", "index", "index_category",
                            "change_expected_level", "change_expected_level_p", "rank_expected_level")
                if records and c in records[0]]
        print_records(title, records, cols, out, limit=200)
    if table.index_mean is not None:
        _print_index_table(title if not has_levels else "Index and values", table, q, lang, out)
    print(f"groups under {args.min_group_size} respondents are suppressed (shown, without statistics)", file=out)
    figures = _growth_figures(table, waves, q, lang, has_levels, err) if args.plot else None
    _write_outputs(records, args.output, args.plot, figures, err, excel=args.excel)
    return EXIT_OK


def _stored_questionnaire(qid: str) -> Questionnaire | None:
    """The questionnaire stored waves were scored on, when it can be loaded (names and bands)."""
    from ..errors import QuestionnaireError

    try:
        return load_questionnaire(qid)
    except (QuestionnaireError, OSError):
        return None


def _value_abbreviations(q: Questionnaire | None, scale_ids: tuple[str, ...]) -> list[str]:
    """A short column header per value: its indicators' common code (BerAKHLAK: BP, AK, ...),
    else the scale id."""
    out = []
    for sid in scale_ids:
        codes = set()
        if q is not None and any(s.id == sid for s in q.scales):
            codes = {ind.rstrip("0123456789") for ind, _ in q.scale(sid).indicators}
        out.append(codes.pop() if len(codes) == 1 and "" not in codes else sid)
    return out


def _print_index_table(title: str, table: Any, q: Questionnaire | None, lang: str, out: TextIO) -> None:
    """The index with its interval and category label, each value's mean, the change of the
    index and the rank, rounded (``-`` where suppressed)."""
    assert table.index_mean is not None and table.index_category is not None
    labels = {c.code: f"{c.code} {c.label.get(lang, '')}".strip() for c in q.index.categories} if q and q.index else {}
    heads = _value_abbreviations(q, table.scale_ids)
    pct = f"{100 * table.confidence:g}%"

    def num(v: float, fmt: str = "{:.1f}") -> str:
        return fmt.format(v) if np.isfinite(v) else "-"

    rows = [("wave", "group", "n", "suppressed", "index", "interval", "category", *heads,
             "change", "change_p", "rank")]
    for r in range(min(len(table), 200)):
        lo, hi = table.index_ci_lower[r], table.index_ci_upper[r]
        cat = str(table.index_category[r])
        change = table.change_index[r] if table.change_index is not None else np.nan
        p = table.change_index_p[r] if table.change_index_p is not None else np.nan
        rank = table.rank_index[r] if table.rank_index is not None else np.nan
        rows.append((str(table.wave[r]), str(table.group[r]), str(int(table.n[r])), str(bool(table.suppressed[r])),
                     num(table.index_mean[r]), f"{lo:.1f}-{hi:.1f}" if np.isfinite(lo) and np.isfinite(hi) else "-",
                     labels.get(cat, cat) or "-", *(num(v) for v in table.scale_means[r]),
                     num(change, "{:+.1f}"), num(p, "{:.3f}"), num(rank, "{:.0f}")))
    print(f"\n{title} (index with its {pct} interval, values' means)", file=out)
    print_table(rows, out)
    if len(table) > 200:
        print(f"  ... {len(table) - 200} more rows (write them with -o)", file=out)
    if q is not None:
        names = [f"{h} = {q.scale(s).name.get(lang, s)}" for h, s in zip(heads, table.scale_ids)
                 if h != s and any(sc.id == s for sc in q.scales)]
        if names:
            print("values: " + ", ".join(names), file=out)


def _growth_figures(table: Any, waves: dict[str, Any], q: Questionnaire | None, lang: str, has_levels: bool,
                    err: TextIO) -> Any:
    """``(file name, figure)`` of ``growth --plot``, drawn one at a time: the level charts of an
    instrument with a level model; the value profiles (everyone, then each shown group of the last
    wave), the index trend and the units x values heatmap of one with an index."""
    from .. import plots

    if has_levels:
        yield "levels.png", plots.level_distribution_figure(table)
        yield "trajectories.png", plots.trajectory_figure(waves)
    else:
        qid = next(iter(waves.values())).questionnaire_id
        print(f"note: no level model for {qid!r}: no level or trajectory charts (nothing to draw)", file=err)
    if table.index_mean is None:
        return
    if q is None or q.index is None:
        print("note: the questionnaire's index bands are unknown: no index charts", file=err)
        return
    last = table.waves[-1]
    yield "value-profile.png", plots.value_profile_figure(table, assessments=waves, questionnaire=q, lang=lang)
    yield "index-trend.png", plots.index_trend_figure(table, questionnaire=q, lang=lang)
    if table.by is None:
        return
    yield "unit-values.png", plots.unit_value_heatmap(table, questionnaire=q, lang=lang)
    rows = np.flatnonzero((table.wave == last) & (table.group != "(all)") & ~table.suppressed)
    for k, r in enumerate(rows, 1):
        group = str(table.group[r])
        slug = re.sub(r"[^0-9A-Za-z]+", "-", group).strip("-")[:40] or "group"
        yield (f"value-profile-{k:03d}-{slug}.png",
               plots.value_profile_figure(table, group=group, assessments=waves, questionnaire=q, lang=lang))


def _cmd_transitions(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from ..growth import transitions

    _check_output(args.output)
    with _open_store(args.store) as store:
        for w in (args.wave_from, args.wave_to):
            if w not in store:
                raise UsageError(f"the store has no wave {w!r}; it has {store.waves()}")
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
        print(f"note: {cli_hints(note)}", file=out)
    figures = None
    if args.plot:
        from ..plots import transition_figure

        figures = [(f"transitions-{kind}.png", transition_figure(t, kind=kind)) for kind in ("corrected", "proportions")]
    _write_outputs(t.to_records(), args.output, args.plot, figures, err, excel=args.excel)
    return EXIT_OK


def _write_outputs(records: list[dict[str, Any]], output: str | None, plot_dir: str | None, figures: Any, err: TextIO,
                   *, excel: bool = False) -> None:
    """The table (``-o``) and the figures (``--plot DIR``) of a command: they appear together,
    whole, or not at all."""
    written = []
    with AtomicFiles() as files:
        if output:
            write_records(records, output, files, excel=excel)
            written.append(output)
        if plot_dir and figures:
            os.makedirs(plot_dir, exist_ok=True)
            for name, fig in figures:
                path = os.path.join(plot_dir, name)
                fig.savefig(files.open(path, "wb"), format="png", dpi=120)
                written.append(path)
    if written:
        print(f"wrote {', '.join(written)}", file=err)


def _cmd_demo(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    if args.n < 1:
        raise UsageError(f"-n must be a positive integer, got {args.n}")
    q = load_questionnaire(args.questionnaire)
    if q.default_model is None:
        raise UsageError(f"questionnaire {q.id!r} has no level model to simulate from")
    rs, truth = simulate(q, args.n, random_state=args.seed)
    if args.output:
        return _write_simulated(args, q, rs, truth, err)
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
    print_table(rows, out)
    print(
        "\nThe levels are probabilities, not verdicts. This model is a theory prior; calibrate on your own data "
        "(see docs/methodology.md). Score a file with: akhlak-levels score FILE --questionnaire " + q.id,
        file=out,
    )
    return EXIT_OK


def _write_simulated(args: argparse.Namespace, q: Questionnaire, rs: Any, truth: np.ndarray, err: TextIO) -> int:
    """``demo -o OUT.csv``: the simulated answers as an export (``respondent_id``, ``true_level``,
    one column per item id holding the option number from 1), to try ``calibrate`` or ``score`` on."""
    from ._output import write_csv

    if not args.output.lower().endswith(".csv"):
        raise UsageError(f"-o must end in .csv, got {args.output!r}")
    columns = [list(map(str, rs.respondent_ids)), np.asarray(truth).tolist()]
    columns += [[None if c < 0 else c + 1 for c in col] for col in rs.codes.T.tolist()]
    with AtomicFiles() as files:
        write_csv(files.open(args.output, newline=""), ["respondent_id", "true_level", *q.item_ids], columns)
    print(f"wrote {args.n:,} simulated respondents of {q.id} (seed {args.seed}) to {args.output}; "
          "true_level is the level each was drawn from", file=err)
    return EXIT_OK


#: Each subcommand's function, by the name typed on the command line.
COMMANDS: dict[str, Callable[[argparse.Namespace, TextIO, TextIO], int]] = {
    "list": _cmd_list,
    "show": _cmd_show,
    "validate": _cmd_validate,
    "score": _cmd_score,
    "demo": _cmd_demo,
    "calibrate": _cmd_calibrate,
    "quality": _cmd_quality,
    "growth": _cmd_growth,
    "transitions": _cmd_transitions,
    "culture-map": cmd_culture_map,
    "culture-trend": cmd_culture_trend,
    "report": cmd_report,
}
