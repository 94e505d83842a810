"""Reading a table of raw cells into the fields of a :class:`~akhlak_levels.ResponseSet`, in steps:
find the columns, read the ids, code the answers, carry the other columns along. Each step raises
a :class:`~akhlak_levels.errors.ResponseError` listing every problem it found before the next
begins. The coding of single cells (headers, answers, ids, dates) is in ``_coding``."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import numpy as np

from ._coding import (
    MISSING,
    carried_text,
    check_duplicate_ids,
    answer_lookup,
    closest_item,
    code_column,
    expected_text,
    ids_from_column,
    item_header_map,
    item_match,
    mapped_lookup,
    norm,
    plain_ids,
    shown,
)
from ._durations import DateOrder, parse_dates
from ._readers import LabelMap, Table, json_path
from ._readers._seen import MAX_PROBLEMS as SEEN_MAX_PROBLEMS
from .errors import Problem, ResponseError
from .flags import Flags
from .questionnaire import Questionnaire

#: Columns that form exports add and that are set aside (and listed in ``ignored_columns``).
EXPORT_COLUMNS = frozenset(
    {
        "timestamp", "cap waktu", "stempel waktu", "email address", "alamat email", "email",
        "id", "start time", "completion time", "last modified time", "name", "nama",
        "waktu mulai", "waktu penyelesaian", "waktu selesai", "score", "total score", "skor",
    }
)

#: The most problems one error lists (the total is given too): ``_readers._seen.MAX_PROBLEMS``.
MAX_PROBLEMS = SEEN_MAX_PROBLEMS


def table_fields(
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
    first_number: int = 1,
    label_map: LabelMap | None = None,
    date_order: DateOrder | None = None,
    cache: dict[Any, Any] | None = None,
) -> dict[str, Any]:
    """The fields of the ResponseSet of a table, in steps: find the columns, read the ids, code the answers,
    carry the other columns along. Each step raises a :class:`ResponseError` listing every
    problem it found before the next begins. ``label_map`` maps headers and labels first;
    ``date_order`` is the order of day and month given or found (see :class:`DateOrder`).
    ``ids_arrow`` (not a field: pop it) holds the ids as a pyarrow array when :func:`plain_ids`
    read them, else None. ``cache``: a dict kept over the batches of one read with the same
    options (the columns found for a header, each item's answer lookup), else None."""
    key = ("columns", tuple(t.columns), ignore_columns)
    cols = cache.get(key) if cache is not None else None
    if cols is None:
        cols = _find_columns(
            t, q,
            named={"id": id_column, "unit": unit_column, "wave": wave_column, "date": date_column},
            group_columns=group_columns,
            ignore_columns=ignore_columns,
            unknown_columns=unknown_columns,
            missing_items=missing_items,
            label_map=label_map,
        )
        if cache is not None:
            cache[key] = cols
    looks = cache.setdefault("looks", {}) if cache is not None else {}
    if t.n < _BESIDE_ROWS:
        rid, ids_arrow = _read_ids(t, cols.named["id"], first_number)
        coded = _coded(t, q, cols.items, label_map, looks)
    else:  # the answers are coded beside the reading of the ids (numpy and pyarrow let go of the GIL)
        with ThreadPoolExecutor(1) as pool:
            coding = pool.submit(_coded, t, q, cols.items, label_map, looks)
            rid, ids_arrow = _read_ids(t, cols.named["id"], first_number)  # its fault is raised first
            coded = coding.result()
    codes, flags = _answers_checked(t, q, cols.items, coded, rid, on_invalid)
    date = _read_dates(t, cols.named["date"], rid, date_order)
    return dict(
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
        ids_arrow=ids_arrow,
    )


#: Rows from which a table's answers are coded in a thread beside the reading of its ids.
_BESIDE_ROWS = 50_000


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


class ColumnFinder:
    """The position of a named column (matched as headers are: trimmed, case and spaces
    folded); a name the table lacks is a problem naming the columns it has."""

    def __init__(self, t: Table, problems: list[Problem]) -> None:
        self.t, self.problems = t, problems
        self.by_norm = {norm(c): j for j, c in enumerate(t.columns)}

    def __call__(self, name: str | None, default: str | None, role: str) -> int | None:
        """``name``'s column; with no name, ``default``'s if the table has it (else None)."""
        if name is None:
            return self.by_norm.get(default) if default else None
        j = self.by_norm.get(norm(name))
        if j is None:
            cols = self.t.columns
            self.problems.append(Problem(
                f"the {role} column {name!r} is not in the data; columns are {cols[:12]}{' ...' if len(cols) > 12 else ''}",
                file=self.t.file))
        return j

    def named(self, named: Mapping[str, str | None], defaults: Mapping[str, str], group_columns: Sequence[str],
              ignore_columns: Sequence[str]) -> tuple[dict[str, int | None], dict[str, int | None], set[int | None]]:
        """The columns of the named roles (``defaults``: role -> default header), of the groups
        and of the columns set aside."""
        meta = {role: self(named[role], default, role) for role, default in defaults.items()}
        group_pos = {g: self(g, None, "group") for g in group_columns}
        ignored = {self(c, None, "ignore") for c in ignore_columns}
        return meta, group_pos, ignored


def _find_columns(
    t: Table,
    q: Questionnaire,
    *,
    named: dict[str, str | None],
    group_columns: tuple[str, ...],
    ignore_columns: tuple[str, ...],
    unknown_columns: str,
    missing_items: str,
    label_map: LabelMap | None = None,
) -> _Columns:
    """Step 1: the named columns (id, unit, wave, date, groups, set aside), then an item for
    each other column; refuse missing named columns, unknown columns and (unless
    ``missing_items="missing"``) items without a column."""
    problems: list[Problem] = []
    meta, group_pos, ignored_pos = ColumnFinder(t, problems).named(named, _DEFAULT_COLUMNS, group_columns, ignore_columns)
    taken = {j for j in [*meta.values(), *group_pos.values(), *ignored_pos] if j is not None}
    ignored: list[str] = [t.columns[j] for j in sorted(j for j in ignored_pos if j is not None)]
    item_col = _item_columns(t, q, taken, unknown_columns, ignored, problems, label_map)
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
    t: Table, q: Questionnaire, taken: set[int], unknown_columns: str, ignored: list[str], problems: list[Problem],
    label_map: LabelMap | None = None,
) -> dict[int, int]:
    """Item position -> column, for the columns not ``taken`` by a named role: by the label
    map's ``columns`` first, then by id or text (exactly, then loosely: see ``item_match``).
    Form-export columns (and, with ``unknown_columns="ignore"``, any unknown one) are added to
    ``ignored``; an item held by two columns, a header matching two items equally and an unknown
    column (with the closest item not yet matched, "did you mean") are added to ``problems``."""
    hmap = item_header_map(q)
    item_col: dict[int, int] = {}
    unknown: list[str] = []
    for j, name in enumerate(t.columns):
        if j in taken:
            continue
        mapped = label_map.column(name) if label_map is not None else None
        pos = item_match(name, hmap) if mapped is None else _mapped_column(q, mapped, label_map, problems)
        if mapped is not None and mapped[1] is None:
            ignored.append(name)
        elif isinstance(pos, tuple):
            problems.append(Problem(
                f"the header matches {len(pos)} items equally once case, spacing and trailing punctuation are "
                f"ignored ({', '.join(q.items[p].id for p in pos)}); head the column with the item id, or map it in "
                "a label map's columns", file=t.file, value=shown(name)))
        elif pos is not None:
            if pos in item_col:
                problems.append(
                    Problem(
                        f"columns {t.columns[item_col[pos]]!r} and {name!r} both hold this item",
                        file=t.file, item=q.items[pos].id,
                    )
                )
            else:
                item_col[pos] = j
        elif mapped is not None:
            continue  # an item id the label map does not know: reported by _mapped_column
        elif norm(name) in EXPORT_COLUMNS or unknown_columns == "ignore":
            ignored.append(name)
        else:
            unknown.append(name)
    free = [pos for pos in range(q.n_items) if pos not in item_col]
    for k, name in enumerate(unknown):
        guess = closest_item(name, q, free) if k < _MAX_GUESSES and free else None
        problems.append(
            Problem(
                "unknown column: neither an item id, an item's text, nor a named id/unit/wave/date/group column "
                "(pass ignore_columns=[...] or unknown_columns='ignore' to set it aside)"
                + (f"; did you mean {guess!r}?" if guess else ""),
                file=t.file, value=shown(name),
            )
        )
    return item_col


