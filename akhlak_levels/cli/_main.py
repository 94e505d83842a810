"""The ``akhlak-levels`` command: its parser and its entry point.

Exit codes: 0 success, 2 usage error, 3 invalid input (the problem list on stderr).
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any, Sequence, TextIO

from .._version import __version__
from ..errors import AkhlakLevelsError
from ._commands import COMMANDS, EXIT_INVALID, EXIT_OK, EXIT_USAGE, UsageError
from ._serve import add_serve_parser, cmd_serve
from ._help import document
from ._hints import cli_hints
from ._input_options import add_input_options, add_output_options, add_source_format
from ._forms import add_export_form
from ._stream import DEFAULT_BATCH
from ._usage import positive_int


#: Help of the ``FILE`` of the commands that read an export.
FILE_HELP = "the export to read: .csv (any delimiter, with or without BOM), .xlsx, .json, .jsonl or .parquet"

#: Help of ``FILE`` of ``culture-map``.
VOTES_FILE_HELP = "the vote export to read: .csv, .xlsx, .json, .jsonl or .parquet (Google Forms, Microsoft Forms, ODK/KoBo, ...)"

#: Help of ``-q/--questionnaire``.
QUESTIONNAIRE_HELP = ("a bundled questionnaire id (see: akhlak-levels list), or an instrument file: the library's "
                      "questionnaire .json, a FHIR Questionnaire .json or an XLSForm .xlsx (docs/forms.md)")


def _batch_size(p: argparse.ArgumentParser) -> None:
    p.add_argument("--batch-size", type=positive_int, default=DEFAULT_BATCH, metavar="N",
                   help=f"respondents read and scored at a time; memory grows with it (default {DEFAULT_BATCH:,})")


def _delimiter(text: str) -> str:
    """A ``--delimiter``: one character (``tab`` or ``\\t`` for a tab)."""
    value = "\t" if text in ("tab", "\\t") else text
    if len(value) != 1:
        raise argparse.ArgumentTypeError(f"expected one character (or 'tab'), got {text!r}")
    return value


def _share(text: str) -> float:
    """A number from 0 to 1 (``--min-confidence``, ``--min-answered``)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number from 0 to 1, got {text!r}") from None
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"expected a number from 0 to 1, got {text}")
    return value


def _table_output(text: str) -> str:
    """An ``-o`` of tables: ``.json`` (one document), ``.xlsx`` (a workbook) or ``.csv`` (one
    CSV per table)."""
    if os.path.splitext(text)[1].lower() not in (".csv", ".json", ".xlsx"):
        raise argparse.ArgumentTypeError(f"must end in .csv, .json or .xlsx, got {text!r}")
    return text


def _reading_options(p: argparse.ArgumentParser, votes: bool = False) -> None:
    """The options of :func:`~akhlak_levels.read_responses`, for the commands that read a file
    (with ``votes``: those :func:`~akhlak_levels.read_votes` takes, no dates or missing items)."""
    g = p.add_argument_group("reading the votes" if votes else "reading the responses")
    g.add_argument("--id-column", help="column of respondent ids (default: respondent_id if present, else numbered)")
    g.add_argument("--unit-column", help="column of organisational units (default: unit if present)")
    g.add_argument("--wave-column", help="column of survey waves (default: wave if present)")
    if not votes:
        g.add_argument("--date-column", help="column of dates (default: date if present)")
    g.add_argument("--group-column", action="append", default=[], metavar="COLUMN", help="a grouping column to carry along (repeatable)")
    g.add_argument("--ignore-column", action="append", default=[], metavar="COLUMN", help="a column to set aside, e.g. a name or NIP (repeatable)")
    g.add_argument("--ignore-unknown-columns", action="store_true", help="set aside every column that is not an item")
    if not votes:
        g.add_argument("--allow-missing-items", action="store_true", help="score a partial questionnaire: items without a column are unanswered")
    g.add_argument("--on-invalid", choices=("raise", "missing"), default="raise", help="unreadable answers: fail (default) or set missing and flag the respondent")
    g.add_argument("--delimiter", type=_delimiter, help="CSV delimiter, one character or 'tab' (default: detected from the header)")
    g.add_argument("--sheet", help="XLSX sheet name (default: the first); only for .xlsx files")
    add_source_format(g)  # --source-format TOOL (cli/_input_options.py)
    if not votes:
        add_input_options(p, g)  # --labels MAP.json, --dayfirst/--monthfirst (cli/_input_options.py)



