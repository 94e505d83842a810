"""Completion times as an export writes them (seconds, ``"12,5"``, ``"mm:ss"``, ``"hh:mm:ss"``),
read into seconds per respondent with every unreadable value reported; and dates, in either
order of day and month, never guessed (:func:`parse_dates`).

The careless-responding speed check uses them; they are read here, with the other columns of an
export, so that a bad value is reported with its row and respondent.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from dataclasses import dataclass
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


# --------------------------------------------------------------------------- dates

#: A date as exports write it: ``2023-10-13``, ``13/10/2023``, ``10/13/2023``, ``13-10-2023``,
#: ``13.10.2023``, ``2023/10/13``, with an optional time after a space or ``T`` (dropped).
_DATE = (r"^\s*(?P<a>[0-9]{1,4})(?P<s1>[-/.])(?P<b>[0-9]{1,2})(?P<s2>[-/.])(?P<c>[0-9]{1,4})(?:[T ].*)?$")

DATE_ORDER_HINT = ("pass dayfirst=True (13/10/2023) or dayfirst=False (10/13/2023); on the command line "
                   "--dayfirst or --monthfirst")


@dataclass
class DateOrder:
    """The order of day and month in the dates of a source: ``dayfirst`` as given, or as the first
    table whose dates tell it set it, so every batch of a source reads alike."""

    dayfirst: bool | None = None


def _days(y: np.ndarray, m: np.ndarray, d: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Which (year, month, day) are dates, and those dates (NaT elsewhere), for all at once."""
    ok = (y >= 1) & (y <= 9999) & (m >= 1) & (m <= 12) & (d >= 1)
    month = np.where(ok, (y - 1970) * 12 + (m - 1), 0).astype("datetime64[M]")
    first = month.astype("datetime64[D]")
    ok &= d <= ((month + 1).astype("datetime64[D]") - first).astype(np.int64)
    return ok, np.where(ok, first + np.where(ok, d - 1, 0).astype("timedelta64[D]"), np.datetime64("NaT"))


def _text_dates(texts: Any) -> dict[str, np.ndarray]:
    """The parts of date texts (a pyarrow string array), by pyarrow for all at once: ``iso``
    (year first) and ``df``/``mf`` (year last, day or month first): whether each is a date that
    way, and the date."""
    import pyarrow as pa
    import pyarrow.compute as pc

    ex = pc.extract_regex(texts, _DATE)
    matched = ex.is_valid().to_numpy(zero_copy_only=False)

    def part(name: str) -> Any:
        return pc.fill_null(pc.struct_field(ex, name), "0")

    def num(name: str) -> np.ndarray:
        return np.asarray(pc.cast(part(name), pa.int64()).to_numpy(zero_copy_only=False), dtype=np.int64)

    def width(name: str) -> np.ndarray:
        return np.asarray(pc.utf8_length(part(name)).to_numpy(zero_copy_only=False), dtype=np.int64)

    A, B, C = num("a"), num("b"), num("c")
    la, lc = width("a"), width("c")
    same = matched & np.asarray(pc.equal(part("s1"), part("s2")).to_numpy(zero_copy_only=False), dtype=bool)
    dotted = np.asarray(pc.equal(part("s1"), ".").to_numpy(zero_copy_only=False), dtype=bool)
    iso = same & (la == 4) & (lc <= 2) & ~dotted
    dm = same & (la <= 2) & (lc == 4)
    iso_ok, iso_day = _days(A, B, C)
    df_ok, df_day = _days(C, B, A)
    mf_ok, mf_day = _days(C, A, B)
    return dict(iso=iso & iso_ok, iso_day=iso_day, df=dm & df_ok, df_day=df_day, mf=dm & mf_ok, mf_day=mf_day,
                same=A == B)


