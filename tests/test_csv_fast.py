"""The fast CSV reader against the exact one: same header, cells, rows and skipped rows, or it
hands the file over.

The exact reader (Python's strict ``csv``) defines what a file holds. The fast reader (numpy on
the bytes, pyarrow for the cells, block by block) either gives exactly the exact reader's table
or raises ``NotFast``, after which :func:`source_tables` lets the exact reader finish, also in
the middle of a file. Hypothesis writes texts from an alphabet of the characters that decide CSV
structure (quotes, delimiters, every kind of line break, white space Python and Unicode disagree
on, bytes that are not UTF-8, NUL), and reads them with blocks as small as 5 bytes so that every
cut between blocks (inside a quoted cell, between ``\\r`` and ``\\n``) is met.
"""

from __future__ import annotations

import codecs

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import akhlak_levels as al
from akhlak_levels._readers import Column, source_tables
from akhlak_levels._readers._csv import read_csv
from akhlak_levels._readers._csvfast import NotFast, fast_tables
from akhlak_levels._readers import _csvwhole

PIECES = ["a", "b", "7", " ", ",", ",", ";", '"', '"', '""', "\n", "\n", "\r\n", "\r", "\t", "é", "\x1c", "\xa0",
          "NA", "Setuju", "\u2028"]
BYTES = [b"\xff", b"\xed\xa0\x80", b"\x00", codecs.BOM_UTF8]


def _cells(t) -> list[list[object]]:
    """The cells of a table, row by row, as Python objects."""
    cols = [[c[r] for r in range(t.n)] if isinstance(c, Column) else c.tolist() for c in t.data]
    return [list(r) for r in zip(*cols)] if cols else []


def _joined(tables) -> tuple[list[str], list[list[object]], list[int], list[int]]:
    header = tables[0].columns
    cells, rows, skipped = [], [], []
    for t in tables:
        assert t.columns == header
        cells += _cells(t)
        rows += [int(r) for r in t.rows]
        skipped += [int(r) for r in t.skipped_rows]
    return header, cells, rows, skipped


def _exact(path: str, delimiter: str | None):
    try:
        return _joined([read_csv(path, delimiter)])
    except al.AkhlakLevelsError as exc:
        return exc


def _write(tmp_path, data: bytes, name: str = "f.csv") -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


PLAIN = st.text(st.sampled_from(["a", "b", "7", " ", "é", "\x1c", "\xa0", "\u2028", "\t", "\ufeff", "N", "A"]), max_size=4)
QUOTED = st.lists(st.sampled_from(["a", ",", ";", '"', "\n", "\r\n", "\r", " ", "é"]), max_size=5).map(
    lambda t: '"' + "".join(t).replace('"', '""') + '"')


@st.composite
def texts(draw) -> bytes:
    """Mostly well-formed files (3 cells a row, some quoted, any line break, blank rows), one in
    three then broken by a piece inserted anywhere."""
    d = draw(st.sampled_from([",", ";"]))
    lines = []
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(["row", "row", "row", "blank", "empty cells", "short", "long"]))
        width = {"short": 2, "long": 4}.get(kind, 3)
        cells = [draw(st.one_of(PLAIN, QUOTED)) for _ in range(width)]
        lines.append("" if kind == "blank" else d * 2 if kind == "empty cells" else d.join(cells))
    breaks = [draw(st.sampled_from(["\n", "\r\n", "\r"])) for _ in lines]
    text = ("id" + d + "x" + d + "y" + breaks[0] + "".join(l + b for l, b in zip(lines, breaks))).encode()
    if not draw(st.booleans()):
        text = text.rstrip(b"\r\n")
    if draw(st.integers(0, 2)) == 0:
        at = draw(st.integers(0, len(text)))
        piece = draw(st.one_of(st.sampled_from(PIECES).map(str.encode), st.sampled_from(BYTES)))
        text = text[:at] + piece + text[at:]
    return text


@settings(max_examples=4 * settings.default.max_examples)
@given(data=texts(), block=st.integers(5, 64), batch=st.one_of(st.none(), st.integers(1, 4)),
       delimiter=st.sampled_from([None, ",", ";"]))
