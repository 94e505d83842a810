"""The store file: its SQLite tables, its constants, and its transactions.

The file layout (schema version 2, and 3 with vote waves)::

    meta          key -> value: schema_version, created, library_version, erasure_salt,
                  key_fingerprint (when pseudonymised), erase_check (time of the last erasure's
                  check that nobody else was using the file)
    waves         one row per wave: wave (primary key), position, added, questionnaire id /
                  version / hash, model hash / kind, min_confidence, min_answered, n, scale ids,
                  flag names, group names (JSON), which optional parts the wave has
    wave_columns  one row per wave, chunk of 65,536 respondents and part (respondent_id,
                  probabilities, scale_scores, group:<name>, ...), primary key (wave, chunk,
                  part): dtype, n_rows, width and the raw little-endian bytes of the numpy array
                  (see ``_columns``)
    erasures      one row per erasure: time, salted hash of the erased id, rows deleted

A store gains a table ``wave_scales`` (wave, scale_n_items, scale_steps: JSON lists) with its
first wave that carries per-scale answered counts (issue 10: every assessment made since), whose
chunks then hold one more part, ``scale_answered`` (respondents x scales, unsigned integers); in
the same transaction the file becomes schema version 4, which akhlak_levels before issue 10
refuses to open ("upgrade akhlak_levels") rather than call the new part damage. Waves saved
before keep no counts: they load with ``scale_answered`` None, and a reliable change on scales
between them is refused with the fix (score the responses again, ``add(..., replace=True)``).

A store gains two more tables with its first vote wave, ``vote_waves`` and ``vote_columns``
(see ``_votes``), and becomes schema version 3 in the same transaction: version 2 plus the vote
tables. A store without vote waves stays version 2, which akhlak_levels before vote waves reads;
one with vote waves is refused by it ("upgrade akhlak_levels"), rather than opened by a library
that would not see the votes, and would leave a person's votes behind when erasing them.

Schema version 1 (akhlak_levels before issue 15) had, instead of ``wave_columns``, a table
``results`` with one row per respondent and wave (``_rows`` reads it); such a file is read as it
is, and :meth:`AssessmentStore.upgrade` rewrites it as version 2.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import hashlib
import hmac
import json
import secrets
import sqlite3
import time
from typing import Any, Iterator

from .._validation import param_error
from .._version import __version__
from ..errors import StoreError
from ..levels import N_LEVELS

#: The newest file layout this library writes: version 4, a store whose waves carry per-scale
#: answered counts (issue 10); version 3 is a store with vote waves and none of those.
SCHEMA_VERSION = 4

#: The version a store becomes with its first vote wave (when it is not newer already).
VOTES_VERSION = 3

#: The version a store becomes with its first wave carrying per-scale answered counts.
COUNTS_VERSION = 4

#: The version a new store starts at: 2, until its first vote wave makes it 3.
BASE_VERSION = 2

#: Schema versions this library reads: version 1 (rows) read as it is; writes need an upgrade.
READABLE = (1, 2, 3, 4)

#: Schema versions this library writes waves into.
WRITABLE = (2, 3, 4)

#: ``PRAGMA application_id`` of a store ("AKLV"), so file-type tools can recognise it.
APPLICATION_ID = 0x414B4C56

#: Hex characters kept of a pseudonym: 32 hex = 128 bits of HMAC-SHA256.
PSEUDONYM_HEX = 32

FINGERPRINT_MESSAGE = b"akhlak_levels.store key fingerprint v1"

LEVEL_COLUMNS = ("level", "expected_level", "expected_level_sd", "confidence", "entropy") + tuple(
    f"p{k}" for k in range(1, N_LEVELS + 1)
)
#: The fixed columns of schema version 1's ``results`` after ``wave``, ``respondent_id`` and ``seq``, in order.
FIXED_COLUMNS = ("unit", "date") + LEVEL_COLUMNS + ("index_score", "index_category", "n_answered", "flags")

SCHEMA = """
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
CREATE TABLE wave_columns (
    wave TEXT NOT NULL REFERENCES waves (wave),
    chunk INTEGER NOT NULL,
    part TEXT NOT NULL,
    dtype TEXT NOT NULL,
    n_rows INTEGER NOT NULL,
    width INTEGER NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (wave, chunk, part)
);
CREATE TABLE erasures (
    id INTEGER PRIMARY KEY,
    erased TEXT NOT NULL,
    respondent_hash TEXT NOT NULL,
    rows INTEGER NOT NULL
);
"""

#: The table of schema version 4: each wave's scale design, for the ``scale_answered`` part.
SCALES_SCHEMA = """
CREATE TABLE IF NOT EXISTS wave_scales (
    wave TEXT PRIMARY KEY REFERENCES waves (wave),
    scale_n_items TEXT NOT NULL,
    scale_steps TEXT NOT NULL
)
"""

#: The table of schema version 2 that version 1 lacks (made by the upgrade).
WAVE_COLUMNS_TABLE = SCHEMA[SCHEMA.index("CREATE TABLE wave_columns") : SCHEMA.index("CREATE TABLE erasures")].strip().rstrip(";")

WAVE_FIELDS = (
    "wave", "position", "added", "library_version", "questionnaire_id", "questionnaire_version",
    "questionnaire_hash", "model_hash", "model_kind", "min_confidence", "min_answered", "n",
    "scale_ids", "flag_names", "group_names", "has_levels", "has_index", "has_unit", "has_date",
)


def now() -> str:
    """The current UTC time as ISO text, to the microsecond."""
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="microseconds")


def quote(name: str) -> str:
    """An SQL identifier, quoted."""
    return '"' + name.replace('"', '""') + '"'


def wave_name(wave: object) -> str:
    """The stored name of a wave: its text, refused when empty or blank."""
    if wave is None or isinstance(wave, (bytes, float)) or not str(wave).strip():
        raise param_error(None, "wave", "a non-empty text (or an int such as 2024)", wave, error=StoreError)
    return str(wave)


def as_key(key: bytes | str) -> bytes:
    """The bytes of a pseudonymisation key, refused when empty."""
    raw = key.encode("utf-8") if isinstance(key, str) else bytes(key)
    if not raw:
        raise param_error(
            None, "pseudonymize_key", "a non-empty bytes or str (a secret)", key, error=StoreError, shown="an empty key"
        )
    return raw


def fingerprint(key: bytes) -> str:
    """What the file keeps of a key: an HMAC of a constant, so that another key is recognised."""
    return "hmac-sha256:" + hmac.new(key, FINGERPRINT_MESSAGE, hashlib.sha256).hexdigest()[:PSEUDONYM_HEX]


def keyed_hash(key: bytes, respondent_id: str) -> str:
    """``HMAC-SHA256(key, id)`` in hex, truncated to :data:`PSEUDONYM_HEX` characters."""
    return hmac.digest(key, respondent_id.encode("utf-8"), "sha256")[: PSEUDONYM_HEX // 2].hex()


def erasure_hash(salt: bytes, stored_id: str) -> str:
    """The erasure log's salted hash of a stored id."""
    return "hmac-sha256:" + hmac.new(salt, stored_id.encode("utf-8"), hashlib.sha256).hexdigest()


