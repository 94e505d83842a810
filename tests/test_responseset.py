"""A hand-built ResponseSet is checked like a read one: integer codes of the right shape, each
from MISSING (-1) to the item's options less one, unique ids, one per row."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import akhlak_levels as al

SEL = al.load_questionnaire("socio-emotional-levels")
TOP = SEL.n_options - 1


def _ids(n):
    return np.array([f"r{i}" for i in range(n)])


def _valid(n=3):
    return np.tile(np.arange(SEL.n_items) % 5, (n, 1)).astype(np.int8) - 1


def test_a_code_below_missing_is_refused_naming_respondent_item_and_value():
    """Audit: -2 was read by numpy's negative indexing as the top answer and scored."""
    codes = _valid()
    codes[1, 4] = -2
    with pytest.raises(al.ResponseError) as err:
        al.ResponseSet(SEL, _ids(3), codes)
    assert str(err.value) == (
        "1 codes of the ResponseSet are out of range for questionnaire 'socio-emotional-levels':\n"
        "  - row 2, respondent 'r1', item 'SE05': expected a code from -1 (no answer) to 4 (option index from 0) (got -2)"
    )
    assert err.value.problems[0].value == -2


def test_a_code_above_the_last_option_is_refused_not_an_index_error():
    """Audit: a code of 7 crashed assess with numpy's IndexError."""
    codes = _valid()
    codes[0, 0] = 7
    codes[2, SEL.n_items - 1] = 5
    with pytest.raises(al.ResponseError, match=r"2 codes .* out of range") as err:
        al.ResponseSet(SEL, _ids(3), codes)
    assert [(p.respondent, p.item, p.value) for p in err.value.problems] == [("r0", "SE01", 7), ("r2", SEL.item_ids[-1], 5)]


def test_every_code_from_missing_to_the_last_option_is_accepted():
    codes = np.vstack([np.full(SEL.n_items, -1), TOP, np.zeros(SEL.n_items)]).astype(np.int64)
    rs = al.ResponseSet(SEL, _ids(3), codes)
    assert rs.answered.sum(axis=1).tolist() == [0, SEL.n_items, SEL.n_items]
    assert al.assess(SEL, rs).n_answered.tolist() == [0, SEL.n_items, SEL.n_items]


@pytest.mark.parametrize(
    "codes, message",
    [
        (np.zeros((3, SEL.n_items)), r"must be integers .* got dtype float64\. To read answers as shown .* use read_responses"),
        (np.zeros((3, SEL.n_items), dtype=bool), r"must be integers .* got dtype bool"),
        (np.zeros((3, SEL.n_items - 1), dtype=np.int8), r"must have shape \(respondents, 38\).*got shape \(3, 37\)"),
        (np.zeros(SEL.n_items, dtype=np.int8), r"must have shape \(respondents, 38\).*got shape \(38,\)"),
    ],
    ids=["float", "bool", "too-few-items", "one-dimensional"],
)
def test_codes_of_the_wrong_type_or_shape_are_refused(codes, message):
    with pytest.raises(al.ResponseError, match=message):
        al.ResponseSet(SEL, _ids(3), codes)


def test_ids_must_be_one_per_row():
    with pytest.raises(al.ResponseError, match=r"one respondent id per row of codes: 3 rows, got ids of shape \(2,\)"):
        al.ResponseSet(SEL, _ids(2), _valid(3))


def test_repeated_ids_are_refused_naming_the_rows():
    ids = np.array(["a", "b", "a", "c", "b"])
    with pytest.raises(al.ResponseError) as err:
        al.ResponseSet(SEL, ids, _valid(5))
    assert str(err.value) == (
        "Respondent ids must be unique:\n"
        "  - row 3, respondent 'a': duplicate respondent id (also on row 1)\n"
        "  - row 5, respondent 'b': duplicate respondent id (also on row 2)"
    )


def test_take_with_a_repeated_position_is_refused_as_a_duplicate_id():
    rs = al.ResponseSet(SEL, _ids(3), _valid(3))
    assert rs.take([2, 0]).respondent_ids.tolist() == ["r2", "r0"]
    with pytest.raises(al.ResponseError, match="duplicate respondent id"):
        rs.take([0, 0])


def test_carried_columns_must_have_one_value_per_respondent():
    with pytest.raises(al.ResponseError, match=r"3 respondents but these columns have another length: unit \(2\), group 'eselon' \(4\)"):
        al.ResponseSet(SEL, _ids(3), _valid(3), unit=np.array(["x", "y"]), groups={"eselon": np.array(["I"] * 4)})


@given(arrays(np.int8, st.tuples(st.integers(1, 6), st.just(SEL.n_items)), elements=st.integers(-3, 7)))
def test_a_code_matrix_is_accepted_exactly_when_every_code_is_in_range(codes):
    bad = (codes < -1) | (codes > TOP)
    if not bad.any():
        rs = al.ResponseSet(SEL, _ids(len(codes)), codes)
        assert al.assess(SEL, rs).n_answered.tolist() == (codes >= 0).sum(axis=1).tolist()
        return
    with pytest.raises(al.ResponseError) as err:
        al.ResponseSet(SEL, _ids(len(codes)), codes)
    assert err.value.total == int(bad.sum())
    rows, cols = np.nonzero(bad)
    assert [(p.row, p.item, p.value) for p in err.value.problems] == [
        (int(r) + 1, SEL.item_ids[c], int(codes[r, c])) for r, c in zip(rows, cols)
    ]
