"""From a committed audit event to notifications, and to the mails due at once.

``on_event`` is an audit subscriber (``audit.actions.subscribe``): it runs after the
action's commit, so nobody hears of a write that was rolled back, and a failure here is
logged without touching the write. It makes at most one notification per event,
recipient and kind (a unique constraint: running it twice for one event adds nothing),
and for each made to a member who wants that kind mailed at once, one ``Mail`` queued
for the worker. No mail is ever sent here, in the request: the worker sends it
(``notifications.delivery``).

Notifications are derived records, like a search index: they are not audit events
themselves, and nothing a member decides depends on them.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from commonshare.audit.models import AuditEvent
from commonshare.community.models import Member
from commonshare.notifications import vocab
from commonshare.notifications.models import Mail, Notification, Preference
from commonshare.notifications.tasks import deliver_mail
from commonshare.notifications.triggers import Told, concerned


def on_event(event: AuditEvent) -> None:
    """Audit subscriber: tell the members ``event`` concerns."""
    told = concerned(event)
    if told:
        deliver_all(told, event=event)


def choices_of(member_ids: Iterable[int]) -> dict[tuple[int, str], str]:
    """Each (member, kind) a member chose a delivery for."""
    rows = Preference.objects.filter(member_id__in=set(member_ids))
    return {(row.member_id, row.kind): row.delivery for row in rows}


def deliver_all(told: list[Told], *, event: AuditEvent | None, about: str = "") -> list[Mail]:
    """Make the notifications ``told`` (once each), and queue the mails due at once.

    Returns the mails queued; their delivery tasks are enqueued after this commits.
    """
    current = set(
        Member.objects.filter(pk__in={t.recipient for t in told}, left_at__isnull=True).values_list(
            "pk", flat=True
        )
    )
    told = [t for t in told if t.recipient in current]
    choices = choices_of(current)
    with transaction.atomic():
        Notification.objects.bulk_create(
            [
                Notification(
                    recipient_id=t.recipient,
                    kind=t.kind,
                    event=event,
                    about=about,
                    sentence=t.sentence[: vocab.SENTENCE_MAX],
                    link=t.link[: vocab.LINK_MAX],
                    delivery=choices.get((t.recipient, t.kind), vocab.DEFAULT_DELIVERY),
                )
                for t in told
            ],
            ignore_conflicts=True,
        )
        made = Notification.objects.filter(
            recipient_id__in=current,
            delivery=vocab.Delivery.IMMEDIATELY,
            mail__isnull=True,
        )
        made = (
            made.filter(event=event)
            if event is not None
            else made.filter(event__isnull=True, about=about)
        )
        mails = []
        for notification in made.select_for_update():
            mail = Mail.objects.create(recipient_id=notification.recipient_id)
            notification.mail = mail
            notification.save(update_fields=["mail"])
            mails.append(mail)
        transaction.on_commit(lambda: enqueue([m.pk for m in mails]))
    return mails


def enqueue(mail_ids: Iterable[int]) -> None:
    """Hand each mail to the task queue (the worker sends it)."""
    for mail_id in mail_ids:
        deliver_mail.enqueue(mail_id)