def _calibrate_command(sub: Any) -> None:
    """The ``calibrate`` command: a level model, or with ``--classes`` latent classes for research."""
    p = sub.add_parser("calibrate", help="fit the level model's weights on your own responses")
    p.add_argument("file", metavar="FILE", help=FILE_HELP)
    p.add_argument("-q", "--questionnaire", required=True, metavar="ID", help=QUESTIONNAIRE_HELP)
    p.add_argument("-o", "--output", metavar="OUT",
                   help="where to save the model (MODEL.json, needed); with --classes, where to write the classes: "
                        "OUT.json (LatentClasses.to_dict) or OUT.csv (the table); default: printed only")
    p.add_argument("--labels", metavar="COLUMN", help="column of expert/interview levels 1-5 (for logistic or ordinal)")
    p.add_argument("--classes", type=positive_int, metavar="K",
                   help="fit K latent classes for research instead of the level model: not named as levels, they "
                        "score no one; prints the fit report (AIC, BIC, entropy), class sizes and answer "
                        "probabilities; no item keys needed (default: none, the five levels)")
    p.add_argument("--method", choices=("latent-class", "logistic", "ordinal"), help="latent-class, logistic or ordinal (default: latent-class, or logistic with --labels)")
    p.add_argument("--seed", type=int, default=None, help="random seed, for a reproducible fit (default: none, a fresh fit each run)")
    p.add_argument("--n-init", type=int, default=5, help="latent class: random starts (default 5)")
    p.add_argument("--prior", metavar="P1,P2,P3,P4,P5", help="level probabilities of the people the model will score, five numbers summing to 1 "
                        "(default: the estimated class sizes or training base rates; not for ordinal)")
    p.add_argument("--quiet", action="store_true", help="no progress on stderr")
    _reading_options(p)


