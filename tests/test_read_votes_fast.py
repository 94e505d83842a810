"""The vectorised reading of vote cells (akhlak_levels._votes_fast) against the per-cell path.

Random picks, good and bad (unknown ids, repeats, too many, too few, empty and NA cells, odd
case and white space, non-ASCII text, labels with commas), are written as Parquet lists, ODK
space-separated ids and Google Forms labels; both paths must give the same VoteSet or the same
ResponseError, message for message.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import akhlak_levels._votes_fast as fast
from akhlak_levels import ResponseError, load_questionnaire, read_votes
from akhlak_levels._votes_cells import VoteKeys

ROOT = Path(__file__).resolve().parents[1]
CULTURE = load_questionnaire("berakhlak-culture-map")


def _tiny(comma: bool):
    doc = json.loads((ROOT / "tests/data/schemas/questionnaire-votes.valid.json").read_text(encoding="utf-8"))
    if comma:  # a label holding the separator: such texts are split by matching, per cell
        for b in doc["behaviours"]:
            if b["id"] == "ikhlas":
                b["label"]["en"] = "sincere, truly"
    return doc


def _load(doc, tmp: Path):
    path = tmp / "q.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return load_questionnaire(path)


def _read(source, q, slow: bool, **kw):
    """The VoteSet (or the error's message and problems) read with one path."""
    fast.FORCE_SLOW = slow
    try:
        v = read_votes(source, q, **kw)
    except ResponseError as exc:
        return ("error", str(exc), [(p.row, p.respondent, p.item, p.message, repr(p.value)) for p in exc.problems])
    finally:
        fast.FORCE_SLOW = False
    return ("ok", v.respondent_ids.tolist(), v.picks.tolist(), v.flags.names,
            [v.flags[n].tolist() for n in v.flags.names], v.unit.tolist() if v.unit is not None else None)


# A cell: a kind and a seed; the kinds cover every rule the per-cell path reports.
KINDS = ["good", "good", "good", "good", "empty", "na", "unknown", "repeat", "many", "few", "spaces", "nonascii",
         "null"]


def _tokens(q, qi: int, kind: str, rng: np.random.Generator) -> list[str] | None:
    """The behaviours of one cell as their position's id (``#k``) or a raw piece, or None (null)."""
    vq = q.vote_questions[qi]
    offered = [i for i, b in enumerate(q.behaviours) if b.id in vq.behaviour_ids]
    k = int(rng.integers(vq.min_picks, vq.max_picks + 1))
    if kind == "null":
        return None
    if kind in ("empty", "na"):
        return []
    if kind == "few" and vq.min_picks > 1:
        k = int(rng.integers(1, vq.min_picks))
    if kind == "many":
        k = min(vq.max_picks + 1, len(q.behaviours))
        return [f"#{p}" for p in rng.choice(len(q.behaviours), k, replace=False)]
    picks = [f"#{p}" for p in rng.choice(offered, min(k, len(offered)), replace=False)]
    if kind == "repeat" and picks:
        picks.append(picks[0])
    if kind == "unknown":
        picks[int(rng.integers(len(picks)))] = "bukan-perilaku"
    if kind == "nonascii" and picks:
        picks.append("perilaku-é")
    if kind == "repeat" or kind == "unknown":
        return picks
    return picks


def _write(q, tokens: list[list[list[str] | None]], kinds: list[list[str]], how: str, rng: np.random.Generator,
           tmp: Path):
    """The cells as a Parquet file of lists, a Parquet file of ODK ids, or a Google Forms CSV."""
    def name(tok: str, lang: str, style: int) -> str:
        if not tok.startswith("#"):
            return tok
        b = q.behaviours[int(tok[1:])]
        text = b.id if how != "google" else b.label[lang]
        return [text, text.upper(), f"  {text.title()} "][style]

    columns: dict[str, list] = {"respondent_id": [f"r{i}" for i in range(len(tokens))]}
    for qi, vq in enumerate(q.vote_questions):
        col: list = []
        for r, cells in enumerate(tokens):
            toks, kind = cells[qi], kinds[r][qi]
            style = int(rng.integers(3)) if kind == "spaces" else 0
            lang = "en" if rng.random() < 0.3 else "id"
            if toks is None:
                col.append(None)
                continue
            parts = [name(t, lang, style) for t in toks]
            if how == "lists":
                col.append(parts)
            elif kind == "na":
                col.append(["", "NA", " n/a ", "-"][int(rng.integers(4))])
            else:
                sep = " " if how == "odk" else (", " if style == 0 else " ;\t")
                col.append(sep.join(parts))
        columns[vq.id] = col
    if how == "lists":
        table = pa.table({k: pa.array(v, type=pa.list_(pa.string())) if k != "respondent_id" else pa.array(v)
                          for k, v in columns.items()})
    else:
        table = pa.table(columns)
    path = tmp / f"votes-{how}.{'csv' if how == 'google' else 'parquet'}"
    if how == "google":
        import pyarrow.csv as pa_csv

        pa_csv.write_csv(table, path)
    else:
        pq.write_table(table, path)
    return path


@pytest.mark.parametrize("which", ["culture", "tiny", "comma"])
@settings(max_examples=25, derandomize=True, deadline=None)
@given(data=st.data())
def test_fast_path_reads_as_the_per_cell_path(which, data, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("fast")
    q = CULTURE if which == "culture" else _load(_tiny(which == "comma"), tmp)
    n = data.draw(st.integers(1, 12), label="n")
    seed = data.draw(st.integers(0, 2**32 - 1), label="seed")
    bad = data.draw(st.booleans(), label="with bad cells")
    rng = np.random.default_rng(seed)
    pool = KINDS if bad else ["good", "good", "empty", "na", "spaces", "null"]
    kinds = [[pool[int(rng.integers(len(pool)))] for _ in q.vote_questions] for _ in range(n)]
    tokens = [[_tokens(q, qi, kinds[r][qi], rng) for qi in range(len(q.vote_questions))] for r in range(n)]
    for how in ("lists", "odk", "google"):
        path = _write(q, tokens, kinds, how, rng, tmp)
        for on_invalid in ("raise", "missing"):
            want = _read(path, q, True, on_invalid=on_invalid)
            got = _read(path, q, False, on_invalid=on_invalid)
            assert got == want, (how, on_invalid)


def test_records_and_dataframe_lists_agree():
    rng = np.random.default_rng(7)
    ids = [b.id for b in CULTURE.behaviours]
    rows = []
    for r in range(40):
        row: dict[str, object] = {"respondent_id": f"r{r}"}
        for vq in CULTURE.vote_questions:
            cell = list(rng.choice(ids, 10, replace=False))
            row[vq.id] = cell if r % 7 else cell[:9] + [cell[0]]  # every 7th repeats a behaviour
        rows.append(row)
    for on_invalid in ("raise", "missing"):
        assert _read(rows, CULTURE, False, on_invalid=on_invalid) == _read(rows, CULTURE, True, on_invalid=on_invalid)
    good = _read(rows[1:7], CULTURE, False)
    assert good[0] == "ok" and all(len(set(p)) == 10 for row in good[2] for p in row)


def test_fast_cells_leaves_only_what_it_cannot_decide():
    keys = VoteKeys(CULTURE)
    offered = np.ones(len(CULTURE.behaviours), dtype=bool)
    ten = [b.id for b in CULTURE.behaviours[:10]]
    col = np.array([" ".join(ten), ", ".join(t.upper() for t in ten), " ".join(ten[:9]), "", "jujur é"], dtype=object)
    values, index, mat, undecided = fast.fast_cells(col, keys, offered, 10, 10, 10)
    assert undecided.tolist() == [False, False, True, False, True]
    assert mat[0].tolist() == mat[1].tolist() == list(range(10)) and (mat[2:] == -1).all()
    assert index.tolist() == [0, 1, 2, 3, 4] and values[4] == "jujur é"


def test_odd_list_cells_read_as_the_per_cell_path():
    pd = pytest.importorskip("pandas")
    ten = [b.id for b in CULTURE.behaviours[:10]]
    odd = [
        np.array(ten, dtype=object), np.array(ten), list(ten), np.array(ten[:9] + [None], dtype=object),
        ten[:9] + [3], ten[:9] + [float("nan")], [], np.array([], dtype=object), ten[:9] + [" Cermat\t"],
        [t.upper() for t in ten[:9]] + ["é"], ten[:5] + ten[:5], None, float("nan"), tuple(ten), np.arange(10),
        np.array(ten, dtype="S"), [t.encode() for t in ten], np.array([b"jujur"] + ten[1:], dtype=object), 3.0,
    ]
    for k in range(len(odd)):  # numpy joins bytes and text into text: both paths must still refuse the bytes
        for cells in ([odd[k]] * 3, [odd[k], list(ten), None], [list(ten), odd[k]], [np.array(ten), odd[k]],
                      [odd[k], np.array(ten, dtype=object)], [" ".join(ten), odd[k]]):
            col = np.empty(len(cells), dtype=object)
            col[:] = cells
            df = pd.DataFrame({"respondent_id": [f"r{i}" for i in range(len(cells))], "personal": col})
            for on_invalid in ("raise", "missing"):
                assert _read(df, CULTURE, False, on_invalid=on_invalid) == _read(df, CULTURE, True, on_invalid=on_invalid), k
    df = pd.DataFrame({"personal": [np.array(ten)] * 2 + [ten[:9] + [ten[0]]]})
    got = _read(df, CULTURE, False, on_invalid="missing")
    assert got[3] == ("invalid:personal",) and got[4] == [[False, False, True]] and got[2][0][0] == sorted(range(10))


# --------------------------------------------------------------------------- Parquet kept as Arrow


def _both(source, q, **kw):
    """``_read`` with the respondent ids' dtype and the waves added."""
    got = _read(source, q, False, **kw)
    if got[0] == "ok":
        v = read_votes(source, q, **kw)
        got = (*got, str(v.respondent_ids.dtype), None if v.wave is None else v.wave.tolist())
    return got


def _read_arrow(source, q, **kw):
    """As read_votes reads a Parquet file now."""
    return _both(source, q, **kw)


def _with_dtype(source, q, **kw):
    """As read_votes read a Parquet file before the Arrow path: the reader's pandas cells (no
    ``arrow``) and every cell and id through the per-cell path."""
    import akhlak_levels._readers as readers
    import akhlak_levels._votes_read as votes_read

    with pytest.MonkeyPatch.context() as m:
        m.setattr(votes_read, "source_tables", lambda *a, **k: readers.source_tables(*a, **{**k, "arrow": False}))
        want = _read(source, q, True, **kw)
        if want[0] == "ok":
            fast.FORCE_SLOW = True
            try:
                v = read_votes(source, q, **kw)
            finally:
                fast.FORCE_SLOW = False
            want = (*want, str(v.respondent_ids.dtype), None if v.wave is None else v.wave.tolist())
    return want


# A list cell: good picks (ids or labels, odd case and spacing), or broken the ways a rule breaks.
LIST_KINDS = ["good", "good", "good", "good", "empty", "null", "null-element", "unknown", "repeat", "many", "few",
              "nonascii", "unoffered", "na-element", "int-like"]
# An id: text, or broken the ways ids break (empty, NA token, repeated, spaces at the ends, null).
ID_KINDS = ["text", "text", "text", "text", "empty", "na", "repeat", "padded", "null", "long"]


def _list_cell(q, qi: int, kind: str, rng: np.random.Generator) -> list | None:
    vq = q.vote_questions[qi]
    offered = [i for i, b in enumerate(q.behaviours) if b.id in vq.behaviour_ids]
    if kind == "null":
        return None
    if kind == "empty":
        return []
    k = int(rng.integers(vq.min_picks, vq.max_picks + 1))
    if kind == "few" and vq.min_picks > 1:
        k = int(rng.integers(1, vq.min_picks))
    chosen = list(rng.choice(len(q.behaviours), min(vq.max_picks + 1, len(q.behaviours)), replace=False)) \
        if kind == "many" else list(rng.choice(offered, min(k, len(offered)), replace=False))
    if kind == "unoffered":
        others = [i for i in range(len(q.behaviours)) if i not in offered]
        if others:
            chosen[0] = others[0]
    cell: list = []
    for p in chosen:
        b = q.behaviours[int(p)]
        text = [b.id, b.label["id"], b.label["en"]][int(rng.integers(3))]
        cell.append([text, text.upper(), f" {text.title()}\t"][int(rng.integers(3))])
    if kind == "repeat" and cell:
        cell.append(cell[0].lower())
    if kind == "null-element" and cell:
        cell[int(rng.integers(len(cell)))] = None
    if kind == "unknown" and cell:
        cell[int(rng.integers(len(cell)))] = "bukan-perilaku"
    if kind == "nonascii" and cell:  # unknown, or a key once NFKC-folded (full width, no-break space)
        cell[-1] = [cell[-1] + "é", "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in cell[-1]),
                    "\u00a0" + cell[-1]][int(rng.integers(3))]
    if kind == "na-element" and cell:
        cell[0] = "NA"
    if kind == "int-like" and cell:
        cell[0] = "3"
    return cell


def _ids(kinds: list[str]) -> list[str | None]:
    out: list[str | None] = []
    for r, kind in enumerate(kinds):
        out.append({"text": f"r{r}", "empty": "", "na": "n/a", "repeat": "r0", "padded": f" r{r}", "null": None,
                    "long": f"respondent-{r:06d}-x"}[kind])
    return out


def _parquet(q, cells, ids, units, waves, tmp: Path, *, list_type, text_type, id_type, unit_dict: bool,
             row_group: int | None, chunks: int) -> Path:
    """One Parquet file of the cells, with the given Arrow types, row groups and chunks."""
    n = len(ids)
    if id_type == "int":
        id_arr = pa.array([None if i is None else 1000 + k for k, i in enumerate(ids)], type=pa.int64())
    else:
        id_arr = pa.array(ids, type=pa.large_string() if id_type == "large" else pa.string())
        if id_type == "dict":
            id_arr = id_arr.dictionary_encode()
    unit_arr = pa.array(units, type=pa.string())
    columns = {"respondent_id": id_arr, "unit": unit_arr.dictionary_encode() if unit_dict else unit_arr,
               "wave": pa.array(waves, type=pa.string())}
    for qi, vq in enumerate(q.vote_questions):
        columns[vq.id] = pa.array([c[qi] for c in cells], type=list_type(text_type()))
    table = pa.table(columns)
    if chunks > 1:  # the same table in several record batches
        cut = sorted({int(x) for x in np.linspace(0, n, chunks + 1)})
        table = pa.Table.from_batches([b for lo, hi in zip(cut, cut[1:]) for b in table.slice(lo, hi - lo).to_batches()])
    path = tmp / "votes.parquet"
    pq.write_table(table, path, row_group_size=row_group)
    return path


@pytest.mark.parametrize("which", ["culture", "tiny", "comma"])
@settings(max_examples=30, derandomize=True, deadline=None)
@given(data=st.data())
def test_parquet_arrow_path_reads_as_before(which, data, tmp_path_factory):
    """The Arrow path against the reading before it (pandas cells, per-cell path): the same
    VoteSet (ids and their dtype, picks, flags, unit, wave) or the same error, problem for problem,
    over list and text types, ids of every kind, row groups and chunks."""
    tmp = tmp_path_factory.mktemp("arrow")
    q = CULTURE if which == "culture" else _load(_tiny(which == "comma"), tmp)
    n = data.draw(st.integers(1, 14), label="n")
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1), label="seed"))
    bad = data.draw(st.booleans(), label="bad cells")
    bad_ids = data.draw(st.booleans(), label="bad ids")
    kinds = [[LIST_KINDS[int(rng.integers(len(LIST_KINDS)))] if bad else "good" for _ in q.vote_questions]
             for _ in range(n)]
    cells = [[_list_cell(q, qi, kinds[r][qi], rng) for qi in range(len(q.vote_questions))] for r in range(n)]
    id_kinds = [ID_KINDS[int(rng.integers(len(ID_KINDS)))] if bad_ids else "text" for _ in range(n)]
    units = [["Umum", "Keuangan", None, "  Biro  Hukum "][int(rng.integers(4))] for _ in range(n)]
    waves = ["2024", "2025"][int(rng.integers(2))]
    kw = dict(
        list_type=data.draw(st.sampled_from([pa.list_, pa.large_list]), label="list type"),
        text_type=data.draw(st.sampled_from([pa.string, pa.large_string]), label="text type"),
        id_type=data.draw(st.sampled_from(["text", "large", "dict", "int"]), label="id type"),
        unit_dict=data.draw(st.booleans(), label="unit dictionary"),
        row_group=data.draw(st.sampled_from([None, 1, 3]), label="row group"),
        chunks=data.draw(st.sampled_from([1, 2, 4]), label="chunks"),
    )
    path = _parquet(q, cells, _ids(id_kinds), units, [waves] * n, tmp, **kw)
    for on_invalid in ("raise", "missing"):
        want = _with_dtype(path, q, on_invalid=on_invalid)
        got = _read_arrow(path, q, on_invalid=on_invalid)
        assert got == want, (kw, on_invalid)


