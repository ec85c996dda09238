"""Search in a real browser with JavaScript off: the box in the header, the results page
with its marked words, the next page and an empty query's error summary; at 390 px,
axe finds nothing."""

from __future__ import annotations

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser

from tests.web.test_mobile_and_axe import AXE_OPTIONS, WIDTH

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fits_and_passes_axe(browser: Browser, url: str) -> None:
    context = browser.new_context(viewport={"width": WIDTH, "height": 844})
    page = context.new_page()
    page.goto(url)
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
    results = Axe().run(page, options=AXE_OPTIONS)
    assert not [(v["id"], v["nodes"][0]["target"]) for v in results.response["violations"]]
    context.close()


def test_search_from_the_header_and_page_through_without_javascript(
    live_server: Any, browser: Browser, make_member: Any, site_subscribers: None
) -> None:
    from commonshare.search import vocab
    from commonshare.work import services as work

    ada = make_member("Ada Lovelace")
    for n in range(vocab.PAGE_SIZE + 3):
        work.create_task(
            ada,
            title=f"Repaint the lighthouse, part {n}",
            description="A-very-long-word-that-must-wrap-" * 6,
            estimate_hours="1",
        )
    context = browser.new_context(
        viewport={"width": WIDTH, "height": 844}, java_script_enabled=False
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/tasks/")
    page.get_by_label("Search the community").fill('lighthouse "-*')
    page.locator("form.site-search").get_by_role("button", name="Search").click()
    assert page.url.startswith(f"{live_server.url}/search/?q=")
    assert page.locator("li.result").count() == vocab.PAGE_SIZE
    assert page.locator("li.result mark").first.inner_text().lower() == "lighthouse"
    page.get_by_role("link", name="Next →").click()
    assert page.locator("li.result").count() == 3
    page.get_by_label("Search for").fill("*")
    page.locator("form.search-form").get_by_role("button", name="Search").click()
    summary = page.locator(".error-summary")
    assert "Type a word or two to search for" in summary.inner_text()
    context.close()
    _fits_and_passes_axe(browser, f"{live_server.url}/search/?q=lighthouse")
    _fits_and_passes_axe(browser, f"{live_server.url}/search/?q=%2A")
    _fits_and_passes_axe(browser, f"{live_server.url}/search/")
