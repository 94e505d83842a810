"""Forgiving, never silently wrong, input (issue 13, item 4) in the Python API: headers matched
loosely with a "did you mean" on a miss and an error when ambiguous, a label map stated once,
the order of day and month given or told by the dates (never guessed), and ids mangled by Excel."""

from __future__ import annotations

import copy
import csv
import json
import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, strategies as st
from numpy.testing import assert_array_equal

from akhlak_levels import iter_responses, load_questionnaire, read_responses
from akhlak_levels._coding import header_map, item_match
from akhlak_levels._readers import load_label_map, loose
from akhlak_levels.errors import ResponseError, SchemaError

BUNDLED = ("berakhlak", "socio-emotional-levels")


def _csv(path: Path, rows) -> str:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, lineterminator="\r\n").writerows(rows)
    return str(path)


def _raises(*args, **kwargs) -> ResponseError:
    with pytest.raises(ResponseError) as info:
        read_responses(*args, **kwargs)
    return info.value


def _codes(q, n=3):
    """A fixed answer matrix (codes 1..k) for ``n`` respondents."""
    return [[1 + (r * 7 + j) % it.n_options for j, it in enumerate(q.items)] for r in range(n)]


# =========================================================================== headers

_TRAILING = re.compile(r"[\W_]+$")


CASES = (str.upper, str.lower, str.title, str.swapcase, str.strip)
GAPS = (" ", "  ", "\t", " \u00a0")
ENDS = ("keep", "drop", ".", "?", " .", "!", " :", "...")
PADS = ("", " ", "  ")


def _variant(text: str, case: int, gap: int, end: int, pad: int) -> str:
    """``text`` with its case changed, its spaces widened and its trailing punctuation dropped,
    changed or added: what a person typing the question into a form builder writes."""
    words = CASES[case](text).split(" ")
    out = words[0] + "".join(GAPS[(gap + k) % len(GAPS)] + w for k, w in enumerate(words[1:]))
    if ENDS[end] != "keep":
        out = _TRAILING.sub("", out) + ("" if ENDS[end] == "drop" else ENDS[end])
    return PADS[pad] + out + PADS[pad]


_EXACT: dict = {}


@pytest.mark.parametrize("qid", BUNDLED)
@given(lang=st.sampled_from(("id", "en")),
       how=st.lists(st.tuples(st.integers(0, len(CASES) - 1), st.integers(0, len(GAPS) - 1),
                              st.integers(0, len(ENDS) - 1), st.integers(0, len(PADS) - 1)), min_size=1, max_size=8))
def test_any_case_space_or_trailing_punctuation_variant_of_every_question_reads_as_the_exact_header(qid, lang, how):
    q = load_questionnaire(qid)
    codes = _codes(q)
    if (qid, lang) not in _EXACT:
        exact = [{"respondent_id": f"R{r}", **{it.text[lang]: c for it, c in zip(q.items, row)}} for r, row in enumerate(codes)]
        _EXACT[qid, lang] = read_responses(exact, q)
    headers = [_variant(it.text[lang], *how[j % len(how)]) for j, it in enumerate(q.items)]  # every item varied
    varied = [{"respondent_id": f"R{r}", **dict(zip(headers, row))} for r, row in enumerate(codes)]

    want, got = _EXACT[qid, lang], read_responses(varied, q)

    assert_array_equal(got.codes, want.codes)
    assert_array_equal(got.respondent_ids, want.respondent_ids)
    assert got.ignored_columns == want.ignored_columns == ()


def test_a_question_typed_without_its_full_stop_matches_in_a_csv(tmp_path, berakhlak):
    headers = ["respondent_id", *(it.text["id"].rstrip(".") for it in berakhlak.items)]
    path = _csv(tmp_path / "tanpa-titik.csv", [headers, ["A1", *["Sering"] * berakhlak.n_items]])

    rs = read_responses(path, berakhlak)

    assert_array_equal(rs.codes, np.full((1, berakhlak.n_items), 3))