def test_the_fast_reader_gives_the_exact_table_or_hands_over(tmp_path_factory, data, block, batch, delimiter):
    path = _write(tmp_path_factory.mktemp("f"), data)
    exact = _exact(path, delimiter)
    try:
        fast = _joined(list(fast_tables(path, delimiter, batch_rows=batch, block_bytes=block)))
    except NotFast:
        fast = None
    if fast is not None:
        assert not isinstance(exact, Exception), f"fast read a file the exact reader refuses: {exact}"
        assert fast == exact
    old, _csvwhole.SECTION_BYTES = _csvwhole.SECTION_BYTES, block
    try:
        whole = _joined(list(_csvwhole.whole_tables(path, delimiter)))
    except NotFast:
        whole = None
    finally:
        _csvwhole.SECTION_BYTES = old
    if whole is not None:
        assert not isinstance(exact, Exception), f"the whole-file reader read a file the exact reader refuses: {exact}"
        assert whole == exact
    # read whole in sections of ``block`` bytes: a section the whole-file reader hands over is read
    # on by the block reader (then the exact reader), from where it stopped
    old, _csvwhole.SECTION_BYTES = _csvwhole.SECTION_BYTES, block
    try:
        in_sections = _joined(list(source_tables(path, delimiter=delimiter)))
    except al.AkhlakLevelsError as exc:
        assert isinstance(exact, Exception) and str(exc) == str(exact)
    else:
        assert in_sections == exact
    finally:
        _csvwhole.SECTION_BYTES = old
    # whatever the fast reader did, the tables given to the library are the exact ones (the
    # whole-file reader's sections of ``block`` bytes, cut into batches, among them)
    old_batch, _csvwhole.BATCH_SECTION_BYTES = _csvwhole.BATCH_SECTION_BYTES, block
    try:
        given = list(source_tables(path, delimiter=delimiter, batch_rows=batch))
    except al.AkhlakLevelsError as exc:
        assert isinstance(exact, Exception) and str(exc) == str(exact)
    else:
        assert _joined(given) == exact
        done = [t.done for t in given]
        assert all(d is not None for d in done) and done == sorted(done) and done[-1] == 1.0
        if batch is not None:
            assert all(t.n <= batch for t in given)
    finally:
        _csvwhole.BATCH_SECTION_BYTES = old_batch


def _export(n: int = 30) -> tuple[str, al.ResponseSet]:
    """A Google-Forms-style export: BOM, CRLF, quoted texts with commas, quotes and a line
    break, a blank line and a row of empty cells, trailing separators."""
    q = al.load_questionnaire("socio-emotional-levels")
    rs, _ = al.simulate(q, n, random_state=3, missing=0.1)
    labels = [[o["id"] for o in it.options] + [""] for it in q.items]
    head = ['"Timestamp"', "respondent_id", '"Unit, kerja"'] + ['"' + it.text["id"].replace('"', '""') + '"' for it in q.items]
    lines = [",".join(head) + ","]
    for r in range(n):
        unit = '"Bagian ""Umum"",\r\nTimur"' if r % 7 == 3 else "Inspektorat"
        answers = [labels[i][rs.codes[r, i]] for i in range(q.n_items)]
        cells = ["2024-05-01 10:00", rs.respondent_ids[r], unit] + ['"' + a + '"' if "," in a else a for a in answers]
        lines.append(",".join(cells) + ",")
        if r == 5:
            lines += ["", "," * (len(head))]
    return "\r\n".join(lines) + "\r\n", rs


def test_a_forms_export_is_read_by_the_fast_reader_with_exact_rows(tmp_path):
    text, rs = _export()
    path = _write(tmp_path, codecs.BOM_UTF8 + text.encode())
    tables = list(fast_tables(path, None, block_bytes=4096))  # no NotFast: this is the fast path
    assert _joined(tables) == _exact(path, None)
    header, cells, rows, skipped = _joined(tables)
    assert len(cells) == 30 and skipped == [9, 10]
    assert rows[3:7] == [5, 7, 8, 11]  # respondent 3 spans lines 5-6 (a quoted line break)
    back = al.read_responses(path, "socio-emotional-levels", unit_column="Unit, kerja", ignore_columns=["Timestamp"])
    np.testing.assert_array_equal(back.codes, rs.codes)
    assert back.unit[3] == 'Bagian "Umum",\r\nTimur' and back.skipped_rows == (9, 10)


