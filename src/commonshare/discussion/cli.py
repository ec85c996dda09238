"""``commonshare discussion …``: show a thread, post, reply, edit and delete comments, and the
commons forum's topics."""

from __future__ import annotations

from typing import Any

import click

from commonshare.clikit import as_option, echo_json, with_django
from commonshare.community.cli import acting_member


@click.group()
def discussion() -> None:
    """Threads on tasks, contributions, proposals, norms and distributions, and the forum."""


def _line(comment: Any, indent: str = "") -> str:
    when = comment.created_at.date().isoformat()
    edited = " (edited)" if comment.edited_at and not comment.is_deleted else ""
    head = f"{indent}#{comment.pk} {comment.author.display_name}, {when}{edited}:"
    if comment.is_deleted:
        return f"{head} [deleted by its author]"
    body = "\n".join(f"{indent}  {line}" for line in comment.body.splitlines())
    return f"{head}\n{body}"


def _report(posted: Any, done: str) -> None:
    click.echo(f"{done} comment {posted.comment.pk} on {posted.comment.thread.reference}.")
    for handle in posted.unknown_mentions:
        click.echo(f"note: no one member is called @{handle}; it was left as plain text.")


@discussion.command("show")
@click.argument("subject")
@click.option("--page", default=1, type=click.IntRange(min=1), help="Which page of comments.")
@click.option("--json", "as_json", is_flag=True, help="Print it as JSON.")
@with_django
def discussion_show(subject: str, page: int, as_json: bool) -> None:
    """Show a thread: SUBJECT is task-12, contribution-4, proposal-3, norm-2,
    distribution-1 or topic-5.

    Example: commonshare discussion show task-12
    """
    from commonshare.discussion import selectors

    view = selectors.thread_view(subject, page)
    if as_json:
        echo_json(
            {
                "subject": view.subject,
                "comments": [
                    {
                        "id": c.pk,
                        "author": c.author.display_name,
                        "body": c.body,
                        "deleted": c.is_deleted,
                        "replies": [r.pk for r in getattr(c, "shown_replies", [])],
                    }
                    for c in view.comments
                ],
            }
        )
        return
    if view.thread is not None and view.thread.is_topic:
        click.echo(f"Topic: {view.thread.title}")
    if not view.comments:
        click.echo(f"No comments on {view.subject} yet.")
    for comment in view.comments:
        click.echo(_line(comment))
        for reply in getattr(comment, "shown_replies", []):
            click.echo(_line(reply, "    "))
    if view.page is not None and view.page.paginator.num_pages > 1:
        click.echo(f"Page {view.page.number} of {view.page.paginator.num_pages}.")


@discussion.command("post")
@click.argument("subject")
@click.argument("text")
@click.option("--quote", type=int, help="The number of a comment to quote first.")
@as_option
@with_django
def discussion_post(subject: str, text: str, quote: int | None, as_email: str | None) -> None:
    """Post a comment (Markdown; @Handle mentions a member, #task-12 links a record).

    Example: commonshare discussion post task-12 "Who has the style guide?" --as ada@example.org
    """
    from commonshare.discussion import services

    posted = services.post_comment(acting_member(as_email), subject, text, quote=quote)
    _report(posted, "Posted")


@discussion.command("reply")
@click.argument("comment", type=int)
@click.argument("text")
@as_option
@with_django
def discussion_reply(comment: int, text: str, as_email: str | None) -> None:
    """Reply to comment COMMENT (by its number), in its thread.

    Example: commonshare discussion reply 7 "I have it." --as ben@example.org
    """
    from commonshare.discussion import services

    posted = services.post_comment(acting_member(as_email), None, text, reply_to=comment)
    _report(posted, "Posted")


@discussion.command("edit")
@click.argument("comment", type=int)
@click.argument("text")
@as_option
@with_django
def discussion_edit(comment: int, text: str, as_email: str | None) -> None:
    """Change the text of your comment; its earlier text stays readable.

    Example: commonshare discussion edit 7 "I have it: see the wiki." --as ben@example.org
    """
    from commonshare.discussion import services

    _report(services.edit_comment(acting_member(as_email), comment, text), "Edited")


@discussion.command("delete")
@click.argument("comment", type=int)
@as_option
@with_django
def discussion_delete(comment: int, as_email: str | None) -> None:
    """Delete your comment: its texts are erased and a tombstone stays.

    Example: commonshare discussion delete 7 --as ben@example.org
    """
    from commonshare.discussion import services

    deleted = services.delete_comment(acting_member(as_email), comment)
    click.echo(f"Deleted comment {deleted.pk} on {deleted.thread.reference}.")


@discussion.command("topics")
@click.option("--page", default=1, type=click.IntRange(min=1), help="Which page of topics.")
@with_django
def discussion_topics(page: int) -> None:
    """List the commons forum's topics, the most recently active first.

    Example: commonshare discussion topics
    """
    from commonshare.discussion import selectors

    found = selectors.topics_page(page)
    if not found.object_list:
        click.echo("No topics yet.")
    for topic in found.object_list:
        count = topic.comment_count
        click.echo(
            f"{topic.reference}: {topic.title} ({count} comment{'' if count == 1 else 's'}, "
            f"last {topic.last_posted_at.date().isoformat()})"
        )


@discussion.command("start-topic")
@click.option("--title", required=True, help="The topic's title.")
@click.argument("text")
@as_option
@with_django
def discussion_start_topic(title: str, text: str, as_email: str | None) -> None:
    """Start a topic of the commons forum with its first comment.

    Example: commonshare discussion start-topic --title "Welcome" "Say hello!" --as ada@example.org
    """
    from commonshare.discussion import services

    posted = services.start_topic(acting_member(as_email), title, text)
    _report(posted, "Started topic with")
