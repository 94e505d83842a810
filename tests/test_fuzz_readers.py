"""Fuzzing the readers: valid exports, broken the way files break in the field.

Each test starts from respondents drawn from ``al.simulate`` and written as an agency would send
them (Google-Forms-style CSV of labels, CSV of codes, JSON, JSONL, XLSX, Parquet), applies one
mutation, and checks the one invariant of reading: ``read_responses`` either raises the library's
own error (:class:`akhlak_levels.AkhlakLevelsError`) or returns exactly the respondents the input
holds, in order, with their answers and units. No other exception may escape.

What the input holds is worked out from the mutation, not from the reader: a change of encoding
or delimiter holds the same respondents; a quote inside an unquoted cell is a character of that
cell; a cut at a row boundary holds the complete rows; a cut inside the last cell holds what is
left of it. Some mutations must be read (the input is fine), some must be refused, and for the
rest either outcome is allowed as long as a read is exact.

Every outcome is counted by format, mutation and result. Set ``AKHLAK_FUZZ_TALLY`` to a file path
to have the counts written there as JSON when the module finishes (``HYPOTHESIS_PROFILE=thorough``
for the long run).
"""

from __future__ import annotations

import json
import os
import unicodedata
import zipfile
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_array_equal

import akhlak_levels as al

Q = al.load_questionnaire("socio-emotional-levels")
POOL, _ = al.simulate(Q, 40, missing=0.15, random_state=20240613)
UNITS = ["Bagian Umum", "Dinas Pendidikan, Kota", "Sekretariat – Timur", "Inspektorat", "U7", ""]
MISSING = al.MISSING
TALLY: Counter[tuple[str, str, str]] = Counter()

MUST_READ, EITHER, MUST_FAIL = "must read", "either", "must fail"

#: Four times the examples of the active profile (each draws one of many mutations): 240 per test
#: with the ci profile (about 12 s for the file), 2000 with ``HYPOTHESIS_PROFILE=thorough``.
FUZZ = settings(max_examples=4 * settings.default.max_examples)


