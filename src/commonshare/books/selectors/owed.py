"""What the commons owes a member, per currency: the one reading for every door; what
it can distribute beyond that; and since when it keeps books.

The web's account and claim pages, the API's member balance, the CLI (through the
withdrawal service) and the withdrawal service's own limit all read it here.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Min, Sum
from django.utils import timezone

from commonshare.books import journal
from commonshare.books.models import Income, Withdrawal
from commonshare.books.vocab import IncomeStatus, WithdrawalStatus
from commonshare.community.models import Member
from commonshare.core.ledger import BANK, payable_account


def owed_minor(member_id: int, currency: str) -> int:
    """What the commons owes a member in ``currency`` (credit balance of their payable)."""
    return -journal.balance(payable_account(member_id), currency)


def owed_by_currency(member_id: int) -> list[tuple[str, int]]:
    """``(currency, minor)`` for each currency the member's payable account has a posting in.

    Only postings of entries in the chain count (``journal.entered_postings``), as for
    every balance: a posting slipped in behind the application's back adds no currency.
    """
    codes = sorted(
        set(
            journal.entered_postings()
            .filter(account=payable_account(member_id))
            .order_by()
            .values_list("currency", flat=True)
            .distinct()
        )
    )
    return [(code, owed_minor(member_id, code)) for code in codes]


def pending_withdrawn_minor(
    currency: str, member_id: int | None = None, *, besides: int | None = None
) -> int:
    """Payouts recorded but not yet confirmed by their payee (one member's, or all), in
    ``currency``; ``besides`` leaves one withdrawal out. They are money already on its way
    out, so they count against what is owed and what the bank holds."""
    pending = Withdrawal.objects.filter(currency=currency, status=WithdrawalStatus.PENDING)
    if member_id is not None:
        pending = pending.filter(member_id=member_id)
    if besides is not None:
        pending = pending.exclude(pk=besides)
    return int(pending.aggregate(total=Sum("amount_minor"))["total"] or 0)


def pending_income_minor(currency: str) -> int:
    """Income recorded but not yet confirmed, in ``currency``: shown, never distributable."""
    pending = Income.objects.filter(currency=currency, status=IncomeStatus.PENDING)
    return int(pending.aggregate(total=Sum("amount_minor"))["total"] or 0)


def distributable_minor(currency: str) -> int:
    """Money in the bank account beyond everything owed to members.

    Pending income is not in it: it reaches the bank account only when a second member
    confirms it. A pending withdrawal changes nothing here: it lowers what is owed and
    what the bank holds alike when it posts.
    """
    # A payable in debit (a member owing the commons after a reversal) is not
    # money in the bank: only what the commons owes counts against it.
    owed = sum(
        max(-total, 0)
        for (account, code), total in journal.balances(prefix="liabilities:payable:").items()
        if code == currency
    )
    return journal.balance(BANK, currency) - owed


def community_began() -> dt.date | None:
    """The day the community began: when its first member joined (None before anyone)."""
    first = Member.objects.aggregate(first=Min("joined_at"))["first"]
    return timezone.localdate(first) if first is not None else None
