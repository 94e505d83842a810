"""Item analysis: how each item behaves in its scale and, for situational-judgement items, how
each option relates to the level the whole questionnaire assigns."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .._tables import html_repr, records
from ..levels import N_LEVELS
from ..model import level_probabilities
from ..questionnaire import Questionnaire, load_questionnaire
from ._keyed import NanPolicy, check_nan_policy, covariance, keyed_matrix
from ..responses import MISSING, ResponseSet, read_responses

__all__ = ["ItemTable", "item_analysis"]


@dataclass(frozen=True)
class ItemTable:
    """One row per item, in questionnaire order.

    Attributes
    ----------
    item, type, scale : tuple of str
        ``scale`` is the item's first scale ("" for none): the one its statistics refer to.
    answered_share, mean, sd : ndarray
        Share of respondents who answered; mean and SD (ddof=1) of the keyed answers.
    option_shares : tuple of tuple of float
        Share choosing each option, among those who answered.
    r_drop : ndarray
        Corrected item-total correlation: the item against the sum of the scale's other items
        (``psych::alpha(...)$item.stats$r.drop``).
    r_total : ndarray
        Item against the respondent's mean over the scale items answered, itself included
        (``raw.r``).
    alpha_if_dropped : ndarray
        Alpha of the scale without the item (``psych::alpha(...)$alpha.drop$raw_alpha``).
    option_expected_level : tuple of tuple of float
        Choice items with a level model: the mean expected level of the respondents who chose
        each option (empty for Likert items).
    option_level_correlation : tuple of tuple of float
        Choice items: point-biserial correlation of choosing each option with the expected level.
    """

    item: tuple[str, ...]
    type: tuple[str, ...]
    scale: tuple[str, ...]
    answered_share: np.ndarray
    mean: np.ndarray
    sd: np.ndarray
    option_shares: tuple[tuple[float, ...], ...]
    r_drop: np.ndarray
    r_total: np.ndarray
    alpha_if_dropped: np.ndarray
    option_expected_level: tuple[tuple[float, ...], ...]
    option_level_correlation: tuple[tuple[float, ...], ...]
    nan_policy: str

    COLUMNS = ("item", "type", "scale", "answered_share", "mean", "sd", "option_shares", "r_drop", "r_total",
               "alpha_if_dropped", "option_expected_level", "option_level_correlation")

    _repr_html_ = html_repr  # a compact, rounded table in a notebook

    def to_records(self) -> list[dict[str, Any]]:
        """One JSON-ready dict per item (NaN as None; option lists as lists)."""
        return records({c: getattr(self, c) for c in self.COLUMNS})

    def to_frame(self) -> Any:
        """A pandas DataFrame, one row per item."""
        import pandas as pd

        return pd.DataFrame({c: list(getattr(self, c)) for c in self.COLUMNS})


def _scale_item_stats(C: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """r_drop, r_total and alpha-if-dropped of every item, from the scale's covariance matrix."""
    k = C.shape[0]
    total = C.sum()
    row = C.sum(axis=1)
    var = np.diag(C)
    with np.errstate(invalid="ignore", divide="ignore"):
        r_total = row / np.sqrt(var * total)
        rest_cov = row - var
        rest_var = total - 2 * row + var
        r_drop = rest_cov / np.sqrt(var * rest_var)
        tr = np.trace(C)
        alpha_drop = (k - 1) / (k - 2) * (1 - (tr - var) / rest_var) if k > 2 else np.full(k, np.nan)
    return r_drop, r_total, alpha_drop


def _item_total(X: np.ndarray) -> np.ndarray:
    """Correlation of each item with the respondent's mean over the scale items they answered
    (the prorated total), over the respondents who answered the item: ``psych::alpha``'s raw.r."""
    with np.errstate(invalid="ignore"):
        total = np.nanmean(np.where(np.isnan(X).all(axis=1, keepdims=True), 0.0, X), axis=1)
    out = np.full(X.shape[1], np.nan)
    for j in range(X.shape[1]):
        ok = ~np.isnan(X[:, j])
        if ok.sum() > 2 and X[ok, j].std() > 0 and total[ok].std() > 0:
            out[j] = np.corrcoef(X[ok, j], total[ok])[0, 1]
    return out


