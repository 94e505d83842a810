"""The columnar layout of the store (schema version 2, issue 15): exact round trips across chunk
boundaries, erasure that rewrites every chunk holding the person, crafted BLOBs refused with
StoreError, and version-1 files read, erased, refused for writing and upgraded."""

from __future__ import annotations

import dataclasses
import os
import sqlite3
from pathlib import Path

import numpy as np
import pytest

import akhlak_levels as al
from akhlak_levels.flags import Flags
from akhlak_levels.store import SCHEMA_VERSION, AssessmentStore, StoreError
from akhlak_levels.store import _columns as columns_module
from akhlak_levels.store import _layout as layout_module

SEL = al.load_questionnaire("socio-emotional-levels")
BERAKHLAK = al.load_questionnaire("berakhlak")
CHUNK = columns_module.CHUNK_ROWS
PERSON = "NIP-198507142010011002"
SECRET_REGION = "Pulau Rahasia Sekali"  # the person's own group value: only they have it


def assessment(n: int, seed: int = 0, person_at: int | None = None) -> al.Assessment:
    """socio-emotional-levels with every optional part; ids of varying length, a non-ASCII unit
    (stored as UTF-32), NaN scale scores, NaT dates, flags; ``PERSON`` (with a region of their
    own) at row ``person_at``."""
    rs, _ = al.simulate(SEL, n, missing=0.45, random_state=seed)
    rng = np.random.default_rng(seed)
    ids = np.char.add("ASN-", (rng.permutation(n) * 7919).astype(str))
    region = rng.choice(np.array(["Gorontalo", "Bone Bolango", ""]), n).astype("<U32")
    if person_at is not None:
        ids[person_at] = PERSON
        region[person_at] = SECRET_REGION
    date = np.datetime64("2024-03-01") + rng.integers(0, 60, n).astype("timedelta64[D]")
    date[::17] = np.datetime64("NaT")
    rs = dataclasses.replace(
        rs,
        respondent_ids=ids,
        unit=rng.choice(np.array(["Biro Umum", "Dinas Pendidikan Gorontalo", "Kantor Çamlıca"]), n),
        date=date,
        groups={"region": region, "jabatan": rng.choice(np.array(["fungsional", "struktural"]), n)},
        flags=Flags.from_columns(n, {"invalid:SE03": rng.random(n) < 0.05}),
    )
    return al.assess(SEL, rs)


def with_wave(a: al.Assessment, name: str) -> al.Assessment:
    return dataclasses.replace(a, wave=np.full(len(a), name))


def bits(x: np.ndarray) -> np.ndarray:
    """The raw bits of a float array (so NaN payloads and -0.0 count)."""
    return np.ascontiguousarray(x).view(np.uint64)


def assert_exact(got: al.Assessment, expected: al.Assessment) -> None:
    """Every array equal; floats bit for bit."""
    for name in ("questionnaire_id", "questionnaire_version", "questionnaire_hash", "scale_ids", "min_confidence",
                 "min_answered", "model_hash", "model_kind"):
        assert getattr(got, name) == getattr(expected, name), name
    for name in ("probabilities", "expected_level", "expected_level_sd", "confidence", "entropy", "scale_scores", "index"):
        g, e = getattr(got, name), getattr(expected, name)
        assert (g is None) == (e is None), name
        if e is not None:
            assert g.dtype == np.float64 and g.shape == e.shape, name
            np.testing.assert_array_equal(bits(g), bits(e), err_msg=name)
    for name in ("respondent_ids", "level", "n_answered", "unit", "date", "wave", "index_category"):
        g, e = getattr(got, name), getattr(expected, name)
        assert (g is None) == (e is None), name
        if e is not None:
            assert g.shape == e.shape, name
            np.testing.assert_array_equal(g, e, err_msg=name)
    if expected.level is not None:
        assert got.level.dtype == np.int8
    assert got.n_answered.dtype == np.int32
    assert got.flags.names == expected.flags.names
    np.testing.assert_array_equal(got.flags.values, expected.flags.values)
    assert list(got.groups) == list(expected.groups)
    for k in expected.groups:
        np.testing.assert_array_equal(got.groups[k], expected.groups[k])
    assert got.scale_n_items == expected.scale_n_items and got.scale_steps == expected.scale_steps  # issue 10
    assert (got.scale_answered is None) == (expected.scale_answered is None)
    if expected.scale_answered is not None:
        assert got.scale_answered.dtype == expected.scale_answered.dtype
        np.testing.assert_array_equal(got.scale_answered, expected.scale_answered)


