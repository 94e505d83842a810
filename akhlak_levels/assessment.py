"""Scoring: from responses and a level model to level probabilities, levels and scale scores.

The level part is a gather-and-add over a flat weight table, processed in chunks of respondents
so that memory stays bounded whatever the number of respondents.
"""

from __future__ import annotations

import inspect
import math
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Mapping, NamedTuple

import numpy as np

from ._tables import frame, html_repr, records
from ._validation import Interval, check, param_error
from .flags import Flags
from .levels import N_LEVELS, Level
from ._votes_read import read_votes
from .model import (
    DEFAULT_CHUNK,
    DEFAULT_QUESTIONS,
    INDICATOR_SEP,
    LevelModel,
    Scores,
    is_vote_instrument,
    load_model,
    question_positions,
    score_codes,
    theory_hash,
    theory_scores,
    view_for_items,
    vote_responses,
)
from .quality import careless as careless_table
from .quality import model_for, responses_for
from .questionnaire import Questionnaire, load_questionnaire
from .responses import ResponseSet
from .votes import VoteSet

__all__ = ["Assessment", "assess"]


#: The flag of a respondent whose posterior is not finite (the model's weights overflowed when
#: summed): level 0, probabilities NaN.
NON_FINITE_POSTERIOR = "non-finite-posterior"


