"""Every list page and list endpoint costs the same number of queries at any size.

Each test builds a community with N of everything, counts the queries of the page,
builds 2N more (3N in all), and counts again: the count must not move and must stay
within the page's fixed budget. N is past the page size, so a page that loaded the
whole list, or looked something up per row, would show it.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from commonshare import paging
from commonshare.books.models import (
    Distribution,
    ExpenseDecision,
    Income,
    Payout,
    ReversalRequest,
)
from commonshare.community.models import ApiToken, Member
from commonshare.decisions.models import Proposal
from commonshare.paging import DEFAULT_SIZE
from commonshare.work.models import Contribution, Review, ReviewAssignment, Task

N = DEFAULT_SIZE + 10
_serial = itertools.count(1)


def grow(n: int, *, reviewer: Member, payee: Member) -> None:
    """Add ``n`` of every listed thing, in bulk (the services are not what is measured)."""
    start = next(_serial) * 10_000
    members = Member.objects.bulk_create(
        Member(email=f"m{start + i}@example.org", display_name=f"Member {start + i}")
        for i in range(n)
    )
    roots = Task.objects.bulk_create(
        Task(title=f"Task {start + i}", estimate_hours=Decimal(2), created_by=members[i])
        for i in range(n)
    )
    Task.objects.bulk_create(
        Task(title=f"Sub {start + i}", estimate_hours=1, created_by=members[i], parent=roots[i])
        for i in range(n)
    )
    work = Contribution.objects.bulk_create(
        Contribution(author=members[i], kind="work", summary=f"Work {i}", hours=Decimal(1))
        for i in range(n)
    )
    claims = Contribution.objects.bulk_create(
        Contribution(
            author=members[i],
            kind="expense",
            summary=f"Spent {i}",
            amount_minor=1000 + i,
            currency="EUR",
            approvers=[reviewer.pk, members[(i + 1) % n].pk],
        )
        for i in range(n)
    )
    ExpenseDecision.objects.bulk_create(
        ExpenseDecision(contribution=c, member=reviewer, verdict="approve") for c in claims
    )
    Review.objects.bulk_create(
        Review(contribution=c, reviewer=members[(i + 1) % n], rating=4, comment="Good")
        for i, c in enumerate(work)
    )
    ReviewAssignment.objects.bulk_create(
        ReviewAssignment(contribution=c, reviewer=reviewer, rank=0) for c in work
    )
    Income.objects.bulk_create(
        Income(
            amount_minor=500 + i,
            currency="EUR",
            payer=f"Payer {i}",
            description="Support",
            received_on=dt.date(2026, 1, 1) + dt.timedelta(days=i % 300),
            recorded_by=members[i],
        )
        for i in range(n)
    )
    first = dt.date(1900, 1, 1) + dt.timedelta(days=start)
    distributions = Distribution.objects.bulk_create(
        Distribution(
            period_start=first + dt.timedelta(days=i),
            period_end=first + dt.timedelta(days=i),
            currency="EUR",
            amount_minor=100,
            method="mean",
            seed="s",
            policy={},
            request={},
            result={},
            created_by=members[i],
        )
        for i in range(n)
    )
    Payout.objects.bulk_create(
        Payout(distribution=d, member=payee, amount_minor=10, share=Decimal("0.1"), explanation={})
        for d in distributions
    )
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    base = Proposal.objects.count()
    Proposal.objects.bulk_create(
        Proposal(
            number=base + i + 1,
            title=f"Proposal {i}",
            proposer=members[i],
            kind="policy",
            method="majority",
            terms="{}",
            eligibility=1,
            opens_at=now,
            closes_at=now + dt.timedelta(days=7),
        )
        for i in range(n)
    )
    ReversalRequest.objects.bulk_create(
        ReversalRequest(seq=start + i, reason="Typo", requested_by=members[i]) for i in range(n)
    )
    ApiToken.objects.bulk_create(
        ApiToken(member=reviewer, name=f"t{start + i}", digest=f"{start + i:064x}", prefix="x")
        for i in range(n)
    )


def _count(call: Callable[[], Any]) -> int:
    with CaptureQueriesContext(connection) as seen:
        response = call()
    assert response.status_code == 200, response.content[:500]
    if response["Content-Type"].startswith("application/json"):
        body = response.json()
        if "items" in body:  # a list endpoint: a full page, not an empty list
            assert len(body["items"]) > 1
    return len(seen.captured_queries)


@pytest.fixture
def people(make_member: Callable[..., Any]) -> tuple[Member, Member]:
    return make_member("Rita Reviewer"), make_member("Paula Payee")


def _same_cost_at_3n(
    people: tuple[Member, Member], get: Callable[[], Any], budget: int, assert_max: Any
) -> None:
    reviewer, payee = people
    grow(N, reviewer=reviewer, payee=payee)
    get()  # warm what is cached once per process (the policy, content types)
    small = _count(get)
    grow(2 * N, reviewer=reviewer, payee=payee)
    get()  # and what is kept until the data changes (a member's trust record of the day)
    large = _count(get)
    assert large == small, f"{small} queries at N, {large} at 3N"
    with assert_max(budget):
        get()


PAGES = {
    "/tasks/": 4,
    "/tasks/?status=open": 4,
    "/contributions/": 2,
    "/members/": 2,
    "/books/income/": 4,
    "/books/distributions/": 4,
    "/books/expenses/": 5,
    "/books/expenses/?status=pending": 5,
    "/decisions/": 2,
}


@pytest.mark.parametrize(("url", "budget"), PAGES.items())
def test_list_pages_cost_the_same_at_any_size(
    people: tuple[Member, Member],
    client: Client,
    url: str,
    budget: int,
    django_assert_max_num_queries: Any,
) -> None:
    _same_cost_at_3n(people, lambda: client.get(url), budget, django_assert_max_num_queries)


def test_reviews_to_do_cost_the_same_at_any_size(
    people: tuple[Member, Member], client: Client, django_assert_max_num_queries: Any
) -> None:
    client.force_login(people[0])
    get = lambda: client.get("/reviews/")  # noqa: E731
    # 6: the header's bell counts the unread notifications (one query on every signed-in page)
    _same_cost_at_3n(people, get, 6, django_assert_max_num_queries)


ENDPOINTS = {
    "/api/tasks": 1,
    "/api/tasks?status=open": 1,
    "/api/contributions": 1,
    "/api/members": 1,
    "/api/income": 1,
    "/api/distributions": 1,
    "/api/expenses": 4,
    "/api/expenses?status=pending": 4,
    "/api/decisions": 1,
    "/api/reversals": 1,
}


@pytest.mark.parametrize(("url", "budget"), ENDPOINTS.items())
def test_list_endpoints_cost_the_same_at_any_size(
    people: tuple[Member, Member],
    client: Client,
    url: str,
    budget: int,
    django_assert_max_num_queries: Any,
) -> None:
    _same_cost_at_3n(people, lambda: client.get(url), budget, django_assert_max_num_queries)


def test_member_endpoints_cost_the_same_at_any_size(
    people: tuple[Member, Member],
    client: Client,
    django_assert_max_num_queries: Any,
) -> None:
    from commonshare.community import services

    reviewer, payee = people
    _, raw = services.create_token(reviewer, name="budget")
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    for url, budget in {
        f"/api/members/{payee.pk}/payouts": 2,
        "/api/reviews/todo": 3,
        "/api/tokens": 3,
    }.items():
        _same_cost_at_3n(
            people,
            lambda url=url: client.get(url, **bearer),
            budget,
            django_assert_max_num_queries,
        )


def test_a_members_page_costs_the_same_at_any_size(
    people: tuple[Member, Member], client: Client, django_assert_max_num_queries: Any
) -> None:
    """A member's own lists: the newest page of their contributions, their payouts."""
    _, payee = people
    Contribution.objects.bulk_create(
        Contribution(author=payee, kind="work", summary=f"Mine {i}", hours=1) for i in range(N)
    )
    url = f"/members/{payee.pk}/"
    # 16, and the profile's four: its counts (one query), its thanks, the links' rule, and
    # the newest page of its trust level history.
    _same_cost_at_3n(people, lambda: client.get(url), 20, django_assert_max_num_queries)


