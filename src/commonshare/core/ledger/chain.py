"""The hash chain that makes the journal tamper-evident.

Canonical form of an entry: the ASCII JSON text, keys sorted, no spaces, of ::

    {"actor": <string or null>, "date": "YYYY-MM-DD", "description": <string>,
     "postings": [{"account": <string>, "currency": <string>, "minor": "<integer>"}, ...],
     "reverses": <integer or null>, "seq": <integer>, "service": <string>,
     "source": <string>}

plus ``"commits": <string>`` (between ``actor`` and ``date``, keys staying sorted)
when the entry commits to its source record's content; entries without a
commitment (the older format) have no such key, so their hashes are unchanged.

with postings sorted by (account, currency, minor) and amounts as integer
minor units written as strings. It is exactly
``json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=True)``,
so anyone can recompute it in any language, and it does not depend on the
CLDR's currency digits. It is built by hand here because that is four times
faster.

``hash = sha256(prev_hash + canonical)`` as lower-case hex, where
``prev_hash`` is the previous entry's hash (``GENESIS_HASH``, 64 zeros, for
the first). Changing any field of any entry, or removing, inserting or
reordering entries, breaks the chain at that point; ``verify_chain`` finds
the first break and names the entry. A rewrite of the whole chain after some
entry is only caught against a published checkpoint (``anchors``).
"""

from __future__ import annotations

import datetime
import hashlib
import itertools
import re
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from json.encoder import encode_basestring_ascii as _quote
from typing import Literal

from commonshare.core.ledger.records import GENESIS_HASH, EntryDraft, Posting, StoredEntry

ProblemKind = Literal[
    "changed", "removed", "inserted", "reordered", "checkpoint", "truncated", "orphan"
]
_WINDOW = 64  # rows kept to recognise a link to an earlier entry, and seq shifts tried


@cache
def _posting_head(account: str, currency: str) -> str:
    return f'{{"account":{_quote(account)},"currency":{_quote(currency)},"minor":"'


@cache
def _iso(date: datetime.date) -> str:
    return date.isoformat()


def _posting_lines(postings: Sequence[Posting]) -> str:
    if len(postings) == 2:  # the common case, unrolled: this is the hot path of verify
        first, second = postings
        if second < first:
            first, second = second, first
        return (
            f'{_posting_head(first[0], first[1])}{first[2]}"}},'
            f'{_posting_head(second[0], second[1])}{second[2]}"}}'
        )
    if len(postings) == 3:
        first, second, third = sorted(postings)
        return (
            f'{_posting_head(first[0], first[1])}{first[2]}"}},'
            f'{_posting_head(second[0], second[1])}{second[2]}"}},'
            f'{_posting_head(third[0], third[1])}{third[2]}"}}'
        )
    return ",".join([f'{_posting_head(a, c)}{m}"}}' for a, c, m in sorted(postings)])


def _canonical_text(entry: StoredEntry, seq: int) -> str:
    _, date, description, postings, source, actor, service, reverses, _, _, commits = entry
    return _canonical_from(
        actor,
        _iso(date),
        description,
        _posting_lines(postings),
        reverses,
        seq,
        service,
        source,
        commits,
    )


def _canonical_from(  # noqa: PLR0917 - the verify hot path: keyword calls cost time
    actor: str | None,
    date_iso: str,
    description: str,
    posting_lines: str,
    reverses: int | None,
    seq: int,
    service: str,
    source: str,
    commits: str | None = None,
) -> str:
    committed = "" if commits is None else f'"commits":{_quote(commits)},'
    return (
        f'{{"actor":{"null" if actor is None else _quote(actor)},{committed}"date":"{date_iso}",'
        f'"description":{_quote(description)},"postings":[{posting_lines}],'
        f'"reverses":{"null" if reverses is None else reverses},"seq":{seq},'
        f'"service":{_quote(service)},"source":{_quote(source)}}}'
    )


def posting_lines(postings: Sequence[Posting]) -> str:
    """The postings part of the canonical form, for storage code that renders it itself."""
    return _posting_lines(postings)


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


def rendering_matches(signed: str | None, digest: str) -> bool:
    """``digest`` is the hash of ``signed``, a database's rendering (``None``: it had none).

    A database's JSON quoting writes characters beyond ASCII (and DEL) as they are, where
    this module writes ``\\uXXXX``; they can only stand inside strings, so escaping them
    in the whole text gives this module's text, and a text that means the same JSON.
    """
    if signed is None:
        return False
    if not signed.isascii():
        signed = _escaped_beyond_ascii(signed)
    if "\x7f" in signed:
        signed = signed.replace("\x7f", "\\u007f")
    return hashlib.sha256(signed.encode("ascii")).hexdigest() == digest


def _escaped_beyond_ascii(json_text: str) -> str:
    """``json_text`` with every character beyond ASCII written as a JSON ``\\u`` escape.

    Python's own escaping (in C) writes ``\\xHH``, ``\\uHHHH`` or ``\\UHHHHHHHH``; only the
    first and the last need rewriting. Every backslash already in a JSON text opens an escape,
    and a stored backslash is the escape ``\\\\``: split at those, every ``\\x`` or
    ``\\U`` left is one of Python's.
    """
    text = json_text.encode("ascii", "backslashreplace").decode("ascii")
    if "\\x" not in text and "\\U" not in text:
        return text
    if "\\\\" not in text:
        return _as_json_escapes(text)
    return "\\\\".join([_as_json_escapes(part) for part in text.split("\\\\")])


_ASTRAL = re.compile(r"\\U([0-9a-f]{8})")


def _as_json_escapes(python_escaped: str) -> str:
    text = python_escaped.replace("\\x", "\\u00")
    return _ASTRAL.sub(_surrogate_pair, text) if "\\U" in text else text


def _surrogate_pair(match: re.Match[str]) -> str:
    above = int(match[1], 16) - 0x10000
    return f"\\u{0xD800 + (above >> 10):04x}\\u{0xDC00 + (above & 0x3FF):04x}"


def canonical_bytes(seq: int, draft: EntryDraft) -> bytes:
    """The canonical form of entry number ``seq`` with the content of ``draft``."""
    entry = StoredEntry(
        seq,
        draft.date,
        draft.description,
        tuple(draft.postings),
        draft.source,
        draft.actor,
        draft.service,
        draft.reverses,
        "",
        "",
        draft.commits,
    )
    return _canonical_text(entry, seq).encode("ascii")


def stored_canonical_bytes(entry: StoredEntry) -> bytes:
    """The canonical form of a stored entry (its hash fields are not part of it)."""
    return _canonical_text(entry, entry.seq).encode("ascii")


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


def _self_hash(row: StoredEntry, seq: int) -> str:
    text = _canonical_text(row, seq)
    return hashlib.sha256(f"{row.prev_hash}{text}".encode("ascii")).hexdigest()


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
