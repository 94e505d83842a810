"""Growth over waves: reliable change per person, level transitions, group progress and
individual trajectories.

Everything here works on :class:`~akhlak_levels.Assessment` objects only (never on raw
responses), matched across waves by respondent id with sorting, not with per-row dictionaries:

* :func:`reliable_change` - one verdict per person between two waves ("improved", "declined",
  "no reliable change", "unmatched"), with the change in level, in expected level and the
  Jacobson-Truax reliable change index of every scale score;
* :func:`transitions` - the 5 x 5 table of level moves, from hard levels, from the posteriors,
  and corrected for misclassification by a latent-transition model fitted by EM;
* :func:`progress` - per wave and group: respondents, level distribution, mean expected level,
  share at level 4 or 5, scale and index scores with their categories, change from the previous
  wave with its test, and ranks; small groups are suppressed, never silently dropped;
* :func:`trajectories` - per respondent with three or more waves, the slope per year of the
  expected level and of every scale score, with its standard error, and the mean trajectory.

The statistics, how to read them and the privacy rules are in ``docs/growth.md``.
"""

from __future__ import annotations

import datetime as _dt
import math
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import numpy as np
from scipy import stats

from .._tables import frame, json_value, records
from ..assessment import Assessment
from ..errors import ModelError
from ..levels import N_LEVELS
from ..model import LevelModel
from ..questionnaire import Questionnaire, load_questionnaire

__all__ = [
    "VERDICTS",
    "ReliableChange",
    "TransitionTable",
    "ProgressTable",
    "Trajectories",
    "reliable_change",
    "transitions",
    "progress",
    "trajectories",
]

#: The verdicts of :func:`reliable_change`, in this order.
VERDICTS = ("improved", "declined", "no reliable change", "unmatched")

ALL_GROUP = "(all)"
MISSING_GROUP = "(missing)"
_LEVELS = np.arange(1, N_LEVELS + 1, dtype=np.float64)
_DAYS_PER_YEAR = 365.2425


# =========================================================================== helpers


_nan_to_none = json_value
_records = records
_frame = frame


def _check_confidence(confidence: float, func: str, *, low: float = 0.0) -> float:
    c = float(confidence)
    if not low < c < 1.0:
        raise ValueError(
            f"The 'confidence' parameter of {func} must be in ({low:g}, 1). Got {confidence!r} instead."
        )
    return c


def _check_assessment(a: Any, what: str) -> Assessment:
    if not isinstance(a, Assessment):
        raise TypeError(f"{what} must be an Assessment (from akhlak_levels.assess). Got {type(a).__name__} instead.")
    return a


@dataclass(frozen=True)
class _IdIndex:
    """A wave's respondent ids, sorted once: ``sorted_ids = ids[order]``."""

    ids: np.ndarray
    order: np.ndarray
    sorted_ids: np.ndarray


def _ids(a: Assessment, label: str) -> _IdIndex:
    """Respondent ids as a str array, sorted once, refusing duplicates (which would make
    matching ambiguous)."""
    ids = np.asarray(a.respondent_ids)
    if ids.dtype.kind != "U":
        ids = ids.astype(str)
    order = np.argsort(ids)  # ids are unique (checked next), so stability does not matter
    s = ids[order]
    if len(s) > 1:
        dup = s[1:][s[1:] == s[:-1]]
        if len(dup):
            shown = sorted(set(dup.tolist()))
            raise ValueError(
                f"Respondent ids must be unique within a wave; wave {label} repeats {shown[:5]}"
                f"{' and more' if len(shown) > 5 else ''}. Merge or drop the duplicates first."
            )
    return _IdIndex(ids, order, s)


def _check_same_instrument(waves: Sequence[tuple[str, Assessment]]) -> None:
    """All waves must come from one questionnaire (id, version, hash) and one level model."""
    label0, a0 = waves[0]
    ident0 = (a0.questionnaire_id, a0.questionnaire_version, a0.questionnaire_hash)
    for label, a in waves[1:]:
        ident = (a.questionnaire_id, a.questionnaire_version, a.questionnaire_hash)
        if ident != ident0:
            raise ModelError(
                f"All waves must be scored on the same questionnaire: wave {label0} used "
                f"{ident0[0]!r} version {ident0[1]!r}, wave {label} used {ident[0]!r} version {ident[1]!r}"
                f"{' (same id and version, different content hash)' if ident[:2] == ident0[:2] else ''}."
            )
        if a.has_levels != a0.has_levels or a.model_hash != a0.model_hash:
            raise ModelError(
                f"All waves must be scored with the same level model, or change would mix models with "
                f"real movement: wave {label0} used {_model_name(a0)}, wave {label} used {_model_name(a)}. "
                "Score every wave again with one model."
            )
        if a.scale_ids != a0.scale_ids:
            raise ModelError(
                f"Waves {label0} and {label} have different scales: {list(a0.scale_ids)} and {list(a.scale_ids)}."
            )


def _model_name(a: Assessment) -> str:
    if not a.has_levels:
        return "no level model"
    return f"a {a.model_kind} model ({(a.model_hash or '?')[:19]}...)"


