"""The level model: item weights per option and level, and a log prior over levels.

For answers ``x_i`` (option index of item ``i``)::

    logit_k = b_k + sum over answered items i of W[i, x_i, k]
    p = softmax(logit)

A latent-class model (and the bundled theory prior) has ``W[i, c, k] = log P(x_i = c | level k)``;
a supervised model has regression coefficients in the same table.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Mapping, Sequence

import numpy as np

from .. import _schema
from .._export import atomic_write
from ._latent_classes import LatentClasses, refuse_to_assess
from ._links import cumulative_logit
from ._votes import indicator_view, is_vote_instrument, view_for_items
from .._validation import Options, param_error
from .._version import __version__
from ..errors import ModelError, Problem
from ..levels import N_LEVELS
from ..questionnaire import Questionnaire, bundled_questionnaire, list_questionnaires, load_questionnaire

__all__ = ["LevelModel", "MAX_MODEL_BYTES", "is_level_distribution", "load_model", "model_size_limit", "utc_timestamp"]

#: Model kinds whose weights are log class-conditional probabilities.
PROBABILISTIC_KINDS = ("latent-class", "theory-prior")
KINDS = PROBABILISTIC_KINDS + ("logistic", "ordinal")
_FORMAT = "akhlak-levels/level-model"

#: The largest model file :func:`load_model` reads; a larger one is refused before it is read.
#: The largest model a schema-valid questionnaire allows (1000 items of at most 26 options, 5
#: levels: 130,000 weights, at most 32 bytes each as :meth:`LevelModel.save` writes them) is
#: 4.2 MB; the limit doubles that for provenance and hand formatting. A 40-item, 5-option model
#: is about 30 KB.
MAX_MODEL_BYTES = 8 * 2**20

#: Once the questionnaire is known (passed, or the bundled one the file names), a model file is
#: held to :func:`model_size_limit`: this many bytes per weight (``save`` writes at most 32) ...
_BYTES_PER_WEIGHT = 64
#: ... plus this much for the provenance (a calibrated model's is a few KB).
_PROVENANCE_BYTES = 2**20


def is_level_distribution(p: np.ndarray) -> bool:
    """True when ``p`` holds level probabilities: 5 finite positive numbers summing to 1 (to 1e-6).

    Examples
    --------
    >>> from akhlak_levels.model import is_level_distribution
    >>> is_level_distribution(np.full(5, 0.2)), is_level_distribution(np.array([0.5, 0.5, 0, 0, 0]))
    (True, False)
    """
    return (
        p.shape == (N_LEVELS,)
        and bool(np.all(np.isfinite(p)))
        and not np.any(p <= 0)
        and bool(np.isclose(p.sum(), 1.0, atol=1e-6))
    )


@dataclass(frozen=True, eq=False)
class LevelModel:
    """Calibrated item weights that turn answers into level probabilities.

    Build one with :meth:`from_probabilities`, :func:`load_model`, or take a questionnaire's
    :attr:`~akhlak_levels.Questionnaire.default_model`. Score with :func:`akhlak_levels.assess`.

    Attributes
    ----------
    questionnaire_id, questionnaire_version, questionnaire_hash : str
        The questionnaire the model belongs to; it refuses to score any other.
    item_ids : tuple of str
        In questionnaire order.
    weights : tuple of ndarray
        ``weights[i]`` has shape ``(n_options_i, 5)``: ``W[i, c, k]``.
    log_prior : ndarray of shape (5,)
        ``b_k``.
    kind : str
        ``"theory-prior"``, ``"latent-class"``, ``"logistic"`` or ``"ordinal"``.
    provenance : dict
        How the model was made (method, settings, sample size, date, library version, fit).

    Examples
    --------
    >>> import numpy as np
    >>> from akhlak_levels import LevelModel, load_questionnaire
    >>> q = load_questionnaire("socio-emotional-levels")
    >>> probs = [np.full((it.n_options, 5), 1 / it.n_options) for it in q.items]
    >>> m = LevelModel.from_probabilities(q, probs, prior=[0.1, 0.2, 0.4, 0.2, 0.1])
    >>> m.kind, m.prior.round(2).tolist()
    ('latent-class', [0.1, 0.2, 0.4, 0.2, 0.1])
    """

    questionnaire_id: str
    questionnaire_version: str
    questionnaire_hash: str
    item_ids: tuple[str, ...]
    weights: tuple[np.ndarray, ...]
    log_prior: np.ndarray
    kind: str = "latent-class"
    provenance: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        """Refuse a model that cannot score anyone: an unknown kind, tables of the wrong shape,
        a weight or log prior that is not finite, or an ordinal model whose thresholds do not
        strictly increase (its probabilities would not sum to one)."""
        kinds = Options(KINDS)
        if not kinds.accepts(self.kind):
            raise param_error("LevelModel", "kind", kinds.describe(), self.kind, error=ModelError)
        weights = tuple(np.asarray(w, dtype=float) for w in self.weights)
        log_prior = np.asarray(self.log_prior, dtype=float)
        object.__setattr__(self, "weights", weights)
        object.__setattr__(self, "log_prior", log_prior)
        object.__setattr__(self, "item_ids", tuple(self.item_ids))
        problems = _shape_problems(self.item_ids, weights, log_prior)
        if not problems:
            problems = _finite_problems(self.kind, self.item_ids, weights, log_prior, None)
        if not problems and self.kind == "ordinal":
            problems = _ordinal_problems(self.item_ids, weights, log_prior, None)
        if problems:
            raise ModelError("This level model cannot score anyone:", problems)

    # ------------------------------------------------------------------ views

    @property
    def link(self) -> str:
        """How the summed weights become probabilities: ``"softmax"``, or for an ``"ordinal"``
        model ``"cumulative-logit"``, where ``log_prior`` holds the thresholds ``theta_1..4``
        (its 5th entry is unused, 0), every weight row is ``-beta`` repeated, and
        ``P(level <= k) = logistic(theta_k - eta)`` with ``eta`` the sum of ``beta`` over answers."""
        return "cumulative-logit" if self.kind == "ordinal" else "softmax"

    @property
    def prior(self) -> np.ndarray:
        """Prior level probabilities, ``softmax(log_prior)`` (for an ordinal model: the level
        probabilities of a respondent with no answers)."""
        if self.link == "cumulative-logit":
            return cumulative_logit(self.log_prior[None, :])[0]
        b = self.log_prior - self.log_prior.max()
        e = np.exp(b)
        return e / e.sum()

    @property
    def item_probabilities(self) -> tuple[np.ndarray, ...] | None:
        """Class-conditional option probabilities ``P(x_i = c | level k)`` (options x 5 per item).

        ``None`` for a supervised model, whose weights are not probabilities.
        """
        if self.kind not in PROBABILISTIC_KINDS:
            return None
        return tuple(np.exp(w) for w in self.weights)

    @cached_property
    def tables(self) -> tuple[np.ndarray, ...]:
        """Per item, the weights with a zero row appended: code -1 (missing) adds nothing."""
        out = []
        for w in self.weights:
            t = np.zeros((w.shape[0] + 1, N_LEVELS))
            t[:-1] = w
            out.append(t)
        return tuple(out)

    @cached_property
    def hash(self) -> str:
        """SHA-256 of the model's weights, prior, kind and questionnaire identity."""
        doc = self.to_dict()
        doc.pop("provenance")
        canonical = json.dumps(doc, sort_keys=True, separators=(",", ":"))
        return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    # ------------------------------------------------------------------ construction

    @classmethod
    def from_probabilities(
        cls,
        questionnaire: Questionnaire | str,
        probabilities: Sequence[np.ndarray],
        prior: Sequence[float] | np.ndarray | None = None,
        *,
        kind: str = "latent-class",
        provenance: Mapping[str, Any] | None = None,
    ) -> LevelModel:
        """Build a latent-class model from known class-conditional probabilities.

        Parameters
        ----------
        questionnaire : Questionnaire or str
        probabilities : sequence of array-like
            One array per item in questionnaire order, shape ``(n_options, 5)``; column ``k``
            is ``P(x_i = c | level k + 1)``, so each column sums to one. Entries must be
            positive (smooth zero cells first).
        prior : array-like of shape (5,), default=None
            Level probabilities (positive, summing to one); uniform when None.
        kind : {"latent-class", "theory-prior"}, default="latent-class"
        provenance : dict, default=None

        Returns
        -------
        LevelModel

        Raises
        ------
        ModelError
            A shape, sign or sum that does not hold, naming the item.
        """
        q = load_questionnaire(questionnaire)
        kinds = Options(PROBABILISTIC_KINDS)
        if not kinds.accepts(kind):
            raise param_error("from_probabilities", "kind", kinds.describe(), kind, error=ModelError)
        if len(probabilities) != q.n_items:
            raise ModelError(
                f"Expected one probability array per item ({q.n_items} for {q.id!r}), got {len(probabilities)}."
            )
        problems: list[Problem] = []
        weights = []
        for it, p in zip(q.items, probabilities):
            p = np.asarray(p, dtype=float)
            if p.shape != (it.n_options, N_LEVELS):
                problems.append(Problem(f"expected shape ({it.n_options}, {N_LEVELS})", item=it.id, value=p.shape))
                continue
            bad = ~np.isfinite(p) | (p <= 0)
            if bad.any():
                c, k = np.argwhere(bad)[0].tolist()
                problems.append(
                    Problem(f"probabilities must be finite and > 0 (smooth zero cells); option {c + 1} at level {k + 1} is not",
                            item=it.id, value=float(p[c, k]))
                )
                continue
            sums = p.sum(axis=0)
            if not np.allclose(sums, 1.0, atol=1e-6):
                problems.append(Problem("each level's column must sum to 1 over the options", item=it.id, value=sums.round(6).tolist()))
                continue
            weights.append(np.log(p / sums))
        pr = np.full(N_LEVELS, 1.0 / N_LEVELS) if prior is None else np.asarray(prior, dtype=float)
        if not is_level_distribution(pr):
            problems.append(Problem("prior must be 5 positive numbers summing to 1", value=np.asarray(prior).tolist()))
        if problems:
            raise ModelError("Cannot build a level model from these probabilities:", problems)
        prov = {"method": "from_probabilities", "created": utc_timestamp(), "library_version": __version__}
        prov.update(provenance or {})
        return cls(
            questionnaire_id=q.id,
            questionnaire_version=q.version,
            questionnaire_hash=q.content_hash,
            item_ids=q.item_ids,
            weights=tuple(weights),
            log_prior=np.log(pr / pr.sum()),
            kind=kind,
            provenance=prov,
        )

    # ------------------------------------------------------------------ checks

    def check_questionnaire(self, questionnaire: Questionnaire) -> None:
        """Raise :class:`ModelError` unless this model belongs to ``questionnaire``."""
        q = questionnaire
        mine = (self.questionnaire_id, self.questionnaire_version, self.questionnaire_hash)
        theirs = (q.id, q.version, q.content_hash)
        if mine != theirs:
            raise ModelError(
                f"This level model belongs to questionnaire {mine[0]!r} version {mine[1]!r} "
                f"(hash {mine[2][:19]}...), not to {theirs[0]!r} version {theirs[1]!r} "
                f"(hash {theirs[2][:19]}...). Calibrate a model for this questionnaire."
            )

    # ------------------------------------------------------------------ JSON

    def to_dict(self) -> dict[str, Any]:
        """The model as a JSON-ready dict (schema ``schemas/model.schema.json``)."""
        return {
            "format": _FORMAT,
            "format_version": 1,
            "kind": self.kind,
            "questionnaire": {
                "id": self.questionnaire_id,
                "version": self.questionnaire_version,
                "hash": self.questionnaire_hash,
            },
            "levels": list(range(1, N_LEVELS + 1)),
            "log_prior": [float(v) for v in self.log_prior],
            "items": [
                {"id": iid, "weights": [[float(v) for v in row] for row in w]}
                for iid, w in zip(self.item_ids, self.weights)
            ],
            "provenance": _jsonable(dict(self.provenance)),
        }

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the model as JSON (never pickle), atomically: the file appears complete or not
        at all, and an existing file is replaced only when the new one is written.

        Examples
        --------
        >>> import tempfile, os
        >>> from akhlak_levels import load_questionnaire, load_model
        >>> m = load_questionnaire("socio-emotional-levels").default_model
        >>> path = os.path.join(tempfile.mkdtemp(), "model.json")
        >>> m.save(path)
        >>> load_model(path).hash == m.hash
        True
        """
        with atomic_write(path) as fh:
            json.dump(self.to_dict(), fh, indent=1, allow_nan=False)
            fh.write("\n")

    @classmethod
    def from_dict(
        cls,
        document: Mapping[str, Any],
        questionnaire: Questionnaire | str | None = None,
        *,
        source: str | None = None,
    ) -> LevelModel:
        """Build a model from its JSON document, validating schema and questionnaire match.

        The questionnaire id the document names is compared with the bundled ids, never opened
        as a path; a model for a questionnaire that is not bundled needs ``questionnaire=``.
        """
        _schema.validate(document, "model", source=source)
        qinfo = document["questionnaire"]
        q = _questionnaire_of(qinfo["id"], questionnaire, source)
        if is_vote_instrument(q):  # scored through its indicators: the view of the model's questions
            q = view_for_items(q, [str(it["id"]) for it in document["items"]], source)
        weights, problems = _document_weights(document, q, source)
        if problems:
            raise ModelError("The level model does not fit its questionnaire:", problems)
        model = cls(
            questionnaire_id=qinfo["id"],
            questionnaire_version=qinfo["version"],
            questionnaire_hash=qinfo["hash"],
            item_ids=tuple(it["id"] for it in document["items"]),
            weights=tuple(weights),
            log_prior=np.asarray(document["log_prior"], dtype=float),
            kind=document["kind"],
            provenance=dict(document.get("provenance", {})),
        )
        model.check_questionnaire(q)
        return model

    def __repr__(self) -> str:
        return (
            f"LevelModel(kind={self.kind!r}, questionnaire={self.questionnaire_id!r}, "
            f"version={self.questionnaire_version!r}, items={len(self.item_ids)})"
        )


def load_model(path: str | os.PathLike[str], questionnaire: Questionnaire | str | None = None) -> LevelModel:
    """Load a level model saved with :meth:`LevelModel.save`.

    The document is validated against the model schema, then against the questionnaire it names
    (id, version, content hash, items and option counts); every weight and the log prior must be
    finite, and an ordinal model's thresholds must strictly increase. A file edited by hand so
    that it no longer matches is refused with the reason.

    Sizes are checked first, so a wrong or hostile file is refused at once: a file over
    :data:`MAX_MODEL_BYTES` (8 MiB) before it is read; a file over :func:`model_size_limit` of
    its questionnaire before it is read (``questionnaire`` given) or before its schema is checked
    (the bundled questionnaire it names); JSON nested deeper than 32 levels before its schema is
    checked.

    Parameters
    ----------
    path : path-like
    questionnaire : Questionnaire or str, default=None
        Needed only when the model's questionnaire is not bundled. The questionnaire id the file
        names is compared with the bundled ids, never opened as a path.

    Returns
    -------
    LevelModel

    Raises
    ------
    SchemaError
        The file is over 8 MiB, is not JSON, nests too deeply, or breaks the schema.
    ModelError
        The file is larger than a model of its questionnaire can be, names a questionnaire that
        is not bundled (without ``questionnaire=``), or does not fit its questionnaire.

    Examples
    --------
    >>> import json, os, tempfile
    >>> from akhlak_levels import load_model, load_questionnaire
    >>> path = os.path.join(tempfile.mkdtemp(), "model.json")
    >>> load_questionnaire("socio-emotional-levels").default_model.save(path)
    >>> load_model(path).kind
    'theory-prior'
    >>> with open(path) as fh:
    ...     doc = json.load(fh)
    >>> doc["items"][0]["weights"][0][0] = 0.0  # edited by hand: no longer log probabilities
    >>> with open(path, "w") as fh:
    ...     json.dump(doc, fh)
    >>> load_model(path)
    Traceback (most recent call last):
    ...
    akhlak_levels.errors.ModelError: The level model does not fit its questionnaire:
      - file ...model.json, item 'SE01', at $.items[0].weights: a latent-class model's weights must be log probabilities...
    """
    if isinstance(path, LatentClasses):  # handed to assess (or a scorer) as if it were a level model
        raise refuse_to_assess(path)
    source = os.fsdecode(path)
    if not os.path.isfile(source):
        raise ModelError(f"No model file at {source!r}.")
    q = None if questionnaire is None else load_questionnaire(questionnaire)
    if q is not None:
        _check_size(source, q)  # before reading
    document = _schema.read_json(source, "model", max_bytes=MAX_MODEL_BYTES)
    if isinstance(document, dict) and document.get("kind") == "latent-classes":  # `calibrate --classes -o x.json`
        raise ModelError(f"The file {source} holds latent classes fitted for research (calibrate with n_classes / "
                         "--classes), not a level model: it cannot place anyone on the five levels. Calibrate without "
                         "n_classes for a level model.")
    if q is None and isinstance(document, dict) and isinstance(document.get("questionnaire"), dict):
        named = bundled_questionnaire(document["questionnaire"].get("id"))
        if named is not None:
            _check_size(source, named)  # before the schema walks it
    return LevelModel.from_dict(document, q, source=source)


def model_size_limit(questionnaire: Questionnaire) -> int:
    """The largest model file of ``questionnaire`` that :func:`load_model` reads, in bytes:
    64 bytes per weight (options x 5 levels) and 1 MiB for the provenance.

    Examples
    --------
    >>> from akhlak_levels import load_questionnaire
    >>> model_size_limit(load_questionnaire("socio-emotional-levels"))
    1109376
    """
    q = questionnaire
    if is_vote_instrument(q):  # the largest model scores the indicators of every vote question
        q = indicator_view(q, [vq.id for vq in q.vote_questions])
    return _PROVENANCE_BYTES + _BYTES_PER_WEIGHT * N_LEVELS * int(q.n_options.sum())


def _check_size(source: str, q: Questionnaire) -> None:
    size, limit = os.path.getsize(source), model_size_limit(q)
    if size > limit:
        raise ModelError(
            f"The model file {source} is {size:,} bytes, more than any level model of questionnaire {q.id!r} "
            f"({q.n_items} items, {int(q.n_options.sum())} options) takes: at most {limit:,} bytes "
            f"({_BYTES_PER_WEIGHT} per weight, and 1 MiB for the provenance). Check that the file is the one meant."
        )


def _questionnaire_of(qid: str, questionnaire: Questionnaire | str | None, source: str | None) -> Questionnaire:
    """The questionnaire a model document is checked against: the one passed, else the bundled
    one the document names (compared with the bundled ids, never opened as a path)."""
    if questionnaire is not None:
        return load_questionnaire(questionnaire)
    bundled = bundled_questionnaire(qid)
    if bundled is None:
        raise ModelError(
            f"The model{' in ' + source if source else ''} names questionnaire {qid!r}, which is not bundled "
            f"(bundled ones are {list_questionnaires()}); pass questionnaire=... to load_model "
            "(--questionnaire on the command line) with the questionnaire's file."
        )
    return bundled


def _document_weights(document: Mapping[str, Any], q: Questionnaire, source: str | None) -> tuple[list[np.ndarray], list[Problem]]:
    """The weight tables of a (schema-valid) model document, and every way it does not fit ``q``:
    items, shapes, finiteness, the kind's own rules."""
    problems: list[Problem] = []
    items = document["items"]
    kind = document["kind"]
    ids = [it["id"] for it in items]
    if tuple(ids) != q.item_ids:
        problems.append(
            Problem(
                f"the model's items must be the questionnaire's items in order ({q.n_items} items)",
                file=source, path="$.items", value=ids[:5] + (["..."] if len(ids) > 5 else []),
            )
        )
    weights = []
    for i, (raw, it) in enumerate(zip(items, q.items)):
        w = np.asarray(raw["weights"], dtype=float)
        weights.append(w)
        if w.shape != (it.n_options, N_LEVELS):
            problems.append(
                Problem(f"expected {it.n_options} rows of {N_LEVELS} weights", file=source,
                        item=raw["id"], path=f"$.items[{i}].weights", value=list(w.shape))
            )
            continue
        found = _finite_problems(kind, [raw["id"]], [w], np.zeros(N_LEVELS), source, first=i)
        if not found and kind == "ordinal":
            found = _ordinal_problems([raw["id"]], [w], None, source, first=i)
        if not found and kind in PROBABILISTIC_KINDS:
            sums = np.exp(w).sum(axis=0)
            if not np.allclose(sums, 1.0, atol=1e-6):
                found.append(
                    Problem("a latent-class model's weights must be log probabilities: exp(weights) must sum to 1 over the options for every level",
                            file=source, item=raw["id"], path=f"$.items[{i}].weights", value=sums.round(6).tolist())
                )
        problems += found
    log_prior = np.asarray(document["log_prior"], dtype=float)
    found = _finite_problems(kind, [], [], log_prior, source)
    if not found and kind == "ordinal":
        found = _ordinal_problems([], [], log_prior, source)
    return weights, problems + found


