"""Trust levels kept off the write path: each member's record is kept and read again only
when a change concerns them (so a power check of a busy member sums nothing), and the
review draw may read the community's known levels up to ``earned.DRAW_LAG`` behind the
latest reviews, which the worker brings up to date right after each one."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pytest
from django.core.cache import cache
from django.utils import timezone
from tests.trust_steps import contribution, review_at_random

from commonshare.community.models import Member
from commonshare.core.trust import assess
from commonshare.governance.selectors import current_policy
from commonshare.work import earned, level_services
from commonshare.work.models import Contribution, Review

pytestmark = pytest.mark.django_db


def _verified(ids: list[int]) -> None:
    """Level 1 needs a verified address: these members verified theirs long ago."""
    long_ago = timezone.now() - dt.timedelta(days=300)
    Member.objects.filter(pk__in=ids).update(email_verified_at=long_ago)


def _afresh(pk: int) -> int:
    """The member's level computed from nothing kept."""
    policy, today = current_policy(), timezone.localdate()
    record = earned.records_of([pk], on=today, policy=policy)[pk]
    return assess(record, policy.trust, today=today, period=policy.period).level


@pytest.mark.parametrize("seed", [3, 4])
def test_a_members_kept_record_always_gives_the_level_computed_afresh(
    seed: int, make_member: Any
) -> None:
    cache.clear()
    rng = random.Random(seed)
    members = [make_member(f"Member {n}", level=None).pk for n in range(5)]
    _verified(members)
    work: list[Contribution] = []
    for step in range(40):
        if rng.random() < 0.3 or not work:
            work.append(contribution(rng.choice(members), rng.randint(1, 30)))
        else:
            review_at_random(rng, work, members)
        for pk in rng.sample(members, 2):  # one at a time: each from their kept record
            assert earned.earned_levels_of([pk]) == {pk: _afresh(pk)}, (seed, step)
    assert any(_afresh(pk) > 0 for pk in members)


@pytest.fixture
def community(make_member: Any, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Four members whose levels the known levels answer for (more than ``MANY``), known
    as they stand now; Ada's one piece of work is not reviewed yet."""
    monkeypatch.setattr(earned, "MANY", 2)
    cache.clear()
    ada, *others = (make_member(f"Member {n}", level=None) for n in range(4))
    ids = [ada.pk, *(m.pk for m in others)]
    _verified(ids)
    piece = contribution(ada.pk, 20)
    Contribution.objects.filter(pk=piece.pk).update(
        updated_at=timezone.now() - dt.timedelta(minutes=10)
    )
    earned.community_levels(timezone.localdate())
    return {"ada": ada, "others": others, "ids": ids, "piece": piece}


def _reviewed(community: dict[str, Any]) -> None:
    for reviewer in community["others"][:2]:
        Review.objects.create(contribution=community["piece"], reviewer=reviewer, rating=5)


def test_the_draw_reads_the_known_levels_as_they_stand_while_they_are_recent(
    community: dict[str, Any],
) -> None:
    ids, ada = community["ids"], community["ada"]
    before = earned.earned_levels_of(ids)
    _reviewed(community)
    assert _afresh(ada.pk) != before[ada.pk]  # the reviews moved her level
    assert earned.earned_levels_of(ids, may_lag=True) == before  # no recomputation in a write
    # every other reader is brought up to date at once
    assert earned.earned_levels_of(ids)[ada.pk] == _afresh(ada.pk)


def test_the_draw_catches_up_itself_once_the_known_levels_are_older_than_the_lag(
    community: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    ids, ada = community["ids"], community["ada"]
    _reviewed(community)
    later = timezone.now() + earned.DRAW_LAG + dt.timedelta(seconds=1)
    monkeypatch.setattr(earned.timezone, "now", lambda: later)
    assert earned.earned_levels_of(ids, may_lag=True)[ada.pk] == _afresh(ada.pk)


def test_a_new_day_is_never_lagged_behind(community: dict[str, Any]) -> None:
    ids, ada = community["ids"], community["ada"]
    _reviewed(community)
    assert _afresh(ada.pk) > 0
    kept = cache.get(earned.KNOWN_LEVELS_KEY)
    yesterday = kept.heads.__class__(**{**kept.heads.__dict__, "day": kept.heads.day.replace(
        year=kept.heads.day.year - 1)})  # fmt: skip
    cache.set(earned.KNOWN_LEVELS_KEY, earned._Known(yesterday, {}, timezone.now()))
    assert earned.earned_levels_of(ids, may_lag=True)[ada.pk] == _afresh(ada.pk)


def test_the_worker_brings_the_known_levels_up_to_date_after_a_review(
    community: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    ids, ada = community["ids"], community["ada"]
    _reviewed(community)
    assert earned.earned_levels_of(ids, may_lag=True)[ada.pk] != _afresh(ada.pk)
    with django_capture_on_commit_callbacks(execute=True):
        # what levels_after queues for the review's author and reviewers
        level_services.record_levels_of.call([ada.pk, *(m.pk for m in community["others"])])
    assert earned.earned_levels_of(ids, may_lag=True)[ada.pk] == _afresh(ada.pk)


def test_several_members_levels_come_from_known_levels_that_are_up_to_date(
    community: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    ada, others = community["ada"], community["others"]
    _reviewed(community)
    earned.refresh_known_levels()  # as the worker's task does after a review
    asked = [ada.pk, others[0].pk, 10**9]
    expected = {ada.pk: _afresh(ada.pk), others[0].pk: _afresh(others[0].pk), 10**9: 0}
    summed: list[list[int]] = []
    real = earned.records_of

    def records_of(ids: Any, **given: Any) -> Any:
        summed.append(sorted(ids))
        return real(ids, **given)

    monkeypatch.setattr(earned, "records_of", records_of)
    monkeypatch.setattr(earned, "MANY", 500)  # a few members, as the worker's task asks
    assert earned.earned_levels_of(asked) == expected
    assert summed == []  # nobody's record summed again
    Review.objects.create(contribution=contribution(ada.pk, 2), reviewer=others[2], rating=1)
    assert earned.earned_levels_of(asked)[ada.pk] == _afresh(ada.pk)
    assert summed  # not up to date any more: computed
