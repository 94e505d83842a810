"""An embedded SQLite store of assessments by respondent and wave, with erasure on request.

One file holds every wave of a programme: the baseline and each yearly monitoring wave, each an
:class:`~akhlak_levels.Assessment` with the identity of the questionnaire and level model that
produced it. Growth functions read waves back with :meth:`AssessmentStore.load`.

Guarantees, each proven by the tests in ``tests/store/``:

- adding a wave is one transaction: a crash, a kill or an error half-way leaves the store as it
  was; a wave is never stored twice (adding it again is refused, or replaces it when asked);
- two processes may write at once (WAL journal, a busy timeout, ``BEGIN IMMEDIATE``): nothing
  is lost;
- the file carries a schema version; a newer one is refused with both versions named; a file of
  version 1 (one SQL row per respondent) is read as it is and rewritten by :meth:`upgrade`;
- a person's rows are erased on request in every wave at once (UU PDP No. 27/2022), leaving
  wave counts and group results exactly as if the person had never been added, and the erasure
  is logged without personal data; every chunk that held the person is rewritten without them;
- respondent ids can be pseudonymised on the way in with a keyed hash; the key never enters
  the file. Every write checks, inside its transaction, that the store's pseudonymisation is the
  one it had when it was opened, so a store opened without a key never writes clear ids into a
  store another process has since pseudonymised;
- an erasure waits only a few seconds for other processes (``erase(timeout=...)``), and then
  checkpoints and truncates the journal, so the id's bytes leave the database file and its
  ``-wal`` file; while another process holds the store open in a transaction it is refused
  with a :class:`StoreError` and nothing is erased.

The file layout and its tables are in ``_layout``; a wave's arrays are stored as raw bytes in
chunks of 65,536 respondents (``_columns``), so adding and loading a million respondents take a
fraction of a second; ``add_batches`` writes them as a wave's batches come (``_append``);
``_rows`` checks assessments and reads the version-1 layout. The vote waves of culture-map
surveys (``add_votes``, ``load_votes``, erased with the rest) are in ``_votes``.
"""

from __future__ import annotations

import contextlib
import hmac
import os
import sqlite3
from typing import Any, Iterator

import numpy as np

from .._validation import Interval, check, param_error
from ..assessment import Assessment
from ..errors import StoreError
from . import _columns, _rows
from ._append import WaveBatches
from ._exports import Exports
from ._votes import VoteWaves
from ._layout import (
    BASE_VERSION,
    COUNTS_VERSION,
    SCHEMA_VERSION,
    WRITABLE,
    WAVE_COLUMNS_TABLE,
    WAVE_FIELDS,
    Transaction,
    as_key,
    busy_timeout,
    check_schema_version,
    create_tables,
    delete_scale_info,
    erase_refused,
    erase_unfinished,
    erasure_hash,
    fingerprint,
    insert_wave_row,
    key_changed,
    keyed_hash,
    needs_upgrade,
    now,
    scale_info,
    table_names,
    truncate_journal,
    wave_info,
    wave_name,
    when_free,
)

__all__ = ["AssessmentStore", "StoreError", "SCHEMA_VERSION"]


