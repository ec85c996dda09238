"""Writes of notifications: mark read (one or all), choose how each kind is mailed, and
unsubscribe by a mailed link. Each is an action with one audit event.

Notifications themselves are made by the audit subscriber (``fanout``), and mails are
sent by the worker (``delivery``): both are effects of events, not writes of a member.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.utils import timezone

from commonshare.audit.actions import action, unchanged
from commonshare.audit.services import record
from commonshare.community import rules
from commonshare.community.models import Member
from commonshare.errors import InvalidInput, NotFound, Problems
from commonshare.notifications import selectors, tokens, vocab
from commonshare.notifications.models import Notification, Preference


@action
def mark_read(member: Member, notification_id: int) -> Notification:
    """Mark one of one's own notifications read (reading it twice changes nothing)."""
    rules.ensure_may_act(member, doing="mark notifications read")
    found = Notification.objects.filter(pk=notification_id, recipient=member).first()
    if found is None:
        raise NotFound(f"You have no notification {notification_id}.", field="notification")
    if found.read_at is not None:
        unchanged()
        return found
    found.read_at = timezone.now()
    found.save(update_fields=["read_at"])
    record("notifications.notification.read", found, actor=member, kind=found.kind)
    return found


@action
def mark_all_read(member: Member) -> int:
    """Mark every unread notification of one's own read; returns how many there were."""
    rules.ensure_may_act(member, doing="mark notifications read")
    unread = Notification.objects.filter(recipient=member, read_at__isnull=True)
    count = unread.update(read_at=timezone.now()) if unread.exists() else 0
    if count == 0:
        unchanged()
        return 0
    record("notifications.notification.all_read", member, actor=member, count=count)
    return count


def _delivery(value: object, kind: str) -> str:
    if value not in vocab.Delivery.values:
        raise InvalidInput(
            f"Choose how to hear that “{vocab.KINDS[kind].lower()}”: by e-mail at once, "
            "in a daily digest, or not by e-mail.",
            field=kind,
        )
    return str(value)


@action
def set_preferences(member: Member, choices: Mapping[str, str]) -> dict[str, str]:
    """Choose, for each kind named, how it is mailed: ``immediately``, ``daily`` or
    ``off``. Kinds not named keep their choice. Returns every kind's choice now."""
    rules.ensure_may_act(member, doing="choose what you get by e-mail")
    problems = Problems()
    for kind in choices:
        if kind not in vocab.KINDS:
            problems.add(kind, f"There is no kind of notification called “{kind}”.")
    checked = {
        kind: problems.check(_delivery, value, kind)
        for kind, value in choices.items()
        if kind in vocab.KINDS
    }
    problems.raise_any()
    before = selectors.preferences_of(member)
    changed = {kind: value for kind, value in checked.items() if before[kind] != value}
    if not changed:
        unchanged()
        return before
    _store(member, changed)
    record("notifications.preferences.changed", member, actor=member, changed=changed)
    return {**before, **changed}


@action
def unsubscribe(token: str) -> tuple[Member, list[str]]:
    """Turn off the mail a signed link names (one kind, or every kind) for its member.

    A forged or changed token is refused and changes nothing. Returns the member and the
    kinds turned off (none when they were off already).
    """
    asked = tokens.read(token)
    member = Member.objects.filter(pk=asked.member_id).first()
    if member is None:
        raise NotFound("This unsubscribe link names no member of this site.", field="token")
    kinds = list(vocab.KINDS) if asked.kind == tokens.EVERY_KIND else [asked.kind]
    before = selectors.preferences_of(member)
    changed = {kind: vocab.Delivery.OFF.value for kind in kinds if before[kind] != "off"}
    if not changed:
        unchanged()
        return member, []
    _store(member, changed)
    record("notifications.preferences.unsubscribed", member, actor=member, changed=changed)
    return member, list(changed)


def _store(member: Member, changed: Mapping[str, str]) -> None:
    for kind, value in changed.items():
        Preference.objects.update_or_create(member=member, kind=kind, defaults={"delivery": value})
