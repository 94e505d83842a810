"""``python -m akhlak_levels`` runs the ``akhlak-levels`` command."""

import sys

from .cli import main

sys.exit(main())
