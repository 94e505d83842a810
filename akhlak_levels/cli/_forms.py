"""``akhlak-levels export-form``: the form of a questionnaire for a survey tool."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any, TextIO

from ..interop import FORM_FORMATS, export_form
from ..questionnaire import load_questionnaire
from ._commands import UsageError

EXPORT_FORM_DESCRIPTION = """\
Write the form of a questionnaire for the survey tool your agency uses, with exactly the question
names, titles and answer labels the readers expect, so the tool's export reads back with no
mapping: an XLSForm for KoBoToolbox or ODK (.xlsx), a SurveyJS survey (.json), an HL7 FHIR R4
Questionnaire (.json), or a Google Apps Script that creates the Google Form (.gs, run once at
script.google.com). The form opens with a consent note and asks for the work unit, unless told
not to."""

EXPORT_FORM_EPILOG = """\
examples:
  # an XLSForm to upload to KoBoToolbox or ODK, with the units to pick from
  $ akhlak-levels export-form berakhlak -o berakhlak-kobo.xlsx --unit "Biro Umum" --unit "Biro SDM"
  # a Google Apps Script that creates the culture-map survey as a Google Form, in Indonesian
  $ akhlak-levels export-form berakhlak-culture-map --to google-apps-script --lang id -o culture-map.gs
  # a SurveyJS survey for a web form, English first, asking for the NIP
  $ akhlak-levels export-form socio-emotional-levels --to surveyjs --lang en --lang id --respondent-id -o survey.json
"""


def add_export_form(sub: Any, questionnaire_help: str) -> None:
    """The ``export-form`` subcommand's parser."""
    p = sub.add_parser("export-form", help="write a questionnaire's form for KoBo/ODK, SurveyJS, FHIR or Google Forms",
                       description=EXPORT_FORM_DESCRIPTION, epilog=EXPORT_FORM_EPILOG,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("questionnaire", metavar="ID", help=questionnaire_help)
    p.add_argument("-o", "--output", required=True, metavar="OUT",
                   help="the file to write: .xlsx (XLSForm) and .gs (Google Apps Script) say their format; a .json "
                        "file needs --to")
    p.add_argument("--to", choices=list(FORM_FORMATS), help="the format (default: from the suffix of OUT)")
    p.add_argument("--lang", action="append", choices=("id", "en"), metavar="LANG",
                   help="a language of the form, id or en; repeat for both, the first is the default (default: the "
                        "questionnaire's languages; a Google Form has one: id unless given)")
    p.add_argument("--unit", action="append", metavar="NAME", dest="units",
                   help="a work unit offered in the unit question (repeat for each; default: the unit is typed in)")
    p.add_argument("--no-unit", action="store_true", help="do not ask for the work unit")
    p.add_argument("--no-consent", action="store_true", help="leave out the consent note (only where consent is "
                   "collected elsewhere)")
    p.add_argument("--respondent-id", action="store_true", help="ask for the NIP (18 digits), to follow people "
                   "across waves")
    p.add_argument("--optional", action="store_true", help="let respondents leave questions unanswered (default: "
                   "every question is required)")
    p.set_defaults(run=cmd_export_form)


def cmd_export_form(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    if args.to is None and Path(args.output).suffix.lower() not in (".xlsx", ".gs"):
        raise UsageError(f"cannot tell the form's format from {args.output!r}: give --to ({', '.join(FORM_FORMATS)}); "
                         ".xlsx is an XLSForm and .gs a Google Apps Script by default")
    if args.no_unit and args.units:
        raise UsageError("--unit offers units in the unit question, which --no-unit leaves out: give one or the other")
    q = load_questionnaire(args.questionnaire)
    path = export_form(q, args.output, to=args.to, languages=args.lang, consent=not args.no_consent,
                       unit=not args.no_unit, units=args.units, respondent_id=args.respondent_id,
                       required=not args.optional)
    print(f"wrote {path} ({q.id} {q.version}, {len(q.items)} items, {len(q.vote_questions)} vote questions)", file=out)
    return 0
