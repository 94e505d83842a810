"""``akhlak-levels report``: the HTML report people read (or its tables as a workbook, ``-o .xlsx``),
from an export file or a store."""

from __future__ import annotations

import argparse
import os
from typing import TextIO

from ..model import is_vote_instrument
from ..questionnaire import load_questionnaire
from ..reports import report
from ._stream import reading_options, vote_reading_options
from ._usage import UsageError

__all__ = ["cmd_report"]


def cmd_report(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Write the agency report (one HTML file) or the personal reports (one HTML file with a page
    each, or a file each in a folder) and say where."""
    if (args.file is None) == (args.store is None):
        raise UsageError("give either FILE or --store STORE.sqlite (not both)")
    ext = os.path.splitext(args.output)[1].lower()
    if ext == ".xls":
        raise UsageError("-o must be .html, .xlsx or a folder; the old .xls format is not written")
    if args.kind == "agency" and ext not in (".html", ".htm", ".xlsx") and not os.path.isdir(args.output):
        raise UsageError(f"-o of the agency report must end in .html or .xlsx, or be an existing folder; got {args.output!r}")
    q = load_questionnaire(args.questionnaire)
    options = None
    if args.file is not None:
        options = reading_options(args)
        if is_vote_instrument(q):
            options = vote_reading_options(options, q)
    elif any(getattr(args, n, None) for n in ("id_column", "unit_column", "wave_column", "date_column", "group_column",
                                                "ignore_column")):
        raise UsageError("the reading options are for FILE; a store's waves are read as stored")
    by = None if args.by in ("", "none") else args.by
    written = report(args.file if args.file is not None else args.store, q, output=args.output, kind=args.kind, by=by,
                     waves=args.waves, lang=args.lang, min_group_size=args.min_group_size,
                     random_state=args.seed, read_options=options)
    if len(written) == 1:
        print(f"wrote {written[0]}", file=out)
    else:
        print(f"wrote {len(written):,} personal reports in {os.path.dirname(written[0]) or '.'}", file=out)
    return 0
