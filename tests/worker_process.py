"""A real ``commonshare worker`` in a subprocess, on the test database: for tests that
need mail sent the way the site sends it (the browser tests, the SIGKILL test)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection


def database_url() -> str:
    """The test database, as ``DATABASE_URL`` for another process."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    return (
        f"postgresql://{settings['USER']}:{settings['PASSWORD']}@{settings['HOST']}:"
        f"{settings['PORT']}/{settings['NAME']}"
    )


def start(
    smtp_port: int, *args: str, public_url: str = "http://testserver", lease: str = "1"
) -> subprocess.Popen[bytes]:
    env = dict(
        os.environ,
        DATABASE_URL=database_url(),
        COMMONSHARE_EMAIL_HOST="127.0.0.1",
        COMMONSHARE_EMAIL_PORT=str(smtp_port),
        COMMONSHARE_EMAIL_TLS="none",
        COMMONSHARE_PUBLIC_URL=public_url,
        COMMONSHARE_MAIL_LEASE_SECONDS=lease,
    )
    return subprocess.Popen(
        [sys.executable, "-m", "commonshare", "worker", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


@contextmanager
def running(smtp_port: int, *, public_url: str) -> Iterator[subprocess.Popen[bytes]]:
    """A worker running for the block, polling often; stopped (and reaped) after it."""
    worker = start(smtp_port, "--interval", "0.1", public_url=public_url)
    try:
        yield worker
    finally:
        worker.terminate()
        worker.communicate(timeout=30)
