"""Expense claims and their peer decisions; paying out what the commons owes a member."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from commonshare.books import selectors, services
from commonshare.community import selectors as community
from commonshare.errors import NotFound
from commonshare.web import queries
from commonshare.web.forms import ExpenseDecisionForm, WithdrawalForm
from commonshare.web.templatetags.commonshare_web import money
from commonshare.web.views.common import MemberRequest, domain_errors, submit
from commonshare.work import selectors as work
from commonshare.work.models import Contribution

STATUSES = ("pending", "approved", "rejected")


def expense_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status") or None
    if status not in (None, *STATUSES):
        status = None
    return render(
        request,
        "web/books/expense_list.html",
        {"claims": selectors.expense_claims(status), "status": status, "statuses": STATUSES},
    )


def expense_claim(contribution_id: int) -> Contribution:
    claim = work.contribution(contribution_id)
    if claim.kind != Contribution.Kind.EXPENSE:
        raise NotFound(f"Contribution {contribution_id} is not an expense claim.")
    return claim


@login_required
@domain_errors
def expense_decide(request: MemberRequest, contribution_id: int) -> HttpResponse:
    """Approve or reject a claim; the service refuses the claimant and second decisions."""
    claim = expense_claim(contribution_id)
    form = ExpenseDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        decision = submit(
            form,
            lambda: services.decide_expense(
                request.user, contribution_id, verdict=data["verdict"], reason=data["reason"]
            ),
        )
        if decision is not None:
            messages.success(request, f"Your decision is recorded: {decision.verdict}.")
            return redirect("web:contribution", contribution_id)
    return render(request, "web/books/expense_decide.html", {"claim": claim, "form": form})


@login_required
@domain_errors
def withdrawal_create(request: MemberRequest, member_id: int) -> HttpResponse:
    """Record a bank transfer to a member; the service checks it against what is owed."""
    member = community.member(member_id)
    form = WithdrawalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        withdrawal = submit(
            form,
            lambda: services.record_withdrawal(
                request.user,
                member_id=member.pk,
                amount=data["amount"],
                currency=data["currency"],
                reference=data["reference"],
            ),
        )
        if withdrawal is not None:
            messages.success(
                request,
                f"Recorded: {money(withdrawal.amount_minor, withdrawal.currency)} paid out to "
                f"{member.display_name} "
                f"(entry {withdrawal.entry_id}).",
            )
            return redirect("web:member", member.pk)
    return render(
        request,
        "web/members/withdrawal_form.html",
        {"member": member, "form": form, "owed": queries.owed_by_currency(member)},
    )
