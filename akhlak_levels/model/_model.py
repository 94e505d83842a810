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
from ._links import cumulative_logit
from .._validation import Options, param_error
from .._version import __version__
from ..errors import ModelError, Problem
from ..levels import N_LEVELS
from ..questionnaire import Questionnaire, load_questionnaire

__all__ = ["LevelModel", "is_level_distribution", "load_model", "utc_timestamp"]

#: Model kinds whose weights are log class-conditional probabilities.
PROBABILISTIC_KINDS = ("latent-class", "theory-prior")
KINDS = PROBABILISTIC_KINDS + ("logistic", "ordinal")
_FORMAT = "akhlak-levels/level-model"


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
            if not np.all(np.isfinite(p)) or np.any(p <= 0):
                problems.append(Problem("probabilities must be finite and > 0 (smooth zero cells)", item=it.id, value=float(np.nanmin(p))))
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
        """Write the model as JSON (never pickle).

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
        with open(path, "w", encoding="utf-8") as fh:
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
        """Build a model from its JSON document, validating schema and questionnaire match."""
        _schema.validate(document, "model", source=source)
        qinfo = document["questionnaire"]
        if questionnaire is None:
            try:
                questionnaire = load_questionnaire(qinfo["id"])
            except Exception as exc:  # unknown id: the caller must pass the questionnaire
                raise ModelError(
                    f"The model{' in ' + source if source else ''} names questionnaire {qinfo['id']!r}, "
                    "which is not bundled; pass questionnaire=... to load_model."
                ) from exc
        q = load_questionnaire(questionnaire)
        problems: list[Problem] = []
        items = document["items"]
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
            if w.shape != (it.n_options, N_LEVELS):
                problems.append(
                    Problem(f"expected {it.n_options} rows of {N_LEVELS} weights", file=source,
                            item=raw["id"], path=f"$.items[{i}].weights", value=list(w.shape))
                )
                continue
            if document["kind"] == "ordinal" and not np.allclose(w, w[:, :1], atol=1e-12):
                problems.append(
                    Problem("an ordinal model's weight rows must repeat one value (-beta) across the five levels",
                            file=source, item=raw["id"], path=f"$.items[{i}].weights")
                )
            if document["kind"] in PROBABILISTIC_KINDS:
                sums = np.exp(w).sum(axis=0)
                if not np.allclose(sums, 1.0, atol=1e-6):
                    problems.append(
                        Problem("a latent-class model's weights must be log probabilities: exp(weights) must sum to 1 over the options for every level",
                                file=source, item=raw["id"], path=f"$.items[{i}].weights", value=sums.round(6).tolist())
                    )
            weights.append(w)
        if document["kind"] == "ordinal" and not np.all(np.diff(document["log_prior"][: N_LEVELS - 1]) > 0):
            problems.append(
                Problem("an ordinal model's thresholds (log_prior[0:4]) must increase", file=source,
                        path="$.log_prior", value=document["log_prior"][: N_LEVELS - 1])
            )
        if problems:
            raise ModelError("The level model does not fit its questionnaire:", problems)
        model = cls(
            questionnaire_id=qinfo["id"],
            questionnaire_version=qinfo["version"],
            questionnaire_hash=qinfo["hash"],
            item_ids=tuple(ids),
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
    (id, version, content hash, items and option counts). A file edited by hand so that it no
    longer matches is refused with the reason.

    Parameters
    ----------
    path : path-like
    questionnaire : Questionnaire or str, default=None
        Needed only when the model's questionnaire is not bundled.

    Returns
    -------
    LevelModel

    Raises
    ------
    SchemaError, ModelError

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
    source = os.fspath(path)
    if not os.path.isfile(source):
        raise ModelError(f"No model file at {source!r}.")
    document = _schema.read_json(source, "model")
    return LevelModel.from_dict(document, questionnaire, source=source)


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
