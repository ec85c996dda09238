"""What a passed decision carries besides a policy change: a norm's new version, the steward
phase's early end, an expense claim that needs a decision, a reversal. Each runs once, in the
close, through the owning app's private helper; the close's one event names it all."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from commonshare.audit.models import AuditEvent
from commonshare.books.models import JournalEntry
from commonshare.books.selectors import expenses
from commonshare.decisions import effects, services
from commonshare.errors import InvalidInput
from commonshare.governance.models import NormVersion
from commonshare.governance.selectors import current_norm
from commonshare.work import services as work
from commonshare.work import steward
from commonshare.work.models import StewardPhaseEnd
from tests.decisions.helpers import after_close, make_proposal
from tests.money import posted_income

pytestmark = pytest.mark.django_db


def _pass(proposal: Any, *voters: Any) -> Any:
    for voter in voters:
        services.vote(voter, proposal.number, {"choice": "for"})
    with after_close(proposal):
        return services.close_decision(proposal.number)


def test_a_passed_norm_change_adopts_the_next_version_once(make_member: Any) -> None:
    alice, bob = make_member("Alice"), make_member("Bob")
    before = current_norm("purpose")
    text = before.text + "\nWe answer every question within a week.\n"
    proposal = make_proposal(
        alice, kind="rules", effect_kind="norm_change", effect={"kind": "purpose", "text": text}
    )
    closed = _pass(proposal, alice, bob)
    after = current_norm("purpose")
    assert after.number == before.number + 1 and after.text.strip() == text.strip()
    assert after.decision_number == closed.number
    assert "Adopted version 2" in closed.effect_note
    assert not AuditEvent.objects.filter(code__startswith="governance.norm").exists()


def test_a_norm_change_that_changes_nothing_is_refused_when_proposed(make_member: Any) -> None:
    alice = make_member("Alice")
    same = current_norm("purpose").text
    with pytest.raises(InvalidInput) as caught:
        make_proposal(
            alice,
            kind="rules",
            effect_kind="norm_change",
            effect={"kind": "purpose", "text": same},
        )
    assert any(field and field.startswith("effect.") for field, _ in caught.value.problems)
    assert NormVersion.objects.filter(kind="purpose").count() == 1


def test_a_decision_can_end_the_steward_phase_early_and_it_never_comes_back(
    make_member: Any, adopt_rules: Any
) -> None:
    adopt_rules(steward={"ends_after_days": 3650, "ends_at_first_decision": False})
    alice, bob = make_member("Alice", level=None), make_member("Bob", level=None)
    assert steward.phase().is_open
    proposal = make_proposal(alice, kind="rules", effect_kind="end_steward_phase", effect={})
    for voter in (alice, bob):
        services.vote(voter, proposal.number, {"choice": "for"})
    with after_close(proposal):
        closed = services.close_decision(proposal.number)
        assert not steward.phase().is_open
        # Nobody can propose to end it again (nor, now, holds a steward's powers to).
        with pytest.raises(InvalidInput, match="ended already"):
            effects.effect("end_steward_phase").prepare({})
    end = StewardPhaseEnd.objects.get()
    assert end.reason == "closed_early" and end.decision_number == closed.number


def test_the_first_adopted_decision_ends_the_steward_phase(
    make_member: Any, adopt_rules: Any
) -> None:
    adopt_rules(steward={"ends_after_days": 3650})
    alice, bob = make_member("Alice", level=None), make_member("Bob", level=None)
    rejected = make_proposal(alice)
    services.vote(alice, rejected.number, {"choice": "against"})
    with after_close(rejected):
        services.close_decision(rejected.number)
    assert steward.phase().is_open  # a rejected proposal adopts nothing
    closed = _pass(make_proposal(alice), alice, bob)
    end = StewardPhaseEnd.objects.get()
    assert end.reason == "first_decision" and end.decision_number == closed.number


def _claim(author: Any, amount: str) -> Any:
    return work.log_contribution(
        author,
        work.ContributionInput(
            kind="expense",
            summary="A new server",
            amount=amount,
            currency="EUR",
            receipt=SimpleUploadedFile("r.pdf", b"%PDF"),
        ),
    )


def test_a_claim_that_needs_a_decision_is_approved_by_one(
    make_member: Any, adopt_rules: Any
) -> None:
    adopt_rules(expenses={"decision_above": {"EUR": "100"}})
    ada, bo, cy = make_member("Ada"), make_member("Bo"), make_member("Cy")
    claim = _claim(ada, "250.00")
    assert expenses.expense_status(claim) == "needs-decision"
    proposal = make_proposal(
        bo,
        kind="money",
        eligibility=2,
        effect_kind="approve_expense",
        effect={"claim_id": claim.pk},
    )
    closed = _pass(proposal, bo, cy)
    assert expenses.expense_claim(claim.pk).status == "approved"
    assert JournalEntry.objects.filter(source=f"expense:{claim.pk}").count() == 1
    assert "Approved expense claim" in closed.effect_note


def test_a_money_action_the_books_outgrew_closes_and_says_why(
    make_member: Any, adopt_rules: Any
) -> None:
    adopt_rules(expenses={"decision_above": {"EUR": "100"}})
    ada, bo, cy = make_member("Ada"), make_member("Bo"), make_member("Cy")
    claim = _claim(ada, "250.00")
    first = make_proposal(
        bo,
        kind="money",
        eligibility=2,
        effect_kind="approve_expense",
        effect={"claim_id": claim.pk},
    )
    second = make_proposal(
        cy,
        kind="money",
        eligibility=2,
        effect_kind="approve_expense",
        effect={"claim_id": claim.pk},
    )
    _pass(first, bo, cy)
    closed = _pass(second, bo, cy)
    assert closed.outcome == "passed"
    assert closed.effect_note.startswith("The carried action could not run:")
    assert JournalEntry.objects.filter(source=f"expense:{claim.pk}").count() == 1


def test_a_decision_reverses_an_entry(make_member: Any) -> None:
    ada, bo = make_member("Ada"), make_member("Bo")
    posted_income(
        ada, amount="10", currency="EUR", payer="P", description="Twice", received_on="2026-01-02"
    )
    seq = JournalEntry.objects.get(source__startswith="income:").seq
    with pytest.raises(InvalidInput) as caught:
        make_proposal(
            ada, kind="money", eligibility=2, effect_kind="reverse_entry", effect={"seq": seq + 50}
        )
    assert {field for field, _ in caught.value.problems} >= {"effect.seq", "effect.reason"}
    proposal = make_proposal(
        ada,
        kind="money",
        eligibility=2,
        effect_kind="reverse_entry",
        effect={"seq": seq, "reason": "Recorded twice"},
    )
    closed = _pass(proposal, ada, bo)
    assert JournalEntry.objects.count() == 2
    assert f"Reversed journal entry {seq}" in closed.effect_note


def test_a_closed_decision_keeps_saying_what_it_changed(make_member: Any) -> None:
    from commonshare.decisions.presenting import effect_of

    alice, bob = make_member("Alice"), make_member("Bob")
    proposal = make_proposal(
        alice,
        kind="rules",
        effect_kind="policy_change",
        effect={"changes": {"reserve.share": "0.2"}},
    )
    closed = _pass(proposal, alice, bob)
    shown = effect_of(closed)
    assert shown is not None
    # Read after the close, against the rules it adopted, it would compare it with itself.
    assert shown["changes"] == [{"path": "reserve.share", "before": "0.1", "after": "0.2"}]
    assert "would change nothing" not in shown["summary"]


def test_nobody_proposes_approving_their_own_claim_nor_one_its_approvers_decide(
    make_member: Any, adopt_rules: Any
) -> None:
    adopt_rules(expenses={"decision_above": {"EUR": "100"}})
    ada, bo, cy = make_member("Ada"), make_member("Bo"), make_member("Cy")
    big, small = _claim(ada, "9999.00"), _claim(ada, "20.00")
    for claim, who in ((big, ada), (small, bo)):
        with pytest.raises(InvalidInput) as refused:
            make_proposal(
                who,
                kind="money",
                eligibility=2,
                method="lazy_consensus",
                effect_kind="approve_expense",
                effect={"claim_id": claim.pk},
            )
        assert refused.value.field == "effect_kind" or "effect.claim_id" in {
            f for f, _ in refused.value.problems
        }
    assert not JournalEntry.objects.filter(source__startswith="expense:").exists()
    assert cy
