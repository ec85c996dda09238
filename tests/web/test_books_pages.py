"""The open books pages: journal, head hash, sustainability, expenses, pay-outs, reversals."""

from __future__ import annotations

import re
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from commonshare.books import journal
from commonshare.books.models import (
    ExpenseDecision,
    Income,
    JournalEntry,
    ReversalRequest,
    Withdrawal,
)
from commonshare.core.ledger import entry_hash, stored_canonical_bytes
from commonshare.work.models import Contribution
from tests.distributing import distribute
from tests.money import posted_income
from tests.web.test_pages import as_member, assert_field_error, url

pytestmark = pytest.mark.django_db


def text(response: Any) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def entries() -> int:
    return JournalEntry.objects.count()


@pytest.fixture
def claim(world: SimpleNamespace, make_member: Any) -> SimpleNamespace:
    """Ada claims an expense with a receipt; Ben and Cleo may decide on it."""
    from commonshare.work import services as work

    world.cleo = make_member("Cleo")
    receipt = SimpleUploadedFile("receipt.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    world.claim = work.log_contribution(
        world.ada,
        work.ContributionInput(
            kind="expense", summary="Domain name", amount="12.50", currency="EUR", receipt=receipt
        ),
    )
    return world


@pytest.fixture
def approved(claim: SimpleNamespace) -> SimpleNamespace:
    from commonshare.books import services as books

    for member in (claim.ben, claim.cleo):
        books.decide_expense(member, claim.claim.pk, verdict="approve")
    return claim


# --- Public pages --------------------------------------------------------------------


def test_open_books_pages_are_public(paid: Any) -> None:
    visitor = Client()
    pages = [
        url("books"),
        url("books") + "?currency=EUR",
        url("books") + "?currency=nonsense",
        url("entries"),
        url("entries") + "?page=1",
        url("sustainability"),
        url("sustainability") + "?currency=EUR",
        url("expenses"),
        url("expenses") + "?status=pending",
        url("income", paid.income.pk),
    ]
    pages += [url("entry", seq) for seq in range(1, journal.head()[0] + 1)]
    for page in pages:
        assert visitor.get(page).status_code == 200, page
    assert visitor.get(url("entry_reverse", 1))["Location"].startswith(url("login"))


def test_open_books_shows_the_head_hash_and_how_to_check_it(paid: Any) -> None:
    seq, digest = journal.head()
    page = text(Client().get(url("books")))
    assert f'id="head-seq">{seq}<' in page
    assert f'id="head-hash">{digest}<' in page
    assert f"commonshare books verify --anchor {seq}:{digest}" in page


def test_open_books_shows_balances_chart_reserve_entries_and_distributions(paid: Any) -> None:
    page = text(Client().get(url("books")))
    for account in ("assets:bank", "assets:reserve", "income:support", "expenses:payouts"):
        assert account in page, account
    assert f"liabilities:payable:{paid.ada.pk}" in page
    assert "10.00 EUR" in page  # the reserve: 10 % of 100.00
    assert "Income, expenses and payouts per month, EUR" in page
    assert 'class="bar income"' in page
    assert url("income", paid.income.pk) in page  # drill-down from the income entry
    assert url("distribution", paid.distribution.pk) in page
    paid_to = paid.distribution.payouts.count()
    assert f"{paid_to} member{'s' if paid_to != 1 else ''}</td>" in page  # each payout: its page
    assert url("member", paid.ada.pk) in page  # who recorded it
    for seq in range(1, journal.head()[0] + 1):
        assert f'id="entry-{seq}"' in page


def test_entry_page_shows_every_field_and_the_seal(paid: Any) -> None:
    stored = journal.stored_entry(1)
    assert stored is not None
    page = text(Client().get(url("entry", 1)))
    assert stored.hash in page
    assert stored.prev_hash in page  # the genesis hash
    assert "books.confirm_income" in page
    assert f"income:{paid.income.pk}" in page
    assert url("income", paid.income.pk) in page
    canonical = stored_canonical_bytes(stored).decode()
    assert canonical.replace('"', "&quot;") in page
    assert entry_hash(stored.prev_hash, canonical.encode()) == stored.hash
    assert "matches" in page
    assert "Reverse this entry" not in page  # visitors get no button