# --- activity feeds: one query for the events, one per kind of record they name -------------


def grow_activity(n: int, *, task: Task, proposal: Proposal) -> None:
    """``n`` events of each kind a feed shows: on the task, its contributions and thread,
    the proposal, and members joining (each its own actor, so names are read in bulk)."""
    from commonshare.audit.models import AuditEvent

    start = next(_serial) * 10_000
    members = Member.objects.bulk_create(
        Member(email=f"a{start + i}@example.org", display_name=f"Actor {start + i}")
        for i in range(n)
    )
    work = Contribution.objects.bulk_create(
        Contribution(author=m, kind="work", summary="On it", hours=1, task=task) for m in members
    )
    events = []
    for member, contribution in zip(members, work, strict=True):
        events += [
            # What the task's creator does, of two kinds, so their own feed mixes records.
            AuditEvent(
                code="community.member.updated",
                actor=task.created_by,
                target_type="community.member",
                target_id=str(task.created_by_id),
            ),
            AuditEvent(
                code="community.member.joined",
                actor=member,
                target_type="community.member",
                target_id=str(member.pk),
            ),
            AuditEvent(
                code="work.task.claimed",
                actor=member,
                target_type="work.task",
                target_id=str(task.pk),
            ),
            AuditEvent(
                code="work.contribution.logged",
                actor=member,
                target_type="work.contribution",
                target_id=str(contribution.pk),
            ),
            AuditEvent(
                code="discussion.comment.posted",
                actor=member,
                target_type="discussion.comment",
                target_id="1",
                data={"subject": f"task-{task.pk}"},
            ),
            AuditEvent(
                code="decisions.ballot.cast",
                actor=member,
                target_type="decisions.proposal",
                target_id=str(proposal.pk),
                data={"number": proposal.number},
            ),
            AuditEvent(
                code="decisions.proposal.made",
                actor=task.created_by,
                target_type="decisions.proposal",
                target_id=str(proposal.pk),
                data={"number": proposal.number},
            ),
        ]
    AuditEvent.objects.bulk_create(events)


