"""The open books over the API: journal entries, reversals, verification, balances,
sustainability, exports, expense decisions, withdrawals and what members are owed."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable
from typing import Any

import pytest
from beancount import loader
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from tests.api.conftest import ApiClient, assert_refused
from tests.money import approved_claim, posted_income, reversed_entry

from commonshare.books.append_only import set_guard
from commonshare.books.models import ExpenseDecision, Income, JournalEntry, Withdrawal
from commonshare.core.exports import CSV_HEADER
from commonshare.core.ledger import GENESIS_HASH
from commonshare.work import services as work

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
INCOME = {
    "amount": "100.00",
    "currency": "EUR",
    "payer": "A customer",
    "description": "Support contract",
    "received_on": TODAY.isoformat(),
    "source": "sales",
    "reference": "INV-2026-001",
}


def _income(member: Any, amount: str = "100.00", on: dt.date = TODAY, currency: str = "EUR") -> Any:
    return posted_income(
        member,
        amount=amount,
        currency=currency,
        payer="Acme",
        description="Support",
        received_on=on,
        source="support",
    )


def _months_ago(count: int) -> dt.date:
    month = TODAY.replace(day=1)
    for _ in range(count):
        month = (month - dt.timedelta(days=1)).replace(day=1)
    return month


@pytest.fixture
def peers(make_member: Callable[..., Any]) -> list[Any]:
    return [make_member("Cleo"), make_member("Dan")]


def _claim(author: Any, amount: str = "30.00") -> Any:
    return work.log_contribution(
        author,
        work.ContributionInput(
            kind="expense",
            summary="Domain name",
            amount=amount,
            currency="EUR",
            receipt=SimpleUploadedFile("receipt.pdf", b"%PDF-1.4"),
        ),
    )


# --- income, entries, head ----------------------------------------------------------------


def test_income_with_source_and_reference_posts_one_entry(
    as_alice: ApiClient, as_bob: ApiClient, anonymous: ApiClient, bob: Any
) -> None:
    created = as_alice.post("/income", INCOME)
    assert created.status_code == 201, created.content
    assert (created.json()["source"], created.json()["reference"]) == ("sales", "INV-2026-001")
    assert (created.json()["status"], created.json()["duplicate_of"]) == ("pending", None)
    assert Income.objects.get().source == "sales"
    assert anonymous.get("/books/entries").json()["count"] == 0
    own = as_alice.post(f"/income/{created.json()['id']}/confirm")
    assert_refused(own, 403)
    confirmed = as_bob.post(f"/income/{created.json()['id']}/confirm")
    assert confirmed.status_code == 200, confirmed.content
    assert confirmed.json()["status"] == "confirmed"
    assert confirmed.json()["confirmed_by"] == {"id": bob.pk, "display_name": "Bob"}

    page = anonymous.get("/books/entries").json()
    assert page["count"] == 1
    assert page["next_before_seq"] is None
    [entry] = page["items"]
    assert entry["seq"] == 1
    assert entry["date"] == TODAY.isoformat()
    assert entry["source"] == f"income:{created.json()['id']}"
    assert (entry["actor"], entry["service"]) == (str(bob.pk), "books.confirm_income")
    assert (entry["reverses"], entry["reversed_by"]) == (None, None)
    assert entry["prev_hash"] == GENESIS_HASH
    assert sorted(entry["postings"], key=lambda p: p["account"]) == [
        {"account": "assets:bank", "currency": "EUR", "amount": "90.00", "minor": 9000},
        {"account": "assets:reserve", "currency": "EUR", "amount": "10.00", "minor": 1000},
        {"account": "income:sales", "currency": "EUR", "amount": "-100.00", "minor": -10000},
    ]
    assert anonymous.get("/books/entries/1").json() == entry
    assert anonymous.get("/books/head").json() == {"seq": 1, "hash": entry["hash"]}


def test_yen_amounts_have_no_minor_digits(
    as_alice: ApiClient, as_bob: ApiClient, anonymous: ApiClient
) -> None:
    pending = as_alice.post("/income", {**INCOME, "amount": "1200", "currency": "JPY"}).json()
    assert pending["amount"] == "1200"
    as_bob.post(f"/income/{pending['id']}/confirm")
    postings = anonymous.get("/books/entries/1").json()["postings"]
    assert sorted((p["account"], p["amount"], p["minor"]) for p in postings) == [
        ("assets:bank", "1080", 1080),
        ("assets:reserve", "120", 120),
        ("income:sales", "-1200", -1200),
    ]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"source": "gifts"}, "source"),
        ({"reference": "x" * 201}, "reference"),
        ({"reference": "two\nlines"}, "reference"),
        ({"description": "zero\u200bwidth"}, "description"),
        ({"reference": 17}, "reference"),
    ],
)
def test_bad_income_source_or_reference_writes_nothing(
    as_alice: ApiClient, change: dict[str, Any], field: str
) -> None:
    assert_refused(as_alice.post("/income", {**INCOME, **change}), 422, field)
    assert not JournalEntry.objects.exists()


def test_empty_journal(anonymous: ApiClient) -> None:
    assert anonymous.get("/books/head").json() == {"seq": 0, "hash": GENESIS_HASH}
    assert anonymous.get("/books/entries").json() == {
        "count": 0,
        "next_before_seq": None,
        "items": [],
    }
    assert_refused(anonymous.get("/books/entries/1"), 404)


def test_entries_page_by_sequence_number(alice: Any, anonymous: ApiClient) -> None:
    for cents in range(1, 8):
        _income(alice, f"{cents}.00")
    seen: list[int] = []
    before: int | None = None
    while True:
        query = "?limit=3" if before is None else f"?limit=3&before_seq={before}"
        page = anonymous.get(f"/books/entries{query}").json()
        assert page["count"] == 7
        seen += [entry["seq"] for entry in page["items"]]
        before = page["next_before_seq"]
        if before is None:
            break
    assert seen == [7, 6, 5, 4, 3, 2, 1]
    assert [e["seq"] for e in anonymous.get("/books/entries?before_seq=100").json()["items"]] == [
        7,
        6,
        5,
        4,
        3,
        2,
        1,
    ]


def test_a_deep_page_costs_what_the_first_costs(alice: Any, anonymous: ApiClient) -> None:
    """Keyset paging: the same few indexed queries, and no OFFSET, at any depth."""
    for _ in range(6):
        _income(alice)
    costs = []
    for query in ("?limit=2", "?limit=2&before_seq=3"):
        with CaptureQueriesContext(connection) as queries:
            assert anonymous.get(f"/books/entries{query}").status_code == 200
        assert not any("OFFSET" in q["sql"].upper() for q in queries.captured_queries)
        costs.append(len(queries.captured_queries))
    assert costs[0] == costs[1] <= 4


def test_entry_page_queries_search_indexes_and_never_scan(alice: Any, anonymous: ApiClient) -> None:
    """What keeps a page O(limit) in a journal of a million entries.

    No query reads a whole table or sorts one: each searches an index, or walks
    one in order and stops at its LIMIT (the head).
    """
    if connection.vendor != "sqlite":
        # PostgreSQL's planner picks sequential scans on tables this small, so its
        # plans say nothing about a million entries; the keyset test above runs on both.
        pytest.skip("reads SQLite's EXPLAIN QUERY PLAN; PostgreSQL plans tiny tables differently")
    for _ in range(3):
        _income(alice)
    reversed_entry(alice, 1, reason="Booked twice")
    with CaptureQueriesContext(connection) as queries:
        anonymous.get("/books/entries?limit=2&before_seq=3")
    with connection.cursor() as cursor:
        for query in queries.captured_queries:
            cursor.execute(f"EXPLAIN QUERY PLAN {query['sql']}")
            steps = [str(row[-1]) for row in cursor.fetchall()]
            for step in steps:
                walks_in_order = "USING" in step and "LIMIT" in query["sql"]
                assert not step.startswith("SCAN") or walks_in_order, (query["sql"], steps)
                assert "TEMP B-TREE" not in step, (query["sql"], steps)


@pytest.mark.parametrize("query", ["?before_seq=0", "?limit=0", "?limit=101", "?before_seq=x"])
def test_bad_entry_page_is_refused(anonymous: ApiClient, query: str) -> None:
    assert_refused(anonymous.get(f"/books/entries{query}"), 422)


# --- reversals ----------------------------------------------------------------------------


def test_reverse_an_entry_once(
    as_alice: ApiClient, as_bob: ApiClient, anonymous: ApiClient, alice: Any, bob: Any
) -> None:
    _income(alice, "100.00")
    response = as_alice.post("/books/entries/1/reverse", {"reason": "Booked twice"})
    assert response.status_code == 201, response.content
    asked = response.json()
    assert (asked["seq"], asked["status"], asked["reversal_seq"]) == (1, "pending", None)
    assert anonymous.get("/books/entries").json()["count"] == 1
    assert_refused(as_alice.post(f"/reversals/{asked['id']}/confirm"), 403)
    waiting = as_bob.get("/books/waiting").json()
    assert [r["id"] for r in waiting["reversals"]] == [asked["id"]]
    done = as_bob.post(f"/reversals/{asked['id']}/confirm")
    assert done.status_code == 200, done.content
    assert (done.json()["status"], done.json()["reversal_seq"]) == ("confirmed", 2)
    reversal = anonymous.get("/books/entries/2").json()
    assert (reversal["seq"], reversal["reverses"], reversal["actor"]) == (2, 1, str(bob.pk))
    assert "Booked twice" in reversal["description"]
    assert sorted((p["account"], p["amount"]) for p in reversal["postings"]) == [
        ("assets:bank", "-90.00"),
        ("assets:reserve", "-10.00"),
        ("income:support", "100.00"),
    ]
    assert anonymous.get("/books/entries/1").json()["reversed_by"] == 2
    balances = anonymous.get("/books/balances").json()["items"]
    assert {b["minor"] for b in balances} == {0}

    assert_refused(as_alice.post("/books/entries/1/reverse", {"reason": "Again"}), 409)
    assert_refused(as_alice.post("/books/entries/2/reverse", {"reason": "Undo"}), 409)
    assert_refused(as_alice.post("/books/entries/3/reverse", {"reason": "None"}), 404)
    assert JournalEntry.objects.count() == 2


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "reason"),
        ({"reason": ""}, "reason"),
        ({"reason": "   "}, "reason"),
        ({"reason": "a\nb"}, "reason"),
        ({"reason": "ok", "seq": 1}, "seq"),
    ],
)
def test_bad_reversal_writes_nothing(
    as_alice: ApiClient, alice: Any, body: dict[str, Any], field: str
) -> None:
    _income(alice)
    assert_refused(as_alice.post("/books/entries/1/reverse", body), 422, field)
    assert JournalEntry.objects.count() == 1


def test_reversal_needs_credentials(anonymous: ApiClient, alice: Any) -> None:
    _income(alice)
    assert_refused(anonymous.post("/books/entries/1/reverse", {"reason": "x"}), 401)
    assert JournalEntry.objects.count() == 1


# --- verify -------------------------------------------------------------------------------


def test_verify_an_intact_chain_with_anchors(alice: Any, anonymous: ApiClient) -> None:
    for _ in range(3):
        _income(alice)
    head = anonymous.get("/books/head").json()
    report = anonymous.get("/books/verify").json()
    assert report == {
        "ok": True,
        "message": f"ok: 3 entries, head 3 {head['hash']}",
        "checked": 3,
        "head_seq": 3,
        "head_hash": head["hash"],
        "problem": None,
        "records": [],
        "anchors": 0,
    }
    first = anonymous.get("/books/entries/1").json()["hash"]
    anchored = anonymous.get(f"/books/verify?anchor=1:{first}&anchor=3:{head['hash']}").json()
    assert anchored["ok"] is True

    wrong = anonymous.get(f"/books/verify?anchor=2:{first}").json()
    assert (wrong["ok"], wrong["problem"]["kind"], wrong["problem"]["seq"]) == (
        False,
        "checkpoint",
        2,
    )
    later = anonymous.get(f"/books/verify?anchor=9:{head['hash']}").json()
    assert (later["ok"], later["problem"]["kind"]) == (False, "truncated")


def test_verify_lists_a_record_that_no_longer_matches(alice: Any, anonymous: ApiClient) -> None:
    from django.db import connection

    income = _income(alice)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE books_income SET payer = 'Someone else' WHERE id = %s", [income.pk])
    report = anonymous.get("/books/verify").json()
    assert report["ok"] is False and report["problem"] is None
    assert report["records"] == [f"income {income.pk} no longer matches entry 1"]


@pytest.mark.parametrize(
    "anchor",
    ["1", "0:" + "a" * 64, "1:" + "a" * 63, "1:" + "g" * 64, "x:" + "a" * 64],
)
def test_bad_anchor_is_refused(anonymous: ApiClient, anchor: str) -> None:
    assert_refused(anonymous.get(f"/books/verify?anchor={anchor}"), 422, "anchor")


def test_two_hashes_for_one_entry_are_refused(anonymous: ApiClient) -> None:
    query = f"anchor=1:{'a' * 64}&anchor=1:{'b' * 64}"
    assert_refused(anonymous.get(f"/books/verify?{query}"), 422, "anchor")


def test_verify_names_an_entry_edited_with_raw_sql(alice: Any, anonymous: ApiClient) -> None:
    for _ in range(3):
        _income(alice)
    set_guard(connection, install=False)
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE books_journalposting SET minor = minor + 100 "
                "WHERE entry_seq = 2 AND account = 'assets:bank'"
            )
            cursor.execute(
                "UPDATE books_journalposting SET minor = minor - 100 "
                "WHERE entry_seq = 2 AND account = 'assets:reserve'"
            )
    finally:
        set_guard(connection, install=True)
    report = anonymous.get("/books/verify").json()
    assert report["ok"] is False
    assert report["problem"]["kind"] == "changed"
    assert report["problem"]["seq"] == 2
    assert "entry 2" in report["problem"]["message"]
    assert report["checked"] == 1


# --- balances, sustainability, exports ----------------------------------------------------


def test_balances_per_account_and_currency(alice: Any, anonymous: ApiClient) -> None:
    _income(alice, "100.00")
    _income(alice, "1000", currency="JPY")
    body = anonymous.get("/books/balances").json()
    assert len(body["items"]) == 6
    rows = {(b["account"], b["currency"]): b for b in body["items"]}
    assert rows["assets:bank", "EUR"] == {
        "account": "assets:bank",
        "type": "assets",
        "currency": "EUR",
        "minor": 9000,
        "amount": "90.00",
        "normal_amount": "90.00",
    }
    assert rows["income:support", "EUR"]["amount"] == "-100.00"
    assert rows["income:support", "EUR"]["normal_amount"] == "100.00"
    assert rows["income:support", "EUR"]["type"] == "income"
    assert rows["assets:reserve", "JPY"]["amount"] == "100"


def test_sustainability_with_monthly_series(
    alice: Any, bob: Any, peers: list[Any], anonymous: ApiClient
) -> None:
    _income(alice, "200.00", on=_months_ago(2) + dt.timedelta(days=3))
    _income(alice, "100.00", on=_months_ago(1) + dt.timedelta(days=3))
    claim = _claim(bob, "30.00")
    approved_claim(claim.pk, reason="Receipt matches")

    report = anonymous.get("/books/sustainability?currency=eur&window=3").json()
    assert report["currency"] == "EUR"
    assert report["today"] == TODAY.isoformat()
    assert report["months"] == [_months_ago(2).isoformat(), _months_ago(1).isoformat()]
    assert report["reserve"] == "30.00"
    assert report["burn"] == "0.00"
    assert report["average_income"] == "150.00"
    assert report["runway_months"] is None
    assert report["break_even_income"] == "0.00"
    assert report["last_month_net"] == "100.00"
    assert report["last_month_broke_even"] is True
    assert report["trend"] == "-100.00"
    assert report["direction"] == "worsening"
    assert report["series"] == [
        {
            "month": _months_ago(2).isoformat(),
            "income": "200.00",
            "expenses": "0.00",
            "payouts": "0.00",
            "net": "200.00",
        },
        {
            "month": _months_ago(1).isoformat(),
            "income": "100.00",
            "expenses": "0.00",
            "payouts": "0.00",
            "net": "100.00",
        },
        {
            "month": _months_ago(0).isoformat(),
            "income": "0.00",
            "expenses": "30.00",
            "payouts": "0.00",
            "net": "-30.00",
        },
    ]


def test_sustainability_fills_empty_months_and_counts_burn(
    alice: Any, bob: Any, peers: list[Any], anonymous: ApiClient
) -> None:
    _income(alice, "300.00", on=_months_ago(3))
    report = anonymous.get("/books/sustainability?window=1").json()
    assert report["months"] == [_months_ago(1).isoformat()]
    assert (report["burn"], report["average_income"], report["trend"]) == ("0.00", "0.00", None)
    assert [m["month"] for m in report["series"]] == [_months_ago(3).isoformat()]


def test_sustainability_runway(alice: Any, anonymous: ApiClient) -> None:
    """Runway is reserve / burn, as a string; burn from a month with an expense."""
    from commonshare.books import journal
    from commonshare.core.ledger import BANK, EntryDraft, Posting

    _income(alice, "1000.00", on=_months_ago(1))
    journal.open_accounts(["expenses:hosting"], on=_months_ago(1))
    journal.post(
        EntryDraft(
            date=_months_ago(1) + dt.timedelta(days=1),
            description="Hosting",
            postings=(Posting("expenses:hosting", "EUR", 3000), Posting(BANK, "EUR", -3000)),
            source="test",
            actor=None,
            service="tests",
        )
    )
    report = anonymous.get("/books/sustainability?currency=EUR&window=3").json()
    assert (report["burn"], report["reserve"], report["runway_months"]) == (
        "30.00",
        "100.00",
        "3.3",
    )
    assert report["last_month_net"] == "970.00"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("?currency=XYZ", "currency"),
        ("?currency=EURO", "currency"),
        ("?window=0", "window"),
        ("?window=37", "window"),
    ],
)
def test_bad_sustainability_query(anonymous: ApiClient, query: str, field: str) -> None:
    assert_refused(anonymous.get(f"/books/sustainability{query}"), 422, field)


def _some_books(alice: Any, bob: Any, peers: list[Any]) -> None:
    _income(alice, "100.00")
    _income(alice, "1200", currency="JPY")
    claim = _claim(bob, "30.00")
    approved_claim(claim.pk, reason="ok")
    reversed_entry(alice, 2, reason="Wrong currency")


def test_export_beancount_loads_without_errors(
    alice: Any, bob: Any, peers: list[Any], anonymous: ApiClient
) -> None:
    _some_books(alice, bob, peers)
    response = anonymous.get("/books/export?format=beancount")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    entries, errors, _ = loader.load_string(response.content.decode())
    assert errors == []
    transactions = [e for e in entries if type(e).__name__ == "Transaction"]
    assert len(transactions) == 4
    assert anonymous.get("/books/export").content == response.content


def test_export_csv_and_json(alice: Any, bob: Any, peers: list[Any], anonymous: ApiClient) -> None:
    _some_books(alice, bob, peers)
    as_csv = anonymous.get("/books/export?format=csv")
    assert as_csv["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(as_csv.content.decode())))
    assert tuple(rows[0]) == CSV_HEADER
    assert len(rows) == 1 + 3 + 3 + 2 + 3
    assert ["1", TODAY.isoformat(), "assets:bank", "90.00", "EUR"] in [r[:5] for r in rows]

    as_json = anonymous.get("/books/export?format=json")
    assert as_json["Content-Type"] == "application/json"
    document = as_json.json()
    assert document["head"] == anonymous.get("/books/head").json()
    assert [e["seq"] for e in document["entries"]] == [1, 2, 3, 4]
    assert document["entries"][3]["reverses"] == 2

    assert_refused(anonymous.get("/books/export?format=xlsx"), 422, "format")


# --- expense claims ---------------------------------------------------------------------


def test_expense_claims_and_peer_decisions(
    bob: Any, peers: list[Any], api_as: Callable[..., ApiClient], anonymous: ApiClient
) -> None:
    claim = _claim(bob, "30.00")
    other = _claim(bob, "12.50")
    listed = anonymous.get("/expenses").json()
    assert len(listed["items"]) == 2
    assert [c["id"] for c in listed["items"]] == [other.pk, claim.pk]
    pending = listed["items"][1]
    assert pending == {
        "id": claim.pk,
        "summary": "Domain name",
        "claimant": {"id": bob.pk, "display_name": "Bob"},
        "amount": "30.00",
        "currency": "EUR",
        "status": "pending",
        "version": 1,
        "decisions": [],
        "approvers": claim.approvers,
        "approver_seed": claim.approver_seed,
        "approver_pool": sorted(str(peer.pk) for peer in peers),
        "created_at": pending["created_at"],
    }
    assert sorted(claim.approvers) == sorted(peer.pk for peer in peers)  # the only two eligible

    cleo, dan = (api_as(peer) for peer in peers)
    first = cleo.post(f"/expenses/{claim.pk}/decision", {"version": 1, "verdict": "approve"})
    assert first.status_code == 201, first.content
    assert first.json()["status"] == "pending"
    assert JournalEntry.objects.count() == 0
    second = dan.post(
        f"/expenses/{claim.pk}/decision",
        {"version": 1, "verdict": "approve", "reason": "Receipt matches"},
    )
    approved = second.json()
    assert approved["status"] == "approved"
    assert [
        (d["member"]["display_name"], d["verdict"], d["reason"], d["version"])
        for d in approved["decisions"]
    ] == [
        ("Cleo", "approve", "", 1),
        ("Dan", "approve", "Receipt matches", 1),
    ]
    entry = anonymous.get("/books/entries/1").json()
    assert entry["source"] == f"expense:{claim.pk}"
    assert sorted((p["account"], p["amount"]) for p in entry["postings"]) == [
        ("expenses:claims", "30.00"),
        (f"liabilities:payable:{bob.pk}", "-30.00"),
    ]

    cleo.post(
        f"/expenses/{other.pk}/decision",
        {"version": 1, "verdict": "reject", "reason": "No receipt total"},
    )
    dan.post(
        f"/expenses/{other.pk}/decision", {"version": 1, "verdict": "reject", "reason": "Duplicate"}
    )
    by_status = {
        status: [c["id"] for c in anonymous.get(f"/expenses?status={status}").json()["items"]]
        for status in ("pending", "approved", "rejected")
    }
    assert by_status == {"pending": [], "approved": [claim.pk], "rejected": [other.pk]}
    assert_refused(anonymous.get("/expenses?status=open"), 422, "status")
    assert JournalEntry.objects.count() == 1


def test_expense_decision_refusals_write_nothing(  # noqa: PLR0917 - pytest fixtures
    alice: Any,
    bob: Any,
    peers: list[Any],
    as_bob: ApiClient,
    as_alice: ApiClient,
    api_as: Callable[..., ApiClient],
    anonymous: ApiClient,
) -> None:
    claim = _claim(bob)
    url = f"/expenses/{claim.pk}/decision"
    work_done = work.log_contribution(
        alice, work.ContributionInput(kind="work", summary="Code", hours="2", evidence_text="ok")
    )

    def nothing_written() -> None:
        assert JournalEntry.objects.count() == 0
        assert not ExpenseDecision.objects.exists()

    everyone = {m.pk: m for m in (alice, *peers)}
    first, second = (api_as(everyone[pk]) for pk in claim.approvers)
    (left_out,) = (api_as(m) for pk, m in everyone.items() if pk not in claim.approvers)
    assert_refused(as_bob.post(url, {"version": 1, "verdict": "approve"}), 403)
    assert_refused(left_out.post(url, {"version": 1, "verdict": "approve"}), 403)
    nothing_written()
    assert_refused(
        as_alice.post(f"/expenses/{work_done.pk}/decision", {"version": 1, "verdict": "approve"}),
        404,
    )
    assert_refused(
        as_alice.post("/expenses/999999/decision", {"version": 1, "verdict": "approve"}), 404
    )
    assert_refused(first.post(url, {"version": 1, "verdict": "reject"}), 422, "reason")
    assert_refused(
        first.post(url, {"version": 1, "verdict": "reject", "reason": "  "}), 422, "reason"
    )
    assert_refused(first.post(url, {"version": 1, "verdict": "maybe"}), 422, "verdict")
    assert_refused(anonymous.post(url, {"version": 1, "verdict": "approve"}), 401)
    nothing_written()

    assert first.post(url, {"version": 1, "verdict": "approve"}).status_code == 201
    assert_refused(first.post(url, {"version": 1, "verdict": "approve"}), 409)
    assert second.post(url, {"version": 1, "verdict": "approve"}).json()["status"] == "approved"
    entries = JournalEntry.objects.count()
    assert_refused(left_out.post(url, {"version": 1, "verdict": "reject", "reason": "Late"}), 409)
    assert JournalEntry.objects.count() == entries == 1
    assert ExpenseDecision.objects.count() == 2


# --- withdrawals and what members are owed ----------------------------------------------


@pytest.fixture
def bob_is_owed(bob: Any, peers: list[Any], alice: Any) -> Any:
    """The commons owes Bob 30.00 EUR for an approved expense, and holds 90.00 EUR."""
    _income(alice, "100.00")
    claim = _claim(bob, "30.00")
    approved_claim(claim.pk, reason="ok")
    return claim


def test_withdrawal_and_member_balance(
    as_alice: ApiClient, as_bob: ApiClient, anonymous: ApiClient, bob: Any, bob_is_owed: Any
) -> None:
    before = anonymous.get(f"/members/{bob.pk}/balance").json()
    assert before["owed"] == [{"currency": "EUR", "amount": "30.00", "minor": 3000}]
    assert [(line["seq"], line["owed_change"]) for line in before["history"]] == [(2, "30.00")]

    body = {"member_id": bob.pk, "amount": "10.00", "currency": "EUR", "reference": "SEPA #88"}
    response = as_alice.post("/withdrawals", body)
    assert response.status_code == 201, response.content
    sent = response.json()
    assert sent["member"] == {"id": bob.pk, "display_name": "Bob"}
    assert (sent["amount"], sent["status"], sent["entry_seq"]) == ("10.00", "pending", None)
    assert_refused(as_alice.post(f"/withdrawals/{sent['id']}/confirm"), 403)
    confirmed = as_bob.post(f"/withdrawals/{sent['id']}/confirm")
    assert confirmed.status_code == 200, confirmed.content
    paid = confirmed.json()
    assert (paid["amount"], paid["currency"], paid["reference"], paid["entry_seq"]) == (
        "10.00",
        "EUR",
        "SEPA #88",
        3,
    )
    entry = anonymous.get("/books/entries/3").json()
    assert sorted((p["account"], p["amount"]) for p in entry["postings"]) == [
        ("assets:bank", "-10.00"),
        (f"liabilities:payable:{bob.pk}", "10.00"),
    ]

    after = anonymous.get(f"/members/{bob.pk}/balance").json()
    assert after["member"] == {"id": bob.pk, "display_name": "Bob"}
    assert after["owed"] == [{"currency": "EUR", "amount": "20.00", "minor": 2000}]
    assert [
        (line["seq"], line["currency"], line["amount"], line["minor"], line["owed_change"])
        for line in after["history"]
    ] == [(3, "EUR", "10.00", 1000, "-10.00"), (2, "EUR", "-30.00", -3000, "30.00")]
    assert [w["id"] for w in after["withdrawals"]] == [paid["id"]]


def test_member_with_nothing_owed(anonymous: ApiClient, alice: Any) -> None:
    assert anonymous.get(f"/members/{alice.pk}/balance").json() == {
        "member": {"id": alice.pk, "display_name": "Alice"},
        "owed": [],
        "history": [],
        "withdrawals": [],
    }
    assert_refused(anonymous.get("/members/999999/balance"), 404)


@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        ({"amount": "30.01"}, 422, "amount"),
        ({"amount": "5.00", "currency": "JPY"}, 422, "amount"),
        ({"amount": "0.00"}, 422, "amount"),
        ({"amount": "1.001"}, 422, "amount"),
        ({"amount": 10}, 422, "amount"),
        ({"currency": "XYZ"}, 422, "currency"),
        ({"reference": ""}, 422, "reference"),
        ({"reference": "a\tb"}, 422, "reference"),
        ({"member_id": 999999}, 404, "member_id"),
        ({"member_id": "2"}, 422, "member_id"),
    ],
)
def test_withdrawal_refusals_write_nothing(  # noqa: PLR0917 - pytest fixtures
    as_alice: ApiClient,
    bob: Any,
    bob_is_owed: Any,
    change: dict[str, Any],
    status: int,
    field: str,
) -> None:
    body = {"member_id": bob.pk, "amount": "10.00", "currency": "EUR", "reference": "SEPA #88"}
    entries = JournalEntry.objects.count()
    assert_refused(as_alice.post("/withdrawals", {**body, **change}), status, field)
    assert JournalEntry.objects.count() == entries
    assert not Withdrawal.objects.exists()


def test_withdrawal_needs_credentials(anonymous: ApiClient, bob: Any, bob_is_owed: Any) -> None:
    body = {"member_id": bob.pk, "amount": "10.00", "currency": "EUR", "reference": "SEPA #88"}
    assert_refused(anonymous.post("/withdrawals", body), 401)
    assert not Withdrawal.objects.exists()
