"""``akhlak-levels calibrate FILE -q ID --classes K``: K latent classes for research.

``calibrate(..., n_classes=K)`` fits K latent classes named by size, not matched to the five
levels (:class:`~akhlak_levels.model.LatentClasses`): they cannot be saved as a level model or
score anyone. The command prints the fit report (log-likelihood, AIC, BIC and entropy at the
maximum likelihood, then at the smoothed estimates), the class sizes and each class's answer
probabilities per item and option; ``-o OUT.json`` writes ``LatentClasses.to_dict()``,
``-o OUT.csv`` the table. What would make the classes look like a level model is refused with
exit 2: ``--labels``, a supervised ``--method``, ``--prior``, an ``-o`` named as a model.
"""

from __future__ import annotations

import argparse
import json
import os
import re
from typing import Any, TextIO

from .._export import AtomicFiles
from ..questionnaire import Questionnaire
from ._output import print_table, write_records_csv
from ._usage import UsageError

#: Why latent classes are not a model, as every refusal says it.
NOT_A_MODEL = ("--classes fits latent classes for research, not a level model: they are not named as the five "
               "levels, so they cannot be saved as a model or score anyone")

#: The first row of the table: the class sizes.
SIZE_ROW = "(class size)"


def check_classes_options(args: argparse.Namespace) -> None:
    """Refuse (exit 2, naming why) the options of a level model given with ``--classes``."""
    if args.labels:
        raise UsageError(f"{NOT_A_MODEL}; leave out --labels (expert levels train a level model: --labels COLUMN "
                         "without --classes)")
    if args.method in ("logistic", "ordinal"):
        raise UsageError(f"{NOT_A_MODEL}; --method {args.method} learns the five labelled levels: leave out --classes "
                         "or --method")
    if args.prior:
        raise UsageError(f"{NOT_A_MODEL}; --prior sets the probabilities of the five levels: leave it out (the "
                         "classes' sizes are estimated)")
    out = args.output
    if out is None:
        return
    stem, ext = os.path.splitext(os.path.basename(out))
    if ext.lower() not in (".json", ".csv"):
        raise UsageError(f"-o with --classes must end in .json (the classes) or .csv (the table), got {out!r}")
    if re.search(r"(^|[^a-z])model([^a-z]|$)", stem.lower()):
        raise UsageError(f"{NOT_A_MODEL}; -o {out} names a model: write the classes as -o classes.json "
                         "(LatentClasses.to_dict) or the table as -o classes.csv")


def _option_label(q: Questionnaire, item_id: str, option: int) -> str:
    """The English (else first) label of option ``option`` (from 0) of item ``item_id``."""
    try:
        labels = q.item(item_id).options[option]
    except (KeyError, IndexError, ValueError):
        return ""
    return str(labels.get("en") or next(iter(labels.values()), ""))


def class_table(classes: Any, q: Questionnaire) -> list[dict[str, Any]]:
    """The class sizes, then one row per item and option: ``P(answer | class)`` of each class,
    both at the maximum likelihood (records: ``item``, ``option`` from 1, ``label``, one column
    per class name). ``q`` is the questionnaire whose items the classes have (for a vote
    instrument, its indicator view: option 1 not picked, 2 picked)."""
    names = classes.class_names
    rows = [{"item": SIZE_ROW, "option": None, "label": "", **dict(zip(names, classes.class_weights.tolist()))}]
    for iid, probs in zip(classes.item_ids, classes.item_probabilities):
        for c, row in enumerate(probs.tolist()):
            rows.append({"item": iid, "option": c + 1, "label": _option_label(q, iid, c), **dict(zip(names, row))})
    return rows


def _items_of(classes: Any, q: Questionnaire) -> Questionnaire:
    """The questionnaire whose items the classes have: ``q``, or its indicator view for votes."""
    from ..model import is_vote_instrument, view_for_items

    return view_for_items(q, classes.item_ids) if is_vote_instrument(q) else q


def run_classes(args: argparse.Namespace, q: Questionnaire, responses: Any, out: TextIO, err: TextIO) -> int:
    """Fit ``args.classes`` latent classes on ``responses``, print the report and the table, write
    ``-o``; returns the exit code (0)."""
    import warnings

    from ..model import CalibrationWarning, calibrate, fit_report

    def progress(message: str) -> None:
        if not args.quiet:
            print(message, file=err, flush=True)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CalibrationWarning)  # they are printed in the report
        classes = calibrate(q, responses, n_classes=args.classes, n_init=args.n_init, random_state=args.seed,
                            progress=progress)
    table = class_table(classes, _items_of(classes, q))
    print(fit_report(classes), file=out)
    print("\nanswer probabilities per item and option at the maximum likelihood (class sizes first):", file=out)
    head = ["item", "option", *classes.class_names, "label"]  # the label last, cut short: it may be a sentence
    print_table([head] + [[_cell(r[h]) for h in head[:-1]] + [_short(r["label"])] for r in table], out)
    if args.output:
        with AtomicFiles() as files:
            if args.output.lower().endswith(".json"):
                json.dump(classes.to_dict(), files.open(args.output), ensure_ascii=False, indent=1, allow_nan=False)
            else:
                write_records_csv(table, files.open(args.output, newline=""))
        print(f"wrote {args.output} (latent classes for research: not a model, it scores no one)", file=out)
    return 0


def _short(text: str, width: int = 40) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."


def _cell(v: Any) -> str:
    if v is None:
        return "-"
    return f"{v:.3f}" if isinstance(v, float) else str(v)
