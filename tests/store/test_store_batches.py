"""AssessmentStore.add_batches (issue 15): a wave stored from batches is byte for byte the wave
``add`` stores from their concatenation, for every way of cutting it; repeated ids across
batches, batches unlike the first and failures of the iterable leave the store as it was."""

from __future__ import annotations

import dataclasses
import sqlite3
from pathlib import Path
from typing import Any, Iterator

import numpy as np
import pytest

import akhlak_levels as al
from akhlak_levels.flags import Flags
from akhlak_levels.store import AssessmentStore, StoreError
from akhlak_levels.store import _columns as columns_module

SEL = al.load_questionnaire("socio-emotional-levels")
BERAKHLAK = al.load_questionnaire("berakhlak")
KEY = "kunci-rahasia-instansi"


def assessment(n: int, seed: int = 0, flags: tuple[str, ...] = ("invalid:SE03",)) -> al.Assessment:
    """socio-emotional-levels with unit, date, two groups (one non-ASCII value: stored as UTF-32),
    ids of varying length, NaN scores and the given flags set at random."""
    rs, _ = al.simulate(SEL, n, missing=0.4, random_state=seed)
    rng = np.random.default_rng(seed)
    date = np.datetime64("2025-03-01") + rng.integers(0, 60, n).astype("timedelta64[D]")
    date[::13] = np.datetime64("NaT")
    rs = dataclasses.replace(
        rs,
        respondent_ids=np.char.add(f"ASN{seed}-", (rng.permutation(n) * 7919).astype(str)),
        unit=rng.choice(np.array(["Biro Umum", "Dinas Pendidikan Gorontalo", "Kantor Çamlıca"]), n),
        date=date,
        groups={"region": rng.choice(np.array(["Gorontalo", "Bone Bolango", ""]), n),
                "jabatan": rng.choice(np.array(["fungsional", "struktural"]), n)},
        flags=Flags.from_columns(n, {f: rng.random(n) < 0.1 for f in flags}),
    )
    return al.assess(SEL, rs)


def cut(a: al.Assessment, sizes: list[int]) -> list[al.Assessment]:
    """``a`` in consecutive batches of ``sizes`` (the last takes the rest)."""
    out, at = [], 0
    for s in sizes:
        out.append(a.take(np.arange(at, min(at + s, len(a)))))
        at += s
    out.append(a.take(np.arange(min(at, len(a)), len(a))))
    return out


def every(a: al.Assessment, size: int) -> list[al.Assessment]:
    return [a.take(np.arange(s, min(s + size, len(a)))) for s in range(0, len(a), size)]


def concat(batches: list[al.Assessment]) -> al.Assessment:
    """The batches as one assessment; flag names unioned in the order they first appear, False
    where a batch lacks a flag (what add_batches promises)."""
    first = batches[0]
    names: list[str] = []
    for b in batches:
        names += [f for f in b.flags.names if f not in names]
    flags = Flags(tuple(names), np.concatenate([
        np.stack([b.flags[f] for f in names], axis=1) if names else np.zeros((len(b), 0), dtype=bool) for b in batches
    ]))
    fields: dict[str, Any] = {}
    for f in dataclasses.fields(first):
        v = getattr(first, f.name)
        if isinstance(v, np.ndarray):
            fields[f.name] = np.concatenate([getattr(b, f.name) for b in batches])
        elif f.name == "groups":
            fields[f.name] = {g: np.concatenate([b.groups[g] for b in batches]) for g in v}
        else:
            fields[f.name] = v
    return dataclasses.replace(first, **{**fields, "flags": flags})


def contents(path: Path) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """The ``waves`` rows without ``added``, every ``wave_columns`` row, and ``meta`` without the
    creation time and salt, of a store file."""
    con = sqlite3.connect(path)
    try:
        cols = [r[1] for r in con.execute("PRAGMA table_info(waves)")]
        waves = [tuple(v for c, v in zip(cols, r) if c != "added") for r in con.execute("SELECT * FROM waves ORDER BY position")]
        chunks = con.execute("SELECT * FROM wave_columns ORDER BY wave, chunk, part").fetchall()
        meta = con.execute("SELECT * FROM meta WHERE key NOT IN ('created', 'erasure_salt') ORDER BY key").fetchall()
    finally:
        con.close()
    return waves, chunks, meta


