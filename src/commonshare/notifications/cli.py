"""``commonshare notifications …``: list a member's notifications, mark them read, and
choose what is mailed."""

from __future__ import annotations

import click

from commonshare.clikit import as_option, echo_json, with_django
from commonshare.community.cli import acting_member


@click.group()
def notifications() -> None:
    """What you were told: drawn to review, mentioned, a vote open for you, and more."""


@notifications.command("list")
@click.option("--unread", is_flag=True, help="Only the unread ones.")
@click.option("--cursor", default=None, help="The page after the one that printed it.")
@click.option("--size", default=30, type=click.IntRange(1, 100), show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print them as JSON.")
@as_option
@with_django
def notifications_list(
    unread: bool, cursor: str | None, size: int, as_json: bool, as_email: str | None
) -> None:
    """List your notifications, the newest first.

    Example: commonshare notifications list --unread --as ada@example.org
    """
    from commonshare.notifications import selectors

    page = selectors.page_of(acting_member(as_email), cursor, size, unread_only=unread)
    if as_json:
        echo_json(
            {
                "items": [
                    {
                        "id": n.pk,
                        "kind": n.kind,
                        "sentence": n.sentence,
                        "link": n.link,
                        "created_at": n.created_at.isoformat(),
                        "read": n.read_at is not None,
                    }
                    for n in page
                ],
                "next_cursor": page.next_cursor,
            }
        )
        return
    if not page:
        click.echo("No unread notifications." if unread else "No notifications.")
    for note in page:
        new = "" if note.read_at else " [new]"
        click.echo(f"#{note.pk} {note.created_at:%Y-%m-%d %H:%M}{new} {note.sentence}")
    if page.next_cursor:
        click.echo(f"More: --cursor {page.next_cursor}")


@notifications.command("read")
@click.argument("numbers", type=click.IntRange(min=1), nargs=-1)
@click.option("--all", "every", is_flag=True, help="Mark every unread notification read.")
@as_option
@with_django
def notifications_read(numbers: tuple[int, ...], every: bool, as_email: str | None) -> None:
    """Mark notifications read: by their numbers, or --all.

    Example: commonshare notifications read 12 13 --as ada@example.org
    """
    from commonshare.community.rules import ensure_may_act
    from commonshare.notifications import services

    member = acting_member(as_email)
    ensure_may_act(member, doing="mark notifications read")
    if every == bool(numbers):
        raise click.UsageError("give the numbers of notifications, or --all (not both)")
    if every:
        count = services.mark_all_read(member)
        click.echo(f"Marked {count} notification{'' if count == 1 else 's'} read.")
        return
    for number in numbers:
        services.mark_read(member, number)
        click.echo(f"Marked notification {number} read.")


@notifications.command("settings")
@click.option(
    "--set",
    "changes",
    multiple=True,
    metavar="KIND=CHOICE",
    help="How KIND is mailed: immediately, daily or off (repeatable).",
)
@as_option
@with_django
def notifications_settings(changes: tuple[str, ...], as_email: str | None) -> None:
    """Show, or change, how each kind of notification is mailed to you.

    Example: commonshare notifications settings --set mention=daily --as ada@example.org
    """
    from commonshare.notifications import selectors, services, vocab

    member = acting_member(as_email)
    if changes:
        choices = {}
        for change in changes:
            kind, sep, value = change.partition("=")
            if not sep:
                raise click.UsageError(f"--set {change}: write KIND=CHOICE, e.g. mention=daily")
            choices[kind.strip()] = value.strip()
        now = services.set_preferences(member, choices)
    else:
        now = selectors.preferences_of(member)
    for kind, value in now.items():
        click.echo(f"{kind:<24} {value:<12} {vocab.KINDS[kind]}")
