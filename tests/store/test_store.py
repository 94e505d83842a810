"""AssessmentStore: round trips, one transaction per wave (errors and a killed process), two
writer processes, schema versions, pseudonymisation, erasure, exports and bad input."""

from __future__ import annotations

import dataclasses
import hmac
import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import akhlak_levels as al
from akhlak_levels.store import _layout as layout_module
from akhlak_levels.store import _columns as columns_module
from akhlak_levels.flags import Flags
from akhlak_levels.store import SCHEMA_VERSION, AssessmentStore, StoreError

SEL = al.load_questionnaire("socio-emotional-levels")
BERAKHLAK = al.load_questionnaire("berakhlak")


# ------------------------------------------------------------------ fixtures and helpers


def rich_assessment(n: int = 300, seed: int = 0, prefix: str = "sim-") -> al.Assessment:
    """socio-emotional-levels with every optional part: unit, dates (some missing), a group
    variable, reading flags, unscored scales (NaN) and a respondent with no answers."""
    rs, _ = al.simulate(SEL, n, missing=0.45, random_state=seed)
    rng = np.random.default_rng(seed)
    codes = rs.codes.copy()
    codes[3] = al.MISSING  # no answers: level 0, "no-answers"
    date = np.datetime64("2024-03-01") + rng.integers(0, 60, n).astype("timedelta64[D]")
    date[::17] = np.datetime64("NaT")
    rs = dataclasses.replace(
        rs,
        respondent_ids=np.char.add(prefix, np.arange(1, n + 1).astype(str)),
        codes=codes,
        unit=rng.choice(np.array(["Biro Umum", "Inspektorat", "BKPSDM"]), n),
        date=date,
        groups={"region": rng.choice(np.array(["Gorontalo", "Bone Bolango", ""]), n)},
        flags=Flags.from_columns(n, {"invalid:SE03": rng.random(n) < 0.05, "invalid:SE07": rng.random(n) < 0.02}),
    )
    return al.assess(SEL, rs)


def berakhlak_assessment(n: int = 200, seed: int = 0) -> al.Assessment:
    """berakhlak: no level model (all level fields None), an index with categories, NaN scores."""
    rng = np.random.default_rng(seed)
    codes = (rng.random((n, BERAKHLAK.n_items)) * BERAKHLAK.n_options).astype(np.int8)
    codes[rng.random(codes.shape) < 0.4] = al.MISSING
    ids = np.char.add("ASN-", np.arange(n).astype(str))
    return al.assess(BERAKHLAK, al.ResponseSet(BERAKHLAK, ids, codes))


def with_wave(a: al.Assessment, name: str) -> al.Assessment:
    """What load returns for ``a`` stored as wave ``name``: the same, with ``wave`` filled."""
    return dataclasses.replace(a, wave=np.full(len(a), name))


ARRAYS = ("respondent_ids", "probabilities", "level", "expected_level", "expected_level_sd", "confidence",
          "entropy", "scale_scores", "index", "index_category", "n_answered", "unit", "wave", "date")
SCALARS = ("questionnaire_id", "questionnaire_version", "questionnaire_hash", "scale_ids", "min_confidence",
           "min_answered", "model_hash", "model_kind")


def assert_same(got: al.Assessment, expected: al.Assessment) -> None:
    """Every field equal: arrays element by element (exact: SQLite stores IEEE doubles; NaN and
    NaT where they were), dtypes of the integer fields, flags names and values, identity."""
    for name in SCALARS:
        assert getattr(got, name) == getattr(expected, name), name
    for name in ARRAYS:
        g, e = getattr(got, name), getattr(expected, name)
        assert (g is None) == (e is None), name
        if e is not None:
            assert g.shape == e.shape, name
            np.testing.assert_array_equal(g, e, err_msg=name)
    if expected.level is not None:
        assert got.level.dtype == np.int8
    assert got.n_answered.dtype == expected.n_answered.dtype
    assert got.flags.names == expected.flags.names
    np.testing.assert_array_equal(got.flags.values, expected.flags.values)
    assert list(got.groups) == list(expected.groups)
    for k in expected.groups:
        np.testing.assert_array_equal(got.groups[k], expected.groups[k])


#: The respondents stored (of one wave, or all), counted in the file: the rows of their id parts.
COUNT_ROWS = "SELECT coalesce(sum(n_rows), 0) FROM wave_columns WHERE part = 'respondent_id'"


