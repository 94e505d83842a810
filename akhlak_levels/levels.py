"""The five socio-emotional levels."""

from __future__ import annotations

from enum import IntEnum

__all__ = ["Level", "N_LEVELS"]

N_LEVELS = 5


class Level(IntEnum):
    """A socio-emotional level, lowest (1) to highest (5).

    Examples
    --------
    >>> from akhlak_levels import Level
    >>> Level(5).label("id"), Level(5).label("en")
    ('Inter-dependen (tujuan mulia)', 'Inter-dependent (noble purpose)')
    >>> Level.SOCIO_DEPENDENT.value
    3
    """

    DEPENDENT = 1
    EGO_DEPENDENT = 2
    SOCIO_DEPENDENT = 3
    INTRA_DEPENDENT = 4
    INTER_DEPENDENT = 5

    def label(self, lang: str = "en") -> str:
        """The level's name in ``lang`` (``"id"`` or ``"en"``)."""
        try:
            return _LABELS[lang][self.value - 1]
        except KeyError:
            raise ValueError(
                f"The 'lang' parameter must be one of {sorted(_LABELS)}. Got {lang!r} instead."
            ) from None

    def focus(self, lang: str = "en") -> str:
        """One line on what a person at this level is oriented to."""
        try:
            return _FOCUS[lang][self.value - 1]
        except KeyError:
            raise ValueError(
                f"The 'lang' parameter must be one of {sorted(_FOCUS)}. Got {lang!r} instead."
            ) from None


_LABELS = {
    "en": (
        "Dependent",
        "Ego-dependent",
        "Socio-dependent",
        "Intra-dependent",
        "Inter-dependent (noble purpose)",
    ),
    "id": (
        "Dependen",
        "Ego-dependen",
        "Sosio-dependen",
        "Intra-dependen",
        "Inter-dependen (tujuan mulia)",
    ),
}

_FOCUS = {
    "en": (
        "no initiative of one's own; works because told to",
        "fulfilling one's own ego, e.g. working only for money",
        "other people and the social environment",
        "principles and values one holds: integrity, honesty",
        "contribution to society; sincere work and service to the nation",
    ),
    "id": (
        "tidak memiliki inisiatif; bekerja atas dasar perintah",
        "fokus pada pemenuhan ego pribadi, misalnya kerja hanya untuk uang",
        "fokus kepada orang lain dan lingkungan sosial",
        "fokus kepada prinsip dan nilai yang diyakini: integritas, kejujuran",
        "fokus kepada kontribusi; tulus ikhlas bekerja dan mengabdi untuk negara",
    ),
}
