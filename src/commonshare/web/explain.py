"""A payout's explanation (the valuation engine's JSON) as rows a person can check.

Known keys get labels and their place in the arithmetic; keys the engine adds
later are shown generically so nothing in the explanation is ever hidden.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from commonshare.community.models import Member

CONTRIBUTION_KEYS = (
    "contribution",
    "kind",
    "claimed_effort",
    "accepted_effort",
    "reviews",
    "rating",
    "value",
    "formula",
)
REVIEW_KEYS = ("reviewer", "rating", "weight", "effort", "used")
# Summary keys in the order of the arithmetic, with what each one means.
SUMMARY_LABELS = {
    "method": "Valuation method",
    "value": "Your value (sum of your contributions' values)",
    "total_value": "Total value of everyone in this distribution",
    "value_exact": "Your value as an exact integer",
    "denominator_exact": "Denominator as an exact integer",
    "cluster": "Your cluster (reviews from inside it are not used)",
    "exact_share": "Exact share = your value ÷ total value",
    "check": "Check by hand",
    "payout": "Payout after rounding to the currency's minor unit",
    "payout_minor": "Payout in minor units",
    "share": "Share actually paid = payout ÷ amount",
    "rounding": "How rounding works",
    "trust": "Trust (EigenTrust score from the review graph)",
    "trust_iterations": "Trust iterations the valuation ran",
    "standing": "Standing (reputation, or claimed effort while nobody has one)",
    "reliability": "Reliability of your reviews (agreement with the other reviewers)",
    "deviation": "Average deviation of your ratings from the other reviewers'",
    "agreement": "Agreement of your reviews with the others'",
    "reputation_before": "Reputation before this distribution",
    "reputation_after": "Reputation after this distribution",
}
HIDDEN = {"member"}  # shown as the page's subject already


@dataclass
class ReviewRow:
    reviewer_id: str
    reviewer: Member | None
    rating: Any
    weight: Any
    effort: Any
    used: Any
    extra: list[tuple[str, Any]]


@dataclass
class ContributionRow:
    id: str
    kind: Any
    claimed_effort: Any
    accepted_effort: Any
    reviews: list[ReviewRow]
    rating: Any
    value: Any
    formula: Any
    extra: list[tuple[str, Any]] = field(default_factory=list)


@dataclass
class Explanation:
    contributions: list[ContributionRow]
    summary: list[tuple[str, str, Any]]
    exact_amount: str | None
    extra: list[tuple[str, Any]]


def reviewer_ids(explanation: dict[str, Any]) -> set[str]:
    return {
        str(review.get("reviewer"))
        for line in explanation.get("contributions") or []
        if isinstance(line, dict)
        for review in line.get("reviews") or []
        if isinstance(review, dict)
    }


def explain(
    explanation: dict[str, Any], *, amount: Decimal, members: dict[str, Member]
) -> Explanation:
    lines = explanation.get("contributions") or []
    rows = [_contribution_row(line, members) for line in lines if isinstance(line, dict)]
    summary = [
        (key, label, explanation[key])
        for key, label in SUMMARY_LABELS.items()
        if key in explanation
    ]
    known = {"contributions", *SUMMARY_LABELS, *HIDDEN}
    extra = [(key, value) for key, value in explanation.items() if key not in known]
    return Explanation(rows, summary, _exact_amount(explanation, amount), extra)


def _contribution_row(line: dict[str, Any], members: dict[str, Member]) -> ContributionRow:
    reviews = [
        ReviewRow(
            reviewer_id=str(review.get("reviewer")),
            reviewer=members.get(str(review.get("reviewer"))),
            rating=review.get("rating"),
            weight=review.get("weight"),
            effort=review.get("effort"),
            used=review.get("used"),
            extra=[(k, v) for k, v in review.items() if k not in REVIEW_KEYS],
        )
        for review in line.get("reviews") or []
        if isinstance(review, dict)
    ]
    return ContributionRow(
        id=str(line.get("contribution", "")),
        kind=line.get("kind"),
        claimed_effort=line.get("claimed_effort"),
        accepted_effort=line.get("accepted_effort"),
        reviews=reviews,
        rating=line.get("rating"),
        value=line.get("value"),
        formula=line.get("formula"),
        extra=[(k, v) for k, v in line.items() if k not in CONTRIBUTION_KEYS],
    )


def _exact_amount(explanation: dict[str, Any], amount: Decimal) -> str | None:
    """Distribution amount x your value / total value, before rounding: the number to check."""
    try:
        if "exact_share" in explanation:
            exact = amount * Decimal(str(explanation["exact_share"]))
        else:
            total = Decimal(str(explanation["total_value"]))
            if total == 0:
                return None
            exact = amount * Decimal(str(explanation["value"])) / total
    except (KeyError, InvalidOperation, ArithmeticError):
        return None
    return str(exact.quantize(Decimal("1e-6")))
