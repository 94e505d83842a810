"""Vote waves in the store: the :class:`~akhlak_levels.VoteSet` of each wave of a culture-map
survey, kept as the assessment waves are (columns in chunks, pseudonymised ids, erasure).

A mixin of :class:`~akhlak_levels.store.AssessmentStore`. Vote waves have their own namespace
and two tables of their own, which a store gains on its first vote wave (``CREATE TABLE IF NOT
EXISTS`` inside that wave's write transaction, which also marks the file schema version 3), so
a store without vote waves keeps exactly the layout of schema version 2 and every existing store
opens unchanged::

    vote_waves    one row per vote wave: wave (primary key), position, added, library_version,
                  questionnaire id / version / hash (the hash when the questionnaire was given),
                  n_behaviours, n, n_questions, max_picks, flag names, group names (JSON),
                  has_unit, source, skipped_rows (JSON)
    vote_columns  as ``wave_columns``: one row per wave, chunk and part (``respondent_id``,
                  ``unit``, ``picks``, ``flags``, ``group:<name>``) with the part's raw bytes

``picks`` is the VoteSet's ``(n, n_questions, max_picks)`` int16 array, stored as one ``<i2``
BLOB per chunk of width ``n_questions * max_picks``: no SQL row per pick.
"""

from __future__ import annotations

import json
import sqlite3
from typing import TYPE_CHECKING, Any

import numpy as np

from .._version import __version__
from ..culture import CultureMap, culture_map
from ..errors import StoreError
from ..flags import Flags
from ..questionnaire import Questionnaire, load_questionnaire
from ..votes import VoteSet
from . import _columns
from ._layout import VOTES_VERSION, Transaction, needs_upgrade, now, table_names, wave_name

__all__ = ["VOTE_FIELDS", "VOTE_SCHEMA", "VoteWaves", "vote_part_kinds"]

VOTE_SCHEMA = """
CREATE TABLE IF NOT EXISTS vote_waves (
    wave TEXT PRIMARY KEY,
    position INTEGER NOT NULL UNIQUE,
    added TEXT NOT NULL,
    library_version TEXT NOT NULL,
    questionnaire_id TEXT NOT NULL,
    questionnaire_version TEXT NOT NULL,
    questionnaire_hash TEXT,
    n_behaviours INTEGER,
    n INTEGER NOT NULL,
    n_questions INTEGER NOT NULL,
    max_picks INTEGER NOT NULL,
    flag_names TEXT NOT NULL,
    group_names TEXT NOT NULL,
    has_unit INTEGER NOT NULL,
    source TEXT,
    skipped_rows TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS vote_columns (
    wave TEXT NOT NULL REFERENCES vote_waves (wave),
    chunk INTEGER NOT NULL,
    part TEXT NOT NULL,
    dtype TEXT NOT NULL,
    n_rows INTEGER NOT NULL,
    width INTEGER NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (wave, chunk, part)
);
"""

VOTE_FIELDS = (
    "wave", "position", "added", "library_version", "questionnaire_id", "questionnaire_version",
    "questionnaire_hash", "n_behaviours", "n", "n_questions", "max_picks", "flag_names", "group_names",
    "has_unit", "source", "skipped_rows",
)

_TABLE = "vote_columns"


def vote_part_kinds(info: dict[str, Any]) -> dict[str, tuple[str, int]]:
    """The parts every chunk of a vote wave holds, ``{part: (kind, width)}``, from its row."""
    kinds: dict[str, tuple[str, int]] = {"respondent_id": ("text", 1)}
    if info["has_unit"]:
        kinds["unit"] = ("text", 1)
    kinds["picks"] = ("i2", info["n_questions"] * info["max_picks"])
    kinds["flags"] = ("b1", len(info["flag_names"]))
    for g in info["group_names"]:
        kinds[f"group:{g}"] = ("text", 1)
    return kinds


def _info(row: tuple[Any, ...]) -> dict[str, Any]:
    info = dict(zip(VOTE_FIELDS, row))
    for k in ("flag_names", "group_names", "skipped_rows"):
        info[k] = json.loads(info[k])
    info["has_unit"] = bool(info["has_unit"])
    return info


