"""An embedded SQLite store of assessments by respondent and wave, with erasure on request.

One file holds every wave of a programme: the baseline and each yearly monitoring wave, each an
:class:`~akhlak_levels.Assessment` with the identity of the questionnaire and level model that
produced it. Growth functions read waves back with :meth:`AssessmentStore.load`.

Guarantees, each proven by ``tests/test_store.py``:

- adding a wave is one transaction: a crash, a kill or an error half-way leaves the store as it
  was; a wave is never stored twice (adding it again is refused, or replaces it when asked);
- two processes may write at once (WAL journal, a busy timeout, ``BEGIN IMMEDIATE``): nothing
  is lost;
- the file carries a schema version; a newer one is refused with both versions named;
- a person's rows are erased on request in every wave at once (UU PDP No. 27/2022), leaving
  wave counts and group results exactly as if the person had never been added, and the erasure
  is logged without personal data;
- respondent ids can be pseudonymised on the way in with a keyed hash; the key never enters
  the file.

The file layout (``SCHEMA_VERSION`` 1)::

    meta      key -> value: schema_version, created, library_version, erasure_salt,
              key_fingerprint (when pseudonymised)
    waves     one row per wave: wave (primary key), position, added, questionnaire id /
              version / hash, model hash / kind, min_confidence, min_answered, n, scale ids,
              flag names, group names (JSON), which optional columns the wave has
    results   one row per respondent and wave, primary key (wave, respondent_id): seq (the
              respondent's position in the assessment added), unit, date, level, expected_level, expected_level_sd, confidence, entropy, p1..p5,
              index_score, index_category, n_answered, flags, then one REAL column
              ``scale_<id>`` per scale and one TEXT column ``group_<name>`` per group variable
    erasures  one row per erasure: time, salted hash of the erased id, rows deleted
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import hmac
import itertools
import json
import os
import secrets
import sqlite3
from typing import Any, Iterator, Sequence

import numpy as np

from .._version import __version__
from ..assessment import Assessment
from ..errors import StoreError
from ..flags import Flags
from ..levels import N_LEVELS

__all__ = ["AssessmentStore", "StoreError", "SCHEMA_VERSION"]

#: Version of the file layout this library writes and reads.
SCHEMA_VERSION = 1

#: ``PRAGMA application_id`` of a store ("AKLV"), so file-type tools can recognise it.
APPLICATION_ID = 0x414B4C56

#: Rows converted to Python objects and handed to ``executemany`` at a time: bounds memory.
_CHUNK = 1 << 14

#: Hex characters kept of a pseudonym: 32 hex = 128 bits of HMAC-SHA256.
PSEUDONYM_HEX = 32

_FINGERPRINT_MESSAGE = b"akhlak_levels.store key fingerprint v1"

_LEVEL_COLUMNS = ("level", "expected_level", "expected_level_sd", "confidence", "entropy") + tuple(
    f"p{k}" for k in range(1, N_LEVELS + 1)
)
#: The fixed columns of ``results`` after ``wave``, ``respondent_id`` and ``seq``, in order.
_FIXED = ("unit", "date") + _LEVEL_COLUMNS + ("index_score", "index_category", "n_answered", "flags")

_SCHEMA = f"""
CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE waves (
    wave TEXT PRIMARY KEY,
    position INTEGER NOT NULL UNIQUE,
    added TEXT NOT NULL,
    library_version TEXT NOT NULL,
    questionnaire_id TEXT NOT NULL,
    questionnaire_version TEXT NOT NULL,
    questionnaire_hash TEXT NOT NULL,
    model_hash TEXT,
    model_kind TEXT,
    min_confidence REAL NOT NULL,
    min_answered REAL NOT NULL,
    n INTEGER NOT NULL,
    scale_ids TEXT NOT NULL,
    flag_names TEXT NOT NULL,
    group_names TEXT NOT NULL,
    has_levels INTEGER NOT NULL,
    has_index INTEGER NOT NULL,
    has_unit INTEGER NOT NULL,
    has_date INTEGER NOT NULL
);
CREATE TABLE results (
    wave TEXT NOT NULL REFERENCES waves (wave),
    respondent_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    unit TEXT,
    date TEXT,
    level INTEGER,
    expected_level REAL,
    expected_level_sd REAL,
    confidence REAL,
    entropy REAL,
    {", ".join(f"p{k} REAL" for k in range(1, N_LEVELS + 1))},
    index_score REAL,
    index_category TEXT,
    n_answered INTEGER NOT NULL,
    flags TEXT NOT NULL,
    PRIMARY KEY (wave, respondent_id)
);
CREATE TABLE erasures (
    id INTEGER PRIMARY KEY,
    erased TEXT NOT NULL,
    respondent_hash TEXT NOT NULL,
    rows INTEGER NOT NULL
);
"""

_WAVE_FIELDS = (
    "wave", "position", "added", "library_version", "questionnaire_id", "questionnaire_version",
    "questionnaire_hash", "model_hash", "model_kind", "min_confidence", "min_answered", "n",
    "scale_ids", "flag_names", "group_names", "has_levels", "has_index", "has_unit", "has_date",
)


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="microseconds")


def _quote(name: str) -> str:
    """An SQL identifier, quoted."""
    return '"' + name.replace('"', '""') + '"'


def _wave_name(wave: object) -> str:
    if wave is None or isinstance(wave, (bytes, float)):
        raise StoreError(f"The 'wave' parameter must be a non-empty text (or an int such as 2024). Got {wave!r} instead.")
    name = str(wave)
    if not name.strip():
        raise StoreError(f"The 'wave' parameter must be a non-empty text (or an int such as 2024). Got {wave!r} instead.")
    return name


def _as_key(key: bytes | str) -> bytes:
    raw = key.encode("utf-8") if isinstance(key, str) else bytes(key)
    if not raw:
        raise StoreError("The 'pseudonymize_key' parameter must be a non-empty bytes or str (a secret). Got an empty key.")
    return raw


# =========================================================================== the store


class AssessmentStore:
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
        Seconds to wait for another process's write to finish before giving up.

    Raises
    ------
    StoreError
        The directory does not exist; the file is not a store; its schema version is newer
        (or older) than ``SCHEMA_VERSION``; the key does not match the store's.

    See Also
    --------
    akhlak_levels.assess : makes the assessments stored here.

    Notes
    -----
    Every write (:meth:`add`, :meth:`erase`) is one ``BEGIN IMMEDIATE ... COMMIT`` transaction
    in WAL mode with a busy timeout, so concurrent writers from several processes queue rather
    than fail, readers are never blocked, and a write interrupted at any point leaves the store
    as it was. Reads run in one read transaction, so a wave is never seen half replaced.

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
        self._key = None if pseudonymize_key is None else _as_key(pseudonymize_key)
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
            con.execute("PRAGMA journal_mode = WAL").fetchone()
            tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path!r} is not an assessment store (not an SQLite database: {exc}).") from exc
        con.execute("PRAGMA journal_size_limit = 67108864")  # after a big wave, shrink the journal back to 64 MiB
        con.execute("PRAGMA secure_delete = ON")  # deleted rows (erased, replaced) are overwritten, not left in free pages
        if not tables:
            with self._write():
                if not {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}:
                    for statement in _SCHEMA.split(";"):
                        if statement.strip():
                            con.execute(statement)
                    con.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                    con.executemany(
                        "INSERT INTO meta (key, value) VALUES (?, ?)",
                        [
                            ("schema_version", str(SCHEMA_VERSION)),
                            ("created", _now()),
                            ("library_version", __version__),
                            ("erasure_salt", secrets.token_hex(16)),
                        ],
                    )
        meta = self._meta()
        raw_version = meta.get("schema_version")
        if raw_version is None:
            raise StoreError(
                f"{self.path!r} is not an assessment store: it holds tables {sorted(tables)} but no schema version "
                f"(a store made by akhlak_levels has a 'meta' table with schema_version {SCHEMA_VERSION})."
            )
        version = int(raw_version)
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"The store {self.path!r} has schema version {version}; this akhlak_levels ({__version__}) reads "
                f"schema version {SCHEMA_VERSION}. Upgrade akhlak_levels to open it."
            )
        if version < SCHEMA_VERSION:
            raise StoreError(
                f"The store {self.path!r} has schema version {version}, older than the {SCHEMA_VERSION} this "
                f"akhlak_levels ({__version__}) reads, and there is no migration from it."
            )
        self._salt = bytes.fromhex(meta["erasure_salt"])
        self._check_key(meta.get("key_fingerprint"))

    def _check_key(self, stored: str | None) -> None:
        con = self._connection()
        if self._key is None:
            self._pseudonymized = stored is not None
            return
        mine = self._fingerprint(self._key)
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
                if con.execute("SELECT 1 FROM results LIMIT 1").fetchone() is not None:
                    raise StoreError(
                        f"The store {self.path!r} already holds respondent ids in clear; pseudonymisation cannot be "
                        "switched on for it. Create a new store with pseudonymize_key=... and add the waves there."
                    )
                con.execute("INSERT INTO meta (key, value) VALUES ('key_fingerprint', ?)", (mine,))
            elif not hmac.compare_digest(row[0], mine):  # another process set a key meanwhile
                raise StoreError(f"The store {self.path!r} was pseudonymised with another key.")
        self._pseudonymized = True

    @staticmethod
    def _fingerprint(key: bytes) -> str:
        return "hmac-sha256:" + hmac.new(key, _FINGERPRINT_MESSAGE, hashlib.sha256).hexdigest()[:PSEUDONYM_HEX]

    def _meta(self) -> dict[str, str]:
        con = self._connection()
        try:
            return dict(con.execute("SELECT key, value FROM meta").fetchall())
        except sqlite3.OperationalError:
            return {}

    # ------------------------------------------------------------------ plumbing

    def _connection(self) -> sqlite3.Connection:
        if self._con is None:
            raise StoreError(f"The store {self.path!r} is closed.")
        return self._con

    def _write(self) -> _Transaction:
        return _Transaction(self._connection(), "BEGIN IMMEDIATE")

    def _read(self) -> _Transaction:
        return _Transaction(self._connection(), "BEGIN")

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
        return hmac.digest(self._need_key(), respondent_id.encode("utf-8"), "sha256")[: PSEUDONYM_HEX // 2].hex()

    def _sorted_ids(self, ids: np.ndarray, name: str) -> tuple[np.ndarray, Any]:
        """The order that sorts the stored ids, and a function turning a slice of the sorted
        stored ids into Python strings. Rows go in in this order, so that the primary-key index
        grows at its end instead of at random places (ids from a real export, and keyed hashes
        above all, come in no order: a million keyed hashes took 16.2 s unsorted, 8.7 s sorted)."""
        if not self._pseudonymized:
            order = np.argsort(ids, kind="stable")  # code-point order = SQLite's BINARY order of UTF-8
            same = np.zeros(max(len(ids) - 1, 0), dtype=bool)
            for i in range(0, len(ids) - 1, _CHUNK):  # neighbours in sorted order, without a sorted copy
                k = ids[order[i : i + _CHUNK + 1]]
                same[i : i + len(k) - 1] = k[1:] == k[:-1]
            to_text: Any = lambda sl: ids[order[sl]].tolist()  # noqa: E731
        else:
            key = self._need_key()
            digest = hmac.digest
            half = PSEUDONYM_HEX // 2
            raw = b"".join(  # 16 bytes per id; Python strings only a chunk at a time
                b"".join([digest(key, s.encode("utf-8"), "sha256")[:half] for s in ids[i : i + _CHUNK].tolist()])
                for i in range(0, len(ids), _CHUNK)
            )
            words = np.frombuffer(raw, dtype=">u8").reshape(-1, 2)  # 16 bytes as two big-endian words
            order = np.lexsort((words[:, 1], words[:, 0])) if len(ids) else np.zeros(0, dtype=np.intp)
            keys = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 16)[order]
            same = (keys[1:] == keys[:-1]).all(axis=1)

            def to_text(sl: slice) -> list[str]:
                h = keys[sl].tobytes().hex()
                return [h[i : i + PSEUDONYM_HEX] for i in range(0, len(h), PSEUDONYM_HEX)]

        if same.any():
            repeated = np.unique(ids[order[1:][same]])[:5].tolist()
            raise StoreError(
                f"Cannot add wave {name!r}: respondent ids must be unique within a wave; repeated: {repeated}. "
                "Nothing was stored."
            )
        return order, to_text

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
        return self._wave_row(self._connection(), _wave_name(wave))

    def _wave_row(self, con: sqlite3.Connection, name: str) -> dict[str, Any]:
        row = con.execute(f"SELECT {', '.join(_WAVE_FIELDS)} FROM waves WHERE wave = ?", (name,)).fetchone()
        if row is None:
            known = [r[0] for r in con.execute("SELECT wave FROM waves ORDER BY position")]
            raise StoreError(f"No wave {name!r} in the store {self.path!r}; its waves are {known}.")
        info = dict(zip(_WAVE_FIELDS, row))
        for k in ("scale_ids", "flag_names", "group_names"):
            info[k] = json.loads(info[k])
        for k in ("has_levels", "has_index", "has_unit", "has_date"):
            info[k] = bool(info[k])
        return info

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
        Rows are converted to Python objects ``_CHUNK`` (16,384) at a time, column by column
        (``tolist`` of each array slice, zipped), and handed to ``executemany``: memory beyond
        the assessment is bounded by the chunk, and no Python code runs per cell. NaN scores are
        stored as NULL.

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
            raise TypeError(f"The 'assessment' parameter of add must be an Assessment. Got {type(assessment).__name__} instead.")
        name = _wave_name(wave)
        a = assessment
        _check_assessment(a, name)
        order, id_text = self._sorted_ids(np.asarray(a.respondent_ids, dtype=str), name)
        scale_cols = [f"scale_{s}" for s in a.scale_ids]
        group_cols = [f"group_{g}" for g in a.groups]
        columns = ("wave", "respondent_id", "seq") + _FIXED + tuple(scale_cols) + tuple(group_cols)
        sql = f"INSERT INTO results ({', '.join(map(_quote, columns))}) VALUES ({', '.join('?' * len(columns))})"
        flag_text = _flag_strings(a.flags)
        con = self._connection()
        with self._write():
            old = con.execute("SELECT position FROM waves WHERE wave = ?", (name,)).fetchone()
            if old is not None and not replace:
                raise StoreError(
                    f"Wave {name!r} is already in the store {self.path!r} "
                    f"({con.execute('SELECT n FROM waves WHERE wave = ?', (name,)).fetchone()[0]} respondents); "
                    "a wave is stored once: pass replace=True to replace it."
                )
            if old is not None:
                con.execute("DELETE FROM results WHERE wave = ?", (name,))
                con.execute("DELETE FROM waves WHERE wave = ?", (name,))
                position = old[0]
            else:
                position = con.execute("SELECT coalesce(max(position), 0) + 1 FROM waves").fetchone()[0]
            have = {r[1].lower() for r in con.execute("PRAGMA table_info(results)")}
            for col, kind in [(c, "REAL") for c in scale_cols] + [(c, "TEXT") for c in group_cols]:
                if col.lower() not in have:
                    con.execute(f"ALTER TABLE results ADD COLUMN {_quote(col)} {kind}")
            con.execute(
                f"INSERT INTO waves ({', '.join(_WAVE_FIELDS)}) VALUES ({', '.join('?' * len(_WAVE_FIELDS))})",
                (
                    name, position, _now(), __version__, a.questionnaire_id, a.questionnaire_version,
                    a.questionnaire_hash, a.model_hash, a.model_kind, float(a.min_confidence),
                    float(a.min_answered), len(a), json.dumps(list(a.scale_ids)), json.dumps(list(a.flags.names)),
                    json.dumps(list(a.groups)), a.has_levels, a.index is not None, a.unit is not None,
                    a.date is not None,
                ),
            )
            try:
                for rows in _row_chunks(a, name, flag_text, order, id_text):
                    con.executemany(sql, rows)
            except sqlite3.IntegrityError as exc:  # pragma: no cover - the ids were checked above
                raise StoreError(f"Cannot add wave {name!r}: {exc}. Nothing was stored.") from exc
        return len(a)

    # ------------------------------------------------------------------ load

    def load(self, wave: str | int) -> Assessment:
        """The wave as an :class:`~akhlak_levels.Assessment`, equal to the one added.

        Arrays come back bit for bit (SQLite stores IEEE doubles), in the order they were added,
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
        name = _wave_name(wave)
        con = self._connection()
        with self._read():
            info = self._wave_row(con, name)
            scale_cols = [f"scale_{s}" for s in info["scale_ids"]]
            group_cols = [f"group_{g}" for g in info["group_names"]]
            columns = ("seq", "respondent_id") + _FIXED + tuple(scale_cols) + tuple(group_cols)
            # in primary-key order (no sort in SQL); put back in the order added through ``seq``
            cur = con.execute(f"SELECT {', '.join(map(_quote, columns))} FROM results WHERE wave = ?", (name,))
            parts: list[list[np.ndarray]] = [[] for _ in columns]
            kinds = ["i", "U", "U", "D"] + ["i"] + ["f"] * (len(_LEVEL_COLUMNS) - 1) + ["f", "U", "i", "U"]
            kinds += ["f"] * len(scale_cols) + ["U"] * len(group_cols)
            while True:
                rows = cur.fetchmany(_CHUNK)
                if not rows:
                    break
                for j, col in enumerate(zip(*rows)):
                    parts[j].append(_column_array(col, kinds[j]))
        n = info["n"]
        cols = [np.concatenate(p) if p else _column_array((), kinds[j]) for j, p in enumerate(parts)]
        if len(cols[0]) != n:  # pragma: no cover - only if the file was edited outside the library
            raise StoreError(f"The store {self.path!r} is inconsistent: wave {name!r} records {n} respondents but holds {len(cols[0])}.")
        back = np.argsort(cols[0], kind="stable")
        by = {c: v[back] for c, v in zip(columns[1:], cols[1:])}
        levels = info["has_levels"]
        return Assessment(
            questionnaire_id=info["questionnaire_id"],
            questionnaire_version=info["questionnaire_version"],
            questionnaire_hash=info["questionnaire_hash"],
            respondent_ids=by["respondent_id"],
            probabilities=np.column_stack([by[f"p{k}"] for k in range(1, N_LEVELS + 1)]) if levels else None,
            level=by["level"].astype(np.int8) if levels else None,
            expected_level=by["expected_level"] if levels else None,
            expected_level_sd=by["expected_level_sd"] if levels else None,
            confidence=by["confidence"] if levels else None,
            entropy=by["entropy"] if levels else None,
            scale_ids=tuple(info["scale_ids"]),
            scale_scores=np.column_stack([by[c] for c in scale_cols]) if scale_cols else np.empty((n, 0)),
            index=by["index_score"] if info["has_index"] else None,
            index_category=by["index_category"] if info["has_index"] else None,
            n_answered=by["n_answered"].astype(np.int32),
            flags=_parse_flags(by["flags"], tuple(info["flag_names"]), name),
            min_confidence=info["min_confidence"],
            min_answered=info["min_answered"],
            model_hash=info["model_hash"],
            model_kind=info["model_kind"],
            unit=by["unit"] if info["has_unit"] else None,
            wave=np.full(n, name),
            date=by["date"] if info["has_date"] else None,
            groups={g: by[c] for g, c in zip(info["group_names"], group_cols)},
        )

    # ------------------------------------------------------------------ erase

    def erase(self, respondent_id: str) -> int:
        """Delete a person's results in every wave, in one transaction, and log the erasure.

        For a request under UU PDP No. 27/2022 (or at the end of the data's purpose). Wave counts
        are updated, so group results computed afterwards equal those of the data without the
        person. Deleted content is overwritten (``PRAGMA secure_delete``) and the journal is
        checkpointed and truncated, so the id does not linger in the file. The log
        (:meth:`erasures`) keeps the time, the rows deleted and a salted hash of the id, never
        the id.

        Parameters
        ----------
        respondent_id : str
            The id as it was in the assessments added (in clear also for a pseudonymised store:
            it is hashed with the store's key).

        Returns
        -------
        int
            Rows deleted (one per wave the person was in; 0 when none, which is logged too).

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
        sid = self._stored_id(str(respondent_id))
        con = self._connection()
        with self._write():
            where = "wave IN (SELECT wave FROM waves) AND respondent_id = ?"  # walks the primary key
            hit = [r[0] for r in con.execute(f"SELECT wave FROM results WHERE {where}", (sid,))]
            con.execute(f"DELETE FROM results WHERE {where}", (sid,))
            con.executemany("UPDATE waves SET n = n - 1 WHERE wave = ?", [(w,) for w in hit])
            con.execute(
                "INSERT INTO erasures (erased, respondent_hash, rows) VALUES (?, ?, ?)",
                (_now(), self._erasure_hash(sid), len(hit)),
            )
        try:  # best effort: fails harmlessly while another process is reading
            con.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        except sqlite3.OperationalError:  # pragma: no cover
            pass
        return len(hit)

    def _erasure_hash(self, stored_id: str) -> str:
        return "hmac-sha256:" + hmac.new(self._salt, stored_id.encode("utf-8"), hashlib.sha256).hexdigest()

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
            args = (self._erasure_hash(self._stored_id(str(respondent_id))),)
        rows = self._connection().execute(sql + " ORDER BY id", args).fetchall()
        return [dict(zip(("erased", "respondent_hash", "rows"), r)) for r in rows]

    # ------------------------------------------------------------------ export

    def _selected(self, wave: str | int | None) -> list[str]:
        return self.waves() if wave is None else [_wave_name(wave)]

    def to_records(self, wave: str | int | None = None, *, lang: str = "en") -> list[dict[str, Any]]:
        """One JSON-ready dict per respondent and wave, as :meth:`Assessment.to_records` gives
        them (with ``wave``); all waves in order when ``wave`` is None.

        Examples
        --------
        >>> import os, tempfile
        >>> from akhlak_levels import assess, load_questionnaire, simulate
        >>> from akhlak_levels.store import AssessmentStore
        >>> q = load_questionnaire("socio-emotional-levels")
        >>> a = assess(q, simulate(q, 3, random_state=0)[0])
        >>> with AssessmentStore(os.path.join(tempfile.mkdtemp(), "s.sqlite")) as store:
        ...     _ = store.add(a, wave="2024")
        ...     rec = store.to_records()[0]
        >>> rec["wave"], rec["respondent_id"], rec["level"] == int(a.level[0])
        ('2024', 'sim-1', True)
        """
        out: list[dict[str, Any]] = []
        for w in self._selected(wave):
            out.extend(self.load(w).to_records(lang))
        return out

    def to_frame(self, wave: str | int | None = None, *, lang: str = "en") -> Any:
        """A pandas DataFrame of :meth:`to_records`'s rows (needs pandas).

        Waves of different questionnaires are stacked; a column a wave lacks is missing there.
        """
        try:
            import pandas as pd
        except ImportError:  # pragma: no cover
            raise ImportError("to_frame needs pandas: pip install 'akhlak-levels[frames]'.") from None
        frames = [self.load(w).to_frame(lang) for w in self._selected(wave)]
        frames = [f for f in frames if len(f)] or frames[:1]
        if not frames:
            return pd.DataFrame()
        return frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)

    def to_parquet(self, path: str | os.PathLike[str], wave: str | int | None = None, *, lang: str = "en") -> None:
        """Write :meth:`to_frame` to a Parquet file (needs pandas and pyarrow)."""
        self.to_frame(wave, lang=lang).to_parquet(os.fspath(path), index=False)


# =========================================================================== helpers


class _Transaction:
    """``BEGIN ...`` on entry; ``COMMIT`` on success, ``ROLLBACK`` on any exception."""

    def __init__(self, con: sqlite3.Connection, begin: str) -> None:
        self.con = con
        self.begin = begin

    def __enter__(self) -> None:
        self.con.execute(self.begin)

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if exc_type is None:
            self.con.execute("COMMIT")
        elif self.con.in_transaction:
            self.con.execute("ROLLBACK")


def _check_assessment(a: Assessment, name: str) -> None:
    """Refuse, before any write, an assessment whose parts disagree."""
    n = len(a.respondent_ids)
    where = f"Cannot add wave {name!r}:"
    shapes: list[tuple[str, Any, tuple[int, ...]]] = [
        ("scale_scores", a.scale_scores, (n, len(a.scale_ids))),
        ("n_answered", a.n_answered, (n,)),
        ("flags", a.flags.values, (n, len(a.flags.names))),
    ]
    level_parts = {
        "probabilities": (a.probabilities, (n, N_LEVELS)),
        "level": (a.level, (n,)),
        "expected_level": (a.expected_level, (n,)),
        "expected_level_sd": (a.expected_level_sd, (n,)),
        "confidence": (a.confidence, (n,)),
        "entropy": (a.entropy, (n,)),
    }
    present = [k for k, (v, _) in level_parts.items() if v is not None]
    if present and len(present) != len(level_parts):
        raise StoreError(f"{where} the level results must all be present or all None; present: {present}.")
    shapes += [(k, v, s) for k, (v, s) in level_parts.items() if v is not None]
    if (a.index is None) != (a.index_category is None):
        raise StoreError(f"{where} 'index' and 'index_category' must both be present or both None.")
    for k in ("index", "index_category", "unit", "date"):
        if getattr(a, k) is not None:
            shapes.append((k, getattr(a, k), (n,)))
    shapes += [(f"groups[{g!r}]", v, (n,)) for g, v in a.groups.items()]
    for label, arr, shape in shapes:
        got = np.shape(arr)
        if got != shape:
            raise StoreError(f"{where} {label} has shape {got}; expected {shape} for {n} respondents.")
    for kind, names in (("scale id", a.scale_ids), ("group name", tuple(a.groups))):
        folded = [s.lower() for s in names]
        if len(set(folded)) != len(folded) or any(not s for s in names):
            raise StoreError(f"{where} {kind}s must be non-empty and distinct ignoring case (SQL columns); got {list(names)}.")
    bad_flags = [f for f in a.flags.names if ";" in f]
    if bad_flags:
        raise StoreError(f"{where} flag names must not contain ';' (the stored separator); got {bad_flags}.")
    empty = np.asarray(a.respondent_ids, dtype=str) == ""
    if empty.any():
        raise StoreError(f"{where} respondent ids must be non-empty; row {int(np.flatnonzero(empty)[0])} has none.")
    if a.wave is not None:
        col = np.asarray(a.wave, dtype=str)
        others = np.unique(col[(col != name) & (col != "")]).tolist()
        if others:
            raise StoreError(
                f"{where} the assessment's own wave column holds {others[:5]}{' ...' if len(others) > 5 else ''}, "
                f"not {name!r}. Store each wave on its own, e.g. store.add(a.take(a.wave == w), wave=w), or drop the "
                "column with dataclasses.replace(a, wave=None)."
            )


def _flag_strings(flags: Flags) -> np.ndarray:
    """Each respondent's flag names joined by ';' (``""`` for none), without a per-row loop:
    the distinct flag patterns are found on the bit-packed rows and joined once each."""
    n = len(flags)
    out = np.full(n, "", dtype=object)
    if not flags.names or not n or not flags.values.any():
        return out
    packed = np.packbits(flags.values, axis=1)
    keys = np.ascontiguousarray(packed).view(np.dtype((np.void, packed.shape[1]))).ravel()
    uniq, inverse = np.unique(keys, return_inverse=True)
    patterns = np.unpackbits(uniq.view(np.uint8).reshape(len(uniq), -1), axis=1, count=len(flags.names)).astype(bool)
    names = np.array(flags.names, dtype=object)
    texts = np.array([";".join(names[p].tolist()) for p in patterns], dtype=object)
    return texts[inverse.reshape(-1)]


def _parse_flags(texts: np.ndarray, names: tuple[str, ...], wave: str) -> Flags:
    n = len(texts)
    if not names:
        return Flags((), np.zeros((n, 0), dtype=bool))
    lookup: dict[str, int] = {}
    codes = np.fromiter((lookup.setdefault(s, len(lookup)) for s in texts.tolist()), dtype=np.intp, count=n)
    pos = {f: j for j, f in enumerate(names)}
    table = np.zeros((max(len(lookup), 1), len(names)), dtype=bool)
    for s, i in lookup.items():
        for f in s.split(";") if s else ():
            if f not in pos:  # pragma: no cover - only if the file was edited outside the library
                raise StoreError(f"Wave {wave!r} holds flag {f!r}, which its flag names {list(names)} do not list.")
            table[i, pos[f]] = True
    return Flags(names, table[codes])


def _column_array(values: Sequence[Any], kind: str) -> np.ndarray:
    """A numpy column from an SQL result column (NULL: NaN for floats, NaT for dates)."""
    if kind == "f":
        return np.array(values, dtype=np.float64)
    if kind == "i":
        return np.array([0 if v is None else v for v in values] if None in values else values, dtype=np.int64)
    if kind == "D":
        return np.array(values, dtype="datetime64[D]")
    return np.array(["" if v is None else v for v in values] if None in values else values, dtype=str)


def _row_chunks(
    a: Assessment, name: str, flag_text: np.ndarray, order: np.ndarray, id_text: Any
) -> Iterator[Iterator[tuple[Any, ...]]]:
    """Rows for ``executemany`` in ``order``, ``_CHUNK`` at a time, built column by column."""
    n = len(a)
    levels = a.probabilities is not None
    for start in range(0, n, _CHUNK):
        sl = slice(start, min(n, start + _CHUNK))
        idx = order[sl]
        m = len(idx)
        cols: list[Any] = [itertools.repeat(name, m), id_text(sl), idx.tolist()]
        cols.append(itertools.repeat(None, m) if a.unit is None else a.unit[idx].astype(str).tolist())
        if a.date is None:
            cols.append(itertools.repeat(None, m))
        else:
            d = a.date[idx].astype("datetime64[D]")
            text = d.astype(str).astype(object)
            text[np.isnat(d)] = None
            cols.append(text.tolist())
        if levels:
            assert a.level is not None and a.probabilities is not None
            cols.append(a.level[idx].astype(np.int64).tolist())
            for arr in (a.expected_level, a.expected_level_sd, a.confidence, a.entropy):
                cols.append(np.asarray(arr)[idx].tolist())
            p = a.probabilities[idx]
            cols.extend(p[:, k].tolist() for k in range(N_LEVELS))
        else:
            cols.extend(itertools.repeat(None, m) for _ in _LEVEL_COLUMNS)
        if a.index is not None and a.index_category is not None:
            cols.append(a.index[idx].tolist())
            cols.append(a.index_category[idx].astype(str).tolist())
        else:
            cols.extend((itertools.repeat(None, m), itertools.repeat(None, m)))
        cols.append(a.n_answered[idx].astype(np.int64).tolist())
        cols.append(flag_text[idx].tolist())
        scores = a.scale_scores[idx]
        cols.extend(scores[:, j].tolist() for j in range(len(a.scale_ids)))
        cols.extend(v[idx].astype(str).tolist() for v in a.groups.values())
        yield zip(*cols)
