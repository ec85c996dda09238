"""Notifications made from audit events: who is told of what, once, and what they see.

The rules (``notifications.triggers``) run from the audit subscriber after commit; the
tests drive the real services and read the notifications made.
"""

from __future__ import annotations

from typing import Any

import pytest

from commonshare.audit.models import AuditEvent
from commonshare.discussion import services as discussion
from commonshare.errors import InvalidInput, NotFound
from commonshare.notifications import fanout, selectors, services, vocab
from commonshare.notifications.models import Notification
from commonshare.work import services as work

pytestmark = pytest.mark.django_db


def _kinds(member: Any) -> list[str]:
    return sorted(Notification.objects.filter(recipient=member).values_list("kind", flat=True))


def test_a_mention_tells_the_member_mentioned_and_never_the_writer(
    ada: Any, bo: Any, cy: Any, task: Any, committed: Any
) -> None:
    with committed():
        discussion.post_comment(ada, f"task-{task.pk}", "@Bo could you look? @AdaLovelace too")
    [note] = Notification.objects.filter(recipient=bo)
    assert note.kind == vocab.MENTION
    assert "Ada Lovelace mentioned you" in note.sentence
    assert "Write the guide" in note.sentence
    assert note.link.startswith(f"/tasks/{task.pk}/#comment-")
    assert _kinds(ada) == [] and _kinds(cy) == []
    assert selectors.unread_count(bo) == 1


def test_a_reply_tells_the_author_and_a_comment_tells_who_claimed_the_task(
    ada: Any, bo: Any, cy: Any, task: Any, committed: Any
) -> None:
    work.claim_task(cy, task.pk)
    first = discussion.post_comment(bo, f"task-{task.pk}", "Where is the draft?")
    with committed():
        discussion.post_comment(ada, None, "In the wiki.", reply_to=first.comment.pk)
    assert _kinds(bo) == [vocab.REPLY]
    assert _kinds(cy) == [vocab.TASK_COMMENT]
    assert "replied to your comment" in Notification.objects.get(recipient=bo).sentence


def test_an_edit_tells_only_the_members_it_newly_mentions(
    ada: Any, bo: Any, cy: Any, task: Any, committed: Any
) -> None:
    with committed():
        posted = discussion.post_comment(ada, f"task-{task.pk}", "Thanks @Bo")
    with committed():
        discussion.edit_comment(ada, posted.comment.pk, "Thanks @Bo and @Cy")
    assert _kinds(bo) == [vocab.MENTION]
    assert _kinds(cy) == [vocab.MENTION]


def test_the_reviewers_drawn_for_a_contribution_are_told(
    ada: Any, bo: Any, cy: Any, committed: Any
) -> None:
    with committed():
        contribution = work.log_contribution(
            ada,
            work.ContributionInput(kind="work", summary="Docs", hours="1", evidence_text="e"),
        )
    drawn = {a.reviewer_id for a in contribution.assignments.all()}
    assert drawn
    told = set(
        Notification.objects.filter(kind=vocab.REVIEW_DRAWN).values_list("recipient_id", flat=True)
    )
    assert told == drawn
    assert ada.pk not in told


def test_running_the_subscriber_again_for_one_event_adds_nothing(
    ada: Any, bo: Any, task: Any, committed: Any
) -> None:
    with committed():
        discussion.post_comment(ada, f"task-{task.pk}", "Hello @Bo")
    event = AuditEvent.objects.get(code="discussion.comment.posted")
    fanout.on_event(event)
    fanout.on_event(event)
    assert Notification.objects.filter(recipient=bo).count() == 1


def test_no_notification_for_a_write_that_was_rolled_back(
    ada: Any, bo: Any, task: Any, committed: Any
) -> None:
    with committed(), pytest.raises(InvalidInput):
        discussion.post_comment(ada, f"task-{task.pk}", "   ")
    assert Notification.objects.count() == 0


def test_mark_read_one_and_all(ada: Any, bo: Any, task: Any, committed: Any) -> None:
    with committed():
        discussion.post_comment(ada, f"task-{task.pk}", "Hello @Bo")
        discussion.post_comment(ada, f"task-{task.pk}", "Again @Bo")
    first, second = Notification.objects.filter(recipient=bo).order_by("id")
    services.mark_read(bo, first.pk)
    assert selectors.unread_count(bo) == 1
    services.mark_read(bo, first.pk)  # again: unchanged, no second event
    assert AuditEvent.objects.filter(code="notifications.notification.read").count() == 1
    with pytest.raises(NotFound):
        services.mark_read(ada, second.pk)  # someone else's
    assert services.mark_all_read(bo) == 1
    assert selectors.unread_count(bo) == 0
    assert services.mark_all_read(bo) == 0


def test_preferences_are_checked_and_bad_input_changes_nothing(ada: Any) -> None:
    assert set(selectors.preferences_of(ada).values()) == {"immediately"}
    with pytest.raises(InvalidInput) as refused:
        services.set_preferences(ada, {"mention": "daily", "reply": "weekly", "nope": "off"})
    fields = {field for field, _ in refused.value.problems}
    assert fields == {"reply", "nope"}
    assert selectors.preferences_of(ada)["mention"] == "immediately"
    now = services.set_preferences(ada, {"mention": "daily"})
    assert now["mention"] == "daily" and now["reply"] == "immediately"
