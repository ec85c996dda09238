"""The community's words and limits: one place that models, services, API schemas, forms and
the CLI read them from."""

from __future__ import annotations

EMAIL_MAX = 254
"""The longest email address (RFC 5321's path limit, Django's ``EmailField`` default)."""
DISPLAY_NAME_MAX = 80
BIO_MAX = 4000
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
