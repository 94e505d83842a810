"""The ASGI application: routes (Starlette), bearer-token auth, and a log of requests that never
holds an answer or a respondent id."""

from __future__ import annotations

import hmac
import json
import logging
import os
import time
from typing import Any, Awaitable, Callable, Mapping, Sequence

from ..model import LevelModel
from ..questionnaire import Questionnaire
from ._catalog import Served, build_catalog
from ._errors import ApiError, error_body, parse_json, read_body
from ._handlers import Limits, score_batch, score_one, validate_batch
from ._openapi import openapi_document

__all__ = ["DEFAULT_MAX_BATCH", "DEFAULT_MAX_BODY_BYTES", "TOKEN_ENV", "ScoringService", "create_app"]

#: The environment variable holding the bearer token; without it the service asks for none.
TOKEN_ENV = "AKHLAK_LEVELS_TOKEN"
#: A request body larger than this is refused (413): 1,000 respondents of the 42-item BerAKHLAK
#: questionnaire answered with labels take about 1.1 MB.
DEFAULT_MAX_BODY_BYTES = 2 * 2**20
#: Respondents per batch request (score-batch, validate).
DEFAULT_MAX_BATCH = 1000
#: Shortest token accepted: a guessable token is worse than none, since it looks like protection.
MIN_TOKEN_LENGTH = 16

log = logging.getLogger("akhlak_levels.server")

_OPEN_PATHS = frozenset({"/health", "/openapi.json"})
_WORDS = frozenset({"", "v1", "questionnaires", "score", "score-batch", "validate", "health", "openapi.json"})


def _token(token_env: str | None) -> bytes | None:
    value = None if token_env is None else os.environ.get(token_env)
    if value is None:
        return None
    value = value.strip()
    if len(value) < MIN_TOKEN_LENGTH:
        raise ValueError(f"The bearer token in ${token_env} has {len(value)} characters; use at least {MIN_TOKEN_LENGTH} "
                         "(e.g. python -c 'import secrets; print(secrets.token_urlsafe(32))'), or unset it.")
    return value.encode("utf-8")


def _response(status: int, body: bytes, headers: Mapping[str, str] = {}) -> tuple[dict[str, Any], dict[str, Any]]:
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    raw += [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]
    return {"type": "http.response.start", "status": status, "headers": raw}, {"type": "http.response.body", "body": body}


