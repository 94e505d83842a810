"""The theory prior: a default level model derived from the item keys alone.

It is *not* an empirical calibration. It encodes a stated response process (see
``docs/methodology.md``) so that a questionnaire can be scored before any data exist:

* Likert items follow the generalized graded unfolding model (GGUM; Roberts, Donoghue &
  Laughlin, 2000) with the person location ``theta`` = the person's level and the item
  location ``delta`` = the level the item is keyed to: agreement peaks among people at the
  keyed level and falls with ``|theta - delta|``. A reverse-keyed item reverses the categories,
  so people at its level disagree most.
* A situational-judgement option keyed to level ``j`` is chosen by a person at level ``k``
  with probability proportional to ``exp(-decay * |k - j|)``.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np

from ..levels import N_LEVELS
from ._model import LevelModel
from ..questionnaire import Questionnaire

__all__ = ["ggum_probabilities", "distance_decay_probabilities", "theory_prior_model"]

LEVELS = np.arange(1, N_LEVELS + 1)


def ggum_probabilities(distance: np.ndarray, discrimination: float, thresholds: Sequence[float] | np.ndarray) -> np.ndarray:
    """GGUM category probabilities for ``theta - delta = distance``.

    Parameters
    ----------
    distance : array-like
        ``theta - delta`` (any shape).
    discrimination : float
        ``alpha`` > 0.
    thresholds : sequence of float
        ``tau_1..tau_C`` for ``C + 1`` categories (``tau_0 = 0``).

    Returns
    -------
    ndarray of shape ``distance.shape + (C + 1,)``
        Probabilities of categories 0..C (lowest to highest agreement), summing to one.

    Notes
    -----
    With ``M = 2C + 1`` and ``T_z = sum_{k<=z} tau_k``,

    .. math:: P(Z=z \\mid \\theta) \\propto \\exp(\\alpha[z(\\theta-\\delta) - T_z])
              + \\exp(\\alpha[(M-z)(\\theta-\\delta) - T_z]).

    Examples
    --------
    >>> p = ggum_probabilities(np.array([0.0, 4.0]), 0.8, [-2.4, -1.8, -1.2, -0.6])
    >>> p.round(3)
    array([[0.004, 0.029, 0.123, 0.322, 0.521],
           [0.751, 0.209, 0.036, 0.004, 0.   ]])
    """
    tau = np.concatenate([[0.0], np.asarray(thresholds, dtype=float)])
    c = len(tau) - 1
    m = 2 * c + 1
    cum = np.cumsum(tau)
    z = np.arange(c + 1)
    d = np.asarray(distance, dtype=float)[..., None]
    a = discrimination * (z * d - cum)
    b = discrimination * ((m - z) * d - cum)
    top = np.maximum(a, b).max(axis=-1, keepdims=True)
    num = np.exp(a - top) + np.exp(b - top)
    return num / num.sum(axis=-1, keepdims=True)


def distance_decay_probabilities(option_levels: Sequence[int], decay: float) -> np.ndarray:
    """``P(option j | level k)`` proportional to ``exp(-decay * |k - level_j|)``; options x 5.

    Examples
    --------
    >>> distance_decay_probabilities([1, 2, 3, 4, 5], 1.0)[:, 2].round(3)
    array([0.067, 0.183, 0.498, 0.183, 0.067])
    """
    lv = np.asarray(option_levels, dtype=float)[:, None]
    w = np.exp(-decay * np.abs(LEVELS[None, :] - lv))
    return w / w.sum(axis=0, keepdims=True)


def theory_prior_model(questionnaire: Questionnaire, spec: Mapping[str, Any]) -> LevelModel:
    """The level model implied by a questionnaire's keys and its ``default_model`` spec."""
    likert = spec["likert"]
    decay = float(spec["choice"]["decay"])
    probabilities = []
    for it in questionnaire.items:
        if it.type == "likert":
            # rows: categories (disagree..agree); columns: person level 1..5
            assert it.level is not None  # checked when the questionnaire was loaded
            p = ggum_probabilities(LEVELS - it.level, likert["discrimination"], likert["thresholds"]).T
            if it.reverse:  # the item's global direction towards the level, not a scale's key
                p = p[::-1]
        else:
            p = distance_decay_probabilities([lv or 0 for lv in it.option_levels], decay)  # all keyed (checked)
        probabilities.append(p)
    prior = np.asarray(spec["prior"], dtype=float)
    return LevelModel.from_probabilities(
        questionnaire,
        probabilities,
        prior / prior.sum(),
        kind="theory-prior",
        provenance={
            "method": "theory-prior",
            "description": spec.get(
                "description",
                "Derived from the item keys by a stated response model; not an empirical calibration.",
            ),
            "likert": dict(likert),
            "choice": dict(spec["choice"]),
        },
    )
