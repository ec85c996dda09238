"""The ``commonshare`` command: a few lines over a service call each.

Every command uses the data folder ``$COMMONSHARE_DATA_DIR`` (default
``~/.local/share/commonshare``) or the database in ``$DATABASE_URL``.
Commands that act as a member take ``--as EMAIL`` (or ``$COMMONSHARE_MEMBER``):
whoever runs the command on the server's machine can act for any member, as
the site's operator can.
"""

from __future__ import annotations

import functools
import json
import os
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from commonshare.audit import via
from commonshare.errors import CommonshareError
from commonshare.paths import data_dir

F = TypeVar("F", bound=Callable[..., Any])


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "commonshare.settings")
    import django

    django.setup()


def with_django(func: F) -> F:
    """Set Django up, then turn a service's refusal into a clear message and exit 2."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        setup_django()
        if func.__name__ not in NEEDS_NO_DATABASE:
            require_migrated_database()
        try:
            # The operator's power is visible: every audit event a command writes says via: cli.
            with via.entered_by(via.CLI):
                return func(*args, **kwargs)
        except CommonshareError as error:
            # Each problem on its own line; every message names its field in words.
            for _field, message in error.problems:
                click.echo(f"error: {message}", err=True)
            sys.exit(2)

    return wrapper  # type: ignore[return-value]


NEEDS_NO_DATABASE = {"init", "serve"}  # they create or migrate the database themselves


def require_migrated_database() -> None:
    """Stop with a clear message when the database was never set up (or is behind)."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        where = connection.settings_dict["NAME"]
        click.echo(
            f"error: the database {where} is not set up or not up to date: "
            "run `commonshare init` (or `commonshare demo`) first.",
            err=True,
        )
        sys.exit(2)


def acting_member(email: str | None) -> Any:
    from commonshare.community.selectors import member_by_email

    if not email:
        raise click.UsageError("say who acts: --as EMAIL or COMMONSHARE_MEMBER=EMAIL")
    return member_by_email(email)


as_option = click.option(
    "--as",
    "as_email",
    envvar="COMMONSHARE_MEMBER",
    metavar="EMAIL",
    help="The member who acts (default: $COMMONSHARE_MEMBER).",
)


def echo_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, default=str))


@click.group()
@click.version_option(package_name="commonshare")
def main() -> None:
    """Commonshare: run a starfish company by commons-based peer production."""


# --- running the site -------------------------------------------------------


def migrate(*, quiet: bool = False) -> None:
    from django.core.management import call_command

    data_dir().mkdir(parents=True, exist_ok=True)
    call_command("migrate", interactive=False, verbosity=0 if quiet else 1)


def serve_forever(host: str, port: int) -> None:
    import waitress

    from commonshare.wsgi import application

    click.echo(f"Serving Commonshare at http://{host}:{port}/  (Ctrl+C to stop)")
    waitress.serve(application, host=host, port=port, threads=8, _quiet=True)


@main.command()
@with_django
def init() -> None:
    """Create the data folder and database, or bring its tables up to date.

    Example: COMMONSHARE_DATA_DIR=/srv/commons commonshare init
    """
    migrate()
    from django.db import connection

    click.echo(f"Data folder: {data_dir()}")
    click.echo(f"Database: {connection.vendor} {connection.settings_dict['NAME']}")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@with_django
def serve(host: str, port: int) -> None:
    """Serve the web pages and the API (migrating first).

    Example: commonshare serve --port 8080
    """
    migrate(quiet=True)
    serve_forever(host, port)


