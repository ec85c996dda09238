"""Marks each request's writes as coming in by the web pages or by the API."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from commonshare.audit import via


class ViaMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        door = via.API if request.path_info.startswith("/api/") else via.WEB
        with via.entered_by(door):
            return self.get_response(request)
