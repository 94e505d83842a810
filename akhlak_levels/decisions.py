"""How good and how fair the level decisions are: expected classification accuracy and
consistency (Rudner; Lee), and level decisions by group with the adverse-impact ratio.

:func:`classification_quality` gives the expected accuracy and consistency of argmax level
decisions from the posterior probabilities; :func:`level_decisions_by_group` tabulates the
level decisions per group, with the selection rate and the adverse-impact ratio (the
four-fifths rule) at every level threshold an HR tool might use.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple, Sequence, overload

import numpy as np

from ._tables import frame, html_repr, records
from ._validation import Interval, check, param_error
from .assessment import Assessment, assess
from .errors import ModelError
from .levels import N_LEVELS
from .model import ClassificationQuality, LevelModel, quality_from_probabilities
from .quality import group_columns, group_labels
from .privacy import crossed_groups, suppression_mask
from .questionnaire import Questionnaire, load_questionnaire
from .responses import ResponseSet

__all__ = [
    "DECISION_THRESHOLDS",
    "LevelDecisionTable",
    "classification_quality",
    "level_decisions_by_group",
]


#: Level thresholds t of the selection rates P(level >= t).
DECISION_THRESHOLDS = (2, 3, 4, 5)


@dataclass(frozen=True, eq=False)
class LevelDecisionTable:
    """Level decisions by group, one row per group (arrays in the order of ``group``).

    Attributes
    ----------
    group : tuple of str
        Sorted labels.
    n : ndarray of int
    small : ndarray of bool
        Fewer than ``min_group_size`` members: reported, but its rates are unstable, it is never
        the comparison group, and publishing it may identify people.
    suppressed : ndarray of bool
        The group keeps its row and size but shows no shares, rates or ratios: it is small, or
        it is hidden with the small groups (and the respondents without a group label) so that
        together they hold at least ``min_group_size`` people and the overall figures minus the
        shown groups reveal no one (:mod:`akhlak_levels.privacy`).
    shares : ndarray of shape (n_groups, 6)
        Share of the group at level 0 (undetermined) and levels 1..5.
    selection_rate : ndarray of shape (n_groups, 4)
        ``P(level >= t)`` for ``t`` in ``thresholds``, over all members (undetermined count as
        not selected).
    impact_ratio : ndarray of shape (n_groups, 4)
        ``selection_rate / comparison rate``, the comparison rate being the highest rate among
        the groups shown (not suppressed), so that no ratio reveals a hidden group's rate; NaN
        when the comparison rate is 0 and for suppressed groups.
    adverse_impact : ndarray of bool, shape (n_groups, 4)
        ``impact_ratio < ratio`` (the four-fifths rule).
    comparison_group : tuple of str
        Per threshold, the group whose rate is the comparison rate (``""`` when every group is
        suppressed).
    thresholds : tuple of int
    min_group_size : int
    ratio : float
    n_missing_group : int
        Respondents without a group label, left out.

    Examples
    --------
    See :func:`level_decisions_by_group`.
    """

    group: tuple[str, ...]
    n: np.ndarray
    small: np.ndarray
    suppressed: np.ndarray
    shares: np.ndarray
    selection_rate: np.ndarray
    impact_ratio: np.ndarray
    adverse_impact: np.ndarray
    comparison_group: tuple[str, ...]
    thresholds: tuple[int, ...] = DECISION_THRESHOLDS
    min_group_size: int = 5
    ratio: float = 0.8
    n_missing_group: int = 0
    note: tuple[str, ...] = field(default_factory=tuple)

    def __len__(self) -> int:
        return len(self.group)

    def _columns(self) -> dict[str, Any]:
        cols: dict[str, Any] = {"group": self.group, "n": self.n, "small": self.small, "suppressed": self.suppressed}
        for k in range(N_LEVELS + 1):
            cols[f"share_level_{k}"] = self.shares[:, k]
        for j, t in enumerate(self.thresholds):
            cols[f"selection_rate_ge_{t}"] = self.selection_rate[:, j]
            cols[f"impact_ratio_ge_{t}"] = self.impact_ratio[:, j]
            cols[f"adverse_impact_ge_{t}"] = self.adverse_impact[:, j]
        return cols

    _repr_html_ = html_repr  # a compact, rounded table in a notebook

    def to_records(self) -> list[dict[str, Any]]:
        """One JSON-ready dict per group (NaN, e.g. of a suppressed group, as None)."""
        return records(self._columns())

    def to_frame(self) -> Any:
        """A pandas DataFrame, one row per group (needs pandas)."""
        return frame(self._columns())


@overload
def level_decisions_by_group(
    assessment: Assessment,
    group: str | Sequence[Any] | np.ndarray,
    /,
    *,
    min_group_size: int = ...,
    ratio: float = ...,
) -> LevelDecisionTable: ...


@overload
def level_decisions_by_group(
    questionnaire: Questionnaire | str,
    responses: ResponseSet | Any,
    group: str | Sequence[Any] | np.ndarray,
    /,
    *,
    model: LevelModel | str | None = ...,
    min_group_size: int = ...,
    ratio: float = ...,
) -> LevelDecisionTable: ...


def level_decisions_by_group(
    source: Assessment | Questionnaire | str,
    *args: Any,
    model: LevelModel | str | None = None,
    min_group_size: int = 5,
    ratio: float = 0.8,
) -> LevelDecisionTable:
    """Level decisions by group: shares at each level, selection rates and adverse-impact ratios.

    Call as ``level_decisions_by_group(assessment, group)`` or
    ``level_decisions_by_group(questionnaire, responses, group)``.

    Parameters
    ----------
    source : Assessment, or Questionnaire / str
        The levels to tabulate; with a questionnaire, ``assess(questionnaire, responses, model)``
        is computed first.
    responses : ResponseSet or anything read_responses reads
        Only after a questionnaire.
    group : str or array-like of shape (n,)
        A label per respondent, or the name of a grouping column of the assessment (``unit``,
        ``wave``, or a column read with ``group_columns``). Respondents without a label are left
        out and counted in ``n_missing_group``.
    model : LevelModel or path, default=None
        Used with a questionnaire; its default model when None.
    min_group_size : int, default=5
        Groups smaller than this are marked ``small`` and, as in every group report, show no
        shares, rates or ratios (their size is kept), so no individual can be singled out; they
        are not used as the comparison group. (When every group is small, nothing is hidden:
        the table is then about individuals anyway, and says so through ``small``.)
    ratio : float, default=0.8
        The adverse-impact cut: a group whose selection rate is below ``ratio`` times the
        comparison rate is flagged (the four-fifths rule).

    Returns
    -------
    LevelDecisionTable

    Raises
    ------
    ModelError
        The assessment has no levels (the questionnaire has no level model).
    ValueError
        A bad parameter, the wrong number of arguments, or ``group`` of the wrong length.
    ResponseError
        ``group`` names a column that was not read.

    Notes
    -----
    For a level threshold ``t`` (an HR rule "level t or above"), the selection rate of group
    ``g`` is ``SR_g(t) = #{level >= t} / n_g``, where undetermined respondents (level 0) are
    not selected. The adverse-impact ratio is ``AIR_g(t) = SR_g(t) / max_h SR_h(t)``, the
    maximum over groups that are not small. The Uniform Guidelines on Employee Selection
    Procedures (1978, 29 CFR 1607.4 D) take a ratio below four-fifths (0.8) as evidence of
    adverse impact, while noting that with small numbers such a ratio may be chance: read the
    ``small`` column, and test the difference (e.g. Fisher's exact test) before concluding.

    References
    ----------
    Equal Employment Opportunity Commission et al. (1978). Uniform Guidelines on Employee
    Selection Procedures, 29 CFR part 1607, section 4D.

    Examples
    --------
    >>> from akhlak_levels import assess, load_questionnaire, simulate
    >>> from akhlak_levels.decisions import level_decisions_by_group
    >>> q = load_questionnaire("socio-emotional-levels")
    >>> rs, _ = simulate(q, 200, random_state=0)
    >>> t = level_decisions_by_group(assess(q, rs), np.repeat(["north", "south"], 100))
    >>> t.group, t.n.tolist(), t.shares.sum(axis=1).round(6).tolist()
    (('north', 'south'), [100, 100], [1.0, 1.0])
    >>> bool(np.isclose(t.impact_ratio[:, 0].max(), 1.0))
    True
    >>> level_decisions_by_group(q, rs, np.repeat(["north", "south"], 100)).comparison_group == t.comparison_group
    True
    """
    a, group = _assessment_and_group(source, args, model)
    check("level_decisions_by_group", "min_group_size", min_group_size, Interval(1, None, integer=True))
    check("level_decisions_by_group", "ratio", ratio, Interval(0, 1, closed="right"))
    labels, _ = group_labels(group, len(a), group_columns(a.groups, a.unit, a.wave), "level_decisions_by_group")
    known = labels != ""
    names, inverse = np.unique(labels[known], return_inverse=True)
    if names.shape[0] == 0:
        raise ValueError("level_decisions_by_group: no respondent has a group label.")
    counts = np.zeros((names.shape[0], N_LEVELS + 1))
    assert a.level is not None  # _assessment_and_group refuses an assessment without levels
    np.add.at(counts, (inverse.ravel(), a.level[known].astype(np.int64)), 1.0)
    crossed = _other_groupings(a, group, labels, known, names, min_group_size)
    hidden = _hidden_groups(counts.sum(axis=1), int((~known).sum()), min_group_size, crossed)
    table = _suppress(_rates_and_ratios(counts, hidden, min_group_size, ratio), names, hidden, min_group_size)
    return LevelDecisionTable(
        group=tuple(str(g) for g in names),
        n=table.n.astype(np.int64),
        small=table.small,
        suppressed=hidden,
        shares=table.shares,
        selection_rate=table.rate,
        impact_ratio=table.air,
        adverse_impact=table.adverse,
        comparison_group=tuple("" if hidden.all() else str(names[b]) for b in table.best),
        thresholds=DECISION_THRESHOLDS,
        min_group_size=int(min_group_size),
        ratio=float(ratio),
        n_missing_group=int((~known).sum()),
        note=table.notes,
    )


def _assessment_and_group(source: Assessment | Questionnaire | str, args: tuple[Any, ...], model: Any) -> tuple[Assessment, Any]:
    """The assessment with levels (assessed from ``(questionnaire, responses)`` when needed) and
    the group argument, from either form of the call."""
    if isinstance(source, Assessment):
        if len(args) != 1:
            raise ValueError(
                f"level_decisions_by_group(assessment, group) takes the group after an Assessment; got {len(args)} more arguments."
            )
        if model is not None:
            raise param_error(
                "level_decisions_by_group", "model", "None with an Assessment, which holds its levels", model,
                shown=type(model).__name__,
            )
        a, group = source, args[0]
    else:
        if len(args) != 2:
            raise ValueError(
                "level_decisions_by_group(questionnaire, responses, group) needs responses and a group after a "
                f"questionnaire; got {len(args)} more arguments."
            )
        a = assess(source, args[0], model)
        group = args[1]
    if a.level is None:
        raise ModelError(
            f"Level decisions need levels, and this assessment of {a.questionnaire_id!r} has none "
            "(the questionnaire has no level model); pass a model."
        )
    return a, group


class _Rates(NamedTuple):
    n: np.ndarray  # members per group
    small: np.ndarray
    shares: np.ndarray
    rate: np.ndarray  # selection rates, groups x thresholds
    best: np.ndarray  # per threshold, the comparison group
    air: np.ndarray
    adverse: np.ndarray
    notes: tuple[str, ...]


def _other_groupings(a: Assessment, group: Any, labels: np.ndarray, known: np.ndarray, names: np.ndarray, mgs: int) -> np.ndarray:
    """Groups hidden because another grouping column of the assessment may be published too
    (:func:`akhlak_levels.privacy.crossed_groups`)."""
    columns = group_columns(a.groups, a.unit, None)
    others = (np.asarray(col).astype(str)[known] for name, col in columns.items() if not (isinstance(group, str) and name == group))
    return crossed_groups(names, labels[known], others, mgs)


def _hidden_groups(n_g: np.ndarray, n_unlabelled: int, min_group_size: int, crossed: np.ndarray | None = None) -> np.ndarray:
    """Groups whose figures are not shown: primary and secondary suppression by the privacy
    engine, plus the groups ``crossed`` by another grouping. The respondents without a group
    label are in the overall figures but in no group, so they enter as one more hidden cell."""
    counts = np.append(n_g, n_unlabelled)
    forced = np.append(np.zeros(n_g.shape[0], dtype=bool) if crossed is None else crossed, True)
    return suppression_mask(counts, min_group_size, forced=forced)[: n_g.shape[0]]


def _rates_and_ratios(counts: np.ndarray, hidden: np.ndarray, min_group_size: int, ratio: float) -> _Rates:
    """Shares, selection rates and adverse-impact ratios from the counts (groups x levels 0..5);
    the comparison rate is the highest among the groups shown."""
    n_g = counts.sum(axis=1)
    shares = counts / n_g[:, None]
    at_or_above = np.cumsum(counts[:, ::-1], axis=1)[:, ::-1]  # column t: #{level >= t}
    rate = at_or_above[:, list(DECISION_THRESHOLDS)] / n_g[:, None]
    small = n_g < min_group_size
    best = np.where(~hidden[:, None], rate, -1.0).argmax(axis=0)
    top = np.where(hidden.all(), np.nan, rate[best, np.arange(len(DECISION_THRESHOLDS))])
    with np.errstate(invalid="ignore", divide="ignore"):
        air = np.where(top > 0, rate / top, np.nan)
        adverse = air < ratio
    notes = tuple(
        f"level >= {t}: no comparison group selects anyone, so the ratio is undefined" for t, v in zip(DECISION_THRESHOLDS, top) if v == 0
    )
    return _Rates(n_g, small, shares, rate, best, air, adverse, notes)


def _suppress(table: _Rates, names: np.ndarray, hidden: np.ndarray, min_group_size: int) -> _Rates:
    """A group report must not single out individuals (UU PDP): hidden groups keep their row and
    size, but show no shares, rates or ratios."""
    if not hidden.any():
        return table
    small = table.small
    notes = table.notes
    if small.any():
        notes += (f"groups under {min_group_size} respondents are suppressed: {[str(g) for g in names[small]]}",)
    if (hidden & ~small).any():
        notes += (
            f"also suppressed so that the hidden groups hold at least {min_group_size} people together "
            f"(no difference of published figures reveals a small group): {[str(g) for g in names[hidden & ~small]]}",
        )
    return table._replace(
        shares=np.where(hidden[:, None], np.nan, table.shares),
        rate=np.where(hidden[:, None], np.nan, table.rate),
        air=np.where(hidden[:, None], np.nan, table.air),
        adverse=np.where(hidden[:, None], False, table.adverse),
        notes=notes,
    )


def classification_quality(
    questionnaire: Questionnaire | str,
    responses: ResponseSet | Assessment | Any,
    model: LevelModel | None = None,
) -> ClassificationQuality:
    """Expected classification accuracy and consistency of the level decisions.

    Parameters
    ----------
    questionnaire : Questionnaire or str
    responses : ResponseSet, Assessment, or anything :func:`read_responses` reads
        An :class:`Assessment` is used as is; otherwise the responses are scored with ``model``.
    model : LevelModel, default=None
        The questionnaire's default model when None.

    Returns
    -------
    ClassificationQuality

    Notes
    -----
    With ``L_i = argmax_k p_ik`` (the ``min_confidence`` threshold is not applied), the expected
    confusion matrix is ``C[j, k] = sum_{i: L_i = k} p_ij``; ``accuracy = trace(C) / n``
    (Rudner, 2001). Row-normalising gives ``M[j, k]``, the probability that a person at true
    level ``j`` is classified at ``k``; two independent administrations then agree with
    probability ``sum_j w_j sum_k M[j, k]^2`` where ``w_j`` is the expected share at level
    ``j`` (Lee, 2010). Both assume the model is right; on a model that does not fit, they
    are optimistic.

    References
    ----------
    Rudner, L. M. (2001). Computing the expected proportions of misclassified examinees.
    *Practical Assessment, Research & Evaluation*, 7(14).
    Rudner, L. M. (2005). Expected classification accuracy. *PARE*, 10(13).
    Lee, W.-C. (2010). Classification consistency and accuracy for complex assessments using
    item response theory. *Journal of Educational Measurement*, 47(1), 1-17.

    Examples
    --------
    >>> from akhlak_levels import classification_quality, simulate
    >>> responses, truth = simulate("socio-emotional-levels", 2000, random_state=0)
    >>> cq = classification_quality("socio-emotional-levels", responses)
    >>> round(cq.accuracy, 2), round(cq.consistency, 2)
    (0.99, 0.98)
    """
    if isinstance(responses, Assessment):
        a = responses
    else:
        q = load_questionnaire(questionnaire)
        a = assess(q, responses, model, min_confidence=0.0)
    if a.probabilities is None:
        raise ValueError("classification_quality needs level probabilities; this questionnaire has no level model.")
    return quality_from_probabilities(a.probabilities)
