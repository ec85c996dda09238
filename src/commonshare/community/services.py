"""Every write to members and tokens: one transaction each, with its audit row."""

from __future__ import annotations

import hashlib
import secrets
import zoneinfo
from dataclasses import dataclass
from functools import cache
from typing import IO

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from commonshare.audit.actions import action
from commonshare.audit.services import record
from commonshare.community import avatars
from commonshare.community.models import ApiToken, Avatar, Member
from commonshare.community.rules import ensure_may_act
from commonshare.community.tokens import member_of_uid, verification_tokens
from commonshare.community.vocab import (
    AVAILABILITY_MAX,
    BIO_MAX,
    DISPLAY_NAME_MAX,
    LINK_MAX,
    LINKS_MAX,
    PRONOUNS_MAX,
    SKILL_MAX,
    SKILLS_MAX,
    TOKEN_NAME_MAX,
    TOKEN_PREFIX_LENGTH,
    normalise_email,
)
from commonshare.core import names
from commonshare.errors import Conflict, InvalidInput, NotFound, Problems


@action
def join(*, email: str, display_name: str, password: str) -> Member:
    """Anyone may join: the account is a member at once, with no approval step."""
    email = normalise_email(email)
    display_name = names.tidy(display_name)
    problems = Problems()
    try:
        validate_email(email)
    except ValidationError:
        problems.add("email", "Enter a valid email address.")
    name_problem = display_name_problem(display_name)
    if name_problem:
        problems.add("display_name", name_problem)
    try:
        validate_password(password)
    except ValidationError as error:
        problems.add("password", " ".join(error.messages))
    problems.raise_any()
    if Member.objects.filter(email=email).exists():
        raise Conflict("An account with this email already exists.", field="email")
    _ensure_name_free(display_name)
    try:
        with transaction.atomic():
            member = Member.objects.create_user(email, password, display_name=display_name)
            record("community.member.joined", member, actor=member)
            _recheck_name(member)
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


def display_name_problem(name: str) -> str | None:
    """Why ``name`` (tidied) cannot be anyone's display name, in a sentence; else None.

    The one rule of sign-up, profile edits, the API and the CLI, with
    ``display_name_taken``: the length, then the characters (``commonshare.core.names``)."""
    return _name_shape_problem(name)


def display_name_taken(name: str, *, member: Member | None = None) -> str | None:
    """Why another current member's name stands in the way of ``name``; else None.

    Taken means the same after NFKC and case folding, or the same to the eye (look-alike
    letters). Names shared before this rule existed are left as they were: only a new
    choice of name is checked, so the migration that added the rule broke no account."""
    if member is not None and names.fold_key(name) == member.name_fold:
        return None  # their own name, in another case or spacing: nobody else's
    return _taken_by_others(name, None if member is None else member.pk)


def _taken_by_others(name: str, exclude_pk: int | None) -> str | None:
    others = Member.objects.filter(left_at__isnull=True, is_active=True)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    if others.filter(name_fold=names.fold_key(name)).exists():
        return "Another member already has this display name. Choose another."
    _fold, look, shape = names.keys(name)
    if others.filter(Q(name_look=look) | Q(name_shape=shape)).exists():
        return (
            "This display name looks the same as another member's, so people could take "
            "one of you for the other. Choose another."
        )
    return None


def _ensure_name_free(name: str, *, member: Member | None = None) -> None:
    taken = display_name_taken(name, member=member)
    if taken:
        raise Conflict(taken, field="display_name")


def _recheck_name(member: Member) -> None:
    """Asked again after the audit row is written: ``record`` holds the chain's lock until
    the commit, so two members choosing one name at the same moment are checked in turn,
    and the second is refused (its transaction rolls back)."""
    taken = _taken_by_others(member.display_name, member.pk)
    if taken:
        raise Conflict(taken, field="display_name")


def _name_shape_problem(name: str) -> str | None:
    if not name:
        return "Choose a display name."
    if len(name) > DISPLAY_NAME_MAX:
        return f"A display name has at most {DISPLAY_NAME_MAX} characters."
    return names.name_problem(name)


@dataclass(frozen=True)
class ProfileInput:
    """What a member may say about themself. ``None`` keeps what the profile has."""

    display_name: str | None = None
    bio: str | None = None
    pronouns: str | None = None
    skills: list[str] | None = None
    links: list[str] | None = None
    time_zone: str | None = None
    availability: str | None = None


@cache
def _time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


_URL = URLValidator(schemes=["http", "https"])