def test_pagination_is_by_seq_range(world: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from commonshare.books.selectors import entries as queries

    for number in range(7):
        posted_income(
            world.ada,
            amount="1",
            currency="EUR",
            payer=f"P{number}",
            description="D",
            received_on=world.today,
        )
    monkeypatch.setattr(queries, "ENTRY_PAGE_SIZE", 3)
    head = journal.head()[0]
    assert head == 8
    page = text(Client().get(url("entries") + "?page=2"))
    shown = [int(seq) for seq in re.findall(r'data-seq="(\d+)"', page)]
    assert shown == [5, 4, 3]  # (head - 2*3, head - 3], newest first
    assert "page 2 of 3" in page
    last = text(Client().get(url("entries") + "?page=3"))
    assert [int(s) for s in re.findall(r'data-seq="(\d+)"', last)] == [2, 1]
    for bad in ("0", "4", "x", "-1"):
        assert Client().get(url("entries") + f"?page={bad}").status_code == 404, bad


def test_currency_picker_lists_each_currency_once(paid: Any) -> None:

    posted_income(
        paid.ada, amount="5", currency="USD", payer="P", description="D", received_on=paid.today
    )
    page = text(Client().get(url("sustainability") + "?currency=usd"))
    assert "Sustainability, USD" in page
    assert page.count('<option value="EUR"') == 1
    assert page.count('<option value="USD" selected>') == 1


def test_go_to_entry(paid: Any) -> None:
    assert Client().get(url("entry_go") + "?seq=2")["Location"] == url("entry", 2)
    assert Client().get(url("entry_go") + "?seq=x").status_code == 404


def test_sustainability_page(paid: Any) -> None:
    from commonshare.books import selectors

    report = selectors.sustainability_report("EUR", today=paid.today)
    page = text(Client().get(url("sustainability") + "?currency=EUR"))
    assert "Sustainability, EUR" in page
    assert "Monthly burn" in page
    assert "Break-even income" in page
    assert "Runway" in page
    assert f"{report.reserve / 100:.2f} EUR" in page
    assert "<svg" in page
    assert 'class="bar costs"' in page


def test_missing_things_are_404_in_the_site_layout(paid: Any) -> None:
    member = as_member(paid.ada)
    for page in [
        url("entry", 99999),
        url("entry_reverse", 99999),
        url("income", 99999),
        url("expense_decide", 99999),
        url("expense_decide", paid.contribution.pk),  # work, not an expense claim
        url("withdrawal_create", 99999),
        "/no-such-page/",
    ]:
        response = member.get(page)
        assert response.status_code == 404, page
        assert "Open books" in response.content.decode(), page  # the site's navigation
    assert member.post(url("entry_reverse", 99999), {"reason": "x"}).status_code == 404


def test_forbidden_is_403_in_the_site_layout(world: Any) -> None:
    response = as_member(world.ben).get(url("contribution_edit", world.contribution.pk))
    assert response.status_code == 403
    page = response.content.decode()
    assert "Not allowed" in page
    assert "Only the author can edit" in page
    assert "Open books" in page


# --- Income with source and reference ------------------------------------------------


def test_income_form_records_source_and_reference(world: Any) -> None:
    data = {
        "amount": "40",
        "currency": "EUR",
        "payer": "Shop",
        "description": "Stickers",
        "received_on": "2026-01-15",
        "source": "sales",
        "reference": "INV-77",
    }
    assert as_member(world.ben).post(url("income_create"), data).status_code == 302
    income = Income.objects.get(reference="INV-77")
    assert income.source == "sales"
    listed = text(Client().get(url("income_list")))
    assert "Waiting for confirmation" in listed and "not distributable" in listed
    books = text(Client().get(url("books")))
    assert "not in these balances and not distributable" in books and "40.00 EUR" in books
    assert "income:sales" not in text(Client().get(url("income", income.pk)))  # not posted
    waiting = text(as_member(world.ada).get(url("waiting")))
    assert url("income_confirm", income.pk) in waiting
    assert url("income_confirm", income.pk) not in text(as_member(world.ben).get(url("waiting")))
    own = as_member(world.ben).post(url("income_confirm", income.pk))
    assert own.status_code == 403
    assert "another member must confirm it" in own.content.decode()
    confirmed = as_member(world.ada).post(url("income_confirm", income.pk))
    assert confirmed["Location"] == url("waiting")
    page = text(Client().get(url("income", income.pk)))
    assert "INV-77" in page
    assert "Sales" in page
    assert "income:sales" in page  # its journal entry, shown on the income's page
    assert url("income", income.pk) in text(Client().get(url("income_list")))


def test_income_with_a_bad_source_is_refused(world: Any) -> None:
    data = {
        "amount": "40",
        "currency": "EUR",
        "payer": "Shop",
        "description": "Stickers",
        "received_on": "2026-01-15",
        "source": "lottery",
    }
    before = entries()
    assert_field_error(as_member(world.ben).post(url("income_create"), data), "source")
    assert entries() == before


# --- Expense claims --------------------------------------------------------------------


def test_expense_list_and_claim_page(claim: Any) -> None:
    listing = text(Client().get(url("expenses")))
    assert "Domain name" in listing
    assert "pending" in listing
    assert "Domain name" not in text(Client().get(url("expenses") + "?status=approved"))
    page = text(as_member(claim.ben).get(url("contribution", claim.claim.pk)))
    assert 'id="expense-status">pending<' in page
    assert url("expense_decide", claim.claim.pk) in page
    assert 'value="approve"' in page
    # The claimant and visitors get no buttons.
    for client in (as_member(claim.ada), Client()):
        own = text(client.get(url("contribution", claim.claim.pk)))
        assert 'value="approve"' not in own


def test_two_approvals_make_a_debt_shown_on_the_claim(claim: Any) -> None:
    before = entries()
    response = as_member(claim.ben).post(
        url("expense_decide", claim.claim.pk),
        {"version": 1, "verdict": "approve", "reason": "Receipt ok"},
    )
    assert response["Location"] == url("contribution", claim.claim.pk)
    assert entries() == before  # one approval of two: nothing owed yet
    as_member(claim.cleo).post(
        url("expense_decide", claim.claim.pk), {"version": 1, "verdict": "approve"}
    )
    assert entries() == before + 1
    page = text(Client().get(url("contribution", claim.claim.pk)))
    assert 'id="expense-status">approved<' in page
    assert "Receipt ok" in page
    assert 'id="claimant-owed">12.50 EUR<' in page
    assert url("entry", before + 1) in page
    listing = text(Client().get(url("expenses") + "?status=approved"))
    assert "Domain name" in listing


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"version": 1, "verdict": "reject", "reason": ""}, "reason"),
        ({"version": 1, "verdict": "maybe"}, "verdict"),
        ({"version": 1, "verdict": "approve", "reason": "x" * 501}, "reason"),
    ],
)
def test_expense_decision_refusals_name_the_field(
    claim: Any, data: dict[str, str], field: str
) -> None:
    before = (entries(), ExpenseDecision.objects.count())
    assert_field_error(
        as_member(claim.ben).post(url("expense_decide", claim.claim.pk), data), field
    )
    assert (entries(), ExpenseDecision.objects.count()) == before


