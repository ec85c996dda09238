"""The errors services raise; web, API and CLI each turn them into their own form.

Every rule lives in a service, so every refusal is one of these, carrying the
field it is about and a message a person can act on.
"""

from __future__ import annotations

from collections.abc import Sequence

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


class Forbidden(CommonshareError):
    """The acting member may not do this."""

    status = 403


class Conflict(CommonshareError):
    """The action clashes with the current state (already claimed, already reviewed)."""

    status = 409


class NotFound(CommonshareError):
    status = 404
