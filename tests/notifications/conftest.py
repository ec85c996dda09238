"""Fixtures of the notification tests: members, a task, hooks that run after commit, and
the worker run in this process."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest


@pytest.fixture
def ada(make_member: Any) -> Any:
    return make_member("Ada Lovelace", email="ada@example.org")


@pytest.fixture
def bo(make_member: Any) -> Any:
    return make_member("Bo", email="bo@example.org")


@pytest.fixture
def cy(make_member: Any) -> Any:
    return make_member("Cy", email="cy@example.org")


@pytest.fixture
def task(ada: Any) -> Any:
    from commonshare.work import services as work

    return work.create_task(ada, title="Write the guide", description="", estimate_hours="2")


@pytest.fixture
def committed(site_subscribers: None, django_capture_on_commit_callbacks: Any) -> Callable[[], Any]:
    """``with committed():`` runs what the block's actions hand their subscribers after
    commit (the test's transaction never commits), as a real commit would."""

    @contextmanager
    def run() -> Iterator[None]:
        with django_capture_on_commit_callbacks(execute=True):
            yield

    return run


@pytest.fixture
def work_queue() -> Callable[[], int]:
    """Run the worker's sweep and queue once, in this process: how many tasks ran."""
    from commonshare import worker

    return worker.run_once
