"""``report``: one self-contained HTML file (styles inline, charts as inline SVG, no script, no
network) for an agency, or a personal page per respondent."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np

from .._validation import Interval, Options, check
from ..model import is_vote_instrument
from ._format import num, value_attr, write_text
from ._inputs import Inputs, gather
from ._methods import methods_context
from ._text import LANGS, texts

__all__ = ["report"]

KINDS = ("agency", "personal")


def _environment(lang: str) -> Any:
    """The jinja2 environment of the bundled templates, every value escaped unless marked safe."""
    try:
        import jinja2
    except ImportError:  # pragma: no cover - exercised only without the extra
        raise ImportError("Reports need jinja2: pip install 'akhlak-levels[report]'.") from None
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("akhlak_levels.reports", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["num"] = lambda x, digits=1: num(x, digits, lang)
    env.filters["va"] = value_attr
    env.globals["t"] = texts(lang)
    env.globals["lang"] = lang
    return env


def report(
    source: Any,
    questionnaire: Any,
    *,
    output: str | os.PathLike[str],
    kind: str = "agency",
    by: str | None = "unit",
    waves: Sequence[Any] | None = None,
    lang: str = "id",
    min_group_size: int = 5,
    confidence: float = 0.95,
    random_state: int | np.random.Generator | None = 0,
    read_options: Mapping[str, Any] | None = None,
    date: Any = None,
) -> list[Path]:
    """Write an HTML report people can read: the agency (unit) report, or personal reports.

    Each file is self-contained: styles inline, charts as inline SVG, no script and no network
    needed to read it, printable on A4 ("print to PDF" in a browser). Texts are in Indonesian
    (``lang="id"``, the default) or English (``lang="en"``).

    Parameters
    ----------
    source : path, AssessmentStore, ResponseSet, VoteSet, Assessment, mapping or sequence
        A store (an :class:`~akhlak_levels.AssessmentStore`, or a path ending in ``.sqlite``,
        ``.sqlite3`` or ``.db``: its waves of ``questionnaire``, or its vote waves for a vote
        instrument); an export file (or a list of them, one per wave, labelled by ``waves`` or
        their file names) read with ``read_options``; a ResponseSet or VoteSet; one
        Assessment (split by its wave column); or a mapping of wave label to Assessment.
    questionnaire : str or Questionnaire
        ``"berakhlak"`` (index and values by unit), ``"socio-emotional-levels"`` (levels by
        unit) or the vote instrument ``"berakhlak-culture-map"`` (the culture map).
    output : path
        The HTML file to write (an ``.xlsx`` path writes the same tables as a workbook
        instead), or a folder: the agency report is then
        ``<folder>/report-<questionnaire>.html``; personal reports are one file per respondent
        (``<folder>/<id>.html``) when ``output`` is a folder, one file with a page per
        respondent when it ends in ``.html``.
    kind : {"agency", "personal"}, default="agency"
    by : str or None, default="unit"
        The grouping of the agency report (``"unit"`` or a group column), and the unit a
        personal report compares the person with.
    waves : sequence, optional
        The waves to use, in order (a store's wave names), or the labels of a list of files.
    lang : {"id", "en"}, default="id"
    min_group_size : int, default=5
        Smaller groups are suppressed (see :func:`~akhlak_levels.progress`).
    confidence : float, default=0.95
        Level of every interval.
    random_state : int or numpy Generator, default=0
        Seed of the rank intervals' bootstrap (0: the same report every run).
    read_options : mapping, optional
        Passed to :func:`~akhlak_levels.read_responses` (or :func:`~akhlak_levels.read_votes`)
        for files, e.g. ``{"unit_column": "Unit Kerja"}``.
    date : date or str, optional
        The date printed in the methods appendix; today (UTC) when None.

    Returns
    -------
    list of pathlib.Path
        The files written.

    Raises
    ------
    ValueError
        Bad parameters, a store without waves of the questionnaire, unreadable input.
    ImportError
        Without jinja2 and matplotlib (``pip install 'akhlak-levels[report]'``).

    Notes
    -----
    Every group figure comes from the library's one suppression engine
    (:func:`~akhlak_levels.progress`, :func:`~akhlak_levels.culture_map`): a suppressed unit
    is shown with its size and the word "suppressed", never with a figure. The intervals of a
    value's mean and of a rank are computed only for the groups whose means the engine shows.
    A personal page holds that person's data and their unit's means (where the unit is not
    suppressed), nothing of any other person.

    Examples
    --------
    >>> import tempfile, akhlak_levels as al
    >>> out = tempfile.mkdtemp()
    >>> [path] = al.report("questionnaires/examples/berakhlak-excel-id.csv", "berakhlak",
    ...                    output=out + "/agency.html", lang="en", read_options={"unit_column": "unit"})
    >>> html = path.read_text(encoding="utf-8")
    >>> 'data-stat="index"' in html, html.count("<svg") >= 2, "src=" in html or "<script" in html
    (True, True, False)
    """
    fn = "report"
    check(fn, "kind", kind, Options(set(KINDS)))
    check(fn, "lang", lang, Options(set(LANGS)))
    mgs = int(check(fn, "min_group_size", min_group_size, Interval(1, None, integer=True)))
    conf = float(check(fn, "confidence", confidence, Interval(0, 1, closed="neither")))
    out = Path(output)
    if kind == "agency" and not out.is_dir() and out.suffix.lower() not in (".html", ".htm", ".xlsx"):
        raise ValueError(f"The 'output' parameter of report must be an .html or .xlsx file or an existing folder "
                         f"for the agency report. Got {os.fspath(output)!r} instead.")
    inp = gather(source, questionnaire, waves=waves, by=by, min_group_size=mgs, confidence=conf,
                 read_options=read_options)
    q = inp.questionnaire
    if out.suffix.lower() == ".xlsx":
        from ._xlsx import write_report_workbook

        return [write_report_workbook(inp, out, kind=kind, by=by, mgs=mgs, conf=conf, lang=lang, date=date,
                                      random_state=random_state)]
    env = _environment(lang)
    if kind == "personal":
        from ._personal import write_personal

        if is_vote_instrument(q):
            raise ValueError(f"Personal reports are of instruments of items; {q.id!r} is a vote instrument.")
        return write_personal(inp, env, out, by=by, min_group_size=mgs, confidence=conf, lang=lang, date=date)
    return [_group_report(inp, env, out, by=by, mgs=mgs, conf=conf, lang=lang, date=date, random_state=random_state)]


def _group_report(inp: Inputs, env: Any, out: Path, *, by: str | None, mgs: int, conf: float, lang: str, date: Any,
                  random_state: Any) -> Path:
    """Render and write the agency report (or the culture map report of a vote instrument)."""
    q = inp.questionnaire
    t = texts(lang)
    if is_vote_instrument(q):
        from ._culture import culture_context

        ctx: dict[str, Any] = {"culture": culture_context(inp.maps, q, lang=lang, confidence=conf), "report_kind": "culture",
                               "title": t.culture_title}
        template = "culture.html.j2"
        notes = list(inp.maps[-1][1].note)
    else:
        from ._agency import agency_context

        agency = agency_context(inp.waves, q, by=by, min_group_size=mgs, confidence=conf, lang=lang,
                                random_state=random_state)
        ctx = {"agency": agency, "report_kind": "agency", "title": t.agency_title}
        template = "agency.html.j2"
        notes = agency["notes"]
    ctx["questionnaire_title"] = q.title.get(lang, q.id)
    ctx["methods"] = methods_context(inp, lang=lang, min_group_size=mgs, confidence=conf, date=date, notes=notes)
    html = env.get_template(template).render(**ctx)
    path = out / f"report-{q.id}.html" if out.is_dir() else out
    write_text(path, html)
    return path
