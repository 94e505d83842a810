"""Coding the cells of an export: headers to items, answers to option indices, ids and dates.

The reader (:func:`~akhlak_levels.read_responses`) finds the columns of a table and hands each
column here: a header is matched to an item by its id or text, an answer to an option by its
code, label or alias (or a label map's label first), and ids are read with every unreadable cell
reported as a :class:`~akhlak_levels.errors.Problem` (dates: ``_durations``). Texts are compared
after :func:`norm`; a header that matches no item exactly is compared after :func:`loose` too.

Examples
--------
>>> from akhlak_levels import load_questionnaire
>>> from akhlak_levels.responses import MISSING
>>> import numpy as np
>>> q = load_questionnaire("berakhlak")
>>> codes, bad = code_column(np.array(["5", "Sering", "NA", "6"], dtype=object), q.items[0])
>>> codes.tolist(), bad.tolist(), int(codes[2]) == MISSING
([4, 3, -1, -1], [False, False, False, True], True)
"""

from __future__ import annotations

import decimal
import math
import re
from typing import Any, Iterable, Mapping

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ._readers import Column, LabelMap, NumberColumn, PlainTextColumn, Table, distinct, loose, norm, shortened
from ._readers._arrow import distinct_rows, padded_ascii, strings, to_numpy
from .errors import Problem, ResponseError
from .questionnaire import Item, Questionnaire

#: Code of an unanswered item in :attr:`ResponseSet.codes`.
MISSING = -1

#: Cell texts read as "unanswered" (after trimming and case folding).
NA_TOKENS = frozenset({"", "na", "n/a", "nan", "null", "none", "-", "--", "tidak dijawab"})


def is_na(v: object) -> bool:
    """True for an unanswered cell: None, NaN, NaT, pandas' NA or one of :data:`NA_TOKENS`."""
    if v is None:
        return True
    if isinstance(v, (float, np.floating)) and math.isnan(v):
        return True
    if isinstance(v, str):
        return norm(v) in NA_TOKENS
    # pandas' NA (nullable and string columns) and NaT (datetime columns), numpy's NaT
    if type(v).__name__ in ("NAType", "NaTType") or (isinstance(v, np.datetime64) and np.isnat(v)):
        return True
    return False


def shown(v: object) -> object:
    """A cell as a problem report shows it: a numpy scalar as its Python value, a long text cut
    to its start and its length."""
    return shortened(v.item() if isinstance(v, np.generic) else v)


#: Whole numbers from here on cannot all be held by a float (a double has 53 bits of mantissa).
_FLOAT_EXACT = 2**53


def cell_text(v: object, *, strict: bool) -> tuple[str | None, str | None]:
    """``(text, None)`` for a cell read as text (trimmed), or ``(None, why)`` when its text would
    not be what the source holds. Bytes are decoded as UTF-8; a whole float is written without
    its ``.0`` if a float holds it exactly (below 2**53). ``strict`` (ids) refuses what is not
    text or a whole number: true/false, fractions, infinities, lists and objects."""
    if isinstance(v, str):
        return v.strip(), None
    if isinstance(v, (bytes, bytearray)):
        try:
            return bytes(v).decode("utf-8").strip(), None
        except UnicodeDecodeError:
            return None, "bytes that are not UTF-8 text"
    if isinstance(v, (bool, np.bool_)):
        return (None, "a true/false value") if strict else (str(bool(v)), None)
    if isinstance(v, (int, np.integer)):
        try:
            return str(int(v)), None
        except ValueError:  # more than 4300 digits
            return None, f"{shortened(int(v))}, too long to be written out"
    if isinstance(v, (float, np.floating, decimal.Decimal)):
        x = v if isinstance(v, decimal.Decimal) else float(v)
        whole = x.is_finite() if isinstance(x, decimal.Decimal) else math.isfinite(x)
        if whole and x == int(x) and (isinstance(x, decimal.Decimal) or abs(x) < _FLOAT_EXACT):
            return str(int(x)), None
        if whole and x == int(x):
            return None, (f"the number {x:.17g}, above 2**53: a floating-point column cannot hold it exactly, "
                          "so digits may be lost already")
        if not strict:
            return str(v), None
        return None, "a number that is not finite" if not whole else "a number with a fraction"
    if isinstance(v, (list, tuple, dict)):  # JSON arrays and objects: their Python text is not the file's
        return None, "an object" if isinstance(v, dict) else "a list"
    return (None, f"a {type(v).__name__}") if strict else (str(v).strip(), None)


