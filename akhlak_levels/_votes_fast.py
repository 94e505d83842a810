"""The vectorised reading of the common vote cells, with pyarrow compute and numpy.

:func:`fast_cells` reads a column of vote cells without a Python call per cell when it can
decide a cell exactly as :func:`~akhlak_levels._votes_cells.read_cell` and
:func:`~akhlak_levels._votes_cells.check_picks` would:

- text cells (Google Forms ``", "``, Microsoft Forms ``";"``, ODK space-separated ids), one per
  distinct value: folded as :func:`~akhlak_levels._readers.norm` folds ASCII text, split at
  ``,`` and ``;``, each piece looked up among the known ids and labels (``pc.index_in``), and
  a single piece that is not a key read as space-separated ids;
- list cells (JSON arrays, Parquet ``list<string>`` as pandas gives them), one per row: the
  elements flattened and looked up the same way;
- Parquet ``list<string>`` columns kept as Arrow (:func:`arrow_list_cells`): each chunk's
  element dictionary folded and looked up once, the picks taken by index, counted from the list
  lengths and checked in numpy; and Parquet text ids (:func:`arrow_ids`), read at once when
  every id is plain text and none is repeated.

A cell the fast path cannot decide exactly, or one that breaks a rule (an unknown or unoffered
behaviour, a repeat, too many or too few picks), is left *undecided*: the caller reads it with
the per-cell path, so that the messages stay the same. Such cells are few in a good export.
Non-ASCII text, text holding a separator-containing label and anything that is neither text nor
a list of text are undecided too.
"""

from __future__ import annotations

from operator import attrgetter
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ._coding import NA_TOKENS
from ._readers import distinct
from ._readers._arrow import distinct_rows, padded_ascii
from ._votes_cells import VoteKeys

#: ``str.split()``'s white space among ASCII characters.
_WHITE = r"[ \t\n\r\v\f\x1c-\x1f]+"
#: A place where ``str.split()`` folding changes an ASCII text other than at its ends.
_RUNS = r"[\t\n\r\v\f\x1c-\x1f]|  "

#: A plain id: visible ASCII at both ends, printable ASCII between (``_coding``'s plain text,
#: which is its own text; the differential tests hold the two readings together).
_PLAIN = r"^[!-~](?:[ -~]*[!-~])?$"

#: Set to True to read every cell with the per-cell path (the differential tests compare both).
FORCE_SLOW = False


def _fold(arr: pa.Array) -> tuple[pa.Array, np.ndarray]:
    """``norm`` of each ASCII text (lower case, white space folded to one space, trimmed) and
    a mask of the texts that are ASCII and not null (``norm`` of the others is not computed).
    The costly regular expression runs only when some text has a run of white space."""
    ok = pc.fill_null(pc.string_is_ascii(arr), False).to_numpy(zero_copy_only=False)
    runs = pc.fill_null(pc.match_substring_regex(arr, _RUNS), False)
    if pc.any(runs).as_py():
        arr = pc.replace_substring_regex(arr, _WHITE, " ")
    return pc.ascii_lower(pc.utf8_trim(arr, " ")), ok


def _lookup(pieces: pa.Array, table: dict[str, int]) -> np.ndarray:
    """The behaviour position of each (folded) piece in ``table``, or -1."""
    names = pa.array(list(table), type=pa.string())
    where = pc.fill_null(pc.index_in(pieces, value_set=names), -1).to_numpy(zero_copy_only=False)
    positions = np.append(np.fromiter(table.values(), dtype=np.int64, count=len(table)), -1)
    return positions[where]


def _flat(lists: pa.Array) -> tuple[pa.Array, np.ndarray]:
    """The elements of a list array and the index of the list each comes from."""
    return pc.list_flatten(lists), pc.list_parent_indices(lists).to_numpy(zero_copy_only=False).astype(np.int64)


