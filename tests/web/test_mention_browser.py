"""A mention, end to end, in a real browser with JavaScript off, with mail sent by a real
``commonshare worker`` (a subprocess) through a real SMTP server (aiosmtpd).

1. Ada comments on a task and mentions Ben.
2. Ben sees it under the bell, and the worker mails it to him.
3. He follows the mailed link to the comment and replies.
4. Ada sees the reply: under her bell, and on the task's page.
"""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from tests import worker_process
from tests.conftest import SmtpInbox
from tests.web.test_mobile_and_axe import WIDTH

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _signed_in(browser: Browser, base: str, member: Any) -> Page:
    from django.test import Client

    client = Client()
    client.force_login(member)
    context = browser.new_context(
        viewport={"width": WIDTH, "height": 844}, java_script_enabled=False
    )
    cookie = client.cookies["sessionid"]
    context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": base}])
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


def _words(text: str) -> str:
    return " ".join(text.split())


def _mailed(inbox: SmtpInbox, address: str, subject: str, timeout: float = 30) -> Any:
    """The first message to ``address`` whose subject has ``subject``, once it arrives."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [m for m in inbox.to(address) if subject in m["Subject"]]
        if found:
            return found[0]
        time.sleep(0.2)
    raise AssertionError(f"no mail about {subject!r} reached {address}")


def test_a_mention_reaches_the_member_in_the_app_and_by_mail_and_the_reply_comes_back(
    live_server: Any, browser: Browser, make_member: Any, smtp_server: SmtpInbox, settings: Any
) -> None:
    from commonshare.work import services as work

    ada = make_member("Ada Lovelace", email="ada@example.org")
    ben = make_member("Ben Okri", email="ben@example.org")
    task = work.create_task(ada, title="Write the guide", estimate_hours="3")
    base = live_server.url

    with worker_process.running(settings.EMAIL_PORT, public_url=base):
        # 1. Ada mentions Ben in a comment on the task.
        as_ada = _signed_in(browser, base, ada)
        as_ada.goto(f"{base}/tasks/{task.pk}/")
        form = as_ada.locator("#comment-form")
        form.get_by_label("Your comment").fill("@BenOkri could you check the outline?")
        form.get_by_role("button", name="Post comment").click()
        assert "Your comment is posted." in as_ada.locator(".messages").inner_text()

        # 2. Ben's bell shows it; the page lists it; the worker mails it.
        as_ben = _signed_in(browser, base, ben)
        as_ben.goto(f"{base}/")
        bell = as_ben.locator("a.bell")
        assert "1 unread" in _words(bell.inner_text())
        bell.click()
        listed = as_ben.locator(".notification.unread")
        assert listed.count() == 1
        assert "Ada Lovelace mentioned you" in listed.inner_text()
        message = _mailed(smtp_server, "ben@example.org", "Ada Lovelace mentioned you")
        assert message["List-Unsubscribe"].strip().startswith(f"<{base}/unsubscribe/")
        body = smtp_server.body(message)
        link = re.search(r"See it here: (\S+)", body)
        assert link and link.group(1).startswith(f"{base}/tasks/{task.pk}/#comment-")

        # 3. He follows the mailed link and replies.
        as_ben.goto(link.group(1))
        assert "could you check the outline?" in as_ben.locator(".comments").inner_text()
        as_ben.get_by_text("Reply to Ada Lovelace").click()
        as_ben.get_by_label("Your reply").fill("Checked: it reads well.")
        as_ben.get_by_role("button", name="Post reply").click()
        assert "Your comment is posted." in as_ben.locator(".messages").inner_text()

        # 4. Ada sees the reply, under her bell and on the task's page, and by mail.
        as_ada.goto(f"{base}/notifications/")
        told = as_ada.locator(".notification.unread")
        assert "Ben Okri replied to your comment" in told.inner_text()
        told.get_by_role("link").click()
        assert "Checked: it reads well." in as_ada.locator(".replies").inner_text()
        _mailed(smtp_server, "ada@example.org", "Ben Okri replied to your comment")

        # Marking it read, with a plain form, empties her bell.
        as_ada.goto(f"{base}/notifications/")
        as_ada.get_by_role("button", name=re.compile("^Mark as read")).click()
        assert "unread" not in _words(as_ada.locator("a.bell").inner_text())
