"""The generated community (``commonshare demo --size medium|large``), built small.

One community, built once for the module at a hundredth of ``large`` over 12 months:
its counts, its journal and records verify, trust levels 0 to 4 come out of it, the
pages render on it, and the distribution engine agrees with every distribution written.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from decimal import Decimal

import pytest
from django.db import transaction

from commonshare import demo_large
from commonshare.audit.models import AuditEvent
from commonshare.books import distribution as engine
from commonshare.books import journal_verify, records
from commonshare.books.models import Distribution, Income, JournalEntry, Payout
from commonshare.community.models import Member
from commonshare.core.valuation import allocate
from commonshare.valuation_io import request_from_json
from commonshare.work import trust
from commonshare.work.models import Contribution, Review, ReviewAssignment, Task

SIZE = dataclasses.replace(demo_large.SIZES["large"].scaled(0.01), months=12)


@pytest.fixture(scope="module")
def community(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    """Built once in an outer transaction (marked as a test case's, as Django's TestCase
    does for its class data, so that actions may run inside it), rolled back at the end:
    no other test sees the community."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer._from_testcase = True  # type: ignore[attr-defined]
        outer.__enter__()
        try:
            yield demo_large.generate(SIZE, progress=False)
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


pytestmark = pytest.mark.django_db


def test_the_counts_are_the_ones_asked(community: dict[str, int]) -> None:
    assert Member.objects.count() == SIZE.members == community["members"]
    assert Task.objects.count() == SIZE.tasks
    assert Task.objects.filter(parent__isnull=False).count() == SIZE.tasks - SIZE.tasks // 10
    assert Contribution.objects.count() == SIZE.contributions
    assert JournalEntry.objects.count() == SIZE.entries == community["journal entries"]
    assert Distribution.objects.filter(status=Distribution.Status.POSTED).count() == SIZE.months
    assert Income.objects.count() == SIZE.entries - SIZE.months
    # five reviewers drawn for each; the last days' work is still partly unreviewed
    drawn = ReviewAssignment.objects.count()
    assert Review.objects.count() == community["reviews"] <= drawn <= 5 * SIZE.contributions
    assert Review.objects.count() > 0.9 * drawn


def test_the_journal_and_its_records_verify(community: dict[str, int]) -> None:
    report = journal_verify.verify()
    assert report.ok, report.problem
    assert report.checked == SIZE.entries
    assert records.problems() == []


def test_one_audit_event_names_what_was_generated(community: dict[str, int]) -> None:
    events = list(AuditEvent.objects.filter(code="sample.community.generated"))
    assert len(events) == 1
    assert events[0].data["counts"]["contributions"] == SIZE.contributions
    assert events[0].data["head_seq"] == SIZE.entries


def test_reviewers_were_drawn_by_the_published_seed(community: dict[str, int]) -> None:
    from commonshare.core.draw import draw_reviewers

    for contribution in Contribution.objects.order_by("pk")[:50]:
        drawn = [
            str(pk)
            for pk in contribution.assignments.order_by("rank").values_list(
                "reviewer_id", flat=True
            )
        ]
        again = draw_reviewers(
            contribution.review_seed,
            str(contribution.pk),
            str(contribution.author_id),
            map(str, contribution.review_pool),
            5,
        )
        assert drawn == again
        assert contribution.author_id not in contribution.review_pool


def test_trust_levels_zero_to_four_come_out(community: dict[str, int]) -> None:
    levels = Counter(trust.levels_of(Member.objects.values_list("pk", flat=True)).values())
    assert set(levels) == {0, 1, 2, 3, 4}, levels


def test_no_two_members_share_a_name_and_each_has_its_keys(community: dict[str, int]) -> None:
    """The generated names obey the one display-name rule a member choosing a name meets."""
    from commonshare.core.names import keys

    rows = list(Member.objects.values_list("display_name", "name_fold", "name_look", "name_shape"))
    assert all(tuple(row[1:]) == keys(row[0]) for row in rows)
    assert len({row[1] for row in rows}) == len(rows)


def test_the_engine_agrees_with_every_distribution(community: dict[str, int]) -> None:
    for distribution in Distribution.objects.order_by("period_start"):
        request = request_from_json(distribution.request)
        result = allocate(request)
        paid = {
            str(p.member_id): p.amount_minor
            for p in Payout.objects.filter(distribution=distribution)
        }
        assert {
            line.member: int(line.amount * 100) for line in result.payouts if line.amount > 0
        } == paid
        assert sum(paid.values()) + distribution.remainder_minor == distribution.amount_minor
        assert distribution.result["payouts"] == result.to_json()["payouts"]


def test_the_frozen_requests_are_what_the_engine_would_build(community: dict[str, int]) -> None:
    """Every review counts (no work by a member at level 0 on the period's end), and the
    frozen request holds exactly the period's contributions and reviews."""
    for distribution in Distribution.objects.order_by("period_start")[:: max(1, SIZE.months // 4)]:
        period = Contribution.objects.filter(
            created_at__date__gte=distribution.period_start,
            created_at__date__lte=distribution.period_end,
        )
        contributions = list(period.order_by("pk").values("pk", "author_id"))
        reviews = list(
            Review.objects.filter(contribution__in=period)
            .order_by("pk")
            .values("reviewer_id", "contribution_id", "rating")
        )
        counted = engine._counted_reviews(contributions, reviews, on=distribution.period_end)
        assert counted == reviews
        frozen = distribution.request
        assert [c["id"] for c in frozen["contributions"]] == [str(c["pk"]) for c in contributions]
        assert [(r["reviewer"], r["contribution"], r["rating"]) for r in frozen["reviews"]] == [
            (str(r["reviewer_id"]), str(r["contribution_id"]), r["rating"]) for r in reviews
        ]
        assert Decimal(frozen["amount"]) * 100 == distribution.amount_minor


@pytest.mark.parametrize(
    "path",
    ["/", "/tasks/", "/contributions/", "/members/", "/books/", "/books/entries/", "/decisions/"],
)
def test_the_pages_render(community: dict[str, int], client, path: str) -> None:  # type: ignore[no-untyped-def]
    response = client.get(path)
    assert response.status_code == 200


def test_a_distribution_page_and_a_member_page_render(community: dict[str, int], client) -> None:  # type: ignore[no-untyped-def]
    newest = Distribution.objects.order_by("-period_end").first()
    assert client.get(f"/books/distributions/{newest.pk}/").status_code == 200
    founder = Member.objects.order_by("joined_at", "pk").first()
    page = client.get(f"/members/{founder.pk}/")
    assert page.status_code == 200
    assert founder.display_name in page.content.decode()


def test_members_sign_in_with_the_demo_password(community: dict[str, int], settings) -> None:  # type: ignore[no-untyped-def]
    from commonshare.demo import DEMO_PASSWORD

    # the site's own hashers (the tests' fast one knows no PBKDF2 hash)
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.Argon2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]
    founder = Member.objects.order_by("joined_at", "pk").first()
    assert founder.check_password(DEMO_PASSWORD)
    assert not founder.check_password("another-password")
