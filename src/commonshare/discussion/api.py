"""The discussion over the API: read a thread, post, reply, quote, edit, delete, a comment's
earlier texts, and the commons forum's topics."""

from __future__ import annotations

from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema, Status

from commonshare import paging
from commonshare.apikit import (
    E404,
    E409,
    E422,
    WRITE,
    ErrorOut,
    Id,
    MemberRef,
    OneLine,
    PathId,
    StrictIn,
    Text,
    paged_here,
)
from commonshare.community.auth import acting_member, member_auth
from commonshare.discussion import selectors, services
from commonshare.discussion.models import Comment, CommentRevision, Thread
from commonshare.discussion.vocab import BODY_MAX, PAGE_SIZE, SUBJECT_TEXT_MAX, TITLE_MAX

router = Router(tags=["discussion"])

Subject = Annotated[
    str,
    Path(
        pattern=r"^[a-z]{1,20}-[1-9][0-9]{0,9}$",
        max_length=SUBJECT_TEXT_MAX,
        description="A kind and a number: task-12, contribution-4, proposal-3, norm-2, "
        "distribution-1 or topic-5 (a forum topic)",
        examples=["task-12"],
    ),
]


class PageQuery(Schema):
    cursor: str | None = Field(
        None,
        max_length=paging.MAX_CURSOR_LENGTH,
        pattern=r"^[A-Za-z0-9_-]*$",
        description="Where the page starts: a `next` or `previous` from an earlier page.",
    )
    limit: int = Field(
        PAGE_SIZE, ge=1, le=paging.MAX_SIZE, description="Top-level comments per page."
    )


class MentionOut(Schema):
    handle: str
    member: int


class CommentOut(Schema):
    id: int
    subject: str
    author: MemberRef
    reply_to: int | None = Field(description="The comment this replies to (one level deep)")
    quote_of: int | None
    body: str = Field(description="Markdown; empty once deleted")
    deleted: bool
    created_at: Any
    edited_at: Any
    deleted_at: Any
    mentions: list[MentionOut]
    links_marked: bool = Field(description='Its links carry rel="nofollow ugc" on the pages')


class ThreadCommentOut(CommentOut):
    replies: list[CommentOut]


class ThreadOut(Schema):
    subject: str
    title: str | None = Field(description="A forum topic's title")
    started: bool = Field(description="Whether anybody has posted here yet")
    comments: list[ThreadCommentOut]
    next: str | None = Field(description="The cursor of the page after this one, or null.")
    previous: str | None = Field(description="The cursor of the page before this one, or null.")


class PostedOut(Schema):
    comment: CommentOut
    unknown_mentions: list[str] = Field(
        description="Mentioned handles that name no one current member: left as plain text"
    )


class RevisionOut(Schema):
    body: str
    shown_from: Any
    replaced_at: Any


class TopicOut(Schema):
    id: int
    subject: str
    title: str
    started_by: MemberRef
    comment_count: int
    created_at: Any
    last_posted_at: Any


class CommentIn(StrictIn):
    body: Text = Field(max_length=BODY_MAX, description="Markdown; @Handle mentions a member")
    reply_to: Id | None = Field(None, description="The comment to reply to")
    quote: Id | None = Field(None, description="A comment to quote before the body")


class EditIn(StrictIn):
    body: Text = Field(max_length=BODY_MAX)


class TopicIn(StrictIn):
    title: OneLine = Field(max_length=TITLE_MAX)
    body: Text = Field(max_length=BODY_MAX)


def _member(member: Any) -> dict[str, Any]:
    return {"id": member.pk, "display_name": member.display_name}


def _comment(comment: Comment, subject: str) -> dict[str, Any]:
    return {
        "id": comment.pk,
        "subject": subject,
        "author": _member(comment.author),
        "reply_to": comment.parent_id,
        "quote_of": comment.quote_of_id,
        "body": comment.body,
        "deleted": comment.is_deleted,
        "created_at": comment.created_at,
        "edited_at": comment.edited_at,
        "deleted_at": comment.deleted_at,
        "mentions": comment.mentioned,
        "links_marked": comment.marked_links,
    }


def _posted(posted: services.Posted) -> dict[str, Any]:
    comment = posted.comment
    return {
        "comment": _comment(comment, comment.thread.reference),
        "unknown_mentions": posted.unknown_mentions,
    }


