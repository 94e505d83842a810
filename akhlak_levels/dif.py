"""Fairness across groups: differential item functioning and level decisions by group.

:func:`dif` tests every item for differential item functioning (DIF) with ordinal logistic
regression (Zumbo, 1999): does the answer depend on group membership once the trait is held
equal? :func:`level_decisions_by_group` tabulates the level decisions per group, with the
selection rate and the adverse-impact ratio (the four-fifths rule) at every level threshold an
HR tool might use.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, Mapping, Sequence, overload

import numpy as np
import scipy.optimize
import scipy.special
from scipy import stats
from threadpoolctl import threadpool_limits

from ._tables import records
from .assessment import Assessment, assess
from .errors import ModelError, ResponseError
from .levels import N_LEVELS
from .model import LevelModel
from .questionnaire import Questionnaire, load_questionnaire
from .reliability import keyed_matrix
from .responses import MISSING, ResponseSet, read_responses

__all__ = [
    "DifTable",
    "LevelDecisionTable",
    "dif",
    "level_decisions_by_group",
    "benjamini_hochberg",
    "EFFECT_SIZE_CRITERIA",
]

#: Cuts on the change in Nagelkerke R^2 (M1 -> M3) between categories A|B and B|C.
EFFECT_SIZE_CRITERIA: Mapping[str, tuple[float, float]] = {
    "jodoin-gierl": (0.035, 0.070),
    "zumbo-thomas": (0.13, 0.26),
}

#: The matching variable "rest" needs at least this share of the other items of the scale.
REST_MIN_ANSWERED = 0.5

_FIT_OPTIONS = {"maxiter": 500, "gtol": 1e-9, "ftol": 1e-14}  # ~15-60 iterations unless separated


# =========================================================================== helpers


def benjamini_hochberg(p: Sequence[float] | np.ndarray) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values; NaN entries are left out of the count and stay NaN.

    Notes
    -----
    With the m non-missing p-values sorted, ``p_(1) <= ... <= p_(m)``, the adjusted value of
    ``p_(i)`` is ``min_{j >= i} min(1, m p_(j) / j)``. Rejecting where the adjusted value is
    below ``alpha`` controls the false discovery rate at ``alpha`` for independent (or
    positively dependent) tests. :func:`scipy.stats.false_discovery_control` is used when
    available (scipy >= 1.11); this module's own implementation otherwise.

    References
    ----------
    Benjamini, Y., & Hochberg, Y. (1995). Controlling the false discovery rate. *Journal of the
    Royal Statistical Society B*, 57, 289-300. R: ``p.adjust(p, "BH")``.

    Examples
    --------
    >>> from akhlak_levels.dif import benjamini_hochberg
    >>> benjamini_hochberg([0.01, 0.04, 0.03, 0.005, np.nan]).round(4).tolist()
    [0.02, 0.04, 0.04, 0.02, nan]
    """
    p = np.asarray(p, dtype=float)
    out = np.full(p.shape, np.nan)
    ok = ~np.isnan(p)
    if ok.any():
        fdc = getattr(stats, "false_discovery_control", None)
        out[ok] = fdc(p[ok], method="bh") if fdc is not None else _bh(p[ok])
    return out


def _bh(p: np.ndarray) -> np.ndarray:
    m = p.shape[0]
    order = np.argsort(p)
    scaled = p[order] * m / np.arange(1, m + 1)
    adjusted = np.minimum.accumulate(scaled[::-1])[::-1]
    out = np.empty(m)
    out[order] = np.minimum(adjusted, 1.0)
    return out


def _columns(groups: Mapping[str, np.ndarray], unit: np.ndarray | None, wave: np.ndarray | None) -> dict[str, np.ndarray]:
    """The grouping columns a name may refer to: those read with ``group_columns``, and
    ``unit`` and ``wave``."""
    out = dict(groups)
    if unit is not None:
        out.setdefault("unit", unit)
    if wave is not None:
        out.setdefault("wave", wave)
    return out


