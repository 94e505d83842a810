"""An agency's own instrument from an XLSForm (``.xlsx``): the questionnaire document it holds.

XLSForm carries questions, choices and labels per language, but not what makes them an
instrument: which scale an item belongs to, its direction, the level it is keyed to. Those come
from extra columns that ODK and KoBo ignore (checked with pyxform in the tests):

- ``survey`` sheet: ``akhlak::scale`` (the scale ids of the item, space-separated; ``id:-1`` or
  ``id:+1`` keys the item in that scale against its direction, as psych's keys lists do; not
  ``-id``, which a spreadsheet reads as a formula), ``akhlak::reverse`` (``yes``/``no``: the
  item's direction in every scale not keyed otherwise), ``akhlak::level`` (1-5, the level a
  Likert item is keyed to);
- ``choices`` sheet: ``akhlak_level`` (1-5, the level a situational-judgement option is keyed
  to; a list with levels makes its questions choice items, any other list is a Likert scale with
  its choices as points 1..k). pyxform refuses ``::`` in choice columns, hence the underscore;
- an optional ``akhlak_scales`` sheet: ``name``, ``label::<Language> (<code>)``, ``akhlak::level``.

Which ``select_one`` rows are items: when the form has ``akhlak::`` columns, those with a value
in one of them or offering a list keyed by ``akhlak_level`` (the other questions are the form's
own, such as the unit); else every ``select_one``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import Any

from .errors import Problem, QuestionnaireError

__all__ = ["XLSFORM_SUFFIXES", "document_from_sheets", "document_from_xlsform"]

XLSFORM_SUFFIXES = (".xlsx",)
#: Language names XLSForm users write without a code.
_NAMED = {"english": "en", "indonesian": "id", "bahasa indonesia": "id", "indonesia": "id"}
_CODE = re.compile(r"\(([a-z]{2,3})\)\s*$")
_YES = {"yes": True, "true": True, "1": True, "true()": True, "ya": True,
        "no": False, "false": False, "0": False, "false()": False, "tidak": False, "": False}
#: Beyond these an .xlsx is no instrument (the largest bundled one is 40 KB and 2,000 cells).
_MAX_CELLS, _MAX_BYTES = 1_000_000, 20 * 2**20


def _language(header: str, file: str, problems: list[Problem]) -> str | None:
    """The language code of a ``label::...`` header (``None``: not one)."""
    name = header.split("::", 1)[1].strip()
    m = _CODE.search(name)
    if m:
        return m.group(1)
    code = _NAMED.get(name.casefold())
    if code is None:
        problems.append(Problem("a label column must name its language code, as 'label::Indonesian (id)'",
                                file=file, value=header))
    return code


def _read_sheets(file: str) -> list[list[dict[str, Any]]]:
    """The survey, choices, settings and akhlak_scales sheets as records; a file that is not a
    readable workbook, too large, or holding too many cells is refused."""
    try:
        from openpyxl import load_workbook
    except ImportError:  # pragma: no cover - exercised only without the extra
        raise ImportError("Reading an XLSForm needs openpyxl: pip install 'akhlak-levels[xlsx]'.") from None
    if os.path.getsize(file) > _MAX_BYTES:
        raise QuestionnaireError(f"The XLSForm {file} is larger than {_MAX_BYTES // 2**20} MB: not an instrument.")
    budget = [_MAX_CELLS]
    with open(file, "rb") as fh:  # openpyxl leaves the file open when it fails to load it
        try:
            wb = load_workbook(fh, read_only=True, data_only=True)
        except Exception as exc:
            raise QuestionnaireError(f"The file {file} is not a readable .xlsx workbook ({type(exc).__name__}).") from None
        try:
            return [_sheet(wb, name, file, budget) for name in ("survey", "choices", "settings", "akhlak_scales")]
        except QuestionnaireError:
            raise
        except Exception as exc:  # broken XML, a damaged zip member, ...
            raise QuestionnaireError(f"The file {file} is not a readable .xlsx workbook ({type(exc).__name__}).") from None
        finally:
            wb.close()


def _sheet(wb: Any, name: str, file: str, budget: list[int]) -> list[dict[str, Any]]:
    """A sheet as records keyed by the (stripped) header, with their 1-based row numbers."""
    if name not in wb.sheetnames:
        return []
    rows = wb[name].iter_rows(values_only=True)
    header = [str(h).strip() if h is not None else "" for h in next(rows, ())]
    out = []
    for n, row in enumerate(rows, start=2):
        budget[0] -= len(row)
        if budget[0] < 0:
            raise QuestionnaireError(f"The XLSForm {file} has more than {_MAX_CELLS:,} cells: not an instrument.")
        cells: dict[str, Any] = {h: ("" if v is None else str(v).strip()) for h, v in zip(header, row) if h}
        if any(cells.values()):
            cells["_row"] = n
            out.append(cells)
    return out


def _texts(row: Mapping[str, Any], prefix: str, langs: Mapping[str, str]) -> dict[str, str]:
    return {code: row[h] for h, code in langs.items() if h.startswith(prefix + "::") and row.get(h)}


def _label_columns(rows: list[dict[str, Any]], file: str, problems: list[Problem], default: str | None) -> dict[str, str]:
    """Header -> language code of every ``label::``/``label`` column of a sheet."""
    langs: dict[str, str] = {}
    for h in {h for r in rows for h in r if h.startswith(("label", "constraint_message"))}:
        if "::" in h:
            code = _language(h, file, problems)
            if code:
                langs[h] = code
        elif h == "label":
            if default is None:
                problems.append(Problem("a plain 'label' column needs the form's language: name it "
                                        "'label::Indonesian (id)' or set default_language on the settings sheet",
                                        file=file, value=h))
            else:
                langs[h] = default
    return langs


def document_from_xlsform(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The questionnaire document (``akhlak-levels/questionnaire`` format) of an XLSForm file.

    Raises
    ------
    QuestionnaireError
        Everything found wrong, each problem naming the file, the sheet row, the question and
        the value.
    """
    file = os.fspath(path)
    survey, choices, settings_rows, scales_sheet = _read_sheets(file)
    if not survey:
        raise QuestionnaireError(f"{file} is not an XLSForm: it has no 'survey' sheet with questions.")
    return document_from_sheets(survey, choices, (settings_rows or [{}])[0], scales_sheet, file)


