"""``commonshare discussion …``: show, post, reply, edit, delete, and the forum's topics."""

from __future__ import annotations

from typing import Any

import pytest
from click.testing import CliRunner

from commonshare.audit.models import AuditEvent
from commonshare.cli import main
from commonshare.discussion.models import Comment

pytestmark = pytest.mark.django_db


def run(*args: str, member: str | None = None, code: int = 0) -> Any:
    env = {"COMMONSHARE_MEMBER": member} if member else {}
    result = CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)
    assert result.exit_code == code, result.output + (result.stderr or "")
    return result


@pytest.fixture
def people(make_member: Any) -> Any:
    from types import SimpleNamespace

    from commonshare.work import services as work

    ada = make_member("Ada", email="ada@example.org")
    ben = make_member("Ben", email="ben@example.org")
    task = work.create_task(ada, title="Write the guide", estimate_hours="3")
    return SimpleNamespace(ada=ada, ben=ben, task=task, subject=f"task-{task.pk}")


def test_a_thread_from_the_command_line(people: Any) -> None:
    assert "No comments on" in run("discussion", "show", people.subject).output
    posted = run(
        "discussion", "post", people.subject, "Who has it, @Ben? Ask @Nobody.",
        member="ada@example.org",
    )  # fmt: skip
    first = Comment.objects.get()
    assert f"Posted comment {first.pk} on {people.subject}." in posted.output
    assert "no one member is called @Nobody" in posted.output
    run("discussion", "reply", str(first.pk), "I have it.", member="ben@example.org")
    run("discussion", "edit", str(first.pk), "Who has it?", member="ada@example.org")
    shown = run("discussion", "show", people.subject).output
    assert f"#{first.pk} Ada, " in shown
    assert "(edited)" in shown
    assert "    #" in shown and "I have it." in shown  # the reply, indented under it
    refused = run("discussion", "delete", str(first.pk), member="ben@example.org", code=2)
    assert "Only its author can delete a comment." in refused.stderr
    run("discussion", "delete", str(first.pk), member="ada@example.org")
    assert "[deleted by its author]" in run("discussion", "show", people.subject).output
    assert AuditEvent.objects.filter(code__startswith="discussion.", data__via="cli").count() == 4


def test_bad_input_exits_2_with_a_sentence(people: Any) -> None:
    empty = run("discussion", "post", people.subject, " ", member="ada@example.org", code=2)
    assert "error: Write a comment before posting: it is empty." in empty.stderr
    nothing = run("discussion", "show", "poem-3", code=2)
    assert "is not one" in nothing.stderr


def test_the_forum_from_the_command_line(people: Any) -> None:
    run(
        "discussion", "start-topic", "--title", "Welcome", "Say hello!",
        member="ada@example.org",
    )  # fmt: skip
    listed = run("discussion", "topics").output
    assert "Welcome (1 comment, last" in listed
    subject = listed.split(":")[0]
    run("discussion", "post", subject, "Hello!", member="ben@example.org")
    shown = run("discussion", "show", subject).output
    assert "Topic: Welcome" in shown
    assert "Hello!" in shown