def test_claimant_may_not_decide_and_nobody_decides_twice(claim: Any) -> None:
    before = ExpenseDecision.objects.count()
    own = as_member(claim.ada).post(
        url("expense_decide", claim.claim.pk), {"version": 1, "verdict": "approve"}
    )
    assert own.status_code == 403
    assert ExpenseDecision.objects.count() == before
    ben = as_member(claim.ben)
    ben.post(
        url("expense_decide", claim.claim.pk),
        {"version": 1, "verdict": "reject", "reason": "No receipt"},
    )
    again = ben.post(url("expense_decide", claim.claim.pk), {"version": 1, "verdict": "approve"})
    assert "already rejected" in text(again)  # both drawn must approve: one rejection settles
    assert ExpenseDecision.objects.count() == before + 1


# --- Pay-outs (withdrawals) ---------------------------------------------------------


def test_member_page_shows_what_is_owed_and_its_history(approved: Any) -> None:
    page = text(Client().get(url("member", approved.ada.pk)))
    assert 'data-currency="EUR">12.50 EUR<' in page
    assert "Expense claim approved: Domain name" in page
    assert "No withdrawals yet." in page
    assert "Mark paid out" not in page  # visitors get no form
    assert "Mark paid out" in text(as_member(approved.ben).get(url("member", approved.ada.pk)))


