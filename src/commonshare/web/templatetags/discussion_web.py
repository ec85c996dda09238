"""``{% discussion record %}``: the thread of any record, shown on the record's own page."""

from __future__ import annotations

from typing import Any

from django import template
from django.db.models import Model
from django.utils.safestring import SafeString

from commonshare.discussion import selectors
from commonshare.discussion.models import Comment
from commonshare.web import discussion as presenting

register = template.Library()


@register.inclusion_tag("web/discussion/_thread.html", takes_context=True)
def discussion(context: template.Context, record: Model) -> dict[str, Any]:
    """The thread of ``record`` (a task, contribution, proposal, norm version or
    distribution): one page of its comments (``?comments=N``) and the form to post."""
    request = context["request"]
    subject = selectors.subject_of_record(record)
    return presenting.thread_context(request, subject, csrf_token=context.get("csrf_token"))


@register.filter
def comment_html(comment: Comment) -> SafeString:
    return presenting.comment_html(comment)
