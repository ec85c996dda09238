"""What waits for a member's confirmation: the one reading behind the web's "waiting for
you" page, the API's ``/books/waiting`` and ``commonshare books waiting``.

Import it as ``commonshare.books.selectors.waiting`` (it reads expense claims, which the
package's ``__init__`` does not re-export).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import QuerySet

from commonshare.books.models import Income, ReversalRequest, Withdrawal
from commonshare.books.selectors.expenses import expense_claims, may_decide
from commonshare.books.vocab import ExpenseStatus, IncomeStatus, ReversalStatus, WithdrawalStatus
from commonshare.community.models import Member
from commonshare.errors import NotFound
from commonshare.work import trust
from commonshare.work.models import Contribution


@dataclass
class Waiting:
    """Each list holds what this member, and nobody else's say, can move on."""

    incomes: list[Income] = field(default_factory=list)
    withdrawals: list[Withdrawal] = field(default_factory=list)
    # Disputed payouts this member may settle (a third member: neither payee nor recorder).
    disputes: list[Withdrawal] = field(default_factory=list)
    # Disputed payouts this member is party to: shown with what happens next, not theirs to move.
    own_disputes: list[Withdrawal] = field(default_factory=list)
    reversals: list[ReversalRequest] = field(default_factory=list)
    claims: list[Contribution] = field(default_factory=list)

    @property
    def count(self) -> int:
        return (
            len(self.incomes)
            + len(self.withdrawals)
            + len(self.disputes)
            + len(self.reversals)
            + len(self.claims)
        )


def pending_incomes() -> list[Income]:
    """Income waiting for confirmation, oldest first, with any likely duplicate it has."""
    return list(
        Income.objects.filter(status=IncomeStatus.PENDING)
        .select_related("recorded_by", "duplicate_of")
        .order_by("created_at", "id")
    )


def pending_reversals() -> list[ReversalRequest]:
    """Reversals asked for and waiting for a second member, oldest first."""
    return list(
        ReversalRequest.objects.filter(status=ReversalStatus.PENDING)
        .select_related("requested_by")
        .order_by("created_at", "id")
    )


def withdrawals_to_answer(member: Member) -> list[Withdrawal]:
    """Payouts recorded to ``member`` that wait for them to confirm or dispute."""
    return list(
        Withdrawal.objects.filter(member=member, status=WithdrawalStatus.PENDING)
        .select_related("recorded_by")
        .order_by("created_at", "id")
    )


def disputed_withdrawals() -> list[Withdrawal]:
    """Payouts their payee disputed, waiting for a third member to settle, oldest first."""
    return list(
        Withdrawal.objects.filter(status=WithdrawalStatus.DISPUTED)
        .select_related("member", "recorded_by")
        .order_by("answered_at", "id")
    )


def waiting_for(member: Member) -> Waiting:
    """What ``member`` may confirm now, by the same rules the services apply."""
    waiting = Waiting(withdrawals=withdrawals_to_answer(member))
    disputed = disputed_withdrawals()
    waiting.own_disputes = [w for w in disputed if member.pk in (w.member_id, w.recorded_by_id)]
    if trust.has_power(member, trust.Power.MONEY):
        waiting.disputes = [w for w in disputed if w not in waiting.own_disputes]
        waiting.incomes = [i for i in pending_incomes() if i.recorded_by_id != member.pk]
        waiting.reversals = [r for r in pending_reversals() if r.requested_by_id != member.pk]
    if trust.has_power(member, trust.Power.APPROVE_EXPENSES):
        waiting.claims = [
            claim
            for claim in expense_claims(ExpenseStatus.PENDING)
            if may_decide(claim, member.pk)
            and all(d.member_id != member.pk for d in claim.expense_decisions.all())
        ]
    return waiting


def reversal_requests() -> QuerySet[ReversalRequest]:
    """Every reversal asked for, newest first."""
    return ReversalRequest.objects.select_related("requested_by", "confirmed_by").order_by(
        "-created_at", "-id"
    )


def reversal_request(request_id: int) -> ReversalRequest:
    found = (
        ReversalRequest.objects.select_related("requested_by", "confirmed_by")
        .filter(pk=request_id)
        .first()
    )
    if found is None:
        raise NotFound(f"No reversal request with id {request_id}.")
    return found


def withdrawal(withdrawal_id: int) -> Withdrawal:
    """One payout, with who was paid, who recorded it and who settled any dispute."""
    found = (
        Withdrawal.objects.select_related("member", "recorded_by", "resolved_by")
        .filter(pk=withdrawal_id)
        .first()
    )
    if found is None:
        raise NotFound(f"No withdrawal with id {withdrawal_id}.")
    return found
