"""The choices of the culture map, in one place: bands, top-list sizes, the value-index
definitions and the weights of the total health index.

None of the national survey's formulas is public (``docs/culture-map.md``). Each choice is this
project's own, stated and documented, and held as data: a vote questionnaire's optional
``culture_map`` block (:class:`~akhlak_levels.culture.CultureMapChoices`, read by the
questionnaire loader) sets them per instrument; the constants here are the defaults it falls
back on, and those the bundled ``berakhlak-culture-map`` states.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from .._votes import VALUE_INDEX_DEFINITIONS, CultureMapChoices

__all__ = [
    "ENTROPY_BANDS",
    "HEALTH_WEIGHTS",
    "INDEX_BANDS",
    "INDEX_DEFINITIONS",
    "MATCH_BANDS",
    "N_HINDERING",
    "TOP_N",
    "band_of",
    "category_of",
    "match_band_of",
]

_DEFAULT = CultureMapChoices()

#: Size of each question's top list (Barrett: the top ten values).
TOP_N = _DEFAULT.top_n

#: How many limiting behaviours of the current question are reported as hindering factors (the
#: national reports list five).
N_HINDERING = _DEFAULT.hindering

#: Barrett's cultural-entropy bands, on a continuous 0-100 scale: each band runs from above the
#: previous upper edge up to and including its own (Barrett's integer bands "0-10, 11-20, ..."
#: read so that 10.4 % is "healthy" only if <= 10, i.e. a band holds (lower, upper]).
ENTROPY_BANDS: tuple[tuple[str, float], ...] = _DEFAULT.entropy_bands

#: Barrett's bands for the matches between the current and desired top tens: the fewest matches
#: of each band.
MATCH_BANDS: tuple[tuple[str, int], ...] = _DEFAULT.match_bands

#: Index categories (code, label, lowest score), highest first: A Sehat >= 75, B Cukup Sehat
#: 50 to below 75, C Tidak Sehat 25 to below 50, D below 25 (label not public; our own).
INDEX_BANDS: tuple[tuple[str, str, float], ...] = tuple((c.code, c.label["id"], c.min) for c in _DEFAULT.categories)

#: The definitions of the implementation index of a value (``index=`` of
#: :func:`~akhlak_levels.culture_map`, ``value_index`` of a questionnaire's ``culture_map``):
#:
#: ``"reach"`` (default)
#:     100 x the share of respondents (who answered the current question) who picked at least one
#:     behaviour of the value there.
#: ``"votes"``
#:     100 x the mean number of the value's behaviours a respondent picked in the current
#:     question, over the most one could pick (``min(max_picks, behaviours of the value offered)``).
INDEX_DEFINITIONS = VALUE_INDEX_DEFINITIONS

#: Weights of the total health index: a weighted mean of positive energy, the overall
#: implementation index and current-desired alignment (100 x matches / TOP_N), all on 0-100.
#: Equal by default; only their ratios matter.
HEALTH_WEIGHTS: dict[str, float] = dict(_DEFAULT.health_weights)


def band_of(entropy: np.ndarray, bands: Sequence[tuple[str, float]] = ENTROPY_BANDS) -> np.ndarray:
    """Barrett's entropy band of each entropy in percent (``""`` where NaN); ``bands`` as
    :data:`ENTROPY_BANDS` (name, upper edge), from the lowest up.

    Examples
    --------
    >>> band_of(np.array([0.0, 10.0, 10.01, 40.0, 41.0, np.nan])).tolist()
    ['healthy', 'healthy', 'minor issues', 'serious issues', 'critical issues', '']
    """
    e = np.asarray(entropy, dtype=float)
    edges = np.array([u for _, u in bands[:-1]], dtype=float)
    names = np.array([b for b, _ in bands] + [""], dtype=object)
    pos = np.searchsorted(edges, e, side="left")
    return names[np.where(np.isnan(e), len(bands), pos)].astype(str)


def match_band_of(matches: np.ndarray, bands: Sequence[tuple[str, int]] = MATCH_BANDS) -> np.ndarray:
    """Barrett's band for a number of current-desired matches (``""`` where negative); ``bands``
    as :data:`MATCH_BANDS` (name, fewest matches), from the highest down.

    Examples
    --------
    >>> match_band_of(np.array([0, 1, 2, 3, 4, 5, 6, 10, -1])).tolist()
    ['poor', 'poor', 'fair', 'fair', 'good', 'good', 'excellent', 'excellent', '']
    """
    m = np.asarray(matches)
    out = np.full(m.shape, "", dtype=object)
    for name, low in list(bands)[::-1]:
        out[m >= low] = name
    return out.astype(str)


def category_of(score: np.ndarray, bands: Sequence[tuple[str, Any, float]] = INDEX_BANDS) -> np.ndarray:
    """Index category (A-D) of each 0-100 score (``""`` where NaN or below the lowest band);
    ``bands`` as :data:`INDEX_BANDS` (code, label, lowest score), highest first.

    Examples
    --------
    >>> category_of(np.array([92.4, 75.0, 74.9, 50.0, 39.8, 24.99, np.nan])).tolist()
    ['A', 'A', 'B', 'B', 'C', 'D', '']
    """
    s = np.asarray(score, dtype=float)
    mins = np.array([m for _, _, m in list(bands)[::-1]], dtype=float)
    codes = np.array([c for c, _, _ in list(bands)[::-1]] + [""], dtype=object)
    pos = np.searchsorted(mins, s, side="right") - 1
    return codes[np.where(np.isnan(s) | (pos < 0), len(mins), pos)].astype(str)
