"""What waits for a member's confirmation: the one reading behind the web's "waiting for
you" page, the API's ``/books/waiting`` and ``commonshare books waiting``.

Import it as ``commonshare.books.selectors.waiting`` (it reads expense claims, which the
package's ``__init__`` does not re-export).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import BooleanField, Count, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone

from commonshare import paging
from commonshare.books.challenges import Standing, standings
from commonshare.books.models import Distribution, Income, Payout, ReversalRequest, Withdrawal
from commonshare.books.selectors import expenses
from commonshare.books.selectors.expenses import may_decide
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

SECTIONS = ("incomes", "withdrawals", "disputes", "own_disputes", "reversals", "claims")
"""The lists of the page, each paged on its own: its name is its cursor's parameter."""


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
    """Each list holds what this member, and nobody else's say, can move on: one page of
    it (``pages`` holds each list's page, with the cursors to the pages either side)."""

    incomes: list[Income] = field(default_factory=list)
    withdrawals: list[Withdrawal] = field(default_factory=list)
    # Disputed payouts this member may settle (a third member: neither payee nor recorder).
    disputes: list[Withdrawal] = field(default_factory=list)
    # Disputed payouts this member is party to: shown with what happens next, not theirs to move.
    own_disputes: list[Withdrawal] = field(default_factory=list)
    reversals: list[ReversalRequest] = field(default_factory=list)
    claims: list[Contribution] = field(default_factory=list)
    pages: dict[str, paging.Page[Any]] = field(default_factory=dict)
    # Distributions in their challenge window: shown to everyone, not counted as waiting
    # for this member's word (nobody needs to act for one to post).
    challenges: list[Challenge] = field(default_factory=list)

    @property
    def count(self) -> int:
        """What this page shows that the member may move on (not their own disputes)."""
        return (
            len(self.incomes)
            + len(self.withdrawals)
            + len(self.disputes)
            + len(self.reversals)
            + len(self.claims)
        )

    @property
    def has_more(self) -> bool:
        """Whether any list goes on past this page."""
        return any(page.next_cursor for page in self.pages.values())


def pending_incomes() -> QuerySet[Income]:
    """Income waiting for confirmation, oldest first, with any likely duplicate it has."""
    return (
        Income.objects.filter(status=IncomeStatus.PENDING)
        .select_related("recorded_by", "duplicate_of")
        .order_by("created_at", "id")
    )


def pending_reversals() -> QuerySet[ReversalRequest]:
    """Reversals asked for and waiting for a second member, oldest first."""
    return (
        ReversalRequest.objects.filter(status=ReversalStatus.PENDING)
        .select_related("requested_by")
        .order_by("created_at", "id")
    )


def withdrawals_to_answer(member: Member) -> QuerySet[Withdrawal]:
    """Payouts recorded to ``member`` that wait for them to confirm or dispute."""
    return (
        Withdrawal.objects.filter(member=member, status=WithdrawalStatus.PENDING)
        .select_related("member", "recorded_by", "resolved_by")
        .order_by("created_at", "id")
    )


def disputed_withdrawals() -> QuerySet[Withdrawal]:
    """Payouts their payee disputed, waiting for a third member to settle, oldest first
    (a dispute always has the moment it was answered)."""
    return (
        Withdrawal.objects.filter(status=WithdrawalStatus.DISPUTED, answered_at__isnull=False)
        .select_related("member", "recorded_by", "resolved_by")
        .order_by("answered_at", "id")
    )


def _drawn_for(claims: QuerySet[Contribution], member_pk: int) -> QuerySet[Contribution]:
    """Claims ``member_pk`` was drawn to approve, or that anyone may (drawn before there
    was a draw), found by the database: the list in ``approvers`` holds the id."""
    if connection.vendor == "postgresql":
        return claims.filter(Q(approvers__isnull=True) | Q(approvers__contains=[member_pk]))
    # Django has no JSON containment lookup on SQLite; json_each reads the list instead.
    drawn = RawSQL(
        "EXISTS (SELECT 1 FROM json_each(work_contribution.approvers) AS a WHERE a.value = %s)",
        (member_pk,),
        output_field=BooleanField(),
    )
    return claims.alias(drawn=drawn).filter(Q(approvers__isnull=True) | Q(drawn=True))


def claims_to_decide(member: Member) -> QuerySet[Contribution]:
    """Expense claims ``member`` may decide and has not: not their own, not approved by a
    decision, drawn for them. Whether each is still pending is worked out per claim by
    the policy of its day (``expenses.with_status``), so ``waiting_for`` keeps those."""
    claims = (
        expenses.expense_claims_queryset()
        .exclude(author=member)
        .filter(approved_by_decision__isnull=True)
        .exclude(expense_decisions__member=member)
    )
    return _drawn_for(claims, member.pk)


def _is_pending_for(member_pk: int) -> Callable[[Contribution], bool]:
    def pending(claim: Contribution) -> bool:
        status: str = claim.status  # type: ignore[attr-defined]
        return status == ExpenseStatus.PENDING and may_decide(claim, member_pk)

    return pending


def _lists(member: Member) -> dict[str, tuple[QuerySet[Any], dict[str, Any]]]:
    """Each list this member sees, by the rules the services apply: its rows, and how
    ``paging.page`` dresses and filters them."""
    disputed = disputed_withdrawals()
    party = Q(member=member) | Q(recorded_by=member)
    lists: dict[str, tuple[QuerySet[Any], dict[str, Any]]] = {
        "withdrawals": (withdrawals_to_answer(member), {}),
        "own_disputes": (disputed.filter(party), {}),
    }
    if trust.has_power(member, trust.Power.MONEY):
        lists["disputes"] = (disputed.exclude(party), {})
        lists["incomes"] = (pending_incomes().exclude(recorded_by=member), {})
        lists["reversals"] = (pending_reversals().exclude(requested_by=member), {})
    if trust.has_power(member, trust.Power.APPROVE_EXPENSES):
        lists["claims"] = (
            claims_to_decide(member),
            {"dress": expenses.with_status, "keep": _is_pending_for(member.pk)},
        )
    return lists


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


def waiting_for(
    member: Member,
    cursors: Mapping[str, str | None] | None = None,
    *,
    size: int = paging.DEFAULT_SIZE,
) -> Waiting:
    """What ``member`` may confirm now: one page of each list, at the cursor ``cursors``
    names for it (the first page without one), and the distributions in their challenge
    window. A cursor a list did not hand out is ``paging.BadCursor``."""
    at = cursors or {}
    waiting = Waiting(challenges=in_challenge(member))
    for name, (rows, how) in _lists(member).items():
        found = paging.page(rows, cursor=at.get(name), size=size, **how)
        waiting.pages[name] = found
        setattr(waiting, name, found.items)
    return waiting


def everything_waiting_for(member: Member) -> Waiting:
    """Every row of every list, fetched a page at a time (for the command, which prints
    them all)."""
    waiting = Waiting(challenges=in_challenge(member))
    for name, (rows, how) in _lists(member).items():
        found = paging.page(rows, size=paging.MAX_SIZE, **how)
        every = list(found.items)
        while found.next_cursor:
            found = paging.page(rows, cursor=found.next_cursor, size=paging.MAX_SIZE, **how)
            every.extend(found.items)
        setattr(waiting, name, every)
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
