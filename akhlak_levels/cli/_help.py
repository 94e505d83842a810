"""What each subcommand of ``akhlak-levels`` says about itself in ``--help``: a description (what
it does, what it reads and writes) and an epilog of examples on the bundled example exports.

The examples of a command are run in order by ``tests/cli/test_cli_help.py`` from a folder
holding ``questionnaires/`` (as a clone does); an example that reads a store finds ``hr.sqlite`` (the Google Forms example of
``socio-emotional-levels`` as waves 2024 and 2025) and ``culture.sqlite`` (the vote example as vote
waves 2024 and 2025) there, as after two survey rounds.
"""

from __future__ import annotations

import argparse
import textwrap
from typing import Any

#: The bundled example exports the examples read.
SE = "questionnaires/examples/socio-emotional-levels-google-forms.csv"
BK = "questionnaires/examples/berakhlak-excel-id.csv"
VOTES = "questionnaires/examples/berakhlak-culture-map-google-forms.csv"

#: One or two sentences per command: what it does, what it reads and what it writes.
DESCRIPTIONS: dict[str, str] = {
    "list": "List the bundled questionnaires: id, version, items, scales, whether a level model comes "
            "with it, vote questions, title. Reads nothing, writes the table on standard output.",
    "show": "Show a questionnaire: its scales (with their behaviour indicators), the index and its "
            "category bands, the vote questions and behaviours, and every item with its options. "
            "Reads a bundled id or a questionnaire .json file; writes on standard output.",
    "validate": "Read an export exactly as score would and report what was found (respondents, missing "
                "answers, columns set aside, flagged respondents), or every problem that stops it "
                "(exit 3). Reads FILE; writes the report on standard output, nothing else.",
    "score": "Score an export into level probabilities, a level, the expected level and 0-100 scale "
             "scores (for berakhlak: the value scores, the index and its category), one row per "
             "respondent. Reads FILE in batches of --batch-size; writes CSV on standard output or "
             "-o OUT.csv/.jsonl, and with --store adds the results to an SQLite store as a wave.",
    "growth": "Progress of units over the waves of a store: expected level and level 4-5 share (or the "
              "index and values) per wave and group, with intervals, change and rank; small groups "
              "suppressed. Reads --store; prints the table, writes it with -o and figures with --plot.",
    "transitions": "Level moves of the respondents found in both of two waves of a store: counts and row "
                   "shares corrected for misclassification. Reads --store; prints both tables, writes "
                   "the 25 cells with -o and heatmaps with --plot.",
    "calibrate": "Fit the level model's weights on your own responses: latent classes without labels, or "
                 "logistic/ordinal regression on expert levels (--labels). Reads FILE; writes the model "
                 "as JSON (-o) and prints its fit report. With --classes K: K latent classes for research "
                 "(no item keys needed; not a model, they score no one), printed with their fit statistics, "
                 "sizes and answer probabilities, written with -o OUT.json or OUT.csv.",
    "quality": "Psychometric quality of an export: reliability (alpha with interval, omega, lambda-6, "
               "split-half, SEM), item analysis, careless responding, and with --group differential item "
               "functioning and level decisions by group. Reads FILE; prints the tables, writes them with -o.",
    "culture-map": "The culture map of a vote export (Barrett's method): the top ten behaviours of each "
                   "question and their matches, hindering factors, cultural entropy, value indices, "
                   "implementation and health, with intervals, per group; groups ranked. Reads FILE; "
                   "prints the map, writes tables (-o), figures (--plot) and a vote wave (--store).",
    "culture-trend": "The culture map's indices across the vote waves of a store, each with its interval "
                     "and the change from the previous wave (marked * beyond noise). Reads --store; prints "
                     "the trend, writes its table with -o.",
    "report": "Write the HTML report people read: the agency report (index, values, levels and culture "
              "map per unit, ranking, change) or personal reports (a page per respondent), Indonesian or "
              "English, printable on A4; -o .xlsx writes the tables as a workbook. Reads FILE or --store.",
    "demo": "Simulate respondents from a questionnaire's theory-prior level model and score them, to see "
            "what score reports. Reads nothing; writes the table on standard output.",
}

