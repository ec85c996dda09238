"""Who is calling the API: a bearer token, or the browser session (with its CSRF check).

It lives in ``community`` because it is the community's own rules: a token is a member's
(``community.services.member_for_token``) and a member who left may not write
(``community.rules``). The work and books routers import it as they import the
community's models; ``api/`` imports it to mount its own routers.
"""

from __future__ import annotations

from typing import Any, cast

from django.http import HttpRequest
from ninja.security import HttpBearer
from ninja.security import SessionAuth as NinjaSessionAuth

from commonshare.community.models import Member
from commonshare.community.rules import ensure_may_act
from commonshare.community.services import member_for_token

_READS = {"GET", "HEAD", "OPTIONS"}


class _Rule:
    """Writes by a member who left are refused (403) as soon as they are known.

    This runs before the request body is read, so every write route on
    ``member_auth`` follows ``community.rules`` even before its service does.
    """

    def __init__(self, *args: Any, after_leaving: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.after_leaving = after_leaving

    def checked(self, request: HttpRequest, member: Member | None) -> Member | None:
        if member is not None and not self.after_leaving and request.method not in _READS:
            ensure_may_act(member)
        return member


class TokenAuth(_Rule, HttpBearer):
    """``Authorization: Bearer cs_…`` with a token made by POST /api/tokens."""

    def authenticate(self, request: HttpRequest, token: str) -> Member | None:
        if not token or len(token) > 200:
            return None
        return self.checked(request, member_for_token(token))


class SessionAuth(_Rule, NinjaSessionAuth):
    """The signed-in browser session. Unsafe methods must carry the CSRF token.

    The CSRF check only runs for a signed-in session: a request with no
    credentials at all gets 401, not a CSRF 403.
    """

    def _get_key(self, request: HttpRequest) -> str | None:
        if not request.user.is_authenticated:
            return None
        return super()._get_key(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> Member | None:
        return self.checked(request, super().authenticate(request, key))


# Reads for any member; writes only by members who have not left (community.rules).
member_auth: list[Any] = [TokenAuth(), SessionAuth()]
# The few writes a member who left may still make: rejoin (and leave, which says they
# already left), their own tokens, and the answer to a payout recorded to them (whose
# service lets only the payee confirm or dispute it).
any_member_auth: list[Any] = [TokenAuth(after_leaving=True), SessionAuth(after_leaving=True)]


def acting_member(request: HttpRequest) -> Member:
    """The member an authenticated operation acts for."""
    return cast(Member, request.auth)  # type: ignore[attr-defined]
