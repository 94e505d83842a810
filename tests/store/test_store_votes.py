"""Vote waves in the store (issue 11): exact round trips, pseudonymised ids never in clear,
erasure from every vote wave and assessment wave, replace, questionnaire checks, a reader's
snapshot, a write that fails half-way, stores from before vote waves, and the culture maps of
the stored waves."""

from __future__ import annotations

import dataclasses
import hmac
import os
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import akhlak_levels as al
from akhlak_levels import VoteSet, culture_map, culture_trend
from akhlak_levels.flags import Flags
from akhlak_levels.questionnaire import questionnaire_from_dict
from akhlak_levels.store import AssessmentStore, StoreError
from akhlak_levels.store import _columns as columns_module

Q = al.load_questionnaire("berakhlak-culture-map")
SEL = al.load_questionnaire("socio-emotional-levels")
PERSON = "NIP-198507142010011002"
SECRET_REGION = "Pulau Rahasia Sekali"  # the person's own group value: only they have it
B = len(Q.behaviours)
VOTE_TABLES = {"vote_waves", "vote_columns"}
V2_TABLES = {"meta", "waves", "wave_columns", "erasures"}


def random_picks(rng: np.random.Generator, n: int, n_q: int, max_picks: int, n_behaviours: int) -> np.ndarray:
    """Each respondent and question: between 0 and ``max_picks`` distinct behaviours (vectorised)."""
    order = rng.random((n, n_q, n_behaviours)).argsort(axis=2)[:, :, :max_picks]
    count = rng.integers(0, max_picks + 1, (n, n_q))
    return np.where(np.arange(max_picks) < count[:, :, None], order, -1).astype(np.int16)


def votes(n: int = 200, seed: int = 0, person_at: int | None = None, units=("Biro Umum", "Dinas Kesehatan – Bidang Ü")) -> VoteSet:
    """A berakhlak-culture-map vote set with a unit (one of them not ASCII), a region group, a
    flag and reading metadata; ``PERSON`` (of a region of their own) at ``person_at``."""
    rng = np.random.default_rng(seed)
    picks = np.stack([[rng.choice(B, 10, replace=False) for _ in range(3)] for _ in range(n)]).astype(np.int16)
    picks[::7, 2] = -1  # some did not answer the desired question
    ids = np.char.add("ASN-", np.arange(n).astype(str)).astype(object)
    region = rng.choice(["Jawa", "Sumatera"], n).astype(object)
    if person_at is not None:
        ids[person_at], region[person_at] = PERSON, SECRET_REGION
    flags = Flags(("invalid:desired",), (picks[:, 2, 0] < 0)[:, None])
    return VoteSet(Q.id, Q.version, ids.astype(str), picks, unit=rng.choice(list(units), n), groups={"region": region.astype(str)},
                   flags=flags, source="survey.csv", skipped_rows=(4, 11), n_behaviours=B)


def assessment(n: int = 120, seed: int = 0, person_at: int | None = None) -> al.Assessment:
    responses, _ = al.simulate(SEL, n, random_state=seed)
    ids = np.char.add("ASN-", np.arange(n).astype(str)).astype(object)
    if person_at is not None:
        ids[person_at] = PERSON
    return al.assess(SEL, dataclasses.replace(responses, respondent_ids=ids.astype(str)))


def take(v: VoteSet, keep: np.ndarray) -> VoteSet:
    """The vote set of the rows ``keep`` (a boolean mask)."""
    return dataclasses.replace(
        v, respondent_ids=v.respondent_ids[keep], picks=v.picks[keep], unit=None if v.unit is None else v.unit[keep],
        wave=None if v.wave is None else v.wave[keep], groups={g: c[keep] for g, c in v.groups.items()},
        flags=Flags(v.flags.names, v.flags.values[keep]),
    )


