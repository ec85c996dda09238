"""The query planner's statistics (``commonshare.planner``): SQLite gathers none by itself,
and without them it counted a busy reviewer's reviews to do through all their
assignments instead of the partial index of the open ones."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from commonshare import planner, worker
from commonshare.work.models import Contribution, ReviewAssignment
from commonshare.work.selectors import reviews_waiting_for

pytestmark = pytest.mark.django_db
on_sqlite = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="PostgreSQL's autovacuum keeps its own statistics"
)

REVIEWED, OPEN = 1500, 3


def _busy_reviewer(make_member: Any) -> Any:
    """A reviewer with many reviewed assignments and a few still to do."""
    author, reviewer = make_member("Author"), make_member("Reviewer")
    work = Contribution.objects.bulk_create(
        Contribution(author=author, kind="work", summary=f"Work {i}", hours=Decimal(1))
        for i in range(REVIEWED + OPEN)
    )
    done = timezone.now() - dt.timedelta(days=1)
    ReviewAssignment.objects.bulk_create(
        ReviewAssignment(
            contribution=c, reviewer=reviewer, rank=1, reviewed_at=done if i < REVIEWED else None
        )
        for i, c in enumerate(work)
    )
    return reviewer


def _plan_of_the_count(reviewer: Any) -> str:
    with CaptureQueriesContext(connection) as seen:
        assert reviews_waiting_for(reviewer).count() == OPEN
    [query] = seen.captured_queries
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {query['sql']}")
        return " ".join(str(row[-1]) for row in cursor.fetchall())


@on_sqlite
def test_after_analysis_the_open_reviews_are_counted_from_their_partial_index(
    make_member: Any,
) -> None:
    reviewer = _busy_reviewer(make_member)
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS sqlite_stat1")
    assert not planner.has_statistics()
    assert planner.refresh()  # none yet: the whole database is analysed
    assert planner.has_statistics()
    assert "assignment_to_do" in _plan_of_the_count(reviewer)


@on_sqlite
def test_a_refresh_with_statistics_in_place_keeps_them(make_member: Any) -> None:
    _busy_reviewer(make_member)
    planner.analyze()
    assert planner.refresh()
    assert planner.has_statistics()


def test_postgresql_is_left_to_its_autovacuum_but_a_bulk_load_is_analysed() -> None:
    if connection.vendor == "sqlite":
        assert planner.refresh()
        return
    assert planner.has_statistics()
    assert not planner.refresh()
    planner.analyze()  # inside the test's transaction, as after a generation
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'community_member'")
        [(tuples,)] = cursor.fetchall()
    assert tuples >= 0  # -1 until a table was first analysed


def test_the_worker_refreshes_them_once_a_day() -> None:
    daily = [job.run for job in worker.PERIODIC_JOBS if isinstance(job.run, worker.Daily)]
    assert planner.refresh in [job.job for job in daily]
