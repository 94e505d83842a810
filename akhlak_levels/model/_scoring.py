"""The scoring kernel: one gather-and-add pass over per-group weight tables, in chunks of
respondents small enough to stay in cache, giving level probabilities, their entropy, expected
level, SD and confidence, answered counts and 0-100 scale scores.

:func:`akhlak_levels.assess` wraps it with validation, level decisions and flags; the quality
and decision modules call it directly when they need probabilities or scale scores, so no
floor below the assessment has to import it.

How it stays at the speed of the cache (docs/performance.md, "Scoring kernel (issue 15)"):

- **Items are gathered in groups.** The codes of two or three consecutive items (at most
  ``_TABLE_ROWS`` = 256 combinations, the missing code included) index one table whose rows
  hold the sum of those items' weights, so one gather-and-add serves the whole group. The row
  is the Horner number of the codes, ``(c_a k_b + c_b) k_c + c_c``, computed in ``uint8``
  arithmetic (exact modulo 256, the missing code -1 being 255): each table has 256 rows laid
  out modulo 256, so missing codes need no remapping and no index is negative (``np.take`` in
  ``"wrap"`` mode branches on negative indices, and unpredictable branches cost more than the
  gather).
- **Rows of 32 bytes.** numpy copies a gathered row of 32 bytes without calling memmove, three
  to four times faster than 40: the level tables have four columns (see
  :func:`_level_columns`). Scale sums, scale counts and the answered count go in a second,
  narrow gather with the same row number, as integers packed into bit fields of one or two
  float64 columns (sums of integers below 2**53 are exact): a keyed value ``k / d`` is added as
  the numerator ``k`` over the scale's common denominator ``d``.
- **Each chunk is finished while it is in cache**, in a levels x respondents layout (so every
  operation runs over contiguous rows and no reduction runs along a 5-wide axis): softmax,
  entropy, expected level, SD, confidence and the argmax level are written straight into
  preallocated outputs. Memory beyond the outputs is O(chunk).

Grouping and the log odds against level 5 reorder the additions of weights, a rounding-level
difference from adding them one at a time (about 1e-14 on probabilities; the results do not
depend on the chunk size at all). Weights whose total could exceed ``_GROUP_BOUND`` are added
item by item with all five columns, in the order of the straightforward computation, so that
overflow (a non-finite posterior) happens exactly where it would there.

Examples
--------
>>> from akhlak_levels import load_questionnaire, simulate
>>> q = load_questionnaire("socio-emotional-levels")
>>> rs, _ = simulate(q, 10, random_state=0)
>>> s = score_codes(q, rs.codes, q.default_model)
>>> s.probabilities.shape, s.scale_scores.shape, bool((s.n_answered == q.n_items).all())
((10, 5), (10, 5), True)
"""

from __future__ import annotations

import math
from typing import Callable, NamedTuple

import numpy as np

from ..levels import N_LEVELS
from ..questionnaire import Item, Questionnaire
from ._links import cumulative_logit
from ._model import LevelModel

__all__ = ["DEFAULT_CHUNK", "Scores", "level_probabilities", "score_codes"]

#: Respondents scored at a time. A chunk's codes, accumulators and scratch take about 3.7 MB at
#: 8,192 (the per-chunk work stays in the L2 and L3 caches), and the ~200 numpy calls of a chunk
#: are paid less often than at 4,096 (measured 15-30% slower) or 2,048; at 65,536 the scratch no
#: longer fits and it is slower again. Memory beyond the outputs is O(DEFAULT_CHUNK).
DEFAULT_CHUNK = 8192

#: Rows of every group table: uint8 Horner numbers are exact modulo 256. The grouping depends on
#: the items' option counts only, so every caller (with or without scales) adds weights alike.
_TABLE_ROWS = 256

#: Items are grouped only when ``max |log prior| + sum_i max |w_i|`` is at most this; beyond it
#: they are added one at a time, as the straightforward computation does.
_GROUP_BOUND = 2.0**20

#: Bits of a packed float64 column (integers below 2**53 add exactly).
_PACK_BITS = 52