def _labels(group: Any, n: int, groups: Mapping[str, np.ndarray], fn: str) -> tuple[np.ndarray, str]:
    """Group labels as a str array ("" = missing), and a name for messages."""
    if isinstance(group, str):
        if group not in groups:
            raise ResponseError(
                f"No column {group!r} was read with these responses; the columns carried along are "
                f"{sorted(groups)}. Pass group_columns=[{group!r}] to read_responses, or pass the labels as an array."
            )
        return np.asarray(groups[group], dtype=str), group
    arr = np.asarray(group, dtype=object)
    if arr.ndim != 1 or arr.shape[0] != n:
        raise ValueError(
            f"The 'group' parameter of {fn} must be a column name or one label per respondent ({n}). "
            f"Got an array of shape {arr.shape} instead."
        )
    out = np.empty(n, dtype=object)
    for i, v in enumerate(arr.tolist()):
        if v is None or (isinstance(v, float) and v != v):
            out[i] = ""
        else:
            out[i] = str(v).strip()
    return out.astype(str), "group"


# =========================================================================== cumulative logit


def _thresholds(tau: np.ndarray) -> np.ndarray:
    """Increasing thresholds from ``tau = (theta_1, log(theta_2 - theta_1), ...)``."""
    return tau[0] + np.concatenate([[0.0], np.cumsum(np.exp(tau[1:]))])


def _negloglik(params: np.ndarray, X: np.ndarray, y: np.ndarray, J: int) -> tuple[float, np.ndarray]:
    """``-sum log P(y_n)`` of the cumulative-logit model ``P(Y <= j) = F(theta_j - X beta)`` with
    ``J`` categories (``y`` in 0..J-1), and its gradient."""
    p = X.shape[1]
    beta, tau = params[:p], params[p:]
    theta = _thresholds(tau)
    eta = X @ beta
    upper = y < J - 1
    lower = y > 0
    hi = np.where(upper, y, 0)
    lo = np.where(lower, y - 1, 0)
    a = theta[hi] - eta
    b = theta[lo] - eta
    # log(F(a) - F(b)) = log F(a) + log(1 - F(b)) + log(1 - exp(b - a)), each term stable
    middle = upper & lower
    # a gap that underflows (thresholds merging on separated data) is kept just above 0
    gap = np.where(middle, np.maximum(a - b, 1e-300), 1.0)
    logp = (
        np.where(upper, -np.logaddexp(0.0, -a), 0.0)
        + np.where(lower, -np.logaddexp(0.0, b), 0.0)
        + np.where(middle, np.log(-np.expm1(-gap)), 0.0)
    )
    # derivatives of log p with respect to a and b
    with np.errstate(over="ignore"):
        inv = np.where(middle, 1.0 / np.expm1(gap), 0.0)
    ga = np.where(upper, scipy.special.expit(-a), 0.0) + inv
    gb = np.where(lower, -scipy.special.expit(b), 0.0) - inv
    grad_beta = X.T @ (ga + gb)  # d a / d beta = d b / d beta = -X
    g_theta = -(np.bincount(hi, weights=ga, minlength=J - 1) + np.bincount(lo, weights=gb, minlength=J - 1))
    tail = np.cumsum(g_theta[::-1])[::-1]
    grad_tau = np.concatenate([[tail[0]], np.exp(tau[1:]) * tail[1:]])
    return float(-logp.sum()), np.concatenate([grad_beta, grad_tau])


def _start(y: np.ndarray, J: int, p: int) -> np.ndarray:
    counts = np.bincount(y, minlength=J).astype(float)
    cum = np.cumsum(counts)[:-1] / counts.sum()
    theta = scipy.special.logit(np.clip(cum, 1e-6, 1 - 1e-6))
    theta = np.maximum.accumulate(theta + 1e-6 * np.arange(J - 1))
    return np.concatenate([np.zeros(p), [theta[0]], np.log(np.maximum(np.diff(theta), 1e-6))])


def _fit(X: np.ndarray, y: np.ndarray, J: int, start: np.ndarray) -> tuple[float, np.ndarray]:
    """Maximum log-likelihood of the cumulative-logit model and its parameters.

    On separated data (a group that gives only the top answer, say) the maximum is approached
    as parameters diverge; the optimiser stops there, and the likelihood it reports is still
    the supremum to its tolerance, so the likelihood-ratio statistic stays meaningful."""
    with np.errstate(over="ignore", under="ignore"):  # exp(tau) of diverging thresholds
        res = scipy.optimize.minimize(_negloglik, start, args=(X, y, J), jac=True, method="L-BFGS-B", options=_FIT_OPTIONS)
    return -float(res.fun), res.x


def _null_loglik(y: np.ndarray, J: int) -> float:
    counts = np.bincount(y, minlength=J).astype(float)
    counts = counts[counts > 0]
    return float((counts * np.log(counts / counts.sum())).sum())


def _nagelkerke(ll: float, ll0: float, n: int) -> float:
    cox_snell = -np.expm1(2.0 * (ll0 - ll) / n)
    return float(cox_snell / -np.expm1(2.0 * ll0 / n))