def _norm(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def _lookup(it: al.Item) -> dict[str, int]:
    """What the questionnaire says an answer to ``it`` may be written as: labels in every
    language, aliases, codes 1..k, letters a.. for choice items (normalised)."""
    look = {str(c + 1): c for c in range(it.n_options)}
    for c, labels in enumerate(it.options):
        look.update({_norm(lab): c for lab in labels.values()})
        look.update({_norm(a): c for a in (it.aliases[c] if c < len(it.aliases) else ())})
    if it.type == "choice":
        look.update({chr(ord("a") + c): c for c in range(it.n_options)})
    return look


LOOKUP = [_lookup(it) for it in Q.items]


@dataclass(frozen=True)
class Expect:
    """What a reading must give: ids in order, units, codes."""

    ids: list[str]
    units: list[str]
    codes: np.ndarray


@pytest.fixture(scope="module")
def where(tmp_path_factory):
    yield tmp_path_factory.mktemp("fuzz")
    summary = {f"{fmt}/{mutation}/{result}": n for (fmt, mutation, result), n in sorted(TALLY.items())}
    totals = Counter()
    for (fmt, _, result), n in TALLY.items():
        totals[f"{fmt}/{result}"] += n
        totals[result] += n
    out = os.environ.get("AKHLAK_FUZZ_TALLY")
    if out:
        Path(out).write_text(json.dumps({"totals": dict(sorted(totals.items())), "by_mutation": summary}, indent=1))
    print(f"\nfuzz tally: {dict(sorted(totals.items()))}")


def _check(fmt: str, mutation: str, read, expect: Expect | None, must: str) -> None:
    """The invariant, and the tally. ``expect`` is None when no reading is right (must fail)."""
    assert must in (MUST_READ, EITHER, MUST_FAIL) and (expect is None) == (must == MUST_FAIL)
    try:
        rs = read()
    except al.AkhlakLevelsError as exc:
        assert must != MUST_READ, f"{fmt}/{mutation}: the input is fine, but reading failed: {exc}"
        TALLY[(fmt, mutation, "error")] += 1
        return
    assert must != MUST_FAIL, f"{fmt}/{mutation}: read {len(rs)} respondents where no reading is right"
    assert rs.respondent_ids.tolist() == expect.ids, f"{fmt}/{mutation}: other respondents"
    assert rs.unit is not None and rs.unit.tolist() == expect.units, f"{fmt}/{mutation}: other units"
    assert_array_equal(rs.codes, expect.codes, err_msg=f"{fmt}/{mutation}: other answers")
    TALLY[(fmt, mutation, "exact")] += 1


respondents = st.lists(st.integers(0, len(POOL) - 1), min_size=1, max_size=6, unique=True)


def _base(rows: list[int], units: list[int]) -> Expect:
    return Expect([str(POOL.respondent_ids[r]) for r in rows], [UNITS[u] for u in units], POOL.codes[rows])


# =========================================================================== CSV

#: Column roles of a CSV layout: ("skip",) for export metadata, ("id",), ("unit",), ("item", pos).
LAYOUTS = {
    "forms-labels": ["Timestamp", "Email Address", "respondent_id", "unit", *(it.text["id"] for it in Q.items)],
    "codes": ["respondent_id", "unit", *Q.item_ids],
}


def _roles(header: list[str]) -> list[tuple]:
    named = {"timestamp": ("skip",), "email address": ("skip",), "respondent_id": ("id",), "unit": ("unit",)}
    return [named.get(h.casefold(), ("item", j - (len(header) - Q.n_items))) for j, h in enumerate(header)]


def _cells(layout: str, base: Expect) -> list[list[str]]:
    out = []
    for r, (rid, unit, codes) in enumerate(zip(base.ids, base.units, base.codes)):
        if layout == "forms-labels":
            answers = ["" if c == MISSING else it.options[c]["id"] for it, c in zip(Q.items, codes)]
            out.append([f"2024/06/13 9:{r:02d}:00 AM GMT+7", f"asn{r}@example.go.id", rid, unit, *answers])
        else:
            out.append([rid, unit, *("" if c == MISSING else str(c + 1) for c in codes)])
    return out


def _token(cell: str, d: str) -> str:
    return f'"{cell.replace(chr(34), chr(34) * 2)}"' if any(ch in cell for ch in (d, '"', "\r", "\n")) else cell


def _reference(header: list[str], rows: list[list[str]]) -> Expect | None:
    """What a table of cells holds, read as the documentation says (None: no right reading)."""
    roles = _roles(header)
    if not rows:
        return None
    ids, units, codes = [], [], np.full((len(rows), Q.n_items), MISSING, dtype=np.int8)
    for r, row in enumerate(rows):
        for role, cell in zip(roles, row):
            if role[0] == "id":
                ids.append(cell.strip())
            elif role[0] == "unit":
                units.append(cell.strip())
            elif role[0] == "item" and cell.strip():
                code = LOOKUP[role[1]].get(_norm(cell))
                if code is None:
                    return None
                codes[r, role[1]] = code
    if "" in ids or len(set(ids)) < len(ids):
        return None
    return Expect(ids, units, codes)


CSV_MUTATIONS = [
    "none", "bom", "utf-16", "utf-16-no-bom", "cp1252", "lf-only", "blank-lines", "delimiter-one-row",
    "stray-quote", "doubled-quote", "quote-pair", "nul", "truncate", "huge-cell", "duplicate-header",
    "case-only-header",
]


@FUZZ
@given(
    rows=respondents, data=st.data(), layout=st.sampled_from(sorted(LAYOUTS)),
    delimiter=st.sampled_from([",", ";", "\t"]), mutation=st.sampled_from(CSV_MUTATIONS),
)
def test_a_mutated_csv_export_is_refused_or_read_exactly(where, rows, data, layout, delimiter, mutation):
    units = data.draw(st.lists(st.integers(0, len(UNITS) - 1), min_size=len(rows), max_size=len(rows)), "units")
    base = _base(rows, units)
    header = list(LAYOUTS[layout])
    cells = _cells(layout, base)
    raw, expect, must = _mutate_csv(data.draw, mutation, header, cells, delimiter, base)
    path = where / "export.csv"
    path.write_bytes(raw)

    _check(f"csv-{layout}", mutation, lambda: al.read_responses(path, Q), expect, must)


def _mutate_csv(draw, mutation, header, cells, d, base):
    """(bytes of the file, expectation, must) for one mutation of the table ``cells``."""
    eol = "\r\n"
    lines = [d.join(_token(c, d) for c in header)] + [d.join(_token(c, d) for c in row) for row in cells]

    def text_of(ls, final=eol):
        return eol.join(ls) + final

    if mutation in ("none", "bom", "utf-16", "utf-16-no-bom", "cp1252", "lf-only", "blank-lines"):
        text = text_of(lines)
        if mutation == "lf-only":
            text = "\n".join(lines) + "\n"
        if mutation == "blank-lines":
            at = draw(st.integers(1, len(lines)), "blank line at")
            text = text_of(lines[:at] + ["", d * 3] + lines[at:])
        if mutation == "utf-16-no-bom":
            return text.encode("utf-16-le"), None, MUST_FAIL  # NUL bytes everywhere
        if mutation == "cp1252":
            try:
                raw = text.encode("cp1252")
            except UnicodeEncodeError:
                return text.encode("cp1252", "replace"), None, MUST_FAIL  # '?' for '–': never silently
            return raw, (base if text.isascii() else None), (MUST_READ if text.isascii() else MUST_FAIL)
        encoding = {"bom": "utf-8-sig", "utf-16": "utf-16"}.get(mutation, "utf-8")
        return text.encode(encoding), base, MUST_READ
    if mutation == "delimiter-one-row":
        r = draw(st.integers(0, len(cells) - 1), "row")
        other = draw(st.sampled_from([x for x in (",", ";", "\t") if x != d]), "other delimiter")
        lines[r + 1] = other.join(_token(c, other) for c in cells[r])
        return text_of(lines).encode(), None, MUST_FAIL
    if mutation in ("stray-quote", "doubled-quote"):
        return _quote_mutation(draw, mutation, header, cells, d, lines, text_of)
    if mutation == "quote-pair":
        # a quote opening cell j of one row and one closing cell j of a later row: well-formed CSV
        # whose cell holds the rows between, so they would read as one respondent
        j = draw(st.integers(0, len(header) - 1), "column")
        r1, r2 = sorted(draw(st.lists(st.integers(0, len(cells)), min_size=2, max_size=2, unique=True), "rows"))
        r2 = min(r2, len(cells) - 1)
        first, last = _token(cells[r1][j], d), _token(cells[r2][j], d)
        if r1 == r2 or first.startswith('"') or last.startswith('"'):
            return text_of(lines).encode(), base, MUST_READ  # (nothing to pair: the file is as it was)
        for r, tok in ((r1, '"' + first), (r2, last + '"')):
            lines[r + 1] = d.join([*(_token(c, d) for c in cells[r][:j]), tok, *(_token(c, d) for c in cells[r][j + 1:])])
        return text_of(lines).encode(), None, MUST_FAIL
    if mutation == "nul":
        text = text_of(lines)
        at = draw(st.integers(0, len(text)), "nul at")
        return (text[:at] + "\x00" + text[at:]).encode(), None, MUST_FAIL
    if mutation == "truncate":
        return _truncation(draw, header, cells, d, lines)
    if mutation == "huge-cell":
        r, j = draw(st.integers(0, len(cells) - 1), "row"), draw(st.integers(0, len(header) - 1), "column")
        size = draw(st.sampled_from([140_000, 2**20, 2**20 + 1]), "size")
        changed = [row[:] for row in cells]
        changed[r][j] = "X" * size
        lines[r + 1] = d.join(_token(c, d) for c in changed[r])
        expect = None if size > 2**20 else _reference(header, changed)  # cells hold at most 1 MiB
        return text_of(lines).encode(), expect, MUST_FAIL if expect is None else MUST_READ
    # duplicate-header, case-only-header
    i, j = draw(st.lists(st.integers(0, len(header) - 1), min_size=2, max_size=2, unique=True), "columns")
    changed = header[:]
    changed[j] = header[i] if mutation == "duplicate-header" else header[i].swapcase()
    if changed[j] == header[i] and mutation == "case-only-header" and header[i].swapcase() == header[i]:
        return text_of(lines).encode(), base, MUST_READ  # no letters to change: the file is as it was
    lines[0] = d.join(_token(c, d) for c in changed)
    return text_of(lines).encode(), None, MUST_FAIL


def _quote_mutation(draw, mutation, header, cells, d, lines, text_of):
    """A quote (or two) inserted into one data cell at offset k of its token: a character of an
    unquoted cell when k > 0; anything else breaks the quoting and must be refused (the one
    exception: "" into a quoted cell, or "" as a whole empty cell, is a quote character / empty)."""
    r, j = draw(st.integers(0, len(cells) - 1), "row"), draw(st.integers(0, len(header) - 1), "column")
    cell = cells[r][j]
    token = _token(cell, d)
    k = draw(st.integers(0, len(token)), "offset")
    mark = '"' if mutation == "stray-quote" else '""'
    lines[r + 1] = d.join([*(_token(c, d) for c in cells[r][:j]), token[:k] + mark + token[k:], *(_token(c, d) for c in cells[r][j + 1:])])
    quoted = token.startswith('"')
    if not quoted and k > 0:
        value = cell[:k] + mark + cell[k:]
    elif mark == '""' and quoted:
        at = min(max(k - 1, 0), len(cell))
        value = cell[:at] + '"' + cell[at:]
    elif mark == '""' and token == "":
        value = ""
    else:
        return text_of(lines).encode(), None, MUST_FAIL
    changed = [row[:] for row in cells]
    changed[r][j] = value
    expect = _reference(header, changed)
    return text_of(lines).encode(), expect, MUST_FAIL if expect is None else MUST_READ


def _truncation(draw, header, cells, d, lines):
    """The file cut at a byte after the header: the complete rows, and what is left of the last."""
    eol = "\r\n"
    text = eol.join(lines) + eol
    cut = draw(st.integers(len(lines[0]) + len(eol), len(text)), "cut at")
    raw = text[:cut].encode()
    spans, pos = [], len(lines[0]) + len(eol)
    for line in lines[1:]:
        spans.append((pos, pos + len(line)))
        pos += len(line) + len(eol)
    whole = sum(1 for _, end in spans if cut >= end)  # a row cut before its "\r\n" (or "\n") is whole
    left = cells[:whole]
    if whole < len(spans) and cut > spans[whole][0]:
        tokens = [_token(c, d) for c in cells[whole]]
        q, a = cut - spans[whole][0], 0
        for j, tok in enumerate(tokens):
            if q <= a + len(tok):
                break
            a += len(tok) + 1
        if j < len(tokens) - 1 or (tokens[j].startswith('"') and q > a):
            return raw, None, MUST_FAIL  # fewer fields than the header, or an open quote
        left = left + [cells[whole][:-1] + [cells[whole][-1][: q - a]]]
    expect = _reference(header, left)
    return raw, expect, MUST_FAIL if expect is None else MUST_READ


# =========================================================================== JSON and JSONL

JSON_MUTATIONS = [
    "none", "bom", "utf-16", "answer-type", "id-type", "unit-type", "duplicate-key", "collision",
    "truncate", "nul",
]
BIG = "1" * 4301  # more digits than Python's int() reads by default


def _answer(c: int):
    return None if c == MISSING else int(c) + 1


#: (value written, what it reads as): a code, MISSING, or None for "no right reading".
ANSWER_VALUES = [
    ("3", 2), (3.0, 2), ([3], None), ({"v": 3}, None), (True, None), (float("nan"), MISSING),
    (float("inf"), None), (0, None), (6, None), ("@BIG@", None), ("@DEEP@", None), ("Strongly agree", 4),
]
#: (id written, the id it reads as, or None).
ID_VALUES = [
    (198501012010011001, "198501012010011001"), (7.0, "7"), (1.5, None), (2.0**53 + 2, None), (1e17, None),
    (True, None), ([1, 2], None), ({"a": 1}, None), (None, None), (float("nan"), None), (float("inf"), None),
    ("@BIG@", BIG),
]
#: (unit written, the unit it reads as, or None).
UNIT_VALUES = [(5, "5"), (2.5, "2.5"), (1e17, None), (["A"], None), (None, ""), ({"a": 1}, None)]


@FUZZ
@given(
    rows=respondents, data=st.data(), shape=st.sampled_from(["records", "document", "jsonl", "jsonl-nested"]),
    mutation=st.sampled_from(JSON_MUTATIONS),
)
def test_a_mutated_json_export_is_refused_or_read_exactly(where, rows, data, shape, mutation):
    units = data.draw(st.lists(st.integers(0, len(UNITS) - 1), min_size=len(rows), max_size=len(rows)), "units")
    base = _base(rows, units)
    nested = shape in ("document", "jsonl-nested")
    recs = []
    for rid, unit, codes in zip(base.ids, base.units, base.codes):
        answers = {i: _answer(c) for i, c in zip(Q.item_ids, codes)}
        recs.append({"respondent_id": rid, "unit": unit, **({"answers": answers} if nested else answers)})
    expect, must, deep = base, MUST_READ, data.draw(st.sampled_from([40, 5000]), "depth")
    r = data.draw(st.integers(0, len(recs) - 1), "respondent")
    if mutation == "answer-type":
        pos = data.draw(st.integers(0, Q.n_items - 1), "item")
        value, code = data.draw(st.sampled_from(ANSWER_VALUES), "answer")
        if isinstance(value, str) and not value.startswith("@"):
            code = LOOKUP[pos].get(_norm(value))  # a label reads where the item has it
        (recs[r]["answers"] if nested else recs[r])[Q.item_ids[pos]] = value
        if code is None:
            expect, must = None, MUST_FAIL
        else:
            expect = replace(base, codes=base.codes.copy())
            expect.codes[r, pos] = code
    elif mutation in ("id-type", "unit-type"):
        key = "respondent_id" if mutation == "id-type" else "unit"
        value, reads = data.draw(st.sampled_from(ID_VALUES if key == "respondent_id" else UNIT_VALUES), "value")
        recs[r][key] = value
        if reads is None:
            expect, must = None, MUST_FAIL
        else:
            ids, units = base.ids[:], base.units[:]
            (ids if key == "respondent_id" else units)[r] = reads
            expect = replace(base, ids=ids, units=units)
    elif mutation == "collision":
        key = data.draw(st.sampled_from(["respondent_id", "unit", "Unit", "RESPONDENT_ID"]), "key")
        if nested:
            recs[r]["answers"][key] = "x"
        elif key in ("Unit", "RESPONDENT_ID"):
            recs[r][key] = "x"  # a key the same as another but for case: columns are matched without case
        else:
            key = "Unit"
            recs[r][key] = "x"
        expect, must = None, MUST_FAIL
    if shape == "document" and must == MUST_READ and mutation.endswith("-type"):
        must = EITHER  # the document's schema may refuse the type (a unit must be text or null)
    text, starts = _json_text(shape, recs, deep)
    if mutation == "duplicate-key":
        at = starts[r] + 1  # just after the "{" of the record
        dup = data.draw(st.sampled_from(['"respondent_id": "dup", ', '"unit": "dup", ', f'"{Q.item_ids[0]}": 1, ']), "key")
        text = text[:at] + dup + text[at:]
        if nested and dup.startswith(f'"{Q.item_ids[0]}'):
            answers_at = text.index('"answers": {', at) + len('"answers": {')
            text = text[:answers_at] + dup + text[answers_at:]
        expect, must = None, MUST_FAIL
    elif mutation == "truncate":
        cut = data.draw(st.integers(0, len(text)), "cut at")
        text, expect, must = text[:cut], *_json_cut(shape, text, cut, base)
    elif mutation == "nul":
        at = data.draw(st.integers(0, len(text)), "nul at")
        text, expect, must = text[:at] + "\x00" + text[at:], None, MUST_FAIL
    encoding = {"bom": "utf-8-sig", "utf-16": "utf-16"}.get(mutation, "utf-8")
    path = where / ("export.jsonl" if shape.startswith("jsonl") else "export.json")
    path.write_bytes(text.encode(encoding))

    _check(f"json-{shape}", mutation, lambda: al.read_responses(path, Q), expect, must)


def _json_text(shape: str, recs: list[dict], deep: int) -> tuple[str, list[int]]:
    """The file's text, and where each record starts in it. Values json.dumps cannot write (a
    4301-digit number, nesting 5000 deep) are put in by placeholder."""
    dumped = [
        json.dumps(rec, ensure_ascii=False).replace('"@BIG@"', BIG).replace('"@DEEP@"', "[" * deep + "]" * deep)
        for rec in recs
    ]
    if shape.startswith("jsonl"):
        head, sep, tail = "", "\n", "\n"
    elif shape == "records":
        head, sep, tail = "[", ",\n", "]\n"
    else:
        head = '{"format": "akhlak-levels/responses", "format_version": 1, "questionnaire": {"id": "%s"}, "respondents": [' % Q.id
        sep, tail = ",\n", "]}\n"
    starts, pos = [], len(head)
    for d in dumped:
        starts.append(pos)
        pos += len(d) + len(sep)
    return head + sep.join(dumped) + tail, starts


def _json_cut(shape: str, text: str, cut: int, base: Expect) -> tuple[Expect | None, str]:
    """A JSON file cut anywhere but in its trailing white space is broken; a JSONL file holds its
    complete lines (a line cut just before its line break is complete)."""
    if not shape.startswith("jsonl"):
        return (base, MUST_READ) if not text[cut:].strip() else (None, MUST_FAIL)
    lines = text.split("\n")
    pos, whole = 0, 0
    for line in lines[:-1]:
        if cut >= pos + len(line):
            whole += 1
        elif cut > pos:
            return None, MUST_FAIL
        pos += len(line) + 1
    if whole == 0:
        return None, MUST_FAIL
    return Expect(base.ids[:whole], base.units[:whole], base.codes[:whole]), MUST_READ


# =========================================================================== XLSX

XLSX_MUTATIONS = [
    "none", "dimension", "blank-row", "value-beyond-header", "merged-units", "formula", "float-id",
    "integer-id", "drop-sheet-xml", "corrupt-member", "truncate",
]
SHEET = "xl/worksheets/sheet1.xml"


@FUZZ
@given(rows=respondents, data=st.data(), mutation=st.sampled_from(XLSX_MUTATIONS))
def test_a_mutated_workbook_is_refused_or_read_exactly(where, rows, data, mutation):
    openpyxl = pytest.importorskip("openpyxl")
    units = data.draw(st.lists(st.integers(0, len(UNITS) - 1), min_size=len(rows), max_size=len(rows)), "units")
    base = _base(rows, units)
    table = [["respondent_id", "unit", *Q.item_ids]]
    table += [[rid, unit or None, *(_answer(c) for c in codes)] for rid, unit, codes in zip(base.ids, base.units, base.codes)]
    expect, must = base, MUST_READ
    r = data.draw(st.integers(0, len(base.ids) - 1), "respondent")
    if mutation == "blank-row":
        table.insert(r + 1, [None] * len(table[0]))
    elif mutation == "value-beyond-header":
        table[r + 1] = table[r + 1] + [None, "catatan"]
        expect, must = None, MUST_FAIL
    elif mutation == "formula":
        table[r + 1][2 + data.draw(st.integers(0, Q.n_items - 1), "item")] = "=1+2"
        expect, must = None, MUST_FAIL
    elif mutation in ("float-id", "integer-id"):
        # openpyxl writes 7.0 as "7" (read back as the whole number 7) and 1e17 as "1e+17" (a float); it
        # writes whole numbers through a float, so only those below 2**53 reach the file as they are
        value = data.draw(st.sampled_from([7.0, 1e17, 1.98501012010011e17, 3.5]) if mutation == "float-id" else st.integers(1, 2**53 - 1), "id")
        table[r + 1][0] = value
        if isinstance(value, float) and not (value.is_integer() and value < 2**53):
            expect, must = None, MUST_FAIL
        else:
            ids = base.ids[:]
            ids[r] = str(int(value))
            expect = replace(base, ids=ids)
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in table:
        ws.append(row)
    if mutation == "merged-units" and len(base.ids) > 1:
        top = min(r, len(base.ids) - 2) + 2
        ws.merge_cells(f"B{top}:B{top + 1}")
        expect, must = None, MUST_FAIL
    path = where / "export.xlsx"
    wb.save(path)
    if mutation == "dimension":
        ref = data.draw(st.sampled_from(["A1", "A1:B2", "A1:AN3", "A1:ZZ9999", "C3:D4"]), "dimension")
        _rewrite(path, SHEET, lambda b: re_sub_dimension(b, ref))
    elif mutation == "drop-sheet-xml":
        _rewrite(path, SHEET, lambda b: None)
        expect, must = None, MUST_FAIL
    elif mutation == "corrupt-member":
        _corrupt(path, data.draw(st.sampled_from([SHEET, "xl/workbook.xml", "[Content_Types].xml"]), "member"), data.draw)
        must = EITHER  # a flipped bit may leave what the member holds intact (its CRC-32 then still matches)
    elif mutation == "truncate":
        raw = path.read_bytes()
        path.write_bytes(raw[: data.draw(st.integers(0, 2**16), "cut at") % len(raw)])  # sizes vary, as above
        expect, must = None, MUST_FAIL

    _check("xlsx", mutation, lambda: al.read_responses(path, Q), expect, must)


def re_sub_dimension(xml: bytes, ref: str) -> bytes:
    import re

    return re.sub(rb'<dimension ref="[^"]*"', f'<dimension ref="{ref}"'.encode(), xml, count=1)


def _rewrite(path: Path, member: str, edit) -> None:
    """Rewrite one member of a workbook (``edit(bytes) -> bytes``, or None to drop it)."""
    with zipfile.ZipFile(path) as z:
        parts = [(i.filename, z.read(i.filename)) for i in z.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, content in parts:
            content = edit(content) if name == member else content
            if content is not None:
                z.writestr(name, content)


def _corrupt(path: Path, member: str, draw) -> None:
    """Flip bytes inside the compressed data of one member (its CRC no longer matches)."""
    with zipfile.ZipFile(path) as z:
        info = z.getinfo(member)
    raw = bytearray(path.read_bytes())
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    at = start + draw(st.integers(0, 2**16), "byte") % info.compress_size  # sizes vary: the file holds its time
    raw[at] ^= draw(st.integers(1, 255), "xor")
    path.write_bytes(bytes(raw))


# =========================================================================== Parquet

PARQUET_MUTATIONS = [
    "none", "binary-ids", "undecodable-id", "integer-ids", "float-ids", "big-float-id", "binary-units",
    "categorical-units", "float-answers", "nullable-int-answers", "string-answers", "binary-answers",
    "boolean-answer", "truncate",
]


@FUZZ
@given(rows=respondents, data=st.data(), mutation=st.sampled_from(PARQUET_MUTATIONS))
def test_a_parquet_file_with_other_column_types_is_refused_or_read_exactly(where, rows, data, mutation):
    pd = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    units = data.draw(st.lists(st.integers(0, len(UNITS) - 1), min_size=len(rows), max_size=len(rows)), "units")
    base = _base(rows, units)
    answers = {i: [_answer(c) for c in base.codes[:, j]] for j, i in enumerate(Q.item_ids)}
    df = pd.DataFrame({"respondent_id": base.ids, "unit": [u or None for u in base.units], **answers})
    df[list(Q.item_ids)] = df[list(Q.item_ids)].astype("float64")
    expect, must = replace(base, units=list(base.units)), MUST_READ
    n, r = len(base.ids), data.draw(st.integers(0, len(base.ids) - 1), "respondent")
    if mutation == "binary-ids":
        df["respondent_id"] = [x.encode() for x in base.ids]
    elif mutation == "undecodable-id":
        df["respondent_id"] = [x.encode() if k != r else b"\xff\xfe" for k, x in enumerate(base.ids)]
        expect, must = None, MUST_FAIL
    elif mutation in ("integer-ids", "float-ids", "big-float-id"):
        values = [1000 + k for k in range(n)]
        if mutation == "big-float-id":
            values[r] = 2**53 + 2
        df["respondent_id"] = np.array(values, dtype="int64" if mutation == "integer-ids" else "float64")
        expect = replace(base, ids=[str(v) for v in values])
        if mutation == "big-float-id":
            expect, must = None, MUST_FAIL
    elif mutation == "binary-units":
        df["unit"] = [u.encode() if u else None for u in base.units]
    elif mutation == "categorical-units":
        df["unit"] = df["unit"].astype("category")
    elif mutation == "nullable-int-answers":
        df[list(Q.item_ids)] = df[list(Q.item_ids)].astype("Int8")
    elif mutation in ("string-answers", "binary-answers"):
        for i in Q.item_ids:
            cells = [None if np.isnan(v) else str(int(v)) for v in df[i]]
            df[i] = [c.encode() if c and mutation == "binary-answers" else c for c in cells]
    elif mutation == "boolean-answer":
        item = Q.item_ids[data.draw(st.integers(0, Q.n_items - 1), "item")]
        df[item] = [True] * n
        expect, must = None, MUST_FAIL
    path = where / "export.parquet"
    df.to_parquet(path)
    if mutation == "truncate":
        raw = path.read_bytes()
        path.write_bytes(raw[: data.draw(st.integers(0, len(raw) - 1), "cut at")])
        expect, must = None, MUST_FAIL

    _check("parquet", mutation, lambda: al.read_responses(path, Q), expect, must)
