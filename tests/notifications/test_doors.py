"""The notifications through each door: the bell and the pages (without JavaScript: plain
POST forms), the API and the CLI, all over the same services."""

from __future__ import annotations

import re
from typing import Any

import pytest
from click.testing import CliRunner
from django.test import Client

from commonshare.cli import main
from commonshare.community import services as community
from commonshare.discussion import services as discussion
from commonshare.notifications import selectors
from commonshare.notifications.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def told(ada: Any, bo: Any, task: Any, committed: Any) -> list[Notification]:
    """Two notifications for Bo: Ada mentioned him twice."""
    with committed():
        discussion.post_comment(ada, f"task-{task.pk}", "Hello @Bo")
        discussion.post_comment(ada, f"task-{task.pk}", "Again, @Bo")
    return list(Notification.objects.filter(recipient=bo).order_by("id"))


def _bell(page: str) -> str:
    found = re.search(r'<a class="bell"[^>]*>(.*?)</a>', page, re.S)
    assert found, "no bell in the header"
    return re.sub(r"<[^>]+>", "", found.group(1)).split()[-2:]


def test_the_bell_counts_the_unread_and_the_page_marks_them_read(
    told: list[Notification], bo: Any, client: Client
) -> None:
    client.force_login(bo)
    home = client.get("/").content.decode()
    assert _bell(home) == ["2", "unread"]
    page = client.get("/notifications/").content.decode()
    assert "Ada Lovelace mentioned you" in page
    assert page.count("Mark as read") == 2
    done = client.post(f"/notifications/{told[0].pk}/read/", {"next": "/notifications/"})
    assert done.status_code == 302 and done["Location"] == "/notifications/"
    assert selectors.unread_count(bo) == 1
    page = client.get("/notifications/").content.decode()
    assert _bell(page) == ["1", "unread"]
    client.post("/notifications/read/", {"next": "https://elsewhere.example/"})
    assert selectors.unread_count(bo) == 0
    assert "unread" not in "".join(_bell(client.get("/notifications/").content.decode()))
    assert (
        "You have no unread notifications."
        in client.get("/notifications/?show=unread").content.decode()
    )


def test_mark_read_takes_only_a_post_and_only_ones_own(
    told: list[Notification], ada: Any, client: Client
) -> None:
    client.force_login(ada)
    assert client.get(f"/notifications/{told[0].pk}/read/").status_code == 405
    assert client.post(f"/notifications/{told[0].pk}/read/").status_code == 404
    assert told[0].__class__.objects.get(pk=told[0].pk).read_at is None


def test_the_list_pages_by_keyset_at_a_fixed_cost(
    told: list[Notification], bo: Any, client: Client, django_assert_max_num_queries: Any
) -> None:
    client.force_login(bo)
    first = client.get("/notifications/?size=1").content.decode()
    assert "Again, @Bo" not in first  # sentences, not the comment text
    older = re.search(r'href="(\?[^"]*cursor=[^"]+)"[^>]*rel="next"', first)
    assert older, "no link to the older page"
    second = client.get("/notifications/" + older.group(1).replace("&amp;", "&"))
    assert second.status_code == 200
    assert f"notification-{told[0].pk}" in second.content.decode()
    assert f"notification-{told[1].pk}" not in second.content.decode()
    client.get("/notifications/")
    with django_assert_max_num_queries(12):
        client.get("/notifications/")
    Notification.objects.bulk_create(
        Notification(
            recipient=bo, kind="mention", about=f"t-{i}", sentence=f"n{i}", link="/", delivery="off"
        )
        for i in range(60)
    )
    with django_assert_max_num_queries(12):
        assert client.get("/notifications/").status_code == 200
    assert client.get("/notifications/?cursor=junk").status_code == 400


def test_the_settings_page_shows_an_error_summary_and_changes_nothing_on_bad_input(
    bo: Any, client: Client
) -> None:
    client.force_login(bo)
    page = client.get("/notifications/settings/").content.decode()
    assert "In a daily e-mail digest" in page
    choices = dict.fromkeys(selectors.preferences_of(bo), "immediately")
    bad = client.post("/notifications/settings/", {**choices, "mention": "weekly"})
    assert bad.status_code == 200
    text = bad.content.decode()
    assert "There is a problem" in text and "Choose how to hear that" in text
    assert selectors.preferences_of(bo)["mention"] == "immediately"
    good = client.post("/notifications/settings/", {**choices, "mention": "daily"})
    assert good.status_code == 302
    assert selectors.preferences_of(bo)["mention"] == "daily"


def test_the_api_lists_marks_read_and_sets_preferences(
    told: list[Notification], bo: Any, client: Client
) -> None:
    _, raw = community.create_token(bo, name="phone")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    listed = client.get("/api/notifications?limit=1", **auth).json()
    assert [item["id"] for item in listed["items"]] == [told[1].pk]
    assert listed["next"]
    assert client.get("/api/notifications/unread", **auth).json() == {"unread": 2}
    one = client.post(f"/api/notifications/{told[0].pk}/read", **auth)
    assert one.status_code == 200 and one.json()["read_at"]
    assert client.post("/api/notifications/read", **auth).json() == {"marked": 1}
    assert client.get("/api/notifications?unread=true", **auth).json()["items"] == []
    bad = client.put(
        "/api/notifications/settings",
        {"choices": {"mention": "weekly"}},
        content_type="application/json",
        **auth,
    )
    assert bad.status_code == 422 and bad.json()["field"] == "mention"
    good = client.put(
        "/api/notifications/settings",
        {"choices": {"mention": "off"}},
        content_type="application/json",
        **auth,
    )
    assert {c["kind"]: c["delivery"] for c in good.json()}["mention"] == "off"
    assert client.get("/api/notifications").status_code == 401


def _run(*args: str, code: int = 0) -> str:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert result.exit_code == code, result.output
    return result.output


def test_the_cli_lists_reads_and_sets(told: list[Notification], bo: Any) -> None:
    out = _run("notifications", "list", "--unread", "--as", bo.email)
    assert out.count("[new]") == 2 and "mentioned you" in out
    assert f"Marked notification {told[0].pk} read." in _run(
        "notifications", "read", str(told[0].pk), "--as", bo.email
    )
    assert "Marked 1 notification read." in _run("notifications", "read", "--all", "--as", bo.email)
    assert "No unread notifications." in _run("notifications", "list", "--unread", "--as", bo.email)
    out = _run("notifications", "settings", "--set", "reply=daily", "--as", bo.email)
    assert re.search(r"^reply\s+daily", out, re.M)
    refused = _run("notifications", "settings", "--set", "reply=never", "--as", bo.email, code=2)
    assert "Choose how to hear" in refused
    assert selectors.preferences_of(bo)["reply"] == "daily"
