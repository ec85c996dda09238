"""Verifying the journal as stored: the exact walk, and the fast path for a large journal.

``verify`` walks every entry the table holds, including rows changed behind the
application's back, and names the first break (``core.ledger.verify_chain``). On
a large journal the database first renders each entry's canonical text itself
(``_rendered_sql``), hashed in parallel processes over seq ranges; that fast
path can only say "the chain holds". Storage itself is in ``books.journal``.
"""

from __future__ import annotations

import multiprocessing
from contextlib import nullcontext

from django.db import DatabaseError, connection, connections, transaction
from django.db.models import Q

from commonshare.books.journal import _rows, head, stored_entry, stream
from commonshare.books.models import JournalEntry, JournalPosting
from commonshare.core.ledger import (
    GENESIS_HASH,
    ChainProblem,
    VerifyReport,
    chain_holds,
    entry_hash,
    rendering_matches,
    stored_canonical_bytes,
    verify_chain,
)


def verify(anchors: dict[int, str] | None = None, *, workers: int = 1) -> VerifyReport:
    """Walk the whole chain as stored, including rows changed behind the application's back.

    A large journal is first checked fast: the database renders each entry's
    postings in their canonical form (one row per entry) and, with
    ``workers`` > 1, seq ranges are hashed in parallel processes and stitched
    by their boundary hashes. The fast path can only say "the chain holds";
    on anything else the exact sequential walk names the first broken entry.
    """
    return _with_strays(_chain_report(anchors, workers))


def _chain_report(anchors: dict[int, str] | None, workers: int) -> VerifyReport:
    head_seq, head_hash = head()
    fast = head_seq >= FAST_MINIMUM and not (anchors and max(anchors) > head_seq)
    if fast and _fast_check(head_seq, max(workers, 1), anchors):
        tail = verify_chain(
            stream(first=head_seq + 1), start_seq=head_seq + 1, start_hash=head_hash
        )
        if tail.ok:
            return VerifyReport(head_seq + tail.checked, tail.head_seq, tail.head_hash, None)
    return verify_chain(stream(), anchors=anchors)


FAST_MINIMUM = 20_000


def _with_strays(report: VerifyReport) -> VerifyReport:
    """``report``, or the first row outside the chain it walked, on every path.

    Once the chain holds, entries 1..head are all there, so a posting whose entry
    does not exist, or an entry numbered below 1 (the walk starts at 1), can only
    sit outside that range: a few index probes, not a scan.
    """
    if not report.ok:
        return report
    stray = (
        JournalEntry.objects.filter(seq__lt=1).order_by("seq").values_list("seq", flat=True)
    ).first()
    if stray is not None:
        problem = ChainProblem(
            "inserted",
            stray,
            f"a row numbered {stray} was inserted: entries are numbered from 1",
        )
        return VerifyReport(report.checked, report.head_seq, report.head_hash, problem)
    orphan = (
        JournalPosting.objects.filter(Q(entry_id__lt=1) | Q(entry_id__gt=report.head_seq))
        .order_by("entry_id", "line")
        .values_list("entry_id", "line", "account", "currency", "minor")
        .first()
    )
    if orphan is None:
        return report
    seq, line, account, currency, minor = orphan
    problem = ChainProblem(
        "orphan",
        seq,
        f"a posting of {minor} {currency} to {account} (line {line}) belongs to entry {seq}, "
        "which is not in the chain: it was inserted behind the application's back",
    )
    return VerifyReport(report.checked, report.head_seq, report.head_hash, problem)


