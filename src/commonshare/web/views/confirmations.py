"""Money that needs a second person: the "waiting for you" page and each confirmation.

Every button posts to a thin view over one service (``books.services``), which holds the
rule: who may confirm, and why someone may not.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from commonshare.books import services
from commonshare.books.selectors import waiting
from commonshare.errors import Conflict
from commonshare.web.forms import DisputeForm, ResolutionForm
from commonshare.web.pager import IN_ORDER, cursor_of, pager
from commonshare.web.templatetags.commonshare_web import money
from commonshare.web.views.common import MemberRequest, domain_errors, submit

# Each list's pager: its label, and its words (the lists run oldest first).
_PAGERS = {
    "incomes": "Pages of income to confirm",
    "withdrawals": "Pages of payouts to you",
    "disputes": "Pages of disputed payouts to settle",
    "own_disputes": "Pages of your disputed payouts",
    "reversals": "Pages of reversals to confirm",
    "claims": "Pages of expense claims to decide",
}


@login_required
@domain_errors
def waiting_page(request: MemberRequest) -> HttpResponse:
    """What waits for the signed-in member: each item with its button, each list paged
    by its own link (``?incomes=…``), which keeps the other lists where they were."""
    found = waiting.waiting_for(
        request.user, {name: cursor_of(request, name) for name in waiting.SECTIONS}
    )
    pagers = {
        name: pager(request, page, label=_PAGERS[name], words=IN_ORDER, param=name)
        for name, page in found.pages.items()
    }
    return render(
        request,
        "web/books/waiting.html",
        {"waiting": found, "pagers": pagers, "dispute_form": DisputeForm()},
    )


def _refused(request: MemberRequest, error: Conflict) -> HttpResponse:
    """Already answered (by someone else, or twice): say so on the list. A refusal of the
    member themself (Forbidden) is a 403 page naming why, as everywhere."""
    messages.error(request, str(error))
    return redirect("web:waiting")


@login_required
@require_POST
@domain_errors
def income_confirm(request: MemberRequest, income_id: int) -> HttpResponse:
    try:
        income = services.confirm_income(request.user, income_id)
    except Conflict as error:
        return _refused(request, error)
    messages.success(
        request, f"Confirmed: {money(income.amount_minor, income.currency)} is in the books."
    )
    return redirect("web:waiting")


@login_required
@require_POST
@domain_errors
def withdrawal_confirm(request: MemberRequest, withdrawal_id: int) -> HttpResponse:
    try:
        withdrawal = services.confirm_withdrawal(request.user, withdrawal_id)
    except Conflict as error:
        return _refused(request, error)
    messages.success(
        request,
        f"Confirmed: you received {money(withdrawal.amount_minor, withdrawal.currency)} "
        f"(entry {withdrawal.entry_id}).",
    )
    return redirect("web:waiting")


@login_required
@domain_errors
def withdrawal_dispute(request: MemberRequest, withdrawal_id: int) -> HttpResponse:
    """GET asks what is wrong; POST records the dispute."""
    form = DisputeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        reason = form.cleaned_data["reason"]
        done = submit(
            form, lambda: services.dispute_withdrawal(request.user, withdrawal_id, reason=reason)
        )
        if done is not None:
            messages.success(request, "Disputed: the payout is not in the books.")
            return redirect("web:waiting")
    return render(
        request, "web/books/withdrawal_dispute.html", {"form": form, "withdrawal_id": withdrawal_id}
    )


@login_required
@domain_errors
def withdrawal_resolve(request: MemberRequest, withdrawal_id: int) -> HttpResponse:
    """GET shows the disputed payout and asks what was found; POST settles it."""
    found = waiting.withdrawal(withdrawal_id)
    form = ResolutionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = submit(
            form,
            lambda: services.resolve_withdrawal(
                request.user, withdrawal_id, outcome=data["outcome"], reason=data["reason"]
            ),
        )
        if done is not None:
            amount = money(done.amount_minor, done.currency)
            messages.success(
                request,
                f"Settled: the payout of {amount} is in the books."
                if done.entry_id
                else f"Settled: the payout of {amount} is cancelled.",
            )
            return redirect("web:waiting")
    return render(request, "web/books/withdrawal_resolve.html", {"form": form, "withdrawal": found})


@login_required
@require_POST
@domain_errors
def reversal_confirm(request: MemberRequest, request_id: int) -> HttpResponse:
    try:
        entry = services.confirm_reversal(request.user, request_id)
    except Conflict as error:
        return _refused(request, error)
    messages.success(request, f"Entry {entry.reverses} is reversed by entry {entry.seq}.")
    return redirect("web:entry", entry.seq)
