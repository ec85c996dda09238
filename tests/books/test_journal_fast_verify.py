"""The fast, database-rendered verify agrees with the exact walk and never hides a change."""

import datetime as dt

import pytest
from django.db import DataError, ProgrammingError, connection, transaction
from hypothesis import given, settings
from hypothesis import strategies as st

from commonshare.books import journal, journal_verify
from commonshare.books.append_only import set_guard
from commonshare.core.ledger import (
    BANK,
    RESERVE,
    EntryDraft,
    Posting,
    rendering_matches,
    stored_canonical_bytes,
)

DESCRIPTIONS = ['Plain "quoted" text', "back\\slash and /slash", "Lucía's «invoice»", "x"]
ACCOUNTS = [BANK, RESERVE, "income:support", "expenses:hosting", "liabilities:payable:7"]


def _draft(number: int, rng_postings: list[tuple[str, int]]) -> EntryDraft:
    postings = [Posting(account, "EUR", minor) for account, minor in rng_postings]
    postings.append(Posting(BANK, "EUR", -sum(p.minor for p in postings)))
    return EntryDraft(
        date=dt.date(2026, 1, 1) + dt.timedelta(days=number % 90),
        description=f'entry «{number}» "quoted"',
        postings=tuple(p for p in postings if p.minor),
        source=f"test:{number}",
        actor=None if number % 2 else str(number),
        service="test.fast_verify",
    )


posting_sets = st.lists(
    st.tuples(st.sampled_from(ACCOUNTS[1:]), st.integers(-(10**12), 10**12).filter(bool)),
    min_size=1,
    max_size=5,
)


def _post_all(sets: list[list[tuple[str, int]]]) -> None:
    journal.open_accounts(ACCOUNTS, on=dt.date(2026, 1, 1))
    journal.post_many(_draft(n, s) for n, s in enumerate(sets))


@pytest.mark.django_db
@settings(max_examples=25, deadline=None)
@given(st.lists(posting_sets, min_size=1, max_size=8))
def test_database_renders_entries_exactly_as_core(sets: list[list[tuple[str, int]]]) -> None:
    _post_all(sets)
    head_seq = journal.head()[0]
    first = head_seq - len(sets) + 1
    with connection.cursor() as cursor:
        cursor.execute(journal_verify._rendered_sql(), {"first": first, "last": head_seq})
        rendered = {row[0]: row[3] for row in cursor.fetchall()}
    for entry in journal.stream(first=first):
        exact = entry.prev_hash + stored_canonical_bytes(entry).decode("ascii")
        if rendered[entry.seq].isascii():
            assert rendered[entry.seq] == exact
        # non-ASCII text (in every description here) matches once written as \\u escapes
        assert rendering_matches(rendered[entry.seq], entry.hash)


@pytest.fixture
def many_entries(db: None, monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr(journal_verify, "FAST_MINIMUM", 10)
    _post_all([[(RESERVE, n + 1), ("income:support", -(n + 2))] for n in range(40)])
    return journal.head()[0]


@pytest.fixture
def plain_entries(db: None, monkeypatch: pytest.MonkeyPatch) -> int:
    """Twenty ASCII entries (the database renders them itself), each 7 from bank to reserve."""
    monkeypatch.setattr(journal_verify, "FAST_MINIMUM", 10)
    journal.open_accounts(ACCOUNTS, on=dt.date(2026, 1, 1))
    journal.post_many(
        EntryDraft(
            date=dt.date(2026, 1, 1),
            description=f"plain ASCII {n}",
            postings=(Posting(BANK, "EUR", 7), Posting(RESERVE, "EUR", -7)),
            source=f"test:{n}",
            actor=None,
            service="test.fast_verify",
        )
        for n in range(20)
    )
    return journal.head()[0]


def _behind_the_back(*statements: str) -> None:
    """Raw SQL with the append-only triggers lifted, as someone with the database file would."""
    set_guard(connection, install=False)
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
    finally:
        set_guard(connection, install=True)


def _found_at(seq: int) -> None:
    assert not journal_verify._fast_check(journal.head()[0], 1, None)
    report = journal_verify.verify()
    assert not report.ok
    assert report.problem is not None and report.problem.seq == seq


def test_fast_path_says_ok_with_full_counts(
    many_entries: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    rendered_again: list[int] = []
    exact_text = journal_verify._exact_text
    monkeypatch.setattr(
        journal_verify, "_exact_text", lambda seq: rendered_again.append(seq) or exact_text(seq)
    )
    assert journal_verify._fast_check(many_entries, 1, None)
    # non-ASCII rows («» in every description) too are hashed as the database rendered them
    assert rendered_again == []
    report = journal_verify.verify()
    assert report.ok and report.checked == many_entries == report.head_seq


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE books_journalposting SET minor = minor + 1 WHERE entry_seq = 17 AND line = 0",
        "UPDATE books_journalentry SET description = 'forged' WHERE seq = 17",
        "UPDATE books_journalposting SET account = 'assets:reserve' "
        "WHERE entry_seq = 17 AND line = 2",
        "DELETE FROM books_journalposting WHERE entry_seq = 17 AND line = 0",
    ],
)
def test_fast_path_never_hides_an_edit(many_entries: int, statement: str) -> None:
    _behind_the_back(statement)
    _found_at(17)


