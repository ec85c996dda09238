"""Database triggers that refuse UPDATE and DELETE on the journal tables.

The application never changes a journal row; these make the database refuse
it too, so a stray script or an admin's raw SQL fails loudly. Someone with the
rights to drop the triggers can still edit rows: that is what the hash chain
and ``commonshare books verify`` are for.
"""

from __future__ import annotations

from typing import Any

TABLES = ("books_journalentry", "books_journalposting")
MESSAGE = "the journal is append-only: post a reversing entry instead"


def _sqlite_statements(install: bool) -> list[str]:
    statements = []
    for table in TABLES:
        for action in ("UPDATE", "DELETE"):
            name = f"{table}_no_{action.lower()}"
            statements.append(f"DROP TRIGGER IF EXISTS {name}")
            if install:
                statements.append(
                    f"CREATE TRIGGER {name} BEFORE {action} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
                )
    return statements


def _postgresql_statements(install: bool) -> list[str]:
    statements = []
    if install:
        statements.append(
            "CREATE OR REPLACE FUNCTION commonshare_journal_append_only() RETURNS trigger "
            f"LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION '{MESSAGE}'; END $$"
        )
    for table in TABLES:
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


def statements(vendor: str, *, install: bool) -> list[str]:
    if vendor == "sqlite":
        return _sqlite_statements(install)
    if vendor == "postgresql":
        return _postgresql_statements(install)
    return []


def set_guard(connection: Any, *, install: bool) -> None:
    """Install (or, for test teardown and ``demo --reset``, remove) the triggers."""
    with connection.cursor() as cursor:
        for statement in statements(connection.vendor, install=install):
            cursor.execute(statement)
