from __future__ import annotations

from typing import Any

from django.db import models

from commonshare.audit.models import AuditEvent


def record(code: str, target: models.Model, *, actor: Any = None, **data: Any) -> AuditEvent:
    """Write the audit row for ``code``; call inside the service's transaction."""
    return AuditEvent.objects.create(
        code=code,
        actor=actor,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        data=data,
    )
