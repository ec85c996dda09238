"""The errors services raise; web, API and CLI each turn them into their own form.

Every rule lives in a service, so every refusal is one of these, carrying the
field it is about and a message a person can act on.
"""

from __future__ import annotations


class CommonshareError(Exception):
    status = 400

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def as_dict(self) -> dict[str, str | None]:
        return {"detail": self.message, "field": self.field}


class InvalidInput(CommonshareError):
    """A value that breaks a rule; nothing was written."""

    status = 422


class Forbidden(CommonshareError):
    """The acting member may not do this."""

    status = 403


class Conflict(CommonshareError):
    """The action clashes with the current state (already claimed, already reviewed)."""

    status = 409


class NotFound(CommonshareError):
    status = 404