@dataclass(frozen=True, eq=False)
class Assessment:
    """Results for all respondents, as arrays in respondent order.

    Attributes
    ----------
    respondent_ids : ndarray of str, shape (n,)
    probabilities : ndarray of shape (n, 5) or None
        Posterior level probabilities (columns are levels 1..5); None when the questionnaire has
        no level model (e.g. ``berakhlak``).
    level : ndarray of int8, shape (n,) or None
        ``argmax`` level 1..5, and 0 where the top probability is below ``min_confidence``,
        nothing was answered, or the posterior is not finite.
    expected_level, expected_level_sd : ndarray of shape (n,) or None
        ``sum_k k p_k`` and the posterior standard deviation of the level.
    confidence : ndarray of shape (n,) or None
        ``max_k p_k``.
    entropy : ndarray of shape (n,) or None
        ``-sum_k p_k log p_k`` (nats); 0 is certain, log 5 = 1.609 knows nothing.
    scale_ids : tuple of str
    scale_scores : ndarray of shape (n, n_scales)
        0-100, NaN where fewer than ``min_answered`` of the scale's items were answered.
    index, index_category : ndarray or None
        The questionnaire's overall index (mean of its scales, NaN unless all are scored) and
        its category code, where it defines one.
    n_answered : ndarray of int, shape (n,)
    scale_n_items : tuple of int or None
        The number of items of each scale.
    scale_steps : tuple of float or None
        The step between possible 0-100 scores of each scale with all its items answered,
        ``100 / (k * L)`` for ``k`` items whose keyed values move in steps of ``1 / L_i`` (``L``
        their least common multiple): half of it is the continuity correction of
        :func:`akhlak_levels.reliable_change` on scales.
    scale_answered : ndarray of unsigned int, shape (n, n_scales) or None
        Per respondent, the items of each scale answered (with a keyed option): the scale score
        is their mean. With ``scale_n_items`` it gives each scale's own standard error in
        :func:`akhlak_levels.reliable_change`. The three are None only for an assessment made
        before they were kept (a store wave saved by akhlak_levels before issue 10), where a
        reliable change on scales is refused rather than computed without them.
    flags : Flags
        From reading (``invalid:ITEM``), plus ``no-answers`` and ``low-confidence``,
        ``non-finite-posterior`` where the model's weights overflowed when summed (level 0,
        probabilities, confidence, entropy and expected level NaN; only present when it occurs), and with
        ``assess(..., careless=True)`` the ``careless:*`` flags of :func:`akhlak_levels.careless`.
    min_confidence, min_answered : float
        The thresholds used.

    Examples
    --------
    >>> from akhlak_levels import assess, load_questionnaire, simulate
    >>> q = load_questionnaire("socio-emotional-levels")
    >>> responses, truth = simulate(q, 200, random_state=1)
    >>> a = assess(q, responses)
    >>> a.probabilities.shape, bool(np.allclose(a.probabilities.sum(axis=1), 1))
    ((200, 5), True)
    >>> float((a.level == truth).mean()) > 0.9
    True
    """

    questionnaire_id: str
    questionnaire_version: str
    questionnaire_hash: str
    respondent_ids: np.ndarray
    probabilities: np.ndarray | None
    level: np.ndarray | None
    expected_level: np.ndarray | None
    expected_level_sd: np.ndarray | None
    confidence: np.ndarray | None
    entropy: np.ndarray | None
    scale_ids: tuple[str, ...]
    scale_scores: np.ndarray
    index: np.ndarray | None
    index_category: np.ndarray | None
    n_answered: np.ndarray
    flags: Flags
    min_confidence: float
    min_answered: float
    model_hash: str | None = None
    model_kind: str | None = None
    unit: np.ndarray | None = None
    wave: np.ndarray | None = None
    date: np.ndarray | None = None
    groups: Mapping[str, np.ndarray] = field(default_factory=dict)
    scale_n_items: tuple[int, ...] | None = None
    scale_steps: tuple[float, ...] | None = None
    scale_answered: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.respondent_ids)

    @property
    def has_levels(self) -> bool:
        """True when a level model was applied."""
        return self.probabilities is not None

    def scale_score(self, scale_id: str) -> np.ndarray:
        """The 0-100 scores of one scale."""
        try:
            return self.scale_scores[:, self.scale_ids.index(scale_id)]
        except ValueError:
            raise KeyError(f"No scale {scale_id!r}; scales are {list(self.scale_ids)}.") from None

    def take(self, index: np.ndarray) -> Assessment:
        """The respondents at ``index`` (positions or a boolean mask), in that order."""
        idx = np.asarray(index)

        def t(a: np.ndarray | None) -> np.ndarray | None:
            return None if a is None else a[idx]

        return replace(
            self,
            respondent_ids=self.respondent_ids[idx],
            probabilities=t(self.probabilities),
            level=t(self.level),
            expected_level=t(self.expected_level),
            expected_level_sd=t(self.expected_level_sd),
            confidence=t(self.confidence),
            entropy=t(self.entropy),
            scale_scores=self.scale_scores[idx],
            index=t(self.index),
            index_category=t(self.index_category),
            n_answered=self.n_answered[idx],
            flags=self.flags.take(idx),
            unit=t(self.unit),
            wave=t(self.wave),
            date=t(self.date),
            groups={k: v[idx] for k, v in self.groups.items()},
            scale_answered=t(self.scale_answered),
        )

    # ------------------------------------------------------------------ export

    def columns(self, lang: str = "en") -> dict[str, Any]:
        """The output columns in order, one array per column, as ``to_frame`` and the CLI write
        them (levels labelled in ``lang``; flags as ``;``-joined names).

        Examples
        --------
        >>> from akhlak_levels import assess, load_questionnaire, simulate
        >>> q = load_questionnaire("socio-emotional-levels")
        >>> cols = assess(q, simulate(q, 2, random_state=0)[0]).columns()
        >>> list(cols)[:3], list(cols)[-2:], cols["level"].tolist() == [int(v) for v in cols["level"]]
        (['respondent_id', 'level', 'level_label'], ['n_answered', 'flags'], True)
        """
        cols: dict[str, Any] = {"respondent_id": self.respondent_ids}
        for name in ("unit", "wave"):
            v = getattr(self, name)
            if v is not None:
                cols[name] = v
        if self.date is not None:
            cols["date"] = np.where(np.isnat(self.date), "", self.date.astype(str)).astype(object)
        for g, v in self.groups.items():
            cols[g] = v
        if self.probabilities is not None and self.level is not None:
            labels = np.array([""] + [Level(k).label(lang) for k in range(1, N_LEVELS + 1)], dtype=object)
            cols["level"] = self.level.astype(int)
            cols["level_label"] = labels[self.level]
            cols["expected_level"] = self.expected_level
            cols["expected_level_sd"] = self.expected_level_sd
            cols["confidence"] = self.confidence
            cols["entropy"] = self.entropy
            for k in range(N_LEVELS):
                cols[f"p_level_{k + 1}"] = self.probabilities[:, k]
        for j, s in enumerate(self.scale_ids):
            cols[f"scale_{s}"] = self.scale_scores[:, j]
        if self.index is not None:
            cols["index"] = self.index
            cols["index_category"] = self.index_category
        cols["n_answered"] = self.n_answered
        cols["flags"] = np.array(self.flags.as_strings(), dtype=object)
        return cols

    _repr_html_ = html_repr  # a compact, rounded table in a notebook

    def to_records(self, lang: str = "en") -> list[dict[str, Any]]:
        """One JSON-ready dict per respondent (NaN and infinities become None; flags a list of names).

        Examples
        --------
        >>> from akhlak_levels import assess, load_questionnaire, simulate
        >>> q = load_questionnaire("socio-emotional-levels")
        >>> rec = assess(q, simulate(q, 3, random_state=0)[0]).to_records()[0]
        >>> sorted(rec)[:6]
        ['confidence', 'entropy', 'expected_level', 'expected_level_sd', 'flags', 'level']
        """
        cols = self.columns(lang)
        cols["flags"] = [s.split(";") if s else [] for s in cols["flags"]]
        return records(cols)

    def to_frame(self, lang: str = "en") -> Any:
        """A pandas DataFrame, one row per respondent (needs pandas)."""
        return frame(self.columns(lang))

    def __repr__(self) -> str:
        return (
            f"Assessment(questionnaire={self.questionnaire_id!r}, respondents={len(self)}, "
            f"levels={'yes' if self.has_levels else 'no'}, scales={len(self.scale_ids)})"
        )


