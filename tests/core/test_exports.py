"""Exports of the journal: Beancount that bean-check accepts, CSV and JSON."""

from __future__ import annotations

import csv
import datetime
import io
import json
from decimal import Decimal

import pytest
from beancount import loader
from beancount.core import data
from hypothesis import given, settings
from hypothesis import strategies as st

from commonshare.core.exports import (
    CSV_HEADER,
    beancount_text,
    csv_rows,
    csv_text,
    entries_from_json,
    json_document,
)
from commonshare.core.ledger import (
    BANK,
    MEMO_OFFSET,
    STANDARD_ACCOUNTS,
    EntryDraft,
    MemoryJournal,
    Posting,
    expense_account,
    in_kind_account,
    income_account,
    payable_account,
    reversal_of,
    verify_chain,
)

DONATIONS = income_account("donations")
HOSTING = expense_account("hosting")
ALICE = payable_account("m-1")
ACME = in_kind_account("acme")
CHART = {*STANDARD_ACCOUNTS, DONATIONS, HOSTING, ALICE, ACME}
MONEY = sorted(CHART - {ACME, MEMO_OFFSET})


def entry(
    day: datetime.date, description: str, *postings: Posting, actor: str | None = "m-1"
) -> EntryDraft:
    return EntryDraft(day, description, postings, "income:1", actor, "books.record", None)


def sample_journal(currency: str = "EUR", scale: int = 100) -> MemoryJournal:
    journal = MemoryJournal(CHART)
    day = datetime.date(2024, 1, 15)
    journal.post(
        entry(
            day,
            'Gift from "Friends" \\ café',
            Posting(BANK, currency, 1234 * scale // 100),
            Posting(DONATIONS, currency, -(1234 * scale // 100)),
        )
    )
    wrong = journal.post(
        entry(
            day,
            '=HYPERLINK("x")',
            Posting(HOSTING, currency, 5 * scale),
            Posting(BANK, currency, -5 * scale),
            actor=None,
        )
    )
    journal.post(
        reversal_of(
            wrong, date=day + datetime.timedelta(days=1), service="books.reverse", actor="m-2"
        )
    )
    journal.post(
        entry(
            day - datetime.timedelta(days=3),
            "Server, backdated",
            Posting(HOSTING, currency, 3 * scale),
            Posting(ALICE, currency, -3 * scale),
        )
    )
    journal.post(
        entry(
            day,
            "Laptop lent by Acme",
            Posting(ACME, currency, 80000),
            Posting(MEMO_OFFSET, currency, -80000),
        )
    )
    return journal


def load(text: str) -> list[data.Directive]:
    entries, errors, _ = loader.load_string(text)
    assert errors == [], [error.message for error in errors]
    return entries


@pytest.mark.parametrize(
    ("currency", "scale", "amount"),
    [("EUR", 100, "12.34"), ("JPY", 1, "12"), ("BHD", 1000, "12.340")],
)
def test_beancount_export_passes_bean_check(currency: str, scale: int, amount: str) -> None:
    journal = sample_journal(currency, scale)
    text = beancount_text(journal.entries, title="Commons", operating_currency=currency)
    loaded = load(text)
    transactions = [e for e in loaded if isinstance(e, data.Transaction)]
    assert len(transactions) == len(journal.entries)
    gift = next(t for t in transactions if t.meta["seq"] == "1")
    assert gift.narration == 'Gift from "Friends" \\ café'
    assert gift.meta["hash"] == journal.entries[0].hash
    assert gift.postings[0].units.number == Decimal(amount)
    assert f" {amount} {currency}" in text
    opens = {e.account: e for e in loaded if isinstance(e, data.Open)}
    assert opens["Expenses:Hosting"].date == datetime.date(2024, 1, 12)
    assert "Equity:Memo:In-Kind:Acme" in opens
    reversal = next(t for t in transactions if t.meta.get("reverses") == "2")
    assert reversal.links == frozenset({"reversal-2"})


def test_empty_journal_exports_are_valid() -> None:
    load(beancount_text([]))
    assert list(csv_rows([])) == [CSV_HEADER]
    assert json_document([])["head"] is None


@st.composite
def journals(draw: st.DrawFn) -> MemoryJournal:
    journal = MemoryJournal(CHART)
    for _ in range(draw(st.integers(1, 10))):
        currency = draw(st.sampled_from(["EUR", "JPY", "BHD", "USD"]))
        minor = draw(st.integers(1, 10**15))
        debit, credit = draw(st.lists(st.sampled_from(MONEY), min_size=2, max_size=2, unique=True))
        day = draw(st.dates(datetime.date(1990, 1, 1), datetime.date(2090, 1, 1)))
        text = draw(
            st.text(
                st.characters(blacklist_categories=("Cc", "Cf", "Cs", "Zl", "Zp")),
                min_size=1,
                max_size=30,
            ).filter(str.strip)
        )
        journal.post(
            entry(day, text, Posting(debit, currency, minor), Posting(credit, currency, -minor))
        )
    return journal


@settings(max_examples=40, deadline=None)
@given(journals())
def test_any_generated_journal_exports_to_valid_beancount(journal: MemoryJournal) -> None:
    loaded = load(beancount_text(journal.entries))
    transactions = sorted(
        (e for e in loaded if isinstance(e, data.Transaction)), key=lambda t: int(t.meta["seq"])
    )
    assert [t.narration for t in transactions] == [e.description for e in journal.entries]


def test_csv_has_one_row_per_posting_with_exact_amounts() -> None:
    journal = sample_journal("BHD", 1000)
    rows = list(csv.reader(io.StringIO(csv_text(journal.entries))))
    assert tuple(rows[0]) == CSV_HEADER
    assert len(rows) == 1 + sum(len(e.postings) for e in journal.entries)
    first = dict(zip(CSV_HEADER, rows[1], strict=True))
    assert first | {"hash": ""} == {
        "seq": "1",
        "date": "2024-01-15",
        "account": BANK,
        "amount": "12.340",
        "currency": "BHD",
        "description": 'Gift from "Friends" \\ café',
        "source": "income:1",
        "hash": "",
        "actor": "m-1",
        "service": "books.record",
        "reverses": "",
    }
    formula = dict(zip(CSV_HEADER, rows[3], strict=True))
    assert formula["description"] == '\'=HYPERLINK("x")'
    assert formula["amount"].startswith("5") or formula["amount"].startswith("-5")
    raw = list(csv_rows(journal.entries, spreadsheet_safe=False))
    assert raw[3][5] == '=HYPERLINK("x")'


def test_json_round_trips_and_verifies() -> None:
    journal = sample_journal("JPY", 1)
    document = json.loads(json.dumps(json_document(journal.entries)))
    assert document["head"] == {"seq": 5, "hash": journal.head_hash}
    assert document["entries"][0]["postings"][0] == {
        "account": BANK,
        "currency": "JPY",
        "minor": "12",
        "amount": "12",
    }
    back = list(entries_from_json(document))
    assert back == journal.entries
    assert verify_chain(back).ok
    document["entries"][1]["postings"][0]["minor"] = "501"
    problem = verify_chain(entries_from_json(document)).problem
    assert problem is not None
    assert (problem.kind, problem.seq) == ("changed", 2)


def test_malformed_json_is_refused_clearly() -> None:
    with pytest.raises(ValueError, match=r"not a commonshare\.journal"):
        list(entries_from_json({"format": "other"}))
    document = json_document(sample_journal().entries)
    del document["entries"][2]["hash"]
    with pytest.raises(ValueError, match="entry 3 of the document is malformed"):
        list(entries_from_json(document))
