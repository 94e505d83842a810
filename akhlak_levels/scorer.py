"""A compiled scorer for embedding: one respondent in microseconds, or many in one kernel pass.

:class:`Scorer` does once what :func:`akhlak_levels.assess` does on every call: the label lookup
of every item (ids, question texts and option labels in both languages, codes 1..k, all
normalised as the readers normalise them), the kernel's grouped weight tables and the scale
keys. It holds no mutable state after construction, so one instance may serve many threads.

The numbers equal :func:`akhlak_levels.assess` of the same answers (the same kernel tables, the
same additions in the same order; tests/test_scorer.py compares them to 1e-12).
"""

from __future__ import annotations

import math
from itertools import chain, repeat
from typing import Any, Mapping, NamedTuple, Sequence

import numpy as np

from ._coding import MISSING, code_column, item_header_map, match_item
from ._readers import shortened
from ._validation import Interval, check, param_error
from ._version import __version__
from .assessment import index_scores
from .errors import Problem, QuestionnaireError, ResponseError
from .levels import N_LEVELS, Level
from .model import LevelModel, Scores, is_vote_instrument, score_codes
from .quality import model_for
from .questionnaire import Questionnaire, load_questionnaire

__all__ = ["Scorer"]

_LANGS = ("id", "en")
_K = [float(k) for k in range(1, N_LEVELS + 1)]


class _Table(NamedTuple):
    """Every item's rows laid end to end: one gather and one sum score a respondent.

    Row ``offsets[i] + c`` (``c`` the code, ``n_options`` for no answer) holds the item's level
    weights (5 columns; none without a model), then 1 if answered, then per scale the numerator
    of its keyed value over the scale's common denominator and 1 if keyed, as the kernel adds
    them (integers: their sums are exact)."""

    offsets: np.ndarray  # per item, its first row
    missing: np.ndarray  # per item, the row number of no answer minus the offset (n_options)
    rows: np.ndarray  # all rows x (levels + 1 + 2 * scales)
    log_prior: np.ndarray | None
    denominators: np.ndarray  # per scale
    sizes: np.ndarray  # items per scale


def _keyed(it: Any, reverse: bool | None = None) -> tuple[list[int | None], int]:
    """Per option, the numerator of its 0..1 keyed value, and the denominator (None: unkeyed),
    as the kernel keys answers (Likert reversed where ``reverse``, the item's key in the scale
    at hand, None: its global flag; choice by option level)."""
    if it.type == "likert":
        k: list[int | None] = list(range(it.n_options))
        return (k[::-1] if (it.reverse if reverse is None else reverse) else k), it.n_options - 1
    return [None if lv is None else lv - 1 for lv in it.option_levels], N_LEVELS - 1


def _table(q: Questionnaire, model: LevelModel | None) -> _Table:
    n_scales = len(q.scales)
    item_scales: list[list[int]] = [[] for _ in q.items]
    for s_i, sc in enumerate(q.scales):
        for iid in sc.item_ids:
            item_scales[q.item_position(iid)].append(s_i)
    den = [1] * n_scales
    for it, scales in zip(q.items, item_scales):
        for s_i in scales:
            den[s_i] = math.lcm(den[s_i], _keyed(it)[1])
    nl = 0 if model is None else N_LEVELS
    weights = {} if model is None else dict(zip(model.item_ids, model.tables))
    blocks = []
    for it, scales in zip(q.items, item_scales):
        block = np.zeros((it.n_options + 1, nl + 1 + 2 * n_scales))
        if model is not None:
            block[:, :nl] = weights[it.id]  # the last row (no answer) is zero
        block[:-1, nl] = 1.0
        for s_i in scales:
            numerators, d = _keyed(it, q.scales[s_i].key(it.id) == -1)  # keyed as in this scale
            for c, num in enumerate(numerators):
                if num is not None:
                    block[c, nl + 1 + s_i] = num * (den[s_i] // d)
                    block[c, nl + 1 + n_scales + s_i] = 1.0
        blocks.append(block)
    sizes = [it.n_options + 1 for it in q.items]
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.intp)
    arrays = [offsets, np.array(sizes, dtype=np.intp) - 1, np.concatenate(blocks),
              None if model is None else np.array(model.log_prior, dtype=float),
              np.array(den, dtype=float), np.array([len(sc.item_ids) for sc in q.scales], dtype=float)]
    for arr in arrays:
        if arr is not None:
            arr.flags.writeable = False
    return _Table(*arrays)  # type: ignore[arg-type]


