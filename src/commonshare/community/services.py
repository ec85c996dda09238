"""Every write to members and tokens: one transaction each, with its audit row."""

from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from commonshare.audit.actions import action
from commonshare.audit.services import record
from commonshare.community.models import ApiToken, Member
from commonshare.community.rules import ensure_may_act
from commonshare.community.tokens import member_of_uid, verification_tokens
from commonshare.community.vocab import (
    BIO_MAX,
    DISPLAY_NAME_MAX,
    TOKEN_NAME_MAX,
    TOKEN_PREFIX_LENGTH,
    normalise_email,
)
from commonshare.errors import Conflict, InvalidInput, NotFound, Problems


@action
def join(*, email: str, display_name: str, password: str) -> Member:
    """Anyone may join: the account is a member at once, with no approval step."""
    email = normalise_email(email)
    display_name = (display_name or "").strip()
    problems = Problems()
    try:
        validate_email(email)
    except ValidationError:
        problems.add("email", "Enter a valid email address.")
    if not display_name:
        problems.add("display_name", "Choose a display name.")
    elif len(display_name) > DISPLAY_NAME_MAX:
        problems.add("display_name", f"A display name has at most {DISPLAY_NAME_MAX} characters.")
    try:
        validate_password(password)
    except ValidationError as error:
        problems.add("password", " ".join(error.messages))
    problems.raise_any()
    if Member.objects.filter(email=email).exists():
        raise Conflict("An account with this email already exists.", field="email")
    try:
        with transaction.atomic():
            member = Member.objects.create_user(email, password, display_name=display_name)
            record("community.member.joined", member, actor=member)
    except IntegrityError:
        raise Conflict("An account with this email already exists.", field="email") from None
    return member


BAD_LINK = (
    "This link has expired, was already used, or was copied wrongly. "
    "Ask for a new one: each link works once, for a few days."
)


@action
def verify_email(*, uid: str, token: str) -> Member:
    """Mark the address verified when ``token`` is the link mailed to it (works once)."""
    found = member_of_uid(uid)
    with transaction.atomic():
        member = None if found is None else Member.objects.select_for_update().get(pk=found.pk)
        if member is None or not verification_tokens.check_token(member, token):
            raise InvalidInput(BAD_LINK, field="token")
        member.email_verified_at = timezone.now()
        member.save(update_fields=["email_verified_at"])
        record("community.member.email_verified", member, actor=member, email=member.email)
    return member


@action
def reset_password(member: Member, *, password: str) -> Member:
    """Set a forgotten password anew, from a reset link already checked by the caller."""
    try:
        validate_password(password, member)
    except ValidationError as error:
        raise InvalidInput(" ".join(error.messages), field="password") from None
    with transaction.atomic():
        locked = Member.objects.select_for_update().get(pk=member.pk)
        locked.set_password(password)
        locked.save(update_fields=["password"])
        record("community.member.password_reset", locked, actor=locked)
    member.password = locked.password
    return member


@action
def update_profile(member: Member, *, display_name: str, bio: str) -> Member:
    ensure_may_act(member, doing="edit your profile")
    display_name = (display_name or "").strip()
    if not display_name:
        raise InvalidInput("Choose a display name.", field="display_name")
    if len(display_name) > DISPLAY_NAME_MAX:
        raise InvalidInput(
            f"A display name has at most {DISPLAY_NAME_MAX} characters.", field="display_name"
        )
    if len(bio or "") > BIO_MAX:
        raise InvalidInput(f"A profile has at most {BIO_MAX} characters.", field="bio")
    with transaction.atomic():
        member.display_name = display_name
        member.bio = bio or ""
        member.save(update_fields=["display_name", "bio"])
        record("community.member.updated", member, actor=member)
    return member


@action
def leave(member: Member) -> Member:
    """Step out: no more claims or review draws; history and earnings stay."""
    with transaction.atomic():
        locked = Member.objects.select_for_update().get(pk=member.pk)
        if locked.left_at is not None:
            raise Conflict("You have already left the community.")
        locked.left_at = timezone.now()
        locked.save(update_fields=["left_at"])
        # Through the relation, so that community imports nothing of work (which imports it).
        status = locked.claimed_tasks.model.Status
        released = locked.claimed_tasks.filter(status=status.CLAIMED).update(
            status=status.OPEN, claimed_by=None
        )
        record("community.member.left", locked, actor=locked, released_tasks=released)
    member.left_at = locked.left_at
    return member


@action
def rejoin(member: Member) -> Member:
    with transaction.atomic():
        locked = Member.objects.select_for_update().get(pk=member.pk)
        if locked.left_at is None:
            raise Conflict("You are already a member.")
        locked.left_at = None
        locked.save(update_fields=["left_at"])
        record("community.member.rejoined", locked, actor=locked)
    member.left_at = None
    return member


def token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@action
def create_token(member: Member, *, name: str) -> tuple[ApiToken, str]:
    """Make an API token; the raw value is returned once and never stored."""
    name = (name or "").strip()
    if not name or len(name) > TOKEN_NAME_MAX:
        raise InvalidInput(f"Name the token (1 to {TOKEN_NAME_MAX} characters).", field="name")
    raw = "cs_" + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            member=member, name=name, digest=token_digest(raw), prefix=raw[:TOKEN_PREFIX_LENGTH]
        )
        record("community.token.created", token, actor=member)
    return token, raw


@action
def revoke_token(member: Member, token_id: int) -> None:
    with transaction.atomic():
        token = ApiToken.objects.filter(member=member, pk=token_id).first()
        if token is None:
            raise NotFound("No such token.")
        record("community.token.revoked", token, actor=member)
        token.delete()


def member_for_token(raw: str) -> Member | None:
    token = ApiToken.objects.select_related("member").filter(digest=token_digest(raw)).first()
    if token is None or not token.member.is_active:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token.member
