"""What the endpoints do with a request's JSON: check its shape (422 naming the field), score one
respondent or a batch with the questionnaire's :class:`~akhlak_levels.Scorer`, or validate a batch
(every problem listed, nothing scored)."""

from __future__ import annotations

from dataclasses import replace
from itertools import repeat
from typing import Any, Mapping

from ..errors import Problem, ResponseError
from ..scorer import Scorer
from ._errors import ApiError, problem_json

__all__ = ["Limits", "score_batch", "score_one", "validate_batch"]

#: How many problems ``validate`` lists at most; ``complete`` is false when it stopped there.
MAX_PROBLEMS = 100
#: Respondents ``validate`` reads at a time (a problem makes it read the rest of a block again).
BLOCK = 64

_LANGS = ("en", "id")


class Limits:
    """The size limits of a service: bytes of a request body, respondents of a batch."""

    def __init__(self, max_body_bytes: int, max_batch: int):
        self.max_body_bytes = max_body_bytes
        self.max_batch = max_batch


def _invalid(message: str, *problems: Problem) -> ApiError:
    return ApiError(422, "invalid-request", message, problems)


def _object(doc: Any, allowed: tuple[str, ...], required: str) -> Mapping[str, Any]:
    if not isinstance(doc, dict):
        raise _invalid(f"The request body must be a JSON object with {required!r}; got a JSON {_kind(doc)}.")
    extra = sorted(set(doc) - set(allowed))
    if extra:
        raise _invalid(f"Unknown field {extra[0]!r} in the request; the fields are {list(allowed)}.")
    if required not in doc:
        raise _invalid(f"The request has no {required!r} field.")
    return doc


def _lang(doc: Mapping[str, Any]) -> str:
    lang = doc.get("lang", "en")
    if lang not in _LANGS:
        raise _invalid(f"'lang' must be one of {list(_LANGS)}.", Problem("not a language", value=lang))
    return str(lang)


_BAD = object()
_ENTRY_FIELDS = frozenset({"respondent_id", "answers"})


def _respondent_or_none(rid: Any) -> Any:
    """``rid`` when it can be a respondent id (None, a non-empty text, a whole number), else ``_BAD``."""
    return rid if rid is None or (type(rid) in (str, int) and rid != "") else _BAD


def _respondent(entry: Mapping[str, Any], row: int | None) -> str | int | None:
    rid = entry.get("respondent_id")
    if _respondent_or_none(rid) is not _BAD:
        return rid  # type: ignore[no-any-return]
    raise _invalid("A 'respondent_id' must be a non-empty text or a whole number.",
                   Problem(f"a respondent id cannot be a JSON {_kind(rid)}", row=row, value=rid))


def _answers(entry: Mapping[str, Any], row: int | None, rid: Any) -> dict[str, Any]:
    answers = entry.get("answers")
    if not isinstance(answers, dict):
        raise _invalid("'answers' must be a JSON object of item id or question text to answer.",
                       Problem(f"'answers' is a JSON {_kind(answers)}", row=row, respondent=_text(rid)))
    return answers


def _text(rid: Any) -> str | None:
    return None if rid is None else str(rid)


def _kind(v: Any) -> str:
    for t, name in ((bool, "boolean"), (dict, "object"), (list, "array"), (str, "string"), (int, "number"),
                    (float, "number")):
        if isinstance(v, t):
            return name
    return "null"


def _with_respondent(err: ResponseError, ids: list[Any]) -> ApiError:
    """The scorer's error as a 422, each problem naming the respondent of its row (of the one
    respondent, whose problems have no row)."""
    def rid(p: Problem) -> Any:
        return ids[0] if p.row is None and len(ids) == 1 else None if p.row is None else ids[p.row]

    problems = [p if rid(p) is None else replace(p, respondent=str(rid(p))) for p in err.problems]
    return ApiError(422, "invalid-answers", err.summary, problems)


def score_one(scorer: Scorer, doc: Any) -> dict[str, Any]:
    """``{"answers": {...}, "respondent_id"?, "lang"?}`` -> ``{"respondent_id", "result"}``."""
    body = _object(doc, ("answers", "respondent_id", "lang"), "answers")
    lang, rid = _lang(body), _respondent(body, None)
    answers = _answers(body, None, rid)
    try:
        result = scorer.score_one(answers, lang=lang)
    except ResponseError as err:
        raise _with_respondent(err, [rid]) from None
    return {"respondent_id": rid, "result": result}


