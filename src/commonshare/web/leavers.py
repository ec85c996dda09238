"""Web pages follow ``community.rules``: a member who left may not post to them.

Every request that could write (any method but GET, HEAD and OPTIONS) from a
signed-in member who left gets the 403 page before its view runs, so a page
added later cannot forget the rule. The API answers for itself (its
authentication calls the same rule), so its routes are left to it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse

from commonshare.community.rules import ensure_may_act
from commonshare.errors import Forbidden
from commonshare.web.views.common import error_page

# What a member who left may still post: sign in and out, rejoin, and confirm or dispute
# a payout recorded to them (whose service lets only the payee answer it).
ALLOWED_AFTER_LEAVING = frozenset(
    {"web:login", "web:logout", "web:rejoin", "web:withdrawal_confirm", "web:withdrawal_dispute"}
)
_READS = {"GET", "HEAD", "OPTIONS"}


class LeftMemberMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Any, args: Any, kwargs: Any
    ) -> HttpResponse | None:
        match = request.resolver_match
        if request.method in _READS or match is None or match.namespace == "api":
            return None
        if match.view_name in ALLOWED_AFTER_LEAVING or not request.user.is_authenticated:
            return None
        try:
            ensure_may_act(request.user)
        except Forbidden as error:
            return error_page(request, error, 403)
        return None
