"""Which door a write came in by (``web``, ``api`` or ``cli``), stamped on its audit event.

Set once per request by ``commonshare.audit.middleware.ViaMiddleware`` and once per command by
the CLI; ``commonshare.audit.services.record`` writes it into the event's ``data``, so it is part
of the hashed, chained content. No Django here: the CLI sets it before Django is set up.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

WEB, API, CLI = "web", "api", "cli"

_current: ContextVar[str | None] = ContextVar("commonshare_audit_via", default=None)


def current() -> str | None:
    """The door of the write in progress; None for code called directly (tests, a shell)."""
    return _current.get()


@contextmanager
def entered_by(door: str) -> Iterator[None]:
    """Every audit event written inside says ``via: door``."""
    token = _current.set(door)
    try:
        yield
    finally:
        _current.reset(token)