def _batch(doc: Any, limits: Limits) -> tuple[list[Any], list[Any], str]:
    """The ids and answers of a batch request, its shape checked (422) and its size (413)."""
    body = _object(doc, ("respondents", "lang"), "respondents")
    lang, entries = _lang(body), body["respondents"]
    if not isinstance(entries, list):
        raise _invalid(f"'respondents' must be a JSON array of objects; got a JSON {_kind(entries)}.")
    if len(entries) > limits.max_batch:
        raise ApiError(413, "batch-too-large", f"The batch holds {len(entries):,} respondents; at most "
                                               f"{limits.max_batch:,} are scored per request: split it.")
    # the shape of every entry checked at once (C-level map and set); rows are looked for only
    # to name the first wrong one
    if set(map(type, entries)) - {dict}:
        row = next(r for r, e in enumerate(entries) if type(e) is not dict)
        raise _invalid("Each respondent must be an object with 'answers' and optionally 'respondent_id'.",
                       Problem(f"a JSON {_kind(entries[row])} is not allowed here", row=row))
    extra = set().union(*map(dict.keys, entries)) - _ENTRY_FIELDS
    if extra:
        row = next(r for r, e in enumerate(entries) if set(e) - _ENTRY_FIELDS)
        raise _invalid("Each respondent must be an object with 'answers' and optionally 'respondent_id'.",
                       Problem(f"field {sorted(set(entries[row]) - _ENTRY_FIELDS)[0]!r} is not allowed here", row=row))
    ids = list(map(dict.get, entries, repeat("respondent_id")))
    records = list(map(dict.get, entries, repeat("answers")))
    if set(map(type, ids)) - {str, int, type(None)} or "" in ids:
        row = next(r for r, rid in enumerate(ids) if _respondent_or_none(rid) is _BAD)
        _respondent(entries[row], row)  # raises, naming it
    if set(map(type, records)) - {dict}:
        row = next(r for r, rec in enumerate(records) if type(rec) is not dict)
        _answers(entries[row], row, ids[row])  # raises, naming it
    named = [str(rid) for rid in ids if rid is not None]
    if len(set(named)) < len(named):
        seen: dict[str, int] = {}
        for row, rid in enumerate(ids):
            if rid is not None and str(rid) in seen:
                raise _invalid("Each respondent id may appear once in a batch.",
                               Problem(f"also at row {seen[str(rid)]}", row=row, respondent=str(rid)))
            seen.setdefault(str(rid), row)
    return ids, records, lang


def score_batch(scorer: Scorer, doc: Any, limits: Limits) -> dict[str, Any]:
    """``{"respondents": [{"respondent_id"?, "answers"}, ...], "lang"?}`` -> one result each, in order."""
    ids, records, lang = _batch(doc, limits)
    try:
        results = scorer.score_many(records, lang=lang)
    except ResponseError as err:
        raise _with_respondent(err, ids) from None
    return {"n": len(results), "results": [{"respondent_id": rid, "result": r} for rid, r in zip(ids, results)]}


def validate_batch(scorer: Scorer, doc: Any, limits: Limits) -> dict[str, Any]:
    """Every problem of a batch (up to :data:`MAX_PROBLEMS`), nothing scored.

    The batch is read as ``score_many`` reads it, in blocks of :data:`BLOCK` respondents; in a
    block with a problem, reading starts again after the respondent that has it, whose answers
    are each read alone to list all of its problems. A clean batch costs one pass; the work for
    a batch full of problems stays bounded (at most :data:`MAX_PROBLEMS` re-reads of a block)."""
    ids, records, _ = _batch(doc, limits)
    problems: list[Problem] = []
    start = 0
    while start < len(records) and len(problems) < MAX_PROBLEMS:
        end = min(start + BLOCK, len(records))
        try:
            scorer.codes_many(records[start:end])
            start = end
            continue
        except ResponseError as err:
            first = err.problems[0]
            row = start + (first.row or 0)
        own: list[Problem] = []
        for key, value in records[row].items():  # the answers of one respondent, each alone
            if len(problems) + len(own) >= MAX_PROBLEMS:
                break
            try:
                scorer.codes_one({key: value})
            except ResponseError as one:
                own.extend(one.problems)
        for p in own or [first]:  # no answer wrong alone: two keys name one item
            problems.append(replace(p, row=row, respondent=_text(ids[row])))
        start = row + 1
    complete = start >= len(records) and len(problems) < MAX_PROBLEMS
    return {"valid": not problems, "n": len(records), "complete": complete,
            "problems": [problem_json(p) for p in problems[:MAX_PROBLEMS]]}