_LEVELS = np.arange(1.0, N_LEVELS + 1)[:, None]  # k = 1..5 as a 5 x 1 column


class Scores(NamedTuple):
    """What one pass of the kernel gives (the level results are None without a model).

    A respondent whose posterior is not finite (the summed weights overflowed) has NaN
    probabilities, entropy, expected level, SD and confidence; :func:`akhlak_levels.assess`
    gives them level 0 and the flag ``"non-finite-posterior"``. ``top`` is the argmax level
    1..5 (int8, the first of equal maxima) before any threshold.
    """

    probabilities: np.ndarray | None
    entropy: np.ndarray | None
    n_answered: np.ndarray
    scale_scores: np.ndarray
    expected: np.ndarray | None = None
    sd: np.ndarray | None = None
    confidence: np.ndarray | None = None
    top: np.ndarray | None = None
    scale_answered: np.ndarray | None = None  # (n, n_scales), a view of scales x n: items of each scale answered (keyed)


def _keyed(it: Item, reverse: bool | None = None) -> tuple[list[int | None], int]:
    """Per option, the numerator of its 0..1 keyed value, and the denominator (None: unkeyed).

    A Likert item is reversed where ``reverse``: its key in the scale at hand (keys per scale,
    :meth:`Scale.key`); None takes the item's global flag (the denominator does not depend on it).
    """
    if it.type == "likert":
        k: list[int | None] = list(range(it.n_options))
        return (k[::-1] if (it.reverse if reverse is None else reverse) else k), it.n_options - 1
    return [None if lv is None else lv - 1 for lv in it.option_levels], N_LEVELS - 1


class _Packing(NamedTuple):
    """Bit fields, in order: answered count, then per scale the numerator sum, then per scale
    the count of items answered with a keyed option. Fields of one column are consecutive."""

    column: list[int]  # per field, its packed column
    shift: list[int]
    mask: list[int]
    denominators: np.ndarray  # per scale
    size: np.ndarray  # items per scale
    n_columns: int

    @property
    def n_scales(self) -> int:
        return len(self.size)


def _packing(q: Questionnaire, item_scales: list[list[int]], n_scales: int) -> _Packing:
    size = [len(s.item_ids) for s in q.scales][:n_scales]
    den = [1] * n_scales
    for it, scales in zip(q.items, item_scales):
        for s in scales:
            if s < n_scales:
                den[s] = math.lcm(den[s], _keyed(it)[1])
    widths = [q.n_items.bit_length()] + [(d * n).bit_length() for d, n in zip(den, size)] + [n.bit_length() for n in size]
    column, shift, used, col = [], [], 0, 0
    for w in widths:
        if used + w > _PACK_BITS:
            col, used = col + 1, 0
        column.append(col)
        shift.append(used)
        used += w
    return _Packing(column, shift, [(1 << w) - 1 for w in widths], np.array(den, dtype=float), np.array(size, dtype=float), col + 1)


class _Plan(NamedTuple):
    groups: list[list[int]]  # item positions gathered together
    radices: list[list[int]]  # per group, the codes of each item (options + missing)
    levels: list[np.ndarray]  # per group, 256 x n_levels: summed level weights at the Horner number mod 256
    packed: list[np.ndarray]  # per group, 256 x packed columns: summed packed counts, likewise
    n_levels: int  # level columns: 0 without a model; 4 (see _level_columns) or 5
    packing: _Packing
    bounded: bool  # grouped: no sum of weights can overflow


def _level_columns(model: LevelModel, bounded: bool) -> tuple[np.ndarray, list[np.ndarray]]:
    """The log prior and per-item weight tables, in the columns the kernel sums.

    Four columns where they suffice, so that a gathered row is 32 bytes (numpy copies those
    without a call to memmove, three to four times faster than 40): an ordinal model's
    ``theta_k - eta`` for k = 1..4 (the fifth column is not used), and for a softmax model with
    bounded weights the log odds of levels 1..4 against level 5 (the softmax does not change
    when every logit moves by the same amount). Unbounded softmax weights keep all five
    columns, so that a sum overflows exactly where the straightforward computation's does.
    """
    if model.link == "cumulative-logit":
        return model.log_prior[: N_LEVELS - 1], [t[:, : N_LEVELS - 1] for t in model.tables]
    if bounded:
        return model.log_prior[:-1] - model.log_prior[-1], [t[:, :-1] - t[:, -1:] for t in model.tables]
    return model.log_prior, list(model.tables)


