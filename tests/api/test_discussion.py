"""The discussion over the API: a thread on any record, replies, quotes, edits and their
history, tombstones, the forum; refusals are ``{detail, field}``."""

from __future__ import annotations

from typing import Any

import pytest
from tests.api.conftest import ApiClient, assert_refused

from commonshare.discussion.models import Comment

pytestmark = pytest.mark.django_db


@pytest.fixture
def task(alice: Any) -> Any:
    from commonshare.work import services as work

    return work.create_task(alice, title="Write the guide", estimate_hours="3")


def test_a_thread_from_first_comment_to_tombstone(
    as_alice: ApiClient, as_bob: ApiClient, anonymous: ApiClient, task: Any, bob: Any
) -> None:
    subject = f"task-{task.pk}"
    empty = anonymous.get(f"/discussion/threads/{subject}").json()
    assert empty == {
        "subject": subject,
        "title": None,
        "started": False,
        "comments": [],
        "next": None,
        "previous": None,
    }
    posted = as_alice.post(
        f"/discussion/threads/{subject}/comments", {"body": "Who reviews this, @Bob?"}
    )
    assert posted.status_code == 201, posted.content
    first = posted.json()["comment"]
    assert first["mentions"] == [{"handle": "Bob", "member": bob.pk}]
    assert posted.json()["unknown_mentions"] == []
    reply = as_bob.post(
        f"/discussion/threads/{subject}/comments",
        {"body": "Me.", "reply_to": first["id"], "quote": first["id"]},
    )
    assert reply.status_code == 201, reply.content
    assert reply.json()["comment"]["body"].startswith("Alice wrote:\n\n> Who reviews this")

    edited = as_alice.patch(f"/discussion/comments/{first['id']}", {"body": "Who reviews?"})
    assert edited.status_code == 200, edited.content
    assert edited.json()["comment"]["edited_at"] is not None
    history = anonymous.get(f"/discussion/comments/{first['id']}/history").json()
    assert [revision["body"] for revision in history] == ["Who reviews this, @Bob?"]

    thread = anonymous.get(f"/discussion/threads/{subject}").json()
    assert thread["started"] is True
    assert [c["body"] for c in thread["comments"]] == ["Who reviews?"]
    assert [r["id"] for r in thread["comments"][0]["replies"]] == [reply.json()["comment"]["id"]]

    assert_refused(as_bob.delete(f"/discussion/comments/{first['id']}"), 403)
    gone = as_alice.delete(f"/discussion/comments/{first['id']}")
    assert gone.status_code == 200, gone.content
    assert gone.json()["deleted"] is True
    assert gone.json()["body"] == ""
    assert anonymous.get(f"/discussion/comments/{first['id']}/history").json() == []
    assert_refused(as_alice.delete(f"/discussion/comments/{first['id']}"), 409)


def test_bad_input_is_refused_naming_the_field(
    as_alice: ApiClient, anonymous: ApiClient, task: Any
) -> None:
    subject = f"task-{task.pk}"
    assert_refused(
        as_alice.post(f"/discussion/threads/{subject}/comments", {"body": " "}), 422, "body"
    )
    long = as_alice.post(f"/discussion/threads/{subject}/comments", {"body": "x" * 10_001})
    assert_refused(long, 422, "body")
    assert_refused(
        as_alice.post("/discussion/threads/task-999/comments", {"body": "x"}), 404, "subject"
    )
    assert_refused(anonymous.get("/discussion/threads/poem-1"), 404, "subject")
    assert_refused(anonymous.post(f"/discussion/threads/{subject}/comments", {"body": "x"}), 401)
    other = as_alice.post(f"/discussion/threads/{subject}/comments", {"body": "x", "reply_to": 999})
    assert_refused(other, 422, "reply_to")
    assert not Comment.objects.exists()


def test_unknown_mentions_are_reported(as_alice: ApiClient, task: Any) -> None:
    posted = as_alice.post(f"/discussion/threads/task-{task.pk}/comments", {"body": "Hi @Zed"})
    assert posted.json()["unknown_mentions"] == ["Zed"]
    assert posted.json()["comment"]["mentions"] == []


def test_the_forum(as_alice: ApiClient, as_bob: ApiClient, anonymous: ApiClient) -> None:
    assert_refused(as_alice.post("/discussion/topics", {"title": " ", "body": "x"}), 422, "title")
    started = as_alice.post("/discussion/topics", {"title": "Welcome", "body": "Say hello"})
    assert started.status_code == 201, started.content
    subject = started.json()["comment"]["subject"]
    assert subject.startswith("topic-")
    as_bob.post(f"/discussion/threads/{subject}/comments", {"body": "Hello"})
    topics = anonymous.get("/discussion/topics").json()
    assert [(t["title"], t["comment_count"]) for t in topics["items"]] == [("Welcome", 2)]
    thread = anonymous.get(f"/discussion/threads/{subject}").json()
    assert thread["title"] == "Welcome"
    assert [c["body"] for c in thread["comments"]] == ["Say hello", "Hello"]
