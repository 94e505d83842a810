"""Validated, integer-coded responses to a questionnaire, read from real exports.

The reader takes exports as they come (Google Forms CSV, Microsoft Forms XLSX, ``;``-delimited
CSV with a byte-order mark, JSON, pandas): columns may be item ids or the question text in any of
the questionnaire's languages, answers may be codes or labels. Every problem is reported with
file, row, respondent, item and value; nothing is dropped silently.

Reading a table goes in steps: find the columns, read the ids, code the answers, carry the other
columns along. The coding of single cells (headers, answers, ids, dates) is in ``_coding``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Literal, Mapping, Sequence

import numpy as np

from ._coding import (
    MISSING,
    carried_text,
    check_duplicate_ids,
    code_column,
    expected_text,
    ids_from_column,
    item_header_map,
    match_item,
    norm,
    parse_dates,
    shown,
)
from ._durations import parse_durations
from ._readers import Table, read_source
from ._validation import Options, check
from .errors import Problem, ResponseError
from .flags import Flags
from .questionnaire import Questionnaire, load_questionnaire

__all__ = ["ResponseSet", "read_responses", "MISSING", "parse_durations"]

#: Columns that form exports add and that are set aside (and listed in ``ignored_columns``).
EXPORT_COLUMNS = frozenset(
    {
        "timestamp", "cap waktu", "stempel waktu", "email address", "alamat email", "email",
        "id", "start time", "completion time", "last modified time", "name", "nama",
        "waktu mulai", "waktu penyelesaian", "waktu selesai", "score", "total score", "skor",
    }
)

_MAX_PROBLEMS = 10_000


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
    a leading question number (``12. ``) is ignored. An answer matches by its code (``"5"``,
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
    check("read_responses", "unknown_columns", unknown_columns, Options(("error", "ignore")))
    check("read_responses", "missing_items", missing_items, Options(("error", "missing")))
    check("read_responses", "on_invalid", on_invalid, Options(("raise", "missing")))
    if isinstance(source, np.ndarray) or (
        isinstance(source, Sequence) and source and isinstance(source[0], (list, tuple, np.ndarray))
    ):
        return _from_array(np.asarray(source), q, respondent_ids, on_invalid)
    if respondent_ids is not None:
        raise TypeError("respondent_ids is only for an array source; other sources name an id_column.")
    table = read_source(source, delimiter=delimiter, sheet=sheet)
    if table.questionnaire_id is not None and table.questionnaire_id != q.id:
        raise ResponseError(
            f"The responses document{' ' + table.file if table.file else ''} is for questionnaire "
            f"{table.questionnaire_id!r}, not {q.id!r}."
        )
    if table.questionnaire_version not in (None, q.version):
        raise ResponseError(
            f"The responses document{' ' + table.file if table.file else ''} is for version "
            f"{table.questionnaire_version!r} of {q.id!r}, but the questionnaire is version {q.version!r}."
        )
    return _from_table(
        table,
        q,
        id_column=id_column,
        unit_column=unit_column,
        wave_column=wave_column,
        date_column=date_column,
        group_columns=tuple(group_columns),
        ignore_columns=tuple(ignore_columns),
        unknown_columns=unknown_columns,
        missing_items=missing_items,
        on_invalid=on_invalid,
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


# --------------------------------------------------------------------------- tables


def _from_table(
    t: Table,
    q: Questionnaire,
    *,
    id_column: str | None,
    unit_column: str | None,
    wave_column: str | None,
    date_column: str | None,
    group_columns: tuple[str, ...],
    ignore_columns: tuple[str, ...],
    unknown_columns: str,
    missing_items: str,
    on_invalid: str,
) -> ResponseSet:
    """The responses of a table, in steps: find the columns, read the ids, code the answers,
    carry the other columns along. Each step raises a :class:`ResponseError` listing every
    problem it found before the next begins."""
    cols = _find_columns(
        t, q,
        named={"id": id_column, "unit": unit_column, "wave": wave_column, "date": date_column},
        group_columns=group_columns,
        ignore_columns=ignore_columns,
        unknown_columns=unknown_columns,
        missing_items=missing_items,
    )
    rid = _read_ids(t, cols.named["id"])
    codes, flags = _code_answers(t, q, cols.items, rid, on_invalid)
    date = _read_dates(t, cols.named["date"], rid)
    return ResponseSet(
        questionnaire=q,
        respondent_ids=rid,
        codes=codes,
        unit=_text_column(t, cols.named["unit"]),
        wave=_text_column(t, cols.named["wave"]),
        date=date,
        groups={g: col for g, j in cols.groups.items() if (col := _text_column(t, j)) is not None},
        flags=flags,
        source=t.file,
        ignored_columns=tuple(cols.ignored),
        skipped_rows=tuple(int(r) for r in t.skipped_rows),
    )


@dataclass(frozen=True)
class _Columns:
    """Where the parts of a table are: the position of the id, unit, wave and date columns
    (``named``, None when absent), of each group column, the column of each item position, and
    the names of the columns set aside."""

    named: dict[str, int | None]
    groups: dict[str, int | None]
    items: dict[int, int]
    ignored: list[str]


#: The column used for each role when none is named.
_DEFAULT_COLUMNS = {"id": "respondent_id", "unit": "unit", "wave": "wave", "date": "date"}


def _find_columns(
    t: Table,
    q: Questionnaire,
    *,
    named: dict[str, str | None],
    group_columns: tuple[str, ...],
    ignore_columns: tuple[str, ...],
    unknown_columns: str,
    missing_items: str,
) -> _Columns:
    """Step 1: the named columns (id, unit, wave, date, groups, set aside), then an item for
    each other column; refuse missing named columns, unknown columns and (unless
    ``missing_items="missing"``) items without a column."""
    by_norm = {norm(c): j for j, c in enumerate(t.columns)}
    problems: list[Problem] = []

    def find(name: str | None, default: str | None, role: str) -> int | None:
        if name is None:
            return by_norm.get(default) if default else None
        j = by_norm.get(norm(name))
        if j is None:
            problems.append(
                Problem(f"the {role} column {name!r} is not in the data; columns are {t.columns[:12]}{' ...' if len(t.columns) > 12 else ''}", file=t.file)
            )
        return j

    meta = {role: find(named[role], default, role) for role, default in _DEFAULT_COLUMNS.items()}
    group_pos = {g: find(g, None, "group") for g in group_columns}
    ignored_pos = {find(c, None, "ignore") for c in ignore_columns}
    taken = {j for j in [*meta.values(), *group_pos.values(), *ignored_pos] if j is not None}
    ignored: list[str] = [t.columns[j] for j in sorted(j for j in ignored_pos if j is not None)]
    item_col = _item_columns(t, q, taken, unknown_columns, ignored, problems)
    absent = [it.id for pos, it in enumerate(q.items) if pos not in item_col]
    if absent and missing_items == "error":
        shown_ids = absent if len(absent) <= 10 else absent[:10] + [f"... {len(absent) - 10} more"]
        problems.append(
            Problem(
                f"{len(absent)} of {q.n_items} items have no column: {shown_ids} "
                "(pass missing_items='missing' to score a partial questionnaire)",
                file=t.file,
            )
        )
    if problems:
        raise ResponseError(f"The columns{' of ' + t.file if t.file else ''} do not fit questionnaire {q.id!r}:", problems)
    return _Columns(meta, group_pos, item_col, ignored)


def _item_columns(
    t: Table, q: Questionnaire, taken: set[int], unknown_columns: str, ignored: list[str], problems: list[Problem]
) -> dict[int, int]:
    """Item position -> column, for the columns not ``taken`` by a named role. Form-export
    columns (and, with ``unknown_columns="ignore"``, any unknown one) are added to ``ignored``;
    an item held by two columns and an unknown column are added to ``problems``."""
    hmap = item_header_map(q)
    item_col: dict[int, int] = {}
    unknown: list[str] = []
    for j, name in enumerate(t.columns):
        if j in taken:
            continue
        pos = match_item(name, hmap)
        if pos is not None:
            if pos in item_col:
                problems.append(
                    Problem(
                        f"columns {t.columns[item_col[pos]]!r} and {name!r} both hold this item",
                        file=t.file, item=q.items[pos].id,
                    )
                )
            else:
                item_col[pos] = j
        elif norm(name) in EXPORT_COLUMNS or unknown_columns == "ignore":
            ignored.append(name)
        else:
            unknown.append(name)
    for name in unknown:
        problems.append(
            Problem(
                "unknown column: neither an item id, an item's text, nor a named id/unit/wave/date/group column "
                "(pass ignore_columns=[...] or unknown_columns='ignore' to set it aside)",
                file=t.file, value=shown(name),
            )
        )
    return item_col


def _read_ids(t: Table, id_pos: int | None) -> np.ndarray:
    """Step 2: the respondent ids of the id column (refusing empty and repeated ones), or the
    respondents numbered from 1 when there is none."""
    if id_pos is None:
        return np.arange(1, t.n + 1).astype(str)
    rid, problems = ids_from_column(t.data[id_pos], t, t.columns[id_pos])
    given = rid != ""
    problems += check_duplicate_ids(rid[given], t.rows[given], t.file, raise_now=False)
    if problems:
        raise ResponseError(f"The respondent ids{' in ' + t.file if t.file else ''} are not usable:", problems)
    return rid


def _code_answers(
    t: Table, q: Questionnaire, item_col: Mapping[int, int], rid: np.ndarray, on_invalid: str
) -> tuple[np.ndarray, Flags]:
    """Step 3: the code matrix (MISSING for items without a column) and the ``invalid:ITEM``
    flags; with ``on_invalid="raise"`` every unreadable answer (up to a cap) is reported."""
    codes = np.full((t.n, q.n_items), MISSING, dtype=np.int8)
    problems: list[Problem] = []
    bad_masks: dict[str, np.ndarray] = {}
    n_bad = 0
    for pos, j in sorted(item_col.items()):
        it = q.items[pos]
        col_codes, bad = code_column(t.data[j], it)
        codes[:, pos] = col_codes
        if bad.any():
            bad_masks[it.id] = bad
            rows_bad = np.flatnonzero(bad)
            n_bad += len(rows_bad)
            if on_invalid == "raise":
                for r in rows_bad:
                    if len(problems) >= _MAX_PROBLEMS:
                        break
                    problems.append(
                        Problem(
                            expected_text(it), file=t.file, row=int(t.rows[r]), respondent=str(rid[r]),
                            item=it.id, value=shown(t.data[j][r]),
                        )
                    )
    if problems:
        raise ResponseError(
            f"{n_bad} answers{' in ' + t.file if t.file else ''} cannot be read as answers to {q.id!r} "
            "(pass on_invalid='missing' to set them missing and flag the respondents):",
            problems,
            total=n_bad,
        )
    return codes, Flags.from_columns(t.n, {f"invalid:{k}": v for k, v in bad_masks.items()})


def _text_column(t: Table, j: int | None) -> np.ndarray | None:
    """Step 4: a column carried along as text (``""`` where unanswered), or None."""
    if j is None:
        return None
    text, problems = carried_text(t.data[j], t, t.columns[j])
    if problems:
        raise ResponseError(f"The column {t.columns[j]!r}{' in ' + t.file if t.file else ''} cannot be carried along as text:", problems)
    return text


def _read_dates(t: Table, j: int | None, rid: np.ndarray) -> np.ndarray | None:
    """Step 4: the date column as ``datetime64[D]``, refusing unreadable dates, or None."""
    if j is None:
        return None
    date, problems = parse_dates(t.data[j], t, t.columns[j], rid)
    if problems:
        raise ResponseError(f"Dates{' in ' + t.file if t.file else ''} cannot be read:", problems)
    return date
