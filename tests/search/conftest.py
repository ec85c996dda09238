"""Search tests: writes go through the real actions, and their after-commit hooks run."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import Any

import pytest


@pytest.fixture
def committed(
    django_capture_on_commit_callbacks: Callable[..., AbstractContextManager[Any]],
) -> Callable[[], AbstractContextManager[Any]]:
    """``with committed(): write…``: the writes' after-commit hooks (the indexing) run."""

    def run() -> AbstractContextManager[Any]:
        return django_capture_on_commit_callbacks(execute=True)

    return run


@pytest.fixture
def many_posts(adopt_rules: Callable[..., Any]) -> Iterator[None]:
    """Posting limits high enough for a test that posts dozens of comments."""
    adopt_rules(discussion={"per_hour": 1000, "level0_per_day": 1000})
    yield


@pytest.fixture(autouse=True)
def _index_after_each_commit(site_subscribers: None) -> None:
    """The search index is kept by a site subscriber: these tests need it subscribed."""