class Transaction:
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


@contextlib.contextmanager
def busy_timeout(con: sqlite3.Connection, seconds: float, restore: float) -> Iterator[None]:
    """Wait at most ``seconds`` for another connection's lock inside the block, ``restore`` after."""
    con.execute(f"PRAGMA busy_timeout = {int(seconds * 1000)}")
    try:
        yield
    finally:
        con.execute(f"PRAGMA busy_timeout = {int(restore * 1000)}")


def truncate_journal(con: sqlite3.Connection) -> bool:
    """Copy the write-ahead log into the database file and truncate it to 0 bytes; False when
    another connection's read or write transaction prevented it within the busy timeout."""
    try:
        row = con.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    except sqlite3.OperationalError:  # locked
        return False
    return row is not None and row[0] == 0


def key_changed(path: str, opened: str | None, stored: str | None) -> StoreError:
    """The refusal of a write whose store changed its pseudonymisation since it was opened."""
    if opened is None:
        return StoreError(
            f"The store {path!r} was pseudonymised by another program after it was opened here, so the respondent "
            "ids this one would write (in clear) could not be matched or erased. Nothing was written. Open the "
            "store again with pseudonymize_key=... (its key) and retry."
        )
    now_has = "no key fingerprint" if stored is None else "another key fingerprint"
    return StoreError(
        f"The store {path!r} changed its pseudonymisation after it was opened here (it now has {now_has}). "
        "Nothing was written. Open the store again and retry."
    )


