"""Vote instruments as data: the behaviours people vote for and the questions that offer them.

A vote instrument (the national BerAKHLAK culture survey's method, after Barrett's Cultural
Values Assessment) asks each respondent to pick about ten behaviours from a fixed list, once for
themselves (``personal``), once for their organisation as it works today (``current``) and once
as they want it to be (``desired``). The list is the questionnaire's top-level ``behaviours``;
the questions are its ``vote_questions``. This module reads and checks both;
:mod:`akhlak_levels.questionnaire` exposes them as ``Questionnaire.behaviours`` and
``Questionnaire.vote_questions``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Callable, Mapping, NamedTuple

__all__ = [
    "AREAS",
    "BERAKHLAK_INDICATORS",
    "BERAKHLAK_VALUES",
    "Behaviour",
    "CategoryBand",
    "CultureMapChoices",
    "HEALTH_TERMS",
    "LIMITING_LEVELS",
    "ROLES",
    "VALUE_INDEX_DEFINITIONS",
    "VoteLookups",
    "VoteQuestion",
    "read_culture_map",
    "read_votes",
    "vote_structure",
]

#: The seven BerAKHLAK core values, as scale ids (those of ``questionnaires/berakhlak.json``). A
#: behaviour's ``value`` must be one of them when the questionnaire has no scales of its own.
BERAKHLAK_VALUES = ("berorientasi-pelayanan", "akuntabel", "kompeten", "harmonis", "loyal", "adaptif", "kolaboratif")

#: The 21 official behaviour indicators (panduan perilaku, SE MenPANRB 20/2021) by id, each with
#: the value it belongs to: three per value, numbered as in ``questionnaires/berakhlak.json``.
BERAKHLAK_INDICATORS: dict[str, str] = {
    f"{prefix}{n}": value
    for prefix, value in zip(("BP", "AK", "KO", "HA", "LO", "AD", "KL"), BERAKHLAK_VALUES)
    for n in (1, 2, 3)
}

#: The area tags a behaviour may carry (this project's own list, documented in
#: ``questionnaires/README.md``): six areas of organisational life, after Barrett's six-part
#: business needs scorecard, so that a balance of votes over areas can be read.
AREAS = ("results", "service", "growth", "relationship", "governance", "purpose")

#: The roles of a vote question: who or what the respondent describes.
ROLES = ("personal", "current", "desired")

#: The levels a potentially limiting behaviour may be keyed to (as in Barrett's model, limiting
#: values exist only at the lowest levels).
LIMITING_LEVELS = (1, 2, 3)

#: ``report(message, json_path, value)``: how a problem is handed to the loader.
Report = Callable[..., None]


@dataclass(frozen=True)
class Behaviour:
    """One behaviour respondents can vote for.

    Attributes
    ----------
    id : str
        A slug, unique in the questionnaire (``"bertanggung-jawab"``).
    label : mapping of str to str
        The short words shown to respondents, per language; votes are read by label.
    value : str or None
        The BerAKHLAK value (scale id) the behaviour expresses, or None.
    polarity : {"positive", "limiting"}
        ``"limiting"`` marks a potentially limiting behaviour (keyed to levels 1-3 only).
    level : int
        The socio-emotional level (1-5) the behaviour is keyed to.
    area : str
        One of :data:`AREAS`.
    indicator : str or None
        The official behaviour indicator the behaviour expresses (``"AK1"``), or None.
    note : mapping of str to str
        Why the behaviour is keyed as it is (free text, any languages).

    Examples
    --------
    >>> from akhlak_levels import load_questionnaire
    >>> b = load_questionnaire("berakhlak-culture-map").behaviour("menunggu-perintah")
    >>> b.label["en"], b.polarity, b.level, b.limiting
    ('waiting for orders', 'limiting', 1, True)
    """

    id: str
    label: Mapping[str, str]
    value: str | None
    polarity: str
    level: int
    area: str
    indicator: str | None = None
    note: Mapping[str, str] = field(default_factory=dict, repr=False)

    @property
    def limiting(self) -> bool:
        """True for a potentially limiting behaviour."""
        return self.polarity == "limiting"


@dataclass(frozen=True)
class VoteQuestion:
    """A multi-select question: pick between ``min_picks`` and ``max_picks`` of ``behaviour_ids``.

    Examples
    --------
    >>> from akhlak_levels import load_questionnaire
    >>> q = load_questionnaire("berakhlak-culture-map").vote_question("current")
    >>> q.role, q.min_picks, q.max_picks, q.exact, len(q.behaviour_ids)
    ('current', 10, 10, True, 74)
    """

    id: str
    role: str
    text: Mapping[str, str]
    min_picks: int
    max_picks: int
    behaviour_ids: tuple[str, ...] = field(repr=False)

    @property
    def exact(self) -> bool:
        """True when the respondent must pick exactly ``min_picks`` (= ``max_picks``) behaviours."""
        return self.min_picks == self.max_picks


class VoteLookups:
    """Lookups by id over ``behaviours`` and ``vote_questions`` (mixed into ``Questionnaire``)."""

    id: str
    behaviours: tuple[Behaviour, ...]
    vote_questions: tuple[VoteQuestion, ...]

    @property
    def behaviour_ids(self) -> tuple[str, ...]:
        """Behaviour ids in list order."""
        return tuple(b.id for b in self.behaviours)

    @cached_property
    def _behaviour_pos(self) -> dict[str, int]:
        return {b.id: i for i, b in enumerate(self.behaviours)}

    def behaviour(self, behaviour_id: str) -> Behaviour:
        """The behaviour with id ``behaviour_id``.

        Examples
        --------
        >>> from akhlak_levels import load_questionnaire
        >>> q = load_questionnaire("berakhlak-culture-map")
        >>> q.behaviour("bertanggung-jawab").value
        'akuntabel'
        >>> load_questionnaire("berakhlak").behaviours
        ()
        """
        try:
            return self.behaviours[self._behaviour_pos[behaviour_id]]
        except KeyError:
            raise KeyError(f"Questionnaire {self.id!r} has no behaviour {behaviour_id!r}.") from None

    def vote_question(self, question_id: str) -> VoteQuestion:
        """The vote question with id ``question_id``.

        Examples
        --------
        >>> from akhlak_levels import load_questionnaire
        >>> load_questionnaire("berakhlak-culture-map").vote_question("desired").text["en"][:30]
        'Choose the 10 behaviours you w'
        """
        for q in self.vote_questions:
            if q.id == question_id:
                return q
        raise KeyError(f"Questionnaire {self.id!r} has no vote question {question_id!r}.")


def _fold(label: str) -> str:
    """A label as votes are matched: case and runs of spaces do not matter."""
    return " ".join(label.split()).casefold()


def read_votes(
    document: Mapping[str, Any], languages: tuple[str, ...], report: Report
) -> tuple[tuple[Behaviour, ...], tuple[VoteQuestion, ...]]:
    """The behaviours and vote questions of a schema-valid questionnaire document.

    Every inconsistency is handed to ``report(message, json_path, value)``: duplicate ids, a
    label missing a language or repeated within one (case and spacing ignored), an unknown
    value or indicator, an indicator of another value, a limiting behaviour above level 3 or
    expressing an official indicator, a question offering an unknown behaviour, ``min > max``,
    more picks than behaviours offered, a role used twice.

    Examples
    --------
    >>> doc = {"behaviours": [
    ...     {"id": "jujur", "label": {"en": "honest"}, "value": "akuntabel", "polarity": "positive",
    ...      "level": 4, "area": "governance"},
    ...     {"id": "silo", "label": {"en": "silo working"}, "value": None, "polarity": "limiting",
    ...      "level": 4, "area": "relationship"}],
    ...     "vote_questions": [{"id": "me", "role": "personal", "text": {"en": "Pick."}, "picks": 3}]}
    >>> found = []
    >>> behaviours, questions = read_votes(doc, ("en",), lambda *p: found.append(p))
    >>> [b.id for b in behaviours], questions[0].behaviour_ids
    (['jujur', 'silo'], ('jujur', 'silo'))
    >>> for p in found: print(p[1], "|", p[0])
    $.behaviours[1].level | the limiting behaviour 'silo' is keyed to level 4; limiting behaviours belong to levels 1-3 only
    $.vote_questions[0].picks | asks for 3 picks but offers only 2 behaviours
    """
    if "behaviours" not in document and "vote_questions" not in document:
        return (), ()
    scales = document.get("scales", [])
    values = {s["id"] for s in scales} if scales else set(BERAKHLAK_VALUES)
    indicators = {ind["id"]: s["id"] for s in scales for ind in s.get("indicators", [])}
    if not indicators and not scales:
        indicators = dict(BERAKHLAK_INDICATORS)
    behaviours = tuple(_read_behaviour(raw, f"$.behaviours[{i}]", values, indicators, languages, report)
                       for i, raw in enumerate(document.get("behaviours", [])))
    _check_unique_ids(behaviours, "$.behaviours", "behaviour", report)
    for lang in languages:
        seen: dict[str, str] = {}
        for i, b in enumerate(behaviours):
            folded = _fold(b.label.get(lang, ""))
            if folded and folded in seen:
                report(f"the {lang!r} label of {b.id!r} is also the label of {seen[folded]!r} (case and spacing "
                       "ignored); votes are read by label, so labels must differ", f"$.behaviours[{i}].label.{lang}",
                       b.label[lang])
            seen.setdefault(folded, b.id)
    known = {b.id for b in behaviours}
    questions = tuple(_read_question(raw, f"$.vote_questions[{i}]", known, behaviours, languages, report)
                      for i, raw in enumerate(document.get("vote_questions", [])))
    _check_unique_ids(questions, "$.vote_questions", "vote question", report)
    roles: dict[str, str] = {}
    for i, q in enumerate(questions):
        if q.role in roles:
            report(f"the role {q.role!r} is already that of question {roles[q.role]!r}; each role is asked once",
                   f"$.vote_questions[{i}].role", q.role)
        roles.setdefault(q.role, q.id)
    return behaviours, questions


def _missing_languages(text: Mapping[str, str], languages: tuple[str, ...], path: str, report: Report) -> None:
    missing = [lang for lang in languages if lang not in text]
    if missing:
        report(f"text lacks the language(s) {missing} that the questionnaire declares", path)


def _check_unique_ids(things: tuple[Any, ...], path: str, what: str, report: Report) -> None:
    seen: set[str] = set()
    for i, thing in enumerate(things):
        if thing.id in seen:
            report(f"duplicate {what} id", f"{path}[{i}].id", thing.id)
        seen.add(thing.id)


def _read_behaviour(
    raw: Mapping[str, Any], path: str, values: set[str], indicators: Mapping[str, str],
    languages: tuple[str, ...], report: Report,
) -> Behaviour:
    """One behaviour, its keys checked against the questionnaire's values and indicators."""
    b = Behaviour(
        id=raw["id"], label=dict(raw["label"]), value=raw["value"], polarity=raw["polarity"],
        level=raw["level"], area=raw["area"], indicator=raw.get("indicator"), note=dict(raw.get("note", {})),
    )
    _missing_languages(b.label, languages, path + ".label", report)
    if b.value is not None and b.value not in values:
        report(f"unknown value of behaviour {b.id!r}; expected one of {sorted(values)}", path + ".value", b.value)
    if b.limiting and b.level not in LIMITING_LEVELS:
        report(f"the limiting behaviour {b.id!r} is keyed to level {b.level}; limiting behaviours belong to "
               "levels 1-3 only", path + ".level")
    if b.indicator is not None:
        owner = indicators.get(b.indicator)
        if owner is None:
            report(f"unknown behaviour indicator of {b.id!r}", path + ".indicator", b.indicator)
        elif b.limiting:
            report(f"the limiting behaviour {b.id!r} cannot express the indicator {b.indicator!r}", path + ".indicator")
        elif owner != b.value:
            report(f"behaviour {b.id!r} expresses the indicator {b.indicator!r} of {owner!r}, so its value must be "
                   f"{owner!r}", path + ".value", b.value)
    return b


