"""The background worker: the task queue, and a sweep every minute.

``commonshare worker`` runs ``run()``: it runs every task django-tasks queued in the
database (``django_tasks_db``: the notification mail, the trust-level changes a review
may have made), one after another, and once a minute runs each of
``PERIODIC_JOBS``. ``commonshare serve`` and ``demo`` start one worker as a child
process, so the demo is still one command.

``PERIODIC_JOBS`` is the one list of what the sweep does. Each job finds what is due in
the database and is safe to run any number of times, from any number of workers. To add
one, append ``Job("what it does", function)`` here; its failure is logged and never stops
the others or the queue. Due decisions close first, so that a vote whose time is up is
counted (and its carried action run, a distribution posted) before anyone is told it is
closing soon.

A job that need run only once a day (``daily``) runs at the first sweep of each local
day in each worker process: the trust-level history, whose time-driven changes (days as
a member, periods without activity) move by whole days. It is idempotent, so a restart
or a second worker running it again the same day records nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import close_old_connections, connection
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction

from commonshare import planner
from commonshare.decisions.services import close_due_decisions
from commonshare.notifications import sweep
from commonshare.work import earned
from commonshare.work.level_services import update_trust_levels

log = logging.getLogger(__name__)

SWEEP_EVERY_SECONDS = 60.0
PARENT_ENV = "COMMONSHARE_WORKER_PARENT"
"""Set by ``serve`` for the worker it starts: the worker stops when that process is gone
(even when it was killed and could not stop the worker itself)."""


@dataclass(frozen=True)
class Job:
    """One step of the sweep: what it is, in words, and the function that does it."""

    name: str
    run: Callable[[], object]


@dataclass
class Daily:
    """``job`` at most once a local day in this process (the first sweep of each day);
    a run that fails is tried again at the next sweep."""

    job: Callable[[], object]
    last_day: dt.date | None = field(default=None, compare=False)

    def __call__(self) -> object:
        today = timezone.localdate()
        if self.last_day == today:
            return None
        done = self.job()
        self.last_day = today
        return done


def daily(job: Callable[[], object]) -> Daily:
    return Daily(job)


PERIODIC_JOBS: list[Job] = [
    Job("close the decisions whose closing time has passed", close_due_decisions),
    Job("send mail a stopped worker left unsent", sweep.requeue_stalled),
    Job("send the daily digests that are due", sweep.send_digests),
    Job("tell voters of proposals that close within a day", sweep.closing_soon),
    # so that a request seldom computes everyone's level itself (after midnight, say)
    Job("bring the community's known trust levels up to date", earned.refresh_known_levels),
    Job("record each member's trust level that changed, once a day", daily(update_trust_levels)),
    Job("refresh the query planner's statistics, once a day", daily(planner.refresh)),
]


def run_periodic_jobs() -> dict[str, object]:
    """Run each periodic job once; a job that fails is logged and the others still run."""
    done: dict[str, object] = {}
    for job in PERIODIC_JOBS:
        try:
            done[job.name] = job.run()
        except Exception:
            log.exception("the periodic job %r failed", job.name)
            done[job.name] = None
    return done


class _Queue(Worker):
    """django-tasks-db's worker, driven one task at a time by our loop."""

    def __init__(self, worker_id: str) -> None:
        super().__init__(
            queue_names=["*"],
            interval=0,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id=worker_id,
            excluded_queue_names=[],
        )

    def run_one(self) -> bool:
        """Claim the next ready task and run it; False when none is ready."""
        ready = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        with exclusive_transaction(ready.db):
            found = ready.get_locked()
            if found is not None:
                found.claim(self.worker_id)
        if found is None:
            return False
        self.run_task(found)
        return True


def drain(worker_id: str | None = None, *, limit: int | None = None) -> int:
    """Run the ready tasks until none is left (or ``limit`` ran); how many ran."""
    queue = _Queue(worker_id or get_random_string(32))
    count = 0
    while (limit is None or count < limit) and queue.run_one():
        count += 1
    return count


def run_once() -> int:
    """One sweep, then the queue emptied: what ``commonshare worker --once`` does."""
    run_periodic_jobs()
    return drain()


def run(*, interval: float = 1.0, sweep_every: float = SWEEP_EVERY_SECONDS) -> None:
    """Run the queue for ever: the sweep every ``sweep_every`` seconds (and at start),
    the ready tasks as they come, a nap of ``interval`` seconds when none is ready."""
    queue = _Queue(get_random_string(32))
    last_sweep = float("-inf")
    parent = os.environ.get(PARENT_ENV)
    while parent is None or str(os.getppid()) == parent:
        if not connection.in_atomic_block:
            close_old_connections()
        if time.monotonic() - last_sweep >= sweep_every:
            run_periodic_jobs()
            last_sweep = time.monotonic()
        if not queue.run_one():
            time.sleep(interval)
