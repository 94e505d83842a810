"""What every form export shares: the languages, the questions added around the instrument
(consent, work unit, respondent id), and the checks that a form can carry the instrument's names
and texts exactly, so that its export reads back with no mapping."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .._export import FORMULA_STARTS
from ..errors import Problem, QuestionnaireError
from ..questionnaire import Questionnaire

#: Language names as the tools show them (XLSForm's ``label::English (en)``).
LANGUAGE_NAMES = {"id": "Indonesian", "en": "English"}

#: An XML name as ODK and XLSForm require for question and choice names (no colon).
XML_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")

#: The names of the questions a form adds around the instrument's items.
CONSENT, UNIT, RESPONDENT = "consent", "unit", "respondent_id"

CONSENT_TEXT = {
    "id": ("Jawaban Anda dipakai untuk memetakan budaya kerja dan tingkat sosial-emosional secara "
           "berkelompok. Hasil kelompok kecil tidak ditampilkan, dan data pribadi Anda dilindungi "
           "sesuai UU No. 27 Tahun 2022 tentang Pelindungan Data Pribadi. Dengan melanjutkan, Anda "
           "menyetujui jawaban Anda diolah untuk tujuan ini."),
    "en": ("Your answers are used to map working culture and socio-emotional levels by group. "
           "Results of small groups are not shown, and your personal data is protected under Law "
           "No. 27 of 2022 on Personal Data Protection. By continuing you agree that your answers "
           "are processed for this purpose."),
}
UNIT_TEXT = {"id": "Unit kerja", "en": "Work unit"}
RESPONDENT_TEXT = {"id": "NIP (18 digit)", "en": "Civil servant number (NIP, 18 digits)"}
PICKS_TEXT = {
    "id": "Pilih tepat {n} perilaku.",
    "en": "Choose exactly {n} behaviours.",
}
PICKS_RANGE_TEXT = {
    "id": "Pilih {lo} sampai {hi} perilaku.",
    "en": "Choose {lo} to {hi} behaviours.",
}


@dataclass(frozen=True)
class FormOptions:
    """The choices every export takes (checked once by :func:`form_options`)."""

    languages: tuple[str, ...]
    consent: bool
    unit: bool
    units: tuple[str, ...]
    respondent_id: bool
    required: bool


def form_options(q: Questionnaire, languages: str | Sequence[str] | None, *, consent: bool, unit: bool,
                 units: Sequence[str] | None, respondent_id: bool, required: bool, func: str, fmt: str) -> FormOptions:
    """Check the options of an export of ``q`` as ``fmt`` (``func`` names the function in errors),
    then that the form can carry the instrument in those languages (:func:`check_exportable`)."""
    if languages is None:
        langs = tuple(q.languages)
    elif isinstance(languages, str):
        langs = (languages,)
    else:
        langs = tuple(languages)
    unknown = [lang for lang in langs if lang not in q.languages]
    if not langs or unknown or len(set(langs)) != len(langs):
        raise ValueError(f"The 'languages' parameter of {func} must be one or more of {list(q.languages)} "
                         f"(the questionnaire's languages), each once. Got {languages!r} instead.")
    unit_list = tuple(units or ())
    if any(not isinstance(u, str) or not u.strip() for u in unit_list) or len(set(unit_list)) != len(unit_list):
        raise ValueError(f"The 'units' parameter of {func} must be distinct non-empty texts. Got {units!r} instead.")
    if unit_list and not unit:
        raise ValueError(f"{func}: 'units' were given but unit=False: there is no unit question to offer them.")
    for name, flag in (("consent", consent), ("unit", unit), ("respondent_id", respondent_id), ("required", required)):
        if not isinstance(flag, bool):
            raise ValueError(f"The {name!r} parameter of {func} must be True or False. Got {flag!r} instead.")
    check_exportable(q, langs, fmt)
    return FormOptions(langs, consent, unit, unit_list, respondent_id, required)


def language_label(lang: str) -> str:
    """``"Indonesian (id)"``: a language as XLSForm and the tools name it."""
    return f"{LANGUAGE_NAMES.get(lang, lang)} ({lang})"


def scale_keys_text(q: Questionnaire, item: Any) -> str:
    """An item's scales as the forms write them (``akhlak::scale``, the FHIR ``scale`` extension):
    space-separated ids, ``id:-1`` / ``id:+1`` where its key in that scale differs from its own
    direction (``reverse``); read back by :func:`~akhlak_levels.load_questionnaire`."""
    tokens = []
    for sid in item.scales:
        key = q.scale(sid).key(item.id)
        tokens.append(f"{sid}:{key:+d}" if (key == -1) != item.reverse else sid)
    return " ".join(tokens)


def check_exportable(q: Questionnaire, langs: Sequence[str], fmt: str) -> None:
    """Refuse what a form could not carry exactly: a question or behaviour id that is no XML name
    (ODK, FHIR linkIds and SurveyJS names are read back by it), an empty text in a language of the
    form, or a text a spreadsheet would read as a formula."""
    problems: list[Problem] = []
    names = [(it.id, "item") for it in q.items] + [(vq.id, "vote question") for vq in q.vote_questions]
    names += [(b.id, "behaviour") for b in q.behaviours]
    for name, kind in names:
        if not XML_NAME.match(name) or name in (CONSENT, UNIT, RESPONDENT):
            problems.append(Problem(f"a {kind} id must be a name a form can use (a letter or '_' first, then letters, "
                                    f"digits, '_', '-' or '.'; not {CONSENT!r}, {UNIT!r} or {RESPONDENT!r})",
                                    item=name, value=name))
    for owner, text in _texts(q, langs):
        if not text.strip():
            problems.append(Problem("a text shown in the form is empty in a language of the form", item=owner, value=text))
        elif text.startswith(FORMULA_STARTS):
            problems.append(Problem("a text shown in the form starts like a spreadsheet formula, so a spreadsheet "
                                    "would change it and the export would not read back", item=owner, value=text))
    if problems:
        raise QuestionnaireError(f"Questionnaire {q.id!r} cannot be exported as {fmt} exactly:", problems)


def _texts(q: Questionnaire, langs: Sequence[str]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for it in q.items:
        out += [(it.id, it.text.get(lang, "")) for lang in langs]
        out += [(it.id, o.get(lang, "")) for o in it.options for lang in langs]
    for vq in q.vote_questions:
        out += [(vq.id, vq.text.get(lang, "")) for lang in langs]
    for b in q.behaviours:
        out += [(b.id, b.label.get(lang, "")) for lang in langs]
    return out


def picks_text(min_picks: int, max_picks: int, lang: str) -> str:
    """The instruction on how many behaviours to pick, in ``lang`` (English where unknown)."""
    if min_picks == max_picks:
        return PICKS_TEXT.get(lang, PICKS_TEXT["en"]).format(n=min_picks)
    return PICKS_RANGE_TEXT.get(lang, PICKS_RANGE_TEXT["en"]).format(lo=min_picks, hi=max_picks)


def per_language(texts: Mapping[str, str], langs: Sequence[str]) -> dict[str, str]:
    """``texts`` restricted to ``langs`` (English, then any, where a language has no text)."""
    fallback = texts.get("en") or next(iter(texts.values()), "")
    return {lang: texts.get(lang) or fallback for lang in langs}


def option_lists(q: Questionnaire) -> tuple[dict[str, str], dict[str, list[Any]]]:
    """Each item's choice list name, and each list's options (label mappings, codes from 1).

    Likert items of one response format share its list (named by the format); a choice item
    has its own list (``<item id>_options``)."""
    list_of: dict[str, str] = {}
    lists: dict[str, list[Any]] = {}
    for it in q.items:
        name = it.format if it.type == "likert" and it.format else f"{it.id}_options"
        name = re.sub(r"[^A-Za-z0-9_.\-]", "_", name)
        if not XML_NAME.match(name):
            name = "_" + name
        if name in lists and lists[name] != list(it.options):
            name = f"{it.id}_options"
        lists.setdefault(name, list(it.options))
        list_of[it.id] = name
    return list_of, lists
