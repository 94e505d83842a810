"""The scale side of reliable change: Jacobson-Truax reliable change indices of the scale
scores and the one verdict per person they support.

The standard error of measurement comes from ``sem``, a reliability table or reliabilities with
the baseline SD (:func:`resolve_sem`); the RCI's error grows for unanswered items, the verdict
subtracts half a step between possible scores (continuity correction) and takes the largest
``|RCI|`` against a Bonferroni critical value (:func:`scale_verdict`). ``docs/growth.md`` has the
simulations behind both corrections.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np

from .._validation import param_error
from ..assessment import Assessment
from ..levels import N_LEVELS
from ..questionnaire import Questionnaire

__all__ = ["ScaleMoves", "resolve_sem", "scale_moves", "scale_verdict"]


def resolve_sem(before: Assessment, sem: Any, reliability: Any) -> np.ndarray | None:
    """The standard error of measurement of each scale, from ``sem``, from a reliability table's
    ``sem``, or from the reliabilities and the baseline SD; None when neither is given."""
    if sem is not None and reliability is not None:
        raise ValueError("Pass either 'sem' or 'reliability' to reliable_change, not both.")
    if sem is not None:
        return _per_scale(sem, before.scale_ids, "sem")
    if reliability is None:
        return None
    table_sem = getattr(reliability, "sem", None)
    if table_sem is not None and hasattr(reliability, "scale"):
        if tuple(reliability.scale) != before.scale_ids:
            raise ValueError(
                f"The reliability table's scales {list(reliability.scale)} are not this questionnaire's "
                f"{list(before.scale_ids)}."
            )
        return np.asarray(table_sem, dtype=float)
    rel = _per_scale(reliability, before.scale_ids, "reliability")
    if np.any((rel < 0) | (rel > 1)):
        raise param_error("reliable_change", "reliability", "in [0, 1] for every scale", rel.tolist())
    with np.errstate(invalid="ignore"):
        sd = np.nanstd(before.scale_scores, axis=0, ddof=1) if len(before) > 1 else np.full(len(before.scale_ids), np.nan)
    return sd * np.sqrt(1.0 - rel)


@dataclass(frozen=True)
class ScaleMoves:
    """Scale and index fields of a :class:`ReliableChange`, with the continuity-corrected
    ``|RCI|`` the scale verdict rests on."""

    scale_change: np.ndarray
    scale_rci: np.ndarray
    scale_rci_corrected: np.ndarray
    sem: np.ndarray | None
    scale_steps: np.ndarray
    index_change: np.ndarray | None


def scale_moves(
    before: Assessment, after: Assessment, rows_before: np.ndarray, rows_after: np.ndarray, both: np.ndarray,
    q: Questionnaire | None, sem_arr: np.ndarray | None, notes: list[str],
) -> ScaleMoves:
    """Change of every scale score and of the index between the rows paired by ``rows_before``
    and ``rows_after`` (NaN where not ``both``), with the scale RCIs when a SEM is known."""
    scale_change = (
        np.asarray(after.scale_scores, dtype=float)[rows_after] - np.asarray(before.scale_scores, dtype=float)[rows_before]
    )
    scale_change[~both] = np.nan
    S = len(before.scale_ids)
    steps = _scale_steps(q, before.scale_ids) if q is not None else np.zeros(S)
    if sem_arr is not None:
        k_b = np.asarray(before.n_answered, dtype=float)[rows_before]
        k_a = np.asarray(after.n_answered, dtype=float)[rows_after]
        rci, rci_cc = _scale_rcis(before, scale_change, k_b, k_a, both, q, sem_arr, steps, notes)
    else:
        rci = rci_cc = np.full((len(both), S), np.nan)
        notes.append("no SEM or reliability given: scale RCIs not computed")
    index_change = None
    if before.index is not None and after.index is not None:
        index_change = np.asarray(after.index, dtype=float)[rows_after] - np.asarray(before.index, dtype=float)[rows_before]
        index_change[~both] = np.nan
    return ScaleMoves(scale_change, rci, rci_cc, sem_arr, steps, index_change)


def _scale_rcis(
    before: Assessment, scale_change: np.ndarray, k_b: np.ndarray, k_a: np.ndarray, both: np.ndarray,
    q: Questionnaire | None, sem_arr: np.ndarray, steps: np.ndarray, notes: list[str],
) -> tuple[np.ndarray, np.ndarray]:
    """Jacobson-Truax RCI of every scale, its error inflated for unanswered items (``k_b``,
    ``k_a`` items answered), and the continuity-corrected ``|RCI|`` (half a score step off the
    change) for the verdict."""
    if np.any(sem_arr <= 0) or np.any(~np.isfinite(sem_arr)):
        bad = [s for s, v in zip(before.scale_ids, sem_arr) if not (v > 0)]
        notes.append(f"no positive SEM for scales {bad}: their RCI is NaN")
    n_items = float(q.n_items) if q is not None else float(max(before.n_answered.max(initial=1), 1))
    with np.errstate(divide="ignore", invalid="ignore"):
        inflate = np.sqrt(n_items / k_b + n_items / k_a)
        se_diff = np.where(sem_arr[None, :] > 0, sem_arr[None, :], np.nan) * inflate[:, None]
        rci = scale_change / se_diff
        rci_cc = np.maximum(np.abs(scale_change) - steps[None, :] / 2, 0.0) / se_diff
    rci[~both] = np.nan
    rci_cc[~both] = np.nan
    if q is None:
        notes.append("questionnaire not bundled (pass questionnaire=): no continuity correction")
    return rci, rci_cc


def scale_verdict(
    moves: ScaleMoves, before: Assessment, q: Questionnaire | None, conf: float
) -> tuple[np.ndarray, np.ndarray]:
    """Respondents whose largest continuity-corrected ``|RCI|`` passes the Bonferroni critical
    value over their scored scales: (moved up, moved down), by the sign of that scale's RCI.

    Refused for scales keyed to levels (a rise is not an improvement) and without a SEM."""
    from scipy import stats
    keyed = [s.id for s in q.scales if s.level is not None] if q is not None else []
    if keyed:
        raise ValueError(
            f"method='scales' needs scales on which higher is better; the scales of {before.questionnaire_id!r} are "
            f"keyed to levels ({keyed}), so a rise is not an improvement. Use method='levels'."
        )
    if moves.sem is None:
        raise ValueError(
            f"The assessments of {before.questionnaire_id!r} have no level probabilities, so the verdict rests on the "
            "scale RCIs: pass sem= or reliability= (e.g. reliability=akhlak_levels.reliability(q, baseline_responses))."
        )
    rci, rci_cc = moves.scale_rci, moves.scale_rci_corrected
    finite = np.isfinite(rci_cc)
    m = finite.sum(axis=1)
    absr = np.where(finite, rci_cc, -np.inf)
    top = absr.argmax(axis=1)
    top_val = rci[np.arange(len(rci)), top]
    with np.errstate(divide="ignore", invalid="ignore"):
        crit = stats.norm.isf((1.0 - conf) / (2.0 * np.maximum(m, 1)))
    reliable = (m > 0) & (absr.max(axis=1, initial=-np.inf) > crit)
    return reliable & (top_val > 0), reliable & (top_val < 0)


def _per_scale(value: Any, scale_ids: tuple[str, ...], name: str) -> np.ndarray:
    """A per-scale parameter of :func:`reliable_change` given as a number, a sequence in scale
    order or a dict by scale id."""
    must = f"one number, or one value per scale ({len(scale_ids)}: {list(scale_ids)})"
    if isinstance(value, Mapping):
        missing = [s for s in scale_ids if s not in value]
        unknown = [k for k in value if k not in scale_ids]
        if missing or unknown:
            wrong = [f"missing {missing}"] * bool(missing) + [f"with unknown {unknown}"] * bool(unknown)
            raise param_error("reliable_change", name, must, value, shown=f"a mapping {' and '.join(wrong)}")
        arr = np.array([float(value[s]) for s in scale_ids])
    else:
        arr = np.asarray(value, dtype=float)
        if arr.ndim == 0:
            arr = np.full(len(scale_ids), float(arr))
        if arr.shape != (len(scale_ids),):
            raise param_error("reliable_change", name, must, value, shown=f"shape {arr.shape}")
    return arr


def _scale_steps(q: Questionnaire, scale_ids: tuple[str, ...]) -> np.ndarray:
    """The step between possible scores (0-100) of each scale with all items answered:
    ``100 / (k * L)``, ``k`` items whose keyed values move in steps of ``1 / L_i`` (``L_i`` = options
    - 1 for a Likert item, 4 level steps for a choice item), ``L`` the least common multiple."""
    out = np.zeros(len(scale_ids))
    by_id = {s.id: s for s in q.scales}
    for j, sid in enumerate(scale_ids):
        scale = by_id.get(sid)
        if scale is None or not scale.item_ids:
            continue
        steps = [q.item(iid).n_options - 1 if q.item(iid).type == "likert" else N_LEVELS - 1 for iid in scale.item_ids]
        out[j] = 100.0 / (len(scale.item_ids) * math.lcm(*[max(1, k) for k in steps]))
    return out
