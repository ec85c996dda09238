"""Open books: income, distributions, and why each payout is what it is."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from commonshare import paging
from commonshare.books import distribution as distributions
from commonshare.books import selectors, services
from commonshare.books.models import Distribution
from commonshare.books.policy import frozen_policy
from commonshare.community import selectors as community
from commonshare.core.words import period_words
from commonshare.errors import Conflict
from commonshare.web import charts
from commonshare.web.explain import explain, reviewer_ids
from commonshare.web.forms import DistributionForm, IncomeForm, WithdrawDistributionForm
from commonshare.web.pager import cursor_of, pager, size_of
from commonshare.web.templatetags.commonshare_web import money
from commonshare.web.views.common import MemberRequest, domain_errors, submit


@domain_errors
def income_list(request: HttpRequest) -> HttpResponse:
    found = paging.page(selectors.incomes(), cursor=cursor_of(request), size=size_of(request))
    return render(
        request,
        "web/books/income_list.html",
        {
            "incomes": found,
            "pager": pager(request, found, label="Pages of income"),
            "totals": selectors.income_totals(),
            "unconfirmed": selectors.pending_income_totals(),
        },
    )


@login_required
@domain_errors
def income_create(request: MemberRequest) -> HttpResponse:
    today = timezone.localdate()
    form = IncomeForm(request.POST or None, initial={"received_on": today, "currency": "EUR"})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        income = submit(form, lambda: services.record_income(request.user, **data))
        if income is not None:
            messages.success(
                request,
                f"Recorded {income.amount} {income.currency}. It is in the books once another "
                "member confirms it.",
            )
            return redirect("web:income_list")
    return render(request, "web/books/income_form.html", {"form": form})


@domain_errors
def distribution_list(request: HttpRequest) -> HttpResponse:
    posted = paging.page(
        selectors.posted_distributions(), cursor=cursor_of(request), size=size_of(request)
    )
    return render(
        request,
        "web/books/distribution_list.html",
        {
            # A period has at most one proposal open, so these are few: shown whole.
            "proposed": _with_state(selectors.proposed_distributions()),
            "distributions": posted,
            "pager": pager(request, posted, label="Pages of posted distributions"),
            "totals": selectors.distributed_totals(),
        },
    )


def _with_state(found: Iterable[Distribution]) -> list[Distribution]:
    rows = list(found)
    for row in rows:
        row.state = selectors.distribution_state(row)  # type: ignore[attr-defined]
    return rows


@login_required
@domain_errors
def distribution_create(request: MemberRequest) -> HttpResponse:
    last_month = timezone.localdate().replace(day=1) - dt.timedelta(days=1)
    initial = {"period": f"{last_month:%Y-%m}", "currency": "EUR"}
    form = DistributionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        distribution = submit(
            form, lambda: distributions.propose_distribution(request.user, **data)
        )
        if distribution is not None:
            messages.success(
                request,
                f"Proposed {distribution.amount} {distribution.currency}: "
                f"{selectors.distribution_state(distribution)}.",
            )
            return redirect("web:distribution", distribution.pk)
    return render(request, "web/books/distribution_form.html", {"form": form})


@login_required
@domain_errors
def distribution_post(request: MemberRequest, distribution_id: int) -> HttpResponse:
    """POST posts a proposal whose window is over; the page shows why when it cannot."""
    if request.method == "POST":
        try:
            done = distributions.post_distribution(request.user, distribution_id)
        except Conflict as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"Posted {done.amount} {done.currency} to the journal.")
    return redirect("web:distribution", distribution_id)


@login_required
@domain_errors
def distribution_withdraw(request: MemberRequest, distribution_id: int) -> HttpResponse:
    distribution = selectors.distribution(distribution_id)
    form = WithdrawDistributionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        reason = form.cleaned_data["reason"]
        done = submit(
            form,
            lambda: distributions.withdraw_distribution(
                request.user, distribution_id, reason=reason
            ),
        )
        if done is not None:
            messages.success(request, "The proposal is withdrawn.")
            return redirect("web:distribution", distribution_id)
    return render(
        request,
        "web/books/distribution_withdraw.html",
        {"distribution": distribution, "form": form},
    )


@domain_errors
def distribution_detail(request: HttpRequest, distribution_id: int) -> HttpResponse:
    distribution = selectors.distribution(distribution_id)
    payouts = list(selectors.payouts_of(distribution))
    chart = charts.horizontal_bars(
        "Shares of this distribution",
        [
            (p.member.display_name, p.amount_minor, money(p.amount_minor, distribution.currency))
            for p in payouts
        ],
    )
    valued = distribution.result.get("contributions", [])
    names = community.members_by_id({str(c.get("member")) for c in valued})
    return render(
        request,
        "web/books/distribution_detail.html",
        {
            "distribution": distribution,
            "payouts": payouts,
            "chart": chart,
            "valued": [{**c, "author": names.get(str(c.get("member")))} for c in valued],
            "basis": selectors.distribution_basis(distribution),
            "resources": resource_rows(distribution),
            "entries": selectors.entries_from(f"distribution:{distribution.pk}"),
            "reserve_share": frozen_reserve_share(distribution),
            "state": selectors.distribution_state(distribution),
            "period_name": period_words(distribution.period_start, distribution.period_end),
            "may_post": distribution.status == Distribution.Status.PROPOSED
            and distribution.challenge_ends_at is not None
            and timezone.now() >= distribution.challenge_ends_at,
        },
    )


def frozen_reserve_share(distribution: Distribution) -> Decimal | None:
    """The reserve share of the policy the distribution froze (None if it cannot be read)."""
    try:
        return frozen_policy(distribution.policy).reserve.share
    except (ValueError, TypeError):
        return None


def resource_rows(distribution: Distribution) -> list[dict[str, Any]]:
    """Metered resources paid before the split, with the lender's member record."""
    payments = distribution.result.get("resource_payments") or []
    names = community.members_by_id({str(p.get("member")) for p in payments})
    return [{**p, "lender": names.get(str(p.get("member")))} for p in payments]


@domain_errors
def payout_detail(request: HttpRequest, distribution_id: int, member_id: int) -> HttpResponse:
    payout = selectors.payout(distribution_id, member_id)
    distribution = payout.distribution
    explanation = payout.explanation if isinstance(payout.explanation, dict) else {}
    members = community.members_by_id(reviewer_ids(explanation))
    return render(
        request,
        "web/books/payout_detail.html",
        {
            "payout": payout,
            "distribution": distribution,
            "explained": explain(explanation, amount=distribution.amount, members=members),
            "raw": explanation,
        },
    )