def _na_texts(texts: Any) -> np.ndarray:
    """Which texts (a pyarrow string array) stand for no answer (:data:`~._coding.NA_TOKENS`),
    for all at once."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from ._coding import NA_TOKENS

    folded = pc.replace_substring_regex(pc.utf8_lower(pc.utf8_trim_whitespace(texts)), r"\s+", " ")
    return np.asarray(pc.is_in(folded, value_set=pa.array(sorted(NA_TOKENS), type=pa.string()))
                      .to_numpy(zero_copy_only=False), dtype=bool)


def parse_dates(col: Any, t: Any, name: str, rid: np.ndarray, order: DateOrder | None = None) -> tuple[np.ndarray, list[Problem]]:
    """A date column as ``datetime64[D]`` (NaT where unanswered), and its problems: each
    unreadable date, or one problem when the order of day and month is not given and the column
    does not tell it (every date could be either: an error, never a guess) or tells both.

    Texts are read for all distinct values at once (pyarrow); date and datetime cells as they
    are. ``order`` is the order given (or found by an earlier batch of the source), and is set
    when this column tells it."""
    import pyarrow as pa

    from ._coding import bad_rows, shown
    from ._readers import distinct

    order = order if order is not None else DateOrder()
    d = distinct(col)
    values = d.values.tolist()
    days = np.full(len(values), np.datetime64("NaT"), dtype="datetime64[D]")
    unreadable = np.zeros(len(values), dtype=bool)
    if set(map(type, values)) <= {str}:  # a text column (CSV): no Python step per value
        text_at = np.arange(len(values))
    else:
        text_at = np.array([u for u, v in enumerate(values) if type(v) is str], dtype=np.int64)
        for u, v in enumerate(values):  # the cells that are not text: dates, datetimes, or unreadable
            if type(v) is not str and v is not None and not _missing(v):
                if isinstance(v, (_dt.datetime, _dt.date)):
                    days[u] = np.datetime64(v.date() if isinstance(v, _dt.datetime) else v, "D")
                else:
                    unreadable[u] = True
    texts = pa.array([values[u] for u in text_at.tolist()] if len(text_at) != len(values) else values, type=pa.string())
    given = ~_na_texts(texts) if len(text_at) else np.zeros(0, dtype=bool)
    at, texts = text_at[given], texts.filter(pa.array(given))
    problems: list[Problem] = []
    if len(at):
        p = _text_dates(texts)
        only_df, only_mf = p["df"] & ~p["mf"], p["mf"] & ~p["df"]
        either = p["df"] & p["mf"] & ~p["same"]
        if order.dayfirst is None:
            if only_df.any() and only_mf.any():
                r_df, r_mf = (int(bad_rows(d, at[m].tolist())[0]) for m in (only_df, only_mf))
                problems.append(Problem(
                    f"column {name!r}: some dates are day first ({values[d.index[r_df]]!r}, row {int(t.rows[r_df])}) "
                    f"and others month first; {DATE_ORDER_HINT}, and the dates of the other order are reported",
                    file=t.file, row=int(t.rows[r_mf]), respondent=str(rid[r_mf]), value=shown(d[r_mf])))
                return days[d.index], problems
            if only_df.any() or only_mf.any():
                order.dayfirst = bool(only_df.any())
            elif either.any():
                rows = bad_rows(d, at[either].tolist())
                r = int(rows[0])
                problems.append(Problem(
                    f"column {name!r}: the order of day and month cannot be told: every date could be read day first "
                    f"or month first (no day above 12; {len(rows)} such dates); {DATE_ORDER_HINT}",
                    file=t.file, row=int(t.rows[r]), respondent=str(rid[r]), value=shown(d[r])))
                return days[d.index], problems
        dayfirst = order.dayfirst is not False
        ok, day = (p["df"], p["df_day"]) if dayfirst else (p["mf"], p["mf_day"])
        days[at] = np.where(p["iso"], p["iso_day"], np.where(ok, day, np.datetime64("NaT")))
        unreadable[at] = ~(p["iso"] | ok)
    like = "13/10/2023" if order.dayfirst is not False else "10/13/2023"
    problems += [
        Problem(f"column {name!r}: expected a date like 2023-10-13 or {like}",
                file=t.file, row=int(t.rows[r]), respondent=str(rid[r]), value=shown(d[r]))
        for r in bad_rows(d, np.flatnonzero(unreadable).tolist()).tolist()
    ]
    return days[d.index], problems


def _missing(v: object) -> bool:
    """A cell that is not text and stands for no answer: NaN, NaT, pandas' NA."""
    from ._coding import is_na

    return is_na(v)