def assert_votes_equal(got: VoteSet, expected: VoteSet, name: str, ids: np.ndarray | None = None) -> None:
    """Every field exactly, ``wave`` the wave's name for everyone, ``ids`` the stored ids when given."""
    n = len(expected)
    assert (got.questionnaire_id, got.questionnaire_version) == (expected.questionnaire_id, expected.questionnaire_version)
    assert np.array_equal(got.respondent_ids, expected.respondent_ids if ids is None else ids)
    assert got.picks.dtype == np.int16 and got.picks.shape == expected.picks.shape
    assert np.array_equal(got.picks, expected.picks)
    assert (got.unit is None) == (expected.unit is None)
    if expected.unit is not None:
        assert np.array_equal(got.unit, np.asarray(expected.unit).astype(str))
    assert list(got.groups) == list(expected.groups)
    for g, col in expected.groups.items():
        assert np.array_equal(got.groups[g], np.asarray(col).astype(str)), g
    assert got.flags.names == expected.flags.names and np.array_equal(got.flags.values, expected.flags.values)
    assert got.flags.values.shape == (n, len(expected.flags.names))
    assert got.wave is not None and got.wave.tolist() == [name] * n
    assert (got.source, got.skipped_rows, got.n_behaviours) == (expected.source, expected.skipped_rows, expected.n_behaviours)


def file_bytes(path: str) -> bytes:
    return b"".join(Path(p).read_bytes() for p in (path, path + "-wal") if os.path.exists(p))


def tables(path: str) -> set[str]:
    con = sqlite3.connect(path)
    try:
        return {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    finally:
        con.close()


def keyed(key: bytes, rid: str) -> str:
    return hmac.new(key, rid.encode("utf-8"), "sha256").hexdigest()[:32]


@pytest.fixture
def path(tmp_path) -> str:
    return str(tmp_path / "store.sqlite")


# ------------------------------------------------------------------ round trips

TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=6)
IDS = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), min_size=1, max_size=6)


@st.composite
def vote_sets(draw):
    """Small random vote sets: 0-9 respondents, 1-3 questions, 0-4 picks (empty picks common),
    with or without unit, groups, flags, wave column and reading metadata."""
    n = draw(st.integers(0, 9))
    n_q, max_picks, n_beh = draw(st.integers(1, 3)), draw(st.integers(0, 4)), draw(st.integers(1, 6))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    picks = random_picks(rng, n, n_q, min(max_picks, n_beh), n_beh)
    ids = draw(st.lists(IDS, min_size=n, max_size=n, unique_by=lambda s: s.rstrip("\x00")))
    unit = draw(st.none() | st.lists(TEXT, min_size=n, max_size=n))
    names = draw(st.lists(st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=4), max_size=2, unique=True))
    groups = {g: np.array(draw(st.lists(TEXT, min_size=n, max_size=n)), dtype=str) for g in names}
    flag_names = tuple(draw(st.lists(st.sampled_from(["invalid:p", "invalid:c", "ambiguous"]), max_size=2, unique=True)))
    flags = Flags(flag_names, rng.random((n, len(flag_names))) < 0.5)
    wave = draw(st.sampled_from([None, "name", "blank"]))
    return VoteSet(
        "tiny", "0.1", np.array(ids, dtype=str), picks, unit=None if unit is None else np.array(unit, dtype=str),
        wave=None if wave is None else np.array(["W" if wave == "name" else ""] * n, dtype=str), groups=groups,
        flags=flags, source=draw(st.none() | st.just("votes.csv")),
        skipped_rows=tuple(draw(st.lists(st.integers(1, 99), max_size=3))), n_behaviours=draw(st.sampled_from([None, n_beh])),
    )


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow], deadline=None)
@given(v=vote_sets(), pseudonymise=st.booleans(), chunk=st.integers(1, 4))
def test_a_vote_wave_comes_back_exactly(monkeypatch, v, pseudonymise, chunk):
    monkeypatch.setattr(columns_module, "CHUNK_ROWS", chunk)  # chunk boundaries everywhere
    key = b"kunci" if pseudonymise else None
    with tempfile.TemporaryDirectory() as d:
        with AssessmentStore(os.path.join(d, "s.sqlite"), pseudonymize_key=key) as s:
            assert s.add_votes(v, wave="W") == len(v)
            got = s.load_votes("W")
            info = s.vote_wave_info("W")
        ids = None if key is None else np.array([keyed(key, r) for r in v.respondent_ids.tolist()], dtype=str)
        assert_votes_equal(got, v, "W", ids)
        assert info["n"] == len(v) and info["questionnaire_hash"] is None
        assert (info["n_questions"], info["max_picks"]) == v.picks.shape[1:]


