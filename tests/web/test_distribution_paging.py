"""A distribution's page shows its payouts and valued contributions a page at a time and
its shares chart only the largest, so that it stays small when thousands are paid. The
sizes are made tiny here so that two payees already fill more than a page."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client

from commonshare.web.views import books
from commonshare.work import services as work
from tests.distributing import distribute
from tests.web.test_pages import url

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_paid(world: SimpleNamespace, monkeypatch: pytest.MonkeyPatch) -> SimpleNamespace:
    """Ada and Ben both paid, the page showing one row of each table at a time."""
    mine = work.log_contribution(
        world.ben,
        work.ContributionInput(
            kind="work", summary="Proofread chapter one", hours="1", evidence_text="Notes."
        ),
    )
    work.submit_review(world.ada, mine.pk, rating=3, comment="Careful.")
    world.distribution = distribute(world.ada, currency="EUR")
    monkeypatch.setattr(books, "ROWS_SHOWN", 1)
    monkeypatch.setattr(books, "CHART_BARS", 1)
    return world


def _page(distribution: Any, query: str = "") -> str:
    response = Client().get(url("distribution", distribution.pk) + query)
    assert response.status_code == 200
    return response.content.decode()


def test_the_first_page_shows_the_largest_payout_and_links_to_the_next(
    two_paid: SimpleNamespace,
) -> None:
    distribution = two_paid.distribution
    first = _page(distribution)
    ada, ben = (
        url("payout", distribution.pk, two_paid.ada.pk),
        url("payout", distribution.pk, two_paid.ben.pk),
    )
    assert ada in first and ben not in first  # Ada's 2.5 hours outweigh Ben's one
    assert "The 1 largest of 2 payouts." in first
    assert "2 members were paid, the largest first; these are numbers 1 to 1." in first
    assert 'href="?payouts=1#payouts" rel="next"' in first
    assert 'href="?valued=1#valued" rel="next"' in first

    second = _page(distribution, "?payouts=1")
    assert ben in second and ada not in second
    assert "these are numbers 2 to 2." in second
    assert 'rel="prev"' in second
    # the valued contributions stay where they were, and their link keeps the payouts' page
    assert 'href="?payouts=1&amp;valued=1#valued"' in second


def test_a_page_past_the_end_is_not_found(two_paid: SimpleNamespace) -> None:
    response = Client().get(url("distribution", two_paid.distribution.pk) + "?payouts=5")
    assert response.status_code == 404
    assert "has only 2 payouts." in response.content.decode()


def test_an_offset_that_is_not_a_number_shows_the_first_page(two_paid: SimpleNamespace) -> None:
    page = _page(two_paid.distribution, "?payouts=many")
    assert url("payout", two_paid.distribution.pk, two_paid.ada.pk) in page


def test_the_links_carry_only_the_offsets_whatever_else_the_address_held(
    two_paid: SimpleNamespace,
) -> None:
    # the tables are drawn once per pair of offsets and shown again to every address that
    # names them: one visitor's extra parameters must not reach the next visitor's links
    typed = _page(two_paid.distribution, "?payouts=1&utm_source=mail")
    assert "utm_source" not in typed
    again = _page(two_paid.distribution, "?payouts=1")
    assert "utm_source" not in again
    assert 'href="?payouts=1&amp;valued=1#valued"' in again
