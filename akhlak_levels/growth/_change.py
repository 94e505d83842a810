"""Reliable change per respondent between two waves, with one verdict per person.

:func:`reliable_change` matches two waves by respondent id and reports, for everyone in either
wave, the change in level and in expected level with the posterior probability of a level move,
the Jacobson-Truax reliable change index of every scale score, and one verdict: "improved",
"declined", "no reliable change" or "unmatched". The statistics are in ``docs/growth.md``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .._tables import frame, html_repr, records
from .._validation import Interval, Options, check
from ..assessment import Assessment
from ..errors import ModelError
from ..questionnaire import Questionnaire, load_questionnaire
from ._rci import ScaleMoves, resolve_sem, scale_moves, scale_verdict
from ._waves import check_assessment, check_same_instrument, hard_levels, id_index, pair_positions, questionnaire_of

__all__ = ["VERDICTS", "ReliableChange", "reliable_change"]

#: The verdicts of :func:`reliable_change`, in this order.
VERDICTS = ("improved", "declined", "no reliable change", "unmatched")


@dataclass(frozen=True, eq=False)
class ReliableChange:
    """Change per respondent between two waves; see :func:`reliable_change`.

    Arrays have one entry per respondent in either wave: first the ``before`` respondents in
    their order, then those only in ``after``, in theirs. Level and expected-level fields are
    NaN (or ``-1`` for the integer levels) where the respondent is absent from a wave or the
    assessments carry no levels.

    Attributes
    ----------
    respondent_ids : ndarray of str
    in_before, in_after : ndarray of bool
    level_before, level_after : ndarray of int8
        Hard level 1..5, 0 = undetermined, -1 = not in that wave.
    level_change : ndarray of float
        ``level_after - level_before`` where both are 1..5, else NaN.
    expected_before, expected_after, expected_change : ndarray of float
    expected_change_se : ndarray of float
        ``sqrt(sd_before**2 + sd_after**2)`` from the posterior standard deviations.
    expected_change_z : ndarray of float
        ``expected_change / expected_change_se``: descriptive (an IRT-style RCI); it is *not*
        the basis of the verdict (see Notes of :func:`reliable_change`).
    p_improved, p_declined : ndarray of float
        Posterior probability that the level went up (down): ``P(L_after > L_before)``.
    scale_ids : tuple of str
    scale_change : ndarray of shape (n, n_scales)
        ``score_after - score_before`` (0-100 points).
    scale_rci : ndarray of shape (n, n_scales)
        Jacobson-Truax reliable change index of each scale; all NaN when no SEM was given.
    sem : ndarray of shape (n_scales,) or None
        The standard errors of measurement used (0-100 points, complete questionnaire).
    scale_steps : ndarray of shape (n_scales,)
        Step between possible scores of each scale with all its items answered, as the
        assessments carry it (:attr:`Assessment.scale_steps`); the continuity correction of the
        scale verdict is half the step between possible differences of the person's two scores,
        which is this step when both are complete (see Notes of :func:`reliable_change`).
    index_change : ndarray or None
        Change of the questionnaire's index, where it defines one.
    verdict : ndarray of str
        ``"improved"``, ``"declined"``, ``"no reliable change"`` or ``"unmatched"``.
    method : str
        ``"levels"`` (posterior probability of a level move) or ``"scales"`` (largest scale
        RCI, Bonferroni-corrected).
    confidence : float
    notes : tuple of str
        What was and was not available (e.g. "no SEM given: scale RCIs not computed").
    """

    respondent_ids: np.ndarray
    in_before: np.ndarray
    in_after: np.ndarray
    level_before: np.ndarray
    level_after: np.ndarray
    level_change: np.ndarray
    expected_before: np.ndarray
    expected_after: np.ndarray
    expected_change: np.ndarray
    expected_change_se: np.ndarray
    expected_change_z: np.ndarray
    p_improved: np.ndarray
    p_declined: np.ndarray
    scale_ids: tuple[str, ...]
    scale_change: np.ndarray
    scale_rci: np.ndarray
    sem: np.ndarray | None
    scale_steps: np.ndarray
    index_change: np.ndarray | None
    verdict: np.ndarray
    method: str
    confidence: float
    notes: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.respondent_ids)

    def counts(self) -> dict[str, int]:
        """Number of respondents per verdict, in the order of :data:`VERDICTS`."""
        return {v: int(np.count_nonzero(self.verdict == v)) for v in VERDICTS}

    def _columns(self) -> dict[str, np.ndarray]:
        def lv(x: np.ndarray) -> np.ndarray:
            return np.where(x < 0, np.nan, x.astype(float))

        cols: dict[str, np.ndarray] = {
            "respondent_id": self.respondent_ids.astype(object),
            "in_before": self.in_before,
            "in_after": self.in_after,
            "level_before": lv(self.level_before),
            "level_after": lv(self.level_after),
            "level_change": self.level_change,
            "expected_before": self.expected_before,
            "expected_after": self.expected_after,
            "expected_change": self.expected_change,
            "expected_change_se": self.expected_change_se,
            "expected_change_z": self.expected_change_z,
            "p_improved": self.p_improved,
            "p_declined": self.p_declined,
        }
        for j, s in enumerate(self.scale_ids):
            cols[f"change_{s}"] = self.scale_change[:, j]
            cols[f"rci_{s}"] = self.scale_rci[:, j]
        if self.index_change is not None:
            cols["index_change"] = self.index_change
        cols["verdict"] = self.verdict.astype(object)
        return cols

    _repr_html_ = html_repr  # a compact, rounded table in a notebook

    def to_records(self) -> list[dict[str, Any]]:
        """One JSON-ready dict per respondent (NaN, infinite z and absent levels as None)."""
        recs = records(self._columns())
        for r in recs:  # levels are integers when present
            for k in ("level_before", "level_after", "level_change"):
                if r[k] is not None:
                    r[k] = int(r[k])
        return recs

    def to_frame(self) -> Any:
        """A pandas DataFrame, one row per respondent (needs pandas)."""
        return frame(self._columns())

    def __repr__(self) -> str:
        return f"ReliableChange(respondents={len(self)}, method={self.method!r}, {self.counts()})"


def reliable_change(
    before: Assessment,
    after: Assessment,
    *,
    confidence: float = 0.95,
    reliability: Any = None,
    sem: Any = None,
    min_confidence: float | None = None,
    method: str = "auto",
    questionnaire: Questionnaire | str | None = None,
) -> ReliableChange:
    """Reliable change per respondent between two waves, with one verdict per person.

    Parameters
    ----------
    before, after : Assessment
        Two waves scored on the same questionnaire with the same level model; respondents are
        matched by id.
    confidence : float, default=0.95
        In (0.5, 1). A verdict other than "no reliable change" is given when the evidence for a
        change reaches this level; among people who did not change, at most ``1 - confidence``
        get one (checked by simulation, see Notes).
    reliability : float, sequence, dict or ReliabilityTable, default=None
        Reliability (e.g. alpha) of each scale in the baseline population; the SEM is then
        ``SD(baseline scale score) * sqrt(1 - reliability)``. A
        :class:`~akhlak_levels.ReliabilityTable` (from :func:`akhlak_levels.reliability` on the
        baseline responses) gives its ``sem`` directly.
    sem : float, sequence or dict, default=None
        Standard error of measurement of each scale score (0-100 points), instead of
        ``reliability``.
    min_confidence : float, default=None
        Threshold for the hard levels in ``level_before``/``level_after``: None keeps each
        assessment's own ``level``; a number re-derives levels from the probabilities.
    method : {"auto", "levels", "scales"}, default="auto"
        What the verdict rests on: the level posteriors, or the scale RCIs. "auto" uses the
        levels when the assessments have them, else the scales (which then need ``sem`` or
        ``reliability``).
    questionnaire : Questionnaire or str, default=None
        Not needed for the RCIs (the assessments carry what they use); when given, it must agree
        with them, and ``method="scales"`` checks that none of its scales is keyed to a level.

    Returns
    -------
    ReliableChange

    Raises
    ------
    ModelError
        The waves use different questionnaires or level models, or the questionnaire passed
        disagrees with the scales the assessments carry.
    ValueError
        Bad parameters, duplicate ids within a wave, nothing to base a verdict on, or
        ``method="scales"`` on assessments without per-scale answered counts (an old store wave).

    Notes
    -----
    **Expected level.** ``d = E_after - E_before`` with ``SE = sqrt(sd_before^2 + sd_after^2)``,
    treating the two posteriors as independent (they use disjoint answers).

    **Scale RCI** (Jacobson & Truax, 1991): ``RCI_s = (x_after - x_before) / SE_diff`` with
    ``SE_diff = SEM_s * sqrt(N_s / n_s,before + N_s / n_s,after)``, ``N_s`` the scale's number of
    items and ``n_s`` the number of them the respondent answered in that wave
    (:attr:`Assessment.scale_answered`): ``sqrt(2) SEM_s`` for complete answers, as the error
    variance of a mean over fewer answered items grows as ``1 / (items answered)``.

    **The verdict, method "levels"** (the default when the assessments have levels): with the
    two posteriors ``p`` (before) and ``q`` (after) treated as independent,
    ``P(improved) = sum_{j<k} p_j q_k`` and ``P(declined) = sum_{j>k} p_j q_k``; the verdict is
    "improved" when ``P(improved) >= confidence``, "declined" when
    ``P(declined) >= confidence``. A z test on ``d / SE`` is *not* used: the posterior of a
    discrete level is far from normal, and in simulation from the model itself that z test
    exceeded its nominal false-positive rate with missing answers (0.023 at a nominal 0.01
    with half the answers missing). The posterior rule stayed below nominal (docs/growth.md).
    Both rest on the level model: when real items are weaker than the model says, posteriors
    are overconfident and false positives rise (calibrate the model first).

    **The verdict, method "scales"**: one test per person over all scales, the largest
    continuity-corrected ``|RCI_s| = max(|x_after - x_before| - h_s / 2, 0) / SE_diff`` against
    the Bonferroni critical value ``z_{1 - (1-confidence)/(2m)}``, ``m`` the number of scales
    with an RCI; the direction is the sign of that scale's change. ``h_s`` is the step between
    possible differences of the two scores, ``100 / (L_s lcm(n_s,before, n_s,after))`` for keyed
    values in steps of ``1 / L_s``: with complete answers the step between possible scores (4.17
    points for six five-point items). Without it the normal approximation exceeded the nominal
    rate (0.061-0.068 at 0.05, docs/growth.md, Table 5). Both corrections come from the
    assessments, so the rate holds for any questionnaire (Table 6). Only for scales that all
    mean "higher is better".

    References
    ----------
    Jacobson, N. S., & Truax, P. (1991). Clinical significance: A statistical approach to
    defining meaningful change in psychotherapy research. *Journal of Consulting and Clinical
    Psychology, 59*(1), 12-19.

    Examples
    --------
    >>> from akhlak_levels import assess, load_questionnaire, simulate
    >>> q = load_questionnaire("socio-emotional-levels")
    >>> r1, _ = simulate(q, 4, levels=[2, 3, 3, 4], random_state=1)
    >>> r2, _ = simulate(q, 4, levels=[3, 3, 3, 4], random_state=2)
    >>> rc = reliable_change(assess(q, r1), assess(q, r2))
    >>> rc.verdict.tolist()
    ['improved', 'no reliable change', 'no reliable change', 'no reliable change']
    >>> rc.level_change.tolist()
    [1.0, 0.0, 0.0, 0.0]
    """
    before = check_assessment(before, "before", "reliable_change")
    after = check_assessment(after, "after", "reliable_change")
    conf = float(check("reliable_change", "confidence", confidence, Interval(0.5, 1, closed="neither")))
    check("reliable_change", "method", method, Options({"auto", "levels", "scales"}))
    check_same_instrument([("before", before), ("after", after)])
    pairing = _pair_waves(before, after)
    q = _questionnaire_for(before, questionnaire)
    notes: list[str] = []
    levels = _level_moves(before, after, pairing, min_confidence, notes)
    sem_arr = resolve_sem(before, sem, reliability)
    scales = scale_moves(before, after, pairing.rows_before, pairing.rows_after, pairing.both, q, sem_arr, notes)
    if method == "auto":
        method = "levels" if before.has_levels else "scales"
    verdict = _verdicts(method, before, pairing, levels, scales, q, conf, notes)
    return _reliable_change_result(before, pairing, levels, scales, verdict, method, conf, notes)


# --------------------------------------------------------------------------- steps


@dataclass(frozen=True)
class _Pairing:
    """The respondents of two waves in reporting order: ``before``'s in their order, then those
    only in ``after`` in theirs; ``rows_*`` are safe gather positions (0 where absent)."""

    ids: np.ndarray
    in_before: np.ndarray
    in_after: np.ndarray
    both: np.ndarray
    rows_before: np.ndarray
    rows_after: np.ndarray

    def __len__(self) -> int:
        return len(self.ids)


def _pair_waves(before: Assessment, after: Assessment) -> _Pairing:
    """Match the two waves by respondent id: before's order, then after-only in after's order."""
    ix_b = id_index(before, "before")
    ix_a = id_index(after, "after")
    ids_b, ids_a = ix_b.ids, ix_a.ids
    rows_b, rows_a = pair_positions(ix_b, ix_a)
    n_b = len(ids_b)
    pos_a_for_b = np.full(n_b, -1, dtype=np.int64)
    pos_a_for_b[rows_b] = rows_a
    only_after = np.ones(len(ids_a), dtype=bool)
    only_after[rows_a] = False
    only_after_rows = np.nonzero(only_after)[0]
    pb = np.concatenate([np.arange(n_b), np.full(len(only_after_rows), -1)])
    pa = np.concatenate([pos_a_for_b, only_after_rows])
    ids = np.concatenate([ids_b, ids_a[only_after_rows]])
    in_b, in_a = pb >= 0, pa >= 0
    gb, ga = np.where(in_b, pb, 0), np.where(in_a, pa, 0)  # safe gather positions
    return _Pairing(ids, in_b, in_a, in_b & in_a, gb, ga)


def _gather(x: np.ndarray, g: np.ndarray, present: np.ndarray) -> np.ndarray:
    """``x[g]`` as float, NaN where the respondent is not ``present``."""
    out = np.asarray(x, dtype=float)[g]
    out[~present] = np.nan
    return out


def _questionnaire_for(before: Assessment, questionnaire: Questionnaire | str | None) -> Questionnaire | None:
    """The questionnaire passed, or the bundled one the assessments name; refused when it is not
    the one they were scored on."""
    q = questionnaire_of(before) if questionnaire is None else load_questionnaire(questionnaire)
    if q is not None and (q.id, q.content_hash) != (before.questionnaire_id, before.questionnaire_hash):
        raise ModelError(f"The questionnaire passed ({q.id!r}) is not the one these assessments were scored on ({before.questionnaire_id!r}).")
    return q


@dataclass(frozen=True)
class _LevelMoves:
    """Level, expected-level and posterior fields of :class:`ReliableChange`."""

    level_before: np.ndarray
    level_after: np.ndarray
    level_change: np.ndarray
    expected_before: np.ndarray
    expected_after: np.ndarray
    expected_change: np.ndarray
    expected_change_se: np.ndarray
    expected_change_z: np.ndarray
    p_improved: np.ndarray
    p_declined: np.ndarray


def _level_moves(
    before: Assessment, after: Assessment, pairing: _Pairing, min_confidence: float | None, notes: list[str]
) -> _LevelMoves:
    """Hard levels and their change, the expected-level change with its SE and z, and the
    posterior probabilities of a move up or down; NaN (levels -1) without a level model."""
    n = len(pairing)
    nan = np.full(n, np.nan)
    if not before.has_levels:
        notes.append("no level model: level, expected-level and posterior fields are NaN")
        absent = np.full(n, -1, dtype=np.int8)
        return _LevelMoves(absent, absent.copy(), nan.copy(), nan, nan, nan, nan, nan, nan, nan)
    assert before.probabilities is not None and after.probabilities is not None
    assert before.expected_level_sd is not None and after.expected_level_sd is not None
    assert before.expected_level is not None and after.expected_level is not None
    in_b, in_a, both = pairing.in_before, pairing.in_after, pairing.both
    gb, ga = pairing.rows_before, pairing.rows_after
    hb, ha = hard_levels(before, min_confidence, "reliable_change"), hard_levels(after, min_confidence, "reliable_change")
    lvl_b = np.where(in_b, hb[gb], -1).astype(np.int8)
    lvl_a = np.where(in_a, ha[ga], -1).astype(np.int8)
    det = both & (lvl_b > 0) & (lvl_a > 0)
    level_change = np.where(det, lvl_a.astype(float) - lvl_b, np.nan)
    e_b = _gather(before.expected_level, gb, in_b)
    e_a = _gather(after.expected_level, ga, in_a)
    d = e_a - e_b
    se = np.sqrt(_gather(before.expected_level_sd, gb, in_b) ** 2 + _gather(after.expected_level_sd, ga, in_a) ** 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(d == 0, 0.0, d / se)
    z[~both] = np.nan
    p_imp, p_dec = _move_probabilities(before.probabilities[gb], after.probabilities[ga])
    p_imp[~both] = np.nan
    p_dec[~both] = np.nan
    return _LevelMoves(lvl_b, lvl_a, level_change, e_b, e_a, d, se, z, p_imp, p_dec)


def _move_probabilities(P: np.ndarray, Q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``P(L_after > L_before)`` and ``P(L_after < L_before)`` for independent posteriors ``P``
    (before) and ``Q`` (after), one row per respondent."""
    cum_p = np.cumsum(P, axis=1)  # P(L_before <= k)
    cum_q = np.cumsum(Q, axis=1)
    # P(L_after > L_before) = sum_k q_k P(L_before < k) = sum_k q_k cum_p[k-1]
    p_imp = np.einsum("ij,ij->i", Q[:, 1:], cum_p[:, :-1])
    p_dec = np.einsum("ij,ij->i", P[:, 1:], cum_q[:, :-1])
    return p_imp, p_dec


