"""``commonshare member …``: membership and API tokens; and who a command acts as."""

from __future__ import annotations

from typing import Any

import click

from commonshare.clikit import as_option, echo_json, paged_options, rows_of, with_django


def acting_member(email: str | None) -> Any:
    from commonshare.community.selectors import member_by_email

    if not email:
        raise click.UsageError("say who acts: --as EMAIL or COMMONSHARE_MEMBER=EMAIL")
    return member_by_email(email)


@click.group()
def member() -> None:
    """Join, list, leave and make API tokens."""


@member.command("join")
@click.argument("email")
@click.option("--name", "display_name", required=True, help="Display name.")
@click.password_option(help="Password (asked for when not given).")
@with_django
def member_join(email: str, display_name: str, password: str) -> None:
    """Join the community: no approval needed.

    Example: commonshare member join ada@example.org --name "Ada"
    """
    from commonshare.community.services import join

    joined = join(email=email, display_name=display_name, password=password)
    click.echo(f"Welcome, {joined.display_name} (member {joined.pk}).")
    click.echo(f"A link to verify the address is on its way to {joined.email}.")


@member.command("verify-email")
@as_option
@with_django
def member_verify_email(as_email: str | None) -> None:
    """Mail a fresh link that verifies the member's address.

    Example: commonshare member verify-email --as ada@example.org
    """
    from commonshare.community.mail import send_verification

    who = acting_member(as_email)
    send_verification(who)
    click.echo(f"A new link is on its way to {who.email}.")


@member.command("list")
@click.option("--json", "as_json", is_flag=True)
@paged_options
@with_django
def member_list(as_json: bool, cursor: str | None, limit: int | None) -> None:
    """List members, current and former."""
    from commonshare.community.selectors import members

    rows = [
        {
            "id": m.pk,
            "name": m.display_name,
            "joined": m.joined_at.date().isoformat(),
            "left": m.left_at.date().isoformat() if m.left_at else None,
            "contributions": getattr(m, "contribution_count", 0),
        }
        for m in rows_of(members(), cursor=cursor, limit=limit)
    ]
    if as_json:
        echo_json(rows)
        return
    for row in rows:
        status = f"left {row['left']}" if row["left"] else "member"
        click.echo(
            f"{row['id']:>5}  {row['name']:<28} {status:<18} {row['contributions']} contributions"
        )


@member.command("leave")
@as_option
@with_django
def member_leave(as_email: str | None) -> None:
    """Leave: claims are released; history and earnings stay yours."""
    from commonshare.community.services import leave

    left = leave(acting_member(as_email))
    click.echo(f"{left.display_name} has left. Earnings and history are kept.")


@member.command("rejoin")
@as_option
@with_django
def member_rejoin(as_email: str | None) -> None:
    """Come back after leaving."""
    from commonshare.community.services import rejoin

    back = rejoin(acting_member(as_email))
    click.echo(f"Welcome back, {back.display_name}.")


@member.command("token")
@click.argument("name")
@as_option
@with_django
def member_token(name: str, as_email: str | None) -> None:
    """Make an API token; it is shown once.

    Example: commonshare member token laptop --as ada@example.org
    """
    from commonshare.community.services import create_token

    _, raw = create_token(acting_member(as_email), name=name)
    click.echo(raw)
