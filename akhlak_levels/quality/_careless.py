"""Careless (insufficient-effort) responding: per-respondent indices and flags.

Six indices, each with a documented, settable threshold that turns it into a flag:

========================  ==========================================  ==========================
index                     what it catches                             flag (default threshold)
========================  ==========================================  ==========================
``longstring``            straight-lining: long runs of one answer    ``careless:longstring``
``irv``                   too little variation across answers         ``careless:irv``
``mahalanobis``           an answer pattern far from everyone else's  ``careless:mahalanobis``
``even_odd``              halves of the same scales that disagree     ``careless:even_odd``
``person_fit``            answers unlikely under the level model      ``careless:person_fit``
``seconds_per_item``      answering faster than one can read          ``careless:speed``
========================  ==========================================  ==========================

All are vectorised over respondents: loops run over items, scales or distinct missing-data
patterns, never over people. An index that cannot be computed for a respondent is NaN and the
``note`` column says why; an index that cannot be computed at all (no level model, no duration)
is NaN for everyone and ``unavailable`` says why.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import numpy as np
from scipy import linalg, stats
from threadpoolctl import threadpool_limits

from .._tables import frame, records
from ..errors import Problem, ResponseError
from ..flags import Flags
from ..levels import N_LEVELS
from ..model import LevelModel
from ..questionnaire import Questionnaire, load_questionnaire
from ._keyed import keyed_matrix, pairwise_covariance
from ..responses import MISSING, ResponseSet, parse_durations, read_responses

__all__ = ["CarelessTable", "careless", "DEFAULT_THRESHOLDS"]

#: Default thresholds (see :func:`careless`, Notes, for the literature behind each).
DEFAULT_THRESHOLDS: Mapping[str, float] = {
    "longstring": 10.0,
    "longstring_share": 0.5,
    "irv": 0.5,
    "mahalanobis_p": 0.001,
    "even_odd": 0.30,
    "person_fit": -2.33,
    "seconds_per_item": 2.0,
}

#: Flag names, in the order they appear in :attr:`CarelessTable.flags`.
FLAG_NAMES = (
    "careless:longstring",
    "careless:irv",
    "careless:mahalanobis",
    "careless:even_odd",
    "careless:person_fit",
    "careless:speed",
)

# Two half-means closer than this (in keyed answer units, squared) are treated as equal: a mean
# of equal numbers can differ from them by rounding, and a spurious variance of 1e-32 would
# give an arbitrary correlation.
_ZERO_VARIANCE = 1e-12


@dataclass(frozen=True, eq=False)
class CarelessTable:
    """Careless-responding indices and flags, one row per respondent (arrays in respondent order).

    Attributes
    ----------
    respondent_ids : ndarray of str, shape (n,)
    n_likert : ndarray of int, shape (n,)
        Likert items answered (the items longstring, IRV and Mahalanobis distance use).
    longstring : ndarray of int, shape (n,)
        Longest run of identical consecutive Likert answers, in questionnaire order; a missing
        answer ends a run. 0 when no Likert item was answered.
    longstring_share : ndarray of float, shape (n,)
        ``longstring / n_likert``.
    irv : ndarray of float, shape (n,)
        Standard deviation (``ddof=1``) of the raw Likert answers; NaN with fewer than 2.
    mahalanobis : ndarray of float, shape (n,)
        Squared Mahalanobis distance ``D^2`` of the keyed Likert answers from the sample mean.
    mahalanobis_df : ndarray of int, shape (n,)
        Degrees of freedom of its chi-square reference: the Likert items answered.
    mahalanobis_p : ndarray of float, shape (n,)
        ``P(chi2(df) >= D^2)``.
    even_odd : ndarray of float, shape (n,)
        Johnson's even-odd consistency, Spearman-Brown corrected (high = consistent).
    even_odd_scales : ndarray of int, shape (n,)
        Scales whose even and odd halves both had an answer (the points correlated).
    person_fit : ndarray of float, shape (n,)
        Standardised log-likelihood ``l_z`` of the answers at the modal level (low = misfit).
    person_fit_level : ndarray of int8, shape (n,)
        The modal level ``k`` used, 1..5; 0 where person fit is undefined.
    duration : ndarray of float, shape (n,)
        Completion time in seconds; NaN where unknown.
    seconds_per_item : ndarray of float, shape (n,)
        ``duration`` divided by the items answered (Likert and choice).
    note : ndarray of str, shape (n,)
        Why an index is NaN for this respondent (``""`` when none is).
    flags : Flags
        ``careless:longstring``, ``careless:irv``, ``careless:mahalanobis``,
        ``careless:even_odd``, ``careless:person_fit``, ``careless:speed``: exactly the
        threshold comparisons in :func:`careless`, Notes (NaN never flags).
    thresholds : dict of str to float
        The thresholds used.
    unavailable : dict of str to str
        Indices not computed for anyone, with the reason (e.g. ``person_fit`` without a level
        model, ``duration`` without a duration).

    Examples
    --------
    >>> from akhlak_levels import load_questionnaire, simulate
    >>> from akhlak_levels.quality import careless
    >>> q = load_questionnaire("socio-emotional-levels")
    >>> rs, _ = simulate(q, 300, random_state=0)
    >>> t = careless(q, rs)
    >>> len(t), t.flags.names[0], sorted(t.to_records()[0])[:4]
    (300, 'careless:longstring', ['duration', 'even_odd', 'even_odd_scales', 'flags'])
    """

    respondent_ids: np.ndarray
    n_likert: np.ndarray
    longstring: np.ndarray
    longstring_share: np.ndarray
    irv: np.ndarray
    mahalanobis: np.ndarray
    mahalanobis_df: np.ndarray
    mahalanobis_p: np.ndarray
    even_odd: np.ndarray
    even_odd_scales: np.ndarray
    person_fit: np.ndarray
    person_fit_level: np.ndarray
    duration: np.ndarray
    seconds_per_item: np.ndarray
    note: np.ndarray
    flags: Flags
    thresholds: Mapping[str, float]
    unavailable: Mapping[str, str] = field(default_factory=dict)

    COLUMNS = (
        "respondent_id", "n_likert", "longstring", "longstring_share", "irv", "mahalanobis",
        "mahalanobis_df", "mahalanobis_p", "even_odd", "even_odd_scales", "person_fit",
        "person_fit_level", "duration", "seconds_per_item", "note",
    )

    def __len__(self) -> int:
        return len(self.respondent_ids)

    def _columns(self) -> dict[str, np.ndarray]:
        cols = {c: getattr(self, "respondent_ids" if c == "respondent_id" else c) for c in self.COLUMNS}
        cols["flags"] = np.array(self.flags.as_strings(), dtype=object)
        return cols

    def to_records(self) -> list[dict[str, Any]]:
        """One JSON-ready dict per respondent (NaN and infinities as None; flags a list of names)."""
        cols: dict[str, Any] = dict(self._columns())
        cols["flags"] = [s.split(";") if s else [] for s in cols["flags"]]
        return records(cols)

    def to_frame(self) -> Any:
        """A pandas DataFrame, one row per respondent (needs pandas)."""
        return frame(self._columns())

    def __repr__(self) -> str:
        counts = ", ".join(f"{n.split(':')[1]}={int(self.flags[n].sum())}" for n in self.flags.names)
        return f"CarelessTable(respondents={len(self)}, flagged: {counts})"


# =========================================================================== input


def _check_thresholds(thresholds: Mapping[str, float] | None) -> dict[str, float]:
    out = dict(DEFAULT_THRESHOLDS)
    if thresholds is None:
        return out
    if not isinstance(thresholds, Mapping):
        raise ValueError(
            f"The 'thresholds' parameter of careless must be a mapping of threshold names to numbers. "
            f"Got {type(thresholds).__name__} instead."
        )
    unknown = sorted(set(thresholds) - set(DEFAULT_THRESHOLDS))
    if unknown:
        raise ValueError(
            f"Unknown careless threshold(s) {unknown}; the known ones are {sorted(DEFAULT_THRESHOLDS)}."
        )
    for k, v in thresholds.items():
        if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)) or math.isnan(float(v)):
            raise ValueError(f"The careless threshold {k!r} must be a number (inf disables a rule). Got {v!r} instead.")
        out[k] = float(v)
    return out


def _resolve_model(q: Questionnaire, model: LevelModel | str | None) -> LevelModel | None:
    if model is None:
        return q.default_model
    if not isinstance(model, LevelModel):
        from ..model import load_model

        model = load_model(model, q)
    model.check_questionnaire(q)
    return model


def _responses(q: Questionnaire, responses: ResponseSet | Any) -> ResponseSet:
    if not isinstance(responses, ResponseSet):
        return read_responses(responses, q)
    if responses.questionnaire.content_hash != q.content_hash or responses.questionnaire.id != q.id:
        raise ResponseError(f"These responses were read for questionnaire {responses.questionnaire.id!r}, not {q.id!r}.")
    return responses




def _durations(duration: Any, rs: ResponseSet) -> np.ndarray | None:
    if duration is None:
        return None
    if isinstance(duration, str):
        if duration not in rs.groups:
            raise ResponseError(
                f"No column {duration!r} was read with these responses; the columns carried along are "
                f"{sorted(rs.groups)}. Pass group_columns=[{duration!r}] to read_responses, or pass the "
                "durations as an array."
            )
        return parse_durations(rs.groups[duration], rs.respondent_ids, column=duration)
    return parse_durations(duration, rs.respondent_ids)


# =========================================================================== indices


def _longstring(L: np.ndarray) -> np.ndarray:
    """Longest run of equal codes along each row; MISSING ends a run and counts for nothing."""
    n, m = L.shape
    run = np.zeros(n, dtype=np.int64)
    longest = np.zeros(n, dtype=np.int64)
    prev = np.full(n, MISSING, dtype=L.dtype)
    for j in range(m):
        x = L[:, j]
        answered = x != MISSING
        run = np.where(answered, np.where(x == prev, run + 1, 1), 0)
        np.maximum(longest, run, out=longest)
        prev = x
    return longest


def _irv(V: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Row standard deviations (ddof=1) over non-NaN entries, and the counts."""
    ok = ~np.isnan(V)
    c = ok.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(ok, V, 0.0).sum(axis=1) / c
        dev = np.where(ok, V - mean[:, None], 0.0)
        sd = np.sqrt((dev**2).sum(axis=1) / (c - 1))
    sd[c < 2] = np.nan
    return sd, c


