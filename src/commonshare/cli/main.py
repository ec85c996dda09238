"""The ``commonshare`` command: the group, and the commands it loads.

Each command is a few lines over a service call. The site's own commands are in
``cli.site``, each app's beside its code in ``<app>/cli.py``, ``allocate`` in
``commonshare.allocate_cli`` (runnable alone: ``python -m commonshare.allocate_cli``).
The helpers they share are in ``commonshare.clikit``, below the apps, so nothing
here is imported back.

Every command uses the data folder ``$COMMONSHARE_DATA_DIR`` (default
``~/.local/share/commonshare``) or the database in ``$DATABASE_URL``.
Commands that act as a member take ``--as EMAIL`` (or ``$COMMONSHARE_MEMBER``):
whoever runs the command on the server's machine can act for any member, as
the site's operator can.
"""

from __future__ import annotations

import click

from commonshare.allocate_cli import allocate
from commonshare.books.cli import books, distribute, expense, income
from commonshare.cli.activity import activity
from commonshare.cli.site import backup, demo, init, restore, serve, worker
from commonshare.community.cli import member
from commonshare.decisions.cli import decision
from commonshare.discussion.cli import discussion
from commonshare.governance.cli import norm, policy
from commonshare.notifications.cli import notifications
from commonshare.search.cli import search
from commonshare.work.cli import contribution, member_levels, member_trust, review, task
from commonshare.work.recognition_cli import thank
from commonshare.work.steward_cli import steward


@click.group()
@click.version_option(package_name="commonshare")
def main() -> None:
    """Commonshare: run a starfish company by commons-based peer production."""


for command in (
    init,
    serve,
    demo,
    backup,
    restore,
    member,
    task,
    contribution,
    review,
    income,
    distribute,
    books,
    expense,
    policy,
    norm,
    steward,
    decision,
    discussion,
    activity,
    search,
    notifications,
    worker,
    allocate,
    thank,
):
    main.add_command(command)
member.add_command(member_trust)  # the member group is community's; trust is work's
member.add_command(member_levels)  # so is the trust level history

if __name__ == "__main__":  # pragma: no cover
    main()
