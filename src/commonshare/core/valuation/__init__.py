"""The valuation engine: contributions and reviews in, exact payouts and their reasons out.

``allocate`` is the one entry point; each method lives in its own module.
"""

from __future__ import annotations

from dataclasses import replace

from commonshare.core.money import check_currency
from commonshare.core.valuation.mean import allocate_mean
from commonshare.core.valuation.types import (
    METHODS,
    AllocationRequest,
    AllocationResult,
    ContributionInput,
    MemberInput,
    ReviewInput,
    ValuationError,
)
from commonshare.core.valuation.validate import validate

__all__ = [
    "METHODS",
    "AllocationRequest",
    "AllocationResult",
    "ContributionInput",
    "MemberInput",
    "ReviewInput",
    "ValuationError",
    "allocate",
]


def allocate(request: AllocationRequest) -> AllocationResult:
    """Split ``request.amount`` by ``request.method``; raises ``ValuationError`` on bad input."""
    validate(request)
    request = replace(request, currency=check_currency(request.currency))
    if request.method == "mean":
        return allocate_mean(request)
    raise ValuationError([f"method: {request.method!r} is not implemented yet"])
