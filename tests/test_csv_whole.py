"""The whole-file CSV reader (one pyarrow parse a section, its checks counted) and the columns it
gives (texts made only when asked for) hold exactly what the plain columns and the exact reader
hold.

The comparisons of whole files with the exact reader, cell by cell and error by error, are in
``test_csv_fast.py`` and ``test_csv_plain.py`` (their hypothesis exports are read whole, in
sections as small as 7 bytes, too). Here: the columns on their own, a file that turns irregular
after its first section, and what sends a file to the block reader.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

import akhlak_levels as al
from akhlak_levels._readers import Column, _csvwhole, source_tables
from akhlak_levels._readers._columns import NumberColumn, PlainTextColumn, blank_rows
from akhlak_levels._readers._csv import read_csv
from akhlak_levels._readers._csvfast import NotFast


def _chunked(values: list, typ: pa.DataType, cuts: list[int]) -> pa.ChunkedArray:
    edges = sorted({0, len(values), *(c % (len(values) + 1) for c in cuts)})
    return pa.chunked_array([pa.array(values[a:b], type=typ) for a, b in zip(edges, edges[1:])], type=typ)


def _text(v: int | None) -> str:
    return "" if v is None else str(v)


@given(values=st.lists(st.one_of(st.none(), st.integers(-128, 127)), max_size=60),
       cuts=st.lists(st.integers(0, 60), max_size=4), rows=st.lists(st.integers(0, 59), max_size=10))
def test_a_number_column_holds_the_texts_of_its_numbers(values, cuts, rows):
    col = NumberColumn(_chunked(values, pa.int8(), cuts))
    want = [_text(v) for v in values]
    assert len(col) == len(values)
    assert [col[r] for r in range(len(col))] == want
    assert col.values[col.index].tolist() == want if values else True
    assert sorted(col.values.tolist()) == sorted(set(want))  # the distinct texts, each once
    assert col.size() == sum(len(t) for t in want)
    assert blank_rows(col).tolist() == [v is None for v in values]
    texts = col.keyed_texts()
    assert {col.text(int(k)) for k in col.keys} <= set(texts.values())
    assert [texts[int(k)] for k in col.keys] == want
    out = np.full(len(values), 99, dtype=np.int8)
    col.shifted(-1, -1, out)
    assert out.tolist() == [-1 if v is None else (v - 1 + 128) % 256 - 128 for v in values]
    picked = [r for r in rows if r < len(values)]
    part = col.at(np.array(picked, dtype=np.int64))
    assert [part[r] for r in range(len(part))] == [want[r] for r in picked]
    assert [c for c in col.at(slice(1, 4)).values[col.at(slice(1, 4)).index].tolist()] == want[1:4]


@given(values=st.lists(st.sampled_from(["A1", "B2", "", " ", "\u00a0", "C 3", "é", "A1"]), max_size=40),
       cuts=st.lists(st.integers(0, 40), max_size=3))
def test_a_plain_text_column_holds_its_texts(values, cuts):
    col = PlainTextColumn(_chunked(values, pa.string(), cuts))
    assert len(col) == len(values) and [col[r] for r in range(len(col))] == values
    assert col.values[col.index].tolist() == values
    assert col.arrow.to_pylist() == col.values.tolist()
    assert blank_rows(col).tolist() == [not v.strip() for v in values]
    assert [col.at(slice(2, 5))[r] for r in range(len(values[2:5]))] == values[2:5]


def _codes(n: int, bad_at: int | None = None, *, quote: bool = False) -> str:
    q = '"' if quote else ""
    lines = ["respondent_id,unit,BP1a,BP1b,BP2a"]
    for r in range(n):
        unit = 'Unit "A"' if r == bad_at else "Unit A"
        lines.append(f"R{r},{q}{unit}{q},{1 + r % 5},{1 + r % 3},")
    return "\n".join(lines) + "\n"


def test_a_file_that_turns_irregular_after_its_first_section_is_finished_by_the_exact_reader(tmp_path, monkeypatch):
    """Sections of 2 KiB: the first ones are read whole and given; a later one holds a quote
    inside an unquoted cell (legal for the strict reader, outside the shared rule), and the exact
    reader gives the records not given yet, rows intact."""
    path = tmp_path / "codes.csv"
    path.write_text(_codes(600, bad_at=450))
    monkeypatch.setattr(_csvwhole, "SECTION_BYTES", 2048)
    whole = _csvwhole.whole_tables(str(path), None)
    first = next(whole)
    assert 0 < first.n < 450 and first.rows[0] == 2
    with pytest.raises(NotFast, match="quote rule"):
        list(whole)
    got = list(source_tables(str(path)))
    assert len(got) > 1
    exact = read_csv(str(path), None)
    assert np.concatenate([t.rows for t in got]).tolist() == exact.rows.tolist()
    cells = [[t.data[j][r] for t in got for r in range(t.n)] for j in range(5)]
    assert cells == [[exact.data[j][r] for r in range(exact.n)] for j in range(5)]
    rs = al.read_responses(str(path), "berakhlak", missing_items="missing")
    assert rs.unit[450] == 'Unit "A"' and rs.respondent_ids[599] == "R599"


def test_a_later_section_with_a_quoted_line_break_is_read_on_by_the_block_reader(tmp_path, monkeypatch):
    """A quoted line break (a comment typed over two lines) after the first section: the block
    reader reads on from that section's first record, the exact reader is never called (it would
    hold the whole file as Python objects), and the rows are the exact reader's."""
    text = _codes(600).replace("R450,Unit A,", 'R450,"Unit A\nTimur",')
    path = tmp_path / "codes.csv"
    path.write_text(text)
    exact = _outcome(str(path), al.load_questionnaire("berakhlak"))
    monkeypatch.setattr(_csvwhole, "SECTION_BYTES", 2048)
    whole = _csvwhole.whole_tables(str(path), None)
    assert next(whole).n > 0
    with pytest.raises(NotFast, match="line break") as err:
        list(whole)
    assert err.value.resume is not None and err.value.resume.line > 2

    def no_exact(*a, **k):
        raise AssertionError("the exact reader was called")

    monkeypatch.setattr("akhlak_levels._readers.read_csv", no_exact)
    got = _outcome(str(path), al.load_questionnaire("berakhlak"))
    assert got == exact and got[3][450] == "Unit A\nTimur"


