from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from commonshare.governance.selectors import stated_purpose
from commonshare.notifications.selectors import unread_count
from commonshare.web.text import render_markdown
from commonshare.work.selectors import reviews_waiting_for


def community(request: HttpRequest) -> dict[str, Any]:
    # The stated purpose is the adopted purpose norm's first paragraph, never a string here.
    context: dict[str, Any] = {
        "community_name": "Commonshare",
        "community_purpose": render_markdown(stated_purpose()),
    }
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        context["reviews_to_do_count"] = reviews_waiting_for(user).count()
        context["unread_count"] = unread_count(user)
    return context
