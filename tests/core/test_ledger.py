"""The rules of the open books: balanced entries, reversals and the hash chain."""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from dataclasses import replace

import pytest
from beancount.core import account as beancount_names
from hypothesis import given, settings
from hypothesis import strategies as st

from commonshare.core.ledger import (
    BANK,
    GENESIS_HASH,
    MEMO_OFFSET,
    RESERVE,
    STANDARD_ACCOUNTS,
    AccountType,
    EntryDraft,
    LedgerError,
    MemoryJournal,
    Posting,
    StoredEntry,
    account_problems,
    account_type,
    balances,
    beancount_account,
    canonical_bytes,
    check_entry,
    entry_hash,
    expense_account,
    in_kind_account,
    income_account,
    join_postings,
    payable_account,
    rendering_matches,
    reversal_of,
    seal,
    stored_canonical_bytes,
    transfer,
    verify_chain,
)
from commonshare.core.money import Money

DAY = datetime.date(2024, 3, 1)
DONATIONS = income_account("donations")
HOSTING = expense_account("hosting")
ALICE = payable_account("m-1")
ACME = in_kind_account("acme")
CHART = {*STANDARD_ACCOUNTS, DONATIONS, HOSTING, ALICE, ACME}
MONEY_ACCOUNTS = sorted(a for a in CHART if account_type(a) is not AccountType.MEMO)


def draft(
    *postings: Posting, description: str = "Donation", reverses: int | None = None
) -> EntryDraft:
    return EntryDraft(
        date=DAY,
        description=description,
        postings=postings,
        source="income:1",
        actor="m-1",
        service="books.record_income",
        reverses=reverses,
    )


def donation(minor: int = 1000, currency: str = "EUR") -> EntryDraft:
    return draft(Posting(BANK, currency, minor), Posting(DONATIONS, currency, -minor))


# --- accounts ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "kind", "beancount"),
    [
        ("assets:bank", AccountType.ASSET, "Assets:Bank"),
        ("assets:reserve", AccountType.ASSET, "Assets:Reserve"),
        ("income:web-sales", AccountType.INCOME, "Income:Web-Sales"),
        ("expenses:3d-printing", AccountType.EXPENSE, "Expenses:3d-Printing"),
        ("liabilities:payable:42", AccountType.LIABILITY, "Liabilities:Payable:42"),
        ("equity:opening", AccountType.EQUITY, "Equity:Opening"),
        ("memo:in-kind:acme", AccountType.MEMO, "Equity:Memo:In-Kind:Acme"),
        ("memo:offset", AccountType.MEMO, "Equity:Memo:Offset"),
    ],
)
def test_account_names_tell_their_type_and_map_to_beancount(
    name: str, kind: AccountType, beancount: str
) -> None:
    assert account_type(name) is kind
    assert beancount_account(name) == beancount
    assert beancount_names.is_valid(beancount)


@pytest.mark.parametrize(
    ("name", "says"),
    [
        ("bank", "at least two components"),
        ("cash:box", "must start with one of"),
        ("assets:Bank", "lower-case"),
        ("assets:my_bank", "lower-case"),
        ("assets:-bank", "lower-case"),
        ("assets::bank", "lower-case"),
        ("equity:memo:x", "reserved"),
        (42, "must be a string"),
    ],
)
def test_bad_account_names_are_explained(name: object, says: str) -> None:
    assert says in " ".join(account_problems(name))


def test_account_helpers_refuse_unsafe_components() -> None:
    assert payable_account(7) == "liabilities:payable:7"
    with pytest.raises(ValueError, match="cannot be part of an account name"):
        income_account("Sales & more")


