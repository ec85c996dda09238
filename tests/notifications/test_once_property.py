"""Property: whatever is written, and however often the subscriber and the worker run, each
event makes at most one notification per recipient and kind, exactly those its rules name,
and each notification mailed at once is sent exactly once."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail as outbox
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commonshare import worker
from commonshare.audit.models import AuditEvent
from commonshare.discussion import services as discussion
from commonshare.discussion.models import Comment
from commonshare.notifications import fanout, vocab
from commonshare.notifications.models import Notification
from commonshare.work import services as work

pytestmark = pytest.mark.django_db

NAMES = ["Ana", "Ben", "Cleo", "Dev"]

comment = st.fixed_dictionaries(
    {
        "author": st.integers(0, len(NAMES) - 1),
        "mentions": st.sets(st.integers(0, len(NAMES) - 1), max_size=len(NAMES)),
        "reply_to": st.none() | st.integers(0, 5),
        "replays": st.integers(0, 2),
    }
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    comments=st.lists(comment, min_size=1, max_size=5),
    claimer=st.none() | st.integers(0, len(NAMES) - 1),
    drains=st.integers(1, 3),
)
def test_one_notification_per_event_recipient_and_kind_and_one_mail_each(
    *,
    committed: Any,
    people: dict[str, Any],
    comments: list[dict[str, Any]],
    claimer: int | None,
    drains: int,
) -> None:
    members = people["members"]
    task = work.create_task(members[0], title="A task", description="", estimate_hours="1")
    if claimer is not None:
        work.claim_task(members[claimer], task.pk)
    outbox.outbox.clear()
    first_event = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    expected: set[tuple[int, int, str]] = set()
    posted: list[Any] = []
    for written in comments:
        author = members[written["author"]]
        text = "Note " + " ".join(f"@{NAMES[i]}" for i in sorted(written["mentions"]))
        parent = None
        if written["reply_to"] is not None and posted:
            parent = posted[written["reply_to"] % len(posted)]
        with committed():
            made = discussion.post_comment(
                author, f"task-{task.pk}", text, reply_to=parent.pk if parent else None
            )
        posted.append(made.comment)
        event = AuditEvent.objects.order_by("-id").first()
        for _ in range(written["replays"]):
            fanout.on_event(event)  # the subscriber run again for the same event
        told = {(members[i].pk, vocab.MENTION) for i in written["mentions"]}
        if parent is not None:
            root = parent.parent if parent.parent_id else parent
            told.add((root.author_id, vocab.REPLY))
        if claimer is not None:
            told.add((members[claimer].pk, vocab.TASK_COMMENT))
        expected |= {(event.pk, pk, kind) for pk, kind in told if pk != author.pk}
    for _ in range(drains):
        worker.run_once()

    made_now = Notification.objects.filter(event_id__gt=first_event)
    rows = list(made_now.values_list("event_id", "recipient_id", "kind"))
    assert len(rows) == len(set(rows))
    assert set(rows) == expected
    sent = sorted(message.to[0] for message in outbox.outbox)
    by_member = {m.pk: m.email for m in members}
    assert sent == sorted(by_member[pk] for _, pk, _ in rows)
    # Out of the posting limit's hour for the next example.
    Comment.objects.update(created_at=timezone.now() - dt.timedelta(days=2))


@pytest.fixture
def people(make_member: Any, settings: Any) -> dict[str, Any]:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return {"members": [make_member(name, email=f"{name.lower()}@example.org") for name in NAMES]}
