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


@member.command("show")
@click.argument("member_id", type=int)
@click.option("--json", "as_json", is_flag=True)
@with_django
def member_show(member_id: int, as_json: bool) -> None:
    """Show a member's public profile.

    Example: commonshare member show 3
    """
    from commonshare.community.selectors import member as find

    found = find(member_id)
    row = {
        "id": found.pk,
        "name": found.display_name,
        "pronouns": found.pronouns,
        "skills": found.skills,
        "links": found.links,
        "time_zone": found.time_zone,
        "availability": found.availability,
        "bio": found.bio,
    }
    if as_json:
        echo_json(row)
        return
    click.echo(found.display_name + (f" ({found.pronouns})" if found.pronouns else ""))
    for label, value in (
        ("Skills", ", ".join(found.skills)),
        ("Links", " ".join(found.links)),
        ("Time zone", found.time_zone),
        ("Availability", found.availability),
    ):
        if value:
            click.echo(f"{label}: {value}")
    if found.bio:
        click.echo("\n" + found.bio)


@member.command("profile")
@click.option("--name", "display_name", help="Display name.")
@click.option("--pronouns", help="Pronouns, e.g. she/her (empty to clear).")
@click.option("--bio", help="About you, in Markdown.")
@click.option("--skill", "skills", multiple=True, help="A skill (repeat; replaces the list).")
@click.option("--link", "links", multiple=True, help="An https:// link (repeat; replaces them).")
@click.option("--time-zone", help="e.g. Europe/Lisbon.")
@click.option("--availability", help='e.g. "around 5 h/week".')
@as_option
@with_django
def member_profile(
    *,
    display_name: str | None,
    pronouns: str | None,
    bio: str | None,
    skills: tuple[str, ...],
    links: tuple[str, ...],
    time_zone: str | None,
    availability: str | None,
    as_email: str | None,
) -> None:
    """Change your profile; options left out keep their value.

    Example: commonshare member profile --skill Python --skill design --as ada@example.org
    """
    from commonshare.community.services import ProfileInput, update_profile

    saved = update_profile(
        acting_member(as_email),
        ProfileInput(
            display_name=display_name,
            pronouns=pronouns,
            bio=bio,
            skills=list(skills) if skills else None,
            links=list(links) if links else None,
            time_zone=time_zone,
            availability=availability,
        ),
    )
    click.echo(f"Profile saved for {saved.display_name}.")


@member.command("avatar")
@click.argument("picture", type=click.File("rb"), required=False)
@click.option("--remove", is_flag=True, help="Remove the picture; your initials show instead.")
@as_option
@with_django
def member_avatar(picture: Any, remove: bool, as_email: str | None) -> None:
    """Upload a picture (PNG, JPEG, GIF or WebP), or remove it.

    Example: commonshare member avatar me.jpg --as ada@example.org
    """
    from commonshare.community.rules import ensure_may_act
    from commonshare.community.services import remove_avatar, set_avatar

    who = acting_member(as_email)
    ensure_may_act(who, doing="change your picture")
    if remove:
        remove_avatar(who)
        click.echo("Your picture is removed; your initials show instead.")
        return
    if picture is None:
        raise click.UsageError("give a picture file, or --remove")
    saved = set_avatar(who, picture)
    click.echo(f"Picture saved ({saved.width} × {saved.height} pixels, re-encoded as PNG).")
