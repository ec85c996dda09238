"""What the commons owes a member, per currency: the one reading for every door; what
it can distribute beyond that; and since when it keeps books.

The web's account and claim pages, the API's member balance, the CLI (through the
withdrawal service) and the withdrawal service's own limit all read it here.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Min
from django.utils import timezone

from commonshare.books import journal
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


def distributable_minor(currency: str) -> int:
    """Money in the bank account beyond everything owed to members."""
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