class AssessmentStore(Exports, VoteWaves, WaveBatches):
    """Assessments by wave and respondent in one SQLite file.

    Parameters
    ----------
    path : path-like
        The store file; created (with its tables) when it does not exist. Its directory must.
    pseudonymize_key : bytes or str, default=None
        A secret. When given, every respondent id is replaced on the way in by
        ``HMAC-SHA256(key, id)`` in hex, truncated to 32 characters (128 bits; the chance that
        two of a million ids collide is about 1e-27, and a collision would be refused, not
        merged). The key is never stored: the file keeps only a fingerprint (an HMAC of a
        constant) so that reopening with another key is refused. A pseudonymised store can be
        read without the key, but :meth:`add` and :meth:`erase` need it.
    timeout : float, default=60.0
        Seconds to wait for another process's write to finish before giving up (an erasure
        waits less: see :meth:`erase`).

    Raises
    ------
    StoreError
        The directory does not exist; the file is not a store; its schema version is newer
        than ``SCHEMA_VERSION`` or older than 1; the key does not match the store's.

    See Also
    --------
    akhlak_levels.assess : makes the assessments stored here.

    Notes
    -----
    Every write (:meth:`add`, :meth:`erase`) is one ``BEGIN IMMEDIATE ... COMMIT`` transaction
    in WAL mode with a busy timeout, so concurrent writers from several processes queue rather
    than fail, readers are never blocked, and a write interrupted at any point leaves the store
    as it was. Reads run in one read transaction, so a wave is never seen half replaced. Inside
    each write transaction the store's key fingerprint (or its absence) is compared with the one
    seen when this object opened the file; a change (another process pseudonymised the store
    meanwhile) is refused with :class:`StoreError` before anything is written.

    Examples
    --------
    >>> import os, tempfile
    >>> from akhlak_levels import assess, load_questionnaire, simulate
    >>> from akhlak_levels.store import AssessmentStore
    >>> q = load_questionnaire("socio-emotional-levels")
    >>> baseline = assess(q, simulate(q, 100, random_state=1)[0])
    >>> path = os.path.join(tempfile.mkdtemp(), "programme.sqlite")
    >>> with AssessmentStore(path) as store:
    ...     store.add(baseline, wave="2024")
    ...     store.waves()
    100
    ['2024']
    >>> with AssessmentStore(path) as store:
    ...     again = store.load("2024")
    >>> bool(np.array_equal(again.probabilities, baseline.probabilities))
    True
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        pseudonymize_key: bytes | str | None = None,
        timeout: float = 60.0,
    ) -> None:
        self.path = os.fspath(path)
        self._key = None if pseudonymize_key is None else as_key(pseudonymize_key)
        self._timeout = float(timeout)
        self._fingerprint: str | None = None  # the key decision seen on opening, checked in every write
        self._con: sqlite3.Connection | None = None
        folder = os.path.dirname(os.path.abspath(self.path))
        if not os.path.isdir(folder):
            raise StoreError(f"Cannot open a store at {self.path!r}: the directory {folder!r} does not exist. Create it first.")
        if os.path.isdir(self.path):
            raise StoreError(f"Cannot open a store at {self.path!r}: it is a directory; give a file path such as {os.path.join(self.path, 'store.sqlite')!r}.")
        try:
            con = sqlite3.connect(self.path, timeout=timeout, isolation_level=None)
        except sqlite3.Error as exc:
            raise StoreError(f"Cannot open a store at {self.path!r}: {exc}.") from exc
        self._con = con
        try:
            self._open(con, timeout)
        except BaseException:
            self.close()
            raise

    # ------------------------------------------------------------------ opening

    def _open(self, con: sqlite3.Connection, timeout: float) -> None:
        try:
            con.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
            tables = when_free(con, timeout, self.path)
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path!r} is not an assessment store (not an SQLite database: {exc}).") from exc
        con.execute("PRAGMA journal_size_limit = 67108864")  # after a big wave, shrink the journal back to 64 MiB
        con.execute("PRAGMA secure_delete = ON")  # deleted rows (erased, replaced) are overwritten, not left in free pages
        if not tables:
            with self._write():
                if not table_names(con):  # another process may have made them meanwhile
                    create_tables(con)
        meta = self._meta()
        self._version = check_schema_version(self.path, meta, tables)
        self._salt = bytes.fromhex(meta["erasure_salt"])
        self._check_key(meta.get("key_fingerprint"))

    def _check_key(self, stored: str | None) -> None:
        con = self._connection()
        self._fingerprint = stored
        if self._key is None:
            self._pseudonymized = stored is not None
            return
        mine = fingerprint(self._key)
        if stored is not None:
            if not hmac.compare_digest(stored, mine):
                raise StoreError(
                    f"The store {self.path!r} was pseudonymised with another key (its fingerprint differs from this "
                    "key's). Open it with the key it was made with; respondent ids hashed with different keys "
                    "could not be matched across waves."
                )
            self._pseudonymized = True
            return
        with self._write():
            row = con.execute("SELECT value FROM meta WHERE key = 'key_fingerprint'").fetchone()
            if row is None:
                if con.execute(f"SELECT 1 FROM {self._table} LIMIT 1").fetchone() is not None or self._holds_votes(con):
                    raise StoreError(
                        f"The store {self.path!r} already holds respondent ids in clear; pseudonymisation cannot be "
                        "switched on for it. Create a new store with pseudonymize_key=... and add the waves there."
                    )
                con.execute("INSERT INTO meta (key, value) VALUES ('key_fingerprint', ?)", (mine,))
            elif not hmac.compare_digest(row[0], mine):  # another process set a key meanwhile
                raise StoreError(f"The store {self.path!r} was pseudonymised with another key.")
        self._fingerprint = mine
        self._pseudonymized = True

    def _meta(self) -> dict[str, str]:
        con = self._connection()
        try:
            return dict(con.execute("SELECT key, value FROM meta").fetchall())
        except sqlite3.OperationalError:
            return {}

    # ------------------------------------------------------------------ plumbing

    @property
    def _table(self) -> str:
        """The table of the respondents' data in this file's schema version."""
        return "wave_columns" if self._version >= 2 else "results"

    def _connection(self) -> sqlite3.Connection:
        if self._con is None:
            raise StoreError(f"The store {self.path!r} is closed.")
        return self._con

    def _write(self) -> Transaction:
        return Transaction(self._connection(), "BEGIN IMMEDIATE")

    @contextlib.contextmanager
    def _writing(self) -> Iterator[sqlite3.Connection]:
        """A write transaction of :meth:`add` or :meth:`erase`: ``BEGIN IMMEDIATE``, then the key
        decision checked against the one seen on opening (another process may have set a key)."""
        con = self._connection()
        with self._write():
            row = con.execute("SELECT value FROM meta WHERE key = 'key_fingerprint'").fetchone()
            stored = None if row is None else row[0]
            if stored != self._fingerprint:
                raise key_changed(self.path, self._fingerprint, stored)
            yield con

    def _read(self) -> Transaction:
        return Transaction(self._connection(), "BEGIN")

    def close(self) -> None:
        """Close the file (idempotent)."""
        if self._con is not None:
            self._con.close()
            self._con = None

    def __enter__(self) -> AssessmentStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        if self._con is None:
            return f"AssessmentStore({self.path!r}, closed)"
        return f"AssessmentStore({self.path!r}, waves={len(self.waves())}, pseudonymized={self.pseudonymized})"

    @property
    def pseudonymized(self) -> bool:
        """True when the store's respondent ids are keyed hashes."""
        return self._pseudonymized

    def pseudonym(self, respondent_id: str) -> str:
        """The id under which ``respondent_id`` is stored: its keyed hash, or itself.

        Examples
        --------
        >>> import os, tempfile
        >>> from akhlak_levels.store import AssessmentStore
        >>> path = os.path.join(tempfile.mkdtemp(), "s.sqlite")
        >>> with AssessmentStore(path, pseudonymize_key="a secret") as store:
        ...     store.pseudonym("199001012020011001")
        '9aa903f6e1ab3856932ec7e39db8496c'
        """
        return self._stored_id(str(respondent_id))

    def _need_key(self) -> bytes:
        if self._key is None:
            raise StoreError(
                f"The store {self.path!r} pseudonymises respondent ids; open it with pseudonymize_key=... to add or "
                "erase respondents (reading needs no key)."
            )
        return self._key

    def _stored_id(self, respondent_id: str) -> str:
        if not self._pseudonymized:
            return respondent_id
        return keyed_hash(self._need_key(), respondent_id)

    # ------------------------------------------------------------------ waves

    def waves(self) -> list[str]:
        """The wave names, in the order they were first added (a replaced wave keeps its place)."""
        return [r[0] for r in self._connection().execute("SELECT wave FROM waves ORDER BY position")]

    def __contains__(self, wave: object) -> bool:
        row = self._connection().execute("SELECT 1 FROM waves WHERE wave = ?", (str(wave),)).fetchone()
        return row is not None

    def wave_info(self, wave: str | int) -> dict[str, Any]:
        """What the store knows of a wave: when it was added, by which library version, the
        questionnaire id / version / hash and model hash / kind that produced it, the thresholds,
        the number of respondents, and its scale, flag and group names.

        Examples
        --------
        >>> import os, tempfile
        >>> from akhlak_levels import assess, load_questionnaire
        >>> from akhlak_levels.store import AssessmentStore
        >>> q = load_questionnaire("berakhlak")
        >>> a = assess(q, [{"respondent_id": "A1", **{it.id: 3 for it in q.items}}])
        >>> with AssessmentStore(os.path.join(tempfile.mkdtemp(), "s.sqlite")) as store:
        ...     _ = store.add(a, wave=2023)
        ...     info = store.wave_info(2023)
        >>> info["questionnaire_id"], info["n"], info["model_hash"], len(info["scale_ids"])
        ('berakhlak', 1, None, 7)
        """
        return self._wave_row(self._connection(), wave_name(wave))

    def _wave_row(self, con: sqlite3.Connection, name: str) -> dict[str, Any]:
        row = con.execute(f"SELECT {', '.join(WAVE_FIELDS)} FROM waves WHERE wave = ?", (name,)).fetchone()
        if row is None:
            known = [r[0] for r in con.execute("SELECT wave FROM waves ORDER BY position")]
            raise StoreError(f"No wave {name!r} in the store {self.path!r}; its waves are {known}.")
        return {**wave_info(WAVE_FIELDS, row), **scale_info(con, name)}

    # ------------------------------------------------------------------ add

    def add(self, assessment: Assessment, *, wave: str | int, replace: bool = False) -> int:
        """Store an assessment as one wave, in one transaction.

        Parameters
        ----------
        assessment : Assessment
        wave : str or int
            The wave's name, e.g. ``"2024"`` or ``"baseline"`` (stored as text). When the
            assessment carries a per-respondent wave column, its values must be this name (or
            blank).
        replace : bool, default=False
            When the wave exists: False refuses, True deletes its rows and stores these, in the
            same transaction (the old wave survives if anything fails).

        Returns
        -------
        int
            The number of respondents stored.

        Raises
        ------
        StoreError
            The wave exists and ``replace`` is False; the assessment's arrays disagree in
            length; a respondent id is empty or repeated; the store needs a key.

        Notes
        -----
        Each array is written as raw bytes, one BLOB per chunk of 65,536 respondents (a million
        respondents are 16 chunks of about 20 BLOBs each): no Python object per cell, memory
        beyond the assessment bounded by a chunk. A store of schema version 1 must first be
        rewritten by :meth:`upgrade`.

        Examples
        --------
        >>> import os, tempfile
        >>> from akhlak_levels import assess, load_questionnaire, simulate
        >>> from akhlak_levels.store import AssessmentStore
        >>> q = load_questionnaire("socio-emotional-levels")
        >>> a = assess(q, simulate(q, 50, random_state=0)[0])
        >>> store = AssessmentStore(os.path.join(tempfile.mkdtemp(), "s.sqlite"))
        >>> store.add(a, wave="2024")
        50
        >>> store.add(a, wave="2024")
        Traceback (most recent call last):
        ...
        akhlak_levels.errors.StoreError: Wave '2024' is already in the store ... pass replace=True to replace it.
        >>> store.add(a.take(np.arange(10)), wave="2024", replace=True), store.wave_info("2024")["n"]
        (10, 10)
        >>> store.close()
        """
        if not isinstance(assessment, Assessment):
            raise param_error("add", "assessment", "an Assessment", assessment, error=TypeError, shown=type(assessment).__name__)
        name = wave_name(wave)
        a = assessment
        _rows.check_assessment(a, name)
        if self._version not in WRITABLE:
            raise needs_upgrade(self.path, self._version)
        ids = _columns.stored_ids(np.asarray(a.respondent_ids, dtype=str), self._need_key() if self._pseudonymized else None, name)
        with self._writing() as con:
            info = insert_wave_row(con, name, self._position_of_new_wave(con, name, replace), a)
            _columns.write_wave(con, name, info, a, ids)
        if info["scale_n_items"] is not None:
            self._version = max(self._version, COUNTS_VERSION)
        return len(a)

    def _position_of_new_wave(self, con: sqlite3.Connection, name: str, replace: bool) -> int:
        """The position the wave ``name`` is added at: its own when it is replaced (its rows are
        deleted here, in the caller's transaction), else after the last wave."""
        old = con.execute("SELECT position FROM waves WHERE wave = ?", (name,)).fetchone()
        if old is not None and not replace:
            raise StoreError(
                f"Wave {name!r} is already in the store {self.path!r} "
                f"({con.execute('SELECT n FROM waves WHERE wave = ?', (name,)).fetchone()[0]} respondents); "
                "a wave is stored once: pass replace=True to replace it."
            )
        if old is not None:
            con.execute(f"DELETE FROM {self._table} WHERE wave = ?", (name,))
            delete_scale_info(con, name)
            con.execute("DELETE FROM waves WHERE wave = ?", (name,))
            return int(old[0])
        return int(con.execute("SELECT coalesce(max(position), 0) + 1 FROM waves").fetchone()[0])

    # ------------------------------------------------------------------ load

    def load(self, wave: str | int) -> Assessment:
        """The wave as an :class:`~akhlak_levels.Assessment`, equal to the one added.

        Arrays come back bit for bit (their raw bytes are stored), in the order they were added,
        with the questionnaire and model identity, thresholds, scale ids and flag names of the
        wave. ``wave`` is filled with the wave's name for every respondent. Pseudonymised ids
        come back pseudonymised; erased respondents are absent.

        Examples
        --------
        >>> import os, tempfile
        >>> from akhlak_levels import assess, load_questionnaire, simulate
        >>> from akhlak_levels.store import AssessmentStore
        >>> q = load_questionnaire("socio-emotional-levels")
        >>> a = assess(q, simulate(q, 20, random_state=0)[0])
        >>> with AssessmentStore(os.path.join(tempfile.mkdtemp(), "s.sqlite")) as store:
        ...     _ = store.add(a, wave="baseline")
        ...     b = store.load("baseline")
        >>> str(b.wave[0]), bool((b.level == a.level).all()), b.model_hash == a.model_hash
        ('baseline', True, True)
        """
        name = wave_name(wave)
        con = self._connection()
        with self._read():
            info = self._wave_row(con, name)
            if self._version == 1:
                return _rows.read_wave(con, self.path, name, info)
            return _columns.read_wave(con, self.path, name, info)

    # ------------------------------------------------------------------ erase

    def erase(self, respondent_id: str, *, timeout: float = 5.0) -> int:
        """Delete a person's results in every wave, in one transaction, and log the erasure.

        For a request under UU PDP No. 27/2022 (or at the end of the data's purpose). Wave counts
        are updated, so group results computed afterwards equal those of the data without the
        person. Deleted content is overwritten (``PRAGMA secure_delete``) and the journal is
        checkpointed and truncated (``wal_checkpoint(TRUNCATE)``), so the id's bytes leave both
        the database file and its ``-wal`` file. The log (:meth:`erasures`) keeps the time, the
        rows deleted and a salted hash of the id, never the id.

        Parameters
        ----------
        respondent_id : str
            The id as it was in the assessments added (in clear also for a pseudonymised store:
            it is hashed with the store's key).
        timeout : float, default=5.0
            Seconds to wait for other processes that use the store (a write, or a read
            transaction: the journal cannot be cleared while another process reads an older
            state of the file) before giving up.

        Returns
        -------
        int
            Rows deleted (one per wave, of assessments or of votes, the person was in; 0 when none,
            which is logged too).

        Raises
        ------
        StoreError
            Another process used the store for longer than ``timeout`` (nothing is erased; try
            again when it has finished); or, rarely, another process began reading between the
            check and the erasure (the rows are erased but may linger in the journal: call
            ``erase`` again); or the store needs a key, or was pseudonymised since it was opened.

        Examples
        --------
        >>> import os, tempfile
        >>> from akhlak_levels import assess, load_questionnaire, simulate
        >>> from akhlak_levels.store import AssessmentStore
        >>> q = load_questionnaire("socio-emotional-levels")
        >>> a = assess(q, simulate(q, 30, random_state=0)[0])
        >>> with AssessmentStore(os.path.join(tempfile.mkdtemp(), "s.sqlite")) as store:
        ...     _ = store.add(a, wave="2023"); _ = store.add(a, wave="2024")
        ...     store.erase("sim-7"), store.wave_info("2024")["n"], len(store.erasures())
        (2, 29, 1)
        """
        timeout = check("erase", "timeout", timeout, Interval(0, 3600))
        sid = self._stored_id(str(respondent_id))
        in_use = erase_refused(self.path, timeout)
        with busy_timeout(self._connection(), timeout, self._timeout):
            try:
                with self._writing() as con:  # a change, so that a reader of any older state blocks the checkpoint
                    con.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('erase_check', ?)", (now(),))
                if not truncate_journal(con):
                    raise in_use
                with self._writing() as con:
                    hit = self._erase_rows(con, sid)
                    con.execute(
                        "INSERT INTO erasures (erased, respondent_hash, rows) VALUES (?, ?, ?)",
                        (now(), erasure_hash(self._salt, sid), len(hit)),
                    )
            except sqlite3.OperationalError as exc:  # the write lock was not had within the timeout
                raise in_use from exc
            if not truncate_journal(con):
                raise erase_unfinished(self.path, len(hit))
        return len(hit)

    def _erase_rows(self, con: sqlite3.Connection, sid: str) -> list[str]:
        """Delete the stored id ``sid`` in every wave, vote waves included (in the caller's
        transaction); the waves it was in."""
        votes = self._erase_votes(con, sid)
        if self._version >= 2:
            infos = [self._wave_row(con, w) for w in self.waves()]
            return _columns.erase_id(con, self.path, infos, sid) + votes
        where = "wave IN (SELECT wave FROM waves) AND respondent_id = ?"  # walks the primary key
        hit = [r[0] for r in con.execute(f"SELECT wave FROM results WHERE {where}", (sid,))]
        con.execute(f"DELETE FROM results WHERE {where}", (sid,))
        con.executemany("UPDATE waves SET n = n - 1 WHERE wave = ?", [(w,) for w in hit])
        return hit + votes

    def erasures(self, respondent_id: str | None = None) -> list[dict[str, Any]]:
        """The erasure log, oldest first: ``erased`` (UTC time), ``respondent_hash``, ``rows``.

        Parameters
        ----------
        respondent_id : str, default=None
            Only the erasures of this person (so an auditor can confirm a request was carried
            out); all when None.

        Notes
        -----
        ``respondent_hash`` is HMAC-SHA256 of the stored id keyed with a random salt kept in the
        file. It confirms an erasure to someone who knows the id; it is not a secret against
        someone holding the file who can enumerate every possible id (e.g. NIP numbers) —
        pseudonymise the store with a key for that.
        """
        sql = "SELECT erased, respondent_hash, rows FROM erasures"
        args: tuple[str, ...] = ()
        if respondent_id is not None:
            sql += " WHERE respondent_hash = ?"
            args = (erasure_hash(self._salt, self._stored_id(str(respondent_id))),)
        rows = self._connection().execute(sql + " ORDER BY id", args).fetchall()
        return [dict(zip(("erased", "respondent_hash", "rows"), r)) for r in rows]

    # ------------------------------------------------------------------ upgrade

    def upgrade(self) -> int:
        """Rewrite a store of schema version 1 (one SQL row per respondent) as version 2, in one
        transaction; the number of waves rewritten (0 when the store is already version 2).

        Each wave is read as :meth:`load` reads it and written as :meth:`add` writes it (one wave
        in memory at a time), the ``results`` table is dropped (its pages overwritten: ``PRAGMA
        secure_delete``) and the journal is truncated. Wave names, positions, metadata and the
        erasure log are kept; :meth:`load` gives the same assessments before and after.
        akhlak_levels versions before issue 15 cannot open the file afterwards.

        Examples
        --------
        >>> import os, tempfile
        >>> from akhlak_levels.store import AssessmentStore
        >>> with AssessmentStore(os.path.join(tempfile.mkdtemp(), "s.sqlite")) as store:
        ...     store.upgrade()
        0
        """
        with self._writing() as con:
            version = check_schema_version(self.path, dict(con.execute("SELECT key, value FROM meta").fetchall()), set())
            if version in WRITABLE:  # already (perhaps by another process meanwhile)
                self._version = version
                return 0
            con.execute(WAVE_COLUMNS_TABLE)
            names = [r[0] for r in con.execute("SELECT wave FROM waves ORDER BY position")]
            for name in names:
                info = self._wave_row(con, name)
                old = _rows.read_wave(con, self.path, name, info)
                _columns.write_wave(con, name, info, old, old.respondent_ids)
                del old
            con.execute("DROP TABLE results")
            con.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(BASE_VERSION),))
        self._version = BASE_VERSION
        truncate_journal(con)
        return len(names)
