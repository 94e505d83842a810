"""The exports of a store: its waves as records, a pandas DataFrame or a Parquet file.

A mixin of :class:`~akhlak_levels.store.AssessmentStore`: every export reads the waves through
its public ``waves`` and ``load``.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from .._export import atomic_write
from ..assessment import Assessment
from ._layout import wave_name


class Exports:
    """``to_records``, ``to_frame`` and ``to_parquet`` of :class:`AssessmentStore`, which
    provides ``waves`` and ``load`` (declared here for type checkers only)."""

    if TYPE_CHECKING:
        def waves(self) -> list[str]: ...

        def load(self, wave: str | int) -> Assessment: ...

    def _selected(self, wave: str | int | None) -> list[str]:
        return self.waves() if wave is None else [wave_name(wave)]

    def to_records(self, wave: str | int | None = None, *, lang: str = "en") -> list[dict[str, Any]]:
        """One JSON-ready dict per respondent and wave, as :meth:`Assessment.to_records` gives
        them (with ``wave``); all waves in order when ``wave`` is None.

        Examples
        --------
        >>> import os, tempfile
        >>> from akhlak_levels import assess, load_questionnaire, simulate
        >>> from akhlak_levels.store import AssessmentStore
        >>> q = load_questionnaire("socio-emotional-levels")
        >>> a = assess(q, simulate(q, 3, random_state=0)[0])
        >>> with AssessmentStore(os.path.join(tempfile.mkdtemp(), "s.sqlite")) as store:
        ...     _ = store.add(a, wave="2024")
        ...     rec = store.to_records()[0]
        >>> rec["wave"], rec["respondent_id"], rec["level"] == int(a.level[0])
        ('2024', 'sim-1', True)
        """
        out: list[dict[str, Any]] = []
        for w in self._selected(wave):
            out.extend(self.load(w).to_records(lang))
        return out

    def to_frame(self, wave: str | int | None = None, *, lang: str = "en") -> Any:
        """A pandas DataFrame of :meth:`to_records`'s rows (needs pandas).

        Waves of different questionnaires are stacked; a column a wave lacks is missing there.
        """
        try:
            import pandas as pd
        except ImportError:  # pragma: no cover
            raise ImportError("to_frame needs pandas: pip install 'akhlak-levels[frames]'.") from None
        frames = [self.load(w).to_frame(lang) for w in self._selected(wave)]
        frames = [f for f in frames if len(f)] or frames[:1]
        if not frames:
            return pd.DataFrame()
        return frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)

    def to_parquet(self, path: str | os.PathLike[str], wave: str | int | None = None, *, lang: str = "en") -> None:
        """Write :meth:`to_frame` to a Parquet file (needs pandas and pyarrow).

        The file is written under a temporary name beside ``path`` and renamed into place when
        complete: a failure leaves no partial file, and an existing file as it was.
        """
        frame = self.to_frame(wave, lang=lang)
        with atomic_write(path, "wb") as fh:
            frame.to_parquet(fh, index=False)

