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
as "closes in 3 hours" may be up to that many seconds old. Only ``GET`` and ``HEAD``
answers with status 200 are kept, and never one that sets a cookie, changed the session,
or follows a message shown after a form.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.utils import translation

from commonshare.audit.selectors import newest_event_id
from commonshare.notifications.selectors import newest_notification_id

KEY_PREFIX = "commonshare.member-page"
CACHE = "pages"  # as the visitors' pages: this process's memory, or Redis


def seconds() -> int:
    """How long a member's page may be kept (0: not at all)."""
    return int(getattr(settings, "COMMONSHARE_MEMBER_PAGE_SECONDS", 0))


def _may_keep(request: HttpRequest) -> bool:
    if seconds() <= 0 or request.method not in ("GET", "HEAD"):
        return False
    if request.path.startswith("/api/") or request.COOKIES.get("messages"):
        return False
    user = getattr(request, "user", None)
    session = getattr(request, "session", None)
    if user is None or session is None or not user.is_authenticated:
        return False
    return session.session_key is not None and "_messages" not in session


def _key(request: HttpRequest) -> str:
    parts = (
        request.session.session_key,
        request.COOKIES.get(settings.CSRF_COOKIE_NAME, ""),
        request.method,
        request.get_full_path(),
        translation.get_language(),
        newest_event_id(),
        newest_notification_id(),
    )
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()
    return f"{KEY_PREFIX}.{digest}"


def _keepable(request: HttpRequest, response: HttpResponse) -> bool:
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not request.session.modified
        and "Cache-Control" not in response
    )


class KeepMemberPages:
    """Serves a member's kept page, or draws it and keeps it (placed after the message
    middleware: the user, the session and the language are known by then)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not _may_keep(request):
            return self.get_response(request)
        cache = caches[CACHE]
        key = _key(request)
        kept: HttpResponse | None = cache.get(key)
        if kept is not None:
            return kept
        response = self.get_response(request)
        if _keepable(request, response):
            cache.set(key, response, seconds())
        return response
