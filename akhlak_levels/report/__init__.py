"""Reports people read: the agency (unit) report and personal reports as one self-contained
HTML file each (jinja2 templates shipped in the package, charts as inline SVG from
:mod:`akhlak_levels.plots`), in Indonesian or English. Needs the ``report`` extra (jinja2,
matplotlib). One floor above ``plots``, below ``cli``."""

from ._report import report
from ._text import LANGS, TEXT

__all__ = ["LANGS", "TEXT", "report"]
