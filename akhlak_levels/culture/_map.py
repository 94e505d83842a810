"""The culture map of a vote set: votes, top lists, matches, hindering factors, entropy, value
jumps, the level profile and the indices, for everyone and each group, with small groups
suppressed."""

from __future__ import annotations

from statistics import NormalDist
from typing import Any, Callable, NamedTuple

import numpy as np

from .._validation import Interval, Options, check
from ..levels import N_LEVELS
from ..privacy import crossed_groups, suppression_mask
from ..quality import group_columns, group_labels
from ..questionnaire import Questionnaire, load_questionnaire
from ..votes import VoteSet
from ._counts import RowParts, Tallies, count_votes, label_codes, se_of_mean, wilson_interval
from .._votes import CultureMapChoices
from ._definitions import INDEX_DEFINITIONS, band_of, category_of, match_band_of
from ._result import ALL_ROWS, PAIRS, CultureMap

__all__ = ["culture_map"]


class _Rows(NamedTuple):
    """Who is counted in which row: everyone in row 0, and the labelled respondents (positions
    ``lab``, in order) in the rows ``grp`` (1..) of their groups."""

    names: tuple[str, ...]
    lab: np.ndarray
    grp: np.ndarray
    n_rows: int
    unlabelled: np.ndarray  # bool per respondent: in row 0 only


def culture_map(
    questionnaire: Questionnaire | str,
    votes: VoteSet,
    *,
    by: str | None = None,
    min_group_size: int = 5,
    confidence: float = 0.95,
    index: str | None = None,
) -> CultureMap:
    """The culture map of everyone in ``votes`` and of each group of ``by``.

    Parameters
    ----------
    questionnaire : Questionnaire or str
        A vote instrument with a ``personal``, a ``current`` and a ``desired`` question.
    votes : VoteSet
        The picks, questions in ``questionnaire.vote_questions`` order.
    by : str, optional
        A grouping column of ``votes`` (``"unit"``, ``"wave"`` or a group column). Respondents
        without a label count in everyone's row only.
    min_group_size : int, default=5
        Groups in which fewer respondents answered some question show their sizes only.
    confidence : float, default=0.95
        Level of every interval.
    index : {"reach", "votes"}, optional
        Definition of the value implementation index
        (:data:`~akhlak_levels.culture.INDEX_DEFINITIONS`); by default the questionnaire's
        (``Questionnaire.culture_map_choices``), ``"reach"`` when it states none.

    Returns
    -------
    CultureMap

    Notes
    -----
    Counting is one ``np.bincount`` over (row, question, behaviour). Shares are of the
    respondents who answered the question, with Wilson intervals. Entropy is
    ``100 * limiting current votes / current votes`` (a ratio of two means over the respondents
    who answered the current question); it and every index get a delta-method interval (the
    influence of each respondent on the ratio or mean, a normal interval clipped to [0, 100]).
    The alignment term of the health index is treated as fixed (no interval of its own).
    The bands, the top-list and hindering sizes and the health weights are the questionnaire's
    ``culture_map`` block (:class:`~akhlak_levels.culture.CultureMapChoices`), the defaults of
    :mod:`akhlak_levels.culture` where it has none; definitions: ``docs/culture-map.md``.

    A group is suppressed when fewer than ``min_group_size`` of its respondents answered some
    question; then, by the privacy engine (:mod:`akhlak_levels.privacy`), further groups are
    hidden until the hidden groups and the unlabelled respondents together hold no one or at
    least ``min_group_size`` people, so that everyone's row minus the shown groups reveals no
    small group; groups nested in a group of another grouping column by a few people are hidden
    too. Everyone's row is hidden when it is itself below the minimum.

    Examples
    --------
    >>> import numpy as np
    >>> from akhlak_levels import VoteSet, culture_map, load_questionnaire
    >>> q = load_questionnaire("berakhlak-culture-map")
    >>> rng = np.random.default_rng(0)
    >>> picks = np.stack([[rng.choice(74, 10, replace=False) for _ in range(3)] for _ in range(40)])
    >>> v = VoteSet(q.id, q.version, np.arange(40).astype(str), picks, unit=np.repeat(["A", "B"], 20))
    >>> cm = culture_map(q, v, by="unit")
    >>> cm.group, cm.n.tolist(), cm.votes[0].sum(axis=1).tolist()
    (('(all)', 'A', 'B'), [40, 20, 20], [400.0, 400.0, 400.0])
    >>> float(cm.entropy[0]), str(cm.entropy_band[0]), bool(cm.entropy_low[0] < 28.75 < cm.entropy_high[0])
    (28.75, 'significant issues', True)
    """
    q, mgs, choices, index = map_options("culture_map", questionnaire, min_group_size, confidence, index)
    qi = vote_roles(q, votes)
    rows = _rows(votes, by, "culture_map")
    picks = votes.picks
    counts = _counts(picks, rows, len(q.behaviours))
    answered: np.ndarray = np.asarray((picks >= 0).any(axis=2))  # (n, Q)
    n, n_ans = _sizes(answered, rows)
    hidden = _hidden(votes, by, rows, n_ans, mgs, "culture_map", answered)
    moments = _moments(q, picks, rows, qi["current"], index)
    return finish_map(q, choices, index, rows.names, by, mgs, confidence, counts, n, n_ans, hidden, moments)


