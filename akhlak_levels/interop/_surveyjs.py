"""The questionnaire as a SurveyJS survey (JSON for ``survey-core`` / ``survey-react`` etc.).

Each question is named by its item id; Likert and choice options have their codes (1..k) as
values; vote questions are ``checkbox`` questions whose values are the behaviour ids, with the
pick count as ``minSelectedChoices`` / ``maxSelectedChoices``. Texts are localisable strings
(``{"default": ..., "id": ..., "en": ...}``, ``default`` being SurveyJS's default locale,
English), so a SurveyJS result (``survey.data``) is the
library's coded layout: one JSON object per respondent.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..questionnaire import Questionnaire
from ._common import (CONSENT, CONSENT_TEXT, RESPONDENT, RESPONDENT_TEXT, UNIT, UNIT_TEXT, FormOptions,
                      form_options, per_language, picks_text)

__all__ = ["surveyjs_json"]

_AGREE = {"id": "Saya setuju", "en": "I agree"}
_MUST_AGREE = {"id": "Persetujuan diperlukan untuk melanjutkan.", "en": "Consent is needed to continue."}
_NIP_RULE = {"id": "NIP terdiri atas 18 angka.", "en": "The NIP has 18 digits."}


def surveyjs_json(q: Questionnaire, *, languages: str | Sequence[str] | None = None, consent: bool = True,
                  unit: bool = True, units: Sequence[str] | None = None, respondent_id: bool = False,
                  required: bool = True) -> dict[str, Any]:
    """The SurveyJS survey of ``q`` (a JSON-ready dict).

    Takes the options of :func:`xlsform_sheets`. The first language is the survey's default
    locale (``"locale"``); every text also carries each language by its code.

    Returns
    -------
    dict
        The survey JSON: ``title``, ``locale``, ``pages`` (the opening questions, the items, one
        page per vote question), each element with ``type``, ``name``, ``title`` and its choices.

    Raises
    ------
    QuestionnaireError
        As :func:`to_xlsform`.

    Examples
    --------
    >>> from akhlak_levels import load_questionnaire
    >>> survey = surveyjs_json(load_questionnaire("berakhlak-culture-map"), languages=["en", "id"])
    >>> vote = survey["pages"][-1]["elements"][0]
    >>> vote["type"], vote["name"], vote["minSelectedChoices"], vote["maxSelectedChoices"]
    ('checkbox', 'desired', 10, 10)
    >>> survey["locale"], sorted(vote["title"])
    ('en', ['default', 'en', 'id'])
    """
    opts = form_options(q, languages, consent=consent, unit=unit, units=units, respondent_id=respondent_id,
                        required=required, func="surveyjs_json", fmt="a SurveyJS survey")
    pages: list[dict[str, Any]] = []
    front = _front(opts)
    if front:
        pages.append({"name": "start", "elements": front})
    if q.items:
        pages.append({"name": "items", "elements": [_item(it, opts) for it in q.items]})
    for vq in q.vote_questions:
        pages.append({"name": f"{vq.id}_page", "elements": [{
            "type": "checkbox", "name": vq.id, "title": _text(vq.text, opts), "isRequired": opts.required,
            "description": _text({lang: picks_text(vq.min_picks, vq.max_picks, lang) for lang in opts.languages}, opts),
            "minSelectedChoices": vq.min_picks, "maxSelectedChoices": vq.max_picks,
            "choices": [{"value": b, "text": _text(q.behaviour(b).label, opts)} for b in vq.behaviour_ids],
        }]})
    return {"title": _text(q.title, opts), "locale": opts.languages[0], "showQuestionNumbers": "on", "pages": pages}


def _text(texts: Any, opts: FormOptions) -> dict[str, str]:
    """A localisable string: each language by its code, and ``default`` (the text SurveyJS shows
    for its default locale, English) in English where the form has it, else the first language."""
    out = per_language(texts, opts.languages)
    return {"default": out["en" if "en" in out else opts.languages[0]], **out}


def _front(opts: FormOptions) -> list[dict[str, Any]]:
    elements: list[dict[str, Any]] = []
    if opts.consent:
        elements.append({"type": "boolean", "name": CONSENT, "title": _text(CONSENT_TEXT, opts), "renderAs": "checkbox",
                         "label": _text(_AGREE, opts), "isRequired": True,
                         "validators": [{"type": "expression", "expression": f"{{{CONSENT}}} = true",
                                         "text": _text(_MUST_AGREE, opts)}]})
    if opts.unit:
        unit: dict[str, Any] = {"type": "dropdown" if opts.units else "text", "name": UNIT,
                                "title": _text(UNIT_TEXT, opts), "isRequired": True}
        if opts.units:
            unit["choices"] = list(opts.units)
        elements.append(unit)
    if opts.respondent_id:
        elements.append({"type": "text", "name": RESPONDENT, "title": _text(RESPONDENT_TEXT, opts), "isRequired": True,
                         "validators": [{"type": "regex", "regex": "^[0-9]{18}$", "text": _text(_NIP_RULE, opts)}]})
    return elements


def _item(it: Any, opts: FormOptions) -> dict[str, Any]:
    return {"type": "radiogroup", "name": it.id, "title": _text(it.text, opts), "isRequired": opts.required,
            "choices": [{"value": code, "text": _text(o, opts)} for code, o in enumerate(it.options, start=1)]}