def _packed_rows(q: Questionnaire, packing: _Packing, scales: list[int], i: int) -> np.ndarray:
    """Row ``c`` (code ``c``; the last row code -1) of item ``i``'s packed counts, as integers."""
    it = q.items[i]
    packed = np.zeros((it.n_options + 1, packing.n_columns), dtype=np.int64)
    packed[:-1, packing.column[0]] += 1 << packing.shift[0]
    for s in scales:
        if s >= packing.n_scales:
            continue
        numerators, d = _keyed(it, q.scales[s].key(it.id) == -1)  # keyed as in this scale
        f, g = 1 + s, 1 + packing.n_scales + s
        mult = int(packing.denominators[s]) // d
        for c, num in enumerate(numerators):
            if num is not None:
                packed[c, packing.column[f]] += (num * mult) << packing.shift[f]
                packed[c, packing.column[g]] += 1 << packing.shift[g]
    return packed


def _group_table(rows: list[np.ndarray], radices: list[int], start: np.ndarray) -> np.ndarray:
    """The summed rows of every code combination of a group, at its Horner number modulo 256."""
    digits = np.indices(radices).reshape(len(radices), -1)  # row of each item's table
    total = np.broadcast_to(start.astype(float), (digits.shape[1], start.shape[0])).copy()
    horner = np.zeros(digits.shape[1], dtype=np.intp)
    for r, k, d in zip(rows, radices, digits):
        total += r[d]  # weights added in item order, after the start (the log prior)
        horner = horner * k + np.where(d == k - 1, -1, d)  # the last row is code -1
    table = np.zeros((_TABLE_ROWS, start.shape[0]))
    table[horner % _TABLE_ROWS] = total  # consecutive numbers, at most 256 of them: no collision
    return table


def _plan(q: Questionnaire, model: LevelModel | None, scales: bool) -> _Plan:
    item_scales: list[list[int]] = [[] for _ in q.items]
    for s_i, s in enumerate(q.scales):
        for iid in s.item_ids:
            item_scales[q.item_position(iid)].append(s_i)
    packing = _packing(q, item_scales, len(q.scales) if scales else 0)
    bounded = True
    if model is not None:
        bound = float(np.abs(model.log_prior).max()) + sum(float(np.abs(t).max()) for t in model.tables)
        bounded = bound <= _GROUP_BOUND
    groups: list[list[int]] = []
    for i, it in enumerate(q.items):
        if groups and bounded and math.prod(q.items[j].n_options + 1 for j in groups[-1]) * (it.n_options + 1) <= _TABLE_ROWS:
            groups[-1].append(i)
        else:
            groups.append([i])
    radices = [[q.items[i].n_options + 1 for i in g] for g in groups]
    prior, weights = _level_columns(model, bounded) if model is not None else (np.zeros(0), [])
    levels, packed = [], []
    for gi, (g, ks) in enumerate(zip(groups, radices)):
        if model is not None:
            with np.errstate(over="ignore", invalid="ignore"):  # unbounded: the log prior plus the first item's weights may overflow
                levels.append(_group_table([weights[i] for i in g], ks, prior if gi == 0 else np.zeros_like(prior)))
        zeros = np.zeros(packing.n_columns, dtype=np.int64)
        packed.append(_group_table([_packed_rows(q, packing, item_scales[i], i) for i in g], ks, zeros))
    return _Plan(groups, radices, levels, packed, len(prior), packing, bounded)


#: The plans of the last few (questionnaire, model) pairs scored, by identity: a plan depends
#: only on them (both immutable), and building one costs about 1 ms, which dominates scoring a
#: small batch (an embedded scorer, a stream of small batches). Entries hold the objects
#: themselves, so an id is never reused while its entry lives.
_PLANS: dict[tuple[int, int, bool], tuple[Questionnaire, LevelModel | None, _Plan]] = {}
_MAX_PLANS = 8


def _cached_plan(q: Questionnaire, model: LevelModel | None, scales: bool) -> _Plan:
    """:func:`_plan`, built once per (questionnaire, model, scales) among the last few used."""
    key = (id(q), id(model), scales)
    hit = _PLANS.get(key)
    if hit is not None and hit[0] is q and hit[1] is model:
        return hit[2]
    plan = _plan(q, model, scales)
    for table in (*plan.levels, *plan.packed):
        table.setflags(write=False)  # shared by every later call (and thread): read only
    if len(_PLANS) >= _MAX_PLANS:
        _PLANS.pop(next(iter(_PLANS)), None)  # the oldest (dicts keep insertion order)
    _PLANS[key] = (q, model, plan)
    return plan


class _Scratch(NamedTuple):
    """Per-chunk work arrays, allocated once: O(chunk) memory."""

    codes: np.ndarray  # items x m, uint8 (-1 is 255)
    horner: np.ndarray  # m, uint8
    wide: np.ndarray  # m, intp
    acc: np.ndarray  # m x levels
    gathered: np.ndarray  # m x levels
    packed: np.ndarray  # m x packed columns
    gathered_packed: np.ndarray  # m x packed columns
    levels: np.ndarray  # 5 x m
    probs: np.ndarray  # 5 x m
    product: np.ndarray  # 5 x m
    vector: np.ndarray  # m
    is_max: np.ndarray  # m, bool
    step: np.ndarray  # m, int8
    fields: np.ndarray  # fields x m, int64
    counts: np.ndarray  # 2 * scales x m
    scores: np.ndarray  # scales x m

    def head(self, m: int) -> _Scratch:
        """The same arrays for a last, shorter chunk of ``m`` respondents."""
        return _Scratch(*(a[:m] if name in _BY_RESPONDENT else a[:, :m] for name, a in zip(self._fields, self)))


#: The scratch arrays with respondents on their first axis (the others have them on the second).
_BY_RESPONDENT = frozenset({"horner", "wide", "acc", "gathered", "packed", "gathered_packed", "vector", "is_max", "step"})


def _scratch(plan: _Plan, n_items: int, m: int) -> _Scratch:
    nl, npk, ns = plan.n_levels, plan.packing.n_columns, plan.packing.n_scales
    return _Scratch(
        np.empty((n_items, m), dtype=np.uint8), np.empty(m, dtype=np.uint8), np.empty(m, dtype=np.intp),
        np.empty((m, nl)), np.empty((m, nl)), np.empty((m, npk)), np.empty((m, npk)),
        np.empty((N_LEVELS, m)), np.empty((N_LEVELS, m)), np.empty((N_LEVELS, m)), np.empty(m),
        np.empty(m, dtype=bool), np.empty(m, dtype=np.int8),
        np.empty((len(plan.packing.shift), m), dtype=np.int64), np.empty((2 * ns, m)), np.empty((ns, m)),
    )


def _accumulate(plan: _Plan, block: np.ndarray, w: _Scratch) -> None:
    """Sum the group tables' rows of one chunk (``block``: m x items) into ``w.acc`` and ``w.packed``."""
    codes = w.codes
    np.copyto(codes, block.T, casting="unsafe")  # codes -1..25 modulo 256: -1 is 255
    with_levels = bool(plan.levels)
    for gi, (g, ks) in enumerate(zip(plan.groups, plan.radices)):
        index = codes[g[0]]
        if len(g) > 1:  # uint8 arithmetic is modulo 256, as the tables are laid out
            index = w.horner
            np.multiply(codes[g[0]], ks[1], out=index)
            np.add(index, codes[g[1]], out=index)
            for j in range(2, len(g)):
                np.multiply(index, ks[j], out=index)
                np.add(index, codes[g[j]], out=index)
        if with_levels:  # widened once for both gathers
            np.copyto(w.wide, index, casting="unsafe")
            index = w.wide
            if gi == 0:
                np.take(plan.levels[0], index, axis=0, out=w.acc, mode="wrap")
            else:
                np.take(plan.levels[gi], index, axis=0, out=w.gathered, mode="wrap")
                np.add(w.acc, w.gathered, out=w.acc)
        if gi == 0:
            np.take(plan.packed[0], index, axis=0, out=w.packed, mode="wrap")
        else:
            np.take(plan.packed[gi], index, axis=0, out=w.gathered_packed, mode="wrap")
            np.add(w.packed, w.gathered_packed, out=w.packed)


