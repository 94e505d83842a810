"""The store under concurrent use: a key set by another process is never bypassed, an erasure
never hangs and leaves no byte of the id behind, and exports appear whole (issue 9)."""

from __future__ import annotations

import dataclasses
import os
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

import akhlak_levels as al
from akhlak_levels.store import AssessmentStore, StoreError
from akhlak_levels.store import _store as store_module

SEL = al.load_questionnaire("socio-emotional-levels")
PERSON = "NIP-198507142010011002"  # the id to erase: unique bytes to look for in the files
KEY = "kunci BKPSDM"


def assessment(n: int = 200, seed: int = 0) -> al.Assessment:
    a = al.assess(SEL, al.simulate(SEL, n, random_state=seed)[0])
    ids = np.char.add("ASN-", np.arange(n).astype(str)).astype(object)
    ids[17] = PERSON
    return dataclasses.replace(a, respondent_ids=ids.astype(str))


@pytest.fixture(scope="module")
def wave() -> al.Assessment:
    return assessment()


@pytest.fixture
def path(tmp_path) -> str:
    return str(tmp_path / "store.sqlite")


def raw_bytes(path: str) -> dict[str, bytes]:
    """The bytes of the store file and of its journal (empty when there is none)."""
    return {name: Path(name).read_bytes() if os.path.exists(name) else b"" for name in (path, path + "-wal")}


#: The respondents stored, counted in the file: the rows of their id parts.
IDS = "SELECT coalesce(sum(n_rows), 0) FROM wave_columns WHERE part = 'respondent_id'"


def count(path: str, sql: str) -> int:
    con = sqlite3.connect(path)
    try:
        return con.execute(sql).fetchone()[0]
    finally:
        con.close()


# ------------------------------------------------------------------ the key decision


def test_a_store_opened_without_a_key_refuses_to_write_after_another_sets_one(path, wave):
    clear = AssessmentStore(path)  # opened on an empty store: no key, ids would go in clear
    with AssessmentStore(path, pseudonymize_key=KEY) as keyed:
        keyed.add(wave, wave="2023")
    with pytest.raises(StoreError, match=r"was pseudonymised by another program after it was opened here.*Nothing was "
                                         r"written\. Open the store again with pseudonymize_key="):
        clear.add(wave, wave="2024")
    with pytest.raises(StoreError, match="was pseudonymised by another program"):
        clear.erase(PERSON)
    clear.close()
    assert count(path, IDS) == len(wave)
    with AssessmentStore(path) as s:  # the ids stored are pseudonyms, not the clear ids
        assert not np.char.startswith(s.load("2023").respondent_ids, "ASN-").any()
    assert PERSON.encode() not in b"".join(raw_bytes(path).values())
    with AssessmentStore(path, pseudonymize_key=KEY) as keyed:  # reopened with the key, erasure is complete
        assert keyed.erase(PERSON) == 1
        assert keyed.waves() == ["2023"]


SET_KEY = """
import sys
import akhlak_levels as al
from akhlak_levels.store import AssessmentStore
q = al.load_questionnaire("socio-emotional-levels")
with AssessmentStore(sys.argv[1], pseudonymize_key="kunci BKPSDM") as s:
    s.add(al.assess(q, al.simulate(q, 20, random_state=1)[0]), wave="2023")
"""


