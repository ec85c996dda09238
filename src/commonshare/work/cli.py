"""``commonshare task …``, ``contribution …`` and ``review …``: the work from the shell."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import click

from commonshare.clikit import as_option, echo_json, paged_options, rows_of, with_django
from commonshare.community.cli import acting_member
from commonshare.work.vocab import RATING_MAX, RATING_MIN, ContributionKind, TaskStatus


@click.group()
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
@click.option("--status", type=click.Choice(TaskStatus.values))
@click.option("--parent", type=int, help="Only the subtasks of this task, oldest first.")
@click.option("--json", "as_json", is_flag=True)
@paged_options
@with_django
def task_list(
    status: str | None, parent: int | None, as_json: bool, cursor: str | None, limit: int | None
) -> None:
    """List tasks, subtasks under their parent.

    Example: commonshare task list --parent 12
    """
    from commonshare.work.selectors import subtasks_of, task, tasks

    listed = tasks(status).order_by("pk")
    if parent is not None:
        listed = subtasks_of(task(parent))
        listed = listed.filter(status=status) if status else listed

    rows = [
        {
            "id": t.pk,
            "parent": t.parent_id,
            "title": t.title,
            "estimate_hours": str(t.estimate_hours),
            "status": t.status,
            "claimed_by": t.claimed_by.display_name if t.claimed_by else None,
        }
        for t in rows_of(listed, cursor=cursor, limit=limit)
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


@click.group()
def contribution() -> None:
    """Log and list contributions."""


@contribution.command("log")
@click.option("--kind", type=click.Choice(ContributionKind.values), required=True)
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
@click.option("--task", "task_id", type=int, help="Only those logged against this task.")
@click.option("--json", "as_json", is_flag=True)
@paged_options
@with_django
def contribution_list(
    task_id: int | None, as_json: bool, cursor: str | None, limit: int | None
) -> None:
    """List contributions with their review counts.

    Example: commonshare contribution list --task 12
    """
    from commonshare.work.selectors import contributions, contributions_to, task

    listed = contributions().order_by("pk") if task_id is None else contributions_to(task(task_id))

    rows = [
        {
            "id": c.pk,
            "author": c.author.display_name,
            "kind": c.kind,
            "quantity": c.quantity_label,
            "summary": c.summary,
            "reviews": getattr(c, "review_count", 0),
        }
        for c in rows_of(listed, cursor=cursor, limit=limit)
    ]
    if as_json:
        echo_json(rows)
        return
    for row in rows:
        click.echo(
            f"{row['id']:>5}  {row['author']:<20} {row['kind']:<11} {row['quantity']:<16} "
            f"{row['reviews']} reviews  {row['summary']}"
        )


@click.group()
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
@click.option(
    "--rating",
    type=click.IntRange(RATING_MIN, RATING_MAX),
    required=True,
    help=f"{RATING_MIN} to {RATING_MAX}.",
)
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


@click.command("trust")
@click.argument("email", required=False)
@click.option("--json", "as_json", is_flag=True)
@as_option
@with_django
def member_trust(email: str | None, as_json: bool, as_email: str | None) -> None:
    """A member's trust level, what it unlocks, and what the next level asks.

    Without EMAIL, the member the command acts as (--as). Registered as
    ``commonshare member trust``.

    Example: commonshare member trust ada@example.org
    """
    from commonshare.work.schemas import trust_out
    from commonshare.work.selectors import trust_summary

    summary = trust_summary(acting_member(email or as_email))
    if as_json:
        echo_json(trust_out(summary))
        return
    click.echo(f"{summary.display_name}: trust level {summary.level} ({summary.level_name})")
    for line in summary.losses:
        click.echo(f"  {line}")
    for power in summary.powers:
        mark = "yes" if power.held else "not yet"
        click.echo(f"  {mark}: {power.sentence} (level {power.needs_level} and up)")
    if summary.next_level is None:
        click.echo("This is the highest level.")
        return
    click.echo(
        f"Next: level {summary.next_level} ({summary.next_level_name}), "
        f"{summary.met} of {len(summary.requirements)} met:"
    )
    for requirement in summary.requirements:
        mark = "[x]" if requirement.met else "[ ]"
        click.echo(f"  {mark} {requirement.sentence}")


@click.command("levels")
@click.argument("email", required=False)
@click.option("--json", "as_json", is_flag=True)
@paged_options
@as_option
@with_django
def member_levels(
    email: str | None, as_json: bool, cursor: str | None, limit: int | None, as_email: str | None
) -> None:
    """A member's trust level history: each rise or fall, newest first.

    Without EMAIL, the member the command acts as (--as). Registered as
    ``commonshare member levels``.

    Example: commonshare member levels ada@example.org
    """
    from commonshare.core.trust import LEVEL_NAMES
    from commonshare.core.words import long_date
    from commonshare.work.level_selectors import level_history

    member = acting_member(email or as_email)
    changes = list(rows_of(level_history(member), cursor=cursor, limit=limit))
    if as_json:
        echo_json(
            [
                {
                    "on": change.on.isoformat(),
                    "at": change.at.isoformat(),
                    "level_from": change.level_from,
                    "level_to": change.level_to,
                }
                for change in changes
            ]
        )
        return
    if not changes:
        click.echo(f"{member.display_name}: no change of trust level recorded yet.")
        return
    click.echo(f"{member.display_name}: trust level history, newest first")
    for change in changes:
        verb = "rose" if change.level_to > change.level_from else "fell"
        click.echo(
            f"  {long_date(change.on)}: {verb} from {change.level_from} "
            f"({LEVEL_NAMES[change.level_from]}) to {change.level_to} "
            f"({LEVEL_NAMES[change.level_to]})"
        )
