"""``commonshare thank``: thank a member for a contribution or a review."""

from __future__ import annotations

import click

from commonshare.clikit import as_option, with_django


@click.command("thank")
@click.option("--contribution", "contribution_id", type=int, help="The contribution's id.")
@click.option("--review", "review_id", type=int, help="The review's id.")
@click.option("--note", default="", help="A short note with the thanks.")
@as_option
@with_django
def thank(
    contribution_id: int | None, review_id: int | None, note: str, as_email: str | None
) -> None:
    """Thank a member for one contribution or one review. It never changes pay.

    Example: commonshare thank --contribution 12 --note "Clear docs" --as bo@example.org
    """
    from commonshare.community.cli import acting_member
    from commonshare.work.recognition import NOT_PAY
    from commonshare.work.recognition import thank as give

    given = give(
        acting_member(as_email),
        contribution_id=contribution_id,
        review_id=review_id,
        note=note,
    )
    click.echo(f"You thanked {given.member.display_name}. {NOT_PAY}")
