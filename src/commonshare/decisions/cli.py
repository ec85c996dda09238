"""``commonshare decision …``: propose, vote, show, check a receipt, recount and close."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from commonshare.clikit import as_option, echo_json, with_django
from commonshare.community.cli import acting_member


@click.group()
def decision() -> None:
    """Make proposals, vote, close decisions and recount them from the published ballots."""


def _criteria(given: tuple[str, ...]) -> list[dict[str, str]]:
    found = []
    for item in given:
        name, _, weight = item.partition(":")
        found.append({"name": name.strip(), "weight": weight.strip() or "1"})
    return found


@decision.command("propose")
@click.option("--title", required=True)
@click.option("--body", default="", help="The proposal's text (Markdown).")
@click.option("--kind", required=True, help="rules, money or other.")
@click.option(
    "--method",
    required=True,
    help="consent, majority, supermajority, score, ranked_irv, ranked_schulze or lazy_consensus.",
)
@click.option("--option", "options", multiple=True, help="An option (score and ranked).")
@click.option(
    "--criterion",
    "criteria",
    multiple=True,
    help="NAME:WEIGHT, what it is judged by (score voting counts by them; any method shows them).",
)
@click.option("--threshold", help="The supermajority share, such as 0.667.")
@click.option("--quorum", help="The share of eligible members who must vote (0 to 1).")
@click.option("--eligibility", type=int, help="The trust level a voter needs.")
@click.option("--secret", is_flag=True, help="Secret ballots.")
@click.option("--opens-at", "opens_at", help="YYYY-MM-DD HH:MM (default: now).")
@click.option("--closes-at", "closes_at", help="YYYY-MM-DD HH:MM.")
@click.option("--days", "voting_days", type=int, help="Voting days, instead of --closes-at.")
@click.option("--change", "changes", multiple=True, help="A policy change RULE=VALUE.")
@as_option
@with_django
def decision_propose(
    as_email: str | None,
    options: tuple[str, ...],
    criteria: tuple[str, ...],
    changes: tuple[str, ...],
    **given: Any,
) -> None:
    """Make a proposal; its terms are fixed from now on.

    Example: commonshare decision propose --title "Reserve 20%" --kind rules
    --method majority --days 7 --change reserve.share=0.2 --as ada@example.org
    """
    from commonshare.decisions import effects, services, vocab

    extra: dict[str, Any] = {}
    if changes:
        extra = {
            "effect_kind": vocab.POLICY_CHANGE,
            "effect": {"changes": effects.parse_change_lines("\n".join(changes))},
        }
    made = services.propose(
        acting_member(as_email),
        options=list(options),
        criteria=_criteria(criteria),
        **given,
        **extra,
    )
    click.echo(f"Decision {made.number} proposed: {made.title}; voting closes {made.closes_at}")


def _ballot(
    choice: str | None, position: str | None, reason: str, ranking: str | None, scores: str | None
) -> dict[str, Any]:
    if choice:
        return {"choice": choice}
    if position:
        return {"position": position, "reason": reason}
    if ranking:
        return {"ranking": [part.strip() for part in ranking.split(",") if part.strip()]}
    if scores:
        try:
            return {"scores": json.loads(scores)}
        except ValueError:
            raise click.UsageError('--scores must be JSON, such as {"A": {"cost": 3}}') from None
    return {}  # the service says what the method's ballot needs


@decision.command("vote")
@click.argument("number", type=int)
@click.option("--choice", help="for, against or abstain (majority, supermajority).")
@click.option("--position", help="consent or object (consent, lazy consensus).")
@click.option("--reason", default="", help="Why you object.")
@click.option("--ranking", help="Options in your order, comma-separated (ranked).")
@click.option("--scores", help='JSON: {"option": {"criterion": 3}} (score voting).')
@click.option("--receipt", default="", help="Your earlier receipt (to change a secret ballot).")
@as_option
@with_django
def decision_vote(
    number: int,
    as_email: str | None,
    receipt: str,
    **ballot: Any,
) -> None:
    """Cast or change your ballot; prints your receipt once.

    Example: commonshare decision vote 3 --choice for --as ada@example.org
    """
    from commonshare.decisions import services

    cast = services.vote(acting_member(as_email), number, _ballot(**ballot), receipt=receipt)
    click.echo(f"Ballot {'changed' if cast.changed else 'cast'} on decision {number}.")
    click.echo(f"Your receipt (shown once; keep it): {cast.receipt}")


@decision.command("show")
@click.argument("number", type=int)
@click.option("--json", "as_json", is_flag=True, help="Print it as JSON.")
@with_django
def decision_show(number: int, as_json: bool) -> None:
    """Show a decision: its terms, who voted, the tally and the outcome.

    Example: commonshare decision show 3
    """
    from commonshare.decisions import presenting

    shown = presenting.as_dict(number)
    if as_json:
        echo_json(shown)
        return
    for line in presenting.lines(shown):
        click.echo(line)


@decision.command("receipt")
@click.argument("number", type=int)
@click.argument("receipt")
@with_django
def decision_receipt(number: int, receipt: str) -> None:
    """Check that the ballot of a receipt is stored or counted, and with what content.

    Example: commonshare decision receipt 3 4f1c…
    """
    from commonshare.decisions import selectors

    check = selectors.check_receipt(number, receipt)
    click.echo(check.sentence)
    if check.ballot is not None:
        click.echo(f"Ballot: {json.dumps(check.ballot, sort_keys=True)}")


@decision.command("recount")
@click.argument("number", type=int)
@with_django
def decision_recount(number: int) -> None:
    """Recount a decision from its published ballots and compare with its stored tally.

    Example: commonshare decision recount 3
    """
    import sys

    from commonshare.decisions import selectors

    result = selectors.recount(number)
    for phase in result.phases:
        click.echo(
            f"phase {phase['phase']}: tally {'matches' if phase['tally_matches'] else 'DIFFERS'}"
            f", ballots {'match' if phase['ballots_match'] else 'DIFFER'}; recounted: "
            f"{phase['recounted']['statement']}"
        )
    click.echo(result.sentence)
    if not result.matches:
        sys.exit(1)


@decision.command("close")
@click.argument("number", type=int)
@with_django
def decision_close(number: int) -> None:
    """Close a decision after its closing time (anyone may), and run its action if it passed.

    Example: commonshare decision close 3
    """
    from commonshare.decisions import services

    closed = services.close_decision(number)
    click.echo(f"Decision {number}: {closed.statement}")
    if closed.effect_note:
        click.echo(closed.effect_note)


@decision.command("close-due")
@with_django
def decision_close_due() -> None:
    """Close every decision past its closing time, the earliest first (for a timer).

    Each is closed as ``decision close`` would; running it again changes nothing.

    Example: commonshare decision close-due
    """
    from django.utils import timezone

    from commonshare.decisions import selectors, services, vocab

    now = timezone.now()
    due = len(selectors.due_numbers(now))
    with click.progressbar(length=due, label="Closing due decisions", file=sys.stderr) as bar:
        done = services.close_due_decisions(now, each=lambda _number: bar.update(1))
    for closed in done:
        click.echo(f"Decision {closed.number}: {closed.statement}")
    if not due:
        click.echo("No decision was due.")
        return
    voting = sum(1 for p in done if p.stage == vocab.Stage.RUNOFF)
    said = [f"{len(done) - voting} of {due} due closed"]
    if voting:
        said.append(f"{voting} moved to a majority vote after an objection")
    if len(done) < due:
        said.append(f"{due - len(done)} left as they were (see the log)")
    click.echo("; ".join(said) + ".")
