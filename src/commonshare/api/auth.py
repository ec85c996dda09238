"""Who is calling: a bearer token, or the browser session (with its CSRF check)."""

from __future__ import annotations

from typing import Any, cast

from django.http import HttpRequest
from ninja.security import HttpBearer
from ninja.security import SessionAuth as NinjaSessionAuth

from commonshare.community.models import Member
from commonshare.community.services import member_for_token


class TokenAuth(HttpBearer):
    """``Authorization: Bearer cs_…`` with a token made by POST /api/tokens."""

    def authenticate(self, request: HttpRequest, token: str) -> Member | None:
        if not token or len(token) > 200:
            return None
        return member_for_token(token)


class SessionAuth(NinjaSessionAuth):
    """The signed-in browser session. Unsafe methods must carry the CSRF token.

    The CSRF check only runs for a signed-in session: a request with no
    credentials at all gets 401, not a CSRF 403.
    """

    def _get_key(self, request: HttpRequest) -> str | None:
        if not request.user.is_authenticated:
            return None
        return super()._get_key(request)


member_auth: list[Any] = [TokenAuth(), SessionAuth()]


def acting_member(request: HttpRequest) -> Member:
    """The member an authenticated operation acts for."""
    return cast(Member, request.auth)  # type: ignore[attr-defined]
