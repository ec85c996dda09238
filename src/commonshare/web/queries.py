"""Reads the pages need that the apps' selectors do not offer (yet).

Read-only and small; each could move to its app's ``selectors.py`` unchanged.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.db.models import Avg, Count, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth

from commonshare.audit.models import AuditEvent
from commonshare.books import journal
from commonshare.books.journal import ENTRY_FIELDS
from commonshare.books.models import Distribution, Income, JournalEntry, JournalPosting
from commonshare.community.models import Member
from commonshare.core.ledger import BANK, GENESIS_HASH, PAYOUTS, RESERVE
from commonshare.core.sustainability import MonthTotals, Sustainability, sustainability
from commonshare.errors import NotFound
from commonshare.work.models import Contribution, Review, ReviewAssignment, Task


@dataclass
class TaskNode:
    task: Task
    children: list[TaskNode] = field(default_factory=list)


def task_tree() -> list[TaskNode]:
    """Every task with its subtasks nested, at any depth; open work first."""
    order: dict[str, int] = {"open": 0, "claimed": 1, "done": 2}
    tasks = list(Task.objects.select_related("claimed_by").order_by("created_at", "id"))
    nodes = {task.pk: TaskNode(task) for task in tasks}
    roots: list[TaskNode] = []
    for task in tasks:
        parent = nodes.get(task.parent_id) if task.parent_id else None
        (parent.children if parent else roots).append(nodes[task.pk])
    for node in nodes.values():
        node.children.sort(key=lambda n: (order.get(n.task.status, 9), n.task.pk))
    roots.sort(key=lambda n: (order.get(n.task.status, 9), -n.task.pk))
    return roots


def subtasks_of(task: Task) -> QuerySet[Task]:
    return task.subtasks.select_related("claimed_by").order_by("created_at", "id")


def contributions_to(task: Task) -> QuerySet[Contribution]:
    return (
        Contribution.objects.filter(task=task)
        .select_related("author")
        .annotate(review_count=Count("reviews"), mean_rating=Avg("reviews__rating"))
        .order_by("-created_at", "-id")
    )


def unfinished_tasks() -> QuerySet[Task]:
    """Tasks a contribution may still be logged against."""
    return Task.objects.exclude(status=Task.Status.DONE).order_by("title", "id")


def is_waiting_reviewer(member: Any, contribution: Contribution) -> bool:
    """Drawn for ``contribution`` and not yet reviewed it."""
    if not getattr(member, "is_authenticated", False):
        return False
    drawn = ReviewAssignment.objects.filter(contribution=contribution, reviewer=member).exists()
    reviewed = Review.objects.filter(contribution=contribution, reviewer=member).exists()
    return drawn and not reviewed


def members_by_id(ids: list[str] | set[str]) -> dict[str, Member]:
    numbers = [int(i) for i in ids if str(i).isdigit()]
    return {str(m.pk): m for m in Member.objects.filter(pk__in=numbers)}


def totals_by_currency(
    queryset: QuerySet[Any], amount: str, currency: str
) -> list[tuple[str, int]]:
    rows = queryset.values(currency).annotate(total=Sum(amount)).order_by(currency)
    return [(row[currency], int(row["total"] or 0)) for row in rows]


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


def home_numbers() -> dict[str, Any]:
    return {
        "members": Member.objects.filter(left_at__isnull=True, is_active=True).count(),
        "open_tasks": Task.objects.filter(status=Task.Status.OPEN).count(),
        "income": income_totals(),
        "distributed": distributed_totals(),
    }


def recent_activity(limit: int = 20) -> list[AuditEvent]:
    return list(AuditEvent.objects.select_related("actor").order_by("-id")[:limit])


def income_per_month(today: dt.date, months: int = 12) -> dict[str, list[tuple[dt.date, int]]]:
    """Income per currency for the last ``months`` calendar months, oldest first."""
    first = today.replace(day=1)
    starts = []
    year, month = first.year, first.month
    for _ in range(months):
        starts.append(dt.date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    starts.reverse()
    rows = (
        Income.objects.filter(received_on__gte=starts[0])
        .annotate(month=TruncMonth("received_on"))
        .values("currency", "month")
        .annotate(total=Sum("amount_minor"))
    )
    by_currency: dict[str, dict[dt.date, int]] = defaultdict(dict)
    for row in rows:
        by_currency[row["currency"]][row["month"]] = int(row["total"])
    return {
        code: [(start, totals.get(start, 0)) for start in starts]
        for code, totals in sorted(by_currency.items())
    }


# --- The journal, page by page ------------------------------------------------------

ENTRY_PAGE_SIZE = 50


@dataclass(frozen=True)
class JournalPage:
    """Newest-first page ``number`` of the journal: entries ``first``..``last`` (seq)."""

    head_seq: int
    head_hash: str
    number: int
    pages: int
    first: int
    last: int
    entries: list[dict[str, Any]]


def page_bounds(head_seq: int, number: int, size: int) -> tuple[int, int]:
    """Seqs (exclusive low, inclusive high] of newest-first page ``number``.

    Sequence numbers run 1..head with no gaps, so a page is a seq range and
    reading it costs the same at any depth of the journal.
    """
    high = head_seq - (number - 1) * size
    return max(high - size, 0), high


def entries_between(low: int, high: int) -> list[dict[str, Any]]:
    """Entries with low < seq <= high, newest first, postings joined (two range queries)."""
    rows = list(
        JournalEntry.objects.filter(seq__gt=low, seq__lte=high)
        .order_by("-seq")
        .values(*ENTRY_FIELDS, "created_at")
    )
    lines: dict[int, list[dict[str, Any]]] = {row["seq"]: [] for row in rows}
    for seq, account, currency, minor in (
        JournalPosting.objects.filter(entry_id__gt=low, entry_id__lte=high)
        .order_by("entry_id", "line")
        .values_list("entry_id", "account", "currency", "minor")
    ):
        if seq in lines:
            lines[seq].append({"account": account, "currency": currency, "minor": minor})
    for row in rows:
        row["postings"] = lines[row["seq"]]
    return rows


def journal_page(number: int, size: int | None = None) -> JournalPage | None:
    """One page of the journal, or None when there is no such page."""
    size = size or ENTRY_PAGE_SIZE
    head_seq, head_hash = journal.head()
    pages = max(1, -(-head_seq // size))
    if not 1 <= number <= pages:
        return None
    low, high = page_bounds(head_seq, number, size)
    return JournalPage(
        head_seq, head_hash, number, pages, low + 1, high, entries_between(low, high)
    )


def reversed_by(seqs: list[int]) -> dict[int, int]:
    """For each of ``seqs`` that was reversed: the seq of the entry that reverses it."""
    rows = JournalEntry.objects.filter(reverses__in=seqs).values_list("reverses", "seq")
    return {int(target): int(seq) for target, seq in rows if target is not None}


def entry_row(seq: int) -> dict[str, Any]:
    """One entry with its postings, as ``entries_between`` gives them; NotFound if none."""
    rows = entries_between(seq - 1, seq)
    if not rows:
        raise NotFound(f"There is no journal entry #{seq}.")
    return rows[0]


def entries_from(source: str) -> list[dict[str, Any]]:
    """Entries whose source is ``source`` (``income:17``), oldest first."""
    seqs = sorted(JournalEntry.objects.filter(source=source).values_list("seq", flat=True))
    return [row for seq in seqs for row in entries_between(seq - 1, seq)]


def main_currency(known: list[str]) -> str:
    """The currency of the income recorded last, else the first the books know (else EUR).

    One row by primary key, whatever the size of the books: the page is read often.
    """
    latest = Income.objects.order_by("-id").values_list("currency", flat=True)
    return latest.first() or next(iter(known), "EUR")


def currencies() -> list[str]:
    """Currencies in the journal, each once.

    ``order_by()`` drops the model's default ordering, which DISTINCT would
    otherwise include (and so repeat each currency per entry).
    """
    return sorted(
        set(journal.entered_postings().order_by().values_list("currency", flat=True).distinct())
    )


def income(income_id: int) -> Income:
    found = Income.objects.select_related("recorded_by").filter(pk=income_id).first()
    if found is None:
        raise NotFound(f"No income with id {income_id}.")
    return found


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


# --- A member's money ----------------------------------------------------------------


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


# --- Totals over the whole journal, kept up to date incrementally ---------------------


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


TOTALS_KEY = "commonshare.web.ledger-totals"


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


def sustainability_of(totals: LedgerTotals, currency: str, today: dt.date) -> Sustainability:
    return sustainability(
        totals.month_totals(currency),
        reserve=totals.balances.get((RESERVE, currency), 0),
        currency=currency,
        today=today,
    )
