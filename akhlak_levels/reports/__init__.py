"""Reports people read: the agency (unit) report and personal reports as one self-contained
HTML file each (jinja2 templates shipped in the package, charts as inline SVG from
:mod:`akhlak_levels.plots`), in Indonesian or English. Needs the ``report`` extra (jinja2,
matplotlib). One floor above ``plots``, below ``cli``.

The package is ``reports`` (plural) so that the public function :func:`akhlak_levels.report`
shadows no module (``tests/test_layers.py`` checks that ``import akhlak_levels.X`` never hands
back a function)."""

from ._report import report
from ._text import LANGS, TEXT

__all__ = ["LANGS", "TEXT", "report"]
