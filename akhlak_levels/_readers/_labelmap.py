"""A label map: an export's answer labels and column headers stated once, in a JSON document.

An export built with another label set (``"Sangat Setuju"`` where the instrument's scale says
``"Selalu"``) or other headers is read by mapping, once:

.. code-block:: json

    {"labels": {"Sangat Setuju": 5, "Setuju": 4, "Ragu-ragu": 3, "Tidak Setuju": 2,
                "Sangat Tidak Setuju": 1, "Tidak tahu": null},
     "items": {"BP1a": {"Kadang": "Kadang-kadang"}},
     "columns": {"P1 Melayani": "BP1a", "Nama lengkap": null}}

``labels`` applies to every item, ``items`` to one item (by id; it takes precedence), and an
option is its code (1..k), one of the item's own labels in any language, or null (unanswered).
``columns`` maps a header to an item id (null sets the column aside). The document is checked
against ``schemas/label_map.schema.json``; every problem is reported with its JSON path. Keys are
compared as the reader compares cells and headers (:func:`norm`; headers also by :func:`loose`),
and two keys equal after that but mapped to different targets are refused. The targets are
checked against the questionnaire by the reader (``_coding.mapped_lookup``).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any, Mapping

from .._schema import check_depth, read_json
from ..errors import Problem, SchemaError
from ._table import loose, norm

#: The largest label map file read (a map of a few hundred labels is a few kB).
MAX_BYTES = 4 * 2**20

#: A target: an option code (1..k), an option label, or None (unanswered); with its JSON path.
Target = tuple[str, "int | str | None"]


def json_path(*keys: str) -> str:
    """The JSON path of a member, as errors name it: ``$.labels["Sangat Setuju"]``."""
    return "$" + "".join(f".{k}" if k.isidentifier() else f"[{json.dumps(k, ensure_ascii=False)}]" for k in keys)


@dataclass(frozen=True)
class LabelMap:
    """A checked label map (see the module): normalised keys, each with its JSON path.

    Attributes
    ----------
    labels : dict of str to (path, target)
        For every item: ``norm(label)`` -> (JSON path, code / label / None).
    items : dict of str to dict
        Per item id, the same.
    columns : dict of str to (path, item id or None)
        ``loose(header)`` -> (JSON path, item id, or None to set the column aside).
    source : str or None
        The file it was read from.
    """

    labels: dict[str, Target] = field(default_factory=dict)
    items: dict[str, dict[str, Target]] = field(default_factory=dict)
    columns: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    source: str | None = None

    def column(self, header: str) -> tuple[str, str | None] | None:
        """(JSON path, item id or None) of a header the map names, or None when it names none."""
        return self.columns.get(loose(header)) if self.columns else None

    def for_item(self, item_id: str) -> dict[str, Target]:
        """The labels that apply to ``item_id``: the global ones, then the item's own over them."""
        own = self.items.get(item_id)
        return {**self.labels, **own} if own else self.labels


@lru_cache(maxsize=1)
def _validator() -> Any:
    from jsonschema import Draft202012Validator

    text = resources.files("akhlak_levels").joinpath("schemas/label_map.schema.json").read_text("utf-8")
    return Draft202012Validator(json.loads(text))


_TARGET_HINT = "expected an option code (a whole number from 1), one of the item's option labels, or null (unanswered)"


def load_label_map(label_map: Any) -> LabelMap | None:
    """A :class:`LabelMap` from a path to a JSON file, a dict holding the document, or a
    LabelMap (returned as it is); None for None.

    Raises
    ------
    SchemaError
        The document breaks its schema, or two of its keys are the same once normalised but map
        to different targets; every problem with its JSON path.

    Examples
    --------
    >>> m = load_label_map({"labels": {"Sangat  Setuju": 5, "Tidak tahu": None}, "columns": {"P1.": "BP1a"}})
    >>> m.for_item("BP1a")["sangat setuju"], m.column("p1")
    (('$.labels["Sangat  Setuju"]', 5), ('$.columns["P1."]', 'BP1a'))
    """
    if label_map is None or isinstance(label_map, LabelMap):
        return label_map
    source = None
    if isinstance(label_map, (str, os.PathLike)):
        source = os.fspath(label_map)
        if not os.path.isfile(source):
            raise SchemaError(f"No label map file at {source!r}.")
        label_map = read_json(source, "label map", max_bytes=MAX_BYTES)
    elif not isinstance(label_map, Mapping):
        raise TypeError(f"label_map expects a path to a JSON file or a dict; got {type(label_map).__name__}.")
    check_depth(label_map, "label map", source=source)
    errors = sorted(_validator().iter_errors(label_map), key=lambda e: list(map(str, e.absolute_path)))
    if errors:
        raise SchemaError(f"The label map{' ' + source if source else ''} does not match its schema "
                          f"({len(errors)} problems):",
                          [Problem(_TARGET_HINT if e.validator == "oneOf" else e.message, file=source,
                                   path=json_path(*map(str, e.absolute_path))) for e in errors])
    problems: list[Problem] = []
    labels = _keyed(label_map.get("labels", {}), ("labels",), norm, source, problems)
    items = {iid: _keyed(m, ("items", iid), norm, source, problems) for iid, m in label_map.get("items", {}).items()}
    columns = _keyed(label_map.get("columns", {}), ("columns",), loose, source, problems)
    if problems:
        raise SchemaError(f"The label map{' ' + source if source else ''} maps the same label twice:", problems)
    return LabelMap(labels, items, columns, source)  # type: ignore[arg-type]


def _keyed(members: Mapping[str, Any], at: tuple[str, ...], key: Any, source: str | None,
           problems: list[Problem]) -> dict[str, tuple[str, Any]]:
    """``key(name)`` -> (JSON path, target) of an object's members; two names with the same key
    and different targets are a problem."""
    out: dict[str, tuple[str, Any]] = {}
    for name, target in members.items():
        k, path = key(name), json_path(*at, name)
        if k in out and out[k][1] != target:
            problems.append(Problem(f"the same as {out[k][0]} once case and spacing are ignored, but mapped to "
                                    f"{target!r}, not {out[k][1]!r}", file=source, path=path))
        out.setdefault(k, (path, target))
    return out