def map_options(fn: str, questionnaire: Questionnaire | str, min_group_size: int, confidence: float,
             index: str | None) -> tuple[Questionnaire, int, CultureMapChoices, str]:
    """The questionnaire, the checked settings, its choices and the index definition in force."""
    q = load_questionnaire(questionnaire) if isinstance(questionnaire, str) else questionnaire
    mgs = check(fn, "min_group_size", min_group_size, Interval(1, None, integer=True))
    check(fn, "confidence", confidence, Interval(0, 1, closed="neither"))
    choices = q.culture_map_choices or CultureMapChoices()
    index = choices.value_index if index is None else index
    check(fn, "index", index, Options(INDEX_DEFINITIONS))
    return q, mgs, choices, index


class Moments(NamedTuple):
    """What the indices of each row are computed from, in memory or reduced across partitions:
    the values, the respondents who answered the current question (``n``), the sums of their
    vectors (v, l, y (V), y_all) (``sums``, (R, V + 3)), and ``second``: given the estimates,
    per row the sums of squared deviations of each column (R, V + 3) and of the two influences
    (entropy's and health's, (R, 1) each)."""

    values: tuple[str, ...]
    n: np.ndarray
    sums: np.ndarray
    second: Callable[[Estimates], tuple[np.ndarray, np.ndarray, np.ndarray]]


class Estimates(NamedTuple):
    """The row estimates the influences are taken at."""

    entropy: np.ndarray
    mean: np.ndarray  # (R, V + 3): means of v, l, y (V), y_all
    impl: np.ndarray
    w: dict[str, float]
    total: float


def finish_map(
    q: Questionnaire, choices: CultureMapChoices, index: str, names: tuple[str, ...], by: Any, mgs: int,
    confidence: float, counts: np.ndarray, n: np.ndarray, n_ans: np.ndarray, hidden: np.ndarray, moments: Moments,
) -> CultureMap:
    """The culture map from its row totals: votes per (row, question, behaviour) ``counts``,
    respondents ``n`` and answers ``n_ans`` per row, the rows ``hidden`` and the moments of the
    indices. The one finishing step of :func:`culture_map` and of
    :func:`akhlak_levels.dask.culture_map_dask`."""
    qi = {x.role: k for k, x in enumerate(q.vote_questions)}
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = counts / n_ans[:, :, None]
    lo, hi = wilson_interval(counts, np.broadcast_to(n_ans[:, :, None], counts.shape), z)
    top = _top(counts, choices.top_n)
    intop = np.zeros(counts.shape, dtype=bool)
    r_i, q_i, _ = np.nonzero(top >= 0)
    intop[r_i, q_i, top[top >= 0]] = True
    ids = tuple(b.id for b in q.behaviours)
    matches, matched = {}, {}
    for a, b in PAIRS:
        both = intop[:, qi[a]] & intop[:, qi[b]]
        matches[f"{a}-{b}"] = both.sum(axis=1)
        matched[f"{a}-{b}"] = tuple(tuple(ids[j] for j in np.nonzero(row)[0]) for row in both)
    limiting = _limiting(q)
    hindering = _top(np.where(limiting, counts[:, qi["current"]], 0)[:, None, :], choices.hindering)[:, 0]
    levels = np.array([b.level for b in q.behaviours]) - 1
    by_level = np.stack([counts[:, :, levels == k].sum(axis=2) for k in range(N_LEVELS)], axis=2)
    with np.errstate(invalid="ignore", divide="ignore"):
        profile = by_level / by_level.sum(axis=2, keepdims=True)
        # balance over the five levels: Shannon entropy of the profile over its most, log 5, in percent
        plogp = np.where(profile > 0, profile * np.log(np.where(profile > 0, profile, 1.0)), 0.0)
        balance = np.where(np.isfinite(profile).all(axis=2), -100.0 * plogp.sum(axis=2) / np.log(N_LEVELS), np.nan)
    ind = _index_figures(moments, matches["current-desired"], z, choices)
    return _hide(
        dict(
            questionnaire_id=q.id, group=names, n=n, n_answered=n_ans, suppressed=hidden,
            questions=tuple(x.id for x in q.vote_questions), roles=tuple(x.role for x in q.vote_questions),
            behaviours=ids, values=ind["values"], votes=counts.astype(float), share=share, share_low=lo, share_high=hi,
            top=top, matches=matches, matched=matched, alignment_band=match_band_of(matches["current-desired"], choices.match_bands),
            hindering=hindering, jumps=share[:, qi["desired"]] - share[:, qi["current"]], level_profile=profile, balance=balance,
            index_definition=index, confidence=float(confidence), min_group_size=mgs, by=by if isinstance(by, str) else None,
            **{k: v for k, v in ind.items() if k != "values"},
        ),
        hidden,
    )