# The events (with their actors) in one query, then one per kind of record the page's
# sentences name (tasks, contributions, members), plus the page's own (the purpose in the
# header, the member or task or decision the feed is of).
ACTIVITY = {
    "/activity/": 5,
    "/members/{member}/activity/": 4,
    "/tasks/{task}/activity/": 5,
    "/decisions/{number}/activity/": 3,
    "/activity/feed/": 4,
    "/members/{member}/activity/feed/": 3,
    "/decisions/feed/": 1,
    "/books/entries/feed/": 3,
    "/api/activity": 4,
    "/api/activity?member={member}": 3,
    "/api/activity?subject=task-{task}": 4,
    "/api/activity?subject=proposal-{number}": 2,
}


@pytest.mark.parametrize(("url", "budget"), ACTIVITY.items())
def test_activity_feeds_cost_the_same_at_any_size(
    people: tuple[Member, Member],
    client: Client,
    url: str,
    budget: int,
    django_assert_max_num_queries: Any,
) -> None:
    reviewer, payee = people
    task = Task.objects.create(title="Busy task", estimate_hours=1, created_by=reviewer)
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    proposal = Proposal.objects.create(
        number=Proposal.objects.count() + 1,
        title="Busy decision",
        proposer=reviewer,
        kind="policy",
        method="majority",
        terms="{}",
        eligibility=1,
        opens_at=now,
        closes_at=now + dt.timedelta(days=7),
    )
    address = url.format(member=reviewer.pk, task=task.pk, number=proposal.number)

    def grow_both(n: int) -> None:
        grow(n, reviewer=reviewer, payee=payee)
        grow_activity(n, task=task, proposal=proposal)

    def get() -> Any:
        return client.get(address)

    grow_both(N)
    get()
    small = _count(get)
    grow_both(2 * N)
    large = _count(get)
    assert large == small, f"{small} queries at N, {large} at 3N"
    with django_assert_max_num_queries(budget):
        get()


