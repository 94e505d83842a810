"""The one-hot coding of answers that the latent-class and supervised fits share.

A respondents x (sum of options) sparse indicator matrix, built directly in CSR form;
an unanswered item sets no column, so it adds nothing to a linear score or a likelihood.
"""

from __future__ import annotations

from typing import Sequence, TYPE_CHECKING

import numpy as np
if TYPE_CHECKING:
    import scipy.sparse
    from scipy import sparse

from ..questionnaire import Questionnaire, load_questionnaire
from ..responses import MISSING

__all__ = ["design_matrix", "one_hot", "option_offsets"]


def one_hot(codes: np.ndarray, n_options: Sequence[int] | np.ndarray) -> sparse.csr_matrix:
    """Respondents x (sum of options) indicator matrix; a missing answer sets no column.

    Examples
    --------
    >>> one_hot(np.array([[0, 1], [-1, 2]], dtype=np.int8), [2, 3]).toarray()
    array([[1., 0., 0., 1., 0.],
           [0., 0., 0., 0., 1.]])
    """
    from scipy import sparse
    codes = np.asarray(codes)
    offsets = np.concatenate([[0], np.cumsum(n_options)[:-1]]).astype(np.int64)
    answered = codes != MISSING
    columns = (offsets[None, :] + codes.astype(np.int64))[answered]  # row-major: sorted within each row
    indptr = np.concatenate([[0], np.cumsum(answered.sum(axis=1))])
    data = np.ones(columns.shape[0])
    return sparse.csr_matrix((data, columns, indptr), shape=(codes.shape[0], int(np.sum(n_options))))


def option_offsets(q: Questionnaire) -> np.ndarray:
    """Column of option 0 of every item, and the total number of columns at the end."""
    return np.concatenate([[0], np.cumsum(q.n_options)])


def design_matrix(questionnaire: Questionnaire | str, codes: np.ndarray) -> scipy.sparse.csr_matrix:
    """The one-hot design matrix of a questionnaire's answers (:func:`one_hot` with its option
    counts, shape checked): one column per option of every item, in questionnaire order.

    Parameters
    ----------
    questionnaire : Questionnaire or str
    codes : ndarray of int, shape (n, n_items)
        Option index from 0; :data:`~akhlak_levels.MISSING` (-1) where unanswered.

    Returns
    -------
    scipy.sparse.csr_matrix of shape (n, sum of n_options)
        Column ``offset_i + c`` is 1 where item ``i`` was answered with option ``c``. An
        unanswered item sets no column, so it adds nothing to a linear score.

    Examples
    --------
    >>> from akhlak_levels.model import design_matrix
    >>> from akhlak_levels import load_questionnaire
    >>> q = load_questionnaire("socio-emotional-levels")
    >>> codes = np.full((2, q.n_items), -1, dtype=np.int8)
    >>> codes[0, 0], codes[1, 1] = 4, 0
    >>> X = design_matrix(q, codes)
    >>> X.shape, X.nonzero()[1].tolist()
    ((2, 190), [4, 5])
    """
    q = load_questionnaire(questionnaire)
    codes = np.asarray(codes)
    if codes.ndim != 2 or codes.shape[1] != q.n_items:
        raise ValueError(f"Expected codes of shape (n, {q.n_items}) for questionnaire {q.id!r}, got shape {codes.shape}.")
    return one_hot(codes, q.n_options)
