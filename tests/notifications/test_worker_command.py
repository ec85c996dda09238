"""``commonshare worker``: the process ``serve`` starts stops when its parent is gone."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from commonshare.worker import PARENT_ENV
from tests import worker_process

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_worker_whose_parent_is_gone_stops_by_itself() -> None:
    env = dict(os.environ, DATABASE_URL=worker_process.database_url(), **{PARENT_ENV: "1"})
    done = subprocess.run(
        [sys.executable, "-m", "commonshare", "worker", "--interval", "0.05"],
        env=env,
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode()


def test_serve_starts_its_worker_with_its_own_pid_as_the_parent(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from commonshare.cli import site

    started: list[dict[str, str]] = []

    class Recorded:
        def __init__(self, command: list[str], env: dict[str, str]) -> None:
            assert command[-2:] == ["commonshare", "worker"]
            started.append(env)

    monkeypatch.setattr(site.subprocess, "Popen", Recorded)
    site.start_background_worker()
    assert started[0][PARENT_ENV] == str(os.getpid())
