"""Waves of assessments and the respondents they share: the ground of the growth modules.

* :func:`resolve_waves` turns what a growth function was given (a sequence, a mapping, one
  assessment with a wave column, a store) into labelled waves in order, scored alike;
* respondent ids are matched across waves through a hash table (:func:`id_index`,
  :func:`pair_positions`), and group labels coded once per distinct label
  (:func:`label_codes`), never by sorting all the strings or with per-row dictionaries;
* group labels, hard levels at a chosen confidence and the Wilson interval. Small groups are
  suppressed by the one engine of :mod:`akhlak_levels.privacy`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .._intervals import wilson_interval
from .._validation import Interval, check, param_error
from ..assessment import Assessment
from ..errors import ModelError
from ..questionnaire import Questionnaire, bundled_questionnaire

__all__ = [
    "ALL_GROUP",
    "MISSING_GROUP",
    "IdIndex",
    "check_assessment",
    "check_same_instrument",
    "group_labels",
    "hard_levels",
    "id_index",
    "match_ids",
    "pair_positions",
    "label_codes",
    "distinct_labels",
    "questionnaire_of",
    "resolve_waves",
    "wilson_interval",
]

#: The group of a wave's total row.
ALL_GROUP = "(all)"
#: The group of respondents without a value in the group column.
MISSING_GROUP = "(missing)"


# =========================================================================== assessments


def check_assessment(a: Any, what: str, func: str | None = None) -> Assessment:
    """``a`` when it is an :class:`~akhlak_levels.Assessment`; a :class:`TypeError` otherwise.

    With ``func``, ``what`` is a parameter of ``func`` and the error is the one parameter error;
    without it, ``what`` names an entry of a parameter (``"wave '2023'"``, ``"assessments[1]"``).
    """
    if isinstance(a, Assessment):
        return a
    must = "an Assessment (from akhlak_levels.assess)"
    if func is not None:
        raise param_error(func, what, must, a, error=TypeError, shown=type(a).__name__)
    raise TypeError(f"{what} must be {must}. Got {type(a).__name__} instead.")


def check_same_instrument(waves: Sequence[tuple[str, Assessment]]) -> None:
    """All waves must come from one questionnaire (id, version, hash) and one level model."""
    label0, a0 = waves[0]
    ident0 = (a0.questionnaire_id, a0.questionnaire_version, a0.questionnaire_hash)
    for label, a in waves[1:]:
        ident = (a.questionnaire_id, a.questionnaire_version, a.questionnaire_hash)
        if ident != ident0:
            raise ModelError(
                f"All waves must be scored on the same questionnaire: wave {label0} used "
                f"{ident0[0]!r} version {ident0[1]!r}, wave {label} used {ident[0]!r} version {ident[1]!r}"
                f"{' (same id and version, different content hash)' if ident[:2] == ident0[:2] else ''}."
            )
        if a.has_levels != a0.has_levels or a.model_hash != a0.model_hash:
            raise ModelError(
                f"All waves must be scored with the same level model, or change would mix models with "
                f"real movement: wave {label0} used {_model_name(a0)}, wave {label} used {_model_name(a)}. "
                "Score every wave again with one model."
            )
        if a.scale_ids != a0.scale_ids:
            raise ModelError(
                f"Waves {label0} and {label} have different scales: {list(a0.scale_ids)} and {list(a.scale_ids)}."
            )


def _model_name(a: Assessment) -> str:
    if not a.has_levels:
        return "no level model"
    return f"a {a.model_kind} model ({(a.model_hash or '?')[:19]}...)"


def questionnaire_of(a: Assessment) -> Questionnaire | None:
    """The bundled questionnaire the assessment names, when it is bundled and matches; None for
    a questionnaire that is not bundled (any other failure to load it propagates). The stored id
    is compared with the bundled ids, never opened as a path."""
    q = bundled_questionnaire(a.questionnaire_id)
    return q if q is not None and q.content_hash == a.questionnaire_hash else None


def hard_levels(a: Assessment, min_confidence: float | None, func: str | None = None) -> np.ndarray:
    """``a.level``, or levels re-thresholded at ``min_confidence`` (0 = undetermined)."""
    assert a.probabilities is not None and a.level is not None
    if min_confidence is None:
        return np.asarray(a.level, dtype=np.int8)
    mc = float(check(func, "min_confidence", min_confidence, Interval(0, 1)))
    p = a.probabilities
    finite = np.isfinite(p).all(axis=1)  # a non-finite posterior never gets a level
    level = (np.where(finite[:, None], p, -np.inf).argmax(axis=1) + 1).astype(np.int8)
    level[(np.where(finite, p.max(axis=1), -np.inf) < mc) | (a.n_answered == 0) | ~finite] = 0
    return level


# =========================================================================== matching by id


@dataclass(frozen=True)
class IdIndex:
    """A wave's respondent ids, as a str array and as an Arrow array (hashed, not sorted, to
    match across waves)."""

    ids: np.ndarray
    arrow: Any


def id_index(a: Assessment, label: str) -> IdIndex:
    """Respondent ids, refusing duplicates (which would make matching ambiguous)."""
    ids = np.asarray(a.respondent_ids)
    if ids.dtype.kind != "U":
        ids = ids.astype(str)
    arrow = pa.array(ids, type=pa.string())
    if len(ids) > 1 and pc.count_distinct(arrow).as_py() < len(ids):
        counts = pc.value_counts(arrow)
        repeated = counts.filter(pc.greater(counts.field("counts"), 1)).field("values")
        shown = sorted(repeated.to_pylist())
        raise ValueError(
            f"Respondent ids must be unique within a wave; wave {label} repeats {shown[:5]}"
            f"{' and more' if len(shown) > 5 else ''}. Merge or drop the duplicates first."
        )
    return IdIndex(ids, arrow)


def match_ids(indexes: Sequence[IdIndex]) -> tuple[np.ndarray, np.ndarray]:
    """Union of the ids of every wave, in order of first appearance (the first wave's order,
    then each later wave's newcomers), and per wave each union id's row in it (-1 if absent).

    The ids are matched through one hash table (pyarrow ``dictionary_encode`` of all waves'
    ids), not by sorting strings.
    """
    if not indexes:
        return np.array([], dtype=str), np.zeros((0, 0), dtype=np.int64)
    enc = pa.concat_arrays([ix.arrow for ix in indexes]).dictionary_encode()
    inv = enc.indices.to_numpy(zero_copy_only=False)
    union = enc.dictionary.to_numpy(zero_copy_only=False).astype(str)
    pos = np.full((len(union), len(indexes)), -1, dtype=np.int64)
    start = 0
    for w, ix in enumerate(indexes):  # waves, not respondents
        pos[inv[start : start + len(ix.ids)], w] = np.arange(len(ix.ids))
        start += len(ix.ids)
    return union, pos


def pair_positions(a: IdIndex, b: IdIndex) -> tuple[np.ndarray, np.ndarray]:
    """Rows of the ids present in both waves: (rows in a, rows in b), matched pairwise, in the
    order of ``a``. The ids are matched through a hash table (pyarrow ``index_in``), not by
    sorting strings."""
    if len(a.ids) == len(b.ids) and np.array_equal(a.ids, b.ids):  # same panel, same order
        r = np.arange(len(a.ids))
        return r, r
    if len(a.ids) == 0 or len(b.ids) == 0:
        e = np.zeros(0, dtype=np.int64)
        return e, e
    at = pc.index_in(a.arrow, value_set=b.arrow)
    rows_a = np.flatnonzero(at.is_valid().to_numpy(zero_copy_only=False))
    rows_b = at.drop_null().to_numpy(zero_copy_only=False).astype(np.int64)
    return rows_a, rows_b


def label_codes(col: np.ndarray, union: np.ndarray) -> np.ndarray:
    """The position of each label of ``col`` in the sorted ``union`` (which holds them all),
    found once per distinct label (a hash of the column, then a search among its few labels)."""
    enc = pa.array(col, type=pa.string()).dictionary_encode()
    where = np.searchsorted(union, enc.dictionary.to_numpy(zero_copy_only=False).astype(str))
    return where[enc.indices.to_numpy(zero_copy_only=False)].astype(np.int64)


def distinct_labels(col: np.ndarray) -> np.ndarray:
    """The distinct labels of ``col``, sorted (hashed first: a sort of the few, not of all)."""
    return np.unique(pa.array(col, type=pa.string()).unique().to_numpy(zero_copy_only=False).astype(str))


# =========================================================================== waves


def _wave_label_of(a: Assessment) -> str | None:
    if a.wave is None:
        return None
    u = np.unique(np.asarray(a.wave).astype(str))
    if len(u) == 1 and u[0] != "":
        return str(u[0])
    if len(u) > 1:
        shown = u[:5].tolist()
        raise ValueError(
            f"An assessment in the sequence holds several waves in its wave column ({shown}"
            f"{'...' if len(u) > 5 else ''}); pass it alone to split it by wave, or pass waves=[...]."
        )
    return None


def _label_key(label: str) -> tuple[float, str]:
    try:
        return (float(label), label)
    except ValueError:
        return (float("inf"), label)


def _split_by_wave_column(a: Assessment, waves: Sequence[Any] | None, func: str) -> list[tuple[str, Assessment]]:
    """One assessment split into its waves by its wave column, in label order (years numerically)."""
    if waves is not None:
        raise ValueError(f"{func}: 'waves' labels a sequence of assessments; one assessment is split by its wave column.")
    if a.wave is None:
        raise ValueError(
            f"{func} needs several waves: pass a sequence or a mapping of assessments, or one assessment "
            "whose wave column (read_responses(..., wave_column=...)) holds the wave of each respondent."
        )
    col = np.asarray(a.wave).astype(str)
    labels = sorted(np.unique(col).tolist(), key=_label_key)
    if "" in labels:
        raise ValueError(f"{func}: {int((col == '').sum())} respondents have no wave in the wave column.")
    return [(lab, a.take(np.nonzero(col == lab)[0])) for lab in labels]


def _label_sequence(assessments: Any, waves: Sequence[Any] | None, func: str) -> list[tuple[str, Assessment]]:
    """A sequence of assessments labelled by ``waves`` or by each one's single-valued wave column."""
    try:
        seq = list(assessments)
    except TypeError:
        raise TypeError(
            f"{func} expects a sequence or a mapping of Assessment objects. Got {type(assessments).__name__} instead."
        ) from None
    seq = [check_assessment(a, f"assessments[{i}]") for i, a in enumerate(seq)]
    if waves is not None:
        labels_in = [str(w) for w in waves]
        if len(labels_in) != len(seq):
            raise ValueError(f"{func}: got {len(seq)} assessments but {len(labels_in)} wave labels.")
    else:
        labels_in = []
        for i, a in enumerate(seq):
            lab = _wave_label_of(a)
            if lab is None:
                raise ValueError(
                    f"{func}: assessments[{i}] has no wave column; pass waves=[...] (one label per assessment) "
                    "or a mapping {label: assessment}."
                )
            labels_in.append(lab)
    return list(zip(labels_in, seq))


def resolve_waves(assessments: Any, waves: Sequence[Any] | None, func: str) -> list[tuple[str, Assessment]]:
    """(label, Assessment) pairs in wave order, from a mapping, a sequence, one Assessment, or an
    AssessmentStore (its waves in the order added)."""
    out: list[tuple[str, Assessment]]
    if callable(getattr(assessments, "waves", None)) and callable(getattr(assessments, "load", None)):
        if waves is not None:
            raise ValueError(f"{func}: a store labels its waves; do not pass 'waves' too.")
        return [(str(w), assessments.load(w)) for w in assessments.waves()]
    if isinstance(assessments, Assessment):
        out = _split_by_wave_column(assessments, waves, func)
    elif isinstance(assessments, Mapping):
        if waves is not None:
            raise ValueError(f"{func}: a mapping already labels its waves; do not pass 'waves' too.")
        out = [(str(k), check_assessment(v, f"wave {k!r}")) for k, v in assessments.items()]
    else:
        out = _label_sequence(assessments, waves, func)
    if not out:
        raise ValueError(f"{func} needs at least one wave; got none.")
    seen: set[str] = set()
    for lab, _ in out:
        if lab in seen:
            raise ValueError(f"{func}: wave {lab!r} appears more than once; each wave must be given once.")
        seen.add(lab)
    check_same_instrument(out)
    return out


def group_labels(a: Assessment, by: str | None, wave: str) -> np.ndarray:
    """Each respondent's group in the column ``by`` (``"unit"`` or a group column) as str, a
    missing value as :data:`MISSING_GROUP`; everyone in :data:`ALL_GROUP` when ``by`` is None."""
    if by is None:
        return np.full(len(a), ALL_GROUP, dtype=object).astype(str)
    if by == "unit":
        col = a.unit
    else:
        col = a.groups.get(by)
    if col is None:
        avail = (["unit"] if a.unit is not None else []) + list(a.groups)
        raise ValueError(
            f"No group column {by!r} in wave {wave}; available: {avail or 'none'} "
            "(name grouping columns with read_responses(..., unit_column=..., group_columns=...))."
        )
    lab = np.asarray(col)
    if lab.dtype.kind != "U":
        lab = lab.astype(str)
    empty = lab == ""
    return np.where(empty, MISSING_GROUP, lab) if empty.any() else lab


# =========================================================================== shared statistics
