"""Reads of the discussion: a thread and its comments page by page, the forum's topics, one
comment and its earlier texts, and the members a form offers to mention.

Each list is paged by keyset (``commonshare.paging``) in one function here
(``comments_page``, ``topics_page``): a page is found by the cursor of the row it starts
after, so a deep page costs what the first does. A thread pages its top-level comments;
each comes with all its replies (replies are one level deep), so a reply is never on a
different page from the comment it answers.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Model, Prefetch, QuerySet

from commonshare import paging
from commonshare.community import rules
from commonshare.community.models import Member
from commonshare.core.discussion import handle_of
from commonshare.discussion import subjects, vocab
from commonshare.discussion.models import Comment, CommentRevision, Thread
from commonshare.errors import Conflict, Forbidden, NotFound


@dataclass(frozen=True)
class ThreadView:
    """A thread as a page shows it: its subject as written, the thread (None while nobody
    has posted on the record) and one page of its comments, each with its replies."""

    subject: str
    thread: Thread | None
    page: paging.Page[Comment] | None

    @property
    def comments(self) -> list[Comment]:
        return list(self.page.items) if self.page is not None else []


def thread_of(subject: str) -> Thread | None:
    """The thread of ``subject`` as written (``task-12``), None if nobody posted there yet.

    A subject naming no record, or no forum topic, is NotFound."""
    kind, number = subjects.parse(subject)
    if kind == vocab.TOPIC:
        topic = Thread.objects.filter(pk=number, subject_type="").first()
        if topic is None:
            raise NotFound(f"There is no forum topic {number}.", field="subject")
        return topic
    label, pk = subjects.key_of(kind, number)
    return Thread.objects.filter(subject_type=label, subject_id=str(pk)).first()


def subject_of_record(record: Model) -> str:
    """How ``record`` is written as a thread's subject (``task-12``)."""
    return subjects.written_of(record)


def thread_view(subject: str, cursor: str | None = None, size: int = vocab.PAGE_SIZE) -> ThreadView:
    """The thread of ``subject`` with the page of its comments ``cursor`` points at (the
    first without one). A cursor this thread did not hand out is ``paging.BadCursor``."""
    thread = thread_of(subject)
    if thread is None:
        kind, number = subjects.parse(subject)
        return ThreadView(f"{kind}-{number}", None, None)
    return ThreadView(thread.reference, thread, comments_page(thread, cursor, size))


def comments_page(
    thread: Thread, cursor: str | None = None, size: int = vocab.PAGE_SIZE
) -> paging.Page[Comment]:
    """One page of ``thread``'s top-level comments, oldest first, each with its replies
    (``comment.shown_replies``, oldest first); replies come with the comment they answer.

    Three queries at any depth: the page, its authors joined, and the replies of the
    page's comments with theirs."""
    replies = Comment.objects.select_related("author").order_by("created_at", "id")
    top = (
        Comment.objects.filter(thread=thread, parent__isnull=True)
        .select_related("author")
        .prefetch_related(Prefetch("replies", queryset=replies, to_attr="shown_replies"))
        .order_by("created_at", "id")
    )
    return paging.page(top, cursor=cursor, size=size)


def topics_page(
    cursor: str | None = None, size: int = vocab.TOPICS_PAGE_SIZE
) -> paging.Page[Thread]:
    """One page of the commons forum's topics, the most recently active first."""
    topics = Thread.objects.filter(subject_type="").select_related("started_by")
    return paging.page(topics.order_by("-last_posted_at", "-id"), cursor=cursor, size=size)


def comment(comment_id: int) -> Comment:
    found = Comment.objects.select_related("author", "thread").filter(pk=comment_id).first()
    if found is None:
        raise NotFound(f"There is no comment {comment_id}.", field="comment")
    return found


def ensure_own(comment: Comment, member: Member, *, doing: str) -> None:
    """Refuse anyone but a current author to ``doing`` (edit, delete) ``comment``, and any
    change to a deleted one: the services' rule, which the pages ask before showing a form."""
    rules.ensure_may_act(member, doing=f"{doing} comments")
    if comment.author_id != member.pk:
        raise Forbidden(f"Only its author can {doing} a comment.")
    if comment.is_deleted:
        raise Conflict(f"This comment was deleted, so there is nothing to {doing}.")


def revisions_of(comment: Comment) -> QuerySet[CommentRevision]:
    """The texts ``comment`` showed before its edits, oldest first."""
    return CommentRevision.objects.filter(comment=comment).order_by("shown_from", "id")


@dataclass(frozen=True)
class MentionChoice:
    handle: str
    name: str


def mention_choices(thread: Thread | None = None) -> list[MentionChoice]:
    """Members a comment form offers to mention: the thread's own people first, then
    other current members by name, at most ``vocab.MENTION_CHOICES``."""
    current = Member.objects.filter(left_at=None)
    people: list[tuple[int, str]] = []
    if thread is not None:
        authors = Comment.objects.filter(thread=thread).values("author_id")
        people = list(current.filter(pk__in=authors).values_list("pk", "display_name"))
    seen = {pk for pk, _ in people}
    rest = current.exclude(pk__in=seen).order_by("display_name", "id")
    people += list(rest.values_list("pk", "display_name")[: vocab.MENTION_CHOICES - len(seen)])
    choices = [MentionChoice(handle_of(name), name) for _, name in people]
    return [choice for choice in choices if choice.handle]


def record_of_subject(subject: str) -> Model:
    """The record a subject names (a forum topic is its own thread)."""
    kind, number = subjects.parse(subject)
    if kind == vocab.TOPIC:
        topic = Thread.objects.filter(pk=number, subject_type="").first()
        if topic is None:
            raise NotFound(f"There is no forum topic {number}.", field="subject")
        return topic
    return subjects.record_of(kind, number)