def count_rows(path, wave=None) -> int:
    con = sqlite3.connect(path)
    try:
        if wave is None:
            return con.execute(COUNT_ROWS).fetchone()[0]
        return con.execute(COUNT_ROWS + " AND wave = ?", (wave,)).fetchone()[0]
    finally:
        con.close()


def run_python(code: str, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", textwrap.dedent(code), *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


@pytest.fixture(scope="module")
def rich() -> al.Assessment:
    return rich_assessment()


@pytest.fixture
def path(tmp_path) -> str:
    return str(tmp_path / "store.sqlite")


# ------------------------------------------------------------------ round trips


def test_a_socio_emotional_wave_comes_back_equal_in_every_field(path, rich):
    assert rich.flags["no-answers"].sum() == 1 and np.isnan(rich.scale_scores).any()
    assert np.isnat(rich.date).any() and rich.flags["invalid:SE07"].any()
    with AssessmentStore(path) as s:
        assert s.add(rich, wave="2024") == len(rich)
    with AssessmentStore(path) as s:
        assert_same(s.load("2024"), with_wave(rich, "2024"))


def test_a_berakhlak_wave_without_level_results_comes_back_with_none_fields(path):
    a = berakhlak_assessment()
    assert a.probabilities is None and np.isnan(a.index).any() and a.unit is None and a.date is None
    with AssessmentStore(path) as s:
        s.add(a, wave=2023)
        b = s.load("2023")
    assert_same(b, with_wave(a, "2023"))
    assert b.probabilities is None and b.level is None and b.entropy is None and b.unit is None and b.date is None


def test_waves_of_different_questionnaires_keep_their_own_identity(path, rich):
    b = berakhlak_assessment(50)
    with AssessmentStore(path) as s:
        s.add(b, wave="2023-berakhlak")
        s.add(rich, wave="2024-levels")
        assert s.waves() == ["2023-berakhlak", "2024-levels"]
        info = s.wave_info("2023-berakhlak")
        assert (info["questionnaire_id"], info["questionnaire_hash"], info["model_hash"]) == (
            "berakhlak", BERAKHLAK.content_hash, None)
        info = s.wave_info("2024-levels")
        assert (info["questionnaire_id"], info["model_hash"], info["model_kind"]) == (
            "socio-emotional-levels", SEL.default_model.hash, "theory-prior")
        assert info["scale_ids"] == list(rich.scale_ids) and info["n"] == len(rich)
        assert_same(s.load("2023-berakhlak"), with_wave(b, "2023-berakhlak"))
        assert_same(s.load("2024-levels"), with_wave(rich, "2024-levels"))


def test_an_empty_wave_round_trips(path, rich):
    empty = rich.take(np.arange(0))
    with AssessmentStore(path) as s:
        s.add(empty, wave="none yet")
        assert_same(s.load("none yet"), with_wave(empty, "none yet"))


def test_waves_are_listed_in_the_order_first_added_and_a_replaced_wave_keeps_its_place(path, rich):
    with AssessmentStore(path) as s:
        for w in ("2024", "2022", "2023"):
            s.add(rich.take(np.arange(5)), wave=w)
        s.add(rich.take(np.arange(7)), wave="2022", replace=True)
        assert s.waves() == ["2024", "2022", "2023"]
        assert "2022" in s and "2021" not in s


# ------------------------------------------------------------------ one wave, once, in one transaction


def test_adding_a_wave_again_is_refused_and_nothing_changes(path, rich):
    with AssessmentStore(path) as s:
        s.add(rich, wave="2024")
        with pytest.raises(StoreError, match=r"Wave '2024' is already in the store .*replace=True"):
            s.add(rich.take(np.arange(10)), wave="2024")
        assert count_rows(path) == len(rich)
        assert_same(s.load("2024"), with_wave(rich, "2024"))


def test_replace_swaps_the_wave_without_duplicates(path, rich):
    other = rich_assessment(120, seed=5)  # ids sim-1..sim-120 overlap the first wave's
    with AssessmentStore(path) as s:
        s.add(rich, wave="2024")
        s.add(rich, wave="2025")
        s.add(other, wave="2024", replace=True)
        assert count_rows(path, "2024") == 120 and s.wave_info("2024")["n"] == 120
        assert_same(s.load("2024"), with_wave(other, "2024"))
        assert_same(s.load("2025"), with_wave(rich, "2025"))  # the other wave untouched


def test_repeated_ids_are_refused_before_anything_is_written(path, rich):
    ids = rich.respondent_ids.copy()
    ids[-1] = ids[0]
    ids[-2] = ids[1]
    bad = dataclasses.replace(rich, respondent_ids=ids)
    with AssessmentStore(path) as s, AssessmentStore(str(path) + ".keyed", pseudonymize_key="k") as keyed:
        s.add(rich, wave="2023")
        for store in (s, keyed):
            with pytest.raises(StoreError, match=r"ids must be unique within a wave; repeated: \['sim-1', 'sim-2'\]"):
                store.add(bad, wave="2023", replace=True)
        assert s.waves() == ["2023"] and keyed.waves() == []
        assert_same(s.load("2023"), with_wave(rich, "2023"))


@pytest.mark.parametrize("error", [RuntimeError, KeyboardInterrupt, sqlite3.OperationalError])
@pytest.mark.parametrize("replace", [False, True], ids=["new-wave", "replace"])
def test_an_exception_half_way_rolls_the_whole_wave_back(path, rich, monkeypatch, error, replace):
    """Rows of three chunks are in when the fourth fails (even a KeyboardInterrupt): all undone,
    a replaced wave is intact, and the connection takes writes again."""
    monkeypatch.setattr(columns_module, "CHUNK_ROWS", 50)
    original = columns_module._chunk_rows
    inside = []

    def failing(*args, **kwargs):
        for i, rows in enumerate(original(*args, **kwargs)):
            if i == 3:  # what the writing transaction itself sees at this point
                inside.append(s._con.execute(COUNT_ROWS).fetchone()[0])
                raise error("half-way")
            yield rows

    with AssessmentStore(path) as s:
        s.add(rich, wave="2024")
        monkeypatch.setattr(columns_module, "_chunk_rows", failing)
        with pytest.raises(error, match="half-way"):
            s.add(rich_assessment(300, seed=9), wave="2024" if replace else "2025", replace=replace)
        assert inside == [150 if replace else len(rich) + 150] and not s._con.in_transaction
        assert s.waves() == ["2024"] and count_rows(path) == len(rich)
        assert_same(s.load("2024"), with_wave(rich, "2024"))
        monkeypatch.setattr(columns_module, "_chunk_rows", original)
        s.add(rich, wave="2025")


KILLED_CHILD = """
import os, signal, sys
import akhlak_levels as al
from akhlak_levels.store import AssessmentStore
from akhlak_levels.store import _columns as st

path, wave, replace = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
q = al.load_questionnaire("socio-emotional-levels")
a = al.assess(q, al.simulate(q, 8000, random_state=7)[0])
st.CHUNK_ROWS = 1000
original = st._chunk_rows

def dying(*args, **kwargs):
    for i, rows in enumerate(original(*args, **kwargs)):
        if i == 4:  # half the rows are in, before COMMIT
            with open(path + ".wal-size", "w") as fh:
                fh.write(str(os.path.getsize(path + "-wal")))
            os.kill(os.getpid(), signal.SIGKILL)
        yield rows

st._chunk_rows = dying
s = AssessmentStore(path)
s._con.execute("PRAGMA cache_size = 8")  # spill: uncommitted pages reach the journal before the kill
s.add(a, wave=wave, replace=replace)
print("not killed")
"""


@pytest.mark.parametrize("wave, replace", [("2025", False), ("2024", True)], ids=["new-wave", "replace"])
def test_a_process_killed_half_way_through_a_wave_leaves_the_store_as_it_was(path, rich, wave, replace):
    with AssessmentStore(path) as s:
        s.add(rich, wave="2024")
    child = run_python(KILLED_CHILD, path, wave, "1" if replace else "0")
    out, err = child.communicate(timeout=120)
    assert child.returncode == -signal.SIGKILL, err
    with open(path + ".wal-size") as fh:
        assert int(fh.read()) > 0  # uncommitted pages of the wave were written when it died
    with AssessmentStore(path) as s:
        assert s.waves() == ["2024"]
        assert count_rows(path) == len(rich)
        assert_same(s.load("2024"), with_wave(rich, "2024"))
        assert s._con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        s.add(rich, wave="2025")  # and it takes writes again


WRITER_CHILD = """
import os, sys, time
import numpy as np
import akhlak_levels as al
from akhlak_levels.store import AssessmentStore

path, name, seed = sys.argv[1], sys.argv[2], int(sys.argv[3])
q = al.load_questionnaire("socio-emotional-levels")
a = al.assess(q, al.simulate(q, 20000, random_state=seed)[0])
print("ready", flush=True)
while not os.path.exists(path + ".go"):
    time.sleep(0.005)
with AssessmentStore(path) as s:  # both open the new file at once: the tables are made once
    for i in range(3):
        s.add(a.take(np.arange(i, len(a))), wave=f"{name}-{i}")
print("done", flush=True)
"""


def test_many_openers_of_a_new_store_at_once_all_succeed(tmp_path):
    # SQLite does not call the busy handler while another connection switches the journal to WAL,
    # so openers racing on a new file got "database is locked" at once (about 3 % of rounds of six
    # openers before the retry; 100 rounds failed with probability ~0.95).
    import threading

    for round_ in range(100):
        path = str(tmp_path / f"s{round_}.sqlite")
        barrier = threading.Barrier(6)
        errors: list[BaseException] = []

        def open_once() -> None:
            barrier.wait()
            try:
                AssessmentStore(path).close()
            except BaseException as exc:  # pragma: no cover - only when the test fails
                errors.append(exc)

        threads = [threading.Thread(target=open_once) for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == [], f"round {round_}: {errors[0]!r}"
        with AssessmentStore(path) as s:
            assert s.waves() == []


def test_a_store_held_longer_than_the_timeout_is_reported_busy_not_broken(path):
    AssessmentStore(path).close()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("PRAGMA journal_mode = DELETE")  # a rollback journal: an exclusive lock blocks readers too
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(StoreError, match=r"is busy: another process held it for more than 0.2 s"):
            AssessmentStore(path, timeout=0.2)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    with AssessmentStore(path) as s:
        assert s.waves() == []


def test_two_processes_writing_at_once_lose_nothing(path):
    children = [run_python(WRITER_CHILD, path, name, str(seed)) for name, seed in (("A", 1), ("B", 2))]
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
            c.communicate()  # closes the pipes
    with AssessmentStore(path) as s:
        assert sorted(s.waves()) == [f"{name}-{i}" for name in "AB" for i in range(3)]
        for name, seed in (("A", 1), ("B", 2)):
            a = al.assess(SEL, al.simulate(SEL, 20000, random_state=seed)[0])
            for i in range(3):
                assert s.wave_info(f"{name}-{i}")["n"] == 20000 - i
                assert_same(s.load(f"{name}-{i}"), with_wave(a.take(np.arange(i, len(a))), f"{name}-{i}"))
    assert count_rows(path) == 2 * (20000 + 19999 + 19998)


def test_a_reader_sees_a_wave_whole_or_not_at_all(path, rich):
    """A reader holding a snapshot while another connection replaces the wave sees the old wave."""
    with AssessmentStore(path) as writer, AssessmentStore(path) as reader:
        writer.add(rich, wave="2024")
        con = reader._con
        con.execute("BEGIN")
        before = con.execute(COUNT_ROWS).fetchone()[0]
        writer.add(rich.take(np.arange(10)), wave="2024", replace=True)  # WAL: the writer is not blocked
        assert con.execute(COUNT_ROWS).fetchone()[0] == before
        con.execute("COMMIT")
        assert reader.wave_info("2024")["n"] == 10


# ------------------------------------------------------------------ schema version and opening


def test_a_new_file_is_initialised_with_the_schema_version(path):
    with AssessmentStore(path) as s:
        assert s.waves() == []
    con = sqlite3.connect(path)
    meta = dict(con.execute("SELECT key, value FROM meta"))
    assert meta["schema_version"] == "2" and meta["library_version"] == al.__version__  # 3 comes with a vote wave
    assert "created" in meta and "key_fingerprint" not in meta
    assert con.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    assert con.execute("PRAGMA application_id").fetchone() == (layout_module.APPLICATION_ID,)
    con.close()


@pytest.mark.parametrize("version, message", [
    (SCHEMA_VERSION + 1, rf"has schema version {SCHEMA_VERSION + 1}; this akhlak_levels .* reads schema versions 1, 2, 3 and {SCHEMA_VERSION}\. Upgrade"),
    (0, r"has schema version 0, older than any this akhlak_levels .* reads \(1, 2, 3, 4\), and there is no migration"),
], ids=["newer", "older"])
def test_a_store_of_another_schema_version_is_refused(path, rich, version, message):
    with AssessmentStore(path) as s:
        s.add(rich.take(np.arange(5)), wave="2024")
    con = sqlite3.connect(path)
    con.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(version),))
    con.commit()
    con.close()
    with pytest.raises(StoreError, match=message):
        AssessmentStore(path)