word = st.text("abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=6)
component = st.lists(word, min_size=1, max_size=3).map("-".join)
account_names = st.builds(
    lambda root, parts: ":".join([root, *parts]),
    st.sampled_from(["assets", "liabilities", "equity", "income", "expenses", "memo"]),
    st.lists(component, min_size=1, max_size=3),
).filter(lambda name: not name.startswith("equity:memo"))


@settings(max_examples=50)
@given(st.lists(account_names, min_size=1, max_size=20, unique=True))
def test_beancount_names_are_valid_and_one_to_one(names: list[str]) -> None:
    mapped = [beancount_account(name) for name in names]
    assert all(beancount_names.is_valid(name) for name in mapped)
    assert len(set(mapped)) == len(names)


# --- entry rules ---------------------------------------------------------------------------


def test_a_balanced_entry_passes() -> None:
    assert check_entry(donation(), CHART) == []


@pytest.mark.parametrize(
    ("entry", "says"),
    [
        (draft(Posting(BANK, "EUR", 1000), Posting(DONATIONS, "EUR", -900)), "does not balance"),
        (draft(Posting(BANK, "EUR", 1000)), "at least two postings"),
        (draft(), "at least two postings"),
        (draft(Posting("assets:bnak", "EUR", 1), Posting(DONATIONS, "EUR", -1)), "unknown account"),
        (draft(Posting("Assets:Bank", "EUR", 1), Posting(DONATIONS, "EUR", -1)), "lower-case"),
        (draft(Posting(BANK, "EUR", 0), Posting(DONATIONS, "EUR", 0)), "amount is zero"),
        (draft(Posting(BANK, "EUR", 100), Posting(DONATIONS, "USD", -100)), "mix currencies"),
        (draft(Posting(BANK, "XXZ", 1), Posting(DONATIONS, "XXZ", -1)), "not an ISO 4217 currency"),
        (draft(Posting(BANK, "eur", 1), Posting(DONATIONS, "eur", -1)), "write the currency"),
        (draft(Posting(BANK, "EUR", 1.5), Posting(DONATIONS, "EUR", -1.5)), "whole number"),  # type: ignore[arg-type]
        (draft(Posting(BANK, "EUR", "1"), Posting(DONATIONS, "EUR", "-1")), "whole number"),  # type: ignore[arg-type]
        (draft(Posting(BANK, "EUR", True), Posting(DONATIONS, "EUR", -1)), "whole number"),
        (draft(Posting(BANK, "EUR", 2**63), Posting(DONATIONS, "EUR", -(2**63))), "too large"),
        (draft(Posting(ACME, "EUR", 5), Posting(BANK, "EUR", -5)), "memo accounts cannot"),
        (draft(("assets:bank", "EUR", 1), Posting(DONATIONS, "EUR", -1)), "expected a Posting"),  # type: ignore[arg-type]
        (replace(donation(), description="  "), "description is required"),
        (replace(donation(), description="two\nlines"), "one line"),
        (replace(donation(), source=""), "source is required"),
        (replace(donation(), service=None), "service is required"),  # type: ignore[arg-type]
        (replace(donation(), actor=""), "actor is required"),
        (replace(donation(), reverses=0), "reverses must be"),
        (replace(donation(), date=datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)), "date"),
        (replace(donation(), postings=[Posting(BANK, "EUR", 1)]), "tuple"),  # type: ignore[arg-type]
    ],
)
def test_bad_entries_are_refused_with_a_clear_message(entry: EntryDraft, says: str) -> None:
    assert says in " | ".join(check_entry(entry, CHART))


def test_every_problem_is_listed_at_once() -> None:
    bad = replace(
        draft(Posting("assets:nope", "EUR", 0), Posting(DONATIONS, "eur", 5)), description=""
    )
    problems = check_entry(bad, CHART)
    assert len(problems) >= 4
    assert any("description" in p for p in problems)
    assert any("unknown account" in p for p in problems)
    assert any("zero" in p for p in problems)
    assert any("currency" in p for p in problems)


def test_unbalanced_message_names_the_difference_in_currency_digits() -> None:
    entry = draft(Posting(BANK, "BHD", 1250), Posting(DONATIONS, "BHD", -1000))
    assert check_entry(entry, CHART) == [
        "entry does not balance: debits 1.250 BHD but credits 1.000 BHD (difference 0.250 BHD)"
    ]


def test_memo_entries_balance_against_the_memo_offset() -> None:
    gift = draft(Posting(ACME, "EUR", 50000), Posting(MEMO_OFFSET, "EUR", -50000))
    assert check_entry(gift, CHART) == []


