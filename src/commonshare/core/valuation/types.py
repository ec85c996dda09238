"""The records that go into and come out of a valuation.

Inputs are small frozen records for the platform and the JSON command; the
large-scale path reads columns straight into arrays (see ``columns``) and never
builds one of these per row.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from commonshare.core.valuation.rounding import tidy

METHODS = ("mean", "robust", "impartial")
MAX_RATING = 5


class ValuationError(ValueError):
    """Input that cannot be valued; ``problems`` names each record and field."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True, slots=True)
class MemberInput:
    id: str
    reputation: Decimal | None = None


@dataclass(frozen=True, slots=True)
class ContributionInput:
    id: str
    member: str
    kind: str
    effort: Decimal


@dataclass(frozen=True, slots=True)
class ReviewInput:
    reviewer: str
    contribution: str
    rating: int
    effort: Decimal | None = None


@dataclass(frozen=True, slots=True)
class AllocationRequest:
    currency: str
    amount: Decimal
    method: str = "robust"
    seed: str = ""
    members: tuple[MemberInput, ...] = ()
    contributions: tuple[ContributionInput, ...] = ()
    reviews: tuple[ReviewInput, ...] = ()
    policy: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class PayoutLine:
    member: str
    amount: Decimal
    share: Decimal


@dataclass(frozen=True, slots=True)
class ContributionValue:
    id: str
    member: str
    accepted_effort: Decimal
    rating: Decimal | None
    value: Decimal


@dataclass(frozen=True, slots=True)
class AllocationResult:
    currency: str
    amount: Decimal
    method: str
    seed: str
    payouts: tuple[PayoutLine, ...]
    remainder: Decimal
    contributions: tuple[ContributionValue, ...]
    explanations: Mapping[str, Any]
    reputation: Mapping[str, str]
    monitoring: Mapping[str, Any]
    policy: Mapping[str, Any] = field(default_factory=dict)
    rounding: str = "largest_remainder"

    def to_json(self) -> dict[str, Any]:
        return {
            "currency": self.currency,
            "amount": str(self.amount),
            "method": self.method,
            "seed": self.seed,
            "policy": dict(self.policy),
            "rounding": self.rounding,
            "payouts": [
                {"member": p.member, "amount": str(p.amount), "share": _tidy(p.share)}
                for p in self.payouts
            ],
            "remainder": str(self.remainder),
            "contributions": [
                {
                    "id": c.id,
                    "member": c.member,
                    "accepted_effort": _tidy(c.accepted_effort),
                    "rating": None if c.rating is None else _tidy(c.rating),
                    "value": _tidy(c.value),
                }
                for c in self.contributions
            ],
            "explanations": dict(self.explanations),
            "reputation": dict(self.reputation),
            "monitoring": dict(self.monitoring),
        }


def _tidy(value: Decimal) -> str:
    return tidy(value)
