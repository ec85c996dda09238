from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from commonshare.work.selectors import reviews_waiting_for

PURPOSE = (
    "We are a headless venture: anyone may join, pick small pieces of work, review "
    "each other, and share the income by the peer-reviewed value of what each gave."
)


def community(request: HttpRequest) -> dict[str, Any]:
    context: dict[str, Any] = {"community_name": "Commonshare", "community_purpose": PURPOSE}
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        context["reviews_to_do_count"] = reviews_waiting_for(user).count()
    return context
