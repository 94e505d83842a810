"""Validated, integer-coded responses to a questionnaire, read from real exports.

The reader takes exports as they come (Google Forms CSV, Microsoft Forms XLSX, ``;``-delimited
CSV with a byte-order mark, JSON, pandas): columns may be item ids or the question text in any of
the questionnaire's languages, answers may be codes or labels. Every problem is reported with
file, row, respondent, item and value; nothing is dropped silently.

Reading a table goes in steps: find the columns, read the ids, code the answers, carry the other
columns along. The coding of single cells (headers, answers, ids, dates) is in ``_coding``.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Iterator, Literal, Mapping, Sequence

import numpy as np

from ._tables import html_repr
from ._coding import MISSING, check_duplicate_ids
from ._durations import DateOrder, parse_durations
from ._fields import EXPORT_COLUMNS, MAX_PROBLEMS as _MAX_PROBLEMS, table_fields
from ._readers import Table, load_label_map, source_tables
from ._readers._sources import SOURCE_FORMATS, format_tables
from ._readers._seen import LaterIds as _LaterIds, SeenIds as _SeenIds
from ._validation import Interval, Options, check
from .errors import Problem, ResponseError
from .flags import Flags
from .questionnaire import Questionnaire, load_questionnaire

__all__ = ["ResponseSet", "read_responses", "iter_responses", "concat_responses", "MISSING", "parse_durations", "EXPORT_COLUMNS"]


#: Set while a reader builds a ResponseSet whose ids it has already proven unique (:func:`_proven`).
_IDS_PROVEN: ContextVar[bool] = ContextVar("_IDS_PROVEN", default=False)


def _proven(build: Callable[..., ResponseSet], *args: Any, **kwargs: Any) -> ResponseSet:
    """``build(...)`` without the check of unique ids (the reader checked them, and named the rows)."""
    token = _IDS_PROVEN.set(True)
    try:
        return build(*args, **kwargs)
    finally:
        _IDS_PROVEN.reset(token)


@dataclass(frozen=True, eq=False)
class ResponseSet:
    """Answers of ``n`` respondents to a questionnaire, validated and coded.

    Attributes
    ----------
    questionnaire : Questionnaire
    respondent_ids : ndarray of str, shape (n,)
    codes : ndarray of int8, shape (n, n_items)
        Option index from 0 in questionnaire item order; :data:`MISSING` (-1) where unanswered.
    unit, wave : ndarray of str or None
        Carried along from the columns named at reading.
    date : ndarray of datetime64[D] or None
    groups : dict of str to ndarray
        Other grouping columns, by name.
    flags : Flags
        ``"invalid:ITEM"`` where an unreadable answer was set missing (``on_invalid="missing"``).
    source : str or None
        The file read, if any.
    ignored_columns : tuple of str
        Columns set aside (form-export metadata or as asked); listed so nothing goes unseen.
    skipped_rows : tuple of int
        Rows with no content at all (blank lines, empty spreadsheet rows).

    Examples
    --------
    >>> import numpy as np
    >>> from akhlak_levels import load_questionnaire, read_responses
    >>> q = load_questionnaire("berakhlak")
    >>> X = np.full((2, q.n_items), 4.0); X[1, 0] = np.nan
    >>> rs = read_responses(X, q)
    >>> rs.respondent_ids.tolist(), rs.values[:, 0].tolist(), int(rs.codes[1, 0])
    (['1', '2'], [4.0, nan], -1)
    """

    questionnaire: Questionnaire
    respondent_ids: np.ndarray
    codes: np.ndarray
    unit: np.ndarray | None = None
    wave: np.ndarray | None = None
    date: np.ndarray | None = None
    groups: Mapping[str, np.ndarray] = field(default_factory=dict)
    flags: Flags = field(default_factory=lambda: Flags.empty(0))
    source: str | None = None
    ignored_columns: tuple[str, ...] = ()
    skipped_rows: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        """Refuse what cannot be scored, so a hand-built ResponseSet is as safe as a read one
        (vectorised checks; a :class:`ResponseError` names respondent, item and value)."""
        codes, rid, q = np.asarray(self.codes), np.asarray(self.respondent_ids), self.questionnaire
        object.__setattr__(self, "codes", codes)
        object.__setattr__(self, "respondent_ids", rid)
        if codes.dtype.kind not in "iu":
            raise ResponseError(
                f"The codes of a ResponseSet must be integers (option index from 0, {MISSING} for no answer); "
                f"got dtype {codes.dtype}. To read answers as shown (1..k, NaN for missing) use read_responses."
            )
        if codes.ndim != 2 or codes.shape[1] != q.n_items:
            raise ResponseError(
                f"The codes of a ResponseSet must have shape (respondents, {q.n_items}): one column per item of "
                f"{q.id!r}, in questionnaire order; got shape {codes.shape}."
            )
        n = codes.shape[0]
        if rid.shape != (n,):
            raise ResponseError(f"A ResponseSet needs one respondent id per row of codes: {n} rows, got ids of shape {rid.shape}.")
        self._check_same_length(n)
        if len(self.flags) != n:
            if len(self.flags):
                raise ResponseError(f"ResponseSet: {len(self.flags)} rows of flags for {n} respondents.")
            object.__setattr__(self, "flags", Flags.empty(n))
        if not _IDS_PROVEN.get():
            self._check_unique_ids(rid)
        self._check_code_range(codes, rid)

    def _check_same_length(self, n: int) -> None:
        """Unit, wave, date and group columns hold one value per respondent."""
        columns = {"unit": self.unit, "wave": self.wave, "date": self.date, **{f"group {g!r}": v for g, v in self.groups.items()}}
        wrong = [f"{name} ({len(v)})" for name, v in columns.items() if v is not None and len(v) != n]
        if wrong:
            raise ResponseError(f"ResponseSet: {n} respondents but these columns have another length: {', '.join(wrong)}.")

    def _check_unique_ids(self, rid: np.ndarray) -> None:
        """Respondent ids are unique (one sort; the rows of repeated ids are named)."""
        order = np.argsort(rid if rid.dtype.kind != "O" else rid.astype(str), kind="stable")
        ordered = rid[order]
        same = ordered[1:] == ordered[:-1]
        if not same.any():
            return
        again, before = order[1:][same], order[:-1][same]
        problems = [
            Problem(f"duplicate respondent id (also on row {int(b) + 1})", file=self.source, row=int(a) + 1, respondent=str(rid[a]))
            for a, b in zip(again[:_MAX_PROBLEMS].tolist(), before[:_MAX_PROBLEMS].tolist())
        ]
        raise ResponseError("Respondent ids must be unique:", problems, total=int(same.sum()))

    def _check_code_range(self, codes: np.ndarray, rid: np.ndarray) -> None:
        """Every code is ``MISSING`` or an option index of its item (min and max; cells if not)."""
        top = self.questionnaire.n_options - 1
        if codes.size == 0 or (codes.min() >= MISSING and bool((codes.max(axis=0) <= top).all())):
            return
        rows, cols = np.nonzero((codes < MISSING) | (codes > top[None, :]))
        items = self.questionnaire.items
        problems = [
            Problem(
                f"expected a code from {MISSING} (no answer) to {top[c]} (option index from 0)",
                file=self.source, row=r + 1, respondent=str(rid[r]), item=items[c].id, value=int(codes[r, c]),
            )
            for r, c in zip(rows[:_MAX_PROBLEMS].tolist(), cols[:_MAX_PROBLEMS].tolist())
        ]
        raise ResponseError(
            f"{len(rows)} codes of the ResponseSet are out of range for questionnaire {self.questionnaire.id!r}:",
            problems, total=len(rows),
        )

    def __len__(self) -> int:
        return self.codes.shape[0]

    @property
    def n_respondents(self) -> int:
        return self.codes.shape[0]

    @property
    def item_ids(self) -> tuple[str, ...]:
        return self.questionnaire.item_ids

    @property
    def values(self) -> np.ndarray:
        """Answers as shown in the questionnaire (Likert 1..k, options from 1), NaN where missing."""
        v = self.codes.astype(np.float64) + 1.0
        v[self.codes == MISSING] = np.nan
        return v

    @property
    def answered(self) -> np.ndarray:
        """Boolean matrix: True where the item was answered."""
        return self.codes != MISSING

    def take(self, index: np.ndarray | Sequence[int]) -> ResponseSet:
        """The respondents at ``index`` (positions or a boolean mask), in that order."""
        idx = np.asarray(index)
        return replace(
            self,
            respondent_ids=self.respondent_ids[idx],
            codes=self.codes[idx],
            unit=None if self.unit is None else self.unit[idx],
            wave=None if self.wave is None else self.wave[idx],
            date=None if self.date is None else self.date[idx],
            groups={k: v[idx] for k, v in self.groups.items()},
            flags=self.flags.take(idx),
        )

    _repr_html_ = html_repr  # a compact, rounded table in a notebook

    def __repr__(self) -> str:
        return f"ResponseSet(questionnaire={self.questionnaire.id!r}, respondents={len(self)}, items={self.codes.shape[1]})"


# =========================================================================== reading


def read_responses(
    source: Any,
    questionnaire: Questionnaire | str,
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
    respondent_ids: Sequence[Any] | None = None,
    delimiter: str | None = None,
    sheet: str | int | None = None,
    label_map: Any = None,
    dayfirst: bool | None = None,
    source_format: str = "auto",
) -> ResponseSet:
    """Read and validate responses to ``questionnaire``.

    Parameters
    ----------
    source : path, DataFrame, list of dict, dict or ndarray
        A ``.csv`` (UTF-8 with or without BOM; ``,``, ``;`` or tab delimited, detected from the
        header), ``.json`` (a list of records or a responses document), ``.jsonl``, ``.xlsx``
        (needs ``openpyxl``) or ``.parquet`` (needs ``pandas`` and ``pyarrow``) file; a pandas
        DataFrame; a list of dicts; or an array of shape (n, n_items) holding the codes shown in
        the questionnaire (Likert 1..k, options from 1) with NaN for missing.
    questionnaire : Questionnaire or str
    id_column : str, default=None
        Column of respondent ids; by default ``respondent_id`` when present, else respondents are
        numbered from 1 in source order.
    unit_column, wave_column, date_column : str, default=None
        Columns carried along as :attr:`ResponseSet.unit`, ``wave`` and ``date``; when not given,
        columns named ``unit``, ``wave`` and ``date`` are used if present. Dates may be ISO
        (2023-10-13) or day first (13/10/2023), with an optional time.
    group_columns : sequence of str, default=()
        Further grouping columns carried along in :attr:`ResponseSet.groups`.
    ignore_columns : sequence of str, default=()
        Columns to set aside (e.g. name, NIP); they are listed in ``ignored_columns``.
    unknown_columns : {"error", "ignore"}, default="error"
        What to do with a column that is neither an item, a named column nor a known form-export
        column (Timestamp, Email, ...).
    missing_items : {"error", "missing"}, default="error"
        What to do when an item has no column: raise, or treat it as unanswered by everyone.
    on_invalid : {"raise", "missing"}, default="raise"
        What to do with an answer that cannot be read (out of range, unknown label): raise a
        :class:`ResponseError` listing every one, or set it missing and flag the respondent
        with ``"invalid:ITEM"``.
    respondent_ids : sequence, default=None
        Ids for an array source.
    delimiter : str, default=None
        CSV delimiter; detected from the header when None.
    sheet : str or int, default=None
        XLSX sheet; the first when None.
    label_map : path or dict, default=None
        A label map (a JSON file or the document as a dict, see docs/data-formats.md): export
        labels mapped to the questionnaire's options (for every item, or per item) and export
        headers to item ids, stated once. Labels it does not map are read as usual.
    dayfirst : bool, default=None
        The order of day and month in dates such as ``10/03/2024``: True for day first, False
        for month first. When None, the dates of the column tell it (a day above 12); when every
        date could be read either way, the reading fails naming this parameter, never guessing.
    source_format : {"auto", "kobo", "odk", "limesurvey", "surveyjs", "fhir", "google-forms", "microsoft-forms"}
        The tool that wrote the export, read with its quirks (group paths in headers, metadata
        columns and ``consent`` set aside, a FHIR ``Bundle``; see docs/forms.md). ``"auto"``: the
        tool its metadata headers (or a ``Bundle``) show, else the source as it is.

    Returns
    -------
    ResponseSet

    Raises
    ------
    ResponseError
        Listing every problem (up to a cap) with file, row, respondent, item and value; nothing
        is dropped or rewritten silently (a stray quote, a JSON key given twice, merged cells, ids
        a float cannot hold, a cell over 1 MiB, JSON nested over 32 levels: all refused).

    Notes
    -----
    A column matches an item by its id or by the item's text in any language, compared without
    case and extra white space; a Google Forms grid header ``Title [Row]`` matches by ``Row``;
    a leading question number (``12. ``) is ignored. A header that matches no item so is
    compared again without its trailing punctuation (a question typed without its full stop);
    one that then matches two items is refused, and an unknown one names the closest item. An answer matches by its code (``"5"``,
    ``5``, ``5.0``, ``"5,0"``), its label or a listed alias in any language, compared the same
    way, or ``"5 - Sangat setuju"`` where number and label agree. Empty cells and
    ``NA``/``N/A``/``-`` are unanswered. Rows without any content are skipped and listed in
    ``skipped_rows``.

    Examples
    --------
    >>> from akhlak_levels import load_questionnaire, read_responses
    >>> q = load_questionnaire("berakhlak")
    >>> rows = [{"respondent_id": "A1", **{i: "Sering" for i in q.item_ids}},
    ...         {"respondent_id": "A2", **{i: "always" for i in q.item_ids}}]
    >>> rs = read_responses(rows, q)
    >>> rs.respondent_ids.tolist(), rs.values[:, 0].tolist()
    (['A1', 'A2'], [4.0, 5.0])
    """
    q = load_questionnaire(questionnaire)
    if isinstance(source, np.ndarray) or (
        isinstance(source, Sequence) and source and isinstance(source[0], (list, tuple, np.ndarray))
    ):
        check("read_responses", "on_invalid", on_invalid, Options(("raise", "missing")))
        return _from_array(np.asarray(source), q, respondent_ids, on_invalid)
    if respondent_ids is not None:
        raise TypeError("respondent_ids is only for an array source; other sources name an id_column.")
    parts = [rs for rs, _ in _response_batches(
        source, q, batch_rows=None, delimiter=delimiter, sheet=sheet,
        options=_options(id_column, unit_column, wave_column, date_column, group_columns, ignore_columns,
                         unknown_columns, missing_items, on_invalid, label_map=label_map, dayfirst=dayfirst,
                         source_format=source_format),
    )]
    return parts[0] if len(parts) == 1 else _proven(concat_responses, parts)  # ids checked across the parts


def iter_responses(
    source: Any,
    questionnaire: Questionnaire | str,
    *,
    batch_size: int = 100_000,
    id_column: str | None = None,
    unit_column: str | None = None,
    wave_column: str | None = None,
    date_column: str | None = None,
    group_columns: Sequence[str] = (),
    ignore_columns: Sequence[str] = (),
    unknown_columns: Literal["error", "ignore"] = "error",
    missing_items: Literal["error", "missing"] = "error",
    on_invalid: Literal["raise", "missing"] = "raise",
    delimiter: str | None = None,
    sheet: str | int | None = None,
    label_map: Any = None,
    dayfirst: bool | None = None,
    source_format: str = "auto",
) -> Iterator[ResponseSet]:
    """Read ``source`` as :func:`read_responses` does, ``batch_size`` respondents at a time.

    A CSV file is read as the batches are taken, so memory is bounded by the batch, not the
    file; other sources are read whole and given in batches. Every batch is checked as
    :func:`read_responses` checks the whole source; a respondent id given in an earlier batch is
    refused naming both rows. Respondents without an id column are numbered on across batches.
    The parameters are those of :func:`read_responses`.

    Yields
    ------
    ResponseSet
        The next at most ``batch_size`` respondents, in source order; its ``skipped_rows`` are
        the blank rows met since the previous batch.

    Examples
    --------
    >>> import numpy as np
    >>> from akhlak_levels import load_questionnaire, iter_responses, simulate
    >>> q = load_questionnaire("socio-emotional-levels")
    >>> rs, _ = simulate(q, 25, random_state=0)
    >>> rows = [{"respondent_id": i, **dict(zip(q.item_ids, v))} for i, v in zip(rs.respondent_ids, rs.values.tolist())]
    >>> [len(b) for b in iter_responses(rows, q, batch_size=10)]
    [10, 10, 5]
    """
    q = load_questionnaire(questionnaire)
    check("iter_responses", "batch_size", batch_size, Interval(1, None, integer=True))
    for rs, _ in _response_batches(
        source, q, batch_rows=batch_size, delimiter=delimiter, sheet=sheet,
        options=_options(id_column, unit_column, wave_column, date_column, group_columns, ignore_columns,
                         unknown_columns, missing_items, on_invalid, caller="iter_responses", label_map=label_map,
                         dayfirst=dayfirst, source_format=source_format),
    ):
        yield rs


def batches_read(source: Any, questionnaire: Questionnaire | str, *, batch_size: int = 100_000,
                 delimiter: str | None = None, sheet: str | int | None = None,
                 **reading: Any) -> Iterator[tuple[ResponseSet, float | None]]:
    """:func:`iter_responses` with, for each batch, the share of the source read through it
    (None where the source does not tell), for a progress bar. ``reading``: the reading options
    of :func:`read_responses` (``id_column`` ... ``on_invalid``)."""
    q = load_questionnaire(questionnaire)
    check("iter_responses", "batch_size", batch_size, Interval(1, None, integer=True))
    defaults = dict(id_column=None, unit_column=None, wave_column=None, date_column=None, group_columns=(),
                    ignore_columns=(), unknown_columns="error", missing_items="error", on_invalid="raise",
                    label_map=None, dayfirst=None, source_format="auto")
    unknown = set(reading) - set(defaults)
    if unknown:
        raise TypeError(f"batches_read got unexpected reading options {sorted(unknown)}")
    yield from _response_batches(source, q, batch_rows=batch_size, delimiter=delimiter, sheet=sheet,
                                 options=_options(**{**defaults, **reading}, caller="iter_responses"))


def _options(id_column: str | None, unit_column: str | None, wave_column: str | None, date_column: str | None,
             group_columns: Sequence[str], ignore_columns: Sequence[str], unknown_columns: str, missing_items: str,
             on_invalid: str, caller: str = "read_responses", label_map: Any = None,
             dayfirst: bool | None = None, source_format: str = "auto") -> dict[str, Any]:
    check(caller, "unknown_columns", unknown_columns, Options(("error", "ignore")))
    check(caller, "missing_items", missing_items, Options(("error", "missing")))
    check(caller, "on_invalid", on_invalid, Options(("raise", "missing")))
    check(caller, "dayfirst", dayfirst, Options((None, True, False)))
    check(caller, "source_format", source_format, Options(SOURCE_FORMATS))
    return dict(id_column=id_column, unit_column=unit_column, wave_column=wave_column, date_column=date_column,
                group_columns=tuple(group_columns), ignore_columns=tuple(ignore_columns),
                unknown_columns=unknown_columns, missing_items=missing_items, on_invalid=on_invalid,
                label_map=load_label_map(label_map), dayfirst=dayfirst, source_format=source_format)


def _response_batches(source: Any, q: Questionnaire, *, batch_rows: int | None, delimiter: str | None,
                      sheet: str | int | None, options: dict[str, Any]) -> Iterator[tuple[ResponseSet, float | None]]:
    """The ResponseSets of the tables of ``source``: ids numbered on and checked across batches
    (of a whole-file read, once at the end: see :class:`_LaterIds`)."""
    seen: _SeenIds | _LaterIds = _SeenIds() if batch_rows is not None else _LaterIds()
    try:
        yield from _checked_batches(source, q, seen, batch_rows, delimiter, sheet, options)
    except Exception:
        try:
            seen.done(failed=True)  # a repeat in the batches before the fault: that is raised first
        except ResponseError as exc:
            raise exc from None
        raise
    seen.done()


def _checked_batches(source: Any, q: Questionnaire, seen: _SeenIds | _LaterIds, batch_rows: int | None,
                     delimiter: str | None, sheet: str | int | None, options: dict[str, Any],
                     ) -> Iterator[tuple[ResponseSet, float | None]]:
    numbered = 0
    cache: dict[Any, Any] = {}  # what table_fields finds once for all batches
    options = dict(options)
    order = DateOrder(options.pop("dayfirst", None))  # found by the first batch whose dates tell it, if not given
    named = [*(options[k] for k in ("id_column", "unit_column", "wave_column", "date_column")),
             *options["group_columns"], *options["ignore_columns"]]
    for a in format_tables(source, q, options.pop("source_format", "auto"), batch_rows=batch_rows, named=named,
                           on_invalid=options["on_invalid"], unknown_columns=options["unknown_columns"],
                           tables=lambda s: source_tables(s, delimiter=delimiter, sheet=sheet, batch_rows=batch_rows)):
        table = a.table  # as the tool's export is read (source_format): headers, columns set aside, flags
        _check_document(table, q)
        fields = table_fields(table, q, first_number=numbered + 1, date_order=order, cache=cache,
                              **{**options, "ignore_columns": options["ignore_columns"] + a.ignore})
        fields["flags"] = fields["flags"].merge(a.flags)
        numbered += table.n
        seen.add(fields["respondent_ids"], table.rows, table.file, fields.pop("ids_arrow"))
        yield _proven(ResponseSet, **fields), table.done  # ids checked by table_fields


def _check_document(table: Table, q: Questionnaire) -> None:
    """A responses document names the questionnaire (and version) it answers: they must fit."""
    where = f" {table.file}" if table.file else ""
    if table.questionnaire_id is not None and table.questionnaire_id != q.id:
        raise ResponseError(f"The responses document{where} is for questionnaire {table.questionnaire_id!r}, not {q.id!r}.")
    if table.questionnaire_version not in (None, q.version):
        raise ResponseError(
            f"The responses document{where} is for version {table.questionnaire_version!r} of {q.id!r}, "
            f"but the questionnaire is version {q.version!r}."
        )


def concat_responses(parts: Sequence[ResponseSet]) -> ResponseSet:
    """One ResponseSet of ``parts`` (batches of one source, same questionnaire and columns).

    Examples
    --------
    >>> from akhlak_levels import load_questionnaire, simulate
    >>> q = load_questionnaire("socio-emotional-levels")
    >>> rs, _ = simulate(q, 6, random_state=0)
    >>> len(concat_responses([rs.take([0, 1]), rs.take([2, 3, 4, 5])]))
    6
    """
    first = parts[0]

    def joined(name: str) -> np.ndarray | None:
        cols = [getattr(p, name) for p in parts]
        return None if cols[0] is None else np.concatenate(cols)

    names = list(dict.fromkeys(n for p in parts for n in p.flags.names))
    flags = Flags.from_columns(
        sum(len(p) for p in parts), {n: np.concatenate([p.flags[n] for p in parts]) for n in names}
    )
    return ResponseSet(
        questionnaire=first.questionnaire,
        respondent_ids=np.concatenate([p.respondent_ids for p in parts]),
        codes=np.concatenate([p.codes for p in parts]),
        unit=joined("unit"),
        wave=joined("wave"),
        date=joined("date"),
        groups={g: np.concatenate([p.groups[g] for p in parts]) for g in first.groups},
        flags=flags,
        source=first.source,
        ignored_columns=first.ignored_columns,
        skipped_rows=tuple(r for p in parts for r in p.skipped_rows),
    )


# --------------------------------------------------------------------------- arrays


def _from_array(X: np.ndarray, q: Questionnaire, ids: Sequence[Any] | None, on_invalid: str) -> ResponseSet:
    if X.ndim != 2 or X.shape[1] != q.n_items:
        raise ResponseError(
            f"Expected an array of shape (n_respondents, {q.n_items}) for questionnaire {q.id!r} "
            f"(columns in item order), got shape {X.shape}."
        )
    if X.shape[0] == 0:
        raise ResponseError("The array has no rows: expected at least one respondent.")
    if X.dtype.kind not in "iufb":
        try:
            X = X.astype(float)
        except (TypeError, ValueError):
            raise ResponseError(
                "An array source must hold numeric codes (NaN for missing); for labels pass a list of dicts or a DataFrame."
            ) from None
    n = X.shape[0]
    if ids is None:
        rid = np.arange(1, n + 1).astype(str)
    else:
        rid = np.asarray([str(i) for i in ids])
        if rid.shape != (n,):
            raise ResponseError(f"Expected {n} respondent_ids, one per row, got {rid.shape[0]}.")
        check_duplicate_ids(rid, np.arange(1, n + 1), None)
    Xf = X.astype(np.float64, copy=False)
    missing = np.isnan(Xf)
    k = q.n_options[None, :]
    ok = missing | ((Xf == np.round(Xf)) & (Xf >= 1) & (Xf <= k))
    codes = np.where(ok & ~missing, np.nan_to_num(Xf, nan=0.0) - 1, MISSING).astype(np.int8)
    flags = Flags.empty(n)
    if not ok.all():
        bad_r, bad_c = np.nonzero(~ok)
        if on_invalid == "raise":
            problems = [
                Problem(
                    f"expected a whole number from 1 to {q.items[c].n_options} or NaN",
                    row=int(r) + 1, respondent=str(rid[r]), item=q.items[c].id, value=float(Xf[r, c]),
                )
                for r, c in zip(bad_r[:_MAX_PROBLEMS], bad_c[:_MAX_PROBLEMS])
            ]
            raise ResponseError(f"{len(bad_r)} answers in the array are out of range:", problems, total=len(bad_r))
        flags = Flags.from_columns(n, {f"invalid:{q.items[c].id}": ~ok[:, c] for c in np.unique(bad_c)})
    return ResponseSet(q, rid, codes, flags=flags)


