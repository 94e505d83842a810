"""The questionnaire as an HL7 FHIR R4 ``Questionnaire`` resource.

Each item's ``linkId`` is its id; Likert and choice items are ``choice`` items whose
``answerOption``s are codings with the code ``1`` .. ``k`` (the library's answer codes); a vote
question is a ``choice`` item that ``repeats``, its codes the behaviour ids, its pick count in the
``minOccurs`` / ``maxOccurs`` extensions. Texts are in the first language, with the others in the
``translation`` extension, so a ``QuestionnaireResponse`` of it names each answer by ``linkId``
and code.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from .._fhir_instrument import AKHLAK_URN
from ..questionnaire import Questionnaire
from ._common import (CONSENT, CONSENT_TEXT, RESPONDENT, RESPONDENT_TEXT, UNIT, UNIT_TEXT, FormOptions,
                      form_options, option_lists, per_language, picks_text, scale_keys_text)

__all__ = ["CODE_SYSTEM", "fhir_questionnaire"]

#: The code systems of the answer options: ``<CODE_SYSTEM>/<questionnaire id>/<list>``; the
#: library's extensions are ``<CODE_SYSTEM>:scale`` etc. (read back by ``load_questionnaire``).
CODE_SYSTEM = AKHLAK_URN
_EXT = "http://hl7.org/fhir/StructureDefinition/"


def fhir_questionnaire(q: Questionnaire, *, languages: str | Sequence[str] | None = None, consent: bool = True,
                       unit: bool = True, units: Sequence[str] | None = None, respondent_id: bool = False,
                       required: bool = True) -> dict[str, Any]:
    """The FHIR R4 ``Questionnaire`` resource of ``q`` (a JSON-ready dict).

    Takes the options of :func:`xlsform_sheets`. The first language is the resource's
    ``language``; each text carries the others in the ``translation`` extension.

    Returns
    -------
    dict
        The resource: ``resourceType``, ``id``, ``identifier``, ``version``, ``name``, ``title``,
        ``status`` (``"active"``), ``item``.

    Raises
    ------
    QuestionnaireError
        As :func:`to_xlsform`.

    Examples
    --------
    >>> from akhlak_levels import load_questionnaire
    >>> res = fhir_questionnaire(load_questionnaire("berakhlak"), consent=False, unit=False)
    >>> first = res["item"][0]
    >>> res["resourceType"], first["linkId"], first["type"], first["answerOption"][4]["valueCoding"]["code"]
    ('Questionnaire', 'BP1a', 'choice', '5')
    >>> first["_text"]["extension"][0]["extension"][1]["valueString"]
    'I ask citizens what they need before providing a service.'
    """
    opts = form_options(q, languages, consent=consent, unit=unit, units=units, respondent_id=respondent_id,
                        required=required, func="fhir_questionnaire", fmt="a FHIR Questionnaire")
    items = _front(opts) + _items(q, opts) + _votes(q, opts)
    name = re.sub(r"[^A-Za-z0-9_]", "_", q.id)
    title = per_language(q.title, opts.languages)
    res: dict[str, Any] = {"resourceType": "Questionnaire", "id": q.id[:64], "language": opts.languages[0]}
    if q.scales:
        res["extension"] = [_scale_definition(sc, opts) for sc in q.scales]
    return {**res, "identifier": [{"system": CODE_SYSTEM, "value": q.id}], "version": q.version,
            "name": name[:1].upper() + name[1:], "title": title[opts.languages[0]],
            "_title": _translations(title, opts), "status": "active", "subjectType": ["Practitioner"],
            "item": items}


def _scale_definition(sc: Any, opts: FormOptions) -> dict[str, Any]:
    """A scale as the library's ``scale-definition`` extension (id, name per language, level)."""
    parts: list[dict[str, Any]] = [{"url": "id", "valueString": sc.id}]
    parts += [{"url": f"name-{lang}", "valueString": text} for lang, text in per_language(sc.name, opts.languages).items()]
    if sc.level:
        parts.append({"url": "level", "valueInteger": sc.level})
    return {"url": f"{CODE_SYSTEM}:scale-definition", "extension": parts}


