"""Tidy result tables: columns of arrays turned into JSON-ready records or a DataFrame."""

from __future__ import annotations

import math
from typing import Any, Mapping

import numpy as np


def json_value(v: Any) -> Any:
    """A numpy scalar as a plain Python value; NaN and infinities as None."""
    if isinstance(v, (float, np.floating)):
        f = float(v)
        return f if math.isfinite(f) else None
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, np.str_):
        return str(v)
    if isinstance(v, tuple):
        return [json_value(x) for x in v]
    return v


def records(columns: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One JSON-ready dict per row of equally long columns."""
    names = list(columns)
    lists = []
    for name in names:
        v = columns[name]
        if isinstance(v, np.ndarray) and v.dtype.kind == "f":
            lists.append([x if math.isfinite(x) else None for x in v.tolist()])
        else:
            lists.append([json_value(x) for x in (v.tolist() if isinstance(v, np.ndarray) and v.dtype.kind != "O" else v)])
    return [dict(zip(names, row)) for row in zip(*lists)]


def frame(columns: Mapping[str, Any]) -> Any:
    """A pandas DataFrame of the columns (needs pandas)."""
    try:
        import pandas as pd
    except ImportError:  # pragma: no cover - exercised only without the extra
        raise ImportError("to_frame needs pandas: pip install 'akhlak-levels[frames]'.") from None
    return pd.DataFrame({k: (np.asarray(v) if not isinstance(v, (list, tuple)) else list(v)) for k, v in columns.items()})