# --------------------------------------------------------------------------- headers


#: The prefix of the loose keys of a header map (:func:`loose`), kept apart from the exact ones.
LOOSE = "\x00"

def header_map(entries: Iterable[tuple[int, str]], ids: Iterable[tuple[int, str]]) -> dict[str, Any]:
    """Header key -> position, from the ``(position, text)`` of every text and id: exact keys
    (:func:`norm`) and loose ones (:func:`loose`, prefixed :data:`LOOSE`). A key two positions
    share maps to both (a tuple); an id takes its key from any text."""
    m: dict[str, Any] = {}

    def put(key: str, pos: int) -> None:
        got = m.get(key, pos)
        m[key] = got if got == pos else tuple(sorted({*(got if isinstance(got, tuple) else (got,)), pos}))

    for pos, text in entries:
        put(norm(text), pos)
        put(LOOSE + loose(text), pos)
    for pos, text in ids:  # ids win over texts
        m[norm(text)] = pos
        m[LOOSE + loose(text)] = pos
    return m


def item_header_map(q: Questionnaire) -> dict[str, Any]:
    """Header key -> item position (or positions, when ambiguous): every item's text in every
    language, and its id (see :func:`header_map`)."""
    return header_map(((pos, t) for pos, it in enumerate(q.items) for t in it.text.values()),
                      ((pos, it.id) for pos, it in enumerate(q.items)))


_QNUM = re.compile(r"^\d{1,3}\s*[.)]\s+")
_GRID = re.compile(r"^.*\[(.+)\]\s*$")


def item_match(header: str, hmap: Mapping[str, Any]) -> int | tuple[int, ...] | None:
    """What a column header matches: an item position, the positions of the items it matches
    equally (a tuple), or None. Tried in turn: the header as is, a Google Forms grid
    ``Title [Row]`` by its row, the header without a leading question number; each exactly
    (case and spacing folded), then loosely (also without trailing punctuation)."""
    h = norm(header)
    forms = [h]
    m = _GRID.match(h)
    if m:
        forms.append(norm(m.group(1)))
    h2 = _QNUM.sub("", h)
    if h2 != h:
        forms.append(h2)
    for f in forms:
        got = hmap.get(f)
        if got is None:
            got = hmap.get(LOOSE + loose(f))
        if got is not None:
            return got  # type: ignore[no-any-return]
    return None


def match_item(header: str, hmap: Mapping[str, Any]) -> int | None:
    """The item position of a column header (see :func:`item_match`), or None (also when the
    header matches several items equally)."""
    got = item_match(header, hmap)
    return got if isinstance(got, int) else None


def closest_item(header: str, q: Questionnaire, positions: Iterable[int]) -> str | None:
    """``"ID: text"`` of the item among ``positions`` whose text or id is closest to ``header``
    (difflib, ratio at least 0.6), or None: the "did you mean" of an unknown column."""
    import difflib

    cands: dict[str, tuple[int, str]] = {}
    for pos in positions:
        it = q.items[pos]
        for t in it.text.values():
            cands.setdefault(loose(t), (pos, t))
        cands.setdefault(loose(it.id), (pos, next(iter(it.text.values()), "")))
    got = difflib.get_close_matches(loose(_QNUM.sub("", norm(header))), list(cands), n=1, cutoff=0.6)
    if not got:
        return None
    pos, text = cands[got[0]]
    text = text if len(text) <= 70 else text[:67].rstrip() + " ..."
    return f"{q.items[pos].id}: {text}"


# --------------------------------------------------------------------------- ids