def document_from_sheets(survey: list[dict[str, Any]], choices: list[dict[str, Any]], settings: Mapping[str, Any],
                         scales_sheet: list[dict[str, Any]], file: str, *, kind: str = "XLSForm",
                         titles: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The questionnaire document of an instrument given as XLSForm-shaped records (each with
    its ``_row``): the XLSForm reader's, and the FHIR reader's after it has laid a
    ``Questionnaire`` out so. ``titles`` (language -> title) replaces ``form_title``."""
    problems: list[Problem] = []
    default = None
    if settings.get("default_language"):
        default = _language("x::" + settings["default_language"], file, problems)
    survey_langs = _label_columns(survey, file, problems, default)
    choice_langs = _label_columns(choices, file, problems, default)
    lists = _lists(choices, choice_langs, file, problems)
    marked = any(h.startswith("akhlak::") for r in survey for h in r)
    items, formats, scale_keys = _items(survey, survey_langs, lists, marked, file, problems)
    scales = _scales(scale_keys, scales_sheet, file, problems, default)
    langs = sorted({c for c in survey_langs.values()}, key=lambda c: (c != default, c))
    if problems:
        raise QuestionnaireError(f"The {kind} {file} cannot be read as a questionnaire ({len(problems)} problems):", problems)
    form_id = settings.get("form_id") or os.path.splitext(os.path.basename(file))[0]
    title = settings.get("form_title") or form_id
    doc: dict[str, Any] = {"format": "akhlak-levels/questionnaire", "format_version": 1, "id": form_id,
                           "version": settings.get("version") or "1",
                           "title": dict(titles) if titles else ({langs[0]: title} if langs else {}),
                           "languages": langs, "items": items, "scales": scales}
    if formats:
        doc["response_formats"] = formats
    return doc


def _lists(choices: list[dict[str, Any]], langs: Mapping[str, str], file: str, problems: list[Problem]) -> dict[str, list[dict[str, Any]]]:
    lists: dict[str, list[dict[str, Any]]] = {}
    for row in choices:
        name = row.get("list_name") or row.get("list name", "")
        option = {"name": row.get("name", ""), "text": _texts(row, "label", langs), "row": row["_row"]}
        if row.get("label") and "label" in langs:
            option["text"].setdefault(langs["label"], row["label"])
        level = row.get("akhlak_level", "")
        if level:
            option["level"] = _level(level, "akhlak_level", row["_row"], name, file, problems)
        lists.setdefault(name, []).append(option)
    return lists


def _level(text: str, column: str, row: int, item: str, file: str, problems: list[Problem]) -> int | None:
    try:
        value = int(float(text))
    except ValueError:
        value = 0
    if str(value) not in (text, text.rstrip("0").rstrip(".")) or not 1 <= value <= 5:
        problems.append(Problem(f"{column} must be a level from 1 to 5", file=file, row=row, item=item, value=text))
        return None
    return value


def _items(survey: list[dict[str, Any]], langs: Mapping[str, str], lists: Mapping[str, list[dict[str, Any]]],
           marked: bool, file: str, problems: list[Problem]) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, dict[str, int]]]:
    items: list[dict[str, Any]] = []
    formats: dict[str, dict[str, Any]] = {}
    scale_keys: dict[str, dict[str, int]] = {}
    for row in survey:
        kind = row.get("type", "").split()
        keyed_list = len(kind) > 1 and any("level" in o for o in lists.get(kind[1], []))
        is_item = bool(kind) and kind[0] in ("select_one", "select1") and (
            not marked or keyed_list or any(row.get(h) for h in row if h.startswith("akhlak::")))
        if not is_item:
            if marked and kind and kind[0] in ("select_multiple",) and any(row.get(h) for h in row if h.startswith("akhlak::")):
                problems.append(Problem("a select_multiple question cannot be an item yet (vote instruments are "
                                        "written as questionnaire JSON)", file=file, row=row["_row"], item=row.get("name")))
            continue
        name, r = row.get("name", ""), row["_row"]
        options = lists.get(kind[1] if len(kind) > 1 else "", [])
        if len(options) < 2:
            problems.append(Problem("the question's choice list is missing or has fewer than 2 choices", file=file,
                                    row=r, item=name, value=row.get("type")))
            continue
        item: dict[str, Any] = {"id": name, "text": _texts(row, "label", langs)}
        if row.get("label") and "label" in langs:
            item["text"].setdefault(langs["label"], row["label"])
        reverse = row.get("akhlak::reverse", "").casefold()
        if reverse not in _YES:
            problems.append(Problem("akhlak::reverse must be yes or no", file=file, row=r, item=name, value=row.get("akhlak::reverse")))
        for token in row.get("akhlak::scale", "").split():
            sid, _, key = token.partition(":")
            item.setdefault("scales", []).append(sid)
            if key not in ("", "1", "+1", "-1"):
                problems.append(Problem("a key in akhlak::scale must be :+1 or :-1 (as 'neuroticism:-1')", file=file,
                                        row=r, item=name, value=token))
            elif key and (key == "-1") != bool(_YES.get(reverse)):  # keyed here against the item's direction
                scale_keys.setdefault(sid, {})[name] = -1 if key == "-1" else 1
            else:
                scale_keys.setdefault(sid, {})
        if any("level" in o for o in options):
            item.update(type="choice", options=_choice_options(options, name, file, problems))
            if _YES.get(reverse):
                problems.append(Problem("a choice item (its options keyed to levels) cannot be reversed", file=file, row=r, item=name))
        else:
            item.update(type="likert", format=kind[1])
            if kind[1] not in formats:
                formats[kind[1]] = _likert_format(kind[1], options, file, problems)
            if _YES.get(reverse):
                item["reverse"] = True
            if row.get("akhlak::level"):
                item["level"] = _level(row["akhlak::level"], "akhlak::level", r, name, file, problems)
        items.append(item)
    return items, list(formats.values()), scale_keys


def _choice_options(options: list[dict[str, Any]], item: str, file: str, problems: list[Problem]) -> list[dict[str, Any]]:
    out = []
    for code, o in enumerate(options, start=1):
        if o["name"] != str(code):
            problems.append(Problem(f"the choices of a situational-judgement question must be named 1, 2, ... in order "
                                    f"(the answer codes); this one should be {code}", file=file, row=o["row"], item=item,
                                    value=o["name"]))
        if "level" not in o:
            problems.append(Problem("every option of a situational-judgement question needs its akhlak_level",
                                    file=file, row=o["row"], item=item))
        out.append({"text": o["text"], **({"level": o["level"]} if o.get("level") else {})})
    return out


def _likert_format(name: str, options: list[dict[str, Any]], file: str, problems: list[Problem]) -> dict[str, Any]:
    labels: dict[str, list[str]] = {}
    aliases: list[list[str]] = []
    for code, o in enumerate(options, start=1):
        for lang, text in o["text"].items():
            labels.setdefault(lang, []).append(text)
        if o["name"].isdigit() and o["name"] != str(code):
            problems.append(Problem(f"a Likert choice named by a number must be named by its point ({code}): the "
                                    "export's values would be read as other points", file=file, row=o["row"], item=name,
                                    value=o["name"]))
        aliases.append([] if o["name"] == str(code) else [o["name"]])
    fmt: dict[str, Any] = {"id": name, "type": "likert", "points": len(options), "labels": labels}
    if any(aliases):
        fmt["aliases"] = aliases
    return fmt


def _scales(keys: Mapping[str, Mapping[str, int]], sheet: list[dict[str, Any]], file: str, problems: list[Problem],
            default: str | None) -> list[dict[str, Any]]:
    langs = _label_columns(sheet, file, problems, default)
    named = {r.get("name", ""): r for r in sheet}
    for sid in named:
        if sid not in keys:
            problems.append(Problem("a scale of the akhlak_scales sheet has no item (akhlak::scale)", file=file,
                                    row=named[sid]["_row"], value=sid))
    out = []
    order = [sid for sid in named if sid in keys] + [sid for sid in keys if sid not in named]
    for sid in order:  # the akhlak_scales sheet's order, then the others as first met
        k = keys[sid]
        row = named.get(sid, {})
        scale: dict[str, Any] = {"id": sid, "name": _texts(row, "label", langs) or {default or "en": sid}}
        if row.get("akhlak::level"):
            scale["level"] = _level(row["akhlak::level"], "akhlak::level", row["_row"], sid, file, problems)
        if k:
            scale["keys"] = dict(k)
        out.append(scale)
    return out
