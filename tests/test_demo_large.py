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


def test_threads_and_replies_are_whole(community: dict[str, int]) -> None:
    """A sixth of the tasks have a thread, and the forum has topics; each thread counts its
    comments and was last posted to by its newest; replies are one level deep."""
    from django.db.models import Count, F, Max

    from commonshare.discussion.models import Comment, Thread

    on_tasks = Thread.objects.filter(subject_type="work.task")
    assert SIZE.tasks / 12 < on_tasks.count() < SIZE.tasks / 3
    assert Thread.objects.filter(subject_type="").count() == SIZE.members // 25
    assert community["comments"] == Comment.objects.count() > 2 * Thread.objects.count()
    for thread in Thread.objects.annotate(n=Count("comments"), last=Max("comments__created_at")):
        assert (thread.comment_count, thread.last_posted_at) == (thread.n, thread.last)
        if thread.subject_type:
            assert thread.written == f"task-{thread.subject_id}"
            assert Task.objects.filter(pk=thread.subject_id).exists()
    replies = Comment.objects.filter(parent__isnull=False)
    assert replies.exists()
    assert not replies.filter(parent__parent__isnull=False).exists()
    assert not replies.exclude(thread=F("parent__thread")).exists()


def test_notifications_stand_for_replies_and_draws_and_none_is_mailed(
    community: dict[str, int],
) -> None:
    from commonshare.notifications import vocab
    from commonshare.notifications.models import Mail, Notification

    made = Notification.objects.all()
    assert made.count() == community["notifications"] > 0
    assert set(made.values_list("kind", flat=True)) == {vocab.REPLY, vocab.REVIEW_DRAWN}
    assert set(made.values_list("delivery", flat=True)) == {vocab.Delivery.OFF}
    assert not Mail.objects.exists()
    assert made.filter(read_at__isnull=True).exists()
    assert made.filter(read_at__isnull=False).exists()
    for notice in made.filter(kind=vocab.REVIEW_DRAWN)[:20]:
        contribution = int(notice.link.strip("/").split("/")[-1])
        assert ReviewAssignment.objects.filter(
            contribution_id=contribution, reviewer_id=notice.recipient_id
        ).exists()


def test_the_search_index_is_rebuilt_after_the_generation(community: dict[str, int]) -> None:
    """The rebuild runs after the event's commit; here, in the rolled-back module
    transaction, it is called as the subscriber would call it."""
    from commonshare import search
    from commonshare.search import indexing

    event = AuditEvent.objects.get(code="sample.community.generated")
    indexing.on_event(event)
    found = search.search("notes wiki").items
    assert found
    assert {hit.kind for hit in found} == {"comment"}


def test_the_conversation_pages_render(community: dict[str, int], client) -> None:  # type: ignore[no-untyped-def]
    from commonshare.discussion.models import Thread
    from commonshare.notifications.models import Notification

    topic = Thread.objects.filter(subject_type="").first()
    on_task = Thread.objects.filter(subject_type="work.task").first()
    assert client.get("/commons/").status_code == 200
    page = client.get(f"/commons/{topic.pk}/")
    assert page.status_code == 200
    assert topic.title in page.content.decode()
    assert client.get(f"/tasks/{on_task.subject_id}/").status_code == 200
    notified = Notification.objects.filter(read_at__isnull=True).first()
    client.force_login(Member.objects.get(pk=notified.recipient_id))
    page = client.get("/notifications/")
    assert page.status_code == 200
    assert notified.sentence in page.content.decode()


def test_the_planner_knows_the_tables_sizes_after_a_generation(community: dict[str, int]) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT stat FROM sqlite_stat1 WHERE tbl = 'work_reviewassignment'")
            rows = [int(str(stat).split()[0]) for (stat,) in cursor.fetchall()]
        else:
            cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'work_reviewassignment'")
            rows = [int(tuples) for (tuples,) in cursor.fetchall()]
    assert rows and max(rows) >= 0.5 * ReviewAssignment.objects.count()
