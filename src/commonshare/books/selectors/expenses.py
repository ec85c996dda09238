"""Expense claims with where each stands (pending, approved, rejected).

Import it as ``commonshare.books.selectors.expenses``: ``decide_expense`` reads the
status rule from here, so this module imports nothing of the services.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.utils import timezone

from commonshare import paging
from commonshare.books.models import ExpenseByDecision, ExpenseDecision
from commonshare.books.vocab import ExpenseStatus
from commonshare.core.money import from_minor
from commonshare.core.policy import Policy
from commonshare.errors import NotFound
from commonshare.governance.selectors import current_policy, policies_by_day
from commonshare.work.models import Contribution


def logged_on(contribution: Contribution) -> dt.date:
    """The day a claim was logged, whose policy says how many approvals it needs."""
    return timezone.localdate(contribution.created_at)


def policy_for(contribution: Contribution) -> Policy:
    """The policy in force on the day ``contribution`` was logged.

    A version adopted later does not change a claim already logged: raising the
    approvals needed would reopen a claim already paid, lowering them would approve
    one that was never posted.
    """
    return current_policy(at=logged_on(contribution))


def expense_status(contribution: Contribution, policy: Policy | None = None) -> str:
    """Where a claim stands, by the policy in force on the day it was logged.

    N is that policy's ``expenses.approvals``. A claim approved by an adopted decision is
    approved. A claim with drawn approvers (``Contribution.approvers``) is approved when N
    of them approve, and rejected once that can no longer happen; it needs a decision when
    its amount is above the policy's ``expenses.decision_above`` or fewer than N members
    could be drawn. A claim logged before approvers were drawn keeps the earlier rule: N
    approvals approve it, N rejections reject it.
    """
    rules = (policy or policy_for(contribution)).expenses
    if _by_decision(contribution):
        return ExpenseStatus.APPROVED
    decisions = [(d.member_id, d.verdict) for d in contribution.expense_decisions.all()]
    drawn = contribution.approvers
    if drawn is None:
        return _earlier_rule([verdict for _, verdict in decisions], rules.approvals)
    amount = from_minor(contribution.amount_minor or 0, contribution.currency or "EUR")
    if rules.needs_decision(amount, contribution.currency) or len(drawn) < rules.approvals:
        return ExpenseStatus.NEEDS_DECISION
    by_drawn = {member: verdict for member, verdict in decisions if member in drawn}
    approved = sum(v == ExpenseDecision.Verdict.APPROVE for v in by_drawn.values())
    undecided = len(drawn) - len(by_drawn)
    if approved >= rules.approvals:
        return ExpenseStatus.APPROVED
    if approved + undecided < rules.approvals:
        return ExpenseStatus.REJECTED
    return ExpenseStatus.PENDING


def _earlier_rule(verdicts: list[str], needed: int) -> str:
    """Claims logged before approvers were drawn: N approvals approve, N rejections reject."""
    if verdicts.count(ExpenseDecision.Verdict.APPROVE) >= needed:
        return ExpenseStatus.APPROVED
    if verdicts.count(ExpenseDecision.Verdict.REJECT) >= needed:
        return ExpenseStatus.REJECTED
    return ExpenseStatus.PENDING


def _by_decision(contribution: Contribution) -> bool:
    try:
        return contribution.approved_by_decision is not None
    except ExpenseByDecision.DoesNotExist:
        return False


def may_decide(contribution: Contribution, member_id: int) -> bool:
    """True when the member is one of the claim's drawn approvers (or, for a claim logged
    before approvers were drawn, anyone but the claimant: the trust level is checked by
    the service)."""
    if contribution.author_id == member_id:
        return False
    return contribution.approvers is None or member_id in contribution.approvers


def _claims() -> QuerySet[Contribution]:
    return (
        Contribution.objects.filter(kind=Contribution.Kind.EXPENSE)
        .select_related("author")
        .select_related("approved_by_decision")
        .prefetch_related("expense_decisions__member")
        .order_by("-created_at", "-id")
    )


def expense_claims_queryset() -> QuerySet[Contribution]:
    """Every expense claim, newest first, with what its status is worked out from."""
    return _claims()


def with_status(claims: list[Contribution]) -> list[Contribution]:
    """``claims``, each with its ``status`` by the policy of the day it was logged."""
    policy_on = policies_by_day()
    for claim in claims:
        claim.status = expense_status(claim, policy_on(logged_on(claim)))  # type: ignore[attr-defined]
    return claims


def expense_claims(status: str | None = None) -> list[Contribution]:
    """Every expense claim with its status (pending, approved, rejected), newest first."""
    claims = with_status(list(_claims()))
    return [c for c in claims if status is None or c.status == status]  # type: ignore[attr-defined]


def expense_claims_page(
    status: str | None = None, *, cursor: str | None = None, size: int = paging.DEFAULT_SIZE
) -> paging.Page[Contribution]:
    """One page of expense claims, newest first, with their status (see ``paging.page``)."""
    keep = None if status is None else (lambda claim: claim.status == status)
    return paging.page(_claims(), cursor=cursor, size=size, dress=with_status, keep=keep)


def expense_claim(contribution_id: int) -> Contribution:
    """One expense claim with its decisions and its status; NotFound if there is none."""
    claim = (
        Contribution.objects.filter(pk=contribution_id)
        .select_related("author")
        .select_related("approved_by_decision")
        .prefetch_related("expense_decisions__member")
        .first()
    )
    if claim is None:
        raise NotFound(f"No contribution with id {contribution_id}.")
    if claim.kind != Contribution.Kind.EXPENSE:
        raise NotFound(f"Contribution {contribution_id} is not an expense claim.")
    claim.status = expense_status(claim)  # type: ignore[attr-defined]
    return claim


def decisions_on(claim: Contribution) -> list[ExpenseDecision]:
    """The peers' decisions on an expense claim, with who made each, oldest first."""
    return list(claim.expense_decisions.select_related("member").order_by("created_at", "id"))
