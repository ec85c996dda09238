"""The rules an entry must meet before it enters the journal, and derived balances.

Checks return every problem at once as clear sentences; ``require`` turns a
non-empty list into a ``LedgerError``.
"""

from __future__ import annotations

import datetime
import unicodedata
from collections.abc import Collection, Iterable

from commonshare.core.ledger.accounts import AccountType, account_problems, account_type
from commonshare.core.ledger.records import (
    MAX_MINOR,
    EntryDraft,
    LedgerError,
    Posting,
    StoredEntry,
)
from commonshare.core.money import Money, MoneyError, check_currency, from_minor

MAX_DESCRIPTION = 500
MAX_FIELD = 200


def require(problems: list[str]) -> None:
    """Raise ``LedgerError`` listing ``problems`` if there are any."""
    if problems:
        raise LedgerError(problems)


def _show(minor: int, currency: str) -> str:
    try:
        return f"{from_minor(minor, currency)} {currency}"
    except MoneyError:
        return f"{minor} minor units of {currency}"


def _text_problems(field: str, value: object, limit: int, *, optional: bool = False) -> list[str]:
    if value is None and optional:
        return []
    if not isinstance(value, str) or not value.strip():
        return [f"{field} is required and must be text"]
    if len(value) > limit:
        return [f"{field} is longer than {limit} characters"]
    if any(unicodedata.category(char) in {"Cc", "Cf", "Zl", "Zp"} for char in value):
        return [f"{field} must be one line without control characters"]
    return []


