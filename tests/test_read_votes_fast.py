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