def _keys(q: Questionnaire, it: Any) -> list[dict[str, Any]]:
    """An item's scales (``id:-1`` / ``id:+1`` where its key there differs from its direction),
    direction and level as the library's extensions, so the resource loads back as the same
    instrument; other FHIR software ignores them."""
    ext: list[dict[str, Any]] = []
    if it.scales:
        ext.append({"url": f"{CODE_SYSTEM}:scale", "valueString": scale_keys_text(q, it)})
    if it.reverse:
        ext.append({"url": f"{CODE_SYSTEM}:reverse", "valueBoolean": True})
    if it.level:
        ext.append({"url": f"{CODE_SYSTEM}:level", "valueInteger": it.level})
    return ext


def _translations(texts: Mapping[str, str], opts: FormOptions) -> dict[str, Any]:
    others = [lang for lang in opts.languages[1:]]
    return {"extension": [{"url": _EXT + "translation", "extension": [
        {"url": "lang", "valueCode": lang}, {"url": "content", "valueString": texts[lang]}]} for lang in others]}


def _text(item: dict[str, Any], texts: Mapping[str, str], opts: FormOptions, key: str = "text") -> dict[str, Any]:
    shown = per_language(texts, opts.languages)
    item[key] = shown[opts.languages[0]]
    if len(opts.languages) > 1:
        item["_" + key] = _translations(shown, opts)
    return item


def _front(opts: FormOptions) -> list[dict[str, Any]]:
    items = []
    if opts.consent:
        items.append(_text({"linkId": CONSENT, "type": "boolean", "required": True}, CONSENT_TEXT, opts))
    if opts.unit:
        unit: dict[str, Any] = {"linkId": UNIT, "type": "choice" if opts.units else "string", "required": True}
        if opts.units:
            unit["answerOption"] = [{"valueString": u} for u in opts.units]
        items.append(_text(unit, UNIT_TEXT, opts))
    if opts.respondent_id:
        items.append(_text({"linkId": RESPONDENT, "type": "string", "required": True, "maxLength": 18,
                            "extension": [{"url": _EXT + "regex", "valueString": "^[0-9]{18}$"}]},
                           RESPONDENT_TEXT, opts))
    return items


def _coding(system: str, code: str, display: Mapping[str, str], opts: FormOptions) -> dict[str, Any]:
    return {"valueCoding": _text({"system": system, "code": code}, display, opts, key="display")}


def _items(q: Questionnaire, opts: FormOptions) -> list[dict[str, Any]]:
    list_of, lists = option_lists(q)
    out = []
    for it in q.items:
        system = f"{CODE_SYSTEM}/{q.id}/{list_of[it.id]}"
        options = [_coding(system, str(code), o, opts) for code, o in enumerate(lists[list_of[it.id]], start=1)]
        for option, level in zip(options, it.option_levels if it.type == "choice" else ()):
            if level:
                option["extension"] = [{"url": f"{CODE_SYSTEM}:level", "valueInteger": level}]
        item: dict[str, Any] = {"linkId": it.id}
        if (ext := _keys(q, it)):
            item["extension"] = ext
        out.append(_text({**item, "type": "choice", "required": opts.required, "answerOption": options}, it.text, opts))
    return out


def _votes(q: Questionnaire, opts: FormOptions) -> list[dict[str, Any]]:
    out = []
    system = f"{CODE_SYSTEM}/{q.id}/behaviours"
    for vq in q.vote_questions:
        item = _text({"linkId": vq.id, "type": "choice", "required": opts.required, "repeats": True,
                      "extension": [{"url": _EXT + "questionnaire-minOccurs", "valueInteger": vq.min_picks},
                                    {"url": _EXT + "questionnaire-maxOccurs", "valueInteger": vq.max_picks}],
                      "answerOption": [_coding(system, b, q.behaviour(b).label, opts) for b in vq.behaviour_ids]},
                     vq.text, opts)
        help_text = {lang: picks_text(vq.min_picks, vq.max_picks, lang) for lang in opts.languages}
        item["item"] = [_text({"linkId": f"{vq.id}.help", "type": "display", "extension": [{
            "url": _EXT + "questionnaire-itemControl", "valueCodeableConcept": {"coding": [{
                "system": "http://hl7.org/fhir/questionnaire-item-control", "code": "help"}]}}]}, help_text, opts)]
        out.append(item)
    return out