def test_a_key_set_by_another_process_is_seen_inside_the_write(path, wave):
    clear = AssessmentStore(path)
    r = subprocess.run([sys.executable, "-c", textwrap.dedent(SET_KEY), path], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    with pytest.raises(StoreError, match="was pseudonymised by another program"):
        clear.add(wave, wave="2024")
    clear.close()
    with AssessmentStore(path) as s:
        assert s.pseudonymized and s.waves() == ["2023"] and s.wave_info("2023")["n"] == 20


def test_a_keyed_store_keeps_writing_when_nothing_changed(path, wave):
    a, b = AssessmentStore(path, pseudonymize_key=KEY), AssessmentStore(path, pseudonymize_key=KEY)
    a.add(wave, wave="2023")
    b.add(wave, wave="2024")
    assert b.erase(PERSON) == 2 and a.waves() == ["2023", "2024"]
    a.close()
    b.close()


# ------------------------------------------------------------------ erasure under concurrent use


def test_erase_leaves_no_byte_of_the_id_in_the_file_or_the_journal(path, wave):
    with AssessmentStore(path) as s:
        s.add(wave, wave="2023")
        con = sqlite3.connect(path)
        con.execute("PRAGMA wal_checkpoint(PASSIVE)")  # the id is now in the database file and in the journal
        con.close()
        s.add(wave, wave="2024")
        assert all(PERSON.encode() in data for data in raw_bytes(path).values())
        assert s.erase(PERSON) == 2
        data = raw_bytes(path)
        assert PERSON.encode() not in data[path] and data[path + "-wal"] == b""  # checkpointed and truncated
        assert s.wave_info("2024")["n"] == len(wave) - 1


def test_erase_while_another_process_reads_fails_fast_and_erases_nothing(path, wave):
    with AssessmentStore(path) as s:
        s.add(wave, wave="2023")
        reader = sqlite3.connect(path, isolation_level=None)
        reader.execute("BEGIN")
        assert reader.execute(IDS).fetchone()[0] == len(wave)  # holds a read transaction
        t0 = time.perf_counter()
        with pytest.raises(StoreError, match=r"another process is using the store \(reading or writing it\) and did "
                                             r"not finish within 0\.5 s\. Nothing was erased\."):
            s.erase(PERSON, timeout=0.5)
        assert time.perf_counter() - t0 < 5  # not the store's 60 s
        assert s.erasures() == [] and s.wave_info("2023")["n"] == len(wave)
        with AssessmentStore(path) as other:
            assert PERSON in other.load("2023").respondent_ids
        reader.execute("COMMIT")
        reader.close()
        assert s.erase(PERSON) == 1  # once the reader has gone
        assert PERSON.encode() not in b"".join(raw_bytes(path).values())
        assert [e["rows"] for e in s.erasures()] == [1]


def test_erase_while_another_process_writes_fails_fast(path, wave):
    with AssessmentStore(path) as s:
        s.add(wave, wave="2023")
        writer = sqlite3.connect(path, isolation_level=None)
        writer.execute("BEGIN IMMEDIATE")
        t0 = time.perf_counter()
        with pytest.raises(StoreError, match="another process is using the store"):
            s.erase(PERSON, timeout=0.3)
        assert time.perf_counter() - t0 < 5
        writer.execute("ROLLBACK")
        writer.close()
        assert s.erasures() == [] and s.erase(PERSON) == 1
        s.add(wave.take(np.arange(5)), wave="2024")  # the store's own timeout is back for other writes


def test_a_reader_arriving_between_the_check_and_the_erasure_is_reported(path, wave, monkeypatch):
    with AssessmentStore(path) as s:
        s.add(wave, wave="2023")
        reader = sqlite3.connect(path, isolation_level=None)
        reader.execute("BEGIN")
        reader.execute(IDS).fetchone()
        calls = []
        real = store_module.truncate_journal

        def first_check_passes(con):  # the reader is taken to have started just after the check
            calls.append(1)
            return True if len(calls) == 1 else real(con)

        monkeypatch.setattr(store_module, "truncate_journal", first_check_passes)
        with pytest.raises(StoreError, match=r"Erased 1 rows from the store .*another process began reading the store "
                                             r"meanwhile.*call erase again with the same id"):
            s.erase(PERSON, timeout=0.3)
        reader.execute("COMMIT")
        reader.close()
        assert s.erase(PERSON) == 0  # finishes the purge
        assert PERSON.encode() not in b"".join(raw_bytes(path).values())


@pytest.mark.parametrize("timeout", [-1, float("inf"), "5"])
def test_the_erase_timeout_is_checked(path, timeout):
    with AssessmentStore(path) as s:
        with pytest.raises(ValueError, match=r"The 'timeout' parameter of erase must be in \[0, 3600\]"):
            s.erase(PERSON, timeout=timeout)
        assert s.erasures() == []


# ------------------------------------------------------------------ exports


def test_a_failed_parquet_export_leaves_an_existing_file_as_it_was(path, tmp_path, wave, monkeypatch):
    pd = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    out = tmp_path / "all.parquet"
    with AssessmentStore(path) as s:
        s.add(wave, wave="2023")
        s.to_parquet(out)
        before = out.read_bytes()
        s.add(wave, wave="2024")

        def half_then_fail(self, fh, **kwargs):
            fh.write(b"PAR1 half a file")
            raise OSError("disk full")

        monkeypatch.setattr(pd.DataFrame, "to_parquet", half_then_fail)
        with pytest.raises(OSError, match="disk full"):
            s.to_parquet(out)
        assert out.read_bytes() == before
        assert sorted(os.listdir(tmp_path)) == sorted(["all.parquet", "store.sqlite", "store.sqlite-wal",
                                                       "store.sqlite-shm"])
        monkeypatch.undo()
        s.to_parquet(out)
        assert len(pd.read_parquet(out)) == 2 * len(wave)
