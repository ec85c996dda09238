"""Start ``commonshare serve`` as a real process for a test, and talk HTTP to it."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from typing import Any


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(env: dict[str, str], *options: str) -> tuple[subprocess.Popen[bytes], int]:
    """``commonshare serve`` on a free port with ``env`` as its whole environment, once it
    answers: (process, port)."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "commonshare", "serve", "--port", str(port), *options],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    wait_until_answering(port, server)
    return server, port


def wait_until_answering(port: int, process: subprocess.Popen[bytes] | None = None) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/openapi.json", timeout=5):
                return
        except OSError:
            if time.monotonic() > deadline or (process is not None and process.poll() is not None):
                if process is not None:
                    process.kill()
                    raise AssertionError(process.communicate(timeout=30)) from None
                raise
            time.sleep(0.3)


def stop(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    server.communicate(timeout=30)


def call(
    port: int, method: str, path: str, body: Any = None, token: str | None = None
) -> tuple[int, Any]:
    """(status, JSON body) of one API request; an error status is an answer, not a raise."""
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}",
        data=None if body is None else json.dumps(body).encode(),
        headers=headers,
        method=method,
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:  # noqa: S310
            return int(answer.status), json.loads(answer.read() or b"null")
    except urllib.error.HTTPError as refused:
        return int(refused.code), json.loads(refused.read() or b"null")