class _LevelOut(NamedTuple):
    probs: np.ndarray
    entropy: np.ndarray
    expected: np.ndarray
    sd: np.ndarray
    confidence: np.ndarray
    top: np.ndarray


def _levels_block(model: LevelModel, plan: _Plan, w: _Scratch, out: _LevelOut) -> None:
    """Level results of one chunk (summed level columns in ``w.acc``), written into ``out``.

    A respondent whose summed log posterior or entropy is not finite (weights so large that a
    sum overflows) gets NaN probabilities, entropy, expected level, SD and confidence.
    """
    lt, pt, entropy = w.levels, w.probs, out.entropy  # 5 x m: every operation on contiguous rows
    with np.errstate(over="ignore", invalid="ignore"):
        if model.link == "cumulative-logit":
            finite = None if plan.bounded else np.isfinite(w.acc).all(axis=1)
            p = cumulative_logit(w.acc)
            with np.errstate(divide="ignore"):
                entropy[:] = -np.where(p > 0, p * np.log(p), 0.0).sum(axis=1)
            np.copyto(pt, p.T)
        else:
            np.copyto(lt[: plan.n_levels], w.acc.T)
            lt[plan.n_levels :] = 0.0  # log odds against level 5
            finite = None if plan.bounded else np.isfinite(lt).all(axis=0)
            total = w.vector
            np.max(lt, axis=0, out=total)
            lt -= total  # shifted so that the largest is 0
            np.exp(lt, out=pt)
            np.sum(pt, axis=0, out=total)
            pt /= total
            # entropy = log(total) - sum p * logit  (logit shifted so max is 0)
            np.log(total, out=entropy)
            np.multiply(pt, lt, out=w.product)
            entropy -= np.sum(w.product, axis=0, out=total)
        ok = np.isfinite(entropy)  # e.g. logits so far apart that shifting them overflowed
        if finite is not None:
            ok &= finite
        if not ok.all():
            pt[:, ~ok] = np.nan
            entropy[~ok] = np.nan
        _summaries(pt, out, w)


def _summaries(pt: np.ndarray, out: _LevelOut, w: _Scratch) -> None:
    """Confidence, argmax level, expected level and SD of one chunk's probabilities (5 x m)."""
    conf, top, is_max, step, product, moments = out.confidence, out.top, w.is_max, w.step, w.product, w.vector
    np.max(pt, axis=0, out=conf)
    top[:] = 1  # also for a NaN row, like argmax
    for k in range(N_LEVELS - 1, -1, -1):  # the first of equal maxima wins, like argmax
        np.equal(pt[k], conf, out=is_max)
        np.subtract(k + 1, top, out=step)  # top = k + 1 where is_max, without a branch per respondent
        step *= is_max
        top += step
    np.multiply(pt, _LEVELS, out=product)  # sum_k k p_k, row by row: no BLAS, whose rounding may depend on the chunk
    np.sum(product, axis=0, out=out.expected)
    # sum_k p_k (k - mean)^2 in two passes: E[k^2] - mean^2 would lose the digits of a small SD
    # (at SD 1e-3 only 8 digits were right, and they changed with the chunk)
    np.subtract(_LEVELS, out.expected, out=product)
    np.square(product, out=product)
    product *= pt
    np.sum(product, axis=0, out=moments)
    np.sqrt(moments, out=out.sd)
    out.probs[:] = pt.T


