"""Error responses of the service: one JSON shape for every error, with the fields of the library's
:class:`~akhlak_levels.Problem` (row, respondent, item, value, message), and the request body
read with its size enforced while it arrives."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np

from ..errors import Problem

__all__ = ["ApiError", "error_body", "parse_json", "problem_json", "read_body", "shown"]

#: JSON nested deeper than this is refused before it is walked (the library's readers use 32 too).
MAX_DEPTH = 32


@dataclass
class ApiError(Exception):
    """An error answered as JSON: ``status``, a short ``error`` kind, a message and the problems."""

    status: int
    error: str
    message: str
    problems: Sequence[Problem] = ()
    headers: dict[str, str] = field(default_factory=dict)


def shown(value: Any, limit: int = 60) -> Any:
    """A value as an error shows it: JSON scalars as they are (a long text cut to its start and
    its length), lists and objects as a short JSON text."""
    if value is None or isinstance(value, (bool, float)):
        return value
    if isinstance(value, int):
        return value if value.bit_length() <= 53 else f"a whole number of about {len(str(value))} digits"
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=repr)
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text)} characters)"


def problem_json(p: Problem) -> dict[str, Any]:
    """The JSON of one problem: the fields of :class:`~akhlak_levels.Problem` a request can have."""
    return {"row": p.row, "respondent": p.respondent, "item": p.item, "value": shown(p.value), "message": p.message}


def error_body(err: ApiError) -> bytes:
    doc = {"status": err.status, "error": err.error, "message": err.message,
           "problems": [problem_json(p) for p in err.problems]}
    return json.dumps(doc, ensure_ascii=False, allow_nan=False).encode("utf-8")


async def read_body(request: Any, max_bytes: int) -> bytes:
    """The body of a Starlette request, refused with 413 as soon as it is known to exceed
    ``max_bytes``: from its Content-Length before anything is read, else (chunked transfer) when
    the running total passes it, without reading the rest."""
    too_large = ApiError(413, "body-too-large", f"The request body exceeds the limit of {max_bytes:,} bytes; "
                         "send fewer respondents per request.", headers={"connection": "close"})
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.isdigit():
            raise ApiError(400, "malformed-request", "The Content-Length header is not a number.")
        if int(declared) > max_bytes:
            raise too_large
    chunks, total = [], 0
    async for chunk in request.stream():
        total += len(chunk)
        if total > max_bytes:
            raise too_large
        chunks.append(chunk)
    return b"".join(chunks)


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def parse_json(body: bytes) -> Any:
    """The JSON document of a request body (UTF-8); 400 when it is not JSON, holds NaN or
    Infinity, or nests deeper than :data:`MAX_DEPTH`."""
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ApiError(400, "malformed-json", f"The request body is not UTF-8 text (byte {exc.start}).") from None
    depth = _depth(body)
    if depth > MAX_DEPTH:
        raise ApiError(400, "malformed-json", f"The JSON document nests {depth} levels deep; at most {MAX_DEPTH} are read.")
    try:
        return json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        raise ApiError(400, "malformed-json", f"The request body is not JSON: {exc.msg} at line {exc.lineno}, "
                                              f"column {exc.colno}.") from None
    except (ValueError, RecursionError) as exc:  # NaN/Infinity, a whole number of over 4,300 digits
        raise ApiError(400, "malformed-json", f"The request body is not JSON the service reads: {exc}.") from None


def _depth(body: bytes) -> int:
    """The deepest nesting of brackets outside strings, found without parsing, in a few numpy
    passes (a hostile body of a million brackets costs milliseconds): a quote counts unless an
    odd run of backslashes precedes it; a bracket counts outside strings."""
    raw = np.frombuffer(body, dtype=np.uint8)
    special = (raw == 0x22) | (raw == 0x5B) | (raw == 0x5D) | (raw == 0x7B) | (raw == 0x7D) | (raw == 0x5C)
    pos = np.flatnonzero(special)  # quotes, brackets and backslashes only: the rest cannot matter
    chars = raw[pos]
    quote = chars == 0x22
    backslash = chars == 0x5C
    if backslash.any():  # a quote after an odd run of backslashes is inside its string
        after_run = np.r_[False, backslash[:-1] & (pos[1:] - pos[:-1] == 1)]  # right after a backslash
        n = np.arange(len(pos))
        run_start = np.maximum.accumulate(np.where(backslash & ~after_run, n, -1))  # where the last run began
        run = np.where(quote & after_run, n - run_start, 0)  # the backslashes just before each quote
        quote &= run % 2 == 0
    outside = np.cumsum(quote) % 2 == 0  # after an even number of quotes (a closing quote too)
    steps = np.where((chars == 0x5B) | (chars == 0x7B), 1, 0) - np.where((chars == 0x5D) | (chars == 0x7D), 1, 0)
    steps[~outside] = 0
    return int(np.cumsum(steps).max()) if len(steps) else 0