def assess(
    questionnaire: Questionnaire | str,
    responses: ResponseSet | Any,
    model: LevelModel | str | None = None,
    *,
    min_confidence: float = 0.5,
    min_answered: float = 0.5,
    chunk_size: int = DEFAULT_CHUNK,
    progress: Callable[[int, int], None] | None = None,
    careless: bool | Mapping[str, float] = False,
    **read_options: Any,
) -> Assessment:
    """Score responses: level probabilities, level, expected level, scale and index scores.

    Parameters
    ----------
    questionnaire : Questionnaire or str
    responses : ResponseSet, or anything :func:`read_responses` reads
        For a vote instrument: a :class:`VoteSet`, or anything :func:`read_votes` reads.
    model : LevelModel or path, default=None
        The questionnaire's default model (a theory prior) when None; no level results when the
        questionnaire has none. Votes: the theory prior over the personal question (decay 1,
        uniform prior; :func:`vote_levels` sets them), or a model calibrated on votes.
    min_confidence : float, default=0.5
        ``level`` is 0 ("undetermined") where ``max_k p_k`` is below this.
    min_answered : float, default=0.5
        A scale is scored (prorated) when at least this share of its items is answered.
    chunk_size : int, default=8192
        Respondents scored at a time; memory beyond the outputs is O(chunk_size).
    progress : callable, default=None
        Called as ``progress(done, total)`` after each chunk.
    careless : bool or dict of str to float, default=False
        When true, or a dict of threshold overrides, the careless-responding flags of
        :func:`akhlak_levels.careless` (same responses and model) join ``flags`` as
        ``careless:longstring``, ``careless:irv``, ... .
    **read_options
        When ``responses`` is a path or table to read: the options of :func:`read_responses`
        (``label_map``, ``dayfirst``, ``id_column``, ``unit_column``, ``delimiter``, ``sheet``,
        ``source_format``, ...), or for a vote instrument those of :func:`read_votes`. A name
        the reader does not take is refused (TypeError), and so is any option with responses
        already read (ValueError): pass it to the reader instead.

    Returns
    -------
    Assessment

    Raises
    ------
    ModelError
        The model belongs to another questionnaire (id, version or content hash differ).
    ResponseError
        The responses were read against another questionnaire.

    Notes
    -----
    For answers ``x_i`` the log posterior is ``logit_k = b_k + sum_{answered i} W[i, x_i, k]``
    and ``p = softmax(logit)``. Unanswered items add nothing, which is exact under local
    independence when answers are missing at random: a partial questionnaire is scored with
    wider uncertainty. ``expected_level = sum_k k p_k``;
    ``expected_level_sd = sqrt(sum_k p_k (k - expected_level)^2)``.

    A scale score is the mean of its items' keyed answers (each keyed as in that scale: its
    ``keys``, else the item's ``reverse`` flag), each rescaled to 0..1, times 100.

    Votes (methodology.md, section 7): the theory's set likelihood, or a model's sum over
    indicator items (each behaviour picked or not); ``n_answered`` counts picks.

    Examples
    --------
    >>> from akhlak_levels import assess, load_questionnaire
    >>> q = load_questionnaire("berakhlak")
    >>> keyed_4 = {it.id: 2 if it.reverse else 4 for it in q.items}  # "often", reverse-keyed too
    >>> rows = [{"respondent_id": "A1", **keyed_4}]
    >>> a = assess(q, rows)
    >>> a.has_levels, a.index.round(1).tolist(), a.index_category.tolist()
    (False, [75.0], ['A'])

    >>> from akhlak_levels.culture import simulate_votes
    >>> votes, true = simulate_votes("berakhlak-culture-map", 500, random_state=0)
    >>> a = assess("berakhlak-culture-map", votes)  # levels from votes
    >>> a.model_kind, a.n_answered[:3].tolist(), float((a.level == true).mean()) > 0.6
    ('theory-prior', [10, 10, 10], True)
    """
    q = load_questionnaire(questionnaire)
    _check_parameters(min_confidence, min_answered, chunk_size, careless)
    if is_vote_instrument(q):
        return _assess_votes(q, responses, model, min_confidence, min_answered, chunk_size, progress, careless,
                             read_options)
    responses = responses_for(q, responses, read_options, "assess")
    model = model_for(q, model)
    scores = score_codes(q, responses.codes, model, min_answered=min_answered, chunk_size=chunk_size, progress=progress)
    levels = _decide_levels(scores, min_confidence) if model is not None else None
    flags = _flags(q, responses, model, scores, levels, careless)
    index, category = index_scores(q, scores.scale_scores)
    return Assessment(
        questionnaire_id=q.id,
        questionnaire_version=q.version,
        questionnaire_hash=q.content_hash,
        respondent_ids=responses.respondent_ids,
        probabilities=scores.probabilities,
        level=None if levels is None else levels.level,
        expected_level=None if levels is None else levels.expected,
        expected_level_sd=None if levels is None else levels.sd,
        confidence=None if levels is None else levels.confidence,
        entropy=scores.entropy,
        scale_ids=tuple(s.id for s in q.scales),
        scale_scores=scores.scale_scores,
        index=index,
        index_category=category,
        n_answered=scores.n_answered,
        flags=flags,
        min_confidence=float(min_confidence),
        min_answered=float(min_answered),
        model_hash=None if model is None else model.hash,
        model_kind=None if model is None else model.kind,
        unit=responses.unit,
        wave=responses.wave, date=responses.date,
        groups=dict(responses.groups),
        **_scale_design(q, scores.scale_answered, len(responses.respondent_ids)),
    )


