"""The two rules the books apply record by record, and reading a distribution's frozen policy.

The rules themselves live in policy versions (``governance.selectors.current_policy``).
A distribution freezes the policy it used, so a past payout can always be recomputed
from what is stored with it; distributions made before policy versions froze a flat
dict of the same rules, which ``frozen_policy`` still reads.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal
from functools import lru_cache
from typing import Any

from commonshare.core.policy import Policy, policy_from_dict

# Keys of the flat form, and where each rule sits in a policy version.
_FLAT = {
    "reserve_share": ("reserve", "share"),
    "expense_approvals": ("expenses", "approvals"),
    "resource_prices": ("resources", "prices"),
    "default_resource_price": ("resources", "default_price"),
    "resource_currency": ("resources", "currency"),
    "redraw_reviewers_on_edit": ("review", "redraw_reviewers_on_edit"),
    "reviewers_per_contribution": ("review", "reviewers_per_contribution"),
    "method": ("valuation", "method"),
    "valuation": ("valuation", "parameters"),
    "effort_per_unit": ("valuation", "effort_per_unit"),
}


def frozen_policy(data: Mapping[str, Any]) -> Policy:
    """The policy a distribution froze, in either form; raises ``PolicyError`` if unsound."""
    return _frozen(json.dumps(data, sort_keys=True, default=str))


@lru_cache(maxsize=64)
def _frozen(text: str) -> Policy:
    data = json.loads(text)
    if "method" not in data:
        return policy_from_dict(data)
    nested: dict[str, dict[str, Any]] = {}
    for key, value in data.items():
        section, rule = _FLAT.get(key, ("", key))
        nested.setdefault(section, {})[rule] = value
    return policy_from_dict(nested)


def _policy(policy: Policy | Mapping[str, Any]) -> Policy:
    return policy if isinstance(policy, Policy) else frozen_policy(policy)


def effort_of(kind: str, quantity: Decimal, policy: Policy | Mapping[str, Any]) -> Decimal:
    """Effort in hour-equivalents of a contribution of ``quantity`` units of ``kind``."""
    return _policy(policy).effort_of(kind, quantity)


def resource_price(unit_name: str, policy: Policy | Mapping[str, Any]) -> Decimal:
    """Price of one metered unit of a lent resource, in the distribution's currency."""
    return _policy(policy).resource_price(unit_name)
