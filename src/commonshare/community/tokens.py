"""The links mailed to members: Django's token machinery, never a token of our own.

``verification_tokens`` makes the link that verifies an address: its hash includes the
address and ``email_verified_at``, so following it once (which sets that field) spends
it. Password reset uses Django's ``default_token_generator``, whose hash includes the
password hash and the last sign-in, so setting a new password spends the link too. Both
expire after ``PASSWORD_RESET_TIMEOUT`` seconds (Django's setting, three days by default).
"""

from __future__ import annotations

from django.contrib.auth.tokens import PasswordResetTokenGenerator, default_token_generator
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from commonshare.community.models import Member


class EmailVerificationTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "commonshare.community.tokens.EmailVerificationTokenGenerator"

    def _make_hash_value(self, user: Member, timestamp: int) -> str:
        verified = user.email_verified_at
        stamp = "" if verified is None else verified.replace(microsecond=0, tzinfo=None)
        return f"{user.pk}{user.email}{stamp}{timestamp}"


verification_tokens = EmailVerificationTokenGenerator()
reset_tokens = default_token_generator


def uid_of(member: Member) -> str:
    """The member's id as a link carries it."""
    return urlsafe_base64_encode(force_bytes(member.pk))


def member_of_uid(uid: str) -> Member | None:
    """The member a link's ``uid`` names, or None for one that names nobody."""
    try:
        pk = int(force_str(urlsafe_base64_decode(uid)))
    except (TypeError, ValueError, OverflowError):
        return None
    return Member.objects.filter(pk=pk).first()


def member_for_reset(uid: str, token: str) -> Member | None:
    """The member a password-reset link is for, if the link is genuine and unspent."""
    member = member_of_uid(uid)
    if member is None or not reset_tokens.check_token(member, token):
        return None
    return member