def erase_refused(path: str, timeout: float) -> StoreError:
    """The refusal of an erasure while another process uses the store (nothing was erased)."""
    return StoreError(
        f"Cannot erase from the store {path!r} now: another process is using the store (reading or writing it) "
        f"and did not finish within {timeout:g} s. Nothing was erased. Close the other programs that have the store "
        "open, or wait until they finish, and try again: an erasure needs a moment when nobody else reads the "
        "store, so that the erased id can be removed from the file and its journal."
    )


def erase_unfinished(path: str, rows: int) -> StoreError:
    """The error of an erasure whose journal a reader kept from being cleared (the rows are gone)."""
    return StoreError(
        f"Erased {rows} rows from the store {path!r}, but another process began reading the store meanwhile, so "
        "the erased id may remain in the store's journal (-wal file) until it is checkpointed. Close the other "
        "programs that have the store open and call erase again with the same id: it removes the remainder."
    )


def table_names(con: sqlite3.Connection) -> set[str]:
    """The tables of the open file."""
    return {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def create_tables(con: sqlite3.Connection) -> None:
    """Make the tables of an empty file and its meta rows (inside the caller's transaction)."""
    for statement in SCHEMA.split(";"):
        if statement.strip():
            con.execute(statement)
    con.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    con.executemany(
        "INSERT INTO meta (key, value) VALUES (?, ?)",
        [
            ("schema_version", str(BASE_VERSION)),
            ("created", now()),
            ("library_version", __version__),
            ("erasure_salt", secrets.token_hex(16)),
        ],
    )


def check_schema_version(path: str, meta: dict[str, Any], tables: set[str]) -> int:
    """The schema version of a store this library reads; refuse a file that is not a store, or a
    store of a version it does not read."""
    raw_version = meta.get("schema_version")
    if raw_version is None:
        raise StoreError(
            f"{path!r} is not an assessment store: it holds tables {sorted(tables)} but no schema version "
            f"(a store made by akhlak_levels has a 'meta' table with schema_version {BASE_VERSION} or {SCHEMA_VERSION})."
        )
    version = int(raw_version)
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"The store {path!r} has schema version {version}; this akhlak_levels ({__version__}) reads "
            f"schema versions {', '.join(map(str, READABLE[:-1]))} and {READABLE[-1]}. Upgrade akhlak_levels to open it."
        )
    if version not in READABLE:
        raise StoreError(
            f"The store {path!r} has schema version {version}, older than any this akhlak_levels ({__version__}) reads "
            f"({', '.join(map(str, READABLE))}), and there is no migration from it."
        )
    return version


def needs_upgrade(path: str, version: int) -> StoreError:
    """The refusal of a write into a store of schema version 1."""
    return StoreError(
        f"The store {path!r} has schema version {version} (one row per respondent); this akhlak_levels "
        f"({__version__}) reads it but writes waves only in schema version {BASE_VERSION} (columns in chunks) or later. "
        "Call store.upgrade() once to rewrite the file as version 2 in one transaction (akhlak_levels older than "
        "issue 15 cannot open it afterwards; keep a copy if they must), then add the wave."
    )


