"""Database triggers that refuse UPDATE and DELETE on the journal tables (and policy and norm
versions).

The application never changes a journal row, a policy version or a norm version; these
make the database refuse it too, so a stray script or an admin's raw SQL fails loudly.
Someone with the rights to drop the triggers can still edit rows: that is what the hash
chain and ``commonshare books verify`` are for.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

TABLES = (
    "books_journalentry",
    "books_journalposting",
    "governance_policyversion",
    "governance_normversion",
)
MESSAGE = (
    "the journal, policy versions and norm versions are append-only: "
    "post a reversing entry or adopt a new version instead"
)


def _sqlite_statements(install: bool, tables: tuple[str, ...]) -> list[str]:
    statements = []
    for table in tables:
        for action in ("UPDATE", "DELETE"):
            name = f"{table}_no_{action.lower()}"
            statements.append(f"DROP TRIGGER IF EXISTS {name}")
            if install:
                statements.append(
                    f"CREATE TRIGGER {name} BEFORE {action} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
                )
    return statements


def _postgresql_statements(install: bool, tables: tuple[str, ...]) -> list[str]:
    statements = []
    if install:
        statements.append(
            "CREATE OR REPLACE FUNCTION commonshare_journal_append_only() RETURNS trigger "
            f"LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION '{MESSAGE}'; END $$"
        )
    for table in tables:
        statements.append(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        statements.append(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
        if install:
            statements.append(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION commonshare_journal_append_only()"
            )
            statements.append(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION commonshare_journal_append_only()"
            )
    return statements


def statements(vendor: str, *, install: bool, tables: tuple[str, ...] = TABLES) -> list[str]:
    if vendor == "sqlite":
        return _sqlite_statements(install, tables)
    if vendor == "postgresql":
        return _postgresql_statements(install, tables)
    return []


_OTHER_GUARDS: list[Callable[..., None]] = []


def also_guard(guard: Callable[..., None]) -> None:
    """Lift and put back another app's triggers with these (``guard(connection, install=)``),
    so a test flush or ``demo --reset`` that lifts the journal's lifts theirs too."""
    if guard not in _OTHER_GUARDS:
        _OTHER_GUARDS.append(guard)


def set_guard(connection: Any, *, install: bool) -> None:
    """Install (or, for test teardown and ``demo --reset``, remove) the triggers.

    Only on the tables that exist yet: a migration of one app may run before another's.
    """
    present = set(connection.introspection.table_names())
    tables = tuple(table for table in TABLES if table in present)
    with connection.cursor() as cursor:
        for statement in statements(connection.vendor, install=install, tables=tables):
            cursor.execute(statement)
    for guard in _OTHER_GUARDS:
        guard(connection, install=install)
