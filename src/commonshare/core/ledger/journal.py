"""An in-memory journal: the posting rules in one place, for tests, demos and benchmarks.

The Django ``books`` app does the same steps inside one database
transaction: check the draft, check the reversal, seal after the current head.
"""

from __future__ import annotations

from collections.abc import Iterable

from commonshare.core.ledger.chain import seal
from commonshare.core.ledger.records import GENESIS_HASH, EntryDraft, StoredEntry
from commonshare.core.ledger.rules import check_entry, check_reversal, entry_balances, require


class MemoryJournal:
    """An append-only list of sealed entries over a fixed chart of accounts."""

    def __init__(self, accounts: Iterable[str]) -> None:
        self.accounts = set(accounts)
        self.entries: list[StoredEntry] = []
        self._reversed_by: dict[int, int] = {}

    @property
    def head_hash(self) -> str:
        return self.entries[-1].hash if self.entries else GENESIS_HASH

    def problems(self, draft: EntryDraft) -> list[str]:
        """Every reason ``draft`` cannot be posted now."""
        problems = check_entry(draft, self.accounts)
        if draft.reverses is not None and not problems:
            seq = draft.reverses
            target = self.entries[seq - 1] if 1 <= seq <= len(self.entries) else None
            problems += check_reversal(draft, target, reversed_by=self._reversed_by.get(seq))
        return problems

    def post(self, draft: EntryDraft) -> StoredEntry:
        """Check, seal and append ``draft``; raises ``LedgerError`` listing every problem."""
        require(self.problems(draft))
        entry = seal(draft, seq=len(self.entries) + 1, prev_hash=self.head_hash)
        self.entries.append(entry)
        if draft.reverses is not None:
            self._reversed_by[draft.reverses] = entry.seq
        return entry

    def balances(self) -> dict[tuple[str, str], int]:
        return entry_balances(self.entries)