def test_an_unknown_column_suggests_the_closest_unmatched_item(tmp_path, berakhlak):
    texts = [it.text["id"] for it in berakhlak.items]
    typo = texts[2].replace("Saya", "Sya", 1)  # BP2a, mistyped
    headers = ["respondent_id", *texts[:2], typo, *texts[3:]]
    path = _csv(tmp_path / "salah-ketik.csv", [headers, ["A1", *["1"] * berakhlak.n_items]])

    exc = _raises(path, berakhlak)

    p, absent = exc.problems
    assert (p.file, p.row, p.respondent, p.item, p.value) == (path, None, None, None, f"{typo[:60]}... ({len(typo)} characters)")
    assert absent.message.startswith("1 of 42 items have no column: ['BP2a']")
    assert p.message == (
        "unknown column: neither an item id, an item's text, nor a named id/unit/wave/date/group column "
        "(pass ignore_columns=[...] or unknown_columns='ignore' to set it aside); "
        f"did you mean 'BP2a: {texts[2][:67].rstrip()} ...'?"
    )


def test_the_suggestion_is_only_among_the_items_not_matched_and_absent_when_nothing_is_close(berakhlak):
    rows = [{"respondent_id": "A1", **{it.id: 1 for it in berakhlak.items}, "BP1b ": 1}]  # BP1b twice (trimmed)
    with pytest.raises(ResponseError):
        read_responses(rows, berakhlak)
    rows = [{"respondent_id": "A1", **{it.id: 1 for it in berakhlak.items}, "Kolom lain sama sekali": 1}]
    exc = _raises(rows, berakhlak)
    assert [p.message.endswith("to set it aside)") for p in exc.problems] == [True]  # every item matched: no guess


def _twins(tmp_path: Path, berakhlak):
    """berakhlak with BP1b's text equal to BP1a's but for the final mark ('?' for '.')."""
    doc = copy.deepcopy(berakhlak.document)
    doc["id"] = "kembar"
    first = doc["items"][0]["text"]["id"]
    doc["items"][1]["text"]["id"] = first[:-1] + "?"
    path = tmp_path / "kembar.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return load_questionnaire(str(path)), first


def test_a_header_equal_to_two_items_once_normalised_is_an_error_not_a_guess(tmp_path, berakhlak):
    q, first = _twins(tmp_path, berakhlak)
    rows = [{**{it.id: 1 for it in q.items[1:]}, first[:-1]: 1}]  # without either mark: both items

    exc = _raises(rows, q)

    assert [(p.message, p.value) for p in exc.problems][0] == (
        "the header matches 2 items equally once case, spacing and trailing punctuation are ignored (BP1a, BP1b); "
        "head the column with the item id, or map it in a label map's columns", first[:-1])
    assert exc.problems[1].message.startswith("1 of 42 items have no column: ['BP1a']")
    exact = read_responses([{**{it.id: 1 for it in q.items[1:]}, first: 2}], q)  # the exact text is not ambiguous
    assert exact.codes[0, 0] == 1


def test_header_keys_fold_spaces_before_marks_and_trailing_marks():
    assert loose("  Saya  bekerja , dan SELESAI ?! ") == "saya bekerja, dan selesai"
    hmap = header_map([(0, "Apa kabar?"), (1, "Apa kabar!"), (2, "Lain.")], [(0, "Q1"), (1, "Q2"), (2, "Q3")])
    assert [item_match(h, hmap) for h in ("apa kabar?", "APA KABAR", "lain", "12. Lain", "Judul [lain]", "q2.")] == [
        0, (0, 1), 2, 2, 2, 1]


# =========================================================================== label map

OTHER_SCALE = ["Sangat Tidak Setuju", "Tidak Setuju", "Ragu-ragu", "Setuju", "Sangat Setuju"]
MAP = {"labels": {lab: k for k, lab in enumerate(OTHER_SCALE, 1)}}


def _other_labels(tmp_path, q, codes, name="lain.csv"):
    rows = [["respondent_id", *q.item_ids]]
    rows += [[f"R{r}", *(OTHER_SCALE[c - 1] for c in row)] for r, row in enumerate(codes)]
    return _csv(tmp_path / name, rows)