# =========================================================================== dif


@dataclass(frozen=True, eq=False)
class DifTable:
    """Differential item functioning, one row per item (arrays in questionnaire item order).

    Attributes
    ----------
    item : tuple of str
        Item ids.
    matching_scale : tuple of str
        The scale whose other items form the matching score (``matching="rest"``), else ``""``.
    n : ndarray of int
        Respondents in the item's fits (item answered, matching score and group known).
    n_categories : ndarray of int
        Answer categories observed (the ordinal response's levels).
    chi2_uniform, chi2_nonuniform, chi2_total : ndarray of float
        Likelihood-ratio statistics M2 vs M1, M3 vs M2 and M3 vs M1.
    df_uniform, df_nonuniform, df_total : int
        ``g - 1``, ``g - 1``, ``2 (g - 1)`` for ``g`` groups.
    p_uniform, p_nonuniform, p_total : ndarray of float
        Chi-square upper tails.
    p_uniform_adjusted, p_nonuniform_adjusted, p_total_adjusted : ndarray of float
        Benjamini-Hochberg adjusted across the items, each test separately.
    r2_m1, r2_m2, r2_m3 : ndarray of float
        Nagelkerke pseudo-R^2 of the three models.
    effect_size : ndarray of float
        ``r2_m3 - r2_m1``: the effect size.
    effect_size_uniform : ndarray of float
        ``r2_m2 - r2_m1``.
    beta_change : ndarray of float
        ``|b1(M1) - b1(M2)| / |b1(M1)|``, the relative change of the matching coefficient when
        the group enters (Crane et al., 2006, flag uniform DIF above 0.10).
    category : tuple of str
        ``"A"`` negligible, ``"B"`` moderate, ``"C"`` large (``""`` where not computed).
    flagged : ndarray of bool
        ``p_total_adjusted < alpha``.
    note : tuple of str
        Why a row is NaN.
    groups : tuple of str
        The group labels, sorted; ``reference`` is one of them.
    group_sizes : dict of str to int
    matching, criteria : str
    cuts : tuple of float
    alpha : float
    purified : tuple of str
        Items left out of the matching scores in the final round (``purify=True``).
    rounds : int
        Fitting rounds run (1 without purification).
    """

    item: tuple[str, ...]
    matching_scale: tuple[str, ...]
    n: np.ndarray
    n_categories: np.ndarray
    chi2_uniform: np.ndarray
    p_uniform: np.ndarray
    p_uniform_adjusted: np.ndarray
    chi2_nonuniform: np.ndarray
    p_nonuniform: np.ndarray
    p_nonuniform_adjusted: np.ndarray
    chi2_total: np.ndarray
    p_total: np.ndarray
    p_total_adjusted: np.ndarray
    r2_m1: np.ndarray
    r2_m2: np.ndarray
    r2_m3: np.ndarray
    effect_size: np.ndarray
    effect_size_uniform: np.ndarray
    beta_change: np.ndarray
    category: tuple[str, ...]
    flagged: np.ndarray
    note: tuple[str, ...]
    groups: tuple[str, ...]
    reference: str
    group_sizes: Mapping[str, int]
    df_uniform: int
    df_nonuniform: int
    df_total: int
    matching: str
    criteria: str
    cuts: tuple[float, float]
    alpha: float
    purified: tuple[str, ...] = ()
    rounds: int = 1

    COLUMNS = (
        "item", "matching_scale", "n", "n_categories",
        "chi2_uniform", "p_uniform", "p_uniform_adjusted",
        "chi2_nonuniform", "p_nonuniform", "p_nonuniform_adjusted",
        "chi2_total", "p_total", "p_total_adjusted",
        "r2_m1", "r2_m2", "r2_m3", "effect_size", "effect_size_uniform", "beta_change",
        "category", "flagged", "note",
    )

    def __len__(self) -> int:
        return len(self.item)

    def to_records(self) -> list[dict[str, Any]]:
        """One JSON-ready dict per item (NaN as None)."""
        return records({c: getattr(self, c) for c in self.COLUMNS})

    def to_frame(self) -> Any:
        """A pandas DataFrame, one row per item (needs pandas)."""
        try:
            import pandas as pd
        except ImportError:  # pragma: no cover
            raise ImportError("to_frame needs pandas: pip install 'akhlak-levels[frames]'.") from None
        return pd.DataFrame({c: list(getattr(self, c)) for c in self.COLUMNS})

    def __repr__(self) -> str:
        return (
            f"DifTable(items={len(self)}, groups={list(self.groups)}, flagged={int(self.flagged.sum())}, "
            f"matching={self.matching!r}, criteria={self.criteria!r})"
        )


