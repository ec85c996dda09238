"""API tokens: make one (with the session, a token, or email and password), list, revoke."""

import datetime as dt
from typing import Any

from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_logged_in
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from commonshare.apikit import (
    E401,
    E404,
    E422,
    E429,
    WRITE,
    PathId,
    StrictIn,
    Text,
    paged,
)
from commonshare.community import selectors, services
from commonshare.community.auth import acting_member, any_member_auth, member_auth
from commonshare.community.models import ApiToken
from commonshare.community.vocab import EMAIL_MAX, PASSWORD_MAX, TOKEN_NAME_MAX, normalise_email
from commonshare.errors import CommonshareError

router = Router(tags=["tokens"])


class WrongCredentialsError(CommonshareError):
    status = 401


class TokenIn(StrictIn):
    name: Text = Field(min_length=1, max_length=TOKEN_NAME_MAX)


class LoginIn(StrictIn):
    email: Text = Field(min_length=1, max_length=EMAIL_MAX)
    password: Text = Field(min_length=1, max_length=PASSWORD_MAX)
    name: Text = Field("api", min_length=1, max_length=TOKEN_NAME_MAX)


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None


class NewTokenOut(TokenOut):
    token: str


def _created(token: ApiToken, raw: str) -> NewTokenOut:
    return NewTokenOut(
        id=token.pk,
        name=token.name,
        prefix=token.prefix,
        created_at=token.created_at,
        last_used_at=token.last_used_at,
        token=raw,
    )


@router.post("/tokens", auth=any_member_auth, response={201: NewTokenOut, **WRITE})
def create_token(request: HttpRequest, payload: TokenIn) -> Status[Any]:
    """Make a bearer token for the calling member; the raw token is shown only here."""
    token, raw = services.create_token(acting_member(request), name=payload.name)
    return Status(201, _created(token, raw))


@router.get("/tokens", auth=member_auth, response={200: list[TokenOut], **E401, **E422})
@paged
def list_tokens(request: HttpRequest) -> QuerySet[ApiToken]:
    """The calling member's tokens (never their raw values)."""
    return selectors.tokens_of(acting_member(request))


@router.delete("/tokens/{token_id}", auth=any_member_auth, response={204: None, **WRITE, **E404})
def revoke_token(request: HttpRequest, token_id: PathId) -> Status[Any]:
    services.revoke_token(acting_member(request), token_id)
    return Status(204, None)


@router.post("/auth/token", response={201: NewTokenOut, **E401, **E422, **E429})
def login_for_token(request: HttpRequest, payload: LoginIn) -> Status[Any]:
    """Exchange email and password for a new bearer token (no session needed)."""
    member = authenticate(
        request, username=normalise_email(payload.email), password=payload.password
    )
    if member is None:
        raise WrongCredentialsError("Wrong email or password.")
    # a sign-in like the web's, though it makes no session: it clears the count of wrong
    # passwords (see community.lockout) and notes the time of the last sign-in
    user_logged_in.send(sender=type(member), request=request, user=member)
    token, raw = services.create_token(member, name=payload.name)
    return Status(201, _created(token, raw))