def test_other_files_are_refused_with_a_reason(tmp_path):
    other = tmp_path / "other.sqlite"
    con = sqlite3.connect(other)
    con.execute("CREATE TABLE people (name TEXT)")
    con.commit()
    con.close()
    with pytest.raises(StoreError, match=r"not an assessment store: it holds tables \['people'\] but no schema version"):
        AssessmentStore(other)
    text = tmp_path / "export.csv"
    text.write_text("respondent_id,SE01\n" * 200)
    with pytest.raises(StoreError, match="is not an assessment store .not an SQLite database"):
        AssessmentStore(text)
    with pytest.raises(StoreError, match="the directory .*missing.* does not exist. Create it first"):
        AssessmentStore(tmp_path / "missing" / "store.sqlite")
    with pytest.raises(StoreError, match="it is a directory"):
        AssessmentStore(tmp_path)
    assert not (tmp_path / "missing").exists()


def test_a_closed_store_says_so(path):
    s = AssessmentStore(path)
    s.close()
    s.close()
    assert "closed" in repr(s)
    with pytest.raises(StoreError, match="is closed"):
        s.waves()


# ------------------------------------------------------------------ pseudonymisation


def keyed(key: bytes, rid: str) -> str:
    return hmac.new(key, rid.encode(), "sha256").hexdigest()[:32]


