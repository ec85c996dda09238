"""Long lists in a real browser with JavaScript off: follow the pager's links forward to
the end and back to the start, and see every item exactly once each way; at 390 px the
pagers fit, and axe finds nothing on a page that pages three lists."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import Browser, Page

from tests.web.test_mobile_and_axe import AXE_OPTIONS, WIDTH

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _page(browser: Browser, *, script: bool = False) -> Page:
    context = browser.new_context(
        viewport={"width": WIDTH, "height": 844}, java_script_enabled=script
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


def _read_through(page: Page, items: str, pager: str, ahead: str, back: str) -> list[list[str]]:
    """Click ``ahead`` in the pager labelled ``pager`` until it is gone, then ``back``
    until that is gone: the texts of ``items`` on each page, forward then backward."""
    nav = page.locator(f"nav[aria-label='{pager}']")
    forward = [page.locator(items).all_inner_texts()]
    while nav.get_by_role("link", name=ahead).count():
        nav.get_by_role("link", name=ahead).click()
        forward.append(page.locator(items).all_inner_texts())
    backward = [forward[-1]]
    while nav.get_by_role("link", name=back).count():
        nav.get_by_role("link", name=back).click()
        backward.insert(0, page.locator(items).all_inner_texts())
    assert page.locator(items).all_inner_texts() == forward[0]  # back at the start
    return [list(itertools.chain(*forward)), list(itertools.chain(*backward))]


def test_the_task_tree_forward_and_back(
    live_server: Any, browser: Browser, make_member: Any
) -> None:
    from commonshare.work.models import Task

    ada = make_member("Ada")
    start = timezone.now()
    Task.objects.bulk_create(
        Task(
            title=f"Task {i:03}",
            estimate_hours=Decimal(1),
            created_by=ada,
            # Many share a moment: the order breaks ties by number, so none is lost.
            created_at=start - dt.timedelta(seconds=i // 7),
        )
        for i in range(130)
    )
    page = _page(browser)
    page.goto(f"{live_server.url}/tasks/")
    forward, backward = _read_through(
        page, "ul.tree.root > li > .task-row > a", "Pages of tasks", "Older →", "← Newer"
    )
    titles = sorted(f"Task {i:03}" for i in range(130))
    assert sorted(forward) == titles  # every task, each once
    assert forward == backward
    assert len(forward) == len(set(forward))
    page.context.close()


def test_a_thread_and_the_forum_forward_and_back(
    live_server: Any, browser: Browser, make_member: Any
) -> None:
    from commonshare.discussion import services, vocab
    from commonshare.discussion.models import Comment, Thread

    ada, ben = make_member("Ada"), make_member("Ben")
    topic = services.start_topic(ada, "Long talk", "Comment 000").comment.thread
    now = timezone.now()
    Comment.objects.bulk_create(
        Comment(
            thread=topic,
            author=ben,
            body=f"Comment {i:03}",
            created_at=now + dt.timedelta(seconds=i // 4),
        )
        for i in range(1, vocab.PAGE_SIZE * 2 + 5)
    )
    page = _page(browser)
    page.goto(f"{live_server.url}/commons/{topic.pk}/")
    forward, backward = _read_through(
        page,
        "ol.comments > li > article .prose",
        "Pages of the discussion",
        "Later comments →",
        "← Earlier comments",
    )
    expected = [f"Comment {i:03}" for i in range(vocab.PAGE_SIZE * 2 + 5)]
    assert forward == expected
    assert backward == expected

    Thread.objects.bulk_create(
        Thread(title=f"Topic {i:03}", started_by=ada, last_posted_at=now - dt.timedelta(hours=i))
        for i in range(1, vocab.TOPICS_PAGE_SIZE * 2 + 3)
    )
    page.goto(f"{live_server.url}/commons/")
    forward, backward = _read_through(
        page, "ul.topics > li > a", "Pages of topics", "Older →", "← More recent"
    )
    newest_first = ["Long talk"] + [
        f"Topic {i:03}" for i in range(1, vocab.TOPICS_PAGE_SIZE * 2 + 3)
    ]
    assert forward == newest_first
    assert backward == newest_first
    page.context.close()


def test_a_task_page_pages_each_list_on_its_own_and_fits_at_390_px(
    live_server: Any, browser: Browser, make_member: Any
) -> None:
    from commonshare.web.views.tasks import TASK_PAGE_SIZE
    from commonshare.work.models import Contribution, Task

    ada = make_member("Ada")
    parent = Task.objects.create(title="Parent", estimate_hours=Decimal(5), created_by=ada)
    Task.objects.bulk_create(
        Task(title=f"Sub {i:03}", estimate_hours=Decimal(1), created_by=ada, parent=parent)
        for i in range(TASK_PAGE_SIZE * 2 + 1)
    )
    Contribution.objects.bulk_create(
        Contribution(author=ada, task=parent, kind="work", summary=f"Work {i:03}", hours=Decimal(1))
        for i in range(TASK_PAGE_SIZE + 5)
    )
    page = _page(browser)
    url = f"{live_server.url}/tasks/{parent.pk}/"
    page.goto(url)
    work = page.locator("table td:nth-child(2) a")
    first_work = work.all_inner_texts()
    forward, backward = _read_through(
        page, "ul.tree .task-row > a", "Pages of subtasks", "Next →", "← Previous"
    )
    assert forward == [f"Sub {i:03}" for i in range(TASK_PAGE_SIZE * 2 + 1)] == backward
    # Paging the subtasks left the contributions on their first page, and the other way.
    assert work.all_inner_texts() == first_work
    contributions = page.locator("nav[aria-label='Pages of contributions to this task']")
    page.locator("nav[aria-label='Pages of subtasks']").get_by_role("link", name="Next →").click()
    subtasks_two = page.locator("ul.tree .task-row > a").all_inner_texts()
    contributions.get_by_role("link", name="Older →").click()
    assert page.locator("ul.tree .task-row > a").all_inner_texts() == subtasks_two
    assert sorted(first_work + work.all_inner_texts()) == sorted(
        f"Work {i:03}" for i in range(TASK_PAGE_SIZE + 5)
    )
    page.context.close()

    seen = _page(browser, script=True)
    seen.goto(url)
    assert seen.evaluate("document.documentElement.scrollWidth") <= WIDTH
    results = Axe().run(seen, options=AXE_OPTIONS)
    assert not [v["id"] for v in results.response["violations"]]
    seen.context.close()
