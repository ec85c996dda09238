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
from collections.abc import Callable
from typing import Any, TypeVar

import click

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
