"""JSON Schema loading and validation that reports every violation with its path."""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator

from .errors import Problem, SchemaError

SCHEMAS = ("questionnaire", "model", "responses")


@lru_cache(maxsize=None)
def load_schema(name: str) -> dict[str, Any]:
    """Return the bundled JSON Schema ``name`` (one of :data:`SCHEMAS`)."""
    if name not in SCHEMAS:
        raise ValueError(f"Unknown schema {name!r}; expected one of {SCHEMAS}.")
    text = resources.files("akhlak_levels").joinpath(f"schemas/{name}.schema.json").read_text("utf-8")
    return json.loads(text)


@lru_cache(maxsize=None)
def _validator(name: str) -> Draft202012Validator:
    return Draft202012Validator(load_schema(name))


def validate(document: Any, name: str, *, source: str | None = None) -> None:
    """Validate ``document`` against schema ``name``; raise :class:`SchemaError` listing all errors."""
    errors = sorted(_validator(name).iter_errors(document), key=lambda e: list(e.absolute_path))
    if errors:
        problems = [Problem(e.message, file=source, path=e.json_path) for e in errors]
        where = f" in {source}" if source else ""
        raise SchemaError(
            f"The {name} document{where} does not match its schema ({len(errors)} problems):",
            problems,
        )


def read_json(path: str, what: str) -> Any:
    """Read a UTF-8 JSON file, raising :class:`SchemaError` naming the file on failure."""
    try:
        with open(path, encoding="utf-8-sig") as fh:
            return json.load(fh)
    except UnicodeDecodeError as exc:
        raise SchemaError(f"The {what} file {path} is not UTF-8 text: {exc}") from None
    except json.JSONDecodeError as exc:
        raise SchemaError(
            f"The {what} file {path} is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"
        ) from None
