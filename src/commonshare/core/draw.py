"""Reviewer draw: a repeatable, uniform choice of k reviewers from a published seed.

Each eligible member gets a ticket ``sha256(seed, contribution, member)``; the
k members with the lowest tickets are drawn, lowest first. Because tickets are
independent and uniformly distributed, every k-subset is equally likely, and
because a ticket depends only on the seed and the two ids, the draw is the same
in any input order and anyone holding the seed can repeat it by hand::

    printf 'SEED\x1fCONTRIBUTION\x1fMEMBER' | sha256sum
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

SEPARATOR = "\x1f"  # ASCII unit separator: cannot occur in ids typed by people


def ticket(seed: str, contribution: str, member: str) -> str:
    """The hex ticket of ``member`` for ``contribution`` under ``seed``."""
    data = SEPARATOR.join((seed, contribution, member)).encode()
    return hashlib.sha256(data).hexdigest()


def draw_reviewers(
    seed: str, contribution: str, author: str, eligible: Iterable[str], k: int
) -> list[str]:
    """Draw up to ``k`` reviewers for ``contribution``; the author is never drawn."""
    if k < 0:
        raise ValueError("k must not be negative")
    candidates = {member for member in eligible if member != author}
    ranked = sorted(candidates, key=lambda member: (ticket(seed, contribution, member), member))
    return ranked[:k]
