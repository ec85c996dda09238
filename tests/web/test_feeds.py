"""The activity feeds: the community's, a member's, a task's and a decision's, on the web,
in the API and on the command line; what every feed leaves out; keyset paging."""

from __future__ import annotations

import json
import re
from types import SimpleNamespace
from typing import Any

import pytest
from click.testing import CliRunner
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commonshare.audit.models import AuditEvent
from commonshare.cli import main
from commonshare.community import services as community
from commonshare.decisions import services as decisions
from commonshare.discussion import services as discussion
from commonshare.web import feed
from commonshare.work import services as work
from tests.decisions.helpers import make_proposal

pytestmark = pytest.mark.django_db

CODE = re.compile(r"\b(books|work|community|decisions|discussion)\.[a-z_]+\.[a-z_]+\b")


def _items(page: str) -> str:
    """The list of lines on an activity page (what is between its <ol> tags)."""
    start = page.index('<ol class="activity">')
    return page[start : page.index("</ol>", start)]


@pytest.fixture
def votes(world: SimpleNamespace, make_member: Any) -> SimpleNamespace:
    """Cleo votes on an open decision and on a secret one; both are discussed."""
    cleo = make_member("Cleo")
    world.cleo = cleo
    world.open_vote = make_proposal(world.ada, title="Paint the door")
    world.secret_vote = make_proposal(world.ada, title="Choose a name", secret=True)
    decisions.vote(cleo, world.open_vote.number, {"choice": "for"})
    decisions.vote(cleo, world.secret_vote.number, {"choice": "against"})
    discussion.post_comment(cleo, f"proposal-{world.secret_vote.number}", "Why secret?")
    discussion.post_comment(world.ben, f"task-{world.task.pk}", "Nice chapter.")
    community.create_token(cleo, name="laptop")
    return world


def test_the_community_page_reads_in_sentences_with_links(votes: SimpleNamespace) -> None:
    page = Client().get(reverse("web:activity")).content.decode()
    lines = _items(page)
    assert 'Ada</a>\n      created the task <a href="' in lines
    assert "logged 2.5 hours of work on" in lines
    assert f'voted on <a href="{reverse("web:decision", args=[votes.open_vote.number])}"' in lines
    assert "commented on" in lines
    assert not CODE.search(page)
    assert 'rel="alternate" type="application/atom+xml" href="/activity/feed/"' in page


def test_no_feed_says_when_a_secret_ballot_was_cast(votes: SimpleNamespace) -> None:
    secret = votes.secret_vote.number
    secret_link = f'voted on <a href="{reverse("web:decision", args=[secret])}"'
    client = Client()
    pages = [
        reverse("web:home"),
        reverse("web:activity"),
        reverse("web:member_activity", args=[votes.cleo.pk]),
        reverse("web:decision_activity", args=[secret]),
    ]
    for url in pages:
        assert secret_link not in client.get(url).content.decode(), url
    # Its discussion still shows, and the open decision's ballot does.
    decision_page = client.get(pages[-1]).content.decode()
    assert "commented on" in decision_page
    assert "does not say when anyone voted" in decision_page
    member_page = client.get(pages[2]).content.decode()
    assert f'voted on <a href="{reverse("web:decision", args=[votes.open_vote.number])}"' in (
        member_page
    )
    api = client.get("/api/activity", {"member": votes.cleo.pk}).json()["items"]
    assert not [i for i in api if f"decision {secret}" in i["text"] and "voted" in i["text"]]
    assert [i for i in api if f"decision {votes.open_vote.number}" in i["text"]]
    atom = client.get(reverse("web:member_atom", args=[votes.cleo.pk])).content.decode()
    assert f"voted on decision {votes.open_vote.number}" in atom
    assert f"voted on decision {secret}" not in atom
    # The event is in the audit log all the same: only the feeds leave it out.
    assert AuditEvent.objects.filter(
        code="decisions.ballot.cast", target_id=str(votes.secret_vote.pk)
    ).exists()