def test_pseudonymised_ids_are_keyed_hashes_and_the_key_is_not_stored(path, rich):
    key = b"kunci rahasia BKPSDM"
    with AssessmentStore(path, pseudonymize_key=key) as s:
        s.add(rich, wave="2023")
        s.add(rich.take(np.arange(100)), wave="2024")
        b = s.load("2023")
        assert s.pseudonymized and s.pseudonym("sim-1") == keyed(key, "sim-1")
    expected = np.array([keyed(key, r) for r in rich.respondent_ids])
    assert_same(b, dataclasses.replace(with_wave(rich, "2023"), respondent_ids=expected))
    with AssessmentStore(path) as s:  # reading needs no key; the same person has one pseudonym in every wave
        assert s.to_records("2024")[0]["respondent_id"] == keyed(key, "sim-1") == s.load("2023").respondent_ids[0]
    for name in (path, path + "-wal"):
        if os.path.exists(name):
            with open(name, "rb") as fh:
                raw = fh.read()
            assert key not in raw and b"sim-1" not in raw


def test_erase_by_clear_id_works_in_a_pseudonymised_store(path, rich):
    with AssessmentStore(path, pseudonymize_key="k") as s:
        s.add(rich, wave="2023")
        assert s.erase("sim-9") == 1 and s.erase("sim-9") == 0
        assert len(s.load("2023")) == len(rich) - 1
        assert [e["rows"] for e in s.erasures("sim-9")] == [1, 0]


