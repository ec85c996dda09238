"""Reads of the trust-level history: each member's last known level, their changes, and
the one sentence that says what a change unlocks or takes away.

The history is written by ``work.level_services``; the page, the API, the CLI and the
notification read it here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Max, QuerySet

from commonshare.community.models import Member
from commonshare.core import trust as levels
from commonshare.work import trust
from commonshare.work.models import TrustLevelChange

# What each power lets a member do, as the end of "you can now …" / "you can no longer …".
POWER_CLAUSES: dict[trust.Power, str] = {
    trust.Power.REVIEW: "be drawn to review other members' work",
    trust.Power.APPROVE_EXPENSES: "be drawn to approve expense claims",
    trust.Power.MONEY: "record and confirm money, and propose money actions and vote on them",
    trust.Power.VOTE_RULES: "vote on the rules and the norms",
}


def history_started() -> bool:
    """Whether anyone's level was ever recorded (the first look records a starting point)."""
    return TrustLevelChange.objects.exists()


def last_known_levels(member_ids: Iterable[int] | None = None) -> dict[int, int]:
    """Each member's last recorded level, in one query (members never recorded are left
    out: they are at level 0, where everyone joins). All members when ``member_ids`` is None.

    Rows are only added, so a member's highest id is their newest row.
    """
    newest = TrustLevelChange.objects.values("member_id").annotate(last=Max("id"))
    if member_ids is not None:
        newest = newest.filter(member_id__in=set(member_ids))
    rows = TrustLevelChange.objects.filter(pk__in=newest.values("last"))
    return dict(rows.values_list("member_id", "level_to"))


def level_history(member: Member) -> QuerySet[TrustLevelChange]:
    """A member's level changes, newest first, starting points left out (they changed
    nothing); ordered by a unique key for keyset paging."""
    return TrustLevelChange.objects.filter(member=member, level_from__isnull=False).order_by(
        "-at", "-id"
    )


def _and(clauses: list[str]) -> str:
    if len(clauses) <= 1:
        return "".join(clauses)
    return f"{', '.join(clauses[:-1])} and {clauses[-1]}"


def change_sentence(level_from: int, level_to: int, *, on: dt.date | None = None) -> str:
    """The change in plain words, with what it unlocks or no longer unlocks, told to the
    member: "Your trust level rose from 1 (basic) to 2 (member): you can now …"."""
    rose = level_to > level_from
    low, high = sorted((level_from, level_to))
    moved = [
        POWER_CLAUSES[power] for power in trust.Power if low < trust.level_for(power, on=on) <= high
    ]
    head = (
        f"Your trust level {'rose' if rose else 'fell'} from {level_from} "
        f"({levels.LEVEL_NAMES[level_from]}) to {level_to} ({levels.LEVEL_NAMES[level_to]})"
    )
    if moved:
        return f"{head}: you can {'now' if rose else 'no longer'} {_and(moved)}."
    if rose:
        return f"{head}. It unlocks no new power by itself, and it counts toward the next level."
    return f"{head}. You keep every power you had; your page says what the higher level asks."
