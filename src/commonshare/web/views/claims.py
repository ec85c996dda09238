"""Expense claims and their peer decisions; paying out what the commons owes a member."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from commonshare.books import selectors, services
from commonshare.books.models import ExpenseDecision
from commonshare.books.selectors import expenses
from commonshare.books.vocab import ExpenseStatus
from commonshare.community import selectors as community
from commonshare.errors import NotFound
from commonshare.web.forms import ExpenseDecisionForm, WithdrawalForm
from commonshare.web.pager import cursor_of, pager, size_of
from commonshare.web.templatetags.commonshare_web import money
from commonshare.web.views.common import MemberRequest, domain_errors, int_or_none, submit
from commonshare.work import selectors as work
from commonshare.work import versions
from commonshare.work.models import Contribution

STATUSES = tuple(ExpenseStatus.values)


@domain_errors
def expense_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status") or None
    if status not in (None, *STATUSES):
        status = None
    found = expenses.expense_claims_page(status, cursor=cursor_of(request), size=size_of(request))
    return render(
        request,
        "web/books/expense_list.html",
        {
            "claims": found,
            "status": status,
            "statuses": STATUSES,
            "pager": pager(request, found, label="Pages of expense claims"),
        },
    )


def expense_claim(contribution_id: int) -> Contribution:
    claim = work.contribution(contribution_id)
    if claim.kind != Contribution.Kind.EXPENSE:
        raise NotFound(f"Contribution {contribution_id} is not an expense claim.")
    return claim


@login_required
@domain_errors
def expense_decide(request: MemberRequest, contribution_id: int) -> HttpResponse:
    """Approve or reject the claim's version the form showed; the service has the last word."""
    claim = expense_claim(contribution_id)
    form = ExpenseDecisionForm(request.POST or None)
    stale = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        read = int_or_none(request.POST.get("version"))

        def send() -> ExpenseDecision | versions.StaleVersion:
            try:
                return services.decide_expense(
                    request.user,
                    contribution_id,
                    verdict=data["verdict"],
                    reason=data["reason"],
                    version=read,
                )
            except versions.StaleVersion as error:
                return error

        result = None
        if read is None:
            form.add_error(
                None, "This form did not say which version you read; read it, then send."
            )
        else:
            result = submit(form, send)
        if isinstance(result, ExpenseDecision):
            messages.success(request, f"Your decision is recorded: {result.verdict}.")
            return redirect("web:contribution", contribution_id)
        if isinstance(result, versions.StaleVersion):
            # The form keeps what they chose and now carries the current version.
            stale = result
    return render(
        request,
        "web/books/expense_decide.html",
        {"claim": claim, "form": form, "stale": stale},
    )


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
                f"Recorded: {money(withdrawal.amount_minor, withdrawal.currency)} sent to "
                f"{member.display_name}. It is posted when they confirm they received it.",
            )
            return redirect("web:member", member.pk)
    return render(
        request,
        "web/members/withdrawal_form.html",
        {"member": member, "form": form, "owed": selectors.owed_by_currency(member.pk)},
    )
