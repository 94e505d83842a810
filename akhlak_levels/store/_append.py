"""Adding one wave from batches of assessments, in one transaction, in bounded memory.

:meth:`WaveBatches.add_batches` stores the batches of a wave as :meth:`AssessmentStore.add`
stores their concatenation, byte for byte: each chunk of 65,536 respondents is written (by
``_columns.write_parts``) as soon as it is full, and the rows left over wait for the next batch.
Memory beyond the current batch is one chunk plus the ids seen so far (kept sorted, as stored,
ASCII ids as bytes: 32 bytes per pseudonymised respondent), which a repeat anywhere in the wave is
checked against. Everything runs in one ``BEGIN IMMEDIATE ... COMMIT``: a repeated id, a batch
unlike the first, or any exception of the iterable rolls the whole wave back.

A flag that appears only in a later batch is added to the wave's flag names (in the order they
first appear, as :meth:`Flags.merge` unions them) and is False for the respondents of batches
without it; the chunks already written with fewer flags get the missing columns at the end.
"""

from __future__ import annotations

import json
import sqlite3
from typing import TYPE_CHECKING, Any, Iterable

import numpy as np

from .._validation import param_error
from ..assessment import Assessment
from ..errors import StoreError
from . import _columns, _rows
from ._layout import COUNTS_VERSION, WRITABLE, insert_wave_row, needs_upgrade, wave_name

#: What every batch of a wave must share with the first: the identity of the questionnaire and
#: model, the thresholds, the scales and groups, and which optional parts it has.
_SAME = (
    "questionnaire_id", "questionnaire_version", "questionnaire_hash", "model_hash", "model_kind",
    "min_confidence", "min_answered", "scale_ids", "group_names", "has_levels", "has_index", "has_unit", "has_date",
    "scale_design",
)


def _identity(a: Assessment) -> dict[str, Any]:
    return {
        "questionnaire_id": a.questionnaire_id, "questionnaire_version": a.questionnaire_version,
        "questionnaire_hash": a.questionnaire_hash, "model_hash": a.model_hash, "model_kind": a.model_kind,
        "min_confidence": float(a.min_confidence), "min_answered": float(a.min_answered),
        "scale_ids": tuple(a.scale_ids), "group_names": tuple(a.groups), "has_levels": a.probabilities is not None,
        "has_index": a.index is not None, "has_unit": a.unit is not None, "has_date": a.date is not None,
        "scale_design": None if a.scale_answered is None or a.scale_n_items is None or a.scale_steps is None
        else (tuple(int(k) for k in a.scale_n_items), tuple(float(h) for h in a.scale_steps)),
    }


def _compact(ids: np.ndarray) -> np.ndarray:
    """Ids as stored, ASCII text narrowed to bytes (a quarter of numpy's text)."""
    if ids.dtype.kind != "U" or not len(ids):
        return ids
    width = ids.dtype.itemsize // 4
    points = np.ascontiguousarray(ids).view(np.uint32).reshape(len(ids), width)
    if width and int(points.max()) >= 128:
        return ids
    return points.astype(np.uint8).view(f"S{max(width, 1)}").reshape(len(ids)) if width else ids.astype("S1")


class _SeenIds:
    """The stored ids of the wave so far, sorted; a new batch is checked by one binary search per
    id and merged in by one ``np.insert``."""

    def __init__(self) -> None:
        self.ids: np.ndarray | None = None

    def add(self, stored: np.ndarray, clear: np.ndarray, name: str, batch: int) -> None:
        new = _compact(stored)
        if self.ids is None:
            self.ids = np.sort(new)
            return
        kind = np.promote_types(self.ids.dtype, new.dtype)
        self.ids, new = self.ids.astype(kind, copy=False), new.astype(kind, copy=False)
        if len(self.ids) and len(new):
            at = np.minimum(np.searchsorted(self.ids, new), len(self.ids) - 1)
            again = self.ids[at] == new
            if again.any():
                repeated = np.unique(clear[again])[:5].tolist()
                raise StoreError(
                    f"Cannot add wave {name!r}: respondent ids must be unique within a wave; repeated: {repeated} "
                    f"(in batch {batch} and an earlier one). Nothing was stored."
                )
        new = np.sort(new)
        self.ids = np.insert(self.ids, np.searchsorted(self.ids, new), new)


