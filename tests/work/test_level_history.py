"""The trust-level history: a starting point, each change recorded once and told to its
member, shown on the member's page, in the API and by the command; run daily and after
the events that move levels."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from click.testing import CliRunner
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from tests.dates import live_today

from commonshare import worker
from commonshare.audit.models import AuditEvent
from commonshare.cli import main
from commonshare.community.models import Member
from commonshare.notifications import services as notifications
from commonshare.notifications import vocab
from commonshare.notifications.models import Mail, Notification
from commonshare.web import formatting
from commonshare.web.activity import describe_all
from commonshare.work import level_selectors, level_services, services, trust
from commonshare.work.models import Contribution, TrustLevelChange
from commonshare.work.services import ContributionInput

pytestmark = pytest.mark.django_db
TODAY = live_today(__name__)
CHANGED = "work.trust_level.changed"
STARTED = "work.trust_level.started"


@pytest.fixture
def people(make_member: Any) -> dict[str, Any]:
    """Nia, new and left to the real computation, with her e-mail verified long ago; two
    reviewers at level 2."""
    nia = make_member("Nia", level=None, email="nia@example.org")
    Member.objects.filter(pk=nia.pk).update(
        email_verified_at=timezone.now() - dt.timedelta(days=300)
    )
    nia.refresh_from_db()
    return {"nia": nia, "ra": make_member("Rev A"), "rb": make_member("Rev B")}


def _reviewed_work(author: Any) -> Contribution:
    done = services.log_contribution(
        author, ContributionInput(kind="work", summary="Docs", hours="2", evidence_text="e")
    )
    for assignment in done.assignments.all():
        services.submit_review(assignment.reviewer, done.pk, rating=4, comment="ok")
    return done


def _told(kind: str = vocab.TRUST_LEVEL_CHANGED) -> list[tuple[int, str]]:
    return list(Notification.objects.filter(kind=kind).values_list("recipient_id", "sentence"))


def test_the_first_look_records_everyone_as_a_starting_point_and_tells_nobody(
    people: dict[str, Any], site_subscribers: None, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        assert level_services.update_trust_levels() == 0
    rows = list(TrustLevelChange.objects.values_list("member_id", "level_from", "level_to"))
    assert sorted(rows) == sorted(
        [(people["nia"].pk, None, 0), (people["ra"].pk, None, 2), (people["rb"].pk, None, 2)]
    )
    [started] = AuditEvent.objects.filter(code=STARTED)
    assert started.data["members"] == 3
    assert not AuditEvent.objects.filter(code=CHANGED).exists()
    assert _told() == []
    # Nothing to show either: a starting point is no change.
    assert list(level_selectors.level_history(people["ra"])) == []


def test_earning_level_1_is_recorded_once_and_told_to_that_member_only(
    people: dict[str, Any], site_subscribers: None, django_capture_on_commit_callbacks: Any
) -> None:
    nia = people["nia"]
    with django_capture_on_commit_callbacks(execute=True):
        level_services.update_trust_levels()
    _reviewed_work(nia)  # its commit hooks never run: only the sweep sees the change
    assert trust.level_of(nia) == 1
    assert not TrustLevelChange.objects.filter(level_from__isnull=False).exists()

    with django_capture_on_commit_callbacks(execute=True):
        assert level_services.update_trust_levels() == 1
    [change] = level_selectors.level_history(nia)
    assert (change.level_from, change.level_to, change.on) == (0, 1, TODAY)
    [event] = AuditEvent.objects.filter(code=CHANGED)
    assert event.actor_id is None
    assert (event.data["member"], event.data["level_from"], event.data["level_to"]) == (
        nia.pk,
        0,
        1,
    )
    assert _told() == [
        (
            nia.pk,
            "Your trust level rose from 0 (new) to 1 (basic): you can now be drawn to review "
            "other members' work and vote on the rules and the norms.",
        )
    ]
    note = Notification.objects.get(kind=vocab.TRUST_LEVEL_CHANGED)
    assert note.link == f"/members/{nia.pk}/#levels"

    # A second run (or a second worker) records nothing and tells nobody again.
    with django_capture_on_commit_callbacks(execute=True):
        assert level_services.update_trust_levels() == 0
    assert TrustLevelChange.objects.filter(level_from__isnull=False).count() == 1
    assert AuditEvent.objects.filter(code=CHANGED).count() == 1
    assert len(_told()) == 1


def test_a_review_queues_the_change_of_its_author_for_the_worker(
    people: dict[str, Any], site_subscribers: None, django_capture_on_commit_callbacks: Any
) -> None:
    nia = people["nia"]
    with django_capture_on_commit_callbacks(execute=True):
        level_services.update_trust_levels()
        _reviewed_work(nia)  # each review's commit queues its author and reviewer
    # the request that reviewed did not wait for it; her powers already count the review
    assert list(level_selectors.level_history(nia)) == []
    assert trust.level_of(nia) == 1
    queued = DBTaskResult.objects.filter(task_path=f"{level_services.__name__}.record_levels_of")
    assert queued.exists() and all(nia.pk in task.args_kwargs["args"][0] for task in queued)
    with django_capture_on_commit_callbacks(execute=True):
        assert worker.drain() >= queued.count()  # the worker's queue (and the mail), no sweep
    assert [(c.level_from, c.level_to) for c in level_selectors.level_history(nia)] == [(0, 1)]
    assert [pk for pk, _ in _told()] == [nia.pk]


def test_before_the_first_look_an_event_records_nothing(
    people: dict[str, Any], site_subscribers: None, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        _reviewed_work(people["nia"])
    assert not TrustLevelChange.objects.exists()  # the daily run starts the history


def test_a_member_who_turned_the_kind_off_is_told_in_the_app_and_not_mailed(
    people: dict[str, Any], site_subscribers: None, django_capture_on_commit_callbacks: Any
) -> None:
    nia = people["nia"]
    notifications.set_preferences(nia, {vocab.TRUST_LEVEL_CHANGED: "off"})
    with django_capture_on_commit_callbacks(execute=True):
        level_services.update_trust_levels()
    _reviewed_work(nia)
    with django_capture_on_commit_callbacks(execute=True):
        level_services.update_trust_levels()
    note = Notification.objects.get(kind=vocab.TRUST_LEVEL_CHANGED)
    assert (note.recipient_id, note.delivery, note.mail_id) == (nia.pk, "off", None)
    assert not Mail.objects.filter(recipient=nia).exists()


def test_the_kind_has_a_plain_label_in_the_settings(people: dict[str, Any]) -> None:
    assert vocab.KINDS[vocab.TRUST_LEVEL_CHANGED] == "Your trust level rose or fell"
    nia = people["nia"]
    client = Client()
    client.force_login(nia)
    page = client.get("/notifications/settings/").content.decode()
    assert "Your trust level rose or fell" in page


def test_a_fall_says_what_is_no_longer_unlocked(
    people: dict[str, Any],
    trust_levels: Any,
    site_subscribers: None,
    django_capture_on_commit_callbacks: Any,
) -> None:
    ra = people["ra"]
    trust_levels({ra: 3})
    with django_capture_on_commit_callbacks(execute=True):
        level_services.update_trust_levels()
    trust_levels({ra: 1})
    with django_capture_on_commit_callbacks(execute=True):
        assert level_services.update_trust_levels() == 1
    assert _told() == [
        (
            ra.pk,
            "Your trust level fell from 3 (regular) to 1 (basic): you can no longer be drawn "
            "to approve expense claims and record and confirm money, and propose money "
            "actions and vote on them.",
        )
    ]
    # A rise that unlocks nothing by itself says so.
    assert level_selectors.change_sentence(3, 4).endswith(
        "It unlocks no new power by itself, and it counts toward the next level."
    )


def test_the_page_the_api_the_command_and_the_feed_show_the_history(
    people: dict[str, Any], site_subscribers: None, django_capture_on_commit_callbacks: Any
) -> None:
    nia = people["nia"]
    with django_capture_on_commit_callbacks(execute=True):
        level_services.update_trust_levels()
    _reviewed_work(nia)
    with django_capture_on_commit_callbacks(execute=True):
        level_services.update_trust_levels()

    page = Client().get(f"/members/{nia.pk}/").content.decode()
    assert "Level history" in page
    assert f"{formatting.day(TODAY)}: rose from level 0 to level 1" in page
    quiet = Client().get(f"/members/{people['ra'].pk}/").content.decode()
    assert "No change of level recorded yet." in quiet

    api = Client().get(f"/api/members/{nia.pk}/levels").json()
    assert [(row["level_from"], row["level_to"], row["on"]) for row in api["items"]] == [
        (0, 1, TODAY.isoformat())
    ]
    assert api["items"][0]["level_to_name"] == "basic"
    assert api["next"] is None
    assert Client().get("/api/members/999999/levels").status_code == 404

    runner = CliRunner()
    shown = runner.invoke(main, ["member", "levels", "nia@example.org"])
    assert shown.exit_code == 0, shown.output
    assert "rose from 0 (new) to 1 (basic)" in shown.output
    as_json = runner.invoke(main, ["member", "levels", "nia@example.org", "--json"])
    assert [(r["level_from"], r["level_to"]) for r in json.loads(as_json.output)] == [(0, 1)]

    [line] = describe_all(list(AuditEvent.objects.filter(code=CHANGED)))
    assert "trust level rose from 0 to 1" in str(line["sentence"])
    assert "Nia" in str(line["sentence"])
    home = Client().get("/activity/").content.decode()
    assert "trust level rose from 0 to 1" in home  # public, as the level on the profile is


def test_the_worker_runs_it_once_a_day() -> None:
    jobs = [job.run for job in worker.PERIODIC_JOBS]
    daily = [job for job in jobs if isinstance(job, worker.Daily)]
    assert level_services.update_trust_levels in [job.job for job in daily]

    calls: list[int] = []
    once = worker.daily(lambda: calls.append(1) or len(calls))
    assert once() == 1
    assert once() is None  # the same day: not again
    once.last_day = TODAY - dt.timedelta(days=1)
    assert once() == 2  # a new day
    assert calls == [1, 1]


def test_the_api_pages_the_history_at_the_same_cost_however_long(
    people: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    nia = people["nia"]
    start = timezone.now() - dt.timedelta(days=400)
    TrustLevelChange.objects.bulk_create(
        TrustLevelChange(
            member=nia, level_from=i % 2, level_to=(i + 1) % 2, on=TODAY, at=start + dt.timedelta(i)
        )
        for i in range(150)
    )
    client = Client()
    with django_assert_max_num_queries(2):  # the member, the page
        first = client.get(f"/api/members/{nia.pk}/levels?limit=100").json()
    assert len(first["items"]) == 100
    with django_assert_max_num_queries(2):
        rest = client.get(f"/api/members/{nia.pk}/levels?cursor={first['next']}").json()
    assert len(rest["items"]) == 50 and rest["next"] is None
    shown = [row["at"] for row in first["items"] + rest["items"]]
    assert shown == sorted(shown, reverse=True)  # newest first, each once
    assert len(set(shown)) == 150


def test_the_events_that_move_levels_name_the_members_concerned(people: dict[str, Any]) -> None:
    """The subscriber looks again at exactly the members an event may have moved: the
    stewards when the steward phase ends (their lent level ends), the member whose
    address was verified, and nobody for an event that moves no level."""
    ra, rb, nia = people["ra"], people["rb"], people["nia"]
    ended = AuditEvent(code="work.steward_phase.ended", data={"stewards": [ra.pk, rb.pk, "x"]})
    verified = AuditEvent(code="community.member.email_verified", target_id=str(nia.pk))
    other = AuditEvent(code="work.task.created", target_id="1")
    assert level_services._concerned_by(ended) == [ra.pk, rb.pk]
    assert level_services._concerned_by(verified) == [nia.pk]
    assert level_services._concerned_by(other) == []


def test_a_member_who_left_gets_no_change_recorded_nor_told(
    people: dict[str, Any], site_subscribers: None, django_capture_on_commit_callbacks: Any
) -> None:
    """The history is kept for current members only: one who left earns no new entry, and
    nobody may write one for them (there is no route; the sweep and the subscriber are the
    only writers)."""
    from commonshare.community import services as community

    nia = people["nia"]
    with django_capture_on_commit_callbacks(execute=True):
        level_services.update_trust_levels()
    _reviewed_work(nia)
    community.leave(nia)
    with django_capture_on_commit_callbacks(execute=True):
        assert level_services.update_trust_levels() == 0
        assert level_services.update_trust_levels([nia.pk]) == 0
    assert not TrustLevelChange.objects.filter(member=nia, level_from__isnull=False).exists()
    assert _told() == []
