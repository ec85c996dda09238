"""A task's discussion in a real browser with JavaScript off: post with a mention, reply,
edit (the history stays readable), delete (a tombstone); at 390 px, and axe finds nothing."""

from __future__ import annotations

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page

from tests.web.test_mobile_and_axe import AXE_OPTIONS, WIDTH

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _signed_in(browser: Browser, base: str, member: Any, *, script: bool = False) -> Page:
    from django.test import Client

    client = Client()
    client.force_login(member)
    context = browser.new_context(
        viewport={"width": WIDTH, "height": 844}, java_script_enabled=script
    )
    cookie = client.cookies["sessionid"]
    context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": base}])
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


def _fits_and_passes_axe(browser: Browser, base: str, member: Any, url: str) -> None:
    """Measured in a page that runs scripts (axe is one), as the reader sees it."""
    page = _signed_in(browser, base, member, script=True)
    page.goto(url)
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
    results = Axe().run(page, context="#discussion", options=AXE_OPTIONS)
    assert not [v["id"] for v in results.response["violations"]]
    page.context.close()


def test_post_reply_edit_and_delete_on_a_task_without_javascript(
    live_server: Any, browser: Browser, make_member: Any
) -> None:
    from commonshare.work import services as work

    ada = make_member("Ada Lovelace")
    ben = make_member("Ben Okri")
    task = work.create_task(ada, title="Write the guide", estimate_hours="3")
    url = f"{live_server.url}/tasks/{task.pk}/"

    # Ben asks Ada, choosing her from the list of members to mention.
    as_ben = _signed_in(browser, live_server.url, ben)
    as_ben.goto(url)
    form = as_ben.locator("#comment-form")
    assert as_ben.locator("#mention-choices option[value='AdaLovelace']").count() == 1
    form.get_by_label("Mention a member (optional)").fill("AdaLovelace")
    form.get_by_label("Your comment").fill(f"Is the outline in #task-{task.pk} final?")
    form.get_by_role("button", name="Post comment").click()
    assert "Your comment is posted." in as_ben.locator(".messages").inner_text()
    question = as_ben.locator(".comments > li").first
    assert question.get_by_role("link", name="@AdaLovelace").get_attribute("href") == (
        f"/members/{ada.pk}/"
    )
    _fits_and_passes_axe(browser, live_server.url, ben, url)

    # Ada replies from the "Reply" disclosure, which opens with no script.
    as_ada = _signed_in(browser, live_server.url, ada)
    as_ada.goto(url)
    as_ada.get_by_text("Reply to Ben Okri").click()
    as_ada.get_by_label("Your reply").fill("Not yet: **one more** section.")
    as_ada.get_by_role("button", name="Post reply").click()
    reply = as_ada.locator(".replies article")
    assert reply.locator("strong").inner_text() == "one more"

    # She edits her reply; the earlier text stays readable by anyone.
    reply.get_by_role("link", name="Edit your comment").click()
    as_ada.get_by_label("The comment").fill("Final now.")
    as_ada.get_by_role("button", name="Save the change").click()
    assert as_ada.locator(".replies article .prose").inner_text() == "Final now."
    as_ada.locator(".replies article").get_by_role("link", name="edited").click()
    assert "Not yet: one more section." in as_ada.locator("main").inner_text()
    assert "Final now." in as_ada.locator("main").inner_text()

    # Ben deletes his question: a tombstone, and Ada's reply stays.
    as_ben.goto(url)
    as_ben.locator(".comments > li").first.get_by_role(
        "link", name="Delete your comment"
    ).first.click()
    as_ben.get_by_role("button", name="Delete the comment").click()
    thread = as_ben.locator("#discussion").inner_text()
    assert "This comment was deleted by its author" in thread
    assert "outline" not in thread
    assert "Final now." in thread
    _fits_and_passes_axe(browser, live_server.url, ben, url)
