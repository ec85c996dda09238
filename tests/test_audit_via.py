"""Every audit event says which door its write came in by: the web pages, the API or the CLI.

The CLI may act as any member (``--as``), so its events say ``via: cli``: the operator's power
shows in the audit log. The marker is inside ``data``, so it is part of the hashed chain.
"""

from __future__ import annotations

from typing import Any

import pytest
from click.testing import CliRunner
from django.test import Client

from commonshare.audit import chain as audit
from commonshare.audit.models import AuditEvent
from commonshare.cli import main

pytestmark = pytest.mark.django_db
TASK = {"title": "Write the guide", "estimate_hours": "3"}


def _task_created() -> AuditEvent:
    return AuditEvent.objects.get(code="work.task.created")


def test_a_cli_write_says_via_cli(make_member: Any) -> None:
    ada = make_member("Ada")
    result = CliRunner().invoke(
        main, ["task", "create", "Write the FAQ", "--estimate", "2", "--as", ada.email]
    )
    assert result.exit_code == 0, result.output
    event = _task_created()
    assert event.data["via"] == "cli"
    assert event.actor == ada
    assert list(audit.verify()) == []


def test_a_web_write_says_via_web(make_member: Any) -> None:
    client = Client()
    client.force_login(make_member("Ada"))
    response = client.post("/tasks/new/", TASK)
    assert response.status_code == 302
    assert _task_created().data["via"] == "web"


def test_an_api_write_says_via_api(make_member: Any) -> None:
    from commonshare.community import services

    _, token = services.create_token(make_member("Ada"), name="tests")
    response = Client().post(
        "/api/tasks", TASK, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert response.status_code == 201, response.content
    assert _task_created().data["via"] == "api"


def test_the_via_marker_is_hashed_with_the_event(make_member: Any) -> None:
    ada = make_member("Ada")
    CliRunner().invoke(main, ["task", "create", "FAQ", "--estimate", "1", "--as", ada.email])
    event = _task_created()
    AuditEvent.objects.filter(pk=event.pk).update(data={**event.data, "via": "web"})
    assert any(f"audit event {event.pk} was changed" in problem for problem in audit.verify())


def test_code_called_directly_writes_no_via(make_member: Any) -> None:
    make_member("Ada")
    joined = AuditEvent.objects.get(code="community.member.joined")
    assert "via" not in joined.data
