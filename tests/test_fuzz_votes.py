"""Fuzzing the vote reader (issue 11, held to issue 9's rule): a Google Forms export of votes,
broken the way files break, is either refused with the library's own error or read exactly.

The pool: respondents with 10 picks in each of the three questions of ``berakhlak-culture-map``
(labels joined by ", " in the order of the list, some in English, some with odd case and
spacing). What the input holds is worked out from the mutation: a change of encoding, line
ends or quoting holds the same votes (must read, exactly); a NUL byte or a repeated header must
fail; a cut, a stray quote or a flipped byte may fail, but a read must give the untouched
respondents exactly and no other exception may escape.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import akhlak_levels as al

Q = al.load_questionnaire("berakhlak-culture-map")
N_B = len(Q.behaviours)
_rng = np.random.default_rng(20261206)
POOL = np.stack([np.stack([np.sort(_rng.choice(N_B, 10, replace=False)) for _ in range(3)]) for _ in range(30)])
UNITS = ["Bagian Umum", "Dinas Pendidikan, Kota", "Sekretariat – Timur", "U7"]
FUZZ = settings(max_examples=2 * settings.default.max_examples)


def _cell(picks: np.ndarray, style: int) -> str:
    labels = []
    for k, p in enumerate(picks.tolist()):
        lab = Q.behaviours[p].label["en" if style == 1 and k % 2 else "id"]
        labels.append(lab.upper() if style == 2 and k == 0 else lab)
    return (" ,  " if style == 2 else ", ").join(labels)


def _export(rows: list[int], style: int, first_personal=None) -> tuple[str, list[list[str]]]:
    """The export's text and table; ``first_personal`` rewrites the first respondent's personal cell."""
    table = [["Timestamp", "Unit Kerja", *(vq.text["id"] for vq in Q.vote_questions)]]
    for i, r in enumerate(rows):
        table.append([f"16/10/2023 09:{i:02d}:00", UNITS[r % len(UNITS)], *(_cell(POOL[r, qi], style) for qi in range(3))])
    if first_personal is not None:
        table[1][2] = first_personal(table[1][2])
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(table)
    return buf.getvalue(), table


def _read(path: Path) -> al.VoteSet:
    return al.read_votes(path, Q, unit_column="Unit Kerja", ignore_columns=["Timestamp"])


def _exact(v: al.VoteSet, rows: list[int]) -> None:
    assert v.unit is not None and v.unit.tolist() == [UNITS[r % len(UNITS)] for r in rows]
    expected = np.where(np.arange(v.picks.shape[2]) < 10, 0, -1)  # padding beyond 10 picks, if any
    got = v.picks[:, :, :10]
    assert np.array_equal(got, POOL[rows]), "other picks"
    assert (v.picks[:, :, 10:] == -1).all() and expected.shape[0] == v.picks.shape[2]


respondents = st.lists(st.integers(0, len(POOL) - 1), min_size=1, max_size=5, unique=True)
SAME = ["bom", "crlf", "quote-all", "semicolon-delimited", "blank-line-at-end"]
BROKEN = ["nul", "repeat-header", "cut", "stray-quote", "flip-byte", "unknown-label", "drop-a-label", "utf16"]


@FUZZ
@given(rows=respondents, style=st.integers(0, 2), mutation=st.sampled_from(SAME))
def test_a_harmless_change_of_form_reads_the_same_votes(tmp_path_factory, rows, style, mutation):
    text, table = _export(rows, style)
    raw = text.encode("utf-8")
    if mutation == "bom":
        raw = b"\xef\xbb\xbf" + raw
    elif mutation == "crlf":
        raw = text.replace("\n", "\r\n").encode()
    elif mutation == "quote-all":
        buf = io.StringIO()
        csv.writer(buf, quoting=csv.QUOTE_ALL, lineterminator="\n").writerows(table)
        raw = buf.getvalue().encode()
    elif mutation == "semicolon-delimited":
        buf = io.StringIO()
        csv.writer(buf, delimiter=";", lineterminator="\n").writerows(table)
        raw = buf.getvalue().encode()
    else:
        raw = raw + b"\n"
    path = tmp_path_factory.mktemp("v") / "votes.csv"
    path.write_bytes(raw)
    _exact(_read(path), rows)


@FUZZ
@given(rows=respondents, style=st.integers(0, 2), mutation=st.sampled_from(BROKEN), data=st.data())
def test_a_broken_export_is_refused_or_read_exactly(tmp_path_factory, rows, style, mutation, data):
    text, _ = _export(rows, style)
    if mutation == "unknown-label":
        text, _ = _export(rows, style, lambda cell: cell + ", menari")
    elif mutation == "drop-a-label":  # 9 picks where exactly 10 are asked
        text, _ = _export(rows, style, lambda cell: cell.split(",", 1)[1].strip())
    raw = bytearray(text.encode("utf-8"))
    header_end = raw.index(b"\n") + 1
    intact = list(rows)  # the respondents a read must give exactly
    must_fail = False
    if mutation == "nul":
        at = data.draw(st.integers(0, len(raw) - 1))
        raw[at:at] = b"\x00"
        must_fail = True
    elif mutation == "repeat-header":
        raw = raw[:header_end - 1] + b",Unit Kerja" + raw[header_end - 1:]
        must_fail = True
    elif mutation in ("unknown-label", "drop-a-label"):
        must_fail = True
    elif mutation == "utf16":
        raw = bytearray(b"\xff\xfe" + text.encode("utf-16-le"))
    else:  # cut, stray quote, flipped byte: in one data row, the rows before it untouched
        lines = text.split("\n")
        k = data.draw(st.integers(1, len(rows)))
        start = len("\n".join(lines[:k]).encode()) + 1
        end = start + len(lines[k].encode())
        at = data.draw(st.integers(start, max(start, end - 1)))
        intact = rows[: k - 1]
        if mutation == "cut":
            raw = raw[:at]
        elif mutation == "stray-quote":
            raw[at:at] = b'"'
        else:
            raw[at] = data.draw(st.integers(0, 255))
    path = tmp_path_factory.mktemp("v") / "votes.csv"
    path.write_bytes(bytes(raw))
    try:
        v = _read(path)
    except al.AkhlakLevelsError:
        return
    assert not must_fail, f"{mutation}: read {len(v)} respondents where the file is wrong"
    got = v.picks[: len(intact)]
    assert v.respondent_ids[: len(intact)].tolist() == [str(i + 1) for i in range(len(intact))]
    assert np.array_equal(got[:, :, :10], POOL[intact]), f"{mutation}: an untouched respondent changed"
    if mutation == "utf16":
        _exact(v, rows)
    elif mutation == "cut" and len(v) == len(rows):
        pass  # the cut kept whole labels that are still a valid set: allowed, rows before exact
    assert len(v) <= len(rows)


@pytest.mark.parametrize("on_invalid", ["raise", "missing"])
def test_a_bad_cell_names_its_row_and_question_or_is_flagged(tmp_path, on_invalid):
    text, _ = _export([0, 1, 2], 0, lambda cell: cell + ", menari")
    path = tmp_path / "votes.csv"
    path.write_text(text, encoding="utf-8")
    if on_invalid == "raise":
        with pytest.raises(al.ResponseError, match=r"row 2") as err:
            _read(path)
        assert "menari" in str(err.value)
        return
    v = al.read_votes(path, Q, unit_column="Unit Kerja", ignore_columns=["Timestamp"], on_invalid="missing")
    assert len(v) == 3 and v.flags.for_respondent(0) and not v.flags.for_respondent(1)
    assert np.array_equal(v.picks[1:, :, :10], POOL[[1, 2]])


# --------------------------------------------------------------------------- Parquet (the Arrow path)


def _parquet(rows: list[int], *, labels: bool = False, large: bool = False, **write) -> bytes:
    """The respondents as a Parquet file of one list column per question (ids, or labels in the
    pool's style), text ids "1".."n" and a unit column."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    text = pa.large_string() if large else pa.string()
    lists = pa.large_list(text) if large else pa.list_(text)
    cols = {"respondent_id": pa.array([str(i + 1) for i in range(len(rows))], type=text),
            "unit": pa.array([UNITS[r % len(UNITS)] for r in rows], type=text)}
    for qi, vq in enumerate(Q.vote_questions):
        cells = [[Q.behaviours[p].label["id"] if labels else Q.behaviours[p].id for p in POOL[r, qi].tolist()]
                 for r in rows]
        cols[vq.id] = pa.array(cells, type=lists)
    buf = io.BytesIO()
    pq.write_table(pa.table(cols), buf, **write)
    return buf.getvalue()


def _read_parquet(path: Path, plain: bool = False):
    """The votes of a Parquet file, or the library's error as text; ``plain``: as read before the
    Arrow path (pandas cells, every cell through the per-cell path)."""
    import akhlak_levels._readers as readers
    import akhlak_levels._votes_fast as fast
    import akhlak_levels._votes_read as votes_read

    with pytest.MonkeyPatch.context() as m:
        if plain:
            m.setattr(votes_read, "source_tables", lambda *a, **k: readers.source_tables(*a, **{**k, "arrow": False}))
            m.setattr(fast, "FORCE_SLOW", True)
        try:
            v = al.read_votes(path, Q, unit_column="unit")
        except al.AkhlakLevelsError as exc:
            return "error", type(exc).__name__, str(exc)
    return v.respondent_ids.tolist(), v.picks.tolist(), v.unit.tolist() if v.unit is not None else None


PARQUET_FORMS = [{"compression": c} for c in ("snappy", "zstd", "gzip", "none")] + [
    {"row_group_size": 1}, {"row_group_size": 2}, {"use_dictionary": False}, {"data_page_size": 64},
    {"large": True}, {"labels": True}, {"labels": True, "row_group_size": 2, "use_dictionary": False}]


@FUZZ
@given(rows=respondents, form=st.sampled_from(PARQUET_FORMS))
def test_a_parquet_file_in_any_form_reads_the_same_votes(tmp_path_factory, rows, form):
    form = dict(form)
    path = tmp_path_factory.mktemp("p") / "votes.parquet"
    path.write_bytes(_parquet(rows, labels=form.pop("labels", False), large=form.pop("large", False), **form))
    v = al.read_votes(path, Q, unit_column="unit")
    assert v.respondent_ids.tolist() == [str(i + 1) for i in range(len(rows))]
    _exact(v, rows)


@FUZZ
@given(rows=respondents, form=st.sampled_from(PARQUET_FORMS), mutation=st.sampled_from(["cut", "flip-byte", "zeros"]),
       data=st.data())
def test_a_broken_parquet_file_is_refused_or_read_as_before(tmp_path_factory, rows, form, mutation, data):
    """A cut, a flipped byte or a run of zeros ends in the library's own error or a read, and the
    Arrow path ends exactly as the reading before it (the same votes, or the same message)."""
    form = dict(form)
    raw = bytearray(_parquet(rows, labels=form.pop("labels", False), large=form.pop("large", False), **form))
    at = data.draw(st.integers(0, len(raw) - 1))
    if mutation == "cut":
        raw = raw[:at]
    elif mutation == "flip-byte":
        raw[at] ^= data.draw(st.integers(1, 255))
    else:
        raw[at:at + 8] = bytes(len(raw[at:at + 8]))
    path = tmp_path_factory.mktemp("p") / "votes.parquet"
    path.write_bytes(bytes(raw))
    got = _read_parquet(path)
    if _decodings_agree(path):  # else pyarrow itself reads the damaged pages two ways (below)
        assert got == _read_parquet(path, plain=True), mutation
    if got[0] != "error":
        assert len(got[0]) <= len(rows)


def _decodings_agree(path: Path) -> bool:
    """Whether pyarrow reads the file alike as a plain read does (``read_table``) and as the Arrow
    path does (``ParquetFile`` with its texts as dictionaries). A damaged page that no checksum guards can decode to other values
    either way without an error (a flipped byte in a list's lengths, found by this fuzz: 10
    behaviours read plainly, 4 as dictionaries); the library cannot be more consistent than its
    decoder, so then both paths need only end in the library's own error or a read."""
    import pyarrow.parquet as pq

    def read(dictionary: bool) -> object:
        try:
            if not dictionary:
                return pq.read_table(path).to_pylist()
            names = [c.path for c in pq.ParquetFile(path).schema]
            return pq.ParquetFile(path, read_dictionary=names).read().to_pylist()
        except Exception as exc:  # noqa: BLE001 - any refusal counts as one outcome
            return type(exc)

    return read(False) == read(True)
