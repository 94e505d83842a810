"""Respondent ids read columnar (pyarrow, one duplicate check per whole-file read) give exactly
what the general path gives: the same ids, the same ResponseSet, the same errors.

The columnar path (``_coding.plain_ids``) takes an id column only when every distinct id is a
plain text on one row; the across-batch check of a whole-file read is done once at its end
(``_readers._seen.LaterIds``), replaying the batch-by-batch check when an id repeats or a later
batch fails. Hypothesis writes codes exports whose ids are of every kind (numbers, blanks,
repeats within and across batches, unicode, padded, NA tokens, Excel's scientific notation,
quoted commas and quotes) and reads each one both ways, with blocks small enough that a file is
read in many batches.
"""

from __future__ import annotations

import re

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import given
from hypothesis import strategies as st

import akhlak_levels as al
from akhlak_levels import _coding
from akhlak_levels._readers import Column, Table, _csvfast
from akhlak_levels._readers._seen import SeenIds
from reader_tools import hand_over, reading  # tests/ has no __init__: pytest puts this folder on sys.path

ITEMS = ["BP1a", "BP1b", "BP2a"]
ODD_IDS = ["", " ", "NA", "n/a", "-", "None", " A1", "A1 ", "a1", "A1", "1,97107E+17", "1.97107E+17", "9E+5",
           "1e+17", "Ä1", "身份1", "A\u00a01", "x" * 80, "A,1", 'A"1', "007", "7", "7.0", "+7", "A  1", "A 1"]


def _quote(text: str) -> str:
    return '"' + text.replace('"', '""') + '"' if any(c in text for c in ',"\r\n') or text != text.strip() else text


@st.composite
def exports(draw) -> bytes:
    """A codes export whose ids are mostly plain and unique, now and then of another kind."""
    n = draw(st.integers(1, 30))
    odd = draw(st.sampled_from([0.0, 0.0, 0.05, 0.2]))
    lines = [",".join(["respondent_id", "unit", *ITEMS])]
    for r in range(n):
        if draw(st.integers(0, 15)) == 0:
            lines.append("")  # a blank line
            continue
        if draw(st.floats(0, 1)) < odd:
            rid = draw(st.sampled_from(ODD_IDS + [f"R{draw(st.integers(0, max(r, 1)))}"]))  # odd or repeated
        else:
            rid = draw(st.sampled_from([f"R{r}", f"{1000 + r}", f"ASN-{r:05d}"]))
        codes = [draw(st.sampled_from(["1", "2", "3", "4", "5", ""])) for _ in ITEMS]
        if draw(st.integers(0, 20)) == 0:
            codes[0] = "9"  # an unreadable answer, in some batch
        lines.append(",".join(_quote(c) for c in [rid, "Unit A", *codes]))
    return ("\n".join(lines) + "\n").encode()


def _outcome(read) -> tuple:
    try:
        rs = read()
    except al.AkhlakLevelsError as exc:
        return ("error", type(exc).__name__, str(exc), getattr(exc, "problems", ()))
    batches = [(b.respondent_ids.dtype.str, b.respondent_ids.tolist(), b.codes.tolist(), b.unit.tolist(),
                b.skipped_rows, b.flags.as_strings()) for b in ([rs] if isinstance(rs, al.ResponseSet) else rs)]
    return ("read", batches)


def _general(mp: pytest.MonkeyPatch) -> None:
    """The path before: ids as Python objects, checked batch by batch and again when joined."""
    mp.setattr("akhlak_levels._fields.plain_ids", lambda col: None)
    mp.setattr("akhlak_levels.responses._LaterIds", SeenIds)
    mp.setattr("akhlak_levels.responses._proven", lambda build, *a, **k: build(*a, **k))