def _replies(comment: Comment) -> list[Comment]:
    shown: list[Comment] = getattr(comment, "shown_replies", [])
    return shown


def _topic(topic: Thread) -> dict[str, Any]:
    return {
        "id": topic.pk,
        "subject": topic.reference,
        "title": topic.title,
        "started_by": _member(topic.started_by),
        "comment_count": topic.comment_count,
        "created_at": topic.created_at,
        "last_posted_at": topic.last_posted_at,
    }


def _pages(page: paging.Page[Any] | None) -> dict[str, str | None]:
    if page is None:
        return {"next": None, "previous": None}
    return {"next": page.next_cursor, "previous": page.previous_cursor}


@router.get("/threads/{subject}", response={200: ThreadOut, 400: ErrorOut, **E404, **E422})
def get_thread(request: HttpRequest, subject: Subject, query: Query[PageQuery]) -> Any:
    """A record's or a topic's thread: one page of its top-level comments, oldest first,
    each with all its replies; ``next`` and ``previous`` are the cursors either side."""
    view = selectors.thread_view(subject, query.cursor, query.limit)
    comments = [
        {
            **_comment(comment, view.subject),
            "replies": [_comment(reply, view.subject) for reply in _replies(comment)],
        }
        for comment in view.comments
    ]
    title = view.thread.title if view.thread is not None and view.thread.is_topic else None
    return {
        "subject": view.subject,
        "title": title,
        "started": view.thread is not None,
        **_pages(view.page),
        "comments": comments,
    }


@router.post(
    "/threads/{subject}/comments",
    auth=member_auth,
    response={201: PostedOut, **WRITE, **E404},
)
def post_comment(request: HttpRequest, subject: Subject, payload: CommentIn) -> Status[Any]:
    """Post a comment (or, with ``reply_to``, a reply; with ``quote``, quoting another)."""
    posted = services.post_comment(
        acting_member(request),
        subject,
        payload.body,
        reply_to=payload.reply_to,
        quote=payload.quote,
    )
    return Status(201, _posted(posted))


@router.get("/comments/{comment_id}", response={200: CommentOut, **E404, **E422})
def get_comment(request: HttpRequest, comment_id: PathId) -> Any:
    """One comment (a deleted one is its tombstone: no text)."""
    comment = selectors.comment(comment_id)
    return _comment(comment, comment.thread.reference)


@router.get("/comments/{comment_id}/history", response={200: list[RevisionOut], **E404, **E422})
def comment_history(request: HttpRequest, comment_id: PathId) -> Any:
    """The texts a comment showed before its edits, oldest first."""
    revisions: list[CommentRevision] = list(selectors.revisions_of(selectors.comment(comment_id)))
    return revisions


@router.patch(
    "/comments/{comment_id}",
    auth=member_auth,
    response={200: PostedOut, **WRITE, **E404, **E409},
)
def edit_comment(request: HttpRequest, comment_id: PathId, payload: EditIn) -> Any:
    """Change the text of your comment; its earlier text stays readable by everyone."""
    return _posted(services.edit_comment(acting_member(request), comment_id, payload.body))


@router.delete(
    "/comments/{comment_id}",
    auth=member_auth,
    response={200: CommentOut, **WRITE, **E404, **E409},
)
def delete_comment(request: HttpRequest, comment_id: PathId) -> Any:
    """Delete your comment: its texts are erased and a tombstone stays in its place."""
    comment = services.delete_comment(acting_member(request), comment_id)
    return _comment(comment, comment.thread.reference)


@router.get("/topics", response={200: list[TopicOut], **E422})
@paged_here
def list_topics(request: HttpRequest, **kwargs: Any) -> Any:
    """The commons forum's topics, the most recently active first."""
    asked = kwargs["paging"]
    found = selectors.topics_page(asked.cursor, asked.limit)
    return paging.Page([_topic(t) for t in found], found.next_cursor, found.previous_cursor)


@router.post("/topics", auth=member_auth, response={201: PostedOut, **WRITE})
def start_topic(request: HttpRequest, payload: TopicIn) -> Status[Any]:
    """Start a topic of the commons forum with its first comment."""
    return Status(
        201, _posted(services.start_topic(acting_member(request), payload.title, payload.body))
    )
