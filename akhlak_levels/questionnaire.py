"""Questionnaires as data: loading, validating and describing an instrument.

A questionnaire is a JSON document (schema ``schemas/questionnaire.schema.json``) holding
bilingual items, their response formats, the scales and levels they are keyed to, an optional
index with category bands, and an optional theory prior from which its default level model is
derived; a vote instrument holds behaviours and multi-select questions (see :mod:`._votes`).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import warnings
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping, Sequence

import numpy as np

from . import _schema
from ._scales import Index, IndexCategory, as_text, key_overrides, read_index, read_scale_keys
from ._fhir_instrument import document_from_fhir, is_fhir_questionnaire
from ._xlsform_instrument import XLSFORM_SUFFIXES, document_from_xlsform
from ._validation import param_error
from ._votes import Behaviour, CultureMapChoices, VoteLookups, VoteQuestion, read_culture_map, read_votes, vote_structure
from .errors import Problem, QuestionnaireError

if TYPE_CHECKING:  # pragma: no cover
    from .model import LevelModel

__all__ = [
    "Questionnaire",
    "Item",
    "Scale",
    "Index",
    "IndexCategory",
    "bundled_questionnaire",
    "load_questionnaire",
    "list_questionnaires",
]


_text = as_text


@dataclass(frozen=True)
class Item:
    """One question.

    ``options[c]`` is the label of answer code ``c + 1`` per language; for a Likert item the codes
    are the points 1..k, for a choice item the options numbered from 1.
    """

    id: str
    type: str
    text: Mapping[str, str]
    options: tuple[Mapping[str, str], ...]
    aliases: tuple[tuple[str, ...], ...] = ()
    option_levels: tuple[int | None, ...] = ()
    scales: tuple[str, ...] = ()
    level: int | None = None
    reverse: bool = False
    indicator: str | None = None
    format: str | None = None

    @property
    def n_options(self) -> int:
        """Number of answer options (points of a Likert item)."""
        return len(self.options)

    def option_labels(self, lang: str) -> tuple[str, ...]:
        """The option labels in ``lang``."""
        return tuple(o.get(lang, "") for o in self.options)


@dataclass(frozen=True)
class Scale:
    """A scale: its items and their keys in it, optionally a level and behaviour indicators.

    ``keys[j]`` is ``item_ids[j]``'s key in this scale: +1, or -1 where the item is
    reverse-keyed here (the scale's ``keys`` in the file, else the item's ``reverse`` flag).
    """

    id: str
    name: Mapping[str, str]
    item_ids: tuple[str, ...]
    description: Mapping[str, str] = field(default_factory=dict)
    level: int | None = None
    indicators: tuple[tuple[str, Mapping[str, str]], ...] = ()
    keys: tuple[int, ...] = ()

    def key(self, item_id: str) -> int:
        """The key (+1 or -1) of item ``item_id`` in this scale (KeyError: not in the scale)."""
        try:
            return self._key_of[item_id]
        except KeyError:
            raise KeyError(f"Scale {self.id!r} has no item {item_id!r}.") from None

    @cached_property
    def _key_of(self) -> dict[str, int]:  # O(1) lookups for scales of many items
        return dict(zip(self.item_ids, self.keys or (1,) * len(self.item_ids)))


@dataclass(frozen=True, eq=False)
class Questionnaire(VoteLookups):
    """A validated questionnaire. Build one with :func:`load_questionnaire`.

    Attributes
    ----------
    id, version : str
        Identity of the instrument; a level model names both and the content hash.
    items : tuple of Item
        In questionnaire order; response matrices use this column order.
    scales : tuple of Scale
    index : Index or None
        The overall index and its category bands, where the instrument defines one.
    behaviours, vote_questions : tuple of Behaviour, tuple of VoteQuestion
        A vote instrument's behaviours and multi-select questions (empty for others).
    culture_map_choices : CultureMapChoices or None
        The file's ``culture_map`` block (value index, health weights, bands); None: defaults.
    content_hash : str
        SHA-256 of the item structure (ids and order, types, option counts, keys, the scale
        keys that differ from an item's flag) and of the behaviours' keys and the vote questions; not of texts, the index bands, the culture-map
        choices or the default-model settings. A model checks the id, the version and this hash,
        so a translation can be fixed without touching existing models if the version is kept.

    Examples
    --------
    >>> from akhlak_levels import load_questionnaire
    >>> q = load_questionnaire("socio-emotional-levels")
    >>> q.id, len(q.item_ids) >= 38, q.languages
    ('socio-emotional-levels', True, ('id', 'en'))
    """

    id: str
    version: str
    title: Mapping[str, str]
    description: Mapping[str, str]
    languages: tuple[str, ...]
    items: tuple[Item, ...]
    scales: tuple[Scale, ...]
    index: Index | None
    document: Mapping[str, Any] = field(repr=False)
    source: str | None = None
    behaviours: tuple[Behaviour, ...] = ()
    vote_questions: tuple[VoteQuestion, ...] = ()
    culture_map_choices: CultureMapChoices | None = None

    @property
    def item_ids(self) -> tuple[str, ...]:
        """Item ids in questionnaire order."""
        return tuple(it.id for it in self.items)

    @property
    def n_items(self) -> int:
        return len(self.items)

    @cached_property
    def n_options(self) -> np.ndarray:
        """Number of options of each item, in item order."""
        return np.array([it.n_options for it in self.items], dtype=np.int64)

    def item(self, item_id: str) -> Item:
        """The item with id ``item_id``."""
        try:
            return self.items[self._item_pos[item_id]]
        except KeyError:
            raise KeyError(f"Questionnaire {self.id!r} has no item {item_id!r}.") from None

    def item_position(self, item_id: str) -> int:
        """The position (0-based column) of item ``item_id`` in :attr:`items`.

        Examples
        --------
        >>> from akhlak_levels import load_questionnaire
        >>> q = load_questionnaire("berakhlak")
        >>> q.item_position(q.items[3].id)
        3
        """
        try:
            return self._item_pos[item_id]
        except KeyError:
            raise KeyError(f"Questionnaire {self.id!r} has no item {item_id!r}.") from None

    @cached_property
    def _item_pos(self) -> dict[str, int]:
        return {it.id: i for i, it in enumerate(self.items)}

    def scale(self, scale_id: str) -> Scale:
        """The scale with id ``scale_id``."""
        for s in self.scales:
            if s.id == scale_id:
                return s
        raise KeyError(f"Questionnaire {self.id!r} has no scale {scale_id!r}.")

    def scale_names(self, scale_ids: Sequence[str], lang: str) -> list[str]:
        """The name in ``lang`` of each scale of ``scale_ids`` (its id where it has none there,
        or is no scale of this questionnaire), as figures and reports label them.

        >>> load_questionnaire("berakhlak").scale_names(["akuntabel", "xx"], "en")
        ['Accountable', 'xx']
        """
        by_id = {s.id: s for s in self.scales}
        return [by_id[s].name.get(lang, s) if s in by_id else s for s in scale_ids]

    @cached_property
    def content_hash(self) -> str:
        structure = {
            "id": self.id,
            "items": [
                {
                    "id": it.id,
                    "type": it.type,
                    "n_options": it.n_options,
                    "option_levels": list(it.option_levels),
                    "level": it.level,
                    "reverse": it.reverse,
                    "scales": list(it.scales),
                }
                for it in self.items
            ],
            **vote_structure(self.behaviours, self.vote_questions),
        }
        overrides = key_overrides(self.scales, {it.id: it.reverse for it in self.items})
        if overrides:  # absent when every key is the item's flag: the hash of older files stays
            structure["scale_keys"] = overrides
        canonical = json.dumps(structure, sort_keys=True, separators=(",", ":"))
        return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    @cached_property
    def default_model(self) -> LevelModel | None:
        """The bundled level model (a theory prior), or None where the instrument has none."""
        spec = self.document.get("default_model")
        if spec is None:
            return None
        from .model import theory_prior_model

        return theory_prior_model(self, spec)

    def __repr__(self) -> str:
        return f"Questionnaire(id={self.id!r}, version={self.version!r}, items={self.n_items}, scales={len(self.scales)})"


# --------------------------------------------------------------------------- loading


@lru_cache(maxsize=1)
def _bundled_dir() -> Path:
    """Where the bundled instruments live: inside the wheel, or in a source checkout (fixed for
    the life of the process, so looked up once)."""
    inside = resources.files("akhlak_levels").joinpath("_bundled")
    if inside.is_dir():
        return Path(str(inside))
    return Path(__file__).resolve().parent.parent / "questionnaires"


#: The largest questionnaire file that is read. The bundled ones are about 30 KB; the schema
#: allows at most 1000 items, and even that many with long texts in several languages stay far
#: below. A larger file is refused before it is read.
MAX_QUESTIONNAIRE_BYTES = 8 * 2**20

#: What a bundled questionnaire id looks like: lower-case letters, digits and hyphens.
ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]*")


def list_questionnaires() -> list[str]:
    """Ids of the bundled questionnaires, sorted.

    Examples
    --------
    >>> from akhlak_levels import list_questionnaires
    >>> list_questionnaires()
    ['berakhlak', 'berakhlak-culture-map', 'socio-emotional-levels']
    """
    return list(_bundled_ids())


@lru_cache(maxsize=1)
def _bundled_ids() -> tuple[str, ...]:
    """The bundle is package data: listed once, not on every load by id (a hot path when a
    service scores one person per call)."""
    return tuple(sorted(p.stem for p in _bundled_dir().glob("*.json") if ID_PATTERN.fullmatch(p.stem)))


def bundled_questionnaire(qid: object) -> Questionnaire | None:
    """The bundled questionnaire with id ``qid``, or None when ``qid`` is not a bundled id.

    ``qid`` is compared with the bundled ids, never joined into a path, so no other file is
    opened whatever it holds: use it for ids that come from data (a model, a store).

    Examples
    --------
    >>> bundled_questionnaire("berakhlak").id, bundled_questionnaire("../berakhlak")
    ('berakhlak', None)
    """
    if not isinstance(qid, str) or qid not in _bundled_ids():
        return None
    path = _bundled_dir() / f"{qid}.json"
    return _load_file(str(path), path.stat().st_mtime)


def load_questionnaire(id_or_path: str | os.PathLike[str] | Questionnaire) -> Questionnaire:
    """Load a bundled questionnaire by id, or a questionnaire JSON file by path.

    The document is validated against the questionnaire schema and checked for internal
    consistency (unique ids, known formats and scales, labels for every point); every problem is
    reported together.

    Parameters
    ----------
    id_or_path : str or path-like or Questionnaire
        A bundled id (see :func:`list_questionnaires`), or a path: a path-like object, or a
        string that contains a path separator or ends in ``.json`` or ``.xlsx``. A ``.xlsx`` file
        is an XLSForm, and a ``.json`` file holding a FHIR ``Questionnaire`` resource is read
        as one (an agency's own instrument, with the ``akhlak::`` columns or extensions of
        docs/forms.md). A bundled id always means
        the bundled questionnaire, even when a file of that name is in the working directory
        (a warning then says how to load the file: ``./name``). A Questionnaire is returned as is.

    Returns
    -------
    Questionnaire

    Raises
    ------
    QuestionnaireError
        Unknown id (neither bundled nor a path), no file at the path, or an inconsistent document.
    SchemaError
        The file is larger than :data:`MAX_QUESTIONNAIRE_BYTES`, is not JSON, nests too deeply,
        or breaks the schema (every violation with its JSON path).

    Examples
    --------
    >>> from akhlak_levels import load_questionnaire
    >>> q = load_questionnaire("berakhlak")
    >>> [s.id for s in q.scales][:3]
    ['berorientasi-pelayanan', 'akuntabel', 'kompeten']
    """
    if isinstance(id_or_path, Questionnaire):
        return id_or_path
    if isinstance(id_or_path, str):
        bundled = bundled_questionnaire(id_or_path)
        if bundled is not None:
            if os.path.isfile(id_or_path):
                warnings.warn(
                    f"{id_or_path!r} names the bundled questionnaire, which is used; the file "
                    f"{id_or_path!r} in the working directory is not read. To load the file, pass "
                    f"'.{os.sep}{id_or_path}'.",
                    UserWarning,
                    stacklevel=2,
                )
            return bundled
        if not _is_path(id_or_path):
            here = (
                f" A file named {id_or_path!r} is in the working directory: to load it, pass "
                f"'.{os.sep}{id_or_path}'." if os.path.isfile(id_or_path) else ""
            )
            raise QuestionnaireError(
                f"Unknown questionnaire {id_or_path!r}. Bundled ones are {list_questionnaires()}; "
                f"or pass the path of a questionnaire .json file (or an XLSForm .xlsx).{here}"
            )
        text = id_or_path
    elif isinstance(id_or_path, os.PathLike):
        text = os.fsdecode(id_or_path)
    else:
        raise param_error(
            "load_questionnaire", "id_or_path", "a bundled id, a path or a Questionnaire", id_or_path,
            error=TypeError, shown=type(id_or_path).__name__,
        )
    if not os.path.isfile(text):
        raise QuestionnaireError(f"No questionnaire file at {text!r}.")
    return _load_file(os.path.abspath(text), os.path.getmtime(text))


def _is_path(text: str) -> bool:
    """A string names a path when it holds a path separator or ends in ``.json`` or ``.xlsx``."""
    return text.endswith((".json", ".xlsx")) or os.sep in text or bool(os.altsep and os.altsep in text)


@lru_cache(maxsize=32)
def _load_file(path: str, _mtime: float) -> Questionnaire:
    if path.lower().endswith(XLSFORM_SUFFIXES):  # an agency's own instrument as an XLSForm
        return questionnaire_from_dict(document_from_xlsform(path), source=path)
    document = _schema.read_json(path, "questionnaire", max_bytes=MAX_QUESTIONNAIRE_BYTES)
    if is_fhir_questionnaire(document):  # an instrument kept as a FHIR Questionnaire resource
        document = document_from_fhir(document, path)
    return questionnaire_from_dict(document, source=path)


def questionnaire_from_dict(document: Mapping[str, Any], *, source: str | None = None) -> Questionnaire:
    """Build a :class:`Questionnaire` from a parsed JSON document (validated here).

    The document is checked against the schema, then read in steps (response formats, items,
    scales, index, default model), each adding what it finds wrong to one list; every problem is
    raised together in one :class:`QuestionnaireError`.
    """
    _schema.validate(document, "questionnaire", source=source)
    languages = tuple(document["languages"])
    found = _Problems(source, languages)
    formats = _read_formats(document, found)
    scale_items: dict[str, list[str]] = {s["id"]: [] for s in document.get("scales", [])}
    if len(scale_items) != len(document.get("scales", [])):
        found.bad("scale ids must be unique", "$.scales")
    items = _read_items(document, formats, scale_items, found)
    keys = read_scale_keys(document, scale_items, {it.id: (it.type, it.reverse) for it in items}, found.bad)
    scales = _read_scales(document, scale_items, keys, found)
    index = read_index(document, scale_items, found.bad)
    _check_default_model(document, items, found)
    behaviours, vote_questions = read_votes(document, languages, found.bad)
    choices = read_culture_map(document, languages, found.bad)
    if found.problems:
        raise QuestionnaireError(
            f"The questionnaire {document.get('id')!r} is inconsistent ({len(found.problems)} problems):", found.problems
        )
    return Questionnaire(
        id=document["id"],
        version=document["version"],
        title=_text(document["title"]),
        description=_text(document.get("description")),
        languages=languages,
        items=tuple(items),
        scales=tuple(scales),
        index=index,
        document=document,
        source=source,
        behaviours=behaviours,
        vote_questions=vote_questions,
        culture_map_choices=choices,
    )


class _Problems:
    """The problems found in one questionnaire document, each with its JSON path."""

    def __init__(self, source: str | None, languages: tuple[str, ...]) -> None:
        self.source = source
        self.languages = languages
        self.problems: list[Problem] = []

    def bad(self, message: str, path: str, value: object = None) -> None:
        self.problems.append(Problem(message, file=self.source, path=path, value=value))

    def check_text(self, obj: Mapping[str, str], path: str) -> None:
        """A text must be given in every language the questionnaire declares."""
        missing = [lang for lang in self.languages if lang not in obj]
        if missing:
            self.bad(f"text lacks the language(s) {missing} that the questionnaire declares", path)


def _read_formats(document: Mapping[str, Any], found: _Problems) -> dict[str, dict[str, Any]]:
    """The response formats by id: unique ids, one label per point in every language, one alias
    list per point."""
    formats: dict[str, dict[str, Any]] = {}
    for f_i, fmt in enumerate(document.get("response_formats", [])):
        path = f"$.response_formats[{f_i}]"
        if fmt["id"] in formats:
            found.bad("duplicate response format id", path + ".id", fmt["id"])
        formats[fmt["id"]] = fmt
        for lang in found.languages:
            labels = fmt["labels"].get(lang)
            if labels is None:
                found.bad(f"no labels in language {lang!r}", path + ".labels")
            elif len(labels) != fmt["points"]:
                found.bad(f"expected {fmt['points']} labels, one per point", f"{path}.labels.{lang}", len(labels))
        if "aliases" in fmt and len(fmt["aliases"]) != fmt["points"]:
            found.bad(f"expected {fmt['points']} alias lists, one per point", path + ".aliases", len(fmt["aliases"]))
    return formats


def _read_items(
    document: Mapping[str, Any],
    formats: Mapping[str, dict[str, Any]],
    scale_items: dict[str, list[str]],
    found: _Problems,
) -> list[Item]:
    """The items, in order: unique ids, texts in every language, known scales (each item's id is
    added to its scales' lists in ``scale_items``), formats and behaviour indicators."""
    indicator_ids = {ind["id"] for s in document.get("scales", []) for ind in s.get("indicators", [])}
    items: list[Item] = []
    seen: set[str] = set()
    for i, raw in enumerate(document.get("items", [])):
        path = f"$.items[{i}]"
        if raw["id"] in seen:
            found.bad("duplicate item id", path + ".id", raw["id"])
        seen.add(raw["id"])
        found.check_text(raw["text"], path + ".text")
        for scale_id in raw.get("scales", []):
            if scale_id not in scale_items:
                found.bad("unknown scale", path + ".scales", scale_id)
            else:
                scale_items[scale_id].append(raw["id"])
        if raw["type"] == "likert":
            fmt = formats.get(raw["format"])
            if fmt is None:
                found.bad("unknown response format", path + ".format", raw["format"])
                continue
            if "indicator" in raw and raw["indicator"] not in indicator_ids:
                found.bad("unknown behaviour indicator", path + ".indicator", raw["indicator"])
            items.append(_likert_item(raw, fmt))
        else:
            for o_i, opt in enumerate(raw["options"]):
                found.check_text(opt["text"], f"{path}.options[{o_i}].text")
            items.append(_choice_item(raw))
    return items


def _likert_item(raw: Mapping[str, Any], fmt: Mapping[str, Any]) -> Item:
    """A Likert item, its options the labels (and aliases) of its response format."""
    labels = fmt["labels"]
    options = tuple(
        {lang: labels[lang][p] for lang in labels if p < len(labels[lang])}
        for p in range(fmt["points"])
    )
    aliases = tuple(tuple(a) for a in fmt.get("aliases", [[]] * fmt["points"]))
    return Item(
        id=raw["id"],
        type="likert",
        text=_text(raw["text"]),
        options=options,
        aliases=aliases,
        option_levels=(),
        scales=tuple(raw.get("scales", ())),
        level=raw.get("level"),
        reverse=bool(raw.get("reverse", False)),
        indicator=raw.get("indicator"),
        format=raw["format"],
    )


def _choice_item(raw: Mapping[str, Any]) -> Item:
    """A choice item, each option keyed to the level it stands for (if any)."""
    return Item(
        id=raw["id"],
        type="choice",
        text=_text(raw["text"]),
        options=tuple(_text(o["text"]) for o in raw["options"]),
        aliases=tuple(() for _ in raw["options"]),
        option_levels=tuple(o.get("level") for o in raw["options"]),
        scales=tuple(raw.get("scales", ())),
    )


def _read_scales(
    document: Mapping[str, Any], scale_items: Mapping[str, list[str]], keys: list[tuple[int, ...]], found: _Problems
) -> list[Scale]:
    """The scales, in order, each with its items and their keys in it."""
    scales = []
    for s_i, s in enumerate(document.get("scales", [])):
        found.check_text(s["name"], f"$.scales[{s_i}].name")
        scales.append(
            Scale(
                id=s["id"],
                name=_text(s["name"]),
                item_ids=tuple(scale_items.get(s["id"], ())),
                description=_text(s.get("description")),
                level=s.get("level"),
                indicators=tuple((ind["id"], _text(ind["text"])) for ind in s.get("indicators", [])),
                keys=keys[s_i],
            )
        )
    return scales


def _check_default_model(document: Mapping[str, Any], items: list[Item], found: _Problems) -> None:
    """A default model (theory prior) needs every item keyed to a level, and as many GGUM
    thresholds as each Likert item has points less one."""
    prior = document.get("default_model")
    if prior is None:
        return
    for i, it in enumerate(items):
        if it.type == "likert":
            if it.level is None:
                found.bad("a default model needs every Likert item keyed to a level", f"$.items[{i}].level")
            if len(prior["likert"]["thresholds"]) != it.n_options - 1:
                found.bad(
                    f"the GGUM prior has {len(prior['likert']['thresholds'])} thresholds but item "
                    f"{it.id!r} has {it.n_options} points (needs points - 1)",
                    "$.default_model.likert.thresholds",
                )
        elif any(lv is None for lv in it.option_levels):
            found.bad("a default model needs every option of a choice item keyed to a level", f"$.items[{i}].options")
