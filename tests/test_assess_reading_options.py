"""``assess`` of a path takes the options of the reader (label map, date order, columns...):
passed through to :func:`read_responses` (or :func:`read_votes`), checked by name, and refused
when the responses are already read (they would be ignored)."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from akhlak_levels import assess, load_questionnaire, read_responses, read_votes
from akhlak_levels.errors import ResponseError

EXAMPLES = Path(__file__).resolve().parents[1] / "questionnaires" / "examples"

#: Another label set for Likert 1..5 and the map back to the codes.
WORDS = ("Tak pernah sama sekali", "Hampir tak pernah", "Kadang", "Hampir selalu", "Senantiasa")
MAP = {"labels": {w: c for c, w in enumerate(WORDS, 1)}}


@pytest.fixture(scope="module")
def q():
    return load_questionnaire("socio-emotional-levels")


def _export(path, q, n=6):
    """A CSV of ``n`` respondents answering in :data:`WORDS`, with day-first dates that cannot
    tell their order (days <= 12); returns the path and the codes 1..k."""
    codes = np.array([[1 + (r * 7 + j) % it.n_options for j, it in enumerate(q.items)] for r in range(n)])
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["respondent_id", "date", *q.item_ids])
        w.writerows([f"R{r}", f"0{1 + r % 9}/02/2024", *(WORDS[c - 1] for c in row)] for r, row in enumerate(codes))
    return str(path), codes


def test_assess_of_a_path_applies_the_label_map_and_date_order(tmp_path, q):
    path, codes = _export(tmp_path / "export.csv", q)
    with pytest.raises(ResponseError):  # the words are not the questionnaire's labels
        assess(q, path)

    a = assess(q, path, label_map=MAP, dayfirst=True)

    # the same as reading with the options first, and as scoring the codes themselves
    by_hand = assess(q, read_responses(path, q, label_map=MAP, dayfirst=True))
    from_codes = assess(q, codes.astype(float))
    assert_array_equal(a.respondent_ids, [f"R{r}" for r in range(len(codes))])
    assert_allclose(a.probabilities, from_codes.probabilities, rtol=0, atol=0)
    assert_allclose(a.scale_scores, by_hand.scale_scores, rtol=0, atol=0)
    assert [str(d)[:10] for d in a.date] == [f"2024-02-0{1 + r % 9}" for r in range(len(codes))]


def test_the_date_order_reaches_the_reader(tmp_path, q):
    path, _ = _export(tmp_path / "export.csv", q)
    with pytest.raises(ResponseError, match="cannot be told"):  # never guessed
        assess(q, path, label_map=MAP)
    a = assess(q, path, label_map=MAP, dayfirst=False)
    assert str(a.date[0])[:10] == "2024-01-02"  # 01/02 month first: 2 January


def test_an_unknown_reading_option_is_refused_with_the_parameter_error(tmp_path, q):
    path, _ = _export(tmp_path / "export.csv", q)
    with pytest.raises(TypeError, match=re.escape(
            "The 'labelmap' parameter of assess must be a reading option of read_responses (one of id_column, "
            "unit_column")) as info:
        assess(q, path, labelmap=MAP)
    assert str(info.value).endswith("source_format). Got {'labels': {'Tak pernah sama sekali': 1, 'Hampir tak pernah': 2, "
                                    "'Kadang': 3, 'Hampir selalu': 4, 'Senantiasa': 5}} instead.")


def test_a_reading_option_with_responses_already_read_is_refused(tmp_path, q):
    path, _ = _export(tmp_path / "export.csv", q)
    rs = read_responses(path, q, label_map=MAP, dayfirst=True)
    with pytest.raises(ValueError, match=re.escape(
            "The 'dayfirst' parameter of assess must be left out when the responses are already read (a "
            "ResponseSet): pass it to read_responses. Got True instead.")):
        assess(q, rs, dayfirst=True)


def test_a_vote_instrument_takes_the_options_of_read_votes():
    vq = load_questionnaire("berakhlak-culture-map")
    path = str(EXAMPLES / "berakhlak-culture-map-google-forms.csv")

    with pytest.raises(ResponseError, match="unknown column"):  # 'Unit Kerja' is no column the reader knows
        assess(vq, path)
    a = assess(vq, path, unit_column="Unit Kerja")

    votes = read_votes(path, vq, unit_column="Unit Kerja")
    assert set(a.unit.tolist()) == set(votes.unit.tolist()) and "Bagian Umum" in set(a.unit.tolist())
    assert_allclose(a.probabilities, assess(vq, votes).probabilities, rtol=0, atol=0)
    with pytest.raises(TypeError, match="The 'label_map' parameter of assess must be a reading option of read_votes"):
        assess(vq, path, label_map=MAP)
    with pytest.raises(ValueError, match="The 'unit_column' parameter of assess must be left out when the votes"):
        assess(vq, votes, unit_column="Unit Kerja")


def _same_table(a, b) -> None:
    """Two result tables (reliability, item analysis, careless, DIF) hold the same values."""
    assert [k for k in a.__dict__] == [k for k in b.__dict__]
    for k, v in a.__dict__.items():
        w = b.__dict__[k]
        if isinstance(v, np.ndarray) and v.dtype.kind == "f":
            assert_allclose(v, w, rtol=0, atol=0, equal_nan=True)
        elif isinstance(v, np.ndarray):
            assert_array_equal(v, w)
        elif hasattr(v, "as_strings"):  # Flags
            assert v.as_strings() == w.as_strings(), k
        else:
            assert v == w, k


@pytest.mark.parametrize("analysis", ["reliability", "item_analysis", "careless", "dif"])
def test_the_quality_analyses_of_a_path_take_the_reading_options(tmp_path, q, analysis):
    """``reliability``, ``item_analysis``, ``careless`` and ``dif`` of a path pass the reading
    options to :func:`read_responses` as ``assess`` does: the same results as reading first, an
    unknown option and an option with responses already read refused by name."""
    import akhlak_levels as al

    path, _ = _export(tmp_path / "export.csv", q, n=40)
    func = getattr(al, analysis)
    extra = {"group": ["A", "B"] * 20, "min_group_size": 5} if analysis == "dif" else {}
    with pytest.raises(ResponseError):  # the words are not the questionnaire's labels
        func(q, path, **extra)
    got = func(q, path, label_map=MAP, dayfirst=True, **extra)
    want = func(q, read_responses(path, q, label_map=MAP, dayfirst=True), **extra)
    _same_table(got, want)
    with pytest.raises(TypeError, match=rf"The 'labelmap' parameter of {analysis} must be a reading option"):
        func(q, path, labelmap=MAP, **extra)
    with pytest.raises(ValueError, match=rf"The 'dayfirst' parameter of {analysis} must be left out"):
        func(q, read_responses(path, q, label_map=MAP, dayfirst=True), dayfirst=True, **extra)
