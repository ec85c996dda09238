"""Fixtures shared by the service, API and browser tests."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _media_in_tmp(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[None]:
    """Uploaded files go to a per-test folder, never the user's data folder."""
    if "settings" not in request.fixturenames and not request.node.get_closest_marker("django_db"):
        yield
        return
    settings = request.getfixturevalue("settings")
    settings.MEDIA_ROOT = tmp_path / "media"
    yield


@pytest.fixture
def make_member(db: Any) -> Callable[..., Any]:
    from commonshare.community import services

    counter = iter(range(1, 10_000))

    def make(name: str | None = None, **extra: Any) -> Any:
        number = next(counter)
        display = name or f"Member {number}"
        email = extra.pop("email", f"{display.lower().replace(' ', '.')}.{number}@example.org")
        return services.join(email=email, display_name=display, password=PASSWORD)

    return make


def pytest_configure(config: pytest.Config) -> None:
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
