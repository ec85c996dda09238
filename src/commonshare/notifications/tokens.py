"""Unsubscribe tokens: a member and a kind (or every kind), signed with the site's key.

A token says who asked to stop which mail; it carries no expiry, so the link in an old
mail still works, and no secret beyond the site's key, so a forged or altered token
fails ``read`` with a clear message (Django's signing, salted for this use only).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core import signing

from commonshare.errors import InvalidInput
from commonshare.notifications import vocab

SALT = "commonshare.notifications.unsubscribe"
EVERY_KIND = "*"


@dataclass(frozen=True)
class Unsubscribe:
    member_id: int
    kind: str  # a kind from vocab.KINDS, or EVERY_KIND


def make(member_id: int, kind: str = EVERY_KIND) -> str:
    return signing.dumps({"m": member_id, "k": kind}, salt=SALT, compress=True)


def read(token: str) -> Unsubscribe:
    """The request a token carries; ``InvalidInput`` for one this site did not sign."""
    refused = InvalidInput(
        "This unsubscribe link is not one this site sent, or it was changed on the way: "
        "nothing was changed. Choose what you get by e-mail on your notification settings "
        "page instead.",
        field="token",
    )
    try:
        content = signing.loads(token, salt=SALT)
    except signing.BadSignature as error:
        raise refused from error
    member, kind = content.get("m"), content.get("k")
    if not isinstance(member, int) or (kind != EVERY_KIND and kind not in vocab.KINDS):
        raise refused
    return Unsubscribe(member, kind)
