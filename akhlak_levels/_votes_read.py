"""Reading votes as the form tools export them into a :class:`~akhlak_levels.VoteSet`.

Two layouts of a table are read (see :func:`read_votes`): one column per vote question holding
the picks of each respondent (``"cells"``: Google Forms, Microsoft Forms, ODK/KoBoToolbox
choice names, JSON arrays, lists in a DataFrame), and one 0/1 or TRUE/FALSE column per
behaviour of a question (``"indicators"``: KoBoToolbox, LimeSurvey). The id, unit, wave and
group columns are found and read as :func:`~akhlak_levels.read_responses` reads them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal, Sequence

import numpy as np

from ._coding import carried_text, check_duplicate_ids, header_map, ids_from_column, match_item, shown
from ._fields import EXPORT_COLUMNS, MAX_PROBLEMS, ColumnFinder
from ._readers import Column, Table, arrow_column, distinct, norm, source_tables
from ._readers._sources import SOURCE_FORMATS, format_tables, votes_of
from ._validation import Options, check
from ._votes_cells import VoteKeys, check_picks, read_cell
from ._votes_fast import arrow_ids, arrow_list_cells, fast_cells
from ._votes_long import long_votes
from .errors import Problem, ResponseError
from .flags import Flags
from .questionnaire import Questionnaire, load_questionnaire
from .votes import VoteSet

__all__ = ["read_votes"]

_DEFAULT_COLUMNS = {"id": "respondent_id", "unit": "unit", "wave": "wave"}
_BRACKET = re.compile(r"^(.+?)\s*\[(.+)\]$")


def read_votes(
    source: Any,
    questionnaire: Questionnaire | str,
    *,
    id_column: str | None = None,
    unit_column: str | None = None,
    wave_column: str | None = None,
    group_columns: Sequence[str] = (),
    ignore_columns: Sequence[str] = (),
    unknown_columns: Literal["error", "ignore"] = "error",
    on_invalid: Literal["raise", "missing"] = "raise",
    delimiter: str | None = None,
    sheet: str | int | None = None,
    format: Literal["auto", "cells", "indicators", "long"] = "auto",
    question_column: str | None = None,
    behaviour_column: str | None = None,
    source_format: str = "auto",
) -> VoteSet:
    """Read and validate the votes of a vote instrument (the culture-map survey).

    Parameters
    ----------
    source : path, DataFrame, list of dict or dict
        As for :func:`~akhlak_levels.read_responses`: a ``.csv``, ``.json``, ``.jsonl``,
        ``.xlsx`` or ``.parquet`` file, a pandas DataFrame or a list of records.
    questionnaire : Questionnaire or str
        A questionnaire with ``vote_questions`` (e.g. ``"berakhlak-culture-map"``).
    id_column, unit_column, wave_column : str, default=None
        As for :func:`~akhlak_levels.read_responses`: by default ``respondent_id``, ``unit`` and
        ``wave`` when present; without an id column respondents are numbered from 1.
    group_columns : sequence of str, default=()
        Further columns carried along in :attr:`VoteSet.groups`.
    ignore_columns : sequence of str, default=()
        Columns set aside. Form-export columns (Timestamp, Email Address, ...) are set aside
        without being named.
    unknown_columns : {"error", "ignore"}, default="error"
        What to do with any other column.
    on_invalid : {"raise", "missing"}, default="raise"
        ``"raise"``: every unreadable or rule-breaking answer is reported in one
        :class:`~akhlak_levels.errors.ResponseError`, with file, row, respondent, question (as
        ``item``) and value. ``"missing"``: that question's picks are cleared for that respondent
        and the respondent is flagged ``invalid:<question id>``.
    delimiter, sheet : optional
        As for :func:`~akhlak_levels.read_responses`.
    format : {"auto", "cells", "indicators", "long"}, default="auto"
        The layout of the table. ``"cells"``: one column per vote question, headed by the
        question's id or its text in any language (case and spacing ignored; a leading question
        number such as ``"1. "`` is allowed). A cell holds the picks as labels (any language,
        case and spacing) joined by ``", "`` (Google Forms) or ``";"`` (Microsoft Forms), as
        behaviour ids separated by spaces (ODK, KoBoToolbox), or as a list of labels or ids (a
        JSON array, a list in a DataFrame cell). Labels may contain commas: a text is split by
        matching the known labels, and one that splits into known behaviours in two ways is
        reported. ``"indicators"``: one column per behaviour of a question, headed
        ``<question id>/<behaviour id>`` (``/``, ``_``, ``.`` or ``:`` between, as KoBoToolbox
        and others write it) or ``<question id>[<behaviour id or label>]`` (LimeSurvey), holding
        1/0, TRUE/FALSE, yes/no, ya/tidak or empty (not picked). ``"long"``: one row per pick,
        with a respondent id column and the columns ``question`` (id or text) and ``behaviour``
        (one label or id); unit, wave and group columns must agree on every row of a
        respondent, and respondents come in the order of their first row. ``"auto"`` takes the
        layout the headers show (long when the question and behaviour columns are there), and
        refuses a table that mixes one column per question with one per behaviour.
    question_column, behaviour_column : str, default=None
        The columns of a long table; by default ``question`` and ``behaviour``.
    source_format : str, default="auto"
        The tool that wrote the export, as for :func:`~akhlak_levels.read_responses`; a KoBo/ODK
        ``select_multiple`` given both as its column and as 0/1 columns is read from both, which
        must agree (a row where they differ is refused).

    Returns
    -------
    VoteSet

    Raises
    ------
    ResponseError
        Missing named columns, unknown columns, a question held by two columns, unusable ids,
        and (with ``on_invalid="raise"``) every answer that names an unknown behaviour or one
        the question does not offer, names a behaviour twice, picks more than the question's
        maximum or fewer than its minimum, or (``"cells"``) splits into known behaviours in
        two ways. A question with no picks at all is unanswered (all ``-1``), never "too few".

    Examples
    --------
    >>> from akhlak_levels import load_questionnaire, read_votes
    >>> q = load_questionnaire("berakhlak-culture-map")
    >>> ten = [b.label["id"] for b in q.behaviours[:10]]
    >>> rows = [
    ...     {"unit": "Umum", "personal": ", ".join(ten), "current": ";".join(ten).upper(), "desired": ""},
    ...     {"unit": "Keuangan", "personal": [b.id for b in q.behaviours[10:20]], "current": "", "desired": ""},
    ... ]
    >>> v = read_votes(rows, q)
    >>> v.n_picks.tolist(), v.picks[1, 0, :3].tolist(), v.unit.tolist()
    ([[10, 10, 0], [10, 0, 0]], [10, 11, 12], ['Umum', 'Keuangan'])
    """
    q = load_questionnaire(questionnaire)
    check("read_votes", "unknown_columns", unknown_columns, Options(("error", "ignore")))
    check("read_votes", "on_invalid", on_invalid, Options(("raise", "missing")))
    check("read_votes", "format", format, Options(("auto", "cells", "indicators", "long")))
    check("read_votes", "source_format", source_format, Options(SOURCE_FORMATS))
    if not q.vote_questions:
        raise ResponseError(f"Questionnaire {q.id!r} has no vote questions; read its answers with read_responses.")
    options: dict[str, Any] = dict(
        named={"id": id_column, "unit": unit_column, "wave": wave_column, "question": question_column,
               "behaviour": behaviour_column},
        group_columns=tuple(group_columns), ignore_columns=tuple(ignore_columns),
        unknown_columns=unknown_columns, layout=format,
    )
    parts: list[dict[str, Any]] = []
    rows: list[np.ndarray] = []
    file = None
    for a in format_tables(source, q, source_format, batch_rows=None, on_invalid=on_invalid,
                           named=[id_column, unit_column, wave_column, question_column, behaviour_column, *group_columns,
                                  *ignore_columns],
                           unknown_columns=unknown_columns,
                           tables=lambda s: source_tables(s, delimiter=delimiter, sheet=sheet, batch_rows=None, arrow=True)):
        parts.append(_adapted_votes(a, q, 1 + sum(len(p["respondent_ids"]) for p in parts), on_invalid, options))
        rows.append(np.asarray(a.table.rows, dtype=np.int64))
        file = a.table.file
    return _joined(q, parts, rows, file)


def _adapted_votes(a: Any, q: Questionnaire, first: int, on_invalid: str, options: dict[str, Any]) -> dict[str, Any]:
    """The vote fields of a table as ``source_format`` left it (its columns set aside, its flags;
    a select_multiple given both ways read from both, see ``votes_of``)."""
    got = votes_of(a, lambda t, layout, ignore: _table_votes(
        t, q, first_number=first, on_invalid=on_invalid,
        **{**options, "ignore_columns": options["ignore_columns"] + ignore, "layout": layout or options["layout"]}),
        tuple(b.id for b in q.behaviours))
    return {**got, "flags": got["flags"].merge(a.flags)}


def _joined(q: Questionnaire, parts: list[dict[str, Any]], rows: list[np.ndarray], file: str | None) -> VoteSet:
    """One VoteSet of the parts read from the tables of a source (usually one)."""
    rid = np.concatenate([p["respondent_ids"] for p in parts]) if len(parts) != 1 else parts[0]["respondent_ids"]
    if len(parts) > 1:
        check_duplicate_ids(rid, np.concatenate(rows), file)

    def joined(key: str) -> np.ndarray | None:
        got = [p[key] for p in parts]
        return None if any(g is None for g in got) else np.concatenate(got) if len(got) != 1 else got[0]

    names = list(dict.fromkeys(n for p in parts for n in p["flags"].names))
    flags = Flags.from_columns(len(rid), {n: np.concatenate([p["flags"][n] for p in parts]) for n in names})
    groups = {g: np.concatenate([p["groups"][g] for p in parts]) for g in parts[0]["groups"]}
    return VoteSet(
        q.id, q.version, rid, np.concatenate([p["picks"] for p in parts]) if len(parts) != 1 else parts[0]["picks"],
        unit=joined("unit"), wave=joined("wave"), groups=groups, flags=flags, source=file,
        skipped_rows=tuple(r for p in parts for r in p["skipped_rows"]), n_behaviours=len(q.behaviours),
    )


@dataclass(frozen=True)
class _VoteColumns:
    """Where the parts of a table are: the id, unit and wave columns (``named``), the group
    columns, and either the column of each question (``cells``) or the (behaviour position,
    column) pairs of each question (``indicators``)."""

    named: dict[str, int | None]
    groups: dict[str, int | None]
    cells: dict[int, int]
    indicators: dict[int, list[tuple[int, int]]]
    long: tuple[int, int] | None = None  # the question and behaviour columns of a long table
    hmap: dict[str, int] | None = None


def _table_votes(t: Table, q: Questionnaire, *, named: dict[str, str | None], group_columns: tuple[str, ...],
                 ignore_columns: tuple[str, ...], unknown_columns: str, layout: str, on_invalid: str,
                 first_number: int) -> dict[str, Any]:
    """The fields of the VoteSet of one table: columns, ids, picks, carried columns."""
    keys = VoteKeys(q)
    cols = _find_columns(t, q, keys, named=named, group_columns=group_columns, ignore_columns=ignore_columns,
                         unknown_columns=unknown_columns, layout=layout)
    if cols.long is not None:
        got = long_votes(t, q, keys, cols.hmap or {}, id_j=int(cols.named["id"] or 0), question_j=cols.long[0],
                         behaviour_j=cols.long[1], carried={"unit": cols.named["unit"], "wave": cols.named["wave"],
                                                            **{"group:" + g: j for g, j in cols.groups.items()}})
        rid, picks, bad, problems = got["respondent_ids"], got["picks"], got["bad"], got["problems"]
        carried = got["carried"]
    else:
        rid = _read_ids(t, cols.named["id"], first_number)
        width = max(vq.max_picks for vq in q.vote_questions)
        picks = np.full((t.n, len(q.vote_questions), width), -1, dtype=np.int16)
        bad, problems = {}, []
        for qi, j in sorted(cols.cells.items()):
            _cell_picks(t, q, keys, qi, j, rid, picks, bad, problems)
        for qi, pairs in sorted(cols.indicators.items()):
            _indicator_picks(t, q, qi, pairs, rid, picks, bad, problems)
        carried = {"unit": _text_column(t, cols.named["unit"]), "wave": _text_column(t, cols.named["wave"]),
                   **{"group:" + g: _text_column(t, j) for g, j in cols.groups.items()}}
    n_bad = int(sum(int(m.sum()) for m in bad.values()))
    if n_bad and on_invalid == "raise":
        raise ResponseError(
            f"{n_bad} answers{' in ' + t.file if t.file else ''} cannot be read as votes in {q.id!r} "
            "(pass on_invalid='missing' to clear them and flag the respondents):",
            problems[:MAX_PROBLEMS], total=max(n_bad, len(problems)),
        )
    for qid, mask in bad.items():
        picks[mask, [vq.id for vq in q.vote_questions].index(qid), :] = -1
    return dict(
        respondent_ids=rid, picks=picks, unit=carried["unit"], wave=carried["wave"],
        groups={g[6:]: col for g, col in carried.items() if g.startswith("group:") and col is not None},
        flags=Flags.from_columns(len(rid), {f"invalid:{k}": v for k, v in bad.items()}),
        skipped_rows=[int(r) for r in t.skipped_rows],
    )


def _read_ids(t: Table, j: int | None, first_number: int) -> np.ndarray:
    """The respondent ids of the id column (refusing empty and repeated ones), or the
    respondents numbered from ``first_number`` when there is none (as ``read_responses``)."""
    if j is None:
        return np.arange(first_number, first_number + t.n).astype(str)
    arrow = arrow_column(t, j)
    if arrow is not None:
        got = arrow_ids(arrow[0])  # plain, distinct texts: the same ids, at once
        if got is not None:
            return got
    col = t.data[j]
    problems: list[Problem] = []
    if isinstance(col, np.ndarray) and col.dtype.kind in "iu" and len(col):  # whole numbers: their text, at once
        rid = col.astype(str)
        rid = rid.astype(f"<U{int(np.char.str_len(rid).max())}")
    else:
        if isinstance(col, Column) and len(col.values) > 1 and col.values[-1] is None and len(col.index) \
                and int(col.index.max()) < len(col.values) - 1:
            col = Column(col.values[:-1], col.index)  # Parquet's slot for nulls, unused: the texts are read at once
        rid, problems = ids_from_column(col, t, t.columns[j])
    given = rid != ""
    problems += check_duplicate_ids(rid[given], t.rows[given], t.file, raise_now=False)
    if problems:
        raise ResponseError(f"The respondent ids{' in ' + t.file if t.file else ''} are not usable:", problems)
    return rid


def _text_column(t: Table, j: int | None) -> np.ndarray | None:
    """A column carried along as text (``""`` where unanswered), or None."""
    if j is None:
        return None
    text, problems = carried_text(t.data[j], t, t.columns[j])
    if problems:
        raise ResponseError(f"The column {t.columns[j]!r}{' in ' + t.file if t.file else ''} cannot be carried "
                            "along as text:", problems)
    return text


def _find_columns(t: Table, q: Questionnaire, keys: VoteKeys, *, named: dict[str, str | None],
                  group_columns: tuple[str, ...], ignore_columns: tuple[str, ...], unknown_columns: str,
                  layout: str) -> _VoteColumns:
    """The named columns, then a question (or a question's behaviour) for each other column;
    refuse missing named columns, unknown columns, a question held twice and mixed layouts."""
    problems: list[Problem] = []
    find = ColumnFinder(t, problems)
    meta, group_pos, ignored = find.named(named, _DEFAULT_COLUMNS, group_columns, ignore_columns)
    taken = {j for j in [*meta.values(), *group_pos.values(), *ignored] if j is not None}
    # question texts and ids, matched exactly, then without trailing punctuation; a key two questions share is left out
    hmap = {k: v for k, v in header_map(((qi, text) for qi, vq in enumerate(q.vote_questions) for text in vq.text.values()),
                                        ((qi, vq.id) for qi, vq in enumerate(q.vote_questions))).items() if isinstance(v, int)}
    long = _long_columns(find, named, layout, meta["id"], t, problems)
    taken |= set(long or ())
    cells: dict[int, int] = {}
    indicators: dict[int, list[tuple[int, int]]] = {}
    seen: dict[tuple[int, int], int] = {}
    for j, name in enumerate(t.columns):
        if j in taken:
            continue
        at = match_item(name, hmap) if layout in ("auto", "cells") and long is None else None
        pair = _indicator_header(name, hmap, keys) if layout in ("auto", "indicators") and long is None and at is None else None
        if at is not None:
            if at in cells:
                problems.append(Problem(f"columns {t.columns[cells[at]]!r} and {name!r} both hold this question",
                                        file=t.file, item=q.vote_questions[at].id))
            cells[at] = j
        elif pair is not None:
            if pair in seen:
                problems.append(Problem(
                    f"columns {t.columns[seen[pair]]!r} and {name!r} both hold behaviour "
                    f"{q.behaviours[pair[1]].id!r}", file=t.file, item=q.vote_questions[pair[0]].id))
            elif q.behaviours[pair[1]].id not in q.vote_questions[pair[0]].behaviour_ids:
                problems.append(Problem(f"column {name!r}: behaviour {q.behaviours[pair[1]].id!r} is not offered "
                                        "in this question", file=t.file, item=q.vote_questions[pair[0]].id))
            seen[pair] = j
            indicators.setdefault(pair[0], []).append((pair[1], j))
        elif norm(name) not in EXPORT_COLUMNS and unknown_columns == "error":
            problems.append(Problem(
                "unknown column: neither a vote question (id or text), a question's behaviour "
                "(<question id>/<behaviour id>), nor a named id/unit/wave/group column (pass ignore_columns=[...] "
                "or unknown_columns='ignore' to set it aside)", file=t.file, value=shown(name)))
    if cells and indicators:
        problems.append(Problem(
            f"the table mixes one column per question ({[t.columns[j] for j in cells.values()][:3]}) with one column "
            f"per behaviour ({[t.columns[j] for p in indicators.values() for _, j in p][:3]}); pass format=",
            file=t.file))
    if not cells and not indicators and long is None and layout != "long":
        problems.append(Problem(f"no column holds a vote question of {q.id!r} (expected one of "
                                f"{[vq.id for vq in q.vote_questions]} or their texts)", file=t.file))
    if problems:
        raise ResponseError(f"The columns{' of ' + t.file if t.file else ''} do not fit the vote questions of {q.id!r}:",
                            problems)
    return _VoteColumns(meta, group_pos, cells, indicators, long, hmap)


def _long_columns(find: Any, named: dict[str, str | None], layout: str, id_j: int | None, t: Table,
                  problems: list[Problem]) -> tuple[int, int] | None:
    """The question and behaviour columns of a long table (``question`` and ``behaviour`` unless
    named), or None when the table is not one; a long table needs an id column."""
    if layout not in ("auto", "long"):
        return None
    qj = find(named.get("question"), "question", "question")
    bj = find(named.get("behaviour"), "behaviour", "behaviour")
    if qj is None or bj is None:
        if layout == "long" and named.get("question") is None and named.get("behaviour") is None:
            problems.append(Problem("a long table needs a question and a behaviour column (question_column=, "
                                    "behaviour_column=; by default 'question' and 'behaviour')", file=t.file))
        return None
    if id_j is None:
        problems.append(Problem("a long table needs a respondent id column (id_column=; by default 'respondent_id')",
                                file=t.file))
    return qj, bj


def _indicator_header(name: str, hmap: dict[str, int], keys: VoteKeys) -> tuple[int, int] | None:
    """(question, behaviour position) of a header ``<question>/<behaviour id>`` (or with ``_``,
    ``.``, ``:``; every place of the separator is tried, so ids may hold ``_``) or
    ``<question>[<behaviour id or label>]``, or None. The question is its id or text."""
    h = norm(name)
    m = _BRACKET.match(h)
    if m:
        qi, pos = hmap.get(m.group(1)), keys.keys.get(norm(m.group(2)))
        return (qi, pos) if qi is not None and pos is not None else None
    for i, c in enumerate(h):
        if c in "/_.:":
            qi, pos = hmap.get(h[:i].strip()), keys.ids.get(h[i + 1:].strip())
            if qi is not None and pos is not None:
                return qi, pos
    return None


def _cell_picks(t: Table, q: Questionnaire, keys: VoteKeys, qi: int, j: int, rid: np.ndarray,
                picks: np.ndarray, bad: dict[str, np.ndarray], problems: list[Problem]) -> None:
    """Fill ``picks[:, qi]`` from the column ``j`` of a table, reading each distinct cell once;
    record the rows that break a rule in ``bad`` and ``problems``."""
    vq = q.vote_questions[qi]
    offered = frozenset(i for i, b in enumerate(q.behaviours) if b.id in set(vq.behaviour_ids))
    ids = tuple(b.id for b in q.behaviours)
    mask = np.zeros(len(q.behaviours), dtype=bool)
    mask[list(offered)] = True
    arrow = arrow_column(t, j)
    by_row = None if arrow is None else arrow_list_cells(
        arrow[0], arrow[1], arrow[2], keys, mask, vq.min_picks, vq.max_picks, picks.shape[2])
    values, index, mat, undecided = by_row or fast_cells(t.data[j], keys, mask, vq.min_picks, vq.max_picks, picks.shape[2])
    bad_u = np.zeros(len(values), dtype=bool)
    whys: dict[int, str] = {}
    for u in np.flatnonzero(undecided).tolist():  # the cells the vectorised path left: few in a good export
        got, why = read_cell(values[u], keys)
        why = why or check_picks(got, offered, vq.min_picks, vq.max_picks, ids)
        if why is not None:
            whys[u], bad_u[u] = why, True
        elif got:
            mat[u, : len(got)] = sorted(got)
    picks[:, qi, :] = mat if by_row is not None else mat[index]  # the Arrow path: one cell a row
    rows_bad = np.flatnonzero(bad_u[index])
    if len(rows_bad):
        bad[vq.id] = bad_u[index]
        for r in rows_bad[: max(0, MAX_PROBLEMS - len(problems))].tolist():
            u = int(index[r])
            problems.append(Problem(whys[u], file=t.file, row=int(t.rows[r]), respondent=str(rid[r]), item=vq.id,
                                    value=shown(values[u])))


_TRUE = frozenset({"1", "1.0", "true", "yes", "ya", "x", "y"})
_FALSE = frozenset({"0", "0.0", "false", "no", "tidak", "n", "", "na", "n/a", "nan", "null", "none", "-", "--"})


def _truth(v: object) -> bool | None:
    """A 0/1 cell as picked (True), not picked (False), or None when it is neither."""
    if v is None or isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, float, np.integer, np.floating)):
        return True if v == 1 else False if (v == 0 or v != v) else None
    if type(v).__name__ in ("NAType", "NaTType"):
        return False
    s = norm(v.decode("utf-8", "replace") if isinstance(v, bytes) else v)
    return True if s in _TRUE else False if s in _FALSE else None


def _indicator_picks(t: Table, q: Questionnaire, qi: int, pairs: list[tuple[int, int]], rid: np.ndarray,
                     picks: np.ndarray, bad: dict[str, np.ndarray], problems: list[Problem]) -> None:
    """Fill ``picks[:, qi]`` from one 0/1 column per behaviour; record unreadable cells and
    counts outside the question's rules in ``bad`` and ``problems``."""
    vq = q.vote_questions[qi]
    pairs = sorted(pairs)
    pos = np.array([p for p, _ in pairs], dtype=np.int64)
    chosen = np.zeros((t.n, len(pairs)), dtype=bool)
    unreadable = np.zeros((t.n, len(pairs)), dtype=bool)
    for k, (_, j) in enumerate(pairs):
        d = distinct(t.data[j])
        truth = [_truth(v) for v in d.values.tolist()]
        chosen[:, k] = np.array([x is True for x in truth], dtype=bool)[d.index]
        unreadable[:, k] = np.array([x is None for x in truth], dtype=bool)[d.index]
    count = chosen.sum(axis=1)
    big = np.iinfo(np.int16).max
    ordered = np.sort(np.where(chosen, pos[None, :], big), axis=1)[:, : picks.shape[2]]
    if ordered.shape[1] < picks.shape[2]:
        ordered = np.pad(ordered, ((0, 0), (0, picks.shape[2] - ordered.shape[1])), constant_values=big)
    picks[:, qi, :] = np.where(ordered == big, -1, ordered)
    wrong = unreadable.any(axis=1) | (count > vq.max_picks) | ((count > 0) & (count < vq.min_picks))
    if not wrong.any():
        return
    bad[vq.id] = wrong
    for r in np.flatnonzero(wrong)[: max(0, MAX_PROBLEMS - len(problems))].tolist():
        if unreadable[r].any():
            j = pairs[int(np.flatnonzero(unreadable[r])[0])][1]
            problems.append(Problem(f"column {t.columns[j]!r}: expected 1/0, TRUE/FALSE or empty",
                                    file=t.file, row=int(t.rows[r]), respondent=str(rid[r]), item=vq.id,
                                    value=shown(t.data[j][r])))
            continue
        n = int(count[r])
        why = f"{n} behaviours picked; at most {vq.max_picks} are allowed" if n > vq.max_picks else \
            f"{n} behaviours picked; at least {vq.min_picks} are required"
        problems.append(Problem(why, file=t.file, row=int(t.rows[r]), respondent=str(rid[r]), item=vq.id,
                                value=" ".join(q.behaviours[int(p)].id for p in pos[chosen[r]])))
