"""The chart of accounts: names, types and their Beancount spelling.

An account name is lower-case components joined by ``:``; the first component
is the account's type::

    assets:bank                      the commons' bank account
    assets:reserve                   the reserve
    income:<source>                  income by source (income:donations, income:sales)
    expenses:<category>              expenses by category (expenses:hosting)
    expenses:payouts                 pay distributed to members
    liabilities:payable:<member-id>  what the commons owes one member
    equity:opening                   opening balances
    memo:in-kind:<partner>           a partner's in-kind contribution (not money)
    memo:offset                      the contra account that balances memo entries

A component is ``[a-z0-9]`` words joined by single hyphens (``in-kind``,
``3d-printing``, a UUID). Names map one-to-one onto Beancount names by
capitalising each word (``memo`` maps under ``Equity:Memo``, see
``beancount_account``).

Memo accounts hold what is not money of the commons (in-kind contributions).
They are kept out of the money books by one rule: an entry touches either only
memo accounts or none, so memo entries balance among themselves (against
``memo:offset``) and never move a real balance.
"""

from __future__ import annotations

import re
from enum import Enum
from functools import cache


class AccountType(Enum):
    """The kind of an account, from the first component of its name."""

    ASSET = "assets"
    LIABILITY = "liabilities"
    EQUITY = "equity"
    INCOME = "income"
    EXPENSE = "expenses"
    MEMO = "memo"

    @property
    def normal_sign(self) -> int:
        """+1 for debit-normal accounts (assets, expenses, memo), -1 for credit-normal ones."""
        return 1 if self in _DEBIT_NORMAL else -1


_DEBIT_NORMAL = frozenset({AccountType.ASSET, AccountType.EXPENSE, AccountType.MEMO})
_TYPES = {kind.value: kind for kind in AccountType}
_COMPONENT = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
MAX_ACCOUNT_LENGTH = 200

BANK = "assets:bank"
RESERVE = "assets:reserve"
OPENING = "equity:opening"
PAYOUTS = "expenses:payouts"
MEMO_OFFSET = "memo:offset"
STANDARD_ACCOUNTS = (BANK, RESERVE, OPENING, PAYOUTS, MEMO_OFFSET)


def account_problems(name: object) -> list[str]:
    """Every reason ``name`` is not a valid account name (empty when it is valid)."""
    if not isinstance(name, str):
        return [f"account name must be a string, got {name!r}"]
    if len(name) > MAX_ACCOUNT_LENGTH:
        return [f"account name {name[:40]!r}… is longer than {MAX_ACCOUNT_LENGTH} characters"]
    parts = name.split(":")
    problems: list[str] = []
    if parts[0] not in _TYPES:
        roots = ", ".join(_TYPES)
        problems.append(f"account {name!r} must start with one of {roots}")
    if len(parts) < 2:
        problems.append(f"account {name!r} needs at least two components, such as 'assets:bank'")
    bad = [part for part in parts[1:] if not _COMPONENT.fullmatch(part)]
    if bad:
        problems.append(
            f"account {name!r}: component {bad[0]!r} must be lower-case letters and digits, "
            "words joined by single hyphens"
        )
    if parts[:2] == ["equity", "memo"]:
        problems.append(f"account {name!r}: 'equity:memo' is reserved for memo accounts")
    return problems


def is_account(name: object) -> bool:
    return not account_problems(name)


@cache
def account_type(name: str) -> AccountType:
    """The type of a valid account name; raises ``ValueError`` naming the problem otherwise."""
    problems = account_problems(name)
    if problems:
        raise ValueError("; ".join(problems))
    return _TYPES[name.split(":", 1)[0]]


def _component(word: str) -> str:
    if not _COMPONENT.fullmatch(word):
        raise ValueError(
            f"{word!r} cannot be part of an account name: use lower-case letters, digits "
            "and single hyphens"
        )
    return word


def income_account(source: str) -> str:
    return f"income:{_component(source)}"


def expense_account(category: str) -> str:
    return f"expenses:{_component(category)}"


def payable_account(member_id: str | int) -> str:
    return f"liabilities:payable:{_component(str(member_id))}"


def in_kind_account(partner: str) -> str:
    return f"memo:in-kind:{_component(partner)}"


def _capitalise(component: str) -> str:
    return "-".join(word[:1].upper() + word[1:] for word in component.split("-"))


_BEANCOUNT_ROOTS = {
    AccountType.ASSET: ["Assets"],
    AccountType.LIABILITY: ["Liabilities"],
    AccountType.EQUITY: ["Equity"],
    AccountType.INCOME: ["Income"],
    AccountType.EXPENSE: ["Expenses"],
    AccountType.MEMO: ["Equity", "Memo"],
}


@cache
def beancount_account(name: str) -> str:
    """The Beancount name of an account: ``memo:in-kind:acme`` → ``Equity:Memo:In-Kind:Acme``.

    Beancount has no memo type, so ``memo:…`` maps under ``Equity:Memo:…``.
    Memo entries balance among memo accounts only, so the memo part of
    equity always nets to zero and no real balance moves. The mapping is
    one-to-one because names are lower-case and ``equity:memo`` is reserved.
    """
    kind = account_type(name)
    rest = [_capitalise(part) for part in name.split(":")[1:]]
    return ":".join(_BEANCOUNT_ROOTS[kind] + rest)