def _match(ids_list: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Union of ids (sorted) and, per wave, each union id's row in that wave (-1 if absent)."""
    allids = np.concatenate(list(ids_list))
    union, inv = np.unique(allids, return_inverse=True)
    pos = np.full((len(union), len(ids_list)), -1, dtype=np.int64)
    start = 0
    for w, ids in enumerate(ids_list):
        pos[inv[start : start + len(ids)], w] = np.arange(len(ids))
        start += len(ids)
    return union, pos


def _pair_positions(a: _IdIndex, b: _IdIndex) -> tuple[np.ndarray, np.ndarray]:
    """Rows of the ids present in both waves: (rows in a, rows in b), matched pairwise.

    Both id arrays are sorted once (:func:`_ids`), so the search walks them in step."""
    if len(a.ids) == len(b.ids) and np.array_equal(a.ids, b.ids):  # same panel, same order
        r = np.arange(len(a.ids))
        return r, r
    if len(a.ids) == 0 or len(b.ids) == 0:
        e = np.zeros(0, dtype=np.int64)
        return e, e
    at = np.searchsorted(b.sorted_ids, a.sorted_ids)
    at_c = np.minimum(at, len(b.ids) - 1)
    found = b.sorted_ids[at_c] == a.sorted_ids
    return a.order[found], b.order[at_c[found]]


def _hard_levels(a: Assessment, min_confidence: float | None) -> np.ndarray:
    """``a.level``, or levels re-thresholded at ``min_confidence`` (0 = undetermined)."""
    assert a.probabilities is not None and a.level is not None
    if min_confidence is None:
        return np.asarray(a.level, dtype=np.int8)
    mc = float(min_confidence)
    if not 0.0 <= mc <= 1.0:
        raise ValueError(f"The 'min_confidence' parameter must be in [0, 1]. Got {min_confidence!r} instead.")
    p = a.probabilities
    level = (p.argmax(axis=1) + 1).astype(np.int8)
    level[(p.max(axis=1) < mc) | (a.n_answered == 0)] = 0
    return level


def _wilson(x: np.ndarray, n: np.ndarray, z: float) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for ``x`` successes in ``n`` trials (NaN where n = 0)."""
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


# =========================================================================== reliable change


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
        Step between possible scores of each scale (the continuity correction of the scale
        verdict is half of it); 0 when the questionnaire is unknown.
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

    def to_records(self) -> list[dict[str, Any]]:
        """One JSON-ready dict per respondent (NaN, infinite z and absent levels as None)."""
        recs = _records(self._columns())
        for r in recs:  # levels are integers when present
            for k in ("level_before", "level_after", "level_change"):
                if r[k] is not None:
                    r[k] = int(r[k])
        return recs

    def to_frame(self) -> Any:
        """A pandas DataFrame, one row per respondent (needs pandas)."""
        return _frame(self._columns())

    def __repr__(self) -> str:
        return f"ReliableChange(respondents={len(self)}, method={self.method!r}, {self.counts()})"


def _per_scale(value: Any, scale_ids: tuple[str, ...], name: str) -> np.ndarray:
    """A per-scale parameter given as a number, a sequence in scale order or a dict by scale id."""
    if isinstance(value, Mapping):
        missing = [s for s in scale_ids if s not in value]
        unknown = [k for k in value if k not in scale_ids]
        if missing or unknown:
            raise ValueError(
                f"The {name!r} parameter must give a value for every scale {list(scale_ids)}"
                f"{'; missing ' + str(missing) if missing else ''}{'; unknown ' + str(unknown) if unknown else ''}."
            )
        arr = np.array([float(value[s]) for s in scale_ids])
    else:
        arr = np.asarray(value, dtype=float)
        if arr.ndim == 0:
            arr = np.full(len(scale_ids), float(arr))
        if arr.shape != (len(scale_ids),):
            raise ValueError(
                f"The {name!r} parameter must hold one value per scale ({len(scale_ids)}: {list(scale_ids)}); "
                f"got shape {arr.shape}."
            )
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
        Needed only when the assessments' questionnaire is not bundled: its number of items
        and the scales' score steps enter the RCI verdict.

    Returns
    -------
    ReliableChange

    Raises
    ------
    ModelError
        The waves use different questionnaires or level models.
    ValueError
        Bad parameters, duplicate ids within a wave, or nothing to base a verdict on.

    Notes
    -----
    **Expected level.** ``d = E_after - E_before`` with ``SE = sqrt(sd_before^2 + sd_after^2)``,
    treating the two posteriors as independent (they use disjoint answers).

    **Scale RCI** (Jacobson & Truax, 1991): ``RCI_s = (x_after - x_before) / SE_diff`` with
    ``SE_diff = SEM_s * sqrt(N / n_before + N / n_after)``, ``N`` the questionnaire's number of
    items and ``n`` the number a respondent answered: ``sqrt(2) SEM_s`` for complete answers.
    A scale score is a mean over the answered items, so its error variance grows as
    ``1 / (items answered)``; without this, prorated scores make the RCI anti-conservative.

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
    possible scores of the scale (100 / (6 items x 4 steps) = 4.17 points for a six-item
    five-point scale): scale scores are discrete, and without the correction the normal
    approximation exceeded the nominal rate in simulated complete five-point answers (0.061-0.068
    at a nominal 0.05); with it, 0.017-0.030 (docs/growth.md, Table 5). Only for questionnaires
    whose scales all mean "higher is better" (no scale keyed to a level).

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
    before = _check_assessment(before, "before")
    after = _check_assessment(after, "after")
    conf = _check_confidence(confidence, "reliable_change", low=0.5)
    if method not in ("auto", "levels", "scales"):
        raise ValueError(f"The 'method' parameter of reliable_change must be one of {{'auto', 'levels', 'scales'}}. Got {method!r} instead.")
    _check_same_instrument([("before", before), ("after", after)])
    ix_b = _ids(before, "before")
    ix_a = _ids(after, "after")
    ids_b, ids_a = ix_b.ids, ix_a.ids

    # --- matching: before's order, then after-only in after's order
    rows_b, rows_a = _pair_positions(ix_b, ix_a)
    n_b = len(ids_b)
    pos_a_for_b = np.full(n_b, -1, dtype=np.int64)
    pos_a_for_b[rows_b] = rows_a
    only_after = np.ones(len(ids_a), dtype=bool)
    only_after[rows_a] = False
    only_after_rows = np.nonzero(only_after)[0]
    n = n_b + len(only_after_rows)
    pb = np.concatenate([np.arange(n_b), np.full(len(only_after_rows), -1)])
    pa = np.concatenate([pos_a_for_b, only_after_rows])
    ids = np.concatenate([ids_b, ids_a[only_after_rows]])
    in_b, in_a = pb >= 0, pa >= 0
    both = in_b & in_a
    gb, ga = np.where(in_b, pb, 0), np.where(in_a, pa, 0)  # safe gather positions

    def gather(x: np.ndarray, g: np.ndarray, present: np.ndarray) -> np.ndarray:
        out = np.asarray(x, dtype=float)[g]
        out[~present] = np.nan
        return out

    notes: list[str] = []
    S = len(before.scale_ids)
    q = _questionnaire_of(before) if questionnaire is None else load_questionnaire(questionnaire)
    if q is not None and (q.id, q.content_hash) != (before.questionnaire_id, before.questionnaire_hash):
        raise ModelError(f"The questionnaire passed ({q.id!r}) is not the one these assessments were scored on ({before.questionnaire_id!r}).")

    # --- levels
    nan = np.full(n, np.nan)
    lvl_b = np.full(n, -1, dtype=np.int8)
    lvl_a = np.full(n, -1, dtype=np.int8)
    level_change = nan.copy()
    e_b = e_a = d = se = z = p_imp = p_dec = nan
    if before.has_levels:
        assert before.probabilities is not None and after.probabilities is not None
        assert before.expected_level_sd is not None and after.expected_level_sd is not None
        assert before.expected_level is not None and after.expected_level is not None
        hb, ha = _hard_levels(before, min_confidence), _hard_levels(after, min_confidence)
        lvl_b = np.where(in_b, hb[gb], -1).astype(np.int8)
        lvl_a = np.where(in_a, ha[ga], -1).astype(np.int8)
        det = both & (lvl_b > 0) & (lvl_a > 0)
        level_change = np.where(det, lvl_a.astype(float) - lvl_b, np.nan)
        e_b = gather(before.expected_level, gb, in_b)
        e_a = gather(after.expected_level, ga, in_a)
        d = e_a - e_b
        se = np.sqrt(gather(before.expected_level_sd, gb, in_b) ** 2 + gather(after.expected_level_sd, ga, in_a) ** 2)
        with np.errstate(divide="ignore", invalid="ignore"):
            z = np.where(d == 0, 0.0, d / se)
        z[~both] = np.nan
        P = before.probabilities[gb]
        Q = after.probabilities[ga]
        cum_p = np.cumsum(P, axis=1)  # P(L_before <= k)
        cum_q = np.cumsum(Q, axis=1)
        # P(L_after > L_before) = sum_k q_k P(L_before < k) = sum_k q_k cum_p[k-1]
        p_imp = np.einsum("ij,ij->i", Q[:, 1:], cum_p[:, :-1])
        p_dec = np.einsum("ij,ij->i", P[:, 1:], cum_q[:, :-1])
        p_imp[~both] = np.nan
        p_dec[~both] = np.nan
    else:
        notes.append("no level model: level, expected-level and posterior fields are NaN")

    # --- scales
    scale_change = np.asarray(after.scale_scores, dtype=float)[ga] - np.asarray(before.scale_scores, dtype=float)[gb]
    scale_change[~both] = np.nan
    sem_arr: np.ndarray | None = None
    if sem is not None and reliability is not None:
        raise ValueError("Pass either 'sem' or 'reliability' to reliable_change, not both.")
    if sem is not None:
        sem_arr = _per_scale(sem, before.scale_ids, "sem")
    elif reliability is not None:
        table_sem = getattr(reliability, "sem", None)
        if table_sem is not None and hasattr(reliability, "scale"):
            if tuple(reliability.scale) != before.scale_ids:
                raise ValueError(
                    f"The reliability table's scales {list(reliability.scale)} are not this questionnaire's "
                    f"{list(before.scale_ids)}."
                )
            sem_arr = np.asarray(table_sem, dtype=float)
        else:
            rel = _per_scale(reliability, before.scale_ids, "reliability")
            if np.any((rel < 0) | (rel > 1)):
                raise ValueError(f"The 'reliability' parameter must lie in [0, 1] for every scale. Got {rel.tolist()}.")
            with np.errstate(invalid="ignore"):
                sd = np.nanstd(before.scale_scores, axis=0, ddof=1) if len(before) > 1 else np.full(S, np.nan)
            sem_arr = sd * np.sqrt(1.0 - rel)
    rci = np.full((n, S), np.nan)
    rci_cc = rci  # continuity-corrected |RCI|, for the verdict
    steps = _scale_steps(q, before.scale_ids) if q is not None else np.zeros(S)
    if sem_arr is not None:
        if np.any(sem_arr <= 0) or np.any(~np.isfinite(sem_arr)):
            bad = [s for s, v in zip(before.scale_ids, sem_arr) if not (v > 0)]
            notes.append(f"no positive SEM for scales {bad}: their RCI is NaN")
        n_items = float(q.n_items) if q is not None else float(max(before.n_answered.max(initial=1), 1))
        with np.errstate(divide="ignore", invalid="ignore"):
            k_b = np.asarray(before.n_answered, dtype=float)[gb]
            k_a = np.asarray(after.n_answered, dtype=float)[ga]
            inflate = np.sqrt(n_items / k_b + n_items / k_a)
            se_diff = np.where(sem_arr[None, :] > 0, sem_arr[None, :], np.nan) * inflate[:, None]
            rci = scale_change / se_diff
            rci_cc = np.maximum(np.abs(scale_change) - steps[None, :] / 2, 0.0) / se_diff
        rci[~both] = np.nan
        rci_cc[~both] = np.nan
        if q is None:
            notes.append("questionnaire not bundled (pass questionnaire=): no continuity correction")
    else:
        notes.append("no SEM or reliability given: scale RCIs not computed")

    index_change = None
    if before.index is not None and after.index is not None:
        index_change = np.asarray(after.index, dtype=float)[ga] - np.asarray(before.index, dtype=float)[gb]
        index_change[~both] = np.nan

    # --- one verdict per person
    if method == "auto":
        method = "levels" if before.has_levels else "scales"
    verdict = np.full(n, "no reliable change", dtype=object)
    verdict[~both] = "unmatched"
    if method == "levels":
        if not before.has_levels:
            raise ValueError(
                f"method='levels' needs level probabilities; these assessments of {before.questionnaire_id!r} have none. "
                "Use method='scales' with sem= or reliability=."
            )
        verdict[both & (p_imp >= conf)] = "improved"
        verdict[both & (p_dec >= conf)] = "declined"
    else:
        keyed = [s.id for s in q.scales if s.level is not None] if q is not None else []
        if keyed:
            raise ValueError(
                f"method='scales' needs scales on which higher is better; the scales of {before.questionnaire_id!r} are "
                f"keyed to levels ({keyed}), so a rise is not an improvement. Use method='levels'."
            )
        if sem_arr is None:
            raise ValueError(
                f"The assessments of {before.questionnaire_id!r} have no level probabilities, so the verdict rests on the "
                "scale RCIs: pass sem= or reliability= (e.g. reliability=akhlak_levels.reliability(q, baseline_responses))."
            )
        finite = np.isfinite(rci_cc)
        m = finite.sum(axis=1)
        absr = np.where(finite, rci_cc, -np.inf)
        top = absr.argmax(axis=1)
        top_val = rci[np.arange(n), top]
        with np.errstate(divide="ignore", invalid="ignore"):
            crit = stats.norm.isf((1.0 - conf) / (2.0 * np.maximum(m, 1)))
        reliable = both & (m > 0) & (absr.max(axis=1, initial=-np.inf) > crit)
        verdict[reliable & (top_val > 0)] = "improved"
        verdict[reliable & (top_val < 0)] = "declined"
        notes.append(
            "verdict: largest continuity-corrected |scale RCI| against a Bonferroni critical value over the scored scales"
        )
    if method == "levels":
        notes.append("verdict: posterior probability of a level move (P(improved) or P(declined) >= confidence)")

    return ReliableChange(
        respondent_ids=ids,
        in_before=in_b,
        in_after=in_a,
        level_before=lvl_b,
        level_after=lvl_a,
        level_change=level_change,
        expected_before=e_b,
        expected_after=e_a,
        expected_change=d,
        expected_change_se=se,
        expected_change_z=z,
        p_improved=p_imp,
        p_declined=p_dec,
        scale_ids=before.scale_ids,
        scale_change=scale_change,
        scale_rci=rci,
        sem=sem_arr,
        scale_steps=steps,
        index_change=index_change,
        verdict=verdict.astype(str),
        method=method,
        confidence=conf,
        notes=tuple(notes),
    )


def _questionnaire_of(a: Assessment) -> Questionnaire | None:
    """The bundled questionnaire the assessment names, when it is bundled and matches."""
    try:
        q = load_questionnaire(a.questionnaire_id)
    except Exception:
        return None
    return q if q.content_hash == a.questionnaire_hash else None


# =========================================================================== transitions


@dataclass(frozen=True, eq=False)
class TransitionTable:
    """Level transitions between two waves; see :func:`transitions`.

    Every 5 x 5 array has rows = level before, columns = level after, levels 1-5 in order.

    Attributes
    ----------
    counts : ndarray of int64, shape (5, 5)
        Matched respondents by hard level; respondents undetermined (level 0) in either wave
        are left out and counted in ``n_undetermined``.
    proportions, proportions_ci_lower, proportions_ci_upper : ndarray of shape (5, 5)
        Row proportions of ``counts`` with Wilson intervals (NaN for an empty row).
    expected : ndarray of shape (5, 5)
        ``sum_i p_before[i, j] * p_after[i, k]`` over all matched respondents; sums to
        ``n_matched``.
    expected_proportions, expected_ci_lower, expected_ci_upper : ndarray of shape (5, 5)
        Row proportions of ``expected``, with Wilson intervals that treat the expected row total
        as the number of trials (an approximation).
    corrected : ndarray of shape (5, 5)
        Latent-transition estimate ``T[j, k] = P(level k after | level j before)``, corrected
        for misclassification; rows sum to 1. A row for a level nobody is estimated to hold
        before is not estimable and is set uniform (``notes`` says so).
    corrected_initial : ndarray of shape (5,)
        Estimated latent level distribution before (``pi``).
    corrected_counts : ndarray of shape (5, 5)
        ``n_matched * pi_j * T[j, k]``: expected latent moves. Rows with small totals are poorly
        determined.
    n_matched, n_undetermined, n_only_before, n_only_after : int
    prior : ndarray of shape (5,)
        The scoring model's prior used to turn posteriors into likelihoods.
    iterations : int
    converged : bool
    log_likelihood : float
        Of the latent-transition model, up to a constant.
    confidence : float
    notes : tuple of str
    """

    counts: np.ndarray
    proportions: np.ndarray
    proportions_ci_lower: np.ndarray
    proportions_ci_upper: np.ndarray
    expected: np.ndarray
    expected_proportions: np.ndarray
    expected_ci_lower: np.ndarray
    expected_ci_upper: np.ndarray
    corrected: np.ndarray
    corrected_initial: np.ndarray
    corrected_counts: np.ndarray
    n_matched: int
    n_undetermined: int
    n_only_before: int
    n_only_after: int
    prior: np.ndarray
    iterations: int
    converged: bool
    log_likelihood: float
    confidence: float
    notes: tuple[str, ...]

    def _columns(self) -> dict[str, np.ndarray]:
        j, k = np.meshgrid(np.arange(1, 6), np.arange(1, 6), indexing="ij")
        return {
            "level_before": j.ravel(),
            "level_after": k.ravel(),
            "count": self.counts.ravel(),
            "proportion": self.proportions.ravel(),
            "proportion_ci_lower": self.proportions_ci_lower.ravel(),
            "proportion_ci_upper": self.proportions_ci_upper.ravel(),
            "expected": self.expected.ravel(),
            "expected_proportion": self.expected_proportions.ravel(),
            "expected_ci_lower": self.expected_ci_lower.ravel(),
            "expected_ci_upper": self.expected_ci_upper.ravel(),
            "corrected": self.corrected.ravel(),
        }

    def to_records(self) -> list[dict[str, Any]]:
        """One JSON-ready dict per (level before, level after) cell, 25 in all."""
        return _records(self._columns())

    def to_frame(self) -> Any:
        """A pandas DataFrame with one row per cell (needs pandas)."""
        return _frame(self._columns())

    def __repr__(self) -> str:
        return (
            f"TransitionTable(matched={self.n_matched}, undetermined={self.n_undetermined}, "
            f"stay={np.trace(self.counts)}, converged={self.converged})"
        )


def _resolve_prior(a: Assessment, model: LevelModel | None, prior: Any, notes: list[str]) -> np.ndarray:
    if model is not None and prior is not None:
        raise ValueError("Pass either 'model' or 'prior' to transitions, not both.")
    if prior is not None:
        b = np.asarray(prior, dtype=float)
        if b.shape != (N_LEVELS,) or np.any(~np.isfinite(b)) or np.any(b <= 0):
            raise ValueError(f"The 'prior' parameter must be 5 positive numbers. Got {np.asarray(prior).tolist()!r} instead.")
        return b / b.sum()
    if model is not None:
        if not isinstance(model, LevelModel):
            raise TypeError(f"The 'model' parameter must be a LevelModel. Got {type(model).__name__} instead.")
        if model.hash != a.model_hash:
            raise ModelError(
                f"The model passed ({model.hash[:19]}...) is not the one these assessments were scored with "
                f"({(a.model_hash or 'none')[:19]}...)."
            )
        if model.kind not in ("latent-class", "theory-prior"):
            notes.append(
                f"a {model.kind!r} model: its posteriors divided by its prior are only approximately likelihoods; "
                "pass prior= (the training level shares) for a better correction"
            )
        return model.prior
    q = _questionnaire_of(a)
    dm = q.default_model if q is not None else None
    if dm is not None and dm.hash == a.model_hash:
        return dm.prior
    notes.append("the scoring model's prior is unknown: taken as uniform (pass model= or prior=)")
    return np.full(N_LEVELS, 1.0 / N_LEVELS)


def _latent_transition_em(
    L1T: np.ndarray, L2T: np.ndarray, start: np.ndarray, *, tol: float, max_iter: int, chunk: int = 1 << 20
) -> tuple[np.ndarray, int, bool, float]:
    """EM for the joint latent distribution ``Theta[j, k] = pi_j T[j, k]`` given likelihoods
    ``L1T[j, i]`` (wave 1, level j, respondent i) and ``L2T[k, i]`` (wave 2).

    The log-likelihood ``sum_i log sum_jk Theta_jk L1_ij L2_ik`` is concave in ``Theta`` (a log of
    a linear function) over the simplex, so EM converges to the global maximum from any interior
    start. E and M steps in one pass: ``Theta <- Theta * (L1' (L2 / Z)) / n`` with
    ``Z_i = L1_i' Theta L2_i``, computed in chunks of respondents (no n x 5 x 5 arrays); the
    arrays are levels x respondents so that every product runs along the long axis.
    """
    n = L1T.shape[1]
    theta = start.copy()
    ll = -np.inf
    converged = False
    it = 0
    for it in range(1, max_iter + 1):
        acc = np.zeros((N_LEVELS, N_LEVELS))
        ll_new = 0.0
        for s in range(0, n, chunk):
            l1, l2 = L1T[:, s : s + chunk], L2T[:, s : s + chunk]
            A = theta.T @ l1  # A[k, i] = sum_j theta[j, k] L1[i, j]
            A *= l2
            Z = A.sum(axis=0)
            acc += l1 @ (l2 / Z).T
            ll_new += float(np.log(Z).sum())
        new = theta * acc / n
        new /= new.sum()
        delta = float(np.abs(new - theta).max())
        theta = new
        ll = ll_new
        if delta < tol:
            converged = True
            break
    return theta, it, converged, ll


def transitions(
    before: Assessment,
    after: Assessment,
    *,
    model: LevelModel | None = None,
    prior: Any = None,
    confidence: float = 0.95,
    min_confidence: float | None = None,
    tol: float = 1e-7,
    max_iter: int = 5000,
) -> TransitionTable:
    """The 5 x 5 table of level moves between two waves: raw, expected and corrected.

    Parameters
    ----------
    before, after : Assessment
        Two waves scored on the same questionnaire with the same level model.
    model : LevelModel, default=None
        The model the posteriors came from (its prior turns them into likelihoods). When None,
        the questionnaire's default model if that is what scored the waves, else a uniform prior.
    prior : array-like of shape (5,), default=None
        The scoring model's prior level probabilities, instead of ``model``.
    confidence : float, default=0.95
        Level of the Wilson intervals.
    min_confidence : float, default=None
        Threshold for the hard levels in ``counts``; None keeps each assessment's ``level``.
    tol : float, default=1e-7
        EM stops when no entry of ``pi_j T[j, k]`` moves by more than this.
    max_iter : int, default=5000

    Returns
    -------
    TransitionTable

    Raises
    ------
    ModelError
        Different questionnaires or models across the waves, or a ``model`` that did not score
        them.
    ValueError
        Assessments without levels, bad parameters, duplicate ids, no matched respondents.

    Notes
    -----
    Both raw tables count classification noise as movement: a stable person misclassified in
    one wave is counted as a move. The corrected table fits a latent transition model: the
    latent level before is ``pi``, after it is drawn from row ``T[j]``, and the answers at each
    wave come from the level model. An ``Assessment`` holds posteriors, not answers, but for a
    probabilistic model (latent class, theory prior) ``p_t[i, k] / b_k`` is proportional to the
    likelihood of respondent ``i``'s answers at wave ``t`` given level ``k`` (``b`` the model's
    prior), which is all EM needs. The log-likelihood is concave in ``pi_j T[j, k]``, so the
    maximum is global. The estimate is as good as the level model: when the model is
    overconfident, part of the misclassification goes uncorrected.

    Examples
    --------
    >>> from akhlak_levels import assess, load_questionnaire, simulate
    >>> q = load_questionnaire("socio-emotional-levels")
    >>> r1, _ = simulate(q, 6, levels=[1, 2, 3, 3, 4, 5], random_state=3)
    >>> r2, _ = simulate(q, 6, levels=[1, 3, 3, 4, 4, 5], random_state=4)
    >>> t = transitions(assess(q, r1), assess(q, r2))
    >>> t.counts
    array([[1, 0, 0, 0, 0],
           [0, 0, 1, 0, 0],
           [0, 0, 1, 1, 0],
           [0, 0, 0, 1, 0],
           [0, 0, 0, 0, 1]])
    >>> float(t.expected.sum()), bool(np.allclose(t.corrected.sum(axis=1), 1))
    (6.0, True)
    """
    before = _check_assessment(before, "before")
    after = _check_assessment(after, "after")
    conf = _check_confidence(confidence, "transitions")
    if not (isinstance(max_iter, (int, np.integer)) and max_iter >= 1):
        raise ValueError(f"The 'max_iter' parameter of transitions must be a positive integer. Got {max_iter!r} instead.")
    if not tol > 0:
        raise ValueError(f"The 'tol' parameter of transitions must be positive. Got {tol!r} instead.")
    _check_same_instrument([("before", before), ("after", after)])
    if not before.has_levels:
        raise ValueError(
            f"transitions needs level probabilities; these assessments of {before.questionnaire_id!r} have none "
            "(no level model). Use progress() for scale and index scores."
        )
    assert before.probabilities is not None and after.probabilities is not None
    notes: list[str] = []
    b = _resolve_prior(before, model, prior, notes)
    ix_b, ix_a = _ids(before, "before"), _ids(after, "after")
    rb, ra = _pair_positions(ix_b, ix_a)
    n = len(rb)
    if n == 0:
        raise ValueError("No respondent id appears in both waves: nothing to tabulate.")
    hb = _hard_levels(before, min_confidence)[rb].astype(np.int64)
    ha = _hard_levels(after, min_confidence)[ra].astype(np.int64)
    det = (hb > 0) & (ha > 0)
    counts = np.bincount((hb[det] - 1) * N_LEVELS + (ha[det] - 1), minlength=N_LEVELS * N_LEVELS).reshape(N_LEVELS, N_LEVELS)
    z = float(stats.norm.isf((1 - conf) / 2))
    rows = counts.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        prop = np.where(rows > 0, counts / rows, np.nan)
    lo, hi = _wilson(counts, np.broadcast_to(rows, counts.shape), z)

    P = before.probabilities[rb]
    Q = after.probabilities[ra]
    expected = P.T @ Q
    erows = expected.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        eprop = np.where(erows > 0, expected / erows, np.nan)
    elo, ehi = _wilson(expected, np.broadcast_to(erows, expected.shape), z)

    # likelihoods up to a constant per respondent, levels x respondents (contiguous rows)
    L1T = np.ascontiguousarray(P.T)
    L2T = np.ascontiguousarray(Q.T)
    del P, Q
    for L in (L1T, L2T):
        L /= b[:, None]
        L /= L.sum(axis=0)
    start = (expected + 1.0) / (expected.sum() + N_LEVELS * N_LEVELS)  # interior, near the data
    theta, iters, converged, ll = _latent_transition_em(L1T, L2T, start, tol=float(tol), max_iter=int(max_iter))
    if not converged:
        notes.append(f"EM did not converge in {iters} iterations (raise max_iter)")
    pi = theta.sum(axis=1)
    empty = pi * n < 1e-9  # no latent mass at this level before: its row is not estimable
    T = np.full((N_LEVELS, N_LEVELS), 1.0 / N_LEVELS)
    T[~empty] = theta[~empty] / pi[~empty, None]
    if empty.any():
        notes.append(
            f"no one is estimated at level(s) {(np.nonzero(empty)[0] + 1).tolist()} before: "
            "those rows of 'corrected' are not estimable and are set uniform"
        )
    return TransitionTable(
        counts=counts.astype(np.int64),
        proportions=prop,
        proportions_ci_lower=lo,
        proportions_ci_upper=hi,
        expected=expected,
        expected_proportions=eprop,
        expected_ci_lower=elo,
        expected_ci_upper=ehi,
        corrected=T,
        corrected_initial=pi,
        corrected_counts=theta * n,
        n_matched=int(n),
        n_undetermined=int(n - det.sum()),
        n_only_before=int(len(ix_b.ids) - n),
        n_only_after=int(len(ix_a.ids) - n),
        prior=b,
        iterations=int(iters),
        converged=bool(converged),
        log_likelihood=float(ll),
        confidence=conf,
        notes=tuple(notes),
    )


# =========================================================================== waves


def _wave_label_of(a: Assessment) -> str | None:
    if a.wave is None:
        return None
    u = np.unique(np.asarray(a.wave).astype(str))
    if len(u) == 1 and u[0] != "":
        return str(u[0])
    if len(u) > 1:
        shown = u[:5].tolist()
        raise ValueError(
            f"An assessment in the sequence holds several waves in its wave column ({shown}"
            f"{'...' if len(u) > 5 else ''}); pass it alone to split it by wave, or pass waves=[...]."
        )
    return None


def _label_key(label: str) -> tuple[float, str]:
    try:
        return (float(label), label)
    except ValueError:
        return (float("inf"), label)


def resolve_waves(assessments: Any, waves: Sequence[Any] | None, func: str) -> list[tuple[str, Assessment]]:
    """(label, Assessment) pairs in wave order, from a mapping, a sequence, one Assessment, or an
    AssessmentStore (its waves in the order added)."""
    out: list[tuple[str, Assessment]]
    if callable(getattr(assessments, "waves", None)) and callable(getattr(assessments, "load", None)):
        if waves is not None:
            raise ValueError(f"{func}: a store labels its waves; do not pass 'waves' too.")
        return [(str(w), assessments.load(w)) for w in assessments.waves()]
    if isinstance(assessments, Assessment):
        a = assessments
        if waves is not None:
            raise ValueError(f"{func}: 'waves' labels a sequence of assessments; one assessment is split by its wave column.")
        if a.wave is None:
            raise ValueError(
                f"{func} needs several waves: pass a sequence or a mapping of assessments, or one assessment "
                "whose wave column (read_responses(..., wave_column=...)) holds the wave of each respondent."
            )
        col = np.asarray(a.wave).astype(str)
        labels = sorted(np.unique(col).tolist(), key=_label_key)
        if "" in labels:
            raise ValueError(f"{func}: {int((col == '').sum())} respondents have no wave in the wave column.")
        out = [(lab, a.take(np.nonzero(col == lab)[0])) for lab in labels]
    elif isinstance(assessments, Mapping):
        if waves is not None:
            raise ValueError(f"{func}: a mapping already labels its waves; do not pass 'waves' too.")
        out = [(str(k), _check_assessment(v, f"wave {k!r}")) for k, v in assessments.items()]
    else:
        try:
            seq = list(assessments)
        except TypeError:
            raise TypeError(
                f"{func} expects a sequence or a mapping of Assessment objects. Got {type(assessments).__name__} instead."
            ) from None
        seq = [_check_assessment(a, f"assessments[{i}]") for i, a in enumerate(seq)]
        if waves is not None:
            labels_in = [str(w) for w in waves]
            if len(labels_in) != len(seq):
                raise ValueError(f"{func}: got {len(seq)} assessments but {len(labels_in)} wave labels.")
        else:
            labels_in = []
            for i, a in enumerate(seq):
                lab = _wave_label_of(a)
                if lab is None:
                    raise ValueError(
                        f"{func}: assessments[{i}] has no wave column; pass waves=[...] (one label per assessment) "
                        "or a mapping {label: assessment}."
                    )
                labels_in.append(lab)
        out = list(zip(labels_in, seq))
    if not out:
        raise ValueError(f"{func} needs at least one wave; got none.")
    seen: set[str] = set()
    for lab, _ in out:
        if lab in seen:
            raise ValueError(f"{func}: wave {lab!r} appears more than once; each wave must be given once.")
        seen.add(lab)
    _check_same_instrument(out)
    return out


def _group_labels(a: Assessment, by: str | None, wave: str) -> np.ndarray:
    if by is None:
        return np.full(len(a), ALL_GROUP, dtype=object).astype(str)
    if by == "unit":
        col = a.unit
    else:
        col = a.groups.get(by)
    if col is None:
        avail = (["unit"] if a.unit is not None else []) + list(a.groups)
        raise ValueError(
            f"No group column {by!r} in wave {wave}; available: {avail or 'none'} "
            "(name grouping columns with read_responses(..., unit_column=..., group_columns=...))."
        )
    lab = np.asarray(col)
    if lab.dtype.kind != "U":
        lab = lab.astype(str)
    empty = lab == ""
    return np.where(empty, MISSING_GROUP, lab) if empty.any() else lab


# =========================================================================== suppression


def _suppress(counts: np.ndarray, min_size: int, forced: np.ndarray | None = None) -> np.ndarray:
    """Cells (groups of one wave) to hide so that no group of fewer than ``min_size`` people is
    shown, directly or by difference from the total.

    Primary: ``0 < count < min_size`` (and ``forced``). Secondary: the total of a wave is shown, so
    the hidden cells together must hold 0 or at least ``min_size`` people, or the total minus the
    shown cells would reveal them; the smallest shown cells are hidden until that holds.
    """
    counts = np.asarray(counts)
    hide = (counts < min_size) if forced is None else ((counts < min_size) | forced)
    pool = int(counts[hide].sum())
    if 0 < pool < min_size:
        shown = np.nonzero(~hide & (counts > 0))[0]
        for g in shown[np.argsort(counts[shown], kind="stable")]:
            hide[g] = True
            pool += int(counts[g])
            if pool >= min_size:
                break
    return hide


# =========================================================================== progress


@dataclass(frozen=True, eq=False)
class ProgressTable:
    """Group progress over waves, one row per (wave, group); see :func:`progress`.

    Rows come wave by wave, each wave starting with its total row (group ``"(all)"``) and then
    the groups in sorted order. Every group seen in any wave has a row in every wave.

    Attributes
    ----------
    wave, group : ndarray of str
    n : ndarray of int
        Respondents (shown also where suppressed, as in every group report of the library).
    suppressed : ndarray of bool
        Fewer than ``min_group_size`` respondents, or hidden so that a small group cannot be
        worked out by difference. Every statistic of a suppressed row is NaN (its size stays).
    level_shares : ndarray of shape (rows, 6)
        Share at level 0 (undetermined), 1, ..., 5.
    mean_expected_level, expected_level_ci_lower, expected_level_ci_upper : ndarray
        Mean with a t-based interval.
    share_level_4_5 : ndarray
        Share of all respondents at level 4 or 5 (level 0 counts as neither).
    scale_ids : tuple of str
    scale_means : ndarray of shape (rows, n_scales)
        Mean scale scores (over respondents with the scale scored).
    scale_categories : ndarray of str, shape (rows, n_scales), or None
        Band of each scale mean under the questionnaire's index bands, where it has an index.
    index_mean, index_ci_lower, index_ci_upper : ndarray or None
    index_category : ndarray of str or None
        Band of ``index_mean``.
    change_expected_level, change_expected_level_ci_lower, change_expected_level_ci_upper,
    change_expected_level_p : ndarray
        Change of the mean expected level from the previous wave, its interval and the p-value
        of its test; NaN in the first wave or where either side is suppressed.
    change_test : ndarray of str
        ``"paired"`` (same respondents in both waves), ``"welch"`` or ``""``.
    change_index, change_index_p : ndarray or None
    change_index_test : ndarray of str or None
    rank_expected_level, rank_index : ndarray of float
        Rank of the group within its wave (1 = highest mean), over shown groups; NaN for totals
        and suppressed rows. ``rank_index`` is None without an index.
    by : str or None
    min_group_size : int
    confidence : float
    waves : tuple of str
    notes : tuple of str
    """

    wave: np.ndarray
    group: np.ndarray
    n: np.ndarray
    suppressed: np.ndarray
    level_shares: np.ndarray
    mean_expected_level: np.ndarray
    expected_level_ci_lower: np.ndarray
    expected_level_ci_upper: np.ndarray
    share_level_4_5: np.ndarray
    scale_ids: tuple[str, ...]
    scale_means: np.ndarray
    scale_categories: np.ndarray | None
    index_mean: np.ndarray | None
    index_ci_lower: np.ndarray | None
    index_ci_upper: np.ndarray | None
    index_category: np.ndarray | None
    change_expected_level: np.ndarray
    change_expected_level_ci_lower: np.ndarray
    change_expected_level_ci_upper: np.ndarray
    change_expected_level_p: np.ndarray
    change_test: np.ndarray
    change_index: np.ndarray | None
    change_index_p: np.ndarray | None
    change_index_test: np.ndarray | None
    rank_expected_level: np.ndarray
    rank_index: np.ndarray | None
    by: str | None
    min_group_size: int
    confidence: float
    waves: tuple[str, ...]
    notes: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.wave)

    def _columns(self) -> dict[str, np.ndarray]:
        cols: dict[str, np.ndarray] = {
            "wave": self.wave.astype(object),
            "group": self.group.astype(object),
            "n": self.n,
            "suppressed": self.suppressed,
        }
        for k in range(N_LEVELS + 1):
            cols[f"share_level_{k}"] = self.level_shares[:, k]
        cols["share_level_4_5"] = self.share_level_4_5
        cols["mean_expected_level"] = self.mean_expected_level
        cols["expected_level_ci_lower"] = self.expected_level_ci_lower
        cols["expected_level_ci_upper"] = self.expected_level_ci_upper
        for j, s in enumerate(self.scale_ids):
            cols[f"scale_{s}"] = self.scale_means[:, j]
            if self.scale_categories is not None:
                cols[f"scale_{s}_category"] = self.scale_categories[:, j].astype(object)
        if self.index_mean is not None:
            assert self.index_ci_lower is not None and self.index_ci_upper is not None and self.index_category is not None
            cols["index"] = self.index_mean
            cols["index_ci_lower"] = self.index_ci_lower
            cols["index_ci_upper"] = self.index_ci_upper
            cols["index_category"] = self.index_category.astype(object)
        cols["change_expected_level"] = self.change_expected_level
        cols["change_expected_level_ci_lower"] = self.change_expected_level_ci_lower
        cols["change_expected_level_ci_upper"] = self.change_expected_level_ci_upper
        cols["change_expected_level_p"] = self.change_expected_level_p
        cols["change_test"] = self.change_test.astype(object)
        if self.change_index is not None:
            assert self.change_index_p is not None and self.change_index_test is not None
            cols["change_index"] = self.change_index
            cols["change_index_p"] = self.change_index_p
            cols["change_index_test"] = self.change_index_test.astype(object)
        cols["rank_expected_level"] = self.rank_expected_level
        if self.rank_index is not None:
            cols["rank_index"] = self.rank_index
        return cols

    def to_records(self) -> list[dict[str, Any]]:
        """One JSON-ready dict per row (NaN as None; ranks as integers)."""
        recs = _records(self._columns())
        for r in recs:
            for k in ("rank_expected_level", "rank_index"):
                if r.get(k) is not None:
                    r[k] = int(r[k])
        return recs

    def to_frame(self) -> Any:
        """A pandas DataFrame, one row per (wave, group) (needs pandas)."""
        return _frame(self._columns())

    def __repr__(self) -> str:
        return (
            f"ProgressTable(waves={list(self.waves)}, by={self.by!r}, rows={len(self)}, "
            f"suppressed={int(self.suppressed.sum())})"
        )


@dataclass
class _WaveStats:
    """Per-group sums of one wave (G groups, plus the total as group G)."""

    n: np.ndarray
    level_counts: np.ndarray | None
    mean_e: np.ndarray
    var_e: np.ndarray
    scale_n: np.ndarray
    scale_mean: np.ndarray
    index_n: np.ndarray
    index_mean: np.ndarray
    index_var: np.ndarray


def _group_mean_var(x: np.ndarray, inv: np.ndarray, G: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Count, mean and sample variance (ddof=1) of the finite ``x`` per group, plus the total as
    entry G; two passes for accuracy."""
    ok = np.isfinite(x)
    xv = np.where(ok, x, 0.0)
    cnt = np.bincount(inv, weights=ok.astype(float), minlength=G)
    s = np.bincount(inv, weights=xv, minlength=G)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = s / cnt
        dev = np.where(ok, x - mean[inv], 0.0)
        ss = np.bincount(inv, weights=dev * dev, minlength=G)
        var = ss / (cnt - 1)
        N = ok.sum()
        tm = xv.sum() / N if N else np.nan
        tvar = float(np.sum(np.where(ok, x - tm, 0.0) ** 2) / (N - 1)) if N > 1 else np.nan
    return (np.append(cnt, N), np.append(mean, tm), np.append(var, tvar))


def _wave_stats(a: Assessment, inv: np.ndarray, G: int) -> _WaveStats:
    n = np.append(np.bincount(inv, minlength=G), len(inv)).astype(float)
    if a.has_levels:
        assert a.level is not None and a.expected_level is not None
        lc = np.bincount(inv * (N_LEVELS + 1) + a.level.astype(np.int64), minlength=G * (N_LEVELS + 1))
        lc = lc.reshape(G, N_LEVELS + 1).astype(float)
        level_counts: np.ndarray | None = np.vstack([lc, lc.sum(axis=0)])
        _, mean_e, var_e = _group_mean_var(np.asarray(a.expected_level, dtype=float), inv, G)
    else:
        level_counts = None
        mean_e = var_e = np.full(G + 1, np.nan)
    S = a.scale_scores.shape[1]
    scale_n = np.empty((G + 1, S))
    scale_mean = np.empty((G + 1, S))
    for j in range(S):
        c, m, _ = _group_mean_var(np.asarray(a.scale_scores[:, j], dtype=float), inv, G)
        scale_n[:, j], scale_mean[:, j] = c, m
    if a.index is not None:
        index_n, index_mean, index_var = _group_mean_var(np.asarray(a.index, dtype=float), inv, G)
    else:
        index_n = np.zeros(G + 1)
        index_mean = index_var = np.full(G + 1, np.nan)
    return _WaveStats(n, level_counts, mean_e, var_e, scale_n, scale_mean, index_n, index_mean, index_var)


def _t_ci(mean: np.ndarray, var: np.ndarray, n: np.ndarray, conf: float) -> tuple[np.ndarray, np.ndarray]:
    with np.errstate(invalid="ignore", divide="ignore"):
        half = stats.t.ppf((1 + conf) / 2, n - 1) * np.sqrt(var / n)
    half = np.where(n > 1, half, np.nan)
    return mean - half, mean + half


def _change_test(
    x_prev: np.ndarray, g_prev: np.ndarray, x_cur: np.ndarray, g_cur: np.ndarray,
    rows_prev: np.ndarray, rows_cur: np.ndarray, prev: tuple[np.ndarray, np.ndarray, np.ndarray],
    cur: tuple[np.ndarray, np.ndarray, np.ndarray], G: int, conf: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Change of the group means from the previous wave (G groups + total), its interval, p-value
    and test. Paired where the group has exactly the same respondents (all with a finite value)
    in both waves; Welch's t-test otherwise."""
    n1, m1, v1 = prev
    n2, m2, v2 = cur
    # --- Welch
    with np.errstate(invalid="ignore", divide="ignore"):
        a, b = v1 / n1, v2 / n2
        se_w = np.sqrt(a + b)
        df_w = (a + b) ** 2 / (a * a / (n1 - 1) + b * b / (n2 - 1))
    diff = m2 - m1
    # --- paired: matched respondents in the same group in both waves, all finite
    same = g_prev[rows_prev] == g_cur[rows_cur]
    d = x_cur[rows_cur] - x_prev[rows_prev]
    okp = same & np.isfinite(d)
    gi = g_cur[rows_cur][okp]
    dv = d[okp]
    pc, pm, pv = _group_mean_var(dv, gi, G) if len(dv) else (np.zeros(G + 1), np.full(G + 1, np.nan), np.full(G + 1, np.nan))
    # the total pairs every matched respondent, whatever their group
    dall = d[np.isfinite(d)]
    pc[G] = len(dall)
    pm[G] = dall.mean() if len(dall) else np.nan
    pv[G] = dall.var(ddof=1) if len(dall) > 1 else np.nan
    paired = (pc == n1) & (pc == n2) & (pc > 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        se_p = np.sqrt(pv / pc)
        df_p = pc - 1
    se = np.where(paired, se_p, se_w)
    df = np.where(paired, df_p, df_w)
    est = np.where(paired, pm, diff)
    with np.errstate(invalid="ignore", divide="ignore"):
        tstat = est / se
        p = 2 * stats.t.sf(np.abs(tstat), df)
        half = stats.t.ppf((1 + conf) / 2, df) * se
    p = np.where(se == 0, np.where(est == 0, 1.0, 0.0), p)
    test = np.where(paired, "paired", "welch")
    ok = np.isfinite(est) & (n1 > 1) & (n2 > 1)
    test = np.where(ok, test, "")
    return np.where(ok, est, np.nan), np.where(ok, est - half, np.nan), np.where(ok, est + half, np.nan), np.where(ok, p, np.nan), test


def _rank_desc(values: np.ndarray) -> np.ndarray:
    """1 = highest; ties share the best rank; NaN stays NaN."""
    out = np.full(len(values), np.nan)
    ok = np.isfinite(values)
    if ok.any():
        out[ok] = stats.rankdata(-values[ok], method="min")
    return out


def progress(
    assessments: Any,
    by: str | None = None,
    *,
    waves: Sequence[Any] | None = None,
    min_group_size: int = 5,
    confidence: float = 0.95,
    questionnaire: Questionnaire | str | None = None,
) -> ProgressTable:
    """Progress of groups over waves, with small groups suppressed.

    Parameters
    ----------
    assessments : sequence of Assessment, mapping of label to Assessment, or one Assessment
        The waves, in order. A sequence takes its labels from ``waves`` or from each
        assessment's (single-valued) wave column; one Assessment is split by its wave column.
    by : str, default=None
        ``"unit"`` or the name of a group column (``Assessment.groups``); None for totals only.
        A missing group value is reported as group ``"(missing)"``.
    waves : sequence, default=None
        Labels of a sequence of assessments.
    min_group_size : int, default=5
        Groups with fewer respondents are shown as suppressed (see Notes).
    confidence : float, default=0.95
        Level of the intervals.
    questionnaire : Questionnaire or str, default=None
        Where to read the index bands from; the bundled questionnaire the assessments name
        when None.

    Returns
    -------
    ProgressTable

    Raises
    ------
    ModelError
        Waves scored on different questionnaires or with different level models.
    ValueError
        Duplicate or missing wave labels, an unknown group column, bad parameters.

    Notes
    -----
    **Suppression.** A cell (one group in one wave) with fewer than ``min_group_size``
    respondents keeps its row and its size but shows no statistic. Because every wave's total row is
    shown, the hidden cells of a wave must together hold no one or at least ``min_group_size``
    people, else "total minus the shown groups" would reveal them: the smallest shown groups are
    hidden too until that holds (secondary suppression). The same rule is applied to each
    scale and to the index over the respondents with that score. A change whose either side is
    hidden is hidden. Groups are never dropped: a hidden group keeps its row.

    **Change test.** Against the previous wave, for the mean expected level and the index: a
    paired t-test when the group has exactly the same respondents in both waves, else Welch's
    t-test (unequal variances, Welch-Satterthwaite degrees of freedom), which ignores the
    correlation of repeated respondents and is then conservative when that correlation is
    positive. ``change_test`` says which.

    Examples
    --------
    >>> from dataclasses import replace
    >>> from akhlak_levels import assess, load_questionnaire, simulate
    >>> q = load_questionnaire("socio-emotional-levels")
    >>> r1, _ = simulate(q, 40, random_state=1)
    >>> r2, _ = simulate(q, 40, random_state=2)
    >>> units = np.array(["A"] * 20 + ["B"] * 17 + ["C"] * 3)  # C is small; B is hidden too
    >>> a1, a2 = replace(assess(q, r1), unit=units), replace(assess(q, r2), unit=units)
    >>> table = progress({"2023": a1, "2024": a2}, by="unit")
    >>> [(r["wave"], r["group"], r["n"], r["suppressed"], r["mean_expected_level"]) for r in table.to_records()][2:4]
    [('2023', 'B', 17, True, None), ('2023', 'C', 3, True, None)]
    >>> table.change_test.tolist()[4:]
    ['paired', 'paired', '', '']
    """
    conf = _check_confidence(confidence, "progress")
    if isinstance(min_group_size, bool) or not isinstance(min_group_size, (int, np.integer)) or min_group_size < 1:
        raise ValueError(f"The 'min_group_size' parameter of progress must be a positive integer. Got {min_group_size!r} instead.")
    mgs = int(min_group_size)
    wl = resolve_waves(assessments, waves, "progress")
    a0 = wl[0][1]
    q = load_questionnaire(questionnaire) if questionnaire is not None else _questionnaire_of(a0)
    index_spec = q.index if q is not None else None
    has_levels = a0.has_levels
    has_index = a0.index is not None
    notes: list[str] = []
    if not has_levels:
        notes.append(f"no level model for {a0.questionnaire_id!r}: level statistics are NaN")
    if has_index and index_spec is None:
        notes.append("index bands unknown (pass questionnaire=): categories are empty")

    labels = [lab for lab, _ in wl]
    group_cols = [_group_labels(a, by, lab) for lab, a in wl]
    ids_per = [_ids(a, lab) for lab, a in wl]
    union = np.unique(np.concatenate([np.unique(g) for g in group_cols])) if by is not None else np.array([], dtype=str)
    G = len(union)
    W = len(wl)
    S = len(a0.scale_ids)
    R = W * (G + 1)

    # output columns: row r = w * (G + 1) + (0 for total, 1 + g for group g)
    def order(x: np.ndarray) -> np.ndarray:
        """(G + 1, ...) per-wave array with the total last -> rows with the total first."""
        return np.concatenate([x[G : G + 1], x[:G]])

    n_out = np.zeros(R, dtype=np.int64)
    supp = np.zeros(R, dtype=bool)
    shares = np.full((R, N_LEVELS + 1), np.nan)
    mean_e = np.full(R, np.nan)
    e_lo = np.full(R, np.nan)
    e_hi = np.full(R, np.nan)
    share45 = np.full(R, np.nan)
    smeans = np.full((R, S), np.nan)
    imean = np.full(R, np.nan)
    i_lo = np.full(R, np.nan)
    i_hi = np.full(R, np.nan)
    ch = {k: np.full(R, np.nan) for k in ("e", "e_lo", "e_hi", "e_p", "i", "i_p")}
    ch_test = np.full(R, "", dtype=object)
    chi_test = np.full(R, "", dtype=object)
    rank_e = np.full(R, np.nan)
    rank_i = np.full(R, np.nan)

    prev: dict[str, Any] | None = None
    for w, ((lab, a), gcol) in enumerate(zip(wl, group_cols)):
        # by=None: one group holding everyone; only its total row is output
        inv = np.searchsorted(union, gcol) if by is not None else np.zeros(len(a), dtype=np.int64)
        Gw = G if by is not None else 1
        st = _wave_stats(a, inv, Gw)
        # suppression masks over G groups + the total (last)
        counts = st.n
        hide_g = _suppress(counts[:Gw], mgs)
        hide = np.append(hide_g, counts[Gw] < mgs)
        scale_hide = np.empty((Gw + 1, S), dtype=bool)
        for j in range(S):
            scale_hide[:, j] = np.append(_suppress(st.scale_n[:Gw, j], mgs, forced=hide_g), st.scale_n[Gw, j] < mgs) | hide
        index_hide = np.append(_suppress(st.index_n[:Gw], mgs, forced=hide_g), st.index_n[Gw] < mgs) | hide

        sl = slice(w * (G + 1), (w + 1) * (G + 1))
        o = order if by is not None else (lambda x: x[Gw : Gw + 1])
        hide_o = o(hide)
        supp[sl] = hide_o
        n_out[sl] = o(counts).astype(np.int64)
        if has_levels and st.level_counts is not None:
            with np.errstate(invalid="ignore", divide="ignore"):
                sh = st.level_counts / counts[:, None]
            shares[sl] = np.where(hide_o[:, None], np.nan, o(sh))
            share45[sl] = np.where(hide_o, np.nan, o(sh[:, 4] + sh[:, 5]))
            lo, hi = _t_ci(st.mean_e, st.var_e, counts, conf)
            mean_e[sl] = np.where(hide_o, np.nan, o(st.mean_e))
            e_lo[sl] = np.where(hide_o, np.nan, o(lo))
            e_hi[sl] = np.where(hide_o, np.nan, o(hi))
            if by is not None:
                r = _rank_desc(np.where(hide_g, np.nan, st.mean_e[:Gw]))
                rank_e[sl] = o(np.append(r, np.nan))
        smeans[sl] = np.where(o(scale_hide), np.nan, o(st.scale_mean))
        if has_index:
            lo, hi = _t_ci(st.index_mean, st.index_var, st.index_n, conf)
            ih = o(index_hide)
            imean[sl] = np.where(ih, np.nan, o(st.index_mean))
            i_lo[sl] = np.where(ih, np.nan, o(lo))
            i_hi[sl] = np.where(ih, np.nan, o(hi))
            if by is not None:
                r = _rank_desc(np.where(index_hide[:Gw], np.nan, st.index_mean[:Gw]))
                rank_i[sl] = o(np.append(r, np.nan))

        cur = {"inv": inv, "ids": ids_per[w], "st": st, "hide": hide, "index_hide": index_hide, "a": a}
        if prev is not None:
            rows_prev, rows_cur = _pair_positions(prev["ids"], cur["ids"])
            pst, cst = prev["st"], st
            if has_levels:
                assert prev["a"].expected_level is not None and a.expected_level is not None
                est, lo, hi, p, test = _change_test(
                    np.asarray(prev["a"].expected_level, float), prev["inv"], np.asarray(a.expected_level, float), inv,
                    rows_prev, rows_cur, (pst.n, pst.mean_e, pst.var_e), (cst.n, cst.mean_e, cst.var_e), Gw, conf,
                )
                h = o(prev["hide"] | hide)
                ch["e"][sl] = np.where(h, np.nan, o(est))
                ch["e_lo"][sl] = np.where(h, np.nan, o(lo))
                ch["e_hi"][sl] = np.where(h, np.nan, o(hi))
                ch["e_p"][sl] = np.where(h, np.nan, o(p))
                ch_test[sl] = np.where(h, "", o(test))
            if has_index:
                assert prev["a"].index is not None and a.index is not None
                est, _, _, p, test = _change_test(
                    np.asarray(prev["a"].index, float), prev["inv"], np.asarray(a.index, float), inv,
                    rows_prev, rows_cur, (pst.index_n, pst.index_mean, pst.index_var),
                    (cst.index_n, cst.index_mean, cst.index_var), Gw, conf,
                )
                h = o(prev["index_hide"] | index_hide)
                ch["i"][sl] = np.where(h, np.nan, o(est))
                ch["i_p"][sl] = np.where(h, np.nan, o(p))
                chi_test[sl] = np.where(h, "", o(test))
        prev = cur

    wave_col = np.repeat(np.array(labels, dtype=object), G + 1).astype(str)
    group_col = np.tile(np.concatenate([[ALL_GROUP], union]).astype(object), W).astype(str)

    scale_cat = index_cat = None
    if has_index:
        if index_spec is not None:
            scale_cat = index_spec.categorize(smeans.ravel()).reshape(smeans.shape)
            index_cat = index_spec.categorize(imean)
        else:
            scale_cat = np.full(smeans.shape, "", dtype=str)
            index_cat = np.full(R, "", dtype=str)

    return ProgressTable(
        wave=wave_col,
        group=group_col,
        n=n_out,
        suppressed=supp,
        level_shares=shares,
        mean_expected_level=mean_e,
        expected_level_ci_lower=e_lo,
        expected_level_ci_upper=e_hi,
        share_level_4_5=share45,
        scale_ids=a0.scale_ids,
        scale_means=smeans,
        scale_categories=scale_cat,
        index_mean=imean if has_index else None,
        index_ci_lower=i_lo if has_index else None,
        index_ci_upper=i_hi if has_index else None,
        index_category=index_cat,
        change_expected_level=ch["e"],
        change_expected_level_ci_lower=ch["e_lo"],
        change_expected_level_ci_upper=ch["e_hi"],
        change_expected_level_p=ch["e_p"],
        change_test=ch_test.astype(str),
        change_index=ch["i"] if has_index else None,
        change_index_p=ch["i_p"] if has_index else None,
        change_index_test=chi_test.astype(str) if has_index else None,
        rank_expected_level=rank_e,
        rank_index=rank_i if has_index else None,
        by=by,
        min_group_size=mgs,
        confidence=conf,
        waves=tuple(labels),
        notes=tuple(notes),
    )


# =========================================================================== trajectories


@dataclass(frozen=True, eq=False)
class Trajectories:
    """Per-respondent slopes over three or more waves; see :func:`trajectories`.

    Attributes
    ----------
    respondent_ids : ndarray of str
        Respondents present in at least three waves, sorted.
    n_waves : ndarray of int
    slope_expected_level, slope_expected_level_se : ndarray of float
        Change of the expected level per year (OLS) and its standard error; NaN without levels.
    scale_ids : tuple of str
    scale_slopes, scale_slopes_se : ndarray of shape (n, n_scales)
        Points (0-100) per year; NaN where a scale is scored in fewer than three waves.
    index_slope, index_slope_se : ndarray or None
    times : ndarray of float, shape (n_waves_total,)
        The time of each wave in years (mean over its respondents when respondents carry
        their own dates).
    waves : tuple of str
    mean_slope_expected_level : tuple of float
        (mean, lower, upper): mean individual slope with a t interval; NaN without levels.
    mean_scale_slopes : ndarray of shape (3, n_scales)
        Rows: mean, lower, upper.
    mean_trajectory : ProgressTable
        :func:`progress` over the same respondents (the panel): per wave (and group) means with
        intervals, paired changes, and the same suppression.
    time_source : str
        ``"dates"`` (the ``dates`` argument), ``"assessment dates"`` or ``"wave labels"``.
    notes : tuple of str
    """

    respondent_ids: np.ndarray
    n_waves: np.ndarray
    slope_expected_level: np.ndarray
    slope_expected_level_se: np.ndarray
    scale_ids: tuple[str, ...]
    scale_slopes: np.ndarray
    scale_slopes_se: np.ndarray
    index_slope: np.ndarray | None
    index_slope_se: np.ndarray | None
    times: np.ndarray
    waves: tuple[str, ...]
    mean_slope_expected_level: tuple[float, float, float]
    mean_scale_slopes: np.ndarray
    mean_trajectory: ProgressTable
    time_source: str
    notes: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.respondent_ids)

    def _columns(self) -> dict[str, np.ndarray]:
        cols: dict[str, np.ndarray] = {
            "respondent_id": self.respondent_ids.astype(object),
            "n_waves": self.n_waves,
            "slope_expected_level": self.slope_expected_level,
            "slope_expected_level_se": self.slope_expected_level_se,
        }
        for j, s in enumerate(self.scale_ids):
            cols[f"slope_{s}"] = self.scale_slopes[:, j]
            cols[f"slope_{s}_se"] = self.scale_slopes_se[:, j]
        if self.index_slope is not None and self.index_slope_se is not None:
            cols["slope_index"] = self.index_slope
            cols["slope_index_se"] = self.index_slope_se
        return cols

    def to_records(self) -> list[dict[str, Any]]:
        """One JSON-ready dict per respondent (slopes per year; NaN as None)."""
        return _records(self._columns())

    def to_frame(self) -> Any:
        """A pandas DataFrame, one row per respondent (needs pandas)."""
        return _frame(self._columns())

    def __repr__(self) -> str:
        return f"Trajectories(respondents={len(self)}, waves={list(self.waves)}, time={self.time_source!r})"


def _to_years(value: Any, what: str) -> float:
    """A date-like or a number (a decimal year) as a decimal year."""
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        return float(value)
    try:
        d = np.datetime64(value, "D") if not isinstance(value, _dt.datetime) else np.datetime64(value.date(), "D")
    except (ValueError, TypeError):
        raise ValueError(f"{what}: cannot read {value!r} as a date (2023-10-13) or a year (2023.5).") from None
    if np.isnat(d):
        raise ValueError(f"{what}: no date given ({value!r}).")
    return 1970.0 + float(d.astype("datetime64[D]").astype(np.int64)) / _DAYS_PER_YEAR


def _wave_times(wl: list[tuple[str, Assessment]], dates: Sequence[Any] | Mapping[str, Any] | None) -> tuple[list[np.ndarray], str]:
    """Time in years of every respondent of every wave, and where it came from."""
    if dates is not None:
        if isinstance(dates, Mapping):
            missing = [lab for lab, _ in wl if lab not in dates]
            if missing:
                raise ValueError(f"trajectories: 'dates' has no date for waves {missing}.")
            vals = [dates[lab] for lab, _ in wl]
        else:
            vals = list(dates)
            if len(vals) != len(wl):
                raise ValueError(f"trajectories: got {len(wl)} waves but {len(vals)} dates.")
        return [np.full(len(a), _to_years(v, f"date of wave {lab}")) for (lab, a), v in zip(wl, vals)], "dates"
    if all(a.date is not None and not np.isnat(np.asarray(a.date)).all() for _, a in wl):
        out = []
        for _, a in wl:
            assert a.date is not None
            d = np.asarray(a.date).astype("datetime64[D]")
            days = d.astype(np.int64).astype(float)
            nat = np.isnat(d)
            days[nat] = np.median(days[~nat])  # a respondent without a date: the wave's median date
            out.append(1970.0 + days / _DAYS_PER_YEAR)
        return out, "assessment dates"
    times = []
    for lab, a in wl:
        try:
            times.append(np.full(len(a), float(lab)))
        except ValueError:
            raise ValueError(
                f"trajectories needs the time of each wave: wave {lab!r} has no dates (Assessment.date) and its label "
                "is not a year; pass dates=[...] (one date or decimal year per wave)."
            ) from None
    return times, "wave labels"


def _ols_slopes(t: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Row-wise OLS slope of ``y`` on ``t`` over the finite entries (n x W), its standard error
    and the number of points; NaN with fewer than 3 points or no spread in time."""
    ok = np.isfinite(y) & np.isfinite(t)
    m = ok.sum(axis=1).astype(float)
    t0 = np.where(ok, t, 0.0)
    y0 = np.where(ok, y, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        tm = t0.sum(axis=1) / m
        ym = y0.sum(axis=1) / m
        dt = np.where(ok, t - tm[:, None], 0.0)
        dy = np.where(ok, y - ym[:, None], 0.0)
        sxx = (dt * dt).sum(axis=1)
        slope = (dt * dy).sum(axis=1) / sxx
        resid = np.where(ok, dy - slope[:, None] * dt, 0.0)
        rss = (resid * resid).sum(axis=1)
        se = np.sqrt(rss / (m - 2) / sxx)
    bad = (m < 3) | ~(sxx > 0)
    slope[bad] = np.nan
    se[bad] = np.nan
    return slope, se, m


def _mean_ci(x: np.ndarray, conf: float) -> tuple[float, float, float]:
    x = x[np.isfinite(x)]
    if len(x) == 0:
        return (float("nan"),) * 3
    m = float(x.mean())
    if len(x) < 2:
        return (m, float("nan"), float("nan"))
    half = float(stats.t.ppf((1 + conf) / 2, len(x) - 1) * x.std(ddof=1) / np.sqrt(len(x)))
    return (m, m - half, m + half)


def trajectories(
    assessments: Any,
    *,
    waves: Sequence[Any] | None = None,
    dates: Sequence[Any] | Mapping[str, Any] | None = None,
    by: str | None = None,
    min_group_size: int = 5,
    confidence: float = 0.95,
) -> Trajectories:
    """Per-respondent trajectories over three or more waves: slopes per year with standard errors.

    Parameters
    ----------
    assessments : sequence of Assessment, mapping of label to Assessment, or one Assessment
        The waves, as for :func:`progress`.
    waves : sequence, default=None
        Labels of a sequence of assessments.
    dates : sequence or mapping of date-like or number, default=None
        The date of each wave (``"2023-10-13"``, a ``datetime.date``, ``numpy.datetime64``) or
        a decimal year (``2023.5``). When None: each respondent's ``Assessment.date`` (a missing
        one takes its wave's median date) if every wave has dates, else the wave labels read as
        years (``"2023"``).
    by : str, default=None
        Group column of the mean trajectory (as in :func:`progress`).
    min_group_size : int, default=5
        Suppression threshold of the mean trajectory.
    confidence : float, default=0.95

    Returns
    -------
    Trajectories

    Raises
    ------
    ModelError
        Waves scored on different questionnaires or models.
    ValueError
        Fewer than three waves, no usable times, bad parameters.

    Notes
    -----
    For respondent ``i`` with points ``(t_w, y_w)`` in ``m >= 3`` waves,
    ``slope = sum (t - t_bar)(y - y_bar) / S_tt`` and
    ``SE = sqrt(RSS / (m - 2) / S_tt)`` (ordinary least squares), computed for all respondents
    at once as masked row sums. With three waves the SE has one degree of freedom and is very
    uncertain; it describes the scatter around the line, not measurement error, which it
    includes. A scale score missing in a wave is skipped; with fewer than three scored waves the
    slope is NaN.

    Examples
    --------
    >>> from akhlak_levels import assess, load_questionnaire, simulate
    >>> q = load_questionnaire("socio-emotional-levels")
    >>> waves = {}
    >>> for year, lv in (("2022", 2), ("2023", 3), ("2024", 4)):
    ...     r, _ = simulate(q, 6, levels=[lv] * 6, random_state=int(year))
    ...     waves[year] = assess(q, r)
    >>> tr = trajectories(waves)
    >>> len(tr), tr.time_source, np.round(tr.slope_expected_level, 1).tolist()  # levels per year
    (6, 'wave labels', [1.0, 1.0, 1.0, 1.0, 1.0, 1.0])
    """
    conf = _check_confidence(confidence, "trajectories")
    wl = resolve_waves(assessments, waves, "trajectories")
    if len(wl) < 3:
        raise ValueError(f"trajectories needs at least 3 waves; got {len(wl)} ({[lab for lab, _ in wl]}).")
    times_per, source = _wave_times(wl, dates)
    ids_per = [_ids(a, lab).ids for lab, a in wl]
    union, pos = _match(ids_per)
    present = pos >= 0
    keep = present.sum(axis=1) >= 3
    ids = union[keep]
    pos = pos[keep]
    present = present[keep]
    W = len(wl)
    n = len(ids)
    a0 = wl[0][1]
    S = len(a0.scale_ids)
    notes: list[str] = []

    def stack(get: Any) -> np.ndarray:
        out = np.full((n, W), np.nan)
        for w, (_, a) in enumerate(wl):
            v = get(a)
            if v is None:
                continue
            col = np.asarray(v, dtype=float)
            pr = present[:, w]
            out[pr, w] = col[pos[pr, w]]
        return out

    T = np.full((n, W), np.nan)
    for w in range(W):
        pr = present[:, w]
        T[pr, w] = times_per[w][pos[pr, w]]
    T = T - np.nanmean(T, axis=1, keepdims=True) if n else T  # centre per respondent (numerics)

    if a0.has_levels:
        slope_e, se_e, _ = _ols_slopes(T, stack(lambda a: a.expected_level))
    else:
        slope_e = se_e = np.full(n, np.nan)
        notes.append(f"no level model for {a0.questionnaire_id!r}: expected-level slopes are NaN")
    s_slope = np.full((n, S), np.nan)
    s_se = np.full((n, S), np.nan)
    for j in range(S):
        s_slope[:, j], s_se[:, j], _ = _ols_slopes(T, stack(lambda a, j=j: a.scale_scores[:, j]))
    i_slope = i_se = None
    if a0.index is not None:
        i_slope, i_se, _ = _ols_slopes(T, stack(lambda a: a.index))
    mean_scale = np.full((3, S), np.nan)
    for j in range(S):
        mean_scale[:, j] = _mean_ci(s_slope[:, j], conf)
    # the panel, wave by wave: progress over the same respondents
    panel = []
    for w, (lab, a) in enumerate(wl):
        rows = pos[present[:, w], w]
        panel.append((lab, a.take(np.sort(rows))))
    if n == 0:
        notes.append("no respondent is in three or more waves")
    mean_traj = progress(dict(panel), by, min_group_size=min_group_size, confidence=conf)
    wave_times = np.array([float(np.mean(t)) if len(t) else np.nan for t in times_per])
    return Trajectories(
        respondent_ids=ids,
        n_waves=present.sum(axis=1).astype(np.int64),
        slope_expected_level=slope_e,
        slope_expected_level_se=se_e,
        scale_ids=a0.scale_ids,
        scale_slopes=s_slope,
        scale_slopes_se=s_se,
        index_slope=i_slope,
        index_slope_se=i_se,
        times=wave_times,
        waves=tuple(lab for lab, _ in wl),
        mean_slope_expected_level=_mean_ci(slope_e, conf),
        mean_scale_slopes=mean_scale,
        mean_trajectory=mean_traj,
        time_source=source,
        notes=tuple(notes),
    )