def _limiting(q: Questionnaire) -> np.ndarray:
    return np.array([b.limiting for b in q.behaviours], dtype=bool)


def vote_roles(q: Questionnaire, votes: VoteSet) -> dict[str, int]:
    """Question position of each role; checks that the votes fit the questionnaire."""
    if votes.questionnaire_id != q.id:
        raise ValueError(f"culture_map: the votes answer {votes.questionnaire_id!r}, not {q.id!r}.")
    qi = {x.role: k for k, x in enumerate(q.vote_questions)}
    missing = [r for r in ("personal", "current", "desired") if r not in qi]
    if missing:
        raise ValueError(f"culture_map needs a personal, a current and a desired question; {q.id!r} has no {missing}.")
    if votes.n_questions != len(q.vote_questions):
        raise ValueError(f"culture_map: the votes hold {votes.n_questions} questions, {q.id!r} has {len(q.vote_questions)}.")
    if votes.picks.size and int(votes.picks.max()) >= len(q.behaviours):
        raise ValueError(f"culture_map: a pick at position {int(votes.picks.max())}, but {q.id!r} has {len(q.behaviours)} behaviours.")
    return qi


def _rows(votes: VoteSet, by: str | None, fn: str) -> _Rows:
    """Row 0 holds everyone; rows 1.. the sorted groups of ``by``."""
    n = len(votes)
    if by is None:
        empty = np.zeros(0, dtype=np.int64)
        return _Rows((ALL_ROWS,), empty, empty, 1, np.zeros(n, dtype=bool))
    labels, _ = group_labels(by, n, group_columns(votes.groups, votes.unit, votes.wave), fn)
    known = labels != ""
    names, inv = label_codes(labels if known.all() else labels[known])
    lab = np.arange(n) if known.all() else np.flatnonzero(known)
    return _Rows((ALL_ROWS,) + tuple(str(x) for x in names), lab, inv.ravel().astype(np.int64) + 1, len(names) + 1, ~known)


def _sizes(answered: np.ndarray, rows: _Rows) -> tuple[np.ndarray, np.ndarray]:
    """Respondents per row, and per row and question those who answered (int64)."""
    n_q = answered.shape[1]
    n = np.bincount(rows.grp, minlength=rows.n_rows)
    n[0] = len(answered)
    ans = answered if len(rows.lab) == len(answered) else answered[rows.lab]
    key = rows.grp[:, None] * (n_q + 1) + (np.arange(1, n_q + 1) * ans)  # bin 0 of a row: not answered
    n_ans = np.bincount(key.ravel(), minlength=rows.n_rows * (n_q + 1)).reshape(rows.n_rows, n_q + 1)[:, 1:]
    n_ans[0] = answered.sum(axis=0)
    return n.astype(np.int64), n_ans.astype(np.int64)


