"""The scale side of reliable change: Jacobson-Truax reliable change indices of the scale
scores and the one verdict per person they support.

The standard error of measurement comes from ``sem``, a reliability table or reliabilities with
the baseline SD (:func:`resolve_sem`); the RCI's error grows for each scale's unanswered items,
the verdict subtracts half a step between possible differences of scores (continuity
correction) and takes the largest ``|RCI|`` against a Bonferroni critical value
(:func:`scale_verdict`). Both corrections use what every :class:`Assessment` carries (items per
scale, score steps, and each respondent's answered items per scale), so they hold whatever
questionnaire produced the assessments; ``docs/growth.md`` has the simulations behind them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np

from .._validation import param_error
from ..assessment import Assessment, scale_design
from ..errors import ModelError
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
    ``|RCI|`` the scale verdict rests on; ``refusal`` says why there are no RCIs when the
    assessments lack the per-scale counts they need (None otherwise)."""

    scale_change: np.ndarray
    scale_rci: np.ndarray
    scale_rci_corrected: np.ndarray
    sem: np.ndarray | None
    scale_steps: np.ndarray
    index_change: np.ndarray | None
    refusal: str | None = None


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
    refusal = _lacking_counts(before, after)
    n_items, steps = _carried_design(before, after, q, refusal)
    rci = rci_cc = np.full((len(both), S), np.nan)
    if sem_arr is None:
        notes.append("no SEM or reliability given: scale RCIs not computed")
    elif refusal is not None:
        notes.append("scale RCIs not computed: " + refusal)
    else:
        assert before.scale_answered is not None and after.scale_answered is not None
        ans_b = np.asarray(before.scale_answered)[rows_before]
        ans_a = np.asarray(after.scale_answered)[rows_after]
        rci, rci_cc = _scale_rcis(before, scale_change, ans_b, ans_a, both, n_items, sem_arr, steps, notes)
    index_change = None
    if before.index is not None and after.index is not None:
        index_change = np.asarray(after.index, dtype=float)[rows_after] - np.asarray(before.index, dtype=float)[rows_before]
        index_change[~both] = np.nan
    return ScaleMoves(scale_change, rci, rci_cc, sem_arr, steps, index_change, refusal)


def _lacking_counts(before: Assessment, after: Assessment) -> str | None:
    """Why the scale RCIs cannot be computed from these assessments (a wave without the
    per-scale counts), or None when both carry them."""
    lacking = [
        name for name, a in (("before", before), ("after", after))
        if a.scale_answered is None or a.scale_n_items is None or a.scale_steps is None
    ]
    if not lacking:
        return None
    return (
        f"the assessments {' and '.join(repr(w) for w in lacking)} carry no per-scale answered counts "
        "(Assessment.scale_answered, scale_n_items, scale_steps), which each scale's standard error and continuity "
        "correction need: they come from a store wave saved by akhlak_levels before these counts were kept (issue 10), "
        "or were built without them. Score that wave's responses again with assess() and store it again with "
        "store.add(assessment, wave=..., replace=True); method='levels' does not need them."
    )


def _carried_design(
    before: Assessment, after: Assessment, q: Questionnaire | None, refusal: str | None
) -> tuple[np.ndarray, np.ndarray]:
    """Items per scale and score steps as the assessments carry them (those of ``q`` when they
    carry none); refused when the two waves, or the questionnaire given, disagree with them."""
    S = len(before.scale_ids)
    from_q = scale_design(q) if q is not None else None
    if refusal is not None:
        return from_q if from_q is not None else (np.zeros(S, dtype=np.int64), np.zeros(S))
    assert before.scale_n_items is not None and before.scale_steps is not None
    assert after.scale_n_items is not None and after.scale_steps is not None
    n_items, steps = np.asarray(before.scale_n_items), np.asarray(before.scale_steps, dtype=float)
    designs: list[tuple[str, Any, Any]] = [("after", after.scale_n_items, after.scale_steps)]
    if from_q is not None and q is not None:
        designs.append((f"the questionnaire {q.id!r}", *from_q))
    for what, other_items, other_steps in designs:
        if np.shape(other_items) != (S,) or not (
            np.array_equal(other_items, n_items) and np.allclose(other_steps, steps, rtol=1e-12, atol=0)
        ):
            raise ModelError(
                f"The scales of {what} have {np.asarray(other_items).tolist()} items and score steps "
                f"{np.round(np.asarray(other_steps, dtype=float), 6).tolist()}, but the assessments 'before' carry "
                f"{n_items.tolist()} items and steps {np.round(steps, 6).tolist()} for scales {list(before.scale_ids)}: "
                "they were not scored on the same scales. Pass the questionnaire they were scored on, or score both "
                "waves again with assess()."
            )
    shapes = (np.shape(np.asarray(before.scale_answered)), np.shape(np.asarray(after.scale_answered)))
    if shapes != ((len(before), S), (len(after), S)):
        raise ModelError(
            f"The assessments' scale_answered must have one column per scale ({S}) and one row per respondent; "
            f"got shapes {shapes[0]} ('before') and {shapes[1]} ('after')."
        )
    return n_items, steps


def _scale_rcis(
    before: Assessment, scale_change: np.ndarray, ans_b: np.ndarray, ans_a: np.ndarray, both: np.ndarray,
    n_items: np.ndarray, sem_arr: np.ndarray, steps: np.ndarray, notes: list[str],
) -> tuple[np.ndarray, np.ndarray]:
    """Jacobson-Truax RCI of every scale, its error inflated for the scale's own unanswered items
    (``ans_b``, ``ans_a``: items of each scale answered, n x scales), and the continuity-corrected
    ``|RCI|`` for the verdict: half the step between possible differences of the two scores off
    the change.

    Scores of a scale with ``N`` items answered ``k`` at a time are multiples of
    ``100 / (L k)`` (``L`` from the options, ``steps = 100 / (L N)``), so a difference of scores
    from ``k_b`` and ``k_a`` answers is a multiple of ``100 / (L lcm(k_b, k_a)) = steps N / lcm``:
    ``steps`` itself when both are complete."""
    if np.any(sem_arr <= 0) or np.any(~np.isfinite(sem_arr)):
        bad = [s for s, v in zip(before.scale_ids, sem_arr) if not (v > 0)]
        notes.append(f"no positive SEM for scales {bad}: their RCI is NaN")
    k_b, k_a = ans_b.astype(np.int64), ans_a.astype(np.int64)
    size = np.asarray(n_items, dtype=float)[None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        inflate = np.sqrt(size / k_b + size / k_a)
        se_diff = np.where(sem_arr[None, :] > 0, sem_arr[None, :], np.nan) * inflate
        rci = scale_change / se_diff
        lattice = np.lcm(k_b, k_a)
        half_step = np.where(lattice > 0, steps[None, :] * size / lattice, 0.0) / 2
        rci_cc = np.maximum(np.abs(scale_change) - half_step, 0.0) / se_diff
    rci[~both] = np.nan
    rci_cc[~both] = np.nan
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
    if moves.refusal is not None:
        raise ValueError(f"method='scales' is refused: {moves.refusal}")
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

