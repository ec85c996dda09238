"""The audit chain: each event's canonical form and hash, and the walk that verifies it.

An event's hash is ``sha256(previous event's hash + canonical form)``, the
canonical form being the ASCII JSON text (keys sorted, no spaces) of its id,
code, actor, target, data and time, as read back from the database. So a raw
edit, removal or insertion of an event breaks the chain where it happened, and
``verify`` names it. Events written before the chain were sealed in id order
by the migration ``audit/0004_seal_existing_events``, so every event has a
hash, and ``verify`` names any event without one. Events are written only by
``commonshare.audit.services.record``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from typing import Any

from django.db import connection

from commonshare.audit.models import AuditEvent

GENESIS_HASH = "0" * 64
_FIELDS = ("id", "code", "actor_id", "target_type", "target_id", "data", "created_at")


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
    for *values, stored_prev, digest in _stored_rows():
        row = dict(zip(_FIELDS, values, strict=True))
        if not digest:
            yield f"audit event {row['id']} has no hash: it was inserted or unsealed"
            continue
        if stored_prev != prev:
            yield (
                f"audit event {row['id']} does not link to the event before it: "
                "an event was removed or inserted before it"
            )
        elif event_hash(prev, _as_read_by_the_orm(row)) != digest:
            yield f"audit event {row['id']} was changed: it no longer matches its hash"
        prev = digest


def _stored_rows() -> Iterator[tuple[Any, ...]]:
    """Event rows in id order through a plain cursor: building ORM rows would cost twice as
    much as the hashing (``_as_read_by_the_orm`` gives the values the ORM would)."""
    columns = ", ".join([*_FIELDS, "prev_hash", "hash"])
    sql = f"SELECT {columns} FROM {AuditEvent._meta.db_table} ORDER BY id"  # noqa: S608 - fixed names
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql)
        while chunk := cursor.fetchmany(2000):
            yield from chunk


def _as_read_by_the_orm(row: dict[str, Any]) -> dict[str, Any]:
    data, when = row["data"], row["created_at"]
    if isinstance(data, str | bytes):
        try:
            row["data"] = json.loads(data)
        except ValueError:
            row["data"] = f"<stored {data!r}>"  # not JSON: only a change behind our back
    if isinstance(when, str):
        try:
            when = dt.datetime.fromisoformat(when)
        except ValueError:
            when = f"<stored {when!r}>"
    if isinstance(when, dt.datetime) and when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)  # stored in UTC (USE_TZ)
    row["created_at"] = when
    return row
