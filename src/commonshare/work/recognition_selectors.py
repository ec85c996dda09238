"""Reads of recognition: who thanked whom, for what (``commonshare.work.recognition``)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet

from commonshare.community.models import Member
from commonshare.work.models import Contribution, Review, Thanks


def thanks_received(member: Member) -> QuerySet[Thanks]:
    """The thanks a member was given, newest first."""
    return (
        Thanks.objects.filter(member=member)
        .select_related("thanked_by", "contribution", "review__contribution")
        .order_by("-created_at", "-id")
    )


def thanks_for_contribution(contribution: Contribution) -> QuerySet[Thanks]:
    return Thanks.objects.filter(contribution=contribution).select_related("thanked_by")


def thanks_by_review(
    contribution: Contribution, reviews: Iterable[Review]
) -> list[tuple[Review, list[Thanks]]]:
    """Each review of ``contribution`` with the thanks its reviewer was given for it."""
    found: dict[int, list[Thanks]] = {}
    for thanks in Thanks.objects.filter(review__contribution=contribution).select_related(
        "thanked_by"
    ):
        found.setdefault(thanks.review_id or 0, []).append(thanks)
    return [(review, found.get(review.pk, [])) for review in reviews]


def contribution_of_review(review_id: int) -> int | None:
    """The contribution a review judged (its page shows the review's thanks)."""
    return Review.objects.filter(pk=review_id).values_list("contribution_id", flat=True).first()


def contribution_count() -> int:
    return Contribution.objects.count()