def test_reordered_lines_are_rendered_again_and_change_no_hash(
    many_entries: int,
) -> None:
    """Line numbers are storage order, not content: swapping them changes no hash."""
    _behind_the_back("UPDATE books_journalposting SET line = 9 WHERE entry_seq = 5 AND line = 0")
    assert journal_verify.verify().ok


def test_a_row_the_database_renders_otherwise_is_rendered_again_alone(
    plain_entries: int,
) -> None:
    # the database now renders entry 5 in another order
    _behind_the_back("UPDATE books_journalposting SET line = 9 WHERE entry_seq = 5 AND line = 0")
    # that row alone is rendered again by the core: the fast path holds, with no full walk
    assert journal_verify._fast_check(plain_entries, 1, None)
    report = journal_verify.verify()
    assert report.ok and report.checked == 20


def test_past_the_rerender_limit_the_exact_walk_takes_over(
    plain_entries: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # entries 5 and 6 now render in another order: each would cost a query of its own
    _behind_the_back(
        "UPDATE books_journalposting SET line = 9 WHERE entry_seq IN (5, 6) AND line = 0"
    )
    monkeypatch.setattr(journal_verify, "RERENDER_LIMIT", 1)
    assert not journal_verify._fast_check(plain_entries, 1, None)
    report = journal_verify.verify()  # the exact walk: nothing was changed that a hash covers
    assert report.ok and report.checked == 20
    monkeypatch.setattr(journal_verify, "RERENDER_LIMIT", 2)
    assert journal_verify._fast_check(plain_entries, 1, None)


# Changes behind the application's back that make the database's unquoted rendering of a
# changed row equal the text the hash was made from: the fast path must not accept them.
def test_fast_path_is_not_fooled_by_text_that_renders_like_the_original(
    plain_entries: int,
) -> None:
    original = journal.stored_entry(12)
    assert original is not None
    assert [p.account for p in original.postings] == [BANK, RESERVE]  # canonical order
    _behind_the_back(  # two postings folded into one whose account spells both
        "DELETE FROM books_journalposting WHERE entry_seq = 12 AND line = 1",
        'UPDATE books_journalposting SET account = \'assets:bank","currency":"EUR",'
        '"minor":"7"},{"account":"assets:reserve\', minor = -7 '
        "WHERE entry_seq = 12 AND line = 0",
    )
    _found_at(12)


@pytest.mark.parametrize(
    "statement",
    [
        # SQLite keeps text in an integer column: an amount that closes its own string
        'UPDATE books_journalposting SET minor = \'7"}},{{"account":"x\' '
        "WHERE entry_seq = 12 AND line = 0",
        'UPDATE books_journalentry SET date = \'2026-01-01","x":"y\' WHERE seq = 12',
        "UPDATE books_journalentry SET reverses = '1,\"x\":2' WHERE seq = 12",
        # bytes where text belongs: the database's JSON functions refuse them outright
        "UPDATE books_journalentry SET description = X'706c61696e' WHERE seq = 12",
        "UPDATE books_journalposting SET account = X'6173' WHERE entry_seq = 12 AND line = 0",
    ],
)
def test_values_of_the_wrong_type_are_changes_too(plain_entries: int, statement: str) -> None:
    try:
        _behind_the_back(statement)
    except (DataError, ProgrammingError):  # PostgreSQL's column types refuse most outright
        assert connection.vendor == "postgresql"
        assert journal_verify.verify().ok
        return
    _found_at(12)


@pytest.mark.django_db(transaction=True)
def test_parallel_workers_check_ranges_and_stitch_them(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(journal_verify, "FAST_MINIMUM", 10)
    _post_all([[(RESERVE, n + 1), ("income:support", -(n + 2))] for n in range(60)])
    assert journal_verify._fast_check(60, 2, None)
    assert journal_verify.verify(workers=2).ok
    # break the chain in the second range
    _behind_the_back("UPDATE books_journalentry SET description = 'x' WHERE seq = 45")
    assert not journal_verify._fast_check(60, 2, None)
    report = journal_verify.verify(workers=2)
    assert report.problem is not None and report.problem.seq == 45