@pytest.mark.parametrize("text, why", [
    ("id,BP1a\n1,2\n\n3,4\n", None),  # an empty line: a record of empty cells, skipped (line 3)
    ("id,BP1a\n1,2\n \n3,4\n", "pyarrow"),  # white space alone: a record of one cell
    ('id,BP1a\n"1\n2",3\n', "line break"),
    ('id,BP1a\n"a"b,3\n', "quote rule"),
    ("BP1a\n1\n2\n", "one column"),
    ("id,BP1a\r1,2\r", "no line break"),
])
def test_what_the_whole_file_reader_hands_to_the_block_reader(tmp_path, text, why):
    path = tmp_path / "f.csv"
    path.write_bytes(text.encode())
    if why is None:
        (t,) = _csvwhole.whole_tables(str(path), None)
        assert t.rows.tolist() == [2, 4] and t.skipped_rows == [3]
        return
    with pytest.raises(NotFast, match=why):
        list(_csvwhole.whole_tables(str(path), None))


def _outcome(path: str, q: al.Questionnaire) -> tuple:
    try:
        rs = al.read_responses(path, q, missing_items="missing")
    except al.ResponseError as exc:
        return ("error", str(exc), [(p.row, p.respondent, p.item, p.value) for p in exc.problems])
    return ("read", rs.respondent_ids.tolist(), rs.codes.tolist(), rs.unit.tolist())


def test_the_answers_coded_beside_the_ids_give_the_same_responses_and_errors(tmp_path, monkeypatch):
    """From 50,000 rows the answers are coded in a thread while the ids are read: the same
    ResponseSet, the ids' fault raised before the answers' (as the steps go), the answers' naming
    row, respondent, item and value."""
    q = al.load_questionnaire("berakhlak")
    bad_answer = _codes(300).replace("R7,Unit A,3,2,", "R7,Unit A,9,2,")
    files = {"good": _codes(300), "bad answer": bad_answer, "both": bad_answer.replace("R9,", "R3,")}
    for name, text in files.items():
        path = tmp_path / f"{name}.csv"
        path.write_text(text)
        serial = _outcome(str(path), q)
        monkeypatch.setattr("akhlak_levels._fields._BESIDE_ROWS", 1)
        beside = _outcome(str(path), q)
        monkeypatch.setattr("akhlak_levels._fields._BESIDE_ROWS", 50_000)
        assert beside == serial, name
    assert _outcome(str(tmp_path / "bad answer.csv"), q)[2] == [(9, "R7", "BP1a", "9")]
    both = _outcome(str(tmp_path / "both.csv"), q)
    assert "respondent ids" in both[1] and all(p[2] is None for p in both[2])


def test_a_column_is_a_column(tmp_path):
    """The lazy columns are :class:`Column` objects: every consumer of a table takes them."""
    path = tmp_path / "codes.csv"
    path.write_text(_codes(10))
    (t,) = _csvwhole.whole_tables(str(path), None)
    assert all(isinstance(c, Column) for c in t.data)
    assert {type(c).__name__ for c in t.data} >= {"NumberColumn", "PlainTextColumn"}


def test_batches_around_a_blank_line_are_the_block_reader_s(tmp_path, monkeypatch):
    """Batch by batch, a section holding blank rows is read by the block reader, which gives a
    blank line to the batch after it (the case hypothesis found: R0, a blank line, R2, R3 in
    batches of one); without blank rows the whole-file reader's batches are the same too."""
    from reader_tools import hand_over  # tests/ has no __init__: pytest puts this folder on sys.path

    q = al.load_questionnaire("berakhlak")
    for text in ["respondent_id,unit,BP1a,BP1b,BP2a\nR0,Unit A,1,1,1\n\nR2,Unit A,1,1,1\nR3,Unit A,1,1,1",
                 "respondent_id,unit,BP1a,BP1b,BP2a\nR0,Unit A,1,1,1\nR2,Unit A,1,1,1\nR3,Unit A,1,1,1\n"]:
        path = tmp_path / "codes.csv"
        path.write_text(text)

        def batches() -> list:
            return [(b.respondent_ids.tolist(), b.skipped_rows)
                    for b in al.iter_responses(str(path), q, batch_size=1, missing_items="missing")]

        got = batches()
        with pytest.MonkeyPatch.context() as mp:
            hand_over(mp, "whole_tables")
            assert got == batches()
    assert got == [(["R0"], ()), (["R2"], ()), (["R3"], ())]
