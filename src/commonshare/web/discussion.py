"""Threads as pages show them: where a subject's page is, and comments as safe HTML whose
mentions and references are links."""

from __future__ import annotations

from typing import Any

from django.db.models import Model
from django.urls import reverse
from django.utils.safestring import SafeString

from commonshare.core.discussion import MENTION, REFERENCE, handle_key
from commonshare.discussion import selectors
from commonshare.discussion.models import Comment
from commonshare.web.discussion_forms import CommentForm
from commonshare.web.pager import cursor_of, pager
from commonshare.web.text import render_comment

# The page of each kind of record written by its number (the norm's page needs its kind).
_PAGES = {
    "task": "web:task",
    "contribution": "web:contribution",
    "proposal": "web:decision",
    "distribution": "web:distribution",
    "topic": "web:topic",
}


# The address's parameter for a thread's page (a record's page may page its own lists too).
COMMENTS = "comments"
THREAD = ("← Earlier comments", "Later comments →", "First comments")
FORUM = ("← More recent", "Older →", "Most recent")


def reference_url(kind: str, number: int) -> str | None:
    """The page ``#kind-number`` links to, without reading the record."""
    name = _PAGES.get(kind)
    return reverse(name, args=[number]) if name else None


def subject_url(subject: str) -> str:
    """The page a thread's subject is shown on (``task-12`` → the task's page)."""
    kind, _, number = subject.partition("-")
    if kind == "norm":
        version: Any = selectors.record_of_subject(subject)
        return reverse("web:norm_version", args=[version.kind, version.number])
    url = reference_url(kind, int(number))
    if url is None:  # pragma: no cover - every kind has its page above
        raise ValueError(subject)
    return url


def record_url(record: Model) -> str:
    return subject_url(selectors.subject_of_record(record))


def comment_html(comment: Comment) -> SafeString:
    """The comment's Markdown as HTML; its mentions link to the members' pages."""
    members = {handle_key(item["handle"]): item["member"] for item in comment.mentioned}

    def link_for(mark: str) -> str | None:
        if mark.startswith("@"):
            match = MENTION.fullmatch(mark)
            member = members.get(handle_key(match.group(1))) if match else None
            return reverse("web:member", args=[member]) if member else None
        match = REFERENCE.fullmatch(mark)
        return reference_url(match.group(1), int(match.group(2))) if match else None

    return render_comment(comment.body, link_for=link_for, marked=comment.marked_links)


def thread_context(request: Any, subject: str, *, csrf_token: Any = None) -> dict[str, Any]:
    """What ``_thread.html`` shows: the thread's page of comments, who may post, the form."""
    view = selectors.thread_view(subject, cursor_of(request, COMMENTS))
    user = request.user
    can_post = bool(user.is_authenticated and user.left_at is None)
    return {
        "subject": view.subject,
        "view": view,
        "comments": view.comments,
        "pager": pager(
            request, view.page, label="Pages of the discussion", words=THREAD, param=COMMENTS
        )
        if view.page is not None
        else None,
        "can_post": can_post,
        "user": user,
        "request": request,
        "csrf_token": csrf_token,
        "form": CommentForm(auto_id="comment_%s") if can_post else None,
        "choices": selectors.mention_choices(view.thread) if can_post else [],
    }
