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


def long_datetime(moment: dt.datetime) -> str:
    """A moment in the same format, with the time of day: ``4 December 2026, 14:00``."""
    return f"{long_date(moment.date())}, {moment:%H:%M}"


def period_words(start: dt.date, end: dt.date) -> str:
    """A period as people name it: ``November 2026``, or ``October to December 2026``."""
    if (start.year, start.month) == (end.year, end.month):
        return f"{start:%B %Y}"
    if start.year == end.year:
        return f"{start:%B} to {end:%B %Y}"
    return f"{start:%B %Y} to {end:%B %Y}"
