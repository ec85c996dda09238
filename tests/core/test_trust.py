"""Earned trust levels: the pure computation over a member's record."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from commonshare.core.policy import PeriodPolicy, TrustPolicy
from commonshare.core.trust import (
    TOP_LEVEL,
    MemberRecord,
    assess,
    earned_level,
    periods_inactive,
    requirements_for,
)

TODAY = dt.date(2026, 6, 15)
POLICY = TrustPolicy()


def _established(**changes: object) -> MemberRecord:
    """A record that meets every level of the default policy."""
    record = MemberRecord(
        joined_on=dt.date(2025, 1, 1),
        email_verified=True,
        reviewed_contributions=30,
        reviewed_hours=Decimal(100),
        reviews_given=30,
        periods_active=8,
        periods_at_level3=3,
        average_rating=Decimal("4.2"),
        review_agreement=Decimal("0.9"),
        reputation=Decimal("0.3"),
        reputation_band=Decimal("0.05"),
        last_active=dt.date(2026, 6, 2),
    )
    return dataclasses.replace(record, **changes)  # type: ignore[arg-type]


def test_a_member_who_just_joined_is_new_and_sees_what_level_1_asks() -> None:
    fresh = MemberRecord(joined_on=TODAY)
    result = assess(fresh, POLICY, today=TODAY)
    assert (result.level, result.next_level) == (0, 1)
    assert [r.sentence for r in result.requirements] == [
        "0 of 7 days as a member",
        "E-mail address not verified yet",
        "0 of 1 reviewed contribution",
    ]
    assert not any(r.met for r in result.requirements)


def test_each_level_is_reached_by_what_it_asks() -> None:
    basic = MemberRecord(
        joined_on=dt.date(2026, 6, 1),
        email_verified=True,
        reviewed_contributions=1,
        reviewed_hours=Decimal(12),
        periods_active=1,
        last_active=TODAY,
    )
    assert assess(basic, POLICY, today=TODAY).level == 1
    assert assess(dataclasses.replace(basic, email_verified=False), POLICY, today=TODAY).level == 0
    result = assess(basic, POLICY, today=TODAY)
    assert result.next_level == 2
    hours = next(r for r in result.requirements if r.key == "reviewed_hours")
    assert hours.sentence == "12 of 20 reviewed hours"
    assert hours.progress == Decimal("0.6") and not hours.met
    assert assess(_established(), POLICY, today=TODAY).level == 4
    assert assess(_established(reputation_band=Decimal("0.5")), POLICY, today=TODAY).level == 3
    assert assess(_established(review_agreement=Decimal("0.5")), POLICY, today=TODAY).level == 2
    assert assess(_established(average_rating=Decimal(2)), POLICY, today=TODAY).level == 1


def test_inactivity_over_the_policy_periods_drops_a_level() -> None:
    # Last active in February; March, April and May passed without anything: 3 periods.
    idle = _established(last_active=dt.date(2026, 2, 20))
    assert periods_inactive(idle, today=TODAY) == 3
    result = assess(idle, POLICY, today=TODAY)
    assert (result.earned_level, result.level) == (4, 3)
    assert result.losses == (
        "No reviewed work nor review for 3 periods: one level lower until the next.",
    )
    assert result.requirements[-1].key == "recently_active"
    # Two idle periods are not yet enough; a policy of 0 never drops.
    assert assess(_established(last_active=dt.date(2026, 3, 1)), POLICY, today=TODAY).level == 4
    never = dataclasses.replace(POLICY, inactive_periods=0)
    assert assess(idle, never, today=TODAY).level == 4
    # Quarterly periods: February is in the first quarter, today in the second.
    assert periods_inactive(idle, today=TODAY, period=PeriodPolicy(months=3)) == 0


def test_an_upheld_flag_drops_a_level_each() -> None:
    assert assess(_established(upheld_flags=1), POLICY, today=TODAY).level == 3
    result = assess(_established(upheld_flags=2), POLICY, today=TODAY)
    assert result.level == 2
    assert result.losses == ("2 upheld flags: 2 levels lower.",)
    assert assess(_established(upheld_flags=9), POLICY, today=TODAY).level == 0


def test_the_top_level_has_no_next_level() -> None:
    result = assess(_established(), POLICY, today=TODAY)
    assert result.next_level is None and result.requirements == ()


def test_reputation_band_and_rating_say_where_the_member_stands() -> None:
    asked = requirements_for(4, _established(reputation_band=Decimal("0.25")), POLICY, today=TODAY)
    band = next(r for r in asked if r.key == "reputation_band")
    assert band.sentence == "In the top 25% by reputation; the top 10% is asked"
    assert not band.met and band.progress == Decimal("0.4")
    none = requirements_for(2, MemberRecord(joined_on=TODAY), POLICY, today=TODAY)
    rating = next(r for r in none if r.key == "average_rating")
    assert rating.sentence == "No rating received yet; an average of 3 out of 5 is asked"


# --- properties ---------------------------------------------------------------------

_counts = st.integers(0, 60)
_ratings = st.none() | st.decimals(0, 5, places=2)
_shares = st.none() | st.decimals(0, 1, places=2)

records = st.builds(
    MemberRecord,
    joined_on=st.dates(dt.date(2024, 1, 1), TODAY),
    email_verified=st.booleans(),
    reviewed_contributions=_counts,
    reviewed_hours=st.decimals(0, 200, places=2),
    reviews_given=_counts,
    periods_active=st.integers(0, 12),
    periods_at_level3=st.integers(0, 6),
    average_rating=_ratings,
    review_agreement=_shares,
    reputation=st.none(),
    reputation_band=_shares,
    last_active=st.dates(dt.date(2025, 1, 1), TODAY),
)


@st.composite
def more(draw: st.DrawFn, record: MemberRecord) -> MemberRecord:
    """The same member with at least as much of everything (and no earlier activity)."""

    def up(value: Decimal | None, top: Decimal) -> Decimal | None:
        if value is None:
            return draw(st.none() | st.decimals(0, top, places=2))
        return draw(st.decimals(value, top, places=2))

    band = record.reputation_band
    return dataclasses.replace(
        record,
        joined_on=draw(st.dates(dt.date(2024, 1, 1), record.joined_on)),
        email_verified=record.email_verified or draw(st.booleans()),
        reviewed_contributions=record.reviewed_contributions + draw(_counts),
        reviewed_hours=record.reviewed_hours + draw(st.decimals(0, 100, places=2)),
        reviews_given=record.reviews_given + draw(_counts),
        periods_active=record.periods_active + draw(st.integers(0, 6)),
        periods_at_level3=record.periods_at_level3 + draw(st.integers(0, 3)),
        average_rating=up(record.average_rating, Decimal(5)),
        review_agreement=up(record.review_agreement, Decimal(1)),
        reputation_band=(draw(_shares) if band is None else draw(st.decimals(0, band, places=2))),
        last_active=draw(st.dates(record.last_active or TODAY, TODAY)),
    )


@settings(max_examples=300)
@given(records.flatmap(lambda r: st.tuples(st.just(r), more(r))))
def test_more_reviewed_work_never_lowers_a_level(pair: tuple[MemberRecord, MemberRecord]) -> None:
    less, bigger = pair
    assert assess(bigger, POLICY, today=TODAY).level >= assess(less, POLICY, today=TODAY).level


@settings(max_examples=300)
@given(records)
def test_each_level_needs_what_the_one_below_needs(record: MemberRecord) -> None:
    level = earned_level(record, POLICY, today=TODAY)
    for below in range(1, level + 1):
        assert all(r.met for r in requirements_for(below, record, POLICY, today=TODAY))
    if level < TOP_LEVEL:
        assert not all(r.met for r in requirements_for(level + 1, record, POLICY, today=TODAY))
    result = assess(record, POLICY, today=TODAY)
    assert 0 <= result.level <= result.earned_level == level
    assert all(Decimal(0) <= r.progress <= 1 for r in result.requirements)
    assert all(r.sentence and "_" not in r.sentence for r in result.requirements)


@settings(max_examples=200)
@given(records, st.integers(0, 3))
def test_flags_only_ever_lower_a_level(record: MemberRecord, flags: int) -> None:
    flagged = dataclasses.replace(record, upheld_flags=flags)
    before = assess(record, POLICY, today=TODAY).level
    assert assess(flagged, POLICY, today=TODAY).level == max(0, before - flags)