def test_an_export_with_another_label_set_reads_through_a_label_map_file(tmp_path, berakhlak):
    codes = _codes(berakhlak, 4)
    path = _other_labels(tmp_path, berakhlak, codes)
    map_path = tmp_path / "map.json"
    map_path.write_text(json.dumps(MAP), encoding="utf-8")

    rs = read_responses(path, berakhlak, label_map=str(map_path))
    batches = list(iter_responses(path, berakhlak, batch_size=3, label_map=MAP))

    assert_array_equal(rs.codes, np.array(codes) - 1)
    assert_array_equal(np.concatenate([b.codes for b in batches]), rs.codes)


def test_without_the_map_the_labels_are_refused_and_an_unmapped_label_still_is(tmp_path, berakhlak):
    codes = _codes(berakhlak, 2)
    path = _other_labels(tmp_path, berakhlak, codes)
    assert _raises(path, berakhlak).total == 2 * berakhlak.n_items
    partial = {"labels": {k: v for k, v in MAP["labels"].items() if k != "Ragu-ragu"}}

    exc = _raises(path, berakhlak, label_map=partial)

    where = [(p.file, p.row, p.respondent, p.item, p.value) for p in exc.problems]
    want = [(path, r + 2, f"R{r}", it.id, "Ragu-ragu") for j, it in enumerate(berakhlak.items)
            for r, row in enumerate(codes) if row[j] == 3]
    assert where == want
    assert exc.problems[0].message == ("expected a code 1-5 or a label (Tidak pernah / Jarang / Kadang-kadang / "
                                       "Sering / Selalu, or in another language)")


def test_per_item_labels_take_precedence_and_targets_may_be_labels_or_null(berakhlak):
    lm = {"labels": {"Setuju": "Sering", "Tidak tahu": None, "1": 5},
          "items": {"BP1b": {"Setuju": 2}}}
    rows = [{"respondent_id": "A", **{i: "setuju " for i in berakhlak.item_ids}},
            {"respondent_id": "B", **{i: "Tidak  tahu" for i in berakhlak.item_ids}},
            {"respondent_id": "C", **{i: 1 for i in berakhlak.item_ids}},  # a number the map names: mapped
            {"respondent_id": "D", **{i: "2" for i in berakhlak.item_ids}}]  # a code the map does not name

    rs = read_responses(rows, berakhlak, label_map=lm)

    assert rs.codes[0, :3].tolist() == [3, 1, 3]
    assert (rs.codes[1] == -1).all() and (rs.codes[2] == 4).all() and (rs.codes[3] == 1).all()


def test_a_label_map_maps_headers_to_items_and_sets_columns_aside(berakhlak):
    rows = [{"Nomor": "A", "Nama lengkap": "Budi", **{f"P{j + 1}.": 2 for j in range(berakhlak.n_items)}}]
    lm = {"columns": {"nomor": None, "Nama Lengkap": None, **{f"P{j + 1}": i for j, i in enumerate(berakhlak.item_ids)}}}

    rs = read_responses(rows, berakhlak, label_map=lm)

    assert (rs.codes == 1).all() and rs.ignored_columns == ("Nomor", "Nama lengkap")


def test_a_label_map_that_breaks_its_schema_is_refused_with_json_paths(tmp_path):
    path = tmp_path / "rusak.json"
    path.write_text(json.dumps({"labels": {"Setuju": 0, "Ya": True}, "columns": {"P1": 3}, "kolom": {}}), encoding="utf-8")

    with pytest.raises(SchemaError) as info:
        load_label_map(str(path))

    assert [(p.path, p.message) for p in info.value.problems] == [
        ("$", "Additional properties are not allowed ('kolom' was unexpected)"),
        ("$.columns.P1", "3 is not of type 'string', 'null'"),
        ("$.labels.Setuju", "expected an option code (a whole number from 1), one of the item's option labels, "
                            "or null (unanswered)"),
        ("$.labels.Ya", "expected an option code (a whole number from 1), one of the item's option labels, "
                        "or null (unanswered)"),
    ]
    assert {p.file for p in info.value.problems} == {str(path)}


