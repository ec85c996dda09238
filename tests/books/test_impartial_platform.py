"""``impartial`` on the platform: whether a member reviews does not move their own pay."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction
from tests.dates import live_today
from tests.distributing import distribute
from tests.money import posted_income

from commonshare.books import distribution as distributions
from commonshare.books import records
from commonshare.core.valuation.impartial import clusters
from commonshare.work import services as work
from commonshare.work.models import Contribution
from commonshare.work.services import ContributionInput

pytestmark = pytest.mark.django_db
TODAY = live_today(__name__)


@pytest.fixture
def impartial(adopt_rules: Any) -> None:
    adopt_rules(valuation={"method": "impartial"})


def _spread_seed(members: list[Any]) -> str:
    """A seed that deals every member into a cluster of its own (the seed is public anyway)."""
    ids = [str(m.pk) for m in members]
    for n in range(10_000):
        seed = f"test-seed-{n}"
        if len(set(clusters(ids, seed, 32).tolist())) == len(ids):
            return seed
    raise AssertionError("no seed spreads the members")


def _community(make_member: Any) -> tuple[list[Any], Contribution, Any]:
    """Six members with reviewed work, and one more contribution drawn but not reviewed yet."""
    members = [make_member(f"M{i}") for i in range(6)]
    for i, author in enumerate(members):
        done = work.log_contribution(
            author,
            ContributionInput(kind="work", summary=f"w{i}", hours=str(i + 1), evidence_text="e"),
        )
        for rating, assignment in enumerate(done.assignments.order_by("pk"), start=3):
            work.submit_review(assignment.reviewer, done.pk, rating=min(rating, 5), comment="c")
    solo = work.log_contribution(
        members[1], ContributionInput(kind="work", summary="solo", hours="4", evidence_text="e")
    )
    reviewer = solo.assignments.order_by("pk").first().reviewer
    posted_income(
        members[0], amount="1000.00", currency="EUR", payer="P", description="d", received_on=TODAY
    )
    return members, solo, reviewer


def _pay(member: Any, *, review: tuple[Contribution, int] | None) -> tuple[int, bool]:
    """The member's payout (minor units) and whether ``solo`` was settled, then undone."""
    point = transaction.savepoint()
    if review is not None:
        work.submit_review(member, review[0].pk, rating=review[1], comment="c")
    distribution = distribute(member, currency="EUR")
    payout = distribution.payouts.filter(member=member).first()
    settled = distributions.settled_contributions("EUR")[0]
    problems = list(records.valued_rows_problems(distribution.pk))
    transaction.savepoint_rollback(point)
    assert problems == []
    return (payout.amount_minor if payout else 0), (review is not None and review[0].pk in settled)


def test_abstaining_from_a_drawn_review_does_not_move_the_reviewers_pay(
    make_member: Any, impartial: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    members, solo, reviewer = _community(make_member)
    seed = _spread_seed(members)
    monkeypatch.setattr(distributions, "_period_seed", lambda *_period: seed)
    abstained, _ = _pay(reviewer, review=None)
    for rating in (0, 2, 5):
        reviewed, settled = _pay(reviewer, review=(solo, rating))
        assert reviewed == abstained, rating
        assert settled  # reviewed work is valued now, not carried over
    assert abstained > 0


def test_unreviewed_work_is_in_the_split_but_carried_to_the_next_distribution(
    make_member: Any, impartial: None
) -> None:
    members, solo, _reviewer = _community(make_member)
    distribution = distribute(members[0], currency="EUR")
    assert str(solo.pk) in {c["id"] for c in distribution.request["contributions"]}
    assert solo.pk not in distributions.settled_contributions("EUR")[0]
    # carried work may be edited before it is valued: verify does not call that tampering
    Contribution.objects.filter(pk=solo.pk).update(hours="9")
    assert list(records.valued_rows_problems(distribution.pk)) == []
