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
        assert len(response.json()["items"]) > 1  # a full page, not an empty list
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
    _same_cost_at_3n(people, lambda: client.get(url), 16, django_assert_max_num_queries)