def test_parquet_arrow_path_decides_good_lists_itself(tmp_path, monkeypatch):
    """Good list cells and plain ids never reach the per-cell path (what the speed comes from),
    and a bad cell still does, with the message it always had."""
    import akhlak_levels._votes_read as votes_read

    ids = [b.id for b in CULTURE.behaviours]
    rng = np.random.default_rng(3)
    rows = [[list(rng.choice(ids, 10, replace=False)) for _ in range(3)] for _ in range(200)]
    rows[17][1] = rows[17][1][:9] + [rows[17][1][0]]
    path = _parquet(CULTURE, rows, [f"r{k}" for k in range(200)], ["U"] * 200, ["1"] * 200, tmp_path,
                    list_type=pa.list_, text_type=pa.string, id_type="text", unit_dict=False, row_group=64, chunks=3)
    seen: list[object] = []
    real = votes_read.read_cell
    with monkeypatch.context() as m:
        m.setattr(votes_read, "read_cell", lambda v, keys: (seen.append(v), real(v, keys))[1])
        with pytest.raises(ResponseError) as err:
            read_votes(path, CULTURE)
    assert len(seen) == 1 and list(seen[0]) == rows[17][1]
    assert err.value.problems[0].row == 18 and "picked more than once" in err.value.problems[0].message
    assert _read_arrow(path, CULTURE, on_invalid="missing") == _with_dtype(path, CULTURE, on_invalid="missing")


