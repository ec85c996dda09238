"""The journal's entries as the pages and the API read them: by sequence number.

Entries are numbered 1..head with no gaps, so a page is a range of sequence
numbers and reading it costs the same at any depth of the journal. Rows are
dicts of ``journal.ENTRY_FIELDS`` with their ``postings`` (account, currency,
minor) joined; formatting amounts is the caller's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, QuerySet

from commonshare.books import journal
from commonshare.books.journal import ENTRY_FIELDS
from commonshare.books.models import Income, JournalEntry, JournalPosting
from commonshare.errors import NotFound

ENTRY_PAGE_SIZE = 50


@dataclass(frozen=True)
class JournalPage:
    """Newest-first page ``number`` of the journal: entries ``first``..``last`` (seq)."""

    head_seq: int
    head_hash: str
    number: int
    pages: int
    first: int
    last: int
    entries: list[dict[str, Any]]


def _with_postings(
    rows: list[dict[str, Any]],
    postings: QuerySet[JournalPosting],
    *,
    lines: tuple[int, int] | None = None,
) -> list[dict[str, Any]]:
    """Each row with its ``postings`` and their ``posting_count``; with ``lines``
    (start, stop), only the postings numbered start to stop - 1 are read, and the count
    is the database's: a distribution's entry has a posting for each member paid."""
    lines_of: dict[int, list[dict[str, Any]]] = {row["seq"]: [] for row in rows}
    counts: dict[int, int] = {}
    shown = postings
    if lines is not None:
        start, stop = lines
        shown = postings.filter(line__gte=start, line__lt=stop)
        counted = postings.order_by().values("entry_id").annotate(n=Count("*"))
        counts = {row["entry_id"]: row["n"] for row in counted}
    for seq, account, currency, minor in shown.order_by("entry_id", "line").values_list(
        "entry_id", "account", "currency", "minor"
    ):
        if seq in lines_of:
            lines_of[seq].append({"account": account, "currency": currency, "minor": minor})
    for row in rows:
        row["postings"] = lines_of[row["seq"]]
        row["posting_count"] = counts.get(row["seq"], len(row["postings"]))
    return rows


def page_bounds(head_seq: int, number: int, size: int) -> tuple[int, int]:
    """Seqs (exclusive low, inclusive high] of newest-first page ``number``."""
    high = head_seq - (number - 1) * size
    return max(high - size, 0), high


def entries_between(
    low: int, high: int, *, lines: tuple[int, int] | None = None
) -> list[dict[str, Any]]:
    """Entries with low < seq <= high, newest first, postings joined (two range queries;
    a third counts them when only ``lines`` of each are read)."""
    rows = list(
        JournalEntry.objects.filter(seq__gt=low, seq__lte=high)
        .order_by("-seq")
        .values(*ENTRY_FIELDS, "created_at")
    )
    return _with_postings(
        rows, JournalPosting.objects.filter(entry_id__gt=low, entry_id__lte=high), lines=lines
    )


def entries_before(before_seq: int, limit: int) -> list[dict[str, Any]]:
    """Up to ``limit`` entries numbered below ``before_seq``, newest first, postings joined
    and each with ``reversed_by`` (the entry reversing it, or None)."""
    rows = list(
        JournalEntry.objects.filter(seq__lt=before_seq)
        .order_by("-seq")
        .values(*ENTRY_FIELDS)[:limit]
    )
    seqs = [row["seq"] for row in rows]
    _with_postings(rows, JournalPosting.objects.filter(entry_id__in=seqs))
    reversals = reversed_by(seqs)
    for row in rows:
        row["reversed_by"] = reversals.get(row["seq"])
    return rows


def journal_page(
    number: int, size: int | None = None, *, postings: int | None = None
) -> JournalPage | None:
    """One page of the journal, or None when there is no such page; with ``postings``,
    only each entry's first that many postings are read (and all are counted)."""
    size = size or ENTRY_PAGE_SIZE
    head_seq, head_hash = journal.head()
    pages = max(1, -(-head_seq // size))
    if not 1 <= number <= pages:
        return None
    low, high = page_bounds(head_seq, number, size)
    return JournalPage(
        head_seq,
        head_hash,
        number,
        pages,
        low + 1,
        high,
        entries_between(low, high, lines=None if postings is None else (0, postings)),
    )


def reversed_by(seqs: list[int]) -> dict[int, int]:
    """For each of ``seqs`` that was reversed: the seq of the entry that reverses it."""
    rows = JournalEntry.objects.filter(reverses__in=seqs).order_by().values_list("reverses", "seq")
    return {int(target): int(seq) for target, seq in rows if target is not None}


def entry_exists(seq: int) -> bool:
    """True when journal entry ``seq`` exists."""
    return JournalEntry.objects.filter(pk=seq).exists()


def entry_row(seq: int, *, lines: tuple[int, int] | None = None) -> dict[str, Any]:
    """One entry with its postings (those of ``lines`` only, if given) and
    ``reversed_by``; NotFound if there is none."""
    rows = entries_between(seq - 1, seq, lines=lines)
    if not rows:
        raise NotFound(f"There is no journal entry #{seq}.")
    rows[0]["reversed_by"] = reversed_by([seq]).get(seq)
    return rows[0]


def entries_from(source: str) -> list[dict[str, Any]]:
    """Entries whose source is ``source`` (``income:17``), oldest first."""
    seqs = sorted(JournalEntry.objects.filter(source=source).values_list("seq", flat=True))
    return [row for seq in seqs for row in entries_between(seq - 1, seq)]


def main_currency(known: list[str]) -> str:
    """The currency of the income recorded last, else the first the books know (else EUR).

    One row by primary key, whatever the size of the books: the page is read often.
    """
    latest = Income.objects.order_by("-id").values_list("currency", flat=True)
    return latest.first() or next(iter(known), "EUR")


def currencies() -> list[str]:
    """Currencies in the journal, each once.

    ``order_by()`` drops the model's default ordering, which DISTINCT would
    otherwise include (and so repeat each currency per entry).
    """
    return sorted(
        set(journal.entered_postings().order_by().values_list("currency", flat=True).distinct())
    )


def income(income_id: int) -> Income:
    found = (
        Income.objects.select_related("recorded_by", "confirmed_by").filter(pk=income_id).first()
    )
    if found is None:
        raise NotFound(f"No income with id {income_id}.")
    return found
