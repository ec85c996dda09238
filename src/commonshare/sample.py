"""The one audit event of a generated sample community (`commonshare demo --size large`).

The generator (``commonshare.demo_large``) inserts its rows in bulk, without an event
each: they did not happen one by one. This action records that they were generated, how
many of each, and the journal head after them, so the audit log says plainly that the
community's history up to that entry is sample data.
"""

from __future__ import annotations

from commonshare.audit.actions import action
from commonshare.audit.services import record
from commonshare.books import journal
from commonshare.books.models import JournalEntry
from commonshare.errors import InvalidInput


@action
def note_generated(counts: dict[str, int]) -> None:
    """Record one ``sample.community.generated`` event: ``counts`` and the journal head."""
    seq, head_hash = journal.head()
    newest = JournalEntry.objects.filter(seq=seq).first()
    if newest is None:
        raise InvalidInput("A generated community has journal entries; this one has none.")
    record(
        "sample.community.generated",
        newest,
        counts={name: int(number) for name, number in sorted(counts.items())},
        head_seq=seq,
        head_hash=head_hash,
    )
