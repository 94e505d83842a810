"""The store keeps each wave's per-scale answered counts (issue 10, item 1): the ``scale_answered``
part in the chunks, the scale design in ``wave_scales``, schema version 4; waves saved before
come back without them, and a reliable change on scales between them is refused with the fix."""

from __future__ import annotations

import dataclasses
import sqlite3
import sys
from pathlib import Path

import numpy as np
import pytest

import akhlak_levels as al
from akhlak_levels.store import AssessmentStore, StoreError

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "growth"))
import rci_null  # noqa: E402

Q = rci_null.scales_questionnaire()


@pytest.fixture
def path(tmp_path):
    return str(tmp_path / "store.sqlite")


def scored(n: int, seed: int = 0) -> al.Assessment:
    rs, _ = rci_null.scales_waves(Q, n, np.random.default_rng(seed), missing={"a": 0.3, "b": 0.1, "c": 0.4, "d": 0.2})
    return al.assess(Q, rs)


def old_style(a: al.Assessment) -> al.Assessment:
    """``a`` as akhlak_levels made assessments before they carried per-scale counts."""
    return dataclasses.replace(a, scale_n_items=None, scale_steps=None, scale_answered=None)


def schema(path: str) -> tuple[str, set[str]]:
    con = sqlite3.connect(path)
    version = dict(con.execute("SELECT key, value FROM meta"))["schema_version"]
    tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    con.close()
    return version, tables


def same_counts(got: al.Assessment, want: al.Assessment) -> None:
    assert got.scale_n_items == want.scale_n_items and got.scale_steps == want.scale_steps
    assert got.scale_answered.dtype == want.scale_answered.dtype == np.uint8
    np.testing.assert_array_equal(got.scale_answered, want.scale_answered)


def test_counts_survive_add_load_batches_replace_and_erase(path):
    a = scored(300)
    with AssessmentStore(path) as s:
        s.add(a, wave="2024")
        same_counts(s.load("2024"), a)
        s.add_batches([a.take(np.arange(0, 120)), a.take(np.arange(120, 300))], wave="2025")
        same_counts(s.load("2025"), a)
        assert s.erase("p17") == 2  # every part of the chunk rewritten without the row
        keep = a.respondent_ids != "p17"
        same_counts(s.load("2024"), a.take(keep))
        s.add(old_style(a), wave="2025", replace=True)  # the replaced wave's design goes with it
        assert s.load("2025").scale_answered is None and s.wave_info("2025")["scale_n_items"] is None
        assert s.wave_info("2024")["scale_n_items"] == [3, 5, 8, 4]
    assert schema(path) == ("4", {"meta", "waves", "wave_columns", "erasures", "wave_scales"})


def test_a_store_of_old_waves_keeps_the_old_layout_and_refuses_reliable_change_on_scales(path):
    """A wave saved without counts (as every wave before issue 10: no ``wave_scales`` table, no
    ``scale_answered`` part, version 2) loads without them, and the scales verdict between two
    such waves is refused with the fix, never computed without its corrections."""
    a, b = scored(200, seed=1), scored(200, seed=2)
    with AssessmentStore(path) as s:
        s.add(old_style(a), wave="2023")
        s.add(old_style(b), wave="2024")
    assert schema(path) == ("2", {"meta", "waves", "wave_columns", "erasures"})
    rel = al.reliability(Q, rci_null.scales_waves(Q, 200, np.random.default_rng(3))[0])
    with AssessmentStore(path) as s:
        w1, w2 = s.load("2023"), s.load("2024")
        assert w1.scale_answered is None and w1.scale_n_items is None
        with pytest.raises(ValueError, match=r"^method='scales' is refused: the assessments 'before' and 'after' carry no "
                                             r"per-scale answered counts .* store\.add\(assessment, wave=\.\.\., replace=True\)"):
            al.reliable_change(w1, w2, reliability=rel, questionnaire=Q)
        s.add(a, wave="2023", replace=True)  # the fix: scored again, stored again
        s.add(b, wave="2024", replace=True)
        rc = al.reliable_change(s.load("2023"), s.load("2024"), reliability=rel)
    assert rc.method == "scales" and np.isfinite(rc.scale_rci).any()


def test_a_library_from_before_the_counts_refuses_the_file_rather_than_call_it_damaged(path, monkeypatch):
    with AssessmentStore(path) as s:
        s.add(scored(20), wave="2024")
    import akhlak_levels.store._layout as layout

    monkeypatch.setattr(layout, "SCHEMA_VERSION", 3)
    monkeypatch.setattr(layout, "READABLE", (1, 2, 3))
    with pytest.raises(StoreError, match=r"has schema version 4; this akhlak_levels .* reads schema versions 1, 2 and 3\. "
                                         r"Upgrade akhlak_levels to open it"):
        AssessmentStore(path)


def test_inconsistent_counts_are_refused_before_anything_is_written(path):
    a = scored(10)
    with AssessmentStore(path) as s:
        with pytest.raises(StoreError, match=r"the per-scale counts must all be present or all None; present: "
                                             r"\['scale_n_items', 'scale_steps'\]"):
            s.add(dataclasses.replace(a, scale_answered=None), wave="x")
        with pytest.raises(StoreError, match=r"scale_answered has shape \(10, 3\); expected \(10, 4\)"):
            s.add(dataclasses.replace(a, scale_answered=a.scale_answered[:, :3]), wave="x")
        too_many = a.scale_answered.copy()
        too_many[0, 0] = 4
        with pytest.raises(StoreError, match=r"scale_answered must hold integers from 0 to each scale's number of items "
                                             r"\(\[3, 5, 8, 4\]\)"):
            s.add(dataclasses.replace(a, scale_answered=too_many), wave="x")
        with pytest.raises(StoreError, match=r"batch 2 differs from the first batch in scale_design None"):
            s.add_batches([a, old_style(a)], wave="x")
        assert s.waves() == []