# --- the lists on a record's page, the discussion and "waiting for you" ---------------------


def _same_cost_as_it_grows(
    grow_by: Callable[[int], None], get: Callable[[], Any], budget: int, assert_max: Any
) -> None:
    """Like ``_same_cost_at_3n`` for a list that ``grow_by(n)`` lengthens by ``n``."""
    grow_by(N)
    get()
    small = _count(get)
    grow_by(2 * N)
    large = _count(get)
    assert large == small, f"{small} queries at N, {large} at 3N"
    with assert_max(budget):
        get()


def test_a_tasks_page_and_its_lists_cost_the_same_at_any_size(
    people: tuple[Member, Member], client: Client, django_assert_max_num_queries: Any
) -> None:
    from commonshare.discussion.models import Comment
    from commonshare.discussion.services import post_comment

    reviewer, payee = people
    parent = Task.objects.create(title="Parent", estimate_hours=Decimal(9), created_by=reviewer)
    thread = post_comment(reviewer, f"task-{parent.pk}", "First").comment.thread

    def grow_by(n: int) -> None:
        subs = Task.objects.bulk_create(
            Task(title=f"Sub {i}", estimate_hours=1, created_by=payee, parent=parent)
            for i in range(n)
        )
        Task.objects.bulk_create(  # subtasks of subtasks: not on the parent's page
            Task(title=f"Deeper {i}", estimate_hours=1, created_by=payee, parent=sub)
            for i, sub in enumerate(subs)
        )
        work = Contribution.objects.bulk_create(
            Contribution(author=payee, task=parent, kind="work", summary=f"W {i}", hours=1)
            for i in range(n)
        )
        Review.objects.bulk_create(
            Review(contribution=c, reviewer=reviewer, rating=3, comment="ok") for c in work
        )
        tops = Comment.objects.bulk_create(
            Comment(thread=thread, author=payee, body=f"Comment {i}") for i in range(n)
        )
        Comment.objects.bulk_create(
            Comment(thread=thread, author=reviewer, parent=c, body="Reply") for c in tops
        )

    url = f"/tasks/{parent.pk}/"
    _same_cost_as_it_grows(grow_by, lambda: client.get(url), 8, django_assert_max_num_queries)
    for name in ("subtasks", "contributions"):
        cursor = paging.page(
            Task.objects.filter(parent=parent).order_by("created_at", "id")
            if name == "subtasks"
            else Contribution.objects.filter(task=parent).order_by("-created_at", "-id"),
            size=20,
        ).next_cursor
        with django_assert_max_num_queries(8):  # a later page costs what the first does
            assert client.get(f"{url}?{name}={cursor}").status_code == 200
    for endpoint in (f"/api/tasks/{parent.pk}/subtasks", f"/api/tasks/{parent.pk}/contributions"):
        _same_cost_as_it_grows(
            grow_by, lambda e=endpoint: client.get(e), 2, django_assert_max_num_queries
        )
    _same_cost_as_it_grows(
        grow_by, lambda: client.get(f"/api/tasks/{parent.pk}"), 2, django_assert_max_num_queries
    )
    _same_cost_as_it_grows(
        grow_by,
        lambda: client.get(f"/api/discussion/threads/task-{parent.pk}"),
        4,
        django_assert_max_num_queries,
    )


def test_the_forum_costs_the_same_at_any_size(
    people: tuple[Member, Member], client: Client, django_assert_max_num_queries: Any
) -> None:
    from commonshare.discussion.models import Thread

    reviewer, _ = people

    def grow_by(n: int) -> None:
        start = next(_serial) * 10_000
        Thread.objects.bulk_create(
            Thread(title=f"Topic {start + i}", started_by=reviewer, comment_count=1)
            for i in range(n)
        )

    _same_cost_as_it_grows(
        grow_by, lambda: client.get("/commons/"), 2, django_assert_max_num_queries
    )
    _same_cost_as_it_grows(
        grow_by, lambda: client.get("/api/discussion/topics"), 1, django_assert_max_num_queries
    )


