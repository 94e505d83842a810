"""Fairness across groups: differential item functioning.

:func:`dif` tests every item for differential item functioning (DIF) with ordinal logistic
regression (Zumbo, 1999): does the answer depend on group membership once the trait is held
equal? (The level decisions by group, with the adverse-impact ratio, are a floor higher, in
``akhlak_levels.decisions``.)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, Mapping, NamedTuple, Sequence

import numpy as np
from threadpoolctl import threadpool_limits

from .._tables import frame, html_repr, records
from .._validation import Interval, Options, check, param_error
from ..errors import ModelError
from ..levels import N_LEVELS
from ..model import LevelModel, level_probabilities
from ..privacy import suppression_mask
from ..questionnaire import Questionnaire, load_questionnaire
from ..responses import MISSING, ResponseSet
from ._dif_fits import fit_items, purification_rounds
from ._groups import group_columns, group_labels
from ._inputs import model_for, responses_for
from ._keyed import keyed_in_first_scale, keyed_matrix

__all__ = [
    "DifTable",
    "dif",
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
    >>> from akhlak_levels.quality import benjamini_hochberg
    >>> benjamini_hochberg([0.01, 0.04, 0.03, 0.005, np.nan]).round(4).tolist()
    [0.02, 0.04, 0.04, 0.02, nan]
    """
    from scipy import stats
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
        Nagelkerke pseudo-R^2 of the three models,
        ``R2_N = (1 - exp(2 (logL_0 - logL) / n)) / (1 - exp(2 logL_0 / n))`` with ``logL_0``
        the thresholds-only model.
    effect_size : ndarray of float
        ``r2_m3 - r2_m1``: the effect size, the change in Nagelkerke pseudo-R^2 from M1 to M3.
    effect_size_uniform : ndarray of float
        ``r2_m2 - r2_m1``.
    beta_change : ndarray of float
        ``|b1(M1) - b1(M2)| / |b1(M1)|``, the relative change of the matching coefficient when
        the group enters (Crane et al., 2006, flag uniform DIF above 0.10).
    category : tuple of str
        ``"A"`` negligible, ``"B"`` moderate, ``"C"`` large (``""`` where not computed). An item
        is **A** when not flagged or when ``effect_size`` is below the first cut, **C** when
        flagged and ``effect_size`` is at or above the second cut, else **B**. Cuts
        (``criteria``): Jodoin & Gierl (2001), 0.035 and 0.070 (the default: calibrated for
        logistic-regression DIF, where Zumbo & Thomas' cuts are known to flag almost nothing);
        Zumbo & Thomas (1997), 0.13 and 0.26.
    flagged : ndarray of bool
        ``p_total_adjusted < alpha``.
    note : tuple of str
        Why a row is NaN: the item has no rest score, fewer than two answer categories were
        observed, the matching score does not vary, or a group has fewer than 2 respondents in
        the item's data.
    groups : tuple of str
        The groups compared, sorted; ``reference`` is one of them.
    group_sizes : dict of str to int
        Respondents per group label, the suppressed groups included.
    matching, criteria : str
    cuts : tuple of float
    alpha : float
    purified : tuple of str
        Items left out of the matching scores in the final round (``purify=True``).
    rounds : int
        Fitting rounds run (1 without purification), the closing round after a cycle included.
    purification : {"off", "converged", "cycle", "max_rounds"}
        How purification ended: not asked for; the flagged set equalled the set left out (a
        fixed point); a cycle; or ``max_rounds`` was reached first. **A cycle**: a round flags
        a set already left out in an earlier round, so the rounds from there on would repeat
        for ever (psych's bfi by gender: 15 items flagged against 12 left out after 7 rounds,
        the same in R with the same rule). It is closed by one last round that leaves out the
        **union** of the sets in the cycle, whose tests are reported: each of those items was
        flagged under one of the matching scores the cycle moves between, and purification
        exists to keep suspect items out of the matching score, so the union's complement, the
        items no round of the cycle suspected, is the cleanest anchor the rounds found (Candell
        & Drasgow, 1988, *Applied Psychological Measurement*, 12, 253-260; Clauser, Mazor &
        Hambleton, 1993, *Applied Measurement in Education*, 6, 269-279). The intersection
        (``on_cycle="intersection"``) puts back items flagged in some rounds; the last set
        depends on where the rounds stopped. The price is a shorter matching score: an item
        whose scale has no other item left gets a NaN row saying so (on bfi by gender, the five
        Agreeableness items).
    cycle : tuple of tuple of str
        The flagged sets that repeat, in the order the rounds visited them (empty unless
        ``purification == "cycle"``).
    suppressed_groups : tuple of str
        Groups of fewer than ``min_group_size`` respondents, left out of every fit: a test of a
        group of a few people would describe those people's answers
        (:mod:`akhlak_levels.privacy`).
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
    suppressed_groups: tuple[str, ...] = ()
    purification: str = "off"
    cycle: tuple[tuple[str, ...], ...] = ()

    @property
    def converged(self) -> bool:
        """True when purification reached a fixed point (``purification == "converged"``)."""
        return self.purification == "converged"

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

    _repr_html_ = html_repr  # a compact, rounded table in a notebook

    def to_records(self) -> list[dict[str, Any]]:
        """One JSON-ready dict per item (NaN as None)."""
        return records({c: getattr(self, c) for c in self.COLUMNS})

    def to_frame(self) -> Any:
        """A pandas DataFrame, one row per item (needs pandas)."""
        return frame({c: getattr(self, c) for c in self.COLUMNS})

    def __repr__(self) -> str:
        return (
            f"DifTable(items={len(self)}, groups={list(self.groups)}, flagged={int(self.flagged.sum())}, "
            f"matching={self.matching!r}, criteria={self.criteria!r})"
        )


def _matching(
    q: Questionnaire, rs: ResponseSet, matching: str, model: LevelModel | None, exclude: frozenset[str] = frozenset()
) -> tuple[list[np.ndarray | None], list[str], list[str]]:
    """Per item: the matching score (NaN where unknown), the scale used, and a reason when None.

    Items in ``exclude`` (flagged in an earlier round of purification) do not enter any score.
    ``model`` is the level model of ``matching="expected_level"``.
    """
    n_items = q.n_items
    if exclude:
        codes = rs.codes.copy()
        codes[:, [q.item_ids.index(i) for i in exclude]] = MISSING
        rs = ResponseSet(q, rs.respondent_ids, codes)
    if matching == "expected_level":
        assert model is not None  # dif resolves it once, before the rounds
        expected = level_probabilities(model, q, rs.codes) @ np.arange(1.0, N_LEVELS + 1)
        e = np.where(rs.answered.any(axis=1), expected, np.nan)
        return [e] * n_items, [""] * n_items, [""] * n_items
    return _rest_scores(q, rs, exclude)


def _rest_scores(
    q: Questionnaire, rs: ResponseSet, exclude: frozenset[str]
) -> tuple[list[np.ndarray | None], list[str], list[str]]:
    """Per item: the mean keyed answer to the other items of its first scale (prorated, when at
    least :data:`REST_MIN_ANSWERED` of them are answered), the scale, and a reason when None."""
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
        X = keyed_matrix(q, rs, others, scale=scale)  # keyed as in the scale the rest score comes from
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
    min_group_size: int = 5,
    on_cycle: Literal["union", "intersection"] = "union",
    **read_options: Any,
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
        Cuts of the effect-size categories, see :class:`DifTable`, ``category``.
    purify : bool, default=True
        Iterative purification (as R's lordif does by default): refit with the items flagged in
        the previous round left out of every matching score, until the flagged set is the one
        left out, or one left out earlier (a cycle), or ``max_rounds`` is reached
        (``purification`` and ``cycle`` in the result). Without it, a DIF item in the rest score
        makes clean items look biased (5-9% of clean items flagged with 4 DIF items among 30 in
        our simulations, under 1% with it; docs/quality.md).
    max_rounds : int, default=10
        Rounds of purification at most.
    model : LevelModel or path, default=None
        The model for ``matching="expected_level"``; the questionnaire's default when None.
    min_group_size : int, default=5
        Smaller groups are left out of the fits, named in ``suppressed_groups``.
    on_cycle : {"union", "intersection"}, default="union"
        The set a cycling purification closes on (see :class:`DifTable`, ``purification``).
    **read_options
        :func:`~akhlak_levels.read_responses`'s options, for a path or table (as ``assess``).

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
    ``p_total_adjusted < alpha``. The effect size is the change in **Nagelkerke** pseudo-R^2
    from M1 to M3, categorised A, B or C (see :class:`DifTable`); a row that cannot be fitted
    is NaN with the reason in ``note``.

    References
    ----------
    Zumbo, B. D. (1999). *A Handbook on the Theory and Methods of DIF*. Ottawa: DND.
    Zumbo, B. D., & Thomas, D. R. (1997). University of Northern British Columbia.
    Jodoin, M. G., & Gierl, M. J. (2001). *Applied Measurement in Education*, 14, 329-349.
    Crane, P. K., Gibbons, L. E., Jolley, L., & van Belle, G. (2006). *Med Care*, 44, S115-23.
    Benjamini, Y., & Hochberg, Y. (1995), see :func:`benjamini_hochberg`.
    R: ``lordif::rundif``, ``difR::difLogistic`` (binary items).

    Examples
    --------
    >>> from akhlak_levels import load_questionnaire, simulate
    >>> from akhlak_levels.quality import dif
    >>> q = load_questionnaire("socio-emotional-levels")
    >>> rs, _ = simulate(q, 400, random_state=0)
    >>> table = dif(q, rs, np.repeat(["A", "B"], 200))
    >>> table.groups, table.df_total, int(table.flagged.sum())
    (('A', 'B'), 2, 0)
    >>> table.note[-1]
    "the item belongs to no scale, so it has no rest score; use matching='expected_level'"
    """
    q = load_questionnaire(questionnaire)
    _check_parameters(matching, criteria, alpha, max_rounds, on_cycle)
    mgs = check("dif", "min_group_size", min_group_size, Interval(1, None, integer=True))
    rs = responses_for(q, responses, read_options, "dif")
    groups = _groups(rs, group, reference, mgs)
    level_model = _matching_model(q, model) if matching == "expected_level" else None
    fits = _purified_fits(q, rs, groups, matching, level_model, alpha, purify, max_rounds, on_cycle)
    return _table(q, groups, fits, matching, criteria, alpha)


# =========================================================================== steps


def _check_parameters(matching: str, criteria: str, alpha: float, max_rounds: int, on_cycle: str = "union") -> None:
    check("dif", "matching", matching, Options({"rest", "expected_level"}))
    check("dif", "criteria", criteria, Options(EFFECT_SIZE_CRITERIA))
    check("dif", "alpha", alpha, Interval(0, 1, closed="neither"))
    check("dif", "max_rounds", max_rounds, Interval(1, None, integer=True))
    check("dif", "on_cycle", on_cycle, Options({"union", "intersection"}))


class _Groups(NamedTuple):
    labels: np.ndarray  # per respondent; "" where unknown
    names: np.ndarray  # the labels, sorted
    sizes: dict[str, int]
    reference: str
    dummies: np.ndarray  # respondents x (groups - 1): the groups other than the reference
    suppressed: tuple[str, ...] = ()  # groups under min_group_size, in no fit


def _groups(rs: ResponseSet, group: Any, reference: str | None, min_group_size: int = 1) -> _Groups:
    """Each respondent's group, the group sizes, the reference group and the dummy codes.
    Groups under ``min_group_size`` are suppressed: their respondents enter no fit."""
    labels, gname = group_labels(group, len(rs), group_columns(rs.groups, rs.unit, rs.wave), "dif")
    known = labels != ""
    all_names, all_counts = np.unique(labels[known], return_counts=True)
    sizes = {str(k): int(c) for k, c in zip(all_names, all_counts)}
    hidden = suppression_mask(all_counts, min_group_size, total_shown=False)
    suppressed = tuple(str(g) for g in all_names[hidden])
    if hidden.any():
        labels = np.where(np.isin(labels, all_names[hidden]), "", labels)
    names, counts = all_names[~hidden], all_counts[~hidden]
    if names.shape[0] < 2:
        left = f"; groups under {min_group_size} respondents are left out: {list(suppressed)}" if suppressed else ""
        raise ValueError(
            f"dif needs at least two groups; the {gname!r} labels hold {names.shape[0]} "
            f"({names.tolist()}){left}. DIF compares groups: check the grouping column."
        )
    if reference is None:
        ref = str(names[np.argmax(counts)])  # the largest; the first in sorted order on a tie
    elif str(reference) in suppressed:
        raise param_error("dif", "reference", f"a group of at least min_group_size={min_group_size} respondents", reference,
                          shown=f"{reference!r} with {sizes[str(reference)]}")
    elif str(reference) not in sizes:
        raise param_error("dif", "reference", f"one of the groups {sorted(sizes)}", reference)
    else:
        ref = str(reference)
    others = [str(g) for g in names if g != ref]
    dummies = np.stack([labels == g for g in others], axis=1).astype(float)
    return _Groups(labels, names, sizes, ref, dummies, suppressed)


def _matching_model(q: Questionnaire, model: LevelModel | str | None) -> LevelModel:
    """The level model of ``matching="expected_level"``; a :class:`ModelError` without one."""
    m = model_for(q, model)
    if m is None:
        raise ModelError(
            f"matching='expected_level' needs a level model, and questionnaire {q.id!r} has none; "
            "pass model=... or use matching='rest'."
        )
    return m


class _Fits(NamedTuple):
    stats: dict[str, np.ndarray]  # per item: the chi2 statistics, the three R^2, beta_change
    n_used: np.ndarray
    n_categories: np.ndarray
    scale_ids: list[str]
    notes: list[str]
    p_total: np.ndarray
    p_total_adjusted: np.ndarray
    flagged: np.ndarray
    excluded: frozenset[str]  # items left out of the matching scores in the last round
    rounds: int
    purification: str  # "off", "converged", "cycle" or "max_rounds"
    cycle: tuple[frozenset[str], ...]  # the repeating sets, in visiting order


def _purified_fits(
    q: Questionnaire,
    rs: ResponseSet,
    groups: _Groups,
    matching: str,
    model: LevelModel | None,
    alpha: float,
    purify: bool,
    max_rounds: int,
    on_cycle: str = "union",
) -> _Fits:
    """The three fits of every item in the rounds of :func:`purification_rounds`."""
    from scipy import stats
    G = groups.names.shape[0]
    # each item keyed as in its first scale, the one its rest score comes from (keys per scale):
    # the item and its matching score point one way (the chi-squares do not depend on it)
    Y = keyed_in_first_scale(q, rs)

    def one_round(exclude: frozenset[str]) -> tuple[tuple[Any, ...], frozenset[str]]:
        scores, scale_ids, notes = _matching(q, rs, matching, model, exclude)
        # many small fits: BLAS threads only add overhead, and on a busy machine their
        # spinning slows the fits several times over
        with threadpool_limits(limits=1, user_api="blas"):
            out, n_used, n_cat = fit_items(Y, scores, groups.labels, groups.names, groups.dummies, notes)
        p_t = stats.chi2.sf(out["chi2_total"], 2 * (G - 1))
        p_t_adj = benjamini_hochberg(p_t)
        with np.errstate(invalid="ignore"):
            flagged = p_t_adj < alpha
        found = frozenset(np.asarray(q.item_ids)[flagged].tolist())
        return (out, n_used, n_cat, scale_ids, notes, p_t, p_t_adj, flagged), found

    done = purification_rounds(one_round, purify=purify, max_rounds=max_rounds, on_cycle=on_cycle)
    out, n_used, n_cat, scale_ids, notes, p_t, p_t_adj, flagged = done.result
    return _Fits(out, n_used, n_cat, scale_ids, notes, p_t, p_t_adj, flagged, done.excluded, done.rounds, done.status, done.cycle)


def _table(q: Questionnaire, groups: _Groups, fits: _Fits, matching: str, criteria: str, alpha: float) -> DifTable:
    """The tests, adjusted p-values and effect-size categories of the final round."""
    from scipy import stats
    G = groups.names.shape[0]
    out = fits.stats
    p_u = stats.chi2.sf(out["chi2_uniform"], G - 1)
    p_n = stats.chi2.sf(out["chi2_nonuniform"], G - 1)
    delta = out["r2_m3"] - out["r2_m1"]
    cuts = EFFECT_SIZE_CRITERIA[criteria]
    category = np.where(np.isnan(delta), "", np.where(~fits.flagged | (delta < cuts[0]), "A", np.where(delta >= cuts[1], "C", "B")))
    return DifTable(
        item=q.item_ids,
        matching_scale=tuple(fits.scale_ids),
        n=fits.n_used,
        n_categories=fits.n_categories,
        chi2_uniform=out["chi2_uniform"],
        p_uniform=p_u,
        p_uniform_adjusted=benjamini_hochberg(p_u),
        chi2_nonuniform=out["chi2_nonuniform"],
        p_nonuniform=p_n,
        p_nonuniform_adjusted=benjamini_hochberg(p_n),
        chi2_total=out["chi2_total"],
        p_total=fits.p_total,
        p_total_adjusted=fits.p_total_adjusted,
        r2_m1=out["r2_m1"],
        r2_m2=out["r2_m2"],
        r2_m3=out["r2_m3"],
        effect_size=delta,
        effect_size_uniform=out["r2_m2"] - out["r2_m1"],
        beta_change=out["beta_change"],
        category=tuple(str(c) for c in category),
        flagged=fits.flagged,
        note=tuple(fits.notes),
        groups=tuple(str(g) for g in groups.names),
        reference=groups.reference,
        group_sizes=groups.sizes,
        suppressed_groups=groups.suppressed,
        df_uniform=G - 1,
        df_nonuniform=G - 1,
        df_total=2 * (G - 1),
        matching=matching,
        criteria=criteria,
        cuts=cuts,
        alpha=float(alpha),
        purified=tuple(i for i in q.item_ids if i in fits.excluded),
        rounds=fits.rounds,
        purification=fits.purification,
        cycle=tuple(tuple(i for i in q.item_ids if i in c) for c in fits.cycle),
    )
