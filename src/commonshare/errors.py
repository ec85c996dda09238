"""The errors services raise; web, API and CLI each turn them into their own form.

Every rule lives in a service, so every refusal is one of these, carrying the
field it is about and a message a person can act on.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import ParamSpec, TypeVar, cast

T = TypeVar("T")
P = ParamSpec("P")

Problem = tuple[str | None, str]
"""One refusal: the field it is about (None for the whole input) and its message."""


class CommonshareError(Exception):
    status = 400

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        problems: Sequence[Problem] = (),
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        # Every problem found at once, so a form can show them all; the first is
        # always the one in ``message`` and ``field``.
        self.problems: tuple[Problem, ...] = tuple(problems) or ((field, message),)

    def as_dict(self) -> dict[str, str | None]:
        return {"detail": self.message, "field": self.field}


class InvalidInput(CommonshareError):
    """A value that breaks a rule; nothing was written."""

    status = 422

    @classmethod
    def of(cls, problems: Sequence[Problem]) -> InvalidInput:
        """One refusal carrying every problem found, the first as its message."""
        if not problems:
            raise ValueError("InvalidInput.of needs at least one problem")
        field, message = problems[0]
        return cls(message, field=field, problems=problems)


class Problems:
    """Collects every bad input of one request, so all of them are refused at once.

    ``check(call, *args)`` runs one field's check and keeps its refusal instead of raising;
    ``raise_any`` then raises one ``InvalidInput`` carrying all of them.
    """

    def __init__(self) -> None:
        self.found: list[Problem] = []

    def check(self, call: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """``call``'s result; when it refuses, None: use the result only after ``raise_any``."""
        try:
            return call(*args, **kwargs)
        except InvalidInput as error:
            self.found.extend(error.problems)
            return cast(T, None)

    def add(self, field: str | None, message: str) -> None:
        self.found.append((field, message))

    def fields(self) -> set[str | None]:
        return {field for field, _ in self.found}

    def raise_any(self) -> None:
        if self.found:
            raise InvalidInput.of(self.found)


class Forbidden(CommonshareError):
    """The acting member may not do this."""

    status = 403


class Conflict(CommonshareError):
    """The action clashes with the current state (already claimed, already reviewed)."""

    status = 409


class NotFound(CommonshareError):
    status = 404
