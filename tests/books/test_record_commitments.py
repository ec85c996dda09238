"""A raw edit of any record that decides an amount is found by verify, and named."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from tests.dates import live_today
from tests.distributing import distribute
from tests.money import paid_out, posted_income

from commonshare.audit.models import AuditEvent
from commonshare.books import journal_verify, records, services
from commonshare.books.models import JournalEntry, Withdrawal
from commonshare.work import services as work
from commonshare.work.models import Review
from commonshare.work.services import ContributionInput

pytestmark = pytest.mark.django_db
TODAY = live_today(__name__)


def _raw(statement: str, params: tuple = ()) -> None:
    """One statement as someone holding the database would run it, outside the services."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, params)


def _json_replace(table: str, column: str, old: str, new: str, pk: int) -> None:
    """Edit a JSON column's text in place (SQLite keeps text, PostgreSQL jsonb)."""
    value = f"{column}::text" if connection.vendor == "postgresql" else column
    cast = "::jsonb" if connection.vendor == "postgresql" else ""
    _raw(
        f"UPDATE {table} SET {column} = replace({value}, %s, %s){cast} WHERE id = %s",  # noqa: S608 - names from the tests
        (old, new, pk),
    )


@pytest.fixture
def books(make_member):
    ada, bo, cy = make_member("Ada"), make_member("Bo"), make_member("Cy")
    work_done = work.log_contribution(
        ada, ContributionInput(kind="work", summary="Docs", hours="2", evidence_text="e")
    )
    work.submit_review(bo, work_done.pk, rating=5, comment="good")
    work.submit_review(cy, work_done.pk, rating=4, comment="fine")
    income = posted_income(
        bo,
        amount="100.00",
        currency="EUR",
        payer="Acme",
        description="Support",
        received_on=TODAY,
        source="support",
        reference="INV-1",
    )
    claim = work.log_contribution(
        ada,
        ContributionInput(
            kind="expense",
            summary="Domain",
            amount="30.00",
            currency="EUR",
            receipt=SimpleUploadedFile("receipt.pdf", b"%PDF-1.4"),
        ),
    )
    services.decide_expense(bo, claim.pk, verdict="approve")
    services.decide_expense(cy, claim.pk, verdict="approve")
    withdrawal = paid_out(bo, member_id=ada.pk, amount="30.00", currency="EUR", reference="TR-1")
    distribution = distribute(bo, currency="EUR")
    report = records.verify_all()
    assert report.ok, report.lines
    return {
        "income": income,
        "claim": claim,
        "withdrawal": withdrawal,
        "distribution": distribution,
        "work": work_done,
        "review": Review.objects.get(reviewer=bo, contribution=work_done),
    }


def _seq(source: str) -> int:
    return JournalEntry.objects.filter(source=source).values_list("seq", flat=True).first()


def _found(expected: str) -> None:
    report = records.verify_all()
    assert not report.ok
    assert report.chain.ok  # the chain itself is intact: only the record changed
    assert any(expected in line for line in report.records), report.records


def test_entries_commit_to_their_records(books) -> None:
    services_with_commits = set(
        JournalEntry.objects.filter(commits__startswith="sha256:").values_list("service", flat=True)
    )
    assert services_with_commits == {
        "books.confirm_income",
        "books.decide_expense",
        "books.confirm_withdrawal",
        "books.post_distribution",
    }


def test_an_edited_income_is_named(books) -> None:
    income = books["income"]
    _raw("UPDATE books_income SET amount_minor = 5000000 WHERE id = %s", (income.pk,))
    _found(f"income {income.pk} no longer matches entry {_seq(f'income:{income.pk}')}")


def test_an_income_row_without_entry_is_named(books) -> None:
    _raw(
        "INSERT INTO books_income (amount_minor, source, reference, currency, payer, "
        "description, received_on, recorded_by_id, created_at, status) "
        "SELECT amount_minor, source, reference, currency, 'Forged', description, received_on, "
        "recorded_by_id, created_at, status FROM books_income WHERE id = %s",
        (books["income"].pk,),
    )
    _found("has no journal entry")


def test_an_edited_frozen_request_is_named(books) -> None:
    distribution = books["distribution"]
    _json_replace("books_distribution", "request", '"rating": 4', '"rating": 0', distribution.pk)
    _found(f"distribution {distribution.pk} (its frozen request")


def test_an_edited_frozen_result_is_named(books) -> None:
    distribution = books["distribution"]
    _json_replace("books_distribution", "result", '"method": "', '"method": "x', distribution.pk)
    _found(f"distribution {distribution.pk} (its frozen request, result")


def test_an_edited_payout_is_named(books) -> None:
    distribution = books["distribution"]
    _raw(
        "UPDATE books_payout SET amount_minor = amount_minor + 100 WHERE distribution_id = %s",
        (distribution.pk,),
    )
    _found(f"distribution {distribution.pk} (its frozen request, result or policy, or its payouts)")


def test_an_edited_withdrawal_is_named(books) -> None:
    withdrawal = books["withdrawal"]
    _raw("UPDATE books_withdrawal SET reference = 'TR-forged' WHERE id = %s", (withdrawal.pk,))
    entry = Withdrawal.objects.get(pk=withdrawal.pk).entry_id
    _found(f"withdrawal {withdrawal.pk} no longer matches entry {entry}")


def test_an_edited_expense_approval_is_named(books) -> None:
    claim = books["claim"]
    _raw(
        "UPDATE books_expensedecision SET verdict = 'reject' WHERE contribution_id = %s",
        (claim.pk,),
    )
    _found(f"expense claim {claim.pk} (its amount or its approvals) no longer matches")


