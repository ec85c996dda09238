"""``commonshare discussion …``: show a thread, post, reply, edit and delete comments, and the
commons forum's topics."""

from __future__ import annotations

from typing import Any

import click

from commonshare.clikit import as_option, echo_json, paged_options, rows_of, with_django
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
@click.option("--json", "as_json", is_flag=True, help="Print it as JSON.")
@paged_options
@with_django
def discussion_show(subject: str, as_json: bool, cursor: str | None, limit: int | None) -> None:
    """Show a thread: SUBJECT is task-12, contribution-4, proposal-3, norm-2,
    distribution-1 or topic-5. Each comment comes with its replies; --limit counts
    the comments, not their replies.

    Example: commonshare discussion show task-12 --limit 20
    """
    from commonshare.discussion import selectors
    from commonshare.discussion.subjects import parse

    thread = selectors.thread_of(subject)  # NotFound for a subject naming nothing
    written = thread.reference if thread is not None else "-".join(map(str, parse(subject)))
    comments = (
        list(
            rows_of(
                lambda at, size: selectors.comments_page(thread, at, size),
                cursor=cursor,
                limit=limit,
            )
        )
        if thread is not None
        else []
    )
    if as_json:
        echo_json(
            {
                "subject": written,
                "comments": [
                    {
                        "id": c.pk,
                        "author": c.author.display_name,
                        "body": c.body,
                        "deleted": c.is_deleted,
                        "replies": [r.pk for r in getattr(c, "shown_replies", [])],
                    }
                    for c in comments
                ],
            }
        )
        return
    if thread is not None and thread.is_topic:
        click.echo(f"Topic: {thread.title}")
    if not comments:
        click.echo(f"No comments on {written} yet.")
    for comment in comments:
        click.echo(_line(comment))
        for reply in getattr(comment, "shown_replies", []):
            click.echo(_line(reply, "    "))


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
@paged_options
@with_django
def discussion_topics(cursor: str | None, limit: int | None) -> None:
    """List the commons forum's topics, the most recently active first.

    Example: commonshare discussion topics --limit 20
    """
    from commonshare.discussion import selectors

    found = list(rows_of(selectors.topics_page, cursor=cursor, limit=limit))
    if not found:
        click.echo("No topics yet.")
    for topic in found:
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
