"""The value policy in force until the community adopts its own through governance.

A policy is plain data. A distribution freezes the one it used, so a past
payout can always be recomputed from what is stored with it.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings

DEFAULT_POLICY: dict[str, Any] = {
    # The valuation method (docs/valuation.md): robust weighs reviewers by earned trust.
    "method": "robust",
    # Parameters handed to the valuation engine as they are (see docs/valuation.md).
    "valuation": {},
    # What one unit of each valued kind of contribution counts as, in hours of work.
    "effort_per_unit": {"work": "1", "deliverable": "1"},
    # Share of every income moved to the reserve for sustainability.
    "reserve_share": "0.10",
    # Peers (never the claimant) who must approve an expense claim, or reject it.
    "expense_approvals": 2,
    # Lent resources are paid by metered use at these prices per unit, before the split.
    "resource_prices": {"server hours": "0.05", "compute hours": "0.10", "GB transferred": "0.01"},
    "default_resource_price": "0.02",
    # The currency those prices are in: resources are paid by its distributions only.
    "resource_currency": "EUR",
    # When an author edits a contribution after its reviewers were drawn, discard that
    # draw and draw anew from a fresh published seed (false: the drawn reviewers stay).
    "redraw_reviewers_on_edit": False,
}


def current_policy() -> dict[str, Any]:
    policy = dict(DEFAULT_POLICY)
    policy["reviewers_per_contribution"] = settings.COMMONSHARE_REVIEWERS_PER_CONTRIBUTION
    return policy


def effort_of(kind: str, quantity: Decimal, policy: dict[str, Any]) -> Decimal:
    """Effort in hour-equivalents of a contribution of ``quantity`` units of ``kind``."""
    return quantity * Decimal(policy["effort_per_unit"][kind])


def resource_price(unit_name: str, policy: dict[str, Any]) -> Decimal:
    """Price of one metered unit of a lent resource, in the distribution's currency."""
    prices: dict[str, str] = policy["resource_prices"]
    return Decimal(prices.get(unit_name, policy["default_resource_price"]))