def _matching(
    q: Questionnaire, rs: ResponseSet, matching: str, model: LevelModel | str | None, exclude: frozenset[str] = frozenset()
) -> tuple[list[np.ndarray | None], list[str], list[str]]:
    """Per item: the matching score (NaN where unknown), the scale used, and a reason when None.

    Items in ``exclude`` (flagged in an earlier round of purification) do not enter any score.
    """
    n_items = q.n_items
    if exclude:
        codes = rs.codes.copy()
        codes[:, [q.item_ids.index(i) for i in exclude]] = MISSING
        rs = ResponseSet(q, rs.respondent_ids, codes)
    if matching == "expected_level":
        m = model if model is not None else q.default_model
        if m is None:
            raise ModelError(
                f"matching='expected_level' needs a level model, and questionnaire {q.id!r} has none; "
                "pass model=... or use matching='rest'."
            )
        expected = assess(q, rs, m).expected_level
        assert expected is not None
        e = np.where(rs.answered.any(axis=1), expected, np.nan)
        return [e] * n_items, [""] * n_items, [""] * n_items
    scores: list[np.ndarray | None] = []
    scale_ids: list[str] = []
    reasons: list[str] = []
    by_id = {s.id: s for s in q.scales}
    for it in q.items:
        if not it.scales:
            scores.append(None)
            scale_ids.append("")
            reasons.append("the item belongs to no scale, so it has no rest score; use matching='expected_level'")
            continue
        scale = by_id[it.scales[0]]
        others = tuple(i for i in scale.item_ids if i != it.id and i not in exclude)
        scale_ids.append(scale.id)
        if not others:
            scores.append(None)
            reasons.append(
                f"scale {scale.id!r} has no other item to form a rest score"
                + (" once the items flagged for DIF are set aside" if exclude & set(scale.item_ids) else "")
            )
            continue
        X = keyed_matrix(q, rs, others)
        ok = ~np.isnan(X)
        c = ok.sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            rest = np.where(ok, X, 0.0).sum(axis=1) / c
        rest[c < REST_MIN_ANSWERED * len(others) - 1e-9] = np.nan
        rest[c == 0] = np.nan
        scores.append(rest)
        reasons.append("")
    return scores, scale_ids, reasons


