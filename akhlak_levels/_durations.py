"""Completion times as an export writes them (seconds, ``"12,5"``, ``"mm:ss"``, ``"hh:mm:ss"``),
read into seconds per respondent with every unreadable value reported.

The careless-responding speed check uses them; they are read here, with the other columns of an
export, so that a bad value is reported with its row and respondent.
"""

from __future__ import annotations

import math
import re
from typing import Any, Sequence

import numpy as np

from .errors import Problem, ResponseError

__all__ = ["parse_durations"]

_CLOCK = re.compile(r"^(?:(\d+):)?(\d+):(\d+(?:[.,]\d+)?)$")
_NUMBER = re.compile(r"^\d+(?:[.,]\d+)?$")


def _parse_duration(v: object) -> float | None:
    """Seconds from a number, ``"12.5"``/``"12,5"``, ``"mm:ss"`` or ``"hh:mm:ss"``; NaN for blank;
    None when unreadable or negative."""
    if v is None:
        return float("nan")
    if isinstance(v, (bool, np.bool_)):
        return None
    if isinstance(v, (int, float, np.integer, np.floating)):
        x = float(v)
        if math.isnan(x):
            return x
        return x if x >= 0 and math.isfinite(x) else None
    s = str(v).strip()
    if s.casefold() in ("", "na", "n/a", "nan", "null", "none", "-", "--"):
        return float("nan")
    if _NUMBER.match(s):
        return float(s.replace(",", "."))
    m = _CLOCK.match(s)
    if m:
        h = int(m.group(1) or 0)
        mm = int(m.group(2))
        ss = float(m.group(3).replace(",", "."))
        if (m.group(1) is not None and mm >= 60) or ss >= 60:
            return None
        return 3600.0 * h + 60.0 * mm + ss
    return None


def parse_durations(values: Sequence[Any] | np.ndarray, respondent_ids: np.ndarray, *, column: str | None = None) -> np.ndarray:
    """Completion times in seconds, one per respondent.

    Parameters
    ----------
    values : array-like, shape (n,)
        Numbers of seconds, or text: ``"95"``, ``"95.5"``, ``"95,5"`` (decimal comma),
        ``"1:35"`` (minutes:seconds), ``"0:01:35"`` (hours:minutes:seconds). Blank, ``NA`` and
        NaN are unknown (NaN).
    respondent_ids : ndarray of str, shape (n,)
        Named in errors.
    column : str, default=None
        The column the values came from, named in errors.

    Returns
    -------
    ndarray of float, shape (n,)

    Raises
    ------
    ResponseError
        Listing every value that is not a non-negative duration, with its respondent.

    Examples
    --------
    >>> from akhlak_levels.responses import parse_durations
    >>> parse_durations(["95", "1:35", "0:01:35.5", "", 12], np.array(list("abcde"))).tolist()
    [95.0, 95.0, 95.5, nan, 12.0]
    """
    arr = np.asarray(values, dtype=object)
    if arr.shape != respondent_ids.shape:
        raise ResponseError(
            f"Expected one duration per respondent ({respondent_ids.shape[0]}), got an array of shape {arr.shape}."
        )
    cache: dict[Any, float | None] = {}
    out = np.empty(arr.shape[0])
    problems = []
    for r, v in enumerate(arr.tolist()):
        try:
            key: Any = (type(v), v)
            hash(key)
            hashable = True
        except TypeError:
            key, hashable = repr(v), False
        if key not in cache:
            cache[key] = _parse_duration(v) if hashable else None
        d = cache[key]
        if d is None:
            problems.append(
                Problem(
                    f"{'column ' + repr(column) + ': ' if column else ''}expected a duration in seconds, "
                    "'mm:ss' or 'hh:mm:ss' (not negative)",
                    row=r + 1, respondent=str(respondent_ids[r]), value=v,
                )
            )
            out[r] = np.nan
        else:
            out[r] = d
    if problems:
        raise ResponseError(f"{len(problems)} durations cannot be read:", problems)
    return out
