"""Contributions: list, log, edit, detail with its reviewer draw, and the review form."""

from __future__ import annotations

import contextlib
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from commonshare import paging
from commonshare.books import selectors as book_reads
from commonshare.books.selectors import expenses
from commonshare.books.vocab import ExpenseStatus
from commonshare.community import selectors as community
from commonshare.core.draw import ticket
from commonshare.core.money import from_minor
from commonshare.errors import Forbidden, NotFound
from commonshare.governance.selectors import current_policy
from commonshare.web.forms import (
    ContributionForm,
    ExpenseDecisionForm,
    KindForm,
    ReviewForm,
    is_kind,
)
from commonshare.web.pager import IN_ORDER, cursor_of, pager, size_of
from commonshare.web.views.common import MemberRequest, domain_errors, int_or_none, submit
from commonshare.work import selectors, services, versions
from commonshare.work.models import Contribution, Review, Task
from commonshare.work.recognition_selectors import thanks_by_review, thanks_for_contribution


@domain_errors
def contribution_list(request: HttpRequest) -> HttpResponse:
    """Every contribution, newest first, a page at a time; ``?author=ID`` keeps one member's."""
    author_id = int_or_none(request.GET.get("author"))
    author = community.member(author_id) if author_id is not None and author_id > 0 else None
    found = paging.page(
        selectors.contributions(author).order_by("-created_at", "-id"),
        cursor=cursor_of(request),
        size=size_of(request),
    )
    return render(
        request,
        "web/contributions/list.html",
        {
            "contributions": found,
            "author": author,
            "pager": pager(request, found, label="Pages of contributions"),
        },
    )


def _given(form: ContributionForm) -> services.ContributionInput:
    data = form.cleaned_data

    def stated(name: str, empty: Any = None) -> Any:
        # A form of one kind shows only that kind's fields. Anything else posted
        # goes to the service as sent, which refuses it naming the field, rather
        # than being dropped in silence.
        if name in form.fields:
            return data.get(name, empty)
        return form.data.get(name, empty)

    receipt = data.get("receipt") if "receipt" in form.fields else form.files.get("receipt")
    return services.ContributionInput(
        kind=data["kind"],
        summary=data["summary"],
        description=data["description"],
        task_id=data["task"],
        hours=stated("hours"),
        units=stated("units"),
        unit_name=stated("unit_name", ""),
        amount=stated("amount"),
        currency=stated("currency", ""),
        evidence_url=data["evidence_url"],
        evidence_text=data["evidence_text"],
        evidence_file=data["evidence_file"],
        receipt=receipt,
    )


def _task_choices(selected: int | None) -> list[Task]:
    """Open and claimed tasks, plus the one asked for even when it is done.

    "Log work on this task" on a finished task keeps it selected: work on a
    done task may still be logged (``log_contribution`` decides).
    """
    tasks = list(selectors.unfinished_tasks())
    if selected is not None and all(task.pk != selected for task in tasks):
        # An unknown task is left out: the form then says it is not a choice.
        with contextlib.suppress(NotFound):
            tasks.append(selectors.task(selected))
    return tasks


