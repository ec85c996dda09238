"""Threads and the commons forum: post, reply, quote, edit, delete, a comment's history,
the forum's topics. Each view calls one discussion service or selector."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from commonshare.core.discussion import quote as quoted_text
from commonshare.discussion import selectors, services
from commonshare.discussion.models import Comment
from commonshare.discussion.services import Posted
from commonshare.errors import Conflict
from commonshare.web import discussion as presenting
from commonshare.web.discussion_forms import CommentForm, EditForm, TopicForm
from commonshare.web.pager import cursor_of, pager
from commonshare.web.views.common import MemberRequest, domain_errors, int_or_none, submit


def _to_comment(posted: Posted | None, subject: str) -> str:
    anchor = f"#comment-{posted.comment.pk}" if posted else "#discussion"
    return presenting.subject_url(subject) + anchor


def _told(request: HttpRequest, posted: Posted, done: str) -> None:
    messages.success(request, done)
    for handle in posted.unknown_mentions:
        messages.warning(
            request,
            f"No one member is called @{handle}, so it was left as plain text. A mention is @ "
            "and a member's name without spaces, as the list of members offers.",
        )


def _refused(request: MemberRequest, comment: Comment, doing: str) -> HttpResponse | None:
    """Back to the thread, saying why, when the member may not ``doing`` the comment
    (someone else's raises Forbidden: a 403 page)."""
    try:
        selectors.ensure_own(comment, request.user, doing=doing)
    except Conflict as error:
        messages.error(request, error.message)
        return redirect(f"{presenting.subject_url(comment.thread.reference)}#comment-{comment.pk}")
    return None


@domain_errors
def discussion(request: HttpRequest, subject: str) -> HttpResponse:
    """A thread's subject, written ``task-12``, leads to its record's page."""
    selectors.thread_of(subject)  # NotFound for a subject naming nothing
    return redirect(_to_comment(None, selectors.thread_view(subject).subject))


@login_required
@domain_errors
def post(request: MemberRequest, subject: str) -> HttpResponse:
    """Post, reply or quote; shown on its own when the comment needs correcting (or to
    write a quoting reply, without JavaScript)."""
    view = selectors.thread_view(subject)
    form = CommentForm(request.POST or None, auto_id="comment_%s")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        posted = submit(
            form,
            lambda: services.post_comment(
                request.user,
                view.subject,
                form.text(),
                reply_to=data.get("reply_to"),
                quote=data.get("quote"),
            ),
        )
        if posted is not None:
            _told(request, posted, "Your comment is posted.")
            return redirect(_to_comment(posted, view.subject))
    quoting = None
    if request.method == "GET" and (number := int_or_none(request.GET.get("quote"))):
        quoting = selectors.comment(number)
        form = CommentForm(
            initial={
                "body": quoted_text(quoting.author.display_name, quoting.body),
                "reply_to": int_or_none(request.GET.get("reply")),
            },
            auto_id="comment_%s",
        )
    return render(
        request,
        "web/discussion/post.html",
        {
            "form": form,
            "subject": view.subject,
            "back": presenting.subject_url(view.subject),
            "thread": view.thread,
            "quoting": quoting,
            "choices": selectors.mention_choices(view.thread),
        },
    )


@login_required
@domain_errors
def comment_edit(request: MemberRequest, comment_id: int) -> HttpResponse:
    comment = selectors.comment(comment_id)
    if (refused := _refused(request, comment, "edit")) is not None:
        return refused
    form = EditForm(request.POST or None, initial={"body": comment.body})
    if request.method == "POST" and form.is_valid():
        posted = submit(
            form,
            lambda: services.edit_comment(request.user, comment_id, form.cleaned_data["body"]),
        )
        if posted is not None:
            _told(request, posted, "Your comment is changed; its earlier text stays readable.")
            return redirect(_to_comment(posted, comment.thread.reference))
    return render(
        request,
        "web/discussion/edit.html",
        {
            "form": form,
            "comment": comment,
            "back": presenting.subject_url(comment.thread.reference),
        },
    )


@login_required
@domain_errors
def comment_delete(request: MemberRequest, comment_id: int) -> HttpResponse:
    comment = selectors.comment(comment_id)
    back = presenting.subject_url(comment.thread.reference)
    if (refused := _refused(request, comment, "delete")) is not None:
        return refused
    if request.method == "POST":
        services.delete_comment(request.user, comment_id)
        messages.success(request, "Your comment is deleted. A note in its place says so.")
        return redirect(f"{back}#comment-{comment_id}")
    return render(request, "web/discussion/delete.html", {"comment": comment, "back": back})


@domain_errors
def comment_history(request: HttpRequest, comment_id: int) -> HttpResponse:
    comment = selectors.comment(comment_id)
    return render(
        request,
        "web/discussion/history.html",
        {
            "comment": comment,
            "revisions": selectors.revisions_of(comment),
            "back": presenting.subject_url(comment.thread.reference),
        },
    )


@domain_errors
def forum(request: HttpRequest) -> HttpResponse:
    """The commons forum: topics about anything, the most recently active first."""
    topics = selectors.topics_page(cursor_of(request))
    return render(
        request,
        "web/discussion/forum.html",
        {
            "topics": topics,
            "pager": pager(request, topics, label="Pages of topics", words=presenting.FORUM),
        },
    )


@login_required
@domain_errors
def topic_create(request: MemberRequest) -> HttpResponse:
    form = TopicForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        posted = submit(
            form, lambda: services.start_topic(request.user, data["title"], data["body"])
        )
        if posted is not None:
            _told(request, posted, "Your topic is started.")
            return redirect("web:topic", posted.comment.thread_id)
    return render(
        request,
        "web/discussion/topic_form.html",
        {"form": form, "choices": selectors.mention_choices()},
    )


@domain_errors
def topic(request: HttpRequest, topic_id: int) -> HttpResponse:
    thread = selectors.record_of_subject(f"topic-{topic_id}")
    return render(request, "web/discussion/topic.html", {"topic": thread})
