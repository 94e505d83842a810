"""Scoring a ``dask.dataframe`` partition by partition: :func:`assess_dask` (see the package notes)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Literal, Sequence

import numpy as np

from .._readers import norm
from .._validation import Interval, check, param_error
from ..assessment import assess
from ..errors import Problem, ResponseError
from ..model import LevelModel
from ..quality import model_for
from ..questionnaire import Questionnaire, load_questionnaire
from ..responses import read_responses

__all__ = ["assess_dask"]

#: The hidden column that carries each respondent's row number (as the reader numbers rows)
#: from scoring to the duplicate-id check; it is not in the result.
ROW = "__akhlak_levels_row__"
#: The most repeated ids one error lists.
_MAX_LISTED = 10_000


def require_dask() -> Any:
    try:
        import dask
        import dask.dataframe  # noqa: F401 - the dataframe part of the extra
    except ImportError:  # pragma: no cover - exercised only without the extra
        raise ImportError("akhlak_levels.dask needs dask: pip install 'akhlak-levels[dask]'.") from None
    return dask


def assess_dask(
    frame: Any,
    questionnaire: Questionnaire | str,
    model: LevelModel | str | None = None,
    *,
    id_column: str | None = None,
    unit_column: str | None = None,
    wave_column: str | None = None,
    date_column: str | None = None,
    group_columns: Sequence[str] = (),
    ignore_columns: Sequence[str] = (),
    unknown_columns: Literal["error", "ignore"] = "error",
    missing_items: Literal["error", "missing"] = "error",
    on_invalid: Literal["raise", "missing"] = "raise",
    min_confidence: float = 0.5,
    min_answered: float = 0.5,
    lang: str = "en",
    check_ids: bool = True,
) -> Any:
    """Score a dask DataFrame of answers, partition by partition: a lazy dask DataFrame of results.

    Parameters
    ----------
    frame : dask.dataframe.DataFrame
        Answers, one row per respondent, with the columns :func:`akhlak_levels.read_responses`
        reads from a pandas DataFrame.
    questionnaire : Questionnaire or str
    model : LevelModel or path, default=None
        As for :func:`akhlak_levels.assess`; loaded once here and sent to the workers.
    id_column, unit_column, wave_column, date_column, group_columns, ignore_columns, unknown_columns, missing_items, on_invalid
        As for :func:`akhlak_levels.read_responses`.
    min_confidence, min_answered : float
        As for :func:`akhlak_levels.assess`.
    lang : str, default="en"
        Language of ``level_label``.
    check_ids : bool, default=True
        With an id column, refuse ids repeated across partitions (see the module notes).

    Returns
    -------
    dask.dataframe.DataFrame
        The columns and dtypes of ``Assessment.to_frame(lang)`` (declared as ``meta``), indexed
        like ``frame``; computed, it equals ``assess`` on the concatenated frame, ids included.
        An empty partition gives an empty partition.

    Raises
    ------
    ResponseError
        At once for columns that do not fit the questionnaire; when computed, for answers or ids
        that cannot be read, and for a respondent id given in two partitions (naming both rows).

    Examples
    --------
    >>> import dask.dataframe as dd
    >>> import pandas as pd
    >>> from akhlak_levels import ResponseError, load_questionnaire, simulate
    >>> q = load_questionnaire("socio-emotional-levels")
    >>> rs, _ = simulate(q, 6, random_state=0)
    >>> df = pd.DataFrame(rs.values, columns=q.item_ids).assign(respondent_id=["a", "b", "c", "d", "e", "a"])
    >>> scored = assess_dask(dd.from_pandas(df, npartitions=2), q)
    >>> try:
    ...     scored.compute(scheduler="sync")
    ... except ResponseError as e:
    ...     print(e)
    Respondent ids must be unique:
      - row 5, respondent 'a': duplicate respondent id, on rows [0, 5]
    """
    require_dask()
    q = load_questionnaire(questionnaire)
    check("assess_dask", "min_confidence", min_confidence, Interval(0, 1))
    check("assess_dask", "min_answered", min_answered, Interval(0, 1, closed="right"))
    if not type(frame).__module__.startswith("dask"):
        raise param_error("assess_dask", "frame", "a dask DataFrame", frame, error=TypeError, shown=type(frame).__name__)
    opts = dict(id_column=id_column, unit_column=unit_column, wave_column=wave_column, date_column=date_column,
                group_columns=tuple(group_columns), ignore_columns=tuple(ignore_columns),
                unknown_columns=unknown_columns, missing_items=missing_items, on_invalid=on_invalid)
    resolved = model_for(q, model)
    settings = dict(min_confidence=min_confidence, min_answered=min_answered, lang=lang)
    empty = frame._meta
    named_index = any(n is not None for n in empty.index.names)
    header = [str(n) for n in empty.index.names if n is not None] * named_index + [str(c) for c in empty.columns]
    has_ids = norm(id_column if id_column is not None else "respondent_id") in {norm(h) for h in header}
    meta = _meta(header, empty.index, q, resolved, opts, settings, has_ids, id_column)
    positional = named_index or empty.index.dtype.kind not in "iu"
    offsets = None
    if not has_ids or positional:
        lengths = np.asarray(frame.map_partitions(len, meta=(None, "i8")).compute(), dtype=np.int64)
        offsets = np.concatenate([[0], np.cumsum(lengths)])[:-1]
    dask = require_dask()
    # each partition is bound to its own offset here, not looked up by partition number when
    # run: an optimiser that selects partitions (result.partitions[i]) renumbers them
    parts = [
        dask.delayed(_score_partition, pure=True)(
            p, q, resolved, opts, settings, None if offsets is None else int(offsets[i]), has_ids, positional, meta
        )
        for i, p in enumerate(frame.to_delayed())
    ]
    divisions = frame.divisions if frame.known_divisions else None
    out_meta = meta.drop(columns=ROW)
    verdict: Any = True
    if has_ids and check_ids and frame.npartitions > 1:
        verdict = duplicate_check(dask.dataframe.from_delayed(parts, meta=meta, verify_meta=False), frame.npartitions)
    done = [dask.delayed(_drop_row, pure=True)(p, verdict) for p in parts]
    return dask.dataframe.from_delayed(done, meta=out_meta, divisions=divisions, verify_meta=False)


def _meta(header: list[str], index: Any, q: Questionnaire, model: LevelModel | None, opts: dict[str, Any],
          settings: dict[str, Any], has_ids: bool, id_column: str | None) -> Any:
    """The empty result frame: the frame's header read as one row with nothing answered (an id
    where there is an id column), scored and emptied. Columns that do not fit raise here."""
    import pandas as pd

    row: list[Any] = [None] * len(header)
    if has_ids:
        key = norm(id_column if id_column is not None else "respondent_id")
        row = ["x" if norm(h) == key else None for h in header]
    one = pd.DataFrame([row], columns=header, dtype=object)
    a = assess(q, read_responses(one, q, **opts), model, min_confidence=settings["min_confidence"],
               min_answered=settings["min_answered"])
    out = a.to_frame(settings["lang"]).iloc[:0]
    out[ROW] = np.zeros(0, dtype=np.int64)
    out.index = index[:0]
    return out


def _score_partition(pdf: Any, q: Questionnaire, model: LevelModel | None, opts: dict[str, Any],
                     settings: dict[str, Any], offset: int | None, has_ids: bool, positional: bool,
                     meta: Any) -> Any:
    """One partition read and scored as the single-machine path reads and scores the whole frame."""

    if len(pdf) == 0:
        return meta.copy()
    k = len(pdf)
    src, numbers = partition_source(pdf, offset, positional)
    rs = read_partition(read_responses, src, q, opts, has_ids, numbers)
    if len(rs) != k:  # pragma: no cover - a DataFrame source keeps every row
        raise ResponseError(f"A partition of {k} rows read as {len(rs)} respondents: rows cannot be numbered.")
    a = assess(q, rs, model, min_confidence=settings["min_confidence"], min_answered=settings["min_answered"])
    if not has_ids:
        a = replace(a, respondent_ids=numbers.astype(str))
    out = a.to_frame(settings["lang"])
    out[ROW] = np.asarray(src.index, dtype=np.int64)
    out.index = pdf.index
    return out.astype(meta.dtypes.to_dict())


def partition_source(pdf: Any, offset: int | None, positional: bool) -> tuple[Any, np.ndarray]:
    """The partition as the reader sees it within the whole frame (rows numbered by global
    position where the reader numbers rows by position), and the numbers of its respondents."""
    import pandas as pd

    k = len(pdf)
    off = 0 if offset is None else offset
    src = pdf
    if positional:  # the reader numbers rows by position in the whole frame
        src = pdf.reset_index() if any(n is not None for n in pdf.index.names) else pdf.copy(deep=False)
        src.index = pd.RangeIndex(off, off + k)
    return src, np.arange(off + 1, off + k + 1)


def read_partition(reader: Any, src: Any, q: Questionnaire, opts: dict[str, Any], has_ids: bool, numbers: np.ndarray) -> Any:
    """``reader(src, q, **opts)``; on an error without an id column, read again with the
    respondents' numbers as ids, so the error names the ids of the whole frame."""
    try:
        return reader(src, q, **opts)
    except ResponseError:
        if not has_ids:
            reader(src.assign(**{ROW: numbers}), q, **{**opts, "id_column": ROW})
        raise


