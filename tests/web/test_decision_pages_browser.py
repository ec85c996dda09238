"""The decisions pages in headless Chromium at 390 px: nothing scrolls sideways, axe finds
nothing, and a member votes by clicking and reads the receipt."""

from __future__ import annotations

import re
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, expect

from commonshare.decisions import services
from tests.decisions.helpers import after_close, make_proposal
from tests.web.test_mobile_and_axe import WIDTH, problems_on, signed_in_context

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _decisions(make_member: Any) -> Any:
    members = [make_member(f"Member {i}") for i in range(5)]
    ranked = make_proposal(members[0], method="ranked_irv", options=["Red", "Blue", "Green"])
    for member, ranking in zip(
        members,
        [["Red", "Blue"], ["Red"], ["Blue", "Red"], ["Green", "Blue"], ["Blue"]],
        strict=True,
    ):
        services.vote(member, ranked.number, {"ranking": ranking})
    with after_close(ranked):
        services.close_decision(ranked.number)
    make_proposal(
        members[0],
        title="Reserve at 20%",
        kind="rules",
        secret=True,
        effect_kind="policy_change",
        effect={"changes": {"reserve.share": "0.2"}},
    )
    make_proposal(
        members[0],
        title="Choose a logo",
        method="score",
        options=["Round", "Square"],
        criteria=[{"name": "Clear", "weight": "2"}, {"name": "Cheap", "weight": "1"}],
    )
    return members[0]


def test_the_decisions_pages_fit_a_phone_and_pass_axe(
    live_server: Any, browser: Browser, make_member: Any
) -> None:
    member = _decisions(make_member)
    base = live_server.url
    urls = [
        "/decisions/",
        "/decisions/new/",
        "/decisions/1/",
        "/decisions/2/",
        "/decisions/3/",
        "/decisions/1/receipt/?receipt=00",
    ]
    axe = Axe()
    problems: list[str] = []
    for context in (
        browser.new_context(viewport={"width": WIDTH, "height": 844}),
        signed_in_context(browser, base, member),
    ):
        page = context.new_page()
        for url in urls:
            problems += problems_on(page, axe, base + url)
        context.close()
    # The proposal form with its error summary.
    context = signed_in_context(browser, base, member)
    page = context.new_page()
    page.goto(f"{base}/decisions/new/")
    page.get_by_role("button", name="Make the proposal").click()
    expect(page).to_have_title(re.compile(r"^Error: "))
    problems += [p for p in problems_on(page, axe, page.url) if "answers" not in p]
    assert not problems, "\n".join(problems)


def test_a_member_votes_by_clicking_and_checks_the_receipt(
    live_server: Any, browser: Browser, make_member: Any
) -> None:
    member = _decisions(make_member)
    page = signed_in_context(browser, live_server.url, member).new_page()
    page.goto(f"{live_server.url}/decisions/2/")
    expect(page.get_by_role("cell", name="20 %")).to_be_visible()
    page.get_by_label("For", exact=True).check()
    page.get_by_role("button", name="Cast my ballot").click()
    receipt = page.locator("#receipt").inner_text()
    assert re.fullmatch(r"[0-9a-f]{32}", receipt)
    page.goto(f"{live_server.url}/decisions/2/")
    expect(page.locator("#voters")).to_contain_text("Member 0")
    page.get_by_label("Your receipt").last.fill(receipt)
    page.get_by_role("button", name="Check my receipt").click()
    expect(page.locator("#receipt-check")).to_contain_text("will be counted")
