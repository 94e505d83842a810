"""Reliability of scale scores: Cronbach's alpha (with Feldt's interval), standardised alpha,
McDonald's omega total, Guttman's lambda-6, odd-even split-half, mean inter-item correlation,
and the standard error of measurement.

Each statistic is a plain function on a respondents x items array whose items are already keyed
(NaN = missing), in pingouin's style, so it can be checked on any dataset; :func:`reliability`
keys a questionnaire's scales and tabulates them all.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from .._tables import frame, html_repr, records
from .._validation import Interval, Options, check
from ..model import score_codes
from ._keyed import (
    NanPolicy,
    check_nan_policy,
    complete_rows,
    covariance,
    keyed_matrix,
    pairwise_correlation,
)
from ..questionnaire import Questionnaire, load_questionnaire
from ..responses import ResponseSet
from ._inputs import responses_for

__all__ = [
    "ReliabilityWarning",
    "ReliabilityTable",
    "cronbach_alpha",
    "standardized_alpha",
    "omega_total",
    "guttman_lambda6",
    "split_half_reliability",
    "mean_inter_item_correlation",
    "reliability",
    "ReliabilityNanPolicy",
    "FeldtN",
]



#: The missing-data policies of :func:`reliability`: those of the plain statistics, plus
#: ``"median_all_rows"`` (``psych::scoreItems(impute="median")`` exactly, see :func:`reliability`).
ReliabilityNanPolicy = Literal["pairwise", "listwise", "median", "median_all_rows"]

#: Respondents counted in Feldt's interval: ``"used"`` the respondents alpha is computed from
#: (``psych::alpha.ci(alpha, n.obs=n_respondents, n.var=k)``), ``"rows"`` every row of the
#: responses (``psych::alpha(X)$feldt``, which counts ``nrow(X)``).
FeldtN = Literal["used", "rows"]


class ReliabilityWarning(UserWarning):
    """A reliability statistic is undefined for these data (NaN is returned, with the reason)."""


# --------------------------------------------------------------------------- input


def _matrix(X: Any, name: str, *, min_items: int = 2) -> np.ndarray:
    try:
        A = np.asarray(X, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{name} expects a numeric respondents x items array (NaN = missing).") from None
    if A.ndim != 2:
        raise ValueError(f"{name} expects a 2-D respondents x items array; got {A.ndim} dimension(s).")
    if A.shape[1] < min_items:
        raise ValueError(f"{name} needs at least {min_items} items; got {A.shape[1]}.")
    if A.shape[0] < 2:
        raise ValueError(f"{name} needs at least 2 respondents; got {A.shape[0]}.")
    return A


def _correlation(C: np.ndarray) -> np.ndarray:
    d = np.sqrt(np.diag(C))
    with np.errstate(invalid="ignore", divide="ignore"):
        return C / np.outer(d, d)


def _undefined(name: str, reason: str) -> float:
    warnings.warn(f"{name}: {reason}; returning NaN.", ReliabilityWarning, stacklevel=3)
    return float("nan")


# --------------------------------------------------------------------------- statistics


def cronbach_alpha(
    X: Any, *, nan_policy: NanPolicy = "pairwise", ci: float | None = None
) -> float | tuple[float, tuple[float, float]]:
    """Cronbach's alpha of keyed items, optionally with Feldt's confidence interval.

    Parameters
    ----------
    X : array-like of shape (n_respondents, n_items)
        Keyed item scores; NaN = missing.
    nan_policy : {"pairwise", "listwise", "median"}, default="pairwise"
        Pairwise: each covariance over the respondents who answered both items (as
        ``psych::alpha`` and pingouin's default). Listwise: complete respondents only.
            Median: missing answers replaced by the item median first, every row imputed (as
        ``psych::scoreItems(impute="median")``, when ``X`` holds every row).
    ci : float, default=None
        Confidence level (e.g. 0.95) of Feldt's interval, returned with alpha when given.

    Returns
    -------
    float, or (float, (float, float))

    Notes
    -----
    ``alpha = k / (k - 1) * (1 - trace(C) / sum(C))`` for the k x k covariance matrix C.
    Feldt (1965): with n respondents (all rows of ``X`` under "pairwise" and "median", as
    ``psych::alpha(X)$feldt`` counts them; complete rows under "listwise"), ``df1 = n - 1``,
    ``df2 = (n - 1)(k - 1)``; the interval is ``1 - (1 - alpha) F_{1-a/2}(df1, df2)`` to
    ``1 - (1 - alpha) F_{a/2}(df1, df2)``, as ``psych::alpha.ci(alpha, n.obs=n, n.var=k)``
    computes it. :func:`reliability` lets you choose n (``feldt_n``).

    References
    ----------
    Cronbach, L. J. (1951). Coefficient alpha and the internal structure of tests.
    *Psychometrika*, 16, 297-334. Feldt, L. S. (1965). The approximate sampling distribution of
    Kuder-Richardson reliability coefficient twenty. *Psychometrika*, 30, 357-370.
    R: ``psych::alpha(X)$total$raw_alpha``; Python: ``pingouin.cronbach_alpha``.

    Examples
    --------
    >>> X = np.array([[1, 2, 2], [2, 3, 3], [3, 3, 4], [4, 5, 4], [5, 4, 5.]])
    >>> round(cronbach_alpha(X), 4)  # pingouin.cronbach_alpha gives 0.9333, CI [0.663, 0.993]
    0.9333
    >>> a, (lo, hi) = cronbach_alpha(X, ci=0.95)
    >>> round(lo, 3), round(hi, 3)
    (0.663, 0.993)
    """
    from scipy import stats
    check_nan_policy(nan_policy, "cronbach_alpha")
    A = _matrix(X, "cronbach_alpha")
    k = A.shape[1]
    C = covariance(A, nan_policy)
    total = np.nansum(C) if not np.isnan(C).all() else np.nan
    if np.isnan(C).any() or not total > 0:
        alpha = _undefined("cronbach_alpha", "the items have no variance or too few shared answers")
    else:
        alpha = float(k / (k - 1) * (1 - np.trace(C) / total))
    if ci is None:
        return alpha
    check("cronbach_alpha", "ci", ci, Interval(0, 1, closed="neither"))
    n = complete_rows(A).shape[0] if nan_policy == "listwise" else A.shape[0]
    df1, df2 = n - 1, (n - 1) * (k - 1)
    lower = 1 - (1 - alpha) * stats.f.ppf(1 - (1 - ci) / 2, df1, df2)
    upper = 1 - (1 - alpha) * stats.f.ppf((1 - ci) / 2, df1, df2)
    return alpha, (float(lower), float(upper))


def standardized_alpha(X: Any, *, nan_policy: NanPolicy = "pairwise") -> float:
    """Alpha of the standardised items: ``k r / (1 + (k - 1) r)`` with ``r`` the mean
    inter-item correlation (``psych::alpha(X)$total$std.alpha``).

    Examples
    --------
    >>> X = np.array([[1, 2, 2], [2, 3, 3], [3, 3, 4], [4, 5, 4], [5, 4, 5.]])
    >>> round(standardized_alpha(X), 4)
    0.9422
    """
    check_nan_policy(nan_policy, "standardized_alpha")
    A = _matrix(X, "standardized_alpha")
    k = A.shape[1]
    r = mean_inter_item_correlation(A, nan_policy=nan_policy)
    return float(k * r / (1 + (k - 1) * r)) if not np.isnan(r) else float("nan")


def mean_inter_item_correlation(X: Any, *, nan_policy: NanPolicy = "pairwise") -> float:
    """Mean of the off-diagonal item correlations (``psych::alpha(X)$total$average_r``).

    Examples
    --------
    >>> X = np.array([[1, 2, 2], [2, 3, 3], [3, 3, 4], [4, 5, 4], [5, 4, 5.]])
    >>> round(mean_inter_item_correlation(X), 4)
    0.8445
    """
    check_nan_policy(nan_policy, "mean_inter_item_correlation")
    A = _matrix(X, "mean_inter_item_correlation")
    R = _correlation(covariance(A, nan_policy))
    if np.isnan(R).any():
        return _undefined("mean_inter_item_correlation", "an item has no variance or too few shared answers")
    k = R.shape[0]
    return float((R.sum() - np.trace(R)) / (k * (k - 1)))


def guttman_lambda6(X: Any, *, nan_policy: NanPolicy = "pairwise") -> float:
    """Guttman's lambda-6 on the correlation matrix, as ``psych::alpha`` reports ``G6(smc)``.

    Notes
    -----
    ``lambda6 = 1 - sum_i (1 - smc_i) / sum(R)`` where ``smc_i = 1 - 1 / (R^-1)_ii`` is the squared
    multiple correlation of item i on the others (Guttman, 1945).

    Examples
    --------
    >>> X = np.array([[1, 2, 2], [2, 3, 3], [3, 3, 4], [4, 5, 4], [5, 4, 5.]])
    >>> round(guttman_lambda6(X), 4)
    0.9667
    """
    check_nan_policy(nan_policy, "guttman_lambda6")
    A = _matrix(X, "guttman_lambda6")
    R = _correlation(covariance(A, nan_policy))
    if np.isnan(R).any():
        return _undefined("guttman_lambda6", "an item has no variance or too few shared answers")
    try:
        inv = np.linalg.inv(R)
    except np.linalg.LinAlgError:
        return _undefined("guttman_lambda6", "the item correlation matrix is singular")
    smc = 1 - 1 / np.diag(inv)
    return float(1 - np.sum(1 - smc) / R.sum())


def one_factor_loadings(R: np.ndarray, *, max_iter: int = 1000) -> np.ndarray:
    """Loadings of a one-factor model fitted to a correlation matrix by minimum residuals
    (MINRES: least squares on the off-diagonal correlations; Harman & Jones, 1966), as
    ``psych::fa(fm="minres")`` and factor_analyzer's ``method="minres"`` fit it."""
    from scipy import optimize
    k = R.shape[0]
    off = ~np.eye(k, dtype=bool)

    def f(lam: np.ndarray) -> tuple[float, np.ndarray]:
        resid = np.where(off, R - np.outer(lam, lam), 0.0)
        return float(np.sum(resid**2)), -4.0 * resid @ lam

    w, v = np.linalg.eigh(R)
    start = v[:, -1] * np.sqrt(max(w[-1], 1e-9))
    res = optimize.minimize(f, start, jac=True, method="L-BFGS-B", options={"maxiter": max_iter, "gtol": 1e-10, "ftol": 1e-15})
    lam = res.x
    return lam if lam.sum() >= 0 else -lam


def omega_total(X: Any, *, nan_policy: NanPolicy = "pairwise") -> float:
    """McDonald's omega total from a one-factor model of the item correlations.

    Notes
    -----
    With MINRES loadings ``l`` of a single factor on the correlation matrix (under "pairwise",
    each correlation over the respondents who answered both items, as R's ``cor`` computes it),
    ``omega = (sum l)^2 / ((sum l)^2 + sum (1 - l^2))`` (McDonald, 1999, eq. 6.20b, on
    standardised items). The psych call that equals it (to 1e-6, psych's optimiser stopping
    earlier) is ``l <- psych::fa(X, nfactors=1, fm="minres")$loadings`` followed by this formula.
    ``psych::omega(X, nfactors=1)$omega.tot`` is a **different estimator**: it divides by
    ``sum(R)``, the observed rather than the model-implied total variance. The two agree only
    when the one-factor model fits exactly: on bfi they differ by up to 3e-4, on psychTools' epi
    by up to 1.7e-2 (Impulsivity: 0.4932 here and with ``fa``, 0.5100 from ``omega``).

    Examples
    --------
    >>> X = np.array([[1, 2, 2], [2, 3, 3], [3, 3, 4], [4, 5, 4], [5, 4, 5.]])
    >>> round(omega_total(X), 3)
    0.948
    """
    check_nan_policy(nan_policy, "omega_total")
    A = _matrix(X, "omega_total")
    R = pairwise_correlation(A) if nan_policy == "pairwise" else _correlation(covariance(A, nan_policy))
    if np.isnan(R).any():
        return _undefined("omega_total", "an item has no variance or too few shared answers")
    lam = one_factor_loadings(R)
    s = lam.sum() ** 2
    return float(s / (s + np.sum(1 - lam**2)))


def split_half_reliability(X: Any) -> float:
    """Odd-even split-half reliability with the Spearman-Brown correction.

    Items 1, 3, 5, ... form one half and 2, 4, ... the other (in column order); the half sums
    are correlated over respondents who answered every item, and ``2 r / (1 + r)`` estimates the
    reliability of the full length.

    Examples
    --------
    >>> X = np.array([[1, 2, 2], [2, 3, 3], [3, 3, 4], [4, 5, 4], [5, 4, 5.]])
    >>> round(split_half_reliability(X), 4)
    0.886
    """
    A = _matrix(X, "split_half_reliability")
    Ac = complete_rows(A)
    if Ac.shape[0] < 3:
        return _undefined("split_half_reliability", "fewer than 3 respondents answered every item")
    odd, even = Ac[:, 0::2].sum(axis=1), Ac[:, 1::2].sum(axis=1)
    if odd.std() == 0 or even.std() == 0:
        return _undefined("split_half_reliability", "a half has no variance")
    r = float(np.corrcoef(odd, even)[0, 1])
    return 2 * r / (1 + r)


# --------------------------------------------------------------------------- the table


@dataclass(frozen=True)
class ReliabilityTable:
    """Reliability statistics, one row per scale (arrays aligned with ``scale``).

    ``note`` says why a value is NaN (e.g. "fewer than 2 items", "no variance").
    ``n_respondents`` is the n of Feldt's interval under ``feldt_n="used"``; under
    ``feldt_n="rows"`` the interval counts every row of the responses.
    """

    scale: tuple[str, ...]
    n_respondents: np.ndarray
    n_items: np.ndarray
    alpha: np.ndarray
    alpha_ci_lower: np.ndarray
    alpha_ci_upper: np.ndarray
    standardized_alpha: np.ndarray
    omega_total: np.ndarray
    lambda6: np.ndarray
    split_half: np.ndarray
    mean_r: np.ndarray
    sem: np.ndarray
    note: tuple[str, ...]
    nan_policy: str
    ci: float
    feldt_n: str = "used"

    COLUMNS = (
        "scale", "n_respondents", "n_items", "alpha", "alpha_ci_lower", "alpha_ci_upper",
        "standardized_alpha", "omega_total", "lambda6", "split_half", "mean_r", "sem", "note",
    )

    _repr_html_ = html_repr  # a compact, rounded table in a notebook

    def to_records(self) -> list[dict[str, Any]]:
        """One JSON-ready dict per scale (NaN as None)."""
        return records({c: getattr(self, c) for c in self.COLUMNS})

    def to_frame(self) -> Any:
        """A pandas DataFrame, one row per scale (needs pandas)."""
        return frame({c: getattr(self, c) for c in self.COLUMNS})


def _scale_statistics(C: np.ndarray, used: np.ndarray, policy: str, ci: float, n_ci: int) -> dict[str, float]:
    """Every statistic of one scale but the SEM, from its covariance matrix ``C`` (split-half
    and, under "pairwise", omega from the respondents ``used``); ``n_ci`` is Feldt's n."""
    from scipy import stats
    k = C.shape[0]
    a = float(k / (k - 1) * (1 - np.trace(C) / C.sum()))
    df1, df2 = n_ci - 1, (n_ci - 1) * (k - 1)
    R = _correlation(C)
    mean_r = float((R.sum() - np.trace(R)) / (k * (k - 1)))
    try:
        smc = 1 - 1 / np.diag(np.linalg.inv(R))
        lam6 = float(1 - np.sum(1 - smc) / R.sum())
    except np.linalg.LinAlgError:
        lam6 = float("nan")
    R_fa = pairwise_correlation(used) if policy == "pairwise" else R
    lam = one_factor_loadings(R_fa) if not np.isnan(R_fa).any() else np.full(k, np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ReliabilityWarning)
        split = split_half_reliability(used)
    return dict(
        alpha=a,
        alpha_ci_lower=1 - (1 - a) * stats.f.ppf(1 - (1 - ci) / 2, df1, df2),
        alpha_ci_upper=1 - (1 - a) * stats.f.ppf((1 - ci) / 2, df1, df2),
        standardized_alpha=k * mean_r / (1 + (k - 1) * mean_r),
        omega_total=lam.sum() ** 2 / (lam.sum() ** 2 + np.sum(1 - lam**2)),
        lambda6=lam6,
        split_half=split,
        mean_r=mean_r,
    )


def reliability(
    questionnaire: Questionnaire | str,
    responses: ResponseSet | Any,
    *,
    nan_policy: ReliabilityNanPolicy = "pairwise",
    ci: float = 0.95,
    feldt_n: FeldtN = "used",
    **read_options: Any,
) -> ReliabilityTable:
    """Reliability of every scale of a questionnaire, items keyed first.

    Parameters
    ----------
    questionnaire : Questionnaire or str
    responses : ResponseSet, or anything :func:`read_responses` reads
    nan_policy : {"pairwise", "listwise", "median", "median_all_rows"}, default="pairwise"
        Missing answers, per scale:

        - ``"pairwise"``: covariances over the respondents who answered both items
          (``psych::alpha``'s ``raw_alpha``);
        - ``"listwise"``: respondents who answered every item of the scale;
        - ``"median"``: each missing answer replaced by the item median, among the respondents
          who answered **at least one** item of the scale (someone who skipped the whole scale
          says nothing about it);
        - ``"median_all_rows"``: the same imputation on **every** row, those without any answer
          on the scale too (they become a respondent at every item's median): this is exactly
          ``psych::scoreItems(keys, data, impute="median")$alpha``. It differs from
          ``"median"`` only where some rows skipped a whole scale (by up to 6e-3 on
          psychTools' ability, 4e-3 on epi).

        Split-half always uses complete respondents.
    ci : float, default=0.95
        Level of Feldt's confidence interval for alpha.
    feldt_n : {"used", "rows"}, default="used"
        The n of Feldt's interval. ``"used"``: the respondents alpha is computed from
        (``n_respondents``), as ``psych::alpha.ci(alpha, n.obs=n_respondents, n.var=k)``
        computes it. ``"rows"``: every row of the responses, including respondents who skipped
        the scale, as ``psych::alpha(X)$feldt`` (``n = nrow(X)``) and pingouin count.
    **read_options
        :func:`~akhlak_levels.read_responses`'s options, for a path or table (as ``assess``).

    Returns
    -------
    ReliabilityTable
        Per scale: respondents used (with at least one answer under "pairwise", complete under
        "listwise"), items, alpha with its interval, standardised alpha, omega total,
        lambda-6, odd-even split-half, mean inter-item correlation, and the standard error of
        measurement of the 0-100 scale score, ``SD * sqrt(1 - alpha)``.

    Examples
    --------
    >>> from akhlak_levels import reliability, simulate
    >>> responses, _ = simulate("socio-emotional-levels", 2000, random_state=0)
    >>> table = reliability("socio-emotional-levels", responses)
    >>> table.scale[0], int(table.n_items[0]), bool(table.alpha[0] > 0.5)
    ('dependent', 6, True)
    """
    all_rows = nan_policy == "median_all_rows"
    policy: NanPolicy = "median" if all_rows else nan_policy  # type: ignore[assignment]
    check("reliability", "nan_policy", nan_policy, Options({"pairwise", "listwise", "median", "median_all_rows"}))
    check("reliability", "ci", ci, Interval(0, 1, closed="neither"))
    check("reliability", "feldt_n", feldt_n, Options({"used", "rows"}))
    q = load_questionnaire(questionnaire)
    responses = responses_for(q, responses, read_options, "reliability")
    scores = score_codes(q, responses.codes, None, min_answered=1e-9).scale_scores if q.scales else None
    rows: dict[str, list[Any]] = {c: [] for c in ReliabilityTable.COLUMNS}
    for s_i, scale in enumerate(q.scales):
        X = keyed_matrix(q, responses, scale.item_ids, scale=scale)  # keyed by the scale's own keys
        answered_any = ~np.isnan(X).all(axis=1) if X.shape[1] else np.zeros(len(responses), bool)
        used = (complete_rows(X) if X.shape[1] else X) if policy == "listwise" else X if all_rows else X[answered_any]
        note = ""
        values = dict.fromkeys(("alpha", "alpha_ci_lower", "alpha_ci_upper", "standardized_alpha", "omega_total",
                                "lambda6", "split_half", "mean_r", "sem"), float("nan"))
        if X.shape[1] < 2:
            note = f"fewer than 2 items ({X.shape[1]}): reliability is undefined"
        elif used.shape[0] < 3:
            note = f"fewer than 3 respondents with answers ({used.shape[0]})"
        else:
            C = covariance(used, policy)
            if np.isnan(C).any() or np.any(np.diag(C) <= 0):
                zero = [scale.item_ids[j] for j in range(len(C)) if not (np.diag(C)[j] > 0)]
                note = f"items without variance or without shared answers: {zero}"
            else:
                values.update(_scale_statistics(C, used, policy, ci, used.shape[0] if feldt_n == "used" else X.shape[0]))
                a = values["alpha"]
                if scores is not None:
                    sc = scores[~np.isnan(X).any(axis=1), s_i] if policy == "listwise" else scores[answered_any, s_i]
                    sd = float(np.nanstd(sc, ddof=1)) if np.sum(~np.isnan(sc)) > 1 else float("nan")
                    values["sem"] = sd * np.sqrt(max(0.0, 1 - a)) if not np.isnan(a) else float("nan")
                if np.isnan(values["split_half"]):
                    note = "split-half undefined: fewer than 3 complete respondents or a half without variance"
        rows["scale"].append(scale.id)
        rows["n_respondents"].append(int(used.shape[0]))
        rows["n_items"].append(int(X.shape[1]))
        for k, v in values.items():
            rows[k].append(float(v))
        rows["note"].append(note)
    return ReliabilityTable(
        scale=tuple(rows["scale"]),
        n_respondents=np.array(rows["n_respondents"], dtype=np.int64),
        n_items=np.array(rows["n_items"], dtype=np.int64),
        alpha=np.array(rows["alpha"]),
        alpha_ci_lower=np.array(rows["alpha_ci_lower"]),
        alpha_ci_upper=np.array(rows["alpha_ci_upper"]),
        standardized_alpha=np.array(rows["standardized_alpha"]),
        omega_total=np.array(rows["omega_total"]),
        lambda6=np.array(rows["lambda6"]),
        split_half=np.array(rows["split_half"]),
        mean_r=np.array(rows["mean_r"]),
        sem=np.array(rows["sem"]),
        note=tuple(rows["note"]),
        nan_policy=nan_policy,
        ci=ci,
        feldt_n=feldt_n,
    )
