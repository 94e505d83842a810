"""An instrument from an HL7 FHIR R4 ``Questionnaire`` resource (a ``.json`` file).

FHIR carries questions (``item``: ``linkId``, ``text``, ``answerOption`` codings) and texts per
language (``language``, the ``translation`` extension), not what makes them an instrument. That
comes from extensions under ``urn:akhlak-levels:`` which other FHIR software ignores, the
counterparts of the XLSForm columns (docs/forms.md):

- on an item: ``urn:akhlak-levels:scale`` (``valueString``: the scale ids, space-separated,
  ``id:-1`` / ``id:+1`` for a key against the item's direction), ``urn:akhlak-levels:reverse``
  (``valueBoolean``), ``urn:akhlak-levels:level`` (``valueInteger`` 1-5);
- on an ``answerOption``: ``urn:akhlak-levels:level`` (the level a situational-judgement option is
  keyed to);
- on the resource: ``urn:akhlak-levels:scale-definition``, one per scale, with the parts ``id``,
  ``name-<language>`` and ``level``.

The resource is laid out as XLSForm-shaped records and read by the XLSForm reader's rules, so
the two formats agree on what an item is and on every check; a problem's ``row`` is the item's
position among the resource's questions (in order, groups not counted, from 1).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._xlsform_instrument import document_from_sheets
from .errors import Problem, QuestionnaireError

__all__ = ["AKHLAK_URN", "document_from_fhir", "is_fhir_questionnaire"]

#: The prefix of the library's extension URLs and answer code systems.
AKHLAK_URN = "urn:akhlak-levels"
_TRANSLATION = "http://hl7.org/fhir/StructureDefinition/translation"
_CHOICE_TYPES = ("choice", "coding", "open-choice")


def is_fhir_questionnaire(document: Any) -> bool:
    """Whether a parsed JSON document is a FHIR ``Questionnaire`` resource."""
    return isinstance(document, dict) and document.get("resourceType") == "Questionnaire"


def _label(code: str) -> str:
    return f"label::{code} ({code})"


def _texts(obj: Mapping[str, Any], key: str, lang: str) -> dict[str, str]:
    """``obj[key]`` in ``lang`` and its translations (the ``translation`` extension of ``_key``)."""
    out: dict[str, str] = {}
    if isinstance(obj.get(key), str) and obj[key].strip():
        out[lang] = obj[key]
    extra = obj.get("_" + key)
    for ext in _list(extra.get("extension")) if isinstance(extra, dict) else []:
        if isinstance(ext, dict) and ext.get("url") == _TRANSLATION:
            parts = {p.get("url"): p for p in _list(ext.get("extension")) if isinstance(p, dict)}
            code, content = parts.get("lang", {}).get("valueCode"), parts.get("content", {}).get("valueString")
            if not isinstance(code, str) or not isinstance(content, str):
                continue
            if isinstance(code, str) and isinstance(content, str):
                out[code] = content
    return out


def _list(value: Any) -> list[Any]:
    """``value`` if it is a list, else nothing: a malformed resource gets no further than the checks."""
    return value if isinstance(value, list) else []


def _ext(obj: Mapping[str, Any], name: str) -> Any:
    for ext in _list(obj.get("extension")):
        if isinstance(ext, dict) and ext.get("url") == f"{AKHLAK_URN}:{name}":
            return next((v for k, v in ext.items() if k.startswith("value")), None)
    return None


def _flat(items: Any, out: list[dict[str, Any]], depth: int = 0) -> list[dict[str, Any]]:
    """The items in order, groups opened (nested at most 32 deep)."""
    if depth > 32:
        raise QuestionnaireError("The FHIR Questionnaire nests items more than 32 deep.")
    for it in _list(items):
        if not isinstance(it, dict):
            continue
        if it.get("type") != "group":
            out.append(it)
        _flat(it.get("item"), out, depth + 1)
    return out


def document_from_fhir(resource: Mapping[str, Any], file: str) -> dict[str, Any]:
    """The questionnaire document (``akhlak-levels/questionnaire`` format) of a FHIR
    ``Questionnaire`` resource read from ``file``.

    Raises
    ------
    QuestionnaireError
        Everything found wrong, each problem naming the file, the item's position, its
        ``linkId`` and the value.
    """
    lang = resource.get("language")
    if not isinstance(lang, str) or not lang:
        raise QuestionnaireError(f"The FHIR Questionnaire {file} has no 'language': say which language its texts are "
                                 "in (e.g. \"language\": \"id\"); other languages go in the translation extension.")
    lang = lang.split("-")[0].lower()
    survey: list[dict[str, Any]] = []
    choices: list[dict[str, Any]] = []
    lists: dict[str, list[dict[str, Any]]] = {}
    for pos, it in enumerate(_flat(resource.get("item"), []), start=1):
        row: dict[str, Any] = {"_row": pos, "name": str(it.get("linkId", "")),
                               **{_label(c): t for c, t in _texts(it, "text", lang).items()}}
        answer_options = [o for o in _list(it.get("answerOption")) if isinstance(o, dict)]
        codings = [o.get("valueCoding") for o in answer_options]
        options: list[dict[str, Any]] = [c for c in codings if isinstance(c, dict)]
        kind = it.get("type")
        if kind in _CHOICE_TYPES and options and len(options) == len(codings):
            rows = [{"name": str(c.get("code", "")), **{_label(k): t for k, t in _texts(c, "display", lang).items()},
                     **({"akhlak_level": str(lvl)} if (lvl := _ext(o, "level")) is not None else {})}
                    for c, o in zip(options, answer_options)]
            name = _list_name(it, options, rows, lists)
            if name not in lists:
                lists[name] = rows
                choices += [{"list_name": name, "_row": pos, **r} for r in rows]
            row["type"] = f"{'select_multiple' if it.get('repeats') else 'select_one'} {name}"
        else:
            row["type"] = str(kind)
        for key, value in (("scale", _ext(it, "scale")), ("reverse", _ext(it, "reverse")), ("level", _ext(it, "level"))):
            if value is not None:
                row[f"akhlak::{key}"] = ("yes" if value else "no") if isinstance(value, bool) else str(value)
        survey.append(row)
    if not survey:
        raise QuestionnaireError(f"The FHIR Questionnaire {file} has no items.")
    form_id = next((i.get("value") for i in _list(resource.get("identifier")) if isinstance(i, dict)
                    and i.get("system") == AKHLAK_URN), None) or resource.get("id") or ""
    settings = {"form_id": str(form_id), "version": str(resource.get("version") or "1"), "default_language": f"x ({lang})"}
    return document_from_sheets(survey, choices, settings, _scale_rows(resource, file), file, kind="FHIR Questionnaire",
                                titles=_texts(resource, "title", lang) or None)


def _list_name(item: Mapping[str, Any], codings: list[Any], rows: list[dict[str, Any]],
               lists: Mapping[str, list[dict[str, Any]]]) -> str:
    """The choice list of an item: the last part of its codings' system when they share one and
    it names the same options as before, else the item's own."""
    systems = {c.get("system") for c in codings}
    if len(systems) == 1 and isinstance(next(iter(systems)), str):
        name = str(next(iter(systems))).rstrip("/").rsplit("/", 1)[-1]
        if name and lists.get(name, rows) == rows:
            return name
    return f"{item.get('linkId', '')}_options"


def _scale_rows(resource: Mapping[str, Any], file: str) -> list[dict[str, Any]]:
    rows = []
    for n, ext in enumerate(_list(resource.get("extension")), start=1):
        if not isinstance(ext, dict) or ext.get("url") != f"{AKHLAK_URN}:scale-definition":
            continue
        parts = {p.get("url"): next((v for k, v in p.items() if k.startswith("value")), None)
                 for p in _list(ext.get("extension")) if isinstance(p, dict)}
        if not isinstance(parts.get("id"), str):
            raise QuestionnaireError(f"The FHIR Questionnaire {file} cannot be read as a questionnaire:",
                                     [Problem("a scale-definition extension needs an 'id' part", file=file, row=n)])
        row: dict[str, Any] = {"_row": n, "name": parts["id"]}
        row.update({_label(k[5:]): str(v) for k, v in parts.items() if isinstance(k, str) and k.startswith("name-")})
        if parts.get("level") is not None:
            row["akhlak::level"] = str(parts["level"])
        rows.append(row)
    return rows
