"""Two people choosing one display name at the same moment: exactly one gets it."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection, connections

from commonshare.community import services
from commonshare.community.models import Member
from commonshare.errors import CommonshareError

pytestmark = [
    pytest.mark.django_db(transaction=True),
    # SQLite runs one write transaction at a time, and the second writer of a race is
    # refused by the database itself ("database is locked"); PostgreSQL lets both write.
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite lets one writer in at a time, so two names cannot race there",
    ),
]


def test_two_sign_ups_with_one_name_at_once_leave_one(settings: Any, monkeypatch: Any) -> None:
    """Both first find the name free (the check before the write waits for the other), so
    only the second check, made under the audit chain's lock, can keep one of them out."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    start, both_checked = threading.Barrier(2), threading.Barrier(2)
    outcomes: list[str] = []
    first_check = services.display_name_taken

    def slow_check(name: str, **kwargs: Any) -> str | None:
        found = first_check(name, **kwargs)
        both_checked.wait(timeout=30)
        return found

    monkeypatch.setattr(services, "display_name_taken", slow_check)

    def sign_up(email: str, name: str) -> None:
        start.wait()
        try:
            services.join(email=email, display_name=name, password="a long pass phrase 42")
            outcomes.append("joined")
        except CommonshareError as error:
            outcomes.append(error.message)
        except Exception as error:
            outcomes.append(f"crashed: {error!r}")
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=sign_up, args=("one@example.org", "Ada Lovelace")),
        threading.Thread(target=sign_up, args=("two@example.org", "ADA LOVELACE")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert outcomes.count("joined") == 1, outcomes
    assert Member.objects.count() == 1
