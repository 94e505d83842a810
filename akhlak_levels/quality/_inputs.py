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

import inspect
from typing import Any, Callable, Mapping

from .._validation import param_error
from ..errors import ResponseError
from ..model import LevelModel, load_model
from ..questionnaire import Questionnaire
from ..responses import ResponseSet, read_responses

__all__ = ["model_for", "responses_for"]


def _reading_options(func: str, reader: Callable[..., Any], options: Mapping[str, Any] | None, source: Any,
                    read: type) -> dict[str, Any]:
    """``options`` checked as keyword options of ``reader`` (:func:`read_responses` or
    ``read_votes``) for ``func``: an unknown name is refused (a TypeError, as Python refuses an
    unexpected keyword), and so is any option when ``source`` is already ``read`` (it would be
    ignored)."""
    if not options:
        return {}
    known = [n for n, p in inspect.signature(reader).parameters.items() if p.kind is p.KEYWORD_ONLY]
    for name, value in options.items():
        if name not in known:
            raise param_error(func, name, f"a reading option of {reader.__name__} (one of {', '.join(known)})",
                              value, error=TypeError)
        if isinstance(source, read):
            raise param_error(func, name, f"left out when the responses are already read (a {read.__name__}): "
                              f"pass it to {reader.__name__}", value)
    return dict(options)


def responses_for(q: Questionnaire, responses: ResponseSet | Any, read_options: Mapping[str, Any] | None = None,
                  func: str = "assess") -> ResponseSet:
    """``responses`` read against ``q`` (a path or table read by :func:`read_responses` with
    ``read_options``, checked by :func:`_reading_options` for ``func``); a ResponseSet read for
    another questionnaire is refused."""
    options = _reading_options(func, read_responses, read_options, responses, ResponseSet)
    if not isinstance(responses, ResponseSet):
        return read_responses(responses, q, **options)
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
