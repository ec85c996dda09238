"""Mail to members: the verification link and the password-reset link.

``send`` is the one place a message leaves (through Django's configured backend: SMTP
when ``COMMONSHARE_EMAIL_HOST`` is set, else the console). It runs in the request for
now; moving delivery to a background worker changes only ``send``.

A new member's verification link goes out after the join commits, from an audit
subscriber (``on_joined``), so the web page, the API and the CLI all send it alike.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.urls import reverse

from commonshare.audit.models import AuditEvent
from commonshare.community.models import Member
from commonshare.community.rules import ensure_may_act
from commonshare.community.tokens import reset_tokens, uid_of, verification_tokens
from commonshare.community.vocab import normalise_email
from commonshare.errors import Conflict

log = logging.getLogger(__name__)


def send(*, to: str, subject: str, body: str) -> None:
    """Send one plain-text message now (the one place mail leaves the site)."""
    EmailMessage(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[to]).send()


def link(path: str) -> str:
    """An absolute link to ``path`` on the site's public address."""
    return settings.COMMONSHARE_PUBLIC_URL.rstrip("/") + path


def verification_link(member: Member) -> str:
    token = verification_tokens.make_token(member)
    return link(reverse("web:verify_email", args=[uid_of(member), token]))


def reset_link(member: Member) -> str:
    token = reset_tokens.make_token(member)
    return link(reverse("web:password_reset_confirm", args=[uid_of(member), token]))


def send_verification(member: Member) -> None:
    """Mail ``member`` a link that verifies their address; refused once it is verified,
    and for a member who left."""
    ensure_may_act(member, doing="ask for a link that verifies your address")
    if member.email_verified_at is not None:
        raise Conflict("Your email address is already verified.")
    hours = settings.PASSWORD_RESET_TIMEOUT // 3600
    send(
        to=member.email,
        subject="Verify your email address for Commonshare",
        body=(
            f"Hello {member.display_name},\n\n"
            f"To verify that this address is yours, open this link within {hours} hours:\n\n"
            f"{verification_link(member)}\n\n"
            "If you did not join, ignore this message: nothing happens without the link.\n"
        ),
    )


def send_password_reset(email: str) -> None:
    """Mail a reset link to the member with ``email``, if there is one who may sign in.

    Says nothing either way, so that nobody learns from it who is a member.
    """
    member = Member.objects.filter(email=normalise_email(email), is_active=True).first()
    if member is None or not member.has_usable_password():
        return
    hours = settings.PASSWORD_RESET_TIMEOUT // 3600
    send(
        to=member.email,
        subject="Choose a new password for Commonshare",
        body=(
            f"Hello {member.display_name},\n\n"
            "Someone asked to reset the password of this account. To choose a new one, "
            f"open this link within {hours} hours (it works once):\n\n"
            f"{reset_link(member)}\n\n"
            "If it was not you, ignore this message: your password stays as it is.\n"
        ),
    )


def on_joined(event: AuditEvent) -> None:
    """Audit subscriber: a member who just joined gets their verification link."""
    if event.code != "community.member.joined":
        return
    member = Member.objects.filter(pk=event.target_id).first()
    if member is not None and member.email_verified_at is None:
        send_verification(member)
