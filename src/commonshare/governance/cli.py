"""``commonshare policy …``: read the community's rules from the shell (changing them is a
decision's job, never a command's)."""

from __future__ import annotations

import json
from typing import Any

import click

from commonshare.clikit import echo_json, with_django


@click.group()
def policy() -> None:
    """Read the rules in force and every version of them."""


def _leaves(data: dict[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    found: list[tuple[str, Any]] = []
    for key, value in sorted(data.items()):
        if isinstance(value, dict) and value:
            found.extend(_leaves(value, f"{prefix}{key}."))
        else:
            found.append((f"{prefix}{key}", value))
    return found


def _since(version: Any) -> str:
    return "from the start" if version.number == 1 else f"from {version.valid_from}"


def _iso(day: Any) -> str | None:
    return None if day is None else str(day.isoformat())


@policy.command("show")
@click.option("--version", "number", type=click.IntRange(min=1), help="Show this version.")
@click.option("--json", "as_json", is_flag=True, help="Print the version as JSON.")
@with_django
def policy_show(number: int | None, as_json: bool) -> None:
    """Show the rules in force today, or one version, with what it changed.

    Example: commonshare policy show --version 2
    """
    from commonshare.governance import selectors

    version = selectors.current_version() if number is None else selectors.policy_version(number)
    content = json.loads(version.content)
    changes = [
        {"path": c.path, "before": c.before, "after": c.after}
        for c in selectors.changes_in(version)
    ]
    if as_json:
        echo_json(
            {
                "number": version.number,
                "valid_from": _iso(selectors.valid_from(version)),
                "adopted_by": version.adopted_by,
                "created_at": version.created_at.isoformat(),
                "sha256": version.sha256,
                "content": content,
                "changes": changes,
            }
        )
        return
    click.echo(f"policy version {version.number}, in force {_since(version)}")
    click.echo(f"adopted by {version.adopted_by}; sha256 {version.sha256}")
    for path, value in _leaves(content):
        click.echo(f"  {path}: {json.dumps(value)}")
    if changes:
        click.echo(f"changes from version {version.number - 1}:")
        for change in changes:
            before, after = json.dumps(change["before"]), json.dumps(change["after"])
            click.echo(f"  {change['path']}: {before} -> {after}")


@policy.command("versions")
@with_django
def policy_versions() -> None:
    """List every version: number, when it takes effect, what adopted it, its sha256.

    Example: commonshare policy versions
    """
    from commonshare.governance import selectors

    for version in selectors.policy_versions():
        click.echo(f"{version.number}\t{_since(version)}\t{version.adopted_by}\t{version.sha256}")