def dif(
    questionnaire: Questionnaire | str,
    responses: ResponseSet | Any,
    group: str | Sequence[Any] | np.ndarray,
    *,
    matching: Literal["rest", "expected_level"] = "rest",
    reference: str | None = None,
    alpha: float = 0.05,
    criteria: Literal["jodoin-gierl", "zumbo-thomas"] = "jodoin-gierl",
    purify: bool = True,
    max_rounds: int = 10,
    model: LevelModel | str | None = None,
) -> DifTable:
    """Differential item functioning across groups by ordinal logistic regression.

    Parameters
    ----------
    questionnaire : Questionnaire or str
    responses : ResponseSet, or anything :func:`~akhlak_levels.read_responses` reads
    group : str or array-like of shape (n,)
        A group label per respondent, or the name of a column read with
        ``read_responses(..., group_columns=[name])`` (or ``"unit"``, ``"wave"``). Empty labels
        and None/NaN are unknown: those respondents are left out.
    matching : {"rest", "expected_level"}, default="rest"
        The trait the groups are matched on. ``"rest"``: the mean keyed answer to the other items
        of the item's first scale (prorated: the mean of those answered, when at least half
        are). ``"expected_level"``: the expected level from :func:`~akhlak_levels.assess`
        (it includes the studied item).
    reference : str, default=None
        The group coded 0 in the design; the largest group when None. The likelihood-ratio
        tests do not depend on it.
    alpha : float, default=0.05
        Level of the tests after the Benjamini-Hochberg adjustment.
    criteria : {"jodoin-gierl", "zumbo-thomas"}, default="jodoin-gierl"
        Cuts of the effect-size categories, see Notes.
    purify : bool, default=True
        Iterative purification (as R's lordif does by default): refit with the items flagged in
        the previous round left out of every matching score, until the flagged set is one
        already used (it settled, or the rounds cycle) or ``max_rounds`` is reached. Without
        it, a DIF item inside the rest score makes clean items look biased (5-9% of clean items
        flagged in our simulations, against under 1% with it); see Notes.
    max_rounds : int, default=10
        Rounds of purification at most.
    model : LevelModel or path, default=None
        The model for ``matching="expected_level"``; the questionnaire's default when None.

    Returns
    -------
    DifTable

    Raises
    ------
    ValueError
        Fewer than two groups, an unknown reference group, a bad parameter.
    ResponseError
        ``group`` names a column that was not read.
    ModelError
        ``matching="expected_level"`` without a level model.

    Notes
    -----
    For each item, the ordinal response ``Y`` is the keyed answer (a reverse-keyed Likert item
    reversed; for a choice item, the level of the chosen option), its observed values coded
    ``0..J-1``. With ``m`` the matching score (standardised) and ``g`` dummy codes of the
    groups other than the reference, three cumulative-logit models (Zumbo, 1999) are fitted by
    maximum likelihood (L-BFGS-B, analytic gradient),
    ``P(Y <= j) = logistic(theta_j - eta)``, with

    - M1: ``eta = b1 m``
    - M2: ``eta = b1 m + b2' g``
    - M3: ``eta = b1 m + b2' g + b3' (g m)``

    and compared by likelihood ratio, ``chi2 = 2 (logL_b - logL_a)``: uniform DIF M2 vs M1 and
    non-uniform DIF M3 vs M2, each on ``G - 1`` df for ``G`` groups; total DIF M3 vs M1 on
    ``2 (G - 1)`` df. With two categories the model is logistic regression. p-values are
    adjusted across items with Benjamini-Hochberg, each test separately; ``flagged`` is
    ``p_total_adjusted < alpha``.

    The effect size is the change in **Nagelkerke** pseudo-R^2 from M1 to M3,
    ``R2_N = (1 - exp(2 (logL_0 - logL) / n)) / (1 - exp(2 logL_0 / n))`` with ``logL_0`` the
    thresholds-only model. An item is category **A** (negligible) when not flagged or when
    ``effect_size`` is below the first cut, **C** (large) when flagged and ``effect_size`` is at or
    above the second cut, else **B** (moderate). Cuts: Jodoin & Gierl (2001), 0.035 and 0.070
    (the default: calibrated for logistic-regression DIF, where Zumbo & Thomas' cuts are known
    to flag almost nothing); Zumbo & Thomas (1997), 0.13 and 0.26.

    A DIF item inside the rest score of a clean item makes the clean item look biased as well
    (contamination). In simulations with 4 DIF items among 30 (docs/quality.md) 5-9% of the
    clean items were flagged without purification and under 1% with it.

    A row is NaN, with the reason in ``note``, when the item has no rest score, when fewer
    than two answer categories were observed, when the matching score does not vary, or when a
    group has fewer than 2 respondents in the item's data.

    References
    ----------
    Zumbo, B. D. (1999). *A Handbook on the Theory and Methods of Differential Item Functioning
    (DIF): Logistic Regression Modeling as a Unitary Framework for Binary and Likert-Type
    (Ordinal) Item Scores*. Ottawa: Department of National Defense.
    Zumbo, B. D., & Thomas, D. R. (1997). *A measure of effect size for a model-based approach
    for studying DIF*. University of Northern British Columbia.
    Jodoin, M. G., & Gierl, M. J. (2001). Evaluating type I error and power rates using an
    effect size measure with the logistic regression procedure for DIF detection. *Applied
    Measurement in Education*, 14, 329-349.
    Crane, P. K., Gibbons, L. E., Jolley, L., & van Belle, G. (2006). Differential item
    functioning analysis with ordinal logistic regression techniques: DIFdetect and difwithpar.
    *Medical Care*, 44, S115-S123.
    Benjamini, Y., & Hochberg, Y. (1995), see :func:`benjamini_hochberg`.
    R: ``lordif::rundif``, ``difR::difLogistic`` (binary items).

    Examples
    --------
    >>> from akhlak_levels import load_questionnaire, simulate
    >>> from akhlak_levels.dif import dif
    >>> q = load_questionnaire("socio-emotional-levels")
    >>> rs, _ = simulate(q, 400, random_state=0)
    >>> table = dif(q, rs, np.repeat(["A", "B"], 200))
    >>> table.groups, table.df_total, int(table.flagged.sum())
    (('A', 'B'), 2, 0)
    >>> table.note[-1]
    "the item belongs to no scale, so it has no rest score; use matching='expected_level'"
    """
    q = load_questionnaire(questionnaire)
    if matching not in ("rest", "expected_level"):
        raise ValueError(f"The 'matching' parameter of dif must be one of {{'rest', 'expected_level'}}. Got {matching!r} instead.")
    if criteria not in EFFECT_SIZE_CRITERIA:
        raise ValueError(f"The 'criteria' parameter of dif must be one of {set(EFFECT_SIZE_CRITERIA)}. Got {criteria!r} instead.")
    if isinstance(alpha, bool) or not isinstance(alpha, (int, float, np.floating)) or not 0 < alpha < 1:
        raise ValueError(f"The 'alpha' parameter of dif must be in (0, 1). Got {alpha!r} instead.")
    if isinstance(max_rounds, bool) or not isinstance(max_rounds, (int, np.integer)) or max_rounds < 1:
        raise ValueError(f"The 'max_rounds' parameter of dif must be a positive integer. Got {max_rounds!r} instead.")
    if not isinstance(responses, ResponseSet):
        responses = read_responses(responses, q)
    elif responses.questionnaire.content_hash != q.content_hash or responses.questionnaire.id != q.id:
        raise ResponseError(f"These responses were read for questionnaire {responses.questionnaire.id!r}, not {q.id!r}.")
    rs = responses
    n = len(rs)
    labels, gname = _labels(group, n, _columns(rs.groups, rs.unit, rs.wave), "dif")
    known = labels != ""
    names, counts = np.unique(labels[known], return_counts=True)
    if names.shape[0] < 2:
        raise ValueError(
            f"dif needs at least two groups; the {gname!r} labels hold {names.shape[0]} "
            f"({names.tolist()}). DIF compares groups: check the grouping column."
        )
    sizes = {str(k): int(c) for k, c in zip(names, counts)}
    if reference is None:
        ref = str(names[np.argmax(counts)])  # the largest; the first in sorted order on a tie
    elif str(reference) not in sizes:
        raise ValueError(f"The 'reference' parameter of dif must be one of the groups {sorted(sizes)}. Got {reference!r} instead.")
    else:
        ref = str(reference)
    others = [str(g) for g in names if g != ref]
    G = len(names)

    Y = keyed_matrix(q, rs, q.item_ids)
    dummies = np.stack([labels == g for g in others], axis=1).astype(float)
    exclude: frozenset[str] = frozenset()
    seen = [exclude]
    rounds = 0
    while True:
        rounds += 1
        scores, scale_ids, notes = _matching(q, rs, matching, model, exclude)
        # many small fits: BLAS threads only add overhead, and on a busy machine their
        # spinning slows the fits several times over
        with threadpool_limits(limits=1, user_api="blas"):
            out, n_used, n_cat = _fit_items(Y, scores, labels, names, dummies, notes)
        p_t = stats.chi2.sf(out["chi2_total"], 2 * (G - 1))
        p_t_adj = benjamini_hochberg(p_t)
        with np.errstate(invalid="ignore"):
            flagged = p_t_adj < alpha
        found = frozenset(np.asarray(q.item_ids)[flagged].tolist())
        if not purify or found in seen or rounds >= max_rounds:  # settled, or cycling
            break
        exclude = found
        seen.append(found)
    p_u = stats.chi2.sf(out["chi2_uniform"], G - 1)
    p_n = stats.chi2.sf(out["chi2_nonuniform"], G - 1)
    delta = out["r2_m3"] - out["r2_m1"]
    cuts = EFFECT_SIZE_CRITERIA[criteria]
    category = np.where(np.isnan(delta), "", np.where(~flagged | (delta < cuts[0]), "A", np.where(delta >= cuts[1], "C", "B")))
    return DifTable(
        item=q.item_ids,
        matching_scale=tuple(scale_ids),
        n=n_used,
        n_categories=n_cat,
        chi2_uniform=out["chi2_uniform"],
        p_uniform=p_u,
        p_uniform_adjusted=benjamini_hochberg(p_u),
        chi2_nonuniform=out["chi2_nonuniform"],
        p_nonuniform=p_n,
        p_nonuniform_adjusted=benjamini_hochberg(p_n),
        chi2_total=out["chi2_total"],
        p_total=p_t,
        p_total_adjusted=p_t_adj,
        r2_m1=out["r2_m1"],
        r2_m2=out["r2_m2"],
        r2_m3=out["r2_m3"],
        effect_size=delta,
        effect_size_uniform=out["r2_m2"] - out["r2_m1"],
        beta_change=out["beta_change"],
        category=tuple(str(c) for c in category),
        flagged=flagged,
        note=tuple(notes),
        groups=tuple(str(g) for g in names),
        reference=ref,
        group_sizes=sizes,
        df_uniform=G - 1,
        df_nonuniform=G - 1,
        df_total=2 * (G - 1),
        matching=matching,
        criteria=criteria,
        cuts=cuts,
        alpha=float(alpha),
        purified=tuple(i for i in q.item_ids if i in exclude),
        rounds=rounds,
    )


