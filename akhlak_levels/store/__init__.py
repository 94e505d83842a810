"""The assessment store: an embedded SQLite file of assessments by wave (and of the vote waves
of culture-map surveys), with erasure, pseudonymisation and export. One floor above growth (whose progress and trajectories read it
through :class:`AssessmentStore`'s public methods)."""

from ..errors import StoreError
from ._layout import SCHEMA_VERSION
from ._store import AssessmentStore

__all__ = ["AssessmentStore", "SCHEMA_VERSION", "StoreError"]