@main.command()
@click.option("--reset", is_flag=True, help="Throw the demo data away and start over.")
@click.option("--no-serve", is_flag=True, help="Fill the database, then exit.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
def demo(reset: bool, no_serve: bool, host: str, port: int) -> None:
    """Fill a demo community (once) and serve it at http://127.0.0.1:8000.

    Running it again reuses the data; --reset starts over.
    """
    from commonshare import demo as demo_data

    if reset:
        demo_data.remove_sqlite_files()
    setup_django()
    migrate(quiet=True)
    if reset:
        demo_data.wipe_database()
    # Only the demo command's own process: a test or a server that fills the demo
    # keeps the compiled loops for everything it values afterwards.
    demo_data.run_valuation_as_plain_python()
    created = demo_data.ensure_demo_community()
    click.echo(f"Data folder: {data_dir()}")
    click.echo("Demo community " + ("created." if created else "already there; reusing it."))
    click.echo(f"Sign in as any of these (password: {demo_data.DEMO_PASSWORD}):")
    for email, name in demo_data.demo_logins():
        click.echo(f"  {email:<28} {name}")
    if not no_serve:
        serve_forever(host, port)


# --- members ------------------------------------------------------------------


@main.group()
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


@member.command("list")
@click.option("--json", "as_json", is_flag=True)
@with_django
def member_list(as_json: bool) -> None:
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
        for m in members()
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


# --- tasks --------------------------------------------------------------------


@main.group()
def task() -> None:
    """Create, list, claim, release and finish tasks."""


@task.command("create")
@click.argument("title")
@click.option("--estimate", "estimate_hours", required=True, help="Estimate in hours, e.g. 1.5")
@click.option("--parent", "parent_id", type=int, help="Make it a subtask of this task.")
@click.option("--description", default="", help="Markdown.")
@as_option
@with_django
def task_create(
    title: str, estimate_hours: str, parent_id: int | None, description: str, as_email: str | None
) -> None:
    """Create a task or a subtask.

    Example: commonshare task create "Write the FAQ" --estimate 2 --as ada@example.org
    """
    from commonshare.work.services import create_task

    created = create_task(
        acting_member(as_email),
        title=title,
        description=description,
        estimate_hours=estimate_hours,
        parent_id=parent_id,
    )
    click.echo(f"Task {created.pk} created: {created.title}")


@task.command("list")
@click.option("--status", type=click.Choice(["open", "claimed", "done"]))
@click.option("--json", "as_json", is_flag=True)
@with_django
def task_list(status: str | None, as_json: bool) -> None:
    """List tasks, subtasks under their parent."""
    from commonshare.work.selectors import tasks

    rows = [
        {
            "id": t.pk,
            "parent": t.parent_id,
            "title": t.title,
            "estimate_hours": str(t.estimate_hours),
            "status": t.status,
            "claimed_by": t.claimed_by.display_name if t.claimed_by else None,
        }
        for t in tasks(status).order_by("pk")
    ]
    if as_json:
        echo_json(rows)
        return
    for row in rows:
        indent = "  " if row["parent"] else ""
        who = f" ({row['claimed_by']})" if row["claimed_by"] else ""
        click.echo(
            f"{row['id']:>5}  {indent}{row['title']:<40} {row['estimate_hours']:>6} h  "
            f"{row['status']}{who}"
        )


def _task_action(verb: str) -> Callable[..., None]:
    @click.argument("task_id", type=int)
    @as_option
    @with_django
    def action(task_id: int, as_email: str | None) -> None:
        from commonshare.work import services

        done = getattr(services, f"{verb}_task")(acting_member(as_email), task_id)
        click.echo(f"Task {done.pk} is now {done.status}.")

    action.__doc__ = f"{verb.capitalize()} a task (as yourself: nobody assigns work)."
    return action


task.command("claim")(_task_action("claim"))
task.command("release")(_task_action("release"))


@task.command("done")
@click.argument("task_id", type=int)
@click.option(
    "--confirm", is_flag=True, help="Mark it done even though some of its subtasks are open."
)
@as_option
@with_django
def task_done(task_id: int, confirm: bool, as_email: str | None) -> None:
    """Mark your task done (as yourself: nobody assigns work).

    Example: commonshare task done 12 --confirm --as ada@example.org
    """
    from commonshare.work import services

    done = services.complete_task(acting_member(as_email), task_id, confirm_open_subtasks=confirm)
    click.echo(f"Task {done.pk} is now {done.status}.")


# --- contributions and reviews ---------------------------------------------------


@main.group()
def contribution() -> None:
    """Log and list contributions."""


@contribution.command("log")
@click.option(
    "--kind", type=click.Choice(["work", "deliverable", "expense", "resource"]), required=True
)
@click.option("--summary", required=True)
@click.option("--description", default="")
@click.option("--task", "task_id", type=int)
@click.option("--hours", help="For work.")
@click.option("--units", help="For deliverables and resources.")
@click.option("--unit-name", default="", help="For resources, e.g. 'compute hours'.")
@click.option("--amount", help="For expenses.")
@click.option("--currency", default="", help="For expenses.")
@click.option("--receipt", type=click.Path(exists=True, dir_okay=False), help="For expenses.")
@click.option("--evidence-url", default="")
@click.option("--evidence-text", default="")
@as_option
@with_django
def contribution_log(receipt: str | None, as_email: str | None, **given: Any) -> None:
    """Log a contribution; reviewers are drawn at once.

    Example: commonshare contribution log --kind work --hours 1.5 --summary "Fixed the
    backup script" --evidence-url https://example.org/pr/12 --as ada@example.org
    """
    from django.core.files.uploadedfile import SimpleUploadedFile

    from commonshare.work.services import ContributionInput, log_contribution

    upload = None
    if receipt:
        with open(receipt, "rb") as handle:
            upload = SimpleUploadedFile(os.path.basename(receipt), handle.read())
    logged = log_contribution(acting_member(as_email), ContributionInput(receipt=upload, **given))
    reviewers = ", ".join(a.reviewer.display_name for a in logged.assignments.all()) or "nobody yet"
    click.echo(f"Contribution {logged.pk} logged; reviewers drawn: {reviewers}")
    click.echo(f"Draw seed {logged.review_seed} over {len(logged.review_pool)} eligible members.")


@contribution.command("list")
@click.option("--json", "as_json", is_flag=True)
@with_django
def contribution_list(as_json: bool) -> None:
    """List contributions with their review counts."""
    from commonshare.work.selectors import contributions

    rows = [
        {
            "id": c.pk,
            "author": c.author.display_name,
            "kind": c.kind,
            "quantity": c.quantity_label,
            "summary": c.summary,
            "reviews": getattr(c, "review_count", 0),
        }
        for c in contributions().order_by("pk")
    ]
    if as_json:
        echo_json(rows)
        return
    for row in rows:
        click.echo(
            f"{row['id']:>5}  {row['author']:<20} {row['kind']:<11} {row['quantity']:<16} "
            f"{row['reviews']} reviews  {row['summary']}"
        )


@main.group()
def review() -> None:
    """Review the contributions you were drawn for."""


@review.command("todo")
@as_option
@with_django
def review_todo(as_email: str | None) -> None:
    """List contributions you were drawn to review, with the version to review.

    Example: commonshare review todo --as bo@example.org
    """
    from commonshare.work.selectors import reviews_waiting_for
    from commonshare.work.versions import changes_since, describe

    for assignment in reviews_waiting_for(acting_member(as_email)):
        c = assignment.contribution
        click.echo(
            f"{c.pk:>5}  v{c.version:<4} {c.author.display_name:<20} {c.quantity_label:<12} "
            f"{c.summary}"
        )
        if changed := changes_since(c, assignment.drawn_version):
            click.echo(f"       changed since you were drawn: {describe(changed)}")


@review.command("submit")
@click.argument("contribution_id", type=int)
@click.option("--rating", type=click.IntRange(0, 5), required=True, help="0 to 5.")
@click.option("--comment", required=True)
@click.option("--effort", help="Your own estimate when you challenge the claimed effort.")
@click.option(
    "--version",
    "version",
    type=click.IntRange(1),
    required=True,
    help="The version you read, as `review todo` shows it (v3 is --version 3).",
)
@as_option
@with_django
def review_submit(
    contribution_id: int,
    *,
    rating: int,
    comment: str,
    effort: str | None,
    version: int,
    as_email: str | None,
) -> None:
    """Rate the version you read of a contribution you were drawn for.

    Example: commonshare review submit 12 --version 1 --rating 4 --comment "Clear and tested"
    --as bo@example.org
    """
    from commonshare.work.services import submit_review

    submit_review(
        acting_member(as_email),
        contribution_id,
        rating=rating,
        comment=comment,
        effort_estimate=effort,
        version=version,
    )
    click.echo(f"Review of contribution {contribution_id} saved.")


# --- money --------------------------------------------------------------------


@main.group()
def income() -> None:
    """Record and list income."""


@income.command("record")
@click.option("--amount", required=True)
@click.option("--currency", required=True)
@click.option("--payer", required=True)
@click.option("--description", required=True)
@click.option("--date", "received_on", required=True, help="YYYY-MM-DD")
@click.option(
    "--source",
    type=click.Choice(["support", "hosting", "custom-work", "sales", "donations"]),
    default="support",
    show_default=True,
    help="What the money was for (its income account).",
)
@click.option("--reference", default="", help="Invoice or bank reference.")
@as_option
@with_django
def income_record(as_email: str | None, **given: Any) -> None:
    """Record money received.

    Example: commonshare income record --amount 1200.00 --currency EUR --payer "Acme"
    --description "Hosting, March" --date 2026-03-31 --as ada@example.org
    """
    from commonshare.books.services import record_income

    recorded = record_income(acting_member(as_email), **given)
    click.echo(f"Income {recorded.pk} recorded: {recorded.amount} {recorded.currency}")


@income.command("list")
@with_django
def income_list() -> None:
    """List income, newest first."""
    from commonshare.books.selectors import incomes

    for row in incomes():
        click.echo(
            f"{row.pk:>5}  {row.received_on}  {row.amount:>12} {row.currency}  "
            f"{row.payer}: {row.description}"
        )


@main.group()
def distribute() -> None:
    """Split income among contributors for a period."""


@distribute.command("run")
@click.option("--from", "period_start", required=True, help="First day, YYYY-MM-DD.")
@click.option("--to", "period_end", required=True, help="Last day, YYYY-MM-DD.")
@click.option("--currency", required=True)
@click.option("--amount", help="Default: all income not yet distributed in the currency.")
@as_option
@with_django
def distribute_run(as_email: str | None, **given: Any) -> None:
    """Run the distribution of a period (once per period).

    Example: commonshare distribute run --from 2026-10-01 --to 2026-10-31 --currency EUR
    --as ada@example.org
    """
    from commonshare.books.services import run_distribution

    done = run_distribution(acting_member(as_email), **given)
    click.echo(f"Distribution {done.pk}: {done.amount} {done.currency} by {done.method}")
    for payout in done.payouts.select_related("member"):
        click.echo(f"  {payout.member.display_name:<24} {payout.amount:>12}  share {payout.share}")
    if done.remainder_minor:
        click.echo(f"  remainder kept: {done.remainder}")


@distribute.command("list")
@with_django
def distribute_list() -> None:
    """List distributions."""
    from commonshare.books.selectors import distributions

    for row in distributions():
        click.echo(
            f"{row.pk:>5}  {row.period_start} – {row.period_end}  {row.amount:>12} "
            f"{row.currency}  {row.method}"
        )


@distribute.command("show")
@click.argument("distribution_id", type=int)
@click.option("--member", "member_id", type=int, help="Explain one member's payout.")
@with_django
def distribute_show(distribution_id: int, member_id: int | None) -> None:
    """Show a distribution's frozen result, or why one member got what they got."""
    from commonshare.books import selectors

    if member_id is not None:
        echo_json(selectors.payout(distribution_id, member_id).explanation)
    else:
        echo_json(selectors.distribution(distribution_id).result)


def _register_area_commands() -> None:
    """Commands that live beside their area's code (they import this module's helpers)."""
    from commonshare.allocate_cli import allocate
    from commonshare.books.cli import books, expense
    from commonshare.governance.cli import policy

    for command in (allocate, books, expense, policy):
        main.add_command(command)


_register_area_commands()

if __name__ == "__main__":  # pragma: no cover
    main()