def test_a_label_given_twice_once_normalised_and_targets_an_item_lacks_are_refused(berakhlak):
    with pytest.raises(SchemaError) as info:
        load_label_map({"labels": {"Setuju": 4, " SETUJU": 5}})
    assert [(p.path, p.message) for p in info.value.problems] == [
        ('$.labels[" SETUJU"]', "the same as $.labels.Setuju once case and spacing are ignored, but mapped to 5, not 4")]

    rows = [{i: "Setuju" for i in berakhlak.item_ids}]
    exc = _raises(rows, berakhlak, label_map={"labels": {"Setuju": 6}, "items": {"BP1a": {"Ya": "Mungkin"}, "XX9": {"a": 1}}})
    assert [(p.item, p.path, p.message) for p in exc.problems][:2] == [
        ("BP1a", "$.labels.Setuju", "option 6 is not an option of this item (1-5)"),
        ("BP1a", "$.items.BP1a.Ya", "'Mungkin' is not an option of this item (Tidak pernah / Jarang / Kadang-kadang / "
                                    "Sering / Selalu)"),
    ]
    assert exc.problems[-1].path == "$.items.XX9" and exc.problems[-1].message == (
        "the label map names item 'XX9', which 'berakhlak' does not have")


# =========================================================================== dates


def _dated(tmp_path, berakhlak, dates, name="tanggal.csv"):
    rows = [["respondent_id", "date", *berakhlak.item_ids]]
    rows += [[f"R{r}", d, *["2"] * berakhlak.n_items] for r, d in enumerate(dates)]
    return _csv(tmp_path / name, rows)


def test_ambiguous_dates_are_refused_naming_the_option_and_read_as_told(tmp_path, berakhlak):
    path = _dated(tmp_path, berakhlak, ["10/03/2024", "", "01/02/2024 08:15", "05/05/2024"])

    exc = _raises(path, berakhlak)

    assert [(p.file, p.row, p.respondent, p.value) for p in exc.problems] == [(path, 2, "R0", "10/03/2024")]
    assert exc.problems[0].message == (
        "column 'date': the order of day and month cannot be told: every date could be read day first or month "
        "first (no day above 12; 2 such dates); pass dayfirst=True (13/10/2023) or dayfirst=False (10/13/2023); "
        "on the command line --dayfirst or --monthfirst")
    day = read_responses(path, berakhlak, dayfirst=True).date
    month = read_responses(path, berakhlak, dayfirst=False).date
    assert day.astype(str).tolist() == ["2024-03-10", "NaT", "2024-02-01", "2024-05-05"]
    assert month.astype(str).tolist() == ["2024-10-03", "NaT", "2024-01-02", "2024-05-05"]


def test_a_column_with_a_day_above_12_tells_its_order(tmp_path, berakhlak):
    us = read_responses(_dated(tmp_path, berakhlak, ["10/13/2023", "02/01/2024"], "us.csv"), berakhlak).date
    idn = read_responses(_dated(tmp_path, berakhlak, ["13.10.2023", "02.01.2024", "2024-01-03"], "id.csv"), berakhlak).date
    assert us.astype(str).tolist() == ["2023-10-13", "2024-02-01"]
    assert idn.astype(str).tolist() == ["2023-10-13", "2024-01-02", "2024-01-03"]


def test_dates_in_both_orders_are_refused_and_the_given_order_reports_the_others(tmp_path, berakhlak):
    path = _dated(tmp_path, berakhlak, ["13/10/2023", "10/14/2023"])

    exc = _raises(path, berakhlak)
    given_order = _raises(path, berakhlak, dayfirst=True)

    assert [(p.row, p.respondent, p.value) for p in exc.problems] == [(3, "R1", "10/14/2023")]
    assert exc.problems[0].message.startswith("column 'date': some dates are day first ('13/10/2023', row 2) and others month first")
    assert [(p.row, p.respondent, p.value, p.message) for p in given_order.problems] == [
        (3, "R1", "10/14/2023", "column 'date': expected a date like 2023-10-13 or 13/10/2023")]


