"""Running the service with uvicorn: one process, or several workers that each build the
application from the same settings (passed in an environment variable)."""

from __future__ import annotations

import copy
import ipaddress
import json
import os
from typing import Any, Mapping, Sequence

from ._app import DEFAULT_MAX_BATCH, DEFAULT_MAX_BODY_BYTES, TOKEN_ENV, ScoringService, create_app, log

__all__ = ["app_from_environment", "serve"]

#: The settings of :func:`serve` as JSON, for the worker processes' :func:`app_from_environment`.
SETTINGS_ENV = "AKHLAK_LEVELS_SERVER_SETTINGS"


def app_from_environment() -> ScoringService:
    """The application built from the settings :func:`serve` left in ``$AKHLAK_LEVELS_SERVER_SETTINGS``
    (defaults where it is unset): the factory of each uvicorn worker process.

    Examples
    --------
    >>> from akhlak_levels.server import app_from_environment
    >>> import os; os.environ.pop("AKHLAK_LEVELS_SERVER_SETTINGS", None)
    >>> app_from_environment().limits.max_body_bytes
    2097152
    """
    settings = json.loads(os.environ.get(SETTINGS_ENV, "{}"))
    return create_app(**settings)


def _log_config(level: str) -> dict[str, Any]:
    """uvicorn's logging, plus the service's own request log on the same handler. uvicorn's access
    log is left off: it writes the query string, which a client could fill with data."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["loggers"]["akhlak_levels.server"] = {"handlers": ["default"], "level": level.upper(), "propagate": False}
    return config  # type: ignore[no-any-return]


def _loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def serve(questionnaires: Sequence[str | os.PathLike[str]] = (), *, host: str = "127.0.0.1", port: int = 8000,
          models: Mapping[str, str | os.PathLike[str]] | None = None, bundled: bool = True,
          max_body_bytes: int = DEFAULT_MAX_BODY_BYTES, max_batch: int = DEFAULT_MAX_BATCH,
          token_env: str | None = TOKEN_ENV, min_confidence: float = 0.5, min_answered: float = 0.5,
          workers: int = 1, log_level: str = "info") -> None:
    """Run the service with uvicorn until it is stopped (Ctrl-C or SIGTERM).

    The application is built here first (every questionnaire compiled, the token read), so a
    wrong setting fails before the port is opened; with ``workers > 1`` each worker process
    builds it again from the same settings.

    Parameters
    ----------
    questionnaires, models, bundled, max_body_bytes, max_batch, token_env, min_confidence, min_answered
        As for :func:`create_app` (files as paths).
    host : str, default="127.0.0.1"
        Loopback by default. Serving beyond it without a token logs a warning; put a TLS
        reverse proxy in front (the service speaks plain HTTP).
    port : int, default=8000
    workers : int, default=1
        Processes (each compiles its own scorers); more than the machine's cores gain nothing.
    log_level : str, default="info"

    Examples
    --------
    >>> from akhlak_levels.server import serve
    >>> serve(max_batch=0)
    Traceback (most recent call last):
    ...
    ValueError: The 'max_batch' parameter of create_app must be a whole number >= 1. Got 0 instead.
    """
    settings = {"questionnaires": [os.fspath(q) for q in questionnaires], "bundled": bundled,
                "models": {k: os.fspath(v) for k, v in (models or {}).items()}, "max_body_bytes": max_body_bytes,
                "max_batch": max_batch, "token_env": token_env, "min_confidence": min_confidence, "min_answered": min_answered}
    app = create_app(**settings)  # type: ignore[arg-type]
    import uvicorn

    if not app.auth and not _loopback(host):
        log.warning("serving on %s without a bearer token: set $%s", host, token_env or TOKEN_ENV)
    options: dict[str, Any] = {"host": host, "port": port, "access_log": False, "server_header": False,
                               "log_config": _log_config(log_level), "log_level": log_level}
    if workers > 1:
        os.environ[SETTINGS_ENV] = json.dumps(settings)
        uvicorn.run("akhlak_levels.server:app_from_environment", factory=True, workers=workers, **options)
    else:
        uvicorn.run(app, **options)
