"""Visitors' pages kept a few seconds for the next visitor; members always drawn fresh.

The rest of the suite runs with the keeping off (tests/conftest.py); here it is on.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.core.cache import caches
from django.test import Client

from commonshare.community import services as community
from commonshare.web import pagecache
from commonshare.work.services import create_task

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _keeping_on(settings: Any) -> None:
    settings.COMMONSHARE_PAGE_CACHE_SECONDS = 30
    caches[pagecache.CACHE].clear()


def test_a_visitor_is_served_the_kept_page_until_it_expires(
    make_member: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    founder = make_member("Ada")
    create_task(founder, title="Paint the meeting room", estimate_hours="3")
    visitor = Client()
    first = visitor.get("/tasks/")
    assert "Paint the meeting room" in first.content.decode()

    create_task(founder, title="Fix the bicycle rack", estimate_hours="2")
    kept = visitor.get("/tasks/")
    assert kept.status_code == 200
    assert "Fix the bicycle rack" not in kept.content.decode()
    assert Client().get("/tasks/").content == kept.content  # the next visitor too

    later = time.time() + 31  # the kept copy's seconds are up; it is still kept
    monkeypatch.setattr(pagecache, "_now", lambda: later)
    assert _kept_keys()
    assert "Fix the bicycle rack" in visitor.get("/tasks/").content.decode()


def test_a_signed_in_member_always_gets_a_page_drawn_for_them(make_member: Any) -> None:
    founder = make_member("Ada")
    Client().get("/tasks/")  # a visitor's copy is kept
    kept = _kept_keys()
    assert kept
    create_task(founder, title="Fix the bicycle rack", estimate_hours="2")
    member = Client()
    member.force_login(founder)
    assert "Fix the bicycle rack" in member.get("/tasks/").content.decode()
    member.get("/")
    assert _kept_keys() == kept  # nothing of theirs was kept


def test_an_api_request_with_a_token_is_never_kept(make_member: Any) -> None:
    founder = make_member("Ada")
    _, secret = community.create_token(founder, name="bench")
    signed = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    Client().get("/api/tasks", **signed)
    create_task(founder, title="Fix the bicycle rack", estimate_hours="2")
    assert "Fix the bicycle rack" in Client().get("/api/tasks", **signed).content.decode()


def test_no_header_lets_a_browser_keep_a_visitors_page(make_member: Any) -> None:
    make_member("Ada")
    first, second = Client().get("/tasks/"), Client().get("/tasks/")
    for response in (first, second):
        assert "Expires" not in response
        assert "max-age" not in response.get("Cache-Control", "")


def test_a_page_that_sets_a_cookie_is_never_kept() -> None:
    first, second = Client().get("/login/"), Client().get("/login/")
    assert "csrftoken" in first.cookies
    assert "csrftoken" in second.cookies  # drawn again: its own cookie, not the first's
    assert first.cookies["csrftoken"].value != second.cookies["csrftoken"].value


def test_nothing_is_kept_when_the_seconds_are_zero(settings: Any, make_member: Any) -> None:
    settings.COMMONSHARE_PAGE_CACHE_SECONDS = 0
    founder = make_member("Ada")
    Client().get("/tasks/")
    create_task(founder, title="Fix the bicycle rack", estimate_hours="2")
    assert "Fix the bicycle rack" in Client().get("/tasks/").content.decode()


def test_the_setting_must_be_a_whole_number(monkeypatch: pytest.MonkeyPatch) -> None:
    from commonshare import settings as site_settings

    monkeypatch.setenv("COMMONSHARE_PAGE_CACHE_SECONDS", "five")
    with pytest.raises(ValueError, match="COMMONSHARE_PAGE_CACHE_SECONDS"):
        site_settings._seconds("COMMONSHARE_PAGE_CACHE_SECONDS", 5)


def _kept_keys() -> list[str]:
    kept = caches[pagecache.CACHE]
    return sorted(key for key in kept._cache if pagecache.KEY_PREFIX in key)  # type: ignore[attr-defined]
