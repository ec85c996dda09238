"""What every command shares: Django set up, refusals as ``error: …`` with exit 2, JSON out.

It sits below the apps (pyproject's import-linter layers): the apps' ``cli.py`` modules
import it, and it imports no app, so ``commonshare.cli`` can load them without a cycle.
The member a command acts as (``--as``) is looked up by ``community.cli.acting_member``.
"""

from __future__ import annotations

import functools
import json
import os
import sys
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import click

from commonshare import paging
from commonshare.audit import via
from commonshare.errors import CommonshareError

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


def paged_options(func: F) -> F:
    """``--cursor`` and ``--limit`` for a list command (see ``rows_of``)."""
    func = click.option(
        "--limit",
        type=click.IntRange(1, paging.MAX_SIZE),
        help=f"Show one page of at most this many rows (1 to {paging.MAX_SIZE}).",
    )(func)
    return click.option(
        "--cursor", help="Start at the page a previous run named on its `next:` line."
    )(func)


Source = Any  # a QuerySet, or a function (cursor, size) -> paging.Page


def rows_of(source: Source, *, cursor: str | None, limit: int | None) -> Iterator[Any]:
    """The rows a list command shows, by the same keyset paging as the web and the API.

    With ``--cursor`` or ``--limit``: one page, and ``next: CURSOR`` on stderr when there
    is more (stdout stays the rows, so ``--json`` stays one document). Without: every
    row, fetched a page at a time, so no query loads the whole table.
    """

    def fetch(at: str | None, size: int) -> paging.Page[Any]:
        if callable(source):
            found: paging.Page[Any] = source(at, size)
            return found
        return paging.page(source, cursor=at, size=size)

    if cursor is not None or limit is not None:
        found = fetch(cursor, limit or paging.DEFAULT_SIZE)
        yield from found
        if found.next_cursor:
            click.echo(f"next: {found.next_cursor}", err=True)
        return
    at = None
    while True:
        found = fetch(at, paging.MAX_SIZE)
        yield from found
        if not found.next_cursor:
            return
        at = found.next_cursor


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


as_option = click.option(
    "--as",
    "as_email",
    envvar="COMMONSHARE_MEMBER",
    metavar="EMAIL",
    help="The member who acts (default: $COMMONSHARE_MEMBER).",
)


def echo_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, default=str))
