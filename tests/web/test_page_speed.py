"""What the pages leave unread, so that their cost does not grow with the data (issue 11).

These check what is read, never how long it takes: the timings are the load benchmark's
(``bench/bench_web.py``), measured as ratios in one run, not asserted here.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from commonshare.books import journal
from commonshare.books.models import Distribution, Payout
from commonshare.core.ledger import RESERVE, EntryDraft, Posting, payable_account
from commonshare.web.views.openbooks import LISTED_POSTINGS

pytestmark = pytest.mark.django_db

BULKY = {"policy": {"note": "p" * 50}, "request": {"members": ["x" * 40] * 200}}


def _distribution(founder: Any, offset: int, status: str) -> Distribution:
    day = dt.date(2026, 1 + offset, 1)
    return Distribution.objects.create(
        period_start=day,
        period_end=day + dt.timedelta(days=27),
        currency="EUR",
        amount_minor=123_400,
        remainder_minor=0,
        method="mean",
        seed="seed",
        result={"payouts": ["r" * 40] * 200},
        created_by=founder,
        status=status,
        challenge_ends_at=dt.datetime(2026, 3, 1, tzinfo=dt.UTC),
        posted_at=dt.datetime(2026, 2, 1, tzinfo=dt.UTC) if offset == 0 else None,
        **BULKY,
    )


def _read(queries: CaptureQueriesContext, table: str) -> str:
    return " ".join(q["sql"] for q in queries.captured_queries if table in q["sql"])


def test_the_member_page_lists_payouts_without_their_explanations_or_frozen_json(
    client: Any, make_member: Any
) -> None:
    founder = make_member("Ada")
    distribution = _distribution(founder, 0, Distribution.Status.POSTED)
    Payout.objects.create(
        distribution=distribution,
        member=founder,
        amount_minor=56_700,
        share="0.5",
        explanation={"why": ["e" * 40] * 200},
    )
    with CaptureQueriesContext(connection) as queries:
        page = client.get(f"/members/{founder.pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "567.00" in text and f"/books/distributions/{distribution.pk}/" in text
    read = _read(queries, "books_payout")
    assert read and '"books_payout"."explanation"' not in read
    for column in ("request", "result", "policy"):
        assert f'"books_distribution"."{column}"' not in read, column


def test_the_distribution_list_shows_each_distribution_without_reading_its_frozen_json(
    client: Any, make_member: Any
) -> None:
    founder = make_member("Ada")
    for offset, status in enumerate([Distribution.Status.POSTED, Distribution.Status.PROPOSED]):
        _distribution(founder, offset, status)
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/books/distributions/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "1,234.00" in text and "Ada" in text  # both rows, with amount and proposer
    assert text.count("/books/distributions/") >= 2
    read = _read(queries, "books_distribution")
    assert read  # the distributions were read...
    for column in ("request", "result", "policy"):  # ...but not their frozen JSON
        assert f'"books_distribution"."{column}"' not in read, column


def test_a_list_of_entries_shows_a_few_postings_of_each_and_the_entry_page_all(
    make_member: Any,
) -> None:
    payees = [make_member(f"Payee {n}") for n in range(LISTED_POSTINGS + 4)]
    today = timezone.localdate()
    accounts = [payable_account(m.pk) for m in payees]
    journal.open_accounts([*accounts, RESERVE], on=today)
    postings = [Posting(account, "EUR", -100) for account in accounts]
    entry = journal.post(
        EntryDraft(
            date=today,
            description="Owed to many",
            postings=(*postings, Posting(RESERVE, "EUR", 100 * len(accounts))),
            source="test:many",
            actor=None,
            service="test.owed",
        )
    )
    listed = Client().get("/books/entries/").content.decode()
    more = len(accounts) + 1 - LISTED_POSTINGS
    assert listed.count('<td class="account">') == LISTED_POSTINGS
    assert f"{more} more postings on the entry" in listed
    own = Client().get(f"/books/entries/{entry.seq}/").content.decode()
    assert all(f"/members/{m.pk}/" in own for m in payees)
