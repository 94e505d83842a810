"""read_votes: the vote exports of the form tools read into a VoteSet, and every problem reported."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from akhlak_levels import ResponseError, VoteSet, load_questionnaire, read_votes

ROOT = Path(__file__).resolve().parents[1]
Q = load_questionnaire("berakhlak-culture-map")
QIDS = [vq.id for vq in Q.vote_questions]
UNITS = np.array(["Umum", "Keuangan", "Kesehatan"])


def simulate_votes(n: int, seed: int) -> VoteSet:
    """n respondents, 10 picks in each question, a few questions unanswered."""
    rng = np.random.default_rng(seed)
    picks = np.full((n, 3, 10), -1, dtype=np.int16)
    for r in range(n):
        for qi in range(3):
            if rng.random() > 0.1:
                picks[r, qi] = np.sort(rng.choice(len(Q.behaviours), 10, replace=False))
    return VoteSet(Q.id, Q.version, np.arange(1, n + 1).astype(str), picks,
                   unit=UNITS[rng.integers(0, 3, n)], n_behaviours=len(Q.behaviours))


def cells(v: VoteSet, r: int, qi: int, how: str, lang: str = "id") -> object:
    chosen = [Q.behaviours[p] for p in v.picks[r, qi] if p >= 0]
    if how == "google":
        return ", ".join(b.label[lang] for b in chosen)
    if how == "microsoft":
        return "".join(b.label[lang] + ";" for b in chosen)
    if how == "odk":
        return " ".join(b.id for b in chosen)
    return [b.label[lang] for b in chosen]


def write_csv(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


def assert_same(got: VoteSet, want: VoteSet) -> None:
    np.testing.assert_array_equal(got.picks, want.picks)
    np.testing.assert_array_equal(got.respondent_ids, want.respondent_ids)
    np.testing.assert_array_equal(got.unit, want.unit)
    assert got.flags.names == () and got.n_behaviours == len(Q.behaviours)


# --------------------------------------------------------------------------- round trips


@pytest.mark.parametrize("how, lang", [("google", "id"), ("google", "en"), ("microsoft", "en"), ("odk", "id")])
def test_csv_round_trip(tmp_path, how, lang):
    v = simulate_votes(40, seed=1)
    header = ["Timestamp", "unit"] + [vq.text[lang] if how == "google" else vq.id for vq in Q.vote_questions]
    rows = [["13/10/2023 08:00:00", v.unit[r]] + [cells(v, r, qi, how, lang) for qi in range(3)] for r in range(len(v))]
    got = read_votes(write_csv(tmp_path / "votes.csv", header, rows), Q)
    assert_same(got, v)
    assert got.source.endswith("votes.csv")


def test_json_jsonl_records_and_dataframe_round_trip(tmp_path):
    v = simulate_votes(30, seed=2)
    records = [{"respondent_id": v.respondent_ids[r], "unit": v.unit[r], **{q: cells(v, r, qi, "list") for qi, q in enumerate(QIDS)}}
               for r in range(len(v))]
    (tmp_path / "v.json").write_text(json.dumps(records), encoding="utf-8")
    (tmp_path / "v.jsonl").write_text("\n".join(json.dumps(x) for x in records), encoding="utf-8")
    assert_same(read_votes(tmp_path / "v.json", Q), v)
    assert_same(read_votes(tmp_path / "v.jsonl", Q), v)
    assert_same(read_votes(records, Q), v)
    pd = pytest.importorskip("pandas")
    assert_same(read_votes(pd.DataFrame(records), Q), v)


@pytest.mark.parametrize("sep", ["/", "_", "[]"])
def test_indicator_columns_round_trip(tmp_path, sep):
    v = simulate_votes(25, seed=3)
    header, cols = ["unit"], []
    for qi, vq in enumerate(Q.vote_questions):
        for p, b in enumerate(Q.behaviours):
            header.append(f"{vq.id}[{b.label['en']}]" if sep == "[]" else f"{vq.id}{sep}{b.id}")
            cols.append((qi, p))
    truth = ["TRUE", "FALSE"] if sep == "/" else ["1", "0"]
    rows = [[v.unit[r]] + [truth[0] if p in v.picks[r, qi] else truth[1] for qi, p in cols] for r in range(len(v))]
    got = read_votes(write_csv(tmp_path / "kobo.csv", header, rows), Q)
    assert_same(got, v)
    assert_same(read_votes(write_csv(tmp_path / "kobo2.csv", header, rows), Q, format="indicators"), v)


def long_rows(v: VoteSet, rng: np.random.Generator) -> list[dict[str, object]]:
    """One row per pick, shuffled, so that a respondent's rows are not together."""
    rows = [{"respondent_id": v.respondent_ids[r], "unit": v.unit[r], "question": QIDS[qi],
             "behaviour": Q.behaviours[p].label["en"] if p % 2 else Q.behaviours[p].id}
            for r in range(len(v)) for qi in range(3) for p in v.picks[r, qi] if p >= 0]
    first = {str(x["respondent_id"]): k for k, x in enumerate(rows)}
    order = rng.permutation(len(rows))
    # keep the respondents' first rows first, so they come out in their order
    heads = sorted(first.values())
    return [rows[k] for k in heads] + [rows[k] for k in order if k not in set(heads)]