class _WaveWriter:
    """The chunks of one wave written as its batches come (in the caller's transaction)."""

    def __init__(self, con: sqlite3.Connection, name: str, key: bytes | None) -> None:
        self.con, self.name, self.key = con, name, key
        self.first: dict[str, Any] | None = None
        self.kinds: dict[str, tuple[str, int]] = {}
        self.flags: list[str] = []
        self.pending: list[dict[str, np.ndarray]] = []
        self.held = self.n = self.chunk = self.batch = 0
        self.widths: dict[int, int] = {}  # flags written per chunk
        self.seen = _SeenIds()

    def add(self, a: Assessment, position: int) -> None:
        self.batch += 1
        if not isinstance(a, Assessment):
            raise param_error("add_batches", f"batch {self.batch}", "an Assessment", a, error=TypeError, shown=type(a).__name__)
        _rows.check_assessment(a, self.name)
        self._check_like_first(a)
        clear = np.asarray(a.respondent_ids, dtype=str)
        ids = _columns.stored_ids(clear, self.key, self.name)
        self.seen.add(ids, clear, self.name, self.batch)
        if self.first is None:
            self.first = _identity(a)
            info = insert_wave_row(self.con, self.name, position, a)
            self.kinds = _columns.part_kinds(info)
        self.flags += [f for f in a.flags.names if f not in self.flags]
        arrays = _columns.wave_arrays(a, ids)
        arrays["flags"] = self._aligned(a.flags.names, a.flags.values, len(a))
        if len(a):
            self.pending.append(arrays)
        self.held += len(a)
        self.n += len(a)
        self._flush(final=False)

    def _check_like_first(self, a: Assessment) -> None:
        if self.first is None:
            return
        mine = _identity(a)
        differ = [k for k in _SAME if mine[k] != self.first[k]]
        if differ:
            shown = "; ".join(f"{k} {mine[k]!r}, not {self.first[k]!r}" for k in differ)
            raise StoreError(
                f"Cannot add wave {self.name!r}: batch {self.batch} differs from the first batch in {shown}. Every "
                "batch of a wave must be scored with the same questionnaire, model and thresholds, with the same "
                "scales, groups and optional columns (unit, date, levels, index, per-scale answered counts). "
                "Nothing was stored."
            )

    def _aligned(self, names: tuple[str, ...], values: np.ndarray, n: int) -> np.ndarray:
        """Flag columns ``names`` placed at their positions among the wave's flags so far."""
        if list(names) == self.flags:
            return values
        out = np.zeros((n, len(self.flags)), dtype=bool)
        out[:, [self.flags.index(f) for f in names]] = values
        return out

    def _flush(self, final: bool) -> None:
        """Write every full chunk held (and, when ``final``, the rest)."""
        while self.held >= _columns.CHUNK_ROWS or (final and self.held):
            rows = min(self.held, _columns.CHUNK_ROWS)
            _columns.write_parts(self.con, self.name, self.kinds, self._take(rows), rows, first_chunk=self.chunk)
            self.widths[self.chunk] = len(self.flags)
            self.chunk += 1
            self.held -= rows

    def _take(self, rows: int) -> dict[str, np.ndarray]:
        """The first ``rows`` rows held, by part (views when one batch holds them all)."""
        pieces: list[dict[str, np.ndarray]] = []
        need = rows
        while need:
            head = self.pending[0]
            k = len(head["respondent_id"])
            if k <= need:
                pieces.append(self.pending.pop(0))
                need -= k
            else:
                pieces.append({p: v[:need] for p, v in head.items()})
                self.pending[0] = {p: v[need:] for p, v in head.items()}
                need = 0
        width = len(self.flags)
        for piece in pieces:  # flags of batches before a new flag appeared: False for it
            f = piece["flags"]
            if f.shape[1] < width:
                piece["flags"] = np.concatenate([f, np.zeros((len(f), width - f.shape[1]), dtype=bool)], axis=1)
        if len(pieces) == 1:
            return pieces[0]
        return {p: np.concatenate([piece[p] for piece in pieces]) for p in pieces[0]}

    def finish(self) -> int:
        """Write the rest, widen the flags of chunks written before a flag appeared, and record
        the wave's final size and flag names; the number of respondents."""
        if self.first is None:
            raise StoreError(f"Cannot add wave {self.name!r}: no batches were given. Nothing was stored.")
        self._flush(final=True)
        width = len(self.flags)
        for chunk, had in self.widths.items():
            if had == width:
                continue
            (data,) = self.con.execute(
                "SELECT data FROM wave_columns WHERE wave = ? AND chunk = ? AND part = 'flags'", (self.name, chunk)
            ).fetchone()
            old = np.frombuffer(data, dtype=bool).reshape(-1, had)
            wide = np.zeros((len(old), width), dtype=bool)
            wide[:, :had] = old
            self.con.execute(
                "UPDATE wave_columns SET dtype = ?, n_rows = ?, width = ?, data = ? WHERE wave = ? AND chunk = ? AND part = 'flags'",
                (*_columns.encode("b1", wide), self.name, chunk),
            )
        self.con.execute(
            "UPDATE waves SET n = ?, flag_names = ? WHERE wave = ?", (self.n, json.dumps(self.flags), self.name)
        )
        return self.n


