from __future__ import annotations

from django.db.models import QuerySet, Sum

from commonshare.books.models import Distribution, Income, Payout
from commonshare.community.models import Member
from commonshare.errors import NotFound


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
