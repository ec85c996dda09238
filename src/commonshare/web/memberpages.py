"""A signed-in member's pages, kept for their own browser until anything changes.

A member who reloads a page, or comes back to it, would otherwise have it drawn again
though nothing it shows has changed. Here the page drawn for them is kept for up to
``COMMONSHARE_MEMBER_PAGE_SECONDS`` (60 by default; 0 turns it off) under a key made of:

- their session and CSRF cookie, so the page (its forms' token, their name, their bell)
  is only ever shown again in the browser it was drawn for;
- the address and the language;
- the newest audit event's id: every change to the community is a service action that
  records one (``audit``), so any change, by anyone, makes a new key and the page is
  drawn afresh;
- the newest notification's id: notifications are made just after the event that caused
  them, and the bell must count them.

So a kept page is never older than the last change, only than the clock: a sentence such
as "closes in 3 hours" may be up to that many seconds old. Only answers to a signed-in
member's ``GET`` and ``HEAD`` are kept, pages (200) and redirects (the sign-in page's
for a member already signed in), and never
one that sets a new cookie, changed the session, or follows a message shown after a
form. A kept page is found by the session cookie alone: serving it reads two ids (one
query) and nothing else, not the session, not the member. When the same browser asks for
a page that is not kept yet several times at once (tabs restored together), one request
draws it and the others wait for that copy (``web.flights``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from http.cookies import SimpleCookie

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.utils import translation

from commonshare.notifications.selectors import newest_ids
from commonshare.web.flights import FLIGHTS, WAIT_SECONDS

KEY_PREFIX = "commonshare.member-page"
KEPT_STATUSES = frozenset({200, 301, 302})
"""A page, or a redirect a ``GET`` answers with."""
CACHE = "pages"  # as the visitors' pages: this process's memory, or Redis


def seconds() -> int:
    """How long a member's page may be kept (0: not at all)."""
    return int(getattr(settings, "COMMONSHARE_MEMBER_PAGE_SECONDS", 0))


def _may_keep(request: HttpRequest) -> bool:
    """Before the session is read: a ``GET`` from a browser with a session cookie."""
    if seconds() <= 0 or request.method not in ("GET", "HEAD"):
        return False
    if request.path.startswith("/api/") or request.COOKIES.get("messages"):
        return False
    return bool(request.COOKIES.get(settings.SESSION_COOKIE_NAME))


def _key(request: HttpRequest) -> str:
    # The session cookie, not the session: a kept page is found without reading the
    # session or the member. Signing in or out gives the browser a new session key, and
    # any other change to what a page shows records an event, which changes the key.
    parts = (
        request.COOKIES.get(settings.SESSION_COOKIE_NAME, ""),
        request.COOKIES.get(settings.CSRF_COOKIE_NAME, ""),
        request.method,
        request.get_full_path(),
        translation.get_language(),
        newest_ids(),
    )
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()
    return f"{KEY_PREFIX}.{digest}"


def _keepable(request: HttpRequest, response: HttpResponse) -> bool:
    user = getattr(request, "user", None)
    session = getattr(request, "session", None)
    if user is None or session is None or not user.is_authenticated:
        return False
    csrf = settings.CSRF_COOKIE_NAME
    renewed = {name: morsel.value for name, morsel in response.cookies.items()}
    # Django sends the CSRF cookie again on each page with a form, to renew its expiry:
    # the same value the browser sent is no new cookie.
    only_renewed = renewed == {} or renewed == {csrf: request.COOKIES.get(csrf)}
    return (
        response.status_code in KEPT_STATUSES
        and not response.streaming
        and only_renewed
        and not session.modified
        and "_messages" not in session
        and "Cache-Control" not in response
    )


def _keep(key: str, response: HttpResponse) -> None:
    """Store ``response`` without the cookies it renews (the browser has them)."""
    cookies = response.cookies
    response.cookies = SimpleCookie()
    try:
        caches[CACHE].set(key, response, seconds())
    finally:
        response.cookies = cookies


class KeepMemberPages:
    """Serves a member's kept page, or draws it and keeps it (placed after the locale
    middleware, whose language is part of the key, and before the session is read)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not _may_keep(request):
            return self.get_response(request)
        key = _key(request)
        kept: HttpResponse | None = caches[CACHE].get(key)
        if kept is not None:
            return kept
        under_way = FLIGHTS.join(key)
        if under_way is not None:
            under_way.wait(WAIT_SECONDS)
            kept = caches[CACHE].get(key)
            return kept if kept is not None else self._draw(request, key)
        try:
            return self._draw(request, key)
        finally:
            FLIGHTS.land(key)

    def _draw(self, request: HttpRequest, key: str) -> HttpResponse:
        response = self.get_response(request)
        if _keepable(request, response):
            _keep(key, response)
        return response
