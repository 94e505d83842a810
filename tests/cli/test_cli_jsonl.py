"""The columnar JSON lines writer: every line parses to exactly the record ``to_records`` gives
(values and types), whatever the text (quotes, backslashes, control characters, any Unicode),
the floats (NaN, infinities, -0.0, extremes) and the flags."""

import io
import json

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from akhlak_levels import assess, load_questionnaire, simulate
from akhlak_levels._tables import records
from akhlak_levels.cli._jsonl import jsonl_bytes
from akhlak_levels.cli._main import main

TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=12)  # no lone surrogates: not UTF-8
FLAG = st.text(st.characters(exclude_categories=("Cs",), exclude_characters=";"), min_size=1, max_size=8)


def expected(cols):
    want = dict(cols)
    want["flags"] = [s.split(";") if s else [] for s in cols["flags"]]
    return records(want)


@given(st.integers(0, 30).flatmap(lambda n: st.tuples(
    st.lists(TEXT, min_size=n, max_size=n),
    st.lists(st.one_of(st.none(), TEXT), min_size=n, max_size=n),
    arrays(np.float64, n, elements=st.floats(allow_nan=True, allow_infinity=True)),
    arrays(np.int64, n, elements=st.integers(-2**62, 2**62)),
    st.lists(st.lists(FLAG, max_size=3), min_size=n, max_size=n),
)))
def test_lines_parse_to_the_records(data):
    ids, units, floats, ints, flags = data
    cols = {
        "respondent_id": np.array(ids, dtype=str) if ids else np.array([], dtype=str),
        "unit": np.array(units, dtype=object),
        "p": floats,
        "n": ints,
        "flags": np.array([";".join(f) for f in flags], dtype=object),
    }
    lines = jsonl_bytes(cols).decode("utf-8").split("\n")
    assert lines[-1] == ""
    got = [json.loads(line) for line in lines[:-1]]
    want = expected(cols)
    assert len(got) == len(want)
    for g, w in zip(got, want):
        assert list(g) == list(w)
        for k in w:
            assert g[k] == w[k] or (g[k] is None and w[k] is None), k
            assert type(g[k]) is type(w[k]), (k, g[k], w[k])


def test_a_column_mixing_numbers_and_text_is_written_value_by_value():
    cols = {"g": np.array([1, "a", None, 2.5], dtype=object), "flags": np.array(["", "", "", ""], dtype=object)}
    got = [json.loads(x) for x in jsonl_bytes(cols).decode().splitlines()]
    assert [r["g"] for r in got] == [1, "a", None, 2.5]


def test_score_writes_jsonl_equal_to_the_records(tmp_path):
    q = load_questionnaire("socio-emotional-levels")
    rs, _ = simulate(q, 300, missing=0.3, random_state=3)
    src = tmp_path / "r.csv"
    src.write_text("respondent_id," + ",".join(q.item_ids) + "\n" + "\n".join(
        f"{rid}," + ",".join("" if c < 0 else str(c + 1) for c in row) for rid, row in zip(rs.respondent_ids, rs.codes)) + "\n")
    out = tmp_path / "levels.jsonl"
    err = io.StringIO()
    assert main(["score", str(src), "-q", q.id, "-o", str(out), "--batch-size", "70"], stdout=io.StringIO(), stderr=err) == 0
    got = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    want = assess(q, rs).to_records()
    assert len(got) == 300 and [g["respondent_id"] for g in got] == [w["respondent_id"] for w in want]
    for g, w in zip(got, want):
        assert g.keys() == w.keys()
        for k in w:
            if isinstance(w[k], float):
                assert abs(g[k] - w[k]) <= 1e-12 * max(1.0, abs(w[k])), k  # scored in other batches: rounding only
            else:
                assert g[k] == w[k], k


def test_text_with_nul_is_written_whole_to_csv_and_jsonl():
    """pyarrow's conversion of numpy text ends a value at its first NUL; the writers do not."""
    import csv

    from akhlak_levels.cli._output import AssessmentWriter

    q = load_questionnaire("berakhlak")
    rows = [{"respondent_id": rid, **{it.id: 3 for it in q.items}} for rid in ("a\x00b", "c")]
    a = assess(q, rows)
    assert a.respondent_ids.tolist() == ["a\x00b", "c"]
    for name in ("x.csv", "x.jsonl"):
        buf = io.BytesIO()
        AssessmentWriter(buf, name, "en").write(a)
        text = buf.getvalue().decode("utf-8")
        if name.endswith(".jsonl"):
            ids = [json.loads(x)["respondent_id"] for x in text.splitlines()]
        else:
            ids = [r["respondent_id"] for r in csv.DictReader(io.StringIO(text))]
        assert ids == ["a\x00b", "c"], name
