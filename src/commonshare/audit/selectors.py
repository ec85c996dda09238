"""Reads of the audit log."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from commonshare.audit.models import AuditEvent


def recent_activity(limit: int = 20) -> list[AuditEvent]:
    """The newest ``limit`` events, newest first, with their actors."""
    return list(events()[:limit])


def events(
    *, actor_id: int | None = None, about: Q | None = None, hidden: Q | None = None
) -> QuerySet[AuditEvent]:
    """Events newest first, with their actors: by ``actor_id``, matching ``about``, and
    leaving out those matching ``hidden``. Ordered by id alone, so keyset pages walk the
    primary key."""
    found = AuditEvent.objects.select_related("actor").order_by("-id")
    if actor_id is not None:
        found = found.filter(actor_id=actor_id)
    if about is not None:
        found = found.filter(about)
    if hidden is not None:
        found = found.exclude(hidden)
    return found


def on(target_type: str, ids: Any) -> Q:
    """Events whose target is one of ``ids`` (a value, a list, or a subquery of text) of
    ``target_type`` (a model's label, ``work.task``)."""
    if isinstance(ids, str | int):
        return Q(target_type=target_type, target_id=str(ids))
    return Q(target_type=target_type, target_id__in=ids)


def in_thread(subject: str) -> Q:
    """Events of the discussion of ``subject`` (``task-12``, ``proposal-3``)."""
    return Q(code__startswith="discussion.", data__subject=subject)


def coded(*codes: str) -> Q:
    return Q(code__in=codes)


def newest_event_id() -> int:
    """The id of the newest event (0 before any): what changes whenever anything is done."""
    return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