def _skills(raw: list[str], problems: Problems) -> list[str]:
    kept: list[str] = []
    seen: set[str] = set()
    for skill in (names.tidy(s) for s in raw):
        if not skill or skill.casefold() in seen:
            continue
        if len(skill) > SKILL_MAX:
            problems.add("skills", f"A skill has at most {SKILL_MAX} characters: “{skill}”.")
        seen.add(skill.casefold())
        kept.append(skill)
    if len(kept) > SKILLS_MAX:
        problems.add("skills", f"List at most {SKILLS_MAX} skills; there are {len(kept)}.")
    return kept


def _links(raw: list[str], problems: Problems) -> list[str]:
    kept = [link.strip() for link in raw if link.strip()]
    if len(kept) > LINKS_MAX:
        problems.add("links", f"List at most {LINKS_MAX} links; there are {len(kept)}.")
    for link in kept:
        try:
            if len(link) > LINK_MAX:
                raise ValidationError("too long")
            _URL(link)
        except ValidationError:
            problems.add(
                "links",
                f"Each link must be a full web address starting with http:// or https:// "
                f"(at most {LINK_MAX} characters); “{link[:60]}” is not.",
            )
    return list(dict.fromkeys(kept))


def _short_texts(given: ProfileInput, values: dict[str, object], problems: Problems) -> None:
    for field, limit, words in (
        ("pronouns", PRONOUNS_MAX, "Pronouns"),
        ("availability", AVAILABILITY_MAX, "Availability"),
    ):
        text = getattr(given, field)
        if text is None:
            continue
        values[field] = tidied = names.tidy(text)
        if len(tidied) > limit:
            problems.add(field, f"{words}: at most {limit} characters, please.")
        elif names.hidden_character(tidied):
            problems.add(field, f"{words}: plain text only, without invisible characters.")


def _checked_profile(member: Member, given: ProfileInput) -> dict[str, object]:
    """The profile's new values, or every problem with them at once (InvalidInput)."""
    problems = Problems()
    values: dict[str, object] = {}
    if given.display_name is not None:
        values["display_name"] = names.tidy(given.display_name)
        name_problem = display_name_problem(str(values["display_name"]))
        if name_problem:
            problems.add("display_name", name_problem)
    if given.bio is not None:
        if len(given.bio) > BIO_MAX:
            problems.add("bio", f"A profile has at most {BIO_MAX} characters.")
        values["bio"] = given.bio
    _short_texts(given, values, problems)
    if given.skills is not None:
        values["skills"] = _skills(given.skills, problems)
    if given.links is not None:
        values["links"] = _links(given.links, problems)
    if given.time_zone is not None:
        zone = given.time_zone.strip()
        if zone and zone not in _time_zones():
            problems.add(
                "time_zone",
                f"The time zone “{zone[:60]}” is not one we know. Use a name such as "
                "Europe/Lisbon or America/New_York (capitals matter).",
            )
        values["time_zone"] = zone
    problems.raise_any()
    return values


@action
def update_profile(
    member: Member,
    given: ProfileInput | None = None,
    *,
    display_name: str | None = None,
    bio: str | None = None,
) -> Member:
    """Change what the profile says; fields left ``None`` keep their value."""
    ensure_may_act(member, doing="edit your profile")
    if given is None:
        given = ProfileInput(display_name=display_name, bio=bio)
    values = _checked_profile(member, given)
    renamed = "display_name" in values and names.fold_key(str(values["display_name"])) != (
        member.name_fold
    )
    if renamed:
        _ensure_name_free(str(values["display_name"]), member=member)
    with transaction.atomic():
        for field, value in values.items():
            setattr(member, field, value)
        member.save(update_fields=list(values) or ["display_name"])
        record("community.member.updated", member, actor=member, fields=sorted(values))
        if renamed:
            _recheck_name(member)
    return member


@action
def set_avatar(member: Member, upload: IO[bytes], *, size: int | None = None) -> Avatar:
    """Replace the member's picture with the upload, checked and re-encoded (``avatars``)."""
    ensure_may_act(member, doing="change your picture")
    picture = avatars.reencode(upload, size=size)
    with transaction.atomic():
        avatar, _ = Avatar.objects.update_or_create(
            member=member,
            defaults={
                "image": picture.data,
                "content_type": picture.content_type,
                "width": picture.width,
                "height": picture.height,
            },
        )
        record(
            "community.avatar.uploaded",
            member,
            actor=member,
            bytes=len(picture.data),
            width=picture.width,
            height=picture.height,
        )
    return avatar


@action
def remove_avatar(member: Member) -> Member:
    """Go back to the generated initials."""
    ensure_may_act(member, doing="change your picture")
    with transaction.atomic():
        removed, _ = Avatar.objects.filter(member=member).delete()
        if not removed:
            raise Conflict("You have no uploaded picture to remove.")
        record("community.avatar.removed", member, actor=member)
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