def _problem_error(summary: str, problem: Problem) -> ResponseError:
    return ResponseError(summary, [problem])


class Scorer:
    """Score one respondent, or many, against a questionnaire compiled once.

    Parameters
    ----------
    questionnaire : Questionnaire or str
        A Likert or choice questionnaire (vote instruments are scored by :func:`assess`).
    model : LevelModel or path, default=None
        The questionnaire's default model when None; no level results without one.
    min_confidence : float, default=0.5
        ``level`` is 0 where ``max_k p_k`` is below this (as :func:`assess`).
    min_answered : float, default=0.5
        A scale is scored when at least this share of its items is answered.

    Notes
    -----
    Answers are a dict whose keys are item ids or question texts (in either language, any case
    or spacing, with or without a leading question number, as the readers accept them) and
    whose values are codes 1..k (int or numeric text) or option labels in either language.
    Items left out, or answered with None, NaN or an empty text, are unanswered: they add
    nothing to the log posterior, so a partial questionnaire is scored with wider uncertainty.
    An unknown key, a value that is not an answer, or two keys naming the same item raise
    :class:`ResponseError` naming the item and the value; nothing is dropped silently.

    The result is a JSON-ready dict (schema ``akhlak_levels/schemas/result.schema.json``):
    level (0 "undetermined" below ``min_confidence`` or with no answers) and its label,
    probabilities of levels 1..5, expected level and SD, confidence, entropy, scale scores,
    index and category (None where the questionnaire has no index), ``n_answered``, flags,
    and the questionnaire's id, version and content hash, the model's hash and kind and the
    library version, so that a stored result can be traced.

    Examples
    --------
    >>> from akhlak_levels import Scorer
    >>> scorer = Scorer("socio-emotional-levels")
    >>> r = scorer.score_one({"SE01": 4, "se02": "Setuju", "SE03": "5"})
    >>> r["n_answered"], r["level"] in range(6), round(sum(r["probabilities"]), 12)
    (3, True, 1.0)
    >>> [s["n_answered"] for s in scorer.score_many([{"SE01": 1}, {}])]
    [1, 0]
    """

    def __init__(self, questionnaire: Questionnaire | str, model: LevelModel | str | None = None, *,
                 min_confidence: float = 0.5, min_answered: float = 0.5):
        q = load_questionnaire(questionnaire)
        if is_vote_instrument(q):
            raise QuestionnaireError(f"Scorer scores Likert and choice questionnaires; {q.id!r} is a vote instrument: use assess().")
        check("Scorer", "min_confidence", min_confidence, Interval(0, 1))
        check("Scorer", "min_answered", min_answered, Interval(0, 1, closed="right"))
        self._q = q
        self._model = model_for(q, model)
        self._min_confidence = float(min_confidence)
        self._min_answered = float(min_answered)
        self._table = _table(q, self._model)
        self._headers = item_header_map(q)
        self._exact_keys = {it.id: i for i, it in enumerate(q.items)}  # tried before normalising
        self._exact_values = [self._exact_lookup(it) for it in q.items]
        self._top = np.array([it.n_options for it in q.items], dtype=np.int64)
        self._top.flags.writeable = False
        self._scale_ids = tuple(s.id for s in q.scales)
        m = self._model
        self._meta = {
            "questionnaire_id": q.id, "questionnaire_version": q.version, "questionnaire_hash": q.content_hash,
            "model_hash": None if m is None else m.hash, "model_kind": None if m is None else m.kind,
            "library_version": __version__,
        }
        self._level_labels = {lang: [None] + [Level(k).label(lang) for k in range(1, N_LEVELS + 1)] for lang in _LANGS}
        self._category_labels = {lang: {c.code: c.label.get(lang) for c in q.index.categories} if q.index else {} for lang in _LANGS}

    @staticmethod
    def _exact_lookup(it: Any) -> dict[Any, int]:
        """Answers read without normalising: the codes 1..k as ints and texts, and each label and
        alias as written in the questionnaire, coded once by the readers' own :func:`code_column`."""
        texts = list(dict.fromkeys(chain([str(c + 1) for c in range(it.n_options)],
                                         chain.from_iterable(lab.values() for lab in it.options),
                                         chain.from_iterable(it.aliases))))
        codes, bad = code_column(_objects(texts), it)
        exact: dict[Any, int] = {t: int(c) for t, c, b in zip(texts, codes.tolist(), bad.tolist()) if not b and c != MISSING}
        exact.update({c + 1: c for c in range(it.n_options)})
        return exact

    @property
    def questionnaire(self) -> Questionnaire:
        """The compiled questionnaire."""
        return self._q

    @property
    def model(self) -> LevelModel | None:
        """The level model (None when the questionnaire has none)."""
        return self._model

    def __repr__(self) -> str:
        kind = None if self._model is None else self._model.kind
        return f"Scorer(questionnaire={self._q.id!r}, version={self._q.version!r}, model={kind!r})"

    # ------------------------------------------------------------------ reading answers

    def _position(self, key: Any, row: int | None) -> int:
        pos = self._exact_keys.get(key) if isinstance(key, str) else None
        if pos is None and isinstance(key, str):
            pos = match_item(key, self._headers)
        if pos is None:
            raise _problem_error(
                f"Unknown question in the answers for questionnaire {self._q.id!r}: expected an item id "
                f"({self._q.items[0].id}, ...) or a question's text.",
                Problem("not an item id or question text", row=row, item=str(shortened(key))),
            )
        return pos

    def _positions(self, keys: Sequence[Any], row: int | None) -> list[int]:
        positions = [self._position(k, row) for k in keys]
        if len(set(positions)) < len(positions):
            seen: dict[int, Any] = {}
            for k, p in zip(keys, positions):
                if p in seen:
                    raise _problem_error(
                        "Two keys of the answers name the same item:",
                        Problem(f"also given as {seen[p]!r}", row=row, item=self._q.items[p].id, value=shortened(k)),
                    )
                seen[p] = k
        return positions

    def _code(self, pos: int, v: Any, row: int | None) -> int:
        if type(v) is int or type(v) is str:  # bools and floats go through the reader
            c = self._exact_values[pos].get(v)
            if c is not None:
                return c
        try:
            codes, bad = code_column(_objects([v]), self._q.items[pos])
        except (TypeError, ValueError):  # e.g. an unhashable value
            raise self._value_error(pos, v, row) from None
        if bad[0]:
            raise self._value_error(pos, v, row)
        return int(codes[0])

    def _value_error(self, pos: int, v: Any, row: int | None) -> ResponseError:
        it = self._q.items[pos]
        labels = " / ".join(it.option_labels("en"))
        return _problem_error(
            f"An answer to item {it.id!r} cannot be read: expected a code 1-{it.n_options} or a label ({labels}, or in Indonesian).",
            Problem("not an answer to this item", row=row, item=it.id, value=shortened(v)),
        )

    def codes_one(self, answers: Mapping[str, Any]) -> np.ndarray:
        """The code row (option index from 0, ``MISSING`` for no answer) of one respondent's answers.

        Examples
        --------
        >>> from akhlak_levels import Scorer
        >>> Scorer("berakhlak").codes_one({"BP1a": "Selalu", "bp1b ": 1, "BP2a": "  often"})[:4].tolist()
        [4, 0, 3, -1]
        """
        if not isinstance(answers, Mapping):
            raise param_error("Scorer.score_one", "answers", "a dict of item id or question text to answer", answers, error=ResponseError, shown=type(answers).__name__)
        codes = np.full(self._q.n_items, MISSING, dtype=np.int8)
        keys = list(answers)
        for pos, v in zip(self._positions(keys, None), answers.values()):
            codes[pos] = self._code(pos, v, None)
        return codes

    def codes_many(self, records: Sequence[Mapping[str, Any]]) -> np.ndarray:
        """The code matrix (respondents x items) of many respondents' answers.

        All answers are read together: each distinct key once, whole numbers as one integer
        array, other answers by the readers' :func:`code_column`, once per distinct value of an item.

        Examples
        --------
        >>> from akhlak_levels import Scorer
        >>> Scorer("berakhlak").codes_many([{"BP1a": 5}, {"BP1b": "Never"}])[:, :2].tolist()
        [[4, -1], [-1, 0]]
        """
        if isinstance(records, Mapping) or not isinstance(records, Sequence):
            raise param_error("Scorer.score_many", "records", "a list of dicts (one per respondent)", records, error=ResponseError, shown=type(records).__name__)
        n, p = len(records), self._q.n_items
        codes = np.full((n, p), MISSING, dtype=np.int8)
        bad = [i for i, r in enumerate(records) if type(r) is not dict and not isinstance(r, Mapping)]
        if bad:
            raise _problem_error("Each record must be a dict of item id or question text to answer:",
                                 Problem(f"a {type(records[bad[0]]).__name__}", row=bad[0]))
        lens = np.fromiter(map(len, records), dtype=np.intp, count=n)
        if not lens.any():
            return codes
        if (lens == lens[0]).all() and self._same_keys(records, codes):
            return codes
        rows = np.repeat(np.arange(n, dtype=np.intp), lens)
        keys = list(chain.from_iterable(records))
        pos = np.fromiter(map(self._exact_keys.get, keys, repeat(-1)), dtype=np.intp, count=len(keys))
        other = np.flatnonzero(pos < 0)
        if len(other):  # keys other than ids: each distinct one matched once, as the readers match headers
            known: dict[Any, int] = {}
            for j in other.tolist():
                k = keys[j]
                if k not in known:
                    known[k] = self._position(k, int(rows[j]))
                pos[j] = known[k]
        if len(other):  # two spellings of one item may meet in one record
            cell = rows * p + pos
            twice = np.bincount(cell, minlength=n * p)[cell] > 1
            if twice.any():
                first = int(rows[np.argmax(twice)])
                self._positions(list(records[first]), first)  # raises, naming the item
        values = list(chain.from_iterable(r.values() for r in records))
        types = set(map(type, values))
        if types <= {int}:
            try:
                x = np.fromiter(values, dtype=np.int64, count=len(values))
            except OverflowError:
                x = None
            if x is not None:
                wrong = (x < 1) | (x > self._top[pos])
                if wrong.any():
                    c = int(np.argmax(wrong))
                    raise self._value_error(int(pos[c]), values[c], int(rows[c]))
                codes[rows, pos] = x - 1
                return codes
        order = np.argsort(pos, kind="stable")
        cuts = np.flatnonzero(np.diff(pos[order])) + 1
        for part in np.split(order, cuts):
            item = int(pos[part[0]])
            col = [values[i] for i in part.tolist()]
            codes[rows[part], item] = self._code_column(item, col, rows[part], exact=not types & {bool, np.bool_})
        return codes

    def _same_keys(self, records: Sequence[Mapping[str, Any]], codes: np.ndarray) -> bool:
        """The common case of a batch, fast: every record has the same item ids, in the same
        order, and whole-number answers. Fills ``codes`` and returns True; returns False (``codes``
        untouched) for anything else, which the general path reads and, where wrong, names."""
        layout = tuple(records[0])
        pos = np.fromiter(map(self._exact_keys.get, layout, repeat(-1)), dtype=np.intp, count=len(layout))
        if (pos < 0).any() or len(np.unique(pos)) < len(pos) or any(tuple(r) != layout for r in records):
            return False
        values = list(chain.from_iterable(r.values() for r in records))
        if set(map(type, values)) != {int}:
            return False
        try:
            x = np.fromiter(values, dtype=np.int64, count=len(values)).reshape(len(records), len(layout))
        except OverflowError:
            return False
        if ((x < 1) | (x > self._top[pos])).any():
            return False
        codes[:, pos] = x - 1
        return True

    def _code_column(self, pos: int, col: list[Any], rows: np.ndarray, exact: bool = False) -> np.ndarray:
        """One item's codes: with ``exact`` (no true/false among the answers, which would equal
        1 and 0 as keys) codes and labels as written first, then the rest read by the readers'
        :func:`code_column` (each distinct value once)."""
        if exact:
            try:
                codes = np.fromiter(map(self._exact_values[pos].get, col, repeat(-9)), dtype=np.int8, count=len(col))
            except TypeError:  # an unhashable value: read below, to name it
                return self._code_column(pos, col, rows)
            rest = np.flatnonzero(codes == -9)
            if len(rest):
                codes[rest] = self._code_column(pos, [col[i] for i in rest.tolist()], rows[rest])
            return codes
        try:
            codes, bad = code_column(_objects(col), self._q.items[pos])
        except (TypeError, ValueError):  # unhashable values: one by one, to name the first
            return np.array([self._code(pos, v, int(r)) for v, r in zip(col, rows.tolist())], dtype=np.int8)
        if bad.any():
            r = int(np.argmax(bad))
            raise self._value_error(pos, col[r], int(rows[r]))
        return codes

    # ------------------------------------------------------------------ scoring

    def score_one(self, answers: Mapping[str, Any], *, lang: str = "en") -> dict[str, Any]:
        """Score one respondent's answers.

        Parameters
        ----------
        answers : dict
            Item id or question text -> code 1..k or option label (see the class notes).
        lang : {"en", "id"}, default="en"
            Language of ``level_label`` and ``index_category_label``.

        Returns
        -------
        dict
            The JSON-ready result document (schema ``result``).

        Raises
        ------
        ResponseError
            An unknown item, an unreadable answer, or one item named twice.

        Examples
        --------
        >>> from akhlak_levels import Scorer
        >>> answers = {f"BP{s}{x}": "Selalu" for s in range(1, 4) for x in "ab"}  # 6 of 42 items
        >>> r = Scorer("berakhlak").score_one(answers)
        >>> r["level"], r["n_answered"], r["scales"]["berorientasi-pelayanan"], r["index"]
        (None, 6, 83.33333333333333, None)
        """
        _check_lang(lang)
        codes = self.codes_one(answers)
        t, model = self._table, self._model
        if model is not None and model.link != "softmax":  # an ordinal model: the kernel, for one row
            return self._documents(self._kernel(codes[None, :]), lang)[0]
        rows = np.where(codes < 0, t.missing, codes)
        rows += t.offsets
        summed = t.rows[rows].sum(axis=0).tolist()  # rows added in item order
        nl = 0 if model is None else N_LEVELS
        n_answered = int(summed[nl])
        scale_scores = self._scales_one(summed[nl + 1 :])
        doc: dict[str, Any] = dict(self._meta)
        low = non_finite = False
        if t.log_prior is not None:
            levels = self._levels_one(summed[:nl], n_answered, lang)
            low, non_finite = levels.pop("low"), levels.pop("non_finite")
            doc.update(levels)
        else:
            doc.update(_NO_LEVELS)
        doc["scales"] = dict(zip(self._scale_ids, scale_scores))
        doc.update(self._index_one(scale_scores, lang))
        doc["n_answered"] = n_answered
        doc["flags"] = self._flags(n_answered == 0, low, non_finite)
        return doc

    def _scales_one(self, sums: list[float]) -> list[float | None]:
        """0-100 scale scores from the summed numerators and counts, in the kernel's order of operations."""
        t, k = self._table, len(self._scale_ids)
        scores: list[float | None] = []
        for s_i in range(k):
            total, count = sums[s_i], sums[k + s_i]
            if count < self._min_answered * float(t.sizes[s_i]) - 1e-9:
                scores.append(None)
            else:
                scores.append(total / float(t.denominators[s_i]) * 100.0 / count)
        return scores

    def _levels_one(self, weights: list[float], n_answered: int, lang: str) -> dict[str, Any]:
        """Softmax of the log prior plus the summed weights, entropy, summaries and the level decision."""
        assert self._table.log_prior is not None
        logits = [a + b for a, b in zip(self._table.log_prior.tolist(), weights)]
        entropy = math.nan
        if all(map(math.isfinite, logits)):
            top_logit = max(logits)
            lt = [x - top_logit for x in logits]
            e = [math.exp(x) for x in lt]
            total = sum(e)
            p = [x / total for x in e]
            entropy = math.log(total) - sum(pk * x for pk, x in zip(p, lt))
        if not math.isfinite(entropy):
            return {"level": 0, "level_label": None, "probabilities": [None] * N_LEVELS, "expected_level": None,
                    "expected_level_sd": None, "confidence": None, "entropy": None, "low": False, "non_finite": True}
        conf = max(p)
        top = p.index(conf) + 1
        expected = sum(pk * k for pk, k in zip(p, _K))
        sd = math.sqrt(sum((k - expected) ** 2 * pk for pk, k in zip(p, _K)))
        low = conf < self._min_confidence
        level = 0 if low or n_answered == 0 else top
        return {"level": level, "level_label": self._level_labels[lang][level], "probabilities": p,
                "expected_level": expected, "expected_level_sd": sd, "confidence": conf, "entropy": entropy,
                "low": low, "non_finite": False}

    def _index_one(self, scale_scores: list[float | None], lang: str) -> dict[str, Any]:
        if self._q.index is None:
            return dict(_NO_INDEX)
        x = np.array([[np.nan if s is None else s for s in scale_scores]])
        index, category = index_scores(self._q, x)
        assert index is not None and category is not None
        return self._index_fields(float(index[0]), str(category[0]), lang)

    def _index_fields(self, index: float, category: str, lang: str) -> dict[str, Any]:
        return {"index": index if math.isfinite(index) else None, "index_category": category or None,
                "index_category_label": self._category_labels[lang].get(category)}

    def _flags(self, no_answers: bool, low: bool, non_finite: bool) -> list[str]:
        return [name for name, on in (("no-answers", no_answers), ("low-confidence", low),
                                      ("non-finite-posterior", non_finite)) if on]

    def _kernel(self, codes: np.ndarray) -> Scores:
        """One call of the library's scoring kernel :func:`score_codes` over the code matrix."""
        return score_codes(self._q, codes, self._model, min_answered=self._min_answered)

    def score_many(self, records: Sequence[Mapping[str, Any]], *, lang: str = "en") -> list[dict[str, Any]]:
        """Score many respondents in one pass of the kernel.

        Parameters
        ----------
        records : list of dict
            One answers dict per respondent (see :meth:`score_one`).
        lang : {"en", "id"}, default="en"

        Returns
        -------
        list of dict
            One result document per record, in order; equal to :meth:`score_one` of each.

        Raises
        ------
        ResponseError
            As :meth:`score_one`, naming the record's position as ``row``.

        Examples
        --------
        >>> from akhlak_levels import Scorer
        >>> docs = Scorer("socio-emotional-levels").score_many([{"SE01": 5}] * 3)
        >>> len(docs), docs[0] == docs[2], docs[0]["questionnaire_id"]
        (3, True, 'socio-emotional-levels')
        """
        _check_lang(lang)
        codes = self.codes_many(records)
        return self._documents(self._kernel(codes), lang)

    def _documents(self, k: Scores, lang: str) -> list[dict[str, Any]]:
        """Result documents from the kernel's arrays, built a column at a time."""
        n_answered, scale_scores = k.n_answered, k.scale_scores
        n = len(n_answered)
        cols: dict[str, Any] = {name: repeat(v, n) for name, v in self._meta.items()}
        flag_cols = {"no-answers": n_answered == 0}
        if k.probabilities is not None:
            assert k.confidence is not None and k.top is not None and k.expected is not None and k.sd is not None and k.entropy is not None
            conf = k.confidence
            nf = np.isnan(conf)
            lw = conf < self._min_confidence
            level = k.top.astype(np.int64)
            level[lw | (n_answered == 0) | nf] = 0
            labels = self._level_labels[lang]
            cols["level"] = level.tolist()
            cols["level_label"] = [labels[v] for v in cols["level"]]
            probs = k.probabilities.tolist()
            if nf.any():
                probs = [[None] * N_LEVELS if f else p for p, f in zip(probs, nf.tolist())]
            cols["probabilities"] = probs
            for name, a in (("expected_level", k.expected), ("expected_level_sd", k.sd), ("confidence", conf), ("entropy", k.entropy)):
                cols[name] = _finite_list(a)
            flag_cols["low-confidence"], flag_cols["non-finite-posterior"] = lw, nf
        else:
            cols.update({name: repeat(None, n) for name in _NO_LEVELS})
        ids = self._scale_ids
        cols["scales"] = [dict(zip(ids, row)) for row in _finite_rows(scale_scores)]
        if self._q.index is not None:
            index, category = index_scores(self._q, scale_scores)
            assert index is not None and category is not None
            cats = category.tolist()
            names = self._category_labels[lang]
            cols["index"] = _finite_list(index)
            cols["index_category"] = [c or None for c in cats]
            cols["index_category_label"] = [names.get(c) for c in cats]
        else:
            cols.update({name: repeat(None, n) for name in _NO_INDEX})
        cols["n_answered"] = n_answered.tolist()
        flags: list[list[str]] = [[] for _ in range(n)]
        for name, on in flag_cols.items():
            for i in np.flatnonzero(on).tolist():
                flags[i].append(name)
        cols["flags"] = flags
        names_ = list(cols)
        return [dict(zip(names_, row)) for row in zip(*cols.values())]


_NO_LEVELS = {"level": None, "level_label": None, "probabilities": None, "expected_level": None,
              "expected_level_sd": None, "confidence": None, "entropy": None}
_NO_INDEX = {"index": None, "index_category": None, "index_category_label": None}


def _finite_list(a: np.ndarray) -> list[float | None]:
    if np.isfinite(a).all():
        return a.tolist()  # type: ignore[no-any-return]
    return [x if math.isfinite(x) else None for x in a.tolist()]


def _finite_rows(a: np.ndarray) -> list[list[float | None]]:
    if np.isfinite(a).all():
        return a.tolist()  # type: ignore[no-any-return]
    return [[x if math.isfinite(x) else None for x in row] for row in a.tolist()]


def _objects(values: list[Any]) -> np.ndarray:
    """A 1-d object array of ``values`` as they are (lists and tuples stay single cells)."""
    cells = np.empty(len(values), dtype=object)
    try:
        cells[:] = values
    except ValueError:  # values that numpy would read as rows
        for i, v in enumerate(values):
            cells[i] = v
    return cells


def _check_lang(lang: str) -> None:
    if lang not in _LANGS:
        raise param_error("Scorer", "lang", f"one of {list(_LANGS)}", lang)
