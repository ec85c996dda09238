"""Verifying the hash chain: the first break, named, or a fast yes/no for storage code.

``verify_chain`` walks stored entries in order, recomputes every hash
(``ledger.chain``, over ``ledger.canonical``) and names the first entry
changed, removed, inserted or reordered. ``chain_holds`` answers only whether
the chain holds, over renderings a database made itself.
"""

from __future__ import annotations

import hashlib
import itertools
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Literal

from commonshare.core.ledger.canonical import _canonical_text, rendering_matches
from commonshare.core.ledger.chain import entry_hash
from commonshare.core.ledger.records import GENESIS_HASH, StoredEntry

ProblemKind = Literal[
    "changed", "removed", "inserted", "reordered", "checkpoint", "truncated", "orphan"
]


_WINDOW = 64  # rows kept to recognise a link to an earlier entry, and seq shifts tried


def chain_holds(
    rows: Iterable[tuple[int, str, str, str | None]],
    exact_text: Callable[[int], str],
    *,
    start_seq: int = 1,
    start_hash: str = GENESIS_HASH,
    rerender_limit: int | None = None,
) -> tuple[bool, int, str]:
    """A fast yes/no over entries the database has rendered itself, for storage code.

    Rows are ``(seq, prev_hash, hash, signed)`` in seq order, where ``signed``
    is ``prev_hash`` followed by the entry's canonical text as the database
    rendered it with JSON-quoted strings (``None`` where it could not), compared
    after ``rendering_matches`` wrote its non-ASCII characters as this module
    does. Returns (holds, last seq, last hash).

    A row whose rendering does not match its hash is rendered again here by
    ``exact_text(seq)`` before it counts as broken, so a database rendering that
    differs from this module's (another order, say) costs time, never a wrong answer;
    past ``rerender_limit`` such rows it answers ``False`` (the exact walk is then faster).
    It names no culprit: on ``False`` walk the chain with ``verify_chain``.
    Every hash is recomputed here, so it never says a false ``True``.
    """
    expected = start_seq
    prev = start_hash
    limit = float("inf") if rerender_limit is None else rerender_limit
    rendered_again = 0
    for seq, stored_prev, digest, signed in rows:
        if seq != expected or stored_prev != prev:
            return False, expected - 1, prev
        if not rendering_matches(signed, digest):
            rendered_again += 1
            if rendered_again > limit or (
                entry_hash(prev, exact_text(seq).encode("ascii")) != digest
            ):
                return False, expected - 1, prev
        prev = digest
        expected += 1
    return True, expected - 1, prev


def _self_hash(row: StoredEntry, seq: int) -> str:
    text = _canonical_text(row, seq)
    return hashlib.sha256(f"{row.prev_hash}{text}".encode("ascii")).hexdigest()


@dataclass(frozen=True, slots=True)
class ChainProblem:
    """The first break in the chain: what happened (``kind``) and at which entry (``seq``)."""

    kind: ProblemKind
    seq: int
    message: str


@dataclass(frozen=True, slots=True)
class VerifyReport:
    """The result of walking the chain: ``checked`` entries passed, up to ``head_seq``."""

    checked: int
    head_seq: int
    head_hash: str
    problem: ChainProblem | None

    @property
    def ok(self) -> bool:
        return self.problem is None

    @property
    def message(self) -> str:
        if self.problem is None:
            return f"ok: {self.checked} entries, head {self.head_seq} {self.head_hash}"
        return f"{self.problem.kind}: {self.problem.message}"


def verify_chain(
    rows: Iterable[StoredEntry],
    *,
    anchors: Mapping[int, str] | None = None,
    start_seq: int = 1,
    start_hash: str = GENESIS_HASH,
) -> VerifyReport:
    """Recompute every hash in order and report the first entry that breaks the chain.

    ``rows`` are stored entries in the order they are stored (by seq).
    ``anchors`` maps sequence numbers to hashes published earlier (say, on
    the transparency page); they catch a rewrite that re-sealed every later
    entry, and a truncated chain. ``start_seq``/``start_hash`` resume after an
    entry already verified. Streaming: memory does not grow with the chain.
    """
    expected = start_seq
    prev = start_hash
    recent: deque[StoredEntry] = deque(maxlen=_WINDOW)
    remember = recent.append
    sha256 = hashlib.sha256
    canonical = _canonical_text
    checkpoint = anchors.get if anchors else None
    stream = iter(rows)
    for row in stream:
        seq = row[0]
        digest = row[9]
        if (
            seq != expected
            or row[8] != prev
            or sha256(f"{prev}{canonical(row, seq)}".encode("ascii")).hexdigest() != digest
        ):
            problem = _diagnose(row, stream, expected, prev, recent)
            return VerifyReport(expected - start_seq, expected - 1, prev, problem)
        if checkpoint is not None and checkpoint(seq, digest) != digest:
            problem = ChainProblem(
                "checkpoint",
                seq,
                f"entry {seq} does not match the published checkpoint: the chain up to it "
                "was rewritten and re-sealed",
            )
            return VerifyReport(expected - start_seq, expected - 1, prev, problem)
        remember(row)
        prev = digest
        expected += 1
    head = expected - 1
    if anchors and max(anchors) > head:
        missing = min(seq for seq in anchors if seq > head)
        problem = ChainProblem(
            "truncated",
            head + 1,
            f"the chain ends at entry {head} but a checkpoint was published for entry {missing}: "
            f"entries from {head + 1} were removed",
        )
        return VerifyReport(head + 1 - start_seq, head, prev, problem)
    return VerifyReport(head + 1 - start_seq, head, prev, None)


