"""Exceptions raised by akhlak_levels.

The tree::

    AkhlakLevelsError
     ├── SchemaError (ValueError)      a JSON document breaks its schema
     ├── QuestionnaireError (ValueError) a questionnaire is inconsistent or unknown
     ├── ResponseError (ValueError)    responses cannot be read as asked
     ├── ModelError (ValueError)       a level model is invalid or does not fit
     └── StoreError (ValueError)       an assessment store cannot do what was asked

Every subclass also inherits :class:`ValueError`, so ``except ValueError`` keeps working.
Messages say what must hold, what came, and where.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

__all__ = [
    "AkhlakLevelsError",
    "SchemaError",
    "QuestionnaireError",
    "ResponseError",
    "ModelError",
    "Problem",
    "StoreError",
]

#: How many problems an error message lists before it summarises the rest.
MESSAGE_CAP = 20


class AkhlakLevelsError(Exception):
    """Base class of every error this library raises on purpose."""


@dataclass(frozen=True)
class Problem:
    """One problem found in input, with where it is.

    Attributes are ``None`` where they do not apply.
    """

    message: str
    file: str | None = None
    row: int | None = None
    respondent: str | None = None
    item: str | None = None
    value: object = None
    path: str | None = None

    def __str__(self) -> str:
        where = []
        if self.file is not None:
            where.append(f"file {self.file}")
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.respondent is not None:
            where.append(f"respondent {self.respondent!r}")
        if self.item is not None:
            where.append(f"item {self.item!r}")
        if self.path is not None:
            where.append(f"at {self.path}")
        text = self.message
        if self.value is not None:
            text += f" (got {self.value!r})"
        return f"{', '.join(where)}: {text}" if where else text


class _ProblemListError(AkhlakLevelsError, ValueError):
    """An error carrying every problem found, not just the first."""

    def __init__(self, summary: str, problems: Sequence[Problem] = (), *, total: int | None = None):
        self.summary = summary
        self.problems: tuple[Problem, ...] = tuple(problems)
        #: How many problems there were; ``problems`` may hold only the first of them (a cap).
        self.total = max(len(self.problems), total or 0)
        lines = [summary]
        for p in self.problems[:MESSAGE_CAP]:
            lines.append(f"  - {p}")
        if self.total > MESSAGE_CAP:
            lines.append(f"  ... and {self.total - min(len(self.problems), MESSAGE_CAP)} more problems")
        super().__init__("\n".join(lines))


class SchemaError(_ProblemListError):
    """A JSON document (questionnaire, model, responses) does not match its schema."""


class QuestionnaireError(_ProblemListError):
    """A questionnaire is unknown or internally inconsistent."""


class ResponseError(_ProblemListError):
    """Responses cannot be read: unknown columns, bad values, duplicate ids, ..."""


class ModelError(_ProblemListError):
    """A level model is invalid or belongs to another questionnaire."""


class StoreError(AkhlakLevelsError, ValueError):
    """An assessment store cannot do what was asked: a wave exists or is missing, the file is
    not a store or has a newer schema, the pseudonymisation key differs, the input is
    inconsistent."""
