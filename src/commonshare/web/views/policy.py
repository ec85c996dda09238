"""The community's rules in plain sentences, with every version and what it changed."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from commonshare.governance import selectors
from commonshare.web import policy_text
from commonshare.work import steward


def policy_page(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    current = selectors.current_version(today)
    history = [
        {
            "version": version,
            "changes": policy_text.change_lines(selectors.changes_in(version)),
            "upcoming": version.valid_from > today,
            "from_the_start": version.number == 1,
        }
        for version in reversed(list(selectors.policy_versions()))
    ]
    return render(
        request,
        "web/policy/policy.html",
        {
            "current": current,
            "rules": policy_text.sentences(selectors.policy_of(current)),
            "history": history,
            "steward": steward.summary(steward.phase(count_levels=False)),
        },
    )
