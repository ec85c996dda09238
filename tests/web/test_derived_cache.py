"""What the pages derive from the journal is cached by its head: used again while no entry
posts (fewer queries), drawn again the moment one does (the totals change)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from commonshare.books import derived
from commonshare.community import services as community
from tests.money import posted_income
from tests.web.test_pages import url

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    cache.clear()


def _get(path: str) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as queries:
        response = Client().get(path)
    assert response.status_code == 200
    return response.content.decode(), len(queries)


def _income(world: Any, amount: str) -> None:
    posted_income(
        world.ada,
        amount=amount,
        currency="EUR",
        payer="Another customer",
        description="More guide sales",
        received_on=timezone.localdate(),
    )


def test_cached_values_stay_until_an_entry_posts(world: Any) -> None:
    drawn: list[int] = []

    def compute() -> int:
        drawn.append(1)
        return len(drawn)

    assert derived.cached("test-value", compute, parts=("a",)) == 1
    assert derived.cached("test-value", compute, parts=("a",)) == 1
    assert derived.cached("test-value", compute, parts=("b",)) == 2  # other parts, other key
    _income(world, "5.00")
    assert derived.cached("test-value", compute, parts=("a",)) == 3


def test_the_books_page_reuses_its_balances_until_an_income_posts(world: Any) -> None:
    first, cold = _get(url("books"))
    again, warm = _get(url("books"))
    assert again == first and warm < cold
    assert "100.00" in first and "142.00" not in first
    _income(world, "42.00")
    after, _ = _get(url("books"))
    assert "142.00" in after  # the income account's balance, drawn again at the new head


def test_the_home_page_s_totals_and_chart_follow_the_journal(world: Any) -> None:
    page, cold = _get(url("home"))
    assert "100.00" in page
    _, warm = _get(url("home"))
    assert warm <= cold
    _income(world, "42.00")
    after, _ = _get(url("home"))
    assert "142.00" in after and "Income per month" in after


def test_the_distribution_page_draws_its_tables_once_and_keeps_names_current(paid: Any) -> None:
    path = url("distribution", paid.distribution.pk)
    first, cold = _get(path)
    again, warm = _get(path)
    assert again == first and warm < cold
    assert "Ada" in first
    community.update_profile(paid.ada, display_name="Ada Lovelace", bio="")
    renamed, _ = _get(path)
    assert "Ada Lovelace" in renamed  # a name changed without any entry: drawn again


def test_the_books_page_lists_a_distribution_the_moment_it_posts(world: Any) -> None:
    from tests.distributing import distribute

    before, _ = _get(url("books"))
    assert "No distributions posted yet." in before
    distribution = distribute(world.ada, currency="EUR")
    after, _ = _get(url("books"))
    assert url("distribution", distribution.pk) in after
    assert "1 member</td>" in after  # paid to Ada
