"""Where trust levels are computed: members' records gathered in bulk, judged by ``core.trust``.

Everything a level depends on is read up to the day asked (``on``), so a level can be
asked for any past day too, and for any number of members in a fixed number of queries:

- the members (joined, e-mail verified);
- the reviews of their work and the reviews they gave, with the work reviewed;
- the other reviews of the contributions they reviewed (for agreement);
- the reputations of the last distribution posted by then (for the reputation band), and
  in the same query the members' earlier records that say they held level 3 (for level 4);
- the policy in force that day.

**Agreement** (level 3) is computed here from the reviews alone, whatever the valuation
method: a review agrees when its rating is within one point of the mean of the other
reviews of the same contribution. **Reputation** comes from the distributions: when one
posts, ``books.distribution`` hands its valuation's reputations to
:func:`_record_reputation`, which stores them in ``ReputationRecord``.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet, Subquery
from django.utils import timezone

from commonshare.community.models import Member
from commonshare.core.policy import Policy, period_start
from commonshare.core.trust import REGULAR, Assessment, MemberRecord, assess
from commonshare.governance.selectors import current_policy
from commonshare.work.models import ReputationRecord, Review
from commonshare.work.vocab import REPUTATION_PLACES, ContributionKind

# Above this many members, read everyone's rows instead of naming the members in the query
# (SQLite limits the parameters of one statement).
MANY = 500
AGREEMENT_MARGIN = Decimal(1)  # a review agrees when within one point of the others' mean
VALUED = (ContributionKind.WORK, ContributionKind.DELIVERABLE)


@dataclass
class _Tally:
    reviewed: set[int] = field(default_factory=set)
    hours: Decimal = Decimal(0)
    ratings: list[int] = field(default_factory=list)
    given: int = 0
    agreeing: int = 0
    comparable: int = 0
    active_days: set[dt.date] = field(default_factory=set)


def _among(rows: QuerySet[Any], field_name: str, ids: list[int]) -> QuerySet[Any]:
    return rows if len(ids) > MANY else rows.filter(**{f"{field_name}__in": ids})


def _quantity(row: Mapping[str, Any], policy: Policy) -> Decimal:
    kind = row["contribution__kind"]
    if kind not in VALUED:
        return Decimal(0)
    is_work = kind == ContributionKind.WORK
    amount = row["contribution__hours"] if is_work else row["contribution__units"]
    return policy.effort_of(kind, Decimal(amount or 0))


def _until_end_of(on: dt.date) -> dt.datetime:
    """The first moment after ``on`` in the current time zone: ``created_at < this`` is
    ``created_at__date <= on`` as an indexed comparison, not a conversion of every row."""
    zone = timezone.get_current_timezone()
    return dt.datetime.combine(on + dt.timedelta(days=1), dt.time(), tzinfo=zone)


def _reviews(ids: list[int], on: dt.date) -> Sequence[Mapping[str, Any]]:
    rows = Review.objects.filter(created_at__lt=_until_end_of(on))
    if len(ids) <= MANY:
        rows = rows.filter(Q(contribution__author_id__in=ids) | Q(reviewer_id__in=ids))
    return list(
        rows.values(
            "pk",
            "contribution_id",
            "reviewer_id",
            "rating",
            "created_at",
            "contribution__author_id",
            "contribution__kind",
            "contribution__hours",
            "contribution__units",
            "contribution__created_at",
        )
    )


def _ratings_of(contributions: set[int], on: dt.date) -> dict[int, list[tuple[int, int]]]:
    """Every review (reviewer, rating) of ``contributions`` up to ``on``."""
    rows = Review.objects.filter(created_at__lt=_until_end_of(on))
    if len(contributions) <= MANY:
        rows = rows.filter(contribution_id__in=contributions)
    found: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for contribution, reviewer, rating in rows.values_list(
        "contribution_id", "reviewer_id", "rating"
    ):
        found[contribution].append((reviewer, rating))
    return found


def _reputations(
    ids: list[int], on: dt.date
) -> tuple[dict[int, tuple[Decimal, Decimal]], dict[int, int]]:
    """Each member's reputation after the last distribution by ``on`` and its band; and the
    periods, up to ``on``, at whose end each of ``ids`` held level 3 or more.

    One query: the last distribution's records (all of them, to rank the members) and the
    level-3 records of the members asked for.
    """
    by_then = ReputationRecord.objects.filter(period_end__lte=on)
    last = by_then.order_by("-period_end", "-distribution_id").values("distribution_id")[:1]
    held = Q(level__gte=REGULAR)
    if len(ids) <= MANY:
        held &= Q(member_id__in=ids)
    rows = by_then.filter(Q(distribution_id=Subquery(last)) | held).values_list(
        "member_id", "distribution_id", "period_end", "reputation", "level"
    )
    found = list(rows)
    # The last distribution (the subquery's) is the latest by (end, id) among the rows.
    last_id = max(((row[2], row[1]) for row in found), default=(None, None))[1]
    latest: dict[int, Decimal] = {}
    periods: dict[int, set[dt.date]] = defaultdict(set)
    for member, distribution, period_end, reputation, level in found:
        if distribution == last_id:
            latest[member] = reputation
        if level is not None and level >= REGULAR:
            periods[member].add(period_end)
    values = sorted(latest.values())  # ascending, for bisect
    total = Decimal(len(values))
    bands: dict[int, tuple[Decimal, Decimal]] = {}
    for member, value in latest.items():
        at_or_above = len(values) - bisect.bisect_left(values, value)
        bands[member] = (value, Decimal(at_or_above) / total)
    return bands, {member: len(ends) for member, ends in periods.items()}


def _tallies(ids: list[int], on: dt.date, policy: Policy) -> dict[int, _Tally]:
    wanted = set(ids)
    tallies: dict[int, _Tally] = defaultdict(_Tally)
    zone = timezone.get_current_timezone()  # asked once: localdate per row is slow
    reviews = _reviews(ids, on)
    given_on = {r["contribution_id"] for r in reviews if r["reviewer_id"] in wanted}
    others = _ratings_of(given_on, on)
    for row in reviews:
        author, reviewer = row["contribution__author_id"], row["reviewer_id"]
        # An expense claim is money spent, not work: its reviews earn its author nothing.
        if author in wanted and row["contribution__kind"] != ContributionKind.EXPENSE:
            mine = tallies[author]
            mine.ratings.append(row["rating"])
            if row["contribution_id"] not in mine.reviewed:
                mine.reviewed.add(row["contribution_id"])
                mine.hours += _quantity(row, policy)
                mine.active_days.add(row["contribution__created_at"].astimezone(zone).date())
        if reviewer in wanted:
            theirs = tallies[reviewer]
            theirs.given += 1
            theirs.active_days.add(row["created_at"].astimezone(zone).date())
            rest = [r for who, r in others.get(row["contribution_id"], []) if who != reviewer]
            if rest:
                theirs.comparable += 1
                mean = Decimal(sum(rest)) / len(rest)
                theirs.agreeing += abs(Decimal(row["rating"]) - mean) <= AGREEMENT_MARGIN
    return tallies


def records_of(
    member_ids: Iterable[int], *, on: dt.date, policy: Policy
) -> dict[int, MemberRecord]:
    """Each member's record up to ``on`` (members that do not exist are left out)."""
    ids = sorted(set(member_ids))
    if not ids:
        return {}
    members = _among(Member.objects.all(), "pk", ids).values_list(
        "pk", "joined_at", "email_verified_at"
    )
    tallies = _tallies(ids, on, policy)
    bands, held_level3 = _reputations(ids, on)
    records: dict[int, MemberRecord] = {}
    wanted = set(ids)
    for pk, joined_at, verified_at in members:
        if pk not in wanted:
            continue
        tally = tallies.get(pk, _Tally())
        reputation, band = bands.get(pk, (None, None))
        days = tally.active_days
        records[pk] = MemberRecord(
            joined_on=timezone.localdate(joined_at),
            email_verified=verified_at is not None and timezone.localdate(verified_at) <= on,
            reviewed_contributions=len(tally.reviewed),
            reviewed_hours=tally.hours,
            reviews_given=tally.given,
            periods_active=len({period_start(day, policy.period) for day in days}),
            average_rating=(
                Decimal(sum(tally.ratings)) / len(tally.ratings) if tally.ratings else None
            ),
            review_agreement=(
                Decimal(tally.agreeing) / tally.comparable if tally.comparable else None
            ),
            reputation=reputation,
            reputation_band=band,
            periods_at_level3=held_level3.get(pk, 0),
            last_active=max(days) if days else None,
            # Flags arrive with a later issue; until then none is ever upheld.
            upheld_flags=0,
        )
    return records


