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
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString

from commonshare import paging
from commonshare.books import derived, selectors, services
from commonshare.books import distribution as distributions
from commonshare.books.models import Distribution
from commonshare.books.policy import frozen_policy
from commonshare.community import selectors as community
from commonshare.core.words import period_words
from commonshare.decisions import selectors as decision_selectors
from commonshare.errors import NotFound
from commonshare.web import charts, fragments
from commonshare.web.explain import explain, reviewer_ids
from commonshare.web.forms import DistributionForm, IncomeForm, WithdrawDistributionForm
from commonshare.web.pager import Slice, cursor_of, pager, size_of, slice_of, start_of
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


# A distribution's frozen input and output (megabytes at scale): the list shows neither.
FROZEN = ("policy", "request", "result")


@domain_errors
def distribution_list(request: HttpRequest) -> HttpResponse:
    posted = paging.page(
        selectors.posted_distributions().defer(*FROZEN),
        cursor=cursor_of(request),
        size=size_of(request),
    )
    return render(
        request,
        "web/books/distribution_list.html",
        {
            # A period has at most one proposal open, so these are few: shown whole.
            "proposed": _with_state(selectors.proposed_distributions().defer(*FROZEN)),
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


# A distribution pays thousands of members in a large community: its page shows its
# payouts and valued contributions a hundred at a time, and its shares chart the largest.
ROWS_SHOWN = 100
CHART_BARS = 20


@domain_errors
def distribution_detail(request: HttpRequest, distribution_id: int) -> HttpResponse:
    distribution = selectors.distribution(distribution_id, brief=True)
    head = derived.head_key()
    pk = distribution.pk
    starts = {param: start_of(request, param, ROWS_SHOWN) for param in ("payouts", "valued")}
    return render(
        request,
        "web/books/distribution_detail.html",
        {
            "distribution": distribution,
            "tables": distribution_tables(distribution, head, request, starts),
            "basis": derived.cached(
                "distribution-basis",
                lambda: selectors.distribution_basis(distribution),
                parts=(pk,),
                head=head,
            ),
            "resources": resource_rows(
                distribution,
                derived.cached(
                    "distribution-resources",
                    lambda: distribution.result.get("resource_payments") or [],
                    parts=(pk,),
                    head=head,
                ),
            ),
            "entries": derived.cached(
                "distribution-entries",
                lambda: selectors.entries_from(f"distribution:{pk}"),
                parts=(pk,),
                head=head,
            ),
            "reserve_share": frozen_reserve_share(distribution),
            "state": selectors.distribution_state(distribution),
            "period_name": period_words(distribution.period_start, distribution.period_end),
            "decision": decision_of(distribution),
            "may_withdraw": getattr(request.user, "pk", None) == distribution.created_by_id,
        },
    )


def decision_of(distribution: Distribution) -> Any:
    """The decision that carries the distribution, if it has one, with its phase's close."""
    if distribution.decision_number is None:
        return None
    found = decision_selectors.proposal(distribution.decision_number)
    found.deadline = decision_selectors.deadline(found)  # type: ignore[attr-defined]
    found.can_close = (  # type: ignore[attr-defined]
        found.stage != "closed" and timezone.now() >= found.deadline  # type: ignore[attr-defined]
    )
    return found


def distribution_tables(
    distribution: Distribution, head: str, request: HttpRequest, starts: dict[str, int]
) -> SafeString:
    """The shares chart and a page of the payouts and of the valued contributions each
    (``starts``: the offsets asked for), rendered once: a distribution's payouts and
    valuation are frozen when it is proposed."""

    def draw() -> fragments.Drawn:
        found = selectors.payouts_of(distribution).defer("explanation")
        payout_count = found.count()
        at = starts["payouts"]
        payouts = list(found[at : at + ROWS_SHOWN])
        largest = payouts[:CHART_BARS] if at == 0 else list(found[:CHART_BARS])
        every_valued = distribution.result.get("contributions", [])
        valued = every_valued[starts["valued"] : starts["valued"] + ROWS_SHOWN]
        for param, count, what in (
            ("payouts", payout_count, "payouts"),
            ("valued", len(every_valued), "valued contributions"),
        ):
            if starts[param] and starts[param] >= count:
                raise NotFound(f"Distribution {distribution.pk} has only {count} {what}.")
        names = community.members_by_id(
            {str(c.get("member")) for c in valued}
            | {str(p.member_id) for p in (*payouts, *largest)}
        )
        code = distribution.currency
        chart = charts.horizontal_bars(
            "Shares of this distribution, the largest first",
            [(p.member.display_name, p.amount_minor, money(p.amount_minor, code)) for p in largest],
        )
        html = render_to_string(
            "web/books/_distribution_tables.html",
            {
                "distribution": distribution,
                "payouts": payouts,
                "payout_rows": _rows(request, starts, "payouts", len(payouts), payout_count),
                "chart": chart,
                "charted": len(largest),
                "valued": [{**c, "author": names.get(str(c.get("member")))} for c in valued],
                "valued_rows": _rows(request, starts, "valued", len(valued), len(every_valued)),
            },
        )
        return html, fragments.names_of(names)

    # The moment it was proposed as well as its id: an id names one distribution forever,
    # but a test database that rolls back reuses ids under the same cache.
    parts = (
        distribution.pk, distribution.created_at.isoformat(), distribution.status,
        starts["payouts"], starts["valued"],
    )  # fmt: skip
    return fragments.rendered("distribution-tables", draw, parts=parts, head=head)


def _rows(
    request: HttpRequest, starts: dict[str, int], param: str, shown: int, count: int
) -> Slice:
    return slice_of(
        starts[param], shown, count, ROWS_SHOWN, path=request.path, others=starts, param=param,
        anchor=f"#{param}",
    )  # fmt: skip


def frozen_reserve_share(distribution: Distribution) -> Decimal | None:
    """The reserve share of the policy the distribution froze (None if it cannot be read)."""
    try:
        return frozen_policy(distribution.policy).reserve.share
    except (ValueError, TypeError):
        return None


def resource_rows(
    distribution: Distribution, payments: list[dict[str, Any]] | None = None
) -> list[dict[str, Any]]:
    """Metered resources paid before the split, with the lender's member record."""
    if payments is None:
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