#: Two or three real invocations per command, each ``(command line, what it does)``.
EXAMPLES: dict[str, list[tuple[str, str]]] = {
    "list": [("akhlak-levels list", "the bundled questionnaires")],
    "show": [
        ("akhlak-levels show socio-emotional-levels --lang en", "scales, items and options in English"),
        ("akhlak-levels show berakhlak-culture-map", "the vote questions and the 74 behaviours"),
    ],
    "validate": [
        (f"akhlak-levels validate {BK} -q berakhlak", "an Excel export (; and BOM), no options needed"),
        (f'akhlak-levels validate {SE} -q socio-emotional-levels --unit-column "Unit Kerja" --date-column Timestamp',
         "a Google Forms export: name its unit and date columns"),
    ],
    "score": [
        (f'akhlak-levels score {SE} -q socio-emotional-levels --unit-column "Unit Kerja" -o levels.csv',
         "levels and scale scores as CSV"),
        (f"akhlak-levels score {BK} -q berakhlak --quiet -o berakhlak.jsonl", "value scores and index as JSON lines"),
        (f'akhlak-levels score {SE} -q socio-emotional-levels --unit-column "Unit Kerja" --store new.sqlite --wave 2025 '
         "-o levels.csv", "also keep the results as wave 2025 of a store"),
    ],
    "growth": [
        ("akhlak-levels growth --store hr.sqlite --by unit", "each unit's progress over the stored waves"),
        ("akhlak-levels growth --store hr.sqlite --by unit -o progress.csv --plot figures", "the table and the figures"),
    ],
    "transitions": [
        ("akhlak-levels transitions --store hr.sqlite --from 2024 --to 2025", "level moves from 2024 to 2025"),
        ("akhlak-levels transitions --store hr.sqlite --from 2024 --to 2025 -o moves.csv", "the 25 cells as CSV"),
    ],
    "calibrate": [
        ("akhlak-levels demo -n 1000 --seed 1 -o simulated.csv",
         "first, answers to fit on: a latent-class fit needs more respondents than parameters (764 here)"),
        ("akhlak-levels calibrate simulated.csv -q socio-emotional-levels --ignore-column true_level --seed 1 "
         "--n-init 2 -o model.json", "latent classes, no labels needed"),
        ("akhlak-levels calibrate simulated.csv -q socio-emotional-levels --labels true_level --seed 1 -o model.json",
         "logistic regression on known levels (expert or interview placements)"),
        ("akhlak-levels calibrate simulated.csv -q socio-emotional-levels --ignore-column true_level --classes 3 "
         "--seed 1 --n-init 1 -o classes.csv", "for research: 3 latent classes, their AIC, BIC, sizes and answer "
         "probabilities (compare 2, 3, 4, ...)"),
    ],
    "quality": [
        (f"akhlak-levels quality {BK} -q berakhlak -o quality.json", "reliability, items and careless responding"),
        (f'akhlak-levels quality {SE} -q socio-emotional-levels --unit-column "Unit Kerja" --group unit',
         "with DIF and level decisions by unit"),
    ],
    "culture-map": [
        (f'akhlak-levels culture-map {VOTES} -q berakhlak-culture-map --unit-column "Unit Kerja" --quiet',
         "the map of everyone"),
        (f'akhlak-levels culture-map {VOTES} -q berakhlak-culture-map --unit-column "Unit Kerja" --by unit '
         "--min-group-size 3 --quiet -o map.json", "a map per unit, ranked, written as one JSON document"),
        (f'akhlak-levels culture-map {VOTES} -q berakhlak-culture-map --unit-column "Unit Kerja" --quiet '
         "--store new.sqlite --wave 2025", "also keep the votes as vote wave 2025 of a store"),
    ],
    "culture-trend": [
        ("akhlak-levels culture-trend --store culture.sqlite -q berakhlak-culture-map", "the indices over the vote waves"),
        ("akhlak-levels culture-trend --store culture.sqlite -q berakhlak-culture-map --by unit --min-group-size 3 "
         "-o trend.csv", "per unit, written as CSV"),
    ],
    "report": [
        (f'akhlak-levels report {SE} -q socio-emotional-levels --unit-column "Unit Kerja" -o report.html',
         "the agency report of an export"),
        ("akhlak-levels report --store hr.sqlite -q socio-emotional-levels --lang en -o report.xlsx",
         "from the stored waves, in English, as a workbook"),
        (f"akhlak-levels report {BK} -q berakhlak --kind personal -o personal", "a file per respondent in personal/"),
    ],
    "demo": [
        ("akhlak-levels demo", "8 respondents, seed 2024"),
        ("akhlak-levels demo -n 20 --seed 1", "20 others"),
        ("akhlak-levels demo -n 1000 -o simulated.csv", "the answers of 1,000 as an export, to try calibrate on"),
    ],
}


def epilog(command: str) -> str:
    """The examples of ``command`` as ``--help`` shows them (``  $ <line>`` under its comment)."""
    lines = ["examples:"]
    for line, what in EXAMPLES[command]:
        lines += [f"  # {what}", f"  $ {line}"]
    return "\n".join(lines)


def document(subparsers: Any) -> None:
    """Give each subparser its description and examples (a command that already has a description
    or an epilog keeps its own), shown verbatim (:class:`argparse.RawDescriptionHelpFormatter`)."""
    for name, parser in subparsers.choices.items():
        if not parser.description and name in DESCRIPTIONS:
            parser.description = textwrap.fill(DESCRIPTIONS[name], width=88)
        if not parser.epilog and name in EXAMPLES:
            parser.epilog = epilog(name)
        parser.formatter_class = argparse.RawDescriptionHelpFormatter