def _texts(col: np.ndarray | Column, strict: bool) -> tuple[Column, list[str], list[str | None]]:
    """The distinct cells of ``col`` as text (``""`` where unanswered) and why each that cannot be
    read as text cannot (see :func:`cell_text`), once per distinct value. Plain texts (visible
    ASCII at both ends, printable ASCII between) are judged for all values at once."""
    d = distinct(col)
    values = d.values.tolist()
    texts: list[str] = list(values)
    whys: list[str | None] = [None] * len(values)
    plain = _plain_texts(d.values)
    for u in np.flatnonzero(~plain).tolist():
        v = values[u]
        text, why = ("", None) if is_na(v) else cell_text(v, strict=strict)
        texts[u] = text or ""
        whys[u] = why if text is None else None
    return d, texts, whys


_PLAIN = r"^[!-~](?:[ -~]*[!-~])?$"

#: A plain text that is an NA token (:func:`norm` of a plain text is its ASCII lower case with
#: runs of spaces folded).
_NOT_OWN_NA = "^(?i:" + "|".join(re.escape(t).replace("\\ ", " +") for t in sorted(NA_TOKENS) if t) + ")$"


def _plain_texts(values: np.ndarray) -> np.ndarray:
    """For each distinct value: a plain text that is not an NA token (so it is its own text)?"""
    plain = np.zeros(len(values), dtype=bool)
    if not len(values) or not all(type(v) is str for v in values.tolist()):
        return plain
    arr = strings(values.tolist())
    return to_numpy(pc.match_substring_regex(arr, _PLAIN)) & ~to_numpy(pc.match_substring_regex(arr, _NOT_OWN_NA))


def bad_rows(d: Column, bad_values: list[int]) -> np.ndarray:
    """The rows holding one of the distinct values ``bad_values``, in row order."""
    if not bad_values:
        return np.empty(0, dtype=np.int64)
    mask = np.zeros(len(d.values), dtype=bool)
    mask[bad_values] = True
    return np.flatnonzero(mask[d.index])


def ids_from_column(col: np.ndarray | Column, t: Table, name: str) -> tuple[np.ndarray, list[Problem]]:
    """Respondent ids of an id column as text, and a problem for each empty one and each that is
    not text or a whole number held exactly (see :func:`cell_text`)."""
    d, texts, whys = _texts(col, strict=True)
    problems = []
    for r in bad_rows(d, [u for u, (x, w) in enumerate(zip(texts, whys)) if w is not None or x == ""]).tolist():
        v = d[r]
        why = whys[d.index[r]]
        if why is not None:
            problems.append(
                Problem(f"the respondent id (column {name!r}) is {why}; expected text or a whole number "
                        "(store the id column as text: in Excel format the column as Text, in JSON write ids in quotes)",
                        file=t.file, row=int(t.rows[r]), value=shown(v))
            )
        else:
            problems.append(Problem(f"the respondent id (column {name!r}) is empty", file=t.file, row=int(t.rows[r])))
    problems += excel_id_problems(d, texts, t, name)
    return np.array(texts, dtype=str)[d.index], problems


#: An id as Excel shows a long number it has turned into a float: ``1,97107E+17``, ``1.97107E+17``.
_EXCEL_NUMBER = r"^[0-9](?:[.,][0-9]+)?[eE]\+[0-9]{1,3}$"

EXCEL_ID_HINT = (
    "Excel turned these ids into numbers and wrote them in scientific notation, keeping only their first "
    "digits: the real ids are not in this file. Export them as text: in Excel, format the id column as Text "
    "(Format Cells > Text) before typing or pasting the ids, or open the CSV with Data > From Text/CSV and set "
    "the column's type to Text; or download the form's export again and do not open and save it in Excel"
)