def _rendered_sql() -> str:
    """Entries rendered by the database as core.ledger renders them, for ``chain_holds``.

    Each row is ``(seq, prev_hash, hash, signed)``, ``signed`` being
    ``prev_hash`` followed by the canonical text, strings JSON-quoted by the
    database (characters beyond ASCII are escaped afterwards, by
    ``rendering_matches``). Postings are stored with ``line`` in canonical order (see
    ``post``); rows stored otherwise only fail here and take the exact walk.
    tests/books/test_journal_fast_verify.py checks the renderings agree.

    Every stored value goes through the database's JSON quoting, so a value
    changed behind the application's back cannot close its string and spell
    the text the hash was made from. An amount of the wrong type (SQLite
    keeps text in an integer column) renders as a non-ASCII mark, which sends
    the row to the core's own rendering.
    """
    if connection.vendor == "postgresql":
        return _rendered_sql_postgresql()
    entries = JournalEntry._meta.db_table
    postings = JournalPosting._meta.db_table
    minor = "CASE WHEN typeof(p.minor) = 'integer' THEN CAST(p.minor AS TEXT) ELSE char(255) END"
    # SQLite before 3.44 has no ORDER BY inside an aggregate: it adds rows in the order it
    # visits them, here the covering index's (entry_seq, line) order. Its JSON functions are
    # the fastest way it has to quote (a third faster than concatenating quoted pieces).
    lines = (
        "(SELECT json_group_array(json_object("
        f"'account', p.account, 'currency', p.currency, 'minor', {minor})) FROM {postings} p "
        "INDEXED BY posting_canonical_order WHERE p.entry_seq = e.seq)"
    )
    rest = (
        "'date', e.date, 'description', e.description, "
        f"'postings', {lines}, 'reverses', e.reverses, 'seq', e.seq, 'service', e.service, "
        "'source', e.source)"
    )
    # an entry of the older format has no commitment, and its text no "commits" key
    canonical = (
        f"CASE WHEN e.commits IS NULL THEN json_object('actor', e.actor, {rest} "
        f"ELSE json_object('actor', e.actor, 'commits', e.commits, {rest} END"
    )
    return (
        f"SELECT e.seq, e.prev_hash, e.hash, e.prev_hash || {canonical} FROM {entries} e "
        "WHERE e.seq BETWEEN %(first)s AND %(last)s ORDER BY e.seq"
    )


def _rendered_sql_postgresql() -> str:
    """PostgreSQL's JSON builders put spaces after ':' and ',', so the text is concatenated
    from pieces, the entry's strings quoted by ``to_json``. Accounts and currencies are pasted
    in between quotes when they hold no '"' and no backslash, which is all that could let them
    end their string or escape; anything else renders as a non-ASCII mark (rendering the
    postings alone takes a third less time than with ``to_json``).

    The postings of the range are aggregated in one pass over the covering index, merge-joined
    to the entries (a subquery per entry costs a third more). The aggregate takes its rows in
    the order the sorted subquery gives them: an ``ORDER BY`` inside it would sort every entry's
    postings again on PostgreSQL before 16. Were that order ever not kept, rows would only
    disagree and be rendered again by the core (see ``RERENDER_LIMIT``), never pass wrongly.
    """
    entries = JournalEntry._meta.db_table
    postings = JournalPosting._meta.db_table
    fragment = (
        "CASE WHEN strpos(p.account, '\"') + strpos(p.account, '\\') + strpos(p.currency, '\"')"
        " + strpos(p.currency, '\\') = 0"
        ' THEN \'{"account":"\' || p.account || \'","currency":"\' || p.currency'
        ' || \'","minor":"\' || CAST(p.minor AS TEXT) || \'"}\' ELSE chr(255) END'
    )
    lines = (
        "SELECT s.entry_seq, string_agg(s.line, ',') AS lines FROM ("
        f"SELECT p.entry_seq, {fragment} AS line FROM {postings} p "
        "WHERE p.entry_seq BETWEEN %(first)s AND %(last)s ORDER BY p.entry_seq, p.line"
        ") AS s GROUP BY s.entry_seq"
    )
    canonical = (
        "'{\"actor\":' || COALESCE(to_json(e.actor)::text, 'null')"
        " || COALESCE(',\"commits\":' || to_json(e.commits)::text, '')"
        " || ',\"date\":\"' || to_char(e.date, 'YYYY-MM-DD') || '\",\"description\":' || "
        "to_json(e.description)::text"
        " || ',\"postings\":[' || COALESCE(g.lines, '') || '],\"reverses\":'"
        " || COALESCE(CAST(e.reverses AS TEXT), 'null') || ',\"seq\":' || CAST(e.seq AS TEXT)"
        " || ',\"service\":' || to_json(e.service)::text"
        " || ',\"source\":' || to_json(e.source)::text || '}'"
    )
    return (
        f"SELECT e.seq, e.prev_hash, e.hash, e.prev_hash || {canonical} FROM {entries} e "
        f"LEFT JOIN ({lines}) AS g ON g.entry_seq = e.seq "
        "WHERE e.seq BETWEEN %(first)s AND %(last)s ORDER BY e.seq"
    )


def _disagreements_sql() -> str:
    """PostgreSQL hashes the rendered entries itself (``pg_catalog.sha256``, schema-qualified
    so that no function of the same name can stand in) and returns only the rows that need a
    look: the first of the range (its link is checked by the caller), any whose link to the
    previous entry is broken, and any whose hash disagrees with the database's rendering.
    Rows are ``(seq, prev_hash, hash, linked, agrees, signed)``."""
    rendered = _rendered_sql()
    return (
        "SELECT seq, prev_hash, hash, linked, agrees, CASE WHEN agrees THEN NULL ELSE signed END"
        " FROM ( SELECT r.seq, r.prev_hash, r.hash, r.signed,"
        "  r.prev_hash = lag(r.hash) OVER (ORDER BY r.seq) AS linked,"
        "  encode(pg_catalog.sha256(convert_to(r.signed, 'UTF8')), 'hex') = r.hash AS agrees"
        f" FROM ({rendered}) AS r (seq, prev_hash, hash, signed)"
        ") AS checked WHERE linked IS NOT TRUE OR agrees IS NOT TRUE ORDER BY seq"
    )


