"""Pages for visitors who are not signed in, kept for a few seconds and served to all alike.

Most requests to an open venture are people reading it without an account: the books, the
tasks, the decisions. What such a visitor sees is the same for every visitor, so the page
drawn for one can be served to the next for ``COMMONSHARE_PAGE_CACHE_SECONDS`` (5 by
default; 0 turns it off). A visitor's page is then at most that many seconds old; a member
who is signed in never gets a visitor's page (their own pages are kept apart, for their
browser only and only until anything changes: ``web.memberpages``).

This is Django's own per-site cache (``django.middleware.cache``), narrowed:

- a request that carries a session or message cookie, or an ``Authorization`` header, is
  neither served from the cache nor stored in it: it may be a member's, and it may show
  what only they see (their bell, a message after a form);
- Django's middleware also tells browsers and proxies they may keep the page; here they are
  told nothing of the kind, because the same address shows another page once the visitor
  signs in, and a browser keeping the signed-out one would show it to them.

Everything else is Django's: only ``GET`` and ``HEAD``, only 200 responses, never one that
sets a cookie in answer to a request without one (the sign-in form's CSRF cookie), and the
key follows the ``Vary`` headers (language, cookies).
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.middleware.cache import FetchFromCacheMiddleware, UpdateCacheMiddleware

KEY_PREFIX = "commonshare.page"
CACHE = "pages"  # settings.CACHES: this process's memory, or Redis when one is configured


def seconds() -> int:
    """How long a visitor's page is kept (0: not at all)."""
    return int(getattr(settings, "COMMONSHARE_PAGE_CACHE_SECONDS", 0))


def may_share(request: HttpRequest) -> bool:
    """True when ``request`` is a visitor's whose page is the same as every visitor's."""
    if seconds() <= 0 or request.method not in ("GET", "HEAD"):
        return False
    if request.headers.get("Authorization"):
        return False
    cookies = request.COOKIES
    return settings.SESSION_COOKIE_NAME not in cookies and "messages" not in cookies


def _unkept(response: HttpResponseBase) -> HttpResponseBase:
    """Take off the headers that would let a browser keep the page (see the module's note)."""
    for header in ("Expires", "Cache-Control", "Age"):
        if header in response:
            del response[header]
    return response


class KeepVisitorPages(UpdateCacheMiddleware):
    """Stores a visitor's page after it is drawn (placed before the session middleware)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        super().__init__(get_response)
        self.key_prefix = KEY_PREFIX
        self.cache_alias = CACHE

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase | str
    ) -> HttpResponseBase | str:
        if not may_share(request):
            return response
        if not isinstance(response, HttpResponseBase):
            return response
        shown_before = {h: response[h] for h in ("Expires", "Cache-Control") if h in response}
        self.cache_timeout = seconds()
        # Django's middleware patches the headers, then stores the page with them; the
        # stored copy is cleaned when served (ServeVisitorPages), this one here.
        kept = super().process_response(request, response)
        if not isinstance(kept, HttpResponseBase):
            return kept
        _unkept(kept)
        for header, value in shown_before.items():
            kept[header] = value
        return kept


class ServeVisitorPages(FetchFromCacheMiddleware):
    """Answers a visitor from the kept page when there is one (placed after the locale
    middleware, whose language is part of the key)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        super().__init__(get_response)
        self.key_prefix = KEY_PREFIX
        self.cache_alias = CACHE

    def process_request(self, request: HttpRequest) -> HttpResponse | None:
        if not may_share(request):
            request._cache_update_cache = False  # type: ignore[attr-defined]
            return None
        found = super().process_request(request)
        if found is not None:
            _unkept(found)
        return found
