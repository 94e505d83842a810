"""The error a command raises when it is used wrongly (exit code 2)."""

from __future__ import annotations


class UsageError(Exception):
    """A command used wrongly (exit code 2), said on stderr after ``error:``."""
