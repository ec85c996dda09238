from __future__ import annotations

from django.db.models import Avg, Count, Prefetch, QuerySet

from commonshare.community.models import Member
from commonshare.errors import NotFound
from commonshare.work.models import Contribution, Review, ReviewAssignment, Task


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


def contributions(author: Member | None = None) -> QuerySet[Contribution]:
    queryset = Contribution.objects.select_related("author", "task").annotate(
        review_count=Count("reviews"), mean_rating=Avg("reviews__rating")
    )
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
    reviewed = Review.objects.filter(reviewer=member).values("contribution_id")
    return (
        ReviewAssignment.objects.filter(reviewer=member)
        .exclude(contribution_id__in=reviewed)
        .select_related("contribution", "contribution__author", "contribution__task")
        .order_by("drawn_at", "id")
    )
