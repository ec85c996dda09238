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

- a page whose seconds are up is kept a while longer (``GRACE_SECONDS``): the first
  visitor after that draws it afresh, and those who come while it is being drawn are
  served the copy before it, at once, instead of each drawing their own;
- when no copy is kept at all, the first visitor draws it and those who come meanwhile
  wait for that one copy (``web.flights``), instead of drawing it side by side.

So a visitor's page is at most that many seconds old, or, while a fresh copy is being
drawn, the copy before it.

Everything else is Django's: only ``GET`` and ``HEAD``, only 200 responses, never one that
sets a cookie in answer to a request without one (the sign-in form's CSRF cookie), and the
key follows the ``Vary`` headers (language, cookies).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar, cast

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.middleware.cache import FetchFromCacheMiddleware, UpdateCacheMiddleware
from django.utils import translation

from commonshare.web.flights import FLIGHTS, WAIT_SECONDS

Response = TypeVar("Response", bound=HttpResponseBase)

KEY_PREFIX = "commonshare.page"
CACHE = "pages"  # settings.CACHES: this process's memory, or Redis when one is configured
GRACE_SECONDS = 300
"""How long past its seconds a copy is still served while a fresh one is drawn."""
FRESH_UNTIL = "_commonshare_fresh_until"  # on a kept response: when its seconds are up
LEADING = "_commonshare_leading"  # on a request: the flight it leads, to land when done


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


def _flight_key(request: HttpRequest) -> str:
    return f"{KEY_PREFIX}.{translation.get_language()}.{request.get_full_path()}"


def _now() -> float:
    return time.time()


def _fresh(response: HttpResponseBase) -> bool:
    return _now() < getattr(response, FRESH_UNTIL, 0.0)


def _unkept(response: Response) -> Response:
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

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        try:
            # the app is served by WSGI only: never the awaitable
            return cast(HttpResponseBase, super().__call__(request))
        finally:
            # after the page is kept (or turned down), so the waiters find it
            leading = getattr(request, LEADING, None)
            if leading is not None:
                FLIGHTS.land(leading)

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase | str
    ) -> HttpResponseBase | str:
        if not may_share(request):
            return response
        if not isinstance(response, HttpResponseBase):
            return response
        shown_before = {h: response[h] for h in ("Expires", "Cache-Control") if h in response}
        self.cache_timeout = seconds() + GRACE_SECONDS
        setattr(response, FRESH_UNTIL, _now() + seconds())
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
        flight = _flight_key(request)
        found = super().process_request(request)
        if found is None:
            return self._after_the_lead(request, flight)
        if _fresh(found) or FLIGHTS.join(flight) is not None:
            # fresh, or out of date while another request draws the fresh copy
            return _unkept(found)
        setattr(request, LEADING, flight)
        request._cache_update_cache = True  # type: ignore[attr-defined]
        return None

    def _after_the_lead(self, request: HttpRequest, flight: str) -> HttpResponse | None:
        """Nothing is kept: lead the drawing, or wait for the one under way and take its
        copy. None: this request draws the page."""
        under_way = FLIGHTS.join(flight)
        if under_way is None:
            setattr(request, LEADING, flight)
            return None
        under_way.wait(WAIT_SECONDS)
        found = super().process_request(request)
        # nothing kept after all (a page that is never kept): this request draws its own
        return None if found is None else _unkept(found)