def test_a_wave_across_the_real_chunk_boundary_comes_back_exactly(path):
    n = columns_module.CHUNK_ROWS + 3
    rng = np.random.default_rng(5)
    v = VoteSet(Q.id, Q.version, np.arange(n).astype(str), random_picks(rng, n, 3, 10, B), unit=rng.choice(["a", "b"], n))
    assert v.n_behaviours is None  # kept as it is, also when the wave is stored with its questionnaire
    with AssessmentStore(path) as s:
        s.add_votes(v, wave=2024, questionnaire=Q)
        assert_votes_equal(s.load_votes("2024", questionnaire=Q), v, "2024")
    con = sqlite3.connect(path)
    parts = con.execute("SELECT chunk, part, dtype, n_rows, width FROM vote_columns WHERE part = 'picks' ORDER BY chunk").fetchall()
    con.close()
    assert parts == [(0, "picks", "<i2", columns_module.CHUNK_ROWS, 30), (1, "picks", "<i2", 3, 30)]  # no row per pick


# ------------------------------------------------------------------ pseudonymisation


def test_pseudonymised_vote_ids_are_never_stored_in_clear(path):
    key = b"kunci rahasia BKPSDM"
    v, a = votes(150, person_at=17), assessment(60, person_at=3)
    with AssessmentStore(path, pseudonymize_key=key) as s:
        s.add(a, wave="2024")
        s.add_votes(v, wave="2024", questionnaire=Q)
        got = s.load_votes("2024")
        assert got.respondent_ids[17] == s.pseudonym(PERSON) == s.load("2024").respondent_ids[3]  # one pseudonym for both
    assert_votes_equal(got, v, "2024", np.array([keyed(key, r) for r in v.respondent_ids.tolist()]))
    raw = file_bytes(path)
    assert key not in raw
    for rid in v.respondent_ids.tolist():
        assert rid.encode() not in raw, rid
    with AssessmentStore(path) as s:  # reading needs no key; writing does
        assert s.load_votes("2024").respondent_ids[17] == keyed(key, PERSON)
        with pytest.raises(StoreError, match=r"open it with pseudonymize_key=\.\.\. to add or erase"):
            s.add_votes(v, wave="2025")


def test_a_store_with_clear_vote_ids_refuses_a_late_key(path):
    with AssessmentStore(path) as s:
        s.add_votes(votes(10), wave="2024")
    with pytest.raises(StoreError, match="already holds respondent ids in clear"):
        AssessmentStore(path, pseudonymize_key="late")


# ------------------------------------------------------------------ erasure


@pytest.mark.parametrize("key", [None, "kunci"], ids=["clear", "pseudonymised"])
def test_erase_removes_the_person_from_every_vote_and_assessment_wave_and_nothing_else(path, monkeypatch, key):
    monkeypatch.setattr(columns_module, "CHUNK_ROWS", 50)
    waves = {"2023": votes(120, seed=1, person_at=49), "2024": votes(130, seed=2, person_at=50), "2025": votes(90, seed=3)}
    a = assessment(80, person_at=0)
    with AssessmentStore(path, pseudonymize_key=key) as s:
        s.add(a, wave="2024")
        for w, v in waves.items():
            s.add_votes(v, wave=w, questionnaire=Q)
        s.add_votes(waves["2024"], wave="2024", replace=True, questionnaire=Q)  # the replaced copy must not linger either
        assert s.erase(PERSON) == 3  # two vote waves and one assessment wave
        assert [e["rows"] for e in s.erasures(PERSON)] == [3]
        assert s.erase(PERSON) == 0
        stored = {w: s.load_votes(w, questionnaire=Q) for w in s.vote_waves()}
        assert len(s.load("2024")) == 79 and PERSON not in s.load("2024").respondent_ids.tolist()
        sid = s.pseudonym(PERSON)
    for w, v in waves.items():
        without = take(v, v.respondent_ids != PERSON)
        ids = without.respondent_ids if key is None else np.array([keyed(key.encode(), r) for r in without.respondent_ids.tolist()])
        assert_votes_equal(stored[w], without, w, ids)
        assert sid not in stored[w].respondent_ids.tolist()
        # the others' figures are those of the data without the person, exactly
        assert culture_map(Q, stored[w], by="unit").to_records() == culture_map(Q, without, by="unit").to_records()
        assert culture_map(Q, stored[w], by="region").to_records("values") == culture_map(Q, without, by="region").to_records("values")
    raw = file_bytes(path)
    assert b"198507142010011002" not in raw and SECRET_REGION.encode() not in raw and sid.encode() not in raw


