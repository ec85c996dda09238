"""Expense claims with where each stands (pending, approved, rejected).

Import it as ``commonshare.books.selectors.expenses``: the status is the rule in
``books.services.expense_status``, and the services read this package.
"""

from __future__ import annotations

from commonshare.books import services
from commonshare.errors import NotFound
from commonshare.work.models import Contribution


def expense_claims(status: str | None = None) -> list[Contribution]:
    """Expense claims with their status (pending, approved, rejected), newest first."""
    claims = list(
        Contribution.objects.filter(kind=Contribution.Kind.EXPENSE)
        .select_related("author")
        .prefetch_related("expense_decisions__member")
        .order_by("-created_at", "-id")
    )
    for claim in claims:
        claim.status = services.expense_status(claim)  # type: ignore[attr-defined]
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
    claim.status = services.expense_status(claim)  # type: ignore[attr-defined]
    return claim
