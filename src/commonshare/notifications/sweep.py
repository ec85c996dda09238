"""What the worker does every minute for notifications (``commonshare.worker``).

Each job is safe to run any number of times, from any number of workers: it finds what
is due from the database and makes each thing once (the notifications' unique
constraints, the mails' claims).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from commonshare.core.words import long_datetime
from commonshare.decisions.models import Proposal
from commonshare.decisions.vocab import Stage
from commonshare.notifications import delivery, fanout, vocab
from commonshare.notifications.models import Mail, Notification
from commonshare.notifications.triggers import vote_opened


def requeue_stalled() -> int:
    """Hand the queue again every mail a dead worker claimed, or whose task was lost."""
    ids = list(delivery.stalled().values_list("pk", flat=True))
    fanout.enqueue(ids)
    return len(ids)


def send_digests(now: dt.datetime | None = None) -> int:
    """Queue a digest for each member with notifications waiting for one, unless their
    last digest went out less than a day ago."""
    now = now or timezone.now()
    since = now - dt.timedelta(hours=vocab.DIGEST_EVERY_HOURS)
    waiting = Notification.objects.filter(delivery=vocab.Delivery.DAILY, mail__isnull=True)
    recent = Mail.objects.filter(digest=True, created_at__gt=since).values("recipient_id")
    members = set(waiting.exclude(recipient_id__in=recent).values_list("recipient_id", flat=True))
    queued = []
    for member_id in sorted(members):
        with transaction.atomic():
            notes = list(waiting.filter(recipient_id=member_id).select_for_update().order_by("id"))
            if not notes:
                continue
            mail = Mail.objects.create(recipient_id=member_id, digest=True, created_at=now)
            Notification.objects.filter(pk__in=[n.pk for n in notes], mail__isnull=True).update(
                mail=mail
            )
            queued.append(mail.pk)
    fanout.enqueue(queued)
    return len(queued)


def closing_soon(now: dt.datetime | None = None) -> int:
    """Tell each member who may vote, and has not, that a proposal closes within a day."""
    now = now or timezone.now()
    soon = now + dt.timedelta(hours=vocab.CLOSING_WITHIN_HOURS)
    proposals = Proposal.objects.filter(
        Q(stage=Stage.OPEN, closes_at__gt=now, closes_at__lte=soon)
        | Q(stage=Stage.RUNOFF, runoff_closes_at__gt=now, runoff_closes_at__lte=soon)
    )
    made = 0
    for proposal in proposals:
        ends = proposal.closes_at
        if proposal.stage == Stage.RUNOFF and proposal.runoff_closes_at is not None:
            ends = proposal.runoff_closes_at
        phase = "runoff" if proposal.stage == Stage.RUNOFF else "vote"
        about = f"proposal-{proposal.number}:{phase}"
        if Notification.objects.filter(event__isnull=True, about=about).exists():
            continue
        rolled = proposal.roll.filter(phase=2 if proposal.stage == Stage.RUNOFF else 1)
        voted = set(rolled.values_list("member_id", flat=True))
        told = [
            one
            for one in vote_opened(
                proposal,
                vocab.VOTE_CLOSING,
                f"The vote on proposal {proposal.number}, “{proposal.title[:80]}”, closes "
                f"on {long_datetime(ends)} UTC, and you have not voted.",
            )
            if one.recipient not in voted
        ]
        fanout.deliver_all(told, event=None, about=about)
        made += 1
    return made
