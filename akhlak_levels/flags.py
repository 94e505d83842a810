"""Per-respondent flags, held as a boolean matrix so that millions of respondents stay cheap."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping

import numpy as np

__all__ = ["Flags"]


@dataclass(frozen=True, eq=False)
class Flags:
    """Named boolean flags per respondent.

    Attributes
    ----------
    names : tuple of str
        Flag names, e.g. ``"invalid:SE03"`` (an answer that could not be read and was set
        missing), ``"no-answers"``, ``"low-confidence"``.
    values : ndarray of bool, shape (n_respondents, n_flags)

    Examples
    --------
    >>> import numpy as np
    >>> f = Flags.from_columns(3, {"no-answers": np.array([False, True, False])})
    >>> f.for_respondent(1), f.any().tolist(), int(f["no-answers"].sum())
    (('no-answers',), [False, True, False], 1)
    """

    names: tuple[str, ...]
    values: np.ndarray

    @classmethod
    def empty(cls, n: int) -> Flags:
        return cls((), np.zeros((n, 0), dtype=bool))

    @classmethod
    def from_columns(cls, n: int, columns: Mapping[str, np.ndarray]) -> Flags:
        """Flags from ``{name: bool array of length n}``; all-False columns are kept."""
        names = tuple(columns)
        values = np.zeros((n, len(names)), dtype=bool)
        for j, name in enumerate(names):
            values[:, j] = columns[name]
        return cls(names, values)

    def __len__(self) -> int:
        return self.values.shape[0]

    def __getitem__(self, name: str) -> np.ndarray:
        try:
            return np.asarray(self.values[:, self.names.index(name)])
        except ValueError:
            return np.zeros(len(self), dtype=bool)

    def any(self) -> np.ndarray:
        """True for respondents carrying at least one flag."""
        return np.asarray(self.values.any(axis=1))

    def for_respondent(self, i: int) -> tuple[str, ...]:
        """The names of the flags respondent ``i`` carries."""
        return tuple(n for n, v in zip(self.names, self.values[i]) if v)

    def as_strings(self, sep: str = ";") -> list[str]:
        """One string per respondent, flag names joined by ``sep`` (``""`` for none)."""
        out = [""] * len(self)
        for i in np.flatnonzero(self.any()).tolist():
            out[i] = sep.join(self.for_respondent(i))
        return out

    def take(self, index: np.ndarray) -> Flags:
        """Flags of the respondents at ``index`` (positions or a boolean mask)."""
        return Flags(self.names, self.values[index])

    def merge(self, other: Flags | Mapping[str, np.ndarray]) -> Flags:
        """These flags and ``other``'s together (same respondents); names are unioned."""
        if not isinstance(other, Flags):
            other = Flags.from_columns(len(self), other)
        names = list(self.names)
        cols = {n: self.values[:, j].copy() for j, n in enumerate(self.names)}
        for j, n in enumerate(other.names):
            if n in cols:
                cols[n] |= other.values[:, j]
            else:
                names.append(n)
                cols[n] = other.values[:, j]
        return Flags.from_columns(len(self), {n: cols[n] for n in names})

    @staticmethod
    def names_with_prefix(flags: Iterable[str], prefix: str) -> list[str]:
        return [f for f in flags if f.startswith(prefix)]