@pytest.mark.parametrize("typ", ["list<int>", "list<dictionary>", "fixed_size_list", "list<list<string>>"])
def test_parquet_lists_of_other_types_read_as_before(tmp_path, monkeypatch, typ):
    """Lists the Arrow path does not read (behaviour positions as integers are not a format of
    read_votes; a list of dictionaries; nested lists) are read, or refused, as before."""
    ids = [b.id for b in CULTURE.behaviours[:10]]
    if typ == "list<int>":
        arr = pa.array([list(range(10))] * 4, type=pa.list_(pa.int64()))
    elif typ == "list<dictionary>":
        arr = pa.array([ids] * 4, type=pa.list_(pa.string())).cast(pa.list_(pa.dictionary(pa.int32(), pa.string())))
    elif typ == "fixed_size_list":
        arr = pa.array([ids] * 4, type=pa.list_(pa.string(), 10))
    else:
        arr = pa.array([[ids]] * 4, type=pa.list_(pa.list_(pa.string())))
    for row_group in (None, 2):
        path = tmp_path / f"{typ}-{row_group}.parquet".replace("<", "_").replace(">", "_")
        pq.write_table(pa.table({"respondent_id": ["a", "b", "c", "d"], "personal": arr}), path, row_group_size=row_group)
        for on_invalid in ("raise", "missing"):
            assert _read_arrow(path, CULTURE, on_invalid=on_invalid) == _with_dtype(path, CULTURE, on_invalid=on_invalid)


