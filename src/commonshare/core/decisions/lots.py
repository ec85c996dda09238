"""Lots drawn from the published seed: each option's ticket ``sha256(seed, option)``.

The lower ticket is the luckier one, as in the reviewer draw: a tie for the top goes to
the tied option with the lowest ticket, and a tie for elimination spares the lowest
ticket (the highest is eliminated). Anyone can draw a ticket by hand::

    printf 'SEED\\x1fOPTION' | sha256sum
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

SEPARATOR = "\x1f"  # ASCII unit separator, as in core.draw


def ticket(seed: str, option: str) -> str:
    """The hex lot ticket of ``option`` under ``seed``."""
    return hashlib.sha256(f"{seed}{SEPARATOR}{option}".encode()).hexdigest()


def tickets(seed: str, options: Iterable[str]) -> dict[str, str]:
    """Each option's ticket, by option name (so the published order is the options')."""
    return {option: ticket(seed, option) for option in sorted(options)}


def luckiest(seed: str, tied: Iterable[str]) -> str:
    """The tied option with the lowest ticket."""
    return min(tied, key=lambda option: (ticket(seed, option), option))


def unluckiest(seed: str, tied: Iterable[str]) -> str:
    """The tied option with the highest ticket."""
    return max(tied, key=lambda option: (ticket(seed, option), option))
