"""The trust level summary in a real browser: it reads the same without JavaScript, fits a
phone, and axe finds nothing on it."""

from __future__ import annotations

from typing import Any

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser

from tests.web.test_mobile_and_axe import AXE_OPTIONS, WIDTH, signed_in_context
from tests.work.test_trust_levels import _review_all, _verified, _work


def test_the_trust_summary_fits_a_phone_and_passes_axe(
    live_server: Any, browser: Browser, make_member: Any
) -> None:
    nia = make_member("Nia", level=None)
    make_member("Rev A"), make_member("Rev B")
    _verified(nia)
    _review_all(_work(nia, hours="12"))
    url = f"{live_server.url}/members/{nia.pk}/"
    plain = browser.new_context(viewport={"width": WIDTH, "height": 844}, java_script_enabled=False)
    page = plain.new_page()
    page.goto(url)
    summary = page.locator("#trust")
    assert summary.locator("h2").inner_text() == "Trust level 1: basic"
    assert "12 of 20 reviewed hours" in summary.inner_text()
    assert summary.locator("progress").count() == 5
    assert summary.get_by_label("12 of 20 reviewed hours").get_attribute("value") == "60"
    plain.close()
    axe = Axe()
    problems: list[str] = []
    for context in (
        browser.new_context(viewport={"width": WIDTH, "height": 844}),
        signed_in_context(browser, live_server.url, nia),
    ):
        page = context.new_page()
        page.goto(url)
        # The whole page may not scroll sideways; axe judges the trust summary (the tables
        # below it are the books' and checked with the demo's pages).
        assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
        results = axe.run(page, context="#trust", options=AXE_OPTIONS)
        problems += [v["id"] for v in results.response["violations"]]
        context.close()
    assert not problems, problems