def _small_blocks(mp: pytest.MonkeyPatch, block: int) -> None:
    """The block reader, in blocks of ``block`` bytes (the whole-file reader, which reads a file in
    one table, handing every file over)."""
    fast = _csvfast.fast_tables
    mp.setattr("akhlak_levels._readers.fast_tables", lambda path, delimiter, **kw: fast(path, delimiter, block_bytes=block, **kw))
    hand_over(mp, "whole_tables")


@given(data=exports(), block=st.sampled_from([16, 64, 256, 1 << 20]), batch=st.one_of(st.none(), st.integers(1, 7)),
       on_invalid=st.sampled_from(["raise", "missing"]))
def test_columnar_ids_give_the_same_responses_and_errors(tmp_path_factory, data, block, batch, on_invalid):
    read = reading(tmp_path_factory, data, batch, on_invalid)
    with pytest.MonkeyPatch.context() as mp:
        _small_blocks(mp, block)
        columnar = _outcome(read)
        _general(mp)
        assert columnar == _outcome(read)


def test_a_repeat_across_batches_names_both_rows_and_comes_before_a_later_fault(tmp_path, monkeypatch):
    """Ids R0..R39 with R3 again on line 30, and an unreadable answer on line 40: a whole-file read
    in many batches names the repeat (rows 5 and 30), as a batch-by-batch check stops there."""
    rows = [f"R{r},Unit A,1,2,3" for r in range(40)]
    rows[28] = "R3,Unit A,1,2,3"
    rows[38] = "R38,Unit A,9,2,3"
    path = tmp_path / "codes.csv"
    path.write_text("respondent_id,unit,BP1a,BP1b,BP2a\n" + "\n".join(rows) + "\n")
    q = al.load_questionnaire("berakhlak")
    _small_blocks(monkeypatch, 64)
    with pytest.raises(al.ResponseError) as err:
        al.read_responses(str(path), q, id_column="respondent_id", unit_column="unit", missing_items="missing")
    (p,) = err.value.problems
    assert (p.respondent, p.row, p.message) == ("R3", 30, "duplicate respondent id, on rows [5, 30]")


@pytest.mark.parametrize("whole", [False, True])
def test_a_typical_export_reads_its_ids_columnar(tmp_path, monkeypatch, whole):
    """The common case takes the columnar path for every batch of the block reader, or once for
    the whole-file reader (one parse, the ids one text per row proved distinct by hashing), and
    never sorts ids batch by batch nor makes a Python string per id."""
    path = tmp_path / "codes.csv"
    path.write_text("respondent_id,unit,BP1a,BP1b,BP2a\n" + "".join(f"ASN{r},Unit A,1,2,3\n" for r in range(500)))
    taken, checked = [], []
    plain = _coding.plain_ids
    monkeypatch.setattr("akhlak_levels._fields.plain_ids", lambda col: taken.append(plain(col) is not None) or plain(col))
    monkeypatch.setattr("akhlak_levels._fields.check_duplicate_ids", lambda *a, **k: checked.append(1) or [])
    monkeypatch.setattr(SeenIds, "add", lambda *a, **k: checked.append(1))
    if not whole:
        _small_blocks(monkeypatch, 512)
    rs = al.read_responses(str(path), "berakhlak", id_column="respondent_id", unit_column="unit", missing_items="missing")
    assert (taken == [True]) if whole else (len(taken) > 5 and all(taken))
    assert not checked
    assert rs.respondent_ids.tolist() == [f"ASN{r}" for r in range(500)] and rs.respondent_ids.dtype == np.dtype("<U6")


@given(texts=st.lists(st.text(st.characters(min_codepoint=32, max_codepoint=126), min_size=1, max_size=12), max_size=40),
       start=st.integers(0, 3))
def test_padded_ascii_is_numpy_s_own_text_array(texts, start):
    arr = pa.array(["pad"] * start + texts, type=pa.string())[start:]
    from akhlak_levels._readers._arrow import padded_ascii

    got = padded_ascii(arr)[0]
    want = np.array(texts, dtype=str) if texts else np.zeros(0, dtype="<U1")
    assert got.dtype == want.dtype and got.tolist() == want.tolist()