def test_long_table_round_trip(tmp_path):
    v = simulate_votes(20, seed=4)
    answered = v.n_picks.sum(axis=1) > 0
    v = VoteSet(Q.id, Q.version, v.respondent_ids[answered], v.picks[answered], unit=v.unit[answered],
                n_behaviours=len(Q.behaviours))
    rows = long_rows(v, np.random.default_rng(5))
    assert_same(read_votes(rows, Q), v)
    header = list(rows[0])
    renamed = ["NIP", "unit", "Pertanyaan", "Perilaku"]
    path = write_csv(tmp_path / "long.csv", renamed, [[x[h] for h in header] for x in rows])
    assert_same(read_votes(path, Q, id_column="NIP", question_column="Pertanyaan", behaviour_column="Perilaku",
                           format="long"), v)


def test_long_table_problems():
    ten = [b.id for b in Q.behaviours[:10]]
    rows = ([{"respondent_id": "a", "question": "personal", "behaviour": b} for b in ten]
            + [{"respondent_id": "a", "question": "personal", "behaviour": ten[3]},
               {"respondent_id": "b", "question": "current", "behaviour": "bukan"},
               {"respondent_id": "c", "question": "desired", "behaviour": ten[0]}])
    err = problems_of(rows)
    assert [(p.row, p.respondent, p.item, p.message) for p in err.problems] == [
        (11, "a", "personal", f"behaviour {ten[3]!r} is picked more than once"),
        (12, "b", "current", "'bukan' is not a behaviour of the list (expected labels or behaviour ids)"),
        (13, "c", "desired", "1 behaviours picked; at least 10 are required"),
    ]
    v = read_votes(rows, Q, on_invalid="missing")
    assert v.respondent_ids.tolist() == ["a", "b", "c"] and v.n_picks.tolist() == [[0, 0, 0]] * 3
    assert v.flags["invalid:personal"].tolist() == [True, False, False]
    err = problems_of([{"respondent_id": "a", "unit": "X", "question": "personal", "behaviour": ten[0]},
                       {"respondent_id": "a", "unit": "Y", "question": "nope", "behaviour": ten[1]}])
    assert [p.message for p in err.problems] == [
        "column 'unit' differs between the rows of this respondent (first 'X')",
        "the question (column 'question') is not one of ['personal', 'current', 'desired'] or their texts",
    ]
    assert problems_of([{"question": "personal", "behaviour": ten[0]}]).problems[0].message.startswith(
        "a long table needs a respondent id column")
    assert problems_of([{"personal": ""}], format="long").problems[0].message.startswith(
        "a long table needs a question and a behaviour column")


# --------------------------------------------------------------------------- labels


def culture_map_with(tmp_path: Path, labels: dict[str, dict[str, str]]) -> object:
    doc = json.loads((ROOT / "questionnaires" / "berakhlak-culture-map.json").read_text(encoding="utf-8"))
    for b in doc["behaviours"]:
        if b["id"] in labels:
            b["label"] = labels[b["id"]]
    path = tmp_path / "culture-map-commas.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return load_questionnaire(path)


def test_labels_with_commas_are_split_by_the_known_labels(tmp_path):
    q = culture_map_with(tmp_path, {"jujur": {"id": "jujur, terbuka", "en": "honest, open"},
                                    "cermat": {"id": "cermat; teliti", "en": "careful"}})
    ten = [b.label["id"] for b in q.behaviours[:8]]  # holds "cermat; teliti"
    first = ", ".join(ten + ["jujur, terbuka", "Honest, OPEN"][:1] + [q.behaviours[20].label["en"]])
    v = read_votes([{"personal": first}], q)
    want = sorted([*range(8), [b.id for b in q.behaviours].index("jujur"), 20])
    assert v.picks[0, 0].tolist() == want


