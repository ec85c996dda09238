"""``commonshare policy …`` and ``commonshare norm …``: read the community's rules and norms
from the shell (changing them is a decision's job, never a command's)."""

from __future__ import annotations

import json
from typing import Any

import click

from commonshare.clikit import echo_json, with_django
from commonshare.core.norms import ADDED, REMOVED, SAME


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


# --- norms ---------------------------------------------------------------------------


@click.group()
def norm() -> None:
    """Read the norms (the purpose, the code of conduct...) and what each version changed."""


def _norm_json(version: Any, *, text: bool = True) -> dict[str, Any]:
    data = {
        "kind": version.kind,
        "number": version.number,
        "title": version.title,
        "adopted_at": version.adopted_at.isoformat(),
        "decision_number": version.decision_number,
        "sha256": version.sha256,
    }
    return {**data, "text": version.text} if text else data


def _adopted(version: Any) -> str:
    if version.decision_number is None:
        return "the first version, from before any decision"
    return f"adopted {version.adopted_at.date().isoformat()} by decision {version.decision_number}"


def _diff_json(lines: list[Any]) -> list[dict[str, Any]]:
    return [
        {"change": d.change, "text": d.text, "before": d.before, "after": d.after} for d in lines
    ]


_MARKS = {ADDED: "+ ", REMOVED: "- ", SAME: "  "}


def _echo_diff(lines: list[Any]) -> None:
    for line in lines:
        click.echo(f"{_MARKS[line.change]}{line.text}".rstrip())


@norm.command("show")
@click.argument("kind", required=False)
@click.option("--version", "number", type=click.IntRange(min=1), help="Show this version.")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@with_django
def norm_show(kind: str | None, number: int | None, as_json: bool) -> None:
    """List the norms in force, or show one norm's text (in force, or one version).

    Example: commonshare norm show code-of-conduct --version 1
    """
    from commonshare.errors import InvalidInput
    from commonshare.governance import selectors

    if kind is None:
        if number is not None:
            raise InvalidInput("Name the norm whose version to show.", field="kind")
        norms = selectors.current_norms()
        if as_json:
            echo_json([_norm_json(v, text=False) for v in norms])
            return
        for version in norms:
            click.echo(f"{version.kind}\tversion {version.number}\t{version.title}")
        return
    version = (
        selectors.current_norm(kind) if number is None else selectors.norm_version(kind, number)
    )
    changes = selectors.norm_changes(version)
    if as_json:
        before = selectors.previous_norm_version(version)
        echo_json(
            {
                **_norm_json(version),
                "versions": [v.number for v in selectors.norm_versions(kind)],
                "previous": None if before is None else before.number,
                "diff": _diff_json(changes),
            }
        )
        return
    click.echo(f"{version.title}, version {version.number}: {_adopted(version)}")
    click.echo(f"sha256 {version.sha256}")
    click.echo("")
    click.echo(version.text.rstrip("\n"))


@norm.command("diff")
@click.argument("kind")
@click.argument("a", type=click.IntRange(min=1))
@click.argument("b", type=click.IntRange(min=1))
@click.option("--json", "as_json", is_flag=True, help="Print the lines as JSON.")
@with_django
def norm_diff(kind: str, a: int, b: int, as_json: bool) -> None:
    """Show what changed in a norm from version A to version B, line by line: "+ " added,
    "- " removed, two spaces unchanged.

    Example: commonshare norm diff purpose 1 2
    """
    from commonshare.governance import selectors

    lines = selectors.norm_diff(kind, a, b)
    if as_json:
        echo_json({"kind": kind, "from": a, "to": b, "lines": _diff_json(lines)})
        return
    _echo_diff(lines)
