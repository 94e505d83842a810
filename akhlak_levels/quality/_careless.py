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

All are vectorised over respondents (``_careless_indices``). An index that cannot be computed
for a respondent is NaN and the ``note`` column says why; an index that cannot be computed at
all (no level model, no duration) is NaN for everyone and ``unavailable`` says why.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import numpy as np
from threadpoolctl import threadpool_limits

from .._tables import frame, html_repr, records
from .._validation import Interval, param_error
from ..flags import Flags
from ..model import LevelModel
from ..questionnaire import Questionnaire, load_questionnaire
from ..responses import MISSING, ResponseSet, parse_durations
from ._careless_indices import even_odd_consistency, longest_runs, mahalanobis_by_pattern, person_fit_lz, row_sd
from ._groups import carried_column
from ._inputs import model_for, responses_for
from ._keyed import keyed_matrix

__all__ = ["CarelessTable", "careless", "DEFAULT_THRESHOLDS"]

#: Default thresholds (see :func:`careless`, Notes, for the literature behind each). Set on
#: real, mostly attentive data (psych's bfi, psychTools' spi; docs/quality.md) so that each
#: index flags about 1% of respondents and all of them together at most about 5%.
DEFAULT_THRESHOLDS: Mapping[str, float] = {
    "longstring": 10.0,
    "longstring_share": 0.5,
    "irv": 0.5,
    "mahalanobis_p": 0.001,
    "mahalanobis_ratio": 2.5,
    "even_odd": 0.30,
    "even_odd_min_scales": 15.0,
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


@dataclass(frozen=True, eq=False)
class CarelessTable:
    """Careless-responding indices and flags, one row per respondent (arrays in respondent order).

    Below, ``x_ij`` is respondent i's raw answer to Likert item j (items in questionnaire order;
    choice items are left out of the Likert indices: their options are not points on one
    scale) and ``m_i`` the Likert items answered.

    Attributes
    ----------
    respondent_ids : ndarray of str, shape (n,)
    n_likert : ndarray of int, shape (n,)
        ``m_i``: Likert items answered (the items longstring, IRV and Mahalanobis distance use).
    longstring : ndarray of int, shape (n,)
        ``LS_i``, the longest run of identical consecutive Likert answers, in questionnaire
        order; a missing answer ends a run (as ``careless::longstring`` with ``na=FALSE``). 0
        when no Likert item was answered.
    longstring_share : ndarray of float, shape (n,)
        ``LS_i / m_i``.
    irv : ndarray of float, shape (n,)
        ``sqrt(sum_j (x_ij - mean_i)^2 / (m_i - 1))``, the standard deviation of the raw Likert
        answers with the ``n - 1`` divisor, which is what ``careless::irv`` computes
        (``stats::sd``) for the IRV of Dunn et al. (2018); NaN with fewer than 2 answers.
    mahalanobis : ndarray of float, shape (n,)
        ``D^2_i = (y_i - mu)' S^{-1} (y_i - mu)`` over the keyed Likert answers ``y_i`` the
        respondent gave, with ``mu`` the item means and ``S`` the pairwise covariance (``n - 1``
        divisor) restricted to those items: the distance in the marginal distribution of the
        answered items (Meade & Craig, 2012). Respondents are grouped by missing-data pattern,
        one Cholesky factor per pattern. Keying does not change ``D^2`` (it is invariant to
        affine changes of each item). NaN where the covariance block is singular (fewer
        respondents than items, an item without variance).
    mahalanobis_df : ndarray of int, shape (n,)
        Degrees of freedom of its chi-square reference: the Likert items answered, ``m_i``.
    mahalanobis_p : ndarray of float, shape (n,)
        ``P(chi2(m_i) >= D^2_i)``.
    even_odd : ndarray of float, shape (n,)
        Johnson's (2005) even-odd consistency, high = consistent: for each scale, the mean
        keyed answer of its odd-numbered items (1st, 3rd, ... in the scale's order) and of its
        even-numbered items, each over the items answered; a scale counts when both halves
        have an answer. ``r`` is the Pearson correlation, across the counted scales, of the
        odd-half means with the even-half means; ``even_odd = 2r / (1 + r)`` (Spearman-Brown),
        bounded below at -1. NaN with fewer than 3 counted scales or when a half's means do not
        vary across scales. ``careless::evenodd`` (version 1.2.0 and later) returns the
        *negative* of this value, so that higher means more careless; multiply by -1 to compare.
    even_odd_scales : ndarray of int, shape (n,)
        Scales whose even and odd halves both had an answer (the points correlated).
    person_fit : ndarray of float, shape (n,)
        Standardised log-likelihood ``l_z`` of the answers at the modal level, low = misfit
        (Drasgow, Levine & Williams, 1985, with latent classes in place of a latent trait):
        with ``k`` the modal level of the posterior and ``P_i(c|k)`` the model's
        class-conditional probabilities, over the answered items,
        ``l = sum_i log P_i(x_i|k)``, ``E = sum_i sum_c P_i(c|k) log P_i(c|k)``,
        ``V = sum_i [sum_c P_i(c|k) (log P_i(c|k))^2 - (sum_c P_i(c|k) log P_i(c|k))^2]``,
        ``l_z = (l - E) / sqrt(V)``. ``k`` is estimated from the same answers, so ``l_z`` is not
        exactly standard normal (Snijders, 2001); the false-positive rate this gives on
        model-conforming data is measured in the docs.
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

    _repr_html_ = html_repr  # a compact, rounded table in a notebook

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
    """:data:`DEFAULT_THRESHOLDS` with the overrides, each a number (infinite switches a rule off)."""
    out = dict(DEFAULT_THRESHOLDS)
    if thresholds is None:
        return out
    if not isinstance(thresholds, Mapping):
        raise param_error(
            "careless", "thresholds", "a mapping of threshold names to numbers", thresholds,
            shown=type(thresholds).__name__,
        )
    unknown = sorted(set(thresholds) - set(DEFAULT_THRESHOLDS))
    if unknown:
        raise ValueError(
            f"Unknown careless threshold(s) {unknown}; the known ones are {sorted(DEFAULT_THRESHOLDS)}."
        )
    for k, v in thresholds.items():
        if not Interval(None, None).accepts(v):  # any real number but NaN
            raise param_error("careless", f"thresholds[{k!r}]", "a number (inf disables a rule)", v)
        out[k] = float(v)
    return out


def _durations(duration: Any, rs: ResponseSet) -> np.ndarray | None:
    """Seconds per respondent from an array or a column read with the responses; None without."""
    if duration is None:
        return None
    if isinstance(duration, str):
        return parse_durations(carried_column(rs.groups, duration, "durations"), rs.respondent_ids, column=duration)
    return parse_durations(duration, rs.respondent_ids)


# =========================================================================== careless


def careless(
    questionnaire: Questionnaire | str,
    responses: ResponseSet | Any,
    *,
    model: LevelModel | str | None = None,
    duration: str | Sequence[Any] | np.ndarray | None = None,
    thresholds: Mapping[str, float] | None = None,
    **read_options: Any,
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
        Overrides of :data:`DEFAULT_THRESHOLDS` (keys ``longstring``, ``longstring_share``, ``irv``,
        ``mahalanobis_p``, ``mahalanobis_ratio``, ``even_odd``, ``even_odd_min_scales``,
        ``person_fit``, ``seconds_per_item``); ``inf`` or ``-inf`` switches a rule off.
    **read_options
        :func:`~akhlak_levels.read_responses`'s options, for a path or table (as ``assess``).

    Returns
    -------
    CarelessTable

    Raises
    ------
    ValueError
        An unknown threshold name (the message lists the known ones), a threshold that is
        not a number, or thresholds that are not a mapping.
    ResponseError
        Responses read for another questionnaire; a duration column not read, or a duration
        that cannot be (naming the respondent and the value).
    ModelError
        The model belongs to another questionnaire.

    Notes
    -----
    Each index is defined, with its source, under :class:`CarelessTable`, Attributes (longstring
    and IRV over Likert items of 3 or more points only: on yes/no or right/wrong items a run of
    equal answers is what a consistent or able person gives). The flags compare the indices
    with the thresholds (an index that is NaN never flags):

    - ``careless:longstring`` when ``longstring >= longstring`` **or** ``longstring_share >=
      longstring_share`` (default 10 answers or half of those given; Johnson, 2005, flagged runs
      exceeding what attentive respondents produce, and Costa & McCrae's NEO-PI-R rules cut at
      6-14 equal answers in a row depending on the option). On a partial questionnaire the
      share rule flags short identical runs too: with 4 answers, a run of 2 is half of them.
    - ``careless:irv`` when ``irv < irv`` (default 0.5 on a 5-point scale: less than what
      alternating two neighbouring options gives).
    - ``careless:mahalanobis`` when ``mahalanobis_p < mahalanobis_p`` (default 0.001) **and**
      ``mahalanobis > mahalanobis_ratio * mahalanobis_df`` (default 2.5: on real answers
      ``D^2 / df`` has far heavier tails than chi-square, so p < 0.001 alone flagged 3.4% of
      bfi and 14% of spi; the ratio flags about 1% of both, and p guards short answer sets).
    - ``careless:even_odd`` when ``even_odd < even_odd`` (default 0.30, Johnson's cut) over at
      least ``even_odd_min_scales`` scales (default 15: over fewer, the correlation of a few
      half-means is noise on real data, and it flagged 13% of bfi, 5 scales, and half of the
      BerAKHLAK example, 7).
    - ``careless:person_fit`` when ``person_fit < person_fit`` (default -2.33, the one-sided 1%
      point of the standard normal).
    - ``careless:speed`` when ``seconds_per_item < seconds_per_item`` (default 2 s, Huang et
      al., 2012).

    References
    ----------
    Costa, P. T., & McCrae, R. R. (2008). The Revised NEO Personality Inventory (NEO-PI-R).
    Curran, P. G. (2016). *Journal of Experimental Social Psychology*, 66, 4-19.
    Drasgow, F., Levine, M. V., & Williams, E. A. (1985). *British Journal of Mathematical and
    Statistical Psychology*, 38, 67-86.
    Dunn, A. M., Heggestad, E. D., Shanock, L. R., & Theilgard, N. (2018). *Journal of Business
    and Psychology*, 33, 105-121.
    Huang, J. L., Curran, P. G., Keeney, J., Poposki, E. M., & DeShon, R. P. (2012). *Journal of
    Business and Psychology*, 27, 99-114.
    Johnson, J. A. (2005). *Journal of Research in Personality*, 39, 103-129.
    Meade, A. W., & Craig, S. B. (2012). *Psychological Methods*, 17, 437-455.
    Snijders, T. A. B. (2001). *Psychometrika*, 66, 331-342.
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
    >>> t.flags.for_respondent(0)  # even-odd needs 15 scales to flag by default; this has 5
    ('careless:longstring', 'careless:irv', 'careless:mahalanobis', 'careless:person_fit')
    >>> round(float(t.seconds_per_item[0]), 2), t.thresholds["even_odd"]
    (7.89, 0.3)
    """
    q = load_questionnaire(questionnaire)
    th = _check_thresholds(thresholds)
    rs = responses_for(q, responses, read_options, "careless")
    model = model_for(q, model)
    found = _Found(len(rs))
    _likert_indices(q, rs, found)
    _even_odd_index(q, rs, found)
    _person_fit_index(q, model, rs.codes, found)
    _speed_index(rs, duration, found)
    return CarelessTable(
        respondent_ids=rs.respondent_ids,
        **found.columns,
        note=_join_notes(found.notes, len(rs)),
        flags=_flags(found.columns, th),
        thresholds=th,
        unavailable=found.unavailable,
    )


# =========================================================================== steps


@dataclass
class _Found:
    """What the steps of :func:`careless` find for ``n`` respondents: the table's index columns,
    the per-respondent notes (text: mask, in the order the steps add them) and the indices
    unavailable to all (index: reason)."""

    n: int
    columns: dict[str, np.ndarray] = field(default_factory=dict)
    notes: dict[str, np.ndarray] = field(default_factory=dict)
    unavailable: dict[str, str] = field(default_factory=dict)


def _likert_indices(q: Questionnaire, rs: ResponseSet, found: _Found) -> None:
    """Longstring, IRV and the Mahalanobis distance: the indices of the raw Likert answers."""
    from scipy import stats
    n = found.n
    likert = [j for j, it in enumerate(q.items) if it.type == "likert"]
    L = rs.codes[:, likert]
    n_likert = (L != MISSING).sum(axis=1)
    # rating-scale indices: over items of 3 or more points only. On two-point items (yes/no,
    # right/wrong) a run of equal answers and a small spread are what a consistent or able person
    # gives: on ICAR-16 they flagged 33% and 58% of real respondents (docs/quality.md)
    rating = [j for j in likert if q.items[j].n_options >= 3]
    R = rs.codes[:, rating]
    n_rating = (R != MISSING).sum(axis=1)
    longstring = longest_runs(R) if rating else np.zeros(n, dtype=np.int64)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = longstring / n_rating
    values = np.where(R == MISSING, np.nan, R.astype(float) + 1.0)
    irv, _ = row_sd(values)
    if rating:
        found.notes["longstring_share: no Likert item answered"] = n_rating == 0
        found.notes["irv: fewer than 2 Likert items answered"] = n_rating < 2
    else:
        share, irv = np.full(n, np.nan), np.full(n, np.nan)
        reason = ("the questionnaire has no Likert items of 3 or more points (on two-point items a run of equal answers "
                  "is what a consistent or able person gives)")
        found.unavailable["longstring"] = found.unavailable["irv"] = reason

    if likert:
        # global flags, not a scale's keys (an item may be in several scales): D^2 does not
        # change when an item is reversed, so the direction does not matter here
        K = keyed_matrix(q, rs, tuple(q.items[j].id for j in likert))
        with threadpool_limits(limits=1, user_api="blas"):  # one small factorisation per pattern
            d2, df, singular = mahalanobis_by_pattern(K)
    else:
        d2, df, singular = np.full(n, np.nan), np.zeros(n, dtype=np.int64), np.zeros(n, dtype=bool)
        found.unavailable["mahalanobis"] = "the questionnaire has no Likert items"
    p_maha = np.full(n, np.nan)
    ok = ~np.isnan(d2)
    p_maha[ok] = stats.chi2.sf(d2[ok], df[ok])
    found.notes["mahalanobis: no Likert item answered"] = n_likert == 0
    found.notes["mahalanobis: the covariance of the answered items is singular or undefined (too few respondents, or an item without variance)"] = singular
    found.columns.update(
        n_likert=n_likert.astype(np.int64),
        longstring=longstring,
        longstring_share=share,
        irv=irv,
        mahalanobis=d2,
        mahalanobis_df=df.astype(np.int64),
        mahalanobis_p=p_maha,
    )


def _even_odd_index(q: Questionnaire, rs: ResponseSet, found: _Found) -> None:
    """Even-odd consistency, where the questionnaire has the 3 scales it needs."""
    if len(q.scales) < 3:
        eo = np.full(found.n, np.nan)
        eo_k = np.zeros(found.n, dtype=np.int64)
        found.unavailable["even_odd"] = f"the questionnaire has {len(q.scales)} scale(s); even-odd consistency needs at least 3"
    else:
        eo, eo_k, few, flat = even_odd_consistency(q, rs)
        found.notes["even_odd: fewer than 3 scales with both halves answered"] = few
        found.notes["even_odd: the half-scale means do not vary across scales"] = flat
    found.columns.update(even_odd=eo, even_odd_scales=eo_k.astype(np.int64))


def _person_fit_index(q: Questionnaire, model: LevelModel | None, codes: np.ndarray, found: _Found) -> None:
    """Person fit ``l_z``, where the model has class-conditional probabilities."""
    if model is None or model.item_probabilities is None:
        lz = np.full(found.n, np.nan)
        khat = np.zeros(found.n, dtype=np.int8)
        found.unavailable["person_fit"] = (
            f"questionnaire {q.id!r} has no level model; pass model=..."
            if model is None
            else f"a {model.kind!r} model has regression weights, not answer probabilities; "
            "person fit needs a latent-class or theory-prior model"
        )
    else:
        lz, khat = person_fit_lz(model, codes)
        found.notes["person_fit: no item answered"] = np.isnan(lz)
    found.columns.update(person_fit=lz, person_fit_level=khat)


def _speed_index(rs: ResponseSet, duration: Any, found: _Found) -> None:
    """The duration and the seconds per item answered, where a duration was given."""
    n = found.n
    n_answered = (rs.codes != MISSING).sum(axis=1)
    seconds = _durations(duration, rs)
    if seconds is None:
        seconds = np.full(n, np.nan)
        found.unavailable["duration"] = "no duration was given"
        per_item = np.full(n, np.nan)
    else:
        with np.errstate(invalid="ignore", divide="ignore"):
            per_item = np.where(n_answered > 0, seconds / np.maximum(n_answered, 1), np.nan)
        found.notes["duration: unknown"] = np.isnan(seconds)
    found.columns.update(duration=seconds, seconds_per_item=per_item)


def _flags(columns: Mapping[str, np.ndarray], th: Mapping[str, float]) -> Flags:
    """The threshold comparisons of :func:`careless`, Notes (a NaN index never flags)."""
    c = columns
    with np.errstate(invalid="ignore"):
        flag_cols = {
            "careless:longstring": (c["n_likert"] > 0)
            & ((c["longstring"] >= th["longstring"]) | (c["longstring_share"] >= th["longstring_share"])),
            "careless:irv": c["irv"] < th["irv"],
            "careless:mahalanobis": (c["mahalanobis_p"] < th["mahalanobis_p"])
            & (c["mahalanobis"] > th["mahalanobis_ratio"] * c["mahalanobis_df"]),
            "careless:even_odd": (c["even_odd"] < th["even_odd"]) & (c["even_odd_scales"] >= th["even_odd_min_scales"]),
            "careless:person_fit": c["person_fit"] < th["person_fit"],
            "careless:speed": c["seconds_per_item"] < th["seconds_per_item"],
        }
    return Flags.from_columns(len(c["n_likert"]), flag_cols)


def _join_notes(notes: Mapping[str, np.ndarray], n: int) -> np.ndarray:
    out = np.full(n, "", dtype=object)
    for text, mask in notes.items():
        if not mask.any():
            continue
        idx = np.flatnonzero(mask)
        current = out[idx]
        out[idx] = np.where(current == "", text, current + "; " + text)
    return out.astype(str)
