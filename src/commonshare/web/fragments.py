"""Parts of pages rendered once and kept in the cache under the journal's head.

What a page derives from the journal (balances, a distribution's tables, charts) stays
the same until an entry posts, so its HTML is cached by ``books.derived``'s key: the
head, what else it depends on (``parts``) and the language. Members' display names are
the one thing shown in such a part that can change without an entry: each cached part
keeps the names it showed, and a part that shows a name no longer right is drawn again.
A name changes only by an action, which records an audit event, so the names (thousands,
at a large size) are read again, in one query, only when an event is newer than the last
time they were found right.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import Any

from django.core.cache import cache
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe

from commonshare.audit.selectors import newest_event_id
from commonshare.books import derived
from commonshare.community import selectors as community

# What a part's drawing returns: its HTML and the names it showed, by member id (string).
Drawn = tuple[str, Mapping[str, str]]


def names_of(members: Mapping[str, object]) -> dict[str, str]:
    """``{id: display name}`` of members as ``members_by_id`` returns them."""
    return {pk: str(getattr(member, "display_name", "")) for pk, member in members.items()}


def rendered(
    name: str, draw: Callable[[], Drawn], *, parts: tuple[object, ...], head: str
) -> SafeString:
    """The part ``name`` as cached at ``head``, or ``draw()`` when missing or out of date."""
    key = derived.key_for(name, (*parts, translation.get_language()), head)
    found = _near.get(key)
    if found is None:
        found = cache.get(key)
    newest = newest_event_id()
    if found is not None:
        shown = found["names"]
        if not shown or found.get("checked_at") == newest:
            _near.put(key, found)
            return mark_safe(str(found["html"]))  # noqa: S308 - our own template's output
        if community.display_names_by_id(set(shown)) == shown:
            _store(key, {**found, "checked_at": newest})
            return mark_safe(str(found["html"]))  # noqa: S308 - our own template's output
    html, names = draw()
    _store(key, {"names": dict(names), "html": str(html), "checked_at": newest})
    return mark_safe(html)  # noqa: S308 - our own template's output


def _store(key: str, part: dict[str, Any]) -> None:
    cache.set(key, part, derived.TIMEOUT)
    _near.put(key, part)


class _Near:
    """The last few parts this process read, by key, in front of the shared cache.

    A part under a key changes only when its names are found right again (``checked_at``)
    or it is drawn anew, and both go through ``_store``; another process doing either
    only saves this one a check. At a large size a part (the posted distributions, with
    the names of thousands of members paid) is half a megabyte to fetch and unpickle.
    """

    SIZE = 32

    def __init__(self) -> None:
        self._parts: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> dict[str, Any] | None:
        with self._lock:
            part = self._parts.get(key)
            if part is not None:
                self._parts.move_to_end(key)
            return part

    def put(self, key: str, part: dict[str, Any]) -> None:
        with self._lock:
            self._parts[key] = part
            self._parts.move_to_end(key)
            while len(self._parts) > self.SIZE:
                self._parts.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._parts.clear()


_near = _Near()


def forget_kept_parts() -> None:
    """Forget the parts this process keeps (the tests start each with none)."""
    _near.clear()
