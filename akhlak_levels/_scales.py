"""The scales of a questionnaire document: each scale's keys per item, and the index over scales.

An item joins a scale by naming it in its ``scales`` list. How the item counts in that scale is
its **key** there: ``+1`` (the answer as given) or ``-1`` (reverse-keyed: a Likert answer ``x``
of ``k`` points counts as ``k + 1 - x``). The item's global ``"reverse"`` flag is its default key
in every scale; a scale's ``"keys"`` object overrides it for the items it names, so one item can
be keyed positively in one scale and negatively in another (as ``psych::scoreItems``' keys lists
allow: the EPI's item 11 is ``"V11"`` in Neuroticism and ``"-V11"`` in Sociability)::

    "scales": [{"id": "N", "name": {...}},
               {"id": "Soc", "name": {...}, "keys": {"V11": -1}}],
    "items":  [{"id": "V11", ..., "scales": ["N", "Soc"]}]

A file without ``keys`` reads exactly as before (every key is the item's global flag), and its
content hash is unchanged: only keys that differ from the item's flag enter the hash.

Examples
--------
>>> doc = {"scales": [{"id": "N"}, {"id": "Soc", "keys": {"V11": -1}}]}
>>> read_scale_keys(doc, {"N": ["V11"], "Soc": ["V11"]}, {"V11": ("likert", False)}, print)
[(1,), (-1,)]
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Sequence

import numpy as np

__all__ = ["Index", "IndexCategory", "as_text", "key_overrides", "read_index", "read_scale_keys"]

#: A member name that a JSON path writes as ``.name`` (else ``['name']``), as jsonschema does.
_PLAIN_NAME = re.compile(r"[a-zA-Z][a-zA-Z0-9_]*")

Bad = Callable[..., None]  # bad(message, json_path, value=None): record one problem


def as_text(obj: Mapping[str, str] | None) -> dict[str, str]:
    """A text (language -> string) as a plain dict; ``{}`` for none."""
    return dict(obj) if obj else {}


def _member(path: str, name: str) -> str:
    """``path.name``, or ``path['name']`` where the name is not plain (jsonschema's spelling)."""
    if _PLAIN_NAME.fullmatch(name):
        return f"{path}.{name}"
    return path + "['" + name.replace("\\", "\\\\").replace("'", "\\'") + "']"


def read_scale_keys(
    document: Mapping[str, Any],
    scale_items: Mapping[str, Sequence[str]],
    items: Mapping[str, tuple[str, bool]],
    bad: Bad,
) -> list[tuple[int, ...]]:
    """Per scale of ``document`` (in order), the key of each of its items (in ``scale_items``
    order): the scale's ``keys`` entry, else the item's global flag (-1 where ``reverse``).

    ``items`` maps an item id to its type and global ``reverse`` flag. A key for an item that
    does not list the scale, for an unknown item, or -1 for a choice item (keyed by the levels of
    its options) is reported through ``bad`` with the key's JSON path.
    """
    out: list[tuple[int, ...]] = []
    for s_i, s in enumerate(document.get("scales", [])):
        members = list(scale_items.get(s["id"], ()))
        member_set = set(members)
        raw = s.get("keys", {})
        for item_id, key in raw.items():
            path = _member(f"$.scales[{s_i}].keys", item_id)
            if item_id not in items:
                bad("unknown item: a scale keys only items of the questionnaire", path, item_id)
            elif item_id not in member_set:
                bad(
                    f"item {item_id!r} is not in scale {s['id']!r} (its 'scales' list does not name it): "
                    "a scale keys only its own items",
                    path,
                    key,
                )
            elif items[item_id][0] == "choice" and key == -1:
                bad("a choice item is keyed by the levels of its options and cannot be reversed in a scale", path, key)
        keys = []
        for i in members:
            kind, reverse = items.get(i, ("likert", False))  # an item left out (a problem already) keys +1
            keys.append(int(raw[i]) if i in raw and kind == "likert" else (-1 if reverse else 1))
        out.append(tuple(keys))
    return out


def key_overrides(scales: Sequence[Any], reverse: Mapping[str, bool]) -> dict[str, dict[str, int]]:
    """The scale keys that differ from their item's global flag, ``{scale: {item: key}}`` (scales
    without such keys left out): what per-scale keys add to a questionnaire's content hash, so a
    file without them, or with keys equal to the flags, hashes as before."""
    out: dict[str, dict[str, int]] = {}
    for s in scales:
        diff = {i: k for i, k in zip(s.item_ids, s.keys) if k != (-1 if reverse[i] else 1)}
        if diff:
            out[s.id] = diff
    return out


# --------------------------------------------------------------------------- the index


@dataclass(frozen=True)
class IndexCategory:
    """A band of the 0-100 index: scores ``>= min`` up to the next band."""

    code: str
    label: Mapping[str, str]
    min: float


@dataclass(frozen=True)
class Index:
    """An overall index: the mean of some scale scores, with category bands."""

    id: str
    name: Mapping[str, str]
    scales: tuple[str, ...]
    categories: tuple[IndexCategory, ...]  # sorted by ``min`` descending

    def categorize(self, scores: np.ndarray) -> np.ndarray:
        """Category code of each score (``""`` where the score is NaN).

        Examples
        --------
        >>> from akhlak_levels import load_questionnaire
        >>> index = load_questionnaire("berakhlak").index
        >>> index.categorize(np.array([60.9, 38.9, 75.0, np.nan])).tolist()
        ['B', 'C', 'A', '']
        """
        scores = np.asarray(scores, dtype=float)
        mins = np.array([c.min for c in self.categories[::-1]])  # ascending
        codes = np.array([c.code for c in self.categories[::-1]] + [""], dtype=object)
        pos = np.searchsorted(mins, scores, side="right") - 1
        pos = np.where(np.isnan(scores) | (pos < 0), len(mins), pos)
        return codes[pos].astype(str)


def read_index(document: Mapping[str, Any], scale_ids: Mapping[str, Any], bad: Bad) -> Index | None:
    """The index, if the document has one: known scales, distinct category bands, the lowest
    from 0 (bands sorted from the highest down)."""
    if "index" not in document:
        return None
    raw_index = document["index"]
    for sc in raw_index["scales"]:
        if sc not in scale_ids:
            bad("unknown scale in the index", "$.index.scales", sc)
    mins = [c["min"] for c in raw_index["categories"]]
    if len(set(mins)) != len(mins):
        bad("category bands must have distinct 'min' values", "$.index.categories", mins)
    if min(mins) != 0:
        bad("the lowest category band must start at 0 so every score has a category", "$.index.categories", min(mins))
    cats = sorted(
        (IndexCategory(c["code"], as_text(c["label"]), float(c["min"])) for c in raw_index["categories"]),
        key=lambda c: -c.min,
    )
    return Index(raw_index["id"], as_text(raw_index["name"]), tuple(raw_index["scales"]), tuple(cats))
