"""The steward phase: who holds level-2 powers in a new community, and its final end.

Members here join now (``services.join``), not long ago as ``make_member``'s do, because
a community that began long ago has run out of steward days already.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import pytest
import time_machine
from click.testing import CliRunner
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone
from tests.conftest import PASSWORD

from commonshare.audit.models import AuditEvent
from commonshare.community import services as community
from commonshare.core.policy import check_policy
from commonshare.errors import Conflict, InvalidInput
from commonshare.work import earned, steward, steward_services, trust
from commonshare.work.models import Steward, StewardPhaseEnd

pytestmark = pytest.mark.django_db
START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def _join(name: str) -> Any:
    return community.join(email=f"{name.lower()}@example.org", display_name=name, password=PASSWORD)


@pytest.fixture
def begun() -> Iterable[Any]:
    """A community that began at START, with four members who just joined."""
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def _earned_two(monkeypatch: pytest.MonkeyPatch, *members: Any) -> None:
    """Let ``members`` have earned level 2 (the real computation is the trust work's)."""
    ids = {m.pk for m in members}
    monkeypatch.setattr(
        earned,
        "earned_levels_of",
        lambda member_ids, *, on=None, may_lag=False: {i: 2 if i in ids else 0 for i in member_ids},
    )
    monkeypatch.setattr(
        earned, "earned_level_of", lambda member, *, on=None: 2 if member.pk in ids else 0
    )


def test_the_first_members_are_stewards_with_level_two_powers(begun: Any) -> None:
    ada, bo, cy, di = (_join(n) for n in ("Ada", "Bo", "Cy", "Di"))
    current = steward.phase()
    assert current.is_open and current.steward_ids == (ada.pk, bo.pk, cy.pk)
    assert [trust.level_of(m) for m in (ada, bo, cy, di)] == [2, 2, 2, 0]
    assert trust.levels_of([ada.pk, di.pk]) == {ada.pk: 2, di.pk: 0}
    assert trust.has_power(ada, trust.Power.MONEY) and not trust.has_power(di, trust.Power.MONEY)
    assert steward.holds_steward_role(ada) and not steward.holds_steward_role(di)
    community.leave(bo)
    assert trust.level_of(bo) == 0 and not steward.holds_steward_role(bo)


def test_stewards_powers_vanish_the_moment_the_days_pass_without_any_write(begun: Any) -> None:
    ada = _join("Ada")
    ends = START + dt.timedelta(days=90)
    assert steward.phase().ends_by == ends
    begun.move_to(ends - dt.timedelta(seconds=1))
    assert trust.level_of(ada) == 2
    begun.move_to(ends)
    assert trust.level_of(ada) == 0
    current = steward.phase()
    assert not current.is_open and current.reason == "days" and current.ended_at == ends
    assert not current.recorded and not StewardPhaseEnd.objects.exists()
    # Read for a day before the end, the phase was open; the end is final after it.
    assert steward.holds_steward_role(ada, on=START.date())
    assert trust.level_of(ada, on=ends.date()) == 0


def test_the_first_action_after_the_days_pass_records_the_end_in_the_audit_log(
    begun: Any, site_subscribers: None, django_capture_on_commit_callbacks: Any
) -> None:
    ada = _join("Ada")
    begun.move_to(START + dt.timedelta(days=91))
    with django_capture_on_commit_callbacks(execute=True):
        community.update_profile(ada, display_name="Ada L", bio="")
    end = StewardPhaseEnd.objects.get()
    assert (end.reason, end.ended_at) == ("days", START + dt.timedelta(days=90))
    event = AuditEvent.objects.get(code="work.steward_phase.ended")
    assert event.data["reason"] == "days" and event.data["stewards"] == [ada.pk]
    with django_capture_on_commit_callbacks(execute=True):
        community.update_profile(ada, display_name="Ada", bio="")
    assert AuditEvent.objects.filter(code="work.steward_phase.ended").count() == 1
    assert steward.phase().recorded


def test_a_departure_never_reopens_an_earned_end_not_yet_recorded(
    begun: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    ada, _, cy, di, ed = (_join(n) for n in ("Ada", "Bo", "Cy", "Di", "Ed"))
    _earned_two(monkeypatch, cy, di, ed)
    assert not steward.phase().is_open and trust.level_of(ada) == 0
    community.leave(ed)  # with nothing recorded yet, one of the three leaves
    assert not steward.phase().is_open and trust.level_of(ada) == 0


def test_enough_members_earning_level_two_ends_the_phase(
    begun: Any,
    monkeypatch: pytest.MonkeyPatch,
    site_subscribers: None,
    django_capture_on_commit_callbacks: Any,
) -> None:
    ada, bo, cy, di, ed = (_join(n) for n in ("Ada", "Bo", "Cy", "Di", "Ed"))
    _earned_two(monkeypatch, di, ed)
    assert steward.phase().is_open and steward.phase().earned_level2 == 2
    assert trust.level_of(ada) == 2 and trust.level_of(di) == 2
    _earned_two(monkeypatch, cy, di, ed)
    current = steward.phase()
    assert not current.is_open and current.reason == "earned" and current.earned_level2 == 3
    assert trust.levels_of([ada.pk, bo.pk, cy.pk, di.pk]) == {
        ada.pk: 0,
        bo.pk: 0,
        cy.pk: 2,
        di.pk: 2,
    }
    with django_capture_on_commit_callbacks(execute=True):
        community.update_profile(bo, display_name="Bo B", bio="")
    assert StewardPhaseEnd.objects.get().reason == "earned"
    # Once recorded, the end stays even if the earned levels fall back.
    _earned_two(monkeypatch)
    assert not steward.phase().is_open and trust.level_of(ada) == 0


def test_the_first_adopted_decision_ends_it_through_the_private_helper(begun: Any) -> None:
    ada = _join("Ada")
    with transaction.atomic():  # the decisions app calls it inside its own action
        end = steward_services._end_steward_phase("first_decision", 7)
    assert end is not None
    current = steward.phase()
    assert (current.is_open, current.reason, current.decision_number) == (
        False,
        "first_decision",
        7,
    )
    assert trust.level_of(ada) == 0
    assert "decision 7" in " ".join(steward.summary(current))
    with transaction.atomic():
        assert steward_services._end_steward_phase("closed_early", 8) is None
    with pytest.raises(InvalidInput):
        steward_services._end_steward_phase("because", None)


def test_a_policy_may_say_the_first_decision_does_not_end_it(begun: Any, adopt_rules: Any) -> None:
    adopt_rules(steward={"ends_at_first_decision": False})
    _join("Ada")
    with transaction.atomic():
        assert steward_services._end_steward_phase("first_decision", 1) is None
    assert steward.phase().is_open


def test_the_end_is_final_no_service_and_no_database_update_brings_it_back(
    begun: Any,
) -> None:
    ada = _join("Ada")
    with transaction.atomic():
        steward_services._end_steward_phase("closed_early", 3)
    with pytest.raises(Conflict):
        steward_services.name_stewards(["new@example.org"])
    assert steward_services.end_steward_phase() is None
    for sql in (
        "UPDATE work_stewardphaseend SET ended_at = %s",
        "DELETE FROM work_stewardphaseend WHERE %s IS NOT NULL",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [START + dt.timedelta(days=400)])
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO work_steward (email, named_at) VALUES (%s, %s)",
            ["sneaky@example.org", timezone.now()],
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        StewardPhaseEnd.objects.create(ended_at=timezone.now(), reason="days")
    assert StewardPhaseEnd.objects.get().decision_number == 3
    assert not Steward.objects.exists() and trust.level_of(ada) == 0


def test_named_stewards_hold_the_role_when_they_join_and_the_first_members_do_not(
    begun: Any,
) -> None:
    named = steward_services.name_stewards(["Founder@Example.org", "second@example.org"])
    assert [s.email for s in named] == ["founder@example.org", "second@example.org"]
    assert AuditEvent.objects.filter(code="work.steward.named").count() == 1
    ada = _join("Ada")
    founder = _join("Founder")
    # Someone who joined under the named address holds nothing until it is proven theirs.
    assert trust.level_of(ada) == 0 and trust.level_of(founder) == 0
    type(founder).objects.filter(pk=founder.pk).update(email_verified_at=timezone.now())
    assert trust.level_of(founder) == 2
    assert steward.phase().waiting == 1
    with pytest.raises(Conflict) as caught:
        steward_services.name_stewards(["late@example.org"])
    assert caught.value.field == "steward"
    assert steward_services.name_stewards(["second@example.org"]) == []
    with pytest.raises(InvalidInput):
        steward_services.name_stewards(["not an address"])


def test_init_names_stewards(begun: Any) -> None:
    from commonshare.cli import main

    result = CliRunner().invoke(
        main, ["init", "--steward", "ada@example.org", "--steward", "bo@example.org"]
    )
    assert result.exit_code == 0, result.output
    assert "Stewards named: ada@example.org, bo@example.org" in result.output
    assert steward.named_stewards() == ["ada@example.org", "bo@example.org"]
    shown = CliRunner().invoke(main, ["steward", "show"])
    assert shown.exit_code == 0 and "steward phase is open" in shown.output
    assert "Named at init: ada@example.org, bo@example.org" in shown.output


def test_the_api_and_the_policy_page_say_who_the_stewards_are_and_what_ends_it(
    begun: Any, client: Any
) -> None:
    ada = _join("Ada")
    body = client.get("/api/steward").json()
    assert body["is_open"] and body["stewards"] == [{"id": ada.pk, "display_name": "Ada"}]
    assert body["rules"]["ends_after_days"] == 90 and "email" not in str(body["stewards"])
    page = client.get("/policy/").text
    assert "The steward phase is open" in page and "Ada" in page
    assert "the steward role never comes back" in page
    with transaction.atomic():
        steward_services._end_steward_phase("closed_early", 2)
    body = client.get("/api/steward").json()
    assert (body["is_open"], body["reason"], body["decision_number"]) == (
        False,
        "closed_early",
        2,
    )
    page = client.get("/policy/").text
    assert "The steward phase ended on 2 March 2026" in page
    assert "No account has any power beyond its own trust level now" in page


def test_once_ended_the_policy_page_counts_no_trust_levels(
    begun: Any, client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every member's level is the slow part at scale: an ended phase needs none of it."""
    ada = _join("Ada")
    counted: list[int] = []
    real = earned.earned_levels_of

    def counting(member_ids: Any, *, on: Any = None) -> dict[int, int]:
        counted.append(1)
        return real(member_ids, on=on)

    monkeypatch.setattr(earned, "earned_levels_of", counting)
    assert "The steward phase is open" in client.get("/policy/").text
    assert counted  # while open, the count is what may end it
    assert steward.phase(count_levels=False).earned_level2 == 0  # open: still counted
    with transaction.atomic():
        steward_services._end_steward_phase("closed_early", 2)
    counted.clear()
    page = client.get("/policy/").text
    assert "The steward phase ended on 2 March 2026" in page and "Ada" in page
    assert not counted
    fast, full = steward.phase(count_levels=False), steward.phase()
    assert (fast.is_open, fast.reason, fast.ended_at, fast.steward_ids) == (
        full.is_open,
        full.reason,
        full.ended_at,
        full.steward_ids,
    )
    assert fast.earned_level2 is None and full.earned_level2 == 0
    assert trust.level_of(ada) == 0


def test_the_policy_checks_name_each_bad_steward_rule() -> None:
    problems = check_policy(
        {
            "steward": {
                "first_members": 0,
                "ends_at_level2_members": "3",
                "ends_at_first_decision": "yes",
                "ends_after_days": 99999,
                "forever": True,
            }
        }
    )
    assert {p.field for p in problems} == {
        "steward.first_members",
        "steward.ends_at_level2_members",
        "steward.ends_at_first_decision",
        "steward.ends_after_days",
        "steward.forever",
    }
    assert all(p.message and "_" not in p.message.split("'")[0] for p in problems)


@pytest.mark.django_db(transaction=True)
def test_the_end_is_recorded_by_the_real_commit_hook_not_inside_the_action_that_fired_it(
    begun: Any, site_subscribers: None, caplog: pytest.LogCaptureFixture
) -> None:
    """Outside a test's wrapping transaction the hooks run as the action's transaction
    commits: the subscriber's own action must not be taken for a nested one."""
    ada = _join("Ada")
    begun.move_to(START + dt.timedelta(days=91))
    community.update_profile(ada, display_name="Ada L", bio="")  # fires the subscriber
    community.update_profile(ada, display_name="Ada", bio="")  # and again, in a row
    assert "do not nest" not in caplog.text
    assert StewardPhaseEnd.objects.get().reason == "days"
    assert AuditEvent.objects.filter(code="work.steward_phase.ended").count() == 1
    assert AuditEvent.objects.filter(code="community.member.updated").count() == 2
