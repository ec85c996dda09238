"""The hash chain that makes the journal tamper-evident: sealing an entry, and reading
stored entries back for verification.

``hash = sha256(prev_hash + canonical)`` as lower-case hex, where ``canonical``
is the entry's canonical form (``ledger.canonical``) and ``prev_hash`` is the
previous entry's hash (``GENESIS_HASH``, 64 zeros, for the first). Changing any
field of any entry, or removing, inserting or reordering entries, breaks the
chain at that point; ``ledger.verify`` finds the first break and names the
entry. A rewrite of the whole chain after some entry is only caught against a
published checkpoint (``anchors``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Sequence

from commonshare.core.ledger.canonical import canonical_bytes
from commonshare.core.ledger.records import EntryDraft, Posting, StoredEntry


def entry_hash(prev_hash: str, canonical: bytes) -> str:
    """sha256 over the previous hash (64 ASCII hex digits) followed by the canonical bytes."""
    return hashlib.sha256(prev_hash.encode("ascii") + canonical).hexdigest()


def seal(draft: EntryDraft, *, seq: int, prev_hash: str) -> StoredEntry:
    """Number ``draft`` and chain it after the entry whose hash is ``prev_hash``.

    The caller checks the draft first (``check_entry``) and holds the lock
    that makes ``seq`` and ``prev_hash`` the current head.
    """
    return StoredEntry(
        seq=seq,
        date=draft.date,
        description=draft.description,
        postings=tuple(draft.postings),
        source=draft.source,
        actor=draft.actor,
        service=draft.service,
        reverses=draft.reverses,
        prev_hash=prev_hash,
        hash=entry_hash(prev_hash, canonical_bytes(seq, draft)),
        commits=draft.commits,
    )


def _stored_posting(account: object, currency: object, minor: object) -> Posting:
    """A posting as stored. A value of another type than the application writes (a database
    without column types, changed behind the application's back) is kept visibly, in the
    account name, so that it renders differently from any posting ever hashed."""
    if type(account) is str and type(currency) is str and type(minor) is int:
        return Posting(account, currency, minor)
    return Posting(f"<stored {account!r} {currency!r} {minor!r}>", "", 0)


def join_postings(
    entry_rows: Iterable[Sequence[object]], posting_rows: Iterable[Sequence[object]]
) -> Iterator[StoredEntry]:
    """Merge two streams into stored entries, for a database that keeps postings apart.

    ``entry_rows`` are ``(seq, date, description, source, actor, service,
    reverses, prev_hash, hash, commits)`` ordered by seq; ``posting_rows`` are
    ``(seq, account, currency, minor)`` ordered by seq. A posting whose seq
    has no entry row is dropped (the entry's hash then fails to verify).
    """
    postings = iter(posting_rows)
    pending = next(postings, None)
    for (
        seq,
        date,
        description,
        source,
        actor,
        service,
        reverses,
        prev,
        digest,
        commits,
    ) in entry_rows:
        while pending is not None and pending[0] < seq:  # type: ignore[operator]
            pending = next(postings, None)
        lines: list[Posting] = []
        while pending is not None and pending[0] == seq:
            lines.append(_stored_posting(*pending[1:4]))
            pending = next(postings, None)
        texts = (description, source, service, prev, digest)
        if (
            all(type(t) is str for t in texts)
            and _maybe(actor, str)
            and _maybe(reverses, int)
            and _maybe(commits, str)
        ):
            yield StoredEntry(
                seq,  # type: ignore[arg-type]
                date,  # type: ignore[arg-type]
                description,  # type: ignore[arg-type]
                tuple(lines),
                source,  # type: ignore[arg-type]
                actor,  # type: ignore[arg-type]
                service,  # type: ignore[arg-type]
                reverses,  # type: ignore[arg-type]
                prev,  # type: ignore[arg-type]
                digest,  # type: ignore[arg-type]
                commits,  # type: ignore[arg-type]
            )
        else:  # like _stored_posting: kept visibly, so it renders unlike anything ever hashed
            stored = (description, source, actor, service, reverses, commits)
            yield StoredEntry(
                seq,  # type: ignore[arg-type]
                date,  # type: ignore[arg-type]
                f"<stored {stored!r}>",
                tuple(lines),
                "",
                None,
                "",
                None,
                prev if type(prev) is str else repr(prev),
                digest if type(digest) is str else repr(digest),
            )


def _maybe(value: object, kind: type) -> bool:
    return value is None or type(value) is kind
