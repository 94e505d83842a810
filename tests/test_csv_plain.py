"""The shortcuts of the fast CSV reader (plain lines, the quote rule proved from pyarrow's parse,
whole-number columns parsed as int8) give exactly what the general path and the exact reader
give: the same cells, rows and skipped rows, the same ResponseSet, the same errors.

Hypothesis writes exports of codes as they come: ids and units quoted or not (commas, doubled
quotes and line breaks inside quotes), codes written plainly or not (``"4.0"``, ``" 4"``,
``"04"``, ``"4e0"``, ``"0x4"``, ``"-0"``, out of range, NA tokens), blank lines and rows of empty
cells, ``\\n`` or ``\\r\\n``, a byte-order mark, ``,`` or ``;``, now and then a cell whose quotes
break the rule both parsers share (``"ab"c``, ``a"b``). Each file is read with the
shortcuts, without them, and by the exact reader alone, with blocks and batches small enough
that every kind of cut is met.
"""

from __future__ import annotations

import codecs

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import akhlak_levels as al
from akhlak_levels._readers import Column, _csvfast, _csvwhole
from akhlak_levels._readers._csv import read_csv
from akhlak_levels._readers._csvfast import NotFast, fast_tables
from reader_tools import hand_over, reading  # tests/ has no __init__: pytest puts this folder on sys.path

ITEMS = ["BP1a", "BP1b", "BP2a"]
PLAIN_CODES = ["1", "2", "3", "4", "5", ""]
ODD_CODES = ["4.0", " 4", "04", "4e0", "0x4", "-0", "+4", "4 ", "9", "0", "10", "-1", "127", "300", "NA", "-", "\u0664", "4,0"]
RAW = ['"ab"c', 'a"b', '"a""b"', '"4"4', '4"', '""4', '"4" ', ' "4"', '"4', '"a\nb"', '""""', '"x,"y"']
UNITS = ["Unit A", "Unit, B", "Unit\nC", "Unit\r\nC", 'Unit "D"', "", " "]