def _scales_block(
    packing: _Packing, w: _Scratch, n_answered: np.ndarray, scores: np.ndarray | None, min_answered: float,
    answered: np.ndarray | None = None,
) -> None:
    """Answered counts and 0-100 scale scores of one chunk from its packed columns (``w.packed``),
    and into ``answered`` (scales x chunk) the items of each scale answered with a keyed option.

    A scale score is NaN where too few of the scale's items are answered.
    """
    fields = w.fields
    column = None
    for f, (c, shift, mask) in enumerate(zip(packing.column, packing.shift, packing.mask)):
        if c != column:
            column, x = c, w.packed[:, c].astype(np.int64)
        np.right_shift(x, shift, out=fields[f])
        np.bitwise_and(fields[f], mask, out=fields[f])
    n_answered[:] = fields[0]
    if scores is None or not packing.n_scales:
        return
    k = packing.n_scales
    if answered is not None:  # the per-scale counts, already unpacked, copied row by row: 1 ms per
        np.copyto(answered, fields[1 + k :], casting="unsafe")  # million x 7 scales (5 ms transposed)
    counts, st = w.counts, w.scores
    np.copyto(counts, fields[1:], casting="unsafe")  # sums then counts, as floats
    with np.errstate(invalid="ignore", divide="ignore"):
        np.divide(counts[:k], packing.denominators[:, None], out=st)
        st *= 100.0
        st /= counts[k:]  # 0 / 0: nothing answered, NaN
    np.copyto(st, np.nan, where=counts[k:] < (min_answered * packing.size - 1e-9)[:, None])
    scores[:] = st.T


def score_codes(
    q: Questionnaire,
    codes: np.ndarray,
    model: LevelModel | None,
    *,
    min_answered: float = 0.5,
    chunk_size: int = DEFAULT_CHUNK,
    progress: Callable[[int, int], None] | None = None,
    scales: bool = True,
) -> Scores:
    """Score an integer code matrix (respondents x items, ``MISSING`` for no answer) in one pass.

    The caller has checked that ``model`` belongs to ``q`` and that codes are in range. With
    ``scales=False`` the scale scores are left out (all NaN). Memory beyond the outputs is
    O(``chunk_size``).
    """
    n = codes.shape[0]
    with_scales = scales and bool(q.scales)
    plan = _cached_plan(q, model, with_scales)
    n_answered = np.empty(n, dtype=np.int32)
    scale_scores = np.empty((n, len(q.scales))) if with_scales else np.full((n, len(q.scales)), np.nan)
    answered = np.empty((len(q.scales), n), dtype=_answered_dtype(q)) if with_scales else None  # scales x n
    out = None
    if model is not None:
        out = _LevelOut(np.empty((n, N_LEVELS)), np.empty(n), np.empty(n), np.empty(n), np.empty(n), np.empty(n, dtype=np.int8))
    step = max(1, min(int(chunk_size), n))
    work = _scratch(plan, q.n_items, step)
    for start in range(0, n, step):
        stop = min(n, start + step)
        if stop - start < step:
            work = work.head(stop - start)
        with np.errstate(over="ignore", invalid="ignore"):  # unbounded weights: a sum may overflow
            _accumulate(plan, codes[start:stop], work)
        if model is not None and out is not None:
            _levels_block(model, plan, work, _LevelOut(*(a[start:stop] for a in out)))
        _scales_block(
            plan.packing, work, n_answered[start:stop], scale_scores[start:stop] if with_scales else None, min_answered,
            None if answered is None else answered[:, start:stop],
        )
        if progress is not None:
            progress(stop, n)
    per_scale = None if answered is None else answered.T  # n x scales (Fortran order)
    if out is None:
        return Scores(None, None, n_answered, scale_scores, scale_answered=per_scale)
    return Scores(out.probs, out.entropy, n_answered, scale_scores, out.expected, out.sd, out.confidence, out.top, per_scale)


def _answered_dtype(q: Questionnaire) -> np.dtype:
    """The smallest unsigned integer dtype that holds every scale's item count (uint8 up to 255 items)."""
    return np.min_scalar_type(max([len(s.item_ids) for s in q.scales], default=0))


def level_probabilities(model: LevelModel, q: Questionnaire, codes: np.ndarray, *, chunk_size: int = DEFAULT_CHUNK) -> np.ndarray:
    """Level probabilities (n x 5) of an integer code matrix under ``model``."""
    probs = score_codes(q, codes, model, chunk_size=chunk_size, scales=False).probabilities
    assert probs is not None
    return probs
