"""The culture map of a ``dask.dataframe`` of votes, reduced from mergeable partial sums per group:
:func:`culture_map_dask`.

Each partition is read with :func:`akhlak_levels.read_votes` and reduced to whole-number tallies
per group label (``""`` for respondents without one): respondents, answers per question, votes
per (question, behaviour), and for the indices the respondents who answered the current
question with the sums ``S = sum u`` and ``S2 = sum u u^T`` of their counts ``u = (v, l, w)``
(current votes, limiting votes, and per value whether it was reached or its votes; see
``score_counts`` in :mod:`akhlak_levels.culture._map`), plus the cross-tabulated counts with the
other grouping columns. Every tally is an integer, so adding them across partitions is exact in
any order (a tree of merges). The map is then finished by the same code as in memory
(``finish_map``): the vectors (v, l, y, y_all) the indices average are the linear map ``T u``,
so their sums are ``T S`` and their centred co-moments ``T M T^T`` with
``M = (n S2 - S S^T) / n`` computed in exact integers and rounded once; the influences on entropy
and health are affine in the vector, and their sums of squares are ``g^T (T M T^T) g`` with
``g`` read off the one influence function of the in-memory path. Suppression runs once, on the
reduced totals, by :mod:`akhlak_levels.privacy`.
"""

from __future__ import annotations

import operator
from typing import Any, Literal, Sequence

import numpy as np

from .._readers import norm
from .._votes_read import read_votes
from ..culture import CultureMap, Tallies, map_of_tallies, map_options, merge_tallies, vote_tallies
from ..errors import ResponseError
from ..quality import group_columns as grouping_columns, group_labels
from ..questionnaire import Questionnaire
from ..votes import VoteSet
from ._score import ROW, duplicate_check, partition_source, read_partition, require_dask

__all__ = ["culture_map_dask"]

_FN = "culture_map_dask"


def culture_map_dask(
    frame: Any,
    questionnaire: Questionnaire | str,
    *,
    by: str | None = None,
    min_group_size: int = 5,
    confidence: float = 0.95,
    index: str | None = None,
    id_column: str | None = None,
    unit_column: str | None = None,
    wave_column: str | None = None,
    group_columns: Sequence[str] = (),
    ignore_columns: Sequence[str] = (),
    unknown_columns: Literal["error", "ignore"] = "error",
    on_invalid: Literal["raise", "missing"] = "raise",
    format: Literal["auto", "cells", "indicators", "long"] = "auto",
    question_column: str | None = None,
    behaviour_column: str | None = None,
    check_ids: bool = True,
    split_every: int = 8,
) -> CultureMap:
    """The culture map of a dask DataFrame of votes, from partial sums reduced across partitions.

    Parameters
    ----------
    frame : dask.dataframe.DataFrame
        Votes in any layout :func:`akhlak_levels.read_votes` reads from a pandas DataFrame. In
        the long layout (a row per pick) each respondent's rows must lie in one partition (a
        respondent cut in two is refused: too few picks, or an id in two partitions). Lists in
        cells need ``dask.config.set({"dataframe.convert-string": False})`` when the frame is
        made, or dask turns them into their text.
    questionnaire : Questionnaire or str
        A vote instrument.
    by, min_group_size, confidence, index
        As for :func:`akhlak_levels.culture_map`.
    id_column, unit_column, wave_column, group_columns, ignore_columns, unknown_columns, on_invalid, format, question_column, behaviour_column
        As for :func:`akhlak_levels.read_votes`.
    check_ids : bool, default=True
        With an id column, refuse ids repeated across partitions (as ``assess_dask`` does).
    split_every : int, default=8
        Partial tallies merged per task of the reduction tree.

    Returns
    -------
    CultureMap
        ``culture_map(questionnaire, read_votes(frame.compute(), ...), by=...)``: the same
        counts, top lists, matches and suppression; the means, indices, standard errors and
        intervals to rounding (1e-12 relative in the tests; up to about 1e-11 at a million
        respondents, where the in-memory path's float sums round more than these exact ones).

    Raises
    ------
    ResponseError
        At once for columns that do not fit or an unknown ``by``; when computed, for votes or
        ids that cannot be read, an id in two partitions, or a frame without rows.

    Examples
    --------
    >>> import dask.dataframe as dd
    >>> import numpy as np
    >>> import pandas as pd
    >>> from akhlak_levels import culture_map, load_questionnaire, read_votes
    >>> from akhlak_levels.dask import culture_map_dask
    >>> q = load_questionnaire("berakhlak-culture-map")
    >>> rng = np.random.default_rng(0)
    >>> ids = [b.id for b in q.behaviours]
    >>> cells = [[" ".join(rng.choice(ids, 10, replace=False)) for _ in range(3)] for _ in range(40)]
    >>> df = pd.DataFrame(cells, columns=["personal", "current", "desired"]).assign(unit=["A"] * 36 + ["B"] * 4)
    >>> cm = culture_map_dask(dd.from_pandas(df, npartitions=3), q, by="unit")
    >>> cm.group, cm.n.tolist(), cm.suppressed.tolist()
    (('(all)', 'A', 'B'), [40, 36, 4], [False, True, True])
    >>> ref = culture_map(q, read_votes(df, q), by="unit")
    >>> bool(np.allclose(cm.entropy, ref.entropy, rtol=1e-12, equal_nan=True))
    True
    """
    dask = require_dask()
    q, mgs, choices, index = map_options(_FN, questionnaire, min_group_size, confidence, index)
    if not type(frame).__module__.startswith("dask"):
        from .._validation import param_error

        raise param_error(_FN, "frame", "a dask DataFrame", frame, error=TypeError, shown=type(frame).__name__)
    opts = dict(id_column=id_column, unit_column=unit_column, wave_column=wave_column, group_columns=tuple(group_columns),
                ignore_columns=tuple(ignore_columns), unknown_columns=unknown_columns, on_invalid=on_invalid,
                format=format, question_column=question_column, behaviour_column=behaviour_column)
    empty = frame._meta
    named_index = any(n is not None for n in empty.index.names)
    header = [str(n) for n in empty.index.names if n is not None] * named_index + [str(c) for c in empty.columns]
    has_ids = norm(id_column if id_column is not None else "respondent_id") in {norm(h) for h in header}
    one = _header_votes(header, q, opts, has_ids)  # columns that do not fit, or an unknown ``by``, raise here
    if by is not None:
        group_labels(by, 1, grouping_columns(one.groups, one.unit, one.wave), _FN)
    positional = named_index or empty.index.dtype.kind not in "iu"
    offsets = None
    if not has_ids or positional:
        lengths = np.asarray(frame.map_partitions(len, meta=(None, "i8")).compute(), dtype=np.int64)
        offsets = np.concatenate([[0], np.cumsum(lengths)])[:-1]
    parts = [
        dask.delayed(_tally_partition, pure=True)(
            p, q, opts, None if offsets is None else int(offsets[i]), has_ids, positional, by, index
        )
        for i, p in enumerate(frame.to_delayed())
    ]
    level = [dask.delayed(operator.getitem, pure=True)(p, 0) for p in parts]
    every = max(2, int(split_every))
    while len(level) > 1:
        level = [dask.delayed(merge_tallies, pure=True)(*level[i:i + every]) for i in range(0, len(level), every)]
    verdict: Any = True
    if has_ids and check_ids and frame.npartitions > 1:
        import pandas as pd

        meta = pd.DataFrame({"respondent_id": pd.Series([], dtype=object), ROW: pd.Series([], dtype=np.int64)})
        ids = [dask.delayed(operator.getitem, pure=True)(p, 1) for p in parts]
        verdict = duplicate_check(dask.dataframe.from_delayed(ids, meta=meta, verify_meta=False), frame.npartitions)
    total = dask.delayed(_checked, pure=True)(level[0], verdict).compute()
    if total is None:
        raise ResponseError("The DataFrame has no rows.")
    return map_of_tallies(q, total, by, mgs, confidence, index, choices)