def _quote(text: str, always: bool) -> str:
    if always or any(c in text for c in ',;"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


@st.composite
def exports(draw) -> tuple[bytes, str]:
    """A codes export (file bytes and its delimiter): mostly plain codes, some written otherwise."""
    d = draw(st.sampled_from([",", ";"]))
    quote_all = draw(st.booleans())
    odd = draw(st.sampled_from([0.0, 0.0, 0.05, 0.3]))
    n = draw(st.integers(1, 12))
    lines = [d.join(_quote(h, quote_all) for h in ["respondent_id", "unit", *ITEMS])]
    for r in range(n):
        kind = draw(st.sampled_from(["row"] * 6 + ["blank", "empty cells"]))
        if kind == "blank":
            lines.append("")
            continue
        if kind == "empty cells":
            lines.append(d * (len(ITEMS) + 1))
            continue
        rid = draw(st.sampled_from([f"R{r}", f"R{r}", f"R{r}", "R0", f'R"{r}', f"R,{r}", ""]))
        unit = draw(st.sampled_from(UNITS[:2] * 4 + UNITS))
        codes = [draw(st.sampled_from(ODD_CODES)) if draw(st.floats(0, 1)) < odd else draw(st.sampled_from(PLAIN_CODES))
                 for _ in ITEMS]
        cells = [_quote(c, quote_all) for c in [rid, unit, *codes]]
        if draw(st.integers(0, 9)) == 0:  # quotes as written by hand: some outside the rule both parsers share
            cells[draw(st.integers(0, len(cells) - 1))] = draw(st.sampled_from(RAW))
        lines.append(d.join(cells))
    breaks = draw(st.sampled_from(["\n", "\r\n", "mixed"]))
    text = "".join(line + (("\r\n" if draw(st.booleans()) else "\n") if breaks == "mixed" else breaks) for line in lines)
    if not draw(st.booleans()):
        text = text.rstrip("\r\n")
    data = text.encode()
    return (codecs.BOM_UTF8 + data if draw(st.booleans()) else data), d


def _cells(t) -> list[list[object]]:
    cols = [[c[r] for r in range(t.n)] if isinstance(c, Column) else c.tolist() for c in t.data]
    return [list(r) for r in zip(*cols)] if cols else []


def _joined(tables) -> tuple:
    cells, rows, skipped = [], [], []
    for t in tables:
        cells += _cells(t)
        rows += [int(r) for r in t.rows]
        skipped += [int(r) for r in t.skipped_rows]
    return tables[0].columns, cells, rows, skipped


def _fast(path: str, delimiter: str | None, plain: bool, **kw) -> tuple | None:
    old = _csvfast.PLAIN
    _csvfast.PLAIN = plain
    try:
        return _joined(list(fast_tables(path, delimiter, **kw)))
    except NotFast:
        return None
    finally:
        _csvfast.PLAIN = old


def _whole(path: str, delimiter: str | None, section: int) -> tuple | None:
    """The whole-file reader's table (its sections ``section`` bytes at most), or None when it
    hands the file over."""
    old = _csvwhole.SECTION_BYTES
    _csvwhole.SECTION_BYTES = section
    try:
        return _joined(list(_csvwhole.whole_tables(path, delimiter)))
    except NotFast:
        return None
    finally:
        _csvwhole.SECTION_BYTES = old


def _outcome(read) -> tuple:
    """What a read gives: the fields of each ResponseSet given, or the error with every problem."""
    try:
        rs = read()
    except al.AkhlakLevelsError as exc:
        return ("error", type(exc).__name__, str(exc), getattr(exc, "problems", ()))
    batches = [(b.respondent_ids.tolist(), b.codes.tolist(), None if b.unit is None else b.unit.tolist(),
                b.skipped_rows, b.flags.as_strings(), b.ignored_columns, b.source)
               for b in ([rs] if isinstance(rs, al.ResponseSet) else rs)]
    return ("read", batches)


@settings(max_examples=3 * settings.default.max_examples)
@given(export=exports(), block=st.sampled_from([7, 23, 64, 4096]), batch=st.one_of(st.none(), st.integers(1, 5)),
       named=st.booleans())
def test_the_shortcuts_give_the_general_and_the_exact_tables(tmp_path_factory, export, block, batch, named):
    data, d = export
    path = tmp_path_factory.mktemp("p") / "codes.csv"
    path.write_bytes(data)
    delimiter = d if named else None
    try:
        exact = _joined([read_csv(str(path), delimiter)])
    except al.AkhlakLevelsError as exc:
        exact = exc
    plain = _fast(str(path), delimiter, True, batch_rows=batch, block_bytes=block)
    general = _fast(str(path), delimiter, False, batch_rows=batch, block_bytes=block)
    if plain is not None:
        assert not isinstance(exact, Exception), f"read a file the exact reader refuses: {exact}"
        assert plain == exact
    if general is not None:
        assert plain == general, "the shortcuts handed over a file the general path reads"
    whole = _whole(str(path), delimiter, block)
    if whole is not None:
        assert not isinstance(exact, Exception), f"the whole-file reader read a file the exact reader refuses: {exact}"
        assert whole == exact


@given(export=exports(), on_invalid=st.sampled_from(["raise", "missing"]), batch=st.one_of(st.none(), st.integers(1, 4)))
def test_read_responses_gives_the_same_responses_and_errors_as_the_exact_reader(tmp_path_factory, export, on_invalid, batch):
    read = reading(tmp_path_factory, export[0], batch, on_invalid)
    fast = _outcome(read)
    with pytest.MonkeyPatch.context() as mp:
        hand_over(mp, "whole_tables")
        assert fast == _outcome(read)  # the block reader: the same batches
        mp.setattr(_csvfast, "PLAIN", False)
        assert fast == _outcome(read)  # the general fast path: the same batches
        if batch is None:  # the exact reader cuts batches its own way (blank rows, repeats within a batch)
            hand_over(mp, "whole_tables", "fast_tables")
            assert fast == _outcome(read)


def _codes_file(tmp_path, cells: list[list[str]], *, quote_all: bool = True, d: str = ",", bom: bool = False,
                crlf: bool = False, extra: str = "") -> str:
    lines = [d.join(_quote(h, quote_all) for h in ["respondent_id", "unit", *ITEMS])]
    lines += [d.join(_quote(c, quote_all) for c in [f"R{r}", "Unit A", *row]) for r, row in enumerate(cells)]
    text = ("\r\n" if crlf else "\n").join(lines) + extra + ("\r\n" if crlf else "\n")
    path = tmp_path / "codes.csv"
    path.write_bytes((codecs.BOM_UTF8 if bom else b"") + text.encode())
    return str(path)


def test_a_codes_export_takes_every_shortcut(tmp_path, monkeypatch):
    """Quoted codes, empty cells, CRLF, a BOM, ';': plain lines, the rule proved from the parse,
    int8 columns; the cells are the texts of the file."""
    calls = {"numbers": 0, "scan": 0, "check": 0}
    for name in ("number_column", "scan", "_check_quotes"):
        real = getattr(_csvfast, name)
        key = {"number_column": "numbers", "scan": "scan", "_check_quotes": "check"}[name]

        def counted(*a, _real=real, _key=key, **k):
            calls[_key] += 1
            return _real(*a, **k)

        monkeypatch.setattr(_csvfast, name, counted)
    rows = [["4", "", "5"], ["1", "2", "3"], ["", "", ""]] * 20
    path = _codes_file(tmp_path, rows, d=";", bom=True, crlf=True)
    tables = list(fast_tables(path, None, block_bytes=256))
    assert _joined(tables) == _joined([read_csv(path, None)])
    assert calls["numbers"] > 0 and calls["scan"] == 0
    assert calls["check"] == 1  # the header's quotes only: the records' rule was proved from the parse
    rs = al.read_responses(path, "berakhlak", missing_items="missing")
    assert rs.codes[:3, :3].tolist() == [[3, -1, 4], [0, 1, 2], [-1, -1, -1]]


@pytest.mark.parametrize("cell, shown", [("09", "09"), (" 9", " 9"), ("9.0", "9.0"), ("4e0", "4e0"), ("0x4", "0x4"),
                                         ("-0", "-0"), ("6", "6")])
def test_a_code_written_otherwise_is_reported_as_written(tmp_path, cell, shown):
    """An int8 column whose texts are not all plain numbers is read again as text: the problem
    names the cell as the file writes it (a string, not the number pyarrow made of it)."""
    rows = [["4", "5", "1"]] * 30 + [["4", cell, "1"]] + [["2", "2", "2"]] * 30
    path = _codes_file(tmp_path, rows, quote_all=False)
    with pytest.raises(al.ResponseError) as err:
        al.read_responses(path, "berakhlak", missing_items="missing")
    assert [(p.row, p.respondent, p.item, p.value) for p in err.value.problems] == [(32, "R30", "BP1b", shown)]


@pytest.mark.parametrize("cell, code", [("04", 3), (" 4", 3), ("4.0", 3), ("4 ", 3), ("+4", 3), ("NA", -1), ("-", -1)])
def test_a_readable_code_written_otherwise_is_read_as_before(tmp_path, cell, code):
    rows = [["4", "5", "1"]] * 30 + [["4", cell, "1"]] + [["2", "2", "2"]] * 3000
    path = _codes_file(tmp_path, rows)
    rs = al.read_responses(path, "berakhlak", missing_items="missing")
    assert int(rs.codes[30, 1]) == code and rs.codes[31:, :3].tolist() == [[1, 1, 1]] * 3000


def test_rows_stay_exact_around_blank_lines_and_a_quoted_line_break(tmp_path):
    lines = ["respondent_id,unit,BP1a", '"R1","A","4"', "", '"R2","B\r\nC","5"', "", "", ",,", '"R3","D","9"', '"R4","E","1"']
    path = tmp_path / "codes.csv"
    path.write_bytes(("\n".join(lines) + "\n").encode())
    with pytest.raises(al.ResponseError) as err:
        al.read_responses(str(path), "berakhlak", missing_items="missing")
    assert [(p.row, p.respondent, p.value) for p in err.value.problems] == [(9, "R3", "9")]
    path.write_bytes(("\n".join(lines).replace('"9"', '"3"') + "\n").encode())
    rs = al.read_responses(str(path), "berakhlak", missing_items="missing")
    assert rs.skipped_rows == (3, 6, 7, 8) and rs.unit.tolist() == ["A", "B\r\nC", "D", "E"]
    assert rs.codes[:, 0].tolist() == [3, 4, 2, 0]


def test_quotes_outside_the_rule_still_go_to_the_exact_reader(tmp_path):
    """Lines with an even number of quotes whose quotes break the rule ('"ab"c', 'a"b"'): the
    proof from the parse fails, the quote-by-quote check refuses, the exact reader decides."""
    for bad in ['"ab"c', 'a"b"', '"a,"b"', 'x"']:
        path = tmp_path / "bad.csv"
        body = "\n".join(['"R1","A","4"', f'"R2",{bad},"5"' if bad.count('"') % 2 == 0 else f'"R2","{bad}","5"'])
        path.write_bytes(("respondent_id,unit,BP1a\n" + body + "\n").encode())
        got = _fast(str(path), None, True)
        try:
            exact = _joined([read_csv(str(path), None)])
        except al.AkhlakLevelsError:
            exact = None
        assert got is None or got == exact


def test_a_column_that_stops_being_numbers_is_read_as_text_from_then_on(tmp_path):
    """Chosen as int8 on the first records, a column holding 'NA' or an id of three digits later
    is read again as text (the batch) and stays text: the cells are the file's."""
    rows = [[str(1 + r % 5), "2", "3"] for r in range(5000)]
    rows[4000][0] = "NA"
    path = _codes_file(tmp_path, rows, quote_all=False)
    with open(path) as fh:
        lines = fh.read().splitlines()
    lines[1:] = [ln.replace(f"R{r},", f"{r % 100 if r < 2500 else r},", 1) for r, ln in enumerate(lines[1:])]
    with open(path, "w") as fh:
        fh.write("\n".join(lines) + "\n")
    plain = _fast(path, None, True, block_bytes=4096)
    assert plain == _joined([read_csv(path, None)])
    cells = plain[1]
    assert cells[4000][2] == "NA" and cells[2600][0] == "2600" and cells[10][0] == "10"


def test_the_cells_of_an_int8_column_are_its_texts(tmp_path):
    rows = [["1", "", "5"], ["5", "", "1"]]
    path = _codes_file(tmp_path, rows, quote_all=True)
    tables = list(fast_tables(path, None))
    col = tables[0].data[3]
    assert isinstance(col, Column) and sorted(col.values.tolist()) == [""]
    assert [tables[0].data[j][r] for r in range(2) for j in (2, 4)] == ["1", "5", "5", "1"]
    assert np.asarray(tables[0].rows).tolist() == [2, 3]


def test_reading_ahead_stops_with_the_reader_and_hands_over_its_errors(tmp_path):
    """The whole-file read parses the next block in a thread: a caller that stops early stops it,
    and a fault found ahead is raised after the tables before it (here: at the second block)."""
    import threading

    rows = [["4", "5", "1"]] * 400
    path = _codes_file(tmp_path, rows)
    before = threading.active_count()
    tables = fast_tables(path, None, block_bytes=1024)
    first = next(tables)
    assert first.n > 0
    tables.close()
    assert threading.active_count() == before
    with open(path, "a") as fh:
        fh.write('"R400","Unit A","4","5"\n')  # a record of another width, at the end
    got = []
    with pytest.raises(NotFast):
        for t in fast_tables(path, None, block_bytes=1024):
            got.append(t.n)
    assert sum(got) < 400 and len(got) >= 2 and threading.active_count() == before
    with pytest.raises(al.ResponseError, match="wrong length"):
        al.read_responses(path, "berakhlak", missing_items="missing")
