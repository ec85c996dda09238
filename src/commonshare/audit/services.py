"""The audit trail: one event per write, each committing to the event before it.

An event's hash is ``sha256(previous event's hash + canonical form)``, the
canonical form being the ASCII JSON text (keys sorted, no spaces) of its id,
code, actor, target, data and time, as read back from the database. So a raw
edit, removal or insertion of an event breaks the chain where it happened, and
``verify`` names it. Events written before the chain (the older format) have
no hash and are not checked.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from typing import Any

from django.db import connection, models, transaction

from commonshare.audit.models import AuditEvent

GENESIS_HASH = "0" * 64
_FIELDS = ("id", "code", "actor_id", "target_type", "target_id", "data", "created_at")


def record(code: str, target: models.Model, *, actor: Any = None, **data: Any) -> AuditEvent:
    """Write the audit row for ``code``; call inside the service's transaction."""
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
    return event


def _lock() -> None:
    """Serialise writers of the chain (SQLite's write transactions already are)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(7243170012)")


def _last_hash() -> str:
    last = AuditEvent.objects.exclude(hash="").order_by("-id").values_list("hash", flat=True)
    return last.first() or GENESIS_HASH


def canonical(stored: dict[str, Any]) -> bytes:
    """The canonical form of an event row (``values(*_FIELDS)``)."""
    when = stored["created_at"]
    content = {
        **stored,
        "created_at": when.astimezone(dt.UTC).isoformat()
        if isinstance(when, dt.datetime)
        else str(when),
    }
    return json.dumps(
        content, sort_keys=True, separators=(",", ":"), ensure_ascii=True, default=str
    ).encode("ascii")


def event_hash(prev_hash: str, stored: dict[str, Any]) -> str:
    return hashlib.sha256(prev_hash.encode("ascii") + canonical(stored)).hexdigest()


def verify() -> Iterator[str]:
    """Every break in the audit chain, named: changed, removed, inserted or unsealed events."""
    prev = GENESIS_HASH
    chained = False
    rows = AuditEvent.objects.order_by("id").values(*_FIELDS, "prev_hash", "hash")
    for row in rows.iterator(chunk_size=2000):
        stored_prev, digest = row.pop("prev_hash"), row.pop("hash")
        if not digest:
            if chained:
                yield f"audit event {row['id']} has no hash: it was inserted or unsealed"
            continue
        chained = True
        if stored_prev != prev:
            yield (
                f"audit event {row['id']} does not link to the event before it: "
                "an event was removed or inserted before it"
            )
        elif event_hash(prev, row) != digest:
            yield f"audit event {row['id']} was changed: it no longer matches its hash"
        prev = digest