@login_required
@domain_errors
def contribution_create(request: MemberRequest) -> HttpResponse:
    """First "What kind of contribution?" (a GET form), then only that kind's fields."""
    task_id = int_or_none(request.GET.get("task"))
    if request.method != "POST" and not is_kind(request.GET.get("kind")):
        choice = KindForm(request.GET if "step" in request.GET else None)
        if choice.is_bound:
            choice.is_valid()  # a missing kind shows as an error, with the summary
        return render(request, "web/contributions/kind.html", {"form": choice, "task_id": task_id})
    initial: dict[str, Any] = {"kind": request.GET.get("kind")}
    if task_id is not None:
        initial["task"] = task_id
    posted_task = int_or_none(request.POST.get("task"))
    form = ContributionForm(
        request.POST or None,
        request.FILES or None,
        initial=initial,
        tasks=_task_choices(posted_task if posted_task is not None else task_id),
    )
    if request.method == "POST" and form.is_valid():
        contribution = submit(form, lambda: services.log_contribution(request.user, _given(form)))
        if contribution is not None:
            messages.success(request, "Contribution logged; reviewers have been drawn.")
            return redirect("web:contribution", contribution.pk)
    return render(
        request,
        "web/contributions/form.html",
        {"form": form, "editing": None, "task_id": task_id},
    )


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
    refusal = versions.edit_refusal(request.user, contribution)
    if isinstance(refusal, Forbidden):
        raise refusal
    if refusal is not None and request.method != "POST":
        # Reviewed, or decided on: no form to fill in; say why where the edit link was.
        # (A form sent anyway is refused by the service, at the top of the form.)
        messages.error(request, refusal.message)
        return redirect("web:contribution", contribution_id)
    form = ContributionForm(
        request.POST or None,
        request.FILES or None,
        initial=_initial_of(contribution),
        tasks=_task_choices(contribution.task_id),
    )
    if request.method == "POST" and form.is_valid():
        edited = submit(
            form,
            lambda: services.edit_contribution(request.user, contribution_id, _given(form)),
        )
        if edited is not None:
            messages.success(request, _edited_message(contribution, edited))
            return redirect("web:contribution", contribution_id)
    return render(request, "web/contributions/form.html", {"form": form, "editing": contribution})


def _edited_message(before: Contribution, edited: Contribution) -> str:
    if edited.version == before.version:
        return "Contribution updated; nothing had changed."
    said = f"Contribution updated to version {edited.version}."
    if edited.review_seed != before.review_seed:
        return f"{said} The policy redraws reviewers after an edit: they were drawn anew."
    if selectors.assignments_of(before):
        return f"{said} The reviewers already drawn are shown what changed."
    return said


TICKETS_SHOWN = 20  # the lowest tickets of a draw's pool shown on the contribution's page
POOL_LISTED = 200  # a pool up to this size is listed by id there


@domain_errors
def contribution_detail(request: HttpRequest, contribution_id: int) -> HttpResponse:
    contribution = selectors.contribution(contribution_id)
    reviews = selectors.reviews_of(contribution)
    assignments = selectors.assignments_of(contribution)
    pool = [str(pk) for pk in contribution.review_pool]
    drawn = {str(a.reviewer_id) for a in assignments}
    ranked = sorted((ticket(contribution.review_seed, str(contribution.pk), pk), pk) for pk in pool)
    # The lowest tickets and every drawn member's: a pool is everyone who may review,
    # thousands in a large community, and the API gives it whole.
    shown = [row for place, row in enumerate(ranked) if place < TICKETS_SHOWN or row[1] in drawn]
    names = community.members_by_id({pk for _, pk in shown})
    tickets = [
        {"member": names.get(pk), "member_id": pk, "ticket": hashed, "drawn": pk in drawn}
        for hashed, pk in shown
    ]
    user = request.user
    can_review = selectors.is_waiting_reviewer(user, contribution)
    mine = next((a for a in assignments if a.reviewer_id == user.pk and can_review), None)
    logged_under = current_policy(at=timezone.localdate(contribution.created_at))
    return render(
        request,
        "web/contributions/detail.html",
        {
            "expense": expense_context(user, contribution),
            "contribution": contribution,
            "reviews": reviews,
            "thanks": thanks_for_contribution(contribution),
            "review_thanks": thanks_by_review(contribution, reviews),
            "assignments": assignments,
            "edits": versions.history(contribution),
            "earlier_draws": selectors.earlier_draws(contribution),
            "changed_since_drawn": (
                versions.changes_since(contribution, mine.drawn_version) if mine else []
            ),
            "drawn_version": mine.drawn_version if mine else None,
            "tickets": tickets,
            "pool_size": len(pool),
            "pool_listed": len(pool) <= POOL_LISTED,
            "tickets_not_shown": len(pool) - len(tickets),
            # The count of the rules in force when it was logged, when its draw was made.
            "reviewers_per_contribution": logged_under.review.reviewers_per_contribution,
            "review_level": logged_under.trust.review_level,
            "can_edit": versions.edit_refusal(user, contribution) is None,
            "can_review": can_review,
        },
    )