def test_a_members_account_and_withdrawals_cost_the_same_at_any_size(
    people: tuple[Member, Member], client: Client, django_assert_max_num_queries: Any
) -> None:
    from django.utils import timezone

    from commonshare.books import journal
    from commonshare.books.models import Withdrawal
    from commonshare.core.ledger import RESERVE, EntryDraft, Posting, payable_account

    reviewer, payee = people
    account = payable_account(payee.pk)
    journal.open_accounts([account, RESERVE], on=timezone.localdate())

    def grow_by(n: int) -> None:
        journal.post_many(
            EntryDraft(
                date=timezone.localdate(),
                description=f"Owed {i}",
                postings=(Posting(account, "EUR", -10), Posting(RESERVE, "EUR", 10)),
                source=f"test:{i}",
                actor=None,
                service="test.owed",
            )
            for i in range(n)
        )
        Withdrawal.objects.bulk_create(
            Withdrawal(
                member=payee, amount_minor=1, currency="EUR", reference="T", recorded_by=reviewer
            )
            for _ in range(n)
        )

    for url, budget in {
        # with money owed: its currencies and sums too (and the level history's page)
        f"/members/{payee.pk}/": 21,
        f"/api/members/{payee.pk}/history": 2,
        f"/api/members/{payee.pk}/withdrawals": 2,
        f"/api/members/{payee.pk}/balance": 5,
    }.items():
        _same_cost_as_it_grows(
            grow_by, lambda url=url: client.get(url), budget, django_assert_max_num_queries
        )


def test_waiting_for_you_costs_the_same_at_any_size(
    people: tuple[Member, Member], client: Client, django_assert_max_num_queries: Any
) -> None:
    """Every list of the page grows, with as many items that are not the member's to move."""
    from django.utils import timezone

    from commonshare.books.models import Withdrawal
    from commonshare.community import services

    reviewer, payee = people

    def grow_by(n: int) -> None:
        start = next(_serial) * 10_000
        Income.objects.bulk_create(
            Income(
                amount_minor=5,
                currency="EUR",
                payer="P",
                description="Gift",
                received_on=dt.date(2026, 1, 1),
                recorded_by=reviewer if i % 2 else payee,
                status="pending",
            )
            for i in range(n)
        )
        for status in ("pending", "disputed"):
            Withdrawal.objects.bulk_create(
                Withdrawal(
                    member=payee if i % 2 else reviewer,
                    amount_minor=1,
                    currency="EUR",
                    reference="T",
                    recorded_by=reviewer if i % 2 else payee,
                    status=status,
                    answered_at=timezone.now(),
                )
                for i in range(n)
            )
        ReversalRequest.objects.bulk_create(
            ReversalRequest(seq=start + i, reason="Typo", requested_by=reviewer) for i in range(n)
        )
        claims = Contribution.objects.bulk_create(
            Contribution(
                author=reviewer,
                kind="expense",
                summary=f"Spent {i}",
                amount_minor=1000 + i,
                currency="EUR",
                approvers=[payee.pk, reviewer.pk] if i % 2 else [reviewer.pk],
            )
            for i in range(n)
        )
        ExpenseDecision.objects.bulk_create(  # decided: no longer waiting for them
            ExpenseDecision(contribution=c, member=payee, verdict="approve") for c in claims[1::4]
        )

    client.force_login(payee)
    # One query of each budget reads the distributions in their challenge window (none
    # here); the page's has one more, the bell's unread count in the header.
    _same_cost_as_it_grows(
        grow_by, lambda: client.get("/books/waiting/"), 16, django_assert_max_num_queries
    )
    _, raw = services.create_token(payee, name="budget")
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    _same_cost_as_it_grows(
        grow_by,
        lambda: client.get("/api/books/waiting", **bearer),
        13,
        django_assert_max_num_queries,
    )
