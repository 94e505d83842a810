"""Forms for the survey tools agencies use, made from a questionnaire, with exactly the names,
titles and labels the readers expect back (one entry point: :func:`export_form`).

- :func:`xlsform_sheets`, :func:`to_xlsform`: XLSForm for ODK and KoBoToolbox;
- :func:`surveyjs_json`: a SurveyJS survey;
- :func:`fhir_questionnaire`: an HL7 FHIR R4 ``Questionnaire`` resource;
- :func:`google_apps_script`: a Google Apps Script that creates the Google Form.
"""

from ._export import FORM_FORMATS, export_form
from ._fhir import CODE_SYSTEM, fhir_questionnaire
from ._gforms import google_apps_script
from ._surveyjs import surveyjs_json
from ._xlsform import to_xlsform, xlsform_sheets

__all__ = ["CODE_SYSTEM", "FORM_FORMATS", "export_form", "fhir_questionnaire", "google_apps_script", "surveyjs_json",
           "to_xlsform", "xlsform_sheets"]
