"""JSON and JSONL: lists of records and responses documents, refusing keys given twice, answer keys
that collide with a respondent's fields, and nesting deeper than :data:`MAX_JSON_DEPTH`."""

from __future__ import annotations

import dataclasses
import functools
import json
from typing import Any, Iterable, Mapping

import numpy as np

from .. import _schema
from ..errors import Problem, ResponseError, SchemaError
from ._table import MAX_JSON_DEPTH, Table, check_header, decode, norm


def read_json(path: str) -> Table:
    with open(path, "rb") as fh:
        raw = fh.read()
    text = decode(path, raw)
    if not text.strip():
        raise ResponseError(f"The file {path} is empty: expected a JSON list of records or a responses document.")
    try:
        doc, problems = _Parser(path).parse(text)
    except json.JSONDecodeError as exc:
        raise ResponseError(f"The file {path} is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}.") from None
    if problems:
        raise ResponseError(f"The file {path} cannot be read as it is ({len(problems)} problems):", problems)
    if isinstance(doc, Mapping):
        return document_table(doc, path)
    if isinstance(doc, list):
        return from_records(doc, path, first_row=1)
    kind = "int" if isinstance(doc, str) and not text.lstrip().startswith('"') else type(doc).__name__  # over 4300 digits
    raise ResponseError(f"The file {path} holds a JSON {kind}; expected a list of records or a responses document.")


class _Repeated(dict):  # type: ignore[type-arg]
    """A JSON object that gives a key more than once (``repeated``), kept so the key is named."""

    repeated: tuple[str, ...] = ()


def _json_object(found: list[str], pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) < len(pairs):
        found.append("repeated")
        seen: set[str] = set()
        obj = _Repeated(obj)
        obj.repeated = tuple(dict.fromkeys(k for k, _ in pairs if k in seen or seen.add(k)))  # type: ignore[func-returns-value]
    return obj


def _json_int(digits: str) -> int | str:
    """An integer, or its digits as text when too long for ``int`` (Python's limit is 4300
    digits): no number is rounded, and as an answer the text is reported unreadable."""
    try:
        return int(digits)
    except ValueError:
        return digits