def test_mark_paid_out(approved: Any) -> None:
    client = as_member(approved.ben)
    data = {"amount": "12.50", "currency": "EUR", "reference": "TRF-2026-001"}
    response = client.post(url("withdrawal_create", approved.ada.pk), data)
    assert response["Location"] == url("member", approved.ada.pk)
    withdrawal = Withdrawal.objects.get(reference="TRF-2026-001")
    pending = text(Client().get(url("member", approved.ada.pk)))
    assert "Waiting for the payee" in pending and "not posted" in pending
    assert "Mark paid out" not in text(as_member(approved.ada).get(url("member", approved.ada.pk)))
    ada = as_member(approved.ada)
    assert url("withdrawal_confirm", withdrawal.pk) in text(ada.get(url("waiting")))
    assert client.post(url("withdrawal_confirm", withdrawal.pk)).status_code == 403  # not Ben's
    assert ada.post(url("withdrawal_confirm", withdrawal.pk))["Location"] == url("waiting")
    withdrawal.refresh_from_db()
    page = text(Client().get(url("member", approved.ada.pk)))
    assert 'data-currency="EUR">0.00 EUR<' in page
    assert page.count('data-currency="EUR"') == 1  # one line per currency, however many entries
    assert "TRF-2026-001" in page
    assert url("entry", withdrawal.entry_id) in page
    books = text(Client().get(url("books")))
    assert "Paid out to Ada (TRF-2026-001)" in books


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"amount": "12.51"}, "amount"),
        ({"amount": "-1"}, "amount"),
        ({"amount": "lots"}, "amount"),
        ({"currency": "EURO"}, "currency"),
        ({"reference": ""}, "reference"),
    ],
)
def test_pay_out_refusals_name_the_field(approved: Any, change: dict[str, str], field: str) -> None:
    data = {"amount": "12.50", "currency": "EUR", "reference": "TRF", **change}
    before = (entries(), Withdrawal.objects.count())
    response = as_member(approved.ben).post(url("withdrawal_create", approved.ada.pk), data)
    assert_field_error(response, field)
    assert (entries(), Withdrawal.objects.count()) == before


def test_pay_out_needs_login(approved: Any) -> None:
    data = {"amount": "1", "currency": "EUR", "reference": "TRF"}
    response = Client().post(url("withdrawal_create", approved.ada.pk), data)
    assert response["Location"].startswith(url("login"))
    assert not Withdrawal.objects.exists()


# --- Reversals ----------------------------------------------------------------------