def test_an_edited_version_of_an_expense_approval_is_named(books) -> None:
    """The version each approval was for is committed with it (books/0008)."""
    claim = books["claim"]
    _raw(
        "UPDATE books_expensedecision SET version = 7 WHERE contribution_id = %s",
        (claim.pk,),
    )
    _found(f"expense claim {claim.pk} (its amount or its approvals) no longer matches")


def test_a_dropped_approval_version_is_named(books) -> None:
    claim = books["claim"]
    _raw(
        "UPDATE books_expensedecision SET version = NULL WHERE contribution_id = %s",
        (claim.pk,),
    )
    report = records.verify_all()
    assert not report.ok  # the approval committed its version; dropping it is an edit too
    assert any(f"expense claim {claim.pk}" in line for line in report.lines)


def test_an_edited_claim_amount_is_named(books) -> None:
    claim = books["claim"]
    _raw("UPDATE work_contribution SET amount_minor = 999999 WHERE id = %s", (claim.pk,))
    _found(f"expense claim {claim.pk}")


def test_an_edited_review_rating_is_named(books) -> None:
    review, distribution = books["review"], books["distribution"]
    _raw("UPDATE work_review SET rating = 1 WHERE id = %s", (review.pk,))
    _found(
        f"review {review.pk}'s rating differs from distribution {distribution.pk}'s frozen request"
    )


def test_edited_contribution_hours_are_named(books) -> None:
    contribution, distribution = books["work"], books["distribution"]
    _raw("UPDATE work_contribution SET hours = 200 WHERE id = %s", (contribution.pk,))
    _found(
        f"contribution {contribution.pk}'s hours or units differ from "
        f"distribution {distribution.pk}'s frozen request"
    )


def test_edited_units_of_a_paid_resource_are_named(make_member) -> None:
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
    posted_income(
        bo,
        amount="100.00",
        currency="EUR",
        payer="Acme",
        description="Support",
        received_on=TODAY,
    )
    distribution = distribute(bo, currency="EUR")
    assert records.verify_all().ok
    _raw("UPDATE work_contribution SET units = 7200 WHERE id = %s", (lent.pk,))
    _found(
        f"contribution {lent.pk}'s units or lender differ from "
        f"distribution {distribution.pk}'s frozen result"
    )


def test_an_edited_audit_event_is_named(books) -> None:
    event = AuditEvent.objects.order_by("id")[2]
    _raw("UPDATE audit_auditevent SET data = %s WHERE id = %s", ('{"amount_minor": 1}', event.pk))
    _found(f"audit event {event.pk} was changed")


def test_a_removed_audit_event_is_named(books) -> None:
    _, removed, after = AuditEvent.objects.order_by("id")[1:4]
    _raw("DELETE FROM audit_auditevent WHERE id = %s", (removed.pk,))
    _found(f"audit event {after.pk} does not link to the event before it")


def test_the_command_names_the_record_and_exits_1(books) -> None:
    from click.testing import CliRunner

    from commonshare.cli import main

    income = books["income"]
    _raw("UPDATE books_income SET payer = 'Someone else' WHERE id = %s", (income.pk,))
    result = CliRunner().invoke(main, ["books", "verify"])
    assert result.exit_code == 1
    assert f"record: income {income.pk} no longer matches entry" in result.output


def test_journals_of_the_older_format_still_verify(books) -> None:
    """Entries without a commitment (written before it existed) are accepted as they are."""
    assert JournalEntry.objects.filter(commits__isnull=True).count() == 0
    from commonshare.books import journal
    from commonshare.core.ledger import BANK, EntryDraft, Posting

    journal.post(
        EntryDraft(
            date=TODAY,
            description="older format",
            postings=(Posting(BANK, "EUR", 1), Posting("income:support", "EUR", -1)),
            source="import:1",
            actor=None,
            service="books.import",
        )
    )
    assert records.verify_all().ok


def test_the_fast_path_renders_commitments_as_the_core_does(db, monkeypatch) -> None:
    """Entries with and without ``commits``: the database's rendering hashes the same, and
    an edited commitment is found by the fast path and named by the exact walk."""
    from commonshare.books import journal
    from commonshare.books.append_only import set_guard
    from commonshare.core.ledger import BANK, RESERVE, EntryDraft, Posting

    monkeypatch.setattr(journal_verify, "FAST_MINIMUM", 10)
    journal.open_accounts([BANK, RESERVE], on=TODAY)
    journal.post_many(
        EntryDraft(
            date=TODAY,
            description=f"entry «{n}»",
            postings=(Posting(BANK, "EUR", 7), Posting(RESERVE, "EUR", -7)),
            source=f"test:{n}",
            actor=None,
            service="test.commits",
            commits=None if n % 3 == 0 else f'sha256:{n:064x} "quoted" «x»',
        )
        for n in range(30)
    )
    rendered_again: list[int] = []
    exact_text = journal_verify._exact_text
    monkeypatch.setattr(
        journal_verify, "_exact_text", lambda seq: rendered_again.append(seq) or exact_text(seq)
    )
    head = journal.head()[0]
    assert journal_verify._fast_check(head, 1, None)
    assert rendered_again == []
    assert journal_verify.verify().ok
    set_guard(connection, install=False)
    try:
        _raw("UPDATE books_journalentry SET commits = 'sha256:forged' WHERE seq = 14")
    finally:
        set_guard(connection, install=True)
    assert not journal_verify._fast_check(head, 1, None)
    report = journal_verify.verify()
    assert report.problem is not None
    assert (report.problem.kind, report.problem.seq) == ("changed", 14)