def insert_wave_row(con: sqlite3.Connection, name: str, position: int, a: Any) -> dict[str, Any]:
    """Insert the ``waves`` row of assessment ``a`` as wave ``name`` at ``position``; the row
    as :meth:`AssessmentStore.wave_info` gives it."""
    values = (
        name, position, now(), __version__, a.questionnaire_id, a.questionnaire_version,
        a.questionnaire_hash, a.model_hash, a.model_kind, float(a.min_confidence),
        float(a.min_answered), len(a), json.dumps(list(a.scale_ids)), json.dumps(list(a.flags.names)),
        json.dumps(list(a.groups)), a.probabilities is not None, a.index is not None, a.unit is not None,
        a.date is not None,
    )
    con.execute(f"INSERT INTO waves ({', '.join(WAVE_FIELDS)}) VALUES ({', '.join('?' * len(WAVE_FIELDS))})", values)
    info = wave_info(WAVE_FIELDS, values)
    info.update(scale_n_items=None, scale_steps=None)
    if a.scale_answered is not None and a.scale_n_items is not None and a.scale_steps is not None:
        con.execute(SCALES_SCHEMA)
        con.execute(  # version 4: a library that knows no scale counts refuses the file
            "UPDATE meta SET value = ? WHERE key = 'schema_version' AND CAST(value AS INTEGER) < ?",
            (str(COUNTS_VERSION), COUNTS_VERSION),
        )
        items = [int(k) for k in a.scale_n_items]
        steps = [float(h) for h in a.scale_steps]
        con.execute(
            "INSERT INTO wave_scales (wave, scale_n_items, scale_steps) VALUES (?, ?, ?)",
            (name, json.dumps(items), json.dumps(steps)),
        )
        info.update(scale_n_items=items, scale_steps=steps)
    return info


def scale_info(con: sqlite3.Connection, name: str) -> dict[str, Any]:
    """The wave's scale design (``scale_n_items``, ``scale_steps``), both None for a wave saved
    without per-scale answered counts."""
    row = None
    if con.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'wave_scales'").fetchone():
        row = con.execute("SELECT scale_n_items, scale_steps FROM wave_scales WHERE wave = ?", (name,)).fetchone()
    if row is None:
        return {"scale_n_items": None, "scale_steps": None}
    return {"scale_n_items": json.loads(row[0]), "scale_steps": json.loads(row[1])}


def delete_scale_info(con: sqlite3.Connection, name: str) -> None:
    """Remove the wave's scale design, if the store has any (a wave being replaced)."""
    if con.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'wave_scales'").fetchone():
        con.execute("DELETE FROM wave_scales WHERE wave = ?", (name,))


def wave_info(fields: tuple[str, ...], row: tuple[Any, ...]) -> dict[str, Any]:
    """A ``waves`` row as a dict, its JSON lists parsed and its flags as bools."""
    info = dict(zip(fields, row))
    for k in ("scale_ids", "flag_names", "group_names"):
        info[k] = json.loads(info[k])
    for k in ("has_levels", "has_index", "has_unit", "has_date"):
        info[k] = bool(info[k])
    return info


def when_free(con: sqlite3.Connection, timeout: float, path: str) -> set[str]:
    """Switch a connection to WAL and list the tables, waiting while another process does the same.

    SQLite does not call the busy handler while another connection changes the journal mode or
    runs WAL recovery: two processes opening a new store at the same moment get "database is
    locked" at once. Retry with a short backoff until ``timeout``; then say the store is busy
    (not that it is no database).
    """
    deadline = time.monotonic() + timeout
    pause = 0.001
    while True:
        try:
            con.execute("PRAGMA journal_mode = WAL").fetchone()
            return table_names(con)
        except sqlite3.OperationalError as exc:
            text = str(exc).lower()
            if "locked" not in text and "busy" not in text:
                raise
            if time.monotonic() >= deadline:
                raise StoreError(
                    f"The store {path!r} is busy: another process held it for more than {timeout:g} s "
                    "while it was being opened. Try again, or pass a longer timeout."
                ) from exc
            time.sleep(pause)
            pause = min(pause * 2, 0.05)
