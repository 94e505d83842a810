"""JSON Schema loading and validation that reports every violation with its path.

Before a document meets its schema, two cheap limits keep a hostile or broken file from taking
minutes or crashing with a foreign error: a file larger than the limit its reader gives is
refused before it is read (:func:`read_json`), and a document nested deeper than
:data:`MAX_DEPTH` is refused before the schema walks it (:func:`validate`).
"""

from __future__ import annotations

import json
import os
from functools import lru_cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator

from .errors import Problem, SchemaError

SCHEMAS = ("questionnaire", "model", "responses", "result")

#: How deep a JSON document may nest (objects and arrays). A questionnaire or a level model is
#: about 6 levels deep; the limit keeps validation far from Python's recursion limit.
MAX_DEPTH = 32


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
    """Validate ``document`` against schema ``name``; raise :class:`SchemaError` listing all errors.

    A document nested deeper than :data:`MAX_DEPTH` levels is refused first, naming where.
    """
    check_depth(document, name, source=source)
    errors = sorted(_validator(name).iter_errors(document), key=lambda e: list(e.absolute_path))
    if errors:
        problems = [Problem(e.message, file=source, path=e.json_path) for e in errors]
        where = f" in {source}" if source else ""
        raise SchemaError(
            f"The {name} document{where} does not match its schema ({len(errors)} problems):",
            problems,
        )


def check_depth(document: Any, name: str, *, source: str | None = None, limit: int = MAX_DEPTH) -> None:
    """Raise :class:`SchemaError` when ``document`` nests objects and arrays deeper than ``limit``.

    The walk is iterative (a stack, no recursion), so any depth is measured safely.

    Examples
    --------
    >>> check_depth({"a": [[1, 2]]}, "model")
    >>> check_depth({"a": [[[1]]]}, "model", source="m.json", limit=3)
    Traceback (most recent call last):
    ...
    akhlak_levels.errors.SchemaError: The model document in m.json nests objects and arrays more than 3 levels deep ...
    """
    stack: list[tuple[Any, int, tuple[Any, ...]]] = [(document, 1, ())]
    while stack:
        node, depth, where = stack.pop()
        if depth > limit:
            path = "$" + "".join(f"[{k}]" if isinstance(k, int) else f".{k}" for k in where)
            raise SchemaError(
                f"The {name} document{' in ' + source if source else ''} nests objects and arrays more than "
                f"{limit} levels deep (at {path}); a {name} document is a few levels deep. "
                "Check that the file is the one meant.",
                [Problem(f"nested more than {limit} levels deep", file=source, path=path)],
            )
        children = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
        for key, value in children:
            if isinstance(value, (dict, list)):
                stack.append((value, depth + 1, (*where, key)))


def read_json(path: str, what: str, *, max_bytes: int | None = None) -> Any:
    """Read a UTF-8 JSON file, raising :class:`SchemaError` naming the file on failure.

    A file larger than ``max_bytes`` is refused before it is read; JSON nested too deeply for the
    parser is refused as well (rather than with a ``RecursionError``).
    """
    if max_bytes is not None:
        size = os.path.getsize(path)
        if size > max_bytes:
            raise SchemaError(
                f"The {what} file {path} is {_megabytes(size)}; a {what} file may be at most "
                f"{_megabytes(max_bytes)}. Check that the file is the one meant."
            )
    try:
        with open(path, encoding="utf-8-sig") as fh:
            return json.load(fh)
    except UnicodeDecodeError as exc:
        raise SchemaError(f"The {what} file {path} is not UTF-8 text: {exc}") from None
    except json.JSONDecodeError as exc:
        raise SchemaError(
            f"The {what} file {path} is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"
        ) from None
    except RecursionError:
        raise SchemaError(
            f"The {what} file {path} nests objects and arrays too deeply to be read (a {what} document "
            f"is at most {MAX_DEPTH} levels deep). Check that the file is the one meant."
        ) from None


def _megabytes(n: int) -> str:
    return f"{n / 2**20:.1f} MiB ({n:,} bytes)"
