"""Sending a mail once: claim it, hand it to the mail server, mark it sent.

``deliver(mail_id)`` runs in the worker (the ``deliver_mail`` task), never in a request:

1. In one transaction, the mail's row is locked and claimed: ``queued`` (or ``sending``
   for longer than the lease, so its worker is taken for dead) becomes ``sending``, with
   the time and one more attempt. A mail already ``sent`` (or claimed by a live worker)
   is left alone, so a second task for the same mail, or the sweep's re-queue, sends
   nothing.
2. The message goes to the SMTP server. Its ``Message-ID`` is fixed by the mail's id.
3. In a second transaction it becomes ``sent``.

So the database says each mail is sent exactly once, and what reaches the inbox is that
too, except in one window, stated plainly: a worker killed (SIGKILL, power cut) after the
server answered "250 accepted" and before step 3 committed leaves the mail ``sending``;
after the lease the sweep sends it again, and the member gets it twice (with the same
Message-ID, which many mail programs fold into one). This is at-least-once delivery with
a window of a few milliseconds per mail. The other choice, marking it sent before handing
it over, would lose mail killed in the same window instead; a notification that is
never read is worse than one read twice. A kill anywhere else (before the claim, between
the claim and the server's answer, while waiting between mails) loses nothing and
duplicates nothing: the claimed mail is re-sent after the lease, the others were never
claimed.

A server that refuses the mail or is down puts it back in the queue (``queued``), for the
sweep to try again; after ``MAX_ATTEMPTS`` it is ``failed``.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from commonshare.community.models import Member
from commonshare.notifications import tokens, vocab
from commonshare.notifications.models import Mail, Notification, Preference

log = logging.getLogger(__name__)

SENT, NOTHING, SKIPPED, FAILED = "sent", "nothing to send", "skipped", "failed"
MAX_ATTEMPTS = 5


def lease() -> dt.timedelta:
    """How long a claimed mail may stay ``sending`` before it is taken for abandoned."""
    seconds = os.environ.get("COMMONSHARE_MAIL_LEASE_SECONDS", "")
    return dt.timedelta(seconds=float(seconds) if seconds else vocab.LEASE_SECONDS)


def stalled(now: dt.datetime | None = None) -> QuerySet[Mail]:
    """Mails a worker should have sent by now: claimed by one that died, or queued and
    not picked up (their task lost, or the server refused them)."""
    cutoff = (now or timezone.now()) - lease()
    return Mail.objects.filter(
        Q(state=Mail.State.SENDING, claimed_at__lt=cutoff)
        | Q(state=Mail.State.QUEUED, claimed_at__lt=cutoff)
        | Q(state=Mail.State.QUEUED, claimed_at__isnull=True, created_at__lt=cutoff)
    )


def deliver(mail_id: int) -> str:
    """Send mail ``mail_id`` if it is still due; say what was done."""
    claimed = _claim(mail_id)
    if isinstance(claimed, str):
        return claimed
    mail, notes = claimed
    try:
        compose(mail, notes).send()
    except Exception:
        log.exception("mail %s was not accepted by the mail server", mail_id)
        state = Mail.State.QUEUED if mail.attempts < MAX_ATTEMPTS else Mail.State.FAILED
        Mail.objects.filter(pk=mail.pk, state=Mail.State.SENDING).update(state=state)
        return FAILED
    Mail.objects.filter(pk=mail.pk, state=Mail.State.SENDING).update(
        state=Mail.State.SENT, sent_at=timezone.now()
    )
    return SENT


def _claim(mail_id: int) -> str | tuple[Mail, list[Notification]]:
    now = timezone.now()
    with transaction.atomic():
        mail = Mail.objects.select_for_update().select_related("recipient").filter(pk=mail_id)
        found = mail.first()
        if found is None:
            return NOTHING
        abandoned = (
            found.state == Mail.State.SENDING
            and found.claimed_at is not None
            and found.claimed_at < now - lease()
        )
        if found.state != Mail.State.QUEUED and not abandoned:
            return NOTHING
        notes = list(found.notifications.order_by("created_at", "id"))
        if not _still_wanted(found, notes):
            found.state = Mail.State.SKIPPED
            found.save(update_fields=["state"])
            return SKIPPED
        found.state, found.claimed_at = Mail.State.SENDING, now
        found.attempts += 1
        found.save(update_fields=["state", "claimed_at", "attempts"])
    return found, notes


def _still_wanted(mail: Mail, notes: list[Notification]) -> bool:
    """Whether the member still wants this mail: they may have left, or turned its kind
    off (an unsubscribe link) after it was queued."""
    member = mail.recipient
    if member.left_at is not None or not member.email or not notes:
        return False
    wanted = vocab.Delivery.DAILY if mail.digest else vocab.Delivery.IMMEDIATELY
    choices = dict(Preference.objects.filter(member=member).values_list("kind", "delivery"))
    return any(choices.get(n.kind, vocab.DEFAULT_DELIVERY) == wanted for n in notes)


# --- the message ----------------------------------------------------------------------


def absolute(path: str) -> str:
    return settings.COMMONSHARE_PUBLIC_URL.rstrip("/") + path


def unsubscribe_link(member_id: int, kind: str) -> str:
    return absolute(reverse("web:unsubscribe", args=[tokens.make(member_id, kind)]))


def compose(mail: Mail, notes: list[Notification]) -> EmailMessage:
    """The message for ``mail``: plain text, with a one-click unsubscribe link."""
    member: Member = mail.recipient
    if mail.digest:
        kind = tokens.EVERY_KIND
        subject = (
            "Your daily digest: 1 notification"
            if len(notes) == 1
            else f"Your daily digest: {len(notes)} notifications"
        )
        lines = [f"- {n.sentence}\n  {absolute(n.link)}" for n in notes]
        text = "Here is what happened for you since the last digest:\n\n" + "\n".join(lines)
        stop = "To stop every notification e-mail, open"
    else:
        note = notes[0]
        kind = note.kind
        subject = note.sentence if len(note.sentence) <= 120 else note.sentence[:119] + "…"
        text = f"{note.sentence}\n\nSee it here: {absolute(note.link)}"
        stop = f"To stop e-mails like this one ({vocab.KINDS[kind].lower()}), open"
    unsubscribe = unsubscribe_link(member.pk, kind)
    settings_link = absolute(reverse("web:notification_settings"))
    body = (
        f"Hello {member.display_name},\n\n{text}\n\n"
        f"-- \n{stop} {unsubscribe}\n"
        f"Choose what you get by e-mail: {settings_link}\n"
    )
    host = urlsplit(settings.COMMONSHARE_PUBLIC_URL).hostname or "localhost"
    return EmailMessage(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[member.email],
        headers={
            "Message-ID": f"<commonshare.mail.{mail.pk}@{host}>",
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )
