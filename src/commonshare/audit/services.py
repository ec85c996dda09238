"""The audit trail: one event per write, each committing to the event before it.

``record`` is the only writer of events, and only inside an action
(``commonshare.audit.actions``). The chain's canonical form, hashes and
verification are in ``commonshare.audit.chain``.
"""

from __future__ import annotations

from typing import Any

from django.db import connection, models, transaction

from commonshare.audit import actions, via
from commonshare.audit.chain import _FIELDS, GENESIS_HASH, event_hash
from commonshare.audit.models import AuditEvent


def record(code: str, target: models.Model, *, actor: Any = None, **data: Any) -> AuditEvent:
    """Write the audit row for ``code``; only inside an action (``audit.actions.action``).

    The door the write came in by (``via``: web, api or cli) goes into ``data``, so it is
    hashed with the rest; code called directly (tests, a shell) writes no ``via``.
    """
    if (door := via.current()) is not None:
        data = {**data, "via": door}
    with transaction.atomic():
        _lock()
        prev = _last_hash()
        event = AuditEvent.objects.create(
            code=code,
            actor=actor,
            target_type=target._meta.label_lower,
            target_id=str(target.pk),
            data=data,
            prev_hash=prev,
        )
        stored = AuditEvent.objects.filter(pk=event.pk).values(*_FIELDS).get()
        event.hash = event_hash(prev, stored)
        AuditEvent.objects.filter(pk=event.pk).update(hash=event.hash)
        actions.noted(event)  # refuses (and so rolls back) an event outside an action
    return event


def _lock() -> None:
    """Serialise writers of the chain (SQLite's write transactions already are)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(7243170012)")


def _last_hash() -> str:
    last = AuditEvent.objects.exclude(hash="").order_by("-id").values_list("hash", flat=True)
    return last.first() or GENESIS_HASH
