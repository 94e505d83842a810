"""The VoteSet contract (issue 11): picks normalised to ascending positions with -1 padding last,
and every malformed array refused with a message naming the respondent or the shape."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import akhlak_levels as al


def test_picks_are_stored_ascending_with_the_padding_last():
    picks = np.array([[[5, -1, 2, 9], [-1, -1, -1, -1]], [[0, 1, -1, 3], [7, 6, -1, -1]]])
    v = al.VoteSet("q", "1", np.array(["A", "B"]), picks, n_behaviours=10)
    assert v.picks.tolist() == [[[2, 5, 9, -1], [-1, -1, -1, -1]], [[0, 1, 3, -1], [6, 7, -1, -1]]]
    assert v.picks.dtype == np.int16 and not v.picks.flags.writeable
    assert v.n_picks.tolist() == [[3, 0], [3, 2]]
    assert v.picked(1, 10)[1].nonzero()[0].tolist() == [6, 7]
    assert len(v.flags.names) == 0 and len(v) == 2


@given(st.lists(st.lists(st.integers(0, 40), max_size=10, unique=True), min_size=1, max_size=20), st.randoms())
def test_the_order_of_ticking_changes_nothing(rows, rnd):
    width = 10
    a = np.full((len(rows), 1, width), -1)
    b = np.full((len(rows), 1, width), -1)
    for r, chosen in enumerate(rows):
        a[r, 0, : len(chosen)] = chosen
        shuffled = list(chosen) + [-1] * (width - len(chosen))
        rnd.shuffle(shuffled)
        b[r, 0] = shuffled
    ids = np.array([str(i) for i in range(len(rows))])
    assert np.array_equal(al.VoteSet("q", "1", ids, a).picks, al.VoteSet("q", "1", ids, b).picks)


@pytest.mark.parametrize(
    "picks, ids, kw, message",
    [
        (np.zeros((2, 3)), ["A", "B"], {}, r"3-d array .* got shape \(2, 3\)"),
        (np.array([[[1, 1, -1]]]), ["A"], {}, r"respondent 'A' picked a behaviour twice in question 1"),
        (np.array([[[1, 2]], [[3, 12]]]), ["A", "B"], {"n_behaviours": 10}, r"\[-1, 10\), got values from 1 to 12"),
        (np.array([[[-2, 1]]]), ["A"], {}, r"behaviour positions from 0, or -1"),
        (np.array([[[1, 2]]]), ["A", "B"], {}, r"one id per row of picks \(1\)"),
        (np.array([[[1, 2]]]), ["A"], {"unit": np.array(["x", "y"])}, r"unit must have one value per respondent \(1\), got 2"),
    ],
)
def test_malformed_picks_are_refused(picks, ids, kw, message):
    with pytest.raises(ValueError, match=message):
        al.VoteSet("q", "1", np.array(ids), picks, **kw)


@given(st.lists(st.lists(st.integers(-1, 6), min_size=3, max_size=3), min_size=1, max_size=8))
def test_picks_in_order_are_kept_and_others_sorted_alike(rows):
    """The one-pass order check: whatever the rows, the VoteSet holds what sorting gives (or
    refuses a repeat), and never makes the caller's array read-only."""
    arr = np.array(rows, dtype=np.int16).reshape(len(rows), 1, 3)
    want = np.sort(np.where(arr < 0, 99, arr), axis=2)
    repeat = ((want[:, :, 1:] == want[:, :, :-1]) & (want[:, :, 1:] != 99)).any()
    want[want == 99] = -1
    ids = np.array([f"r{i}" for i in range(len(rows))])
    if repeat:
        with pytest.raises(ValueError, match="picked a behaviour twice"):
            al.VoteSet("q", "1", ids, arr)
        return
    v = al.VoteSet("q", "1", ids, arr)
    assert v.picks.tolist() == want.tolist()
    assert arr.flags.writeable and not v.picks.flags.writeable
    arr[:] = 0  # the caller's array is not the VoteSet's
    assert v.picks.tolist() == want.tolist()