def test_the_wrong_key_no_key_or_a_late_key_is_refused(path, tmp_path, rich):
    with AssessmentStore(path, pseudonymize_key="right") as s:
        s.add(rich.take(np.arange(5)), wave="2023")
    with pytest.raises(StoreError, match="pseudonymised with another key"):
        AssessmentStore(path, pseudonymize_key="wrong")
    with AssessmentStore(path) as s:
        with pytest.raises(StoreError, match=r"open it with pseudonymize_key=\.\.\. to add or erase"):
            s.add(rich.take(np.arange(5)), wave="2024")
        with pytest.raises(StoreError, match="pseudonymize_key"):
            s.erase("sim-1")
        assert s.waves() == ["2023"]
    clear = str(tmp_path / "clear.sqlite")
    with AssessmentStore(clear) as s:
        s.add(rich.take(np.arange(5)), wave="2023")
    with pytest.raises(StoreError, match="already holds respondent ids in clear"):
        AssessmentStore(clear, pseudonymize_key="late")
    with pytest.raises(StoreError, match="non-empty"):
        AssessmentStore(str(tmp_path / "x.sqlite"), pseudonymize_key=b"")


# ------------------------------------------------------------------ erasure


def test_erase_leaves_every_wave_equal_to_the_data_without_that_person(path):
    a2023, a2024 = rich_assessment(300, seed=1), rich_assessment(250, seed=2)
    person = "sim-42"
    with AssessmentStore(path) as s:
        s.add(a2023, wave="2023")
        s.add(a2024, wave="2024")
        assert s.erase(person) == 2
        for w, a in (("2023", a2023), ("2024", a2024)):
            without = a.take(a.respondent_ids != person)
            assert_same(s.load(w), with_wave(without, w))
            assert s.wave_info(w)["n"] == len(without) == count_rows(path, w)
        assert s.erase("not-a-respondent") == 0