def assessments_of(
    member_ids: Iterable[int], *, on: dt.date | None = None
) -> dict[int, Assessment]:
    """Each member's assessment (level and next level's requirements) on ``on``."""
    day = on or timezone.localdate()
    policy = current_policy(at=day)
    return {
        pk: assess(record, policy.trust, today=day, period=policy.period)
        for pk, record in records_of(member_ids, on=day, policy=policy).items()
    }


def standing_of(member: Member, *, on: dt.date | None = None) -> tuple[MemberRecord, Policy]:
    """One member's record on ``on`` and the policy in force that day (for explanations)."""
    day = on or timezone.localdate()
    policy = current_policy(at=day)
    return records_of([member.pk], on=day, policy=policy)[member.pk], policy


def assessment_of(member: Member, *, on: dt.date | None = None) -> Assessment:
    """One member's assessment on ``on`` (today by default)."""
    return assessments_of([member.pk], on=on)[member.pk]


def earned_levels_of(member_ids: Iterable[int], *, on: dt.date | None = None) -> dict[int, int]:
    """Levels earned by many members at once (0 for ids that name nobody)."""
    ids = list(member_ids)
    found = assessments_of(ids, on=on)
    return {pk: found[pk].level if pk in found else 0 for pk in ids}


def earned_level_of(member: Member, *, on: dt.date | None = None) -> int:
    """The level ``member`` earned, on ``on`` (today by default)."""
    return earned_levels_of([member.pk], on=on)[member.pk]


def _record_reputation(
    distribution_id: int, period_end: dt.date, reputation: Mapping[str, Any]
) -> None:
    """Store the reputations a posted distribution's valuation handed on, each with the
    trust level its member held on ``period_end`` (earned, as level 4 counts it).

    Private: called when ``books.distribution`` posts a distribution, inside the action whose one
    event names the distribution; it records no event of its own.
    """
    step = Decimal(1).scaleb(-REPUTATION_PLACES)
    levels = earned_levels_of((int(member) for member in reputation), on=period_end)
    ReputationRecord.objects.bulk_create(
        ReputationRecord(
            member_id=int(member),
            distribution_id=distribution_id,
            period_end=period_end,
            reputation=Decimal(str(value)).quantize(step),
            level=levels.get(int(member)),
        )
        for member, value in sorted(reputation.items(), key=lambda item: int(item[0]))
    )
