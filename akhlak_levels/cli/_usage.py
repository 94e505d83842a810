"""The error a command raises when it is used wrongly (exit code 2), and the store options that
several commands share."""

from __future__ import annotations

import argparse
import os


class UsageError(Exception):
    """A command used wrongly (exit code 2), said on stderr after ``error:``."""


def store_key(args: argparse.Namespace) -> str | None:
    """The pseudonymisation key named by ``--pseudonymize-key-env`` (None without the option)."""
    var = getattr(args, "pseudonymize_key_env", None)
    if not var:
        return None
    key = os.environ.get(var)
    if not key:
        raise UsageError(f"the environment variable {var} is empty or not set")
    return key