# ------------------------------------------------------------------ replace, names, bad input


def test_replace_semantics_and_separate_names(path):
    v, w = votes(40, seed=1), votes(25, seed=2)
    with AssessmentStore(path) as s:
        s.add_votes(v, wave="2023")
        s.add_votes(v, wave="2024")
        with pytest.raises(StoreError, match=r"Vote wave '2023' is already in the store .*\(40 respondents\).*replace=True"):
            s.add_votes(w, wave="2023")
        assert_votes_equal(s.load_votes("2023"), v, "2023")
        assert s.add_votes(w, wave="2023", replace=True) == 25
        assert s.vote_waves() == ["2023", "2024"] and s.vote_wave_info("2023")["n"] == 25  # kept its place
        assert_votes_equal(s.load_votes("2023"), w, "2023")
        s.add(assessment(30), wave="2023")  # an assessment wave of the same name is another thing
        assert s.waves() == ["2023"] and s.vote_waves() == ["2023", "2024"] and len(s.load_votes("2023")) == 25
        with pytest.raises(StoreError, match=r"No vote wave '2022' .* its vote waves are \['2023', '2024'\]"):
            s.load_votes(2022)
    con = sqlite3.connect(path)
    assert con.execute("SELECT count(DISTINCT wave) FROM vote_columns").fetchone()[0] == 2
    con.close()


def test_bad_votes_are_refused_before_anything_is_written(path):
    v = votes(10)
    with AssessmentStore(path) as s:
        with pytest.raises(TypeError, match="must be a VoteSet"):
            s.add_votes(assessment(5), wave="2024")
        ids = v.respondent_ids.copy()
        ids[3] = ids[4]
        with pytest.raises(StoreError, match=r"unique within a wave; repeated: \['ASN-4'\]"):
            s.add_votes(dataclasses.replace(v, respondent_ids=ids), wave="2024")
        ids[3] = ""
        with pytest.raises(StoreError, match="respondent ids must be non-empty; row 3"):
            s.add_votes(dataclasses.replace(v, respondent_ids=ids), wave="2024")
        with pytest.raises(StoreError, match=r"wave column holds \['2023'\], not '2024'"):
            s.add_votes(dataclasses.replace(v, wave=np.array(["2023"] * 10)), wave="2024")
        with pytest.raises(StoreError, match="non-empty text"):
            s.add_votes(v, wave=" ")
        assert s.vote_waves() == []
    assert not tables(path) & VOTE_TABLES


def test_the_wrong_questionnaire_is_refused(path):
    tiny = questionnaire_from_dict({
        "format": "akhlak-levels/questionnaire", "format_version": 1, "id": Q.id, "version": Q.version,
        "title": {"id": "lain", "en": "other"}, "languages": ["id", "en"],
        "behaviours": [{"id": f"b{i}", "label": {"id": f"b{i}", "en": f"b{i}"}, "value": None, "polarity": "positive",
                        "level": 3, "area": "governance"} for i in range(B)],
        "vote_questions": [{"id": r[0], "role": r, "picks": 10, "text": {"id": r, "en": r}} for r in ("personal", "current", "desired")],
    })  # the same id and version, another content
    v = votes(20)
    with AssessmentStore(path) as s:
        with pytest.raises(StoreError, match="the votes answer 'berakhlak-culture-map' version .* but the questionnaire given is 'berakhlak'"):
            s.add_votes(v, wave="2024", questionnaire="berakhlak")
        with pytest.raises(StoreError, match="the votes hold 2 questions; 'berakhlak-culture-map' has 3"):
            s.add_votes(dataclasses.replace(v, picks=v.picks[:, :2]), wave="2024", questionnaire=Q)
        with pytest.raises(StoreError, match="do not index the 74 behaviours"):
            s.add_votes(dataclasses.replace(v, n_behaviours=80), wave="2024", questionnaire=Q)
        s.add_votes(v, wave="2024", questionnaire=Q)
        s.add_votes(v, wave="no-hash")  # stored without its questionnaire: only id and version are checked
        with pytest.raises(StoreError, match="answers 'berakhlak-culture-map' version .* not 'berakhlak'"):
            s.load_votes("2024", questionnaire=al.load_questionnaire("berakhlak"))
        with pytest.raises(StoreError, match="stored from another content of 'berakhlak-culture-map'"):
            s.load_votes("2024", questionnaire=tiny)
        with pytest.raises(StoreError, match="stored from another content"):
            s.culture_maps(tiny)
        assert len(s.load_votes("no-hash", questionnaire=tiny)) == 20
        assert_votes_equal(s.load_votes("2024", questionnaire=Q.id), v, "2024")