def one_line(text: str, limit: int = MAX_DESCRIPTION) -> str:
    """``text`` made fit for an entry's description: one line, no control or format
    characters (line breaks and tabs become spaces), at most ``limit`` characters.

    Descriptions are built from what people typed (a claim's summary, a payer's
    name); the journal's rules refuse such characters, so the books pass every
    such text through here rather than refuse a legitimate payment over it.
    """
    kept = []
    for char in text:
        category = unicodedata.category(char)
        if category in {"Cc", "Zl", "Zp"}:
            kept.append(" ")
        elif category != "Cf":
            kept.append(char)
    flat = " ".join("".join(kept).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _posting_problems(index: int, posting: object, known: Collection[str]) -> list[str]:
    if not isinstance(posting, Posting):
        return [f"posting {index}: expected a Posting(account, currency, minor), got {posting!r}"]
    label = f"posting {index} ({posting.account!r})"
    problems = [f"posting {index}: {problem}" for problem in account_problems(posting.account)]
    if not problems and posting.account not in known:
        problems.append(f"{label}: unknown account; open it in the chart first")
    try:
        if check_currency(posting.currency) != posting.currency:
            problems.append(f"{label}: write the currency as {posting.currency.upper()!r}")
    except MoneyError as error:
        problems.append(f"{label}: {error}")
    minor = posting.minor
    if isinstance(minor, bool) or not isinstance(minor, int):
        problems.append(f"{label}: amount must be a whole number of minor units, got {minor!r}")
    elif minor == 0:
        problems.append(f"{label}: amount is zero; leave the posting out")
    elif abs(minor) > MAX_MINOR:
        problems.append(f"{label}: amount {minor} is too large")
    return problems


def _balance_problems(postings: tuple[Posting, ...]) -> list[str]:
    currencies = sorted({p.currency for p in postings if isinstance(p.currency, str)})
    if len(currencies) > 1:
        return [
            f"postings mix currencies {', '.join(currencies)}; an entry is in one currency "
            "(record an exchange as two entries through an equity:conversion account)"
        ]
    if not currencies:
        return []
    currency = currencies[0]
    debits = sum(p.minor for p in postings if p.minor > 0)
    credits = -sum(p.minor for p in postings if p.minor < 0)
    if debits != credits:
        return [
            f"entry does not balance: debits {_show(debits, currency)} but credits "
            f"{_show(credits, currency)} (difference {_show(debits - credits, currency)})"
        ]
    return []


def _memo_problems(postings: tuple[Posting, ...]) -> list[str]:
    kinds = {account_type(p.account) is AccountType.MEMO for p in postings}
    if len(kinds) > 1:
        return [
            "memo accounts cannot share an entry with money accounts; record an in-kind "
            "contribution as memo:in-kind:<partner> against memo:offset"
        ]
    return []


def check_entry(draft: EntryDraft, known_accounts: Collection[str]) -> list[str]:
    """Every reason ``draft`` cannot be posted, or an empty list.

    Checks the date, the one-line texts (description, source, service, actor),
    ``reverses``, and the postings: at least two, known and well-formed
    accounts, one ISO currency, whole non-zero minor units, a zero sum, and no
    mix of memo and money accounts.
    """
    problems: list[str] = []
    if isinstance(draft.date, datetime.datetime) or not isinstance(draft.date, datetime.date):
        problems.append(f"date must be a calendar date, got {draft.date!r}")
    problems += _text_problems("description", draft.description, MAX_DESCRIPTION)
    problems += _text_problems("source", draft.source, MAX_FIELD)
    problems += _text_problems("service", draft.service, MAX_FIELD)
    problems += _text_problems("actor", draft.actor, MAX_FIELD, optional=True)
    problems += _text_problems("commits", draft.commits, MAX_FIELD, optional=True)
    reverses = draft.reverses
    if reverses is not None and (
        isinstance(reverses, bool) or not isinstance(reverses, int) or reverses < 1
    ):
        problems.append(f"reverses must be the sequence number of an entry, got {reverses!r}")
    postings = draft.postings
    if not isinstance(postings, tuple):
        return [*problems, "postings must be a tuple of Posting"]
    if len(postings) < 2:
        problems.append(f"an entry needs at least two postings, got {len(postings)}")
    posting_problems: list[str] = []
    for index, posting in enumerate(postings, start=1):
        posting_problems += _posting_problems(index, posting, known_accounts)
    problems += posting_problems
    if not posting_problems:
        problems += _balance_problems(postings)
        problems += _memo_problems(postings)
    return problems


def negated(postings: Iterable[Posting]) -> tuple[Posting, ...]:
    return tuple(Posting(p.account, p.currency, -p.minor) for p in postings)


def reversal_of(
    entry: StoredEntry,
    *,
    date: datetime.date,
    service: str,
    actor: str | None,
    reason: str = "",
    source: str | None = None,
) -> EntryDraft:
    """The entry that undoes ``entry``: its postings with signs flipped, pointing back at it."""
    why = f": {reason.strip()}" if reason.strip() else ""
    description = f"Reversal of entry {entry.seq} ({entry.description}){why}"
    if len(description) > MAX_DESCRIPTION:
        description = description[: MAX_DESCRIPTION - 1] + "…"
    return EntryDraft(
        date=date,
        description=description,
        postings=negated(entry.postings),
        source=entry.source if source is None else source,
        actor=actor,
        service=service,
        reverses=entry.seq,
    )


def check_reversal(
    draft: EntryDraft, target: StoredEntry | None, *, reversed_by: int | None
) -> list[str]:
    """Problems with ``draft`` as a reversal of ``target`` (nothing to check if it reverses none).

    ``reversed_by`` is the sequence number of an entry that already reverses
    ``target``, if any: reversing twice is refused, and so is reversing a
    reversal (post a new entry instead). The postings must be exactly the
    target's with signs flipped.
    """
    if draft.reverses is None:
        return []
    seq = draft.reverses
    if target is None or target.seq != seq:
        return [f"entry {seq} does not exist, so it cannot be reversed"]
    problems: list[str] = []
    if reversed_by is not None:
        problems.append(
            f"entry {seq} was already reversed by entry {reversed_by}; it cannot be reversed twice"
        )
    if target.reverses is not None:
        problems.append(
            f"entry {seq} is itself the reversal of entry {target.reverses}; "
            "post a new entry instead of reversing a reversal"
        )
    if sorted(draft.postings) != sorted(negated(target.postings)):
        problems.append(
            f"a reversal's postings must be exactly those of entry {seq} with signs flipped"
        )
    return problems


def transfer(
    *,
    date: datetime.date,
    description: str,
    debit: str,
    credit: str,
    amount: Money,
    source: str,
    actor: str | None,
    service: str,
) -> EntryDraft:
    """A two-posting entry moving a positive ``amount`` from ``credit`` to ``debit``.

    The amount must be positive: the direction is given by the accounts.
    """
    if amount.minor <= 0:
        raise LedgerError(
            [f"amount must be positive, got {amount}; swap debit and credit to reverse direction"]
        )
    return EntryDraft(
        date=date,
        description=description,
        postings=(
            Posting(debit, amount.currency, amount.minor),
            Posting(credit, amount.currency, -amount.minor),
        ),
        source=source,
        actor=actor,
        service=service,
    )


def balances(postings: Iterable[Posting]) -> dict[tuple[str, str], int]:
    """The balance of every (account, currency) in minor units, debit-positive.

    Accounts whose postings net to zero keep a zero entry: they were used.
    """
    totals: dict[tuple[str, str], int] = {}
    for account, currency, minor in postings:
        key = (account, currency)
        totals[key] = totals.get(key, 0) + minor
    return totals


def entry_balances(entries: Iterable[StoredEntry]) -> dict[tuple[str, str], int]:
    """Balances over all postings of ``entries``."""
    return balances(posting for entry in entries for posting in entry.postings)