def expense_context(user: Any, claim: Contribution) -> dict[str, Any] | None:
    """Status, decisions, the buttons to offer and what is owed, for an expense claim."""
    if claim.kind != Contribution.Kind.EXPENSE:
        return None
    status = expenses.expense_status(claim)
    decisions = expenses.decisions_on(claim)
    signed_in = user.is_authenticated
    drawn = claim.approvers
    return {
        "status": status,
        "status_label": ExpenseStatus(status).label,
        "decisions": decisions,
        # The rules of the day the claim was logged, as decide_expense reads them.
        "needed": expenses.policy_for(claim).expenses.approvals,
        # None for a claim logged before approvers were drawn.
        "approvers": None
        if drawn is None
        else list(community.members_by_id([str(pk) for pk in drawn]).values()),
        "approver_seed": claim.approver_seed,
        # Which buttons to offer; decide_expense has the last word.
        "can_decide": signed_in
        and status == ExpenseStatus.PENDING
        and expenses.may_decide(claim, user.pk)
        and all(d.member_id != user.pk for d in decisions),
        "entries": book_reads.entries_from(f"expense:{claim.pk}"),
        "owed": book_reads.owed_minor(claim.author_id, claim.currency) if claim.currency else None,
        "form": ExpenseDecisionForm(),
    }


def _review_for(
    request: MemberRequest, contribution_id: int, form: ReviewForm
) -> Review | versions.StaleVersion | None:
    """Send the review of the version the form was shown for; a stale one comes back."""
    read = int_or_none(request.POST.get("version"))
    if read is None:
        if not selectors.is_waiting_reviewer(request.user, selectors.contribution(contribution_id)):
            raise Forbidden("This contribution is not waiting for your review.")
        form.add_error(None, "This form did not say which version you read; read it, then send.")
        return None
    data = form.cleaned_data

    def send() -> Review | versions.StaleVersion:
        try:
            return services.submit_review(
                request.user,
                contribution_id,
                rating=data["rating"],
                comment=data["comment"],
                effort_estimate=data["effort_estimate"],
                version=read,
            )
        except versions.StaleVersion as stale:
            return stale

    return submit(form, send)


@login_required
@domain_errors
def review_create(request: MemberRequest, contribution_id: int) -> HttpResponse:
    contribution = selectors.contribution(contribution_id)
    form = ReviewForm(request.POST or None)
    stale = None
    if request.method == "POST" and form.is_valid():
        result = _review_for(request, contribution_id, form)
        if isinstance(result, Review):
            messages.success(request, "Thank you: your review is recorded.")
            return redirect("web:contribution", contribution_id)
        if isinstance(result, versions.StaleVersion):
            # The form keeps what they typed and now carries the current version.
            stale = result
    elif request.method == "GET" and not selectors.is_waiting_reviewer(request.user, contribution):
        # Only a form that can be sent is shown; posting anyway gets the service's answer.
        raise Forbidden("This contribution is not waiting for your review.")
    drawn = selectors.assignment_of(contribution, request.user)
    return render(
        request,
        "web/contributions/review.html",
        {
            "form": form,
            "contribution": contribution,
            "stale": stale,
            "changed_since_drawn": (
                versions.changes_since(contribution, drawn.drawn_version) if drawn else []
            ),
        },
    )


@login_required
@domain_errors
def reviews_todo(request: MemberRequest) -> HttpResponse:
    found = paging.page(
        selectors.reviews_waiting_for(request.user),
        cursor=cursor_of(request),
        size=size_of(request),
    )
    for assignment in found:
        # What changed since the draw: the "notification" until a notifications app exists.
        assignment.changes = versions.changes_since(
            assignment.contribution, assignment.drawn_version
        )
    return render(
        request,
        "web/reviews_todo.html",
        {
            "assignments": found,
            "pager": pager(request, found, label="Pages of reviews to do", words=IN_ORDER),
        },
    )
