"""``commonshare steward show``: the steward phase."""

from __future__ import annotations

import click

from commonshare.clikit import echo_json, with_django


@click.group()
def steward() -> None:
    """The steward phase: who bootstraps a new community, and what ends it."""


@steward.command("show")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of sentences.")
@with_django
def steward_show(as_json: bool) -> None:
    """Say who the stewards are and what ends (or ended) the phase.

    Example: commonshare steward show
    """
    from commonshare.work import steward as phase_of

    current = phase_of.phase()
    if as_json:
        echo_json(
            {
                "is_open": current.is_open,
                "ended_at": current.ended_at,
                "reason": current.reason,
                "decision_number": current.decision_number,
                "stewards": phase_of.steward_names(current),
                "named": list(current.named),
                "summary": phase_of.summary(current),
            }
        )
        return
    for sentence in phase_of.summary(current):
        click.echo(sentence)
    if current.named:
        click.echo("Named at init: " + ", ".join(current.named))
