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
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Exists, Max, Min, OuterRef, Q, QuerySet, Subquery, Sum
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from commonshare.community.models import Member
from commonshare.core.policy import Policy, next_period_start, period_start
from commonshare.core.trust import REGULAR, Assessment, MemberRecord, assess
from commonshare.governance.selectors import current_policy
from commonshare.work.models import Contribution, ReputationRecord, Review
from commonshare.work.vocab import REPUTATION_PLACES, ContributionKind

# Above this many members, read everyone's rows instead of naming the members in the query
# (SQLite limits the parameters of one statement).
MANY = 500
AGREEMENT_MARGIN = Decimal(1)  # a review agrees when within one point of the others' mean
VALUED = (ContributionKind.WORK, ContributionKind.DELIVERABLE)


def _among(rows: QuerySet[Any], field_name: str, ids: list[int]) -> QuerySet[Any]:
    return rows if len(ids) > MANY else rows.filter(**{f"{field_name}__in": ids})


def _until_end_of(on: dt.date) -> dt.datetime:
    """The first moment after ``on`` in the current time zone: ``created_at < this`` is
    ``created_at__date <= on`` as an indexed comparison, not a conversion of every row."""
    zone = timezone.get_current_timezone()
    return dt.datetime.combine(on + dt.timedelta(days=1), dt.time(), tzinfo=zone)


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


@dataclass
class _Tally:
    reviewed: int = 0
    hours: Decimal = Decimal(0)
    rating_sum: int = 0
    ratings: int = 0
    given: int = 0
    agreeing: int = 0
    comparable: int = 0
    # The first and last moment of their reviewed work and of the reviews they gave.
    first: dt.datetime | None = None
    last: dt.datetime | None = None
    periods_active: int = 0

    def active(self, first: dt.datetime, last: dt.datetime) -> None:
        self.first = first if self.first is None else min(self.first, first)
        self.last = last if self.last is None else max(self.last, last)


def _tallies(ids: list[int], on: dt.date, policy: Policy) -> dict[int, _Tally]:
    """Each member's tally up to ``on``, summed by the database.

    A member with thousands of reviews costs a few aggregate queries, not thousands of
    rows read into Python: the member's page and every power check ask for it.
    """
    tallies: dict[int, _Tally] = defaultdict(_Tally)
    until = _until_end_of(on)
    reviews = Review.objects.filter(created_at__lt=until)
    reviewed_before = Exists(reviews.filter(contribution_id=OuterRef("pk")))
    # An expense claim is money spent, not work: its reviews earn its author nothing.
    authored = (
        _among(Contribution.objects.all(), "author_id", ids)
        .exclude(kind=ContributionKind.EXPENSE)
        .filter(reviewed_before)
    )
    for author, kind, count, hours, units, first, last in (
        authored.values("author_id", "kind")
        .annotate(
            count=Count("pk"),
            hours=Sum("hours"),
            units=Sum("units"),
            first=Min("created_at"),
            last=Max("created_at"),
        )
        .values_list("author_id", "kind", "count", "hours", "units", "first", "last")
        .order_by()
    ):
        mine = tallies[author]
        mine.reviewed += count
        mine.active(first, last)
        if kind in VALUED:
            amount = hours if kind == ContributionKind.WORK else units
            mine.hours += policy.effort_of(kind, Decimal(amount or 0))
    received = _among(reviews, "contribution__author_id", ids).exclude(
        contribution__kind=ContributionKind.EXPENSE
    )
    for author, total, count in (
        received.values("contribution__author_id")
        .annotate(total=Sum("rating"), count=Count("pk"))
        .values_list("contribution__author_id", "total", "count")
        .order_by()
    ):
        tallies[author].rating_sum, tallies[author].ratings = int(total), count
    given = _among(reviews, "reviewer_id", ids)
    for reviewer, count, first, last in (
        given.values("reviewer_id")
        .annotate(count=Count("pk"), first=Min("created_at"), last=Max("created_at"))
        .values_list("reviewer_id", "count", "first", "last")
        .order_by()
    ):
        theirs = tallies[reviewer]
        theirs.given += count
        theirs.active(first, last)
    for reviewer, comparable, agreeing in _agreement(ids, until):
        tallies[reviewer].comparable, tallies[reviewer].agreeing = comparable, agreeing
    _count_periods(tallies, authored, given, policy)
    return tallies