def test_a_damaged_vote_part_is_refused_with_a_store_error(path):
    with AssessmentStore(path) as s:
        s.add_votes(votes(10), wave="2024")
    con = sqlite3.connect(path)
    con.execute("UPDATE vote_columns SET data = substr(data, 1, 7) WHERE part = 'picks'")
    con.commit()
    con.close()
    with AssessmentStore(path) as s:
        with pytest.raises(StoreError, match=r"damaged: wave 'votes:2024', chunk 0, part 'picks' holds 7 bytes"):
            s.load_votes("2024")


# ------------------------------------------------------------------ transactions and readers


@pytest.mark.parametrize("replace", [False, True], ids=["first-vote-wave", "replace"])
def test_an_error_half_way_leaves_the_store_as_it_was(path, monkeypatch, replace):
    v = votes(120)
    with AssessmentStore(path) as s:
        s.add(assessment(20), wave="2024")
        if replace:
            s.add_votes(v, wave="2024")
        tables_before = tables(path)
        monkeypatch.setattr(columns_module, "CHUNK_ROWS", 50)
        original = columns_module._chunk_rows

        def failing(*args, **kwargs):
            for i, rows in enumerate(original(*args, **kwargs)):
                if i == 1:
                    raise RuntimeError("half-way")
                yield rows

        monkeypatch.setattr(columns_module, "_chunk_rows", failing)
        with pytest.raises(RuntimeError, match="half-way"):
            s.add_votes(votes(120, seed=9), wave="2024", replace=replace)
        monkeypatch.undo()
        assert tables(path) == tables_before  # the first vote wave's tables are rolled back too
        assert s.vote_waves() == (["2024"] if replace else [])
        if replace:
            assert_votes_equal(s.load_votes("2024"), v, "2024")


def test_a_reader_sees_a_vote_wave_whole_or_not_at_all(path):
    v = votes(100)
    with AssessmentStore(path) as writer, AssessmentStore(path) as reader:
        writer.add_votes(v, wave="2024")
        con = reader._con
        con.execute("BEGIN")
        before = con.execute("SELECT sum(n_rows) FROM vote_columns WHERE part = 'respondent_id'").fetchone()[0]
        writer.add_votes(take(v, np.arange(100) < 10), wave="2024", replace=True)  # WAL: the writer is not blocked
        assert con.execute("SELECT sum(n_rows) FROM vote_columns WHERE part = 'respondent_id'").fetchone()[0] == before == 100
        con.execute("COMMIT")
        assert reader.vote_wave_info("2024")["n"] == 10 and len(reader.load_votes("2024")) == 10


# ------------------------------------------------------------------ stores made before vote waves


