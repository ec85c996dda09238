"""Postings that belong to no entry in the chain: verify names them, balances ignore them."""

import datetime as dt

import pytest
from django.db import connection, transaction
from tests.dates import live_today
from tests.distributing import distribute
from tests.money import paid_out, posted_income

from commonshare.books import journal, journal_verify, selectors, services
from commonshare.books.append_only import set_guard
from commonshare.books.selectors import owed
from commonshare.core.ledger import BANK, RESERVE, EntryDraft, Posting, payable_account

pytestmark = pytest.mark.django_db
TODAY = live_today(__name__)


def _income(member, amount="100.00"):
    return posted_income(
        member,
        amount=amount,
        currency="EUR",
        payer="Acme",
        description="Support",
        received_on=TODAY,
        source="support",
    )


def _behind_the_back(*statements: str) -> None:
    """Raw SQL as someone holding the database file would run it (foreign keys are deferred,
    so inside the test's transaction they never fire, as with them switched off)."""
    set_guard(connection, install=False)
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
    finally:
        set_guard(connection, install=True)


def _orphan(seq: int, account: str = BANK, minor: int = 5_000_000, line: int = 0) -> str:
    return (
        "INSERT INTO books_journalposting (entry_seq, line, account, currency, minor) "  # noqa: S608 - values from the tests
        f"VALUES ({seq}, {line}, '{account}', 'EUR', {minor})"
    )


@pytest.fixture(autouse=True)
def _orphans_removed(db: None):
    """Django checks the deferred foreign keys when a test ends: take the orphans away."""
    yield
    _behind_the_back(
        "DELETE FROM books_journalposting WHERE entry_seq < 1 "
        "OR entry_seq NOT IN (SELECT seq FROM books_journalentry)",
        "DELETE FROM books_journalentry WHERE seq < 1",
    )


@pytest.fixture
def small_books(make_member):
    ada = make_member("Ada")
    for amount in ("100.00", "50.00", "25.00"):
        _income(ada, amount)
    assert journal_verify.verify().ok
    return ada


@pytest.fixture
def fast_books(db: None, monkeypatch: pytest.MonkeyPatch) -> int:
    """A journal past the (lowered) threshold of the database-side fast path."""
    monkeypatch.setattr(journal_verify, "FAST_MINIMUM", 10)
    journal.open_accounts([BANK, RESERVE], on=dt.date(2026, 1, 1))
    journal.post_many(
        EntryDraft(
            date=dt.date(2026, 1, 1),
            description=f"entry {n}",
            postings=(Posting(BANK, "EUR", 7), Posting(RESERVE, "EUR", -7)),
            source=f"test:{n}",
            actor=None,
            service="test.orphans",
        )
        for n in range(30)
    )
    assert journal_verify.verify().ok
    return journal.head()[0]


@pytest.mark.parametrize("seq", [999, 0, -3])
def test_exact_walk_names_a_posting_without_entry(small_books, seq: int) -> None:
    _behind_the_back(_orphan(seq))
    report = journal_verify.verify()
    assert not report.ok
    assert report.problem is not None
    assert report.problem.kind == "orphan"
    assert report.problem.seq == seq
    assert f"belongs to entry {seq}" in report.message


@pytest.mark.parametrize("where", ["after", "zero", "negative"])
def test_fast_path_names_a_posting_without_entry(fast_books: int, where: str) -> None:
    seq = {"after": fast_books + 5, "zero": 0, "negative": -1}[where]
    _behind_the_back(_orphan(seq))
    report = journal_verify.verify()
    assert not report.ok
    assert report.problem is not None and report.problem.kind == "orphan"
    assert report.problem.seq == seq


