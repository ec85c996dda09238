from __future__ import annotations

from typing import Any

from django.http import HttpRequest

PURPOSE = (
    "We are a headless venture: anyone may join, pick small pieces of work, review "
    "each other, and share the income by the peer-reviewed value of what each gave."
)


def community(request: HttpRequest) -> dict[str, Any]:
    return {"community_name": "Commonshare", "community_purpose": PURPOSE}
