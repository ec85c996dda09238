from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    Avg,
    Case,
    CharField,
    Count,
    Exists,
    F,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import Cast, Coalesce, RowNumber
from django.utils import timezone

from commonshare import paging
from commonshare.community.models import Member
from commonshare.core import trust as levels
from commonshare.errors import NotFound
from commonshare.work import earned, trust
from commonshare.work.models import (
    Contribution,
    ContributionVersion,
    Review,
    ReviewAssignment,
    Task,
)
from commonshare.work.vocab import TaskStatus


def top_level_tasks() -> QuerySet[Task]:
    return (
        Task.objects.filter(parent__isnull=True)
        .select_related("claimed_by", "created_by")
        .prefetch_related(Prefetch("subtasks", queryset=Task.objects.select_related("claimed_by")))
        .order_by("status", "-created_at", "-id")
    )


def tasks(status: str | None = None) -> QuerySet[Task]:
    queryset = Task.objects.select_related("claimed_by", "created_by", "parent")
    return queryset.filter(status=status) if status else queryset


def task(task_id: int) -> Task:
    found = (
        Task.objects.select_related("claimed_by", "created_by", "parent").filter(pk=task_id).first()
    )
    if found is None:
        raise NotFound(f"No task with id {task_id}.")
    return found


def _review_figures() -> dict[str, Any]:
    reviews = Review.objects.filter(contribution=OuterRef("pk")).order_by().values("contribution")
    return {
        "review_count": Coalesce(Subquery(reviews.annotate(n=Count("*")).values("n")), Value(0)),
        "mean_rating": Subquery(reviews.annotate(m=Avg("rating")).values("m")),
    }


def with_review_counts(queryset: QuerySet[Contribution]) -> QuerySet[Contribution]:
    """Each contribution with ``review_count`` and ``mean_rating``, worked out per row
    shown (correlated subqueries), so a page never groups the whole table first."""
    return queryset.annotate(**_review_figures())


def contributions(author: Member | None = None) -> QuerySet[Contribution]:
    queryset = with_review_counts(Contribution.objects.select_related("author", "task"))
    return queryset.filter(author=author) if author is not None else queryset


def contribution(contribution_id: int) -> Contribution:
    found = (
        Contribution.objects.select_related("author", "task")
        .prefetch_related(
            Prefetch("reviews", queryset=Review.objects.select_related("reviewer")),
            Prefetch("assignments", queryset=ReviewAssignment.objects.select_related("reviewer")),
        )
        .filter(pk=contribution_id)
        .first()
    )
    if found is None:
        raise NotFound(f"No contribution with id {contribution_id}.")
    return found


def reviews_waiting_for(member: Member) -> QuerySet[ReviewAssignment]:
    """Drawn assignments the member has not reviewed yet."""
    # ``reviewed_at`` narrows them to the index of those still to do (``submit_review``
    # sets it); the review itself stays the truth, looked up in the (contribution,
    # reviewer) index for each of those few.
    reviewed = Review.objects.filter(reviewer=member, contribution_id=OuterRef("contribution_id"))
    return (
        ReviewAssignment.objects.filter(reviewer=member, reviewed_at__isnull=True)
        .exclude(Exists(reviewed))
        .select_related("contribution", "contribution__author", "contribution__task")
        .order_by("drawn_at", "id")
    )


@dataclass
class TaskNode:
    task: Task
    children: list[TaskNode] = field(default_factory=list)
    more: int = 0  # subtasks not listed under it (task_forest)


def task_tree() -> list[TaskNode]:
    """Every task with its subtasks nested, at any depth; open work first."""
    order = {status: rank for rank, status in enumerate(TaskStatus.values)}
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


def top_tasks(status: str | None = None) -> QuerySet[Task]:
    """Tasks that are no task's subtask, newest first (``status`` keeps those in it)."""
    found = Task.objects.filter(parent__isnull=True).select_related("claimed_by")
    return (found.filter(status=status) if status else found).order_by("-created_at", "-id")


SUBTASKS_SHOWN = 5
"""Subtasks listed under each task in the task list; the rest are on the task's page."""


def task_forest(
    status: str | None = None,
    *,
    cursor: str | None = None,
    size: int = paging.DEFAULT_SIZE,
    shown: int = SUBTASKS_SHOWN,
) -> paging.Page[TaskNode]:
    """A page of top-level tasks, each with its first ``shown`` subtasks nested below it,
    at any depth, and how many more each has (``TaskNode.more``).

    One query for the page and one for each level of depth, however many tasks there
    are or how many subtasks one has: the subtasks shown, open work first as on a task's
    page, numbered and counted per parent by the database's window functions.
    """
    page = paging.page(top_tasks(status), cursor=cursor, size=size)
    rank = Case(
        *[When(status=value, then=Value(place)) for place, value in enumerate(TaskStatus.values)],
        default=Value(len(TaskStatus.values)),
    )
    roots = [TaskNode(task) for task in page]
    level = {node.task.pk: node for node in roots}
    while level:
        below = (
            Task.objects.filter(parent_id__in=list(level))
            .select_related("claimed_by")
            .annotate(
                place=Window(RowNumber(), partition_by=[F("parent_id")], order_by=[rank, F("pk")]),
                siblings=Window(Count("*"), partition_by=[F("parent_id")]),
            )
            .filter(place__lte=shown)
            .order_by("parent_id", "place")
        )
        found = {}
        for task in below:
            node = TaskNode(task)
            parent = level[task.parent_id]  # type: ignore[index]
            parent.children.append(node)
            parent.more = max(0, task.siblings - shown)
            found[task.pk] = node
        level = found
    return paging.Page(roots, page.next_cursor, page.previous_cursor)


