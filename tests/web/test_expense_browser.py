"""An expense claim through the pages in headless Chromium, then the public books.

Ada claims an expense with a receipt; Ben and Cleo, drawn to approve it (the
policy asks for two peers), each approve it; Ben records income and Cleo
confirms it; Ben records the bank transfer that pays Ada and Ada confirms she
received it; a visitor who is not signed in finds the approval, the transfer and
the head hash on the open books page.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.web.test_journey_browser import shoot, sign_up

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def approve(page: Page, summary: str) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Expenses").click()
    page.get_by_role("link", name=re.compile(summary)).click()
    expect(page.locator("#expense-status")).to_have_text("pending")
    page.get_by_label("Reason").fill("Receipt matches the invoice.")
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_text("Your decision is recorded: approve.")).to_be_visible()


def test_expense_claim_approved_paid_out_and_public(
    live_server: Any, browser: Browser, tmp_path: Path, trust_levels: Any
) -> None:
    from commonshare.books import journal

    # They sign up here; money needs level 2, which they hold for this test.
    trust_levels({}, others=2)
    base = live_server.url
    ada, ben, cleo = (browser.new_context().new_page() for _ in range(3))
    sign_up(ada, base, "ada@example.org", "Ada")
    sign_up(ben, base, "ben@example.org", "Ben")
    sign_up(cleo, base, "cleo@example.org", "Cleo")

    # Ada claims what she spent, with the receipt.
    receipt = tmp_path / "receipt.pdf"
    receipt.write_bytes(b"%PDF-1.4 domain name invoice")
    ada.get_by_role("navigation", name="Main").get_by_role("link", name="Expenses").click()
    ada.get_by_role("link", name="Claim an expense").click()
    expect(ada.get_by_role("heading", name="Claim an expense")).to_be_visible()
    expect(ada.get_by_label("Hours worked")).to_have_count(0)  # only an expense's fields
    ada.get_by_label("Summary").fill("Domain name for a year")
    ada.get_by_label("Amount spent").fill("12.50")
    ada.get_by_label("Currency").fill("EUR")
    ada.get_by_label("Receipt").set_input_files(str(receipt))
    ada.get_by_role("button", name="Log contribution").click()
    expect(ada.get_by_text("Contribution logged")).to_be_visible()
    expect(ada.locator("#expense-status")).to_have_text("pending")
    expect(ada.get_by_role("button", name="Approve")).to_have_count(0)  # not her own claim

    # Two peers approve it; the second approval makes it a debt of the commons.
    approve(ben, "Domain name for a year")
    expect(ben.locator("#expense-status")).to_have_text("pending")
    approve(cleo, "Domain name for a year")
    expect(cleo.locator("#expense-status")).to_have_text("approved")
    expect(cleo.locator("#claimant-owed")).to_have_text("12.50 EUR")

    # A customer paid the commons, so the bank holds what Ada is owed.
    ben.get_by_role("navigation", name="Main").get_by_role("link", name="Income").click()
    ben.get_by_role("link", name="Record income").click()
    ben.get_by_label("Amount").fill("100.00")
    ben.get_by_label("Currency").fill("EUR")
    ben.get_by_label("Payer").fill("First customer")
    ben.get_by_label("What it was for").fill("Hosting, one month")
    ben.get_by_role("button", name="Record income").click()
    expect(ben.get_by_text("Recorded 100.00 EUR.")).to_be_visible()
    # It is in the books once a second member, Cleo, confirms it.
    cleo.get_by_role("navigation", name="Main").get_by_role("link", name="Waiting for you").click()
    expect(cleo.locator("#income-to-confirm")).to_contain_text("First customer")
    cleo.get_by_role("button", name="Confirm this income").click()
    expect(cleo.get_by_text("Confirmed: 100.00 EUR is in the books.")).to_be_visible()

    # Ben made the bank transfer and marks it paid out on Ada's page.
    ben.get_by_role("navigation", name="Main").get_by_role("link", name="Members").click()
    ben.get_by_role("link", name="Ada", exact=True).click()
    expect(ben.locator("#owed dd")).to_have_text("12.50 EUR")
    ben.get_by_text("Mark paid out").click()
    ben.get_by_label("Amount paid out").fill("12.50")
    ben.get_by_label("Currency").fill("EUR")
    ben.get_by_label("Bank transfer reference").fill("TRF-2026-0042")
    ben.get_by_role("button", name="Record the transfer").click()
    expect(ben.get_by_text("Recorded: 12.50 EUR sent to Ada")).to_be_visible()
    expect(ben.locator("#withdrawals")).to_contain_text("Waiting for the payee")
    # Ada confirms the money arrived: only then is it posted.
    ada.get_by_role("navigation", name="Main").get_by_role("link", name="Waiting for you").click()
    expect(ada.locator("#payouts-to-confirm")).to_contain_text("TRF-2026-0042")
    ada.get_by_role("button", name="I received it").click()
    expect(ada.get_by_text("Confirmed: you received 12.50 EUR")).to_be_visible()
    ben.reload()
    expect(ben.locator("#owed dd")).to_have_text("0.00 EUR")
    expect(ben.locator("#withdrawals")).to_contain_text("TRF-2026-0042")

    # A visitor reads it all on the open books, without signing in.
    visitor = browser.new_context().new_page()
    visitor.goto(f"{base}/")
    expect(visitor.get_by_role("link", name="Log in")).to_be_visible()
    visitor.get_by_role("link", name="Open books").click()
    seq, digest = journal.head()
    expect(visitor.locator("#head-seq")).to_have_text(str(seq))
    expect(visitor.locator("#head-hash")).to_have_text(digest)
    expect(visitor.locator("#anchor-command")).to_have_text(
        f"commonshare books verify --anchor {seq}:{digest}"
    )
    approval = visitor.locator("tbody.entry", has_text="Expense claim approved: Domain name")
    expect(approval).to_have_count(1)
    expect(approval).to_contain_text("by Cleo")
    expect(approval).to_contain_text("expenses:claims")
    payout = visitor.locator("tbody.entry", has_text="Paid out to Ada (TRF-2026-0042)")
    expect(payout).to_have_count(1)
    expect(payout).to_contain_text("by Ada")  # posted when the payee confirmed it
    shoot(visitor, "open-books")

    # Drill down: the withdrawal entry's page shows its seal and its member.
    payout.get_by_role("link", name=re.compile(r"^#\d+$")).click()
    expect(visitor.get_by_role("heading", name=re.compile(r"Journal entry #\d+"))).to_be_visible()
    expect(visitor.locator("#entry-hash")).to_have_text(digest)
    expect(visitor.get_by_text("matches")).to_be_visible()
    expect(visitor.get_by_role("link", name="Reverse this entry…")).to_have_count(0)
    shoot(visitor, "entry")
    visitor.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Sustainability"
    ).click()
    expect(visitor.get_by_role("heading", name="Sustainability, EUR")).to_be_visible()
    expect(visitor.locator("figure.chart svg")).to_be_visible()
    shoot(visitor, "sustainability")