def test_a_store_from_before_vote_waves_opens_unchanged_and_gains_the_vote_tables(path):
    """A store without vote waves has exactly the schema-2 tables the library wrote before vote
    waves existed (and stays version 2); its first vote wave adds the vote tables and makes it
    version 3, which a library that knows only version 2 refuses to open (it would not see the
    votes, nor erase them). The wave is one as assessments were before they carried per-scale
    answered counts (a wave with them makes the store version 4: tests/store/test_store_counts.py)."""
    a = dataclasses.replace(assessment(40), scale_n_items=None, scale_steps=None, scale_answered=None)
    with AssessmentStore(path) as s:
        s.add(a, wave="2023")
        assert s.vote_waves() == []
        with pytest.raises(StoreError, match="No vote wave '2023'"):
            s.load_votes("2023")
    assert tables(path) == V2_TABLES
    con = sqlite3.connect(path)
    schema_before = con.execute("SELECT name, sql FROM sqlite_master ORDER BY name").fetchall()
    con.close()
    with AssessmentStore(path) as s:
        s.add_votes(votes(30), wave="2023")
        assert s.erase("ASN-3") == 2
        assert len(s.load("2023")) == 39 and len(s.load_votes("2023")) == 29
    assert tables(path) == V2_TABLES | VOTE_TABLES
    con = sqlite3.connect(path)
    assert dict(con.execute("SELECT key, value FROM meta"))["schema_version"] == "3"
    schema_after = con.execute("SELECT name, sql FROM sqlite_master ORDER BY name").fetchall()
    con.close()
    assert set(schema_before) <= set(schema_after)  # the old tables are untouched
    import akhlak_levels.store._layout as layout

    with pytest.MonkeyPatch.context() as mp:  # the library as it was before vote waves
        mp.setattr(layout, "SCHEMA_VERSION", 2)
        mp.setattr(layout, "READABLE", (1, 2))
        with pytest.raises(StoreError, match=r"has schema version 3; this akhlak_levels .* reads schema versions 1 and 2\. "
                                             r"Upgrade akhlak_levels to open it"):
            AssessmentStore(path)
    # a store of schema version 1 must be upgraded first, as for assessments
    old = path + ".v1"
    with AssessmentStore(old):
        pass
    con = sqlite3.connect(old)
    con.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    con.execute("CREATE TABLE results (wave TEXT, respondent_id TEXT)")
    con.commit()
    con.close()
    with AssessmentStore(old) as s:
        with pytest.raises(StoreError, match=r"has schema version 1 .*store\.upgrade\(\)"):
            s.add_votes(votes(5), wave="2024")
        assert s.vote_waves() == []


# ------------------------------------------------------------------ culture maps of the stored waves


def test_culture_maps_of_the_stored_waves_feed_culture_trend(path):
    waves = {"2023": votes(60, seed=1), "2024": votes(60, seed=2), "2025": votes(60, seed=3)}
    with AssessmentStore(path, pseudonymize_key="k") as s:
        for w, v in waves.items():
            s.add_votes(v, wave=w, questionnaire=Q)
        maps = s.culture_maps(Q, by="unit", min_group_size=10)
        two = s.culture_maps(Q.id, waves=["2025", 2023])
    assert list(maps) == ["2023", "2024", "2025"] and list(two) == ["2025", "2023"]
    for w, v in waves.items():
        assert maps[w].to_records() == culture_map(Q, v, by="unit", min_group_size=10).to_records()
    trend = culture_trend(maps)
    direct = culture_trend({w: culture_map(Q, v, by="unit", min_group_size=10) for w, v in waves.items()})
    assert trend.to_records() == direct.to_records() and trend.waves == ("2023", "2024", "2025")


VOTE_WRITER = """
import os, sys, time
import numpy as np
import akhlak_levels as al
from akhlak_levels.store import AssessmentStore
path, name = sys.argv[1], sys.argv[2]
q = al.load_questionnaire("berakhlak-culture-map")
rng = np.random.default_rng(int(sys.argv[3]))
picks = rng.random((3000, 3, 74)).argsort(axis=2)[:, :, :10]
v = al.VoteSet(q.id, q.version, np.char.add(name, np.arange(3000).astype(str)), picks)
print("ready", flush=True)
while not os.path.exists(path + ".go"):
    time.sleep(0.001)
with AssessmentStore(path) as s:  # both open a store without vote tables and race to make them
    for i in range(4):
        s.add_votes(v, wave=f"{name}-{i}", questionnaire=q)
print("done", flush=True)
"""


def test_two_processes_adding_the_first_vote_waves_at_once_lose_nothing(path):
    with AssessmentStore(path):
        pass
    children = [subprocess.Popen([sys.executable, "-c", VOTE_WRITER, path, name, str(seed)], stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True) for name, seed in (("A", 1), ("B", 2))]
    try:
        for c in children:
            assert c.stdout.readline().strip() == "ready", c.stderr.read()
        open(path + ".go", "w").close()
        for c in children:
            out, err = c.communicate(timeout=120)
            assert c.returncode == 0 and out.strip() == "done", err
    finally:
        for c in children:
            if c.poll() is None:  # pragma: no cover - only when the test fails
                c.kill()
            c.communicate()
    with AssessmentStore(path) as s:
        assert sorted(s.vote_waves()) == [f"{name}-{i}" for name in "AB" for i in range(4)]
        for name in "AB":
            got = s.load_votes(f"{name}-3", questionnaire=Q)
            assert len(got) == 3000 and got.respondent_ids[0] == f"{name}0"
