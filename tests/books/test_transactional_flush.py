"""Transactional tests can flush the journal, and the guard is back afterwards."""

import pytest
from django.db import DatabaseError, connection, transaction
from tests.money import posted_income

from commonshare.books.models import JournalEntry


@pytest.mark.django_db(transaction=True)
def test_a_transactional_test_posts_to_the_journal(make_member) -> None:

    posted_income(
        make_member(),
        amount="5.00",
        currency="EUR",
        payer="P",
        description="d",
        received_on="2026-01-01",
    )
    assert JournalEntry.objects.count() == 1


@pytest.mark.django_db
def test_the_guard_is_back_after_a_transactional_test(make_member) -> None:

    assert not JournalEntry.objects.exists()  # the transactional test's rows were flushed
    posted_income(
        make_member(),
        amount="5.00",
        currency="EUR",
        payer="P",
        description="d",
        received_on="2026-01-01",
    )
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        connection.cursor().execute("DELETE FROM books_journalentry")
