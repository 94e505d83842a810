"""The questionnaires a service serves: each compiled once into a :class:`~akhlak_levels.Scorer`,
with the JSON descriptions the listing and ``show`` endpoints return (built once, at start-up)."""

from __future__ import annotations

import os
from typing import Any, Mapping, NamedTuple, Sequence

from .._version import __version__
from ..errors import QuestionnaireError
from ..model import LevelModel, is_vote_instrument
from ..questionnaire import Questionnaire, list_questionnaires, load_questionnaire
from ..scorer import Scorer

__all__ = ["Served", "build_catalog"]


class Served(NamedTuple):
    """One served questionnaire: its scorer, its summary (the listing) and its description."""

    scorer: Scorer
    summary: dict[str, Any]
    description: dict[str, Any]


def _texts(mapping: Mapping[str, str]) -> dict[str, str]:
    return {lang: mapping[lang] for lang in ("id", "en") if lang in mapping} | dict(mapping)


def _summary(scorer: Scorer) -> dict[str, Any]:
    q, m = scorer.questionnaire, scorer.model
    return {
        "id": q.id, "version": q.version, "title": _texts(q.title), "languages": list(q.languages),
        "n_items": q.n_items, "questionnaire_hash": q.content_hash,
        "model_hash": None if m is None else m.hash, "model_kind": None if m is None else m.kind,
        "has_levels": m is not None, "has_index": q.index is not None, "library_version": __version__,
    }


def _description(scorer: Scorer) -> dict[str, Any]:
    q = scorer.questionnaire
    doc = _summary(scorer)
    doc["description"] = _texts(q.description)
    doc["items"] = [
        {"id": it.id, "type": it.type, "text": _texts(it.text), "reverse": it.reverse, "scales": list(it.scales),
         "options": [{"code": c + 1, "label": _texts(lab)} for c, lab in enumerate(it.options)]}
        for it in q.items
    ]
    doc["scales"] = [{"id": s.id, "name": _texts(s.name), "item_ids": list(s.item_ids), "level": s.level} for s in q.scales]
    doc["index"] = None if q.index is None else {
        "id": q.index.id, "name": _texts(q.index.name), "scales": list(q.index.scales),
        "categories": [{"code": c.code, "label": _texts(c.label), "min": c.min} for c in q.index.categories],
    }
    return doc


def build_catalog(questionnaires: Sequence[Questionnaire | str | os.PathLike[str]] = (), *,
                  models: Mapping[str, LevelModel | str | os.PathLike[str]] | None = None, bundled: bool = True,
                  min_confidence: float = 0.5, min_answered: float = 0.5) -> dict[str, Served]:
    """Compile every served questionnaire once: the bundled ones (vote instruments aside, which
    the :class:`Scorer` does not score) and ``questionnaires``, each with its model from
    ``models`` (keyed by questionnaire id) or its default model.

    Raises
    ------
    QuestionnaireError
        Two questionnaires with one id, a configured vote instrument, or a model for a
        questionnaire that is not served.
    """
    chosen: dict[str, Questionnaire] = {}
    if bundled:
        for qid in list_questionnaires():
            q = load_questionnaire(qid)
            if not is_vote_instrument(q):
                chosen[q.id] = q
    for source in questionnaires:
        q = load_questionnaire(source if isinstance(source, Questionnaire) else os.fspath(source))
        if q.id in chosen:
            where = "bundled" if bundled and q.id in list_questionnaires() else "given twice"
            raise QuestionnaireError(f"Questionnaire id {q.id!r} is served once ({where}); give the file another id.")
        if is_vote_instrument(q):
            raise QuestionnaireError(f"{q.id!r} is a vote instrument: the service scores Likert and choice questionnaires.")
        chosen[q.id] = q
    models = dict(models or {})
    unknown = sorted(set(models) - set(chosen))
    if unknown:
        raise QuestionnaireError(f"A model is given for {unknown[0]!r}, which is not served (served: {sorted(chosen)}).")
    catalog = {}
    for qid, q in chosen.items():
        model = models.get(qid)
        scorer = Scorer(q, model if model is None or isinstance(model, LevelModel) else os.fspath(model),
                        min_confidence=min_confidence, min_answered=min_answered)
        catalog[qid] = Served(scorer, _summary(scorer), _description(scorer))
    return catalog
