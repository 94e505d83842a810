"""Vote waves on the command line: ``culture-map --store`` keeps each export as a vote wave and
``culture-trend`` prints and writes exactly the trend of ``culture_trend`` over the store's maps;
changes beyond noise are marked; misuse exits 2."""

import csv
import io
import json
import re

import numpy as np
import pytest

from akhlak_levels import culture_trend, load_questionnaire
from akhlak_levels.cli._main import main
from akhlak_levels.cli._trend import BEYOND_NOISE_MARK
from akhlak_levels.culture import simulate_votes
from akhlak_levels.store import AssessmentStore

QID = "berakhlak-culture-map"
Q = load_questionnaire(QID)
UNITS = np.array(["Bagian Umum", "=Keuangan", "Inspektorat", "Kecil"])


def cli(*args, env=None):
    out, err = io.StringIO(), io.StringIO()
    code = main([str(a) for a in args], stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def export(path, seed, decay):
    """A Google-Forms-like export: labels joined by ', ', a unit column (one unit of 3 people)."""
    votes, _ = simulate_votes(Q, 123, decay=decay, random_state=seed)
    unit = np.where(np.arange(123) < 3, UNITS[3], UNITS[np.arange(123) % 3])
    labels = [b.label["id"] for b in Q.behaviours]
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["respondent_id", "unit"] + [vq.id for vq in Q.vote_questions])
        for rid, u, picks in zip(votes.respondent_ids, unit, votes.picks):
            w.writerow([rid, u] + [", ".join(labels[int(b)] for b in row if b >= 0) for row in picks])
    return path


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("trend")
    path = tmp / "s.sqlite"
    for wave, seed, decay in (("2023", 1, 0.2), ("2024", 2, 1.0), ("2025", 3, 2.0)):
        code, _, err = cli("culture-map", export(tmp / f"{wave}.csv", seed, decay), "-q", QID, "--store", path, "--wave", wave)
        assert code == 0, err
        assert f"stored 123 respondents as vote wave '{wave}'" in err
    return path


def expected(store, **kw):
    with AssessmentStore(store) as s:
        return culture_trend(s.culture_maps(QID, by="unit", **kw))


def test_trend_printed_and_written_is_culture_trend(store, tmp_path):
    out_json = tmp_path / "t.json"
    code, out, err = cli("culture-trend", "--store", store, "-q", QID, "--by", "unit", "-o", out_json)
    assert code == 0, err
    t = expected(store)
    doc = json.loads(out_json.read_text(encoding="utf-8"))
    assert doc["waves"] == ["2023", "2024", "2025"] and doc["by"] == "unit"
    assert doc["trend"] == json.loads(json.dumps(t.to_records()))
    # every printed change carries the mark exactly where the table says it is beyond noise
    marks = re.findall(r"(20\d\d) (-?\d+\.\d) \[[^]]*\] ([+-]\d+\.\d)(\*?)", out)
    beyond = t.since_previous_beyond_noise[~t.suppressed.any(axis=1)]
    assert len(marks) == int(np.isfinite(t.since_previous[~t.suppressed.any(axis=1)]).sum())
    assert sum(m[3] == BEYOND_NOISE_MARK for m in marks) == int(beyond.sum()) > 0  # decay 0.2 -> 2.0: entropy moves
    assert "== Kecil: respondents 2023 3 | 2024 3 | 2025 3" in out and "2023 suppressed (3)" in out


def test_trend_csv_is_safe_for_spreadsheets(store, tmp_path):
    out_csv = tmp_path / "t.csv"
    assert cli("culture-trend", "--store", store, "-q", QID, "--by", "unit", "-o", out_csv)[0] == 0
    with open(out_csv, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    groups = {r["group"] for r in rows}
    assert "'=Keuangan" in groups and "=Keuangan" not in groups
    assert len(rows) == len(expected(store).to_records())


def test_waves_in_a_given_order(store):
    code, out, _ = cli("culture-trend", "--store", store, "-q", QID, "--waves", "2025", "2023")
    assert code == 0
    assert "over vote waves 2025, 2023" in out
    t = expected(store, waves=["2025", "2023"])
    assert t.waves == ("2025", "2023")


@pytest.mark.parametrize("args, message", [
    (("--waves", "2023"), "a trend needs at least two vote waves"),
    (("--waves", "2023", "1999"), "no vote wave ['1999']"),
])
def test_trend_misuse_exits_2(store, args, message):
    code, _, err = cli("culture-trend", "--store", store, "-q", QID, *args)
    assert code == 2 and message in err


def test_culture_map_wave_needs_store_and_store_needs_wave(tmp_path):
    src = export(tmp_path / "v.csv", 5, 1.0)
    code, _, err = cli("culture-map", src, "-q", QID, "--wave", "2024")
    assert code == 2 and "--wave names the vote wave kept in --store" in err
    code, _, err = cli("culture-map", src, "-q", QID, "--store", tmp_path / "s.sqlite")
    assert code == 2 and "--store needs --wave" in err


def test_a_pseudonymised_vote_wave(tmp_path, monkeypatch):
    src = export(tmp_path / "v.csv", 6, 1.0)
    monkeypatch.setenv("AKHLAK_KEY", "a secret of the programme office")
    path = tmp_path / "p.sqlite"
    code, _, err = cli("culture-map", src, "-q", QID, "--store", path, "--wave", "2024", "--pseudonymize-key-env", "AKHLAK_KEY")
    assert code == 0, err
    with AssessmentStore(path, pseudonymize_key="a secret of the programme office") as s:
        ids = s.load_votes("2024").respondent_ids
        assert s.pseudonym("r0") in ids.tolist() and "r0" not in ids.tolist()
    raw = path.read_bytes()  # the clear id is nowhere in the file, in any encoding the store uses
    assert all(enc not in raw for enc in ("r122".encode("utf-8"), "r122".encode("utf-32-le"), "r122".encode("utf-16-le")))
