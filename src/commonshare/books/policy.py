"""The value policy in force until the community adopts its own through governance.

A policy is plain data. A distribution freezes the one it used, so a past
payout can always be recomputed from what is stored with it.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings

DEFAULT_POLICY: dict[str, Any] = {
    "method": "mean",
    # What one unit of each kind of contribution counts as, in hours of work.
    "effort_per_unit": {"work": "1", "deliverable": "1", "resource": "0.1"},
}


def current_policy() -> dict[str, Any]:
    policy = dict(DEFAULT_POLICY)
    policy["reviewers_per_contribution"] = settings.COMMONSHARE_REVIEWERS_PER_CONTRIBUTION
    return policy


def effort_of(kind: str, quantity: Decimal, policy: dict[str, Any]) -> Decimal:
    """Effort in hour-equivalents of a contribution of ``quantity`` units of ``kind``."""
    return quantity * Decimal(policy["effort_per_unit"][kind])
