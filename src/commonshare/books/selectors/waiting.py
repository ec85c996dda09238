"""What waits for a member's confirmation: the one reading behind the web's "waiting for
you" page, the API's ``/books/waiting`` and ``commonshare books waiting``.

Import it as ``commonshare.books.selectors.waiting`` (it reads expense claims, which the
package's ``__init__`` does not re-export).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, QuerySet
from django.utils import timezone

from commonshare.books.challenges import Standing, standings
from commonshare.books.models import Distribution, Income, Payout, ReversalRequest, Withdrawal
from commonshare.books.selectors.expenses import expense_claims, may_decide
from commonshare.books.vocab import (
    DistributionStatus,
    ExpenseStatus,
    IncomeStatus,
    ReversalStatus,
    WithdrawalStatus,
)
from commonshare.community.models import Member
from commonshare.core.words import long_datetime, period_words
from commonshare.errors import NotFound
from commonshare.work import trust
from commonshare.work.models import Contribution


@dataclass
class Challenge:
    """A proposed distribution in its challenge window: what it pays, when it posts, and
    how this member may object (everyone sees it; members at the money level may object)."""

    distribution: Distribution
    payees: int
    yours: Payout | None
    standing: Standing

    @property
    def posts_at(self) -> dt.datetime:
        return self.standing.closes_at

    @property
    def number(self) -> int:
        return self.standing.number

    @property
    def period_name(self) -> str:
        return period_words(self.distribution.period_start, self.distribution.period_end)

    @property
    def may_object(self) -> bool:
        return not self.standing.refusal

    def posts(self, now: dt.datetime | None = None) -> str:
        """When it posts, in a sentence."""
        when = long_datetime(timezone.localtime(self.posts_at))
        if self.standing.in_vote:
            return (
                f"A member objected, so it is now a majority vote, open until {when}: it posts "
                "only if the vote passes it, and is withdrawn if the vote rejects it."
            )
        if (timezone.now() if now is None else now) < self.posts_at:
            return f"It posts on {when}, when its decision closes, unless someone objects."
        return (
            f"Its window closed on {when}: it posts when its decision is closed, which anyone "
            "may do now."
        )

    def how_to_object(self) -> str:
        """What this member can do about it, in a sentence."""
        number = self.standing.number
        if self.standing.refusal:
            return (
                f"{self.standing.refusal} Every payout, and why, is on the distribution's page "
                "for anyone to check."
            )
        if self.standing.in_vote:
            if self.standing.objected:
                return f"You voted against it in decision {number}; you can change your ballot."
            return f"To stop it, vote against it in decision {number} before the vote closes."
        if self.standing.objected:
            return (
                f"You objected in decision {number}: at its close it becomes a majority vote. "
                "You can change your ballot until then."
            )
        return (
            f"To object, give your reason in decision {number} before it closes: an objection "
            "turns it into a majority vote."
        )


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
    # Distributions in their challenge window: shown to everyone, not counted as waiting
    # for this member's word (nobody needs to act for one to post).
    challenges: list[Challenge] = field(default_factory=list)

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


def in_challenge(member: Member) -> list[Challenge]:
    """Proposed distributions whose decision is not closed yet, the first to post first,
    each with how many members it pays, ``member``'s own payout and their standing."""
    found = list(
        Distribution.objects.filter(
            status=DistributionStatus.PROPOSED, decision_number__isnull=False
        )
        .defer("request", "result", "policy")
        .annotate(payees=Count("payouts"))
        .order_by("challenge_ends_at", "id")
    )
    if not found:
        return []
    yours = {
        payout.distribution_id: payout
        for payout in Payout.objects.defer("explanation").filter(
            distribution__in=found, member=member
        )
    }
    standing = standings([d.decision_number for d in found if d.decision_number], member)
    shown = [
        Challenge(d, d.payees, yours.get(d.pk), standing[d.decision_number])
        for d in found
        if d.decision_number in standing and not standing[d.decision_number].closed
    ]
    return sorted(shown, key=lambda c: (c.posts_at, c.distribution.pk))


def waiting_for(member: Member) -> Waiting:
    """What ``member`` may confirm now, by the same rules the services apply, and the
    distributions in their challenge window."""
    waiting = Waiting(withdrawals=withdrawals_to_answer(member), challenges=in_challenge(member))
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
