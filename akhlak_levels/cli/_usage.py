"""The error a command raises when it is used wrongly (exit code 2), and the store options that
several commands share."""

from __future__ import annotations

import argparse
import os


class UsageError(Exception):
    """A command used wrongly (exit code 2), said on stderr after ``error:``."""


def positive_int(text: str) -> int:
    """An option's whole number of at least 1 (argparse ``type=``: a wrong one exits 2)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected at least 1, got {value}")
    return value


def store_key(args: argparse.Namespace) -> str | None:
    """The pseudonymisation key named by ``--pseudonymize-key-env`` (None without the option)."""
    var = getattr(args, "pseudonymize_key_env", None)
    if not var:
        return None
    key = os.environ.get(var)
    if not key:
        raise UsageError(f"the environment variable {var} is empty or not set")
    return key


def check_new_wave(store_path: str, wave: str, *, votes: bool = False) -> None:
    """Refuse, before any work or output, a wave the store already holds (``--replace`` replaces it)."""
    if not os.path.exists(store_path):
        return
    from ..store import AssessmentStore

    with AssessmentStore(store_path) as store:
        held = store.vote_waves() if votes else store.waves()
    if str(wave) in held:
        kind = "vote wave" if votes else "wave"
        raise UsageError(f"{store_path} already holds {kind} {str(wave)!r}; add --replace to replace it")
