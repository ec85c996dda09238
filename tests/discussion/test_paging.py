"""A long thread and a long forum page by keyset on the web, in the API and in the commands:
every comment once, in order, each reply with the comment it answers."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest
from click.testing import CliRunner
from django.test import Client
from django.utils import timezone

from commonshare.cli import main
from commonshare.discussion import selectors, services, vocab
from commonshare.discussion.models import Comment, Thread

pytestmark = pytest.mark.django_db

COMMENTS = vocab.PAGE_SIZE + 7


@pytest.fixture
def thread(make_member: Any) -> Any:
    """A task's thread with COMMENTS top-level comments; every fifth has two replies."""
    from commonshare.work import services as work

    ada = make_member("Ada", email="ada@example.org")
    task = work.create_task(ada, title="Write the guide", estimate_hours="3")
    first = services.post_comment(ada, f"task-{task.pk}", "Comment 0").comment
    start = timezone.now()
    tops = Comment.objects.bulk_create(
        Comment(
            thread=first.thread,
            author=ada,
            body=f"Comment {i}",
            # Some share a moment: the id breaks the tie, so none is lost or shown twice.
            created_at=start + dt.timedelta(seconds=i // 3),
        )
        for i in range(1, COMMENTS)
    )
    Comment.objects.bulk_create(
        Comment(
            thread=first.thread,
            author=ada,
            parent=top,
            body=f"Reply {n} to {top.body}",
            created_at=start + dt.timedelta(hours=1, seconds=n),
        )
        for top in tops[::5]
        for n in range(2)
    )
    return first.thread


def _walk(fetch: Any) -> tuple[list[Any], list[Any]]:
    """Every page forward from the first, then back from the last: the rows in each order."""
    forward: list[Any] = []
    found = fetch(None)
    pages = [found]
    while True:
        forward.extend(found.items)
        if found.next_cursor is None:
            break
        found = fetch(found.next_cursor)
        pages.append(found)
    backward: list[Any] = []
    while True:
        backward = list(found.items) + backward
        if found.previous_cursor is None:
            break
        found = fetch(found.previous_cursor)
    return forward, backward


def test_the_selector_pages_top_level_comments_with_their_replies(thread: Thread) -> None:
    forward, backward = _walk(lambda at: selectors.comments_page(thread, at, 10))
    bodies = [c.body for c in forward]
    assert bodies == [f"Comment {i}" for i in range(COMMENTS)]
    assert [c.pk for c in backward] == [c.pk for c in forward]
    for comment in forward:
        replies = [r.body for r in comment.shown_replies]
        number = int(comment.body.split()[1])
        expected = [f"Reply {n} to {comment.body}" for n in range(2)] if number % 5 == 1 else []
        assert replies == expected, comment.body


def test_a_page_of_comments_costs_the_same_deep_in_the_thread(
    thread: Thread, django_assert_num_queries: Any
) -> None:
    first = selectors.comments_page(thread, None, 10)
    second = selectors.comments_page(thread, first.next_cursor, 10)
    with django_assert_num_queries(2):  # the page with its authors, then the replies
        deep = selectors.comments_page(thread, second.next_cursor, 10)
        [list(c.shown_replies) for c in deep]


def _bodies(html: str) -> list[str]:
    return re.findall(r"<p>(Comment \d+)</p>", html)


def test_the_record_page_links_to_later_and_earlier_comments(thread: Thread) -> None:
    client = Client()
    url = f"/tasks/{thread.subject_id}/"
    page = client.get(url).content.decode()
    assert _bodies(page)[0] == "Comment 0"
    assert len(set(_bodies(page))) == vocab.PAGE_SIZE
    assert "Earlier comments" not in page
    later = re.search(r'href="(\?comments=[^"#]+)#discussion" rel="next"', page)
    assert later is not None
    second = client.get(url + later.group(1)).content.decode()
    assert _bodies(second) == [f"Comment {i}" for i in range(vocab.PAGE_SIZE, COMMENTS)]
    assert "Reply 0 to Comment 51" in second  # a reply is on its comment's page
    assert "Later comments" not in second
    earlier = re.search(r'href="(\?comments=[^"#]+)#discussion" rel="prev"', second)
    assert earlier is not None
    back = client.get(url + earlier.group(1).replace("&amp;", "&")).content.decode()
    assert _bodies(back) == _bodies(page)


def test_a_changed_cursor_is_a_plain_400_page(thread: Thread) -> None:
    response = Client().get(f"/tasks/{thread.subject_id}/?comments=bm90LW91cnM")
    assert response.status_code == 400
    assert "That page link is not valid for this list" in response.content.decode()


def test_the_api_pages_a_thread_by_cursor(thread: Thread) -> None:
    client = Client()
    url = f"/api/discussion/threads/task-{thread.subject_id}"
    seen: list[int] = []
    replies = 0
    body = client.get(url, {"limit": 20}).json()
    assert body["previous"] is None
    while True:
        seen.extend(c["id"] for c in body["comments"])
        replies += sum(len(c["replies"]) for c in body["comments"])
        if body["next"] is None:
            break
        body = client.get(url, {"limit": 20, "cursor": body["next"]}).json()
    expected = Comment.objects.filter(thread=thread, parent=None).order_by("created_at", "id")
    assert seen == list(expected.values_list("pk", flat=True))
    assert replies == Comment.objects.filter(thread=thread).exclude(parent=None).count()
    refused = client.get(url, {"cursor": "bm90LW91cnM"})
    assert refused.status_code == 400
    assert refused.json()["field"] == "cursor"


def _topics(people: list[Any], n: int) -> list[Thread]:
    # Several authors: one may start only so many topics an hour.
    started = [
        services.start_topic(people[i % len(people)], f"Topic {i}", "Hello").comment.thread
        for i in range(n)
    ]
    # Make each later one the more recently active, one second apart.
    now = timezone.now()
    for i, topic in enumerate(started):
        Thread.objects.filter(pk=topic.pk).update(last_posted_at=now + dt.timedelta(seconds=i))
    return started


def test_the_forum_pages_its_topics_on_the_web_in_the_api_and_in_the_command(
    make_member: Any,
) -> None:
    people = [make_member(name) for name in ("Ada", "Ben", "Cy")]
    count = vocab.TOPICS_PAGE_SIZE + 4
    newest_first = [f"Topic {i}" for i in reversed(range(count))]
    _topics(people, count)
    client = Client()
    forum = client.get("/commons/").content.decode()
    titles = re.findall(r">(Topic \d+)</a>", forum)
    assert titles == newest_first[: vocab.TOPICS_PAGE_SIZE]
    older = re.search(r'href="(\?cursor=[^"]+)" rel="next">Older', forum)
    assert older is not None
    rest = client.get("/commons/" + older.group(1)).content.decode()
    assert re.findall(r">(Topic \d+)</a>", rest) == newest_first[vocab.TOPICS_PAGE_SIZE :]
    assert 'rel="prev">← More recent' in rest

    api = client.get("/api/discussion/topics", {"limit": 10}).json()
    listed = [t["title"] for t in api["items"]]
    while api["next"]:
        api = client.get("/api/discussion/topics", {"limit": 10, "cursor": api["next"]}).json()
        listed += [t["title"] for t in api["items"]]
    assert listed == newest_first

    shown = CliRunner().invoke(main, ["discussion", "topics", "--limit", "5"])
    assert shown.exit_code == 0, shown.output
    assert re.findall(r": (Topic \d+) \(", shown.stdout) == newest_first[:5]
    assert shown.stderr.startswith("next: ")
    every = CliRunner().invoke(main, ["discussion", "topics"])
    assert re.findall(r": (Topic \d+) \(", every.stdout) == newest_first


def test_the_command_shows_a_thread_a_page_at_a_time(thread: Thread) -> None:
    runner = CliRunner()
    subject = f"task-{thread.subject_id}"
    first = runner.invoke(main, ["discussion", "show", subject, "--limit", "5"])
    assert first.exit_code == 0, first.output
    assert re.findall(r"^  (Comment \d+)$", first.stdout, re.M) == [
        f"Comment {i}" for i in range(5)
    ]
    assert "    #" in first.stdout  # comment 1's replies, indented under it
    cursor = first.stderr.removeprefix("next: ").strip()
    second = runner.invoke(
        main, ["discussion", "show", subject, "--limit", "5", "--cursor", cursor]
    )
    assert re.findall(r"^  (Comment \d+)$", second.stdout, re.M) == [
        f"Comment {i}" for i in range(5, 10)
    ]
    every = runner.invoke(main, ["discussion", "show", subject, "--json"])
    assert len(json.loads(every.stdout)["comments"]) == COMMENTS
