"""Writing the rules: a new policy version, checked whole, in force from the next period.

``adopt_policy`` is called by adopted decisions (the next issue) and by tests; no
page, route or command exposes it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction

from commonshare.audit.actions import action
from commonshare.audit.services import record
from commonshare.core.policy import (
    canonical_json,
    check_policy,
    next_period_start,
    policy_from_dict,
    policy_sha256,
    policy_to_dict,
)
from commonshare.core.words import long_date
from commonshare.errors import Conflict, InvalidInput
from commonshare.governance import selectors
from commonshare.governance.models import PolicyVersion

MAX_ADOPTED_BY = 200


def _sentence(message: str) -> str:
    return message[:1].upper() + message[1:] + "."


@action
def adopt_policy(content: Any, *, adopted_by: str, on: dt.date) -> PolicyVersion:
    """Store ``content`` as the next policy version, in force from the period after ``on``.

    Every problem of the policy is refused at once (``InvalidInput`` naming each
    field); nothing is written then.
    """
    found = [
        (f"policy.{p.field}" if p.field else "policy", _sentence(p.message))
        for p in check_policy(content)
    ]
    adopted_by = (adopted_by or "").strip() if isinstance(adopted_by, str) else ""
    if not adopted_by or len(adopted_by) > MAX_ADOPTED_BY:
        found.append(
            ("adopted_by", f"Say what adopted the policy (1 to {MAX_ADOPTED_BY} characters).")
        )
    if not isinstance(on, dt.date) or isinstance(on, dt.datetime):
        found.append(("on", "Give the day the policy was adopted as a date."))
    if found:
        raise InvalidInput.of(found)
    policy = policy_from_dict(content)
    with transaction.atomic():
        in_force = selectors.current_policy(at=on)
        valid_from = next_period_start(on, in_force.period)
        latest = PolicyVersion.objects.order_by("-number").first()
        if latest is not None and valid_from < latest.valid_from:
            raise Conflict(
                f"A policy adopted on {long_date(on)} would take effect before version "
                f"{latest.number}, which takes effect on {long_date(latest.valid_from)}.",
                field="on",
            )
        try:
            with transaction.atomic():
                version = PolicyVersion.objects.create(
                    number=(latest.number + 1) if latest else 1,
                    content=canonical_json(policy_to_dict(policy)),
                    sha256=policy_sha256(policy),
                    valid_from=valid_from,
                    adopted_by=adopted_by,
                )
        except IntegrityError:
            raise Conflict("Another policy version was adopted at the same moment.") from None
        record(
            "governance.policy.adopted",
            version,
            number=version.number,
            sha256=version.sha256,
            valid_from=valid_from.isoformat(),
            adopted_by=adopted_by,
        )
    return version
