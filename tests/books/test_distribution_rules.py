"""Rules that keep pay exact over many distributions: nothing paid twice, nothing lost."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from tests.dates import live_today
from tests.distributing import distribute
from tests.money import paid_out, posted_income, reversed_entry

from commonshare.books import distribution as distributions
from commonshare.books import journal, journal_verify, services
from commonshare.books.selectors import expenses, owed
from commonshare.community.models import Member
from commonshare.errors import Conflict, InvalidInput
from commonshare.work import services as work
from commonshare.work.models import Contribution
from commonshare.work.services import ContributionInput

pytestmark = pytest.mark.django_db
TODAY = live_today(__name__)


def _income(member, amount: str, currency: str = "EUR") -> None:
    posted_income(
        member, amount=amount, currency=currency, payer="P", description="d", received_on=TODAY
    )


def _claim(author, amount: str = "10.00", summary: str = "Domain") -> Contribution:
    return work.log_contribution(
        author,
        ContributionInput(
            kind="expense",
            summary=summary,
            amount=amount,
            currency="EUR",
            receipt=SimpleUploadedFile("r.pdf", b"%PDF"),
        ),
    )


def test_resources_are_paid_once_and_only_in_the_price_currency(make_member) -> None:
    ada, bo = make_member("Ada"), make_member("Bo")
    lent = work.log_contribution(
        ada,
        ContributionInput(
            kind="resource",
            summary="Server",
            units="1000",
            unit_name="server hours",
            evidence_text="metered",
        ),
    )
    work.submit_review(bo, lent.pk, rating=4, comment="ok")
    for currency in ("EUR", "USD"):
        _income(bo, "1000.00", currency)
    # In USD the resource is not paid, and with no work either there is nothing to pay.
    with pytest.raises(Conflict, match="Nothing to pay"):
        distribute(bo, currency="USD")
    eur = distribute(bo, currency="EUR")
    assert [p["amount"] for p in eur.result["resource_payments"]] == ["50.00"]
    # Any later distribution, in any currency, sees the resource as paid.
    assert distributions.settled_contributions("USD")[1] == {lent.pk}
    assert services.owed_minor(ada.pk, "EUR") == 5000
    assert services.owed_minor(ada.pk, "USD") == 0


def test_work_reviewed_after_its_period_is_paid_by_the_next_distribution(make_member) -> None:
    ada, bo, cy = make_member("Ada"), make_member("Bo"), make_member("Cy")
    late = work.log_contribution(
        ada, ContributionInput(kind="work", summary="x", hours="10", evidence_text="e")
    )
    other = work.log_contribution(
        cy, ContributionInput(kind="work", summary="y", hours="1", evidence_text="e")
    )
    for assignment in other.assignments.all():
        work.submit_review(assignment.reviewer, other.pk, rating=5, comment="c")
    Contribution.objects.update(created_at=timezone.now() - dt.timedelta(days=2))
    _income(bo, "100.00")
    first = distribute(bo, currency="EUR", amount="20.00")
    assert {c["id"] for c in first.request["contributions"]} == {str(other.pk)}
    for assignment in late.assignments.all():  # the reviews come in after that period
        work.submit_review(assignment.reviewer, late.pk, rating=5, comment="c")
    second = distribute(bo, currency="EUR", amount="20.00")
    assert {c["id"] for c in second.request["contributions"]} == {str(late.pk)}
    assert services.owed_minor(ada.pk, "EUR") == 2000


def test_an_expense_claim_is_fixed_once_a_peer_decided(make_member) -> None:
    ada, bo = make_member("Ada"), make_member("Bo")
    make_member("Cy")  # two approvers are drawn: Bo and Cy
    claim = _claim(ada)
    services.decide_expense(bo, claim.pk, verdict="approve")
    bigger = ContributionInput(
        kind="expense", summary="Domain", amount="9000.00", currency="EUR", evidence_text="e"
    )
    with pytest.raises(Conflict, match="decided"):
        work.edit_contribution(ada, claim.pk, bigger)
    assert Contribution.objects.get(pk=claim.pk).amount_minor == 1000


def test_a_contribution_keeps_its_kind(make_member) -> None:
    ada, _ = make_member("Ada"), make_member("Bo")
    claim = _claim(ada)
    as_work = ContributionInput(kind="work", summary="x", hours="1000", evidence_text="e")
    with pytest.raises(InvalidInput) as caught:
        work.edit_contribution(ada, claim.pk, as_work)
    assert caught.value.field == "kind"


def test_a_reversal_never_makes_money_appear(make_member) -> None:
    ada, bo, cy = make_member("Ada"), make_member("Bo"), make_member("Cy")
    _income(bo, "100.00")
    claim = _claim(ada, "50.00")
    services.decide_expense(bo, claim.pk, verdict="approve")
    services.decide_expense(cy, claim.pk, verdict="approve")
    paid_out(bo, member_id=ada.pk, amount="50.00", currency="EUR", reference="TR")
    approval = next(e for e in journal.stream() if e.source == f"expense:{claim.pk}")
    reversed_entry(bo, approval.seq, reason="The claim was a duplicate")
    assert services.owed_minor(ada.pk, "EUR") == -5000  # Ada owes the commons now
    assert owed.distributable_minor("EUR") == journal.balance("assets:bank", "EUR") == 4000


@pytest.mark.parametrize("text", ["Team 👩‍💻 laptop", "two\nlines", "tab\there", "x" * 199])
def test_any_summary_a_member_may_type_can_be_approved(make_member, text: str) -> None:
    ada, bo, cy = make_member("Ada"), make_member("Bo"), make_member("Cy")
    claim = _claim(ada, summary=text)
    services.decide_expense(bo, claim.pk, verdict="approve")
    services.decide_expense(cy, claim.pk, verdict="approve")
    assert expenses.expense_status(claim) == "approved"
    assert journal_verify.verify().ok


def test_a_member_with_any_display_name_can_be_paid(make_member) -> None:
    ada, bo, cy = make_member("Ada"), make_member("Bo"), make_member("Cy")
    # The display-name rule now refuses these characters, but a name chosen before it came
    # is kept as it was (the migration refuses nothing): paying its holder must still work.
    Member.objects.filter(pk=ada.pk).update(display_name="Ada\u200f\u200d")
    _income(bo, "100.00")
    claim = _claim(ada)
    services.decide_expense(bo, claim.pk, verdict="approve")
    services.decide_expense(cy, claim.pk, verdict="approve")
    paid_out(bo, member_id=ada.pk, amount="10.00", currency="EUR", reference="TR\t1")
    assert services.owed_minor(ada.pk, "EUR") == 0


def test_absurd_amounts_are_refused_not_a_crash(make_member) -> None:
    with pytest.raises(InvalidInput) as caught:
        posted_income(
            make_member(),
            amount="100000000000000000000",
            currency="EUR",
            payer="P",
            description="d",
            received_on=TODAY,
        )
    assert caught.value.field == "amount"


def test_huge_ids_in_page_addresses_are_not_found(client) -> None:
    for path in (
        "/books/entries/1234567890123456789012345/",
        "/tasks/99999999999999999999999/",
        "/books/distributions/1/payouts/1234567890123456789012345/",
    ):
        assert client.get(path).status_code == 404