def excel_id_problems(d: Column, texts: list[str], t: Table, name: str) -> list[Problem]:
    """One problem (the first row, and how many) when ids of column ``name`` look like numbers
    Excel wrote in scientific notation (their digits are lost): with :data:`EXCEL_ID_HINT`.
    Judged once per distinct id, by pyarrow."""
    if not texts:
        return []
    hit = to_numpy(pc.match_substring_regex(strings(texts), _EXCEL_NUMBER))
    if not hit.any():
        return []
    rows = bad_rows(d, np.flatnonzero(hit).tolist())
    if not len(rows):
        return []
    r = int(rows[0])
    return [Problem(f"the respondent ids (column {name!r}) look like numbers Excel wrote in scientific notation "
                    f"({len(rows)} of {len(d)} rows): {EXCEL_ID_HINT}", file=t.file, row=int(t.rows[r]), value=shown(d[r]))]


def plain_ids(col: np.ndarray | Column) -> tuple[np.ndarray, Any] | None:
    """The respondent ids of an id column as :func:`ids_from_column` gives them, and their pyarrow
    array, when the reader kept the column's texts in pyarrow and every one is plain
    (:func:`_plain_texts`), not in Excel's notation, and on exactly one row: judged by pyarrow
    and by counting indices (or hashing the texts), with no Python string per id. None otherwise
    (the general path then reads and reports the ids, exactly)."""
    if isinstance(col, PlainTextColumn):  # a text per row: distinct when no two hash alike
        arr = col.texts
        if not len(arr) or arr.type != pa.string() or arr.null_count or not _all_plain_ids(arr):
            return None
        ids, matrix = padded_ascii(arr)
        return (ids, arr) if distinct_rows(matrix) else None
    if not isinstance(col, Column) or col.arrow is None:
        return None
    arr = col.arrow
    if not len(col.index) or len(arr) != len(col.index) or arr.type != pa.string() or arr.null_count:
        return None
    if np.bincount(col.index, minlength=len(arr)).max() != 1:  # an id on two rows (or one unused): the general path
        return None
    if not _all_plain_ids(arr):
        return None
    return padded_ascii(arr)[0][col.index], arr


def _all_plain_ids(arr: Any) -> bool:
    """Is every text of a pyarrow string array plain (:data:`_PLAIN`) and its own id (not
    :data:`_NOT_OWN`)? Judged on the array's bytes (UTF-8: a byte over 0x7E is not ASCII); the
    regex runs only on the texts that could be an NA token (no digit) or Excel's notation (a
    ``+``)."""
    n = len(arr)
    if not n or arr.null_count or arr.type != pa.string():
        return bool(n) and bool(pc.all(pc.match_substring_regex(arr, _PLAIN)).as_py()) and \
            not pc.any(pc.match_substring_regex(arr, _NOT_OWN)).as_py()
    offsets = np.frombuffer(arr.buffers()[1], dtype=np.int32, count=arr.offset + n + 1)[arr.offset:]
    lengths = np.diff(offsets)
    if not (lengths > 0).all():
        return False
    data = np.frombuffer(arr.buffers()[2], dtype=np.uint8, count=int(offsets[-1]))[int(offsets[0]):]
    starts = offsets[:-1] - offsets[0]
    first, last = data[starts], data[starts + lengths - 1]
    if not (((data >= 0x20) & (data <= 0x7E)).all() and (first != 0x20).all() and (last != 0x20).all()):
        return False  # visible ASCII at both ends, printable ASCII between
    digit = (data >= 0x30) & (data <= 0x39)
    maybe = (np.add.reduceat(digit, starts) == 0) | (np.add.reduceat(data == 0x2B, starts) > 0)
    if not maybe.any():
        return True
    return not pc.any(pc.match_substring_regex(arr.filter(pa.array(maybe)), _NOT_OWN)).as_py()


#: A plain text that is not its own id: an NA token (:func:`norm` of a plain text is its ASCII
#: lower case with runs of spaces folded) or a number in Excel's scientific notation.
_NOT_OWN = _NOT_OWN_NA + "|" + _EXCEL_NUMBER


def carried_text(col: np.ndarray | Column, t: Table, name: str) -> tuple[np.ndarray, list[Problem]]:
    """A column carried along (unit, wave, group) as text, ``""`` where unanswered, and a problem
    for each cell whose text would not be what the source holds (see :func:`cell_text`)."""
    d, texts, whys = _texts(col, strict=False)
    problems = [
        Problem(f"column {name!r} holds {whys[d.index[r]]}; store the column as text", file=t.file, row=int(t.rows[r]), value=shown(d[r]))
        for r in bad_rows(d, [u for u, w in enumerate(whys) if w is not None]).tolist()
    ]
    return np.array(texts, dtype=str)[d.index], problems


