"""The service's OpenAPI 3.1 description, written out here (served at ``/openapi.json``): every
route, its request and response bodies, and the library's result schema as ``Result``."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any, Sequence

from .._version import __version__

__all__ = ["openapi_document"]

_REF = "#/components/schemas/"


def _result_schema() -> dict[str, Any]:
    """``schemas/result.schema.json`` as an OpenAPI component: its local references rewritten to
    where the component sits, its own ``$id`` and ``$schema`` left out."""
    text = resources.files("akhlak_levels").joinpath("schemas/result.schema.json").read_text(encoding="utf-8")
    text = text.replace('"#/$defs/', f'"{_REF}Result/$defs/')
    schema = json.loads(text)
    schema.pop("$id", None)
    schema.pop("$schema", None)
    return schema  # type: ignore[no-any-return]


def _json(ref: str, description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": {"$ref": _REF + ref}}}}


_ERRORS = {
    "400": _json("Error", "The body is not JSON (malformed, NaN, nested too deeply, not UTF-8)."),
    "401": _json("Error", "Bearer token missing or wrong (when the service has one)."),
    "404": _json("Error", "Unknown questionnaire."),
    "413": _json("Error", "The body exceeds the byte limit, or the batch the respondent limit."),
    "422": _json("Error", "Wrong types, an unknown field or item, or an answer that cannot be read: the problems name row, respondent, item and value."),
}


_TEXTS = {"type": "object", "description": "Text per language code (id: Indonesian, en: English).",
          "additionalProperties": {"type": "string"}}

_SCHEMAS: dict[str, Any] = {
    "Error": {
        "type": "object", "required": ["status", "error", "message", "problems"],
        "properties": {
            "status": {"type": "integer"}, "error": {"type": "string", "description": "A short kind, e.g. invalid-answers."},
            "message": {"type": "string"}, "problems": {"type": "array", "items": {"$ref": _REF + "Problem"}},
        },
    },
    "Problem": {
        "type": "object", "description": "The fields of the library's Problem; null where they do not apply.",
        "required": ["row", "respondent", "item", "value", "message"],
        "properties": {
            "row": {"type": ["integer", "null"], "description": "Position in 'respondents', from 0."},
            "respondent": {"type": ["string", "null"]}, "item": {"type": ["string", "null"]},
            "value": {"description": "The value refused (long texts shortened)."}, "message": {"type": "string"},
        },
    },
    "Answers": {"type": "object", "description": "Item id or question text (either language) -> code 1..k or option label; items may be left out.",
                "additionalProperties": {"type": ["integer", "number", "string", "null"]}},
    "RespondentId": {"type": ["string", "integer", "null"], "description": "Echoed in the result; never logged."},
    "Lang": {"enum": ["en", "id"], "default": "en", "description": "Language of level and category labels."},
    "ScoreRequest": {"type": "object", "required": ["answers"], "additionalProperties": False,
                     "properties": {"answers": {"$ref": _REF + "Answers"}, "respondent_id": {"$ref": _REF + "RespondentId"},
                                    "lang": {"$ref": _REF + "Lang"}}},
    "BatchRequest": {"type": "object", "required": ["respondents"], "additionalProperties": False,
                     "properties": {"respondents": {"type": "array", "items": {
                         "type": "object", "required": ["answers"], "additionalProperties": False,
                         "properties": {"answers": {"$ref": _REF + "Answers"}, "respondent_id": {"$ref": _REF + "RespondentId"}}}},
                         "lang": {"$ref": _REF + "Lang"}}},
    "Scored": {"type": "object", "required": ["respondent_id", "result"],
               "properties": {"respondent_id": {"$ref": _REF + "RespondentId"}, "result": {"$ref": _REF + "Result"}}},
    "BatchResult": {"type": "object", "required": ["n", "results"],
                    "properties": {"n": {"type": "integer"}, "results": {"type": "array", "items": {"$ref": _REF + "Scored"}}}},
    "Validation": {"type": "object", "required": ["valid", "n", "complete", "problems"],
                   "properties": {"valid": {"type": "boolean"}, "n": {"type": "integer"},
                                  "complete": {"type": "boolean", "description": "False when the listing stopped at 100 problems."},
                                  "problems": {"type": "array", "items": {"$ref": _REF + "Problem"}}}},
    "QuestionnaireSummary": {
        "type": "object", "required": ["id", "version", "questionnaire_hash", "model_hash", "model_kind", "library_version"],
        "properties": {"id": {"type": "string"}, "version": {"type": "string"}, "title": _TEXTS,
                       "languages": {"type": "array", "items": {"type": "string"}}, "n_items": {"type": "integer"},
                       "questionnaire_hash": {"type": "string"}, "model_hash": {"type": ["string", "null"]},
                       "model_kind": {"type": ["string", "null"]}, "has_levels": {"type": "boolean"},
                       "has_index": {"type": "boolean"}, "library_version": {"type": "string"}},
    },
    "Questionnaire": {"allOf": [{"$ref": _REF + "QuestionnaireSummary"}, {
        "type": "object", "required": ["items", "scales"],
        "properties": {
            "description": _TEXTS,
            "items": {"type": "array", "items": {"type": "object", "properties": {
                "id": {"type": "string"}, "type": {"enum": ["likert", "choice"]}, "text": _TEXTS, "reverse": {"type": "boolean"},
                "scales": {"type": "array", "items": {"type": "string"}},
                "options": {"type": "array", "items": {"type": "object", "properties": {"code": {"type": "integer"}, "label": _TEXTS}}}}}},
            "scales": {"type": "array", "items": {"type": "object"}},
            "index": {"type": ["object", "null"]},
        }}]},
}


def _op(summary: str, op_id: str, ok: dict[str, Any], errors: tuple[str, ...], body: str | None = None,
        qid: Sequence[str] = ()) -> dict[str, Any]:
    op: dict[str, Any] = {"summary": summary, "operationId": op_id, "responses": {"200": ok, **{c: _ERRORS[c] for c in errors}}}
    if qid:
        op["parameters"] = [{"name": "qid", "in": "path", "required": True, "schema": {"enum": list(qid)},
                             "description": "A served questionnaire id (GET /v1/questionnaires)."}]
    if body is not None:
        op["requestBody"] = {"required": True, "content": {"application/json": {"schema": {"$ref": _REF + body}}}}
    return op


def openapi_document(served: Sequence[str], *, auth: bool, max_body_bytes: int, max_batch: int) -> dict[str, Any]:
    """The OpenAPI 3.1 document of a service with these settings (``served``: the questionnaire ids)."""
    post = ("400", "401", "404", "413", "422")
    paths = {
        "/health": {"get": {"summary": "Liveness: the service answers (no token needed).", "operationId": "health", "security": [],
                            "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {
                                "type": "object", "properties": {"status": {"const": "ok"}}}}}}}}},
        "/openapi.json": {"get": {"summary": "This description (no token needed).", "operationId": "openapi", "security": [],
                                  "responses": {"200": {"description": "The OpenAPI document.",
                                                        "content": {"application/json": {"schema": {"type": "object"}}}}}}},
        "/v1/questionnaires": {"get": _op("The served questionnaires.", "listQuestionnaires", {
            "description": "One summary each.", "content": {"application/json": {"schema": {
                "type": "object", "properties": {"questionnaires": {"type": "array", "items": {"$ref": _REF + "QuestionnaireSummary"}}}}}}},
            ("401",))},
        "/v1/questionnaires/{qid}": {"get": _op(
            "A questionnaire: its items and options in Indonesian and English, its scales and index, its model's hash.",
            "showQuestionnaire", _json("Questionnaire", "The questionnaire."), ("401", "404"), qid=served)},
        "/v1/questionnaires/{qid}/score": {"post": _op(
            "Score one respondent.", "scoreOne", _json("Scored", "The result, traceable to questionnaire and model."),
            post, "ScoreRequest", served)},
        "/v1/questionnaires/{qid}/score-batch": {"post": _op(
            f"Score up to {max_batch:,} respondents in one pass.", "scoreBatch",
            _json("BatchResult", "One result per respondent, in order."), post, "BatchRequest", served)},
        "/v1/questionnaires/{qid}/validate": {"post": _op(
            "Check a batch: every problem listed (up to 100), nothing scored.", "validateBatch",
            _json("Validation", "valid is true when every answer can be read."), post, "BatchRequest", served)},
    }
    doc: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {"title": "akhlak_levels scoring service", "version": __version__,
                 "description": f"Scores BerAKHLAK and socio-emotional questionnaires into levels. Request bodies up to "
                                f"{max_body_bytes:,} bytes, batches up to {max_batch:,} respondents. Errors are JSON with "
                                "the library's problem fields (row, respondent, item, value, message)."},
        "paths": paths,
        "components": {"schemas": {**_SCHEMAS, "Result": _result_schema()}},
    }
    if auth:
        doc["components"]["securitySchemes"] = {"bearer": {"type": "http", "scheme": "bearer"}}
        doc["security"] = [{"bearer": []}]
    return doc