def _read_question(
    raw: Mapping[str, Any], path: str, known: set[str], behaviours: tuple[Behaviour, ...],
    languages: tuple[str, ...], report: Report,
) -> VoteQuestion:
    """One vote question: known behaviours, ``min <= max``, no more picks than behaviours offered."""
    picks = raw["picks"]
    low, high = (picks, picks) if isinstance(picks, int) else (picks["min"], picks["max"])
    offered = tuple(raw["behaviours"]) if "behaviours" in raw else tuple(b.id for b in behaviours)
    _missing_languages(raw["text"], languages, path + ".text", report)
    for j, bid in enumerate(offered):
        if bid not in known:
            report(f"question {raw['id']!r} offers an unknown behaviour", f"{path}.behaviours[{j}]", bid)
    if low > high:
        report(f"picks: min ({low}) is more than max ({high})", path + ".picks")
    if high > len(offered):
        what = f"{high} picks" if low == high else f"up to {high} picks"
        report(f"asks for {what} but offers only {len(offered)} behaviours", path + ".picks")
    return VoteQuestion(raw["id"], raw["role"], dict(raw["text"]), low, high, offered)


def vote_structure(behaviours: tuple[Behaviour, ...], questions: tuple[VoteQuestion, ...]) -> dict[str, Any]:
    """What the content hash covers of a vote instrument: every key of every behaviour in order
    and every question's role, picks and offered behaviours; no labels or texts. Empty for an
    instrument without votes, so the hashes of Likert instruments do not change.

    Examples
    --------
    >>> vote_structure((), ())
    {}
    """
    if not behaviours and not questions:
        return {}
    return {
        "behaviours": [
            {"id": b.id, "value": b.value, "polarity": b.polarity, "level": b.level, "area": b.area,
             "indicator": b.indicator}
            for b in behaviours
        ],
        "vote_questions": [
            {"id": q.id, "role": q.role, "min": q.min_picks, "max": q.max_picks, "behaviours": list(q.behaviour_ids)}
            for q in questions
        ],
    }


