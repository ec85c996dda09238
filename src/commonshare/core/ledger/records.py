"""The records of the journal: postings, entry drafts and stored entries.

Sign convention (the same as Beancount's): a posting's ``minor`` is positive
for a debit and negative for a credit. Debits raise asset, expense and memo
balances; credits raise liability, income and equity balances. Every entry's
postings sum to zero.

``Posting`` and ``StoredEntry`` are NamedTuples on purpose: they are built
straight from database rows (``values_list``) and compared and sorted as plain
tuples, which keeps ``verify_chain`` over a million entries within seconds.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import NamedTuple

GENESIS_HASH = "0" * 64
MAX_MINOR = 2**63 - 1  # fits a 64-bit signed database column


class LedgerError(ValueError):
    """An entry the books refuse; ``problems`` lists every reason at once."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


class Posting(NamedTuple):
    """One line of an entry: ``minor`` units of ``currency`` to ``account`` (+debit, -credit)."""

    account: str
    currency: str
    minor: int


@dataclass(frozen=True, slots=True)
class EntryDraft:
    """An entry before it is numbered and sealed into the chain.

    ``service`` names the code path that caused it (``books.record_income``),
    ``actor`` the acting member (``None`` for the system), ``source`` the
    record it came from (``income:17``); ``reverses`` is the sequence number of
    the entry this one reverses. ``commits`` is a digest of the source record's
    content (``sha256:<hex>``, see ``books.records``): the hash then covers the
    record too. Entries of the older format have none.
    """

    date: datetime.date
    description: str
    postings: tuple[Posting, ...]
    source: str
    actor: str | None
    service: str
    reverses: int | None = None
    commits: str | None = None


class StoredEntry(NamedTuple):
    """An entry as stored: numbered from 1 with no gaps, sealed by ``hash``.

    ``hash`` is ``entry_hash(prev_hash, canonical_bytes(entry))`` and
    ``prev_hash`` is the previous entry's hash (``GENESIS_HASH`` for seq 1).
    """

    seq: int
    date: datetime.date
    description: str
    postings: tuple[Posting, ...]
    source: str
    actor: str | None
    service: str
    reverses: int | None
    prev_hash: str
    hash: str
    commits: str | None = None

    def draft(self) -> EntryDraft:
        return EntryDraft(
            date=self.date,
            description=self.description,
            postings=self.postings,
            source=self.source,
            actor=self.actor,
            service=self.service,
            reverses=self.reverses,
            commits=self.commits,
        )