def check_duplicate_ids(rid: np.ndarray, rows: np.ndarray, file: str | None, *, raise_now: bool = True) -> list[Problem]:
    """A problem for each id given more than once (raised at once unless ``raise_now`` is False)."""
    uniq, inverse, counts = np.unique(rid, return_inverse=True, return_counts=True)
    if (counts == 1).all():
        return []
    problems = []
    for u in np.flatnonzero(counts > 1):
        where = np.flatnonzero(inverse == u)
        problems.append(
            Problem(
                f"duplicate respondent id, on rows {[int(rows[w]) for w in where[:10]]}",
                file=file, row=int(rows[where[1]]), respondent=str(uniq[u]),
            )
        )
    if raise_now:
        raise ResponseError("Respondent ids must be unique:", problems)
    return problems


# --------------------------------------------------------------------------- answers


def answer_lookup(it: Item) -> dict[str, int]:
    """Normalised answer text -> option index, for one item."""
    look: dict[str, int] = {}
    for c, labels in enumerate(it.options):
        for lab in labels.values():
            look.setdefault(norm(lab), c)
        if c < len(it.aliases):
            for a in it.aliases[c]:
                look.setdefault(norm(a), c)
    for c in range(it.n_options):
        look[str(c + 1)] = c
    if it.type == "choice":
        for c in range(it.n_options):
            look.setdefault(chr(ord("a") + c), c)
    return look


_NUM = re.compile(r"^[+]?0*(\d{1,9})(?:[.,]0+)?$")  # at most 9 digits: int() of 4301 digits is an error
_PREFIXED = re.compile(r"^0*(\d{1,9})\s*[-.=:)]\s*(.+)$")


def mapped_lookup(it: Item, label_map: LabelMap) -> tuple[dict[str, int], list[Problem]]:
    """The labels a label map gives item ``it`` (normalised label -> option index, MISSING for
    null), and a problem (with its JSON path) for each target that is not an option of ``it``."""
    own = answer_lookup(it)
    out: dict[str, int] = {}
    problems = []
    for key, (path, target) in label_map.for_item(it.id).items():
        if target is None:
            out[key] = MISSING
        elif isinstance(target, int) and 1 <= target <= it.n_options:
            out[key] = target - 1
        elif isinstance(target, str) and norm(target) in own:
            out[key] = own[norm(target)]
        else:
            why = (f"option {target} is not an option of this item (1-{it.n_options})" if isinstance(target, int)
                   else f"{target!r} is not an option of this item ({' / '.join(it.option_labels(next(iter(it.options[0]))))})")
            problems.append(Problem(why, file=label_map.source, item=it.id, path=path))
    return out, problems


def _mapped(v: object, mapped: Mapping[str, int]) -> int | None:
    """The option a label map gives a raw cell (a number by its digits), or None."""
    if isinstance(v, str):
        return mapped.get(norm(v))
    if isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_)):
        return mapped.get(str(int(v)))
    if isinstance(v, (float, np.floating)) and float(v).is_integer():
        return mapped.get(str(int(v)))
    return None


def _parse_answer(v: object, it: Item, look: Mapping[str, int], mapped: Mapping[str, int] | None = None) -> int | None:
    """Option index of one raw cell (a label map's ``mapped`` labels first); MISSING for
    unanswered; None when it cannot be read."""
    if isinstance(v, bytes):  # a binary Parquet column
        try:
            v = v.decode("utf-8")
        except UnicodeDecodeError:
            return None
    if mapped:
        got = _mapped(v, mapped)
        if got is not None:
            return got
    if is_na(v):
        return MISSING
    if isinstance(v, (bool, np.bool_)):
        return None
    if isinstance(v, (int, np.integer)):
        return int(v) - 1 if 1 <= v <= it.n_options else None
    if isinstance(v, (float, np.floating)):
        return int(v) - 1 if float(v).is_integer() and 1 <= v <= it.n_options else None
    s = norm(v)
    if s in look:
        return look[s]
    num = _NUM.match(s)
    if num:
        k = int(num.group(1))
        return k - 1 if 1 <= k <= it.n_options else None
    m = _PREFIXED.match(s)
    if m:
        k = int(m.group(1))
        lab = look.get(norm(m.group(2)))
        if lab is not None and lab == k - 1:
            return lab
    return None


