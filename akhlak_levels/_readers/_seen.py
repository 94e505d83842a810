"""Respondent ids seen in earlier batches of one source: a repeat is refused naming both rows.

:class:`SeenIds` checks each batch as it comes (streaming); :class:`LaterIds` checks a whole-file
read once at its end, raising what the batch-by-batch check would have raised.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import Problem, ResponseError

#: The most problems one error lists (as ``_fields.MAX_PROBLEMS``).
MAX_PROBLEMS = 10_000


class SeenIds:
    """The ids of earlier batches, sorted as UTF-8 bytes with their rows: a repeat is found by one
    binary search per id of a new batch (the first batch costs nothing). While the ids are the
    numbers 1, 2, ... in order (respondents numbered for want of an id column), only their rows
    are kept: they cannot repeat, and a later batch of other ids is checked against them too."""

    def __init__(self) -> None:
        self.ids: np.ndarray | None = None
        self.rows = np.empty(0, dtype=np.int64)
        self.counted: int | None = 0  # while every id so far is "1", "2", ... (numbered): how many
        self.counted_rows: list[np.ndarray] = []

    def done(self, failed: bool = False) -> None:
        """Every batch was checked as it came."""

    def add(self, rid: np.ndarray, rows: np.ndarray, file: str | None, arrow: Any = None) -> None:
        if self.counted is not None:  # numbered respondents cannot repeat: keep nothing per id
            if np.array_equal(np.asarray(rid, dtype=str), np.arange(self.counted + 1, self.counted + len(rid) + 1).astype(str)):
                self.counted += len(rid)
                self.counted_rows.append(np.asarray(rows, dtype=np.int64))
                return
            if self.counted:  # ids of another kind after numbered ones: the numbered ones are seen too
                ids = _utf8(np.arange(1, self.counted + 1).astype(str))
                order = np.argsort(ids, kind="stable")
                self.ids, self.rows = ids[order], np.concatenate(self.counted_rows)[order]
            self.counted, self.counted_rows = None, []
        encoded = _utf8(np.asarray(rid, dtype=str))
        if self.ids is not None and len(self.ids) and len(encoded):
            at = np.minimum(np.searchsorted(self.ids, encoded), len(self.ids) - 1)
            again = np.flatnonzero(self.ids[at] == encoded)
            if len(again):
                problems = [
                    Problem(f"duplicate respondent id, on rows {[int(self.rows[at[k]]), int(rows[k])]}",
                            file=file, row=int(rows[k]), respondent=str(rid[k]))
                    for k in again[:MAX_PROBLEMS].tolist()
                ]
                raise ResponseError("Respondent ids must be unique:", problems, total=len(again))
        ids = encoded if self.ids is None else np.concatenate([self.ids, encoded])
        rows = np.concatenate([self.rows, np.asarray(rows, dtype=np.int64)])
        order = np.argsort(ids, kind="stable")
        self.ids, self.rows = ids[order], rows[order]


class LaterIds:
    """The across-batch check of a whole-file read, once at its end: a 64-bit hash of every id
    (:func:`id_hashes`), sorted once; when no two hashes are equal no id repeats, else (and when a
    later batch failed) :class:`SeenIds` is replayed over the batches, raising as a batch-by-batch
    check would. A fault met in a later batch is raised only when the batches before it hold no
    repeated id (a batch-by-batch check would have stopped there first)."""

    def __init__(self) -> None:
        self.batches: list[tuple[np.ndarray, np.ndarray, str | None]] = []

    def add(self, rid: np.ndarray, rows: np.ndarray, file: str | None, arrow: Any = None) -> None:
        self.batches.append((rid, rows, file))

    def done(self, failed: bool = False) -> None:
        """Check the batches read (raise the first repeat a batch-by-batch check would meet)."""
        if len(self.batches) < 2:
            return
        if not failed and all(rid.dtype.kind == "U" for rid, _, _ in self.batches):
            hashes = np.concatenate([id_hashes(rid) for rid, _, _ in self.batches])
            hashes.sort()
            if not (hashes[1:] == hashes[:-1]).any():
                return
        seen = SeenIds()
        for batch in self.batches:
            seen.add(*batch)


_FNV_START, _FNV_PRIME = np.uint64(14695981039346656037), np.uint64(1099511628211)


def id_hashes(rid: np.ndarray) -> np.ndarray:
    """A 64-bit hash (FNV-1a over code points, NULs skipped) of each id of a numpy text array:
    ids numpy holds equal (whatever the array's width) have equal hashes."""
    width = rid.dtype.itemsize // 4
    h = np.full(len(rid), _FNV_START, dtype=np.uint64)
    points = rid.view(np.uint32).reshape(len(rid), width) if width and len(rid) else np.zeros((len(rid), 0), np.uint32)
    for c in range(points.shape[1]):
        p = points[:, c].astype(np.uint64)
        h = np.where(p != 0, (h ^ p) * _FNV_PRIME, h)
    return h


def _utf8(ids: np.ndarray) -> np.ndarray:
    """Ids as UTF-8 bytes (a quarter of numpy's text); ASCII ids are narrowed without a codec."""
    width = ids.dtype.itemsize // 4
    if not len(ids) or not width:
        return np.zeros(len(ids), dtype="S1")
    points = ids.view(np.uint32).reshape(len(ids), width)
    if int(points.max()) < 128:
        return points.astype(np.uint8).view(f"S{width}").ravel()
    return np.char.encode(ids, "utf-8")