def raw_bytes(path: str) -> bytes:
    return b"".join(Path(p).read_bytes() for p in (path, path + "-wal") if os.path.exists(p))


@pytest.fixture
def path(tmp_path) -> str:
    return str(tmp_path / "store.sqlite")


# ------------------------------------------------------------------ round trips and chunks


@pytest.mark.parametrize("n", [CHUNK - 1, CHUNK, CHUNK + 1])
def test_waves_across_a_chunk_boundary_come_back_bit_for_bit(path, n):
    a = assessment(n, seed=n, person_at=n - 1)
    assert np.isnan(a.scale_scores).any() and np.isnat(a.date).any() and a.flags.values.any()
    with AssessmentStore(path) as s:
        s.add(a, wave="2024")
        rows = s._con.execute("SELECT chunk, n_rows FROM wave_columns WHERE part = 'respondent_id' ORDER BY chunk")
        assert rows.fetchall() == [(k, min(CHUNK, n - k * CHUNK)) for k in range(-(-n // CHUNK))]
        assert_exact(s.load("2024"), with_wave(a, "2024"))
        # the person is the last row: of the only chunk, of a full chunk, or alone in the second chunk
        assert s.erase(PERSON) == 1
        assert_exact(s.load("2024"), with_wave(a.take(np.arange(n - 1)), "2024"))
        chunks = s._con.execute("SELECT DISTINCT chunk FROM wave_columns").fetchall()
        assert len(chunks) == 1  # a chunk left empty is deleted
    assert SECRET_REGION.encode() not in raw_bytes(path) and PERSON.encode() not in raw_bytes(path)


def test_text_is_stored_ascii_or_utf32_and_every_part_has_its_dtype(path):
    a = assessment(500)
    with AssessmentStore(path) as s:
        s.add(a, wave="w")
        stored = dict(s._con.execute("SELECT part, dtype FROM wave_columns WHERE chunk = 0"))
    assert stored["unit"] == "<U26" and stored["group:region"] == "|S12" and stored["group:jabatan"] == "|S10"
    assert stored["probabilities"] == "<f8" and stored["level"] == "|i1" and stored["n_answered"] == "<i4"
    assert stored["flags"] == "|b1" and stored["date"] == "<M8[D]"
    assert stored["respondent_id"] == f"|S{max(map(len, a.respondent_ids.tolist()))}"


def test_a_pseudonymised_wave_and_a_wave_without_levels_round_trip(path):
    a = assessment(300, person_at=5)
    rng = np.random.default_rng(1)
    codes = (rng.random((40, BERAKHLAK.n_items)) * BERAKHLAK.n_options).astype(np.int8)
    codes[rng.random(codes.shape) < 0.4] = al.MISSING
    b = al.assess(BERAKHLAK, al.ResponseSet(BERAKHLAK, np.char.add("B-", np.arange(40).astype(str)), codes))
    assert np.isnan(b.index).any()
    with AssessmentStore(path, pseudonymize_key="kunci") as s:
        s.add(a, wave="2023")
        s.add(b, wave="berakhlak")
        hashed = np.array([s.pseudonym(r) for r in a.respondent_ids])
        assert_exact(s.load("2023"), dataclasses.replace(with_wave(a, "2023"), respondent_ids=hashed))
        got = s.load("berakhlak")
        assert_exact(got, dataclasses.replace(with_wave(b, "berakhlak"),
                                              respondent_ids=np.array([s.pseudonym(r) for r in b.respondent_ids])))
        assert got.probabilities is None and got.level is None
        assert s.erase(PERSON) == 1 and s.wave_info("2023")["n"] == 299
    assert PERSON.encode() not in raw_bytes(path)


# ------------------------------------------------------------------ erasure


def test_erasure_removes_the_person_and_their_values_from_every_wave_and_nothing_else(path, monkeypatch):
    monkeypatch.setattr(columns_module, "CHUNK_ROWS", 100)  # the person is in a middle chunk of each wave
    waves = {"2023": assessment(350, seed=1, person_at=150), "2024": assessment(420, seed=2, person_at=299),
             "2025": assessment(230, seed=3)}
    with AssessmentStore(path) as s:
        for w, a in waves.items():
            s.add(a, wave=w)
        before = {w: s._con.execute("SELECT chunk, part, data FROM wave_columns WHERE wave = ? ORDER BY chunk, part",
                                    (w,)).fetchall() for w in waves}
        assert SECRET_REGION.encode() in raw_bytes(path)
        assert s.erase(PERSON) == 2
        for w, a in waves.items():
            keep = a.respondent_ids != PERSON
            assert_exact(s.load(w), with_wave(a.take(keep), w))
            assert s.wave_info(w)["n"] == int(keep.sum())
        # only the chunk that held the person was rewritten
        for w, touched in (("2023", 1), ("2024", 2), ("2025", None)):
            after = s._con.execute("SELECT chunk, part, data FROM wave_columns WHERE wave = ? ORDER BY chunk, part",
                                   (w,)).fetchall()
            changed = {c for (c, p, d), (c2, p2, d2) in zip(before[w], after) if d != d2}
            assert changed == ({touched} if touched is not None else set()), w
        assert s.erase(PERSON) == 0
    data = raw_bytes(path)
    assert PERSON.encode() not in data and SECRET_REGION.encode() not in data


# ------------------------------------------------------------------ crafted files


def tamper(path: str, sql: str, *args) -> None:
    con = sqlite3.connect(path)
    con.execute(sql, args)
    con.commit()
    con.close()


CRAFTED = [
    ("short-blob", "UPDATE wave_columns SET data = substr(data, 1, 100) WHERE part = 'probabilities'", (),
     r"part 'probabilities' holds 100 bytes, not 50 x 5 x 8"),
    ("unknown-dtype", "UPDATE wave_columns SET dtype = 'O' WHERE part = 'entropy'", (), r"part 'entropy' has dtype 'O'"),
    ("pickle-dtype", "UPDATE wave_columns SET dtype = '|O' WHERE part = 'respondent_id'", (),
     r"part 'respondent_id' has dtype '\|O', not text"),
    ("other-numeric-dtype", "UPDATE wave_columns SET dtype = '<i8' WHERE part = 'n_answered'", (),
     r"part 'n_answered' has dtype '<i8'; expected '<i4'"),
    ("text-length", "UPDATE wave_columns SET dtype = '|S999' WHERE part = 'unit'", (), r"part 'unit' holds \d+ bytes, not 50 x 999"),
    ("not-ascii", "UPDATE wave_columns SET data = ? WHERE part = 'group:jabatan'", (b"\xff" * 500,),
     r"part 'group:jabatan' holds bytes that are not characters"),
    ("bad-bool", "UPDATE wave_columns SET data = ? WHERE part = 'flags'", (b"\x02" * 150,), "booleans other than 0 and 1"),
    ("width", "UPDATE wave_columns SET width = 4 WHERE part = 'probabilities'", (), r"width 4 \(expected width 5\)"),
    ("rows", "UPDATE wave_columns SET n_rows = 49, data = substr(data, 1, 49 * 8) WHERE part = 'confidence'", (),
     "parts of different lengths"),
    ("missing-part", "DELETE FROM wave_columns WHERE part = 'level'", (), r"has parts .*; expected"),
    ("text-blob", "UPDATE wave_columns SET data = 'abc' WHERE part = 'index'", (), "has rows"),
    ("n", "UPDATE waves SET n = 51", (), "records 51 respondents but holds more or fewer"),
]


@pytest.mark.parametrize("sql, args, message", [c[1:] for c in CRAFTED], ids=[c[0] for c in CRAFTED])
def test_a_crafted_or_damaged_part_is_refused_with_a_store_error(path, sql, args, message):
    a = assessment(50)
    a = dataclasses.replace(a, index=a.expected_level.copy(), index_category=np.full(50, "tinggi"))
    with AssessmentStore(path) as s:
        s.add(a, wave="2024")
    tamper(path, sql, *args)
    with AssessmentStore(path) as s:
        with pytest.raises(StoreError, match=message):
            s.load("2024")


@pytest.mark.parametrize("part", ["respondent_id", "probabilities"])
def test_an_erasure_that_meets_a_damaged_part_erases_nothing(path, part):
    a = assessment(50, person_at=3)
    with AssessmentStore(path) as s:
        s.add(a, wave="2024")
    tamper(path, "UPDATE wave_columns SET data = substr(data, 2) WHERE part = ?", part)
    with AssessmentStore(path) as s:
        with pytest.raises(StoreError, match=f"is damaged: wave '2024', chunk 0, part '{part}' holds"):
            s.erase(PERSON)
        assert s.erasures() == [] and s.wave_info("2024")["n"] == 50


# ------------------------------------------------------------------ schema version 1


V1_RESULTS = """CREATE TABLE results (
    wave TEXT NOT NULL REFERENCES waves (wave), respondent_id TEXT NOT NULL, seq INTEGER NOT NULL,
    unit TEXT, date TEXT, level INTEGER, expected_level REAL, expected_level_sd REAL, confidence REAL,
    entropy REAL, p1 REAL, p2 REAL, p3 REAL, p4 REAL, p5 REAL, index_score REAL, index_category TEXT,
    n_answered INTEGER NOT NULL, flags TEXT NOT NULL, PRIMARY KEY (wave, respondent_id))"""


def without_counts(a: al.Assessment) -> al.Assessment:
    """``a`` as assessments were before they carried per-scale answered counts (issue 10)."""
    return dataclasses.replace(a, scale_n_items=None, scale_steps=None, scale_answered=None)


def make_v1(path: str, waves: dict[str, al.Assessment]) -> None:
    """A store in the layout of schema version 1 (one SQL row per respondent), as akhlak_levels
    wrote it before issue 15 (``waves`` without per-scale counts, which it did not keep)."""
    AssessmentStore(path).close()
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("BEGIN")
    con.execute("DROP TABLE wave_columns")
    con.execute(V1_RESULTS)
    con.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    for position, (name, a) in enumerate(waves.items(), 1):
        layout_module.insert_wave_row(con, name, position, a)
        extra = [f"scale_{s}" for s in a.scale_ids] + [f"group_{g}" for g in a.groups]
        have = {r[1] for r in con.execute("PRAGMA table_info(results)")}
        for c in extra:
            if c not in have:
                con.execute(f'ALTER TABLE results ADD COLUMN "{c}" {"REAL" if c.startswith("scale_") else "TEXT"}')
        n = len(a)
        date = [None if np.isnat(d) else str(d) for d in a.date.astype("datetime64[D]")] if a.date is not None else [None] * n
        cols = [[name] * n, a.respondent_ids.tolist(), list(range(n)),
                a.unit.tolist() if a.unit is not None else [None] * n, date, a.level.astype(int).tolist(),
                a.expected_level.tolist(), a.expected_level_sd.tolist(), a.confidence.tolist(), a.entropy.tolist(),
                *[a.probabilities[:, k].tolist() for k in range(5)], [None] * n, [None] * n,
                a.n_answered.astype(int).tolist(), a.flags.as_strings(),
                *[a.scale_scores[:, j].tolist() for j in range(len(a.scale_ids))],
                *[np.asarray(v).tolist() for v in a.groups.values()]]
        names = ["wave", "respondent_id", "seq", "unit", "date", "level", "expected_level", "expected_level_sd",
                 "confidence", "entropy", "p1", "p2", "p3", "p4", "p5", "index_score", "index_category", "n_answered",
                 "flags"] + extra
        con.executemany(f"INSERT INTO results ({', '.join(map(repr, names))}) VALUES ({', '.join('?' * len(names))})",
                        zip(*cols))
    con.execute("COMMIT")
    con.close()


def test_a_version_1_store_is_read_erased_refused_for_writing_and_upgraded(path):
    waves = {"2023": assessment(120, seed=1, person_at=7), "2024": assessment(90, seed=2, person_at=80)}
    waves = {w: without_counts(a) for w, a in waves.items()}  # version 1 kept no per-scale counts
    make_v1(path, waves)
    assert SCHEMA_VERSION == 4  # 2 plus vote tables (3) or per-scale counts (4); the upgrade writes version 2
    with AssessmentStore(path) as s:
        for w, a in waves.items():
            assert_exact(s.load(w), with_wave(a, w))
        with pytest.raises(StoreError, match=r"has schema version 1 .* writes waves only in schema version 2 .*"
                                             r"store\.upgrade\(\)"):
            s.add(waves["2023"], wave="2025")
        assert s.erase(PERSON) == 2  # erasure works on the old layout, without an upgrade
        waves = {w: a.take(a.respondent_ids != PERSON) for w, a in waves.items()}
        for w, a in waves.items():
            assert_exact(s.load(w), with_wave(a, w))
        assert s.upgrade() == 2 and s.upgrade() == 0
        for w, a in waves.items():
            assert_exact(s.load(w), with_wave(a, w))
        s.add(waves["2023"], wave="2025")
        assert s.waves() == ["2023", "2024", "2025"] and len(s.erasures()) == 1
    con = sqlite3.connect(path)
    assert dict(con.execute("SELECT key, value FROM meta"))["schema_version"] == "2"
    assert "results" not in layout_module.table_names(con)
    con.close()
    assert PERSON.encode() not in raw_bytes(path)
    with AssessmentStore(path) as s:  # reopened as version 2
        assert_exact(s.load("2024"), with_wave(waves["2024"], "2024"))
