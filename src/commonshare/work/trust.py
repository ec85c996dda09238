"""Trust levels: what a member has earned by reviewed work, and what each level unlocks.

This is the interface the rest of the code calls; every rule that depends on trust asks
here, so the web, the API and the CLI refuse alike. Call these through the module
(``trust.level_of(member)``), never by importing the functions, so that one place answers.

The levels are earned: ``work.earned`` gathers each member's record and ``core.trust``
judges it against the policy's ``trust`` section, which also says the level each power
needs. ``level_of`` and ``levels_of`` are thin wrappers over ``earned`` so that other
sources of powers (the steward phase) are one line here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from enum import StrEnum
from typing import TYPE_CHECKING

from commonshare.errors import Forbidden
from commonshare.governance.selectors import current_policy
from commonshare.work import earned, steward

if TYPE_CHECKING:
    from commonshare.community.models import Member


class Power(StrEnum):
    """What a trust level unlocks; the level each needs is policy (``trust`` section)."""

    REVIEW = "review"  # be drawn to review contributions
    APPROVE_EXPENSES = "approve_expenses"  # be drawn to approve expense claims
    MONEY = "money"  # record and confirm money; propose money actions and vote on them
    VOTE_RULES = "vote_rules"  # vote on rules and norms


# The rule of the policy's trust section that says the level each power needs.
POLICY_RULE: dict[Power, str] = {
    Power.REVIEW: "review_level",
    Power.APPROVE_EXPENSES: "approve_expenses_level",
    Power.MONEY: "money_level",
    Power.VOTE_RULES: "vote_rules_level",
}


def level_of(member: Member, *, on: dt.date | None = None) -> int:
    """The member's trust level on ``on`` (today by default), 0 to 4: what they earned,
    raised to 2 while they hold the steward role."""
    return level_with_earned(member, earned.earned_level_of(member, on=on), on=on)


def level_with_earned(member: Member, earned_level: int, *, on: dt.date | None = None) -> int:
    """The member's level when ``earned_level`` is what they earned on ``on`` (already
    computed, as the trust explanation has it): ``level_of`` without computing it again."""
    return steward.with_steward_role(member, earned_level, on=on)


def levels_of(
    member_ids: Iterable[int], *, on: dt.date | None = None, may_lag: bool = False
) -> dict[int, int]:
    """Trust levels of many members at once (for draws and eligibility lists); with
    ``may_lag``, as the review draw reads them (``earned.DRAW_LAG``)."""
    earned_levels = earned.earned_levels_of(member_ids, on=on, may_lag=may_lag)
    return steward.with_steward_roles(earned_levels, on=on)


def level_for(power: Power, *, on: dt.date | None = None) -> int:
    """The level ``power`` needs on ``on``: the policy in force that day says."""
    level: int = getattr(current_policy(at=on).trust, POLICY_RULE[power])
    return level


def has_power(member: Member, power: Power, *, on: dt.date | None = None) -> bool:
    """True when the member may use ``power``: current, and at the level it needs."""
    return member.left_at is None and level_of(member, on=on) >= level_for(power, on=on)


def ensure_power(member: Member, power: Power, *, doing: str) -> None:
    """Refuse (403) ``doing`` unless the member holds ``power``, saying what it needs."""
    if not has_power(member, power):
        needed = level_for(power)
        raise Forbidden(
            f"To {doing} you need trust level {needed}; you are at level {level_of(member)}."
        )
