"""The nesting bound read from a request body's bytes, before parsing, equals the depth of the
parsed document for any JSON (strings full of brackets, quotes and backslashes included)."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from akhlak_levels.server._errors import MAX_DEPTH, ApiError, _depth, parse_json

_TEXT = st.text(alphabet=st.sampled_from('ab[]{}"\\\\ /\u00e9'), max_size=8)
_JSON = st.recursive(st.none() | st.booleans() | st.integers() | _TEXT,
                     lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_TEXT, inner, max_size=3), max_leaves=20)


def _walk(doc) -> int:
    if isinstance(doc, list):
        return 1 + max(map(_walk, doc), default=0)
    if isinstance(doc, dict):
        return 1 + max(map(_walk, doc.values()), default=0)
    return 0


@given(_JSON, st.booleans())
def test_the_bound_equals_the_parsed_depth(doc, ascii_only):
    body = json.dumps(doc, ensure_ascii=ascii_only).encode("utf-8")
    assert _depth(body) == _walk(doc)


def test_a_body_nested_over_the_bound_is_refused_before_parsing():
    deep = b'{"answers": ' + b"[" * MAX_DEPTH + b"]" * MAX_DEPTH + b"}"
    try:
        parse_json(deep)
    except ApiError as err:
        assert (err.status, err.error) == (400, "malformed-json") and f"nests {MAX_DEPTH + 1} levels" in err.message
    else:  # pragma: no cover
        raise AssertionError("not refused")
    at_bound = b'{"answers": ' + b"[" * (MAX_DEPTH - 1) + b"]" * (MAX_DEPTH - 1) + b"}"
    assert _walk(parse_json(at_bound)) == MAX_DEPTH
