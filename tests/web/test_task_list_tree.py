"""The task list shows each task's first subtasks and links to the rest."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from commonshare.work import selectors
from commonshare.work.services import claim_task, create_task

pytestmark = pytest.mark.django_db


def test_the_list_shows_five_subtasks_open_first_and_counts_the_rest(make_member: Any) -> None:
    ada = make_member("Ada")
    goal = create_task(ada, title="Rebuild the shed", estimate_hours="20")
    steps = [
        create_task(ada, title=f"Step {n}", estimate_hours="1", parent_id=goal.pk)
        for n in range(1, 9)
    ]
    claim_task(ada, steps[0].pk)  # claimed work is listed after the open steps
    for step in steps[1:3]:
        create_task(ada, title=f"Part of {step.title}", estimate_hours="1", parent_id=step.pk)

    page = Client().get("/tasks/").content.decode()
    listed = re.findall(r">(Step \d)</a>", page)
    assert listed == ["Step 2", "Step 3", "Step 4", "Step 5", "Step 6"]
    assert "Part of Step 2" in page and "Part of Step 3" in page
    assert f'href="/tasks/{goal.pk}/#subtasks">3 more subtasks</a>' in page

    (node,) = selectors.task_forest().items
    assert (len(node.children), node.more) == (5, 3)
    assert [child.more for child in node.children] == [0] * 5


def test_one_more_subtask_is_said_in_the_singular(make_member: Any) -> None:
    ada = make_member("Ada")
    goal = create_task(ada, title="Rebuild the shed", estimate_hours="20")
    for n in range(6):
        create_task(ada, title=f"Step {n}", estimate_hours="1", parent_id=goal.pk)
    assert ">1 more subtask</a>" in Client().get("/tasks/").content.decode()
