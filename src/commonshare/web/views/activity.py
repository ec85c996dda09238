"""Activity pages: the community's, a member's, a task's and a decision's, newest first.

Each is a page of sentences (``web.feed``), paged by keyset, with the Atom feed that
matches it linked from the page's head where there is one.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from commonshare.audit.models import AuditEvent
from commonshare.community import selectors as community
from commonshare.decisions import selectors as decisions
from commonshare.web import feed
from commonshare.web.pager import cursor_of, pager
from commonshare.web.views.common import domain_errors
from commonshare.work import selectors as work


def _render(
    request: HttpRequest,
    events: QuerySet[AuditEvent],
    *,
    heading: str,
    lead: str,
    back: tuple[str, str] | None = None,
    atom: tuple[str, str] | None = None,
) -> HttpResponse:
    found = feed.page(events, cursor=cursor_of(request))
    context: dict[str, Any] = {
        "heading": heading,
        "lead": lead,
        "lines": found.items,
        "pager": pager(request, found, label="Pages of activity"),
        "back": back,
        "atom": atom,
    }
    return render(request, "web/activity/list.html", context)


@domain_errors
def community_activity(request: HttpRequest) -> HttpResponse:
    return _render(
        request,
        feed.community(),
        heading="Activity",
        lead="Everything done in the community, newest first: the same record the audit "
        "log keeps, in sentences.",
        atom=(reverse("web:activity_atom"), "The community's activity"),
    )


@domain_errors
def member_activity(request: HttpRequest, member_id: int) -> HttpResponse:
    member = community.member(member_id)
    name = member.display_name
    return _render(
        request,
        feed.of_member(member.pk),
        heading=f"What {name} did",
        lead=f"Everything {name} did in the community, newest first.",
        back=(reverse("web:member", args=[member.pk]), f"Back to {name}’s page"),
        atom=(reverse("web:member_atom", args=[member.pk]), f"What {name} did"),
    )


@domain_errors
def task_activity(request: HttpRequest, task_id: int) -> HttpResponse:
    task = work.task(task_id)
    return _render(
        request,
        feed.of_task(task.pk),
        heading=f"Activity on the task {task.title}",
        lead="What happened to this task, to the work logged on it and its reviews, and "
        "in its discussion, newest first.",
        back=(reverse("web:task", args=[task.pk]), "Back to the task"),
    )


@domain_errors
def decision_activity(request: HttpRequest, number: int) -> HttpResponse:
    proposal = decisions.proposal(number)
    lead = "What happened to this decision and in its discussion, newest first."
    if proposal.secret:
        lead += (
            " Its ballots are secret, so the feed does not say when anyone voted: "
            "the decision's page lists who voted."
        )
    return _render(
        request,
        feed.of_proposal(proposal.pk, number),
        heading=f"Activity on decision {proposal.number}: {proposal.title}",
        lead=lead,
        back=(reverse("web:decision", args=[number]), f"Back to decision {number}"),
        atom=(reverse("web:decisions_atom"), "Decisions"),
    )
