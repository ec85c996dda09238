"""The journal as stored: balanced, append-only at the database, tamper-evident."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, connection, transaction
from tests.dates import live_today
from tests.distributing import distribute
from tests.money import paid_out, posted_income, reversed_entry

from commonshare.books import journal, journal_verify, services
from commonshare.books.distribution import _post_proposed_distribution, propose_distribution
from commonshare.books.models import JournalEntry, JournalPosting
from commonshare.books.selectors import expenses, owed
from commonshare.core.ledger import BANK, RESERVE, EntryDraft, LedgerError, Posting
from commonshare.errors import Conflict, Forbidden, InvalidInput, NotFound
from commonshare.work import services as work
from commonshare.work.services import ContributionInput

pytestmark = pytest.mark.django_db
TODAY = live_today(__name__)


def _income(member, amount="100.00", currency="EUR"):
    return posted_income(
        member,
        amount=amount,
        currency=currency,
        payer="Acme",
        description="Support",
        received_on=TODAY,
        source="support",
        reference="INV-1",
    )


def _expense(author, amount="30.00"):
    return work.log_contribution(
        author,
        ContributionInput(
            kind="expense",
            summary="Domain",
            amount=amount,
            currency="EUR",
            receipt=SimpleUploadedFile("receipt.pdf", b"%PDF-1.4"),
        ),
    )


def _all_balanced() -> bool:
    return all(
        sum(entry.postings[i].minor for i in range(len(entry.postings))) == 0
        for entry in journal.stream()
    )


def test_income_posts_bank_reserve_and_income(make_member) -> None:
    _income(make_member(), "100.00")
    assert journal.balances() == {
        (BANK, "EUR"): 9000,
        (RESERVE, "EUR"): 1000,
        ("income:support", "EUR"): -10000,
    }
    entry = JournalEntry.objects.get()
    assert entry.source.startswith("income:") and entry.service == "books.confirm_income"
    assert journal_verify.verify().ok


def test_expense_claim_needs_two_peers_and_is_paid_before_distribution(make_member) -> None:
    ada, bo, cy = make_member("Ada"), make_member("Bo"), make_member("Cy")
    _income(ada, "100.00")
    claim = _expense(ada, "30.00")
    with pytest.raises(Forbidden, match="own expense"):
        services.decide_expense(ada, claim.pk, verdict="approve")
    with pytest.raises(InvalidInput) as caught:
        services.decide_expense(bo, claim.pk, verdict="reject")
    assert caught.value.field == "reason"
    services.decide_expense(bo, claim.pk, verdict="approve")
    assert expenses.expense_status(claim) == "pending"
    assert services.owed_minor(ada.pk, "EUR") == 0
    with pytest.raises(Conflict, match="already decided"):
        services.decide_expense(bo, claim.pk, verdict="approve")
    services.decide_expense(cy, claim.pk, verdict="approve")
    assert expenses.expense_status(claim) == "approved"
    assert services.owed_minor(ada.pk, "EUR") == 3000
    # 90.00 in the bank, 30.00 owed: 60.00 can be distributed.
    assert owed.distributable_minor("EUR") == 6000
    assert _all_balanced() and journal_verify.verify().ok


def test_rejected_claims_carry_reasons_and_post_nothing(make_member) -> None:
    ada, bo, cy = make_member("Ada"), make_member("Bo"), make_member("Cy")
    claim = _expense(ada)
    services.decide_expense(bo, claim.pk, verdict="reject", reason="No receipt total")
    # Both drawn approvers must approve: one rejection settles it.
    assert expenses.expense_status(claim) == "rejected"
    with pytest.raises(Conflict, match="already rejected"):
        services.decide_expense(cy, claim.pk, verdict="reject", reason="Duplicate of #3")
    assert not JournalEntry.objects.exists()
    with pytest.raises(NotFound):
        services.decide_expense(bo, 9999, verdict="approve")


def test_withdrawal_cannot_exceed_what_is_owed(make_member) -> None:
    ada, bo, cy = make_member("Ada"), make_member("Bo"), make_member("Cy")
    _income(ada)
    claim = _expense(ada, "30.00")
    services.decide_expense(bo, claim.pk, verdict="approve")
    services.decide_expense(cy, claim.pk, verdict="approve")
    with pytest.raises(InvalidInput) as caught:
        paid_out(bo, member_id=ada.pk, amount="30.01", currency="EUR", reference="TR-1")
    assert caught.value.field == "amount"
    paid_out(bo, member_id=ada.pk, amount="30.00", currency="EUR", reference="TR-1")
    assert services.owed_minor(ada.pk, "EUR") == 0
    assert journal.balance(BANK, "EUR") == 6000


def test_distribution_posts_payouts_to_member_payables_in_one_entry(make_member) -> None:
    ada, bo = make_member("Ada"), make_member("Bo")
    contribution = work.log_contribution(
        ada, ContributionInput(kind="work", summary="x", hours="2", evidence_text="e")
    )
    work.submit_review(bo, contribution.pk, rating=5, comment="c")
    _income(bo, "10.00")
    distribution = distribute(bo, currency="EUR")
    entries = JournalEntry.objects.filter(source=f"distribution:{distribution.pk}")
    assert entries.count() == 1
    assert services.owed_minor(ada.pk, "EUR") == 900
    assert owed.distributable_minor("EUR") == 0
    with pytest.raises(Conflict, match="Already done"):
        _post_proposed_distribution(distribution.pk)
    with pytest.raises(Conflict, match="Already done"):
        propose_distribution(bo, period=distribution.period_start, currency="EUR", amount="1")
    assert JournalEntry.objects.filter(source__startswith="distribution:").count() == 1


def test_resources_are_paid_by_metered_use_before_the_split(make_member) -> None:
    ada, bo = make_member("Ada"), make_member("Bo")
    lent = work.log_contribution(
        ada,
        ContributionInput(
            kind="resource",
            summary="Server",
            units="720",
            unit_name="server hours",
            evidence_text="metered",
        ),
    )
    work.submit_review(bo, lent.pk, rating=4, comment="ok")
    _income(bo, "100.00")
    distribution = distribute(bo, currency="EUR")
    # 720 h at 0.05 = 36.00 paid first; the remaining 54.00 finds no reviewed work.
    assert distribution.result["resource_payments"][0]["amount"] == "36.00"
    assert services.owed_minor(ada.pk, "EUR") == 3600
    assert distribution.amount_minor == 5400


def test_reversal_points_back_and_cannot_happen_twice(make_member) -> None:
    ada = make_member()
    _income(ada)
    reversal = reversed_entry(ada, 1, reason="Recorded twice")
    assert reversal.reverses == 1
    assert journal.balance(BANK, "EUR") == 0
    with pytest.raises(Conflict, match="already reversed"):
        reversed_entry(ada, 1, reason="again")
    with pytest.raises(Conflict, match="reversal"):
        reversed_entry(ada, reversal.seq, reason="undo the undo")
    with pytest.raises(NotFound):
        reversed_entry(ada, 99, reason="nothing")
    assert JournalEntry.objects.count() == 2


@pytest.mark.parametrize(
    ("postings", "message"),
    [
        ((Posting(BANK, "EUR", 100), Posting("income:support", "EUR", -99)), "balance"),
        ((Posting(BANK, "EUR", 100), Posting("income:nowhere", "EUR", -100)), "unknown"),
        ((Posting(BANK, "EUR", 100), Posting("income:support", "USD", -100)), "EUR"),
        ((Posting(BANK, "EUR", 100),), "two"),
    ],
)
def test_bad_entries_are_refused_and_nothing_is_written(make_member, postings, message) -> None:
    _income(make_member())
    before = JournalEntry.objects.count(), JournalPosting.objects.count()
    draft = EntryDraft(
        date=TODAY,
        description="bad",
        postings=postings,
        source="test:1",
        actor=None,
        service="test",
    )
    with pytest.raises(LedgerError, match=message), transaction.atomic():
        journal.post(draft)
    assert (JournalEntry.objects.count(), JournalPosting.objects.count()) == before


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE books_journalentry SET description = 'edited'",
        "DELETE FROM books_journalentry",
        "UPDATE books_journalposting SET minor = minor + 1",
        "DELETE FROM books_journalposting",
    ],
)
def test_the_database_refuses_updates_and_deletes(make_member, statement: str) -> None:
    _income(make_member())
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        connection.cursor().execute(statement)
    assert journal_verify.verify().ok


def test_verify_names_an_entry_edited_behind_the_applications_back(make_member) -> None:
    from commonshare.books.append_only import set_guard

    ada = make_member()
    for amount in ("10.00", "20.00", "30.00"):
        _income(ada, amount)
    assert journal_verify.verify().ok
    set_guard(connection, install=False)  # what an attacker with DDL rights would do
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE books_journalposting SET minor = 1 WHERE entry_seq = 2 AND line = 0"
            )
    finally:
        set_guard(connection, install=True)
    report = journal_verify.verify()
    assert not report.ok
    assert report.problem is not None and report.problem.seq == 2
    assert report.problem.kind == "changed"


def test_a_withdrawal_never_overdraws_the_bank(make_member) -> None:
    ada, bo, cy = make_member("Ada"), make_member("Bo"), make_member("Cy")
    _income(ada, "10.00")
    claim = _expense(ada, "30.00")
    services.decide_expense(bo, claim.pk, verdict="approve")
    services.decide_expense(cy, claim.pk, verdict="approve")
    before = JournalEntry.objects.count()
    with pytest.raises(
        InvalidInput,
        match=r"the bank account holds, less payouts waiting for confirmation \(9\.00 EUR\)",
    ) as caught:
        paid_out(bo, member_id=ada.pk, amount="30.00", currency="EUR", reference="TR-2")
    assert caught.value.field == "amount"
    assert JournalEntry.objects.count() == before
