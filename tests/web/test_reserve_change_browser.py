"""The reserve share changed by a decision, and the next period's distribution, in Chromium.

1. Ada proposes, on the form, to change the reserve share; the proposal opens with its terms
   fixed: the method, who may vote, the quorum, the closing time and the rule it changes.
2. Ben, Cy and Ada vote for it on the page, and after the close anyone counts it: it
   passes, and the new share holds from the next period.
3. In that period income comes in and work is reviewed. Once it has ended Ada proposes its
   distribution: a lazy-consensus decision in its challenge window, with the full preview.
   Nobody objects; after the window Ben closes the decision and it posts. The reserve it
   shows is the new share of the income.
4. Each step is read on the pages, as a member would.

The clock moves with ``time_machine`` (``tests.distributing``); each step opens fresh
sessions, so that none of them expires while months pass.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from commonshare.books.models import Distribution
from commonshare.core.policy import next_period_start
from commonshare.decisions.models import Proposal
from commonshare.governance.selectors import current_policy
from commonshare.work import services as work
from commonshare.work.services import ContributionInput
from tests.distributing import close_this_period, past_the_window, travel_to
from tests.money import posted_income
from tests.web.test_mobile_and_axe import signed_in_context

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_SHARE = Decimal("0.2")
INCOME = Decimal("250.00")


def _page(browser: Browser, base: str, member: Any) -> Page:
    return signed_in_context(browser, base, member).new_page()


def _amount(text: str) -> Decimal:
    match = re.search(r"\d[\d,]*\.\d\d", text)
    assert match, text
    return Decimal(match.group().replace(",", ""))


def _start_of_a_period() -> dt.date:
    """Travel to the second day of the next period, 09:00: the vote closes inside it."""
    today = timezone.localdate()
    start = next_period_start(today, current_policy(at=today).period)
    moment = dt.datetime.combine(start + dt.timedelta(days=1), dt.time(9))
    travel_to(timezone.make_aware(moment))
    return start


def test_a_reserve_change_passes_and_the_next_distribution_uses_it(
    live_server: Any, browser: Browser, make_member: Any
) -> None:
    base = live_server.url
    ada, ben, cy = make_member("Ada"), make_member("Ben"), make_member("Cy")
    _start_of_a_period()
    old_share = current_policy(at=timezone.localdate()).reserve.share
    assert old_share != NEW_SHARE

    # 1. Ada proposes the change on the form; its terms are fixed and shown.
    page = _page(browser, base, ada)
    page.goto(f"{base}/decisions/new/")
    page.get_by_label("Title").fill("Keep a fifth of each income in reserve")
    page.get_by_label("What you propose, and why").fill("Two customers paid late this year.")
    page.get_by_label("The rules (a policy change, a norm)").check()
    page.get_by_label("Simple majority").check()
    page.get_by_label("Rules it changes, if it passes").fill(f"reserve.share = {NEW_SHARE}")
    page.get_by_role("button", name="Make the proposal").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Keep a fifth")
    proposal = Proposal.objects.get()
    terms = page.locator("main")
    expect(terms).to_contain_text("Simple majority")
    expect(terms).to_contain_text("Who may vote: members at trust level")
    expect(terms).to_contain_text("Quorum:")
    expect(terms).to_contain_text("Voting opens")
    expect(page.locator("#diff")).to_contain_text("20 %")  # the rule it changes, and to what
    expect(page.get_by_role("button", name="Close and count")).to_have_count(0)

    # 2. The members vote on the page; after the close Cy counts it, and it passes.
    for member in (ada, ben, cy):
        ballot = _page(browser, base, member)
        ballot.goto(f"{base}/decisions/{proposal.number}/")
        ballot.get_by_label("For", exact=True).check()
        ballot.get_by_role("button", name="Cast my ballot").click()
        expect(ballot.locator("#receipt")).to_have_text(re.compile(r"^[0-9a-f]{32}$"))
        ballot.context.close()
    travel_to(proposal.closes_at + dt.timedelta(minutes=5))
    page = _page(browser, base, cy)
    page.goto(f"{base}/decisions/{proposal.number}/")
    expect(page.locator("#voters")).to_contain_text("Ben")
    page.get_by_role("button", name="Close and count").click()
    expect(page.locator("#outcome")).to_contain_text("Passed")
    expect(page.locator("#effect-done")).to_contain_text("Adopted policy version")
    today = timezone.localdate()
    next_start = next_period_start(today, current_policy(at=today).period)
    assert current_policy(at=today).reserve.share == old_share  # not mid-period
    assert current_policy(at=next_start).reserve.share == NEW_SHARE
    page.goto(f"{base}/policy/")
    expect(page.locator("main")).to_contain_text("20 %")

    # 3. The next period: income and reviewed work, then its distribution as a decision.
    travel_to(
        timezone.make_aware(dt.datetime.combine(next_start + dt.timedelta(days=2), dt.time(10)))
    )
    done = work.log_contribution(
        ada, ContributionInput(kind="work", summary="Guide", hours="3", evidence_text="e")
    )
    work.submit_review(ben, done.pk, rating=4, comment="Clear.")
    posted_income(
        ben,
        amount=str(INCOME),
        currency="EUR",
        payer="A customer",
        description="Licence",
        received_on=timezone.localdate(),
    )
    close_this_period()
    page = _page(browser, base, ada)
    page.goto(f"{base}/books/distributions/new/")
    expect(page.get_by_label("Period")).to_have_value(f"{next_start:%Y-%m}")
    page.get_by_label("Currency").fill("EUR")
    page.get_by_role("button", name="Propose the distribution").click()
    expect(page.locator("#challenge")).to_contain_text("open for challenge until")
    distribution = Distribution.objects.get()
    # The preview shares what the new share left of the income, not what the old one did.
    shared = _amount(page.locator("dt:text-is('Amount') + dd").inner_text())
    assert shared == INCOME - INCOME * NEW_SHARE != INCOME - INCOME * old_share
    expect(page.locator("#decision-link")).to_contain_text("lazy consensus")

    # Ben reads the decision with the full preview; nobody objects.
    page = _page(browser, base, ben)
    page.goto(f"{base}/books/distributions/{distribution.pk}/")
    page.get_by_role("link", name=f"decision {distribution.decision_number}").click()
    expect(page.locator("#distribution-payouts")).to_contain_text("Ada")
    expect(page.locator("#distribution-payouts")).to_contain_text("why this amount")
    expect(page.get_by_role("button", name="Close and count")).to_have_count(0)
    past_the_window(distribution)
    page = _page(browser, base, ben)
    page.goto(f"{base}/books/distributions/{distribution.pk}/")
    page.get_by_role("button", name="Close its decision").click()
    expect(page.locator("#effect-done")).to_contain_text("Posted the distribution of")
    distribution.refresh_from_db()
    assert distribution.status == "posted"

    # 4. Ada sees her pay, and the reserve at the new share, on the pages.
    page = _page(browser, base, ada)
    page.goto(f"{base}/books/distributions/{distribution.pk}/")
    expect(page.locator("#decision-link")).to_contain_text("closed with no objection standing")
    # Where the amount came from: the reserve is the new share of the pot.
    assert _amount(page.locator("#basis strong").nth(1).inner_text()) == INCOME * NEW_SHARE
    expect(page.locator("#basis")).to_contain_text("20 % of each income")
    expect(page.get_by_role("row", name=re.compile("^Ada"))).to_contain_text(f"{shared} EUR")
    page.get_by_role("link", name="My page").click()
    expect(page.locator("dt:text-is('Total earned') + dd")).to_contain_text(f"{shared}")
