"""Full-text search over tasks, contributions, comments, proposals, norms and members.

``index(record)``, ``remove(record)`` and ``search(query, kinds=None, cursor=None)`` are
the interface; SQLite's FTS5 or PostgreSQL's ``tsvector`` answers, chosen by the
connection's vendor (``commonshare.search.backends``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterable

    from django.db.models import Model

    from commonshare import paging
    from commonshare.search.selectors import Result

# The package is imported before Django's apps are ready, so these import on first use.


def index(record: Model) -> None:
    """Make ``record``'s entry current (or remove it, if it should not be found)."""
    from commonshare.search import indexing  # noqa: PLC0415

    indexing.index(record)


def remove(record: Model) -> None:
    """Take ``record`` out of the index."""
    from commonshare.search import indexing  # noqa: PLC0415

    indexing.remove(record)


def search(
    query: str, kinds: Iterable[str] | None = None, cursor: str | None = None, **options: Any
) -> paging.Page[Result]:
    """One page of results for ``query``, best first (``selectors.search``)."""
    from commonshare.search import selectors  # noqa: PLC0415

    return selectors.search(query, kinds, cursor, **options)
