"""The command-line options of forgiving input and Excel output: ``--labels MAP.json`` (a label
map), ``--dayfirst``/``--monthfirst`` (the order of day and month in dates), and ``--excel``
(CSV for Excel with Indonesian settings: ``;``-delimited, decimal comma, UTF-8 with a BOM).

:func:`add_input_options` and :func:`add_output_options` add them to a command's parser;
:func:`input_options` gives the reading options they stand for, as
:func:`~akhlak_levels.read_responses` takes them.
"""

from __future__ import annotations

import argparse
from typing import Any

from .._readers._sources import SOURCE_FORMATS  # the tools read by name, as read_responses takes them


def add_input_options(p: argparse.ArgumentParser, g: Any) -> None:
    """``--labels``/``--label-map`` and ``--dayfirst``/``--monthfirst`` on the argument group
    ``g`` of the parser ``p`` (a command that already has a ``--labels`` option, ``calibrate``,
    gets ``--label-map`` only)."""
    help_map = ("a label map (JSON): the export's labels mapped to the questionnaire's options, globally "
                "and/or per item, and its headers to item ids; see docs/data-formats.md")
    try:
        g.add_argument("--labels", "--label-map", dest="label_map", metavar="MAP.json", help=help_map)
    except argparse.ArgumentError:  # calibrate --labels names the column of expert levels
        g.add_argument("--label-map", dest="label_map", metavar="MAP.json", help=help_map)
    order = g.add_mutually_exclusive_group()
    order.add_argument("--dayfirst", dest="dayfirst", action="store_const", const=True, default=None,
                       help="dates such as 10/03/2024 are day first (10 March); without this or --monthfirst the "
                            "dates must tell the order (a day above 12), or the reading fails")
    order.add_argument("--monthfirst", dest="dayfirst", action="store_const", const=False, default=None,
                       help="dates such as 10/03/2024 are month first (October 3), as US exports write them")


def add_source_format(g: Any) -> None:
    """``--source-format TOOL`` on the argument group ``g`` (responses and votes alike)."""
    g.add_argument("--source-format", choices=SOURCE_FORMATS, default=None, metavar="TOOL",
                   help="the tool that wrote the export, read with its quirks: kobo, odk, limesurvey, surveyjs, fhir "
                        "(a Bundle of QuestionnaireResponses), google-forms, microsoft-forms (default auto: the tool "
                        "its metadata columns show, else the file as it is); see docs/forms.md")


def add_output_options(p: argparse.ArgumentParser) -> None:
    """``--excel`` on a command that writes CSV."""
    p.add_argument("--excel", action="store_true",
                   help="write CSV as Excel with Indonesian settings opens it: ';'-delimited, decimal comma, UTF-8 "
                        "with a byte-order mark (or give -o OUT.xlsx for a workbook)")


def input_options(args: argparse.Namespace) -> dict[str, Any]:
    """The reading options of :func:`add_input_options` that were given (none for a command
    without them, or when not given: a vote instrument's reader takes neither; ``--source-format``
    is taken by both)."""
    return {name: v for name in ("label_map", "dayfirst", "source_format") if (v := getattr(args, name, None)) is not None}