def _count_periods(
    tallies: Mapping[int, _Tally],
    authored: QuerySet[Contribution],
    given: QuerySet[Review],
    policy: Policy,
) -> None:
    """Set each tally's ``periods_active``: the periods with reviewed work or a review.

    A member active within one period needs no query. The others' rows are counted per
    period in one query on each table, between period starts taken at midnight of the
    current time zone, so that a review written at 23:30 falls in the day it was written.
    """
    zone = timezone.get_current_timezone()
    spread: dict[int, tuple[dt.date, dt.date]] = {}
    for pk, tally in tallies.items():
        if tally.first is None or tally.last is None:
            continue
        first, last = timezone.localdate(tally.first, zone), timezone.localdate(tally.last, zone)
        if period_start(first, policy.period) == period_start(last, policy.period):
            tally.periods_active = 1
        else:
            spread[pk] = (first, last)
    if not spread:
        return
    starts = [period_start(min(first for first, _ in spread.values()), policy.period)]
    end = max(last for _, last in spread.values())
    while starts[-1] <= end:
        starts.append(next_period_start(starts[-1], policy.period))
    moments = [dt.datetime.combine(day, dt.time(), tzinfo=zone) for day in starts]
    counts = {
        f"p{i}": Count("pk", filter=Q(created_at__gte=moments[i], created_at__lt=moments[i + 1]))
        for i in range(len(moments) - 1)
    }
    seen: dict[int, set[str]] = defaultdict(set)
    for rows, who in ((authored, "author_id"), (given, "reviewer_id")):
        for row in _among(rows, who, list(spread)).values(who).annotate(**counts).order_by():
            seen[row[who]] |= {name for name in counts if row[name]}
    for pk in spread:
        tallies[pk].periods_active = len(seen[pk])


