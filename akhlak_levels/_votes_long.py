"""Reading votes from a long table: one row per pick (respondent, question, behaviour).

A respondent's rows need not be together; respondents come in the order of their first row.
The unit, wave and group columns must hold the same value on every row of a respondent. A row
whose behaviour cell is empty picks nothing (a respondent who answered nothing in a question
may be listed that way). Problems are reported as for the other layouts, on the row where they
show (the second row of a repeated pick; the first row of a question with too many or too few).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._coding import carried_text, ids_from_column, match_item, shown
from ._fields import MAX_PROBLEMS
from ._readers import Table, distinct
from ._votes_cells import VoteKeys, read_cell
from .errors import Problem, ResponseError
from .questionnaire import Questionnaire


def long_votes(t: Table, q: Questionnaire, keys: VoteKeys, hmap: dict[str, int], *, id_j: int, question_j: int,
               behaviour_j: int, carried: dict[str, int | None]) -> dict[str, Any]:
    """The respondents of a long table with, per row, its respondent, question and behaviour
    (-1 where unreadable), the problems found, and the carried columns per respondent.

    Returns a dict with ``respondent_ids``, ``picks`` (n, questions, width), ``bad`` (question
    id -> mask over respondents), ``problems`` and ``carried`` (name -> text per respondent)."""
    where = f" in {t.file}" if t.file else ""
    rid_rows, problems = ids_from_column(t.data[id_j], t, t.columns[id_j])
    if problems:
        raise ResponseError(f"The respondent ids{where} are not usable:", problems)
    uniq, first, inverse = np.unique(rid_rows, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    resp = rank[inverse.reshape(-1)]
    first_row = first[order]
    out_carried = _carried(t, carried, resp, first_row, rid_rows, problems)
    qd = distinct(t.data[question_j])
    q_of = np.array([_question(v, hmap) for v in qd.values.tolist()], dtype=np.int64)[qd.index]
    for r in np.flatnonzero(q_of < 0)[:MAX_PROBLEMS].tolist():
        problems.append(Problem(f"the question (column {t.columns[question_j]!r}) is not one of "
                                f"{[vq.id for vq in q.vote_questions]} or their texts",
                                file=t.file, row=int(t.rows[r]), respondent=str(rid_rows[r]), value=shown(qd[r])))
    if problems:
        raise ResponseError(f"The long table{where} cannot be read:", problems)
    n, nq, nb = len(uniq), len(q.vote_questions), len(q.behaviours)
    b_of, whys = _behaviours(t, keys, behaviour_j)
    offered = np.zeros((nq, nb), dtype=bool)
    for qi, vq in enumerate(q.vote_questions):
        offered[qi, [keys.ids[b] for b in vq.behaviour_ids]] = True
    ids = [b.id for b in q.behaviours]
    row_why: list[str | None] = list(whys)
    for r in np.flatnonzero((b_of >= 0) & ~offered[q_of, np.maximum(b_of, 0)]).tolist():
        row_why[r] = f"behaviour {ids[b_of[r]]!r} is not offered in this question"
    ok = (b_of >= 0) & np.array([w is None for w in row_why], dtype=bool)
    key = (resp * nq + q_of) * nb + b_of
    rows_ok = np.flatnonzero(ok)
    rows_ok = rows_ok[np.argsort(key[rows_ok], kind="stable")]
    dup = np.zeros(len(rows_ok), dtype=bool)
    dup[1:] = key[rows_ok][1:] == key[rows_ok][:-1]
    for r in rows_ok[dup].tolist():
        row_why[r] = f"behaviour {ids[b_of[r]]!r} is picked more than once"
    rows_ok = rows_ok[~dup]
    cell = resp * nq + q_of
    count = np.bincount(cell[rows_ok], minlength=n * nq).reshape(n, nq)
    width = max(vq.max_picks for vq in q.vote_questions)
    picks = np.full((n, nq, width), -1, dtype=np.int16)
    start = np.searchsorted(cell[rows_ok], cell[rows_ok], side="left")
    slot = np.arange(len(rows_ok)) - start
    keep = slot < width
    picks[resp[rows_ok][keep], q_of[rows_ok][keep], slot[keep]] = b_of[rows_ok][keep]
    return _rules(t, q, rid_rows, resp, q_of, row_why, count, picks, uniq[order], out_carried, behaviour_j, ids)


def _question(v: object, hmap: dict[str, int]) -> int:
    """The position of the question a cell names (id or text), or -1."""
    at = match_item(v, hmap) if isinstance(v, str) else None
    return -1 if at is None else at


def _behaviours(t: Table, keys: VoteKeys, j: int) -> tuple[np.ndarray, list[str | None]]:
    """Per row: the behaviour position (-1 for none or unreadable) and why it is unreadable."""
    d = distinct(t.data[j])
    pos, why_u = [], []
    for v in d.values.tolist():
        got, why = read_cell(v, keys)
        if why is None and len(got) > 1:
            why = "one behaviour per row is expected in a long table"
        pos.append(got[0] if got and why is None else -1)
        why_u.append(why)
    return np.array(pos, dtype=np.int64)[d.index], [why_u[u] for u in d.index.tolist()]


def _carried(t: Table, carried: dict[str, int | None], resp: np.ndarray, first_row: np.ndarray,
             rid_rows: np.ndarray, problems: list[Problem]) -> dict[str, np.ndarray | None]:
    """Each carried column as text per respondent (its first row), with a problem for each row
    that disagrees with the respondent's first row."""
    out: dict[str, np.ndarray | None] = {}
    for name, j in carried.items():
        if j is None:
            out[name] = None
            continue
        text, found = carried_text(t.data[j], t, t.columns[j])
        problems += found
        per = text[first_row]
        for r in np.flatnonzero(text != per[resp])[:MAX_PROBLEMS].tolist():
            problems.append(Problem(f"column {t.columns[j]!r} differs between the rows of this respondent "
                                    f"(first {str(per[resp[r]])!r})", file=t.file, row=int(t.rows[r]),
                                    respondent=str(rid_rows[r]), value=shown(text[r])))
        out[name] = per
    return out