def test_plain_ids_refuses_what_the_general_path_must_judge():
    def col(values, index):
        arr = pa.array(values, type=pa.string())
        return Column(np.array(values, dtype=object), np.array(index), arr)

    assert _coding.plain_ids(col(["A1", "B2"], [1, 0]))[0].tolist() == ["B2", "A1"]
    for values, index in [(["A1", "A1 "], [0, 1]), (["A1", "NA"], [0, 1]), (["A1", "1,9E+17"], [0, 1]),
                          (["A1", "B2"], [0, 0]), (["A1", ""], [0, 1]), (["A1", "Ä"], [0, 1]), (["A1", "B2", "C"], [0, 1])]:
        assert _coding.plain_ids(col(values, index)) is None, values


@given(text=st.one_of(st.sampled_from(sorted(_coding.NA_TOKENS) + ["Tidak   DIJAWAB", "N/A", "NaN", "1,9E+17", "7E+5"]),
                      st.text(st.sampled_from("naNA/-tidk jwbE+.,079uol"), min_size=1, max_size=16)))
def test_the_columnar_judgement_of_a_plain_id_is_the_general_one(text):
    """pyarrow's one pass (plain, then not an NA token nor Excel's notation) agrees with the
    general path's judgement of the same text, cell by cell."""
    values = np.array([text], dtype=object)
    plain = re.fullmatch(r"[!-~](?:[ -~]*[!-~])?", text) is not None  # visible ASCII at both ends, printable between
    general = plain and not _coding.is_na(text) and not _coding.excel_id_problems(
        Column(values, np.array([0])), [text], Table(["id"], [values], np.array([2])), "id")
    assert bool(_coding._plain_texts(values)[0]) == (plain and not _coding.is_na(text))
    got = _coding.plain_ids(Column(values, np.array([0]), pa.array([text], type=pa.string())))
    assert (got is not None) == general


@given(ids=st.lists(st.text(min_size=0, max_size=6), min_size=1, max_size=30), pad=st.integers(0, 5))
def test_ids_numpy_holds_equal_hash_equal_whatever_the_width(ids, pad):
    """The across-batch check proves ids distinct by their hashes: equal ids, in arrays of any
    width, must hash equal (a collision of distinct ids only sends it to the exact replay)."""
    from akhlak_levels._readers._seen import id_hashes

    narrow = np.array(ids, dtype=str)
    wide = np.array(ids, dtype=f"<U{narrow.dtype.itemsize // 4 + pad}")
    assert id_hashes(narrow).tolist() == id_hashes(wide).tolist()
    h = dict(zip(narrow.tolist(), id_hashes(narrow).tolist()))
    assert all(h[a] == h[b] for a in h for b in h if a == b)


