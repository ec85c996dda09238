"""The discussion's writes: threads on any record, replies, edits, tombstones, mentions and
the posting limits of the policy."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from commonshare.audit.models import AuditEvent
from commonshare.discussion import selectors, services
from commonshare.discussion.models import Comment, Thread
from commonshare.errors import Conflict, Forbidden, InvalidInput, NotFound
from commonshare.work import services as work

pytestmark = pytest.mark.django_db


@pytest.fixture
def ada(make_member: Any) -> Any:
    return make_member("Ada Lovelace")


@pytest.fixture
def bo(make_member: Any) -> Any:
    return make_member("Bo")


@pytest.fixture
def task(ada: Any) -> Any:
    return work.create_task(ada, title="Write the guide", description="", estimate_hours="2")


def _event(code: str) -> AuditEvent:
    return AuditEvent.objects.filter(code=code).order_by("-id").first()


def test_the_first_comment_on_a_record_starts_its_thread_and_names_it_as_the_audit_log(
    ada: Any, task: Any
) -> None:
    assert selectors.thread_of(f"task-{task.pk}") is None
    posted = services.post_comment(ada, f"task-{task.pk}", "  Who has the style guide?  ")
    thread = selectors.thread_of(f"task-{task.pk}")
    assert thread is not None
    assert (thread.subject_type, thread.subject_id) == ("work.task", str(task.pk))
    assert thread.reference == f"task-{task.pk}"
    assert posted.comment.body == "Who has the style guide?"
    services.post_comment(ada, f"task-{task.pk}", "Found it.")
    assert Thread.objects.count() == 1
    assert Thread.objects.get().comment_count == 2
    event = _event("discussion.comment.posted")
    assert event.target_type == "discussion.comment"
    assert event.data["subject"] == f"task-{task.pk}"


def test_threads_attach_to_every_kind_of_record_by_one_table(
    ada: Any, task: Any, make_member: Any
) -> None:
    from commonshare.decisions import services as decisions
    from commonshare.governance.selectors import current_norms

    contribution = work.log_contribution(
        ada,
        work.ContributionInput(kind="work", summary="Docs", hours="1", evidence_text="e"),
    )
    proposal = decisions.propose(ada, title="Meet weekly", kind="other", method="majority")
    norm = current_norms()[0]
    for subject in (
        f"task-{task.pk}",
        f"contribution-{contribution.pk}",
        f"proposal-{proposal.number}",
        f"norm-{norm.pk}",
    ):
        services.post_comment(ada, subject, f"On {subject}")
        view = selectors.thread_view(subject)
        assert [c.body for c in view.comments] == [f"On {subject}"]
    assert {t.subject_type for t in Thread.objects.all()} == {
        "work.task",
        "work.contribution",
        "decisions.proposal",
        "governance.normversion",
    }


@pytest.mark.parametrize(
    ("subject", "message"),
    [("task-999", "There is no task 999."), ("poem-1", "kind and a number"), ("topic-4", "topic")],
)
def test_a_subject_naming_nothing_is_not_found(ada: Any, subject: str, message: str) -> None:
    with pytest.raises(NotFound, match=message) as refused:
        services.post_comment(ada, subject, "Hello")
    assert refused.value.field == "subject"
    assert not Comment.objects.exists()


def test_empty_and_overlong_comments_are_refused_naming_the_body(ada: Any, task: Any) -> None:
    with pytest.raises(InvalidInput, match="empty") as empty:
        services.post_comment(ada, f"task-{task.pk}", "   \n ")
    assert empty.value.field == "body"
    with pytest.raises(InvalidInput, match="at most 10,000 characters") as long:
        services.post_comment(ada, f"task-{task.pk}", "x" * 10_001)
    assert long.value.field == "body"
    assert not Comment.objects.exists()
    assert not Thread.objects.exists()


def test_replies_are_one_level_deep(ada: Any, bo: Any, task: Any) -> None:
    subject = f"task-{task.pk}"
    first = services.post_comment(ada, subject, "Question").comment
    reply = services.post_comment(bo, subject, "Answer", reply_to=first.pk).comment
    again = services.post_comment(ada, subject, "Thanks", reply_to=reply.pk).comment
    assert reply.parent_id == first.pk
    assert again.parent_id == first.pk  # a reply to a reply joins the same replies
    page = selectors.comments_page(first.thread)
    assert [c.pk for c in page.items] == [first.pk]
    assert [r.pk for r in page.items[0].shown_replies] == [reply.pk, again.pk]


def test_a_reply_to_a_comment_of_another_thread_is_refused(
    ada: Any, task: Any, make_member: Any
) -> None:
    other = work.create_task(ada, title="Other", description="", estimate_hours="1")
    elsewhere = services.post_comment(ada, f"task-{other.pk}", "There").comment
    with pytest.raises(InvalidInput, match="not in this thread") as refused:
        services.post_comment(ada, f"task-{task.pk}", "Here", reply_to=elsewhere.pk)
    assert refused.value.field == "reply_to"


def test_edits_keep_every_earlier_text_readable(ada: Any, task: Any) -> None:
    comment = services.post_comment(ada, f"task-{task.pk}", "First text").comment
    services.edit_comment(ada, comment.pk, "Second text")
    services.edit_comment(ada, comment.pk, "Third text")
    comment.refresh_from_db()
    assert comment.body == "Third text"
    assert comment.edited_at is not None
    assert [r.body for r in selectors.revisions_of(comment)] == ["First text", "Second text"]
    assert AuditEvent.objects.filter(code="discussion.comment.edited").count() == 2


def test_an_edit_that_changes_nothing_writes_nothing(ada: Any, task: Any) -> None:
    comment = services.post_comment(ada, f"task-{task.pk}", "Same").comment
    before = AuditEvent.objects.count()
    services.edit_comment(ada, comment.pk, " Same ")
    assert AuditEvent.objects.count() == before
    assert not selectors.revisions_of(comment).exists()


def test_only_the_author_edits_or_deletes(ada: Any, bo: Any, task: Any) -> None:
    comment = services.post_comment(ada, f"task-{task.pk}", "Mine").comment
    with pytest.raises(Forbidden, match="Only its author can edit"):
        services.edit_comment(bo, comment.pk, "Yours now")
    with pytest.raises(Forbidden, match="Only its author can delete"):
        services.delete_comment(bo, comment.pk)
    comment.refresh_from_db()
    assert comment.body == "Mine"
    assert comment.deleted_at is None


def test_deleting_leaves_a_tombstone_erases_the_texts_and_keeps_the_replies(
    ada: Any, bo: Any, task: Any
) -> None:
    subject = f"task-{task.pk}"
    comment = services.post_comment(ada, subject, "Oops, my phone number").comment
    services.edit_comment(ada, comment.pk, "Oops, my address")
    reply = services.post_comment(bo, subject, "Noted", reply_to=comment.pk).comment
    services.delete_comment(ada, comment.pk)
    comment.refresh_from_db()
    assert comment.is_deleted
    assert comment.body == ""
    assert not selectors.revisions_of(comment).exists()
    page = selectors.comments_page(comment.thread)
    assert [c.pk for c in page.items] == [comment.pk]  # the tombstone stays in place
    assert [r.pk for r in page.items[0].shown_replies] == [reply.pk]
    with pytest.raises(Conflict, match="deleted"):
        services.edit_comment(ada, comment.pk, "Back")
    with pytest.raises(Conflict, match="deleted"):
        services.delete_comment(ada, comment.pk)
    assert "phone" not in str(list(AuditEvent.objects.values_list("data", flat=True)))


def test_quoting_puts_the_quoted_text_before_the_reply(ada: Any, bo: Any, task: Any) -> None:
    subject = f"task-{task.pk}"
    first = services.post_comment(ada, subject, "Line one\nLine two").comment
    quoting = services.post_comment(bo, subject, "I agree.", quote=first.pk).comment
    assert quoting.body == "Ada Lovelace wrote:\n\n> Line one\n> Line two\n\nI agree."
    assert quoting.quote_of_id == first.pk
    services.delete_comment(ada, first.pk)
    with pytest.raises(InvalidInput, match="deleted") as refused:
        services.post_comment(bo, subject, "Again", quote=first.pk)
    assert refused.value.field == "quote"


def test_mentions_are_resolved_recorded_in_the_event_and_unknown_ones_reported(
    ada: Any, bo: Any, task: Any, make_member: Any
) -> None:
    make_member("Cy Twin")
    # Two current members share a name only if both chose it before the display-name rule
    # (its migration refuses nothing): a mention of it is ambiguous, so it is reported.
    twin = make_member("Cy Other")
    type(twin).objects.filter(pk=twin.pk).update(display_name="Cy Twin")
    posted = services.post_comment(
        bo,
        f"task-{task.pk}",
        "Thanks @adalovelace, and @Nobody, and @CyTwin. Mail bo@example.org. `@Bo` in code.",
    )
    assert posted.comment.mentioned == [{"handle": "adalovelace", "member": ada.pk}]
    assert posted.unknown_mentions == ["Nobody", "CyTwin"]  # unknown, and ambiguous
    event = _event("discussion.comment.posted")
    assert event.data["mentions"] == [ada.pk]
    services.edit_comment(bo, posted.comment.pk, "Also @Bo")
    assert _event("discussion.comment.edited").data["mentions"] == [bo.pk]


def test_references_to_records_are_recorded(ada: Any, task: Any) -> None:
    services.post_comment(ada, f"task-{task.pk}", "Like #task-3 and #proposal-12, not #3.")
    assert _event("discussion.comment.posted").data["references"] == [
        "#task-3",
        "#proposal-12",
    ]


def test_a_member_who_left_cannot_post(ada: Any, task: Any) -> None:
    from commonshare.community import services as community

    community.leave(ada)
    ada.refresh_from_db()
    with pytest.raises(Forbidden, match="You left the community; rejoin to post comments"):
        services.post_comment(ada, f"task-{task.pk}", "Still here?")


def test_level_0_posts_a_limited_number_a_day(
    make_member: Any, ada: Any, task: Any, adopt_rules: Any
) -> None:
    adopt_rules(discussion={"level0_per_day": 2, "per_hour": 100})
    new = make_member("Newcomer", level=0)
    subject = f"task-{task.pk}"
    start = dt.datetime.now(tz=dt.UTC)
    with time_machine.travel(start, tick=False):
        services.post_comment(new, subject, "one")
        services.post_comment(new, subject, "two")
        with pytest.raises(Forbidden, match="New members may post 2 comments a day"):
            services.post_comment(new, subject, "three")
        for number in range(3):  # an established member is not held to it
            services.post_comment(ada, subject, f"ada {number}")
    with time_machine.travel(start + dt.timedelta(hours=24, minutes=1), tick=False):
        services.post_comment(new, subject, "the next day")
    assert Comment.objects.filter(author=new).count() == 3


def test_everyone_is_rate_limited_by_the_hour(ada: Any, task: Any, adopt_rules: Any) -> None:
    adopt_rules(discussion={"per_hour": 3})
    subject = f"task-{task.pk}"
    start = dt.datetime.now(tz=dt.UTC)
    with time_machine.travel(start, tick=False):
        for number in range(3):
            services.post_comment(ada, subject, f"post {number}")
        with pytest.raises(Forbidden, match="in the last hour"):
            services.post_comment(ada, subject, "one more")
        with pytest.raises(Forbidden, match="in the last hour"):
            services.start_topic(ada, "A topic", "one more")
    with time_machine.travel(start + dt.timedelta(minutes=61), tick=False):
        services.post_comment(ada, subject, "later")


def test_links_of_members_below_the_policy_level_are_marked(
    make_member: Any, ada: Any, task: Any
) -> None:
    new = make_member("Newcomer", level=0)
    subject = f"task-{task.pk}"
    assert services.post_comment(new, subject, "<https://example.org>").comment.marked_links
    assert not services.post_comment(ada, subject, "<https://example.org>").comment.marked_links


def test_a_forum_topic_is_a_thread_with_a_title(ada: Any, bo: Any) -> None:
    posted = services.start_topic(ada, "  Welcome,   everyone ", "Say hello here.")
    topic = posted.comment.thread
    assert topic.is_topic
    assert topic.title == "Welcome, everyone"
    services.post_comment(bo, topic.reference, "Hello!")
    assert [t.pk for t in selectors.topics_page().items] == [topic.pk]
    assert [c.body for c in selectors.thread_view(topic.reference).comments] == [
        "Say hello here.",
        "Hello!",
    ]
    with pytest.raises(InvalidInput) as refused:
        services.start_topic(ada, " ", "")
    assert [field for field, _ in refused.value.problems] == ["title", "body"]