def _assess_votes(
    q: Questionnaire, votes: VoteSet | Any, model: LevelModel | str | None, min_confidence: float,
    min_answered: float, chunk_size: int, progress: Callable[[int, int], None] | None, careless: Any,
    read_options: Mapping[str, Any],
) -> Assessment:
    """:func:`assess` of a vote instrument: the theory prior over the personal question without a
    model, or the model's indicators (each behaviour of its questions, picked or not)."""
    if careless is not False:
        raise param_error("assess", "careless", "False for a vote instrument (the careless indices read Likert answers)", careless)
    votes = _read_votes(q, votes, read_options)
    if model is None:
        positions = question_positions(q, DEFAULT_QUESTIONS, "assess")
        scores = theory_scores(q, votes, positions)
        model_hash, model_kind = theory_hash(q, positions, 1.0), "theory-prior"
        if progress is not None:
            progress(len(votes), len(votes))
    else:
        if not isinstance(model, LevelModel):
            model = load_model(model, q)
        model.check_questionnaire(q)
        view = view_for_items(q, model.item_ids)
        questions = sorted({iid.split(INDICATOR_SEP, 1)[0] for iid in model.item_ids})
        positions = question_positions(q, questions, "assess")
        codes = vote_responses(q, votes, questions).codes
        scores = score_codes(view, codes, model, chunk_size=chunk_size, progress=progress, scales=False)
        n_picks = (votes.picks[:, positions, :] >= 0).sum(axis=(1, 2)).astype(np.int32)
        scores = scores._replace(n_answered=n_picks)
        model_hash, model_kind = model.hash, model.kind
    levels = _decide_levels(scores, min_confidence)
    flag_cols = {"no-answers": scores.n_answered == 0, "low-confidence": levels.low}
    if levels.non_finite.any():
        flag_cols[NON_FINITE_POSTERIOR] = levels.non_finite
    assert votes.flags is not None
    n = len(votes)
    return Assessment(
        questionnaire_id=q.id, questionnaire_version=q.version, questionnaire_hash=q.content_hash,
        respondent_ids=votes.respondent_ids, probabilities=scores.probabilities, level=levels.level,
        expected_level=levels.expected, expected_level_sd=levels.sd, confidence=levels.confidence,
        entropy=scores.entropy, scale_ids=(), scale_scores=np.zeros((n, 0)), index=None, index_category=None,
        n_answered=scores.n_answered, flags=votes.flags.merge(flag_cols), min_confidence=float(min_confidence),
        min_answered=float(min_answered), model_hash=model_hash, model_kind=model_kind, unit=votes.unit, wave=votes.wave,
        groups=dict(votes.groups), **_scale_design(None, None, n),
    )


