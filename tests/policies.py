"""Test set-up data for policy versions: a version in force since long ago."""

from __future__ import annotations

import datetime as dt
from typing import Any

IN_FORCE_SINCE = dt.date(2000, 1, 1)
"""Versions written by tests are in force for every period the tests use."""


def insert_version(
    valid_from: dt.date = IN_FORCE_SINCE, adopted_by: str = "a test", **sections: dict[str, Any]
) -> Any:
    """Write the next policy version: today's rules with ``sections`` changed."""
    from commonshare.core.policy import (
        canonical_json,
        policy_from_dict,
        policy_sha256,
        policy_to_dict,
    )
    from commonshare.governance import selectors
    from commonshare.governance.models import PolicyVersion

    content = policy_to_dict(selectors.current_policy())
    for name, rules in sections.items():
        content.setdefault(name, {}).update(rules)
    policy = policy_from_dict(content)
    latest = PolicyVersion.objects.order_by("-number").first()
    return PolicyVersion.objects.create(
        number=latest.number + 1 if latest else 1,
        content=canonical_json(policy_to_dict(policy)),
        sha256=policy_sha256(policy),
        valid_from=valid_from,
        adopted_by=adopted_by,
    )
