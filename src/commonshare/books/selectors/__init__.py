"""Reads of the books: every page, API route and command reads the books through here.

Submodules by subject (``owed``, ``exports``, ...); what they offer is re-exported below.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet, Sum
from django.db.models.functions import TruncMonth

from commonshare.books import journal, services
from commonshare.books.models import Distribution, Income, Payout, Withdrawal
from commonshare.books.selectors.exports import journal_export as journal_export
from commonshare.books.selectors.owed import owed_by_currency as owed_by_currency
from commonshare.books.selectors.owed import owed_minor as owed_minor
from commonshare.community.models import Member
from commonshare.core.ledger import PAYOUTS, RESERVE, payable_account
from commonshare.core.sustainability import MonthTotals, Sustainability, sustainability
from commonshare.errors import NotFound
from commonshare.work.models import Contribution


def incomes() -> QuerySet[Income]:
    return Income.objects.select_related("recorded_by")


def distributions() -> QuerySet[Distribution]:
    return Distribution.objects.select_related("created_by")


def distribution(distribution_id: int) -> Distribution:
    found = Distribution.objects.filter(pk=distribution_id).first()
    if found is None:
        raise NotFound(f"No distribution with id {distribution_id}.")
    return found


def payouts_of(distribution: Distribution) -> QuerySet[Payout]:
    return distribution.payouts.select_related("member").order_by("-amount_minor", "member_id")


def payouts_for(member: Member) -> QuerySet[Payout]:
    return Payout.objects.filter(member=member).select_related("distribution")


def payout(distribution_id: int, member_id: int) -> Payout:
    found = (
        Payout.objects.select_related("distribution", "member")
        .filter(distribution_id=distribution_id, member_id=member_id)
        .first()
    )
    if found is None:
        raise NotFound("That member has no payout in this distribution.")
    return found


def earned_by_currency(member: Member) -> dict[str, int]:
    """Minor units a member has been paid out, per currency."""
    rows = (
        Payout.objects.filter(member=member)
        .values("distribution__currency")
        .annotate(total=Sum("amount_minor"))
    )
    return {row["distribution__currency"]: int(row["total"]) for row in rows}


def month_totals(currency: str) -> list[MonthTotals]:
    """Income, expenses and payouts per calendar month, summed by the database."""
    rows = (
        journal.entered_postings()
        .filter(currency=currency)
        .filter(Q(account__startswith="income:") | Q(account__startswith="expenses:"))
        .annotate(month=TruncMonth("entry__date"))
        .values("month", "account")
        .annotate(total=Sum("minor"))
    )
    table: dict[dt.date, list[int]] = {}
    for row in rows:
        month = row["month"]
        month = month.date() if isinstance(month, dt.datetime) else month
        totals = table.setdefault(month, [0, 0, 0])
        if row["account"].startswith("income:"):
            totals[0] -= int(row["total"])
        elif row["account"] == PAYOUTS:
            totals[2] += int(row["total"])
        else:
            totals[1] += int(row["total"])
    return [MonthTotals(month, *table[month]) for month in sorted(table)]


def sustainability_report(currency: str, *, today: dt.date, window: int = 3) -> Sustainability:
    return sustainability(
        month_totals(currency),
        reserve=journal.balance(RESERVE, currency),
        currency=currency,
        today=today,
        window=window,
    )


def expense_claims(status: str | None = None) -> list[Contribution]:
    """Expense claims with their status (pending, approved, rejected), newest first."""
    claims = list(
        Contribution.objects.filter(kind=Contribution.Kind.EXPENSE)
        .select_related("author")
        .prefetch_related("expense_decisions__member")
        .order_by("-created_at", "-id")
    )
    for claim in claims:
        claim.status = services.expense_status(claim)  # type: ignore[attr-defined]
    return [c for c in claims if status is None or c.status == status]  # type: ignore[attr-defined]


def withdrawals_of(member: Member) -> QuerySet[Withdrawal]:
    return Withdrawal.objects.filter(member=member)


def member_account_history(member: Member, *, limit: int = 200) -> list[dict[str, Any]]:
    """Postings to a member's payable account, newest first: what was owed and paid."""
    rows = (
        journal.entered_postings()
        .filter(account=payable_account(member.pk))
        .order_by("-entry_id", "line")
        .values("entry_id", "entry__date", "entry__description", "currency", "minor")[:limit]
    )
    return [dict(row) for row in rows]