def test_account_business_stays_out_of_the_feeds(votes: SimpleNamespace) -> None:
    assert AuditEvent.objects.filter(code="community.token.created").exists()
    for url in (reverse("web:activity"), reverse("web:member_activity", args=[votes.cleo.pk])):
        assert "key for the API" not in Client().get(url).content.decode()


def test_a_members_feed_is_what_they_did(votes: SimpleNamespace) -> None:
    page = Client().get(reverse("web:member_activity", args=[votes.ben.pk])).content.decode()
    lines = _items(page)
    names = set(re.findall(r'href="/members/\d+/">([^<]+)</a>', lines))
    assert names == {"Ben"}
    assert "reviewed" in lines and "commented on" in lines
    assert "What Ben did" in page
    assert f'href="/members/{votes.ben.pk}/activity/feed/"' in page
    member_page = Client().get(reverse("web:member", args=[votes.ben.pk])).content.decode()
    assert f'href="/members/{votes.ben.pk}/activity/"' in member_page


def test_a_tasks_feed_has_its_work_reviews_and_discussion(
    votes: SimpleNamespace, make_member: Any
) -> None:
    other = work.create_task(votes.cleo, title="Another task", estimate_hours="1")
    page = Client().get(reverse("web:task_activity", args=[votes.task.pk])).content.decode()
    lines = _items(page)
    assert "created the task" in lines and "claimed the task" in lines
    assert "logged 2.5 hours of work on" in lines
    assert "reviewed" in lines
    assert f'commented on <a href="/discussion/task-{votes.task.pk}/">task' in lines
    assert "Another task" not in lines and "joined the community" not in lines
    assert f"{other.pk}" not in re.findall(r"/tasks/(\d+)/", lines)
    task_page = Client().get(reverse("web:task", args=[votes.task.pk])).content.decode()
    assert f'href="/tasks/{votes.task.pk}/activity/"' in task_page


def test_a_decisions_feed_has_its_proposal_and_discussion(votes: SimpleNamespace) -> None:
    number = votes.open_vote.number
    page = Client().get(reverse("web:decision_activity", args=[number])).content.decode()
    lines = _items(page)
    assert "proposed" in lines and "voted on" in lines
    assert "Choose a name" not in lines and f"decision {votes.secret_vote.number}" not in lines
    decision_page = Client().get(reverse("web:decision", args=[number])).content.decode()
    assert f'href="/decisions/{number}/activity/"' in decision_page


@pytest.mark.parametrize(
    "url", ["/members/999999/activity/", "/tasks/999999/activity/", "/decisions/999999/activity/"]
)
def test_a_feed_of_nothing_is_a_404(db: Any, url: str) -> None:
    response = Client().get(url)
    assert response.status_code == 404
    assert "There is no" in response.content.decode() or "No " in response.content.decode()


def test_the_home_page_shows_the_newest_and_links_to_all(votes: SimpleNamespace) -> None:
    page = Client().get(reverse("web:home")).content.decode()
    assert page.count('<li id="event-') == min(feed.HOME_SIZE, feed.community().count())
    assert f'href="{reverse("web:activity")}">All activity</a>' in page
    assert 'type="application/atom+xml" href="/activity/feed/"' in page


