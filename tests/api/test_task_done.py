"""POST /api/tasks/{id}/done with open subtasks: 409 unless confirm_open_subtasks=true."""

from __future__ import annotations

import pytest
from tests.api.conftest import ApiClient, assert_refused

from commonshare.work.models import Task

pytestmark = pytest.mark.django_db


def test_done_with_open_subtasks_needs_the_flag(as_alice: ApiClient) -> None:
    parent = as_alice.post("/tasks", {"title": "Launch", "estimate_hours": "10"}).json()
    as_alice.post("/tasks", {"title": "Guide", "estimate_hours": "3", "parent_id": parent["id"]})
    as_alice.post(f"/tasks/{parent['id']}/claim")
    body = assert_refused(as_alice.post(f"/tasks/{parent['id']}/done"), 409)
    assert body["field"] == "confirm_open_subtasks"
    assert "“Guide”" in body["detail"]
    assert Task.objects.get(pk=parent["id"]).status == Task.Status.CLAIMED
    assert_refused(
        as_alice.post(f"/tasks/{parent['id']}/done?confirm_open_subtasks=maybe"),
        422,
        "confirm_open_subtasks",
    )
    done = as_alice.post(f"/tasks/{parent['id']}/done?confirm_open_subtasks=true")
    assert done.status_code == 200
    assert done.json()["status"] == "done"