def _flags(q: Questionnaire, responses: ResponseSet, model: LevelModel | None, scores: Scores, levels: _Levels | None,
           careless: Any) -> Flags:
    """The responses' flags with ``no-answers``, ``low-confidence``, the non-finite posterior and,
    when ``careless`` asks, the careless-responding flags."""
    flag_cols: dict[str, np.ndarray] = {"no-answers": scores.n_answered == 0}
    if levels is not None:
        flag_cols["low-confidence"] = levels.low
        if levels.non_finite.any():
            flag_cols[NON_FINITE_POSTERIOR] = levels.non_finite
    flags = responses.flags.merge(flag_cols)
    if careless is True or isinstance(careless, Mapping):
        thresholds = None if careless is True else careless
        flags = flags.merge(careless_table(q, responses, model=model, thresholds=thresholds).flags)
    return flags


def _read_votes(q: Questionnaire, votes: VoteSet | Any, options: Mapping[str, Any]) -> VoteSet:
    """``votes`` read by :func:`read_votes` with ``options`` (each a keyword option of it, and
    none when the votes are already a VoteSet), as :func:`responses_for` checks them."""
    known = [n for n, p in inspect.signature(read_votes).parameters.items() if p.kind is p.KEYWORD_ONLY]
    for name, value in options.items():
        if name not in known:
            raise param_error("assess", name, f"a reading option of read_votes (one of {', '.join(known)})", value,
                              error=TypeError)
        if isinstance(votes, VoteSet):
            raise param_error("assess", name, "left out when the votes are already read (a VoteSet): pass it to read_votes",
                              value)
    return votes if isinstance(votes, VoteSet) else read_votes(votes, q, **options)


