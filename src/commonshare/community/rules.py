"""Who may act: the one rule about members who left, used by every write.

A member who left may still read everything, sign in and out, make or revoke
their own API tokens, rejoin, and record or confirm a withdrawal of money the
commons owes them. Everything else that writes is refused until they rejoin.

Services call ``ensure_may_act`` first thing, so the web pages, the API and the
CLI all get the same refusal. The API's authentication and the web's
``LeftMemberMiddleware`` call the same function before a request body is even
read, so no write route can forget it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from commonshare.errors import Forbidden

if TYPE_CHECKING:
    from commonshare.community.models import Member


def may_act(member: Member) -> bool:
    """True while the member is in the community (has not left, or has rejoined)."""
    return member.left_at is None


def ensure_may_act(member: Member, *, doing: str = "do this") -> None:
    """Refuse (403) any write by a member who left; ``doing`` completes "rejoin to …"."""
    if not may_act(member):
        raise Forbidden(f"You left the community; rejoin to {doing}.")