class _Parser:
    """Parses the JSON texts of one file (one per line of a JSONL file) with one decoder: keys
    given twice in an object are noted, and a number of over 4300 digits (Python's limit for
    ``int``) is read as its digits rather than failing."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.found: list[str] = []
        hook = functools.partial(_json_object, self.found)
        self.decoder = json.JSONDecoder(object_pairs_hook=hook)
        self.long_numbers = json.JSONDecoder(object_pairs_hook=hook, parse_int=_json_int)

    def parse(self, text: str) -> tuple[Any, list[Problem]]:
        """The JSON value of ``text`` and its problems: keys given twice in one object (JSON
        keeps the last value), nesting deeper than :data:`MAX_JSON_DEPTH`. Raises ``JSONDecodeError``."""
        self.found.clear()
        try:
            try:
                doc = self.decoder.decode(text)
            except ValueError as exc:
                if isinstance(exc, json.JSONDecodeError):
                    raise
                doc = self.long_numbers.decode(text)
        except RecursionError:
            return None, [Problem(f"objects and arrays are nested more than {MAX_JSON_DEPTH} levels deep (far too deep to be read)", file=self.path)]
        if not self.found and text.count("{") + text.count("[") <= MAX_JSON_DEPTH:
            return doc, []  # nothing given twice, and too few brackets to nest too deep: no need to walk
        return doc, _walk(doc, self.path)


def _walk(doc: Any, path: str) -> list[Problem]:
    """The objects that give a key twice, and the first place nested deeper than :data:`MAX_JSON_DEPTH`."""
    problems: list[Problem] = []
    level: list[tuple[Any, tuple[Any, ...]]] = [(doc, ())] if isinstance(doc, (dict, list)) else []
    depth = 1
    while level:  # level by level: problems come in document order within a level
        if depth > MAX_JSON_DEPTH:
            where = _json_path(level[0][1])
            problems.append(Problem(f"objects and arrays are nested more than {MAX_JSON_DEPTH} levels deep", file=path, path=where))
            break
        below = []
        for node, at in level:
            if isinstance(node, _Repeated):
                problems += [
                    Problem(f"the key {k!r} is given more than once in one object; a JSON reader keeps only the "
                            "last value and the others would be lost", file=path, path=_json_path((*at, k)))
                    for k in node.repeated
                ]
            for k, v in node.items() if isinstance(node, dict) else enumerate(node):
                if type(v) in _CONTAINERS:
                    below.append((v, (*at, k)))
        level, depth = below, depth + 1
    return problems


_CONTAINERS = (dict, list, _Repeated)


def _json_path(where: tuple[Any, ...]) -> str:
    return "$" + "".join(f"[{k}]" if isinstance(k, int) else f".{k}" for k in where)


def document_table(doc: Mapping[str, Any], path: str | None) -> Table:
    table = from_records(_records_of_document(doc, path), path, first_row=1)
    table.questionnaire_id = doc["questionnaire"]["id"]
    table.questionnaire_version = doc["questionnaire"].get("version")
    return table


def _records_of_document(doc: Mapping[str, Any], path: str | None) -> list[dict[str, Any]]:
    try:
        _schema.validate(doc, "responses", source=path)
    except SchemaError as exc:
        raise ResponseError(exc.summary, exc.problems) from None
    out, problems = [], []
    seen: dict[tuple[tuple[Any, ...], tuple[Any, ...]], list[tuple[str, str]]] = {}
    for r, respondent in enumerate(doc["respondents"]):
        flat, clashes = _flatten(respondent, f"$.respondents[{r}]", path, seen)
        out.append(flat)
        problems += clashes
    if problems:
        raise ResponseError(f"The responses document{' in ' + path if path else ''} gives a field twice:", problems)
    return out


def _flatten(
    rec: Mapping[str, Any], where: str, path: str | None, seen: dict[tuple[tuple[Any, ...], tuple[Any, ...]], list[tuple[str, str]]]
) -> tuple[dict[str, Any], list[Problem]]:
    """A respondent's fields and its ``answers`` as one record. An answer key that is also one
    of the fields (compared as headers are, without case and spaces) is a problem: one would
    overwrite the other. ``seen`` caches the clashes of each set of keys."""
    answers = rec["answers"]
    keys = (tuple(rec), tuple(answers))
    if keys not in seen:
        fields = {norm(k): k for k in keys[0] if k != "answers"}
        seen[keys] = [(k, fields[norm(k)]) for k in keys[1] if norm(k) in fields]
    problems = [
        Problem(f"the answer key {k!r} collides with the respondent's field {f!r}: one would overwrite the other",
                file=path, path=f"{where}.answers.{k}", value=k)
        for k, f in seen[keys]
    ]
    flat = dict(rec)
    del flat["answers"]
    flat.update(answers)
    return flat, problems


def read_jsonl(path: str) -> Table:
    with open(path, "rb") as fh:
        raw = fh.read()
    text = decode(path, raw)
    records, rows, problems, skipped = [], [], [], []
    seen: dict[tuple[tuple[Any, ...], tuple[Any, ...]], list[tuple[str, str]]] = {}
    parser = _Parser(path)
    lines = text.split("\n")  # not splitlines: U+2028 may sit inside a string
    if lines[-1] == "":
        lines.pop()  # the end of the last line, not a line
    for lineno, line in enumerate(lines, start=1):
        if not line.strip():
            skipped.append(lineno)
            continue
        try:
            rec, found = parser.parse(line)
        except json.JSONDecodeError as exc:
            problems.append(Problem(f"not valid JSON: {exc.msg}", file=path, row=lineno))
            continue
        if not found and type(rec) in (dict, _Repeated) and type(rec.get("answers")) in (dict, _Repeated):
            rec, found = _flatten(rec, "$", path, seen)
        if found:
            problems += [dataclasses.replace(p, row=lineno) for p in found]
            continue
        if not isinstance(rec, dict):
            problems.append(Problem("expected a JSON object per line", file=path, row=lineno, value=type(rec).__name__))
            continue
        records.append(rec)
        rows.append(lineno)
    if problems:
        raise ResponseError(f"The file {path} has lines that are not JSON records ({len(problems)}):", problems)
    if not records:
        raise ResponseError(f"The file {path} is empty: expected one JSON object per line.")
    table = from_records(records, path, rows=rows)
    table.skipped_rows = skipped
    return table


def _column(cells: list[Any]) -> np.ndarray:
    """The cells as a 1-D object array (np.array alone makes a column of equal-length lists 2-D)."""
    col = np.array(cells, dtype=object)
    return col if col.ndim == 1 else np.fromiter(cells, dtype=object, count=len(cells))


def from_records(records: list[Any], path: str | None, *, first_row: int = 1, rows: Iterable[int] | None = None) -> Table:
    if not records:
        raise ResponseError(f"No responses{' in ' + path if path else ''}: the list of records is empty.")
    row_numbers = list(rows) if rows is not None else list(range(first_row, first_row + len(records)))
    problems = []
    columns: dict[Any, None] = {}
    for rec, row in zip(records, row_numbers):
        if type(rec) is not dict and not isinstance(rec, Mapping):
            problems.append(Problem("expected a record (a dict / JSON object)", file=path, row=row, value=type(rec).__name__))
            continue
        columns.update(dict.fromkeys(rec))
    if problems:
        raise ResponseError(f"The responses{' in ' + path if path else ''} are not all records:", problems)
    keys = list(columns)  # as the records give them: 1 and "1" are two keys, both read
    check_header([str(k) for k in keys], path, row=None)
    data = [_column([rec.get(k) for rec in records]) for k in keys]
    return Table([str(k) for k in keys], data, np.array(row_numbers), path)
