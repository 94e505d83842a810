"""The command line, ``akhlak-levels``: the outermost floor; it imports any floor below."""

from ._main import build_parser, main

__all__ = ["build_parser", "main"]
