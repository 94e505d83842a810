"""What a report is made from: the questionnaire, the waves of assessments (or the culture maps
of a vote instrument), and the responses where they were read from files (for reliability)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence

from .._votes_read import read_votes
from ..assessment import Assessment, assess
from ..culture import CultureMap, culture_map
from ..growth import resolve_waves
from ..model import is_vote_instrument
from ..questionnaire import Questionnaire, load_questionnaire
from ..responses import ResponseSet, read_responses
from ..store import AssessmentStore
from ..votes import VoteSet

__all__ = ["Inputs", "STORE_SUFFIXES", "gather"]

#: File endings read as an :class:`~akhlak_levels.AssessmentStore` rather than as an export.
STORE_SUFFIXES = (".sqlite", ".sqlite3", ".db")


@dataclass
class Inputs:
    """The material of one report."""

    questionnaire: Questionnaire
    waves: list[tuple[str, Assessment]] = field(default_factory=list)
    maps: list[tuple[str, CultureMap]] = field(default_factory=list)
    responses: ResponseSet | None = None
    responses_wave: str | None = None
    source: str = ""
    from_store: bool = False


def _is_store_path(x: Any) -> bool:
    return isinstance(x, (str, os.PathLike)) and Path(x).suffix.lower() in STORE_SUFFIXES


def _open_store(path: Any) -> AssessmentStore:
    if not Path(path).is_file():
        raise FileNotFoundError(f"No store at {os.fspath(path)!r}: the file does not exist.")
    return AssessmentStore(path)


def _from_store(store: AssessmentStore, q: Questionnaire, waves: Sequence[Any] | None, by: str | None,
                mgs: int, conf: float) -> Inputs:
    inp = Inputs(q, source=f"store {os.path.basename(store.path)}", from_store=True)
    if is_vote_instrument(q):
        names = [w for w in store.vote_waves() if store.vote_wave_info(w)["questionnaire_id"] == q.id]
        if waves is not None:
            names = [str(w) for w in waves]
        if not names:
            raise ValueError(f"The store {store.path!r} holds no vote wave of {q.id!r}.")
        inp.maps = list(store.culture_maps(q, waves=names, by=by, min_group_size=mgs, confidence=conf).items())
        return inp
    names = [w for w in store.waves() if store.wave_info(w)["questionnaire_id"] == q.id]
    if waves is not None:
        names = [str(w) for w in waves]
    if not names:
        raise ValueError(f"The store {store.path!r} holds no wave of {q.id!r}; its waves are {store.waves()}.")
    inp.waves = [(w, store.load(w)) for w in names]
    return inp


def _read(path: Any, q: Questionnaire, options: Mapping[str, Any]) -> Any:
    if is_vote_instrument(q):
        return read_votes(path, q, **options)
    return read_responses(path, q, **options)


def gather(
    source: Any,
    q: Questionnaire | str,
    *,
    waves: Sequence[Any] | None,
    by: str | None,
    min_group_size: int,
    confidence: float,
    read_options: Mapping[str, Any] | None,
) -> Inputs:
    """The report's material from ``source``: a store (an :class:`AssessmentStore` or a path
    ending in ``.sqlite``/``.sqlite3``/``.db``), an export file (or a list of them, one per
    wave, labelled by ``waves`` or the files' names), a :class:`ResponseSet`, a
    :class:`VoteSet`, one :class:`Assessment` (split by its wave column) or a mapping of wave
    label to Assessment."""
    q = load_questionnaire(q) if isinstance(q, str) else q
    options = dict(read_options or {})
    if isinstance(source, AssessmentStore):
        return _from_store(source, q, waves, by, min_group_size, confidence)
    if _is_store_path(source):
        with _open_store(source) as store:
            return _from_store(store, q, waves, by, min_group_size, confidence)
    items: list[Any]
    labels: list[str] | None = None if waves is None else [str(w) for w in waves]
    if isinstance(source, (str, os.PathLike, ResponseSet, VoteSet, Assessment, Mapping)):
        items = [source]
    else:
        items = list(source)
        if labels is None and all(isinstance(s, (str, os.PathLike)) for s in items) and len(items) > 1:
            labels = [Path(s).stem for s in items]
    names = [os.path.basename(os.fspath(s)) for s in items if isinstance(s, (str, os.PathLike))]
    inp = Inputs(q, source=", ".join(names) if names else type(items[0]).__name__ if items else "")
    read = [_read(s, q, options) if isinstance(s, (str, os.PathLike)) else s for s in items]
    if is_vote_instrument(q):
        if len(read) != 1 or not isinstance(read[0], VoteSet):
            raise ValueError("A report of a vote instrument is made from one votes file or VoteSet, or from a store.")
        wave = getattr(read[0], "wave", None)
        label = labels[0] if labels else (str(wave[0]) if wave is not None and len(wave) else
                                          Path(items[0]).stem if isinstance(items[0], (str, os.PathLike)) else "1")
        inp.maps = [(label, culture_map(q, read[0], by=by, min_group_size=min_group_size, confidence=confidence))]
        return inp
    if all(isinstance(r, ResponseSet) for r in read):  # the reliability and SEMs: of the first (baseline) file
        inp.responses = read[0]
        inp.responses_wave = labels[0] if len(read) > 1 and labels else None
    assessed = [assess(q, r) if isinstance(r, ResponseSet) else r for r in read]
    if len(assessed) > 1:
        inp.waves = resolve_waves(assessed, labels, "report")
        return inp
    one = assessed[0]
    if isinstance(one, Mapping) or (labels is None and getattr(one, "wave", None) is not None):
        inp.waves = resolve_waves(one, None, "report")
    else:  # one wave without a wave column: labelled by ``waves`` or the file's name
        label = labels[0] if labels else (Path(items[0]).stem if isinstance(items[0], (str, os.PathLike)) else "1")
        inp.waves = resolve_waves({label: one}, None, "report")
    return inp
