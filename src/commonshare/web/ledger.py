"""How the journal reads on the pages: sources as links, accounts by type, signs as words.

Pure presentation over rows the queries return; no database access here
except through the ``members`` mapping the caller passes in.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from typing import Any

from django.urls import NoReverseMatch, reverse

from commonshare.core.ledger import AccountType, account_type

# The order and headings of the balance table on the open-books page.
ACCOUNT_GROUPS = (
    (AccountType.ASSET, "Assets", "What the commons holds."),
    (AccountType.LIABILITY, "Liabilities", "What the commons owes members (member payables)."),
    (AccountType.INCOME, "Income", "Money received, by source."),
    (AccountType.EXPENSE, "Expenses", "Approved claims, resources used and pay distributed."),
    (AccountType.EQUITY, "Equity", "Opening balances."),
    (AccountType.MEMO, "Memo", "In-kind contributions: recorded, but not money of the commons."),
)

# Where each kind of journal source leads.
SOURCE_PAGES = {
    "income": ("web:income", "income"),
    "distribution": ("web:distribution", "distribution"),
    "expense": ("web:contribution", "expense claim"),
    "member": ("web:member", "member"),
}

PAYABLE_PREFIX = "liabilities:payable:"


@dataclass(frozen=True)
class Link:
    text: str
    url: str | None


def source_link(source: str) -> Link:
    """``income:17`` → a link to income 17's page; anything unknown stays plain text."""
    kind, _, number = source.partition(":")
    if kind in SOURCE_PAGES and number.isdigit():
        name, label = SOURCE_PAGES[kind]
        try:
            return Link(f"{label} #{number}", reverse(name, args=[int(number)]))
        except NoReverseMatch:
            pass
    return Link(source, None)


def payable_member_id(account: str) -> str | None:
    rest = account.removeprefix(PAYABLE_PREFIX)
    return rest if rest != account and rest.isdigit() else None


def member_ids_in(entries: list[dict[str, Any]]) -> set[str]:
    """Actors and payable accounts named on a page of entries."""
    ids = {str(row["actor"]) for row in entries if row.get("actor")}
    for row in entries:
        for posting in row["postings"]:
            if member_id := payable_member_id(posting["account"]):
                ids.add(member_id)
    return ids


def dress_posting(posting: dict[str, Any], members: dict[str, Any]) -> dict[str, Any]:
    """A posting with its side (debit / credit) and the member a payable belongs to."""
    minor = int(posting["minor"])
    member_id = payable_member_id(posting["account"])
    return {
        **posting,
        "debit": minor if minor > 0 else None,
        "credit": -minor if minor < 0 else None,
        "member": members.get(member_id) if member_id else None,
    }


def dress_entry(
    row: dict[str, Any], members: dict[str, Any], reversed_by: dict[int, int]
) -> dict[str, Any]:
    """An entry row as the templates show it: links, postings with sides, reversals."""
    actor = row.get("actor")
    return {
        **row,
        "who": members.get(str(actor)) if actor else None,
        "source_link": source_link(row["source"]),
        "postings": [dress_posting(p, members) for p in row["postings"]],
        "reversed_by": reversed_by.get(row["seq"]),
    }


@dataclass(frozen=True)
class BalanceLine:
    account: str
    currency: str
    minor: int  # as posted: + debit, - credit
    shown: int  # in the account's normal direction, so a healthy balance reads positive
    member: Any = None
    member_id: str | None = None  # a member's payable account: whose


@dataclass(frozen=True)
class BalanceGroup:
    kind: AccountType
    title: str
    about: str
    lines: list[BalanceLine]
    totals: list[tuple[str, int]]  # of every account of the kind, listed or not
    more: int = 0  # accounts of the kind that are not listed


def balance_groups(
    balances: dict[tuple[str, str], int], members: dict[str, Any]
) -> list[BalanceGroup]:
    """Balances grouped by account type, each shown in its normal direction, every one
    listed (see :func:`largest_first`)."""
    grouped: dict[AccountType, list[BalanceLine]] = defaultdict(list)
    for (account, currency), minor in sorted(balances.items()):
        kind = account_type(account)
        member_id = payable_member_id(account)
        grouped[kind].append(
            BalanceLine(
                account=account,
                currency=currency,
                minor=minor,
                shown=minor * kind.normal_sign,
                member=members.get(member_id) if member_id else None,
                member_id=member_id,
            )
        )
    groups = []
    for kind, title, about in ACCOUNT_GROUPS:
        lines = grouped.get(kind, [])
        if not lines and kind in (AccountType.EQUITY, AccountType.MEMO):
            continue
        totals: dict[str, int] = defaultdict(int)
        for line in lines:
            totals[line.currency] += line.shown
        groups.append(BalanceGroup(kind, title, about, lines, sorted(totals.items())))
    return groups


def largest_first(groups: list[BalanceGroup], listed: int) -> list[BalanceGroup]:
    """Each group with only its ``listed`` largest balances, largest first, and how many
    are left out; its totals stay those of all its accounts."""
    kept = []
    for group in groups:
        if len(group.lines) <= listed:
            kept.append(group)
            continue
        largest = sorted(group.lines, key=lambda line: (-abs(line.shown), line.account))
        kept.append(replace(group, lines=largest[:listed], more=len(group.lines) - listed))
    return kept


def with_members(group: BalanceGroup, members: dict[str, Any]) -> BalanceGroup:
    """``group`` with each payable line's member found in ``members``."""
    lines = [
        replace(line, member=members.get(line.member_id)) if line.member_id else line
        for line in group.lines
    ]
    return replace(group, lines=lines)


def payable_ids(balances: dict[tuple[str, str], int]) -> set[str]:
    return {
        member_id
        for account, _ in balances
        if (member_id := payable_member_id(account)) is not None
    }
