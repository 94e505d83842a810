"""Group labels for the fairness tables: a column read with the responses (or ``unit``,
``wave``), or one label per respondent; unknown labels are empty strings.

Examples
--------
>>> import numpy as np
>>> labels, name = group_labels(["a", None, " b"], 3, {}, "dif")
>>> labels.tolist(), name
(['a', '', 'b'], 'group')
"""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np

from .._validation import param_error
from ..errors import ResponseError

__all__ = ["carried_column", "group_columns", "group_labels"]


def group_columns(groups: Mapping[str, np.ndarray], unit: np.ndarray | None, wave: np.ndarray | None) -> dict[str, np.ndarray]:
    """The grouping columns a name may refer to: those read with ``group_columns``, and
    ``unit`` and ``wave``."""
    out = dict(groups)
    if unit is not None:
        out.setdefault("unit", unit)
    if wave is not None:
        out.setdefault("wave", wave)
    return out


def carried_column(columns: Mapping[str, np.ndarray], name: str, what: str) -> np.ndarray:
    """The column ``name`` read with the responses; a :class:`ResponseError` saying how to read
    it (or to pass ``what`` as an array instead) when it was not."""
    if name not in columns:
        raise ResponseError(
            f"No column {name!r} was read with these responses; the columns carried along are "
            f"{sorted(columns)}. Pass group_columns=[{name!r}] to read_responses, or pass the {what} as an array."
        )
    return columns[name]


def group_labels(group: Any, n: int, groups: Mapping[str, np.ndarray], fn: str) -> tuple[np.ndarray, str]:
    """Group labels as a str array ("" = missing), and a name for messages."""
    if isinstance(group, str):
        return np.asarray(carried_column(groups, group, "labels"), dtype=str), group
    arr = np.asarray(group, dtype=object)
    if arr.ndim != 1 or arr.shape[0] != n:
        raise param_error(fn, "group", f"a column name or one label per respondent ({n})", arr, shown=f"an array of shape {arr.shape}")
    out = np.empty(n, dtype=object)
    for i, v in enumerate(arr.tolist()):
        if v is None or (isinstance(v, float) and v != v):
            out[i] = ""
        else:
            out[i] = str(v).strip()
    return out.astype(str), "group"
