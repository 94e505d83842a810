"""The questionnaire as an XLSForm (ODK, KoBoToolbox, Ona, SurveyCTO): ``survey``, ``choices``
and ``settings`` sheets, one ``label::<Language> (<code>)`` column per language.

Names are the instrument's own: each question is named by its item id, each Likert or choice
option by its code (``1`` .. ``k``), each behaviour by its id, so a KoBo or ODK export of the
form (question names as headers, choice names as values) is the library's coded layout and
reads back with no mapping.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .._workbook import write_workbook
from ..questionnaire import Questionnaire
from ._common import (CONSENT, CONSENT_TEXT, RESPONDENT, RESPONDENT_TEXT, UNIT, UNIT_TEXT, FormOptions,
                      form_options, language_label, option_lists, per_language,
                      picks_text, scale_keys_text)

__all__ = ["to_xlsform", "xlsform_sheets"]


def xlsform_sheets(q: Questionnaire, *, languages: str | Sequence[str] | None = None, consent: bool = True,
                   unit: bool = True, units: Sequence[str] | None = None, respondent_id: bool = False,
                   required: bool = True) -> dict[str, list[dict[str, Any]]]:
    """The XLSForm of ``q`` as three tables (``survey``, ``choices``, ``settings``).

    Parameters
    ----------
    q : Questionnaire
    languages : str or sequence of str, optional
        The languages of the form (default: all of the questionnaire's, the first the default).
    consent : bool, default True
        Open with a consent note that must be acknowledged (UU 27/2022 on personal data).
    unit : bool, default True
        Ask for the work unit: a list to pick from when ``units`` is given, else a text.
    units : sequence of str, optional
        The work units offered (their names are the choice labels and values).
    respondent_id : bool, default False
        Ask for the NIP (an 18-digit text), for following people across waves.
    required : bool, default True
        Every question of the instrument must be answered.

    Returns
    -------
    dict of str to list of dict
        Sheet name -> rows (dicts of column -> cell). Beside XLSForm's columns, the items carry
        ``akhlak::scale``, ``akhlak::reverse`` and ``akhlak::level``, situational-judgement
        options ``akhlak_level``, and a sheet ``akhlak_scales`` names the scales: ODK and KoBo
        ignore them, and :func:`~akhlak_levels.load_questionnaire` reads the file back as the
        same instrument (same content hash).

    Raises
    ------
    QuestionnaireError
        A name or text the form could not carry exactly (see :func:`to_xlsform`).

    Examples
    --------
    >>> from akhlak_levels import load_questionnaire
    >>> sheets = xlsform_sheets(load_questionnaire("berakhlak"), units=["Biro Umum", "Biro SDM"])
    >>> [row["type"] for row in sheets["survey"][:4]]
    ['acknowledge', 'select_one units', 'select_one freq5', 'select_one freq5']
    >>> sheets["choices"][-1]["name"], sheets["choices"][-1]["label::English (en)"]
    ('5', 'Always')
    >>> sheets["settings"][0]["form_id"], sheets["settings"][0]["default_language"]
    ('berakhlak', 'Indonesian (id)')
    """
    opts = form_options(q, languages, consent=consent, unit=unit, units=units, respondent_id=respondent_id,
                        required=required, func="xlsform_sheets", fmt="an XLSForm")
    survey = _front_rows(opts) + _item_rows(q, opts) + _vote_rows(q, opts)
    choices = _choice_rows(q, opts)
    settings = [{"form_title": per_language(q.title, opts.languages)[opts.languages[0]], "form_id": q.id,
                 "version": q.version, "default_language": language_label(opts.languages[0])}]
    sheets = {"survey": survey, "choices": choices, "settings": settings}
    if q.scales:
        sheets["akhlak_scales"] = [{"name": sc.id, **_labels(per_language(sc.name, opts.languages)),
                                    "akhlak::level": str(sc.level) if sc.level else ""} for sc in q.scales]
    return sheets


def to_xlsform(q: Questionnaire, path: str | os.PathLike[str], **options: Any) -> Path:
    """Write the XLSForm of ``q`` to ``path`` (``.xlsx``), ready to upload to KoBoToolbox or ODK.

    Takes the options of :func:`xlsform_sheets`. The file is written whole or not at all.

    Raises
    ------
    QuestionnaireError
        A question or behaviour id that is not an XML name (ODK names questions by it), a text
        that is empty in a language of the form, or one that starts like a spreadsheet formula
        (the workbook would change it).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from akhlak_levels import load_questionnaire
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "berakhlak.xlsx"
    >>> to_xlsform(load_questionnaire("berakhlak"), out, languages="id").name
    'berakhlak.xlsx'
    """
    sheets = xlsform_sheets(q, **options)
    return write_workbook(path, sheets, lang=_first_language(sheets), freeze_header=True)


def _first_language(sheets: dict[str, list[dict[str, Any]]]) -> str:
    label = sheets["settings"][0]["default_language"]
    return "en" if label.endswith("(en)") else "id"


def _labels(texts: dict[str, str], prefix: str = "label") -> dict[str, str]:
    return {f"{prefix}::{language_label(lang)}": text for lang, text in texts.items()}


def _front_rows(opts: FormOptions) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    langs = opts.languages
    if opts.consent:
        rows.append({"type": "acknowledge", "name": CONSENT, **_labels(per_language(CONSENT_TEXT, langs)),
                     "required": "yes"})
    if opts.unit:
        kind = "select_one units" if opts.units else "text"
        rows.append({"type": kind, "name": UNIT, **_labels(per_language(UNIT_TEXT, langs)), "required": "yes"})
    if opts.respondent_id:
        rows.append({"type": "text", "name": RESPONDENT, **_labels(per_language(RESPONDENT_TEXT, langs)),
                     "required": "yes", "constraint": "regex(., '^[0-9]{18}$')",
                     "appearance": "numbers"})
    return rows


def _item_rows(q: Questionnaire, opts: FormOptions) -> list[dict[str, Any]]:
    list_of, _ = option_lists(q)
    required = "yes" if opts.required else ""
    rows = []
    for it in q.items:
        row = {"type": f"select_one {list_of[it.id]}", "name": it.id, **_labels(per_language(it.text, opts.languages)),
               "required": required}
        rows.append({**row, **_keys(q, it)})
    return rows


def _keys(q: Questionnaire, it: Any) -> dict[str, str]:
    """The ``akhlak::`` cells of an item: its scales (``id:-1`` / ``id:+1`` where its key in that
    scale differs from its direction), its direction (``akhlak::reverse``) and its level, so that loading the file
    back (:func:`~akhlak_levels.load_questionnaire`) gives the same instrument; ODK ignores them."""
    return {"akhlak::scale": scale_keys_text(q, it), "akhlak::reverse": "yes" if it.reverse else "",
            "akhlak::level": str(it.level) if it.level else ""}


def _vote_rows(q: Questionnaire, opts: FormOptions) -> list[dict[str, Any]]:
    rows = []
    for vq in q.vote_questions:
        n = "count-selected(.)"
        rule = f"{n} = {vq.min_picks}" if vq.exact else f"{n} >= {vq.min_picks} and {n} <= {vq.max_picks}"
        message = {lang: picks_text(vq.min_picks, vq.max_picks, lang) for lang in opts.languages}
        rows.append({"type": f"select_multiple {_vote_list(q, vq.id)}", "name": vq.id,
                     **_labels(per_language(vq.text, opts.languages)), "required": "yes" if opts.required else "",
                     "constraint": rule, **_labels(message, "constraint_message")})
    return rows


def _vote_list(q: Questionnaire, question_id: str) -> str:
    """All vote questions offering the same behaviours share one list, ``behaviours``."""
    sets = {vq.behaviour_ids for vq in q.vote_questions}
    return "behaviours" if len(sets) == 1 else f"{question_id}_behaviours"


def _choice_rows(q: Questionnaire, opts: FormOptions) -> list[dict[str, Any]]:
    langs = opts.languages
    rows = [{"list_name": "units", "name": u, **_labels({lang: u for lang in langs})} for u in opts.units]
    list_of, lists = option_lists(q)
    levels = {list_of[it.id]: it.option_levels for it in q.items if it.type == "choice"}
    for name, options in lists.items():
        keyed = levels.get(name, ())
        rows += [{"list_name": name, "name": str(code), **_labels(per_language(o, langs)),
                  **({"akhlak_level": str(keyed[code - 1])} if keyed else {})}
                 for code, o in enumerate(options, start=1)]
    done: set[str] = set()
    for vq in q.vote_questions:
        name = _vote_list(q, vq.id)
        if name in done:
            continue
        done.add(name)
        rows += [{"list_name": name, "name": b, **_labels(per_language(q.behaviour(b).label, langs))}
                 for b in vq.behaviour_ids]
    return rows
