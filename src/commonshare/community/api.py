"""Members over the API: sign up, public profiles, your own profile, leave and rejoin."""

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from commonshare.apikit import (
    E401,
    E403,
    E404,
    E409,
    E422,
    WRITE,
    PathId,
    StrictIn,
    Text,
    paged,
)
from commonshare.community import mail, selectors, services, tokens
from commonshare.community.auth import acting_member, any_member_auth, member_auth
from commonshare.community.models import Member
from commonshare.community.vocab import BIO_MAX, DISPLAY_NAME_MAX, EMAIL_MAX, PASSWORD_MAX
from commonshare.errors import InvalidInput

router = Router(tags=["members"])


class SignUpIn(StrictIn):
    email: Text = Field(min_length=1, max_length=EMAIL_MAX)
    display_name: Text = Field(min_length=1, max_length=DISPLAY_NAME_MAX)
    password: Text = Field(min_length=1, max_length=PASSWORD_MAX)


class ProfileIn(StrictIn):
    display_name: Text = Field(min_length=1, max_length=DISPLAY_NAME_MAX)
    bio: Text = Field("", max_length=BIO_MAX)


class ProfilePatchIn(StrictIn):
    display_name: Text | None = Field(None, min_length=1, max_length=DISPLAY_NAME_MAX)
    bio: Text | None = Field(None, max_length=BIO_MAX)


class MemberOut(Schema):
    """A public profile: never the email."""

    id: int
    display_name: str
    bio: str
    joined_at: dt.datetime
    left_at: dt.datetime | None


class OwnProfileOut(MemberOut):
    """Your own profile, with the email only you see."""

    email: str


@router.get("", response={200: list[MemberOut], **E422})
@paged
def list_members(request: HttpRequest) -> QuerySet[Member]:
    return selectors.members()


@router.post("", response={201: OwnProfileOut, **E409, **E422})
def sign_up(request: HttpRequest, payload: SignUpIn) -> Status[Any]:
    """Join the community. Then make a token with POST /api/auth/token."""
    member = services.join(
        email=payload.email, display_name=payload.display_name, password=payload.password
    )
    return Status(201, member)


@router.get("/me", auth=member_auth, response={200: OwnProfileOut, **E401})
def me(request: HttpRequest) -> Member:
    return acting_member(request)


@router.put("/me", auth=member_auth, response={200: OwnProfileOut, **WRITE})
def update_profile(request: HttpRequest, payload: ProfileIn) -> Member:
    return services.update_profile(
        acting_member(request), display_name=payload.display_name, bio=payload.bio
    )


@router.patch("/me", auth=member_auth, response={200: OwnProfileOut, **WRITE})
def patch_profile(request: HttpRequest, payload: ProfilePatchIn) -> Member:
    member = acting_member(request)
    return services.update_profile(
        member,
        display_name=member.display_name if payload.display_name is None else payload.display_name,
        bio=member.bio if payload.bio is None else payload.bio,
    )


@router.post(
    "/me/leave", auth=any_member_auth, response={200: OwnProfileOut, **E401, **E403, **E409}
)
def leave(request: HttpRequest) -> Member:
    """Step out: your claims are released and you are no longer drawn to review."""
    return services.leave(acting_member(request))


@router.post(
    "/me/rejoin", auth=any_member_auth, response={200: OwnProfileOut, **E401, **E403, **E409}
)
def rejoin(request: HttpRequest) -> Member:
    return services.rejoin(acting_member(request))


class VerifyIn(StrictIn):
    uid: Text = Field(min_length=1, max_length=64)
    token: Text = Field(min_length=1, max_length=128)


class ResetRequestIn(StrictIn):
    email: Text = Field(min_length=1, max_length=EMAIL_MAX)


class ResetConfirmIn(VerifyIn):
    password: Text = Field(min_length=1, max_length=PASSWORD_MAX)


class SentOut(Schema):
    detail: str


RESET_SENT = (
    "If the address belongs to an account, a link to choose a new password is on its way "
    "to it. The link works once, for three days."
)


@router.post("/me/verify-email", auth=member_auth, response={202: SentOut, **E401, **E403, **E409})
def resend_verification(request: HttpRequest) -> Status[Any]:
    """Mail yourself a fresh link that verifies your address (409 once it is verified)."""
    member = acting_member(request)
    mail.send_verification(member)
    return Status(202, {"detail": f"A new link is on its way to {member.email}."})


@router.post("/verify-email", response={200: OwnProfileOut, **E422})
def verify_email(request: HttpRequest, payload: VerifyIn) -> Member:
    """Verify an address with the ``uid`` and ``token`` of the link mailed to it."""
    return services.verify_email(uid=payload.uid, token=payload.token)


@router.post("/password-reset", response={202: SentOut, **E422})
def password_reset(request: HttpRequest, payload: ResetRequestIn) -> Status[Any]:
    """Mail a reset link; the answer is the same whether or not the address is a member's."""
    mail.send_password_reset(payload.email)
    return Status(202, {"detail": RESET_SENT})


@router.post("/password-reset/confirm", response={200: SentOut, **E422})
def password_reset_confirm(request: HttpRequest, payload: ResetConfirmIn) -> dict[str, str]:
    """Choose a new password with the ``uid`` and ``token`` of the reset link (works once)."""
    member = tokens.member_for_reset(payload.uid, payload.token)
    if member is None:
        raise InvalidInput(services.BAD_LINK, field="token")
    services.reset_password(member, password=payload.password)
    return {"detail": "Your new password is saved; the old one no longer works."}


@router.get("/{member_id}", response={200: MemberOut, **E404, **E422})
def get_member(request: HttpRequest, member_id: PathId) -> Member:
    return selectors.member(member_id)
