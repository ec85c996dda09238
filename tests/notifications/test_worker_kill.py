"""Delivered once, even when the worker is SIGKILLed mid-batch.

A real ``commonshare worker`` runs in a subprocess against the test database and sends
through a real SMTP server (aiosmtpd) that counts what it accepts. The server kills the
worker (SIGKILL) while the worker waits for its answer to one message, and refuses that
message, as a server does when its client is gone before the answer. A second worker, once
the lease has passed, sends what is left: every member then holds exactly one message.

What this does not cover, by design (``notifications.delivery`` says it plainly): a kill
after the server accepted a message and before the worker recorded it sent leaves the mail
``sending``, and it is sent again after the lease.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from commonshare.discussion import services as discussion
from commonshare.notifications.models import Mail
from commonshare.work import services as work
from tests import worker_process

pytestmark = pytest.mark.django_db(transaction=True)

MEMBERS = 8
KILL_AT = 4  # the worker dies while the server holds its 4th message


class KillingInbox:
    """Accepts each message, except the ``KILL_AT``-th: then it kills the worker first and
    refuses it (the client is gone before the answer)."""

    def __init__(self) -> None:
        self.accepted: list[str] = []
        self.seen = 0
        self.worker: subprocess.Popen[bytes] | None = None

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.seen += 1
        if self.seen == KILL_AT and self.worker is not None:
            os.kill(self.worker.pid, signal.SIGKILL)
            self.worker.wait(timeout=10)
            return "451 The client went away before the answer"
        self.accepted.extend(envelope.rcpt_tos)
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _worker(port: int, *args: str) -> subprocess.Popen[bytes]:
    return worker_process.start(port, *args)


def test_a_worker_killed_mid_batch_loses_and_repeats_nothing(
    make_member: Any, site_subscribers: None
) -> None:
    ada = make_member("Ada", email="ada@example.org")
    members = [make_member(f"M{n}", email=f"m{n}@example.org") for n in range(MEMBERS)]
    task = work.create_task(ada, title="Plan", description="", estimate_hours="1")
    mentions = " ".join(f"@M{n}" for n in range(MEMBERS))
    discussion.post_comment(ada, f"task-{task.pk}", f"Over to you: {mentions}")
    assert Mail.objects.filter(state=Mail.State.QUEUED).count() == MEMBERS

    inbox, port = KillingInbox(), _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        inbox.worker = first = _worker(port, "--interval", "0.05")
        first.communicate(timeout=120)
        assert first.returncode == -signal.SIGKILL
        assert len(inbox.accepted) == KILL_AT - 1
        stuck = Mail.objects.filter(state=Mail.State.SENDING)
        assert stuck.count() == 1  # the mail it was sending when it died

        time.sleep(1.2)  # past the lease: the dead worker's claim is given up
        inbox.worker = None
        second = _worker(port, "--once")
        _out, err = second.communicate(timeout=120)
        assert second.returncode == 0, err.decode()
    finally:
        controller.stop()

    assert sorted(inbox.accepted) == sorted(m.email for m in members)
    assert set(Mail.objects.values_list("state", flat=True)) == {Mail.State.SENT}
    assert sorted(Mail.objects.values_list("attempts", flat=True)) == [1] * (MEMBERS - 1) + [2]