def test_transfer_refuses_a_non_positive_amount() -> None:
    with pytest.raises(LedgerError, match="must be positive"):
        transfer(
            date=DAY,
            description="Save",
            debit=RESERVE,
            credit=BANK,
            amount=Money("EUR", -5),
            source="policy:1",
            actor=None,
            service="books.save",
        )
    entry = transfer(
        date=DAY,
        description="Save",
        debit=RESERVE,
        credit=BANK,
        amount=Money.parse("12.50", "EUR"),
        source="policy:1",
        actor=None,
        service="books.save",
    )
    assert entry.postings == (Posting(RESERVE, "EUR", 1250), Posting(BANK, "EUR", -1250))


def test_balances_are_derived_from_postings() -> None:
    journal = MemoryJournal(CHART)
    journal.post(donation(1000))
    journal.post(donation(250))
    journal.post(draft(Posting(HOSTING, "EUR", 300), Posting(BANK, "EUR", -300)))
    assert journal.balances() == {
        (BANK, "EUR"): 950,
        (DONATIONS, "EUR"): -1250,
        (HOSTING, "EUR"): 300,
    }
    assert balances([Posting(BANK, "JPY", 5), Posting(BANK, "EUR", 1)]) == {
        (BANK, "JPY"): 5,
        (BANK, "EUR"): 1,
    }


# --- reversals -----------------------------------------------------------------------------


def test_a_reversal_undoes_an_entry_and_points_at_it() -> None:
    journal = MemoryJournal(CHART)
    original = journal.post(donation(1000))
    undo = reversal_of(original, date=DAY, service="books.reverse", actor="m-2", reason="typo")
    assert undo.reverses == original.seq
    assert undo.description == "Reversal of entry 1 (Donation): typo"
    journal.post(undo)
    assert all(value == 0 for value in journal.balances().values())


def test_reversing_twice_is_refused() -> None:
    journal = MemoryJournal(CHART)
    original = journal.post(donation())
    journal.post(reversal_of(original, date=DAY, service="books.reverse", actor=None))
    with pytest.raises(LedgerError, match="already reversed by entry 2; it cannot be reversed"):
        journal.post(reversal_of(original, date=DAY, service="books.reverse", actor=None))


def test_reversing_a_reversal_a_missing_entry_or_other_postings_is_refused() -> None:
    journal = MemoryJournal(CHART)
    original = journal.post(donation())
    undo = journal.post(reversal_of(original, date=DAY, service="books.reverse", actor=None))
    again = reversal_of(undo, date=DAY, service="books.reverse", actor=None)
    assert "itself the reversal of entry 1" in " ".join(journal.problems(again))
    assert "entry 9 does not exist" in " ".join(journal.problems(replace(again, reverses=9)))
    other = journal.post(donation(700))
    wrong = replace(
        reversal_of(other, date=DAY, service="s", actor=None), postings=donation(5).postings
    )
    assert "exactly those of entry 3" in " ".join(journal.problems(wrong))


# --- canonical form and hashes -------------------------------------------------------------


