"""Audit events as sentences a member can read."""

from __future__ import annotations

from typing import Any

from django.urls import NoReverseMatch, reverse

from commonshare.audit.models import AuditEvent

PHRASES = {
    "community.member.joined": "joined the community",
    "community.member.updated": "updated their profile",
    "community.member.left": "left the community",
    "community.member.rejoined": "rejoined the community",
    "community.token.created": "created an API token",
    "community.token.revoked": "revoked an API token",
    "work.task.created": "created task",
    "work.task.claimed": "claimed task",
    "work.task.released": "released task",
    "work.task.completed": "marked done task",
    "work.contribution.logged": "logged contribution",
    "work.contribution.edited": "edited contribution",
    "work.review.submitted": "reviewed a contribution",
    "books.income.recorded": "recorded income",
    "books.distribution.posted": "ran distribution",
}

TARGET_URLS = {
    "community.member": "web:member",
    "work.task": "web:task",
    "work.contribution": "web:contribution",
    "books.distribution": "web:distribution",
}


def describe(event: AuditEvent) -> dict[str, Any]:
    """Who, did what, to which record (with a link when it has a page)."""
    phrase = PHRASES.get(event.code, event.code)
    url = None
    label = ""
    if event.target_type == "work.review" and "contribution" in event.data:
        url = _reverse("web:contribution", event.data["contribution"])
        label = f"#{event.data['contribution']}"
    elif event.target_type == "books.income":
        url = _reverse("web:income_list", None)
        label = f"#{event.target_id}"
    elif event.target_type in TARGET_URLS and not event.code.startswith("community.member"):
        url = _reverse(TARGET_URLS[event.target_type], event.target_id)
        label = f"#{event.target_id}"
    return {
        "actor": event.actor,
        "phrase": phrase,
        "url": url,
        "label": label,
        "when": event.created_at,
    }


def _reverse(name: str, pk: Any) -> str | None:
    try:
        return reverse(name, args=[pk]) if pk is not None else reverse(name)
    except NoReverseMatch:
        return None