def test_an_ambiguous_cell_is_reported(tmp_path):
    q = culture_map_with(tmp_path, {"jujur": {"id": "cermat, disiplin", "en": "honest"}})
    text = "cermat, disiplin, " + ", ".join(b.label["id"] for b in q.behaviours[20:28])
    with pytest.raises(ResponseError) as e:
        read_votes([{"personal": text}], q)
    p = e.value.problems[0]
    assert p.message.startswith("the text splits into known behaviours in more than one way: positions [")
    assert (p.row, p.respondent, p.item) == (1, "1", "personal")


def test_languages_case_and_spacing_mixed():
    bs = Q.behaviours[:10]
    mixed = ", ".join(f"  {b.label['en'].upper()}  " if k % 2 else b.label["id"].title() for k, b in enumerate(bs))
    semis = " ; ".join(b.id.upper() if k < 3 else b.label["en"] for k, b in enumerate(bs))
    v = read_votes([{"Choose the 10 behaviours that best describe you.": mixed,
                     "2.  pilih 10 PERILAKU yang paling menggambarkan cara kerja instansi anda saat ini.": semis}], Q)
    assert v.picks[0, 0].tolist() == list(range(10)) == v.picks[0, 1].tolist()
    assert v.n_picks.tolist() == [[10, 10, 0]]


# --------------------------------------------------------------------------- errors


def problems_of(rows, q=Q, **kw):
    with pytest.raises(ResponseError) as e:
        read_votes(rows, q, **kw)
    return e.value


def test_every_rule_reported_with_where_and_what():
    ten = [b.label["id"] for b in Q.behaviours[:10]]
    rows = [
        {"respondent_id": "a", "personal": ", ".join(ten[:9] + ["bukan perilaku"])},
        {"respondent_id": "b", "personal": ", ".join(ten[:9] + [ten[0]])},
        {"respondent_id": "c", "personal": ", ".join(ten + [Q.behaviours[40].label["id"]])},
        {"respondent_id": "d", "personal": ", ".join(ten[2:4])},
        {"respondent_id": "e", "personal": ""},
        {"respondent_id": "f", "personal": 7},
    ]
    err = problems_of(rows)
    assert str(err).startswith("5 answers cannot be read as votes in 'berakhlak-culture-map' "
                               "(pass on_invalid='missing' to clear them and flag the respondents):")
    got = [(p.row, p.respondent, p.item, p.message) for p in err.problems]
    assert got == [
        (1, "a", "personal", "'bukan perilaku' is not a behaviour of the list (expected labels or behaviour ids)"),
        (2, "b", "personal", f"behaviour {Q.behaviours[0].id!r} is picked more than once"),
        (3, "c", "personal", "11 behaviours picked; at most 10 are allowed"),
        (4, "d", "personal", "2 behaviours picked; at least 10 are required"),
        (6, "f", "personal", "expected labels or behaviour ids as text or a list, got int"),
    ]
    assert err.problems[3].value == "tertib administrasi, cermat" and err.problems[4].value == 7


def test_behaviour_not_offered_in_a_question(tmp_path):
    doc = json.loads((ROOT / "tests/data/schemas/questionnaire-votes.valid.json").read_text(encoding="utf-8"))
    path = tmp_path / "tiny.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    tiny = load_questionnaire(path)
    err = problems_of([{"personal": "jujur, ikhlas", "current": "ikhlas"}], tiny)
    assert [(p.item, p.message) for p in err.problems] == [("current", "behaviour 'ikhlas' is not offered in this question")]
    err = problems_of([{"personal": "1", "current/ikhlas": "1"}], tiny)
    assert "behaviour 'ikhlas' is not offered in this question" in str(err)


def test_indicator_errors(tmp_path):
    header = [f"personal/{b.id}" for b in Q.behaviours[:12]]
    rows = [["1"] * 12, ["1"] * 3 + ["0"] * 9, ["2"] + ["1"] * 9 + ["", ""], [""] * 12]
    err = problems_of(write_csv(tmp_path / "k.csv", header, rows))
    got = [(p.row, p.message, p.value) for p in err.problems]
    assert got == [
        (2, "12 behaviours picked; at most 10 are allowed", " ".join(b.id for b in Q.behaviours[:12])),
        (3, "3 behaviours picked; at least 10 are required", " ".join(b.id for b in Q.behaviours[:3])),
        (4, f"column 'personal/{Q.behaviours[0].id}': expected 1/0, TRUE/FALSE or empty", "2"),
    ]