@pytest.mark.parametrize("row_group_size", [3, 7, 1000])
def test_a_parquet_file_of_several_row_groups_reads_as_its_records(tmp_path, row_group_size):
    """Each text column is unified and converted on its own (the table's buffers freed column by
    column): a file of several row groups, with nulls and labels, reads as its records do."""
    import pyarrow.parquet as pq

    q = al.load_questionnaire("berakhlak")
    rng = np.random.default_rng(5)
    cells = [None, "", "1", "5", "Sering", "NA"]
    records = [{"respondent_id": f"P{r}", "unit": ["Unit A", None, "Unit B"][r % 3],
                **{i: cells[int(rng.integers(len(cells)))] for i in q.item_ids}} for r in range(20)]
    path = tmp_path / "answers.parquet"
    pq.write_table(pa.Table.from_pylist(records), path, row_group_size=row_group_size)
    assert pq.ParquetFile(path).metadata.num_row_groups == -(-20 // row_group_size)
    got = al.read_responses(str(path), q, id_column="respondent_id", unit_column="unit")
    want = al.read_responses(records, q, id_column="respondent_id", unit_column="unit")
    assert got.respondent_ids.tolist() == want.respondent_ids.tolist()
    assert got.codes.tolist() == want.codes.tolist() and got.unit.tolist() == want.unit.tolist()


@given(ints=st.lists(st.integers(-128, 127), max_size=40), bools=st.lists(st.booleans(), max_size=40),
       texts=st.lists(st.text(max_size=5), max_size=20), cut=st.integers(0, 3))
def test_the_arrow_conversions_are_pyarrow_s_own(ints, bools, texts, cut):
    from akhlak_levels._readers import _arrow

    for values, typ in [(ints, pa.int8()), (ints, pa.int32()), (bools, pa.bool_())]:
        arr = pa.array(values, type=typ)[min(cut, len(values)):]
        got = _arrow.to_numpy(arr)
        want = arr.to_numpy(zero_copy_only=False)
        assert got.dtype == want.dtype and got.tolist() == want.tolist()
        chunked = pa.chunked_array([arr, arr], type=typ)
        assert _arrow.to_numpy(chunked).tolist() == chunked.to_numpy().tolist()
    strs = [t for t in texts if not any(0xD800 <= ord(c) <= 0xDFFF for c in t)]
    assert _arrow.strings(strs).equals(pa.array(strs, type=pa.string()))
    assert _arrow.texts(pa.array(strs, type=pa.string())).tolist() == strs


def test_a_first_read_of_a_codes_csv_does_not_import_pandas(tmp_path):
    """pyarrow imports pandas on its first pa.array / to_numpy (0.2-0.3 s): the CSV path avoids both."""
    import subprocess
    import sys

    path = tmp_path / "codes.csv"
    path.write_text("respondent_id,unit,BP1a,BP1b,BP2a\n" + "".join(f"ASN{r},Unit {r % 3},1,2,\n" for r in range(50)))
    code = ("import sys, akhlak_levels as al; rs = al.read_responses(sys.argv[1], 'berakhlak', id_column='respondent_id', "
            "unit_column='unit', missing_items='missing'); assert len(rs) == 50; print('pandas' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_a_repeat_raised_before_a_later_fault_carries_no_other_error(tmp_path, monkeypatch):
    """As a batch-by-batch read raises it: not chained to the later fault it was found because of."""
    rows = [f"R{r},Unit A,1,2,3" for r in range(40)]
    rows[28], rows[38] = "R3,Unit A,1,2,3", "R38,Unit A,9,2,3"
    path = tmp_path / "codes.csv"
    path.write_text("respondent_id,unit,BP1a,BP1b,BP2a\n" + "\n".join(rows) + "\n")
    _small_blocks(monkeypatch, 64)
    with pytest.raises(al.ResponseError) as err:
        al.read_responses(str(path), "berakhlak", id_column="respondent_id", unit_column="unit", missing_items="missing")
    assert "duplicate respondent id" in str(err.value) and err.value.__suppress_context__ and err.value.__cause__ is None


@given(texts=st.lists(st.one_of(st.text(st.sampled_from("naNA/-tidk jwbE+.,079uolASN \u00e9\t"), max_size=14),
                                st.sampled_from(sorted(_coding.NA_TOKENS) + ["1,9E+17", "7e+5", "N/A", " A1", "A1 "])),
                      min_size=1, max_size=30),
       start=st.integers(0, 2))
def test_the_byte_judgement_of_plain_ids_is_the_regex_one(texts, start):
    """``_all_plain_ids`` judges on the bytes (and runs the regex only on texts that could be an
    NA token or Excel's notation): the same verdict as both regexes over every text."""
    arr = pa.array(["pad"] * start + texts, type=pa.string())[start:]
    want = bool(pc.all(pc.match_substring_regex(arr, _coding._PLAIN)).as_py()) and \
        not pc.any(pc.match_substring_regex(arr, _coding._NOT_OWN)).as_py()
    assert _coding._all_plain_ids(arr) == want
