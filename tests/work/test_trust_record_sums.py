"""The database's sums of a member's record equal a plain count over every review row.

``work.earned`` sums reviews in SQL (a busy member's page would otherwise read thousands
of rows per request). Here the same record is counted the slow, obvious way, in Python
over every row, on random communities, in a time zone whose days are not UTC's, for
a few members (named in the query) and for many (every row read).
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from commonshare.core.policy import period_start
from commonshare.governance.selectors import current_policy
from commonshare.work import earned
from commonshare.work.models import Contribution, Review
from commonshare.work.vocab import ContributionKind

pytestmark = pytest.mark.django_db
START = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
KINDS = list(ContributionKind)


def _community(rng: random.Random, make_member: Any, size: int) -> list[int]:
    members = [make_member(f"Member {n}").pk for n in range(size)]
    for number in range(size * 4):
        kind = rng.choice(KINDS)
        made = Contribution.objects.create(
            author_id=rng.choice(members),
            kind=kind,
            summary=f"Contribution {number}",
            hours=Decimal(rng.randint(1, 40)) / 4 if kind == ContributionKind.WORK else None,
            units=Decimal(rng.randint(1, 9)) if kind != ContributionKind.WORK else None,
        )
        logged = START + dt.timedelta(hours=rng.randint(0, 24 * 60))
        Contribution.objects.filter(pk=made.pk).update(created_at=logged)
        others = [m for m in members if m != made.author_id]
        for reviewer in rng.sample(others, rng.randint(0, min(4, len(others)))):
            review = Review.objects.create(
                contribution=made, reviewer_id=reviewer, rating=rng.randint(0, 5), comment="ok"
            )
            at = logged + dt.timedelta(hours=rng.randint(1, 24 * 20))
            Review.objects.filter(pk=review.pk).update(created_at=at)
    return members


def _counted(ids: list[int], on: dt.date) -> dict[int, dict[str, Any]]:
    """The record's review-made parts, counted row by row."""
    policy = current_policy(at=on)
    zone = timezone.get_current_timezone()
    rows = [
        r
        for r in Review.objects.select_related("contribution")
        if r.created_at.astimezone(zone).date() <= on
    ]
    by_contribution: dict[int, list[Review]] = defaultdict(list)
    for r in rows:
        by_contribution[r.contribution_id].append(r)
    counted = {}
    for member in ids:
        received = [
            r
            for r in rows
            if r.contribution.author_id == member and r.contribution.kind != "expense"
        ]
        reviewed = {r.contribution_id: r.contribution for r in received}
        hours = sum(
            (
                policy.effort_of(c.kind, c.hours if c.kind == "work" else c.units)
                for c in reviewed.values()
                if c.kind in ("work", "deliverable")
            ),
            Decimal(0),
        )
        given = [r for r in rows if r.reviewer_id == member]
        comparable = agreeing = 0
        for r in given:
            rest = [o.rating for o in by_contribution[r.contribution_id] if o.reviewer_id != member]
            if rest:
                comparable += 1
                agreeing += abs(Decimal(r.rating) - Decimal(sum(rest)) / len(rest)) <= 1
        days = {c.created_at.astimezone(zone).date() for c in reviewed.values()}
        days |= {r.created_at.astimezone(zone).date() for r in given}
        counted[member] = {
            "reviewed_contributions": len(reviewed),
            "reviewed_hours": hours,
            "reviews_given": len(given),
            "periods_active": len({period_start(day, policy.period) for day in days}),
            "average_rating": (
                Decimal(sum(r.rating for r in received)) / len(received) if received else None
            ),
            "review_agreement": Decimal(agreeing) / comparable if comparable else None,
            "last_active": max(days) if days else None,
        }
    return counted


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_sums_equal_a_count_of_every_row(
    seed: int, make_member: Any, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.TIME_ZONE = "Pacific/Auckland"  # its days begin at 11:00 or 12:00 UTC
    rng = random.Random(seed)
    members = _community(rng, make_member, size=7)
    if seed == 3:  # past MANY members the queries read every row instead of naming them
        monkeypatch.setattr(earned, "MANY", 2)
    for on in (dt.date(2026, 3, 10), dt.date(2026, 4, 2), dt.date(2026, 6, 1)):
        policy = current_policy(at=on)
        records = earned.records_of(members, on=on, policy=policy)
        expected = _counted(members, on)
        for member in members:
            found = {name: getattr(records[member], name) for name in expected[member]}
            assert found == expected[member], (seed, on, member)
    assert any(e["review_agreement"] is not None for e in expected.values())
