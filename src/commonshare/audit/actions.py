"""One way to write: every service that changes a record is an ``@action``.

An action runs in one durable transaction (``transaction.atomic(durable=True)``: it
cannot be nested inside another transaction, so when it returns, its rows are
committed) and must write exactly one audit event through
``commonshare.audit.services.record``. Zero events or two is a programming error,
raised before the commit, so everything the action wrote is rolled back. After the
commit the event goes to every subscriber (``subscribe``): notifications, feeds and
search indexes hang off this hook, and none of them runs for a write that was rolled
back. A subscriber may itself call an action: the hooks run once this action's mark
is cleared, so that is a fresh action after the commit, not one nested inside this one.

A service that needs another service's write calls that service's private,
undecorated helper, never the action itself: actions do not nest.

The wrapper also keeps floats out of money: every argument of an action, and every
field of a dataclass argument (such as a contribution's stated input), that is a
``float`` is refused with ``InvalidInput`` naming it, before anything is opened.
Amounts, hours, quantities and prices come as ``Decimal``, ``int`` or ``str``.
"""

from __future__ import annotations

import contextvars
import dataclasses
import functools
import inspect
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

from django.conf import settings
from django.db import connection, transaction

from commonshare.errors import InvalidInput

if TYPE_CHECKING:
    from commonshare.audit.models import AuditEvent

P = ParamSpec("P")
R = TypeVar("R")
Subscriber = Callable[["AuditEvent"], None]

ACTIONS: dict[str, Callable[..., Any]] = {}
"""Every action, by its dotted name (``commonshare.books.services.record_income``)."""

_subscribers: list[Subscriber] = []


class ActionError(RuntimeError):
    """A write path broke the one-event rule: a bug in the code, never bad input."""


# A statement that changes rows or tables (savepoints, locks and reads do not).
_WRITES = re.compile(r"\s*(INSERT|UPDATE|DELETE|REPLACE|TRUNCATE|CREATE|ALTER|DROP)\b", re.I)


@dataclasses.dataclass
class _Running:
    name: str
    events: list[AuditEvent] = dataclasses.field(default_factory=list)
    unchanged: bool = False
    writes: list[str] = dataclasses.field(default_factory=list)

    def watch(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        """Note each statement that writes (``connection.execute_wrapper``), then run it.

        Writes to the shared cache's table are not noted: it holds derived data that may
        as well live in Redis (``settings.CACHE_TABLE``), and a read inside an action,
        such as a member's kept trust record, may refresh it."""
        if _WRITES.match(sql) and not _caches(sql):
            self.writes.append(" ".join(sql.split()[:3]))
        return execute(sql, params, many, context)


def _caches(sql: str) -> bool:
    """True when ``sql`` writes the shared cache's table (its name comes in the first words)."""
    table = getattr(settings, "CACHE_TABLE", "")
    return bool(table) and table in " ".join(sql.split()[:4])


_current: contextvars.ContextVar[_Running | None] = contextvars.ContextVar(
    "commonshare_action", default=None
)


def action(function: Callable[P, R]) -> Callable[P, R]:
    """Make ``function`` an action: one durable transaction, one audit event, hooks after."""
    name = f"{function.__module__}.{function.__qualname__}"
    signature = inspect.signature(function)

    @functools.wraps(function)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        outer = _current.get()
        if outer is not None:
            raise ActionError(
                f"{name} was called inside {outer.name}: actions do not nest; "
                "call the private helper that does the write instead."
            )
        _refuse_floats(signature.bind_partial(*args, **kwargs).arguments)
        running = _Running(name)
        with transaction.atomic(durable=True):
            # The running mark is cleared before the transaction's exit, because the
            # exit is where the commit hooks run: a subscriber that calls an action
            # then starts a fresh one after this one's commit, never nested inside it.
            token = _current.set(running)
            try:
                with connection.execute_wrapper(running.watch):
                    result = function(*args, **kwargs)
                _check_one_event(running)
                for event in running.events:
                    _queue(event)
            finally:
                _current.reset(token)
        return result

    run.__action__ = name  # type: ignore[attr-defined]
    ACTIONS[name] = run
    return run


def is_action(function: object) -> bool:
    """Whether ``function`` is wrapped by ``action`` (and so registered)."""
    name = getattr(function, "__action__", None)
    return isinstance(name, str) and ACTIONS.get(name) is function


def unchanged() -> None:
    """Declare that the running action writes nothing this time, so no event is due.

    For a call that finds there is nothing to do (an edit that states what is already
    stated). Writing an event after declaring this is an error too, and so is any
    statement that changed rows in the action (an INSERT, UPDATE or DELETE seen on
    the default database, before or after the declaration): an unchanged action
    rolls back and raises ``ActionError`` if it wrote anything at all.
    """
    running = _current.get()
    if running is None:
        raise ActionError("unchanged() is only meaningful inside an action.")
    running.unchanged = True


def noted(event: AuditEvent) -> None:
    """Count an event just written (``audit.services.record`` calls this)."""
    running = _current.get()
    if running is None:
        raise ActionError(
            f"audit event {event.code} written outside an action: decorate the service that "
            "writes it with commonshare.audit.actions.action."
        )
    running.events.append(event)


def _check_one_event(running: _Running) -> None:
    count = len(running.events)
    if running.unchanged and running.writes and count == 0:
        raise ActionError(
            f"{running.name} declared it changed nothing but wrote rows "
            f"({'; '.join(running.writes[:3])}); an action that writes records its event."
        )
    if running.unchanged and count == 0:
        return
    if count != 1 or running.unchanged:
        codes = ", ".join(event.code for event in running.events) or "none"
        said = " after declaring it unchanged" if running.unchanged else ""
        raise ActionError(
            f"{running.name} wrote {count} audit events{said} ({codes}); "
            "an action writes exactly one."
        )


def subscribe(subscriber: Subscriber) -> Subscriber:
    """Run ``subscriber(event)`` after each action's commit; usable as a decorator.

    Subscribers run in the order they subscribed, each on its own: one that raises is
    logged and does not stop the others, nor undo the committed write.
    """
    if subscriber not in _subscribers:
        _subscribers.append(subscriber)
    return subscriber


def unsubscribe(subscriber: Subscriber) -> None:
    if subscriber in _subscribers:
        _subscribers.remove(subscriber)


def _queue(event: AuditEvent) -> None:
    for subscriber in list(_subscribers):
        transaction.on_commit(_announcing(subscriber, event), robust=True)


def _announcing(subscriber: Subscriber, event: AuditEvent) -> Callable[[], None]:
    def announce() -> None:
        subscriber(event)

    # Django names a failing commit hook by its __qualname__ in the log: name the subscriber.
    announce.__qualname__ = getattr(subscriber, "__qualname__", repr(subscriber))
    return announce


def refuse_float(value: object, field: str) -> None:
    """Refuse a ``float`` for ``field``: binary fractions cannot hold 0.10 exactly."""
    if isinstance(value, float):
        label = field.replace("_", " ").capitalize()
        raise InvalidInput(
            f"{label} must be given exactly, as text such as “1.50” or as a whole number, "
            "not as a floating-point number.",
            field=field,
        )


def _refuse_floats(arguments: dict[str, Any]) -> None:
    for field, value in arguments.items():
        refuse_float(value, field)
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            for inner in dataclasses.fields(value):
                refuse_float(getattr(value, inner.name), inner.name)
