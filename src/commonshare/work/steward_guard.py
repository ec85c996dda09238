"""Database triggers that make the steward phase's end final.

The end row (``work_stewardphaseend``) is never updated or deleted, and no steward is
named once it exists: the database refuses both, so even raw SQL cannot bring the role
back. (Someone with the rights to drop triggers could; the audit chain still shows the
recorded end.) Row triggers only, so that a test database's flush (TRUNCATE) still works.
"""

from __future__ import annotations

from typing import Any

END = "work_stewardphaseend"
STEWARDS = "work_steward"
FINAL = "the steward phase has ended, and its end is final: the role never comes back"


def statements(vendor: str) -> list[str]:
    if vendor == "sqlite":
        return [
            f"CREATE TRIGGER {END}_no_update BEFORE UPDATE ON {END} "
            f"BEGIN SELECT RAISE(ABORT, '{FINAL}'); END",
            f"CREATE TRIGGER {END}_no_delete BEFORE DELETE ON {END} "
            f"BEGIN SELECT RAISE(ABORT, '{FINAL}'); END",
            "CREATE TRIGGER work_steward_not_after_end BEFORE INSERT ON work_steward "
            "WHEN EXISTS (SELECT 1 FROM work_stewardphaseend) "
            "BEGIN SELECT RAISE(ABORT, 'the steward phase has ended, and its end is final: "
            "the role never comes back'); END",
        ]
    if vendor == "postgresql":
        return [
            "CREATE OR REPLACE FUNCTION commonshare_steward_phase_final() RETURNS trigger "
            f"LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION '{FINAL}'; END $$",
            f"CREATE TRIGGER {END}_final BEFORE UPDATE OR DELETE ON {END} "
            "FOR EACH ROW EXECUTE FUNCTION commonshare_steward_phase_final()",
            "CREATE OR REPLACE FUNCTION commonshare_no_steward_after_end() RETURNS trigger "
            "LANGUAGE plpgsql AS $$ BEGIN IF EXISTS (SELECT 1 FROM work_stewardphaseend) THEN "
            "RAISE EXCEPTION 'the steward phase has ended, and its end is final: the role "
            "never comes back'; END IF; RETURN NEW; END $$",
            f"CREATE TRIGGER {STEWARDS}_not_after_end BEFORE INSERT ON {STEWARDS} "
            "FOR EACH ROW EXECUTE FUNCTION commonshare_no_steward_after_end()",
        ]
    return []


_TRIGGERS = {
    "sqlite": (f"{END}_no_update", f"{END}_no_delete", "work_steward_not_after_end"),
    "postgresql": (f"{END}_final ON {END}", f"{STEWARDS}_not_after_end ON {STEWARDS}"),
}


def set_guard(connection: Any, *, install: bool) -> None:
    """Install (or, for a test flush or ``demo --reset``, remove) the triggers; lifted and
    put back together with the journal's (``books.append_only.also_guard``)."""
    present = set(connection.introspection.table_names())
    if END not in present or STEWARDS not in present:
        return
    with connection.cursor() as cursor:
        for name in _TRIGGERS.get(connection.vendor, ()):
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
        if install:
            for statement in statements(connection.vendor):
                cursor.execute(statement)


def install(apps: Any, schema_editor: Any) -> None:
    for statement in statements(schema_editor.connection.vendor):
        schema_editor.execute(statement)
