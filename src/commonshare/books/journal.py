"""Storage of the journal: seals drafts from core.ledger into rows, and streams them back.

This is the only module that writes ``JournalEntry`` and ``JournalPosting``.
Callers hold the surrounding transaction; ``post`` takes the journal's write
lock so that sequence numbers and the chain stay gap-free under concurrency.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from typing import Any

from django.db import connection
from django.db.models import Sum

from commonshare.books.models import JournalEntry, JournalPosting, LedgerAccount
from commonshare.core.ledger import (
    GENESIS_HASH,
    EntryDraft,
    LedgerError,
    StoredEntry,
    VerifyReport,
    account_problems,
    check_entry,
    check_reversal,
    join_postings,
    require,
    reversal_of,
    seal,
    verify_chain,
)

ENTRY_FIELDS = (
    "seq",
    "date",
    "description",
    "source",
    "actor",
    "service",
    "reverses",
    "prev_hash",
    "hash",
)
STREAM_CHUNK = 20_000


def lock() -> None:
    """Serialise writers: SQLite's IMMEDIATE transactions already do; PostgreSQL needs a lock."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(7243170011)")


def head() -> tuple[int, str]:
    """Sequence number and hash of the newest entry (0 and the genesis hash when empty)."""
    last = JournalEntry.objects.order_by("-seq").values_list("seq", "hash").first()
    return last if last is not None else (0, GENESIS_HASH)


def open_accounts(names: Iterable[str], *, on: dt.date) -> None:
    """Open accounts the services know to be legitimate (a new member's payable, say)."""
    wanted = set(names)
    problems = [problem for name in sorted(wanted) for problem in account_problems(name)]
    require(problems)
    existing = set(LedgerAccount.objects.filter(name__in=wanted).values_list("name", flat=True))
    LedgerAccount.objects.bulk_create(
        LedgerAccount(name=name, opened_on=on) for name in sorted(wanted - existing)
    )


def known_accounts(names: Iterable[str]) -> set[str]:
    return set(LedgerAccount.objects.filter(name__in=set(names)).values_list("name", flat=True))


def post(draft: EntryDraft) -> StoredEntry:
    """Check, seal and store one entry; raises ``LedgerError`` listing every problem."""
    lock()
    problems = check_entry(draft, known_accounts(p.account for p in draft.postings))
    if draft.reverses is not None:
        target = stored_entry(draft.reverses)
        reversed_by = (
            JournalEntry.objects.filter(reverses=draft.reverses)
            .values_list("seq", flat=True)
            .first()
        )
        problems += check_reversal(draft, target, reversed_by=reversed_by)
    require(problems)
    seq, prev_hash = head()
    sealed = seal(draft, seq=seq + 1, prev_hash=prev_hash)
    JournalEntry.objects.create(**{name: getattr(sealed, name) for name in ENTRY_FIELDS})
    JournalPosting.objects.bulk_create(
        JournalPosting(
            entry_id=sealed.seq,
            line=line,
            account=posting.account,
            currency=posting.currency,
            minor=posting.minor,
        )
        for line, posting in enumerate(sealed.postings)
    )
    return sealed


def reverse(
    seq: int, *, date: dt.date, service: str, actor: str | None, reason: str
) -> StoredEntry:
    """Post the entry that undoes entry ``seq``; refused if it was reversed already."""
    target = stored_entry(seq)
    if target is None:
        raise LedgerError([f"entry {seq} does not exist, so it cannot be reversed"])
    return post(reversal_of(target, date=date, service=service, actor=actor, reason=reason))


def stored_entry(seq: int) -> StoredEntry | None:
    return next(iter(stream(first=seq, last=seq)), None)


def stream(*, first: int = 1, last: int | None = None) -> Iterator[StoredEntry]:
    """Entries in seq order, postings joined, read in chunks: memory stays flat."""
    entries = JournalEntry.objects.filter(seq__gte=first)
    postings = JournalPosting.objects.filter(entry_id__gte=first)
    if last is not None:
        entries = entries.filter(seq__lte=last)
        postings = postings.filter(entry_id__lte=last)
    entry_rows = entries.order_by("seq").values_list(*ENTRY_FIELDS).iterator(STREAM_CHUNK)
    posting_rows = (
        postings.order_by("entry_id", "line")
        .values_list("entry_id", "account", "currency", "minor")
        .iterator(STREAM_CHUNK)
    )
    return join_postings(entry_rows, posting_rows)


def verify(anchors: dict[int, str] | None = None) -> VerifyReport:
    """Walk the whole chain as stored, including rows changed behind the application's back."""
    return verify_chain(stream(), anchors=anchors)


def balances(*, prefix: str = "") -> dict[tuple[str, str], int]:
    """Balances per (account, currency), derived from postings by the database."""
    rows = JournalPosting.objects.all()
    if prefix:
        rows = rows.filter(account__startswith=prefix)
    return {
        (row["account"], row["currency"]): int(row["total"])
        for row in rows.values("account", "currency").annotate(total=Sum("minor"))
    }


def balance(account: str, currency: str) -> int:
    total = JournalPosting.objects.filter(account=account, currency=currency).aggregate(
        total=Sum("minor")
    )["total"]
    return int(total or 0)


def entry_rows(*, offset: int, limit: int, newest_first: bool = True) -> list[dict[str, Any]]:
    """One page of entries with their postings, for the transparency page and the API."""
    order = "-seq" if newest_first else "seq"
    page = list(JournalEntry.objects.order_by(order).values(*ENTRY_FIELDS)[offset : offset + limit])
    seqs = [row["seq"] for row in page]
    lines: dict[int, list[dict[str, Any]]] = {seq: [] for seq in seqs}
    for posting in (
        JournalPosting.objects.filter(entry_id__in=seqs)
        .order_by("entry_id", "line")
        .values("entry_id", "account", "currency", "minor")
    ):
        lines[posting.pop("entry_id")].append(posting)
    for row in page:
        row["postings"] = lines[row["seq"]]
    return page
