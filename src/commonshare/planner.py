"""Keep the database's query planner informed of how big the tables are.

A planner picks an index by the statistics it holds on each table. SQLite gathers none on
its own: without them it takes the first index that fits, and on a large community a
member's reviews to do were counted through all 42,000 of their assignments instead of
the partial index of the few still open (32 ms for a number in the page header). So
after a bulk load, when the server starts on a database that never had statistics, and
once a day in the worker, SQLite is asked to refresh them, sampling a bounded number of
rows per index so that it takes milliseconds on a database of gigabytes.

PostgreSQL's autovacuum keeps its own statistics; only a bulk load asks it explicitly,
since autovacuum would get to the new rows minutes later.
"""

from __future__ import annotations

from django.db import connection

SAMPLED_ROWS = 1000
"""Rows SQLite reads per index (``PRAGMA analysis_limit``): enough to tell a selective
index from a broad one, and bounded on a table of millions."""


def _sqlite() -> bool:
    return connection.vendor == "sqlite"


def has_statistics() -> bool:
    """True when the planner has statistics to go by (always on PostgreSQL)."""
    if not _sqlite():
        return True
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'")
        if cursor.fetchone() is None:
            return False
        cursor.execute("SELECT 1 FROM sqlite_stat1 LIMIT 1")
        return cursor.fetchone() is not None


def analyze() -> None:
    """Gather the statistics of every table now (after a bulk load)."""
    with connection.cursor() as cursor:
        if _sqlite():
            cursor.execute(f"PRAGMA analysis_limit = {SAMPLED_ROWS}")
        cursor.execute("ANALYZE")


def refresh() -> bool:
    """Refresh the statistics that are missing or stale; True when SQLite was asked to.

    ``PRAGMA optimize`` analyses only the tables whose statistics have drifted, so it is
    cheap to run daily; a database with none is analysed whole."""
    if not _sqlite():
        return False
    if not has_statistics():
        analyze()
        return True
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA analysis_limit = {SAMPLED_ROWS}")
        cursor.execute("PRAGMA optimize")
    return True
