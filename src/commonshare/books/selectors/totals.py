"""Totals over the whole journal: balances and monthly flows, kept up to date incrementally.

Every total here is derived from the journal's postings, so it is net of
reversals: a reversed income is gone from the totals and from the monthly
income alike (the reversal is posted on the day it was made).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Q, Sum
from django.db.models.functions import TruncMonth

from commonshare.books import journal
from commonshare.books.models import Distribution, JournalEntry
from commonshare.core.ledger import BANK, GENESIS_HASH, PAYOUTS, RESERVE
from commonshare.core.sustainability import MonthTotals, Sustainability, sustainability


@dataclass
class LedgerTotals:
    """Balances and monthly flows up to entry ``seq`` (whose hash is ``hash``).

    Derived from the journal only: the totals at ``seq`` plus the postings
    after it give the totals at the head, so a page costs the new entries,
    not the whole journal. The hash check drops totals of a journal that
    was replaced (a restored backup, a test database).
    """

    seq: int
    hash: str
    balances: dict[tuple[str, str], int]
    months: dict[tuple[str, dt.date], list[int]]  # income, expenses, payouts

    def month_totals(self, currency: str) -> list[MonthTotals]:
        rows = [(month, t) for (code, month), t in self.months.items() if code == currency]
        return [MonthTotals(month, *totals) for month, totals in sorted(rows)]

    def currencies(self) -> list[str]:
        return sorted({currency for _, currency in self.balances})


TOTALS_KEY = "commonshare.books.ledger-totals"


_memo: list[LedgerTotals] = []  # this process's last totals, in front of the shared cache


def ledger_totals() -> LedgerTotals:
    head_seq, head_hash = journal.head()
    if _memo and (_memo[0].seq, _memo[0].hash) == (head_seq, head_hash):
        return _memo[0]
    totals: LedgerTotals | None = cache.get(TOTALS_KEY)
    if totals is None or totals.seq > head_seq or not _still_there(totals):
        totals = LedgerTotals(0, GENESIS_HASH, {}, {})
    if totals.seq < head_seq:
        _add_postings(totals, after=totals.seq, upto=head_seq)
        totals.seq, totals.hash = head_seq, head_hash
        cache.set(TOTALS_KEY, totals, None)
    _memo[:] = [totals]
    return totals


def _still_there(totals: LedgerTotals) -> bool:
    if totals.seq == 0:
        return True
    stored = JournalEntry.objects.filter(seq=totals.seq).values_list("hash", flat=True).first()
    return stored == totals.hash


def _add_postings(totals: LedgerTotals, *, after: int, upto: int) -> None:
    rows = journal.entered_postings().filter(entry_id__gt=after, entry_id__lte=upto)
    for row in rows.values("account", "currency").annotate(total=Sum("minor")).order_by():
        key = (row["account"], row["currency"])
        totals.balances[key] = totals.balances.get(key, 0) + int(row["total"])
    flows = (
        rows.filter(Q(account__startswith="income:") | Q(account__startswith="expenses:"))
        .annotate(month=TruncMonth("entry__date"))
        .values("currency", "month", "account")
        .annotate(total=Sum("minor"))
        .order_by()
    )
    for row in flows:
        month = row["month"]
        month = month.date() if isinstance(month, dt.datetime) else month
        line = totals.months.setdefault((row["currency"], month), [0, 0, 0])
        total = int(row["total"])
        if row["account"].startswith("income:"):
            line[0] -= total
        elif row["account"] == PAYOUTS:
            line[2] += total
        else:
            line[1] += total


def income_totals() -> list[tuple[str, int]]:
    """Income per currency as the journal has it (net of reversals), from cached totals."""
    totals: dict[str, int] = {}
    for (account, currency), balance in ledger_totals().balances.items():
        if account.startswith("income:"):
            totals[currency] = totals.get(currency, 0) - balance
    return sorted((currency, amount) for currency, amount in totals.items() if amount)


def distributed_totals() -> list[tuple[str, int]]:
    """Pay distributed per currency as the journal has it (net of reversals)."""
    return sorted(
        (currency, balance)
        for (account, currency), balance in ledger_totals().balances.items()
        if account == PAYOUTS and balance
    )


def last_months(totals: list[MonthTotals], today: dt.date, count: int = 12) -> list[MonthTotals]:
    """The ``count`` calendar months up to ``today``'s, oldest first, empty months as zeros."""
    by_month = {row.month: row for row in totals}
    year, month = today.year, today.month
    months = []
    for _ in range(count):
        start = dt.date(year, month, 1)
        months.append(by_month.get(start, MonthTotals(start, 0, 0, 0)))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months[::-1]


def income_per_month(today: dt.date, months: int = 12) -> dict[str, list[tuple[dt.date, int]]]:
    """Income per currency for the last ``months`` calendar months, oldest first.

    From the journal, as ``income_totals`` is: net of reversals, dated by entry.
    A currency with no income left in those months is not listed.
    """
    totals = ledger_totals()
    per_currency = {
        code: [
            (row.month, row.income) for row in last_months(totals.month_totals(code), today, months)
        ]
        for code in totals.currencies()
    }
    return {code: rows for code, rows in per_currency.items() if any(total for _, total in rows)}


def month_totals(currency: str) -> list[MonthTotals]:
    """Income, expenses and payouts of ``currency`` per calendar month, oldest first."""
    return ledger_totals().month_totals(currency)


def sustainability_of(
    totals: LedgerTotals, currency: str, today: dt.date, *, window: int = 3
) -> Sustainability:
    return sustainability(
        totals.month_totals(currency),
        reserve=totals.balances.get((RESERVE, currency), 0),
        currency=currency,
        today=today,
        window=window,
    )


def sustainability_report(currency: str, *, today: dt.date, window: int = 3) -> Sustainability:
    """Burn, runway, break-even and trend of ``currency``: the page, the API and the CLI."""
    return sustainability_of(ledger_totals(), currency, today, window=window)


# --- What a distribution started from ------------------------------------------------


@dataclass(frozen=True)
class DistributionBasis:
    """The books just before a distribution's first entry, in its currency."""

    before_seq: int
    income: int
    reserve: int
    bank: int
    owed: int
    resources: int

    @property
    def distributable(self) -> int:
        return self.bank - self.owed


def distribution_basis(distribution: Distribution) -> DistributionBasis | None:
    """Income, reserve, bank and what was owed when the distribution ran, from the journal."""
    source = f"distribution:{distribution.pk}"
    seqs = list(
        JournalEntry.objects.filter(source=source, reverses__isnull=True).values_list(
            "seq", flat=True
        )
    )
    if not seqs:
        return None
    first = min(seqs)
    rows = (
        journal.entered_postings()
        .filter(entry_id__lt=first, currency=distribution.currency)
        .filter(
            Q(account__startswith="income:")
            | Q(account__in=[BANK, RESERVE])
            | Q(account__startswith="liabilities:payable:")
        )
        .values("account")
        .annotate(total=Sum("minor"))
    )
    income_minor = reserve = bank = owed = 0
    for row in rows:
        account, total = row["account"], int(row["total"])
        if account.startswith("income:"):
            income_minor -= total
        elif account == RESERVE:
            reserve += total
        elif account == BANK:
            bank += total
        else:
            owed -= total
    resources = (
        journal.entered_postings()
        .filter(entry_id__in=seqs, account="expenses:resources", currency=distribution.currency)
        .aggregate(total=Sum("minor"))["total"]
    )
    return DistributionBasis(first - 1, income_minor, reserve, bank, owed, int(resources or 0))