def test_reverse_an_entry(paid: Any) -> None:
    client = as_member(paid.ben)
    assert "Reverse this entry" in text(client.get(url("entry", 1)))
    assert "csrfmiddlewaretoken" in text(client.get(url("entry_reverse", 1)))
    before = entries()
    assert_field_error(client.post(url("entry_reverse", 1), {"reason": ""}), "reason")
    assert entries() == before
    response = client.post(url("entry_reverse", 1), {"reason": "Recorded twice"})
    assert response["Location"] == url("entry", 1)
    assert entries() == before  # asked for, not posted: a second member confirms
    asked = ReversalRequest.objects.get(seq=1)
    assert client.post(url("reversal_confirm", asked.pk)).status_code == 403  # Ben asked
    second = as_member(paid.ada)
    assert url("reversal_confirm", asked.pk) in text(second.get(url("waiting")))
    confirmed = second.post(url("reversal_confirm", asked.pk))
    assert confirmed["Location"] == url("entry", before + 1)
    assert entries() == before + 1
    reversal = text(Client().get(url("entry", before + 1)))
    assert "Recorded twice" in reversal
    assert url("entry", 1) in reversal
    original = text(Client().get(url("entry", 1)))
    assert f'reversed by <a href="{url("entry", before + 1)}"' in original
    assert "Reverse this entry" not in text(client.get(url("entry", 1)))
    # Asking again is refused and shown on the form; nothing is written.
    again = client.post(url("entry_reverse", 1), {"reason": "Again"})
    assert again.status_code == 200
    assert again.context["form"].non_field_errors()
    assert entries() == before + 1


# --- Distributions: the reserve and resource payments ----------------------------------


def test_distribution_page_explains_the_reserve(paid: Any) -> None:
    page = text(Client().get(url("distribution", paid.distribution.pk)))
    basis = re.sub(r"<[^>]+>", "", re.search(r'id="basis">(.*?)</p>', page, re.S).group(1))
    assert "received 100.00 EUR of income" in basis
    assert "10.00 EUR sat in the reserve" in basis
    assert "10 %" in basis
    assert f"{paid.distribution.amount} EUR was distributed" in basis


def test_distribution_page_lists_resource_payments(world: Any) -> None:
    from commonshare.work import services as work

    lent = work.log_contribution(
        world.ada,
        work.ContributionInput(
            kind="resource",
            summary="Build server",
            units="100",
            unit_name="server hours",
            evidence_text="Metered by the host",
        ),
    )
    work.submit_review(world.ben, lent.pk, rating=4, comment="Used for every build")
    distribution = distribute(world.ada, currency="EUR")
    assert distribution.result["resource_payments"]
    page = text(Client().get(url("distribution", distribution.pk)))
    table = re.search(r'id="resource-payments">(.*?)</table>', page, re.S).group(1)
    assert url("contribution", lent.pk) in table
    assert "100.000 server hours" in table
    assert "5.00 EUR" in table  # 100 h x 0.05
    assert "were paid" in page


def test_expense_claim_link_prefills_the_kind(world: Any) -> None:
    page = text(as_member(world.ada).get(url("contribution_create") + "?kind=expense"))
    assert re.search(r'type="hidden" name="kind" value="expense"', page)
    assert 'name="amount"' in page
    assert 'name="hours"' not in page
    assert Contribution.objects.filter(kind="expense").count() == 0


def test_ledger_totals_follow_the_journal_incrementally(paid: Any) -> None:
    from django.core.cache import cache

    from commonshare.books.selectors import totals as queries

    first = queries.ledger_totals()
    assert first.balances == journal.balances()
    posted_income(
        paid.ben, amount="3", currency="USD", payer="P", description="D", received_on=paid.today
    )
    totals = queries.ledger_totals()
    assert (totals.seq, totals.hash) == journal.head()
    assert totals.balances == journal.balances()
    assert totals.currencies() == ["EUR", "USD"]
    queries._memo.clear()
    cache.delete(queries.TOTALS_KEY)
    fresh = queries.ledger_totals()  # summed from the whole journal, not incrementally
    assert fresh is not totals
    assert (fresh.balances, fresh.months) == (totals.balances, totals.months)
