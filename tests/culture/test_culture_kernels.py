"""The culture map's vectorised kernels against straightforward references on random data: the
per-row sums and standard errors of :class:`RowParts`, the packed per-respondent counts, and the
whole map's indices against a per-group reference written out plainly (units of 0, 1 and 2
answering respondents, unlabelled respondents, skipped questions, suppressed units)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from akhlak_levels import VoteSet, culture_map
from akhlak_levels.culture import _map
from akhlak_levels.culture._counts import RowParts, row_mean_se

from culture_helpers import tiny_questionnaire

Q = tiny_questionnaire()
#: behaviour -> value position in the map's value list (akuntabel, pelayanan, adaptif, kolaboratif)
VALUE_OF = np.array([0, 0, 1, 2, 3, -1, -1, -1])
LIMITING = np.array([False] * 5 + [True, True, False])


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), n=st.integers(0, 40), k=st.integers(1, 4), n_rows=st.integers(2, 6))
def test_row_parts_give_bit_for_bit_what_row_mean_se_gives_over_the_concatenation(seed, n, k, n_rows):
    rng = np.random.default_rng(seed)
    y = rng.normal(50, 30, (n, k)) * rng.integers(0, 2, (n, 1))  # some exact zeros
    everyone = None if rng.random() < 0.5 else np.flatnonzero(rng.random(n) < 0.8)
    groups = np.sort(rng.choice(n, int(rng.integers(0, n + 1)), replace=False)) if n else np.zeros(0, dtype=np.int64)
    g_rows = rng.integers(1, n_rows, len(groups))
    parts = RowParts([(everyone, 0), (groups, g_rows)], n_rows, n)
    ys = parts.take(y)
    mean, se = parts.mean_se(ys)
    first = np.arange(n) if everyone is None else everyone
    sel = np.concatenate([first, groups]).astype(np.int64)
    rows = np.concatenate([np.zeros(len(first), dtype=np.int64), g_rows]).astype(np.int64)
    n_ref, mean_ref, se_ref = row_mean_se(y[sel], rows, n_rows)
    np.testing.assert_array_equal(parts.n, n_ref)
    np.testing.assert_array_equal(mean, mean_ref)
    np.testing.assert_array_equal(se, se_ref)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), n=st.integers(1, 30))
def test_packed_counts_equal_the_bincount_path_and_a_plain_count(seed, n):
    rng = np.random.default_rng(seed)
    p = np.full((n, 3), -1, dtype=np.int16)
    for i in range(n):
        k = int(rng.integers(0, 4))
        p[i, :k] = rng.choice(8, k, replace=False)
    values = ("akuntabel", "berorientasi-pelayanan", "adaptif", "kolaboratif")
    packed = _map._current_counts(Q, p, LIMITING, values)
    saved = _map._PACK_BITS
    try:
        _map._PACK_BITS = 0  # force the one-bincount path
        plain_path = _map._current_counts(Q, p, LIMITING, values)
    finally:
        _map._PACK_BITS = saved
    want_v = np.array([(row >= 0).sum() for row in p], dtype=float)
    want_l = np.array([sum(LIMITING[b] for b in row if b >= 0) for row in p], dtype=float)
    want_c = np.array([[sum(VALUE_OF[b] == v for b in row if b >= 0) for v in range(4)] for row in p], dtype=float)
    for got in (packed, plain_path):
        np.testing.assert_array_equal(got[0], want_v)
        np.testing.assert_array_equal(got[1], want_l)
        np.testing.assert_array_equal(got[2], want_c)


def _reference(picks, units, index):
    """Entropy, value indices, implementation and health with their standard errors, per row
    (everyone, then the sorted units), one group at a time and one respondent at a time."""
    names = sorted({u for u in units if u})
    members = [list(range(len(units)))] + [[i for i, u in enumerate(units) if u == g] for g in names]
    m_v = np.array([2, 1, 1, 1], dtype=float)  # min(3 picks, behaviours of the value)
    out = {k: [] for k in ("entropy", "entropy_se", "value_index", "value_index_se", "implementation",
                           "implementation_se", "health_se")}

    def mean_se(x):
        x = np.asarray(x, dtype=float)
        if len(x) == 0:
            return np.full(x.shape[1:], np.nan), np.full(x.shape[1:], np.nan)
        se = np.std(x, axis=0, ddof=1) / np.sqrt(len(x)) if len(x) > 1 else np.full(x.shape[1:], np.nan)
        return x.mean(axis=0), se

    for who in members:
        cur = [[b for b in picks[i][1] if b >= 0] for i in who]
        cur = [c for c in cur if c]  # answered the current question
        v = np.array([len(c) for c in cur], dtype=float)
        l_ = np.array([sum(LIMITING[b] for b in c) for c in cur], dtype=float)
        counts = np.array([[sum(VALUE_OF[b] == k for b in c) for k in range(4)] for c in cur], dtype=float).reshape(-1, 4)
        y = 100.0 * ((counts > 0) if index == "reach" else counts / m_v)
        e = 100 * l_.sum() / v.sum() if len(cur) else np.nan
        z_e = 100 * (l_ - e / 100 * v) / v.mean() if len(cur) else np.zeros(0)
        vi, se_v = mean_se(y)
        y_all = y.mean(axis=1)
        impl, se_i = mean_se(y_all)
        out["entropy"].append(e)
        out["entropy_se"].append(mean_se(z_e)[1])
        out["value_index"].append(vi)
        out["value_index_se"].append(se_v)
        out["implementation"].append(impl)
        out["implementation_se"].append(se_i)
        out["health_se"].append(mean_se((-z_e + (y_all - impl)) / 3)[1])
    return ("(all)",) + tuple(names), {k: np.array(v) for k, v in out.items()}


def _random_votes(rng, n, n_units):
    picks = np.full((n, 3, 3), -1, dtype=np.int16)
    for i in range(n):
        for q, (low, high) in enumerate(((2, 2), (2, 3), (2, 2))):
            if rng.random() < 0.15:
                continue  # skipped the question
            k = int(rng.integers(low, high + 1))
            picks[i, q, :k] = rng.choice(8, k, replace=False)
    # unit sizes: some of 1 and 2 people, one whose only respondent skipped the current question
    units = rng.choice([f"u{k}" for k in range(n_units)] + [""], n).astype(object)
    units[:4] = ["tiny1", "tiny2", "tiny2", "mute"]
    picks[:4] = [[[0, 2, -1], [0, 5, 6], [0, 3, -1]], [[0, 1, -1], [5, 6, -1], [3, 4, -1]],
                 [[2, 7, -1], [1, 2, 5], [0, 3, -1]], [[0, 3, -1], [-1, -1, -1], [1, 3, -1]]]
    return picks, [str(u) for u in units]


@pytest.mark.parametrize("index", ["reach", "votes"])
@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_the_maps_indices_equal_a_plain_per_group_reference(seed, index):
    rng = np.random.default_rng(seed)
    picks, units = _random_votes(rng, int(rng.integers(20, 80)), int(rng.integers(1, 6)))
    v = VoteSet(Q.id, Q.version, np.arange(len(units)).astype(str), picks, unit=np.array(units))
    cm = culture_map(Q, v, by="unit", min_group_size=1, index=index)
    groups, ref = _reference(picks, units, index)
    assert cm.group == groups
    for name, want in ref.items():
        np.testing.assert_allclose(getattr(cm, name), want, rtol=1e-12, atol=1e-12, err_msg=name)
    # the unit of one respondent has no standard error; the one whose respondent skipped the current question no index
    t1, mute = cm.row("tiny1"), cm.row("mute")
    assert np.isnan(cm.entropy_se[t1]) and not np.isnan(cm.entropy[t1])
    assert np.isnan(cm.entropy[mute]) and np.isnan(cm.value_index[mute]).all() and cm.n_answered[mute, 1] == 0
    # the health index from its parts, alignment included
    align = 100 * cm.matches["current-desired"] / 10
    np.testing.assert_allclose(cm.health, (100 - cm.entropy + cm.implementation + align) / 3, rtol=1e-12)
    # with suppression, the shown rows keep exactly these figures and the hidden ones show none
    cs = culture_map(Q, v, by="unit", min_group_size=3, index=index)
    assert cs.suppressed[[cs.row("tiny1"), cs.row("tiny2"), cs.row("mute")]].all()
    shown = ~cs.suppressed
    for name in ref:
        a, b = getattr(cs, name), getattr(cm, name)
        np.testing.assert_array_equal(a[shown], b[shown], err_msg=name)
        assert np.isnan(a[~shown]).all(), name
