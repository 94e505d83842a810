"""Intervals shared by the floors that report shares: the Wilson score interval.

Examples
--------
>>> import numpy as np
>>> lo, hi = wilson_interval(np.array([3, 0]), np.array([6, 0]), 1.959963984540054)
>>> lo.round(4).tolist(), hi.round(4).tolist()
([0.1876, nan], [0.8124, nan])
"""

from __future__ import annotations

import numpy as np

__all__ = ["wilson_interval"]


def wilson_interval(x: np.ndarray, n: np.ndarray, z: float) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for ``x`` successes in ``n`` trials (NaN where ``n = 0``), element
    by element; ``z`` is the normal quantile of the confidence level (Wilson 1927)."""
    x = np.asarray(x, dtype=float)
    n = np.asarray(n, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = x / n
        denom = 1.0 + z * z / n
        centre = (p + z * z / (2 * n)) / denom
        half = z * np.sqrt(np.maximum(p * (1 - p) / n + z * z / (4 * n * n), 0.0)) / denom
    lo = np.where(n > 0, np.clip(centre - half, 0.0, 1.0), np.nan)
    hi = np.where(n > 0, np.clip(centre + half, 0.0, 1.0), np.nan)
    return lo, hi
