"""Money that needs two people, in one call, for tests about something else.

Most tests that record income, pay a member out or reverse an entry are about what that
money does next, not about who confirmed it: these helpers take the second step with a
second member (an existing one who may, else one made here at trust level 2). The tests
of the confirmations themselves are in ``tests/books/test_confirmations.py``.
"""

from __future__ import annotations

from typing import Any

from commonshare.books import services
from commonshare.books.models import Income, Withdrawal
from commonshare.community.models import Member
from commonshare.core.ledger import StoredEntry
from commonshare.work import trust
from tests.conftest import JOINED_LONG_AGO, PASSWORD


def second_member(*not_these: Member) -> Member:
    """A current member at trust level 2 other than ``not_these``: an existing one, or new."""
    skip = {m.pk for m in not_these}
    for member in Member.objects.filter(left_at__isnull=True).order_by("pk"):
        if member.pk not in skip and trust.has_power(member, trust.Power.MONEY):
            return member
    from commonshare.community import services as community

    set_levels = getattr(trust.level_of, "set_levels", None)
    if set_levels is None:
        raise RuntimeError("Use make_member (or trust_levels) in this test: it gives levels.")
    number = Member.objects.count() + 1
    member = community.join(
        email=f"second.pair.{number}@example.org",
        display_name=f"Second pair of eyes {number}",
        password=PASSWORD,
    )
    Member.objects.filter(pk=member.pk).update(joined_at=JOINED_LONG_AGO)
    member.joined_at = JOINED_LONG_AGO
    set_levels({member: 2})
    return member


def posted_income(actor: Member, **given: Any) -> Income:
    """``record_income`` and its confirmation by a second member: the income is posted."""
    income = services.record_income(actor, **given)
    return services.confirm_income(second_member(actor), income.pk)


def paid_out(actor: Member, **given: Any) -> Withdrawal:
    """``record_withdrawal`` by ``actor`` (or a second member when ``actor`` is the payee),
    confirmed by the payee: the payout is posted."""
    payee = Member.objects.get(pk=given["member_id"])
    sender = actor if actor.pk != payee.pk else second_member(payee)
    withdrawal = services.record_withdrawal(sender, **given)
    return services.confirm_withdrawal(payee, withdrawal.pk)


def reversed_entry(actor: Member, seq: int, *, reason: str) -> StoredEntry:
    """``request_reversal`` and its confirmation by a second member: the reversal posts."""
    asked = services.request_reversal(actor, seq, reason=reason)
    return services.confirm_reversal(second_member(actor), asked.pk)


def approved_claim(claim_id: int, *, reason: str = "") -> None:
    """Each of the claim's drawn approvers approves it, until it is a debt owed."""
    from commonshare.books.selectors import expenses
    from commonshare.work.models import Contribution

    claim = Contribution.objects.get(pk=claim_id)
    for pk in claim.approvers or []:
        if expenses.expense_status(Contribution.objects.get(pk=claim_id)) != "pending":
            break
        services.decide_expense(
            Member.objects.get(pk=pk), claim_id, verdict="approve", reason=reason
        )