def _agreement(ids: list[int], until: dt.datetime) -> list[tuple[int, int, int]]:
    """``(reviewer, comparable, agreeing)`` of each reviewer among ``ids``, up to ``until``.

    A review is comparable when someone else reviewed the same contribution; it agrees
    when its rating is within the margin of the others' mean. With the others' count
    ``n`` and sum ``s``, that is ``|rating * n - s| <= margin * n``: whole numbers only,
    the same test as on the mean, without a division.
    """
    table = connection.ops.quote_name(Review._meta.db_table)
    moment = connection.ops.adapt_datetimefield_value(until)  # as the column stores it
    among = ""
    params: list[Any] = [moment, moment]
    if len(ids) <= MANY:
        among = f"AND mine.reviewer_id IN ({', '.join(['%s'] * len(ids))})"
        params += ids
    margin = int(AGREEMENT_MARGIN)
    sql = f"""
        SELECT reviewer_id, COUNT(*),
               SUM(CASE WHEN ABS(rating * n - s) <= {margin} * n THEN 1 ELSE 0 END)
        FROM (
            SELECT mine.reviewer_id AS reviewer_id, mine.rating AS rating,
                   COUNT(other.id) AS n, SUM(other.rating) AS s
            FROM {table} mine
            JOIN {table} other ON other.contribution_id = mine.contribution_id
                AND other.reviewer_id <> mine.reviewer_id
            WHERE mine.created_at < %s AND other.created_at < %s {among}
            GROUP BY mine.id, mine.reviewer_id, mine.rating
        ) compared
        GROUP BY reviewer_id
    """  # noqa: S608 - the table's name and the margin are ours; the values are parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [(int(r), int(c), int(a)) for r, c, a in cursor.fetchall()]


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
        records[pk] = MemberRecord(
            joined_on=timezone.localdate(joined_at),
            email_verified=verified_at is not None and timezone.localdate(verified_at) <= on,
            reviewed_contributions=tally.reviewed,
            reviewed_hours=tally.hours,
            reviews_given=tally.given,
            periods_active=tally.periods_active,
            average_rating=(Decimal(tally.rating_sum) / tally.ratings if tally.ratings else None),
            review_agreement=(
                Decimal(tally.agreeing) / tally.comparable if tally.comparable else None
            ),
            reputation=reputation,
            reputation_band=band,
            periods_at_level3=held_level3.get(pk, 0),
            last_active=None if tally.last is None else timezone.localdate(tally.last),
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
    ids = sorted(set(member_ids))
    # One member today (a power check, a profile) from their kept record; several at once
    # in the fixed number of queries of one read, with nothing kept per member.
    found = (
        _records_today(ids, day, policy)
        if day == timezone.localdate() and len(ids) == 1
        else records_of(ids, on=day, policy=policy)
    )
    return {
        pk: assess(record, policy.trust, today=day, period=policy.period)
        for pk, record in found.items()
    }


def standing_of(member: Member, *, on: dt.date | None = None) -> tuple[MemberRecord, Policy]:
    """One member's record on ``on`` and the policy in force that day (for explanations)."""
    day = on or timezone.localdate()
    policy = current_policy(at=day)
    if day != timezone.localdate():
        return records_of([member.pk], on=day, policy=policy)[member.pk], policy
    return _records_today([member.pk], day, policy)[member.pk], policy


def _records_today(ids: list[int], day: dt.date, policy: Policy) -> dict[int, MemberRecord]:
    """Today's records of these members (one, for a profile or a power check), each kept
    with the heads it was read at and read again only when the changes since concern that
    member (as the known levels are, below): a busy member's record sums tens of
    thousands of reviews, and every check of their powers asks for it.
    """
    heads = _heads(day)
    keys = {pk: f"{RECORD_KEY}:{pk}" for pk in ids}
    kept: dict[str, tuple[_Heads, MemberRecord]] = cache.get_many(list(keys.values()))
    records: dict[int, MemberRecord] = {}
    again: list[int] = []
    to_keep: dict[str, tuple[_Heads, MemberRecord]] = {}
    concern: dict[_Heads, set[int] | None] = {}
    for pk in ids:
        found = kept.get(keys[pk])
        if found is None:
            again.append(pk)
            continue
        then, record = found
        if then != heads:
            if then not in concern:
                concern[then] = _concerned_since(then, heads)
            concerned = concern[then]
            if concerned is None or pk in concerned:
                again.append(pk)
                continue
            to_keep[keys[pk]] = (heads, record)
        records[pk] = record
    if again:
        fresh = records_of(again, on=day, policy=policy)
        records.update(fresh)
        to_keep.update({keys[pk]: (heads, record) for pk, record in fresh.items()})
    if to_keep:
        cache.set_many(to_keep, KNOWN_LEVELS_TIMEOUT)
    return records


def assessment_of(member: Member, *, on: dt.date | None = None) -> Assessment:
    """One member's assessment on ``on`` (today by default)."""
    return assessments_of([member.pk], on=on)[member.pk]


def earned_levels_of(
    member_ids: Iterable[int], *, on: dt.date | None = None, may_lag: bool = False
) -> dict[int, int]:
    """Levels earned by many members at once (0 for ids that name nobody).

    Today's levels of more than ``MANY`` members (a review draw asks for everyone's) are
    read from the community's known levels (:func:`community_levels`), brought up to date
    first, or, with ``may_lag``, as they were worked out up to ``DRAW_LAG`` ago. Fewer
    members today are read from the known levels if those are exactly up to date, else
    computed (one member from their kept record); any other day, computed.
    """
    ids = list(member_ids)
    if not ids:
        return {}
    day = on or timezone.localdate()
    if day == timezone.localdate() and len(ids) > MANY:
        known = community_levels(day, may_lag=may_lag)
        return {pk: known.get(pk, 0) for pk in ids}
    if day == timezone.localdate() and len(ids) > 1:
        current = _known_if_current(day)
        if current is not None:
            return {pk: current.get(pk, 0) for pk in ids}
    return _computed_levels(ids, day)


def _known_if_current(day: dt.date) -> dict[int, int] | None:
    """The community's known levels when they are exactly up to date (as the worker leaves
    them after a review), so that several members' levels need nobody's record summed."""
    known: _Known | None = cache.get(KNOWN_LEVELS_KEY)
    if known is None or known.heads != _heads(day):
        return None
    return known.levels


def _computed_levels(ids: list[int], day: dt.date) -> dict[int, int]:
    found = assessments_of(ids, on=day)
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


# --- the community's known levels --------------------------------------------------------
#
# Every member's level today, kept in the shared cache with the heads of what levels are
# computed from. Computing everyone's level reads every review; a contribution logged draws
# its reviewers from everyone, so each would cost that. Instead the known levels are
# brought up to date by recomputing only the members the changes since concern:
#
# - a new review changes its contribution's author, its reviewer, and every other reviewer
#   of that contribution (their agreement);
# - an edited contribution changes its author; a member who joined or verified their
#   e-mail changes themselves;
# - a new day, another policy version, a posted distribution's reputations, or anything
#   the heads cannot place (a review or an edit committed late, out of order with others,
#   an e-mail unverified) changes everyone: all are computed again.

KNOWN_LEVELS_KEY = "commonshare.trust.known-levels"
RECORD_KEY = "commonshare.trust.record"  # and the member's id: one member's record today
KNOWN_LEVELS_TIMEOUT = 24 * 60 * 60
# A change stamped up to this long before the heads were read may commit after: edits and
# verifications that recent are taken as new again (no request's transaction runs longer).
SLACK = dt.timedelta(minutes=1)
# A review committed late has one of the last ids given out (ids are given in order, and
# no request's transaction stays open while this many reviews are written by others).
WINDOW = 10_000


@dataclass(frozen=True)
class _Heads:
    day: dt.date
    policy_version: int
    reputations: tuple[int, int]  # (newest id, count): any change recomputes everyone
    review: int  # the newest review's id, and how many of the last WINDOW ids were taken
    reviews: int
    edited: dt.datetime | None  # the latest change to a contribution
    member: int  # the newest member's id, how many members, how many verified, the latest
    members: int
    verified: int
    verified_last: dt.datetime | None


@dataclass(frozen=True)
class _Known:
    heads: _Heads
    levels: dict[int, int]
    at: dt.datetime | None = None  # when they were last brought up to date


DRAW_LAG = dt.timedelta(seconds=60)
"""How far behind the latest reviews the levels a review draw reads may be.

Bringing everyone's levels up to date after a review recomputes the records of its
contribution's author and reviewers; for a reviewer of 80,000 reviews that is most of a
second, and it used to happen inside the next contribution's write, holding up every
other write. The worker brings them up to date right after each review instead
(``level_services.record_levels_of``) and every minute; a draw reads them as they stand
if they were brought up to date at most this long ago and nothing that moves everyone's
level (a new day, a new policy, a posted distribution) happened since. So a member whose
level changed is drawn by it within seconds, a minute at the most. Only the review draw
reads them so; every power a member uses is checked against their level of the moment.
"""


def _heads(day: dt.date) -> _Heads:
    """The heads, read in one statement (every page that shows a level reads them)."""
    from commonshare.governance.selectors import current_version  # noqa: PLC0415

    def table(model: type[Any]) -> str:
        return str(connection.ops.quote_name(model._meta.db_table))

    review, member = table(Review), table(Member)
    top = f"(SELECT COALESCE(MAX(id), 0) FROM {review})"  # noqa: S608 - our table
    sql = f"""
        SELECT (SELECT COALESCE(MAX(id), 0) FROM {table(ReputationRecord)}),
               (SELECT COUNT(*) FROM {table(ReputationRecord)}),
               {top},
               (SELECT COUNT(*) FROM {review} WHERE id > {top} - %s AND id <= {top}),
               (SELECT MAX(updated_at) FROM {table(Contribution)}),
               (SELECT COALESCE(MAX(id), 0) FROM {member}),
               (SELECT COUNT(*) FROM {member}),
               (SELECT COUNT(email_verified_at) FROM {member}),
               (SELECT MAX(email_verified_at) FROM {member})
    """  # noqa: S608 - the tables' names are ours; the window is a parameter
    with connection.cursor() as cursor:
        cursor.execute(sql, [WINDOW])
        row = cursor.fetchone()
    return _Heads(
        day=day,
        policy_version=current_version(day).pk,
        reputations=(int(row[0]), int(row[1])),
        review=int(row[2]),
        reviews=int(row[3]),
        edited=_moment(row[4]),
        member=int(row[5]),
        members=int(row[6]),
        verified=int(row[7]),
        verified_last=_moment(row[8]),
    )


def _moment(value: Any) -> dt.datetime | None:
    """A datetime as a raw query gives it: SQLite's text (in UTC), PostgreSQL's datetime."""
    if value is None or isinstance(value, dt.datetime):
        return value
    parsed = parse_datetime(str(value))
    if parsed is not None and timezone.is_naive(parsed):
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed


def _reviews_below(top: int) -> int:
    """How many reviews have one of the ``WINDOW`` ids up to ``top`` (an index range)."""
    return Review.objects.filter(pk__gt=top - WINDOW, pk__lte=top).count()


def community_levels(day: dt.date, *, may_lag: bool = False) -> dict[int, int]:
    """Every member's level earned by ``day`` (today), by id; with ``may_lag``, as they
    were brought up to date at most ``DRAW_LAG`` ago (see there)."""
    heads = _heads(day)
    known: _Known | None = cache.get(KNOWN_LEVELS_KEY)
    if known is not None and known.heads == heads:
        return known.levels
    if may_lag and known is not None and _lagging_only(known, heads):
        return known.levels
    concerned = None if known is None else _concerned_since(known.heads, heads)
    if known is None or concerned is None:
        levels = _computed_levels(list(Member.objects.values_list("pk", flat=True)), day)
    else:
        changed = _computed_levels(sorted(concerned), day) if concerned else {}
        levels = {**known.levels, **changed}
    cache.set(KNOWN_LEVELS_KEY, _Known(heads, levels, timezone.now()), KNOWN_LEVELS_TIMEOUT)
    return levels


def _lagging_only(known: _Known, heads: _Heads) -> bool:
    """True when ``known`` is recent and differs from ``heads`` only by reviews, edits and
    members, whose changes concern a few members each."""
    basis = (heads.day, heads.policy_version, heads.reputations)
    return (
        known.at is not None
        and timezone.now() - known.at <= DRAW_LAG
        and (known.heads.day, known.heads.policy_version, known.heads.reputations) == basis
    )


def refresh_known_levels() -> int:
    """Bring today's known levels up to date (the worker's sweep); returns how many."""
    return len(community_levels(timezone.localdate()))


def _concerned_since(old: _Heads, new: _Heads) -> set[int] | None:
    """The members whose levels the changes from ``old`` to ``new`` may have changed, or
    None when everyone's may have (see the note above)."""
    if (old.day, old.policy_version, old.reputations) != (
        new.day,
        new.policy_version,
        new.reputations,
    ):
        return None
    concerned: set[int] = set()
    if (old.review, old.reviews) != (new.review, new.reviews):
        if _reviews_below(old.review) != old.reviews:
            return None  # a review with an older id committed after the heads were read
        added = Review.objects.filter(pk__gt=old.review)
        concerned |= set(added.values_list("contribution__author_id", flat=True))
        concerned |= set(
            Review.objects.filter(contribution_id__in=added.values("contribution_id")).values_list(
                "reviewer_id", flat=True
            )
        )
    if old.edited != new.edited:
        # Only reviewed work counts in a tally (``_tallies``): logging a contribution, or
        # editing one nobody has reviewed, changes nobody's level; its first review does,
        # and that is a new review, above.
        reviewed = Exists(Review.objects.filter(contribution_id=OuterRef("pk")))
        edited = Contribution.objects.filter(reviewed)
        if old.edited is not None:
            edited = edited.filter(updated_at__gt=old.edited - SLACK)
        concerned |= set(edited.values_list("author_id", flat=True))
    if (old.member, old.members, old.verified, old.verified_last) != (
        new.member,
        new.members,
        new.verified,
        new.verified_last,
    ):
        members = Member.objects.all()
        if new.verified < old.verified or members.filter(pk__lte=old.member).count() != old.members:
            return None  # an e-mail unverified, or a member committed out of order
        concerned |= set(members.filter(pk__gt=old.member).values_list("pk", flat=True))
        verified = members.filter(email_verified_at__isnull=False)
        if old.verified_last is not None:
            verified = verified.filter(email_verified_at__gt=old.verified_last - SLACK)
        concerned |= set(verified.values_list("pk", flat=True))
    return concerned
