"""A member's notifications, their choices of what is mailed, and the mails themselves."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from commonshare.notifications import vocab

MEMBER = settings.AUTH_USER_MODEL


class Mail(models.Model):
    """One message to one member: a single notification's, or a daily digest.

    Its ``state`` is how delivery is made exactly once as far as the database can know
    (``notifications.delivery``): a worker claims it (``sending``) in one transaction,
    hands it to the mail server, and marks it ``sent`` in another.
    """

    State = vocab.MailState

    recipient = models.ForeignKey(MEMBER, on_delete=models.CASCADE, related_name="+")
    digest = models.BooleanField(default=False)
    state = models.CharField(
        max_length=vocab.MAIL_STATE_MAX, choices=State.choices, default=State.QUEUED
    )
    created_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(fields=["state", "claimed_at"], name="notifications_mail_due"),
            models.Index(
                fields=["recipient", "digest", "-created_at"], name="notifications_digest"
            ),
        ]

    def __str__(self) -> str:
        return f"mail {self.pk} to {self.recipient_id} ({self.state})"


class Notification(models.Model):
    """Something a member should hear about, made from one audit event.

    At most one per event, recipient and kind (a constraint, so a subscriber that runs
    twice for the same event adds nothing).
    """

    recipient = models.ForeignKey(MEMBER, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=vocab.KIND_MAX)
    event = models.ForeignKey(
        "audit.AuditEvent", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # For notifications no event announced (a vote closing soon): what they are about,
    # written like a thread's subject ("proposal-3"), so each is made once too.
    about = models.CharField(max_length=vocab.LINK_MAX, blank=True, default="")
    sentence = models.CharField(max_length=vocab.SENTENCE_MAX)
    link = models.CharField(max_length=vocab.LINK_MAX, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    # How it is mailed, chosen by the member's preference when it was made: at once
    # (its own mail), in the daily digest (a digest mail once one is due), or not at all.
    delivery = models.CharField(max_length=vocab.DELIVERY_MAX, choices=vocab.Delivery.choices)
    mail = models.ForeignKey(
        Mail, null=True, blank=True, on_delete=models.SET_NULL, related_name="notifications"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "recipient", "kind"], name="notifications_once_per_event"
            ),
            models.UniqueConstraint(
                fields=["about", "recipient", "kind"],
                condition=models.Q(event__isnull=True),
                name="notifications_once_per_subject",
            ),
        ]
        indexes = [
            models.Index(fields=["recipient", "-created_at", "-id"], name="notifications_latest"),
            models.Index(
                fields=["recipient"],
                condition=models.Q(read_at__isnull=True),
                name="notifications_unread",
            ),
            models.Index(
                fields=["delivery", "recipient"],
                condition=models.Q(mail__isnull=True),
                name="notifications_digest_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id}"


class Preference(models.Model):
    """How one member wants one kind mailed; a kind with no row is mailed at once."""

    member = models.ForeignKey(MEMBER, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=vocab.KIND_MAX)
    delivery = models.CharField(max_length=vocab.DELIVERY_MAX, choices=vocab.Delivery.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["member", "kind"], name="notifications_one_choice")
        ]

    def __str__(self) -> str:
        return f"{self.member_id}: {self.kind} {self.delivery}"