def _header_votes(header: list[str], q: Questionnaire, opts: dict[str, Any], has_ids: bool) -> VoteSet:
    """The frame's header read as one row with nothing picked (an id where there is an id column;
    in a long table, the first question and behaviour); its columns are what is checked."""
    import pandas as pd

    fill = {norm(opts["question_column"] or "question"): q.vote_questions[0].id,
            norm(opts["behaviour_column"] or "behaviour"): q.behaviours[0].id}
    long = opts["format"] == "long" or (opts["format"] == "auto" and set(fill) <= {norm(h) for h in header})
    key = norm(opts["id_column"] if opts["id_column"] is not None else "respondent_id")
    row = [("x" if has_ids and norm(h) == key else fill.get(norm(h)) if long else None) for h in header]
    return read_votes(pd.DataFrame([row], columns=header, dtype=object), q, **{**opts, "on_invalid": "missing"})


def _tally_partition(pdf: Any, q: Questionnaire, opts: dict[str, Any], offset: int | None, has_ids: bool,
                     positional: bool, by: str | None, index: str) -> tuple[Tallies | None, Any]:
    """One partition read as the single-machine path reads the whole frame, and its tallies;
    with its ids and their row numbers for the duplicate check."""
    import pandas as pd

    if len(pdf) == 0:
        return None, pd.DataFrame({"respondent_id": pd.Series([], dtype=object), ROW: pd.Series([], dtype=np.int64)})
    src, numbers = partition_source(pdf, offset, positional)
    votes = read_partition(read_votes, src, q, opts, has_ids, numbers)
    rows = np.asarray(src.index, dtype=np.int64)
    if len(votes) != len(rows):  # a long table: a respondent's first row
        rows = rows[np.sort(np.unique(_id_cells(src, opts), return_index=True)[1])][:len(votes)]
    ids = pd.DataFrame({"respondent_id": np.asarray(votes.respondent_ids, dtype=object), ROW: rows})
    return vote_tallies(q, votes, by, index), ids


def _id_cells(src: Any, opts: dict[str, Any]) -> np.ndarray:
    key = norm(opts["id_column"] if opts["id_column"] is not None else "respondent_id")
    col = next(c for c in src.columns if norm(str(c)) == key)
    return np.asarray(src[col], dtype=object).astype(str)


def _checked(total: Tallies | None, verdict: Any) -> Tallies | None:
    """The reduced tallies, once the duplicate-id check (``verdict``) has passed."""
    return total


