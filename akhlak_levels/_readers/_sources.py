"""Reading the survey tools' exports by name (``source_format=``): adapters over the readers' table.

Each tool writes its export with its own quirks; an adapter undoes them on the columnar
:class:`Table` before the columns are matched to the questionnaire, so row numbers stay those of
the file and every error still names file, row, respondent, item and value:

- **kobo**, **odk** (KoBoToolbox, ODK Central/Briefcase; CSV with ``;`` or ``,``, or XLSX):
  headers carrying group paths (``grp/sub/BP1a``; ODK Central joins groups with ``-``; a KoBo
  "Labels" export ``Group label/Question label``) are renamed to the question the path ends in,
  the tools' metadata columns and the ``consent`` acknowledgement are set aside (listed as the
  file heads them), and a ``select_multiple`` given both as a space-separated column and as 0/1
  columns ``question/choice`` is read from both, which must agree (:func:`votes_of`).
- **limesurvey**: its metadata columns (``id``, ``submitdate``, ``lastpage`` ...) set aside; a
  multiple-choice question's ``Q[SQ001]`` columns read as the question's behaviours in order.
- **surveyjs**, **google-forms**, **microsoft-forms**: their metadata and ``consent`` set aside;
  the unit, NIP and consent titles ``export-form`` gives a Google or Microsoft Form read by title.
- **fhir**: a ``Bundle`` of ``QuestionnaireResponse`` resources made into a table, one row per
  resource (row ``k`` is the bundle's entry ``k``), one column per ``linkId``
  (:func:`fhir_table`); a status other than ``completed`` is refused or flagged.

Headers are renamed once per column; cells are never rewritten one by one.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Iterable, Iterator, Mapping

import numpy as np

from ..errors import Problem, ResponseError
from ..questionnaire import Questionnaire
from ._labelmap import json_path
from ._table import MAX_CELL, MAX_JSON_DEPTH, Table, check_header, decode, norm, shortened

#: The tools whose exports are read by name; ``"auto"`` tells them from the headers where that is unambiguous.
SOURCE_FORMATS = ("auto", "kobo", "odk", "limesurvey", "surveyjs", "fhir", "google-forms", "microsoft-forms")

#: The acknowledgement question the forms of ``export-form`` open with: set aside, never an unknown column.
CONSENT = "consent"

_KOBO_META = ("start", "end", "today", "deviceid", "subscriberid", "simserial", "phonenumber", "username", "audit",
              "_id", "_uuid", "_submission_time", "_validation_status", "_notes", "_status", "_submitted_by",
              "__version__", "_version_", "_tags", "_index", "_parent_index", "_parent_table_name", "_attachments",
              "_geolocation", "_xform_id_string", "_media_all_received", "_total_media", "formhub/uuid",
              "meta/instanceid", "meta/instancename", "meta/deprecatedid", "meta/rootuuid", "meta/audit")
_ODK_META = ("start", "end", "today", "deviceid", "subscriberid", "simserial", "phonenumber", "username", "audit",
             "submissiondate", "key", "submitterid", "submittername", "attachmentspresent", "attachmentsexpected",
             "status", "reviewstate", "edits", "formversion", "meta-instanceid", "meta-instancename",
             "meta-deprecatedid", "meta-audit", "meta/instanceid", "meta/instancename", "instanceid")
_LIME_META = ("id", "submitdate", "lastpage", "startlanguage", "seed", "startdate", "datestamp", "token", "refurl",
              "ipaddr", "interviewtime")
_GOOGLE_META = ("timestamp", "cap waktu", "stempel waktu", "email address", "alamat email", "score", "skor")
_MS_META = ("id", "start time", "completion time", "email", "name", "last modified time", "waktu mulai",
            "waktu penyelesaian", "waktu selesai", "nama", "total points", "quiz feedback")
_META = {"kobo": frozenset(_KOBO_META), "odk": frozenset(_ODK_META), "limesurvey": frozenset(_LIME_META),
         "surveyjs": frozenset(), "fhir": frozenset(), "google-forms": frozenset(_GOOGLE_META),
         "microsoft-forms": frozenset(_MS_META)}

#: Headers that tell a tool's export apart under ``"auto"`` (two of one tool's, and not two of another's).
_MARKS = {
    "kobo": frozenset({"_uuid", "_submission_time", "_validation_status", "_submitted_by", "__version__", "_xform_id_string"}),
    "odk": frozenset({"submissiondate", "key", "meta-instanceid", "reviewstate", "submitterid", "attachmentsexpected"}),
    "limesurvey": frozenset({"submitdate", "lastpage", "startlanguage", "seed"}),
    "microsoft-forms": frozenset({"start time", "completion time", "last modified time"}),
}
_SQ = re.compile(r"^(.+)\[\s*sq0*([1-9][0-9]{0,3})\s*\]$")
_BUNDLE_START = re.compile(rb'^\s*\{\s*"resourceType"\s*:\s*"Bundle"')


@dataclass
class Adapted:
    """A table as a tool's adapter leaves it: renamed headers, the headers to set aside
    (``ignore``), flags per row (``flags``) and, for a ``select_multiple`` exported both ways, the
    question header with its 0/1 headers (``both``)."""

    table: Table
    format: str
    ignore: tuple[str, ...] = ()
    flags: dict[str, np.ndarray] = field(default_factory=dict)
    both: dict[int, tuple[str, str, tuple[str, ...]]] = field(default_factory=dict)


def format_tables(source: Any, q: Questionnaire, source_format: str, tables: Callable[[Any], Iterator[Table]], *,
                  batch_rows: int | None, named: Iterable[str | None] = (), on_invalid: str = "raise",
                  unknown_columns: str = "error") -> Iterator[Adapted]:
    """The tables of ``source`` (``tables(source)`` gives them) as ``source_format`` asks; a FHIR
    ``Bundle`` (asked for, or under ``"auto"`` a JSON document that is one) is read here.
    ``named``: the columns the caller names (never set aside)."""
    taken = frozenset(norm(n) for n in named if n)
    if source_format == "fhir" or (source_format == "auto" and _is_bundle(source)):
        whole, flags = fhir_table(source, q, on_invalid=on_invalid, known=taken, unknown_columns=unknown_columns)
        lo = 0
        for t in whole.batches(batch_rows):
            yield Adapted(t, "fhir", _present(t, (CONSENT,), taken), {k: v[lo:lo + t.n] for k, v in flags.items()})
            lo += t.n
        return
    for t in tables(source):
        yield adapt(t, q, source_format, taken)


def adapt(t: Table, q: Questionnaire, source_format: str, taken: frozenset[str] = frozenset()) -> Adapted:
    """``t`` as the export of ``source_format`` (``"auto"``: the tool its headers show, or ``t``
    as it is when they show none)."""
    fmt = detect(t.columns) if source_format == "auto" else source_format
    if fmt is None:
        return Adapted(t, "auto")
    columns = list(t.columns)
    if fmt in ("kobo", "odk"):
        columns = _group_paths(t, q, taken)
    elif fmt == "limesurvey":
        columns = _lime_headers(t, q)
    elif fmt in ("google-forms", "microsoft-forms"):
        columns = _form_titles(columns, taken)
    meta = {norm(m) for m in _META[fmt] | {CONSENT}} - taken
    aside = {j for j, c in enumerate(columns) if norm(c) in meta}  # set aside, and listed as the file heads them
    columns = [t.columns[j] if j in aside else c for j, c in enumerate(columns)]
    if columns != list(t.columns):
        check_header(columns, t.file)
        t = replace(t, columns=columns)
    both = _both_forms(t, q) if fmt in ("kobo", "odk") else {}
    return Adapted(t, fmt, tuple(t.columns[j] for j in sorted(aside)), {}, both)


def detect(columns: Iterable[str]) -> str | None:
    """The tool whose metadata headers ``columns`` hold (two of its marks, and not two of another
    tool's), else None."""
    keys = {norm(c) for c in columns}
    found = [fmt for fmt, marks in _MARKS.items() if len(keys & marks) >= 2]
    return found[0] if len(found) == 1 else None


def _present(t: Table, names: Iterable[str], taken: frozenset[str]) -> tuple[str, ...]:
    """The headers of ``t`` among ``names`` (compared as headers are), unless the caller named them."""
    wanted = {norm(n) for n in names} - taken
    return tuple(c for c in t.columns if norm(c) in wanted)


def _endings(q: Questionnaire, taken: frozenset[str]) -> dict[str, str | None]:
    """The names a KoBo/ODK header may end in after its group path (normed), each with the header
    it stands for (None: the ending itself): item ids and texts, vote question ids and texts, the
    forms' own questions, the caller's columns, the metadata, and the 0/1 columns of a vote
    question (``question/choice`` by ids, or by the question's text and the behaviour's label, as
    a "Labels" export heads them: then ``<question id>/<behaviour id>``)."""
    ends: dict[str, str | None] = {norm(m): None for m in (*_KOBO_META, *_ODK_META, CONSENT, "unit", "respondent_id",
                                                           *_UNIT_TITLES, *_ID_TITLES)}
    ends.update(dict.fromkeys(taken))
    for it in q.items:
        ends.update(dict.fromkeys([norm(it.id), *(norm(x) for x in it.text.values())]))
    for vq in q.vote_questions:
        texts = [vq.id, *vq.text.values()]
        ends.update(dict.fromkeys(norm(x) for x in texts))
        for b in vq.behaviour_ids:
            ends[norm(f"{vq.id}/{b}")] = None
            for text in texts[1:]:
                ends.update({norm(f"{text}/{label}"): f"{vq.id}/{b}" for label in q.behaviour(b).label.values()})
    return ends


def _group_paths(t: Table, q: Questionnaire, taken: frozenset[str]) -> list[str]:
    """Each header without the group path before the name it ends in (``grp/sub/BP1a`` ->
    ``BP1a``; ``grp-personal/b`` -> ``personal/b``; ``Group label/Question label`` -> the label):
    the longest ending, after a ``/`` or ``-``, that :func:`_endings` knows; other headers stay.
    Then the unit, NIP and consent questions as a "Labels" export heads them (see ``_form_titles``)."""
    ends = _endings(q, taken)
    out = []
    for name in t.columns:
        h = norm(name)
        if h in ends or h.startswith(_CONSENT_OPENINGS):
            out.append(ends.get(h) or name)
            continue
        for i in (i for i, c in enumerate(name) if c in "/-"):
            key = norm(name[i + 1:])
            if key in ends or key.startswith(_CONSENT_OPENINGS):
                out.append(ends.get(key) or name[i + 1:].strip())
                break
        else:
            out.append(name)
    return _form_titles(out, taken)


#: The titles ``export-form`` gives the work unit and the consent statement (its opening words) in a
#: Google or Microsoft Form, where questions are headed by their titles (tests/interop keep them in step).
_UNIT_TITLES = ("unit kerja", "work unit")
_ID_TITLES = ("nip (18 digit)", "civil servant number (nip, 18 digits)")
_CONSENT_OPENINGS = ("jawaban anda dipakai untuk memetakan budaya kerja", "your answers are used to map working culture")


def _form_titles(columns: list[str], taken: frozenset[str]) -> list[str]:
    """A form's unit and NIP questions headed ``unit`` and ``respondent_id``, its consent statement
    ``consent`` (then set aside), unless the caller names that column or the table has one so named already."""
    have = {norm(c) for c in columns} | set(taken)
    out = []
    for name in columns:
        h = norm(name)
        if h in _UNIT_TITLES and "unit" not in have and h not in taken:
            out.append("unit")
        elif h in _ID_TITLES and "respondent_id" not in have and h not in taken:
            out.append("respondent_id")
        elif h.startswith(_CONSENT_OPENINGS) and CONSENT not in have and h not in taken:
            out.append(CONSENT)
        else:
            out.append(name)
    return out


def _lime_headers(t: Table, q: Questionnaire) -> list[str]:
    """LimeSurvey's ``Q[SQ001]`` headers (its default subquestion codes) as ``Q[<behaviour id>]``,
    the n-th code naming the question's n-th behaviour; other headers stay."""
    vqs = {norm(vq.id): vq for vq in q.vote_questions}
    out = []
    for name in t.columns:
        m = _SQ.match(norm(name))
        vq = vqs.get(m.group(1).strip()) if m else None
        n = int(m.group(2)) if m else 0
        out.append(f"{vq.id}[{vq.behaviour_ids[n - 1]}]" if vq is not None and n <= len(vq.behaviour_ids) else name)
    return out


def _both_forms(t: Table, q: Questionnaire) -> dict[int, tuple[str, str, tuple[str, ...]]]:
    """For each vote question given both as its own column and as 0/1 columns: its position ->
    (question id, its column's header, the 0/1 headers)."""
    by_norm = {norm(c): c for c in t.columns}
    out = {}
    for qi, vq in enumerate(q.vote_questions):
        own = next((c for x in (vq.id, *vq.text.values()) if (c := by_norm.get(norm(x))) is not None), None)
        ones = tuple(c for b in vq.behaviour_ids if (c := by_norm.get(norm(f"{vq.id}/{b}"))) is not None)
        if own is not None and ones:
            out[qi] = (vq.id, own, ones)
    return out


def votes_of(a: Adapted, read: Callable[[Table, str | None, tuple[str, ...]], dict[str, Any]],
             behaviour_ids: tuple[str, ...] = ()) -> dict[str, Any]:
    """The vote fields of an adapted table: ``read(table, layout, ignore)`` reads it (``layout``
    None: the caller's; picks are positions in ``behaviour_ids``). A ``select_multiple`` exported
    both as a space-separated column and as 0/1 columns is read from each; the picks must agree on
    every row, else the rows that differ are refused. A question a respondent is flagged invalid
    for in either reading (``on_invalid="missing"``) is not compared: it is cleared and flagged."""
    if not a.both:
        return read(a.table, None, a.ignore)
    ones = tuple(h for _, _, hs in a.both.values() for h in hs)
    split = read(a.table, "indicators", a.ignore + tuple(own for _, own, _ in a.both.values()))
    try:
        joined = read(a.table, "cells", a.ignore + ones)
    except ResponseError as exc:  # e.g. KoBo's "Labels" export: labels joined by spaces, which labels hold too
        raise ResponseError(
            f"{exc.summary.rstrip(':')}; its 0/1 columns read, but a select_multiple's own column must read too "
            "when both are given (a \"Labels\" export joins labels with spaces, which cannot be split back: export "
            "\"XML values and headers\", or the select_multiple as separate columns only):", exc.problems,
            total=exc.total) from None
    t, problems, total = a.table, [], 0
    for qi, (qid, own, _) in sorted(a.both.items()):
        differ = (np.sort(joined["picks"][:, qi], axis=1) != np.sort(split["picks"][:, qi], axis=1)).any(axis=1)
        differ &= ~(joined["flags"][f"invalid:{qid}"] | split["flags"][f"invalid:{qid}"])
        rows = np.flatnonzero(differ)
        total += len(rows)
        for r in rows[:_MAX_SHOWN].tolist():
            one, two = (set(f["picks"][r, qi].tolist()) - {-1} for f in (joined, split))
            only = [" ".join(sorted(behaviour_ids[p] if p < len(behaviour_ids) else str(p) for p in s)) or "nothing"
                    for s in (one - two, two - one)]
            problems.append(Problem(f"the space-separated column {own!r} names {only[0]} where its 0/1 columns "
                                    f"({own}/...) name {only[1]}", file=t.file, row=int(t.rows[r]),
                                    respondent=str(joined["respondent_ids"][r]), item=qid))
    if problems:
        raise ResponseError(f"{total} answers{' in ' + t.file if t.file else ''} differ between a select_multiple "
                            "column and its 0/1 columns:", problems, total=total)
    for qi, (qid, _, _) in a.both.items():  # invalid in the 0/1 columns only: cleared as the reader clears
        joined["picks"][split["flags"][f"invalid:{qid}"], qi, :] = -1
    joined["flags"] = joined["flags"].merge({n: split["flags"][n] for n in split["flags"].names})
    return joined


#: The rows a disagreement lists, at most (the total is given too).
_MAX_SHOWN = 1000


# --------------------------------------------------------------------------- FHIR


def _is_bundle(source: Any) -> bool:
    """A FHIR ``Bundle``: a mapping with that ``resourceType``, or a ``.json`` file that opens
    with it (as FHIR servers write resources: ``resourceType`` first)."""
    if isinstance(source, Mapping):
        return source.get("resourceType") == "Bundle"
    if isinstance(source, (str, os.PathLike)) and os.fspath(source).lower().endswith(".json") and os.path.isfile(source):
        with open(source, "rb") as fh:
            head = fh.read(4096)
        return bool(_BUNDLE_START.match(head.lstrip(b"\xef\xbb\xbf")))
    return False


_VALUES = ("valueCoding", "valueString", "valueInteger", "valueBoolean", "valueDecimal", "valueDate",
           "valueDateTime", "valueTime", "valueUri")


def fhir_table(source: Any, q: Questionnaire, *, on_invalid: str = "raise", known: frozenset[str] = frozenset(),
               unknown_columns: str = "error") -> tuple[Table, dict[str, np.ndarray]]:
    """The table of a FHIR ``Bundle`` of ``QuestionnaireResponse`` resources: row ``k`` is entry
    ``k`` (from 1), a column per ``linkId`` (nested ``item``\\ s flattened) holding the answer
    (``valueCoding.code``, ``valueString``, ``valueInteger``, ``valueBoolean`` ...; a vote question's
    repeated answers as a list), the respondent id from ``identifier.value`` when no
    ``respondent_id`` question holds it. A ``status`` other than ``completed`` is refused (with
    ``on_invalid="missing"``: flagged ``status:<status>`` on the respondent). An entry that is not
    a ``QuestionnaireResponse``, a ``linkId`` that is no question of ``q`` (nor in ``known``, unless
    ``unknown_columns="ignore"``), two answers to a one-answer question: refused, naming the entry."""
    doc, path = _load_bundle(source)
    entries = doc.get("entry", [])
    if doc.get("resourceType") != "Bundle" or not isinstance(entries, list):
        raise ResponseError(f"{path or 'The source'} is not a FHIR Bundle with a list of entries "
                            f"(resourceType {shortened(doc.get('resourceType'))!r}).")
    if not entries:
        raise ResponseError(f"The FHIR Bundle{' ' + path if path else ''} has no entries: expected QuestionnaireResponses.")
    votes = {vq.id for vq in q.vote_questions}
    questions = set(q.item_ids) | votes | {CONSENT, "unit", "respondent_id"}
    problems: list[Problem] = []
    columns: dict[str, list[Any]] = {}
    statuses: list[str] = []
    names: list[str] = []
    for k, entry in enumerate(entries):
        res = entry.get("resource") if isinstance(entry, dict) else None
        if not isinstance(res, dict) or res.get("resourceType") != "QuestionnaireResponse":
            kind = res.get("resourceType") if isinstance(res, dict) else type(res).__name__
            problems.append(Problem(f"entry {k + 1} is a {shortened(kind)!r}, not a QuestionnaireResponse",
                                    file=path, row=k + 1, path=_where(k)))
            statuses.append("completed")
            names.append("")
            continue
        name = f"QuestionnaireResponse/{shortened(res.get('id'))}" if res.get("id") else f"entry {k + 1}"
        statuses.append(str(shortened(res.get("status"))))
        names.append(name)
        answers = _answers(res, votes, problems, path, k, name)
        ident = _identifier(res.get("identifier"))
        if ident is not None:
            given = answers.setdefault("respondent_id", ident)
            if given != ident:
                problems.append(Problem(f"{name}: identifier.value and the respondent_id answer differ",
                                        file=path, row=k + 1, value=shortened(f"{ident} / {given}"), path=_where(k)))
        for link, value in answers.items():
            column = columns.get(link)
            if column is None:
                column = columns[link] = [None] * len(entries)
            column[k] = value
    strangers = [link for link in columns if link not in questions and norm(link) not in known]
    for link in strangers if unknown_columns != "ignore" else ():  # named on each resource holding it
        problems += [Problem(f"{names[k]}: linkId {shortened(link)!r} is no question of {q.id!r} nor a named column "
                             "(pass unknown_columns='ignore' to set it aside)", file=path, row=k + 1,
                             item=str(shortened(link)), path=_where(k))
                     for k, v in enumerate(columns[link]) if v is not None]
    problems.sort(key=lambda p: p.row or 0)
    if problems:
        raise ResponseError(f"The FHIR Bundle{' ' + path if path else ''} cannot be read:", problems[:_MAX_SHOWN],
                            total=len(problems))
    return _bundle_table(columns, statuses, names, path, on_invalid)


def _where(k: int) -> str:
    """The JSON path of entry ``k``'s resource (from 0), as errors name it."""
    return json_path("entry") + f"[{k}].resource"


def _bundle_table(columns: dict[str, list[Any]], statuses: list[str], names: list[str], path: str | None,
                  on_invalid: str) -> tuple[Table, dict[str, np.ndarray]]:
    """The table of the answers by ``linkId``, and the status flags (or the error refusing them)."""
    state = np.array(statuses, dtype=object)
    other = np.flatnonzero(state != "completed")
    if len(other) and on_invalid == "raise":
        raise ResponseError(
            f"{len(other)} QuestionnaireResponses{' in ' + path if path else ''} are not completed (pass "
            "on_invalid='missing' to read them, flagged status:<status>):",
            [Problem(f"{names[r]}: status {state[r]!r}, not 'completed'", file=path, row=int(r) + 1,
                     path=json_path("entry") + f"[{r}].resource.status") for r in other[:_MAX_SHOWN].tolist()],
            total=len(other))
    flags = {f"status:{s}": state == s for s in dict.fromkeys(state[other].tolist())}
    links = list(columns)
    data = []
    for n in links:
        col = np.empty(len(statuses), dtype=object)
        col[:] = columns[n]
        data.append(col)
    check_header(links, path)
    return Table(links, data, np.arange(1, len(statuses) + 1), path), flags


def _identifier(ident: Any) -> str | None:
    """``identifier.value`` (R4: one Identifier; a list of one is taken as well), or None."""
    if isinstance(ident, list) and len(ident) == 1:
        ident = ident[0]
    value = ident.get("value") if isinstance(ident, Mapping) else None
    return value if isinstance(value, str) and value else None


def _answers(res: dict[str, Any], votes: set[str], problems: list[Problem], path: str | None, k: int,
             name: str) -> dict[str, Any]:
    """``linkId`` -> answer of one resource, its ``item``\\ s walked without recursion (the
    document's depth is bounded when read); what cannot be an answer is a problem naming the entry."""
    out: dict[str, Any] = {}
    stack: list[Any] = [res.get("item", [])]
    while stack:
        items = stack.pop()
        for item in items if isinstance(items, list) else [items]:
            if not isinstance(item, dict):
                problems.append(Problem(f"{name}: an item that is not an object", file=path, row=k + 1,
                                        value=shortened(item), path=_where(k)))
                continue
            link = item.get("linkId")
            if "item" in item:
                stack.append(item["item"])
            answer = item.get("answer")
            if answer is None or answer == []:
                continue
            got = []
            for a in answer if isinstance(answer, list) else [answer]:
                if isinstance(a, dict) and "item" in a:
                    stack.append(a["item"])
                got.append(_value(a))
            if type(link) is not str or not link or link in out or _NO_VALUE in got or (len(got) > 1 and link not in votes):
                why = ("an item without a linkId" if type(link) is not str or not link
                       else f"linkId {link!r} answered twice" if link in out
                       else f"linkId {link!r}: an answer without a value of a known type ({', '.join(_VALUES[:4])})"
                       if _NO_VALUE in got else f"linkId {link!r}: {len(got)} answers to a question that takes one")
                problems.append(Problem(f"{name}: {why}", file=path, row=k + 1, item=str(shortened(link)) if isinstance(
                    link, str) else None, value=shortened(answer), path=_where(k)))
                continue
            out[link] = got if link in votes else got[0]
    return out


class _NoValue:
    """An answer without a value the readers take (compared by identity only)."""

    def __eq__(self, other: object) -> bool:
        return other is self

    __hash__ = object.__hash__


_NO_VALUE = _NoValue()
_PLAIN = (str, int, float, bool)


def _value(answer: Any) -> Any:
    """The value of one answer: a Coding's code, or the text, number or truth value given."""
    if not isinstance(answer, dict):
        return _NO_VALUE
    coding = answer.get("valueCoding")
    if coding is not None:
        v = coding.get("code") if isinstance(coding, dict) else None
    else:
        key = next((key for key in _VALUES if key in answer), None)
        v = answer[key] if key is not None else None
    if isinstance(v, _PLAIN) and not (isinstance(v, str) and len(v) > MAX_CELL):
        return v
    return _NO_VALUE


def _load_bundle(source: Any) -> tuple[Mapping[str, Any], str | None]:
    """The Bundle of ``source`` (a path or the parsed document) and the file's path: strict JSON
    (a key given twice refused), nested at most :data:`MAX_JSON_DEPTH` levels."""
    if isinstance(source, Mapping):
        doc, path = source, None
    elif isinstance(source, (str, os.PathLike)):
        path = os.fspath(source)
        if not os.path.isfile(path):
            raise ResponseError(f"No responses file at {path!r}.")
        with open(path, "rb") as fh:
            text = decode(path, fh.read())
        if text_depth(text) > MAX_JSON_DEPTH:
            raise ResponseError(f"The file {path} nests objects and arrays more than {MAX_JSON_DEPTH} levels deep.")
        try:
            doc = json.loads(text, object_pairs_hook=_no_repeats)
        except json.JSONDecodeError as exc:
            raise ResponseError(f"The file {path} is not valid JSON: {exc.msg} at line {exc.lineno}, "
                                f"column {exc.colno}.") from None
        except RecursionError:
            doc = None  # nested far deeper than allowed: refused below
        except _Repeated as exc:
            raise ResponseError(f"The file {path} gives the key {shortened(exc.args[0])!r} twice in one object.") from None
    else:
        raise TypeError(f"source_format='fhir' reads a Bundle: a .json path or the parsed document; got "
                        f"{type(source).__name__}.")
    if doc is None or (path is None and _depth(doc) > MAX_JSON_DEPTH):
        raise ResponseError(f"{'The file ' + path if path else 'The Bundle'} nests objects and arrays more than "
                            f"{MAX_JSON_DEPTH} levels deep.")
    if not isinstance(doc, Mapping):
        raise ResponseError(f"{'The file ' + path if path else 'The source'} holds a JSON {type(doc).__name__}, "
                            "not a FHIR Bundle.")
    return doc, path


class _Repeated(Exception):
    """A key given twice in one JSON object."""


def _no_repeats(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) < len(pairs):
        seen: set[str] = set()
        raise _Repeated(next(k for k, _ in pairs if k in seen or seen.add(k)))  # type: ignore[func-returns-value]
    return obj


_SPECIAL = np.zeros(256, dtype=bool)
_SPECIAL[[34, 92, 91, 93, 123, 125]] = True  # " \\ [ ] { }


def text_depth(text: str) -> int:
    """How deep a JSON text nests objects and arrays, from its brackets outside strings (numpy
    over the few special bytes: a quote ends a string unless an odd run of backslashes comes
    just before it)."""
    b = np.frombuffer(text.encode("utf-8"), dtype=np.uint8)
    at = np.flatnonzero(_SPECIAL[b])
    kind = b[at]
    quote = kind == 34
    slash = kind == 92
    if slash.any():  # the backslashes right before each special byte: a run of them, in a row
        k = np.arange(len(at))
        joined = np.zeros(len(at), dtype=bool)
        joined[1:] = slash[:-1] & (at[1:] - at[:-1] == 1)  # the byte before is a backslash
        start = np.maximum.accumulate(np.where(slash & ~joined, k, 0))  # where the backslash run began
        before = np.zeros(len(at), dtype=np.int64)
        before[1:] = np.where(joined[1:], k[:-1] - start[:-1] + 1, 0)
        quote &= before % 2 == 0
    inside = (np.cumsum(quote) - quote) % 2 == 1  # between an opening quote and its closing one
    step = np.where(inside, 0, (kind == 123).astype(np.int8) + (kind == 91) - (kind == 125) - (kind == 93))
    return int(np.cumsum(step, dtype=np.int64).max(initial=0))


def _depth(doc: Any) -> int:
    """How deep ``doc`` nests objects and arrays (a walk without recursion, stopping past the limit)."""
    deepest, stack = 0, [(doc, 1)]
    while stack:
        node, d = stack.pop()
        if isinstance(node, (dict, list)):
            deepest = max(deepest, d)
            if d > MAX_JSON_DEPTH:
                return d
            stack.extend((v, d + 1) for v in (node.values() if isinstance(node, dict) else node))
    return deepest
