"""The community's words and limits: one place that models, services, API schemas, forms and
the CLI read them from."""

from __future__ import annotations

EMAIL_MAX = 254
"""The longest email address (RFC 5321's path limit, Django's ``EmailField`` default)."""
DISPLAY_NAME_MAX = 80
BIO_MAX = 4000
NAME_KEY_MAX = 320
"""Room for a display name's comparison keys (NFKC can lengthen a name a few times)."""
PRONOUNS_MAX = 40
SKILL_MAX = 40
SKILLS_MAX = 20
"""How many skills a profile lists."""
LINK_MAX = 300
LINKS_MAX = 5
"""How many links a profile lists."""
TIME_ZONE_MAX = 64
AVAILABILITY_MAX = 60
AVATAR_MAX_BYTES = 2 * 1024 * 1024
"""The default largest avatar upload (settings.AVATAR_MAX_BYTES overrides it)."""
AVATAR_MAX_SIDE = 512
"""An avatar is scaled down to fit in a square of this many pixels."""
AVATAR_MAX_PIXELS = 40_000_000
"""Uploads claiming more pixels than this are refused before decoding (decompression bombs)."""
TOKEN_NAME_MAX = 80
TOKEN_PREFIX_LENGTH = 8
"""How much of a raw token is kept to recognise it by (``cs_`` and five characters)."""
TOKEN_DIGEST_LENGTH = 64
"""A token's SHA-256, in hex: all that is stored of it."""
PASSWORD_MAX = 4096
"""The longest password an API body may carry (no hasher needs more)."""


def normalise_email(text: str | None) -> str:
    """An email as the members' table keeps it: "  Ana@Example.ORG " and "ana@example.org"
    are one account. Every door (sign-up, sign-in, the lockout count, the API, the CLI's
    ``--as``) finds a member through this one function."""
    return (text or "").strip().lower()
