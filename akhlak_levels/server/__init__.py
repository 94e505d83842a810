"""The HTTP service: the bundled and configured questionnaires scored over JSON.

:func:`create_app` returns an ASGI application (Starlette inside, any ASGI server outside);
:func:`serve` runs it with uvicorn, as ``akhlak-levels serve`` does. Starlette and uvicorn are
the ``server`` extra and are imported only when the service is built, so ``import akhlak_levels``
stays fast. See docs/embedding.md.
"""

from ._app import DEFAULT_MAX_BATCH, DEFAULT_MAX_BODY_BYTES, TOKEN_ENV, ScoringService, create_app
from ._run import app_from_environment, serve

__all__ = ["DEFAULT_MAX_BATCH", "DEFAULT_MAX_BODY_BYTES", "ScoringService", "TOKEN_ENV", "app_from_environment", "create_app", "serve"]