def item_analysis(
    questionnaire: Questionnaire | str,
    responses: ResponseSet | Any,
    *,
    nan_policy: NanPolicy = "pairwise",
) -> ItemTable:
    """Item statistics: answered share, mean, SD, option distribution, corrected item-total
    correlation, alpha if dropped; for choice items, how each option relates to the level.

    Parameters
    ----------
    questionnaire : Questionnaire or str
    responses : ResponseSet, or anything :func:`read_responses` reads
    nan_policy : {"pairwise", "listwise", "median"}, default="pairwise"
        How the scale covariances treat missing answers (see :func:`cronbach_alpha`).

    Returns
    -------
    ItemTable

    Notes
    -----
    From the scale's covariance matrix ``C`` (items keyed first): ``r_drop_i = (sum_j C_ij -
    C_ii) / sqrt(C_ii (sum(C) - 2 sum_j C_ij + C_ii))``; alpha if dropped is alpha of ``C``
    without row and column ``i``; ``r_total`` correlates the item with the mean of the answered
    scale items. These are the conventions of ``psych::alpha``.

    Examples
    --------
    >>> from akhlak_levels import item_analysis, simulate
    >>> responses, _ = simulate("socio-emotional-levels", 1000, random_state=0)
    >>> table = item_analysis("socio-emotional-levels", responses)
    >>> table.item[0], table.type[-1], len(table.option_shares[-1])
    ('SE01', 'choice', 5)
    """
    check_nan_policy(nan_policy, "item_analysis")
    q = load_questionnaire(questionnaire)
    if not isinstance(responses, ResponseSet):
        responses = read_responses(responses, q)
    n = len(responses)
    codes = responses.codes
    answered = codes != MISSING
    keyed_all = keyed_matrix(q, responses, q.item_ids)
    r_drop = np.full(q.n_items, np.nan)
    r_total = np.full(q.n_items, np.nan)
    alpha_drop = np.full(q.n_items, np.nan)
    first_scale = [it.scales[0] if it.scales else "" for it in q.items]
    for scale in q.scales:
        pos = [q.item_ids.index(i) for i in scale.item_ids]
        mine = [p for p in pos if first_scale[p] == scale.id]
        if len(pos) < 2 or not mine:
            continue
        C = covariance(keyed_all[:, pos], nan_policy)
        if np.isnan(C).any():
            continue
        rd, _, ad = _scale_item_stats(C)
        rt = _item_total(keyed_all[:, pos])
        for j, p in enumerate(pos):
            if first_scale[p] == scale.id:
                r_drop[p], r_total[p], alpha_drop[p] = rd[j], rt[j], ad[j]
    counts = [np.bincount(codes[answered[:, i], i], minlength=it.n_options) for i, it in enumerate(q.items)]
    shares = tuple(tuple((c / max(c.sum(), 1)).tolist()) for c in counts)
    with np.errstate(invalid="ignore"):
        mean = np.nanmean(np.where(answered, keyed_all, np.nan), axis=0) if n else np.full(q.n_items, np.nan)
    sd = np.array([np.std(keyed_all[answered[:, i], i], ddof=1) if answered[:, i].sum() > 1 else np.nan for i in range(q.n_items)])

    opt_level: list[tuple[float, ...]] = []
    opt_corr: list[tuple[float, ...]] = []
    expected = None
    if q.default_model is not None and any(it.type == "choice" for it in q.items):
        expected = level_probabilities(q.default_model, q, responses.codes) @ np.arange(1.0, N_LEVELS + 1)
    for i, it in enumerate(q.items):
        if it.type != "choice" or expected is None:
            opt_level.append(())
            opt_corr.append(())
            continue
        a = answered[:, i]
        e = expected[a]
        means, corrs = [], []
        for c in range(it.n_options):
            chose = codes[a, i] == c
            means.append(float(e[chose].mean()) if chose.any() else float("nan"))
            if 0 < chose.sum() < len(chose) and e.std() > 0:
                corrs.append(float(np.corrcoef(chose.astype(float), e)[0, 1]))
            else:
                corrs.append(float("nan"))
        opt_level.append(tuple(means))
        opt_corr.append(tuple(corrs))
    return ItemTable(
        item=q.item_ids,
        type=tuple(it.type for it in q.items),
        scale=tuple(first_scale),
        answered_share=answered.mean(axis=0) if n else np.zeros(q.n_items),
        mean=mean,
        sd=sd,
        option_shares=shares,
        r_drop=r_drop,
        r_total=r_total,
        alpha_if_dropped=alpha_drop,
        option_expected_level=tuple(opt_level),
        option_level_correlation=tuple(opt_corr),
        nan_policy=nan_policy,
    )
