"""Declared parameter checks with one message shape, in the manner of scikit-learn's
``sklearn.utils._param_validation``.

A public function states what each parameter must be, and every refusal reads the same::

    The 'alpha' parameter of dif must be in (0, 1). Got 1.5 instead.

so users (and tests) meet one shape wherever they go wrong. Use :func:`check` for one
parameter against a constraint, :func:`param_error` where the rule is particular to a function,
and :func:`check_random_state` for every ``random_state``.

Examples
--------
>>> from akhlak_levels._validation import Interval, check
>>> check("assess", "min_confidence", 0.5, Interval(0, 1))
0.5
>>> check("assess", "chunk_size", 0, Interval(1, None, integer=True))
Traceback (most recent call last):
...
ValueError: The 'chunk_size' parameter of assess must be a positive integer. Got 0 instead.
>>> check("dif", "matching", "rank", Options({"rest", "expected_level"}))
Traceback (most recent call last):
...
ValueError: The 'matching' parameter of dif must be one of {'expected_level', 'rest'}. Got 'rank' instead.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Any, Collection

import numpy as np

__all__ = ["Interval", "Options", "check", "check_random_state", "param_error"]


def param_error(func: str | None, name: str, must: str, value: Any, *, error: type[Exception] = ValueError, shown: str | None = None) -> Exception:
    """The one error for a parameter that breaks its rule: ``The 'name' parameter of func must
    be <must>. Got <value!r> instead.`` (``shown`` replaces ``repr(value)`` where the value is
    large or its type is what matters)."""
    of = f" of {func}" if func else ""
    got = repr(value) if shown is None else shown
    return error(f"The {name!r} parameter{of} must be {must}. Got {got} instead.")


@dataclass(frozen=True)
class Interval:
    """A real or integer interval; ``None`` leaves a side open to infinity.

    ``closed`` is ``"both"``, ``"left"``, ``"right"`` or ``"neither"``.
    """

    low: float | None
    high: float | None
    closed: str = "both"
    integer: bool = False

    def describe(self) -> str:
        lo_in = self.closed in ("both", "left")
        hi_in = self.closed in ("both", "right")
        if self.integer:
            if self.high is None and self.low is not None:
                if self.low == 1 and lo_in or self.low == 0 and not lo_in:
                    return "a positive integer"
                return f"an integer {'>=' if lo_in else '>'} {self.low:g}"
            return f"an integer in {'[' if lo_in else '('}{self.low}, {self.high}{']' if hi_in else ')'}"
        if self.high is None and self.low is not None:
            return f"a number {'>=' if lo_in else '>'} {self.low:g}"
        if self.low is None and self.high is not None:
            return f"a number {'<=' if hi_in else '<'} {self.high:g}"
        return f"in {'[' if lo_in else '('}{self.low:g}, {self.high:g}{']' if hi_in else ')'}"

    def accepts(self, value: Any) -> bool:
        if isinstance(value, (bool, np.bool_)):
            return False
        if self.integer:
            if not isinstance(value, numbers.Integral):
                return False
        elif not isinstance(value, numbers.Real) or not math.isfinite(float(value)) and self.low is not None and self.high is not None:
            return False
        v = float(value)
        if math.isnan(v):
            return False
        lo_in = self.closed in ("both", "left")
        hi_in = self.closed in ("both", "right")
        if self.low is not None and (v < self.low or (v == self.low and not lo_in)):
            return False
        if self.high is not None and (v > self.high or (v == self.high and not hi_in)):
            return False
        return True


@dataclass(frozen=True)
class Options:
    """One of a fixed set of values (shown sorted in the message)."""

    values: Collection[Any]

    def describe(self) -> str:
        return "one of {" + ", ".join(repr(v) for v in sorted(self.values, key=repr)) + "}"

    def accepts(self, value: Any) -> bool:
        try:
            return value in self.values
        except TypeError:  # unhashable
            return False


def check(func: str | None, name: str, value: Any, constraint: Interval | Options) -> Any:
    """Return ``value`` (an integer as ``int``) when it meets ``constraint``; raise the one
    :class:`ValueError` otherwise."""
    if not constraint.accepts(value):
        raise param_error(func, name, constraint.describe(), value)
    if isinstance(constraint, Interval) and constraint.integer:
        return int(value)
    return value


def check_random_state(random_state: int | np.random.Generator | None, func: str | None = None) -> np.random.Generator:
    """Turn ``random_state`` (int, Generator or None) into a :class:`numpy.random.Generator`.

    Examples
    --------
    >>> bool(check_random_state(0).integers(10) == check_random_state(0).integers(10))
    True
    """
    if random_state is None or isinstance(random_state, (int, np.integer)):
        return np.random.default_rng(random_state)
    if isinstance(random_state, np.random.Generator):
        return random_state
    raise param_error(
        func, "random_state", "an int, a numpy.random.Generator or None", random_state,
        error=TypeError, shown=type(random_state).__name__,
    )