def _judge(parent: np.ndarray, pos: np.ndarray, n: int, offered: np.ndarray, min_picks: int,
           max_picks: int, width: int) -> tuple[np.ndarray, np.ndarray]:
    """The sorted picks of each of ``n`` cells given their (cell, position) pairs, grouped by
    cell (``parent`` not decreasing; -1 for an unknown piece), and a mask of the cells that break
    a rule (left to the per-cell path). Each cell's picks are sorted in a (cell, slot) matrix."""
    count = np.bincount(parent, minlength=n)
    wrong = (count > min(max_picks, width)) | ((count > 0) & (count < min_picks))
    unusable = ~np.append(offered, False)[pos]  # unknown (-1) or not offered
    if unusable.any():
        wrong[parent[unusable]] = True
    starts = np.cumsum(count) - count
    at = np.arange(len(parent)) + (parent * width - starts[parent])  # (cell, slot) in the flat matrix
    keep = ~wrong[parent]
    if not keep.all():
        at, pos = at[keep], pos[keep]
    big = np.iinfo(np.int16).max
    mat = np.full((n, width), big, dtype=np.int16)
    mat.reshape(-1)[at] = pos
    mat.sort(axis=1)
    wrong |= ((mat[:, 1:] == mat[:, :-1]) & (mat[:, 1:] != big)).any(axis=1)  # a behaviour twice
    mat[mat == big] = -1
    mat[wrong] = -1
    return mat, wrong