class ScoringService:
    """The ASGI application :func:`create_app` returns: the routes behind a door that checks the
    bearer token, catches what the routes did not, and logs each request (method, route, status,
    milliseconds; the path only as far as it names routes and served questionnaires)."""

    def __init__(self, routes: Any, catalog: Mapping[str, Served], limits: Limits, token: bytes | None):
        #: The Starlette application of the routes (behind the door).
        self.routes = routes
        self._token = token
        self._words = _WORDS | set(catalog)
        #: The served questionnaire ids.
        self.served: tuple[str, ...] = tuple(catalog)
        self.limits = limits

    @property
    def auth(self) -> bool:
        """Whether requests need the bearer token."""
        return self._token is not None

    def _authorized(self, headers: Sequence[tuple[bytes, bytes]]) -> bool:
        given = next((v for k, v in headers if k == b"authorization"), b"")
        scheme, _, credentials = given.partition(b" ")
        assert self._token is not None
        # compare_digest takes the same time wherever the bytes differ (not when the lengths do,
        # which tells an attacker only the length)
        return scheme.lower() == b"bearer" and hmac.compare_digest(credentials.strip(), self._token)

    def _safe_path(self, path: str) -> str:
        return "/".join(part if part in self._words else "..." for part in path.split("/"))

    async def __call__(self, scope: dict[str, Any], receive: Callable[[], Awaitable[Any]],
                       send: Callable[[dict[str, Any]], Awaitable[None]]) -> None:
        if scope["type"] != "http":
            await self.routes(scope, receive, send)
            return
        t0, status = time.perf_counter(), [0]

        async def sending(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        path = self._safe_path(scope.get("path", ""))
        try:
            if self._token is not None and scope.get("path") not in _OPEN_PATHS and not self._authorized(scope["headers"]):
                err = ApiError(401, "unauthorized", "This service needs 'Authorization: Bearer <token>'.",
                               headers={"www-authenticate": 'Bearer realm="akhlak-levels"'})
                for message in _response(401, error_body(err), err.headers):
                    await sending(message)
            else:
                await self.routes(scope, receive, sending)
        except Exception as exc:  # the type only: a message may quote the request
            log.error("%s %s failed: %s", scope.get("method"), path, type(exc).__name__)
            if status[0] == 0:
                for message in _response(500, error_body(ApiError(500, "internal-error", "The service failed; see its log."))):
                    await sending(message)
        finally:
            log.info("%s %s %d %.1f ms", scope.get("method"), path, status[0], 1000 * (time.perf_counter() - t0))


def _json_response(status: int, doc: Any, headers: Mapping[str, str] | None = None) -> Any:
    from starlette.responses import Response

    body = json.dumps(doc, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode("utf-8")
    return Response(body, status_code=status, media_type="application/json", headers=dict(headers or {}))


def _error_response(err: ApiError) -> Any:
    from starlette.responses import Response

    return Response(error_body(err), status_code=err.status, media_type="application/json", headers=err.headers)


def _routes(catalog: Mapping[str, Served], limits: Limits, openapi: dict[str, Any]) -> Any:
    """The Starlette application of the routes (404 and 405 answered as JSON errors too)."""
    from starlette.applications import Starlette
    from starlette.exceptions import HTTPException
    from starlette.routing import Route

    listing = {"questionnaires": [s.summary for s in catalog.values()]}

    def served(request: Any) -> Served:
        qid = request.path_params["qid"]
        found = catalog.get(qid)
        if found is None:
            raise ApiError(404, "unknown-questionnaire", f"No questionnaire {qid!r} is served; served: {sorted(catalog)}.")
        return found

    def endpoint(work: Callable[[Any, Any], Any], body: bool) -> Callable[[Any], Awaitable[Any]]:
        async def run(request: Any) -> Any:
            try:
                doc = parse_json(await read_body(request, limits.max_body_bytes)) if body else None
                return _json_response(200, work(request, doc))
            except ApiError as err:
                return _error_response(err)
            except Exception as exc:  # the type only: a message may quote the request
                log.error("%s failed: %s", work.__qualname__, type(exc).__name__)
                return _error_response(ApiError(500, "internal-error", "The service failed; see its log."))
        return run

    async def http_error(request: Any, exc: Any) -> Any:
        kinds = {404: ("not-found", "No such route; see /openapi.json."), 405: ("method-not-allowed", "Method not allowed here.")}
        kind, message = kinds.get(exc.status_code, ("http-error", str(exc.detail)))
        return _error_response(ApiError(exc.status_code, kind, message, headers=dict(exc.headers or {})))

    routes = [
        Route("/health", endpoint(lambda r, d: {"status": "ok"}, False), methods=["GET"]),
        Route("/openapi.json", endpoint(lambda r, d: openapi, False), methods=["GET"]),
        Route("/v1/questionnaires", endpoint(lambda r, d: listing, False), methods=["GET"]),
        Route("/v1/questionnaires/{qid}", endpoint(lambda r, d: served(r).description, False), methods=["GET"]),
        Route("/v1/questionnaires/{qid}/score", endpoint(lambda r, d: score_one(served(r).scorer, d), True), methods=["POST"]),
        Route("/v1/questionnaires/{qid}/score-batch",
              endpoint(lambda r, d: score_batch(served(r).scorer, d, limits), True), methods=["POST"]),
        Route("/v1/questionnaires/{qid}/validate",
              endpoint(lambda r, d: validate_batch(served(r).scorer, d, limits), True), methods=["POST"]),
    ]
    return Starlette(routes=routes, exception_handlers={HTTPException: http_error})


def create_app(questionnaires: Sequence[Questionnaire | str | os.PathLike[str]] = (), *,
               models: Mapping[str, LevelModel | str | os.PathLike[str]] | None = None, bundled: bool = True,
               max_body_bytes: int = DEFAULT_MAX_BODY_BYTES, max_batch: int = DEFAULT_MAX_BATCH,
               token_env: str | None = TOKEN_ENV, min_confidence: float = 0.5, min_answered: float = 0.5) -> ScoringService:
    """The scoring service as an ASGI application, for uvicorn or any ASGI server.

    Every questionnaire is compiled once into a :class:`~akhlak_levels.Scorer` here, before the
    first request. Needs the ``server`` extra (Starlette); imported only when called.

    Parameters
    ----------
    questionnaires : sequence of Questionnaire or path, default=()
        Questionnaires served beside the bundled ones (vote instruments are not served).
    models : dict, default=None
        Questionnaire id -> a :class:`~akhlak_levels.LevelModel` or a model file, replacing that
        questionnaire's default model (a theory prior).
    bundled : bool, default=True
        Serve the bundled Likert and choice questionnaires too.
    max_body_bytes : int, default=2 MiB
        Larger request bodies are refused (413) as soon as that is known, before they are read.
    max_batch : int, default=1000
        Respondents per batch request; more are refused (413).
    token_env : str or None, default="AKHLAK_LEVELS_TOKEN"
        The environment variable read (now) for the bearer token; when it is unset, no token is
        asked for. ``/health`` and ``/openapi.json`` are always open.
    min_confidence, min_answered : float, default=0.5
        As for :class:`~akhlak_levels.Scorer`.

    Returns
    -------
    ScoringService
        The ASGI application; ``served`` lists the questionnaire ids, ``auth`` whether a token
        is asked for.

    Raises
    ------
    QuestionnaireError, ModelError
        A questionnaire or model that cannot be served (an id twice, a model of another one).
    ValueError
        A limit below 1, or a token shorter than 16 characters.

    Examples
    --------
    >>> from akhlak_levels.server import create_app
    >>> app = create_app(token_env=None)
    >>> app.served, app.auth, app.limits.max_batch
    (('berakhlak', 'socio-emotional-levels'), False, 1000)

    With uvicorn (``pip install "akhlak-levels[server]"``): ``uvicorn.run(app, port=8000,
    access_log=False)``, or ``akhlak-levels serve``.
    """
    for name, value in (("max_body_bytes", max_body_bytes), ("max_batch", max_batch)):
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise ValueError(f"The {name!r} parameter of create_app must be a whole number >= 1. Got {value!r} instead.")
    token = _token(token_env)
    catalog = build_catalog(questionnaires, models=models, bundled=bundled,
                            min_confidence=min_confidence, min_answered=min_answered)
    limits = Limits(max_body_bytes, max_batch)
    openapi = openapi_document(tuple(catalog), auth=token is not None, max_body_bytes=max_body_bytes, max_batch=max_batch)
    return ScoringService(_routes(catalog, limits, openapi), catalog, limits, token)
