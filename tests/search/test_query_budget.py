"""The search page and endpoint cost the same number of queries however much matches."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from commonshare.community.models import Member
from commonshare.search import indexing, vocab
from commonshare.work.models import Task

pytestmark = pytest.mark.django_db

N = vocab.PAGE_SIZE + 10
_serial = itertools.count(1)


def grow(n: int) -> None:
    """``n`` more members and tasks that match, in bulk, then the index rebuilt."""
    start = next(_serial) * 10_000
    members = Member.objects.bulk_create(
        Member(email=f"m{start + i}@example.org", display_name=f"Otter {start + i}")
        for i in range(n)
    )
    Task.objects.bulk_create(
        Task(title=f"Count the otters {start + i}", estimate_hours=Decimal(1), created_by=m)
        for i, m in enumerate(members)
    )
    indexing.rebuild()


def _count(call: Callable[[], Any]) -> int:
    with CaptureQueriesContext(connection) as seen:
        response = call()
    assert response.status_code == 200, response.content[:500]
    return len(seen.captured_queries)


@pytest.mark.parametrize(("url", "budget"), [("/search/?q=otter", 3), ("/api/search?q=otter", 2)])
def test_search_costs_the_same_at_any_size(
    client: Client, url: str, budget: int, django_assert_max_num_queries: Any
) -> None:
    grow(N)
    client.get(url)  # warm what is cached once per process
    small = _count(lambda: client.get(url))
    grow(2 * N)
    large = _count(lambda: client.get(url))
    assert large == small, f"{small} queries at N, {large} at 3N"
    with django_assert_max_num_queries(budget):
        client.get(url)
