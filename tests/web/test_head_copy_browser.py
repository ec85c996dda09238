"""The transparency page's "Publish this head" field in headless Chromium, with and without
JavaScript: the copy button is an enhancement, the text is there either way."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from tests.money import posted_income

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_head_can_be_copied_and_read_without_javascript(
    live_server: Any, browser: Browser, make_member: Any
) -> None:
    from commonshare.books import journal

    posted_income(
        make_member("Ada"),
        amount="10.00",
        currency="EUR",
        payer="Acme",
        description="Support",
        received_on=dt.date.today(),  # noqa: DTZ011 - the services use the local date
    )
    seq, digest = journal.head()

    page = browser.new_context().new_page()
    page.goto(f"{live_server.url}/books/")
    field = page.get_by_label("The head, as entry number and hash")
    expect(field).to_have_value(f"{seq}:{digest}")
    expect(field).to_have_attribute("readonly", "")
    button = page.get_by_role("button", name="Copy")
    expect(button).to_be_visible()
    button.click()
    expect(page.locator(".copy-done")).to_have_text(
        # headless Chromium may refuse the clipboard: then the text is selected for Ctrl+C
        re.compile(r"^(Copied\.|Selected: press Ctrl\+C)")
    )

    plain = browser.new_context(java_script_enabled=False).new_page()
    plain.goto(f"{live_server.url}/books/")
    expect(plain.get_by_label("The head, as entry number and hash")).to_have_value(
        f"{seq}:{digest}"
    )
    expect(plain.get_by_role("button", name="Copy")).to_be_hidden()
