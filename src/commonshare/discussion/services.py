"""Writes of the discussion: start a forum topic, post, reply, edit and delete a comment.

Each is an action with one audit event. The event names the thread's subject as written
(``task-12``), and a post's or an edit's event lists the members the text mentions
(``mentions``: their ids) and the records it refers to (``references``), so the
notifications that hang off the audit hook can read who to tell without parsing text.
The text itself is not in the event, so deleting a comment erases it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import F
from django.utils import timezone

from commonshare.audit.actions import action, unchanged
from commonshare.audit.services import record
from commonshare.community import rules
from commonshare.community.models import Member
from commonshare.core import discussion as words
from commonshare.discussion import selectors, subjects, vocab
from commonshare.discussion.models import Comment, CommentRevision, Thread
from commonshare.errors import Forbidden, InvalidInput, NotFound, Problems
from commonshare.governance.selectors import current_policy
from commonshare.work import trust


@dataclass
class Posted:
    """A comment just written, and the handles it mentions that name no current member
    (left as plain text, and reported so the writer can correct them)."""

    comment: Comment
    unknown_mentions: list[str] = field(default_factory=list)


@action
def post_comment(
    author: Member,
    subject: str | None,
    body: str,
    *,
    reply_to: int | None = None,
    quote: int | None = None,
) -> Posted:
    """Post ``body`` in the thread of ``subject`` (``task-12``, ``proposal-3``,
    ``topic-5``), its thread started with this first comment when it has none yet.

    ``reply_to`` makes it a reply (to a reply's own parent: replies are one level deep),
    in the thread of the comment replied to when ``subject`` is None; ``quote`` puts the
    quoted comment's text, as a block quote, before ``body``.
    """
    _ensure_may_post(author)
    if subject is None:
        subject = _thread_of_reply(reply_to)
    thread = _thread_for(subject, author)
    parent = _parent(thread, reply_to)
    quoted = _quoted(thread, quote)
    text = _body(body)
    if quoted is not None:
        text = _body(words.quote(quoted.author.display_name, quoted.body) + text)
    posted = _write_comment(thread, author, text, parent=parent, quoted=quoted)
    comment = posted.comment
    record(
        "discussion.comment.posted",
        comment,
        actor=author,
        subject=thread.reference,
        thread=thread.pk,
        reply_to=parent.pk if parent else None,
        quote_of=quoted.pk if quoted else None,
        **_marks(comment),
    )
    return posted


@action
def start_topic(author: Member, title: str, body: str) -> Posted:
    """Start a topic of the commons forum: its title and its first comment."""
    _ensure_may_post(author)
    problems = Problems()
    heading = problems.check(_title, title)
    text = problems.check(_body, body)
    problems.raise_any()
    now = timezone.now()
    thread = Thread.objects.create(
        title=heading, started_by=author, created_at=now, last_posted_at=now
    )
    posted = _write_comment(thread, author, text, parent=None, quoted=None)
    record(
        "discussion.topic.started",
        posted.comment,
        actor=author,
        subject=thread.reference,
        thread=thread.pk,
        title=heading,
        **_marks(posted.comment),
    )
    return posted


@action
def edit_comment(author: Member, comment_id: int, body: str) -> Posted:
    """Replace the text of one's own comment; the text it showed before stays readable."""
    comment = _own_comment(author, comment_id, doing="edit")
    text = _body(body)
    if text == comment.body:
        unchanged()
        return Posted(comment)
    now = timezone.now()
    CommentRevision.objects.create(
        comment=comment,
        body=comment.body,
        shown_from=comment.edited_at or comment.created_at,
        replaced_at=now,
    )
    found, unknown = _mentioned(text)
    comment.body, comment.mentioned, comment.edited_at = text, found, now
    comment.marked_links = _marks_links(author)
    comment.save(update_fields=["body", "mentioned", "edited_at", "marked_links"])
    record(
        "discussion.comment.edited",
        comment,
        actor=author,
        subject=comment.thread.reference,
        thread=comment.thread_id,
        **_marks(comment),
    )
    return Posted(comment, unknown)


@action
def delete_comment(author: Member, comment_id: int) -> Comment:
    """Delete one's own comment: its text and earlier texts are erased, and a tombstone
    says a comment was deleted (its replies stay)."""
    comment = _own_comment(author, comment_id, doing="delete")
    comment.revisions.all().delete()
    comment.body, comment.mentioned, comment.deleted_at = "", [], timezone.now()
    comment.save(update_fields=["body", "mentioned", "deleted_at"])
    record(
        "discussion.comment.deleted",
        comment,
        actor=author,
        subject=comment.thread.reference,
        thread=comment.thread_id,
    )
    return comment


# --- the rules ------------------------------------------------------------------------


def _ensure_may_post(author: Member) -> None:
    rules.ensure_may_act(author, doing="post comments")
    limits = current_policy().discussion
    now = timezone.now()
    recent = Comment.objects.filter(author=author, created_at__gt=now - dt.timedelta(days=1))
    posted = words.Recent(
        last_day=recent.count(),
        last_hour=recent.filter(created_at__gt=now - dt.timedelta(hours=1)).count(),
    )
    # The level is asked only when it could matter: trust stays off the common path.
    level = trust.level_of(author) if posted.last_day >= limits.level0_per_day else 1
    refusal = words.posting_refusal(
        level, posted, level0_per_day=limits.level0_per_day, per_hour=limits.per_hour
    )
    if refusal:
        raise Forbidden(refusal)


def _marks_links(author: Member) -> bool:
    below = current_policy().discussion.ugc_below_level
    return below > 0 and trust.level_of(author) < below


def _body(body: str) -> str:
    text = (body or "").strip()
    if not text:
        raise InvalidInput("Write a comment before posting: it is empty.", field="body")
    if len(text) > vocab.BODY_MAX:
        raise InvalidInput(
            f"A comment can be at most {vocab.BODY_MAX:,} characters; this one has {len(text):,}.",
            field="body",
        )
    return text


def _title(title: str) -> str:
    text = " ".join((title or "").split())
    if not text:
        raise InvalidInput("Give the topic a title.", field="title")
    if len(text) > vocab.TITLE_MAX:
        raise InvalidInput(
            f"A topic's title can be at most {vocab.TITLE_MAX} characters.", field="title"
        )
    return text


def _thread_for(subject: str, author: Member) -> Thread:
    kind, number = subjects.parse(subject)
    if kind == vocab.TOPIC:
        thread = Thread.objects.select_for_update().filter(pk=number, subject_type="").first()
        if thread is None:
            raise NotFound(f"There is no forum topic {number}.", field="subject")
        return thread
    found = subjects.record_of(kind, number)
    label, pk = found._meta.label_lower, str(found.pk)
    thread, _ = Thread.objects.get_or_create(
        subject_type=label,
        subject_id=pk,
        defaults={"written": f"{kind}-{number}", "started_by": author},
    )
    return thread


def _thread_of_reply(reply_to: int | None) -> str:
    replied = None
    if reply_to is not None:
        replied = Comment.objects.select_related("thread").filter(pk=reply_to).first()
    if replied is None:
        raise NotFound("Say which thread, or which comment to reply to.", field="reply_to")
    return replied.thread.reference


def _parent(thread: Thread, reply_to: int | None) -> Comment | None:
    if reply_to is None:
        return None
    parent = Comment.objects.filter(pk=reply_to, thread=thread).first()
    if parent is None:
        raise InvalidInput("The comment replied to is not in this thread.", field="reply_to")
    # One level deep: a reply to a reply joins its parent's replies.
    return parent.parent if parent.parent_id is not None else parent


def _quoted(thread: Thread, quote: int | None) -> Comment | None:
    if quote is None:
        return None
    quoted = Comment.objects.select_related("author").filter(pk=quote, thread=thread).first()
    if quoted is None:
        raise InvalidInput("The comment quoted is not in this thread.", field="quote")
    if quoted.is_deleted:
        raise InvalidInput("The comment quoted was deleted by its author.", field="quote")
    return quoted


def _write_comment(
    thread: Thread, author: Member, text: str, *, parent: Comment | None, quoted: Comment | None
) -> Posted:
    found, unknown = _mentioned(text)
    now = timezone.now()
    comment = Comment.objects.create(
        thread=thread,
        author=author,
        parent=parent,
        quote_of=quoted,
        body=text,
        mentioned=found,
        marked_links=_marks_links(author),
        created_at=now,
    )
    Thread.objects.filter(pk=thread.pk).update(
        last_posted_at=now, comment_count=F("comment_count") + 1
    )
    return Posted(comment, unknown)


def _own_comment(author: Member, comment_id: int, *, doing: str) -> Comment:
    rules.ensure_may_act(author, doing=f"{doing} comments")
    comment = (
        Comment.objects.select_for_update().select_related("thread").filter(pk=comment_id).first()
    )
    if comment is None:
        raise NotFound(f"There is no comment {comment_id}.", field="comment")
    selectors.ensure_own(comment, author, doing=doing)
    return comment


def _mentioned(text: str) -> tuple[list[dict[str, Any]], list[str]]:
    """The members ``text`` mentions (``[{"handle", "member"}]``), and the handles that
    name no current member, or more than one."""
    handles = words.mentions(text)
    if not handles:
        return [], []
    members = subjects.members_by_handle(handles)
    found, unknown = [], []
    for handle in handles:
        matches = members.get(words.handle_key(handle), [])
        if len(matches) == 1:
            found.append({"handle": handle, "member": matches[0]})
        else:
            unknown.append(handle)
    return found, unknown


def _marks(comment: Comment) -> dict[str, Any]:
    """What the event says the text names: member ids mentioned, records referred to."""
    return {
        "mentions": [item["member"] for item in comment.mentioned],
        "references": [ref.text for ref in words.references(comment.body)],
    }
