"""Writing the rules: a new policy version, checked whole, adopted today, in force from the
next period start the old and the new period lengths share.

``_adopt_policy`` is run by an adopted decision's close (``decisions.effects``), and
``adopt_policy``, the action over it, by tests; no page, route or command exposes either.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from commonshare.audit.actions import action
from commonshare.audit.services import record
from commonshare.core.policy import (
    canonical_json,
    check_policy,
    policy_from_dict,
    policy_sha256,
    policy_to_dict,
    version_start,
)
from commonshare.errors import Conflict, InvalidInput
from commonshare.governance import selectors
from commonshare.governance.models import PolicyVersion
from commonshare.governance.vocab import MAX_ADOPTED_BY


def _sentence(message: str) -> str:
    return message[:1].upper() + message[1:] + "."


@action
def adopt_policy(content: Any, *, adopted_by: str) -> PolicyVersion:
    """Store ``content`` as the next policy version, adopted today, in force from a period
    start after today that begins a period under both the old and the new length.

    There is no day to give: a version is adopted on the day it is written, so no rule
    can take effect from a period already lived under other rules. Every problem of the
    policy is refused at once (``InvalidInput`` naming each field); nothing is written then.
    """
    version = _adopt_policy(content, adopted_by=adopted_by)
    record(
        "governance.policy.adopted",
        version,
        number=version.number,
        sha256=version.sha256,
        valid_from=version.valid_from.isoformat(),
        adopted_by=version.adopted_by,
    )
    return version


def policy_problems(content: Any) -> list[tuple[str, str]]:
    """Every problem of ``content`` as a policy, each ``(field path, sentence)``."""
    return [
        (f"policy.{p.field}" if p.field else "policy", _sentence(p.message))
        for p in check_policy(content)
    ]


def _adopt_policy(content: Any, *, adopted_by: str) -> PolicyVersion:
    """``adopt_policy``'s write, with no event: for an action that adopts a policy as part
    of its own write (an adopted decision's close), whose one event names it all."""
    found = policy_problems(content)
    adopted_by = (adopted_by or "").strip() if isinstance(adopted_by, str) else ""
    if not adopted_by or len(adopted_by) > MAX_ADOPTED_BY:
        found.append(
            ("adopted_by", f"Say what adopted the policy (1 to {MAX_ADOPTED_BY} characters).")
        )
    if found:
        raise InvalidInput.of(found)
    policy = policy_from_dict(content)
    today = timezone.localdate()
    with transaction.atomic():
        in_force = selectors.current_policy(at=today)
        valid_from = version_start(today, in_force.period, policy.period)
        latest = PolicyVersion.objects.order_by("-number").first()
        if latest is not None and latest.valid_from > today:
            # A version adopted but not in force yet: from its start, periods have its
            # length, so this one starts where both its and the new length start.
            waiting = selectors.policy_of(latest).period
            valid_from = version_start(
                latest.valid_from - dt.timedelta(days=1), waiting, policy.period
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
    return version