def _mahalanobis(K: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Squared distances of the rows of K (NaN = missing) from the column means under the
    pairwise covariance, each on its answered columns; and the df; and a mask of rows whose
    covariance block was singular or undefined."""
    n, m = K.shape
    answered = ~np.isnan(K)
    df = answered.sum(axis=1)
    d2 = np.full(n, np.nan)
    singular = np.zeros(n, dtype=bool)
    if n < 2 or m == 0:
        singular[df > 0] = True
        return d2, df, singular
    counts = answered.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(answered, K, 0.0).sum(axis=0) / counts
        C, _ = pairwise_covariance(K)
    dev = np.where(answered, K - mean, 0.0)
    patterns, inverse = np.unique(answered, axis=0, return_inverse=True)
    inverse = inverse.ravel()
    order = np.argsort(inverse, kind="stable")
    bounds = np.searchsorted(inverse[order], np.arange(patterns.shape[0] + 1))
    for p in range(patterns.shape[0]):
        cols = np.flatnonzero(patterns[p])
        rows = order[bounds[p] : bounds[p + 1]]
        if cols.size == 0:
            continue
        block = C[np.ix_(cols, cols)]
        if not np.all(np.isfinite(block)):
            singular[rows] = True
            continue
        try:
            chol = np.linalg.cholesky(block)
        except np.linalg.LinAlgError:
            singular[rows] = True
            continue
        # a numerically singular block passes Cholesky with a tiny pivot: refuse it too
        diag = np.diag(chol)
        if diag.min() <= 1e-7 * np.sqrt(np.diag(block).max()):
            singular[rows] = True
            continue
        z = linalg.solve_triangular(chol, dev[np.ix_(rows, cols)].T, lower=True, check_finite=False)
        d2[rows] = np.einsum("ij,ij->j", z, z)
    return d2, df, singular


def _row_means(X: np.ndarray) -> np.ndarray:
    """Means over the non-NaN entries of each row; NaN where a row has none."""
    ok = ~np.isnan(X)
    c = ok.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(c > 0, np.where(ok, X, 0.0).sum(axis=1) / c, np.nan)


def _even_odd(q: Questionnaire, rs: ResponseSet) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Spearman-Brown corrected within-person correlation of even- and odd-half means across
    scales; the number of usable scales; masks of too few scales and of zero variance."""
    n = len(rs)
    odd = np.full((n, len(q.scales)), np.nan)
    even = np.full((n, len(q.scales)), np.nan)
    for s_i, scale in enumerate(q.scales):
        if len(scale.item_ids) < 2:
            continue
        X = keyed_matrix(q, rs, scale.item_ids)
        odd[:, s_i] = _row_means(X[:, 0::2])  # 1st, 3rd, ... items of the scale
        even[:, s_i] = _row_means(X[:, 1::2])  # 2nd, 4th, ...
    usable = ~np.isnan(odd) & ~np.isnan(even)
    k = usable.sum(axis=1)
    w = usable.astype(float)
    o = np.where(usable, odd, 0.0)
    e = np.where(usable, even, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mo = o.sum(axis=1) / k
        me = e.sum(axis=1) / k
        do = w * (o - mo[:, None])
        de = w * (e - me[:, None])
        so = (do**2).sum(axis=1)
        se = (de**2).sum(axis=1)
        r = (do * de).sum(axis=1) / np.sqrt(so * se)
    few = k < 3
    flat = ~few & ((so <= _ZERO_VARIANCE) | (se <= _ZERO_VARIANCE))
    r = np.clip(r, -1.0, 1.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        sb = 2.0 * r / (1.0 + r)
    sb = np.where(r <= -1.0, -1.0, np.maximum(sb, -1.0))  # as careless::evenodd: not below -1
    sb[few | flat] = np.nan
    return sb, k, few, flat


def _person_fit(model: LevelModel, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``l_z`` at the modal level, and that level (0 where nothing was answered)."""
    n = codes.shape[0]
    cols = np.ascontiguousarray(codes.T)
    logit = np.empty((n, N_LEVELS))
    logit[:] = model.log_prior
    for i, table in enumerate(model.tables):
        logit += np.take(table, cols[i], axis=0)  # code -1 takes the zero row
    khat = logit.argmax(axis=1)
    ll = np.zeros(n)
    expected = np.zeros(n)
    variance = np.zeros(n)
    for i, (w, table) in enumerate(zip(model.weights, model.tables)):
        p = np.exp(w)  # options x 5: P(c | k)
        e_i = (p * w).sum(axis=0)  # sum_c P log P, per level
        v_i = (p * w**2).sum(axis=0) - e_i**2
        answered = cols[i] != MISSING
        ll += table[cols[i], khat]  # the zero row for a missing answer
        expected += np.where(answered, e_i[khat], 0.0)
        variance += np.where(answered, v_i[khat], 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        lz = (ll - expected) / np.sqrt(variance)
    none = (codes != MISSING).sum(axis=1) == 0
    lz[none | ~(variance > 0)] = np.nan
    level = (khat + 1).astype(np.int8)
    level[np.isnan(lz)] = 0
    return lz, level


# =========================================================================== careless


def careless(
    questionnaire: Questionnaire | str,
    responses: ResponseSet | Any,
    *,
    model: LevelModel | str | None = None,
    duration: str | Sequence[Any] | np.ndarray | None = None,
    thresholds: Mapping[str, float] | None = None,
) -> CarelessTable:
    """Careless-responding indices and flags for every respondent.

    Parameters
    ----------
    questionnaire : Questionnaire or str
    responses : ResponseSet, or anything :func:`~akhlak_levels.read_responses` reads
    model : LevelModel or path, default=None
        The level model under which person fit is computed; the questionnaire's default model
        (its theory prior) when None. Person fit needs class-conditional probabilities (a
        latent-class or theory-prior model); otherwise it is NaN and ``unavailable`` says why.
    duration : str or array-like, default=None
        Completion time per respondent: an array (seconds, or text as :func:`parse_durations`
        reads it), or the name of a column read with ``read_responses(...,
        group_columns=[name])``.
    thresholds : dict of str to float, default=None
        Overrides of :data:`DEFAULT_THRESHOLDS` (keys ``longstring``, ``longstring_share``,
        ``irv``, ``mahalanobis_p``, ``even_odd``, ``person_fit``, ``seconds_per_item``).
        ``inf`` or ``-inf`` switches a rule off.

    Returns
    -------
    CarelessTable

    Raises
    ------
    ValueError
        An unknown threshold name (the message lists the known ones) or a threshold that is
        not a number.
    ResponseError
        Responses read for another questionnaire; a duration column that was not read; a
        duration that cannot be read (naming the respondent and the value).
    ModelError
        The model belongs to another questionnaire.

    Notes
    -----
    With ``x_ij`` respondent i's raw answer to Likert item j (items in questionnaire order,
    choice items left out: their options are not points on one scale) and ``m_i`` the Likert
    items answered:

    - **longstring** ``LS_i``: the longest run of equal consecutive answers; a missing answer
      ends the run (as ``careless::longstring`` with ``na=FALSE``). ``longstring_share = LS_i /
      m_i``. Flag when ``LS_i >= longstring`` **or** ``LS_i / m_i >= longstring_share``
      (default 10 answers or half of those given; Johnson, 2005, flagged runs exceeding what
      attentive respondents produce, and Costa & McCrae's NEO-PI-R rules cut at 6-14 equal
      answers in a row depending on the option). On a partial questionnaire the share rule
      flags short identical runs too: with 4 answers, a run of 2 is half of them.
    - **irv**: ``sqrt(sum_j (x_ij - mean_i)^2 / (m_i - 1))``, the standard deviation with the
      ``n - 1`` divisor, which is what ``careless::irv`` computes (``stats::sd``) for the IRV of
      Dunn et al. (2018). Flag when ``irv < irv`` (default 0.5 on a 5-point scale: less than
      what alternating two neighbouring options gives). NaN with fewer than 2 answers.
    - **mahalanobis**: ``D^2_i = (y_i - mu)' S^{-1} (y_i - mu)`` over the keyed Likert answers
      ``y_i`` the respondent gave, with ``mu`` the item means and ``S`` the pairwise covariance
      (``n - 1`` divisor) restricted to those items: the distance in the marginal distribution
      of the answered items. Respondents are grouped by missing-data pattern, one Cholesky
      factor per pattern. ``mahalanobis_p = P(chi2(m_i) >= D^2_i)`` (Meade & Craig, 2012).
      Keying does not change ``D^2`` (it is invariant to affine changes of each item). Flag
      when ``p < mahalanobis_p`` (default 0.001). NaN where the covariance block is singular
      (fewer respondents than items, an item without variance).
    - **even_odd** (Johnson, 2005): for each scale, the mean keyed answer of its odd-numbered
      items (1st, 3rd, ... in the scale's order) and of its even-numbered items, each over the
      items answered; a scale counts when both halves have an answer. ``r`` is the Pearson
      correlation, across the counted scales, of the odd-half means with the even-half
      means; ``even_odd = 2r / (1 + r)`` (Spearman-Brown), bounded below at -1. High means
      consistent. Flag when ``even_odd < even_odd`` (default 0.30, Johnson's cut). NaN with
      fewer than 3 counted scales or when a half's means do not vary across scales.
      ``careless::evenodd`` (version 1.2.0 and later) returns the *negative* of this value,
      so that higher means more careless; multiply by -1 to compare.
    - **person_fit** (Drasgow, Levine & Williams, 1985, with latent classes in place of a
      latent trait): with ``k`` the modal level of the posterior and ``P_i(c|k)`` the model's
      class-conditional probabilities, over the answered items,
      ``l = sum_i log P_i(x_i|k)``, ``E = sum_i sum_c P_i(c|k) log P_i(c|k)``,
      ``V = sum_i [sum_c P_i(c|k) (log P_i(c|k))^2 - (sum_c P_i(c|k) log P_i(c|k))^2]``,
      ``l_z = (l - E) / sqrt(V)``. Flag when ``l_z < person_fit`` (default -2.33, the
      one-sided 1% point of the standard normal). ``k`` is estimated from the same answers, so
      ``l_z`` is not exactly standard normal (Snijders, 2001); the false-positive rate this
      gives on model-conforming data is measured in the docs.
    - **seconds_per_item**: ``duration_i / (items answered)``. Flag when ``< seconds_per_item``
      (default 2 s, Huang et al., 2012).

    An index that is NaN never flags.

    References
    ----------
    Costa, P. T., & McCrae, R. R. (2008). The Revised NEO Personality Inventory (NEO-PI-R).
    Drasgow, F., Levine, M. V., & Williams, E. A. (1985). Appropriateness measurement with
    polychotomous item response models and standardized indices. *British Journal of
    Mathematical and Statistical Psychology*, 38, 67-86.
    Dunn, A. M., Heggestad, E. D., Shanock, L. R., & Theilgard, N. (2018). Intra-individual
    response variability as an indicator of insufficient effort responding. *Journal of Business
    and Psychology*, 33, 105-121.
    Huang, J. L., Curran, P. G., Keeney, J., Poposki, E. M., & DeShon, R. P. (2012). Detecting
    and deterring insufficient effort responding to surveys. *Journal of Business and
    Psychology*, 27, 99-114.
    Johnson, J. A. (2005). Ascertaining the validity of individual protocols from web-based
    personality inventories. *Journal of Research in Personality*, 39, 103-129.
    Meade, A. W., & Craig, S. B. (2012). Identifying careless responses in survey data.
    *Psychological Methods*, 17, 437-455.
    Snijders, T. A. B. (2001). Asymptotic null distribution of person fit statistics with
    estimated person parameter. *Psychometrika*, 66, 331-342.
    R: ``careless::longstring``, ``careless::irv``, ``careless::mahad``, ``careless::evenodd``.

    Examples
    --------
    >>> from akhlak_levels import load_questionnaire, simulate
    >>> from akhlak_levels.quality import careless
    >>> q = load_questionnaire("socio-emotional-levels")
    >>> rs, _ = simulate(q, 500, random_state=0)
    >>> codes = rs.codes.copy()
    >>> codes[0] = 4  # respondent 1 strongly agrees with everything
    >>> t = careless(q, rs.__class__(q, rs.respondent_ids, codes), duration=np.full(500, 300.0))
    >>> int(t.longstring[0]), float(t.irv[0]), round(float(t.person_fit[0]), 2)
    (30, 0.0, -4.38)
    >>> t.flags.for_respondent(0)
    ('careless:longstring', 'careless:irv', 'careless:mahalanobis', 'careless:even_odd', 'careless:person_fit')
    >>> round(float(t.seconds_per_item[0]), 2), t.thresholds["even_odd"]
    (7.89, 0.3)
    """
    q = load_questionnaire(questionnaire)
    th = _check_thresholds(thresholds)
    rs = _responses(q, responses)
    model = _resolve_model(q, model)
    codes = rs.codes
    n = codes.shape[0]
    notes: dict[str, np.ndarray] = {}
    unavailable: dict[str, str] = {}

    likert = [j for j, it in enumerate(q.items) if it.type == "likert"]
    L = codes[:, likert]
    n_likert = (L != MISSING).sum(axis=1)
    longstring = _longstring(L)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = longstring / n_likert
    notes["longstring_share: no Likert item answered"] = n_likert == 0

    values = np.where(L == MISSING, np.nan, L.astype(float) + 1.0)
    irv, _ = _irv(values)
    notes["irv: fewer than 2 Likert items answered"] = n_likert < 2

    if likert:
        K = keyed_matrix(q, rs, tuple(q.items[j].id for j in likert))
        with threadpool_limits(limits=1, user_api="blas"):  # one small factorisation per pattern
            d2, df, singular = _mahalanobis(K)
    else:
        d2, df, singular = np.full(n, np.nan), np.zeros(n, dtype=np.int64), np.zeros(n, dtype=bool)
        unavailable["mahalanobis"] = "the questionnaire has no Likert items"
    p_maha = np.full(n, np.nan)
    ok = ~np.isnan(d2)
    p_maha[ok] = stats.chi2.sf(d2[ok], df[ok])
    notes["mahalanobis: no Likert item answered"] = n_likert == 0
    notes["mahalanobis: the covariance of the answered items is singular or undefined (too few respondents, or an item without variance)"] = singular

    if len(q.scales) < 3:
        eo = np.full(n, np.nan)
        eo_k = np.zeros(n, dtype=np.int64)
        unavailable["even_odd"] = f"the questionnaire has {len(q.scales)} scale(s); even-odd consistency needs at least 3"
    else:
        eo, eo_k, few, flat = _even_odd(q, rs)
        notes["even_odd: fewer than 3 scales with both halves answered"] = few
        notes["even_odd: the half-scale means do not vary across scales"] = flat

    if model is None:
        lz = np.full(n, np.nan)
        khat = np.zeros(n, dtype=np.int8)
        unavailable["person_fit"] = f"questionnaire {q.id!r} has no level model; pass model=..."
    elif model.item_probabilities is None:
        lz = np.full(n, np.nan)
        khat = np.zeros(n, dtype=np.int8)
        unavailable["person_fit"] = (
            f"a {model.kind!r} model has regression weights, not answer probabilities; "
            "person fit needs a latent-class or theory-prior model"
        )
    else:
        lz, khat = _person_fit(model, codes)
        notes["person_fit: no item answered"] = np.isnan(lz)

    n_answered = (codes != MISSING).sum(axis=1)
    seconds = _durations(duration, rs)
    if seconds is None:
        seconds = np.full(n, np.nan)
        unavailable["duration"] = "no duration was given"
        per_item = np.full(n, np.nan)
    else:
        with np.errstate(invalid="ignore", divide="ignore"):
            per_item = np.where(n_answered > 0, seconds / np.maximum(n_answered, 1), np.nan)
        notes["duration: unknown"] = np.isnan(seconds)

    with np.errstate(invalid="ignore"):
        flag_cols = {
            "careless:longstring": (n_likert > 0) & ((longstring >= th["longstring"]) | (share >= th["longstring_share"])),
            "careless:irv": irv < th["irv"],
            "careless:mahalanobis": p_maha < th["mahalanobis_p"],
            "careless:even_odd": eo < th["even_odd"],
            "careless:person_fit": lz < th["person_fit"],
            "careless:speed": per_item < th["seconds_per_item"],
        }
    return CarelessTable(
        respondent_ids=rs.respondent_ids,
        n_likert=n_likert.astype(np.int64),
        longstring=longstring,
        longstring_share=share,
        irv=irv,
        mahalanobis=d2,
        mahalanobis_df=df.astype(np.int64),
        mahalanobis_p=p_maha,
        even_odd=eo,
        even_odd_scales=eo_k.astype(np.int64),
        person_fit=lz,
        person_fit_level=khat,
        duration=seconds,
        seconds_per_item=per_item,
        note=_join_notes(notes, n),
        flags=Flags.from_columns(n, flag_cols),
        thresholds=th,
        unavailable=unavailable,
    )


def _join_notes(notes: Mapping[str, np.ndarray], n: int) -> np.ndarray:
    out = np.full(n, "", dtype=object)
    for text, mask in notes.items():
        if not mask.any():
            continue
        idx = np.flatnonzero(mask)
        current = out[idx]
        out[idx] = np.where(current == "", text, current + "; " + text)
    return out.astype(str)