def stored_both_ways(tmp_path: Path, batches: list[al.Assessment], key: str | None = None) -> tuple[Any, Any]:
    with AssessmentStore(tmp_path / "whole.sqlite", pseudonymize_key=key) as store:
        n_whole = store.add(concat(batches), wave="2025")
    with AssessmentStore(tmp_path / "batches.sqlite", pseudonymize_key=key) as store:
        n_batches = store.add_batches(iter(batches), wave="2025")
    assert n_whole == n_batches == sum(len(b) for b in batches)
    return contents(tmp_path / "whole.sqlite"), contents(tmp_path / "batches.sqlite")


@pytest.fixture
def small_chunks(monkeypatch):
    """Chunks of 64 respondents, so that batches of 1 cross many chunk boundaries quickly."""
    monkeypatch.setattr(columns_module, "CHUNK_ROWS", 64)
    return 64


@pytest.mark.parametrize("size", [1, 7, 32, 64, 100, 129, 1000])
def test_batches_store_the_bytes_add_stores_for_the_concatenation(tmp_path, small_chunks, size):
    a = assessment(300, seed=size)
    batches = every(a, size)
    batches.insert(min(2, len(batches)), a.take(np.arange(0)))  # an empty batch on the way
    whole, in_batches = stored_both_ways(tmp_path, batches)
    assert whole == in_batches
    assert len(whole[1]) == 5 * len(columns_module.part_kinds(AssessmentStore(tmp_path / "whole.sqlite").wave_info("2025")))


@pytest.mark.parametrize("sizes", [[50_000, 50_000], [16_384] * 8, [0, 1, 65_535, 1, 65_536, 3]])
def test_real_chunks_of_65536_cut_anywhere_give_the_same_bytes(tmp_path, sizes):
    a = assessment(140_000, seed=3)
    whole, in_batches = stored_both_ways(tmp_path, cut(a, sizes))
    assert whole == in_batches
    assert sorted({r[1] for r in in_batches[1]}) == [0, 1, 2]  # 65,536 + 65,536 + 8,928
    with AssessmentStore(tmp_path / "batches.sqlite") as store:
        back = store.load("2025")
    assert np.array_equal(back.respondent_ids, a.respondent_ids)
    assert np.array_equal(back.probabilities.view(np.uint64), a.probabilities.view(np.uint64))


def test_pseudonymised_batches_store_the_same_pseudonyms(tmp_path, small_chunks):
    a = assessment(200, seed=5)
    whole, in_batches = stored_both_ways(tmp_path, every(a, 45), key=KEY)
    assert whole == in_batches
    with AssessmentStore(tmp_path / "batches.sqlite", pseudonymize_key=KEY) as store:
        assert store.load("2025").respondent_ids[7] == store.pseudonym(a.respondent_ids[7])
    with AssessmentStore(tmp_path / "batches.sqlite") as store:  # no key: reading works, adding does not
        with pytest.raises(StoreError, match="open it with pseudonymize_key"):
            store.add_batches(every(a, 45), wave="2026")


def test_a_flag_of_a_later_batch_is_false_for_the_batches_before_it(tmp_path, small_chunks):
    batches = [
        assessment(150, seed=1, flags=()),
        assessment(40, seed=2, flags=("invalid:SE03",)),
        assessment(90, seed=3, flags=("careless", "invalid:SE03")),
        assessment(10, seed=4, flags=()),
    ]
    whole, in_batches = stored_both_ways(tmp_path, batches)
    assert whole == in_batches
    with AssessmentStore(tmp_path / "batches.sqlite") as store:
        info, back = store.wave_info("2025"), store.load("2025")
    assert [b.flags.names for b in batches[1:3]] == [("invalid:SE03", "no-answers", "low-confidence"),
                                                     ("careless", "invalid:SE03", "no-answers", "low-confidence")]
    assert info["flag_names"] == ["no-answers", "low-confidence", "invalid:SE03", "careless"]
    assert not back.flags["careless"][:190].any() and not back.flags["careless"][280:].any()
    assert np.array_equal(back.flags["careless"][190:280], batches[2].flags["careless"])
    assert np.array_equal(back.flags["invalid:SE03"][150:190], batches[1].flags["invalid:SE03"])


def test_a_repeated_id_in_a_later_batch_refuses_the_whole_wave(tmp_path, small_chunks):
    a = assessment(500, seed=7)
    batches = every(a, 100)
    ids = batches[4].respondent_ids.copy()
    ids[17] = a.respondent_ids[3]  # the id of a respondent stored in the first chunk, long written
    batches[4] = dataclasses.replace(batches[4], respondent_ids=ids)
    path = tmp_path / "s.sqlite"
    with AssessmentStore(path, pseudonymize_key=KEY) as store:
        store.add(assessment(30, seed=8), wave="2024")
        before = contents(path)
        with pytest.raises(StoreError, match=rf"repeated: \['{a.respondent_ids[3]}'\] \(in batch 5 and an earlier one\)\. Nothing was stored"):
            store.add_batches(batches, wave="2025")
        assert store.waves() == ["2024"]
    assert contents(path) == before