def _rules(t: Table, q: Questionnaire, rid_rows: np.ndarray, resp: np.ndarray, q_of: np.ndarray,
           row_why: list[str | None], count: np.ndarray, picks: np.ndarray, rid: np.ndarray,
           carried: dict[str, np.ndarray | None], behaviour_j: int, ids: list[str]) -> dict[str, Any]:
    """The rows' problems and the counts outside each question's rules, as problems in row
    order and masks of (respondent, question) to clear."""
    n, nq = count.shape
    bad = np.zeros((n, nq), dtype=bool)
    found: list[tuple[int, Problem]] = []
    for r in [r for r, w in enumerate(row_why) if w is not None][:MAX_PROBLEMS]:
        bad[resp[r], q_of[r]] = True
        found.append((r, Problem(str(row_why[r]), file=t.file, row=int(t.rows[r]), respondent=str(rid_rows[r]),
                                 item=q.vote_questions[q_of[r]].id, value=shown(t.data[behaviour_j][r]))))
    lo = np.array([vq.min_picks for vq in q.vote_questions])
    hi = np.array([vq.max_picks for vq in q.vote_questions])
    wrong = (count > hi) | ((count > 0) & (count < lo))
    first_of = np.full(n * nq, len(resp), dtype=np.int64)
    np.minimum.at(first_of, resp * nq + q_of, np.arange(len(resp)))
    for ri, qi in np.argwhere(wrong)[:MAX_PROBLEMS].tolist():
        bad[ri, qi] = True
        c, vq = int(count[ri, qi]), q.vote_questions[qi]
        why = (f"{c} behaviours picked; at most {vq.max_picks} are allowed" if c > vq.max_picks
               else f"{c} behaviours picked; at least {vq.min_picks} are required")
        r = int(first_of[ri * nq + qi])
        found.append((r, Problem(why, file=t.file, row=int(t.rows[r]), respondent=str(rid[ri]), item=vq.id,
                                 value=" ".join(ids[p] for p in picks[ri, qi] if p >= 0))))
    found.sort(key=lambda x: x[0])
    return dict(respondent_ids=rid, picks=picks, problems=[p for _, p in found], carried=carried,
                bad={vq.id: bad[:, qi] for qi, vq in enumerate(q.vote_questions) if bad[:, qi].any()})