def _counts(picks: np.ndarray, rows: _Rows, n_behaviours: int) -> np.ndarray:
    """Votes per (row, question, behaviour). With groups, row 0 (everyone) is the sum of the
    groups' rows and of the unlabelled respondents', so no respondent's picks are gathered twice."""
    if rows.n_rows == 1:
        return count_votes(picks, None, np.zeros(len(picks), dtype=np.int64), 1, n_behaviours)
    out = count_votes(picks, None if len(rows.lab) == len(picks) else rows.lab, rows.grp, rows.n_rows, n_behaviours)
    rest = np.flatnonzero(rows.unlabelled)
    out[0] = out[1:].sum(axis=0) + count_votes(picks, rest, np.zeros(len(rest), dtype=np.int64), 1, n_behaviours)[0]
    return out


def _hidden(votes: VoteSet, by: Any, rows: _Rows, n_ans: np.ndarray, mgs: int, fn: str, answered: np.ndarray) -> np.ndarray:
    """Rows whose figures are not shown (the privacy engine on the fewest answers per row)."""
    if rows.n_rows == 1:
        return suppressed_rows(n_ans, 0, None, mgs)
    n_unl = int(answered[rows.unlabelled].sum(axis=0).min()) if rows.unlabelled.any() else 0
    labels = np.asarray(rows.names[1:])[rows.grp - 1]
    others = [
        np.asarray(col).astype(str)[~rows.unlabelled]
        for name, col in group_columns(votes.groups, votes.unit, None).items()
        if not (isinstance(by, str) and name == by)
    ]
    return suppressed_rows(n_ans, n_unl, crossed_groups(np.asarray(rows.names[1:]), labels, others, mgs), mgs)


def suppressed_rows(n_ans: np.ndarray, n_unlabelled: int, crossed: np.ndarray | None, mgs: int) -> np.ndarray:
    """The rows hidden by the privacy engine, from the fewest answers per row (``n_ans``, (R, Q)),
    the fewest answers of the unlabelled respondents and the groups ``crossed`` hides."""
    size = n_ans.min(axis=1)
    hidden = np.zeros(len(size), dtype=bool)
    hidden[0] = size[0] < mgs
    if len(size) == 1:
        return hidden
    counts = np.append(size[1:], n_unlabelled)
    forced = np.append(np.zeros(len(size) - 1, dtype=bool) if crossed is None else crossed, True)
    hidden[1:] = suppression_mask(counts, mgs, forced=forced)[:-1]
    return hidden


def _top(counts: np.ndarray, k: int) -> np.ndarray:
    """Positions of the ``k`` most voted behaviours along the last axis: most votes first, ties
    in behaviour order, no behaviour without votes (``-1`` padding)."""
    order = np.argsort(-counts, axis=-1, kind="stable")[..., :k]
    got = np.take_along_axis(counts, order, axis=-1) > 0
    out = np.where(got, order, -1)
    if out.shape[-1] < k:
        pad = np.full(out.shape[:-1] + (k - out.shape[-1],), -1, dtype=out.dtype)
        out = np.concatenate([out, pad], axis=-1)
    return out.astype(np.int64)


def _value_list(q: Questionnaire) -> tuple[str, ...]:
    """The values of the index: the questionnaire's scales that behaviours express, in scale
    order, then any other values in behaviour order."""
    present = [b.value for b in q.behaviours if b.value is not None]
    ordered = [s.id for s in q.scales if s.id in present]
    return tuple(ordered + [v for v in dict.fromkeys(present) if v not in ordered])


def _parts(rows: _Rows, keep: np.ndarray) -> RowParts:
    """The respondents with ``keep`` in everyone's row and in their groups' rows."""
    n = len(keep)
    everyone = None if keep.all() else np.flatnonzero(keep)
    parts: list[tuple[np.ndarray | None, np.ndarray | int]] = [(everyone, 0)]
    if rows.n_rows > 1:
        k = keep[rows.lab]
        lab = rows.lab if k.all() else rows.lab[k]
        parts.append((None if len(lab) == n else lab, rows.grp if k.all() else rows.grp[k]))
    return RowParts(parts, rows.n_rows, n)


#: The most bits the packed per-respondent counts of :func:`_current_counts` may use (of an int64).
_PACK_BITS = 62


