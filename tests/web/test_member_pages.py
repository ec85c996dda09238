"""A signed-in member's pages, kept for their browser until anything changes.

The rest of the suite runs with the keeping off (tests/conftest.py); here it is on. A
row changed behind the services' back (no audit event) is how a test sees that a page
was served as kept: a kept page does not show it, a page drawn afresh does.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.cache import caches
from django.test import Client

from commonshare.notifications.models import Notification
from commonshare.web import memberpages
from commonshare.work.models import Task
from commonshare.work.services import create_task

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _keeping_on(settings: Any) -> None:
    settings.COMMONSHARE_MEMBER_PAGE_SECONDS = 60
    caches[memberpages.CACHE].clear()


def _signed_in(member: Any, **options: Any) -> Client:
    client = Client(**options)
    client.force_login(member)
    client.get("/tasks/")  # the first page sets the CSRF cookie (and so is not kept)
    return client


def _rename_quietly(task: Task, title: str) -> None:
    Task.objects.filter(pk=task.pk).update(title=title)  # no action, no event


def test_a_members_page_is_kept_until_anyone_changes_anything(make_member: Any) -> None:
    ada, grace = make_member("Ada"), make_member("Grace")
    task = create_task(ada, title="Paint the meeting room", estimate_hours="3")
    browser = _signed_in(ada)
    assert "Paint the meeting room" in browser.get("/tasks/").content.decode()
    _rename_quietly(task, "Paint the hall")
    assert "Paint the meeting room" in browser.get("/tasks/").content.decode()  # kept

    create_task(grace, title="Fix the bicycle rack", estimate_hours="2")  # anyone's action
    page = browser.get("/tasks/").content.decode()
    assert "Fix the bicycle rack" in page
    assert "Paint the hall" in page


def test_a_kept_page_is_never_shown_to_another_browser(make_member: Any) -> None:
    ada, grace = make_member("Ada"), make_member("Grace")
    task = create_task(ada, title="Paint the meeting room", estimate_hours="3")
    _signed_in(ada).get("/tasks/")
    _rename_quietly(task, "Paint the hall")
    assert "Paint the hall" in _signed_in(grace).get("/tasks/").content.decode()
    assert "Paint the hall" in _signed_in(ada).get("/tasks/").content.decode()  # new session


def test_a_new_notification_redraws_the_page(make_member: Any) -> None:
    ada = make_member("Ada")
    task = create_task(ada, title="Paint the meeting room", estimate_hours="3")
    browser = _signed_in(ada)
    browser.get("/tasks/")
    _rename_quietly(task, "Paint the hall")
    Notification.objects.create(
        recipient=ada, kind="mention", sentence="Grace mentioned you.", delivery="off"
    )
    assert "Paint the hall" in browser.get("/tasks/").content.decode()


def test_a_page_after_a_message_is_not_kept(make_member: Any) -> None:
    ada = make_member("Ada")
    browser = _signed_in(ada)
    browser.post(
        "/tasks/new/", {"title": "Paint the meeting room", "estimate_hours": "3"}, follow=True
    )
    before = _kept_keys()
    page = browser.get("/tasks/")
    assert page.status_code == 200
    assert _kept_keys() > before  # the page without the message is kept
    task = Task.objects.get(title="Paint the meeting room")
    _rename_quietly(task, "Paint the hall")
    assert "Paint the meeting room" in browser.get("/tasks/").content.decode()


def test_a_kept_pages_form_still_posts(make_member: Any) -> None:
    ada = make_member("Ada")
    task = create_task(ada, title="Paint the meeting room", estimate_hours="3")
    browser = _signed_in(ada, enforce_csrf_checks=True)
    first = browser.get(f"/tasks/{task.pk}/").content.decode()
    kept = browser.get(f"/tasks/{task.pk}/").content.decode()
    assert kept == first
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', kept)
    assert token is not None
    claimed = browser.post(f"/tasks/{task.pk}/claim/", {"csrfmiddlewaretoken": token[1]})
    assert claimed.status_code == 302
    task.refresh_from_db()
    assert task.claimed_by_id == ada.pk


def test_nothing_is_kept_when_it_is_turned_off(make_member: Any, settings: Any) -> None:
    settings.COMMONSHARE_MEMBER_PAGE_SECONDS = 0
    ada = make_member("Ada")
    task = create_task(ada, title="Paint the meeting room", estimate_hours="3")
    browser = _signed_in(ada)
    browser.get("/tasks/")
    _rename_quietly(task, "Paint the hall")
    assert "Paint the hall" in browser.get("/tasks/").content.decode()
    assert _kept_keys() == set()


def _kept_keys() -> set[str]:
    cache = caches[memberpages.CACHE]
    return {key for key in cache._cache if memberpages.KEY_PREFIX in key}  # type: ignore[attr-defined]


def test_a_kept_page_is_served_reading_only_the_two_ids(
    make_member: Any, django_assert_num_queries: Any
) -> None:
    ada = make_member("Ada")
    create_task(ada, title="Paint the meeting room", estimate_hours="3")
    browser = _signed_in(ada)
    drawn = browser.get("/tasks/")
    with django_assert_num_queries(1):  # the newest event's id and the newest notification's
        kept = browser.get("/tasks/")
    assert kept.content == drawn.content
    assert "csrftoken" not in kept.cookies or kept.cookies["csrftoken"].value == (
        browser.cookies["csrftoken"].value
    )


def test_after_signing_out_the_kept_page_is_not_shown(make_member: Any) -> None:
    ada = make_member("Ada")
    task = create_task(ada, title="Paint the meeting room", estimate_hours="3")
    browser = _signed_in(ada)
    browser.get("/tasks/")
    browser.post("/logout/")
    _rename_quietly(task, "Paint the hall")
    page = browser.get("/tasks/").content.decode()
    assert "Paint the hall" in page
    assert "Log out" not in page


def test_ones_own_page_at_its_short_address_is_kept_too(
    make_member: Any, django_assert_num_queries: Any
) -> None:
    ada = make_member("Ada")
    browser = _signed_in(ada)
    first = browser.get("/me/")
    assert first.status_code == 200 and first.context["member"] == ada
    with django_assert_num_queries(1):
        again = browser.get("/me/")
    assert (again.status_code, again.content) == (200, first.content)