def _check_range_in_database(first: int, last: int, start_hash: str) -> tuple[bool, int, str]:
    """``chain_holds`` for one seq range, with the hashing done by PostgreSQL."""
    # one snapshot for the three reads, so a write while this runs cannot fall between them
    # (inside a caller's transaction its isolation level stands)
    own = not connection.in_atomic_block
    with transaction.atomic() if own else nullcontext(), connection.cursor() as cursor:
        if own:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        cursor.execute(
            f"SELECT count(*), min(seq), max(seq) FROM {JournalEntry._meta.db_table} "
            "WHERE seq BETWEEN %s AND %s",
            (first, last),
        )
        count, lowest, highest = cursor.fetchone()
        if (count, lowest, highest) != (last - first + 1, first, last):
            return False, first - 1, start_hash
        cursor.execute(_disagreements_sql(), {"first": first, "last": last})
        rendered_again = 0
        for seq, prev_hash, digest, linked, agrees, signed in cursor.fetchall():
            if not linked and (seq != first or prev_hash != start_hash):
                return False, first - 1, start_hash
            if agrees or rendering_matches(signed, digest):
                continue
            # a row the database renders otherwise (postings in another order, say)
            rendered_again += 1
            if rendered_again > RERENDER_LIMIT or not _agrees_exactly(seq, prev_hash, digest):
                return False, first - 1, start_hash
        cursor.execute(f"SELECT hash FROM {JournalEntry._meta.db_table} WHERE seq = %s", (last,))
        (last_hash,) = cursor.fetchone()
    return True, last, last_hash


RERENDER_LIMIT = 1000  # rows rendered again one query each; past that the exact walk is faster


def _agrees_exactly(seq: int, prev_hash: str, digest: str) -> bool:
    """The stored hash of entry ``seq`` is the one the core computes from the stored rows."""
    if not prev_hash.isascii():  # only a change made behind the application's back
        return False
    return entry_hash(prev_hash, _exact_text(seq).encode("ascii")) == digest


def _exact_text(seq: int) -> str:
    entry = stored_entry(seq)
    return "" if entry is None else stored_canonical_bytes(entry).decode("ascii")


def _fast_check(head_seq: int, workers: int, anchors: dict[int, str] | None) -> bool:
    step = -(-head_seq // workers)
    ranges = [(first, min(first + step - 1, head_seq)) for first in range(1, head_seq + 1, step)]
    starts = dict(
        JournalEntry.objects.filter(seq__in=[first for first, _ in ranges]).values_list(
            "seq", "prev_hash"
        )
    )
    if len(starts) != len(ranges) or starts[1] != GENESIS_HASH:
        return False
    jobs = [(first, last, starts[first]) for first, last in ranges]
    if len(jobs) == 1:
        results = [_check_range(*jobs[0])]
    else:
        connections.close_all()  # each process opens its own connection
        with multiprocessing.get_context("fork").Pool(len(jobs)) as pool:
            results = pool.starmap(_check_range, jobs)
        connections.close_all()
    if not all(holds for holds, _, _ in results):
        return False
    # Each range must end exactly where the next one's first entry says it did.
    ends = [(last_seq, last_hash) for _, last_seq, last_hash in results]
    linked = all(ends[i][1] == jobs[i + 1][2] for i in range(len(jobs) - 1))
    complete = [end[0] for end in ends] == [last for _, last, _ in jobs]
    return linked and complete and _anchors_match(anchors)


def _anchors_match(anchors: dict[int, str] | None) -> bool:
    if not anchors:
        return True
    stored = dict(JournalEntry.objects.filter(seq__in=list(anchors)).values_list("seq", "hash"))
    return all(stored.get(seq) == digest for seq, digest in anchors.items())


def _check_range(first: int, last: int, start_hash: str) -> tuple[bool, int, str]:
    if connection.vendor == "postgresql":
        return _check_range_in_database(first, last, start_hash)
    try:
        rows = _rows(_rendered_sql(), {"first": first, "last": last})
        return chain_holds(
            rows,
            _exact_text,
            start_seq=first,
            start_hash=start_hash,
            rerender_limit=RERENDER_LIMIT,
        )
    except DatabaseError:  # a value SQLite's JSON cannot hold (a blob put in behind our back)
        return False, first - 1, start_hash