def test_on_invalid_missing_clears_and_flags():
    ten = [b.label["id"] for b in Q.behaviours[:10]]
    rows = [{"personal": ", ".join(ten), "current": "x"}, {"personal": ", ".join(ten[:2]), "current": ", ".join(ten)}]
    v = read_votes(rows, Q, on_invalid="missing")
    assert v.n_picks.tolist() == [[10, 0, 0], [0, 10, 0]]
    assert v.flags["invalid:current"].tolist() == [True, False]
    assert v.flags["invalid:personal"].tolist() == [False, True]
    assert v.flags["invalid:desired"].tolist() == [False, False]


def test_columns_refused():
    err = problems_of([{"personal": "", "Nomor HP": "08"}])
    assert [p.value for p in err.problems] == ["Nomor HP"]
    assert err.problems[0].message.startswith("unknown column: neither a vote question")
    assert read_votes([{"personal": "", "Nomor HP": "08"}], Q, ignore_columns=["nomor hp"]).n_picks.tolist() == [[0, 0, 0]]
    err = problems_of([{"personal": "", "Choose the 10 behaviours that best describe you.": ""}])
    assert err.problems[0].message == ("columns 'personal' and 'Choose the 10 behaviours that best describe you.' "
                                       "both hold this question")
    err = problems_of([{"personal": "", "current/jujur": "1"}])
    assert err.problems[0].message.startswith("the table mixes one column per question (['personal']) with one column")
    assert problems_of([{"a": 1}], unknown_columns="ignore").problems[0].message.startswith("no column holds a vote question")
    assert problems_of([{"personal": ""}], unit_column="Unit Kerja").problems[0].message.startswith(
        "the unit column 'Unit Kerja' is not in the data")
    with pytest.raises(ResponseError, match="has no vote questions"):
        read_votes([{"x": 1}], "berakhlak")
    with pytest.raises(ValueError, match="format"):
        read_votes([{"personal": ""}], Q, format="wide")


def test_duplicate_ids_refused():
    err = problems_of([{"respondent_id": "7", "personal": ""}, {"respondent_id": "7", "personal": ""}])
    assert err.problems[0].message == "duplicate respondent id, on rows [1, 2]"


# --------------------------------------------------------------------------- columns carried, rows


def test_unit_wave_groups_carried_and_rows_with_a_blank_line(tmp_path):
    ten = ", ".join(b.label["id"] for b in Q.behaviours[:10])
    path = tmp_path / "v.csv"
    path.write_text(
        "NIP,Unit Kerja,gelombang,Jabatan,personal\n"
        f"1,Umum,2023,Staf,\"{ten}\"\n"
        "\n"
        f"2,Keuangan,2024,Kepala,\"{ten}, bukan\"\n",
        encoding="utf-8",
    )
    err = problems_of(path, id_column="NIP", unit_column="Unit Kerja", wave_column="gelombang", group_columns=["Jabatan"])
    assert [(p.row, p.respondent) for p in err.problems] == [(4, "2")]
    v = read_votes(path, Q, id_column="NIP", unit_column="Unit Kerja", wave_column="gelombang",
                   group_columns=["Jabatan"], on_invalid="missing")
    assert v.respondent_ids.tolist() == ["1", "2"] and v.unit.tolist() == ["Umum", "Keuangan"]
    assert v.wave.tolist() == ["2023", "2024"] and v.groups["Jabatan"].tolist() == ["Staf", "Kepala"]
    assert v.skipped_rows == (3,) and v.flags["invalid:personal"].tolist() == [False, True]


# --------------------------------------------------------------------------- bundled example


def test_bundled_google_forms_example_reads_and_is_regenerated_exactly(tmp_path):
    path = ROOT / "questionnaires/examples/berakhlak-culture-map-google-forms.csv"
    v = read_votes(path, "berakhlak-culture-map", unit_column="Unit Kerja")
    assert len(v) == 60 and sorted(set(v.unit.tolist())) == ["Badan Keuangan", "Bagian Umum", "Dinas Kesehatan"]
    assert ((v.n_picks == 10) | (v.n_picks == 0)).all() and (v.n_picks == 10).mean() > 0.9
    before = path.read_bytes()
    subprocess.run([sys.executable, str(ROOT / "questionnaires/examples/generate_votes.py")], check=True)
    assert path.read_bytes() == before
