"""Reading the cells of a vote question: which behaviours one cell picks.

A cell holds the picks of one respondent in one vote question, as the form tools export them:

- labels joined by ``", "`` (Google Forms checkboxes) or ``";"`` (Microsoft Forms, often with a
  trailing ``;``), in any language of the questionnaire, any case and spacing;
- behaviour ids separated by spaces (ODK and KoBoToolbox choice names);
- a list of labels or ids (a JSON array, or a list in a DataFrame cell).

Labels may themselves hold a comma or a semicolon, so a text is split by matching the known
labels and ids, and a text that splits into known behaviours in two different ways is reported
as ambiguous rather than guessed. A cell is read once per distinct value of its column.

Examples
--------
>>> from akhlak_levels import load_questionnaire
>>> q = load_questionnaire("berakhlak-culture-map")
>>> keys = VoteKeys(q)
>>> picks, why = read_cell("Jujur,  CERMAT; honest", keys)
>>> [q.behaviours[p].id for p in picks], why
(['jujur', 'cermat', 'jujur'], None)
>>> read_cell("jujur cermat", keys)[0] == read_cell(["jujur", "careful"], keys)[0]
True
>>> read_cell("jujur, tidak ada", keys)[1]
"'tidak ada' is not a behaviour of the list (expected labels or behaviour ids)"
"""

from __future__ import annotations

import math
import re

import numpy as np

from ._coding import NA_TOKENS
from ._readers import norm
from .questionnaire import Questionnaire

_SEPARATORS = ",;"
_SPLIT = re.compile(r"[,;]")


class VoteKeys:
    """The texts that name a behaviour: each id and each label in every language (after
    :func:`norm`), mapped to the behaviour's position in ``questionnaire.behaviours``. An id
    wins over a label of another behaviour written the same."""

    def __init__(self, q: Questionnaire):
        self.ids: dict[str, int] = {norm(b.id): p for p, b in enumerate(q.behaviours)}
        keys: dict[str, int] = {}
        for p, b in enumerate(q.behaviours):
            for label in b.label.values():
                keys.setdefault(norm(label), p)
        keys.update(self.ids)
        self.keys = keys
        #: Keys holding a separator: a text containing one must be split by matching.
        self.joined = sorted((k for k in keys if any(c in k for c in _SEPARATORS)), key=len, reverse=True)
        self.longest_first = sorted(keys, key=len, reverse=True)


def _matches(s: str, i: int, keys: VoteKeys, memo: dict[int, list[tuple[int, ...]]]) -> list[tuple[int, ...]]:
    """Up to two different ways to read ``s[i:]`` as keys joined by separators (spaces around a
    separator and a trailing separator allowed)."""
    if i in memo:
        return memo[i]
    while i < len(s) and (s[i] == " " or s[i] in _SEPARATORS):
        i += 1
    if i >= len(s):
        return [()]
    found: list[tuple[int, ...]] = []
    for key in keys.longest_first:
        if not s.startswith(key, i):
            continue
        j = i + len(key)
        while j < len(s) and s[j] == " ":
            j += 1
        if j < len(s) and s[j] not in _SEPARATORS:
            continue
        for rest in _matches(s, j, keys, memo):
            parse = (keys.keys[key], *rest)
            if all(sorted(parse) != sorted(other) for other in found):
                found.append(parse)
            if len(found) >= 2:
                break
        if len(found) >= 2:
            break
    memo[i] = found
    return found


def _unknown(piece: str) -> str:
    return f"{piece!r} is not a behaviour of the list (expected labels or behaviour ids)"


def _read_text(text: str, keys: VoteKeys) -> tuple[tuple[int, ...], str | None]:
    """The behaviour positions a text names, in the order written, or ``((), why)``."""
    s = norm(text)
    if s in NA_TOKENS:
        return (), None
    pieces = [p.strip() for p in _SPLIT.split(s)]
    pieces = [p for p in pieces if p]
    if not any(k in s for k in keys.joined):  # the plain case: split at every separator
        if all(p in keys.keys for p in pieces):
            return tuple(keys.keys[p] for p in pieces), None
        if len(pieces) == 1 and all(w in keys.ids for w in pieces[0].split()):  # ODK choice names
            return tuple(keys.ids[w] for w in pieces[0].split()), None
        return (), _unknown(next(p for p in pieces if p not in keys.keys))
    found = _matches(s, 0, keys, {})
    if len(found) == 1:
        return found[0], None
    if not found:
        bad = [p for p in pieces if p not in keys.keys]
        return (), _unknown(bad[0] if bad else s)
    shown = [sorted(found[k]) for k in range(2)]
    return (), f"the text splits into known behaviours in more than one way: positions {shown[0]} or {shown[1]}"


def read_cell(v: object, keys: VoteKeys) -> tuple[tuple[int, ...], str | None]:
    """The behaviour positions one cell picks, in the order written (repeats kept, so that they
    can be reported), and None; or ``((), why)`` when the cell cannot be read. An empty cell,
    an NA text, None, NaN and an empty list pick nothing."""
    if isinstance(v, (bytes, bytearray)):
        try:
            v = bytes(v).decode("utf-8")
        except UnicodeDecodeError:
            return (), "bytes that are not UTF-8 text"
    if v is None or (isinstance(v, (float, np.floating)) and math.isnan(v)):
        return (), None
    if isinstance(v, str):
        return _read_text(v, keys)
    if isinstance(v, (list, tuple, np.ndarray)):
        out: list[int] = []
        for e in list(v):
            if not isinstance(e, str):
                return (), f"a list element is not text: {e!r}"
            p = keys.keys.get(norm(e))
            if p is None:
                return (), _unknown(norm(e))
            out.append(p)
        return tuple(out), None
    if type(v).__name__ in ("NAType", "NaTType"):
        return (), None
    return (), f"expected labels or behaviour ids as text or a list, got {type(v).__name__}"


def check_picks(
    picks: tuple[int, ...], offered: frozenset[int], min_picks: int, max_picks: int, ids: tuple[str, ...]
) -> str | None:
    """Why the picks of one cell break the question's rules, or None. No picks at all is an
    unanswered question, not too few."""
    for p in picks:
        if p not in offered:
            return f"behaviour {ids[p]!r} is not offered in this question"
    seen: set[int] = set()
    for p in picks:
        if p in seen:
            return f"behaviour {ids[p]!r} is picked more than once"
        seen.add(p)
    if len(picks) > max_picks:
        return f"{len(picks)} behaviours picked; at most {max_picks} are allowed"
    if 0 < len(picks) < min_picks:
        return f"{len(picks)} behaviours picked; at least {min_picks} are required"
    return None
