"""Money that needs more than one person: income, withdrawals, reversals and expense claims
each wait for a second, different member (or a decision) before the books move."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from tests.dates import live_today

from commonshare.books import journal, journal_verify, records, services
from commonshare.books.models import Income, JournalEntry, ReversalRequest, Withdrawal
from commonshare.books.selectors import expenses, owed, pending_income_totals, waiting
from commonshare.core.draw import draw_reviewers
from commonshare.core.ledger import BANK
from commonshare.errors import Conflict, Forbidden, InvalidInput
from commonshare.work import services as work
from commonshare.work.models import Contribution

pytestmark = pytest.mark.django_db
TODAY = live_today(__name__)


def _record(member: Any, amount: str = "100.00", payer: str = "Acme", on: Any = None) -> Income:
    return services.record_income(
        member,
        amount=amount,
        currency="EUR",
        payer=payer,
        description="Support",
        received_on=on or TODAY,
    )


def _claim(author: Any, amount: str = "30.00") -> Contribution:
    claim = work.log_contribution(
        author,
        work.ContributionInput(
            kind="expense",
            summary="Domain",
            amount=amount,
            currency="EUR",
            receipt=SimpleUploadedFile("r.pdf", b"%PDF"),
        ),
    )
    return Contribution.objects.get(pk=claim.pk)


# --- income -------------------------------------------------------------------------------


def test_income_waits_for_a_second_member_and_is_not_distributable(make_member) -> None:
    ada, bo = make_member("Ada"), make_member("Bo")
    income = _record(ada)
    assert income.status == "pending"
    assert not JournalEntry.objects.exists()
    assert owed.distributable_minor("EUR") == 0
    assert pending_income_totals() == [("EUR", 10000)]
    with pytest.raises(Forbidden, match="You recorded this income, so another member"):
        services.confirm_income(ada, income.pk)
    assert Income.objects.get(pk=income.pk).status == "pending"
    assert not JournalEntry.objects.exists()

    confirmed = services.confirm_income(bo, income.pk)
    assert (confirmed.status, confirmed.confirmed_by) == ("confirmed", bo)
    entry = JournalEntry.objects.get(source=f"income:{income.pk}")
    assert (entry.service, entry.actor, entry.date) == ("books.confirm_income", str(bo.pk), TODAY)
    assert entry.commits == records.digest(records.income_content(income.pk))
    assert records.income_content(income.pk)["confirmed_by_id"] == bo.pk
    assert journal.balance(BANK, "EUR") == 9000  # the reserve's 10% of the day received
    assert owed.distributable_minor("EUR") == 9000
    assert pending_income_totals() == []
    with pytest.raises(Conflict, match="already confirmed"):
        services.confirm_income(bo, income.pk)
    assert JournalEntry.objects.count() == 1
    assert records.verify_all().ok


def test_who_confirmed_income_is_committed_to_by_its_entry(make_member) -> None:
    ada, bo, cy = make_member("Ada"), make_member("Bo"), make_member("Cy")
    income = services.confirm_income(bo, _record(ada).pk)
    with transaction.atomic():
        Income.objects.filter(pk=income.pk).update(confirmed_by=cy)
    report = records.verify_all()
    assert any(f"income {income.pk} no longer matches" in line for line in report.records)


def test_pending_income_is_not_named_as_missing_its_entry(make_member) -> None:
    _record(make_member("Ada"))
    assert records.verify_all().ok


def test_a_likely_duplicate_is_flagged_not_refused(make_member) -> None:
    ada, bo = make_member("Ada"), make_member("Bo")
    first = services.confirm_income(bo, _record(ada).pk)
    again = _record(bo, payer="ACME")  # same payer (any case), amount and date
    other_day = _record(bo, on=TODAY - dt.timedelta(days=1))
    other_amount = _record(bo, amount="100.01")
    assert again.duplicate_of == first
    assert other_day.duplicate_of is None and other_amount.duplicate_of is None
    shown = waiting.waiting_for(ada).incomes
    assert [i.pk for i in shown] == [again.pk, other_day.pk, other_amount.pk]
    assert shown[0].duplicate_of_id == first.pk


# --- withdrawals --------------------------------------------------------------------------


@pytest.fixture
def owing(make_member: Callable[..., Any]) -> Any:
    ada, bo, cy = make_member("Ada"), make_member("Bo"), make_member("Cy")
    services.confirm_income(cy, _record(bo).pk)
    claim = _claim(ada)
    for pk in claim.approvers:
        services.decide_expense(bo if pk == bo.pk else cy, claim.pk, verdict="approve")
    assert owed.owed_minor(ada.pk, "EUR") == 3000
    return ada, bo, cy


def test_a_withdrawal_waits_for_the_payee_and_counts_at_once(owing) -> None:
    ada, bo, cy = owing
    with pytest.raises(Forbidden, match="Nobody records a payout to themself"):
        services.record_withdrawal(
            ada, member_id=ada.pk, amount="30.00", currency="EUR", reference="T"
        )
    sent = services.record_withdrawal(
        bo, member_id=ada.pk, amount="20.00", currency="EUR", reference="T-1"
    )
    assert (sent.status, sent.entry_id) == ("pending", None)
    seqs = JournalEntry.objects.count()
    # The same money cannot be recorded as paid twice: 20 of the 30 are on their way.
    with pytest.raises(InvalidInput, match=r"less payouts waiting for confirmation \(10\.00 EUR\)"):
        services.record_withdrawal(
            cy, member_id=ada.pk, amount="20.00", currency="EUR", reference="T-2"
        )
    with pytest.raises(Forbidden, match="Only the member who was paid"):
        services.confirm_withdrawal(bo, sent.pk)
    assert JournalEntry.objects.count() == seqs

    done = services.confirm_withdrawal(ada, sent.pk)
    assert done.status == "confirmed" and done.entry_id == seqs + 1
    entry = JournalEntry.objects.get(pk=done.entry_id)
    assert (entry.service, entry.actor) == ("books.confirm_withdrawal", str(ada.pk))
    assert owed.owed_minor(ada.pk, "EUR") == 1000
    with pytest.raises(Conflict, match="already received"):
        services.confirm_withdrawal(ada, sent.pk)
    assert records.verify_all().ok


def test_a_disputed_withdrawal_posts_nothing_and_frees_what_it_held(owing) -> None:
    ada, bo, _cy = owing
    sent = services.record_withdrawal(
        bo, member_id=ada.pk, amount="30.00", currency="EUR", reference="T-1"
    )
    with pytest.raises(InvalidInput) as caught:
        services.dispute_withdrawal(ada, sent.pk, reason=" ")
    assert caught.value.field == "reason"
    with pytest.raises(Forbidden):
        services.dispute_withdrawal(bo, sent.pk, reason="Nothing arrived")
    disputed = services.dispute_withdrawal(ada, sent.pk, reason="Nothing arrived")
    assert (disputed.status, disputed.dispute_reason, disputed.entry_id) == (
        "disputed",
        "Nothing arrived",
        None,
    )
    assert owed.owed_minor(ada.pk, "EUR") == 3000
    assert owed.pending_withdrawn_minor("EUR") == 0
    with pytest.raises(Conflict):
        services.confirm_withdrawal(ada, sent.pk)
    again = services.record_withdrawal(
        bo, member_id=ada.pk, amount="30.00", currency="EUR", reference="T-2"
    )
    assert again.status == "pending"


def test_a_pending_withdrawal_is_checked_again_when_confirmed(owing) -> None:
    ada, bo, cy = owing
    sent = services.record_withdrawal(
        bo, member_id=ada.pk, amount="30.00", currency="EUR", reference="T-1"
    )
    # The debt is reversed meanwhile: confirming the payout would overpay Ada.
    seq = JournalEntry.objects.get(source__startswith="expense:").seq
    services.confirm_reversal(cy, services.request_reversal(bo, seq, reason="Duplicate").pk)
    with pytest.raises(InvalidInput, match="more than the commons owes"):
        services.confirm_withdrawal(ada, sent.pk)
    assert Withdrawal.objects.get(pk=sent.pk).status == "pending"


# --- reversals ----------------------------------------------------------------------------


def test_a_reversal_waits_for_a_second_member(make_member) -> None:
    ada, bo, cy = make_member("Ada"), make_member("Bo"), make_member("Cy")
    services.confirm_income(bo, _record(ada).pk)
    asked = services.request_reversal(ada, 1, reason="Recorded twice")
    assert JournalEntry.objects.count() == 1
    with pytest.raises(Conflict, match="already has a reversal waiting"):
        services.request_reversal(bo, 1, reason="Again")
    with pytest.raises(Forbidden, match="You asked for this reversal, so another member"):
        services.confirm_reversal(ada, asked.pk)
    assert JournalEntry.objects.count() == 1
    entry = services.confirm_reversal(cy, asked.pk)
    assert entry.reverses == 1
    done = ReversalRequest.objects.get(pk=asked.pk)
    assert (done.status, done.confirmed_by, done.reversal_seq) == ("confirmed", cy, entry.seq)
    with pytest.raises(Conflict, match="already reversed"):
        services.request_reversal(bo, 1, reason="Once more")
    with pytest.raises(Conflict, match="itself a reversal"):
        services.request_reversal(bo, entry.seq, reason="Undo the undo")
    assert journal_verify.verify().ok


def test_a_decision_reverses_an_entry_through_the_private_helper(make_member) -> None:
    ada, bo = make_member("Ada"), make_member("Bo")
    services.confirm_income(bo, _record(ada).pk)
    asked = services.request_reversal(ada, 1, reason="Recorded twice")
    with transaction.atomic():
        entry = services._reverse_by_decision(1, reason="Recorded twice", decision_number=4)
    assert entry.reverses == 1 and entry.actor is None
    done = ReversalRequest.objects.get(pk=asked.pk)
    assert (done.status, done.decision_number, done.reversal_seq) == ("confirmed", 4, entry.seq)
    assert journal_verify.verify().ok


# --- expense claims -----------------------------------------------------------------------


def test_approvers_are_drawn_from_a_published_seed_never_the_claimant(make_member) -> None:
    members = [make_member(f"M{i}") for i in range(6)]
    fresh = make_member("Fresh", level=0)
    claim = _claim(members[0])
    assert str(members[0].pk) not in claim.approver_pool
    assert str(fresh.pk) not in claim.approver_pool  # level 0 may not approve expenses
    assert sorted(claim.approver_pool) == sorted(str(m.pk) for m in members[1:])
    again = draw_reviewers(
        claim.approver_seed, f"expense:{claim.pk}", str(members[0].pk), claim.approver_pool, 2
    )
    assert [int(pk) for pk in again] == claim.approvers
    assert len(claim.approvers) == 2


def test_only_drawn_approvers_decide(make_member) -> None:
    members = [make_member(f"M{i}") for i in range(5)]
    claim = _claim(members[0])
    drawn = [m for m in members if m.pk in claim.approvers]
    others = [m for m in members[1:] if m.pk not in claim.approvers]
    with pytest.raises(Forbidden, match="Only the members drawn at random"):
        services.decide_expense(others[0], claim.pk, verdict="approve")
    assert not claim.expense_decisions.exists()
    services.decide_expense(drawn[0], claim.pk, verdict="approve")
    assert expenses.expense_status(claim) == "pending"
    assert [c.pk for c in waiting.waiting_for(drawn[1]).claims] == [claim.pk]
    assert waiting.waiting_for(drawn[0]).claims == []
    assert waiting.waiting_for(others[0]).claims == []
    services.decide_expense(drawn[1], claim.pk, verdict="approve")
    assert expenses.expense_status(claim) == "approved"
    assert owed.owed_minor(members[0].pk, "EUR") == 3000


def test_a_claim_above_the_policy_amount_needs_a_decision(make_member, adopt_rules) -> None:
    adopt_rules(expenses={"approvals": 2, "decision_above": {"EUR": "100"}})
    ada, bo, cy = make_member("Ada"), make_member("Bo"), make_member("Cy")
    small, big = _claim(ada, "100.00"), _claim(ada, "100.01")
    assert expenses.expense_status(small) == "pending"
    assert expenses.expense_status(big) == "needs-decision"
    with pytest.raises(Conflict, match="needs a decision of the community"):
        services.decide_expense(bo, big.pk, verdict="approve")
    assert not big.expense_decisions.exists()
    with transaction.atomic():
        entry = services._approve_expense_by_decision(big.pk, decision_number=7)
    assert entry.source == f"expense:{big.pk}"
    assert expenses.expense_claim(big.pk).status == "approved"
    assert owed.owed_minor(ada.pk, "EUR") == 10001
    assert records.expense_content(big.pk)["decision_number"] == 7
    with pytest.raises(Conflict), transaction.atomic():
        services._approve_expense_by_decision(big.pk, decision_number=8)
    assert records.verify_all().ok
    assert cy  # a third member, so two approvers could be drawn for the small claim


def test_a_claim_in_a_currency_without_a_limit_needs_a_decision(make_member, adopt_rules) -> None:
    adopt_rules(expenses={"decision_above": {"EUR": "100"}})
    ada = make_member("Ada")
    make_member("Bo"), make_member("Cy")
    claim = work.log_contribution(
        ada,
        work.ContributionInput(
            kind="expense",
            summary="Domain",
            amount="5.00",
            currency="GBP",
            receipt=SimpleUploadedFile("r.pdf", b"%PDF"),
        ),
    )
    assert expenses.expense_claim(claim.pk).status == "needs-decision"


def test_too_few_members_to_draw_means_a_decision(make_member) -> None:
    ada, bo = make_member("Ada"), make_member("Bo")
    claim = _claim(ada)
    assert claim.approvers == [bo.pk]
    assert expenses.expense_status(claim) == "needs-decision"
    with pytest.raises(Conflict, match="needs a decision"):
        services.decide_expense(bo, claim.pk, verdict="approve")


def test_a_claim_logged_before_draws_is_decided_by_any_member_who_may(make_member) -> None:
    ada, bo, cy = make_member("Ada"), make_member("Bo"), make_member("Cy")
    fresh = make_member("Fresh", level=0)
    claim = _claim(ada)
    Contribution.objects.filter(pk=claim.pk).update(approvers=None, approver_pool=None)
    with pytest.raises(Forbidden, match="trust level 2"):
        services.decide_expense(fresh, claim.pk, verdict="approve")
    services.decide_expense(bo, claim.pk, verdict="approve")
    services.decide_expense(cy, claim.pk, verdict="approve")
    assert expenses.expense_claim(claim.pk).status == "approved"


def test_waiting_lists_what_only_this_member_can_move(make_member) -> None:
    ada, bo, cy = make_member("Ada"), make_member("Bo"), make_member("Cy")
    fresh = make_member("Fresh", level=0)
    income = _record(ada)
    assert [i.pk for i in waiting.waiting_for(bo).incomes] == [income.pk]
    assert waiting.waiting_for(ada).incomes == []  # they recorded it
    assert waiting.waiting_for(fresh).count == 0
    services.confirm_income(bo, income.pk)
    asked = services.request_reversal(cy, 1, reason="Wrong payer")
    assert [r.pk for r in waiting.waiting_for(ada).reversals] == [asked.pk]
    assert waiting.waiting_for(cy).reversals == []
