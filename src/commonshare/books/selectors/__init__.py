"""Reads of the books: every page, API route and command reads the books through here.

Submodules by subject: ``entries`` (the journal page by page), ``totals`` (balances and
monthly flows, net of reversals), ``owed`` (what members are owed), ``exports``; what they
offer is re-exported here, so callers say ``selectors.owed_by_currency(...)``. Only
``expenses`` is imported by itself: it reads a claim's status through ``books.services``,
which reads what is owed here, so re-exporting it would make an import cycle.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import Count, Max, QuerySet, Sum
from django.utils import timezone

from commonshare.books import journal
from commonshare.books.models import Distribution, Income, Payout, Withdrawal
from commonshare.books.selectors.entries import (
    ENTRY_PAGE_SIZE,
    JournalPage,
    currencies,
    entries_before,
    entries_between,
    entries_from,
    entry_row,
    income,
    journal_page,
    main_currency,
    page_bounds,
    reversed_by,
)
from commonshare.books.selectors.exports import (
    journal_export,
)
from commonshare.books.selectors.owed import (
    owed_by_currency,
    owed_minor,
)
from commonshare.books.selectors.totals import (
    DistributionBasis,
    LedgerTotals,
    distributed_totals,
    distribution_basis,
    income_per_month,
    income_totals,
    last_months,
    ledger_totals,
    month_totals,
    sustainability_of,
    sustainability_report,
)
from commonshare.books.vocab import IncomeStatus
from commonshare.community.models import Member
from commonshare.core.ledger import payable_account
from commonshare.core.words import long_datetime
from commonshare.errors import NotFound

__all__ = [
    "ENTRY_PAGE_SIZE",
    "DistributionBasis",
    "JournalPage",
    "LedgerTotals",
    "account_history",
    "currencies",
    "distributed_totals",
    "distribution",
    "distribution_basis",
    "distribution_summaries",
    "distributions",
    "distributions_by_id",
    "earned_by_currency",
    "entries_before",
    "entries_between",
    "entries_from",
    "entry_row",
    "income",
    "income_per_month",
    "income_totals",
    "incomes",
    "incomes_by_id",
    "journal_export",
    "journal_page",
    "last_months",
    "ledger_totals",
    "main_currency",
    "member_account_history",
    "month_totals",
    "owed_by_currency",
    "owed_minor",
    "page_bounds",
    "payout",
    "payouts_for",
    "payouts_of",
    "pending_income_totals",
    "posted_mark",
    "reversed_by",
    "sustainability_of",
    "sustainability_report",
    "withdrawals_by_id",
    "withdrawals_of",
]


def incomes() -> QuerySet[Income]:
    return Income.objects.select_related("recorded_by", "confirmed_by")


def pending_income_totals() -> list[tuple[str, int]]:
    """Income waiting for confirmation per currency: shown, not in the books, not
    distributable."""
    rows = (
        Income.objects.filter(status=IncomeStatus.PENDING)
        .values("currency")
        .annotate(total=Sum("amount_minor"))
        .order_by("currency")
    )
    return [(row["currency"], int(row["total"])) for row in rows]


def incomes_by_id(ids: Iterable[str]) -> dict[str, Income]:
    """The income records among ``ids`` (as audit events keep them), by that string."""
    return {str(i.pk): i for i in Income.objects.filter(pk__in=_numbers(ids))}


def distributions_by_id(ids: Iterable[str]) -> dict[str, Distribution]:
    """The distributions among ``ids`` (as audit events keep them), by that string."""
    found = Distribution.objects.defer(*HEAVY).filter(pk__in=_numbers(ids))
    return {str(d.pk): d for d in found}


def withdrawals_by_id(ids: Iterable[str]) -> dict[str, Withdrawal]:
    """The withdrawals among ``ids``, with who was paid, by that string."""
    found = Withdrawal.objects.filter(pk__in=_numbers(ids)).select_related("member")
    return {str(w.pk): w for w in found}


def _numbers(ids: Iterable[str]) -> list[int]:
    return [int(i) for i in ids if str(i).isdigit()]


def distributions() -> QuerySet[Distribution]:
    return Distribution.objects.select_related("created_by")


def posted_distributions() -> QuerySet[Distribution]:
    return distributions().filter(status=Distribution.Status.POSTED)


def proposed_distributions() -> QuerySet[Distribution]:
    """Proposals frozen and open for challenge (or past their window), not yet posted."""
    return distributions().filter(status=Distribution.Status.PROPOSED)


def posted_mark() -> tuple[int, int]:
    """How many distributions are posted, and the newest one's id: a posted distribution
    that moved no money posts no entry, so the head alone does not name the posted ones."""
    found = Distribution.objects.filter(status=Distribution.Status.POSTED).aggregate(
        count=Count("pk"), last=Max("pk")
    )
    return int(found["count"]), int(found["last"] or 0)


def distribution_summaries(status: str, *, with_payees: bool = False) -> QuerySet[Distribution]:
    """Distributions of ``status`` for lists, without their valuation input and output;
    ``with_payees`` counts each one's payouts (``payee_count``)."""
    found = distributions().filter(status=status).defer(*HEAVY)
    if not with_payees:
        return found
    return found.annotate(payee_count=Count("payouts"))


