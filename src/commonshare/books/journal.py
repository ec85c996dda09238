"""Storage of the journal: seals drafts from core.ledger into rows, and streams them back.

This is the only module that writes ``JournalEntry`` and ``JournalPosting``.
Callers hold the surrounding transaction; ``post`` takes the journal's write
lock so that sequence numbers and the chain stay gap-free under concurrency.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from django.db import connection, connections
from django.db.models import Field, QuerySet, Sum
from django.utils import timezone

from commonshare.books.models import JournalEntry, JournalPosting, LedgerAccount
from commonshare.core.ledger import (
    GENESIS_HASH,
    EntryDraft,
    LedgerError,
    StoredEntry,
    account_problems,
    check_entry,
    check_reversal,
    join_postings,
    require,
    reversal_of,
    seal,
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
    "commits",
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
        for line, posting in enumerate(sorted(sealed.postings))
    )
    return sealed


def post_many(drafts: Iterable[EntryDraft]) -> int:
    """Check, seal and store many entries in order (imports, benchmarks); returns the count.

    The same rules as ``post`` — every draft is checked and one bad draft
    refuses the whole batch — but the rows go in with a few bulk inserts.
    Reversals go through ``post``, where the reversed entry is checked.
    """
    batch = list(drafts)
    lock()
    known = known_accounts({p.account for draft in batch for p in draft.postings})
    problems = [
        f"draft {index}: {problem}"
        for index, draft in enumerate(batch)
        for problem in (
            check_entry(draft, known)
            if draft.reverses is None
            else ["post_many takes no reversals; use reverse()"]
        )
    ]
    require(problems)
    seq, prev_hash = head()
    sealed: list[StoredEntry] = []
    for draft in batch:
        seq += 1
        entry = seal(draft, seq=seq, prev_hash=prev_hash)
        prev_hash = entry.hash
        sealed.append(entry)
    now = timezone.now()
    _insert_rows(
        JournalEntry,
        (*ENTRY_FIELDS, "created_at"),
        ((*(getattr(entry, name) for name in ENTRY_FIELDS), now) for entry in sealed),
    )
    _insert_rows(
        JournalPosting,
        ("entry", "line", "account", "currency", "minor"),
        (
            (entry.seq, line, p.account, p.currency, p.minor)
            for entry in sealed
            for line, p in enumerate(sorted(entry.postings))
        ),
    )
    return len(sealed)


INSERT_BATCH = 5000


def _insert_rows(
    model: type[JournalEntry] | type[JournalPosting],
    names: Sequence[str],
    rows: Iterable[Sequence[Any]],
) -> None:
    """Insert ``rows`` of ``names``' values without making a model instance for each:
    PostgreSQL's ``COPY``, or ``executemany`` in batches elsewhere (``post_many``'s speed
    at a million entries). Each value is prepared by its field, as ``save`` would."""
    fields = [model._meta.get_field(name) for name in names]
    concrete = [field for field in fields if isinstance(field, Field)]
    if len(concrete) != len(fields):
        raise TypeError(f"{model.__name__}: every name must be a column's field: {names}")
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(str(field.column)) for field in concrete)
    prepared = (
        [
            field.get_db_prep_save(value, connection)
            for field, value in zip(concrete, row, strict=True)
        ]
        for row in rows
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # the names are the models' own, never input
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in prepared:
                    copy.write_row(row)
            return
        places = ", ".join(["%s"] * len(fields))
        sql = f"INSERT INTO {table} ({columns}) VALUES ({places})"  # the names, as above
        while batch := list(itertools.islice(prepared, INSERT_BATCH)):
            cursor.executemany(sql, batch)


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
    """Entries in seq order with their postings, read in chunks: memory stays flat.

    Plain SQL through Django's chunked cursor (server-side on PostgreSQL):
    building ORM rows would cost more than verifying the hashes.
    """
    upper = "" if last is None else " AND {col} <= %s"
    params: tuple[int, ...] = (first,) if last is None else (first, last)
    entry_sql = (
        f"SELECT {', '.join(ENTRY_FIELDS)} FROM {JournalEntry._meta.db_table} "
        f"WHERE seq >= %s{upper.format(col='seq')} ORDER BY seq"
    )
    posting_sql = (
        f"SELECT entry_seq, account, currency, minor FROM {JournalPosting._meta.db_table} "
        f"WHERE entry_seq >= %s{upper.format(col='entry_seq')} ORDER BY entry_seq, line"
    )
    return join_postings(_entry_rows(entry_sql, params), _rows(posting_sql, params))


def _rows(sql: str, params: tuple[int, ...] | dict[str, int]) -> Iterator[tuple[Any, ...]]:
    connection = connections["default"]
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while chunk := cursor.fetchmany(STREAM_CHUNK):
            yield from chunk


def _entry_rows(sql: str, params: tuple[int, ...]) -> Iterator[tuple[Any, ...]]:
    """Entry rows with the date as a date (SQLite hands back text).

    A stored date that is not one (SQLite keeps any text; only a change behind the
    application's back puts it there) is kept visibly in the description, so that the
    entry renders differently from anything ever hashed and verify names it.
    """
    as_date = _date_parser()
    for row in _rows(sql, params):
        date = as_date(row[1])
        if date is None:
            yield (row[0], dt.date.min, f"<stored date {row[1]!r}> {row[2]}", *row[3:])
        else:
            yield (row[0], date, *row[2:])


def _date_parser() -> Any:
    cache: dict[Any, dt.date | None] = {}

    def parse(value: Any) -> dt.date | None:
        if isinstance(value, dt.date):
            return value
        if value not in cache:
            try:
                cache[value] = dt.date.fromisoformat(value)
            except (TypeError, ValueError):
                cache[value] = None
        return cache[value]

    return parse


def entered_postings() -> QuerySet[JournalPosting]:
    """Postings of entries in the chain: joined to an existing entry numbered from 1.

    Every balance is summed from these, so a posting inserted behind the
    application's back without an entry (which ``verify`` names) moves no money.
    """
    return JournalPosting.objects.filter(entry__seq__gte=1, entry__date__isnull=False)


def balances(*, prefix: str = "") -> dict[tuple[str, str], int]:
    """Balances per (account, currency), derived from postings by the database."""
    rows = entered_postings()
    if prefix:
        rows = rows.filter(account__startswith=prefix)
    return {
        (row["account"], row["currency"]): int(row["total"])
        for row in rows.values("account", "currency").annotate(total=Sum("minor"))
    }


def balance(account: str, currency: str) -> int:
    total = (
        entered_postings()
        .filter(account=account, currency=currency)
        .aggregate(total=Sum("minor"))["total"]
    )
    return int(total or 0)
