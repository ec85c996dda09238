"""Contributions: list, log, edit, detail with its reviewer draw, and the review form."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from commonshare.books import services as books
from commonshare.books.policy import current_policy
from commonshare.core.draw import ticket
from commonshare.core.money import from_minor
from commonshare.errors import Forbidden
from commonshare.web import queries
from commonshare.web.forms import ContributionForm, ExpenseDecisionForm, ReviewForm
from commonshare.web.views.common import MemberRequest, domain_errors, int_or_none, submit
from commonshare.work import selectors, services
from commonshare.work.models import Contribution


def contribution_list(request: HttpRequest) -> HttpResponse:
    contributions = selectors.contributions().order_by("-created_at", "-id")
    return render(request, "web/contributions/list.html", {"contributions": contributions})


def _given(form: ContributionForm) -> services.ContributionInput:
    data = form.cleaned_data
    return services.ContributionInput(
        kind=data["kind"],
        summary=data["summary"],
        description=data["description"],
        task_id=data["task"],
        hours=data["hours"],
        units=data["units"],
        unit_name=data["unit_name"],
        amount=data["amount"],
        currency=data["currency"],
        evidence_url=data["evidence_url"],
        evidence_text=data["evidence_text"],
        evidence_file=data["evidence_file"],
        receipt=data["receipt"],
    )


@login_required
@domain_errors
def contribution_create(request: MemberRequest) -> HttpResponse:
    initial: dict[str, Any] = {"kind": Contribution.Kind.WORK}
    if task_id := int_or_none(request.GET.get("task")):
        initial["task"] = task_id
    if request.GET.get("kind") in Contribution.Kind.values:
        initial["kind"] = request.GET["kind"]
    form = ContributionForm(
        request.POST or None,
        request.FILES or None,
        initial=initial,
        tasks=queries.unfinished_tasks(),
    )
    if request.method == "POST" and form.is_valid():
        contribution = submit(form, lambda: services.log_contribution(request.user, _given(form)))
        if contribution is not None:
            messages.success(request, "Contribution logged; reviewers have been drawn.")
            return redirect("web:contribution", contribution.pk)
    return render(request, "web/contributions/form.html", {"form": form, "editing": None})


def _initial_of(contribution: Contribution) -> dict[str, Any]:
    amount = (
        from_minor(contribution.amount_minor, contribution.currency)
        if contribution.amount_minor is not None
        else ""
    )
    return {
        "kind": contribution.kind,
        "summary": contribution.summary,
        "task": contribution.task_id,
        "description": contribution.description,
        "hours": contribution.hours if contribution.hours is not None else "",
        "units": contribution.units if contribution.units is not None else "",
        "unit_name": contribution.unit_name,
        "amount": amount,
        "currency": contribution.currency,
        "evidence_url": contribution.evidence_url,
        "evidence_text": contribution.evidence_text,
    }


@login_required
@domain_errors
def contribution_edit(request: MemberRequest, contribution_id: int) -> HttpResponse:
    contribution = selectors.contribution(contribution_id)
    if contribution.author_id != request.user.pk:
        raise Forbidden("Only the author can edit a contribution.")
    form = ContributionForm(
        request.POST or None,
        request.FILES or None,
        initial=_initial_of(contribution),
        tasks=queries.unfinished_tasks(),
    )
    if request.method == "POST" and form.is_valid():
        edited = submit(
            form,
            lambda: services.edit_contribution(request.user, contribution_id, _given(form)),
        )
        if edited is not None:
            messages.success(request, "Contribution updated.")
            return redirect("web:contribution", contribution_id)
    return render(request, "web/contributions/form.html", {"form": form, "editing": contribution})


@domain_errors
def contribution_detail(request: HttpRequest, contribution_id: int) -> HttpResponse:
    contribution = selectors.contribution(contribution_id)
    reviews = list(contribution.reviews.all())
    assignments = list(contribution.assignments.all())
    pool = [str(pk) for pk in contribution.review_pool]
    names = queries.members_by_id(set(pool))
    drawn = {str(a.reviewer_id) for a in assignments}
    tickets = sorted(
        (
            {
                "member": names.get(pk),
                "member_id": pk,
                "ticket": ticket(contribution.review_seed, str(contribution.pk), pk),
                "drawn": pk in drawn,
            }
            for pk in pool
        ),
        key=lambda row: (row["ticket"], row["member_id"]),
    )
    user = request.user
    return render(
        request,
        "web/contributions/detail.html",
        {
            "expense": expense_context(user, contribution),
            "contribution": contribution,
            "reviews": reviews,
            "assignments": assignments,
            "tickets": tickets,
            "reviewers_per_contribution": settings.COMMONSHARE_REVIEWERS_PER_CONTRIBUTION,
            "can_edit": user.is_authenticated and contribution.author_id == user.pk and not reviews,
            "can_review": queries.is_waiting_reviewer(user, contribution),
        },
    )


def expense_context(user: Any, claim: Contribution) -> dict[str, Any] | None:
    """Status, decisions, the buttons to offer and what is owed, for an expense claim."""
    if claim.kind != Contribution.Kind.EXPENSE:
        return None
    status = books.expense_status(claim)
    decisions = list(claim.expense_decisions.select_related("member"))
    signed_in = user.is_authenticated
    return {
        "status": status,
        "decisions": decisions,
        "needed": current_policy()["expense_approvals"],
        # Which buttons to offer; decide_expense has the last word.
        "can_decide": signed_in
        and status == "pending"
        and user.pk != claim.author_id
        and all(d.member_id != user.pk for d in decisions),
        "entries": queries.entries_from(f"expense:{claim.pk}"),
        "owed": books.owed_minor(claim.author_id, claim.currency) if claim.currency else None,
        "form": ExpenseDecisionForm(),
    }


@login_required
@domain_errors
def review_create(request: MemberRequest, contribution_id: int) -> HttpResponse:
    contribution = selectors.contribution(contribution_id)
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        review = submit(
            form,
            lambda: services.submit_review(
                request.user,
                contribution_id,
                rating=data["rating"],
                comment=data["comment"],
                effort_estimate=data["effort_estimate"],
            ),
        )
        if review is not None:
            messages.success(request, "Thank you: your review is recorded.")
            return redirect("web:contribution", contribution_id)
    elif request.method == "GET" and not queries.is_waiting_reviewer(request.user, contribution):
        # Only a form that can be sent is shown; posting anyway gets the service's answer.
        raise Forbidden("This contribution is not waiting for your review.")
    return render(
        request, "web/contributions/review.html", {"form": form, "contribution": contribution}
    )


@login_required
def reviews_todo(request: MemberRequest) -> HttpResponse:
    return render(
        request,
        "web/reviews_todo.html",
        {"assignments": selectors.reviews_waiting_for(request.user)},
    )