def code_column(col: np.ndarray | Column, it: Item, mapped: Mapping[str, int] | None = None,
                look: Mapping[str, int] | None = None, out: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Codes (int8, MISSING for unanswered) and a mask of unreadable cells, read once per
    distinct value (a true/false cell is unreadable: ``True`` is not the answer 1). ``mapped``:
    the labels of a label map (:func:`mapped_lookup`), tried first; ``look``: the item's
    :func:`answer_lookup` when the caller holds it (one per item for all the batches of a read);
    ``out``: an int8 array of the column's length the codes are written into (and returned)."""
    numbers_mapped = bool(mapped) and any(k.isdigit() for k in mapped or ())
    if isinstance(col, np.ndarray) and col.dtype.kind in "iuf" and not numbers_mapped:
        x = col.astype(np.float64)
        missing = np.isnan(x)
        ok = missing | ((x == np.round(x)) & (x >= 1) & (x <= it.n_options))
        codes = np.where(ok & ~missing, np.nan_to_num(x) - 1, MISSING).astype(np.int8)
        if out is not None:
            out[:] = codes
        return codes if out is None else out, ~ok
    look = answer_lookup(it) if look is None else look
    if isinstance(col, NumberColumn):
        return _code_keys(col, it, look, mapped, out)
    d = distinct(col)
    parsed = [_parse_answer(v, it, look, mapped) for v in d.values.tolist()]
    table = np.array([-2 if c is None else c for c in parsed], dtype=np.int8)  # per distinct value
    return _looked_up(table, d.index, out)


def _looked_up(table: np.ndarray, index: np.ndarray, out: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """Codes and unreadable cells of rows by the code of their value (``table``, -2: unreadable)."""
    unreadable = table == -2
    table[unreadable] = MISSING
    codes = np.take(table, index, out=out)
    if not unreadable.any():
        return codes, np.broadcast_to(np.False_, (len(index),))
    return codes, unreadable[index]


def _code_keys(col: NumberColumn, it: Item, look: Mapping[str, int], mapped: Mapping[str, int] | None,
               out: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """:func:`code_column` of a column of whole numbers: each text its numbers may stand for read
    once; the rows coded by subtracting 1 from the number when every number ``v`` there is the
    answer ``v`` (and an empty cell unanswered), else by their key."""
    keys_text = col.keyed_texts()
    parsed = [_parse_answer(v, it, look, mapped) for v in keys_text.values()]
    numbers = [k - 256 if k > 127 else k for k in keys_text if k != col.blank]
    answers = [c for k, c in zip(keys_text, parsed) if k != col.blank]
    blank_code = parsed[list(keys_text).index(col.blank)] if col.blank is not None else MISSING
    if blank_code == MISSING and None not in answers and answers == [v - 1 for v in numbers]:
        out = np.empty(len(col), dtype=np.int8) if out is None else out
        return col.shifted(-1, MISSING, out), np.broadcast_to(np.False_, (len(col),))
    table = np.full(257, -2, dtype=np.int8)
    for k, c in zip(keys_text, parsed):
        table[k] = -2 if c is None else c
    return _looked_up(table, col.keys, out)


def expected_text(it: Item) -> str:
    """What an answer to ``it`` must look like, for the problem report of an unreadable one."""
    if it.type == "likert":
        labels = " / ".join(it.option_labels(next(iter(it.options[0]))))
        return f"expected a code 1-{it.n_options} or a label ({labels}, or in another language)"
    return f"expected an option number 1-{it.n_options}, a letter a-{chr(ord('a') + it.n_options - 1)} or an option's text"
