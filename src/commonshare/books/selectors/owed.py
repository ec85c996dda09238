"""What the commons owes a member, per currency: the one reading for every door.

The web's account and claim pages, the API's member balance, the CLI (through the
withdrawal service) and the withdrawal service's own limit all read it here.
"""

from __future__ import annotations

from commonshare.books import journal
from commonshare.core.ledger import payable_account


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