# --------------------------------------------------------------------------- culture-map choices

#: The definitions of the value implementation index a culture map offers (``value_index`` of a
#: questionnaire's ``culture_map`` block; ``docs/culture-map.md``).
VALUE_INDEX_DEFINITIONS = ("reach", "votes")

#: The terms of the total health index, each with a weight in ``culture_map.health_weights``.
HEALTH_TERMS = ("positive_energy", "implementation", "alignment")


class CategoryBand(NamedTuple):
    """A category of a 0-100 culture-map index: scores ``>= min`` up to the next band's ``min``
    (the shape of the Likert index's ``categories``)."""

    code: str
    label: Mapping[str, str]
    min: float


@dataclass(frozen=True)
class CultureMapChoices:
    """The culture map's stated choices, as a questionnaire's optional ``culture_map`` block
    holds them; each key left out of the block keeps its default (this project's own choice,
    documented in ``docs/culture-map.md``).

    Attributes
    ----------
    value_index : {"reach", "votes"}
        The default definition of the value implementation index (``culture_map(index=...)``
        overrides it).
    health_weights : mapping of str to float
        Weights of ``positive_energy``, ``implementation`` and ``alignment`` in the total health
        index, non-negative with a positive sum (a weighted mean: only their ratios matter;
        default equal).
    categories : tuple of CategoryBand
        The A-D bands of every 0-100 index, highest first, the lowest from 0.
    entropy_bands : tuple of (str, float)
        Cultural-entropy bands ``(name, upper edge)``: a band holds ``(previous edge, edge]``; the
        last edge is 100.
    match_bands : tuple of (str, int)
        Bands of the current-desired matches ``(name, fewest matches)``, highest first, the
        lowest from 0.
    top_n : int
        Size of each question's top list; alignment is ``100 * matches / top_n``.
    hindering : int
        How many limiting behaviours of the current question are reported as hindering factors.

    Examples
    --------
    >>> from akhlak_levels import load_questionnaire
    >>> c = load_questionnaire("berakhlak-culture-map").culture_map_choices
    >>> c.value_index, c.top_n, c.hindering, [b.code for b in c.categories]
    ('reach', 10, 5, ['A', 'B', 'C', 'D'])
    >>> CultureMapChoices() == c
    True
    """

    value_index: str = "reach"
    health_weights: Mapping[str, float] = field(
        default_factory=lambda: {"positive_energy": 1.0, "implementation": 1.0, "alignment": 1.0})
    categories: tuple[CategoryBand, ...] = (
        CategoryBand("A", {"id": "Sehat", "en": "Healthy"}, 75.0),
        CategoryBand("B", {"id": "Cukup Sehat", "en": "Fairly healthy"}, 50.0),
        CategoryBand("C", {"id": "Tidak Sehat", "en": "Unhealthy"}, 25.0),
        CategoryBand("D", {"id": "Sangat Tidak Sehat", "en": "Very unhealthy"}, 0.0),
    )
    entropy_bands: tuple[tuple[str, float], ...] = (
        ("healthy", 10.0), ("minor issues", 20.0), ("significant issues", 30.0), ("serious issues", 40.0),
        ("critical issues", 100.0),
    )
    match_bands: tuple[tuple[str, int], ...] = (("excellent", 6), ("good", 4), ("fair", 2), ("poor", 0))
    top_n: int = 10
    hindering: int = 5


