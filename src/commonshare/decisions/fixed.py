"""Database triggers: a proposal's terms never change, and a closed decision never changes.

- ``decisions_proposal``: an UPDATE that changes any fixed column (``models.FIXED_FIELDS``)
  is refused, and so is any UPDATE of a closed proposal, and every DELETE.
- The ballot tables and the voter roll: no INSERT, UPDATE or DELETE for a closed proposal.

As with the journal (``books/append_only.py``), someone with the rights to drop triggers can
still edit rows; the published tally and ``commonshare decision recount`` show it then.
"""

from __future__ import annotations

from typing import Any

from commonshare.decisions.models import FIXED_FIELDS

PROPOSALS = "decisions_proposal"
CHILDREN = ("decisions_ballot", "decisions_secretballot", "decisions_voterroll")
TERMS_FIXED = "the terms of a proposal are fixed: changing them means a new proposal"
CLOSED = "a closed decision never changes"
CLOSED_STAGE = "closed"


def _changed(old: str, new: str) -> str:
    return " OR ".join(f"{new}.{column} IS NOT {old}.{column}" for column in FIXED_FIELDS)


def _pg_changed() -> str:
    return " OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in FIXED_FIELDS)


def _sqlite(install: bool, present: set[str]) -> list[str]:
    statements: list[str] = []
    names = []
    if PROPOSALS in present:
        names += [f"{PROPOSALS}_terms_fixed", f"{PROPOSALS}_closed_fixed", f"{PROPOSALS}_no_delete"]
    for table in CHILDREN:
        if table in present:
            names += [f"{table}_closed_{verb}" for verb in ("insert", "update", "delete")]
    statements += [f"DROP TRIGGER IF EXISTS {name}" for name in names]
    if not install:
        return statements
    if PROPOSALS in present:
        statements += [
            f"CREATE TRIGGER {PROPOSALS}_terms_fixed BEFORE UPDATE ON {PROPOSALS} "
            f"WHEN {_changed('OLD', 'NEW')} BEGIN SELECT RAISE(ABORT, '{TERMS_FIXED}'); END",
            f"CREATE TRIGGER {PROPOSALS}_closed_fixed BEFORE UPDATE ON {PROPOSALS} "
            f"WHEN OLD.stage = '{CLOSED_STAGE}' BEGIN SELECT RAISE(ABORT, '{CLOSED}'); END",
            f"CREATE TRIGGER {PROPOSALS}_no_delete BEFORE DELETE ON {PROPOSALS} "
            f"BEGIN SELECT RAISE(ABORT, '{TERMS_FIXED}'); END",
        ]
    for table in CHILDREN:
        if table not in present:
            continue
        for verb, row in (("insert", "NEW"), ("update", "OLD"), ("delete", "OLD")):
            statements.append(
                f"CREATE TRIGGER {table}_closed_{verb} BEFORE {verb.upper()} ON {table} "
                f"WHEN (SELECT stage FROM {PROPOSALS} WHERE id = {row}.proposal_id) "
                f"= '{CLOSED_STAGE}' BEGIN SELECT RAISE(ABORT, '{CLOSED}'); END"
            )
    return statements


def _postgresql(install: bool, present: set[str]) -> list[str]:
    statements: list[str] = []
    if PROPOSALS in present:
        statements.append(f"DROP TRIGGER IF EXISTS {PROPOSALS}_fixed ON {PROPOSALS}")
    for table in CHILDREN:
        if table in present:
            statements.append(f"DROP TRIGGER IF EXISTS {table}_closed ON {table}")
    if not install:
        return statements
    statements += [
        "CREATE OR REPLACE FUNCTION commonshare_proposal_fixed() RETURNS trigger "
        "LANGUAGE plpgsql AS $$ BEGIN "
        f"IF TG_OP = 'DELETE' THEN RAISE EXCEPTION '{TERMS_FIXED}'; END IF; "
        f"IF OLD.stage = '{CLOSED_STAGE}' THEN RAISE EXCEPTION '{CLOSED}'; END IF; "
        f"IF {_pg_changed()} THEN RAISE EXCEPTION '{TERMS_FIXED}'; END IF; "
        "RETURN NEW; END $$",
        "CREATE OR REPLACE FUNCTION commonshare_decision_closed() RETURNS trigger "
        "LANGUAGE plpgsql AS $$ DECLARE row_proposal integer; BEGIN "
        "IF TG_OP = 'INSERT' THEN row_proposal := NEW.proposal_id; "
        "ELSE row_proposal := OLD.proposal_id; END IF; "
        f"IF (SELECT stage FROM {PROPOSALS} WHERE id = row_proposal) = '{CLOSED_STAGE}' "
        f"THEN RAISE EXCEPTION '{CLOSED}'; END IF; "
        "IF TG_OP = 'DELETE' THEN RETURN OLD; END IF; RETURN NEW; END $$",
    ]
    if PROPOSALS in present:
        statements.append(
            f"CREATE TRIGGER {PROPOSALS}_fixed BEFORE UPDATE OR DELETE ON {PROPOSALS} "
            "FOR EACH ROW EXECUTE FUNCTION commonshare_proposal_fixed()"
        )
    for table in CHILDREN:
        if table in present:
            statements.append(
                f"CREATE TRIGGER {table}_closed BEFORE INSERT OR UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION commonshare_decision_closed()"
            )
    return statements


def set_guard(connection: Any, *, install: bool) -> None:
    """Install (or, for test flushes and ``demo --reset``, remove) the triggers, on the
    tables that exist yet."""
    present = set(connection.introspection.table_names())
    if connection.vendor == "sqlite":
        found = _sqlite(install, present)
    elif connection.vendor == "postgresql":
        found = _postgresql(install, present)
    else:
        found = []
    with connection.cursor() as cursor:
        for statement in found:
            cursor.execute(statement)
