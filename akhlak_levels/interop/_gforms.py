"""The questionnaire as a Google Apps Script that creates the Google Form.

Google Forms has one language per form and no import format: the script (run once at
script.google.com by the form's owner) creates the form with ``FormApp``, each question titled
with the item's text in the chosen language and offering its option labels, each vote question a
checkbox question with the pick count as its validation. Google's CSV export of the responses
then has those titles as headers and those labels as answers (checkboxes joined by ``", "``): the
layout the readers take, with no mapping.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from ..errors import Problem, QuestionnaireError
from ..questionnaire import Questionnaire
from ._common import CONSENT_TEXT, RESPONDENT_TEXT, UNIT_TEXT, form_options, picks_text

__all__ = ["google_apps_script"]

_AGREE = {"id": "Saya setuju", "en": "I agree"}


def google_apps_script(q: Questionnaire, *, language: str = "id", consent: bool = True, unit: bool = True,
                       units: Sequence[str] | None = None, respondent_id: bool = False,
                       required: bool = True) -> str:
    """A Google Apps Script (``.gs``) that creates the Google Form of ``q`` in ``language``.

    Takes the options of :func:`xlsform_sheets`, with one ``language`` (a Google Form has one).

    Returns
    -------
    str
        The script: a function ``createForm()`` that creates the form and logs its addresses.

    Raises
    ------
    QuestionnaireError
        As :func:`to_xlsform`; also a behaviour label holding ``", "`` (Google joins the
        checkboxes a person ticks with ``", "``, so the export could not be split back) and two
        questions with the same title in ``language`` (the export's headers would repeat).

    Examples
    --------
    >>> from akhlak_levels import load_questionnaire
    >>> script = google_apps_script(load_questionnaire("berakhlak-culture-map"), language="en")
    >>> "function createForm()" in script, "requireSelectExactly(10)" in script
    (True, True)
    """
    opts = form_options(q, language, consent=consent, unit=unit, units=units, respondent_id=respondent_id,
                        required=required, func="google_apps_script", fmt="a Google Form")
    (lang,) = opts.languages
    _check_google(q, lang)
    s = json.dumps
    req = "true" if opts.required else "false"
    lines = [
        f"// Creates the Google Form of questionnaire {q.id!r} version {q.version!r} ({lang}),",
        "// made by akhlak_levels. Run createForm() once at https://script.google.com; the form's",
        "// CSV export then reads back with akhlak_levels.read_responses / read_votes as it is.",
        "function createForm() {",
        f"  var form = FormApp.create({s(q.title.get(lang, q.id))});",
        f"  form.setDescription({s(q.description.get(lang, ''))});",
        "  form.setCollectEmail(false);",
    ]
    if opts.consent:
        lines.append(f"  form.addCheckboxItem().setTitle({s(CONSENT_TEXT[lang] if lang in CONSENT_TEXT else CONSENT_TEXT['en'])})"
                     f".setChoiceValues([{s(_AGREE.get(lang, _AGREE['en']))}]).setRequired(true);")
    if opts.unit:
        title = s(UNIT_TEXT.get(lang, UNIT_TEXT["en"]))
        if opts.units:
            lines.append(f"  form.addListItem().setTitle({title}).setChoiceValues({s(list(opts.units))}).setRequired(true);")
        else:
            lines.append(f"  form.addTextItem().setTitle({title}).setRequired(true);")
    if opts.respondent_id:
        lines.append(f"  form.addTextItem().setTitle({s(RESPONDENT_TEXT.get(lang, RESPONDENT_TEXT['en']))}).setRequired(true)"
                     ".setValidation(FormApp.createTextValidation().requireTextMatchesPattern('[0-9]{18}').build());")
    for it in q.items:
        labels = [o.get(lang, "") for o in it.options]
        lines.append(f"  form.addMultipleChoiceItem().setTitle({s(it.text[lang])}).setChoiceValues({s(labels)})"
                     f".setRequired({req});")
    for vq in q.vote_questions:
        rule = (f"requireSelectExactly({vq.min_picks})" if vq.exact
                else f"requireSelectAtLeast({vq.min_picks})")  # at most: see below
        labels = [q.behaviour(b).label[lang] for b in vq.behaviour_ids]
        lines.append(f"  form.addCheckboxItem().setTitle({s(vq.text[lang])}).setHelpText({s(picks_text(vq.min_picks, vq.max_picks, lang))})"
                     f".setChoiceValues({s(labels)}).setRequired({req})"
                     f".setValidation(FormApp.createCheckboxValidation().{rule}.build());")
        if not vq.exact:
            lines.append(f"  // Google Forms takes one rule per question: at most {vq.max_picks} is said in the help text"
                         " and checked when the export is read.")
    lines += ["  Logger.log('Form to fill in: ' + form.getPublishedUrl());",
              "  Logger.log('Form to edit: ' + form.getEditUrl());", "  return form;", "}", ""]
    return "\n".join(lines)


def _check_google(q: Questionnaire, lang: str) -> None:
    problems = [Problem("a behaviour label holds ', ', which Google's export uses to join the ticked boxes",
                        item=b.id, value=b.label[lang]) for b in q.behaviours if ", " in b.label.get(lang, "")]
    seen: dict[str, str] = {}
    for qid, title in [(it.id, it.text[lang]) for it in q.items] + [(vq.id, vq.text[lang]) for vq in q.vote_questions]:
        if title in seen:
            problems.append(Problem(f"two questions have the same title in {lang!r} (also {seen[title]!r}), so the "
                                    "export's headers would repeat", item=qid, value=title))
        seen.setdefault(title, qid)
    if problems:
        raise QuestionnaireError(f"Questionnaire {q.id!r} cannot be made a Google Form exactly:", problems)
