"""``akhlak-levels serve``: the HTTP scoring service (the ``server`` extra), run with uvicorn."""

from __future__ import annotations

import argparse
import textwrap
from typing import Any, TextIO

from ..errors import AkhlakLevelsError
from ._usage import UsageError, positive_int

__all__ = ["add_serve_parser", "cmd_serve"]

_EPILOG = """examples:
  # this machine only (127.0.0.1:8000), the bundled questionnaires; then open /openapi.json
  $ akhlak-levels serve
  # every interface, two processes; export AKHLAK_LEVELS_TOKEN first so that callers need it
  $ akhlak-levels serve --host 0.0.0.0 --port 8080 --workers 2
  # your own questionnaire and a calibrated model beside the bundled ones
  $ akhlak-levels serve -q my-survey.json --model socio-emotional-levels=model.json --max-batch 500"""

_DESCRIPTION = ("Serve the bundled and given questionnaires over HTTP (JSON): list and show them, score one "
                "respondent or a batch, validate a batch (docs/embedding.md). Each questionnaire is compiled once "
                "at start-up. Requests need 'Authorization: Bearer <token>' when the environment variable "
                "AKHLAK_LEVELS_TOKEN (or --token-env) is set. Answers and respondent ids are never logged. "
                "Runs until stopped (Ctrl-C).")


def _port(text: str) -> int:
    value = positive_int(text)
    if value > 65535:
        raise argparse.ArgumentTypeError(f"expected a port from 1 to 65535, got {value}")
    return value


def _model(text: str) -> tuple[str, str]:
    qid, sep, path = text.partition("=")
    if not sep or not qid or not path:
        raise argparse.ArgumentTypeError(f"expected ID=FILE (a questionnaire id and a model file), got {text!r}")
    return qid, path


def add_serve_parser(sub: Any) -> None:
    """The ``serve`` subcommand's parser."""
    p = sub.add_parser("serve", help="run the HTTP scoring service (needs the server extra)",
                       description=textwrap.fill(_DESCRIPTION, width=88),
                       epilog=_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1, this machine only)")
    p.add_argument("--port", type=_port, default=8000, help="port to listen on (default 8000)")
    p.add_argument("-q", "--questionnaire", action="append", default=[], metavar="FILE",
                   help="a questionnaire .json file served beside the bundled ones (repeatable)")
    p.add_argument("--model", action="append", default=[], type=_model, metavar="ID=FILE",
                   help="the level model of questionnaire ID, replacing its default (repeatable)")
    p.add_argument("--no-bundled", action="store_true", help="serve only the --questionnaire files")
    p.add_argument("--max-body-bytes", type=positive_int, default=None, metavar="N",
                   help="largest request body in bytes; larger ones get 413 (default 2 MiB)")
    p.add_argument("--max-batch", type=positive_int, default=None, metavar="N",
                   help="most respondents per batch request; more get 413 (default 1,000)")
    p.add_argument("--token-env", default=None, metavar="VAR",
                   help="environment variable holding the bearer token (default AKHLAK_LEVELS_TOKEN; unset: no token asked)")
    p.add_argument("--workers", type=positive_int, default=1, metavar="N",
                   help="worker processes, each with its own scorers (default 1; more than the cores gain nothing)")
    p.add_argument("--min-confidence", type=float, default=0.5, metavar="P",
                   help="level 0 where the top probability is below this (default 0.5)")
    p.add_argument("--min-answered", type=float, default=0.5, metavar="P",
                   help="share of a scale's items needed to score it (default 0.5)")
    p.add_argument("--log-level", choices=("debug", "info", "warning", "error"), default="info",
                   help="what the log shows (default info: one line per request, without answers or ids)")


def cmd_serve(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Build the service (every questionnaire compiled, the token read) and run it until stopped."""
    try:
        from ..server import DEFAULT_MAX_BATCH, DEFAULT_MAX_BODY_BYTES, TOKEN_ENV, serve
        import starlette  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError as exc:
        raise UsageError(f"serve needs the server extra: pip install 'akhlak-levels[server]' ({exc.name} is missing)") from None
    if args.no_bundled and not args.questionnaire:
        raise UsageError("--no-bundled leaves nothing to serve: give --questionnaire FILE")
    for name in ("min_confidence", "min_answered"):
        if not 0.0 <= getattr(args, name) <= 1.0:
            raise UsageError(f"--{name.replace('_', '-')} must be from 0 to 1, got {getattr(args, name)}")
    models = dict(args.model)
    if len(models) < len(args.model):
        raise UsageError("--model is given twice for one questionnaire")
    try:
        serve(args.questionnaire, host=args.host, port=args.port, models=models, bundled=not args.no_bundled,
              max_body_bytes=args.max_body_bytes or DEFAULT_MAX_BODY_BYTES, max_batch=args.max_batch or DEFAULT_MAX_BATCH,
              token_env=args.token_env or TOKEN_ENV, min_confidence=args.min_confidence,
              min_answered=args.min_answered, workers=args.workers, log_level=args.log_level)
    except ValueError as exc:  # a questionnaire or model that cannot be served: exit 3, as elsewhere
        if isinstance(exc, AkhlakLevelsError):
            raise
        raise UsageError(str(exc)) from None  # a setting (the token): exit 2
    return 0