#: How many non-finite weights one error names (the rest are counted).
_MAX_LISTED = 100


def _shape_problems(item_ids: Sequence[str], weights: Sequence[np.ndarray], log_prior: np.ndarray) -> list[Problem]:
    """One weight table per item, each options x 5 (at least 2 options), and 5 log prior entries."""
    problems = []
    if len(weights) != len(item_ids):
        problems.append(Problem(f"expected one weight table per item ({len(item_ids)} items)", value=len(weights)))
    for iid, w in zip(item_ids, weights):
        if w.ndim != 2 or w.shape[0] < 2 or w.shape[1] != N_LEVELS:
            problems.append(Problem(f"expected a table of (options >= 2) x {N_LEVELS} weights", item=iid, value=w.shape))
    if log_prior.shape != (N_LEVELS,):
        problems.append(Problem(f"expected {N_LEVELS} log prior entries, one per level", path="$.log_prior", value=log_prior.shape))
    return problems


def _finite_problems(
    kind: str, item_ids: Sequence[str], weights: Sequence[np.ndarray], log_prior: np.ndarray, source: str | None, *, first: int = 0
) -> list[Problem]:
    """Every weight and log prior entry that is not a finite number (NaN or infinite), named by
    item, option and level (the first :data:`_MAX_LISTED`; the rest counted)."""
    problems: list[Problem] = []
    n_bad = 0
    for i, (iid, w) in enumerate(zip(item_ids, weights), start=first):
        bad = np.argwhere(~np.isfinite(w))
        n_bad += len(bad)
        for c, k in bad[: max(0, _MAX_LISTED - len(problems))].tolist():
            problems.append(
                Problem(f"the weight of option {c + 1} at level {k + 1} must be a finite number",
                        file=source, item=iid, path=f"$.items[{i}].weights[{c}][{k}]", value=float(w[c, k]))
            )
    if n_bad > len(problems):
        problems.append(Problem(f"{n_bad - len(problems)} more weights are not finite numbers", file=source))
    for k in np.flatnonzero(~np.isfinite(log_prior)).tolist():
        what = f"threshold theta_{k + 1}" if kind == "ordinal" and k < N_LEVELS - 1 else f"the log prior of level {k + 1}"
        problems.append(Problem(f"{what} must be a finite number", file=source, path=f"$.log_prior[{k}]", value=float(log_prior[k])))
    return problems


