"""A parent task is marked done while subtasks are open only when that is confirmed."""

from __future__ import annotations

from typing import Any

import pytest
from click.testing import CliRunner

from commonshare.audit.models import AuditEvent
from commonshare.cli import main
from commonshare.errors import Conflict
from commonshare.work import services
from commonshare.work.models import Task

pytestmark = pytest.mark.django_db


def _parent_with_subtasks(make_member: Any) -> tuple[Any, Task, Task, Task]:
    ada = make_member("Ada")
    parent = services.create_task(ada, title="Migrate hosting", estimate_hours="10")
    first = services.create_task(ada, title="Runbook", estimate_hours="1", parent_id=parent.pk)
    second = services.create_task(ada, title="Old node", estimate_hours="1", parent_id=parent.pk)
    services.claim_task(ada, parent.pk)
    return ada, parent, first, second


def test_open_subtasks_refuse_done_and_name_them(make_member: Any) -> None:
    ada, parent, first, second = _parent_with_subtasks(make_member)
    events = AuditEvent.objects.count()
    with pytest.raises(Conflict) as refused:
        services.complete_task(ada, parent.pk)
    assert refused.value.field == "confirm_open_subtasks"
    assert "“Runbook”" in refused.value.message and "“Old node”" in refused.value.message
    assert "2 subtasks are still open" in refused.value.message
    assert Task.objects.get(pk=parent.pk).status == Task.Status.CLAIMED
    assert AuditEvent.objects.count() == events  # nothing written

    # A done subtask no longer counts.
    services.claim_task(ada, first.pk)
    services.complete_task(ada, first.pk)
    with pytest.raises(Conflict, match="1 subtask is still open: “Old node”"):
        services.complete_task(ada, parent.pk)

    done = services.complete_task(ada, parent.pk, confirm_open_subtasks=True)
    assert done.status == Task.Status.DONE
    event = AuditEvent.objects.filter(code="work.task.completed").latest("id")
    assert event.data == {"open_subtasks": [second.pk]}


def test_no_open_subtasks_needs_no_confirmation(make_member: Any) -> None:
    ada, parent, first, second = _parent_with_subtasks(make_member)
    for sub in (first, second):
        services.claim_task(ada, sub.pk)
        services.complete_task(ada, sub.pk)
    assert services.complete_task(ada, parent.pk).status == Task.Status.DONE


def test_cli_task_done_takes_confirm(make_member: Any) -> None:
    ada, parent, _, _ = _parent_with_subtasks(make_member)
    env = {"COMMONSHARE_MEMBER": ada.email}
    refused = CliRunner().invoke(main, ["task", "done", str(parent.pk)], env=env)
    assert refused.exit_code == 2
    assert "“Runbook”" in refused.output + (refused.stderr or "")
    assert Task.objects.get(pk=parent.pk).status == Task.Status.CLAIMED
    done = CliRunner().invoke(main, ["task", "done", str(parent.pk), "--confirm"], env=env)
    assert done.exit_code == 0, done.output
    assert Task.objects.get(pk=parent.pk).status == Task.Status.DONE
