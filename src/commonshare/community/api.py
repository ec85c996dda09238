"""Members over the API: sign up, public profiles, your own profile, leave and rejoin."""

import datetime as dt
from typing import Annotated, Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, File, Router, Schema, Status
from ninja.files import UploadedFile

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
from commonshare.community.vocab import (
    AVAILABILITY_MAX,
    BIO_MAX,
    DISPLAY_NAME_MAX,
    EMAIL_MAX,
    LINK_MAX,
    LINKS_MAX,
    PASSWORD_MAX,
    PRONOUNS_MAX,
    SKILL_MAX,
    SKILLS_MAX,
    TIME_ZONE_MAX,
)
from commonshare.errors import InvalidInput

router = Router(tags=["members"])


class SignUpIn(StrictIn):
    email: Text = Field(min_length=1, max_length=EMAIL_MAX)
    display_name: Text = Field(min_length=1, max_length=DISPLAY_NAME_MAX)
    password: Text = Field(min_length=1, max_length=PASSWORD_MAX)


Skill = Annotated[Text, Field(max_length=SKILL_MAX)]
Link = Annotated[Text, Field(max_length=LINK_MAX, description="An http:// or https:// address")]


class ProfileIn(StrictIn):
    display_name: Text = Field(min_length=1, max_length=DISPLAY_NAME_MAX)
    bio: Text = Field("", max_length=BIO_MAX, description="Markdown")
    pronouns: Text = Field("", max_length=PRONOUNS_MAX)
    skills: list[Skill] = Field(default_factory=list, max_length=SKILLS_MAX)
    links: list[Link] = Field(default_factory=list, max_length=LINKS_MAX)
    time_zone: Text = Field("", max_length=TIME_ZONE_MAX, description="e.g. Europe/Lisbon")
    availability: Text = Field("", max_length=AVAILABILITY_MAX, description="around 5 h/week")


class ProfilePatchIn(StrictIn):
    """Only the fields given change."""

    display_name: Text | None = Field(None, min_length=1, max_length=DISPLAY_NAME_MAX)
    bio: Text | None = Field(None, max_length=BIO_MAX, description="Markdown")
    pronouns: Text | None = Field(None, max_length=PRONOUNS_MAX)
    skills: list[Skill] | None = Field(None, max_length=SKILLS_MAX)
    links: list[Link] | None = Field(None, max_length=LINKS_MAX)
    time_zone: Text | None = Field(None, max_length=TIME_ZONE_MAX, description="e.g. Europe/Lisbon")
    availability: Text | None = Field(None, max_length=AVAILABILITY_MAX)


class MemberOut(Schema):
    """A public profile: never the email."""

    id: int
    display_name: str
    bio: str
    pronouns: str
    skills: list[str]
    links: list[str]
    time_zone: str
    availability: str
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


@router.put("/me", auth=member_auth, response={200: OwnProfileOut, **WRITE, **E409})
def update_profile(request: HttpRequest, payload: ProfileIn) -> Member:
    """Replace the whole profile (fields left out are emptied)."""
    return services.update_profile(
        acting_member(request), services.ProfileInput(**payload.model_dump())
    )


@router.patch("/me", auth=member_auth, response={200: OwnProfileOut, **WRITE, **E409})
def patch_profile(request: HttpRequest, payload: ProfilePatchIn) -> Member:
    """Change the fields given; the others keep their value."""
    return services.update_profile(
        acting_member(request), services.ProfileInput(**payload.model_dump())
    )


class AvatarOut(Schema):
    width: int
    height: int
    content_type: str
    url: str = Field(description="Where the re-encoded picture is served")


@router.post("/me/avatar", auth=member_auth, response={200: AvatarOut, **WRITE})
def upload_avatar(request: HttpRequest, avatar: File[UploadedFile]) -> dict[str, Any]:
    """Upload a picture as multipart form data (field ``avatar``): a PNG, JPEG, GIF or WebP
    image, re-encoded as PNG without its metadata; SVG and other files are refused."""
    member = acting_member(request)
    saved = services.set_avatar(member, avatar, size=avatar.size)
    return {
        "width": saved.width,
        "height": saved.height,
        "content_type": saved.content_type,
        "url": reverse("web:avatar", args=[member.pk]),
    }


@router.delete("/me/avatar", auth=member_auth, response={200: OwnProfileOut, **WRITE, **E409})
def remove_avatar(request: HttpRequest) -> Member:
    """Remove your picture: your initials show instead."""
    return services.remove_avatar(acting_member(request))


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