def read_culture_map(document: Mapping[str, Any], languages: tuple[str, ...], report: Report) -> CultureMapChoices | None:
    """The ``culture_map`` block of a schema-valid questionnaire document (None without one).

    Checks what the schema cannot and hands each problem to ``report(message, json_path,
    value)``: health weights summing to 0, bands not in order or not covering the scale, a
    category label missing a language, more matches asked than a top list holds.

    Examples
    --------
    >>> found = []
    >>> doc = {"culture_map": {"health_weights": {"positive_energy": 0, "implementation": 0, "alignment": 0},
    ...                        "categories": [{"code": "A", "label": {"en": "good"}, "min": 50},
    ...                                       {"code": "B", "label": {"en": "poor"}, "min": 60}]}}
    >>> c = read_culture_map(doc, ("en",), lambda *p: found.append(p))
    >>> for p in found: print(p[1], "|", p[0])
    $.culture_map.health_weights | the health weights sum to 0; at least one must be positive
    $.culture_map.categories[1].min | category bands go from the highest down: 60 is not below 50
    $.culture_map.categories[1].min | the lowest category band must start at 0 so every score has a category
    """
    raw = document.get("culture_map")
    if raw is None:
        return None
    base, path = CultureMapChoices(), "$.culture_map"
    weights = {k: float(v) for k, v in raw.get("health_weights", base.health_weights).items()}
    if sum(weights.values()) <= 0:
        report("the health weights sum to 0; at least one must be positive", path + ".health_weights", weights)
    cats = tuple(CategoryBand(c["code"], dict(c["label"]), float(c["min"])) for c in raw.get("categories", []))
    for i, c in enumerate(cats):
        _missing_languages(c.label, languages, f"{path}.categories[{i}].label", report)
    _check_bands([c.min for c in cats], f"{path}.categories", "category", "min", report, last=0.0, falling=True)
    if len({c.code for c in cats}) != len(cats):
        report("category codes must differ", path + ".categories", [c.code for c in cats])
    entropy = tuple((b["name"], float(b["max"])) for b in raw.get("entropy_bands", []))
    _check_bands([m for _, m in entropy], f"{path}.entropy_bands", "entropy band", "max", report, last=100.0, falling=False)
    match = tuple((b["name"], int(b["min"])) for b in raw.get("match_bands", []))
    _check_bands([m for _, m in match], f"{path}.match_bands", "match band", "min", report, last=0.0, falling=True)
    top_n = int(raw.get("top_n", base.top_n))
    if match and match[0][1] > top_n:
        report(f"the band {match[0][0]!r} needs {match[0][1]} matches, but a top list holds {top_n}",
               path + ".match_bands[0].min", match[0][1])
    return CultureMapChoices(
        value_index=raw.get("value_index", base.value_index), health_weights=weights,
        categories=cats or base.categories, entropy_bands=entropy or base.entropy_bands,
        match_bands=match or base.match_bands, top_n=top_n, hindering=int(raw.get("hindering", base.hindering)),
    )


def _check_bands(edges: list[float], path: str, what: str, key: str, report: Report, *, last: float, falling: bool) -> None:
    """Band edges strictly in order (falling or rising as written), the last one ``last``."""
    for i in range(1, len(edges)):
        if (edges[i] >= edges[i - 1]) if falling else (edges[i] <= edges[i - 1]):
            order = "from the highest down" if falling else "from the lowest up"
            relation = "below" if falling else "above"
            report(f"{what} bands go {order}: {edges[i]:g} is not {relation} {edges[i - 1]:g}", f"{path}[{i}].{key}", edges[i])
    if edges and edges[-1] != last:
        if what == "category":
            msg = "the lowest category band must start at 0 so every score has a category"
        elif falling:
            msg = f"the lowest {what} must start at 0 so every count has a band"
        else:
            msg = f"the last {what} must end at 100 so every entropy has a band"
        report(msg, f"{path}[{len(edges) - 1}].{key}", edges[-1])