def _piece_positions(pieces: pa.Array, table: dict[str, int], *, few: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each raw ASCII piece, folded as ``norm`` folds it: its behaviour position (-1 when
    not a key), whether it is empty and whether it is an NA token. With ``few`` (few distinct
    pieces: labels, ids) each distinct piece is folded once."""
    index = None
    if few:
        coded = pc.dictionary_encode(pieces)
        index = pc.fill_null(coded.indices, len(coded.dictionary)).to_numpy(zero_copy_only=False)
        pieces = pa.concat_arrays([coded.dictionary, pa.array([None], type=pa.string())])
    folded, _ = _fold(pieces)
    empty = pc.fill_null(pc.equal(folded, ""), False).to_numpy(zero_copy_only=False)
    na = pc.fill_null(pc.is_in(folded, value_set=pa.array(sorted(NA_TOKENS))), False).to_numpy(zero_copy_only=False)
    pos = _lookup(folded, table)
    return (pos, empty, na) if index is None else (pos[index], empty[index], na[index])


def _text_cells(values: np.ndarray, keys: VoteKeys, offered: np.ndarray, min_picks: int, max_picks: int,
                width: int) -> tuple[np.ndarray, np.ndarray] | None:
    """The picks of each distinct text and a mask of the texts left undecided, or None when the
    values are not all text (or null).

    An ASCII text is split at ``,`` and ``;`` before it is folded: folding (case and white space)
    neither makes nor removes a separator, so the pieces are those of the folded text."""
    try:
        arr = pa.array(values, from_pandas=True)
    except (pa.ArrowException, TypeError, ValueError):
        return None
    if pa.types.is_null(arr.type):
        arr = arr.cast(pa.string())
    if not pa.types.is_string(arr.type):
        return None
    n = len(arr)
    undecided = ~pc.fill_null(pc.string_is_ascii(arr), False).to_numpy(zero_copy_only=False)
    if keys.joined:  # a text holding a label with a separator is split by matching, per cell
        s, _ = _fold(arr)
        for k in keys.joined:
            undecided |= pc.fill_null(pc.match_substring(s, k), False).to_numpy(zero_copy_only=False)
    pieces, parent = _flat(pc.split_pattern_regex(arr, "[,;]"))
    pos, empty, na_piece = _piece_positions(pieces, keys.keys, few=len(pieces) > 2 * n)
    n_raw = np.bincount(parent, minlength=n)
    na = np.zeros(n, dtype=bool)
    na[parent[(n_raw[parent] == 1) & na_piece]] = True
    keep = ~empty
    pieces, parent, pos = pieces.filter(pa.array(keep)), parent[keep], pos[keep]
    unknown = np.zeros(n, dtype=bool)
    unknown[parent[pos < 0]] = True
    odk = unknown & (np.bincount(parent, minlength=n) == 1) & ~undecided & ~na
    in_odk = odk[parent]
    # ids split at single spaces; other white space leaves an empty or unknown word: per-cell path
    words, wparent = _flat(pc.split_pattern(pc.utf8_trim(pieces.filter(pa.array(in_odk)), " "), " "))
    wparent = parent[np.flatnonzero(in_odk)][wparent]
    wpos, _, _ = _piece_positions(words, keys.ids, few=True)
    bad_words = np.zeros(n, dtype=bool)
    bad_words[wparent[wpos < 0]] = True
    odk &= ~bad_words
    undecided |= unknown & ~odk & ~na
    plain = ~undecided & ~na & ~odk
    mat, wrong = _judge(parent[plain[parent]], pos[plain[parent]], n, offered, min_picks, max_picks, width)
    mat_odk, wrong_odk = _judge(wparent[odk[wparent]], wpos[odk[wparent]], n, offered, min_picks, max_picks, width)
    mat[odk] = mat_odk[odk]
    undecided |= (wrong & plain) | (wrong_odk & odk)
    mat[undecided | na] = -1
    return mat, undecided


def _concatenated(col: np.ndarray) -> tuple[pa.Array, np.ndarray] | None:
    """The elements of a column whose every cell is an array of texts (as pandas gives a Parquet
    list column), and the cell of each; None for any other column."""
    cells = col.tolist()
    if set(map(type, cells)) != {np.ndarray} or any(d.kind not in "OU" for d in set(map(attrgetter("dtype"), cells))):
        return None  # numpy would turn bytes into text when joining: such columns go through pa.array
    lengths = np.fromiter(map(len, col), dtype=np.int64, count=len(col))
    try:
        flat = np.concatenate(cells) if lengths.sum() else np.empty(0, dtype=object)
        elements = pa.array(flat) if len(flat) else pa.array([], type=pa.string())
    except (pa.ArrowException, TypeError, ValueError):
        return None
    if not pa.types.is_string(elements.type):  # bytes, numbers: the per-cell path says what they are
        return None
    return elements, np.repeat(np.arange(len(col)), lengths)


def _list_cells(col: np.ndarray, keys: VoteKeys, offered: np.ndarray, min_picks: int, max_picks: int,
                width: int) -> tuple[np.ndarray, np.ndarray] | None:
    """The picks of each list cell (None, NaN and NA pick nothing) and a mask of the cells left
    undecided, or None when the column is not one of lists of text."""
    n = len(col)
    got = _concatenated(col)
    if got is None:
        cells = col.tolist()
        arrays = [c for c in cells if type(c) is np.ndarray]
        if not set(map(type, cells)) <= {list, tuple, np.ndarray, type(None), float} or \
                any(d.kind not in "OU" for d in set(map(attrgetter("dtype"), arrays))):
            return None  # pyarrow would read an array of bytes as text; the per-cell path refuses it
        try:
            arr = pa.array(col, from_pandas=True)
        except (pa.ArrowException, TypeError, ValueError):
            return None
        if not (pa.types.is_list(arr.type) or pa.types.is_large_list(arr.type)) or not pa.types.is_string(arr.type.value_type):
            return None
        got = _flat(arr)
    elements, parent = got
    coded = pc.dictionary_encode(elements)
    folded, ascii_ = _fold(coded.dictionary)
    index = pc.fill_null(coded.indices, len(coded.dictionary)).to_numpy(zero_copy_only=False)
    pos = np.append(_lookup(folded, keys.keys), -1)[index]
    undecided = np.zeros(n, dtype=bool)
    undecided[parent[~np.append(ascii_, False)[index]]] = True  # non-ASCII and null elements
    mat, wrong = _judge(parent, pos, n, offered, min_picks, max_picks, width)
    undecided |= wrong
    mat[undecided] = -1
    return mat, undecided


def fast_cells(col: Any, keys: VoteKeys, offered: np.ndarray, min_picks: int, max_picks: int,
               width: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A column of vote cells as ``(values, index, mat, undecided)``: the cells to read
    (``values[index[r]]`` is row ``r``'s), the sorted picks of each (``-1`` padded to
    ``width``) and a mask of the cells left to the per-cell path (all of them under
    :data:`FORCE_SLOW`, or when the column is of no layout this module reads).

    ``offered`` is a bool per behaviour. The picks of an undecided cell are ``-1``.

    Examples
    --------
    >>> from akhlak_levels import load_questionnaire
    >>> q = load_questionnaire("berakhlak-culture-map")
    >>> keys = VoteKeys(q)
    >>> col = np.array(["jujur cermat", "Jujur,  CERMAT", "jujur jujur", "jujur cermat"], dtype=object)
    >>> values, index, mat, undecided = fast_cells(col, keys, np.ones(len(q.behaviours), bool), 1, 10, 3)
    >>> index.tolist(), undecided.tolist()
    ([0, 1, 2, 0], [False, False, True])
    >>> [[q.behaviours[p].id for p in row if p >= 0] for row in mat]  # in the order of the list
    [['cermat', 'jujur'], ['cermat', 'jujur'], []]
    """
    got = None
    if not FORCE_SLOW and isinstance(col, np.ndarray) and col.dtype == object and len(col):
        got = _list_cells(col, keys, offered, min_picks, max_picks, width)
        if got is not None:
            return col, np.arange(len(col)), got[0], got[1]
    d = distinct(col)
    if not FORCE_SLOW and len(d.values):
        got = _text_cells(d.values, keys, offered, min_picks, max_picks, width)
    if got is None:
        return d.values, d.index, np.full((len(d.values), width), -1, dtype=np.int16), np.ones(len(d.values), bool)
    return d.values, d.index, got[0], got[1]


def _is_text(typ: pa.DataType) -> bool:
    return bool(pa.types.is_string(typ) or pa.types.is_large_string(typ))


def _coded(arr: pa.Array) -> tuple[pa.Array, np.ndarray] | None:
    """The dictionary of a text (or dictionary of text) array and each element's index in it
    (``len(dictionary)`` for a null), or None for another type."""
    if pa.types.is_dictionary(arr.type):
        dictionary, indices = arr.dictionary, arr.indices
    elif _is_text(arr.type):
        coded = pc.dictionary_encode(arr)
        dictionary, indices = coded.dictionary, coded.indices
    else:
        return None
    if not _is_text(dictionary.type):
        return None
    if indices.null_count:
        indices = pc.fill_null(indices, len(dictionary))
    return dictionary, indices.to_numpy(zero_copy_only=False)


def _chunk_picks(chunk: pa.Array, keys: VoteKeys, offered: np.ndarray, min_picks: int, max_picks: int,
                 width: int) -> tuple[np.ndarray, np.ndarray] | None:
    """The sorted picks of each list of one chunk and a mask of the lists that break a rule or
    hold an element that is null, not ASCII, unknown or not offered (left to the per-cell path)."""
    n = len(chunk)
    lengths = pc.fill_null(pc.list_value_length(chunk), 0).to_numpy(zero_copy_only=False).astype(np.int64)
    flat = pc.list_flatten(chunk)
    got = _coded(flat)
    if got is None or len(flat) != int(lengths.sum()):
        return None
    dictionary, index = got
    folded, ascii_ = _fold(dictionary)
    pos_d = _lookup(folded, keys.keys)
    good_d = ascii_ & (pos_d >= 0) & offered[np.maximum(pos_d, 0)]
    pos = np.append(np.where(good_d, pos_d, -1), -1).astype(np.int16)[index]  # -1: null, not ASCII, unknown, unoffered
    wrong = (lengths > min(max_picks, width)) | ((lengths > 0) & (lengths < min_picks))
    ends = np.cumsum(lengths)
    bad = pos < 0
    if bad.any():
        wrong[np.searchsorted(ends, np.flatnonzero(bad), side="right")] = True
    big = np.iinfo(np.int16).max
    full = bool(n and (lengths == width).all())  # every list holds ``width`` elements: the picks as they lie
    if full:
        mat = pos.reshape(n, width)
    else:
        parent = np.repeat(np.arange(n), lengths)
        keep = ~wrong[parent]
        at = (np.arange(len(parent)) + (parent * width - (ends - lengths)[parent]))[keep]
        mat = np.full((n, width), big, dtype=np.int16)
        mat.reshape(-1)[at] = pos[keep]
    mat[wrong] = big
    mat.sort(axis=1)
    same = mat[:, 1:] == mat[:, :-1]
    wrong |= (same if full else same & (mat[:, 1:] != big)).any(axis=1)  # a behaviour twice (full: only wrong rows hold big)
    if not full:
        mat[mat == big] = -1
    mat[wrong] = -1
    return mat, wrong


def arrow_list_cells(arr: pa.ChunkedArray, plain_type: pa.DataType, cells: Any, keys: VoteKeys, offered: np.ndarray,
                     min_picks: int, max_picks: int, width: int
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None:
    """A Parquet column of ``list<string>`` (or ``large_list``, ``large_string``) kept as Arrow, as
    :func:`fast_cells` gives a column: ``(values, index, mat, undecided)``; None for any other
    column (and under :data:`FORCE_SLOW`). ``plain_type`` is the column's type in a plain read;
    ``cells(rows)`` gives those rows' cells as a plain read does: only the undecided rows are
    made (``values`` holds None elsewhere).

    Examples
    --------
    >>> from akhlak_levels import load_questionnaire
    >>> q = load_questionnaire("berakhlak-culture-map")
    >>> col = pa.chunked_array([pa.array([["jujur", " CERMAT"], None, ["jujur", "jujur"]], pa.list_(pa.string()))])
    >>> values, index, mat, undecided = arrow_list_cells(
    ...     col, col.type, lambda rows: col.take(rows).to_pylist(), VoteKeys(q),
    ...     np.ones(len(q.behaviours), bool), 1, 10, 3)
    >>> mat.tolist(), undecided.tolist(), values[2]
    ([[3, 24, -1], [-1, -1, -1], [-1, -1, -1]], [False, False, True], ['jujur', 'jujur'])
    """
    if FORCE_SLOW or not (pa.types.is_list(plain_type) or pa.types.is_large_list(plain_type)) \
            or not _is_text(plain_type.value_type):
        return None
    n = len(arr)
    mat = np.full((n, width), -1, dtype=np.int16)
    undecided = np.zeros(n, dtype=bool)
    start = 0
    for chunk in arr.chunks:
        got = _chunk_picks(chunk, keys, offered, min_picks, max_picks, width)
        if got is None:
            return None
        mat[start:start + len(chunk)], undecided[start:start + len(chunk)] = got
        start += len(chunk)
    values = np.empty(n, dtype=object)
    rows = np.flatnonzero(undecided)
    if len(rows):
        made = np.empty(len(rows), dtype=object)
        made[:] = list(cells(rows))
        values[rows] = made
    return values, np.arange(n), mat, undecided


def arrow_ids(arr: pa.ChunkedArray) -> np.ndarray | None:
    """The respondent ids of a Parquet text (or dictionary of text) column kept as Arrow, at once,
    when every distinct id is plain text (visible ASCII at both ends, printable between; not an NA
    token), none is null and none is repeated; otherwise None (the per-cell reading finds and
    reports what is wrong). The text dtype is as ``ids_from_column`` gives it.

    Examples
    --------
    >>> arrow_ids(pa.chunked_array([pa.array(["r1", "r22"]), pa.array(["r3"])])).tolist()
    ['r1', 'r22', 'r3']
    >>> arrow_ids(pa.chunked_array([pa.array(["r1", "r1"])])) is None
    True
    """
    if FORCE_SLOW or not len(arr):
        return None
    try:
        col = arr.combine_chunks()
    except (pa.ArrowException, TypeError, ValueError):
        return None
    if pa.types.is_dictionary(col.type):  # as Parquet text is read: each distinct id in the dictionary
        if not _is_text(col.type.value_type) or col.null_count or not _all_plain(col.dictionary):
            return None  # a null, or a text that is not plain: the per-cell reading says what is wrong
        texts, matrix = padded_ascii(col.dictionary)  # as wide as the longest, as the per-cell reading's
        index = col.indices.to_numpy(zero_copy_only=False)
        return texts[index] if distinct_rows(matrix[index]) else None  # an id twice (or a clash): per-cell
    if not _is_text(col.type) or col.null_count or not _all_plain(col):
        return None
    texts, matrix = padded_ascii(col)
    return texts if distinct_rows(matrix) else None


def _all_plain(texts: pa.Array) -> bool:
    """Is every text plain (``_PLAIN``) and, folded as ``_coding`` folds it (lower case, runs of
    spaces to one), not an NA token?"""
    plain = pc.fill_null(pc.match_substring_regex(texts, _PLAIN), False)
    lower = pc.ascii_lower(texts)
    if pc.any(pc.match_substring(texts, "  ")).as_py():  # the fold changes only texts with a run of spaces
        lower = pc.replace_substring_regex(lower, " +", " ")
    na = pc.fill_null(pc.is_in(lower, value_set=pa.array(sorted(NA_TOKENS), type=pa.string())), False)
    return bool(pc.all(pc.and_(plain, pc.invert(na))).as_py())