def _fit_items(
    Y: np.ndarray,
    scores: list[np.ndarray | None],
    labels: np.ndarray,
    names: np.ndarray,
    dummies: np.ndarray,
    notes: list[str],
) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    """The three nested fits of every item; ``notes`` is completed in place."""
    k = Y.shape[1]
    G = names.shape[0]
    known = labels != ""
    out = {c: np.full(k, np.nan) for c in (
        "chi2_uniform", "chi2_nonuniform", "chi2_total", "r2_m1", "r2_m2", "r2_m3", "beta_change")}
    n_used = np.zeros(k, dtype=np.int64)
    n_cat = np.zeros(k, dtype=np.int64)
    for i in range(k):
        m = scores[i]
        if m is None:
            continue
        use = known & ~np.isnan(Y[:, i]) & ~np.isnan(m)
        n_used[i] = int(use.sum())
        present = dict(zip(*np.unique(labels[use], return_counts=True)))
        small = [g for g in names.tolist() if present.get(g, 0) < 2]
        if small:
            notes[i] = (
                f"group(s) {small} have fewer than 2 respondents with this item and a matching score "
                f"({', '.join(f'{g}: {int(present.get(g, 0))}' for g in small)}); merge or drop them"
            )
            continue
        values, y = np.unique(Y[use, i], return_inverse=True)
        J = values.shape[0]
        n_cat[i] = J
        if J < 2:
            notes[i] = f"no variance: every respondent used gave the same answer ({values[0]:g})"
            continue
        mu = m[use]
        sd = mu.std()
        if not sd > 1e-12:
            notes[i] = "the matching score does not vary among the respondents used"
            continue
        z = (mu - mu.mean()) / sd
        D = dummies[use]
        X1 = z[:, None]
        X2 = np.column_stack([z, D])
        X3 = np.column_stack([z, D, D * z[:, None]])
        ll1, p1 = _fit(X1, y, J, _start(y, J, 1))
        ll2, p2 = _fit(X2, y, J, np.concatenate([p1[:1], np.zeros(G - 1), p1[1:]]))
        ll3, _ = _fit(X3, y, J, np.concatenate([p2[:G], np.zeros(G - 1), p2[G:]]))
        ll2 = max(ll2, ll1)  # nested: an optimiser stopping early must not make chi2 negative
        ll3 = max(ll3, ll2)
        ll0 = _null_loglik(y, J)
        nn = int(use.sum())
        out["chi2_uniform"][i] = 2.0 * (ll2 - ll1)
        out["chi2_nonuniform"][i] = 2.0 * (ll3 - ll2)
        out["chi2_total"][i] = 2.0 * (ll3 - ll1)
        out["r2_m1"][i] = _nagelkerke(ll1, ll0, nn)
        out["r2_m2"][i] = _nagelkerke(ll2, ll0, nn)
        out["r2_m3"][i] = _nagelkerke(ll3, ll0, nn)
        out["beta_change"][i] = abs(p1[0] - p2[0]) / abs(p1[0]) if p1[0] != 0 else np.nan
    return out, n_used, n_cat


