"""The norms: each one in force, its text and history, and one version with its diff.

Read only (GET and HEAD; any other method is 405): a norm changes when a decision adopts a
new version, never through a page.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from commonshare.governance import selectors
from commonshare.web.views.common import domain_errors


@require_safe
def norm_list(request: HttpRequest) -> HttpResponse:
    return render(request, "web/norms/norm_list.html", {"norms": selectors.current_norms()})


@require_safe
@domain_errors
def norm_detail(request: HttpRequest, kind: str) -> HttpResponse:
    versions = selectors.norm_versions(kind)
    return render(
        request,
        "web/norms/norm_detail.html",
        {"current": versions[-1], "history": list(reversed(versions))},
    )


@require_safe
@domain_errors
def norm_version(request: HttpRequest, kind: str, number: int) -> HttpResponse:
    version = selectors.norm_version(kind, number)
    current = selectors.current_norm(kind)
    return render(
        request,
        "web/norms/norm_version.html",
        {
            "version": version,
            "current": current,
            "previous": selectors.previous_norm_version(version),
            "diff": selectors.norm_changes(version),
        },
    )