def test_batches_number_ids_on_and_catch_a_repeat_across_batches(tmp_path):
    text, rs = _export(25)
    path = _write(tmp_path, text.encode())
    kw = dict(unit_column="Unit, kerja", ignore_columns=["Timestamp"])
    batches = list(al.iter_responses(path, "socio-emotional-levels", batch_size=10, **kw))
    assert [len(b) for b in batches] == [9, 10, 6]  # the row of empty cells is in the first ten records
    assert np.concatenate([b.respondent_ids for b in batches]).tolist() == rs.respondent_ids.tolist()
    assert [r for b in batches for r in b.skipped_rows] == [9, 10]
    repeated = text.replace(f"\r\n2024-05-01 10:00,{rs.respondent_ids[20]},", f"\r\n2024-05-01 10:00,{rs.respondent_ids[2]},")
    path2 = _write(tmp_path, repeated.encode(), "again.csv")
    with pytest.raises(al.ResponseError, match=r"duplicate respondent id, on rows \[4, 27\]") as err:
        list(al.iter_responses(path2, "socio-emotional-levels", batch_size=10, **kw))
    assert err.value.problems[0].respondent == rs.respondent_ids[2]
    with pytest.raises(al.ResponseError, match=r"duplicate respondent id, on rows \[4, 27\]"):
        al.read_responses(path2, "socio-emotional-levels", **kw)


def test_without_an_id_column_respondents_are_numbered_on_across_batches(tmp_path):
    q = al.load_questionnaire("socio-emotional-levels")
    rs, _ = al.simulate(q, 7, random_state=1)
    lines = [",".join(q.item_ids)] + [",".join(str(int(v)) for v in row) for row in rs.values]
    path = _write(tmp_path, ("\n".join(lines) + "\n").encode())
    ids = [i for b in al.iter_responses(path, q, batch_size=3) for i in b.respondent_ids.tolist()]
    assert ids == [str(i) for i in range(1, 8)]


@pytest.mark.parametrize("later, rows", [("3", [4, 15]), ("1", [2, 15]), ("x", None)])
def test_ids_that_look_numbered_are_still_checked_against_a_later_batch(tmp_path, later, rows):
    """Ids 1, 2, ... in order are kept only as rows (they cannot repeat); a later id equal to one
    of them is still caught, naming both rows."""
    q = al.load_questionnaire("berakhlak")
    lines = [",".join(["id", *q.item_ids])] + [",".join([str(i), *["4"] * q.n_items]) for i in range(1, 13)]
    lines.append(",".join([later, *["4"] * q.n_items]))
    path = _write(tmp_path, ("\n".join(lines[:5]) + "\n\n" + "\n".join(lines[5:]) + "\n").encode())
    read = lambda: [b for b in al.iter_responses(path, q, id_column="id", batch_size=4)]  # noqa: E731
    if rows is None:
        assert [i for b in read() for i in b.respondent_ids.tolist()] == [str(i) for i in range(1, 13)] + ["x"]
        return
    with pytest.raises(al.ResponseError, match=rf"duplicate respondent id, on rows \[{rows[0]}, {rows[1]}\]"):
        read()


def test_a_file_that_turns_irregular_late_is_finished_by_the_exact_reader(tmp_path):
    # rows 2-4 go the fast way; row 5 holds a quote inside an unquoted cell (legal for the strict
    # reader, outside the shared rule), so the exact reader gives the rest, row numbers intact
    q = al.load_questionnaire("berakhlak")
    rows = [",".join(["id", *q.item_ids])] + [",".join([f"R{i}", *["4"] * q.n_items]) for i in range(1, 7)]
    rows[5] = rows[5].replace("R5", 'R"5')
    path = _write(tmp_path, ("\n".join(rows) + "\n").encode())
    with pytest.raises(NotFast):
        list(fast_tables(path, None, batch_rows=2, block_bytes=64))
    batches = list(al.iter_responses(path, q, id_column="id", batch_size=2))
    assert [b.respondent_ids.tolist() for b in batches] == [["R1", "R2"], ["R3", "R4"], ['R"5', "R6"]]
