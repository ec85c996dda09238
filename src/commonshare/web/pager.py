"""The web's side of keyset paging: the cursor from the address, links to the pages
either side that keep the list's filters, and the words on those links.

Pages are found by ``commonshare.paging``; a link is an ordinary ``<a href>``, so
paging works without JavaScript. A cursor the list did not hand out is a 400 page
(``views.common.domain_errors``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.utils.http import urlencode

from commonshare import paging

NEWEST_FIRST = ("← Newer", "Older →", "Newest")
IN_ORDER = ("← Previous", "Next →", "First page")


@dataclass(frozen=True)
class Pager:
    """The links under a list: each None when there is no page that way."""

    page: paging.Page[Any]
    previous_url: str | None
    next_url: str | None
    first_url: str | None
    previous_words: str
    next_words: str
    first_words: str
    label: str


def cursor_of(request: HttpRequest, param: str = "cursor") -> str | None:
    """The cursor in the address (``param`` names it when a page pages two lists)."""
    return request.GET.get(param) or None


def size_of(request: HttpRequest, default: int = paging.DEFAULT_SIZE) -> int:
    return paging.size_of(request.GET.get("size"), default)


def _link(request: HttpRequest, cursor: str | None, param: str) -> str:
    kept: list[tuple[str, str]] = [
        (k, v) for k, v in request.GET.items() if k != param and isinstance(v, str) and v
    ]
    if cursor is not None:
        kept.append((param, cursor))
    return f"?{urlencode(kept)}" if kept else request.path


def pager(
    request: HttpRequest,
    found: paging.Page[Any],
    *,
    label: str,
    words: tuple[str, str, str] = NEWEST_FIRST,
    param: str = "cursor",
) -> Pager:
    """Links for ``found``, keeping every other query parameter (the list's filters)."""
    back = found.previous_cursor
    ahead = found.next_cursor
    return Pager(
        page=found,
        previous_url=_link(request, back, param) if back else None,
        next_url=_link(request, ahead, param) if ahead else None,
        first_url=_link(request, None, param) if cursor_of(request, param) and back else None,
        previous_words=words[0],
        next_words=words[1],
        first_words=words[2],
        label=label,
    )


@dataclass(frozen=True)
class Slice:
    """Rows ``first`` to ``last`` (counting from 1) of ``count`` rows of a list that never
    changes (an entry's postings, a distribution's payouts): there an offset names the same
    rows for good, so it pages as well as a cursor. ``earlier`` and ``later`` are the
    offsets of the pages either side, None at the ends."""

    count: int
    first: int
    last: int
    earlier: int | None
    later: int | None
    earlier_url: str | None = None
    later_url: str | None = None


def start_of(request: HttpRequest, param: str, size: int) -> int:
    """The offset ``param`` asks for, down to a whole page (0 when missing or not a number)."""
    given = request.GET.get(param, "")
    start = int(given) if given.isdigit() else 0
    return start - start % size


def slice_of(
    start: int, shown: int, count: int, size: int, *, path: str | None = None,
    others: dict[str, int] | None = None, param: str = "from", anchor: str = "",
) -> Slice:  # fmt: skip
    """The slice of ``shown`` rows from ``start``; with ``path``, links to the pages either
    side. A link carries the page's ``others`` offsets and nothing else from the address:
    a slice may be drawn once and shown again for every address that names the same rows,
    so what else one visitor typed must not end up in everyone's links."""
    earlier = start - size if start else None
    later = start + size if start + size < count else None
    carried = sorted((name, offset) for name, offset in (others or {}).items() if name != param)

    def link(offset: int | None) -> str | None:
        if path is None or offset is None:
            return None
        kept = [(name, str(at)) for name, at in carried if at]
        if offset:
            kept.append((param, str(offset)))
        return (f"?{urlencode(sorted(kept))}" if kept else path) + anchor

    return Slice(count, start + 1, start + shown, earlier, later, link(earlier), link(later))