def _true_seq(row: StoredEntry, expected: int) -> int | None:
    """The sequence number under which ``row``'s content was sealed, if near; None if edited."""
    candidates: list[int] = [row.seq, *range(expected - _WINDOW, expected + _WINDOW + 1)]
    for seq in candidates:
        if seq >= 1 and _self_hash(row, seq) == row.hash:
            return seq
    return None


def _fits(row: StoredEntry | None, expected: int, prev: str) -> bool:
    return (
        row is not None
        and row.seq == expected
        and row.prev_hash == prev
        and _self_hash(row, expected) == row.hash
    )


def _diagnose(
    row: StoredEntry,
    stream: Iterator[StoredEntry],
    expected: int,
    prev: str,
    recent: Iterable[StoredEntry],
) -> ChainProblem:
    """Name the first break, given the first row that failed and what follows it."""
    true_seq = _true_seq(row, expected)
    following = next(stream, None)
    problem = _extra_row(row, following, true_seq, expected, prev) or _linked_back(
        row, expected, prev, recent
    )
    if problem is not None:
        return problem
    if true_seq is None:
        return ChainProblem(
            "changed",
            row.seq,
            f"entry {row.seq} was changed: its content no longer matches its hash",
        )
    if true_seq <= expected:
        return _changed_before(row, true_seq, expected)
    return _gap(row, true_seq, expected, following, stream)


def _extra_row(
    row: StoredEntry,
    following: StoredEntry | None,
    true_seq: int | None,
    expected: int,
    prev: str,
) -> ChainProblem | None:
    """The row after ``row`` is the one that belongs here: ``row`` was inserted or moved."""
    if following is None or not _fits(following, expected, prev):
        return None
    if true_seq == expected + 1 and row.prev_hash == following.hash:
        return ChainProblem(
            "reordered",
            expected,
            f"entry {row.seq} comes before entry {expected}: rows were reordered",
        )
    return ChainProblem(
        "inserted",
        row.seq,
        f"a row claiming to be entry {row.seq} was inserted before entry {expected}",
    )


def _linked_back(
    row: StoredEntry, expected: int, prev: str, recent: Iterable[StoredEntry]
) -> ChainProblem | None:
    """``row`` links to an entry before the last one accepted: the ones between were inserted."""
    if row.prev_hash == prev:
        return None
    linked = {entry.hash: entry.seq for entry in recent}.get(row.prev_hash)
    if linked is None or linked >= expected - 1:
        return None
    return ChainProblem(
        "inserted",
        linked + 1,
        f"entry {linked + 1} was inserted: the entry after it links to entry {linked}",
    )


def _changed_before(row: StoredEntry, true_seq: int, expected: int) -> ChainProblem:
    """``row`` is intact but belongs at ``true_seq`` <= ``expected``."""
    if true_seq < expected:
        return ChainProblem(
            "inserted",
            true_seq,
            f"entry {true_seq} appears twice: a row was inserted at entry {true_seq}",
        )
    if row.seq != expected:
        return ChainProblem(
            "changed",
            expected,
            f"entry {expected} was changed: its sequence number now reads {row.seq}",
        )
    return ChainProblem(
        "changed",
        expected - 1,
        f"entry {expected - 1} was changed and its hash recomputed: entry {expected} "
        "links to a different hash",
    )


def _gap(
    row: StoredEntry,
    true_seq: int,
    expected: int,
    following: StoredEntry | None,
    stream: Iterator[StoredEntry],
) -> ChainProblem:
    """Entries ``expected`` .. ``true_seq - 1`` are not here: moved later, or removed."""
    absent = range(expected, true_seq)
    if row.seq == true_seq and following is not None:
        rest = itertools.chain([following], stream)
        if any(later.seq in absent for later in rest):
            return ChainProblem(
                "reordered",
                expected,
                f"entry {row.seq} comes before entry {expected}: rows were reordered",
            )
    span = (
        f"entry {expected} is" if len(absent) == 1 else f"entries {expected} to {true_seq - 1} are"
    )
    return ChainProblem("removed", expected, f"{span} missing: the chain jumps to {true_seq}")