# =========================================================================== level decisions

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
    shares : ndarray of shape (n_groups, 6)
        Share of the group at level 0 (undetermined) and levels 1..5.
    selection_rate : ndarray of shape (n_groups, 4)
        ``P(level >= t)`` for ``t`` in ``thresholds``, over all members (undetermined count as
        not selected).
    impact_ratio : ndarray of shape (n_groups, 4)
        ``selection_rate / comparison rate``, the comparison rate being the highest rate among
        groups that are not small (among all groups when every group is small); NaN when the
        comparison rate is 0.
    adverse_impact : ndarray of bool, shape (n_groups, 4)
        ``impact_ratio < ratio`` (the four-fifths rule).
    comparison_group : tuple of str
        Per threshold, the group whose rate is the comparison rate.
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

    def _columns(self) -> dict[str, list[Any]]:
        cols: dict[str, list[Any]] = {
            "group": list(self.group),
            "n": [int(v) for v in self.n],
            "small": [bool(v) for v in self.small],
        }
        for k in range(N_LEVELS + 1):
            cols[f"share_level_{k}"] = [float(v) for v in self.shares[:, k]]
        for j, t in enumerate(self.thresholds):
            cols[f"selection_rate_ge_{t}"] = [float(v) for v in self.selection_rate[:, j]]
            cols[f"impact_ratio_ge_{t}"] = [None if v != v else float(v) for v in self.impact_ratio[:, j]]
            cols[f"adverse_impact_ge_{t}"] = [bool(v) for v in self.adverse_impact[:, j]]
        return cols

    def to_records(self) -> list[dict[str, Any]]:
        """One JSON-ready dict per group (NaN, e.g. of a suppressed group, as None)."""
        return records(self._columns())

    def to_frame(self) -> Any:
        """A pandas DataFrame, one row per group (needs pandas)."""
        try:
            import pandas as pd
        except ImportError:  # pragma: no cover
            raise ImportError("to_frame needs pandas: pip install 'akhlak-levels[frames]'.") from None
        return pd.DataFrame(self._columns())


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
    >>> from akhlak_levels.dif import level_decisions_by_group
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
    if isinstance(source, Assessment):
        if len(args) != 1:
            raise ValueError(
                f"level_decisions_by_group(assessment, group) takes the group after an Assessment; got {len(args)} more arguments."
            )
        if model is not None:
            raise ValueError("The 'model' parameter of level_decisions_by_group is only for a questionnaire; an Assessment holds its levels.")
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
    if isinstance(min_group_size, bool) or not isinstance(min_group_size, (int, np.integer)) or min_group_size < 1:
        raise ValueError(f"The 'min_group_size' parameter of level_decisions_by_group must be a positive integer. Got {min_group_size!r} instead.")
    if isinstance(ratio, bool) or not isinstance(ratio, (int, float, np.floating)) or not 0 < ratio <= 1:
        raise ValueError(f"The 'ratio' parameter of level_decisions_by_group must be in (0, 1]. Got {ratio!r} instead.")
    labels, _ = _labels(group, len(a), _columns(a.groups, a.unit, a.wave), "level_decisions_by_group")
    known = labels != ""
    names, inverse = np.unique(labels[known], return_inverse=True)
    if names.shape[0] == 0:
        raise ValueError("level_decisions_by_group: no respondent has a group label.")
    G = names.shape[0]
    level = a.level[known].astype(np.int64)
    counts = np.zeros((G, N_LEVELS + 1))
    np.add.at(counts, (inverse.ravel(), level), 1.0)
    n_g = counts.sum(axis=1)
    shares = counts / n_g[:, None]
    at_or_above = np.cumsum(counts[:, ::-1], axis=1)[:, ::-1]  # column t: #{level >= t}
    rate = at_or_above[:, list(DECISION_THRESHOLDS)] / n_g[:, None]
    small = n_g < min_group_size
    pool = ~small if (~small).any() else np.ones(G, dtype=bool)
    best = np.where(pool[:, None], rate, -1.0).argmax(axis=0)
    top = rate[best, np.arange(len(DECISION_THRESHOLDS))]
    with np.errstate(invalid="ignore", divide="ignore"):
        air = np.where(top > 0, rate / top, np.nan)
        adverse = air < ratio
    notes = tuple(
        f"level >= {t}: no comparison group selects anyone, so the ratio is undefined" for t, v in zip(DECISION_THRESHOLDS, top) if v == 0
    )
    if small.any() and (~small).any():
        # a group report must not single out individuals (UU PDP): small groups keep their row
        # and size, but show no shares, rates or ratios
        shares = np.where(small[:, None], np.nan, shares)
        rate = np.where(small[:, None], np.nan, rate)
        air = np.where(small[:, None], np.nan, air)
        adverse = np.where(small[:, None], False, adverse)
        notes += (f"groups under {min_group_size} respondents are suppressed: {[str(g) for g in names[small]]}",)
    return LevelDecisionTable(
        group=tuple(str(g) for g in names),
        n=n_g.astype(np.int64),
        small=small,
        shares=shares,
        selection_rate=rate,
        impact_ratio=air,
        adverse_impact=adverse,
        comparison_group=tuple(str(names[b]) for b in best),
        thresholds=DECISION_THRESHOLDS,
        min_group_size=int(min_group_size),
        ratio=float(ratio),
        n_missing_group=int((~known).sum()),
        note=notes,
    )