def _check_votes(v: VoteSet, name: str, q: Questionnaire | None) -> None:
    """Refuse, before any write, a vote set that is not what it says or not of ``q``."""
    where = f"Cannot add vote wave {name!r}:"
    if q is not None:
        if (v.questionnaire_id, v.questionnaire_version) != (q.id, q.version):
            raise StoreError(
                f"{where} the votes answer {v.questionnaire_id!r} version {v.questionnaire_version!r}, but the "
                f"questionnaire given is {q.id!r} version {q.version!r}."
            )
        if v.n_questions != len(q.vote_questions):
            raise StoreError(f"{where} the votes hold {v.n_questions} questions; {q.id!r} has {len(q.vote_questions)}.")
        top = int(v.picks.max()) if v.picks.size else -1
        if top >= len(q.behaviours) or (v.n_behaviours is not None and v.n_behaviours != len(q.behaviours)):
            raise StoreError(f"{where} the votes do not index the {len(q.behaviours)} behaviours of {q.id!r}.")
    empty = v.respondent_ids == ""
    if empty.any():
        raise StoreError(f"{where} respondent ids must be non-empty; row {int(np.flatnonzero(empty)[0])} has none.")
    if any(not g for g in v.groups):
        raise StoreError(f"{where} group names must be non-empty; got {list(v.groups)}.")
    if v.wave is not None:
        col = _columns.as_text(v.wave)
        others = np.unique(col[(col != name) & (col != "")]).tolist()
        if others:
            raise StoreError(
                f"{where} the votes' own wave column holds {others[:5]}{' ...' if len(others) > 5 else ''}, not "
                f"{name!r}. Store each wave on its own, or drop the column with dataclasses.replace(votes, wave=None)."
            )