def test_progress_and_transitions_read_from_the_store_ignore_an_erased_person_entirely(path):
    growth = pytest.importorskip("akhlak_levels.growth")
    pd = pytest.importorskip("pandas")
    a2023, a2024 = rich_assessment(300, seed=1), rich_assessment(300, seed=2)
    with AssessmentStore(path) as s:
        s.add(a2023, wave="2023")
        s.add(a2024, wave="2024")
        s.erase("sim-42")
        stored = [s.load(w) for w in s.waves()]
    without = [with_wave(a.take(a.respondent_ids != "sim-42"), w) for a, w in ((a2023, "2023"), (a2024, "2024"))]
    pd.testing.assert_frame_equal(growth.progress(stored, by="unit").to_frame(),
                                  growth.progress(without, by="unit").to_frame())
    got, expected = growth.transitions(*stored), growth.transitions(*without)
    assert got.n_matched == expected.n_matched == 299
    for field in ("counts", "expected", "corrected"):
        np.testing.assert_array_equal(getattr(got, field), getattr(expected, field))


def test_erasure_is_logged_without_personal_data_and_leaves_no_trace_in_the_file(path, rich):
    ids = rich.respondent_ids.copy()
    ids[17] = "NIP-198507142010011002"
    a = dataclasses.replace(rich, respondent_ids=ids)
    with AssessmentStore(path) as s:
        s.add(a, wave="2023")
        s.add(a, wave="2024")
        s.add(a, wave="2024", replace=True)  # the replaced copy must not linger in free pages either
        assert s.erase("NIP-198507142010011002") == 2
        log = s.erasures()
        assert len(log) == 1 and log[0]["rows"] == 2 and log[0]["respondent_hash"].startswith("hmac-sha256:")
        assert s.erasures("NIP-198507142010011002") == log and s.erasures("sim-1") == []
    for name in (path, path + "-wal"):
        if os.path.exists(name):
            with open(name, "rb") as fh:
                assert b"198507142010011002" not in fh.read(), name


# ------------------------------------------------------------------ exports


def test_records_are_those_of_the_stored_assessment(path, rich):
    b = berakhlak_assessment(40)
    with AssessmentStore(path) as s:
        s.add(rich, wave="2024")
        s.add(b, wave="2025")
        assert s.to_records("2024") == with_wave(rich, "2024").to_records()
        assert s.to_records("2025", lang="id") == with_wave(b, "2025").to_records("id")
        both = s.to_records()
    assert both == with_wave(rich, "2024").to_records() + with_wave(b, "2025").to_records()
    json.dumps(both, allow_nan=False)  # JSON-ready: NaN became None


def test_frames_and_parquet_hold_the_stored_data(path, tmp_path, rich):
    pd = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    b = berakhlak_assessment(40)
    with AssessmentStore(path) as s:
        s.add(rich, wave="2024")
        s.add(b, wave="2025")
        pd.testing.assert_frame_equal(s.to_frame("2024"), with_wave(rich, "2024").to_frame())
        frame = s.to_frame()
        s.to_parquet(tmp_path / "all.parquet")
        s.to_parquet(tmp_path / "2024.parquet", wave="2024")
    assert len(frame) == len(rich) + len(b)
    assert {"p_level_1", "scale_akuntabel", "index_category", "wave"} <= set(frame.columns)
    assert frame["level"].isna().sum() == len(b)  # berakhlak has no levels
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "all.parquet"), frame)
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "2024.parquet"), with_wave(rich, "2024").to_frame())