def _drop_row(part: Any, verdict: Any) -> Any:
    """The result partition, once the duplicate-id check (``verdict``) has passed."""
    return part.drop(columns=ROW)


def duplicate_check(scored: Any, npartitions: int) -> Any:
    """A delayed check, raising :class:`ResponseError` for ids given more than once: count, first
    and last row per id by a hash-partitioned groupby (``split_out`` partitions), repeats kept."""
    dask = require_dask()
    split_out = max(1, -(-npartitions // 8))
    agg = scored[["respondent_id", ROW]].groupby("respondent_id")[ROW].agg(["count", "min", "max"], split_out=split_out)
    repeats = agg[agg["count"] > 1]
    return dask.delayed(_raise_repeats, pure=True)(repeats.to_delayed())


def _raise_repeats(parts: list[Any]) -> bool:
    import pandas as pd

    found = pd.concat(parts) if parts else None
    if found is None or not len(found):
        return True
    found = found.sort_values("min", kind="stable")
    problems = []
    for rid, (count, first, last) in zip(found.index[:_MAX_LISTED], found[["count", "min", "max"]].to_numpy()[:_MAX_LISTED]):
        more = f" ({int(count)} times)" if count > 2 else ""
        problems.append(Problem(f"duplicate respondent id, on rows {[int(first), int(last)]}{more}",
                                row=int(last), respondent=str(rid)))
    raise ResponseError("Respondent ids must be unique:", problems, total=len(found))
