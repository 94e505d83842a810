"""What every report part shares: numbers formatted for reading (a decimal comma in Indonesian),
the category colours, and a matplotlib figure as inline SVG."""

from __future__ import annotations

import io
import itertools
import math
import os
import re
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["CATEGORY_COLORS", "SUPPRESSED_COLOR", "category_color", "num", "svg_of", "value_attr", "write_text"]

#: Colours of index categories, best band first (the palette of :mod:`akhlak_levels.plots`, so a
#: report's tables and its charts agree: A Sehat green, B Cukup Sehat, C Tidak Sehat, D).
CATEGORY_COLORS = ("#66bd63", "#d9ef8b", "#fdae61", "#f46d43")
SUPPRESSED_COLOR = "#d9d9d9"

_SALT = itertools.count()
_METADATA = re.compile(r"\s*<metadata>.*?</metadata>", re.S)
_ID = re.compile(r'(\bid="|url\(#|href="#)([^"\)]+)')


def num(x: Any, digits: int = 1, lang: str = "id") -> str:
    """``x`` rounded for reading (``"60,8"`` in Indonesian, ``"60.8"`` in English); an en dash
    where there is no number."""
    if x is None:
        return "\u2013"
    v = float(x)
    if not math.isfinite(v):
        return "\u2013"
    text = f"{v:.{digits}f}"
    if text.startswith("-") and float(text) == 0:
        text = text[1:]
    return text.replace(".", ",") if lang == "id" else text


def value_attr(x: Any) -> str:
    """``x`` at full precision for a ``data-value`` attribute (``""`` where there is no number),
    so that a test or a browser reads back exactly the library's figure."""
    if x is None:
        return ""
    v = float(x)
    return repr(v) if math.isfinite(v) else ""


def category_color(code: Any, codes: tuple[str, ...]) -> str:
    """The colour of category ``code`` among the questionnaire's ``codes`` (best first)."""
    c = str(code)
    if c not in codes:
        return SUPPRESSED_COLOR
    k = codes.index(c)
    return CATEGORY_COLORS[min(k, len(CATEGORY_COLORS) - 1)]


def svg_of(fig: Any) -> str:
    """The figure as an inline ``<svg>`` element: text kept as text (searchable, escaped by
    matplotlib's XML writer), no XML prolog, no date, element ids unique to this figure."""
    import matplotlib

    buf = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": f"akhlak-report-{next(_SALT)}"}):
        fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    text = buf.getvalue()
    start = text.find("<svg")
    if start < 0:  # pragma: no cover - matplotlib always writes one
        raise RuntimeError("matplotlib wrote no <svg> element")
    text = _METADATA.sub("", text)  # matplotlib's RDF block: a creator line and namespaces, nothing to show
    prefix = f"fig{next(_SALT)}-"  # matplotlib numbers ids per figure: prefixed, two figures never share one
    seen: dict[str, int] = {}

    def unique(m: re.Match[str]) -> str:
        head, name = m.group(1), m.group(2)
        if head == 'id="':  # an artist's gid repeats (every bar is "value"): the repeats are numbered
            seen[name] = seen.get(name, 0) + 1
            if seen[name] > 1:
                name = f"{name}-{seen[name]}"
        return f"{head}{prefix}{name}"

    return _ID.sub(unique, text[start:]).strip()


def finite(x: Any) -> bool:
    """True for a finite number."""
    return x is not None and bool(np.isfinite(float(x)))


def write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` whole or not at all (a temporary file renamed into place)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".report-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        os.chmod(tmp, 0o644)  # as an ordinary file (mkstemp makes it private)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
