"""The steward phase: who holds level-2 powers while a new community has nobody at level 2.

The stewards are the addresses named at ``commonshare init --steward`` (their members may
join later), or else the first members to join (``steward.first_members`` in the policy).
The phase ends at the first of the policy's conditions: enough members have *earned*
level 2, the first decision is adopted, or the days it is given have passed since the
community began. Everything here is read at read time: the moment a condition holds, the
stewards' powers are gone, whether or not the end is recorded yet. The recorded end
(``StewardPhaseEnd``, written by ``steward_services``) is final: no service reopens it and
the database refuses to change or remove it.

``trust.level_of`` / ``levels_of`` call ``holds_steward_role`` / ``stewards_among``; this
module reads earned levels through ``work.earned`` only, never through ``trust``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db.models import Min
from django.utils import timezone

from commonshare.community.models import Member
from commonshare.core.policy import StewardPolicy
from commonshare.core.words import long_date, one_of
from commonshare.governance.selectors import current_policy
from commonshare.work import earned
from commonshare.work.models import Steward, StewardPhaseEnd
from commonshare.work.vocab import StewardEndReason

STEWARD_LEVEL = 2


@dataclass(frozen=True)
class StewardPhase:
    """The phase as it stands at ``at``."""

    at: dt.datetime
    is_open: bool
    began_at: dt.datetime | None  # when the community began (its first member or steward)
    ended_at: dt.datetime | None
    reason: str | None  # a ``StewardEndReason`` value, once ended
    decision_number: int | None  # the decision that ended it, if one did
    recorded: bool  # the end is in the table (and the audit log)
    named: tuple[str, ...]  # addresses named at init (empty: the first members are stewards)
    steward_ids: tuple[int, ...]  # the members who are (or were) stewards
    # members who have earned level 2; None when not counted (see ``phase``)
    earned_level2: int | None
    rules: StewardPolicy

    @property
    def ends_by(self) -> dt.datetime | None:
        """The moment the days run out (the latest the phase can last)."""
        if self.began_at is None:
            return None
        return self.began_at + dt.timedelta(days=self.rules.ends_after_days)

    @property
    def waiting(self) -> int:
        """Named addresses whose member has not joined yet."""
        return max(0, len(self.named) - len(self.steward_ids)) if self.named else 0


def _moment(on: dt.date | None) -> dt.datetime:
    """``on`` as a moment: now for today (or no day), else the end of that day."""
    now = timezone.now()
    if on is None or on >= timezone.localdate(now):
        return now
    start = dt.datetime.combine(on + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
    return min(now, start - dt.timedelta(microseconds=1))


def named_stewards() -> list[str]:
    return list(Steward.objects.order_by("named_at", "id").values_list("email", flat=True))


def began_at() -> dt.datetime | None:
    """When the community began: its first member joined, or its first steward was named."""
    firsts = [
        Member.objects.aggregate(first=Min("joined_at"))["first"],
        Steward.objects.aggregate(first=Min("named_at"))["first"],
    ]
    known = [moment for moment in firsts if moment is not None]
    return min(known) if known else None


def steward_ids(rules: StewardPolicy | None = None) -> list[int]:
    """The members who hold (or held) the role: the named ones, else the first to join."""
    named = named_stewards()
    if named:
        # Only once the address is proven: anyone may join under a named address, but
        # only its owner can follow the link mailed to it.
        proven = Member.objects.filter(email__in=named, email_verified_at__isnull=False)
        return list(proven.order_by("pk").values_list("pk", flat=True))
    count = (rules or current_policy().steward).first_members
    first = Member.objects.order_by("joined_at", "pk").values_list("pk", flat=True)[:count]
    return list(first)


def phase(on: dt.date | None = None, *, count_levels: bool = True) -> StewardPhase:
    """The steward phase on ``on`` (now by default): open or ended, when, why, and who.

    ``count_levels=False`` skips counting the members at level 2 (every member's trust
    level, the slow part at scale) once the phase has ended by a cause that needs no level
    (its end recorded, or its days run out): ``earned_level2`` is then None. Pages that
    show the phase and not the count pass it."""
    moment = _moment(on)
    day = timezone.localdate(moment)
    rules = current_policy(at=day).steward
    end = StewardPhaseEnd.objects.first()
    began = began_at()
    named = tuple(named_stewards())
    ids = tuple(steward_ids(rules))
    # Members who reached level 2 count even after leaving: a departure never reopens it.
    at_two: int | None = None
    if count_levels or not _ended_without_levels(moment, rules):
        joined = Member.objects.filter(joined_at__lte=moment)
        levels = earned.earned_levels_of(joined.values_list("pk", flat=True), on=day)
        at_two = sum(1 for level in levels.values() if level >= STEWARD_LEVEL)
    ended_at, reason, number, recorded = None, None, None, False
    if end is not None and end.ended_at <= moment:
        ended_at, reason, number, recorded = end.ended_at, end.reason, end.decision_number, True
    elif began is not None and moment >= began + dt.timedelta(days=rules.ends_after_days):
        ended_at, reason = began + dt.timedelta(days=rules.ends_after_days), StewardEndReason.DAYS
    elif at_two is not None and at_two >= rules.ends_at_level2_members:
        ended_at, reason = moment, StewardEndReason.EARNED
    return StewardPhase(
        at=moment,
        is_open=ended_at is None,
        began_at=began,
        ended_at=ended_at,
        reason=None if reason is None else str(reason),
        decision_number=number,
        recorded=recorded,
        named=named,
        steward_ids=ids,
        earned_level2=at_two,
        rules=rules,
    )


def _ended_without_levels(moment: dt.datetime, rules: StewardPolicy) -> bool:
    """Whether the phase has ended at ``moment`` by a cause that needs no trust level:
    its end is recorded, or its days have run out."""
    end = StewardPhaseEnd.objects.values_list("ended_at", flat=True).first()
    if end is not None and end <= moment:
        return True
    began = began_at()
    return began is not None and moment >= began + dt.timedelta(days=rules.ends_after_days)


def is_open(on: dt.date | None = None, *, earned_levels: Mapping[int, int] | None = None) -> bool:
    """``phase(on).is_open``, cheaply: the causes that need no trust level are asked first,
    and ``earned_levels`` (levels by member id, earned on ``on``, as the caller already
    has them) are not computed again; only the joined members missing there are."""
    moment = _moment(on)
    day = timezone.localdate(moment)
    rules = current_policy(at=day).steward
    if _ended_without_levels(moment, rules):
        return False
    joined = set(Member.objects.filter(joined_at__lte=moment).values_list("pk", flat=True))
    known = {pk: level for pk, level in (earned_levels or {}).items() if pk in joined}
    missing = joined - set(known)
    if missing:
        known.update(earned.earned_levels_of(missing, on=day))
    at_two = sum(1 for level in known.values() if level >= STEWARD_LEVEL)
    return at_two < rules.ends_at_level2_members


def holds_steward_role(member: Member, *, on: dt.date | None = None) -> bool:
    """Whether ``member`` holds the steward role (level-2 powers) on ``on``: a steward,
    still a member, while the phase is open."""
    if member.pk is None or member.left_at is not None:
        return False
    if member.pk not in steward_ids():
        return False
    return is_open(on)


def stewards_among(
    member_ids: Iterable[int],
    *,
    on: dt.date | None = None,
    earned_levels: Mapping[int, int] | None = None,
) -> set[int]:
    """Which of ``member_ids`` hold the steward role on ``on`` (none once the phase ended);
    ``earned_levels`` are levels the caller already computed for that day."""
    wanted = set(member_ids)
    ids = wanted & set(steward_ids())
    if not ids:
        return set()
    current = set(
        Member.objects.filter(pk__in=ids, left_at__isnull=True).values_list("pk", flat=True)
    )
    return current if current and is_open(on, earned_levels=earned_levels) else set()


def with_steward_role(member: Member, level: int, *, on: dt.date | None = None) -> int:
    """``level`` raised to 2 for a steward while the phase is open."""
    if level >= STEWARD_LEVEL:
        return level
    return STEWARD_LEVEL if holds_steward_role(member, on=on) else level


def with_steward_roles(levels: dict[int, int], *, on: dt.date | None = None) -> dict[int, int]:
    """``levels`` (earned, by member id) with each steward raised to 2 while the phase is
    open; the earned levels are those the phase counts, so they are handed on."""
    low = [pk for pk, level in levels.items() if level < STEWARD_LEVEL]
    raised = stewards_among(low, on=on, earned_levels=levels) if low else set()
    return {pk: STEWARD_LEVEL if pk in raised else level for pk, level in levels.items()}


def steward_names(current: StewardPhase) -> list[dict[str, object]]:
    """The stewards who have joined, by id and display name (never their email)."""
    found = Member.objects.filter(pk__in=current.steward_ids).order_by("pk")
    return [{"id": m.pk, "display_name": m.display_name} for m in found]


def _plural(value: int, one: str, many: str) -> str:
    return f"{value} {one if value == 1 else many}"


def summary(current: StewardPhase) -> list[str]:
    """The phase in plain sentences: who the stewards are, and what ends (or ended) it."""
    names = [str(row["display_name"]) for row in steward_names(current)]
    who = (
        "Nobody has joined yet."
        if not names and not current.named
        else f"The stewards are {', '.join(names) or 'not here yet'}"
        + (
            f", and {_plural(current.waiting, 'named address', 'named addresses')} "
            "whose member has not joined yet."
            if current.waiting
            else "."
        )
    )
    if not current.is_open and current.ended_at is not None:
        why = StewardEndReason(current.reason).label if current.reason else ""
        by = f" (decision {current.decision_number})" if current.decision_number else ""
        return [
            f"The steward phase ended on {long_date(current.ended_at.date())}: {why}{by}. "
            "No account has any power beyond its own trust level now, and the steward role "
            "never comes back.",
            who.replace("The stewards are", "The stewards were"),
        ]
    rules = current.rules
    ends = [
        f"{_plural(rules.ends_at_level2_members, 'member has', 'members have')} earned trust "
        f"level 2 (now {current.earned_level2})",
        *(["the first decision is adopted"] if rules.ends_at_first_decision else []),
        (
            f"on {long_date(current.ends_by.date())}, "
            f"{_plural(rules.ends_after_days, 'day', 'days')} after the community began"
            if current.ends_by
            else f"{_plural(rules.ends_after_days, 'day', 'days')} after the community begins"
        ),
    ]
    return [
        "The steward phase is open: the stewards hold the powers of trust level 2 until it "
        f"ends, as soon as {one_of(ends)}.",
        who,
    ]