def _verdicts(
    method: str, before: Assessment, pairing: _Pairing, levels: _LevelMoves, scales: ScaleMoves,
    q: Questionnaire | None, conf: float, notes: list[str],
) -> np.ndarray:
    """One verdict per respondent, on the level posteriors or on the scale RCIs."""
    both = pairing.both
    verdict = np.full(len(pairing), "no reliable change", dtype=object)
    verdict[~both] = "unmatched"
    if method == "levels":
        if not before.has_levels:
            raise ValueError(
                f"method='levels' needs level probabilities; these assessments of {before.questionnaire_id!r} have none. "
                "Use method='scales' with sem= or reliability=."
            )
        verdict[both & (levels.p_improved >= conf)] = "improved"
        verdict[both & (levels.p_declined >= conf)] = "declined"
        notes.append("verdict: posterior probability of a level move (P(improved) or P(declined) >= confidence)")
    else:
        up, down = scale_verdict(scales, before, q, conf)
        verdict[both & up] = "improved"
        verdict[both & down] = "declined"
        notes.append(
            "verdict: largest continuity-corrected |scale RCI| against a Bonferroni critical value over the scored scales"
        )
    return verdict


def _reliable_change_result(
    before: Assessment, pairing: _Pairing, levels: _LevelMoves, scales: ScaleMoves, verdict: np.ndarray,
    method: str, conf: float, notes: list[str],
) -> ReliableChange:
    """The :class:`ReliableChange` of the steps' results."""
    return ReliableChange(
        respondent_ids=pairing.ids,
        in_before=pairing.in_before,
        in_after=pairing.in_after,
        level_before=levels.level_before,
        level_after=levels.level_after,
        level_change=levels.level_change,
        expected_before=levels.expected_before,
        expected_after=levels.expected_after,
        expected_change=levels.expected_change,
        expected_change_se=levels.expected_change_se,
        expected_change_z=levels.expected_change_z,
        p_improved=levels.p_improved,
        p_declined=levels.p_declined,
        scale_ids=before.scale_ids,
        scale_change=scales.scale_change,
        scale_rci=scales.scale_rci,
        sem=scales.sem,
        scale_steps=scales.scale_steps,
        index_change=scales.index_change,
        verdict=verdict.astype(str),
        method=method,
        confidence=conf,
        notes=tuple(notes),
    )