def _current_counts(
    q: Questionnaire, p: np.ndarray, limiting: np.ndarray, values: tuple[str, ...]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per respondent, from the picks ``p`` (n, P) of the current question: the votes, the
    limiting votes (as floats) and the votes of each value (n, V, as int64).

    Every behaviour gets one int64 code with a field per count (a 1 in the votes field, in the
    limiting field if limiting, in its value's field), wide enough for ``P`` picks; a
    respondent's codes summed over the picks hold all the counts at once, so the picks are
    gathered once. With too many values for 62 bits, one ``np.bincount`` over (respondent,
    value) instead."""
    n, P = p.shape
    V, B = len(values), len(q.behaviours)
    vpos = {v: k for k, v in enumerate(values)}
    value_of = np.array([vpos.get(b.value, -1) if b.value is not None else -1 for b in q.behaviours] + [-1])
    bits = max(int(P).bit_length(), 1)
    if (V + 2) * bits <= _PACK_BITS:
        code = np.zeros(B + 1, dtype=np.int64)  # position -1 (no pick) stays 0
        code[:B] = (1 << (bits * (V + 1))) + (limiting.astype(np.int64) << (bits * V))
        has = value_of[:B] >= 0
        code[:B][has] += np.left_shift(1, bits * value_of[:B][has]).astype(np.int64)
        packed = np.zeros(n, dtype=np.int64)
        for j in range(P):  # one pick slot at a time: no (n, P) temporaries
            packed += code[p[:, j]]
        mask = (1 << bits) - 1
        v_i = ((packed >> (bits * (V + 1))) & mask).astype(float)
        l_i = ((packed >> (bits * V)) & mask).astype(float)
        c_iv = np.right_shift(packed[:, None], bits * np.arange(V, dtype=np.int64))
        return v_i, l_i, np.bitwise_and(c_iv, mask, out=c_iv)
    pi = p.astype(np.int64)  # -1 indexes the appended "no behaviour"
    v_i = (pi >= 0).sum(axis=1).astype(float)
    l_i = np.append(limiting, False)[pi].sum(axis=1).astype(float)
    vals = value_of[pi]
    key = np.arange(n)[:, None] * V + vals  # respondent x value, one bincount
    c_iv = np.bincount(key[vals >= 0], minlength=n * V).reshape(n, V)
    return v_i, l_i, c_iv


def _moments(q: Questionnaire, picks: np.ndarray, rows: _Rows, cur: int, index: str) -> Moments:
    """The moments of the indices in memory: per respondent who answered the current question
    the vector (v, l, y (V), y_all) of :func:`_vectors`; per row, flat ``np.bincount`` passes over
    everyone's row and the groups' (:class:`RowParts`): the sums, then (given the estimates) the
    squared deviations of each column and of the influences (z_e, z_h)."""
    values = _value_list(q)
    V = len(values)
    full = _vectors(q, picks[:, cur], cur, index, values)
    parts = _parts(rows, full[:, 0] > 0)
    A = parts.take(full)  # (m, V + 3) per part

    def second(est: Estimates) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        z_e, z_h = [], []  # the influences, per part
        for a, (_, r) in zip(A, parts.parts):
            e, h = influences(a, r, est, V)
            z_e.append(e)
            z_h.append(h)
        ss_z = []
        for zs in (z_e, z_h):  # one column at a time: contiguous, and bins by the rows themselves
            zs2 = [x[:, None] for x in zs]
            with np.errstate(invalid="ignore", divide="ignore"):
                ss_z.append(parts.ss(zs2, parts.sums(zs2) / parts.n[:, None]))
        ss = parts.sums([np.square(d, out=d) for d in (parts.deviation(a, est.mean, p) for p, a in enumerate(A))])
        return ss, ss_z[0], ss_z[1]

    return Moments(values, parts.n, parts.sums(A), second)


def _vectors(q: Questionnaire, p: np.ndarray, cur: int, index: str, values: tuple[str, ...]) -> np.ndarray:
    """Per respondent (n, V + 3): current votes ``v``, limiting votes ``l``, the value scores
    ``y`` (V; NaN for a value that cannot be picked) and their mean ``y_all``."""
    v_i, l_i, c_iv = _current_counts(q, p, _limiting(q), values)
    return _as_vectors(v_i, l_i, (c_iv > 0) if index == "reach" else c_iv, _max_votes(q, cur, values), index)


def _as_vectors(v: np.ndarray, lim: np.ndarray, w: np.ndarray, m_v: np.ndarray, index: str) -> np.ndarray:
    """The vectors (v, l, y (V), y_all) of the counts (v, l, w): ``w`` is per value whether the
    value was reached (``"reach"``) or its votes (``"votes"``). Linear in (v, l, w)."""
    V = len(m_v)
    full = np.empty((len(v), V + 3))  # per respondent: v, l, y (V), y_all
    full[:, 0], full[:, 1] = v, lim
    y = full[:, 2:2 + V]
    with np.errstate(invalid="ignore", divide="ignore"):
        np.multiply(100.0, w if index == "reach" else w / m_v, out=y)
    ok = m_v > 0
    if V and ok.any():  # the mean over the values that can be picked, as np.nanmean of y would
        y_sum = np.zeros(len(v))
        for k in np.flatnonzero(ok):  # summed value by value, in order (as np.sum does over fewer than 8)
            y_sum += y[:, k]
        full[:, 2 + V] = y_sum / int(ok.sum())
    else:
        full[:, 2 + V] = np.nan
    y[:, ~ok] = np.nan
    return full


def score_counts(q: Questionnaire, votes: VoteSet, index: str) -> tuple[tuple[str, ...], np.ndarray, np.ndarray]:
    """The index inputs as whole numbers, for sums that merge exactly: the values, per respondent
    the counts ``u`` = (v, l, w (V)) (int64, (n, V + 2)) and the linear map ``T`` ((V + 3, V + 2),
    NaN rows for values that cannot be picked) with ``T @ u`` the vector of :func:`_vectors`."""
    qi = vote_roles(q, votes)
    values = _value_list(q)
    v_i, l_i, c_iv = _current_counts(q, votes.picks[:, qi["current"]], _limiting(q), values)
    u = np.empty((len(v_i), len(values) + 2), dtype=np.int64)
    u[:, 0], u[:, 1] = v_i, l_i
    u[:, 2:] = (c_iv > 0) if index == "reach" else c_iv
    basis = np.eye(len(values) + 2)
    T = _as_vectors(basis[:, 0], basis[:, 1], basis[:, 2:], _max_votes(q, qi["current"], values), index).T
    return values, u, T


def _max_votes(q: Questionnaire, cur: int, values: tuple[str, ...]) -> np.ndarray:
    """The most votes of each value a respondent can give in the current question (float)."""
    question = q.vote_questions[cur]
    offered = set(question.behaviour_ids) if question.behaviour_ids else {b.id for b in q.behaviours}
    return np.array([min(question.max_picks, sum(1 for b in q.behaviours if b.value == v and b.id in offered)) for v in values], dtype=float)


def influences(a: np.ndarray, r: np.ndarray | int, est: Estimates, V: int) -> tuple[np.ndarray, np.ndarray]:
    """The influences on entropy and on health of the vectors ``a`` (m, V + 3) counted in rows
    ``r``: ``z_e = 100 (l - entropy / 100 v) / mean(v)`` (the linearised ratio) and ``z_h``, the
    health weights' combination of ``-z_e`` and ``y_all - implementation``. Both are affine in
    ``a``; their variance is the delta-method variance."""
    w, total = est.w, est.total
    with np.errstate(invalid="ignore", divide="ignore"):
        z_e = 100.0 * (a[:, 1] - est.entropy[r] / 100.0 * a[:, 0]) / est.mean[r, 0]
    z_h = (-w["positive_energy"] * z_e + w["implementation"] * (a[:, 2 + V] - est.impl[r])) / total
    return z_e, z_h


def _index_figures(mom: Moments, cd: np.ndarray, z: float, choices: CultureMapChoices) -> dict[str, Any]:
    """Entropy, value indices, implementation and health with delta-method intervals, from the
    moments of the respondents who answered the current question (``cd``: the current-desired
    matches)."""
    values = mom.values
    V = len(values)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = mom.sums / mom.n[:, None]
        entropy = 100.0 * mom.sums[:, 1] / mom.sums[:, 0]
    vi, impl = mean[:, 2:2 + V], mean[:, 2 + V]
    raw_w = choices.health_weights
    w = {k: v / sum(raw_w.values()) for k, v in raw_w.items()}  # equal weights: 1/3 each, as before
    total = sum(w.values())
    align = 100.0 * cd / choices.top_n
    pe = 100.0 - entropy
    health = (w["positive_energy"] * pe + w["implementation"] * impl + w["alignment"] * align) / total
    ss, ss_e, ss_h = mom.second(Estimates(entropy, mean, impl, w, total))
    se_e, se_h = se_of_mean(ss_e, mom.n)[:, 0], se_of_mean(ss_h, mom.n)[:, 0]
    se = se_of_mean(ss, mom.n)
    se_v, se_i = se[:, 2:2 + V], se[:, 2 + V]

    def ci(est: np.ndarray, se: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return np.clip(est - z * se, 0.0, 100.0), np.clip(est + z * se, 0.0, 100.0)

    e_lo, e_hi = ci(entropy, se_e)
    out: dict[str, Any] = {"values": values, "entropy": entropy, "entropy_low": e_lo, "entropy_high": e_hi}
    out.update(entropy_band=band_of(entropy, choices.entropy_bands), positive_energy=pe, positive_energy_low=100.0 - e_hi, positive_energy_high=100.0 - e_lo)
    out["value_index"] = vi
    out["value_index_low"], out["value_index_high"] = ci(vi, se_v)
    out["value_category"] = category_of(vi, choices.categories)
    out["implementation"] = impl
    out["implementation_low"], out["implementation_high"] = ci(impl, se_i)
    out["implementation_category"] = category_of(impl, choices.categories)
    out["health"] = health
    out["health_low"], out["health_high"] = ci(health, se_h)
    out["health_category"] = category_of(health, choices.categories)
    out.update(entropy_se=se_e, value_index_se=se_v, implementation_se=se_i, health_se=se_h)
    return out


def vote_tallies(q: Questionnaire, votes: VoteSet, by: str | None, index: str) -> Tallies:
    """The whole-number tallies of ``votes`` per label of ``by`` (``""``: none): respondents,
    answers per question, votes per (question, behaviour), for the indices the respondents who
    answered the current question with the sums ``S = sum u`` and ``S2 = sum u u^T`` of their
    counts ``u`` (:func:`score_counts`), and the cross-tabulated counts with the other grouping
    columns; summed by :func:`merge_tallies`, finished by :func:`map_of_tallies`."""
    n = len(votes)
    labels = np.full(n, "") if by is None else group_labels(by, n, group_columns(votes.groups, votes.unit, votes.wave), "culture_map")[0]
    keys, key = label_codes(labels)
    K = len(keys)
    picks = votes.picks
    answered: np.ndarray = np.asarray((picks >= 0).any(axis=2))
    n_ans = np.stack([np.bincount(key, weights=answered[:, j], minlength=K) for j in range(picks.shape[1])], axis=1)
    _, u, _ = score_counts(q, votes, index)
    sel = u[:, 0] > 0
    ks, us = key[sel], u[sel]
    k = us.shape[1]
    bins = (ks[:, None] * k + np.arange(k)).ravel()
    s = np.bincount(bins, weights=us.ravel(), minlength=K * k).reshape(K, k)
    s2 = np.empty((K, k, k))
    for j in range(k):  # whole numbers far below 2**53: the float sums are exact
        s2[:, j] = np.bincount(bins, weights=(us[:, j:j + 1] * us).ravel(), minlength=K * k).reshape(K, k)
    cross = []
    if by is not None:
        lab = labels != ""
        for name, col in group_columns(votes.groups, votes.unit, None).items():
            if name == by:
                continue
            onames, ocode = label_codes(np.asarray(col).astype(str)[lab])
            c = np.bincount(key[lab] * len(onames) + ocode, minlength=K * len(onames)) if len(onames) else np.zeros(0, int)
            nz = np.flatnonzero(c)
            cross.append((keys[nz // max(len(onames), 1)], onames[nz % max(len(onames), 1)], c[nz].astype(np.int64)))
    return Tallies(keys, np.bincount(key, minlength=K).astype(np.int64), n_ans.astype(np.int64),
                    count_votes(picks, None, key, K, len(q.behaviours)), np.bincount(ks, minlength=K).astype(np.int64),
                    s.astype(np.int64), s2.astype(np.int64), tuple(cross))


def map_of_tallies(q: Questionnaire, t: Tallies, by: str | None, mgs: int, confidence: float, index: str,
                   choices: CultureMapChoices) -> CultureMap:
    """The culture map of reduced tallies: everyone's row (the sum over every label) and the groups'
    rows, suppressed and finished (:func:`finish_map`) as in memory. The vectors the indices average
    are ``T u``: their sums are ``T S``, their centred co-moments ``T M T^T`` with
    ``M = (n S2 - S S^T) / n`` in exact integers rounded once, and the sums of squares of the
    (affine) influences ``g^T (T M T^T) g``, ``g`` read off :func:`influences`."""
    q_one = VoteSet(q.id, q.version, np.array(["1"]), np.full((1, len(q.vote_questions), 1), -1, dtype=np.int16))
    values, _, T = score_counts(q, q_one, index)
    lab = t.keys != ""
    grouped = by is not None

    def rows(a: np.ndarray) -> np.ndarray:
        total = a.sum(axis=0, keepdims=True)
        return np.concatenate([total, a[lab]]) if grouped else total

    names = (ALL_ROWS,) + (tuple(str(x) for x in t.keys[lab]) if grouped else ())
    n_ans = rows(t.n_ans)
    crossed = None
    n_unl = 0
    if grouped:
        n_unl = int(t.n_ans[~lab].sum(axis=0).min()) if (~lab).any() else 0
        grid = np.asarray(names[1:])
        crossed = np.zeros(len(grid), dtype=bool)
        for g, o, c in t.cross:  # the reduced cross-tabulation, one label pair per respondent again
            crossed |= crossed_groups(grid, np.repeat(g, c), [np.repeat(o, c)], mgs)
    hidden = suppressed_rows(n_ans, n_unl, crossed, mgs)
    moments = _tally_moments(values, rows(t.m), rows(t.s), rows(t.s2), T)
    return finish_map(q, choices, index, names, by, mgs, confidence, rows(t.votes), rows(t.n), n_ans, hidden, moments)


def _tally_moments(values: tuple[str, ...], m: np.ndarray, s: np.ndarray, s2: np.ndarray, T: np.ndarray) -> Moments:
    """The moments of the indices from the reduced sums of the counts ``u``: the sums of the
    vectors ``T S`` and, given the estimates, the sums of squares ``g^T (T M T^T) g``."""
    R, k = s.shape
    V = len(values)
    mo = m.astype(object)
    so = s.astype(object)
    num = mo[:, None, None] * s2.astype(object) - so[:, :, None] * so[:, None, :]  # exact integers
    M = np.array((num / np.where(m > 0, mo, 1)[:, None, None]).tolist(), dtype=float).reshape(R, k, k)  # one rounding
    Mx = np.einsum("ij,rjk,lk->ril", T, M, T)
    kx = V + 3

    def second(est: Estimates) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        basis = np.vstack([np.zeros(kx), np.eye(kx)])  # the influence at 0 and at each unit vector
        z_e, z_h = influences(np.tile(basis, (R, 1)), np.repeat(np.arange(R), kx + 1), est, V)
        out = []
        for z in (z_e, z_h):
            f = z.reshape(R, kx + 1)
            g = f[:, 1:] - f[:, :1]  # the gradient of an affine function
            gg = g[:, :, None] * g[:, None, :]
            out.append(np.where(gg == 0, 0.0, gg * Mx).sum(axis=(1, 2))[:, None])  # unused columns add nothing, NaN or not
        return np.diagonal(Mx, axis1=1, axis2=2).copy(), out[0], out[1]

    return Moments(values, m.astype(float), s.astype(float) @ T.T, second)


def _hide(fields: dict[str, Any], hidden: np.ndarray) -> CultureMap:
    """NaN, -1 or "" in every figure of a hidden row; its label and sizes stay."""
    keep = {"questionnaire_id", "group", "n", "n_answered", "suppressed", "questions", "roles", "behaviours", "values",
            "index_definition", "confidence", "min_group_size", "by"}
    notes: tuple[str, ...] = ()
    if hidden.any():
        names = [g for g, h in zip(fields["group"], hidden) if h]
        notes = (f"suppressed (fewer than {fields['min_group_size']} respondents in some question, or hidden so that "
                 f"no difference of published rows reveals them): {names}",)
        for k, v in list(fields.items()):
            if k in keep:
                continue
            if k == "matches":
                fields[k] = {p: np.where(hidden, -1, m) for p, m in v.items()}
            elif k == "matched":
                fields[k] = {p: tuple(() if h else t for t, h in zip(m, hidden)) for p, m in v.items()}
            else:
                a = np.asarray(v)
                mask = hidden.reshape((-1,) + (1,) * (a.ndim - 1))
                fill: Any = np.nan if a.dtype.kind == "f" else (-1 if a.dtype.kind in "iu" else "")
                fields[k] = np.where(mask, fill, a)
    return CultureMap(note=notes, **fields)
