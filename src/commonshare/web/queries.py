"""Reads the pages need that the apps' selectors do not offer (yet).

Read-only and small; each could move to its app's ``selectors.py`` unchanged.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Avg, Count, QuerySet, Sum
from django.db.models.functions import TruncMonth

from commonshare.audit.models import AuditEvent
from commonshare.books.models import Income, Payout
from commonshare.community.models import Member
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
    return totals_by_currency(Income.objects.all(), "amount_minor", "currency")


def distributed_totals() -> list[tuple[str, int]]:
    return totals_by_currency(Payout.objects.all(), "amount_minor", "distribution__currency")


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
