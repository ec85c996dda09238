"""Reading notifications: a member's unread count, their notifications (keyset paged),
and how each kind is mailed to them."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.db.models import QuerySet

from commonshare import paging
from commonshare.audit.models import AuditEvent
from commonshare.notifications import vocab
from commonshare.notifications.models import Notification, Preference


def newest_ids() -> tuple[int, int]:
    """The ids of the newest audit event and of the newest notification (0 before any),
    in one query: together they change whenever anything a page shows may have."""
    quote = connection.ops.quote_name
    events, notifications = (quote(m._meta.db_table) for m in (AuditEvent, Notification))
    with connection.cursor() as cursor:
        newest = f"SELECT (SELECT MAX(id) FROM {events}), (SELECT MAX(id) FROM {notifications})"  # noqa: S608
        cursor.execute(newest)  # the tables' own names, never input
        event, notification = cursor.fetchone()
    return event or 0, notification or 0


def unread_count(member: Any) -> int:
    return Notification.objects.filter(recipient=member, read_at__isnull=True).count()


def notifications_of(member: Any, *, unread_only: bool = False) -> QuerySet[Notification]:
    """A member's notifications, the newest first."""
    found = Notification.objects.filter(recipient=member).order_by("-created_at", "-id")
    return found.filter(read_at__isnull=True) if unread_only else found


def page_of(
    member: Any,
    cursor: str | None,
    size: int = vocab.PAGE_SIZE,
    *,
    unread_only: bool = False,
) -> paging.Page[Notification]:
    return paging.page(notifications_of(member, unread_only=unread_only), cursor=cursor, size=size)


def preferences_of(member: Any) -> dict[str, str]:
    """How each kind is mailed to ``member``, every kind named (at once, unless chosen)."""
    chosen = dict(Preference.objects.filter(member=member).values_list("kind", "delivery"))
    return {kind: chosen.get(kind, vocab.DEFAULT_DELIVERY.value) for kind in vocab.KINDS}
