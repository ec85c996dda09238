"""An expense claim is judged by the rules of the day it was logged, and paid once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from commonshare.books import journal, services
from commonshare.books.models import ExpenseDecision
from commonshare.books.selectors import expenses
from commonshare.errors import Conflict
from commonshare.work import services as work
from commonshare.work.models import Contribution
from commonshare.work.services import ContributionInput

pytestmark = pytest.mark.django_db
# Before the versions tests adopt take effect (early 2000): version 1's rules apply.
LOGGED_LONG_AGO = dt.datetime(1999, 12, 1, 12, tzinfo=dt.UTC)


def _old_claim(author, amount: str = "10.00") -> Contribution:
    """A claim logged while version 1 (two approvals) was in force, before approvers were
    drawn: any member who may approve expenses decides it."""
    claim = work.log_contribution(
        author,
        ContributionInput(
            kind="expense",
            summary="Domain",
            amount=amount,
            currency="EUR",
            receipt=SimpleUploadedFile("r.pdf", b"%PDF"),
        ),
    )
    Contribution.objects.filter(pk=claim.pk).update(
        created_at=LOGGED_LONG_AGO, approvers=None, approver_pool=None, approver_seed=""
    )
    return Contribution.objects.get(pk=claim.pk)


def _postings(claim: Contribution) -> int:
    return sum(1 for entry in journal.stream() if entry.source == f"expense:{claim.pk}")


def test_more_approvals_later_do_not_reopen_a_paid_claim(make_member, adopt_rules) -> None:
    ada, bo, cy, di = (make_member(n) for n in ("Ada", "Bo", "Cy", "Di"))
    claim = _old_claim(ada)
    services.decide_expense(bo, claim.pk, verdict="approve")
    services.decide_expense(cy, claim.pk, verdict="approve")
    assert _postings(claim) == 1
    adopt_rules(expenses={"approvals": 3})
    assert expenses.expense_status(claim) == "approved"
    assert expenses.expense_claim(claim.pk).status == "approved"
    with pytest.raises(Conflict, match="already approved"):
        services.decide_expense(di, claim.pk, verdict="approve")
    assert _postings(claim) == 1
    assert services.owed_minor(ada.pk, "EUR") == 1000


def test_fewer_approvals_later_do_not_approve_a_claim_unpaid(make_member, adopt_rules) -> None:
    ada, bo, cy = make_member("Ada"), make_member("Bo"), make_member("Cy")
    claim = _old_claim(ada)
    services.decide_expense(bo, claim.pk, verdict="approve")
    adopt_rules(expenses={"approvals": 1})
    assert expenses.expense_status(claim) == "pending"
    assert [c.pk for c in expenses.expense_claims("pending")] == [claim.pk]
    services.decide_expense(cy, claim.pk, verdict="approve")
    assert expenses.expense_status(claim) == "approved"
    assert _postings(claim) == 1
    assert services.owed_minor(ada.pk, "EUR") == 1000


def test_a_claim_logged_under_new_rules_follows_them(make_member, adopt_rules) -> None:
    ada, bo = make_member("Ada"), make_member("Bo")
    adopt_rules(expenses={"approvals": 1})
    claim = work.log_contribution(
        ada,
        ContributionInput(
            kind="expense",
            summary="Domain",
            amount="10.00",
            currency="EUR",
            receipt=SimpleUploadedFile("r.pdf", b"%PDF"),
        ),
    )
    services.decide_expense(bo, claim.pk, verdict="approve")
    assert expenses.expense_status(claim) == "approved"
    assert _postings(claim) == 1


def test_a_claim_already_in_the_journal_is_never_posted_again(make_member) -> None:
    ada, bo, cy, di = (make_member(n) for n in ("Ada", "Bo", "Cy", "Di"))
    claim = _old_claim(ada)
    services.decide_expense(bo, claim.pk, verdict="approve")
    services.decide_expense(cy, claim.pk, verdict="approve")
    # Someone with the tables' keys removes an approval: the claim reads pending again.
    ExpenseDecision.objects.filter(contribution=claim, member=cy).delete()
    with pytest.raises(Conflict, match="already in the books"):
        services.decide_expense(di, claim.pk, verdict="approve")
    assert _postings(claim) == 1
    assert not ExpenseDecision.objects.filter(member=di).exists()


def test_the_claims_list_reads_each_policy_version_once(make_member, adopt_rules) -> None:
    ada = make_member("Ada")
    for _ in range(4):
        _old_claim(ada)
    adopt_rules(expenses={"approvals": 3})
    for _ in range(4):
        work.log_contribution(
            ada,
            ContributionInput(
                kind="expense",
                summary="Later",
                amount="5.00",
                currency="EUR",
                receipt=SimpleUploadedFile("r.pdf", b"%PDF"),
            ),
        )
    with CaptureQueriesContext(connection) as queries:
        claims = expenses.expense_claims()
    assert len(claims) == 8
    policy_reads = [q for q in queries.captured_queries if "policyversion" in q["sql"].lower()]
    assert len(policy_reads) <= 1


def test_the_claim_page_says_the_approvals_its_own_policy_needs(
    make_member, adopt_rules, client
) -> None:
    ada = make_member("Ada")
    claim = _old_claim(ada)
    adopt_rules(expenses={"approvals": 3})
    page = client.get(f"/contributions/{claim.pk}/").content.decode()
    assert "2 approvals by members other than the claimant" in page
