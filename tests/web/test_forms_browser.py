"""A new member fills in forms in headless Chromium: the error summary and the kind step."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from tests.web.test_journey_browser import sign_up

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_error_summary_takes_the_focus_and_links_to_each_field(
    live_server: Any, browser: Browser
) -> None:
    page = browser.new_context().new_page()
    page.goto(f"{live_server.url}/signup/")
    page.get_by_role("button", name="Sign up").click()
    expect(page).to_have_title(re.compile(r"^Error: "))
    summary = page.get_by_role("alert").filter(has_text="There is a problem")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_have_count(3)
    summary.get_by_role("link", name="Display name is required.").click()
    expect(page.get_by_label("Display name")).to_be_focused()
    # The message is said again at the field, once, without the label before it.
    expect(page.locator("#id_display_name_error")).to_have_text("Error: Display name is required.")


def test_log_a_resource_through_the_kind_step(live_server: Any, browser: Browser) -> None:
    page = browser.new_context().new_page()
    sign_up(page, live_server.url, "mei@example.org", "Mei")
    sign_up(browser.new_context().new_page(), live_server.url, "jo@example.org", "Jo")
    page.goto(f"{live_server.url}/contributions/new/")
    page.get_by_label("Resource (metered use lent)").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Log a resource you lent")).to_be_visible()
    expect(page.get_by_label("Hours worked")).to_have_count(0)
    expect(page.get_by_label("Amount spent")).to_have_count(0)
    page.get_by_label("Summary").fill("Backup server for October")
    page.get_by_label("Evidence in words").fill("Metered by the cluster.")
    page.get_by_role("button", name="Log contribution").click()
    summary = page.get_by_role("alert").filter(has_text="There is a problem")
    expect(summary.get_by_role("link")).to_have_count(2)  # units and unit name, at once
    page.get_by_label("Units", exact=False).first.fill("720")
    page.get_by_label("Unit name").fill("server hours")
    page.get_by_role("button", name="Log contribution").click()
    expect(page.get_by_text("Contribution logged; reviewers have been drawn.")).to_be_visible()
    expect(page.locator("dd.amount")).to_contain_text("720")
