"""Earned trust levels: a pure function from what a member did to the level they hold.

A member's :class:`MemberRecord` is plain data (gathered by ``work.earned``); the
thresholds are the policy's ``trust`` section. :func:`assess` gives the level and, for the
next level, every requirement with where the member stands ("12 of 20 reviewed hours"),
so the page, the API and the CLI can show the next step.

The levels, each asking everything the levels below ask:

- 0, new: just joined.
- 1, basic: days as a member, a verified e-mail address and a first reviewed contribution.
- 2, member: enough reviewed contributions and hours over enough days, reviews given, and
  a good average rating received.
- 3, regular: more of it, sustained over several periods, with reviews that agree with the
  other reviewers of the same work.
- 4, anchor: level 3 held at the end of several periods (as recorded each time a period's
  distribution posts), and a reputation in the top band.

A level is lost (one step each) by inactivity over the policy's number of whole periods
and by each upheld flag. Pure: no Django, no I/O, no clock (``today`` is an argument).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from commonshare.core.policy import PeriodPolicy, TrustPolicy

TOP_LEVEL = 4
REGULAR = 3  # the level whose holding, period after period, level 4 asks
LEVEL_NAMES = {0: "new", 1: "basic", 2: "member", 3: "regular", 4: "anchor"}
ZERO = Decimal(0)
MONTHLY = PeriodPolicy()


@dataclass(frozen=True)
class MemberRecord:
    """What a member did, as far as trust is concerned (all of it up to one day)."""

    joined_on: dt.date
    email_verified: bool = False
    # Contributions of theirs that have at least one review, and their effort in hours
    # (hours for work, the hours the policy counts a deliverable as).
    reviewed_contributions: int = 0
    reviewed_hours: Decimal = ZERO
    # Reviews they gave of other members' work.
    reviews_given: int = 0
    # Distinct periods (of the policy's length) with reviewed work of theirs or a review.
    periods_active: int = 0
    # The mean rating their reviewed work received (0 to 5), None before any.
    average_rating: Decimal | None = None
    # The share (0 to 1) of their reviews within one point of the other reviewers' mean
    # rating of the same contribution; None while no review of theirs can be compared.
    review_agreement: Decimal | None = None
    # Their reputation after the last distribution, and its band: the share of members with
    # a reputation who rank at or above them (0.05: the top 5 %). None before any.
    reputation: Decimal | None = None
    reputation_band: Decimal | None = None
    # Distinct periods at whose end they held level 3 or more: read from the level stored
    # with their reputation each time a period's distribution posted.
    periods_at_level3: int = 0
    # The last day with reviewed work of theirs or a review they gave.
    last_active: dt.date | None = None
    # Flags against them that were upheld (flags arrive with a later issue); each costs a
    # level.
    upheld_flags: int = 0


@dataclass(frozen=True)
class Requirement:
    """One thing a level asks, and where the member stands."""

    key: str
    have: Decimal
    need: Decimal
    met: bool
    sentence: str
    # How far along when ``have / need`` does not say it (a band, where less is better).
    bar: Decimal | None = None

    @property
    def progress(self) -> Decimal:
        """How far along, from 0 to 1 (for a progress bar)."""
        if self.met:
            return Decimal(1)
        if self.bar is not None:
            return self.bar.quantize(Decimal("0.01"))
        if self.need <= 0:
            return ZERO
        return min(Decimal(1), max(ZERO, self.have / self.need)).quantize(Decimal("0.01"))

    @property
    def percent(self) -> int:
        """``progress`` in whole percent, rounded down (full only when met)."""
        return int(self.progress * 100)


@dataclass(frozen=True)
class Assessment:
    level: int
    # The level the record earns before any is lost to inactivity or upheld flags.
    earned_level: int
    # The level after ``level`` (None at the top) and every requirement it asks.
    next_level: int | None
    requirements: tuple[Requirement, ...]
    # Why levels were lost, one sentence each.
    losses: tuple[str, ...]
    periods_inactive: int


def _plural(number: int, one: str, many: str) -> str:
    return one if number == 1 else many


def _figure(value: Decimal) -> str:
    text = format(value.quantize(Decimal("0.01")).normalize(), "f")
    return "0" if text in ("-0", "0.00") else text


def _percent(value: Decimal) -> str:
    return f"{_figure(value * 100)}%"


def _count(key: str, have: int | Decimal, need: int, one: str, many: str) -> Requirement:
    got = Decimal(have)
    return Requirement(
        key=key,
        have=got,
        need=Decimal(need),
        met=got >= need,
        sentence=f"{_figure(got)} of {need} {_plural(need, one, many)}",
    )


def _days(record: MemberRecord, need: int, today: dt.date) -> Requirement:
    days = max(0, (today - record.joined_on).days)
    return _count("days", days, need, "day as a member", "days as a member")


def _email(record: MemberRecord) -> Requirement:
    verified = record.email_verified
    return Requirement(
        key="email_verified",
        have=Decimal(int(verified)),
        need=Decimal(1),
        met=verified,
        sentence="E-mail address verified" if verified else "E-mail address not verified yet",
    )


def _rating(record: MemberRecord, need: Decimal) -> Requirement:
    have = record.average_rating
    asked = f"an average of {_figure(need)} out of 5 is asked"
    sentence = (
        f"No rating received yet; {asked}"
        if have is None
        else f"An average rating of {_figure(have)} out of 5 received; {asked}"
    )
    got = ZERO if have is None else have
    return Requirement("average_rating", got, need, have is not None and have >= need, sentence)


def _agreement(record: MemberRecord, need: Decimal) -> Requirement:
    have = record.review_agreement
    asked = f"{_percent(need)} is asked"
    sentence = (
        f"No review yet to compare with other reviewers'; {asked}"
        if have is None
        else f"{_percent(have)} of reviews given agree with the other reviewers'; {asked}"
    )
    got = ZERO if have is None else have
    return Requirement("review_agreement", got, need, have is not None and have >= need, sentence)


def _band(record: MemberRecord, need: Decimal) -> Requirement:
    band = record.reputation_band
    asked = f"the top {_percent(need)} is asked"
    if band is None:
        sentence = f"No reputation yet (it comes from distributions); {asked}"
        return Requirement("reputation_band", ZERO, need, False, sentence)
    met = band <= need
    sentence = f"In the top {_percent(band)} by reputation; {asked}"
    # The bar: how close the member's band is to the one asked.
    bar = min(Decimal(1), need / band) if band > 0 else Decimal(1)
    return Requirement("reputation_band", band, need, met, sentence, bar=bar)


def requirements_for(
    level: int, record: MemberRecord, policy: TrustPolicy, *, today: dt.date
) -> tuple[Requirement, ...]:
    """What ``level`` (1 to 4) asks beyond the levels below it, and where the record stands."""
    if level == 1:
        asked = [_days(record, policy.level1_days, today)]
        if policy.level1_email_verified:
            asked.append(_email(record))
        asked.append(
            _count(
                "reviewed_contributions",
                record.reviewed_contributions,
                policy.level1_reviewed_contributions,
                "reviewed contribution",
                "reviewed contributions",
            )
        )
        return tuple(asked)
    if level in (2, 3):
        two = level == 2
        asked = [
            _days(record, policy.level2_days if two else policy.level3_days, today),
            _count(
                "reviewed_contributions",
                record.reviewed_contributions,
                policy.level2_reviewed_contributions
                if two
                else policy.level3_reviewed_contributions,
                "reviewed contribution",
                "reviewed contributions",
            ),
            _count(
                "reviewed_hours",
                record.reviewed_hours,
                policy.level2_reviewed_hours if two else policy.level3_reviewed_hours,
                "reviewed hour",
                "reviewed hours",
            ),
            _count(
                "reviews_given",
                record.reviews_given,
                policy.level2_reviews_given if two else policy.level3_reviews_given,
                "review given",
                "reviews given",
            ),
        ]
        if two:
            asked.append(_rating(record, policy.level2_average_rating))
        else:
            asked.append(
                _count(
                    "periods_active",
                    record.periods_active,
                    policy.level3_periods_active,
                    "period active",
                    "periods active",
                )
            )
            asked.append(_agreement(record, policy.level3_review_agreement))
        return tuple(asked)
    if level == TOP_LEVEL:
        return (
            _count(
                "periods_at_level3",
                record.periods_at_level3,
                policy.level4_periods_at_level3,
                "period at level 3",
                "periods at level 3",
            ),
            _band(record, policy.level4_reputation_band),
        )
    raise ValueError(f"trust levels that ask something run from 1 to {TOP_LEVEL}, not {level}")


def earned_level(record: MemberRecord, policy: TrustPolicy, *, today: dt.date) -> int:
    """The highest level whose requirements, and those of every level below, are all met."""
    level = 0
    while level < TOP_LEVEL and all(
        r.met for r in requirements_for(level + 1, record, policy, today=today)
    ):
        level += 1
    return level


def periods_inactive(
    record: MemberRecord, *, today: dt.date, period: PeriodPolicy = MONTHLY
) -> int:
    """Whole periods, before today's, since the one of the member's last activity.

    A member who was never active counts from the day they joined.
    """
    last = record.last_active or record.joined_on

    def index(day: dt.date) -> int:
        return (day.year * 12 + day.month - 1) // period.months

    return max(0, index(today) - index(last) - 1)


def assess(
    record: MemberRecord,
    policy: TrustPolicy,
    *,
    today: dt.date,
    period: PeriodPolicy = MONTHLY,
) -> Assessment:
    """The member's level on ``today``, and what the next one asks."""
    earned = earned_level(record, policy, today=today)
    inactive = periods_inactive(record, today=today, period=period)
    idle = bool(earned and policy.inactive_periods and inactive >= policy.inactive_periods)
    flags = record.upheld_flags if earned else 0
    losses: list[str] = []
    if idle:
        losses.append(
            f"No reviewed work nor review for {inactive} "
            f"{_plural(inactive, 'period', 'periods')}: one level lower until the next."
        )
    if flags:
        losses.append(
            f"{flags} upheld {_plural(flags, 'flag', 'flags')}: "
            f"{_plural(flags, 'one level', f'{flags} levels')} lower."
        )
    lost = int(idle) + flags
    level = max(0, earned - lost)
    next_level = None if level >= TOP_LEVEL else level + 1
    requirements: tuple[Requirement, ...] = ()
    if next_level is not None:
        requirements = requirements_for(next_level, record, policy, today=today)
        if idle and next_level <= earned:
            requirements += (
                Requirement(
                    "recently_active",
                    Decimal(0),
                    Decimal(1),
                    False,
                    "Reviewed work or a review in the current period (to win back the "
                    "level lost to inactivity)",
                ),
            )
    return Assessment(
        level=level,
        earned_level=earned,
        next_level=next_level,
        requirements=requirements,
        losses=tuple(losses),
        periods_inactive=inactive,
    )
