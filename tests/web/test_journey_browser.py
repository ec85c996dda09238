"""Two people run one full cycle through the pages in headless Chromium.

Sign up, create and claim a task, log work on it, be drawn and review it,
record income, propose the month's distribution once it has ended, read the preview
while it is open for challenge, close its lazy-consensus decision after the window (which
posts it), and read why the payout is
what it is. The clock starts on the month's last evening (``tests.distributing``), so
the month ends during the test and every session stays fresh.
With two members the pool of reviewers is "everyone but the author", so the
second member is always drawn.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from tests.conftest import PASSWORD
from tests.distributing import close_this_period, past_the_window, this_period, travel_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_up(page: Page, base: str, email: str, name: str) -> None:
    page.goto(f"{base}/")
    page.get_by_role("link", name="Sign up").first.click()
    page.get_by_label("Email").fill(email)
    page.get_by_label("Display name").fill(name)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_text(f"Welcome, {name}.")).to_be_visible()
    expect(page.get_by_text(f"Signed in as {name}")).to_be_visible()


def cell(page: Page, table: str, key: str) -> str:
    return page.locator(f"{table} td[data-key='{key}']").inner_text().strip()


def number(text: str) -> Decimal:
    match = re.search(r"-?\d+(?:\.\d+)?", text)
    assert match, text
    return Decimal(match.group())


def shoot(page: Page, name: str) -> None:
    """Screenshots for a person to look at, only when asked for."""
    folder = os.environ.get("COMMONSHARE_SCREENSHOT_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def test_two_members_one_cycle(live_server: Any, browser: Browser, trust_levels: Any) -> None:
    from commonshare.books.models import Distribution
    from commonshare.community.models import Member

    _, last_day = this_period()
    travel_to(timezone.make_aware(dt.datetime.combine(last_day, dt.time(20))))
    # They sign up here; money needs level 2, which they hold for this test.
    trust_levels({}, others=2)
    base = live_server.url
    ada = browser.new_context().new_page()
    ben = browser.new_context().new_page()

    sign_up(ada, base, "ada@example.org", "Ada")
    sign_up(ben, base, "ben@example.org", "Ben")

    # Ada creates a task, claims it and logs work on it.
    ada.get_by_role("navigation", name="Main").get_by_role("link", name="Tasks").click()
    ada.get_by_role("link", name="New task").click()
    ada.get_by_label("Title").fill("Write the user guide")
    ada.get_by_label("Description").fill("Cover **joining** and [the books](https://example.org).")
    ada.get_by_label("Estimate (hours)").fill("3")
    ada.get_by_role("button", name="Create task").click()
    expect(ada.get_by_role("heading", name="Write the user guide")).to_be_visible()
    expect(ada.locator("section.prose strong")).to_have_text("joining")
    ada.get_by_role("button", name="Claim").click()
    expect(ada.get_by_text("You claimed this task.")).to_be_visible()
    expect(ada.get_by_role("button", name="Release")).to_be_visible()
    ada.get_by_role("link", name="Log work on this task").click()
    ada.get_by_label("Work (hours)").check()
    ada.get_by_role("button", name="Continue").click()
    expect(ada.get_by_role("heading", name="Log work")).to_be_visible()
    expect(ada.get_by_label("Task")).to_have_value(re.compile(r"\d+"))
    ada.get_by_label("Summary").fill("Wrote the first chapter")
    ada.get_by_label("Hours worked").fill("2.5")
    ada.get_by_label("Evidence in words").fill("Draft in the shared folder.")
    ada.get_by_role("button", name="Log contribution").click()
    expect(ada.get_by_text("Contribution logged; reviewers have been drawn.")).to_be_visible()
    expect(ada.locator("dd.amount")).to_have_text("2.50 h")
    expect(ada.get_by_role("link", name="Write the user guide")).to_be_visible()
    drawn = ada.locator("dt:text-is('Drawn') + dd")
    expect(drawn).to_contain_text("Ben")

    # Ben is drawn: Reviews to do shows the work; he reviews it.
    ben.reload()
    reviews_link = ben.get_by_role("link", name=re.compile(r"Reviews to do"))
    expect(reviews_link).to_contain_text("1")
    reviews_link.click()
    ben.get_by_role("link", name="Review “Wrote the first chapter”").click()
    ben.get_by_label("4 — very good").check()
    ben.get_by_label("Comment").fill("Clear, and it matches the outline.")
    ben.get_by_role("button", name="Submit review").click()
    expect(ben.get_by_text("Thank you: your review is recorded.")).to_be_visible()
    expect(ben.get_by_role("cell", name="4 / 5")).to_be_visible()
    ben.get_by_role("link", name=re.compile(r"Reviews to do")).click()
    expect(ben.get_by_text("Nothing waiting for you.")).to_be_visible()

    # Ben records income through the form.
    ben.get_by_role("link", name="Income").click()
    ben.get_by_role("link", name="Record income").click()
    ben.get_by_label("Amount").fill("100.00")
    ben.get_by_label("Currency").fill("EUR")
    ben.get_by_label("Payer").fill("First customer")
    ben.get_by_label("What it was for").fill("Guide licence")
    ben.get_by_role("button", name="Record income").click()
    expect(ben.get_by_text("Recorded 100.00 EUR.")).to_be_visible()
    expect(ben.get_by_role("cell", name="100.00 EUR")).to_be_visible()
    # Ada, a second member, confirms it: only then is it in the books.
    ada.get_by_role("link", name="Waiting for you").click()
    expect(ada.locator("#income-to-confirm")).to_contain_text("First customer")
    ada.get_by_role("button", name="Confirm this income").click()
    expect(ada.get_by_text("Confirmed: 100.00 EUR is in the books.")).to_be_visible()

    # The month ends. Ada, at trust level 2, proposes its distribution through the form.
    trust_levels({Member.objects.get(email="ada@example.org"): 2})
    start = close_this_period()
    ada.get_by_role("link", name="Distributions").click()
    ada.get_by_role("link", name="Propose a distribution").click()
    expect(ada.get_by_label("Currency")).to_have_value("EUR")
    expect(ada.get_by_label("Period")).to_have_value(f"{start:%Y-%m}")
    ada.get_by_role("button", name="Propose the distribution").click()
    expect(ada.get_by_text(re.compile(r"Proposed [0-9.]+ EUR: open for challenge"))).to_be_visible()
    expect(ada.locator("#challenge")).to_contain_text("open for challenge until")
    expect(ada.get_by_role("button", name="Post it to the journal")).to_have_count(0)
    # Ben reads the preview, each payout and why, while nothing is paid yet.
    ben.get_by_role("link", name="Distributions").click()
    expect(ben.locator("#proposed")).to_contain_text("open for challenge until")
    ben.locator("#proposed a").first.click()
    expect(ben.get_by_role("row", name=re.compile("^Ada"))).to_contain_text("why this amount")
    # It is a lazy-consensus decision: the page links it, and it closes with the window.
    ben.get_by_role("link", name=re.compile(r"^decision \d+$")).click()
    expect(ben.locator("#distribution-payouts")).to_contain_text("why this amount")
    expect(ben.get_by_role("button", name="Close and count")).to_have_count(0)
    # Nobody objects. After the window anyone closes it, and it posts at that close.
    trust_levels({Member.objects.get(email="ben@example.org"): 2})
    past_the_window(Distribution.objects.get())
    ada.reload()
    expect(ada.get_by_role("button", name="Close its decision")).to_be_visible()
    ben.reload()
    ben.get_by_role("button", name="Close and count").click()
    expect(ben.locator("#effect-done")).to_contain_text("Posted the distribution of")
    ada.reload()
    expect(ada.locator("#decision-link")).to_contain_text("closed with no objection standing")
    # The policy may keep part of each income as a reserve; what is split is shown.
    distributed = ada.locator("dt:text-is('Amount') + dd").inner_text().strip()
    assert re.fullmatch(r"\d+\.\d\d EUR", distributed), distributed
    assert Decimal(0) < number(distributed) <= Decimal(100)
    expect(ada.locator("figure.chart svg rect")).to_have_count(1)
    expect(ada.get_by_role("row", name=re.compile("^Ada"))).to_contain_text(distributed)
    shoot(ada, "distribution")

    # Ada opens her payout from her own page and checks the arithmetic shown.
    ada.get_by_role("link", name="My page").click()
    expect(ada.locator("dt:text-is('Total earned') + dd")).to_have_text(distributed)
    ada.get_by_role("link", name="why this amount").click()
    expect(ada.get_by_role("heading", name="Payout to Ada")).to_be_visible()
    expect(ada.locator("#payout-amount")).to_have_text(distributed)
    expect(ada.locator("#payout-story")).to_contain_text("Your 1 contribution was rated 4")
    ada.get_by_text("The full calculation").click()
    row = ada.locator("#explain-contributions tbody tr").first
    expect(row).to_contain_text("Ben: 4")
    claimed = number(row.locator("td").nth(2).inner_text())
    assert claimed == Decimal("2.5")
    line_value = number(row.locator("td").nth(6).inner_text())
    value = number(cell(ada, "#explain-summary", "value"))
    total = number(cell(ada, "#explain-summary", "total_value"))
    assert value == line_value == total > 0  # Ada is the only one with valued work
    assert number(cell(ada, "#explain-summary", "exact_amount")) == number(distributed)
    assert cell(ada, "#explain-summary", "payout") == distributed
    shoot(ada, "payout")