# ------------------------------------------------------------------ bad input


R = dataclasses.replace
BAD_INPUT = [  # (id, what to add as a function of a good assessment, extra add() arguments, error, message)
    ("empty-wave", lambda a: a, {"wave": ""}, StoreError, "'wave' parameter must be a non-empty text"),
    ("blank-wave", lambda a: a, {"wave": "   "}, StoreError, "'wave' parameter must be a non-empty text"),
    ("none-wave", lambda a: a, {"wave": None}, StoreError, "Got None instead"),
    ("records", lambda a: a.to_records(), {}, TypeError, "must be an Assessment. Got list"),
    ("short-array", lambda a: R(a, level=a.level[:-1]), {}, StoreError, r"level has shape \(299,\); expected \(300,\)"),
    ("half-levels", lambda a: R(a, entropy=None), {}, StoreError, "level results must all be present or all None"),
    ("scales-mismatch", lambda a: R(a, scale_scores=a.scale_scores[:, :2]), {}, StoreError, "scale_scores has shape"),
    ("mixed-waves", lambda a: R(a, wave=np.where(np.arange(len(a)) < 5, "2023", "2024")), {}, StoreError,
     r"own wave column holds \['2023'\], not '2024'.*a\.take\(a\.wave == w\)"),
    ("scale-ids-clash", lambda a: R(a, scale_ids=a.scale_ids[:-1] + (a.scale_ids[0].upper(),)), {}, StoreError,
     "distinct ignoring case"),
    ("flag-separator", lambda a: R(a, flags=Flags.from_columns(len(a), {"a;b": np.ones(len(a), bool)})), {}, StoreError,
     "must not contain ';'"),
    ("empty-id", lambda a: R(a, respondent_ids=np.where(np.arange(len(a)) == 2, "", a.respondent_ids)), {}, StoreError,
     "respondent ids must be non-empty; row 2"),
]


@pytest.mark.parametrize("make, kwargs, error, message", [c[1:] for c in BAD_INPUT], ids=[c[0] for c in BAD_INPUT])
def test_bad_input_is_refused_before_anything_is_written(path, rich, make, kwargs, error, message):
    with AssessmentStore(path) as s:
        with pytest.raises(error, match=message):
            s.add(make(rich), **{"wave": "2024", **kwargs})
        assert s.waves() == [] and count_rows(path) == 0


def test_a_missing_wave_is_named_with_the_waves_there_are(path, rich):
    with AssessmentStore(path) as s:
        s.add(rich.take(np.arange(3)), wave="2023")
        with pytest.raises(StoreError, match=r"No wave '2024' in the store .*its waves are \['2023'\]"):
            s.load("2024")
        with pytest.raises(StoreError, match="No wave"):
            s.to_records("2024")
        assert repr(s).endswith("waves=1, pseudonymized=False)")


def test_the_error_is_a_library_error_and_a_value_error():
    assert issubclass(StoreError, al.AkhlakLevelsError) and issubclass(StoreError, ValueError)


def test_a_wave_is_stored_in_chunks_in_the_order_added(path, rich, monkeypatch):
    monkeypatch.setattr(columns_module, "CHUNK_ROWS", 128)
    with AssessmentStore(path) as s:
        s.add(rich, wave="2024")
        rows = s._con.execute("SELECT chunk, n_rows FROM wave_columns WHERE part = 'respondent_id' ORDER BY chunk").fetchall()
        assert rows == [(0, 128), (1, 128), (2, 300 - 256)]
        assert_same(s.load("2024"), with_wave(rich, "2024"))


def test_progress_and_trajectories_read_a_store_directly(tmp_path):
    import akhlak_levels as al

    q = al.load_questionnaire("socio-emotional-levels")
    waves = {}
    for i, w in enumerate(["2024", "2025", "2026"]):
        rs, _ = al.simulate(q, 60, random_state=i)
        waves[w] = al.assess(q, rs)
    with al.AssessmentStore(tmp_path / "s.sqlite") as store:
        for w, a in waves.items():
            store.add(a, wave=w)
        from_store = al.progress(store)
        traj = al.trajectories(store)
    direct = al.progress(waves)
    np.testing.assert_allclose(from_store.mean_expected_level, direct.mean_expected_level)
    assert traj.waves == ("2024", "2025", "2026")
