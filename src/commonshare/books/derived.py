"""Values derived from the journal, cached by the journal's head.

The journal only grows, one sealed entry at a time, so its head (the newest entry's
sequence number and hash) names everything derived from it: totals, balances, charts,
the rendered tables of a page. A value cached under the head it was computed at is
right for as long as the head stays the same, and is never read again once an entry
posts (the key changes). A journal replaced by a restored backup has other hashes, so
its heads name other keys too.

Values go into Django's cache (``django.core.cache``: whatever ``CACHES`` says, shared by
every process that reads the same cache), each key also naming what else the value
depends on (``parts``: a distribution's id and status, the day, the language, ...).
``ledger_totals`` (``selectors.totals``) keeps its own incremental cache: it adds the new
entries' postings to the last totals instead of starting again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache

from commonshare import __version__
from commonshare.books import journal

T = TypeVar("T")

PREFIX = "commonshare.derived"
# Entries under an old head are never read again; the cache drops them after a day.
TIMEOUT = 24 * 60 * 60
_MISSING = object()


def head_key() -> str:
    """The journal's head as ``SEQ:HASH`` (one query)."""
    seq, digest = journal.head()
    return f"{seq}:{digest}"


def key_for(name: str, parts: tuple[object, ...], head: str) -> str:
    """The cache key of ``name`` with ``parts`` at ``head`` (hashed: any length, any text).

    The release is part of it: a new one may draw a part differently, and must not serve
    what the old one kept under the same head."""
    spelled = "\x1f".join([__version__, name, head, *(str(part) for part in parts)])
    return f"{PREFIX}:{name}:{hashlib.sha256(spelled.encode()).hexdigest()}"


def cached(
    name: str,
    compute: Callable[[], T],
    *,
    parts: tuple[object, ...] = (),
    head: str | None = None,
) -> T:
    """``compute()`` as cached at the journal's current head (or ``head``, if given).

    ``parts`` name whatever else the value depends on; the same name, parts and head
    always give the cached value, and a new entry in the journal a fresh one.
    """
    key = key_for(name, parts, head if head is not None else head_key())
    found = cache.get(key, _MISSING)
    if found is not _MISSING:
        return found  # type: ignore[no-any-return]
    value = compute()
    cache.set(key, value, TIMEOUT)
    return value