def _check_parameters(min_confidence: float, min_answered: float, chunk_size: int, careless: Any) -> None:
    check("assess", "min_confidence", min_confidence, Interval(0, 1))
    check("assess", "min_answered", min_answered, Interval(0, 1, closed="right"))
    check("assess", "chunk_size", chunk_size, Interval(1, None, integer=True))
    if not isinstance(careless, (bool, Mapping)):
        raise param_error("assess", "careless", "a bool or a dict of thresholds", careless)


class _Levels(NamedTuple):
    level: np.ndarray
    expected: np.ndarray
    sd: np.ndarray
    confidence: np.ndarray
    low: np.ndarray
    non_finite: np.ndarray


def _decide_levels(scores: Scores, min_confidence: float) -> _Levels:
    """The level (0 where the top probability is below ``min_confidence``, nothing was answered
    or the posterior is not finite), the expected level and its standard deviation.

    The kernel has computed the argmax level, the top probability (``max_k p_k``), the
    expected level and its SD chunk by chunk; only the thresholds are applied here."""
    conf, level, expected, sd = scores.confidence, scores.top, scores.expected, scores.sd
    assert conf is not None and level is not None and expected is not None and sd is not None  # called only with a model
    non_finite = np.isnan(conf)  # the kernel sets every probability of such a respondent to NaN
    low = conf < min_confidence
    level[low | (scores.n_answered == 0) | non_finite] = 0  # no evidence, no level, whatever the threshold
    return _Levels(level, expected, sd, conf, low, non_finite)


def scale_design(q: Questionnaire) -> tuple[np.ndarray, np.ndarray]:
    """The number of items of each scale of ``q`` and the step between its possible 0-100 scores
    with all items answered (see :attr:`Assessment.scale_steps`).

    Examples
    --------
    >>> from akhlak_levels import load_questionnaire
    >>> n_items, steps = scale_design(load_questionnaire("socio-emotional-levels"))
    >>> n_items.tolist(), steps.round(3).tolist()[:2]
    ([6, 6, 6, 6, 6], [4.167, 4.167])
    """
    n_items = np.array([len(s.item_ids) for s in q.scales], dtype=np.int64)
    steps = np.zeros(len(q.scales))
    for j, scale in enumerate(q.scales):
        if scale.item_ids:
            options = [q.item(i).n_options - 1 if q.item(i).type == "likert" else N_LEVELS - 1 for i in scale.item_ids]
            steps[j] = 100.0 / (len(scale.item_ids) * math.lcm(*[max(1, k) for k in options]))
    return n_items, steps


def _scale_design(q: Questionnaire | None, answered: np.ndarray | None, n: int) -> dict[str, Any]:
    """The ``scale_*`` fields of an :class:`Assessment` of ``n`` respondents: the questionnaire's
    scale design and the kernel's per-scale answered counts (without scales: an (n, 0) array)."""
    if q is None or not q.scales:
        return {"scale_n_items": (), "scale_steps": (), "scale_answered": np.zeros((n, 0), dtype=np.uint8)}
    n_items, steps = scale_design(q)
    assert answered is not None
    return {"scale_n_items": tuple(int(k) for k in n_items), "scale_steps": tuple(float(h) for h in steps),
            "scale_answered": answered}


def index_scores(q: Questionnaire, scale_scores: np.ndarray) -> tuple[np.ndarray | None, np.ndarray | None]:
    """The questionnaire's index (mean of its scales; NaN unless every scale is scored) and category."""
    if q.index is None:
        return None, None
    scale_pos = {s.id: j for j, s in enumerate(q.scales)}
    index = scale_scores[:, [scale_pos[sid] for sid in q.index.scales]].mean(axis=1)
    return index, q.index.categorize(index)