def distribution_state(distribution: Distribution, *, now: dt.datetime | None = None) -> str:
    """Where a distribution stands, in a sentence's words, with the window's close."""
    status = distribution.status
    ends = distribution.challenge_ends_at
    if status == Distribution.Status.PROPOSED and ends is not None:
        moment = timezone.now() if now is None else now
        when = long_datetime(timezone.localtime(ends))
        if moment < ends:
            return f"open for challenge until {when}"
        return f"challenge window closed on {when}; it posts when its decision is closed"
    if status == Distribution.Status.POSTED and distribution.posted_at is not None:
        return f"posted on {long_datetime(timezone.localtime(distribution.posted_at))}"
    return str(distribution.get_status_display()).lower()


# A distribution's frozen valuation input and output: large (every contribution and
# explanation), read only where they are shown.
HEAVY = ("request", "result")


def distribution(distribution_id: int, *, brief: bool = False) -> Distribution:
    """One distribution; ``brief`` leaves its valuation input and output unread until used."""
    rows = Distribution.objects.select_related("created_by")
    found = (rows.defer(*HEAVY) if brief else rows).filter(pk=distribution_id).first()
    if found is None:
        raise NotFound(f"No distribution with id {distribution_id}.")
    return found


def payouts_of(distribution: Distribution) -> QuerySet[Payout]:
    return distribution.payouts.select_related("member").order_by("-amount_minor", "member_id")


def payouts_for(member: Member) -> QuerySet[Payout]:
    """A member's payouts in posted distributions (a proposal's are a preview, not pay),
    the latest distribution first."""
    return (
        Payout.objects.filter(member=member, distribution__status=Distribution.Status.POSTED)
        .select_related("distribution")
        .order_by("-distribution_id", "-id")
    )


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
        Payout.objects.filter(member=member, distribution__status=Distribution.Status.POSTED)
        .values("distribution__currency")
        .annotate(total=Sum("amount_minor"))
    )
    return {row["distribution__currency"]: int(row["total"]) for row in rows}


def withdrawals_of(member: Member) -> QuerySet[Withdrawal]:
    """Payouts by bank transfer to a member, newest first (page it: ``commonshare.paging``)."""
    return Withdrawal.objects.filter(member=member).order_by("-created_at", "-id")


def account_history(member: Member) -> QuerySet[Any]:
    """Postings to a member's payable account, newest entry first, as rows of
    ``entry_id, entry__date, entry__description, currency, minor`` (page it)."""
    return (
        journal.entered_postings()
        .filter(account=payable_account(member.pk))
        .order_by("-entry_id", "line", "pk")
        .values("pk", "entry_id", "line", "entry__date", "entry__description", "currency", "minor")
    )


def member_account_history(member: Member, *, limit: int = 200) -> list[dict[str, Any]]:
    """Postings to a member's payable account, newest first: what was owed and paid."""
    return [dict(row) for row in account_history(member)[:limit]]