def subtasks_of(task: Task) -> QuerySet[Task]:
    """A task's subtasks, oldest first (page it: ``commonshare.paging``)."""
    return task.subtasks.select_related("claimed_by", "created_by").order_by("created_at", "id")


def contributions_to(task: Task) -> QuerySet[Contribution]:
    """The contributions logged against a task, newest first, with their review figures."""
    return (
        Contribution.objects.filter(task=task)
        .select_related("author")
        .annotate(**_review_figures())
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


def earlier_draws(contribution: Contribution) -> QuerySet[ContributionVersion]:
    """The versions whose reviewer draw an edit replaced, oldest first."""
    return ContributionVersion.objects.filter(
        contribution=contribution, replaced_draw__isnull=False
    ).order_by("version")


def summaries_by_id(ids: list[str]) -> dict[str, str]:
    """Each contribution's summary by its id as the records keep it (a string)."""
    pks = [int(pk) for pk in ids if pk.isdigit()]
    found = Contribution.objects.filter(pk__in=pks).values_list("pk", "summary")
    return {str(pk): summary for pk, summary in found}


def open_subtasks(task: Task) -> list[Task]:
    """The subtasks of ``task`` not yet done, oldest first."""
    return list(task.subtasks.exclude(status=Task.Status.DONE).order_by("created_at", "id"))


def tasks_by_id(ids: Iterable[str]) -> dict[str, Task]:
    """The tasks among ``ids`` (as audit events keep them), by that string."""
    numbers = [int(i) for i in ids if str(i).isdigit()]
    return {str(t.pk): t for t in Task.objects.filter(pk__in=numbers)}


def contribution_ids_of_task(task_id: int) -> QuerySet[Contribution, Any]:
    """The ids of the task's contributions, as the text the audit log keeps (a subquery)."""
    return (
        Contribution.objects.filter(task_id=task_id)
        .annotate(as_text=Cast("pk", output_field=CharField()))
        .values("as_text")
    )


def review_ids_of_task(task_id: int) -> QuerySet[Review, Any]:
    """The ids of the reviews of the task's contributions, as text (a subquery)."""
    return (
        Review.objects.filter(contribution__task_id=task_id)
        .annotate(as_text=Cast("pk", output_field=CharField()))
        .values("as_text")
    )


def contributions_by_id(ids: Iterable[str]) -> dict[str, Contribution]:
    """The contributions among ``ids`` (as audit events keep them), by that string."""
    numbers = [int(i) for i in ids if str(i).isdigit()]
    return {str(c.pk): c for c in Contribution.objects.filter(pk__in=numbers)}


def reviews_of(contribution: Contribution) -> list[Review]:
    """Its reviews, with their reviewers (prefetched by ``contribution()``)."""
    return list(contribution.reviews.all())


def assignments_of(contribution: Contribution) -> list[ReviewAssignment]:
    """The reviewers drawn for it (prefetched by ``contribution()``)."""
    return list(contribution.assignments.all())


def assignment_of(contribution: Contribution, member: Any) -> ReviewAssignment | None:
    """``member``'s draw for ``contribution``, if they were drawn."""
    return next((a for a in assignments_of(contribution) if a.reviewer_id == member.pk), None)


# --- trust levels, explained ----------------------------------------------------------

POWER_WORDS: dict[trust.Power, str] = {
    trust.Power.REVIEW: "Be drawn to review other members' contributions",
    trust.Power.APPROVE_EXPENSES: "Be drawn to approve expense claims",
    trust.Power.MONEY: "Record and confirm money, propose money actions and vote on them",
    trust.Power.VOTE_RULES: "Vote on the rules and the norms",
}


@dataclass(frozen=True)
class PowerLine:
    power: str
    sentence: str
    needs_level: int
    held: bool


@dataclass(frozen=True)
class TrustSummary:
    """A member's trust level, what it unlocks, and what the next level asks."""

    member_id: int
    display_name: str
    level: int
    level_name: str
    powers: tuple[PowerLine, ...]
    next_level: int | None
    next_level_name: str | None
    requirements: tuple[levels.Requirement, ...]
    losses: tuple[str, ...]
    on: Any

    @property
    def met(self) -> int:
        return sum(1 for r in self.requirements if r.met)


def trust_summary(member: Member, *, on: Any = None) -> TrustSummary:
    """The one explanation of a member's trust level: the page, the API and the CLI show it."""
    day = on or timezone.localdate()
    record, policy = earned.standing_of(member, on=day)
    assessment = levels.assess(record, policy.trust, today=day, period=policy.period)
    level = trust.level_with_earned(member, assessment.level, on=day)
    requirements = assessment.requirements
    if level != assessment.level:  # powers held beyond the earned level (a steward's)
        requirements = (
            ()
            if level >= levels.TOP_LEVEL
            else levels.requirements_for(level + 1, record, policy.trust, today=day)
        )
    next_level = None if level >= levels.TOP_LEVEL else level + 1
    current = member.left_at is None
    powers = []
    for power in trust.Power:
        needs = trust.level_for(power, on=day)
        powers.append(PowerLine(power.value, POWER_WORDS[power], needs, current and level >= needs))
    return TrustSummary(
        member_id=member.pk,
        display_name=member.display_name,
        level=level,
        level_name=levels.LEVEL_NAMES[level],
        powers=tuple(powers),
        next_level=next_level,
        next_level_name=None if next_level is None else levels.LEVEL_NAMES[next_level],
        requirements=requirements,
        losses=assessment.losses,
        on=day,
    )
