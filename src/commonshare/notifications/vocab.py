"""The notifications app's words: kinds of notification, how each may be mailed, and
the states a mail goes through.

Models, services, schemas, forms and the CLI read them from here.
"""

from __future__ import annotations

from django.db import models

# --- kinds ------------------------------------------------------------------------------

REVIEW_DRAWN = "review_drawn"
APPROVAL_DRAWN = "approval_drawn"
REPLY = "reply"
MENTION = "mention"
TASK_COMMENT = "task_comment"
VOTE_OPENED = "vote_opened"
VOTE_CLOSING = "vote_closing"
DISTRIBUTION_PROPOSED = "distribution_proposed"
DISTRIBUTION_POSTED = "distribution_posted"
EXPENSE_DECIDED = "expense_decided"
TRUST_LEVEL_CHANGED = "trust_level_changed"

KINDS: dict[str, str] = {
    REVIEW_DRAWN: "You were drawn to review a contribution",
    APPROVAL_DRAWN: "You were drawn to approve an expense claim",
    REPLY: "Someone replied to your comment",
    MENTION: "Someone mentioned you",
    TASK_COMMENT: "A task you claimed got a comment",
    VOTE_OPENED: "A proposal you can vote on opened",
    VOTE_CLOSING: "A proposal you can vote on closes within a day",
    DISTRIBUTION_PROPOSED: "A distribution that pays you is open for challenge",
    DISTRIBUTION_POSTED: "A distribution that pays you was posted",
    EXPENSE_DECIDED: "Your expense claim was decided",
    TRUST_LEVEL_CHANGED: "Your trust level rose or fell",
}
"""Every kind, with the words the preferences page and the mail use for it."""

KIND_MAX = 40

# --- how a kind is mailed ------------------------------------------------------------


class Delivery(models.TextChoices):
    IMMEDIATELY = "immediately", "By e-mail at once"
    DAILY = "daily", "In a daily e-mail digest"
    OFF = "off", "Not by e-mail (only in the app)"


DEFAULT_DELIVERY = Delivery.IMMEDIATELY
DELIVERY_MAX = 20

# --- a mail's life -------------------------------------------------------------------


class MailState(models.TextChoices):
    QUEUED = "queued", "waiting for the worker"
    SENDING = "sending", "handed to the mail server"
    SENT = "sent", "sent"
    SKIPPED = "skipped", "not sent: the member turned this mail off"
    FAILED = "failed", "not sent: the mail server refused it each time"


MAIL_STATE_MAX = 20

LEASE_SECONDS = 300
"""How long a mail may stay "sending" before the sweep takes its worker for dead and
sends it again (``COMMONSHARE_MAIL_LEASE_SECONDS`` overrides it)."""

DIGEST_EVERY_HOURS = 24
"""A member's daily digest goes out at most this often."""

CLOSING_WITHIN_HOURS = 24
"""A proposal "closes soon" once its vote ends within this many hours."""

SENTENCE_MAX = 300
LINK_MAX = 300
PAGE_SIZE = 30
"""Notifications on one page."""