#: The unknown columns given a "did you mean" (difflib over the items not matched), at most.
_MAX_GUESSES = 100


def _mapped_column(q: Questionnaire, mapped: tuple[str, str | None], label_map: LabelMap | None,
                   problems: list[Problem]) -> int | None:
    """The item position a label map gives a header (None: set aside, or an unknown item id,
    then a problem with the map's JSON path)."""
    path, item_id = mapped
    if item_id is None:
        return None
    if item_id in q.item_ids:
        return q.item_ids.index(item_id)
    problems.append(Problem(f"the label map names item {item_id!r}, which {q.id!r} does not have",
                            file=label_map.source if label_map else None, path=path))
    return None


def _read_ids(t: Table, id_pos: int | None, first_number: int = 1) -> tuple[np.ndarray, Any]:
    """Step 2: the respondent ids of the id column (refusing empty and repeated ones), or the
    respondents numbered from 1 when there is none; and the ids as a pyarrow array when they
    were read as plain texts, each on one row (:func:`plain_ids`), else None."""
    if id_pos is None:
        return np.arange(first_number, first_number + t.n).astype(str), None
    plain = plain_ids(t.data[id_pos])
    if plain is not None:
        return plain
    rid, problems = ids_from_column(t.data[id_pos], t, t.columns[id_pos])
    given = rid != ""
    problems += check_duplicate_ids(rid[given], t.rows[given], t.file, raise_now=False)
    if problems:
        raise ResponseError(f"The respondent ids{' in ' + t.file if t.file else ''} are not usable:", problems)
    return rid, None


