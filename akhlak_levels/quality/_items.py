"""Item analysis: how each item behaves in its scale and, for situational-judgement items, how
each option relates to the level the whole questionnaire assigns."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .._tables import html_repr, records
from .._validation import Options, check
from ..levels import N_LEVELS
from ..model import level_probabilities
from ..questionnaire import Questionnaire, load_questionnaire
from ._keyed import NanPolicy, check_nan_policy, covariance, keyed_in_first_scale, keyed_matrix
from ..responses import MISSING, ResponseSet
from ._inputs import responses_for

__all__ = ["ItemTable", "item_analysis"]


@dataclass(frozen=True)
class ItemTable:
    """One row per item, in questionnaire order (one scale's items in its order, with ``scale=``).

    Attributes
    ----------
    item, type, scale : tuple of str
        ``scale`` is the scale the row's statistics refer to: the item's first scale ("" for
        none), or the scale asked for (``item_analysis(..., scale=)``).
    answered_share, mean, sd : ndarray
        Share of respondents who answered; mean and SD (ddof=1) of the answers keyed as in the
        row's scale (its key there; an item in no scale by its global flag).
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
    scale: str | None = None,
    **read_options: Any,
) -> ItemTable:
    """Item statistics: answered share, mean, SD, option distribution, corrected item-total
    correlation, alpha if dropped; for choice items, how each option relates to the level.

    Parameters
    ----------
    questionnaire : Questionnaire or str
    responses : ResponseSet, or anything :func:`read_responses` reads
    nan_policy : {"pairwise", "listwise", "median"}, default="pairwise"
        How the scale covariances treat missing answers (see :func:`cronbach_alpha`).
    scale : str, default=None
        A scale id: that scale's items only, in its order, every statistic (mean and SD
        included) in that scale, keyed by the scale's keys, as ``psych::alpha`` on the scale's
        keyed items gives them. An item that two scales key differently (keys per scale) has a
        row in each scale's table. None: every item once, in its first scale.
    **read_options
        :func:`~akhlak_levels.read_responses`'s options, for a path or table (as ``assess``).

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
    >>> one = item_analysis("socio-emotional-levels", responses, scale="dependent")
    >>> len(one.item), set(one.scale)
    (6, {'dependent'})
    """
    check_nan_policy(nan_policy, "item_analysis")
    q = load_questionnaire(questionnaire)
    if scale is not None:
        check("item_analysis", "scale", scale, Options({s.id for s in q.scales}))
    responses = responses_for(q, responses, read_options, "item_analysis")
    if scale is None:  # every item, keyed as in its first scale (the one its row refers to)
        rows = list(range(q.n_items))
        row_scale = [it.scales[0] if it.scales else "" for it in q.items]
        keyed = keyed_in_first_scale(q, responses)
    else:
        rows = [q.item_position(i) for i in q.scale(scale).item_ids]
        row_scale = [scale] * len(rows)
        keyed = keyed_matrix(q, responses, q.scale(scale).item_ids, scale=q.scale(scale))
    items = [q.items[p] for p in rows]
    n = len(responses)
    codes = responses.codes[:, rows]
    answered = codes != MISSING
    r_drop, r_total, alpha_drop = _in_scales(q, responses, rows, row_scale, nan_policy)
    counts = [np.bincount(codes[answered[:, j], j], minlength=it.n_options) for j, it in enumerate(items)]
    shares = tuple(tuple((c / max(c.sum(), 1)).tolist()) for c in counts)
    with np.errstate(invalid="ignore"):
        mean = np.nanmean(np.where(answered, keyed, np.nan), axis=0) if n else np.full(len(rows), np.nan)
    sd = np.array([np.std(keyed[answered[:, j], j], ddof=1) if answered[:, j].sum() > 1 else np.nan for j in range(len(rows))])
    opt_level, opt_corr = _options_and_level(q, responses, rows)
    return ItemTable(
        item=tuple(it.id for it in items),
        type=tuple(it.type for it in items),
        scale=tuple(row_scale),
        answered_share=answered.mean(axis=0) if n else np.zeros(len(rows)),
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


def _in_scales(
    q: Questionnaire, responses: ResponseSet, rows: list[int], row_scale: list[str], nan_policy: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """r_drop, r_total and alpha-if-dropped of each row's item in the row's scale, from that
    scale's covariance matrix, its items keyed by the scale's keys."""
    r_drop, r_total, alpha_drop = (np.full(len(rows), np.nan) for _ in range(3))
    row_of = {(p, s): j for j, (p, s) in enumerate(zip(rows, row_scale))}
    for scale in q.scales:
        if scale.id not in row_scale or len(scale.item_ids) < 2:
            continue
        X = keyed_matrix(q, responses, scale.item_ids, scale=scale)
        C = covariance(X, nan_policy)
        if np.isnan(C).any():
            continue
        rd, _, ad = _scale_item_stats(C)
        rt = _item_total(X)
        for j, item_id in enumerate(scale.item_ids):
            row = row_of.get((q.item_position(item_id), scale.id))
            if row is not None:
                r_drop[row], r_total[row], alpha_drop[row] = rd[j], rt[j], ad[j]
    return r_drop, r_total, alpha_drop


def _options_and_level(
    q: Questionnaire, responses: ResponseSet, rows: list[int]
) -> tuple[list[tuple[float, ...]], list[tuple[float, ...]]]:
    """Per row, for a choice item under the default model: the mean expected level of those who
    chose each option, and the point-biserial correlation of choosing it with the expected level."""
    opt_level: list[tuple[float, ...]] = []
    opt_corr: list[tuple[float, ...]] = []
    expected = None
    if q.default_model is not None and any(q.items[p].type == "choice" for p in rows):
        expected = level_probabilities(q.default_model, q, responses.codes) @ np.arange(1.0, N_LEVELS + 1)
    for i in rows:
        it = q.items[i]
        if it.type != "choice" or expected is None:
            opt_level.append(())
            opt_corr.append(())
            continue
        a = responses.codes[:, i] != MISSING
        e = expected[a]
        means, corrs = [], []
        for c in range(it.n_options):
            chose = responses.codes[a, i] == c
            means.append(float(e[chose].mean()) if chose.any() else float("nan"))
            if 0 < chose.sum() < len(chose) and e.std() > 0:
                corrs.append(float(np.corrcoef(chose.astype(float), e)[0, 1]))
            else:
                corrs.append(float("nan"))
        opt_level.append(tuple(means))
        opt_corr.append(tuple(corrs))
    return opt_level, opt_corr
