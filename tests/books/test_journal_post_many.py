"""``post_many`` stores exactly what ``post`` stores, by bulk rows (COPY on PostgreSQL)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from commonshare.books import journal, journal_verify
from commonshare.books.models import JournalEntry, JournalPosting
from commonshare.core.ledger import BANK, RESERVE, EntryDraft, LedgerError, Posting

pytestmark = pytest.mark.django_db
ACCOUNTS = [BANK, RESERVE, "income:support", "liabilities:payable:7"]


def _draft(number: int) -> EntryDraft:
    return EntryDraft(
        date=dt.date(2026, 1, 1) + dt.timedelta(days=number),
        description=f"Support for «Lagos Health Network» no. {number}",
        postings=(
            Posting("income:support", "EUR", -(1000 + number)),
            Posting(RESERVE, "EUR", -number),
            Posting(BANK, "EUR", 1000 + 2 * number),
        ),
        source=f"income:{number}",
        actor=None if number % 2 else "7",
        service="test.post_many",
    )


def _stored() -> list[tuple[object, ...]]:
    entries = JournalEntry.objects.order_by("seq").values_list(
        "seq", "date", "description", "source", "actor", "service", "prev_hash", "hash"
    )
    postings = JournalPosting.objects.order_by("entry_id", "line").values_list(
        "entry_id", "line", "account", "currency", "minor"
    )
    return [*entries, *postings]


def test_the_rows_are_the_ones_post_writes_one_by_one() -> None:
    journal.open_accounts(ACCOUNTS, on=dt.date(2026, 1, 1))
    before = timezone.now()
    with transaction.atomic():
        assert journal.post_many(_draft(n) for n in range(1, 13)) == 12
        by_bulk = _stored()
        transaction.set_rollback(True)
    with transaction.atomic():
        for n in range(1, 13):
            journal.post(_draft(n))
        one_by_one = _stored()
        transaction.set_rollback(True)
    assert by_bulk == one_by_one
    assert len(by_bulk) == 12 + 36

    journal.post_many(_draft(n) for n in range(1, 13))
    assert not JournalEntry.objects.filter(created_at__lt=before).exists()
    assert journal_verify.verify().ok
    assert journal.head()[0] == 12
    assert journal.balance(BANK, "EUR") == sum(1000 + 2 * n for n in range(1, 13))


def test_one_bad_draft_refuses_the_whole_batch() -> None:
    journal.open_accounts(ACCOUNTS, on=dt.date(2026, 1, 1))
    unbalanced = EntryDraft(
        date=dt.date(2026, 2, 1),
        description="Does not balance",
        postings=(Posting(BANK, "EUR", 5), Posting(RESERVE, "EUR", -4)),
        source="income:99",
        actor=None,
        service="test.post_many",
    )
    with pytest.raises(LedgerError):
        journal.post_many([_draft(1), unbalanced, _draft(2)])
    assert not JournalEntry.objects.exists()
    assert not JournalPosting.objects.exists()
