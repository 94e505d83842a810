"""Classification accuracy and consistency of level decisions, from the posterior probabilities.

Following Rudner (2001, 2005) and Lee (2010): a respondent classified at level ``L_i`` (the
argmax) is correctly classified with probability ``p_i[L_i]``; summing the posteriors by
classified level gives the expected confusion matrix between true and assigned levels, from
which accuracy and the consistency of two independent classifications follow.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np


__all__ = ["ClassificationQuality", "quality_from_probabilities"]


@dataclass(frozen=True)
class ClassificationQuality:
    """Expected accuracy and consistency of argmax level decisions.

    Attributes
    ----------
    n : int
        Respondents.
    accuracy : float
        Expected share classified at their true level: ``mean_i p_i[L_i]``.
    consistency : float
        Expected share classified at the same level by two independent administrations:
        ``sum_j w_j sum_k M[j, k]^2``.
    kappa : float
        Consistency corrected for chance agreement (Cohen's kappa of the two administrations).
    expected_confusion : ndarray of shape (5, 5)
        ``C[j, k]``: expected number of respondents at true level ``j + 1`` classified at level
        ``k + 1``.
    accuracy_by_level, consistency_by_level : ndarray of shape (5,)
        By true level: ``M[j, j]`` and ``sum_k M[j, k]^2`` with ``M`` the row-normalised ``C``
        (NaN where no respondent is expected at that level).
    true_share : ndarray of shape (5,)
        Expected share of respondents at each true level, ``w_j``.
    """

    n: int
    accuracy: float
    consistency: float
    kappa: float
    expected_confusion: np.ndarray
    accuracy_by_level: np.ndarray
    consistency_by_level: np.ndarray
    true_share: np.ndarray

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (NaN as None)."""

        def clean(a: np.ndarray) -> list[Any]:
            return [None if np.isnan(v) else float(v) for v in np.ravel(a)]

        return {
            "n": self.n,
            "accuracy": self.accuracy,
            "consistency": self.consistency,
            "kappa": self.kappa,
            "expected_confusion": [clean(row) for row in self.expected_confusion],
            "accuracy_by_level": clean(self.accuracy_by_level),
            "consistency_by_level": clean(self.consistency_by_level),
            "true_share": clean(self.true_share),
        }


def quality_from_probabilities(probabilities: np.ndarray) -> ClassificationQuality:
    """:class:`ClassificationQuality` from an ``(n, 5)`` array of posterior level probabilities."""
    p = np.asarray(probabilities, dtype=float)
    n = p.shape[0]
    assigned = p.argmax(axis=1)
    onehot = np.zeros_like(p)
    onehot[np.arange(n), assigned] = 1.0
    C = p.T @ onehot  # C[j, k] = sum over respondents assigned k of p_ij
    row = C.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        M = C / row[:, None]
    share = row / n
    acc_by = np.diag(M).copy()
    cons_by = (M**2).sum(axis=1)
    present = row > 0
    consistency = float(np.sum(share[present] * cons_by[present]))
    marginal = share[present] @ M[present]  # share assigned to each level in one administration
    chance = float(np.sum(marginal**2))
    kappa = (consistency - chance) / (1.0 - chance) if chance < 1 else float("nan")
    return ClassificationQuality(
        n=n,
        accuracy=float(np.trace(C) / n),
        consistency=consistency,
        kappa=float(kappa),
        expected_confusion=C,
        accuracy_by_level=acc_by,
        consistency_by_level=cons_by,
        true_share=share,
    )
