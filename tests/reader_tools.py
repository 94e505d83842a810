"""What the reader tests share: making a CSV reader hand every file over, and reading an export
whole or batch by batch (imported as ``from reader_tools import ...``: tests/ has no __init__)."""

from __future__ import annotations

from typing import Any, Callable

import pytest

import akhlak_levels as al
from akhlak_levels._readers._csvfast import NotFast


def hand_over(mp: pytest.MonkeyPatch, *readers: str) -> None:
    """Make each named reader of ``akhlak_levels._readers`` (``whole_tables``, ``fast_tables``)
    hand every file over, as it does a file it cannot read: the next reader reads it."""

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise NotFast("handed over, for the comparison")
        yield  # pragma: no cover

    for name in readers:
        mp.setattr(f"akhlak_levels._readers.{name}", refuse)


def reading(tmp_path_factory: Any, data: bytes, batch: int | None, on_invalid: str) -> Callable[[], Any]:
    """A codes export written to a file, and a read of it against ``berakhlak``: whole
    (``read_responses``) or in batches of ``batch`` (``iter_responses``, as a list)."""
    path = str(tmp_path_factory.mktemp("r") / "codes.csv")
    with open(path, "wb") as fh:
        fh.write(data)
    q = al.load_questionnaire("berakhlak")
    kw = dict(id_column="respondent_id", unit_column="unit", missing_items="missing", on_invalid=on_invalid)
    if batch is None:
        return lambda: al.read_responses(path, q, **kw)
    return lambda: list(al.iter_responses(path, q, batch_size=batch, **kw))