@pytest.mark.parametrize("ids", [
    [f"respondent-{k:06d}-of-the-survey" for k in range(6)],  # longer than 8 bytes: hashed
    [f"respondent-{k:06d}-of-the-survey" for k in range(5)] + ["respondent-000002-of-the-survey"],
    ["a", "b", "c", "d", "e", "a"], ["a", "bb", "ccc", "d", "e", " f"], ["1", "2", "3", "4", "5", "NaN"],
    ["x  y", "x y", "n  a", "N/A ", "p", "q"],
])
def test_parquet_text_ids_read_at_once_or_as_before(tmp_path, ids):
    """Ids read at once are the per-cell reading's; a repeat (long ids are compared by hash, then
    by the per-cell reading) or an id that is not plain text is reported as before."""
    ten = [b.id for b in CULTURE.behaviours[:10]]
    for dictionary in (False, True):
        arr = pa.array(ids)
        path = tmp_path / f"ids-{dictionary}.parquet"
        pq.write_table(pa.table({"respondent_id": arr.dictionary_encode() if dictionary else arr,
                                 "personal": pa.array([ten] * len(ids))}), path)
        for on_invalid in ("raise", "missing"):
            assert _read_arrow(path, CULTURE, on_invalid=on_invalid) == _with_dtype(path, CULTURE, on_invalid=on_invalid)
    got = _read_arrow(path, CULTURE)
    assert got[0] == "error" or got[1] == [i.strip() for i in ids]


