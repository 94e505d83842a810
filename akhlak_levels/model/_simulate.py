"""Simulated responses from a level model, with the true levels: for tests, power and teaching."""

from __future__ import annotations

from typing import Sequence

import numpy as np

from .._validation import Interval, check, check_random_state
from ..errors import ModelError
from ..levels import N_LEVELS
from ._model import LevelModel
from ..questionnaire import Questionnaire, load_questionnaire
from ..responses import MISSING, ResponseSet

__all__ = ["simulate"]


def simulate(
    questionnaire: Questionnaire | str,
    n: int,
    model: LevelModel | None = None,
    *,
    levels: Sequence[int] | np.ndarray | None = None,
    missing: float = 0.0,
    random_state: int | np.random.Generator | None = None,
) -> tuple[ResponseSet, np.ndarray]:
    """Draw responses from a latent-class level model.

    Parameters
    ----------
    questionnaire : Questionnaire or str
    n : int
        Number of respondents.
    model : LevelModel, default=None
        A model with class-conditional probabilities (latent-class or theory prior); the
        questionnaire's default model when None.
    levels : array-like of int in 1..5, shape (n,), default=None
        The true level of each respondent; drawn from the model's prior when None.
    missing : float, default=0.0
        Share of answers deleted completely at random.
    random_state : int, Generator or None, default=None

    Returns
    -------
    responses : ResponseSet
        Respondent ids ``"sim-1"``, ``"sim-2"``, ...
    true_levels : ndarray of int8, shape (n,)

    Examples
    --------
    >>> from akhlak_levels import simulate
    >>> rs, truth = simulate("socio-emotional-levels", 5, levels=[1, 2, 3, 4, 5], random_state=0)
    >>> rs.codes.shape[0], truth.tolist()
    (5, [1, 2, 3, 4, 5])
    """
    q = load_questionnaire(questionnaire)
    n = check("simulate", "n", int(n), Interval(1, None, integer=True))
    check("simulate", "missing", missing, Interval(0, 1, closed="left"))
    rng = check_random_state(random_state)
    model = q.default_model if model is None else model
    if model is None:
        raise ModelError(f"Questionnaire {q.id!r} has no default level model; pass model=... to simulate.")
    model.check_questionnaire(q)
    item_probs = model.item_probabilities
    if item_probs is None:
        raise ModelError(
            f"simulate needs class-conditional probabilities; a {model.kind!r} model has regression weights instead."
        )
    if levels is None:
        true = (rng.choice(N_LEVELS, size=n, p=model.prior) + 1).astype(np.int8)
    else:
        true = np.asarray(levels)
        if true.shape != (n,) or not np.isin(true, np.arange(1, N_LEVELS + 1)).all():
            raise ValueError(f"The 'levels' parameter of simulate must hold {n} integers in 1..5.")
        true = true.astype(np.int8)
    codes = np.empty((n, q.n_items), dtype=np.int8)
    cls = true - 1
    for i, p in enumerate(item_probs):
        cum = np.cumsum(p, axis=0)  # options x 5
        cum[-1] = 1.0
        u = rng.random(n)
        codes[:, i] = (u[:, None] > cum.T[cls]).sum(axis=1)
    if missing > 0:
        codes[rng.random(codes.shape) < missing] = MISSING
    ids = np.char.add("sim-", np.arange(1, n + 1).astype(str))
    return ResponseSet(q, ids, codes), true
