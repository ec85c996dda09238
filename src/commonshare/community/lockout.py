"""What someone sees after too many wrong passwords (django-axes calls ``locked_out``)."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from commonshare.client_address import client_address
from commonshare.community.vocab import normalise_email


def lockout_message() -> str:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return (
        f"Too many wrong passwords for this email from your address: "
        f"try again in {minutes} minutes."
    )


def email_tried(request: HttpRequest, credentials: dict[str, Any] | None) -> str | None:
    """The email a sign-in tried, as the members' table keeps it: "Ada@X.org" and
    "ada@x.org " are one account, so they count as one."""
    tried = (credentials or {}).get("username") or request.POST.get("username")
    return normalise_email(str(tried)) if tried else None


def address_tried_from(request: HttpRequest) -> str:
    """The address a sign-in is counted against: the client's, through trusted proxies only
    (a spoofed X-Forwarded-For neither escapes the lockout nor locks someone else out)."""
    return client_address(request)


def locked_out(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """JSON for the API (``{detail, field}`` like every refusal), a page for the web."""
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"detail": lockout_message(), "field": "password"}, status=HTTPStatus.TOO_MANY_REQUESTS
        )
    return render(
        request,
        "web/locked_out.html",
        {"message": lockout_message()},
        status=HTTPStatus.TOO_MANY_REQUESTS,
    )
