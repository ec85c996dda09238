"""``commonshare activity``: the activity feed in the terminal, one sentence a line."""

from __future__ import annotations

from typing import Any

import click

from commonshare.clikit import echo_json, paged_options, rows_of, with_django


@click.command()
@click.option("--member", "member_id", type=click.IntRange(1), help="Only what this member did.")
@click.option(
    "--subject",
    help="Only what happened on one task (task-12) or decision (proposal-3, by its number).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the lines as JSON.")
@paged_options
@with_django
def activity(
    member_id: int | None,
    subject: str | None,
    as_json: bool,
    cursor: str | None,
    limit: int | None,
) -> None:
    """What happened in the community, newest first.

    Example: commonshare activity --subject task-12 --limit 20
    """
    from commonshare.web import feed

    events = feed.chosen(member_id=member_id, subject=subject)

    def fetch(at: str | None, size: int) -> Any:
        return feed.page(events, cursor=at, size=size)

    rows = rows_of(fetch, cursor=cursor, limit=limit)
    if as_json:
        echo_json(
            [
                {
                    "id": line.id,
                    "when": line.when.isoformat(),
                    "actor": line.actor.pk if line.actor else None,
                    "text": line.text,
                    "link": line.link,
                }
                for line in rows
            ]
        )
        return
    for line in rows:
        click.echo(f"{line.when:%Y-%m-%d %H:%M}  {line.text}")