def test_a_batch_unlike_the_first_is_refused(tmp_path):
    a = assessment(100, seed=1)
    other_model = dataclasses.replace(a, model_hash="0" * 16)
    no_unit = dataclasses.replace(a, unit=None)
    other_q = al.assess(BERAKHLAK, [{"respondent_id": "B1", **{it.id: 3 for it in BERAKHLAK.items}}])
    with AssessmentStore(tmp_path / "s.sqlite") as store:
        with pytest.raises(StoreError, match=r"batch 2 differs from the first batch in model_hash '0000000000000000', not"):
            store.add_batches([a, other_model], wave="2025")
        with pytest.raises(StoreError, match=r"batch 3 differs from the first batch in has_unit False, not True"):
            store.add_batches([a.take(np.arange(50)), a.take(np.arange(50, 100)), no_unit.take(np.arange(0))], wave="2025")
        with pytest.raises(StoreError, match=r"questionnaire_id 'berakhlak', not 'socio-emotional-levels'"):
            store.add_batches([a, other_q], wave="2025")
        with pytest.raises(TypeError, match="batch 2"):
            store.add_batches([a, "not an assessment"], wave="2025")  # type: ignore[list-item]
        with pytest.raises(StoreError, match="no batches were given"):
            store.add_batches([], wave="2025")
        assert store.waves() == []


def test_replace_is_as_add_and_an_existing_wave_is_refused_before_any_batch_is_read(tmp_path, small_chunks):
    old, new = assessment(120, seed=1), assessment(300, seed=2)
    pulled: list[int] = []

    def source(a: al.Assessment) -> Iterator[al.Assessment]:
        for b in every(a, 70):
            pulled.append(len(b))
            yield b

    path = tmp_path / "s.sqlite"
    with AssessmentStore(path) as store:
        store.add(old, wave="2024")
        store.add(old, wave="2025")
        with pytest.raises(StoreError, match="Wave '2025' is already in the store .* pass replace=True"):
            store.add_batches(source(new), wave="2025")
        assert pulled == []
        assert store.add_batches(source(new), wave="2025", replace=True) == 300
        assert store.waves() == ["2024", "2025"]  # the replaced wave keeps its place
        assert np.array_equal(store.load("2025").respondent_ids, new.respondent_ids)
        assert store.wave_info("2025")["n"] == 300


def test_an_exception_of_the_iterable_half_way_leaves_the_store_as_it_was(tmp_path, small_chunks):
    old, new = assessment(120, seed=1), assessment(400, seed=2)

    def failing() -> Iterator[al.Assessment]:
        yield from every(new, 90)[:3]  # four chunks of 64 already written
        raise OSError("the disk with the export went away")

    path = tmp_path / "s.sqlite"
    with AssessmentStore(path) as store:
        store.add(old, wave="2025")
        before = contents(path)
        with pytest.raises(OSError, match="went away"):
            store.add_batches(failing(), wave="2025", replace=True)
        with pytest.raises(OSError, match="went away"):
            store.add_batches(failing(), wave="2026")
        assert store.waves() == ["2025"]
        assert np.array_equal(store.load("2025").respondent_ids, old.respondent_ids)
    assert contents(path) == before
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    con.close()


def test_repeats_are_found_across_ascii_and_non_ascii_ids(tmp_path):
    a = assessment(30, seed=9)
    ids = a.respondent_ids.astype("<U32")
    ids[10:20] = np.char.add("Çamlıca-", np.arange(10).astype(str))
    a = dataclasses.replace(a, respondent_ids=ids)
    repeat = dataclasses.replace(a.take(np.arange(25, 30)), respondent_ids=np.array(["x", "y", "Çamlıca-4", ids[2], "z"]))
    with AssessmentStore(tmp_path / "s.sqlite") as store:
        with pytest.raises(StoreError, match=rf"repeated: \['{ids[2]}', 'Çamlıca-4'\] \(in batch 3"):
            store.add_batches([a.take(np.arange(10)), a.take(np.arange(10, 25)), repeat], wave="2025")
        assert store.add_batches([a.take(np.arange(10)), a.take(np.arange(10, 30))], wave="2025") == 30
        assert np.array_equal(store.load("2025").respondent_ids, ids)
