"""Mail about payouts goes out only after the money action commits, and a mail server
that is down can never roll back, nor half-do, the action."""

from __future__ import annotations

import logging
import socket
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from tests.dates import live_today

from commonshare.audit.models import AuditEvent
from commonshare.books import journal, services
from commonshare.books.models import Withdrawal
from commonshare.errors import Forbidden
from commonshare.work import services as work
from commonshare.work.models import Contribution

TODAY = live_today(__name__)


def _owing(make_member: Callable[..., Any]) -> tuple[Any, Any, Any]:
    """Ada is owed 30 EUR, in a bank that holds it; Bo and Cy may handle money."""
    ada, bo, cy = make_member("Ada"), make_member("Bo"), make_member("Cy")
    income = services.record_income(
        bo, amount="100.00", currency="EUR", payer="Acme", description="d", received_on=TODAY
    )
    services.confirm_income(cy, income.pk)
    claim = work.log_contribution(
        ada,
        work.ContributionInput(
            kind="expense",
            summary="Domain",
            amount="30.00",
            currency="EUR",
            receipt=SimpleUploadedFile("r.pdf", b"%PDF"),
        ),
    )
    for pk in Contribution.objects.get(pk=claim.pk).approvers:
        services.decide_expense(bo if pk == bo.pk else cy, claim.pk, verdict="approve")
    return ada, bo, cy


def _record(bo: Any, ada: Any) -> Withdrawal:
    return services.record_withdrawal(
        bo, member_id=ada.pk, amount="30.00", currency="EUR", reference="SEPA-1"
    )


@pytest.mark.django_db
def test_each_one_concerned_is_mailed_after_the_commit(
    make_member: Callable[..., Any], smtp_server: Any, django_capture_on_commit_callbacks: Any
) -> None:
    ada, bo, cy = _owing(make_member)
    with django_capture_on_commit_callbacks(execute=False) as waiting:
        sent = _record(bo, ada)
    assert waiting and not smtp_server.to(ada.email)  # nothing leaves before the commit
    for callback in waiting:
        callback()
    (told,) = smtp_server.to(ada.email)
    assert told["Subject"] == "A payout to you waits for your word"
    assert "Bo recorded sending you 30.00 EUR (reference SEPA-1)" in smtp_server.body(told)
    assert smtp_server.link(ada.email) == "http://testserver/books/waiting/"
    with django_capture_on_commit_callbacks(execute=True):
        services.dispute_withdrawal(ada, sent.pk, reason="Nothing arrived")
    assert "did not arrive as recorded: Nothing arrived" in smtp_server.body(
        smtp_server.to(bo.email)[-1]
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.resolve_withdrawal(cy, sent.pk, outcome="paid", reason="On the statement")
    for party in (ada, bo):
        last = smtp_server.to(party.email)[-1]
        assert last["Subject"] == "Settled: a disputed payout"
        assert "it did arrive, so it is now in the books" in smtp_server.body(last)


@pytest.mark.django_db
def test_a_refused_action_mails_nobody(
    make_member: Callable[..., Any], smtp_server: Any, django_capture_on_commit_callbacks: Any
) -> None:
    ada, _, _ = _owing(make_member)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(Forbidden):
        services.record_withdrawal(
            ada, member_id=ada.pk, amount="30.00", currency="EUR", reference="SEPA-1"
        )
    assert smtp_server.messages == []


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])  # closed again when the block ends: nobody listens


@pytest.fixture
def smtp_down(settings: Any, site_subscribers: None) -> None:
    """Mail goes over SMTP to a port where no server listens."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", _closed_port()
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 2


@pytest.mark.django_db(transaction=True)
def test_with_the_mail_server_down_the_payout_is_recorded_whole(
    make_member: Callable[..., Any], smtp_down: None, caplog: pytest.LogCaptureFixture
) -> None:
    """A real commit (no test transaction around it): the mail fails after it, is logged,
    and the withdrawal, its event and the books stand as the action left them."""
    ada, bo, cy = _owing(make_member)
    head = journal.head()
    with caplog.at_level(logging.ERROR):
        sent = _record(bo, ada)  # raises nothing, though its mail cannot be sent
        services.dispute_withdrawal(ada, sent.pk, reason="Nothing arrived")
        resolved = services.resolve_withdrawal(cy, sent.pk, outcome="paid", reason="Seen")
    assert any("on_payout_event" in r.getMessage() for r in caplog.records), caplog.text
    assert Withdrawal.objects.get(pk=sent.pk).status == "confirmed"
    assert resolved.entry_id is not None and journal.head() != head
    codes = set(AuditEvent.objects.values_list("code", flat=True))
    assert {
        "books.withdrawal.recorded",
        "books.withdrawal.disputed",
        "books.withdrawal.resolved",
    } <= codes
