"""Counting kernels of the culture map: votes by (row, question, behaviour) with one
``np.bincount``, group means and delta-method standard errors (the Wilson interval is the ground floor's, re-exported).

A "row" is a table row of the culture map: row 0 is everyone, rows 1.. the groups. A respondent
enters row 0 and the row of their group, so each kernel takes the respondents' positions
``sel`` and the rows ``rows`` they are counted in (both of the same length).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from typing import NamedTuple

from .._intervals import wilson_interval

__all__ = ["RowParts", "Tallies", "count_votes", "label_codes", "merge_tallies", "row_mean_se", "se_of_mean", "wilson_interval"]


def count_votes(picks: np.ndarray, sel: np.ndarray | None, rows: np.ndarray, n_rows: int, n_behaviours: int) -> np.ndarray:
    """Votes per (row, question, behaviour), shape (n_rows, Q, B), from the picks (n, Q, P) of the
    respondents at positions ``sel`` (None: everyone, in order), counted in ``rows``.

    Examples
    --------
    >>> picks = np.array([[[0, 1]], [[1, -1]]], dtype=np.int16)   # 2 respondents, 1 question
    >>> count_votes(picks, np.array([0, 1, 1]), np.array([0, 0, 1]), 2, 3).tolist()
    [[[1, 2, 0]], [[0, 1, 0]]]
    """
    n_q = picks.shape[1]
    width = n_behaviours + 1  # bin 0 of each row takes the empty pick slots (-1), so no mask is needed
    out = np.empty((n_rows, n_q, n_behaviours), dtype=np.int64)
    base = (rows.astype(np.intp) * width + 1)[:, None]  # (m, 1), intp as np.bincount wants it (no cast)
    key = np.empty((len(rows), picks.shape[2]), dtype=np.intp)  # one (m, P) buffer for every question
    for qi in range(n_q):
        p = picks[:, qi] if sel is None else picks[sel, qi]
        np.add(base, p, out=key)
        out[:, qi] = np.bincount(key.ravel(), minlength=n_rows * width).reshape(n_rows, width)[:, 1:]
    return out


def row_mean_se(y: np.ndarray, rows: np.ndarray, n_rows: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per row: the count, the mean of ``y`` (m,) or (m, k) and the standard error of that mean
    (sample variance with ``n - 1``, NaN under two people).

    Examples
    --------
    >>> n, mean, se = row_mean_se(np.array([1.0, 3.0, 5.0]), np.array([0, 0, 1]), 2)
    >>> n.tolist(), mean.tolist(), se.round(6).tolist()[0]
    ([2.0, 1.0], [2.0, 5.0], 1.0)
    """
    y2 = y.reshape(y.shape[0], int(np.prod(y.shape[1:], dtype=np.int64)))
    n = np.bincount(rows, minlength=n_rows).astype(float)
    s = np.stack([np.bincount(rows, weights=y2[:, j], minlength=n_rows) for j in range(y2.shape[1])], axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = s / n[:, None]
        dev = y2 - mean[rows]
        ss = np.stack([np.bincount(rows, weights=dev[:, j] ** 2, minlength=n_rows) for j in range(y2.shape[1])], axis=1)
        se = np.where(n[:, None] > 1, np.sqrt(ss / np.maximum(n[:, None] - 1, 1) / n[:, None]), np.nan)
    shape = (n_rows,) + y.shape[1:]
    return n, mean.reshape(shape), se.reshape(shape)


def se_of_mean(ss: np.ndarray, n: np.ndarray) -> np.ndarray:
    """The standard error of each row's mean from its sum of squared deviations ``ss`` (R, k)
    and its count ``n`` (R,): sample variance with ``n - 1``, NaN under two people.

    Examples
    --------
    >>> se_of_mean(np.array([[8.0], [0.0]]), np.array([3.0, 1.0])).round(6).tolist()
    [[1.154701], [nan]]
    """
    m = np.asarray(n, dtype=float)[:, None]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(m > 1, np.sqrt(ss / np.maximum(m - 1, 1) / m), np.nan)


class RowParts:
    """The respondents of a culture map's rows, in parts that are never gathered into one array.

    Each part is ``(positions, rows)``: the respondents' positions (None for all, in order) and
    the row each is counted in, one int for the whole part (row 0, everyone) or an array (the
    groups). A respondent may be in several parts (everyone's row and their group's).

    Sums run over each row's respondents in their order, with one flat ``np.bincount`` per part
    over (row, column), as one ``np.bincount`` per column over all parts concatenated would; so
    :meth:`mean_se` gives bit for bit what :func:`row_mean_se` gives over the concatenation,
    without copying anyone twice.

    Examples
    --------
    >>> parts = RowParts([(None, 0), (np.array([0, 2]), np.array([1, 1]))], 2, 3)
    >>> y = parts.take(np.array([1.0, 3.0, 5.0]))
    >>> parts.n.tolist(), parts.sums(y).ravel().tolist()
    ([3.0, 2.0], [9.0, 6.0])
    >>> mean, se = parts.mean_se(y)
    >>> mean.ravel().tolist(), se.ravel().round(6).tolist()
    ([3.0, 3.0], [1.154701, 2.0])
    """

    def __init__(self, parts: list[tuple[np.ndarray | None, np.ndarray | int]], n_rows: int, n_total: int) -> None:
        self.parts = parts
        self.n_rows = n_rows
        n = np.zeros(n_rows)
        for pos, rows in parts:
            if isinstance(rows, (int, np.integer)):
                n[rows] += n_total if pos is None else len(pos)
            else:
                n += np.bincount(rows, minlength=n_rows)
        self.n = n
        self._keys: dict[tuple[int, int], np.ndarray] = {}

    def take(self, y: np.ndarray) -> list[np.ndarray]:
        """Each part's rows of ``y`` (m,) or (m, k), as (m_p, k) arrays."""
        y2 = y.reshape(len(y), int(np.prod(y.shape[1:], dtype=np.int64)))
        return [y2 if pos is None else y2[pos] for pos, _ in self.parts]

    def _key(self, p: int, k: int, m: int) -> np.ndarray:
        """The flat (row, column) bin of every cell of part ``p`` at width ``k``."""
        if (p, k) not in self._keys:
            rows = self.parts[p][1]
            if k == 1 and not isinstance(rows, (int, np.integer)):
                self._keys[p, k] = rows.astype(np.intp, copy=False)
            elif isinstance(rows, (int, np.integer)):
                self._keys[p, k] = np.tile(np.arange(k, dtype=np.intp) + int(rows) * k, m)
            else:
                key = np.multiply(rows.astype(np.intp, copy=False)[:, None], k, out=np.empty((len(rows), k), dtype=np.intp))
                self._keys[p, k] = np.add(key, np.arange(k, dtype=np.intp), out=key).ravel()
        return self._keys[p, k]

    def sums(self, ys: list[np.ndarray]) -> np.ndarray:
        """Per row and column, the sum over the row's respondents: shape (n_rows, k)."""
        k = ys[0].shape[1]
        out = np.zeros(self.n_rows * k)
        for p, y in enumerate(ys):
            out += np.bincount(self._key(p, k, len(y)), weights=y.ravel(), minlength=self.n_rows * k)
        return out.reshape(self.n_rows, k)

    def ss(self, ys: list[np.ndarray], mean: np.ndarray) -> np.ndarray:
        """Per row and column, the sum of squared deviations from ``mean`` (n_rows, k)."""
        return self.sums([self.deviation(y, mean, p) ** 2 for p, y in enumerate(ys)])

    def deviation(self, y: np.ndarray, mean: np.ndarray, p: int, out: np.ndarray | None = None) -> np.ndarray:
        """``y`` (part ``p``'s values) minus the mean of each one's row, into ``out`` if given."""
        rows = self.parts[p][1]
        if isinstance(rows, (int, np.integer)):
            return np.subtract(y, mean[rows][None, :], out=out)
        centre = mean.take(rows, axis=0)
        return np.subtract(y, centre, out=centre if out is None else out)

    def se(self, ss: np.ndarray) -> np.ndarray:
        """The standard error of each row's mean from its sum of squared deviations (sample
        variance with ``n - 1``, NaN under two people)."""
        return se_of_mean(ss, self.n)

    def mean_se(self, ys: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """Per row and column the mean and its standard error (two passes), as
        :func:`row_mean_se`."""
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = self.sums(ys) / self.n[:, None]
        return mean, self.se(self.ss(ys, mean))


def label_codes(labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The sorted distinct labels and each label's position among them, as ``np.unique(...,
    return_inverse=True)`` gives them, found by hashing (a sort of the few distinct labels only).
    A numpy text array is hashed as it lies in memory (fixed-width UCS-4, zero padded, so equal
    labels are equal bytes), without converting each label to a Python or Arrow string."""
    w = labels.dtype.itemsize
    if labels.dtype.kind == "U" and len(labels) and w:
        data = pa.py_buffer(np.ascontiguousarray(labels).view(np.uint8))
        enc = pa.FixedSizeBinaryArray.from_buffers(pa.binary(w), len(labels), [None, data]).dictionary_encode()
        d = enc.dictionary
        distinct = np.frombuffer(d.buffers()[1], dtype=labels.dtype, count=len(d), offset=d.offset * w)
    else:
        enc = pa.array(labels, type=pa.string()).dictionary_encode()
        distinct = enc.dictionary.to_numpy(zero_copy_only=False).astype(str)
    order = np.argsort(distinct, kind="stable")
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    return distinct[order], rank[enc.indices.to_numpy(zero_copy_only=False)]


class Tallies(NamedTuple):
    """Whole-number tallies of a culture map's respondents per group label (sorted; ``""``: no
    label), which add up exactly across parts of the respondents (:func:`merge_tallies`)."""

    keys: np.ndarray
    n: np.ndarray  # (K,) respondents
    n_ans: np.ndarray  # (K, Q) who answered each question
    votes: np.ndarray  # (K, Q, B)
    m: np.ndarray  # (K,) who answered the current question
    s: np.ndarray  # (K, k) sums of u
    s2: np.ndarray  # (K, k, k) sums of u u^T
    cross: tuple[tuple[np.ndarray, np.ndarray, np.ndarray], ...]  # per other grouping: (label, other, count)


def merge_tallies(*parts: Tallies | None) -> Tallies | None:
    """The tallies of several partitions added per label (exact: whole numbers)."""
    ts = [t for t in parts if t is not None]
    if len(ts) < 2:
        return ts[0] if ts else None
    keys = np.unique(np.concatenate([t.keys for t in ts]))
    pos = [np.searchsorted(keys, t.keys) for t in ts]

    def add(field: str) -> np.ndarray:
        first = getattr(ts[0], field)
        out = np.zeros((len(keys),) + first.shape[1:], dtype=np.int64)
        for p, t in zip(pos, ts):
            out[p] += getattr(t, field)
        return out

    cross = []
    for i in range(len(ts[0].cross)):
        g = np.concatenate([t.cross[i][0] for t in ts])
        o = np.concatenate([t.cross[i][1] for t in ts])
        c = np.concatenate([t.cross[i][2] for t in ts])
        onames, ocode = label_codes(o.astype(str))
        pair = np.searchsorted(keys, g) * max(len(onames), 1) + ocode
        tot = np.bincount(pair, weights=c, minlength=len(keys) * len(onames)).astype(np.int64)
        nz = np.flatnonzero(tot)
        cross.append((keys[nz // max(len(onames), 1)], onames[nz % max(len(onames), 1)], tot[nz]))
    return Tallies(keys, add("n"), add("n_ans"), add("votes"), add("m"), add("s"), add("s2"), tuple(cross))