def _coded(t: Table, q: Questionnaire, item_col: Mapping[int, int], label_map: LabelMap | None,
           looks: dict[int, dict[str, int]] | None) -> tuple[np.ndarray, dict[int, np.ndarray]]:
    """The code matrix and, per item position, the mask of its unreadable answers (where any)."""
    looks = {} if looks is None else looks
    mapped = _mapped_labels(q, item_col, label_map)
    by_item = np.empty((q.n_items, t.n), dtype=np.int8)  # a row per item: written whole, then turned
    by_item[[pos for pos in range(q.n_items) if pos not in item_col]] = MISSING
    bad_masks: dict[int, np.ndarray] = {}
    for pos, j in sorted(item_col.items()):
        look = looks.get(pos)
        if look is None:
            look = looks[pos] = answer_lookup(q.items[pos])
        _, bad = code_column(t.data[j], q.items[pos], mapped.get(pos), look, out=by_item[pos])
        if bad.any():
            bad_masks[pos] = bad
    return _turned(by_item), bad_masks


def _answers_checked(t: Table, q: Questionnaire, item_col: Mapping[int, int],
                     coded: tuple[np.ndarray, dict[int, np.ndarray]], rid: np.ndarray, on_invalid: str,
                     ) -> tuple[np.ndarray, Flags]:
    """The codes and flags of :func:`_coded`'s result; with ``on_invalid="raise"`` every
    unreadable answer (up to a cap) is reported, naming its row, respondent, item and value."""
    codes, bad_masks = coded
    problems: list[Problem] = []
    n_bad = 0
    for pos, bad in bad_masks.items():
        it, j = q.items[pos], item_col[pos]
        rows_bad = np.flatnonzero(bad)
        n_bad += len(rows_bad)
        if on_invalid == "raise":
            for r in rows_bad[:max(MAX_PROBLEMS - len(problems), 0)].tolist():
                problems.append(Problem(expected_text(it), file=t.file, row=int(t.rows[r]), respondent=str(rid[r]),
                                        item=it.id, value=shown(t.data[j][r])))
    if problems:
        raise ResponseError(
            f"{n_bad} answers{' in ' + t.file if t.file else ''} cannot be read as answers to {q.id!r} "
            "(pass on_invalid='missing' to set them missing and flag the respondents):",
            problems,
            total=n_bad,
        )
    return codes, Flags.from_columns(t.n, {f"invalid:{q.items[pos].id}": bad for pos, bad in bad_masks.items()})


def _turned(by_item: np.ndarray) -> np.ndarray:
    """The respondents x items matrix of an items x respondents one, turned a block of rows at a
    time (a column written into a row-major matrix strides across all of it)."""
    k, n = by_item.shape
    out = np.empty((n, k), dtype=by_item.dtype)
    step = 1 << 15
    for lo in range(0, n, step):
        out[lo:lo + step] = by_item[:, lo:lo + step].T
    return out


def _mapped_labels(q: Questionnaire, item_col: Mapping[int, int], label_map: LabelMap | None) -> dict[int, dict[str, int]]:
    """Item position -> the labels a label map gives it, for the items with a column; raise
    when a target is not an option of its item (every one, with its JSON path)."""
    if label_map is None:
        return {}
    mapped: dict[int, dict[str, int]] = {}
    problems: list[Problem] = []
    for pos in sorted(item_col):
        mapped[pos], found = mapped_lookup(q.items[pos], label_map)
        problems += found
    unknown = sorted(set(label_map.items) - set(q.item_ids))
    problems += [Problem(f"the label map names item {i!r}, which {q.id!r} does not have", file=label_map.source,
                         path=json_path("items", i)) for i in unknown]
    if problems:
        raise ResponseError(f"The label map{' ' + label_map.source if label_map.source else ''} does not fit "
                            f"questionnaire {q.id!r}:", problems[:MAX_PROBLEMS], total=len(problems))
    return mapped


def _text_column(t: Table, j: int | None) -> np.ndarray | None:
    """Step 4: a column carried along as text (``""`` where unanswered), or None."""
    if j is None:
        return None
    text, problems = carried_text(t.data[j], t, t.columns[j])
    if problems:
        raise ResponseError(f"The column {t.columns[j]!r}{' in ' + t.file if t.file else ''} cannot be carried along as text:", problems)
    return text


def _read_dates(t: Table, j: int | None, rid: np.ndarray, order: DateOrder | None = None) -> np.ndarray | None:
    """Step 4: the date column as ``datetime64[D]``, refusing unreadable dates and an order of
    day and month neither given nor told by the dates, or None."""
    if j is None:
        return None
    date, problems = parse_dates(t.data[j], t, t.columns[j], rid, order)
    if problems:
        raise ResponseError(f"Dates{' in ' + t.file if t.file else ''} cannot be read:", problems)
    return date
