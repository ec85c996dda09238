"""A disputed payout has an end: a third member, neither the payee nor the recorder, says
whether the money arrived after all (it posts) or not (it is cancelled), on the service,
the web, the API and the command line alike."""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest
from click.testing import CliRunner
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from tests.api.conftest import ApiClient
from tests.dates import live_today

from commonshare.audit.models import AuditEvent
from commonshare.books import journal, records, services
from commonshare.books.models import JournalEntry, Withdrawal
from commonshare.books.selectors import owed, waiting
from commonshare.cli import main
from commonshare.community import services as community
from commonshare.errors import Conflict, Forbidden, InvalidInput, NotFound
from commonshare.work import services as work
from commonshare.work.models import Contribution

pytestmark = pytest.mark.django_db
TODAY = live_today(__name__)


@pytest.fixture
def dispute(make_member: Callable[..., Any]) -> SimpleNamespace:
    """Ada is owed 30 EUR; Bo recorded paying her 30; Ada disputed it. Cy and Di may settle."""
    ada, bo, cy = make_member("Ada"), make_member("Bo"), make_member("Cy")
    income = services.record_income(
        bo, amount="100.00", currency="EUR", payer="Acme", description="Support", received_on=TODAY
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
    sent = services.record_withdrawal(
        bo, member_id=ada.pk, amount="30.00", currency="EUR", reference="SEPA-7"
    )
    services.dispute_withdrawal(ada, sent.pk, reason="Nothing arrived")
    di = make_member("Di")
    fresh = make_member("Fresh", level=0)
    gone = make_member("Gone")
    community.leave(gone)
    gone.refresh_from_db()
    return SimpleNamespace(ada=ada, bo=bo, cy=cy, di=di, fresh=fresh, gone=gone, sent=sent)


def _books() -> tuple[Any, ...]:
    return (journal.head(), sorted(Withdrawal.objects.values_list("pk", "status", "resolution")))


def test_a_third_member_settles_it_as_paid_and_the_payout_posts(dispute: SimpleNamespace) -> None:
    assert owed.owed_minor(dispute.ada.pk, "EUR") == 3000
    done = services.resolve_withdrawal(
        dispute.cy, dispute.sent.pk, outcome="paid", reason="The 3 March statement shows it"
    )
    assert (done.status, done.resolution, done.resolved_by) == ("confirmed", "paid", dispute.cy)
    entry = JournalEntry.objects.get(pk=done.entry_id)
    assert (entry.service, entry.actor) == ("books.resolve_withdrawal", str(dispute.cy.pk))
    assert owed.owed_minor(dispute.ada.pk, "EUR") == 0
    assert records.verify_all().ok
    event = AuditEvent.objects.get(code="books.withdrawal.resolved")
    assert (event.actor_id, event.data["outcome"], event.data["entry"]) == (
        dispute.cy.pk,
        "paid",
        entry.seq,
    )
    with pytest.raises(Conflict, match="Only a disputed payout is resolved"):
        services.resolve_withdrawal(dispute.di, dispute.sent.pk, outcome="cancelled", reason="x")


def test_settled_as_cancelled_nothing_posts_and_she_is_still_owed(dispute: SimpleNamespace) -> None:
    head = journal.head()
    done = services.resolve_withdrawal(
        dispute.di, dispute.sent.pk, outcome="cancelled", reason="No transfer on the statement"
    )
    assert (done.status, done.entry_id, done.resolution_reason) == (
        "cancelled",
        None,
        "No transfer on the statement",
    )
    assert journal.head() == head
    assert owed.owed_minor(dispute.ada.pk, "EUR") == 3000
    # What she is owed can be paid again, for real this time.
    again = services.record_withdrawal(
        dispute.bo, member_id=dispute.ada.pk, amount="30.00", currency="EUR", reference="SEPA-8"
    )
    assert again.status == "pending"


@pytest.mark.parametrize(
    ("who", "why"),
    [
        ("ada", "a third member must resolve"),  # the payee
        ("bo", "a third member must resolve"),  # the recorder
        ("fresh", "you need trust level 2"),
        ("gone", "You left the community"),
    ],
)
@pytest.mark.parametrize("outcome", ["paid", "cancelled"])
def test_the_two_who_disagree_newcomers_and_leavers_cannot_settle_it(
    dispute: SimpleNamespace, who: str, why: str, outcome: str
) -> None:
    before = _books()
    with pytest.raises(Forbidden, match=why):
        services.resolve_withdrawal(
            getattr(dispute, who), dispute.sent.pk, outcome=outcome, reason="Mine to say"
        )
    assert _books() == before


def test_bad_input_names_each_field_and_changes_nothing(dispute: SimpleNamespace) -> None:
    before = _books()
    with pytest.raises(InvalidInput) as caught:
        services.resolve_withdrawal(dispute.cy, dispute.sent.pk, outcome="maybe", reason=" ")
    assert {field for field, _ in caught.value.problems} == {"outcome", "reason"}
    with pytest.raises(NotFound):
        services.resolve_withdrawal(dispute.cy, 999, outcome="paid", reason="x")
    assert _books() == before


def test_a_pending_payout_is_not_for_a_third_member_to_settle(dispute: SimpleNamespace) -> None:
    services.resolve_withdrawal(dispute.cy, dispute.sent.pk, outcome="cancelled", reason="No")
    pending = services.record_withdrawal(
        dispute.bo, member_id=dispute.ada.pk, amount="10.00", currency="EUR", reference="S-9"
    )
    with pytest.raises(Conflict, match="this one is waiting for the payee"):
        services.resolve_withdrawal(dispute.cy, pending.pk, outcome="paid", reason="Seen")


def test_the_waiting_list_shows_who_settles_it_and_what_happens_next(
    dispute: SimpleNamespace,
) -> None:
    assert waiting.waiting_for(dispute.cy).disputes == [dispute.sent]
    assert waiting.waiting_for(dispute.cy).count == 1
    for party in (dispute.ada, dispute.bo):
        found = waiting.waiting_for(party)
        assert (found.disputes, found.own_disputes) == ([], [dispute.sent])
    assert waiting.waiting_for(dispute.fresh).disputes == []

    client = Client()
    client.force_login(dispute.cy)
    page = client.get("/books/waiting/").content.decode()
    assert "Disputed payouts to settle" in page
    assert f"/books/withdrawals/{dispute.sent.pk}/resolve/" in page
    client.force_login(dispute.ada)
    page = client.get("/books/waiting/").content.decode()
    assert "What happens next: another member who may handle money" in page
    assert f"/books/withdrawals/{dispute.sent.pk}/resolve/" not in page


def test_the_web_page_settles_it_and_lists_problems_at_the_top(dispute: SimpleNamespace) -> None:
    client = Client()
    client.force_login(dispute.cy)
    url = f"/books/withdrawals/{dispute.sent.pk}/resolve/"
    shown = client.get(url).content.decode()
    assert "Nothing arrived" in shown and "Settle the dispute" in shown
    bad = client.post(url, {"outcome": "paid", "reason": ""})
    assert bad.status_code == 200
    assert "How you know is required." in bad.content.decode()
    assert Withdrawal.objects.get(pk=dispute.sent.pk).status == "disputed"
    done = client.post(url, {"outcome": "paid", "reason": "On the statement"}, follow=True)
    assert "is in the books" in done.content.decode()
    assert Withdrawal.objects.get(pk=dispute.sent.pk).status == "confirmed"


def test_the_web_refuses_the_payee_with_a_403_page(dispute: SimpleNamespace) -> None:
    client = Client()
    client.force_login(dispute.ada)
    before = _books()
    refused = client.post(
        f"/books/withdrawals/{dispute.sent.pk}/resolve/", {"outcome": "paid", "reason": "Mine"}
    )
    assert refused.status_code == 403
    assert "a third member must resolve" in refused.content.decode()
    assert _books() == before


def test_the_api_settles_it_and_refuses_the_recorder(dispute: SimpleNamespace) -> None:
    _, bo_token = community.create_token(dispute.bo, name="t")
    path = f"/withdrawals/{dispute.sent.pk}/resolve"
    refused = ApiClient(bo_token).post(path, {"outcome": "paid", "reason": "I sent it"})
    assert refused.status_code == 403
    assert "a third member must resolve" in refused.json()["detail"]
    _, cy_token = community.create_token(dispute.cy, name="t")
    cy = ApiClient(cy_token)
    assert cy.get("/books/waiting").json()["disputes"][0]["id"] == dispute.sent.pk
    bad = cy.post(path, {"outcome": "maybe", "reason": "x"})
    assert bad.status_code == 422
    done = cy.post(path, {"outcome": "cancelled", "reason": "Not on the statement"})
    assert done.status_code == 200, done.content
    body = done.json()
    assert (body["status"], body["resolution"], body["resolved_by"]["id"]) == (
        "cancelled",
        "cancelled",
        dispute.cy.pk,
    )


def test_the_cli_settles_it(dispute: SimpleNamespace) -> None:
    runner = CliRunner()
    shown = runner.invoke(main, ["books", "waiting"], env={"COMMONSHARE_MEMBER": dispute.cy.email})
    assert f"commonshare books resolve {dispute.sent.pk}" in shown.output
    refused = runner.invoke(
        main,
        ["books", "resolve", str(dispute.sent.pk), "--outcome", "paid", "--reason", "Sent"],
        env={"COMMONSHARE_MEMBER": dispute.bo.email},
    )
    assert refused.exit_code == 2
    assert "a third member must resolve" in refused.output
    done = runner.invoke(
        main,
        ["books", "resolve", str(dispute.sent.pk), "--outcome", "paid", "--reason", "Seen"],
        env={"COMMONSHARE_MEMBER": dispute.cy.email},
    )
    assert done.exit_code == 0, done.output
    assert "settled as paid, in journal entry" in done.output