def test_an_entry_numbered_zero_is_named(small_books) -> None:
    _behind_the_back(
        "INSERT INTO books_journalentry (seq, date, description, source, actor, service, "  # noqa: S608 - values from the tests
        "reverses, prev_hash, hash, created_at) VALUES (0, '2026-01-01', 'forged', 'x', NULL, "
        f"'x', NULL, '{'0' * 64}', '{'f' * 64}', '2026-01-01 00:00:00')",
        _orphan(0),
    )
    report = journal_verify.verify()
    assert not report.ok
    assert report.problem is not None and report.problem.seq == 0
    # the posting of that entry counts nowhere: it is not in the chain
    assert journal.balance(BANK, "EUR") == 15750


def test_balances_and_distributable_count_only_postings_of_entries(small_books) -> None:
    ada = small_books
    before = {
        "balances": journal.balances(),
        "bank": journal.balance(BANK, "EUR"),
        "distributable": owed.distributable_minor("EUR"),
        "owed": services.owed_minor(ada.pk, "EUR"),
        "months": selectors.month_totals("EUR"),
        "history": selectors.member_account_history(ada),
    }
    _behind_the_back(
        _orphan(999),
        _orphan(0, "income:support", -5_000_000).replace("VALUES (0, 0", "VALUES (0, 1"),
        _orphan(-1, payable_account(ada.pk), -77).replace("VALUES (-1, 0", "VALUES (-1, 2"),
    )
    after = {
        "balances": journal.balances(),
        "bank": journal.balance(BANK, "EUR"),
        "distributable": owed.distributable_minor("EUR"),
        "owed": services.owed_minor(ada.pk, "EUR"),
        "months": selectors.month_totals("EUR"),
        "history": selectors.member_account_history(ada),
    }
    assert after == before
    assert before["bank"] == 15750


def test_open_books_totals_count_only_postings_of_entries(small_books) -> None:
    from commonshare.books.selectors import totals as queries

    queries._memo.clear()
    _behind_the_back(_orphan(999).replace("'EUR'", "'USD'"), _orphan(-1))
    totals = queries.ledger_totals()
    assert totals.balances[(BANK, "EUR")] == 15750
    assert (BANK, "USD") not in totals.balances
    assert selectors.currencies() == ["EUR"]
    queries._memo.clear()


def test_a_distribution_cannot_pay_out_an_orphan(small_books, make_member) -> None:
    _behind_the_back(_orphan(999))
    with pytest.raises(services.Conflict, match=r"do not verify.*entry 999"):
        distribute(small_books, currency="EUR", amount="50000.00")


def _forged_entry(seq: int, minor: int) -> tuple[str, ...]:
    """An entry added at the end with its postings, hashed wrongly, as a raw INSERT would."""
    return (
        "INSERT INTO books_journalentry (seq, date, description, source, actor, service, "  # noqa: S608 - values from the tests
        "reverses, prev_hash, hash, commits, created_at) VALUES "
        f"({seq}, '{TODAY.isoformat()}', 'Support', 'income:999', NULL, 'books.record_income', "
        f"NULL, '{'0' * 64}', '{'f' * 64}', NULL, '{TODAY.isoformat()} 00:00:00')",
        _orphan(seq, BANK, minor),
        _orphan(seq, "income:support", -minor, line=1),
    )


def test_money_never_leaves_books_with_a_forged_entry(small_books, make_member) -> None:
    """An entry inserted at the end is in the table until someone runs verify; a
    distribution and a withdrawal run it first, so the forged money is never paid out."""
    head_seq, _ = journal.head()
    _behind_the_back(*_forged_entry(head_seq + 1, 4_500_000))
    assert not journal_verify.verify().ok
    with pytest.raises(services.Conflict, match="do not verify"):
        distribute(small_books, currency="EUR")
    with pytest.raises(services.Conflict, match="do not verify"):
        paid_out(
            make_member("Bea"),
            member_id=small_books.pk,
            amount="1.00",
            currency="EUR",
            reference="T-1",
        )
    assert journal.head()[0] == head_seq + 1  # nothing was posted on top of the forgery
