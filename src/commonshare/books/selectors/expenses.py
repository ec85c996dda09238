"""Expense claims with where each stands (pending, approved, rejected).

Import it as ``commonshare.books.selectors.expenses``: ``decide_expense`` reads the
status rule from here, so this module imports nothing of the services.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from commonshare.books.models import ExpenseDecision
from commonshare.books.vocab import ExpenseStatus
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
    """pending, approved or rejected: N approvals approve, N rejections reject.

    N is the number of the policy in force on the day the claim was logged
    (``policy``, when the caller already read it with ``policy_for``).
    """
    needed = (policy or policy_for(contribution)).expenses.approvals
    verdicts = list(contribution.expense_decisions.values_list("verdict", flat=True))
    if verdicts.count(ExpenseDecision.Verdict.APPROVE) >= needed:
        return ExpenseStatus.APPROVED
    if verdicts.count(ExpenseDecision.Verdict.REJECT) >= needed:
        return ExpenseStatus.REJECTED
    return ExpenseStatus.PENDING


def expense_claims(status: str | None = None) -> list[Contribution]:
    """Expense claims with their status (pending, approved, rejected), newest first."""
    claims = list(
        Contribution.objects.filter(kind=Contribution.Kind.EXPENSE)
        .select_related("author")
        .prefetch_related("expense_decisions__member")
        .order_by("-created_at", "-id")
    )
    policy_on = policies_by_day()
    for claim in claims:
        claim.status = expense_status(claim, policy_on(logged_on(claim)))  # type: ignore[attr-defined]
    return [c for c in claims if status is None or c.status == status]  # type: ignore[attr-defined]


def expense_claim(contribution_id: int) -> Contribution:
    """One expense claim with its decisions and its status; NotFound if there is none."""
    claim = (
        Contribution.objects.filter(pk=contribution_id)
        .select_related("author")
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
