"""Plain words for messages: one date format, and choices listed as people read them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable


def long_date(day: dt.date) -> str:
    """The one date format of messages: ``1 January 2025``."""
    return f"{day.day} {day:%B %Y}"


def one_of(labels: Iterable[str]) -> str:
    """Labels as a plain list, ``a, b or c``, each starting in lower case."""
    words = [label[:1].lower() + label[1:] for label in labels]
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} or {words[-1]}"