class WaveBatches:
    """:meth:`add_batches` of :class:`AssessmentStore` (a mixin)."""

    if TYPE_CHECKING:
        path: str
        _version: int
        _pseudonymized: bool

        def _writing(self) -> Any: ...

        def _need_key(self) -> bytes: ...

        def _position_of_new_wave(self, con: sqlite3.Connection, name: str, replace: bool) -> int: ...

    def add_batches(self, batches: Iterable[Assessment], *, wave: str | int, replace: bool = False) -> int:
        """Store the batches of one wave as one wave, in one transaction, in bounded memory.

        The result is the one :meth:`add` gives for the batches concatenated, byte for byte
        (only the time ``added`` differs), but memory is bounded by a batch and one chunk of
        65,536 respondents (plus the ids seen so far), not by the wave: a scoring pipeline can
        store a national file while reading it batch by batch.

        Parameters
        ----------
        batches : iterable of Assessment
            The batches, in order, e.g. a generator that reads and scores a file batch by batch.
            Each is taken and written before the next is asked for. Every batch must have the
            first's questionnaire, model, thresholds, scales, groups and optional columns; a flag
            may appear in any batch (it is False for the respondents of batches without it).
            Empty batches are allowed, but at least one batch must come.
        wave : str or int
            The wave's name (stored as text), as in :meth:`add`.
        replace : bool, default=False
            As in :meth:`add`: an existing wave is refused, or replaced in the same transaction
            (it survives if anything fails).

        Returns
        -------
        int
            The number of respondents stored.

        Raises
        ------
        StoreError
            The wave exists and ``replace`` is False (checked before the first batch is asked
            for); a respondent id is empty or repeated (within a batch or across batches: the
            error names it); a batch differs from the first; no batch came; the store needs a key.
            Nothing is stored then, and any exception raised by ``batches`` itself leaves the
            store as it was too.

        Notes
        -----
        The write lock (``BEGIN IMMEDIATE``) is held from the first batch to the last, so other
        writers wait for the whole wave (up to their ``timeout``); readers are not blocked and
        see the wave only when it is complete. Ids are pseudonymised as :meth:`add` does.

        Examples
        --------
        >>> import os, tempfile
        >>> from akhlak_levels import assess, load_questionnaire, simulate
        >>> from akhlak_levels.store import AssessmentStore
        >>> q = load_questionnaire("socio-emotional-levels")
        >>> a = assess(q, simulate(q, 250, random_state=0)[0])
        >>> def scored(batch_size):  # in practice: read, score and write each batch of a file
        ...     for start in range(0, len(a), batch_size):
        ...         yield a.take(np.arange(start, min(start + batch_size, len(a))))
        >>> with AssessmentStore(os.path.join(tempfile.mkdtemp(), "s.sqlite")) as store:
        ...     store.add_batches(scored(100), wave="2025")
        ...     bool(np.array_equal(store.load("2025").probabilities, a.probabilities))
        250
        True
        """
        name = wave_name(wave)
        if self._version not in WRITABLE:
            raise needs_upgrade(self.path, self._version)
        key = self._need_key() if self._pseudonymized else None
        with self._writing() as con:
            position = self._position_of_new_wave(con, name, replace)
            writer = _WaveWriter(con, name, key)
            for batch in batches:
                writer.add(batch, position)
            n = writer.finish()
        if writer.kinds.get("scale_answered") is not None:
            self._version = max(self._version, COUNTS_VERSION)
        return n
