"""Review fixes: a distribution always commits to an entry; no audit event goes unsealed."""

import datetime as dt
import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection, transaction
from tests.dates import live_today
from tests.distributing import distribute
from tests.money import posted_income

from commonshare.audit import chain as audit
from commonshare.audit.models import AuditEvent
from commonshare.books import distribution as distributions
from commonshare.books import records
from commonshare.books.models import Distribution, JournalEntry
from commonshare.errors import Conflict
from commonshare.work import services as work
from commonshare.work.services import ContributionInput

pytestmark = pytest.mark.django_db
TODAY = live_today(__name__)
YESTERDAY = TODAY - dt.timedelta(days=1)


def _raw(statement: str, params: tuple = ()) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, params)


def _income(member, amount: str = "100.00") -> None:
    posted_income(
        member,
        amount=amount,
        currency="EUR",
        payer="Acme",
        description="Support",
        received_on=TODAY,
    )


@pytest.fixture
def reviewed_work(make_member):
    ada, bo = make_member("Ada"), make_member("Bo")
    done = work.log_contribution(
        ada, ContributionInput(kind="work", summary="Docs", hours="2", evidence_text="e")
    )
    work.submit_review(bo, done.pk, rating=5, comment="good")
    _income(bo)
    return ada, bo, done


def test_a_distribution_with_nothing_to_pay_is_refused_and_writes_nothing(make_member) -> None:
    bo = make_member("Bo")
    _income(bo)
    entries, events = JournalEntry.objects.count(), AuditEvent.objects.count()
    with pytest.raises(Conflict, match="Nothing to pay") as refused:
        distribute(bo, currency="EUR")
    assert refused.value.field == "period"
    assert Distribution.objects.count() == 0
    assert (JournalEntry.objects.count(), AuditEvent.objects.count()) == (entries, events)
    assert records.verify_all().ok


def test_every_distribution_run_posts_an_entry_that_commits_to_it(reviewed_work) -> None:
    _, bo, _ = reviewed_work
    done = distribute(bo, currency="EUR")
    committed = JournalEntry.objects.filter(source=f"distribution:{done.pk}")
    assert committed.exclude(commits__isnull=True).exists()
    assert records.verify_all().ok


def _copy_distribution(pk: int, *, start: dt.date, end: dt.date) -> int:
    """A distribution row inserted behind the application's back, copied from ``pk``."""
    _raw(
        "INSERT INTO books_distribution (period_start, period_end, currency, amount_minor, "
        "remainder_minor, method, seed, policy, policy_version, policy_sha256, request, result, "
        "created_by_id, created_at, status) "
        "SELECT %s, %s, currency, amount_minor, remainder_minor, method, seed, policy, "
        "policy_version, policy_sha256, request, "
        "result, created_by_id, created_at, 'posted' FROM books_distribution WHERE id = %s",
        (start, end, pk),
    )
    return Distribution.objects.exclude(pk=pk).order_by("-id").values_list("id", flat=True)[0]


def test_a_raw_inserted_distribution_is_named_and_counts_for_nothing(reviewed_work) -> None:
    _, bo, _ = reviewed_work
    real = distribute(bo, currency="EUR")
    forged = _copy_distribution(real.pk, start=TODAY, end=TODAY)
    report = records.verify_all()
    assert not report.ok
    assert report.chain.ok
    assert f"distribution {forged} has no journal entry" in report.records
    assert set(records.posted_distributions().values_list("id", flat=True)) == {real.pk}


def test_a_raw_inserted_distribution_does_not_mark_work_as_valued(reviewed_work) -> None:
    ada, bo, done = reviewed_work
    _raw(
        "INSERT INTO books_distribution (period_start, period_end, currency, amount_minor, "
        "remainder_minor, method, seed, policy, policy_version, policy_sha256, request, result, "
        "created_by_id, created_at, status) "
        "VALUES (%s, %s, 'EUR', 1, 0, 'x', 'x', %s, 1, 'x', %s, %s, %s, %s, 'posted')",
        (
            dt.date(2025, 6, 1),
            dt.date(2025, 6, 30),
            "{}",
            f'{{"contributions": [{{"id": "{done.pk}"}}]}}',
            f'{{"reputation": {{"{ada.pk}": "0.99"}}}}',
            bo.pk,
            dt.datetime.now(dt.UTC),
        ),
    )
    forged = Distribution.objects.get()
    assert f"distribution {forged.pk} has no journal entry" in records.verify_all().records
    assert distributions.settled_contributions("EUR") == (set(), set())
    assert distributions.earlier_reputation() == {}
    paid = distribute(bo, currency="EUR")
    assert [p.member_id for p in paid.payouts.all()] == [ada.pk]


def test_an_unsealed_audit_chain_is_found(reviewed_work) -> None:
    """The reviewer's probe: edit an event's code, then wipe every hash."""
    event = AuditEvent.objects.order_by("id")[1]
    _raw("UPDATE audit_auditevent SET code = 'x.y.z' WHERE id = %s", (event.pk,))
    _raw("UPDATE audit_auditevent SET hash = '', prev_hash = ''")
    report = records.verify_all()
    assert not report.ok
    first = AuditEvent.objects.order_by("id").values_list("id", flat=True)[0]
    assert f"record: audit event {first} has no hash: it was inserted or unsealed" in report.lines


def test_the_migration_seals_events_of_the_older_format_in_order(reviewed_work) -> None:
    ids = list(AuditEvent.objects.order_by("id").values_list("id", flat=True))
    # events of the older format before the chain began, then chained ones after them
    AuditEvent.objects.filter(pk__in=ids[:3]).update(hash="", prev_hash="")
    AuditEvent.objects.filter(pk=ids[3]).update(prev_hash=audit.GENESIS_HASH)
    assert list(audit.verify()) != []
    migration = importlib.import_module("commonshare.audit.migrations.0004_seal_existing_events")
    migration.seal(apps, SimpleNamespace(connection=connection))
    assert list(audit.verify()) == []
    assert not AuditEvent.objects.filter(hash="").exists()
    _raw("UPDATE audit_auditevent SET code = 'x.y.z' WHERE id = %s", (ids[0],))
    assert list(audit.verify()) == [
        f"audit event {ids[0]} was changed: it no longer matches its hash"
    ]
