"""The inputs every analysis of this floor and above starts from: responses read against the
questionnaire, and the level model to use.

Examples
--------
>>> from akhlak_levels import load_questionnaire, simulate
>>> q = load_questionnaire("socio-emotional-levels")
>>> rs, _ = simulate(q, 3, random_state=0)
>>> responses_for(q, rs) is rs, model_for(q, None).kind
(True, 'theory-prior')
"""

from __future__ import annotations

from typing import Any

from ..errors import ResponseError
from ..model import LevelModel, load_model
from ..questionnaire import Questionnaire
from ..responses import ResponseSet, read_responses

__all__ = ["model_for", "responses_for"]


def responses_for(q: Questionnaire, responses: ResponseSet | Any) -> ResponseSet:
    """``responses`` read against ``q``; a ResponseSet read for another questionnaire is refused."""
    if not isinstance(responses, ResponseSet):
        return read_responses(responses, q)
    if responses.questionnaire.content_hash != q.content_hash or responses.questionnaire.id != q.id:
        raise ResponseError(
            f"These responses were read for questionnaire {responses.questionnaire.id!r}, not {q.id!r}."
        )
    return responses


def model_for(q: Questionnaire, model: LevelModel | str | None) -> LevelModel | None:
    """The questionnaire's default model, or ``model`` (loaded from a path) checked against ``q``."""
    if model is None:
        model = q.default_model
    elif not isinstance(model, LevelModel):
        model = load_model(model, q)
    if model is not None:
        model.check_questionnaire(q)
    return model