def test_the_home_pages_lines_are_kept_until_the_next_event(make_member: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    ada = make_member("Ada")
    work.create_task(ada, title="Paint the meeting room", estimate_hours="1")
    assert "Paint the meeting room" in Client().get("/").content.decode()
    with CaptureQueriesContext(connection) as queries:
        Client().get("/")
    assert not [
        q for q in queries.captured_queries if "work_task" in q["sql"] and "IN (" in q["sql"]
    ]
    community.update_profile(
        ada,
        community.ProfileInput(
            display_name="Ada Lovelace",
            pronouns="",
            bio="",
            skills=[],
            links=[],
            time_zone="",
            availability="",
        ),
    )
    work.create_task(ada, title="Fix the bicycle rack", estimate_hours="1")
    page = Client().get("/").content.decode()
    assert "Fix the bicycle rack" in page
    assert "Ada Lovelace" in _items(page)


def test_pages_walk_every_event_once(make_member: Any) -> None:
    ada = make_member("Ada")
    for i in range(feed.PAGE_SIZE + 7):
        work.create_task(ada, title=f"Task number {i}", estimate_hours="1")
    expected = list(feed.community().values_list("id", flat=True))
    assert len(expected) > feed.PAGE_SIZE
    client, url, seen = Client(), reverse("web:activity"), []
    for _ in range(5):
        page = client.get(url).content.decode()
        seen += [int(n) for n in re.findall(r'<li id="event-(\d+)"', page)]
        older = re.search(r'<a href="([^"]+)" rel="next">', page)
        if older is None:
            break
        url = reverse("web:activity") + older.group(1).replace("&amp;", "&")
    assert seen == expected
    # And back: the newer link from the last page leads to the page before it.
    newer = re.search(r'<a href="([^"]+)" rel="prev">', page)
    assert newer is not None
    back = client.get(reverse("web:activity") + newer.group(1).replace("&amp;", "&"))
    assert re.findall(r'<li id="event-(\d+)"', back.content.decode())[0] == str(expected[0])


def test_a_forged_cursor_is_a_400(db: Any) -> None:
    response = Client().get(reverse("web:activity"), {"cursor": "bm9wZQ"})
    assert response.status_code == 400


# --- the API --------------------------------------------------------------------------------


def test_the_api_lists_sentences_with_filters(votes: SimpleNamespace) -> None:
    client = Client()
    everything = client.get("/api/activity").json()
    assert everything["items"] and all(not CODE.search(i["text"]) for i in everything["items"])
    first = everything["items"][0]
    assert set(first) == {"id", "when", "actor", "text", "html", "link"}
    assert first["text"].endswith(".")
    mine = client.get("/api/activity", {"member": votes.ben.pk}).json()["items"]
    assert mine and {i["actor"]["id"] for i in mine} == {votes.ben.pk}
    task = client.get("/api/activity", {"subject": f"task-{votes.task.pk}"}).json()["items"]
    assert {i["text"].split(" ", 1)[0] for i in task} == {"Ada", "Ben"}
    assert any("commented on task" in i["text"] for i in task)
    both = client.get(
        "/api/activity", {"subject": f"task-{votes.task.pk}", "member": votes.ben.pk}
    ).json()["items"]
    assert both and all(i["actor"]["id"] == votes.ben.pk for i in both)
    assert len(both) < len(task)
    decision = client.get(
        "/api/activity", {"subject": f"proposal-{votes.open_vote.number}"}
    ).json()["items"]
    assert any("voted on" in i["text"] for i in decision)


def test_the_api_pages_by_cursor(votes: SimpleNamespace) -> None:
    client = Client()
    every = [i["id"] for i in client.get("/api/activity").json()["items"]]
    first = client.get("/api/activity", {"limit": 3}).json()
    second = client.get("/api/activity", {"limit": 3, "cursor": first["next"]}).json()
    assert [i["id"] for i in first["items"] + second["items"]] == every[:6]


@pytest.mark.parametrize(
    ("query", "status", "field"),
    [
        ({"subject": "contribution-1"}, 422, "subject"),
        ({"subject": "task-999999"}, 404, None),
        ({"subject": "proposal-999999"}, 404, "number"),
        ({"member": 999999}, 404, None),
        ({"member": "ada"}, 422, None),
        ({"cursor": "bm9wZQ"}, 400, "cursor"),
    ],
)
def test_the_api_refuses_bad_filters(
    votes: SimpleNamespace, query: dict[str, Any], status: int, field: str | None
) -> None:
    response = Client().get("/api/activity", query)
    assert response.status_code == status, response.content
    if field is not None:
        assert field in response.content.decode()


# --- the command ----------------------------------------------------------------------------


def test_the_command_prints_one_sentence_a_line(votes: SimpleNamespace) -> None:
    result = CliRunner().invoke(main, ["activity", "--subject", f"task-{votes.task.pk}"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert any(line.endswith("Ada created the task Write the guide.") for line in lines)
    assert any("Ben commented on task" in line for line in lines)
    assert not CODE.search(result.output)
    mine = CliRunner().invoke(main, ["activity", "--member", str(votes.cleo.pk), "--json"])
    assert mine.exit_code == 0, mine.output
    assert "voted on decision" in mine.output
    assert f"voted on decision {votes.secret_vote.number}" not in mine.output


def test_the_command_refuses_an_unknown_subject(votes: SimpleNamespace) -> None:
    result = CliRunner().invoke(main, ["activity", "--subject", "norm-3"])
    assert result.exit_code == 2
    assert "task-N or proposal-N" in result.output


def test_the_page_the_api_and_the_command_show_the_same_events(votes: SimpleNamespace) -> None:
    for subject, page in (
        (f"task-{votes.task.pk}", reverse("web:task_activity", args=[votes.task.pk])),
        (
            f"proposal-{votes.open_vote.number}",
            reverse("web:decision_activity", args=[votes.open_vote.number]),
        ),
    ):
        shown = Client().get(page).content.decode()
        web = [int(n) for n in re.findall(r'<li id="event-(\d+)"', shown)]
        api = [i["id"] for i in Client().get("/api/activity", {"subject": subject}).json()["items"]]
        cli = CliRunner().invoke(main, ["activity", "--subject", subject, "--json"])
        assert cli.exit_code == 0, cli.output
        assert web and web == api == [row["id"] for row in json.loads(cli.output)], subject


# --- a property: every page holds what it may, once, in order -------------------------------

KINDS = ("public", "private", "secret ballot", "open ballot")


@pytest.fixture
def two_decisions(make_member: Any) -> SimpleNamespace:
    ada = make_member("Ada")
    return SimpleNamespace(
        ada=ada,
        open=make_proposal(ada, title="In the open"),
        secret=make_proposal(ada, title="In secret", secret=True),
    )


def _event(kind: str, found: SimpleNamespace) -> AuditEvent:
    if kind == "public":
        return AuditEvent(
            code="community.member.updated",
            actor=found.ada,
            target_type="community.member",
            target_id=str(found.ada.pk),
        )
    if kind == "private":
        return AuditEvent(
            code="community.token.created",
            actor=found.ada,
            target_type="community.apitoken",
            target_id="1",
        )
    proposal = found.secret if kind == "secret ballot" else found.open
    return AuditEvent(
        code="decisions.ballot.cast",
        actor=found.ada,
        target_type="decisions.proposal",
        target_id=str(proposal.pk),
        data={"number": proposal.number},
    )


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(kinds=st.lists(st.sampled_from(KINDS), max_size=30), size=st.integers(1, 8))
def test_the_pages_hold_each_shown_event_once_and_never_a_hidden_one(
    two_decisions: SimpleNamespace, kinds: list[str], size: int
) -> None:
    AuditEvent.objects.all().delete()
    made = AuditEvent.objects.bulk_create(_event(kind, two_decisions) for kind in kinds)
    shown = sorted(
        (e.pk for e, kind in zip(made, kinds, strict=True) if kind in ("public", "open ballot")),
        reverse=True,
    )
    seen: list[int] = []
    found = feed.page(feed.community(), size=size)
    while True:
        assert len(found.items) <= size
        seen += [line.id for line in found.items]
        secret = f"voted on decision {two_decisions.secret.number}."
        assert not [line for line in found.items if line.text.endswith(secret)]
        if found.next_cursor is None:
            break
        found = feed.page(feed.community(), cursor=found.next_cursor, size=size)
    assert seen == shown


@pytest.mark.django_db
def test_ones_notification_settings_are_nobodys_news(make_member: Any) -> None:
    """Choosing what is mailed writes an audit event (every write does); no feed shows it."""
    from commonshare.notifications import services as notifications

    ada = make_member("Ada")
    notifications.set_preferences(ada, {"mention": "daily"})
    written = AuditEvent.objects.filter(code="notifications.preferences.changed")
    assert written.count() == 1
    pk = written.get().pk
    shown = {line.id for line in feed.page(feed.community(), size=100).items}
    mine = {line.id for line in feed.page(feed.of_member(ada.pk), size=100).items}
    assert pk not in shown | mine