class VoteWaves:
    """The vote waves of :class:`AssessmentStore` (``add_votes``, ``load_votes``,
    ``vote_waves``, ``vote_wave_info``, ``culture_maps``), and their part in an erasure."""

    if TYPE_CHECKING:
        path: str
        _version: int
        _pseudonymized: bool

        def _connection(self) -> sqlite3.Connection: ...

        def _writing(self) -> Any: ...

        def _read(self) -> Transaction: ...

        def _need_key(self) -> bytes: ...

    # ------------------------------------------------------------------ listing

    def _has_vote_tables(self, con: sqlite3.Connection) -> bool:
        return "vote_waves" in table_names(con)

    def vote_waves(self) -> list[str]:
        """The vote wave names, in the order they were first added (a replaced one keeps its place).

        Vote waves have their own names: a vote wave ``"2024"`` and an assessment wave ``"2024"``
        (for example the levels scored from those votes) live side by side.
        """
        con = self._connection()
        if not self._has_vote_tables(con):
            return []
        return [r[0] for r in con.execute("SELECT wave FROM vote_waves ORDER BY position")]

    def vote_wave_info(self, wave: str | int) -> dict[str, Any]:
        """What the store knows of a vote wave: when and by which library version it was added,
        the questionnaire id / version / hash, ``n``, ``n_questions``, ``max_picks``,
        ``n_behaviours``, flag and group names, ``has_unit``, ``source`` and ``skipped_rows``.

        Examples
        --------
        >>> import os, tempfile
        >>> import numpy as np
        >>> from akhlak_levels import VoteSet, load_questionnaire
        >>> from akhlak_levels.store import AssessmentStore
        >>> q = load_questionnaire("berakhlak-culture-map")
        >>> picks = np.tile(np.arange(10, dtype=np.int16), (4, 3, 1))
        >>> v = VoteSet(q.id, q.version, np.array(["A", "B", "C", "D"]), picks)
        >>> with AssessmentStore(os.path.join(tempfile.mkdtemp(), "s.sqlite")) as store:
        ...     _ = store.add_votes(v, wave=2024, questionnaire=q)
        ...     info = store.vote_wave_info(2024)
        >>> info["n"], info["n_questions"], info["questionnaire_hash"] == q.content_hash
        (4, 3, True)
        """
        return self._vote_row(self._connection(), wave_name(wave))

    def _vote_row(self, con: sqlite3.Connection, name: str) -> dict[str, Any]:
        row = None
        if self._has_vote_tables(con):
            row = con.execute(f"SELECT {', '.join(VOTE_FIELDS)} FROM vote_waves WHERE wave = ?", (name,)).fetchone()
        if row is None:
            raise StoreError(f"No vote wave {name!r} in the store {self.path!r}; its vote waves are {self.vote_waves()}.")
        return _info(row)

    # ------------------------------------------------------------------ add

    def add_votes(
        self, votes: VoteSet, *, wave: str | int, questionnaire: Questionnaire | str | None = None, replace: bool = False
    ) -> int:
        """Store a vote set as one vote wave, in one transaction.

        Parameters
        ----------
        votes : VoteSet
        wave : str or int
            The vote wave's name (stored as text). When the votes carry a per-respondent wave
            column, its values must be this name (or blank).
        questionnaire : Questionnaire or str, optional
            The vote instrument the votes answer. When given, the votes must be of its id and
            version, with its number of questions and behaviours, and the store keeps its
            content hash, so that :meth:`load_votes` refuses a questionnaire whose behaviour list
            has changed since (a pick is a position in that list). Recommended.
        replace : bool, default=False
            When the vote wave exists: False refuses, True replaces it in the same transaction.

        Returns
        -------
        int
            The number of respondents stored.

        Raises
        ------
        StoreError
            The vote wave exists and ``replace`` is False; the votes are not of ``questionnaire``;
            a respondent id is empty or repeated; the store needs a key, or an upgrade
            (schema version 1).

        Notes
        -----
        Stored as the assessment waves are: each part (ids, unit, picks, flags, each group
        column) is one BLOB of raw bytes per chunk of 65,536 respondents; ids are pseudonymised
        with the store's key when the store is pseudonymised. The first vote wave of a store
        adds the two vote tables to the file, in the same transaction.

        Examples
        --------
        >>> import os, tempfile
        >>> import numpy as np
        >>> from akhlak_levels import VoteSet, load_questionnaire
        >>> from akhlak_levels.store import AssessmentStore
        >>> q = load_questionnaire("berakhlak-culture-map")
        >>> picks = np.tile(np.arange(10, dtype=np.int16), (3, 3, 1))
        >>> v = VoteSet(q.id, q.version, np.array(["A", "B", "C"]), picks, unit=np.array(["x", "x", "y"]))
        >>> store = AssessmentStore(os.path.join(tempfile.mkdtemp(), "s.sqlite"))
        >>> store.add_votes(v, wave="2024", questionnaire=q), store.vote_waves(), store.waves()
        (3, ['2024'], [])
        >>> store.add_votes(v, wave="2024")
        Traceback (most recent call last):
        ...
        akhlak_levels.errors.StoreError: Vote wave '2024' is already in the store ... pass replace=True to replace it.
        >>> store.close()
        """
        if not isinstance(votes, VoteSet):
            raise TypeError(f"add_votes: votes must be a VoteSet, got {type(votes).__name__}.")
        name = wave_name(wave)
        q = load_questionnaire(questionnaire) if isinstance(questionnaire, str) else questionnaire
        _check_votes(votes, name, q)
        if self._version < 2:
            raise needs_upgrade(self.path, self._version)
        key = self._need_key() if self._pseudonymized else None
        ids = _columns.stored_ids(votes.respondent_ids, key, name)
        n, n_q, max_picks = votes.picks.shape
        flags = votes.flags if votes.flags is not None else Flags.empty(n)
        arrays: dict[str, np.ndarray] = {"respondent_id": ids}
        if votes.unit is not None:
            arrays["unit"] = _columns.as_text(votes.unit)
        arrays["picks"] = votes.picks.reshape(n, n_q * max_picks)
        arrays["flags"] = flags.values
        for g, col in votes.groups.items():
            arrays[f"group:{g}"] = _columns.as_text(col)
        with self._writing() as con:
            for statement in VOTE_SCHEMA.split(";"):
                if statement.strip():
                    con.execute(statement)
            con.execute(  # version 3: a library that knows no vote waves refuses the file (see _layout)
                "UPDATE meta SET value = ? WHERE key = 'schema_version' AND CAST(value AS INTEGER) < ?",
                (str(VOTES_VERSION), VOTES_VERSION),
            )
            position = self._vote_position(con, name, replace)
            values = (
                name, position, now(), __version__, votes.questionnaire_id, votes.questionnaire_version,
                None if q is None else q.content_hash, votes.n_behaviours,
                n, n_q, max_picks, json.dumps(list(flags.names)), json.dumps(list(votes.groups)),
                votes.unit is not None, votes.source, json.dumps([int(r) for r in votes.skipped_rows]),
            )
            con.execute(f"INSERT INTO vote_waves ({', '.join(VOTE_FIELDS)}) VALUES ({', '.join('?' * len(VOTE_FIELDS))})", values)
            _columns.write_parts(con, name, vote_part_kinds(_info(values)), arrays, n, table=_TABLE)
        self._version = max(self._version, VOTES_VERSION)
        return n

    def _vote_position(self, con: sqlite3.Connection, name: str, replace: bool) -> int:
        old = con.execute("SELECT position, n FROM vote_waves WHERE wave = ?", (name,)).fetchone()
        if old is not None and not replace:
            raise StoreError(
                f"Vote wave {name!r} is already in the store {self.path!r} ({old[1]} respondents); a vote wave is "
                "stored once: pass replace=True to replace it."
            )
        if old is not None:
            con.execute("DELETE FROM vote_columns WHERE wave = ?", (name,))
            con.execute("DELETE FROM vote_waves WHERE wave = ?", (name,))
            return int(old[0])
        return int(con.execute("SELECT coalesce(max(position), 0) + 1 FROM vote_waves").fetchone()[0])

    # ------------------------------------------------------------------ load

    def load_votes(self, wave: str | int, *, questionnaire: Questionnaire | str | None = None) -> VoteSet:
        """The vote wave as the :class:`~akhlak_levels.VoteSet` that was added.

        Ids (pseudonymised in a pseudonymised store), picks, unit, groups, flags, source,
        skipped rows and ``n_behaviours`` come back exactly, in the order added; ``wave`` holds
        the wave's name for every respondent (as :meth:`load` does for assessments). Erased
        respondents are absent.

        Parameters
        ----------
        wave : str or int
        questionnaire : Questionnaire or str, optional
            When given, the wave must have been stored from this questionnaire: the same id and
            version, and the same content hash when the wave was stored with its questionnaire.

        Raises
        ------
        StoreError
            No such vote wave; the wave is of another questionnaire (or another content of it);
            the file is damaged.

        Examples
        --------
        >>> import os, tempfile
        >>> import numpy as np
        >>> from akhlak_levels import VoteSet, load_questionnaire
        >>> from akhlak_levels.store import AssessmentStore
        >>> q = load_questionnaire("berakhlak-culture-map")
        >>> picks = np.tile(np.arange(10, dtype=np.int16), (3, 3, 1))
        >>> v = VoteSet(q.id, q.version, np.array(["A", "B", "C"]), picks, groups={"region": np.array(["n", "s", "s"])})
        >>> with AssessmentStore(os.path.join(tempfile.mkdtemp(), "s.sqlite")) as store:
        ...     _ = store.add_votes(v, wave="2024", questionnaire=q)
        ...     back = store.load_votes("2024", questionnaire=q)
        >>> bool((back.picks == v.picks).all()), back.groups["region"].tolist(), str(back.wave[0])
        (True, ['n', 's', 's'], '2024')
        """
        name = wave_name(wave)
        q = load_questionnaire(questionnaire) if isinstance(questionnaire, str) else questionnaire
        con = self._connection()
        with self._read():
            info = self._vote_row(con, name)
            if q is not None:
                self._check_questionnaire(info, q)
            kinds = vote_part_kinds(info)
            by = _columns.read_arrays(con, self.path, name, info, kinds=kinds, table=_TABLE)
        n = info["n"]
        return VoteSet(
            questionnaire_id=info["questionnaire_id"],
            questionnaire_version=info["questionnaire_version"],
            respondent_ids=by["respondent_id"],
            picks=by["picks"].reshape(n, info["n_questions"], info["max_picks"]),
            unit=by["unit"] if info["has_unit"] else None,
            wave=np.full(n, name),
            groups={g: by[f"group:{g}"] for g in info["group_names"]},
            flags=Flags(tuple(info["flag_names"]), by["flags"]),
            source=info["source"],
            skipped_rows=tuple(info["skipped_rows"]),
            n_behaviours=info["n_behaviours"],
        )

    def _check_questionnaire(self, info: dict[str, Any], q: Questionnaire) -> None:
        stored = (info["questionnaire_id"], info["questionnaire_version"])
        name = info["wave"]
        if stored != (q.id, q.version):
            raise StoreError(
                f"Vote wave {name!r} of the store {self.path!r} answers {stored[0]!r} version {stored[1]!r}, not "
                f"{q.id!r} version {q.version!r}."
            )
        if info["questionnaire_hash"] is not None and info["questionnaire_hash"] != q.content_hash:
            raise StoreError(
                f"Vote wave {name!r} of the store {self.path!r} was stored from another content of {q.id!r} "
                f"version {q.version!r} (content hash {info['questionnaire_hash']}, not {q.content_hash}): its picks "
                "are positions in that questionnaire's behaviour list. Load it with the questionnaire file it was "
                "stored with."
            )

    def culture_maps(
        self, questionnaire: Questionnaire | str, *, waves: list[str] | None = None, **options: Any
    ) -> dict[str, CultureMap]:
        """The culture map of each vote wave, in the store's order: ``{wave: CultureMap}``.

        Each wave is read with :meth:`load_votes` (checked against ``questionnaire``) and mapped
        with :func:`~akhlak_levels.culture_map` and ``options`` (``by``, ``min_group_size``,
        ``confidence``, ``index``), one wave in memory at a time. The result feeds
        :func:`~akhlak_levels.culture_trend` directly.

        Examples
        --------
        >>> import os, tempfile
        >>> import numpy as np
        >>> from akhlak_levels import VoteSet, culture_trend, load_questionnaire
        >>> from akhlak_levels.store import AssessmentStore
        >>> q = load_questionnaire("berakhlak-culture-map")
        >>> rng = np.random.default_rng(0)
        >>> store = AssessmentStore(os.path.join(tempfile.mkdtemp(), "s.sqlite"))
        >>> for year in ("2023", "2024", "2025"):
        ...     picks = np.stack([[rng.choice(74, 10, replace=False) for _ in range(3)] for _ in range(40)])
        ...     _ = store.add_votes(VoteSet(q.id, q.version, np.arange(40).astype(str), picks), wave=year, questionnaire=q)
        >>> maps = store.culture_maps(q)
        >>> list(maps), culture_trend(maps).waves
        (['2023', '2024', '2025'], ('2023', '2024', '2025'))
        >>> store.close()
        """
        q = load_questionnaire(questionnaire) if isinstance(questionnaire, str) else questionnaire
        names = self.vote_waves() if waves is None else [wave_name(w) for w in waves]
        return {w: culture_map(q, self.load_votes(w, questionnaire=q), **options) for w in names}

    # ------------------------------------------------------------------ erase

    def _erase_votes(self, con: sqlite3.Connection, sid: str) -> list[str]:
        """Delete the stored id ``sid`` from every vote wave (in the caller's transaction); the
        vote waves it was in, once per row removed."""
        if not self._has_vote_tables(con):
            return []
        infos = [_info(r) for r in con.execute(f"SELECT {', '.join(VOTE_FIELDS)} FROM vote_waves ORDER BY position")]
        return _columns.erase_id(con, self.path, infos, sid, kinds_of=vote_part_kinds, table=_TABLE)

    def _holds_votes(self, con: sqlite3.Connection) -> bool:
        """True when a vote wave holds respondents (whose ids would be in clear in a store without key)."""
        return self._has_vote_tables(con) and con.execute("SELECT 1 FROM vote_columns LIMIT 1").fetchone() is not None