def test_canonical_form_is_sorted_key_ascii_json() -> None:
    entry = replace(
        draft(
            Posting(DONATIONS, "EUR", -1000),
            Posting(BANK, "EUR", 1000),
            description='Gift "thanks" \\ café ✓',
        ),
        reverses=None,
    )
    expected = {
        "actor": "m-1",
        "date": "2024-03-01",
        "description": 'Gift "thanks" \\ café ✓',
        "postings": [
            {"account": BANK, "currency": "EUR", "minor": "1000"},
            {"account": DONATIONS, "currency": "EUR", "minor": "-1000"},
        ],
        "reverses": None,
        "seq": 7,
        "service": "books.record_income",
        "source": "income:1",
    }
    text = json.dumps(expected, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    assert canonical_bytes(7, entry) == text.encode("ascii")


def test_hash_is_sha256_over_previous_hash_and_canonical_bytes() -> None:
    stored = seal(donation(), seq=1, prev_hash=GENESIS_HASH)
    assert stored.hash == entry_hash(GENESIS_HASH, stored_canonical_bytes(stored))
    assert len(stored.hash) == 64
    assert GENESIS_HASH == "0" * 64


def test_posting_order_does_not_change_the_hash() -> None:
    one = seal(donation(), seq=1, prev_hash=GENESIS_HASH)
    swapped = one._replace(postings=one.postings[::-1])
    assert verify_chain([swapped]).ok


def _three_donations_as_rows() -> tuple[
    MemoryJournal, list[list[object]], list[tuple[object, ...]]
]:
    """A journal, and its entries and postings as a database keeping them apart returns them."""
    journal = MemoryJournal(CHART)
    for minor in (100, 200, 300):
        journal.post(donation(minor))
    fields = [name for name in StoredEntry._fields if name != "postings"]
    entry_rows = [[getattr(e, name) for name in fields] for e in journal.entries]
    posting_rows = [(e.seq, *p) for e in journal.entries for p in e.postings]
    return journal, entry_rows, posting_rows


def test_join_postings_rebuilds_entries_from_two_row_streams() -> None:
    journal, entry_rows, posting_rows = _three_donations_as_rows()
    rebuilt = list(join_postings(entry_rows, posting_rows))
    assert rebuilt == journal.entries
    assert verify_chain(rebuilt).ok


def test_join_postings_keeps_values_of_the_wrong_type_visible() -> None:
    """Bytes or numbers where text belongs (only a change behind the application's back)
    never crash the walk: the entry renders unlike anything hashed and is named."""
    _, rows, posting_rows = _three_donations_as_rows()
    rows[1][2] = b"bytes"  # description
    rows[2][4] = 42  # actor
    report = verify_chain(join_postings(rows, posting_rows))
    assert not report.ok and report.problem is not None and report.problem.seq == 2


def _as_a_database_renders(entry: StoredEntry) -> str:
    """JSON as a database writes it: every character beyond ASCII left as it is."""
    canonical = json.loads(stored_canonical_bytes(entry))
    return entry.prev_hash + json.dumps(
        canonical, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )


# text of the characters the escaping has to tell apart, and any text at all
tricky_text = st.one_of(st.text('\\xU0a"é—😀\x7f\x01'), st.text())


@settings(max_examples=300)
@given(tricky_text, tricky_text)
def test_a_rendering_with_characters_beyond_ascii_matches_after_escaping(
    description: str, other: str
) -> None:
    gift = draft(
        Posting(BANK, "EUR", 1000), Posting(DONATIONS, "EUR", -1000), description=description
    )
    entry = seal(gift, seq=1, prev_hash=GENESIS_HASH)
    assert rendering_matches(_as_a_database_renders(entry), entry.hash)
    if other != description:  # a rendering of other content never matches
        changed = entry._replace(description=other)
        assert not rendering_matches(_as_a_database_renders(changed), entry.hash)
    assert not rendering_matches(None, entry.hash)


# --- the chain: property tests -------------------------------------------------------------

currencies = st.sampled_from(["EUR", "JPY", "BHD"])
amounts = st.integers(min_value=1, max_value=10**12)


@st.composite
def drafts(draw: st.DrawFn) -> EntryDraft:
    currency = draw(currencies)
    debits = draw(st.lists(amounts, min_size=1, max_size=3))
    credit_count = draw(st.integers(min_value=1, max_value=3))
    total = sum(debits)
    credits: list[int] = []
    remaining = total
    for _ in range(credit_count - 1):
        if remaining < 2:
            break
        part = draw(st.integers(1, remaining - 1))
        credits.append(part)
        remaining -= part
    credits.append(remaining)
    accounts = st.sampled_from(MONEY_ACCOUNTS)
    postings = [Posting(draw(accounts), currency, minor) for minor in debits]
    postings += [Posting(draw(accounts), currency, -minor) for minor in credits]
    return EntryDraft(
        date=draw(st.dates(datetime.date(2000, 1, 1), datetime.date(2100, 12, 31))),
        description=draw(
            st.text(
                st.characters(blacklist_categories=("Cc", "Cf", "Cs", "Zl", "Zp")),
                min_size=1,
                max_size=40,
            ).filter(str.strip)
        ),
        postings=tuple(draw(st.permutations(postings))),
        source=draw(st.sampled_from(["income:1", "expense:2", "distribution:2024-03"])),
        actor=draw(st.sampled_from([None, "m-1", "m-2"])),
        service=draw(st.sampled_from(["books.record_income", "books.pay"])),
    )


@st.composite
def journals(draw: st.DrawFn, min_size: int = 1, max_size: int = 12) -> MemoryJournal:
    journal = MemoryJournal(CHART)
    for _ in range(draw(st.integers(min_size, max_size))):
        open_ = [
            e for e in journal.entries if e.reverses is None and e.seq not in journal._reversed_by
        ]
        if open_ and draw(st.booleans()) and draw(st.booleans()):
            target = draw(st.sampled_from(open_))
            journal.post(reversal_of(target, date=target.date, service="books.reverse", actor=None))
        else:
            journal.post(draw(drafts()))
    return journal


@settings(max_examples=60)
@given(journals(max_size=20))
def test_any_sequence_of_valid_operations_stays_balanced_and_verifiable(
    journal: MemoryJournal,
) -> None:
    for entry in journal.entries:
        assert check_entry(entry.draft(), CHART) == []
    per_currency: dict[str, int] = {}
    for (_, currency), minor in journal.balances().items():
        per_currency[currency] = per_currency.get(currency, 0) + minor
    assert set(per_currency.values()) <= {0}
    report = verify_chain(journal.entries)
    assert report.ok, report.message
    assert (report.checked, report.head_seq, report.head_hash) == (
        len(journal.entries),
        len(journal.entries),
        journal.head_hash,
    )


FIELD_CHANGES = [
    "amount",
    "account",
    "description",
    "date",
    "actor",
    "source",
    "seq",
    "hash",
    "prev_hash",
]


def _other_account(posting: Posting) -> Posting:
    return posting._replace(account=HOSTING if posting.account != HOSTING else BANK)


CHANGES: dict[str, Callable[[StoredEntry], StoredEntry]] = {
    "amount": lambda e: e._replace(
        postings=(e.postings[0]._replace(minor=e.postings[0].minor + 1), *e.postings[1:])
    ),
    "account": lambda e: e._replace(postings=(_other_account(e.postings[0]), *e.postings[1:])),
    "description": lambda e: e._replace(description=e.description + "!"),
    "date": lambda e: e._replace(date=e.date + datetime.timedelta(days=1)),
    "actor": lambda e: e._replace(actor="m-9" if e.actor != "m-9" else None),
    "source": lambda e: e._replace(source=e.source + "0"),
    "seq": lambda e: e._replace(seq=e.seq + 1000),
    "hash": lambda e: e._replace(hash="f" * 64 if e.hash != "f" * 64 else "e" * 64),
    "prev_hash": lambda e: e._replace(prev_hash="a" * 64),
}
FIELD_CHANGES = list(CHANGES)


def _changed(entry: StoredEntry, field: str) -> StoredEntry:
    return CHANGES[field](entry)


@settings(max_examples=40)
@given(journals(min_size=2), st.sampled_from(FIELD_CHANGES), st.data())
def test_a_changed_field_is_found_and_named(
    journal: MemoryJournal, field: str, data: st.DataObject
) -> None:
    rows = list(journal.entries)
    k = data.draw(st.integers(1, len(rows)))
    rows[k - 1] = _changed(rows[k - 1], field)
    report = verify_chain(rows)
    assert report.problem is not None
    assert (report.problem.kind, report.problem.seq) == ("changed", k), report.message
    assert report.head_seq == k - 1


@settings(max_examples=40)
@given(journals(min_size=2), st.sampled_from(FIELD_CHANGES[:6]), st.data())
def test_a_changed_and_resealed_entry_is_found_by_the_next_link(
    journal: MemoryJournal, field: str, data: st.DataObject
) -> None:
    rows = list(journal.entries)
    k = data.draw(st.integers(1, len(rows) - 1))
    forged = _changed(rows[k - 1], field)
    rows[k - 1] = forged._replace(hash=entry_hash(forged.prev_hash, stored_canonical_bytes(forged)))
    problem = verify_chain(rows).problem
    assert problem is not None
    assert (problem.kind, problem.seq) == ("changed", k), problem.message


@settings(max_examples=40)
@given(journals(min_size=2), st.data())
def test_a_removed_entry_is_named(journal: MemoryJournal, data: st.DataObject) -> None:
    rows = list(journal.entries)
    k = data.draw(st.integers(1, len(rows) - 1))
    del rows[k - 1]
    problem = verify_chain(rows).problem
    assert problem is not None
    assert (problem.kind, problem.seq) == ("removed", k), problem.message


@settings(max_examples=30)
@given(journals(min_size=2), st.data())
def test_removed_entries_with_the_rest_renumbered_are_named(
    journal: MemoryJournal, data: st.DataObject
) -> None:
    rows = list(journal.entries)
    k = data.draw(st.integers(1, len(rows) - 1))
    count = data.draw(st.integers(1, len(rows) - k))
    rows = rows[: k - 1] + [row._replace(seq=row.seq - count) for row in rows[k - 1 + count :]]
    problem = verify_chain(rows).problem
    assert problem is not None
    assert (problem.kind, problem.seq) == ("removed", k), problem.message


@settings(max_examples=40)
@given(journals(), drafts(), st.booleans(), st.data())
def test_an_inserted_entry_is_named(
    journal: MemoryJournal, extra: EntryDraft, renumber: bool, data: st.DataObject
) -> None:
    rows = list(journal.entries)
    k = data.draw(st.integers(1, len(rows)))
    prev = rows[k - 2].hash if k > 1 else GENESIS_HASH
    forged = seal(extra, seq=k, prev_hash=prev)
    tail = [row._replace(seq=row.seq + 1) for row in rows[k - 1 :]] if renumber else rows[k - 1 :]
    problem = verify_chain([*rows[: k - 1], forged, *tail]).problem
    assert problem is not None
    assert (problem.kind, problem.seq) == ("inserted", k), problem.message


@settings(max_examples=30)
@given(journals(), st.data())
def test_a_duplicated_row_is_named_as_inserted(journal: MemoryJournal, data: st.DataObject) -> None:
    rows = list(journal.entries)
    k = data.draw(st.integers(1, len(rows)))
    rows.insert(k, rows[k - 1])
    problem = verify_chain(rows).problem
    assert problem is not None
    assert (problem.kind, problem.seq) == ("inserted", k), problem.message


@settings(max_examples=40)
@given(journals(min_size=2), st.data())
def test_two_swapped_rows_are_named_as_reordered(
    journal: MemoryJournal, data: st.DataObject
) -> None:
    rows = list(journal.entries)
    i = data.draw(st.integers(1, len(rows) - 1))
    j = data.draw(st.integers(i + 1, len(rows)))
    rows[i - 1], rows[j - 1] = rows[j - 1], rows[i - 1]
    problem = verify_chain(rows).problem
    assert problem is not None
    assert (problem.kind, problem.seq) == ("reordered", i), problem.message


def test_checkpoints_catch_a_rewritten_or_truncated_chain() -> None:
    journal = MemoryJournal(CHART)
    for minor in range(1, 6):
        journal.post(donation(minor))
    published = {5: journal.entries[4].hash}
    rewritten = MemoryJournal(CHART)
    for minor in (1, 2, 99, 4, 5):
        rewritten.post(donation(minor))
    problem = verify_chain(rewritten.entries, anchors=published).problem
    assert problem is not None
    assert (problem.kind, problem.seq) == ("checkpoint", 5)
    truncated = verify_chain(journal.entries[:3], anchors=published)
    assert truncated.problem is not None
    assert (truncated.problem.kind, truncated.problem.seq) == ("truncated", 4)
    assert verify_chain(journal.entries, anchors=published).ok


def test_verification_resumes_after_a_verified_entry() -> None:
    journal = MemoryJournal(CHART)
    for minor in range(1, 6):
        journal.post(donation(minor))
    third = journal.entries[2]
    report = verify_chain(journal.entries[3:], start_seq=4, start_hash=third.hash)
    assert report.ok
    assert report.checked == 2


def test_an_empty_chain_is_valid() -> None:
    report = verify_chain([])
    assert report.ok
    assert (report.checked, report.head_seq, report.head_hash) == (0, 0, GENESIS_HASH)
