"""One entry point for every form: :func:`export_form` writes the chosen format to a file."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .._export import atomic_write
from ..questionnaire import Questionnaire, load_questionnaire
from ._fhir import fhir_questionnaire
from ._gforms import google_apps_script
from ._surveyjs import surveyjs_json
from ._xlsform import to_xlsform

__all__ = ["FORM_FORMATS", "export_form"]

#: The formats :func:`export_form` writes, and the file suffix each is written with.
FORM_FORMATS = {"xlsform": ".xlsx", "surveyjs": ".json", "fhir": ".json", "google-apps-script": ".gs"}
_BY_SUFFIX = {".xlsx": "xlsform", ".gs": "google-apps-script"}


def export_form(questionnaire: Questionnaire | str, path: str | os.PathLike[str], *, to: str | None = None,
                languages: str | Sequence[str] | None = None, consent: bool = True, unit: bool = True,
                units: Sequence[str] | None = None, respondent_id: bool = False, required: bool = True) -> Path:
    """Write the form of a questionnaire for a survey tool, with exactly the names, titles and
    labels the readers expect back.

    Parameters
    ----------
    questionnaire : Questionnaire or str
        A questionnaire or a bundled id / file path.
    path : str or PathLike
        The file to write, whole or not at all.
    to : {"xlsform", "surveyjs", "fhir", "google-apps-script"}, optional
        The format; by default from the suffix (``.xlsx``: XLSForm, ``.gs``: Google Apps Script;
        a ``.json`` file needs ``to``).
    languages : str or sequence of str, optional
        The form's languages, the first the default (default: the questionnaire's). A Google
        Form has one: the first is used, ``"id"`` by default.
    consent, unit, units, respondent_id, required
        As :func:`~akhlak_levels.interop.xlsform_sheets`.

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    ValueError
        An unknown format, or a suffix that does not say which.
    QuestionnaireError
        A name or text the format could not carry exactly.

    Examples
    --------
    >>> import json, tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp())
    >>> export_form("berakhlak", out / "form.xlsx").suffix
    '.xlsx'
    >>> survey = json.loads(export_form("berakhlak", out / "s.json", to="surveyjs").read_text("utf-8"))
    >>> survey["pages"][1]["elements"][0]["name"]
    'BP1a'
    """
    q = load_questionnaire(questionnaire)
    fmt = _format(path, to)
    options: dict[str, Any] = {"consent": consent, "unit": unit, "units": units, "respondent_id": respondent_id,
                               "required": required}
    if fmt == "xlsform":
        return to_xlsform(q, path, languages=languages, **options)
    if fmt == "google-apps-script":
        lang = languages if isinstance(languages, str) else (languages[0] if languages else "id")
        text = google_apps_script(q, language=lang, **options)
    else:
        make = surveyjs_json if fmt == "surveyjs" else fhir_questionnaire
        text = json.dumps(make(q, languages=languages, **options), ensure_ascii=False, indent=1) + "\n"
    with atomic_write(path) as fh:
        fh.write(text)
    return Path(path)


def _format(path: str | os.PathLike[str], to: str | None) -> str:
    if to is not None:
        if to not in FORM_FORMATS:
            raise ValueError(f"The 'to' parameter of export_form must be one of {list(FORM_FORMATS)}. Got {to!r} instead.")
        return to
    suffix = Path(path).suffix.lower()
    if suffix not in _BY_SUFFIX:
        raise ValueError(f"export_form cannot tell the format from the file name {os.fspath(path)!r}: pass to= one of "
                         f"{list(FORM_FORMATS)} (.xlsx is an XLSForm, .gs a Google Apps Script; a .json file may be "
                         "SurveyJS or FHIR).")
    return _BY_SUFFIX[suffix]