def _ordinal_problems(
    item_ids: Sequence[str], weights: Sequence[np.ndarray], log_prior: np.ndarray | None, source: str | None, *, first: int = 0
) -> list[Problem]:
    """An ordinal (cumulative-logit) model: each weight row repeats one value (-beta) across the
    levels, and the thresholds theta_1..4 (``log_prior[0:4]``) strictly increase. Otherwise the
    link gives probabilities that do not sum to one."""
    problems = []
    for i, (iid, w) in enumerate(zip(item_ids, weights), start=first):
        if not np.allclose(w, w[:, :1], atol=1e-12):
            problems.append(
                Problem("an ordinal model's weight rows must repeat one value (-beta) across the five levels",
                        file=source, item=iid, path=f"$.items[{i}].weights")
            )
    if log_prior is not None and not np.all(np.diff(log_prior[: N_LEVELS - 1]) > 0):
        problems.append(
            Problem("an ordinal model's thresholds theta_1..4 (log_prior[0:4]) must strictly increase", file=source,
                    path="$.log_prior", value=log_prior[: N_LEVELS - 1].tolist())
        )
    return problems


def utc_timestamp() -> str:
    """Now, in UTC to the second, ISO 8601: when a model was made."""
    return _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat()


def _jsonable(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return _jsonable(obj.tolist())
    if isinstance(obj, np.generic):
        return obj.item()
    return obj
