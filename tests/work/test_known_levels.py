"""The community's known levels, brought up to date by the changes since, always equal
every member's level computed afresh (``work.earned.community_levels``)."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

import pytest
from django.core.cache import cache
from django.utils import timezone
from tests.trust_steps import contribution, review_at_random

from commonshare.community.models import Member
from commonshare.work import earned
from commonshare.work.models import Contribution, Review

pytestmark = pytest.mark.django_db


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many members each computation of levels took (everyone, or those concerned)."""
    sizes: list[int] = []
    real = earned._computed_levels

    def computed(ids: list[int], day: dt.date) -> dict[int, int]:
        sizes.append(len(ids))
        return real(ids, day)

    monkeypatch.setattr(earned, "_computed_levels", computed)
    monkeypatch.setattr(earned, "MANY", 2)  # the known levels answer for more than two
    cache.clear()
    return sizes


def _fresh(ids: list[int]) -> dict[int, int]:
    found = earned.assessments_of(ids)
    return {pk: found[pk].level if pk in found else 0 for pk in ids}


@pytest.mark.parametrize("seed", [1, 2])
def test_known_levels_follow_every_change(seed: int, make_member: Any, counted: list[int]) -> None:
    rng = random.Random(seed)
    members = [make_member(f"Member {n}", level=None).pk for n in range(6)]
    work: list[Contribution] = []
    for step in range(40):
        change = rng.choice(["log", "review", "review", "review", "edit", "verify", "join"])
        if change == "log":
            work.append(contribution(rng.choice(members), rng.randint(1, 30)))
        elif change == "review" and work:
            review_at_random(rng, work, members)
        elif change == "edit" and work:
            piece = rng.choice(work)
            piece.hours = Decimal(rng.randint(1, 60))
            piece.save()
        elif change == "verify":
            Member.objects.filter(pk=rng.choice(members), email_verified_at__isnull=True).update(
                email_verified_at=timezone.now()
            )
        elif change == "join":
            members.append(make_member(f"Newcomer {step}", level=None).pk)
        ids = [*members, 10**9]
        assert earned.earned_levels_of(ids) == _fresh(ids), (seed, step, change)
    assert any(level > 0 for level in _fresh(members).values())
    assert max(counted[1:]) < len(members)  # after the first, only those concerned


def test_a_new_day_recomputes_everyone(make_member: Any, counted: list[int]) -> None:
    members = [make_member(f"Member {n}").pk for n in range(4)]
    today = timezone.localdate()
    earned.community_levels(today)
    earned.community_levels(today)
    assert counted == [len(members)]  # the second answer was the known one
    earned.community_levels(today + dt.timedelta(days=1))
    assert counted == [len(members), len(members)]


def test_a_review_committed_out_of_order_recomputes_everyone(
    make_member: Any, counted: list[int]
) -> None:
    members = [make_member(f"Member {n}").pk for n in range(4)]
    first = contribution(members[0], 3)
    late = Review.objects.create(contribution=first, reviewer_id=members[1], rating=4)
    Review.objects.create(contribution=first, reviewer_id=members[2], rating=4)
    late_row = Review.objects.filter(pk=late.pk)
    kept = late_row.values().get()
    late_row.delete()  # as if its transaction had not yet committed when the heads were read
    today = timezone.localdate()
    earned.community_levels(today)
    Review.objects.create(**kept)  # now it commits, with an id older than the newest
    assert earned.community_levels(today) == _fresh(members)
    assert counted == [len(members), len(members)]


def test_a_review_concerns_the_author_and_every_reviewer_of_that_work(make_member: Any) -> None:
    author, earlier, later, bystander = (make_member(f"Member {n}").pk for n in range(4))
    piece = contribution(author, 3)
    Review.objects.create(contribution=piece, reviewer_id=earlier, rating=4)
    today = timezone.localdate()
    before = earned._heads(today)
    Review.objects.create(contribution=piece, reviewer_id=later, rating=1)  # moves agreement
    assert earned._concerned_since(before, earned._heads(today)) == {author, earlier, later}
    assert bystander not in {author, earlier, later}


def test_an_edit_concerns_its_author_and_a_verification_its_member(make_member: Any) -> None:
    author, other = make_member("Ada").pk, make_member("Bea", level=None).pk
    piece = contribution(author, 3)
    today = timezone.localdate()
    before = earned._heads(today)
    piece.hours = Decimal(9)
    piece.save()
    # unreviewed work is in nobody's tally: logging or editing it concerns nobody
    assert earned._concerned_since(before, earned._heads(today)) == set()
    Review.objects.create(contribution=piece, reviewer_id=other, rating=4)
    before = earned._heads(today)
    piece.hours = Decimal(5)
    piece.save()
    assert earned._concerned_since(before, earned._heads(today)) == {author}
    before = earned._heads(today)
    Member.objects.filter(pk=other).update(email_verified_at=timezone.now())
    assert earned._concerned_since(before, earned._heads(today)) == {other}
    before = earned._heads(today)
    Member.objects.filter(pk=other).update(email_verified_at=None)
    assert earned._concerned_since(before, earned._heads(today)) is None  # unverified: all


def test_the_workers_sweep_keeps_the_known_levels(make_member: Any, counted: list[int]) -> None:
    from commonshare import worker

    members = [make_member(f"Member {n}").pk for n in range(3)]
    done = worker.run_periodic_jobs()
    assert done["bring the community's known trust levels up to date"] == len(members)
    assert counted == [len(members)]
    earned.earned_levels_of(members)  # a draw now finds them known
    assert counted == [len(members)]


def test_a_members_kept_record_is_read_again_only_when_a_change_concerns_them(
    make_member: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache.clear()
    author, reviewer, other = (make_member(f"Member {n}") for n in range(3))
    piece = contribution(author.pk, 3)
    elsewhere = contribution(other.pk, 2)
    now = timezone.now()
    for made, minutes in ((piece, 20), (elsewhere, 5)):  # older than the slack apart
        Contribution.objects.filter(pk=made.pk).update(
            updated_at=now - dt.timedelta(minutes=minutes)
        )
    read: list[int] = []
    real = earned.records_of

    def records_of(ids: Any, **given: Any) -> Any:
        read.append(len(list(ids)))
        return real(ids, **given)

    first, _ = earned.standing_of(author)
    monkeypatch.setattr(earned, "records_of", records_of)
    Review.objects.create(contribution=elsewhere, reviewer_id=reviewer.pk, rating=3)
    assert earned.standing_of(author)[0] == first
    assert read == []  # kept: the review concerned others
    Review.objects.create(contribution=piece, reviewer_id=reviewer.pk, rating=5)
    again, _ = earned.standing_of(author)
    assert read == [1]
    assert (again.reviewed_contributions, again.average_rating) == (1, Decimal(5))
    assert again == real([author.pk], on=timezone.localdate(), policy=_policy())[author.pk]


def _policy() -> Any:
    from commonshare.governance.selectors import current_policy

    return current_policy()