def _culture_commands(sub: Any) -> None:
    """The commands of the vote instrument: ``culture-map`` and ``culture-trend``."""
    p = sub.add_parser("culture-map", help="the culture map of a vote export: top tens, entropy, value and health indices")
    p.add_argument("file", metavar="FILE", help=VOTES_FILE_HELP)
    p.add_argument("-q", "--questionnaire", required=True, metavar="ID", help="a vote instrument, e.g. berakhlak-culture-map")
    p.add_argument("--by", metavar="COLUMN", help="a map per group of this column (unit, wave or another column)")
    p.add_argument("--min-group-size", type=positive_int, default=5, help="smaller groups are suppressed (default 5)")
    p.add_argument("--index", choices=("reach", "votes"), default=None,
                   help="definition of the value index (default: the questionnaire's, reach for the bundled one)")
    p.add_argument("--rank-by", default="implementation", metavar="STATISTIC",
                   help="rank the groups by implementation (default), total_health, positive_energy or a value id")
    p.add_argument("--seed", type=int, default=0, help="random seed of the rank intervals (default 0: the same output every run)")
    p.add_argument("--plot", metavar="DIR", help="save the level profile and value jumps of everyone and each shown group (PNG) in DIR")
    p.add_argument("--lang", choices=("id", "en"), default="id", help="language of behaviour labels (default id)")
    p.add_argument("-o", "--output", type=_table_output, metavar="OUT",
                   help="write the tables: OUT.json (one document), OUT.xlsx (a sheet per table) or OUT.csv (one CSV "
                        "per table, OUT-<table>.csv)")
    add_output_options(p)
    p.add_argument("--quiet", action="store_true", help="no timing line on stderr")
    p.add_argument("--store", metavar="STORE.sqlite",
                   help="also keep the votes as a vote wave of this SQLite store (created if missing), as --wave")
    p.add_argument("--wave", help="the survey wave (e.g. 2025) the votes are stored as; needed with --store")
    p.add_argument("--replace", action="store_true", help="replace the vote wave if the store already holds it")
    p.add_argument("--pseudonymize-key-env", metavar="VAR",
                   help="pseudonymise respondent ids in the store with the secret in this environment variable")
    _reading_options(p, votes=True)

    p = sub.add_parser("culture-trend", help="the culture map's indices across the vote waves of a store, with changes")
    p.add_argument("--store", required=True, metavar="STORE.sqlite", help="the store holding the vote waves (culture-map --store)")
    p.add_argument("-q", "--questionnaire", required=True, metavar="ID", help="the vote instrument of the stored waves")
    p.add_argument("--by", metavar="COLUMN", help="a trend per group: unit or a stored group column")
    p.add_argument("--waves", nargs="+", metavar="WAVE", help="the vote waves to compare, in this order (default: all, as stored)")
    p.add_argument("--min-group-size", type=positive_int, default=5, help="smaller groups are suppressed (default 5)")
    p.add_argument("--index", choices=("reach", "votes"), default=None,
                   help="definition of the value index (default: the questionnaire's)")
    p.add_argument("-o", "--output", type=_table_output, metavar="OUT",
                   help="write the trend table as OUT.csv, OUT.json or OUT.xlsx")
    add_output_options(p)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``akhlak-levels``: one subparser per command of ``COMMANDS``."""
    parser = argparse.ArgumentParser(
        prog="akhlak-levels",
        description="Score BerAKHLAK culture questionnaires into five socio-emotional levels.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    sub.add_parser("list", help="list the bundled questionnaires")

    p = sub.add_parser("show", help="show a questionnaire's scales and items")
    p.add_argument("questionnaire", metavar="ID", help="a bundled id or a questionnaire .json file")
    p.add_argument("--lang", choices=("id", "en"), default="id", help="language of titles, items and options: id (default) or en")

    p = sub.add_parser("validate", help="check a responses file against a questionnaire")
    p.add_argument("file", metavar="FILE", help=FILE_HELP)
    p.add_argument("-q", "--questionnaire", required=True, metavar="ID", help=QUESTIONNAIRE_HELP)
    p.add_argument("--quiet", action="store_true", help="no progress bar on stderr")
    _batch_size(p)
    _reading_options(p)

    p = sub.add_parser("score", help="score a responses file into levels and scale scores")
    p.add_argument("file", metavar="FILE", help=FILE_HELP + "; or a vote export, for a vote instrument")
    p.add_argument("-q", "--questionnaire", required=True, metavar="ID", help=QUESTIONNAIRE_HELP)
    p.add_argument("--model", metavar="M.json", help="a calibrated level model (default: the questionnaire's theory prior)")
    p.add_argument("-o", "--output", metavar="OUT", help="write .csv, .jsonl or .xlsx (default: CSV on standard output)")
    add_output_options(p)
    p.add_argument("--lang", choices=("id", "en"), default="en", help="language of the level labels: en (default) or id")
    p.add_argument("--min-confidence", type=_share, default=0.5, help="level 0 where the top probability is below this (default 0.5)")
    p.add_argument("--min-answered", type=_share, default=0.5, help="share of a scale's items needed to score it (default 0.5)")
    p.add_argument("--quiet", action="store_true", help="no progress or summary on stderr")
    _batch_size(p)
    p.add_argument("--store", metavar="STORE.sqlite",
                   help="also add the results to this SQLite assessment store (created if missing), as --wave")
    p.add_argument("--wave", help="the wave (e.g. 2025) the results are stored as; needed with --store")
    p.add_argument("--replace", action="store_true", help="replace the wave if the store already holds it")
    p.add_argument("--pseudonymize-key-env", metavar="VAR",
                   help="pseudonymise respondent ids in the store with the secret in this environment variable")
    _reading_options(p)

    p = sub.add_parser("growth", help="progress of units over the waves in a store")
    p.add_argument("--store", required=True, metavar="STORE.sqlite", help="the assessment store (score --store) to read")
    p.add_argument("--by", metavar="COLUMN", help="group by unit (or another stored group)")
    p.add_argument("--min-group-size", type=int, default=5, help="smaller groups are suppressed (default 5)")
    p.add_argument("-o", "--output", metavar="OUT", help="write the table as OUT.csv, OUT.json or OUT.xlsx")
    add_output_options(p)
    p.add_argument("--plot", metavar="DIR",
                   help="save figures (PNG) in DIR: level distributions and trajectories, or for an instrument "
                        "without levels (berakhlak) the value profiles, the index trend and the units x values map")
    p.add_argument("--lang", choices=("id", "en"), default="id", help="language of the figures' labels (default id)")

    p = sub.add_parser("transitions", help="level moves between two waves in a store")
    p.add_argument("--store", required=True, metavar="STORE.sqlite", help="the assessment store (score --store) to read")
    p.add_argument("--from", dest="wave_from", required=True, metavar="WAVE", help="the earlier wave, as stored (e.g. 2024)")
    p.add_argument("--to", dest="wave_to", required=True, metavar="WAVE", help="the later wave, as stored (e.g. 2025)")
    p.add_argument("-o", "--output", metavar="OUT", help="write the 25 cells as .csv, .json or .xlsx")
    add_output_options(p)
    p.add_argument("--plot", metavar="DIR", help="save the transition heatmaps (PNG) in DIR")

    _calibrate_command(sub)

    p = sub.add_parser("quality", help="reliability, item analysis, careless responding and fairness tables")
    p.add_argument("file", metavar="FILE", help=FILE_HELP)
    p.add_argument("-q", "--questionnaire", required=True, metavar="ID", help=QUESTIONNAIRE_HELP)
    p.add_argument("--group", metavar="COLUMN",
                   help="a grouping column for fairness (DIF and level decisions by group): unit, wave, the "
                        "--unit-column name or another column of the file (default: no fairness tables)")
    p.add_argument("--nan-policy", choices=("pairwise", "listwise", "median"), default="pairwise",
                   help="missing answers in reliability: pairwise (default, as psych::alpha), listwise, or median-imputed "
                        "(psych::scoreItems)")
    p.add_argument("-o", "--output", metavar="OUT", help="write the tables: OUT.json (one document), OUT.xlsx (a sheet per table) or OUT.csv (one CSV per table, OUT-<table>.csv)")
    add_output_options(p)
    _reading_options(p)

    _culture_commands(sub)
    add_serve_parser(sub)
    add_export_form(sub, QUESTIONNAIRE_HELP)

    p = sub.add_parser("report", help="write an HTML report people read: the agency report or personal reports")
    p.add_argument("file", nargs="?", metavar="FILE", help="an export (responses or votes); or use --store")
    p.add_argument("--store", metavar="STORE.sqlite", help="make the report from the waves (or vote waves) of this store")
    p.add_argument("-q", "--questionnaire", required=True, metavar="ID", help=QUESTIONNAIRE_HELP)
    p.add_argument("--kind", choices=("agency", "personal"), default="agency",
                   help="agency: one report of the units (default); personal: a page per respondent of the last wave")
    p.add_argument("--by", default="unit", metavar="COLUMN", help="group by unit (default) or another group column; none for totals")
    p.add_argument("--waves", nargs="+", metavar="WAVE", help="the waves to use, in this order (default: all)")
    p.add_argument("--lang", choices=("id", "en"), default="id", help="language of the report (default id)")
    p.add_argument("--min-group-size", type=positive_int, default=5, help="smaller groups are suppressed (default 5)")
    p.add_argument("--seed", type=int, default=0, help="random seed of the rank intervals (default 0: the same report every run)")
    p.add_argument("-o", "--output", required=True, metavar="OUT",
                   help="report.html, or report.xlsx for the tables as a workbook; for --kind personal also a folder "
                        "(a file per respondent)")
    _reading_options(p)

    p = sub.add_parser("demo", help="simulate a small sample and score it")
    p.add_argument("-q", "--questionnaire", default="socio-emotional-levels", metavar="ID",
                   help="a questionnaire with a level model (default socio-emotional-levels)")
    p.add_argument("-n", type=int, default=8, help="respondents (default 8)")
    p.add_argument("--seed", type=int, default=2024, help="random seed of the simulation (default 2024)")
    p.add_argument("-o", "--output", metavar="OUT.csv",
                   help="write the simulated answers (with each one's true_level) as a CSV export instead of scoring them")
    document(sub)  # descriptions and examples (cli/_help.py)
    return parser


# --------------------------------------------------------------------------- entry point


def _check_common(args: argparse.Namespace) -> None:
    """Options that cannot apply to the file given, refused before any work (exit 2)."""
    sheet, path = getattr(args, "sheet", None), getattr(args, "file", None)
    if sheet is not None and path and not str(path).lower().endswith((".xlsx", ".xlsm")):
        raise UsageError(f"--sheet applies to .xlsx files; {path} is not one")


def main(argv: Sequence[str] | None = None, *, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    """Run the command; returns the exit code."""
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse: 0 for --help/--version, 2 for usage
        return int(exc.code or 0)
    command = cmd_serve if args.command == "serve" else getattr(args, "run", None) or COMMANDS.get(args.command)
    if command is None:  # pragma: no cover
        parser.error(f"unknown command {args.command!r}")
        return EXIT_USAGE
    try:
        _check_common(args)
        return command(args, out, err)
    except UsageError as exc:
        print(f"akhlak-levels {args.command}: error: {cli_hints(str(exc))}", file=err)
        return EXIT_USAGE
    except ImportError as exc:
        print(f"akhlak-levels {args.command}: error: {exc}", file=err)
        return EXIT_USAGE
    except (AkhlakLevelsError, ValueError) as exc:  # the library's hints in the words of the command line
        print(f"akhlak-levels {args.command}: invalid input: {cli_hints(str(exc))}", file=err)
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


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
