"""An entry with many postings (a distribution's: one per member paid) is shown a hundred
postings at a time, and lists of entries read only the few postings they show."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from commonshare.books import journal
from commonshare.core.ledger import BANK, EntryDraft, Posting

pytestmark = pytest.mark.django_db
PAYEES = 250


def _wide_entry() -> int:
    day = dt.date(2026, 3, 1)
    payees = [f"liabilities:payable:{n}" for n in range(1, PAYEES + 1)]
    journal.open_accounts([BANK, *payees], on=day)
    stored = journal.post(
        EntryDraft(
            date=day,
            description="March distributed",
            postings=(
                Posting(BANK, "EUR", 100 * PAYEES),
                *(Posting(account, "EUR", -100) for account in payees),
            ),
            source="test:wide",
            actor=None,
            service="test.entry_paging",
        )
    )
    return stored.seq


def _shown_accounts(page: str) -> list[str]:
    return re.findall(
        r'<td(?: class="account")?><code>(liabilities:payable:\d+|assets:bank)</code>', page
    )


def test_an_entrys_postings_come_a_hundred_at_a_time() -> None:
    seq = _wide_entry()
    first = Client().get(f"/books/entries/{seq}/").content.decode()
    assert "This entry has 251 postings; these are numbers 1 to 100." in first
    assert len(_shown_accounts(first)) == 100
    assert 'href="?from=100#postings" rel="next">Later postings' in first
    assert "Earlier postings" not in first
    assert "matches" in first  # the hash is recomputed from all 251
    assert 'id="canonical"' not in first
    assert "too long to show here" in first

    last = Client().get(f"/books/entries/{seq}/?from=200").content.decode()
    assert "these are numbers 201 to 251." in last
    assert len(_shown_accounts(last)) == 51
    assert 'href="?from=100#postings" rel="prev">← Earlier postings' in last
    assert "Later postings" not in last
    every = set()
    for start in (0, 100, 200):
        every |= set(
            _shown_accounts(Client().get(f"/books/entries/{seq}/?from={start}").content.decode())
        )
    assert len(every) == 251

    assert Client().get(f"/books/entries/{seq}/?from=300").status_code == 404
    assert (
        Client().get(f"/books/entries/{seq}/?from=150").content
        == Client().get(f"/books/entries/{seq}/?from=100").content
    )


def test_a_short_entry_shows_its_canonical_form_and_no_pager() -> None:
    _wide_entry()
    day = dt.date(2026, 3, 2)
    journal.open_accounts(["income:support"], on=day)
    small = journal.post(
        EntryDraft(
            date=day,
            description="Support",
            postings=(Posting(BANK, "EUR", 500), Posting("income:support", "EUR", -500)),
            source="test:small",
            actor=None,
            service="test.entry_paging",
        )
    )
    page = Client().get(f"/books/entries/{small.seq}/").content.decode()
    assert 'id="canonical"' in page
    assert "Later postings" not in page and "This entry has" not in page


def test_the_journal_list_reads_only_the_postings_it_shows() -> None:
    _wide_entry()
    with CaptureQueriesContext(connection) as queries:
        page = Client().get("/books/entries/").content.decode()
    assert "243 more postings on the entry's page" in page
    assert len(_shown_accounts(page)) == 8
    posting_reads = [q["sql"] for q in queries if '"books_journalposting"."account"' in q["sql"]]
    assert posting_reads and all('"line" <' in sql for sql in posting_reads)
