"""``score`` and ``calibrate`` of a vote instrument on the command line: the level of each
respondent from their votes, the same figures as ``assess`` of the same file, stored as a wave,
a calibrated vote model used by ``score --model``, and the options that only items have refused."""

import csv
import io
from pathlib import Path

import numpy as np

from akhlak_levels import AssessmentStore, assess, load_model, load_questionnaire, read_votes
from akhlak_levels.cli._main import main
from akhlak_levels.culture import simulate_votes

EXAMPLE = Path(__file__).resolve().parents[2] / "questionnaires" / "examples" / "berakhlak-culture-map-google-forms.csv"
QID = "berakhlak-culture-map"
UNIT = "Unit Kerja"


def cli(*args):
    out, err = io.StringIO(), io.StringIO()
    code = main([str(a) for a in args], stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def rows_of(path):
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_score_of_votes_writes_what_assess_gives(tmp_path):
    out = tmp_path / "levels.csv"
    code, _, err = cli("score", EXAMPLE, "-q", QID, "--unit-column", UNIT, "-o", out)
    assert code == 0, err
    expected = assess(QID, read_votes(EXAMPLE, QID, unit_column=UNIT))
    rows = rows_of(out)
    assert [r["respondent_id"] for r in rows] == expected.respondent_ids.tolist()
    assert [int(r["level"]) for r in rows] == expected.level.tolist()
    assert [r["unit"] for r in rows] == expected.unit.tolist()
    got = np.array([[float(r[f"p_level_{k}"]) for k in range(1, 6)] for r in rows])
    np.testing.assert_allclose(got, expected.probabilities, atol=5e-7)  # written to 6 decimals
    assert {int(r["n_answered"]) for r in rows} == {10}
    assert f"scored {len(rows)} respondents" in err


def test_score_of_votes_into_a_store(tmp_path):
    store = tmp_path / "s.sqlite"
    code, _, err = cli("score", EXAMPLE, "-q", QID, "--unit-column", UNIT, "--store", store, "--wave", "2025", "-o", tmp_path / "o.csv")
    assert code == 0, err
    with AssessmentStore(store) as s:
        loaded = s.load("2025")
    expected = assess(QID, read_votes(EXAMPLE, QID, unit_column=UNIT))
    np.testing.assert_array_equal(loaded.level, expected.level)
    assert loaded.model_kind == "theory-prior"


def test_calibrate_votes_then_score_with_the_model(tmp_path):
    q = load_questionnaire(QID)
    votes, _ = simulate_votes(q, 900, random_state=8)
    labels = {i: b.label["id"] for i, b in enumerate(q.behaviours)}
    src = tmp_path / "votes.csv"
    with open(src, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["respondent_id"] + [vq.id for vq in q.vote_questions])
        for rid, picks in zip(votes.respondent_ids, votes.picks):
            w.writerow([rid] + [", ".join(labels[int(b)] for b in row if b >= 0) for row in picks])
    model_path = tmp_path / "m.json"
    code, _, err = cli("calibrate", src, "-q", QID, "-o", model_path, "--seed", 0, "--n-init", 1)
    assert code == 0, err
    model = load_model(model_path)
    assert model.item_ids[0].startswith("personal:") and len(model.item_ids) == 74
    out = tmp_path / "levels.csv"
    code, _, err = cli("score", src, "-q", QID, "--model", model_path, "-o", out)
    assert code == 0, err
    expected = assess(QID, read_votes(src, QID), model)
    assert [int(r["level"]) for r in rows_of(out)] == expected.level.tolist()


def test_item_options_are_refused_for_votes(tmp_path):
    for flag, value in (("--date-column", "Timestamp"), ("--allow-missing-items", None)):
        args = ["score", EXAMPLE, "-q", QID, "--unit-column", UNIT, flag] + ([value] if value else [])
        code, _, err = cli(*args)
        assert code == 2
        assert f"{flag} is for questionnaires of items; 'berakhlak-culture-map' is a vote instrument" in err
