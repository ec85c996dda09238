"""Reads of the audit log."""

from __future__ import annotations

from commonshare.audit.models import AuditEvent


def recent_activity(limit: int = 20) -> list[AuditEvent]:
    """The newest ``limit`` events, newest first, with their actors."""
    return list(AuditEvent.objects.select_related("actor").order_by("-id")[:limit])
