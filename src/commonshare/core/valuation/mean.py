"""The ``mean`` method: value = claimed effort x mean rating / 5.

The plain baseline most tools use. It trusts every reviewer equally and takes
the author's effort as claimed; it is here to compare the others against.
A contribution with no review yet is worth nothing in this period.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from fractions import Fraction

from commonshare.core.money import from_minor, to_minor
from commonshare.core.split import split_minor
from commonshare.core.valuation.types import (
    MAX_RATING,
    AllocationRequest,
    AllocationResult,
    ContributionValue,
    PayoutLine,
    ReviewInput,
)

SHARE_PLACES = Decimal("1e-10")


def allocate_mean(request: AllocationRequest) -> AllocationResult:
    reviews_of: dict[str, list[ReviewInput]] = defaultdict(list)
    for review in request.reviews:
        reviews_of[review.contribution].append(review)

    member_value: dict[str, Fraction] = defaultdict(Fraction)
    for member in request.members:
        member_value[member.id] += 0
    values: list[ContributionValue] = []
    lines_of: dict[str, list[dict[str, object]]] = defaultdict(list)
    for contribution in sorted(request.contributions, key=lambda c: c.id):
        reviews = sorted(reviews_of[contribution.id], key=lambda r: r.reviewer)
        rating = (
            Fraction(sum(r.rating for r in reviews), len(reviews)) if reviews else None
        )
        value = Fraction(contribution.effort) * (rating or 0) / MAX_RATING
        member_value[contribution.member] += value
        values.append(
            ContributionValue(
                id=contribution.id,
                member=contribution.member,
                accepted_effort=contribution.effort,
                rating=None if rating is None else _decimal(rating),
                value=_decimal(value),
            )
        )
        lines_of[contribution.member].append(
            {
                "contribution": contribution.id,
                "kind": contribution.kind,
                "claimed_effort": str(contribution.effort),
                "accepted_effort": str(contribution.effort),
                "reviews": [
                    {"reviewer": r.reviewer, "rating": r.rating, "weight": "1"} for r in reviews
                ],
                "rating": None if rating is None else str(_decimal(rating)),
                "value": str(_decimal(value)),
                "formula": "accepted_effort * rating / 5",
            }
        )

    total_minor = to_minor(request.amount, request.currency)
    parts = split_minor(total_minor, member_value)
    value_sum = sum(member_value.values(), Fraction(0))
    payouts = tuple(
        PayoutLine(
            member=member,
            amount=from_minor(parts[member], request.currency),
            share=_share(parts[member], total_minor),
        )
        for member in sorted(parts)
    )
    explanations = {
        member: {
            "contributions": lines_of.get(member, []),
            "value": str(_decimal(member_value[member])),
            "total_value": str(_decimal(value_sum)),
            "exact_share": str(_decimal(member_value[member] / value_sum)) if value_sum else "0",
            "payout": str(from_minor(parts[member], request.currency)),
            "rounding": (
                "largest remainder: each member gets the floor of amount * value / total_value "
                "in minor units; leftover units go to the largest fractional parts, ties by id"
            ),
        }
        for member in sorted(parts)
    }
    remainder_minor = total_minor - sum(parts.values())
    return AllocationResult(
        currency=request.currency,
        amount=request.amount,
        method="mean",
        seed=request.seed,
        payouts=payouts,
        remainder=from_minor(remainder_minor, request.currency),
        contributions=tuple(values),
        explanations=explanations,
        reputation={},
        monitoring={},
        policy=dict(request.policy),
    )


def _decimal(value: Fraction) -> Decimal:
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(SHARE_PLACES)


def _share(part: int, total: int) -> Decimal:
    return _decimal(Fraction(part, total)) if total else Decimal(0)