@pytest.mark.parametrize("layout", ["long", "indicators", "odk"])
def test_parquet_other_layouts_read_as_before(tmp_path, layout):
    """Long tables, one 0/1 column per behaviour and ODK text cells from Parquet: the columns the
    Arrow path does not read itself give the cells they always gave."""
    rng = np.random.default_rng(11)
    ids = [b.id for b in CULTURE.behaviours]
    n = 30
    picks = [[list(rng.choice(ids, 10, replace=False)) for _ in CULTURE.vote_questions] for _ in range(n)]
    picks[4][0] = picks[4][0][:9] + [picks[4][0][1]]  # a repeat
    picks[7][2] = picks[7][2][:8]  # too few
    if layout == "long":
        rows = [(f"r{r}", vq.id, b) for r in range(n) for qi, vq in enumerate(CULTURE.vote_questions) for b in picks[r][qi]]
        table = pa.table({"respondent_id": [x[0] for x in rows], "question": [x[1] for x in rows],
                          "behaviour": [x[2] for x in rows], "unit": ["U" + x[0][-1] for x in rows]})
    elif layout == "indicators":
        cols: dict[str, list] = {"respondent_id": [f"r{r}" for r in range(n)]}
        for qi, vq in enumerate(CULTURE.vote_questions[:1]):
            for b in ids:
                cols[f"{vq.id}/{b}"] = [int(b in picks[r][qi]) if r != 9 else "ya" for r in range(n)] if b == ids[0] \
                    else [int(b in picks[r][qi]) for r in range(n)]
        cols[f"{CULTURE.vote_questions[0].id}/{ids[0]}"] = [str(x) for x in cols[f"{CULTURE.vote_questions[0].id}/{ids[0]}"]]
        table = pa.table(cols)
    else:
        cols = {"respondent_id": [f"r{r}" for r in range(n)]}
        for qi, vq in enumerate(CULTURE.vote_questions):
            cols[vq.id] = [" ".join(picks[r][qi]) for r in range(n)]
        table = pa.table(cols)
    for row_group in (None, 7):
        path = tmp_path / f"{layout}-{row_group}.parquet"
        pq.write_table(table, path, row_group_size=row_group)
        for on_invalid in ("raise", "missing"):
            assert _read_arrow(path, CULTURE, on_invalid=on_invalid) == _with_dtype(path, CULTURE, on_invalid=on_invalid)
    if layout == "odk":
        got = _read_arrow(path, CULTURE, on_invalid="missing")
        assert got[0] == "ok" and got[3] == ("invalid:personal", "invalid:desired")
        assert got[4][0][4] and got[4][1][7] and sum(map(sum, got[4])) == 2
