"""Marking a parent task done on the web: open subtasks are listed and must be confirmed."""

from __future__ import annotations

import re
from typing import Any

from django.test import Client
from django.urls import reverse

from commonshare.work import services
from commonshare.work.models import Task


def test_done_with_open_subtasks_asks_to_confirm(world: Any) -> None:
    ada = world.ada
    sub = services.create_task(ada, title="Proofread", estimate_hours="1", parent_id=world.task.pk)
    client = Client()
    client.force_login(ada)
    done_url = reverse("web:task_done", args=[world.task.pk])

    asked = client.post(done_url)
    page = asked.content.decode()
    assert asked.status_code == 200
    assert "while subtasks are open" in page
    assert reverse("web:task", args=[sub.pk]) in page and "Proofread" in page
    assert re.search(r'name="confirm_open_subtasks" value="yes"', page)
    assert Task.objects.get(pk=world.task.pk).status == Task.Status.CLAIMED

    confirmed = client.post(done_url, {"confirm_open_subtasks": "yes"})
    assert confirmed.status_code == 302
    assert Task.objects.get(pk=world.task.pk).status == Task.Status.DONE
    assert Task.objects.get(pk=sub.pk).status == Task.Status.OPEN


def test_done_without_subtasks_needs_no_confirmation(world: Any) -> None:
    client = Client()
    client.force_login(world.ada)
    response = client.post(reverse("web:task_done", args=[world.task.pk]))
    assert response.status_code == 302
    assert Task.objects.get(pk=world.task.pk).status == Task.Status.DONE