def test_the_order_found_in_the_first_batch_holds_for_the_next(tmp_path, berakhlak):
    path = _dated(tmp_path, berakhlak, ["13/10/2023", "01/02/2024", "03/04/2024"])
    got = np.concatenate([b.date for b in iter_responses(path, berakhlak, batch_size=1)])
    assert got.astype(str).tolist() == ["2023-10-13", "2024-02-01", "2024-04-03"]


def test_dayfirst_must_be_true_false_or_none(berakhlak):
    with pytest.raises(ValueError, match="dayfirst"):
        read_responses([{i: 1 for i in berakhlak.item_ids}], berakhlak, dayfirst="yes")


# =========================================================================== ids changed by Excel


@pytest.mark.parametrize("ids", [["1,97107E+17", "1,97107E+17", "1,98502E+17"], ["1.97107E+17", "1.98502E+17"]])
def test_ids_excel_wrote_in_scientific_notation_get_the_hint(tmp_path, berakhlak, ids):
    rows = [["NIP", *berakhlak.item_ids]] + [[i, *["1"] * berakhlak.n_items] for i in ids]
    path = _csv(tmp_path / "nip.csv", rows)

    exc = _raises(path, berakhlak, id_column="NIP")

    hint, *duplicates = exc.problems
    assert (hint.file, hint.row, hint.value) == (path, 2, ids[0])
    assert hint.message.startswith(f"the respondent ids (column 'NIP') look like numbers Excel wrote in scientific "
                                   f"notation ({len(ids)} of {len(ids)} rows): Excel turned these ids into numbers")
    assert "format the id column as Text" in hint.message
    assert [(p.row, p.respondent) for p in duplicates] == ([(3, "1,97107E+17")] if len(ids) == 3 else [])


def test_real_long_ids_as_text_are_read_as_they_are(berakhlak):
    rows = [{"respondent_id": "197107252000031001", **{i: 1 for i in berakhlak.item_ids}},
            {"respondent_id": "1E+5 lantai", **{i: 1 for i in berakhlak.item_ids}}]
    assert read_responses(rows, berakhlak).respondent_ids.tolist() == ["197107252000031001", "1E+5 lantai"]


def test_vote_question_headers_match_loosely_too():
    from akhlak_levels import read_votes

    cm = load_questionnaire("berakhlak-culture-map")
    ten = [b.label["id"] for b in cm.behaviours[:10]]
    head = {vq.id: "  " + _TRAILING.sub("", vq.text["id"]).upper() + " ?" for vq in cm.vote_questions}
    rows = [{head["personal"]: ", ".join(ten), head["current"]: "", head["desired"]: ""}]

    assert read_votes(rows, cm).n_picks.tolist() == [[10, 0, 0]]


@given(names=st.lists(st.text(alphabet="abcdefghijklmnopqrstuvwxyz -", min_size=3, max_size=12).map(str.strip)
                      .filter(lambda s: len(s) >= 3 and "  " not in s), min_size=5, max_size=5, unique_by=loose),
       order=st.permutations(range(5)), upper=st.booleans())
def test_any_label_set_mapped_once_reads_as_the_instrument_labels(berakhlak, names, order, upper):
    """Fresh labels for the five points in any order, written in any case: through the map the
    codes are those the labels stand for (the map wins, even over the instrument's own labels,
    aliases and NA tokens such as "none")."""
    codes = np.array(_codes(berakhlak, 5))
    fresh = [names[order[c - 1]] for c in range(1, 6)]  # the fresh label of code c
    rows = [{"respondent_id": f"R{r}", **{i: (fresh[c - 1].upper() if upper else fresh[c - 1]) for i, c in
                                          zip(berakhlak.item_ids, row)}} for r, row in enumerate(codes)]

    rs = read_responses(rows, berakhlak, label_map={"labels": {lab: c for c, lab in enumerate(fresh, 1)}})

    assert_array_equal(rs.codes, codes - 1)
