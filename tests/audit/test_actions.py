"""The action wrapper: one durable transaction, exactly one audit event, hooks after commit."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import transaction

from commonshare.audit import actions
from commonshare.audit.actions import ActionError, action
from commonshare.audit.models import AuditEvent
from commonshare.audit.services import record
from commonshare.community import services as community
from commonshare.community.models import Member
from commonshare.errors import InvalidInput


@action
def _rename(member: Member, name: str, *, events: int = 1) -> Member:
    Member.objects.filter(pk=member.pk).update(display_name=name)
    for _ in range(events):
        record("community.member.updated", member, actor=member)
    return member


@action
def _nested(member: Member) -> Member:
    return community.update_profile(member, display_name="Inner", bio="")


@action
def _says_unchanged_then_writes(member: Member) -> None:
    actions.unchanged()
    record("community.member.updated", member, actor=member)


@action
def _says_unchanged_but_wrote(member: Member) -> None:
    Member.objects.filter(pk=member.pk).update(display_name="Quietly")
    actions.unchanged()


@action
def _reads_through_the_shared_cache(member: Member) -> str:
    # as a power check inside an action refreshes a member's kept trust record
    from django.core.cache import cache

    cache.set(f"test.kept-name:{member.pk}", member.display_name)
    actions.unchanged()
    return str(cache.get(f"test.kept-name:{member.pk}"))


@action
def _refuses(member: Member) -> None:
    Member.objects.filter(pk=member.pk).update(display_name="Refused")
    record("community.member.updated", member, actor=member)
    raise InvalidInput("No.", field="name")


@pytest.fixture
def heard() -> Iterator[list[AuditEvent]]:
    events: list[AuditEvent] = []
    actions.subscribe(events.append)
    yield events
    actions.unsubscribe(events.append)


def _name(member: Member) -> str:
    return Member.objects.get(pk=member.pk).display_name


@pytest.mark.django_db
def test_an_action_commits_its_rows_with_one_event_then_tells_subscribers(
    make_member: Callable[..., Any],
    heard: list[AuditEvent],
    django_capture_on_commit_callbacks: Any,
) -> None:
    ada = make_member("Ada")
    with django_capture_on_commit_callbacks(execute=True) as queued:
        _rename(ada, "Ada L")
        assert heard == [], "subscribers run only after the commit"
    assert _name(ada) == "Ada L"
    assert len(queued) == 1
    assert [event.code for event in heard] == ["community.member.updated"]
    assert heard[0].pk == AuditEvent.objects.order_by("-id").first().pk


@pytest.mark.django_db
@pytest.mark.parametrize("events", [0, 2])
def test_zero_or_two_events_is_a_bug_that_rolls_everything_back(
    make_member: Callable[..., Any],
    heard: list[AuditEvent],
    django_capture_on_commit_callbacks: Any,
    events: int,
) -> None:
    ada = make_member("Ada")
    before = AuditEvent.objects.count()
    with (
        django_capture_on_commit_callbacks(execute=True) as queued,
        pytest.raises(ActionError, match=f"wrote {events} audit events"),
    ):
        _rename(ada, "Ada L", events=events)
    assert _name(ada) == "Ada"
    assert AuditEvent.objects.count() == before
    assert queued == [] and heard == []


@pytest.mark.django_db
def test_a_refused_action_writes_nothing_and_tells_nobody(
    make_member: Callable[..., Any],
    heard: list[AuditEvent],
    django_capture_on_commit_callbacks: Any,
) -> None:
    ada = make_member("Ada")
    before = AuditEvent.objects.count()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(InvalidInput):
        _refuses(ada)
    assert _name(ada) == "Ada"
    assert AuditEvent.objects.count() == before
    assert heard == []


@pytest.mark.django_db
def test_an_event_written_outside_any_action_is_refused_and_not_stored(
    make_member: Callable[..., Any],
) -> None:
    ada = make_member("Ada")
    before = AuditEvent.objects.count()
    with pytest.raises(ActionError, match="outside an action"):
        record("community.member.updated", ada, actor=ada)
    assert AuditEvent.objects.count() == before


@pytest.mark.django_db
def test_actions_do_not_nest(make_member: Callable[..., Any]) -> None:
    ada = make_member("Ada")
    with pytest.raises(ActionError, match="actions do not nest"):
        _nested(ada)
    assert _name(ada) == "Ada"


@pytest.mark.django_db(transaction=True)
def test_an_action_refuses_to_run_inside_a_callers_transaction(
    make_member: Callable[..., Any],
) -> None:
    """Durable: when an action returns, its write is committed, never left to a caller."""
    ada = make_member("Ada")
    with pytest.raises(RuntimeError, match="durable"), transaction.atomic():
        community.update_profile(ada, display_name="Ada L", bio="")
    assert _name(ada) == "Ada"


@pytest.mark.django_db
def test_an_unchanged_action_writes_no_event_but_may_not_write_one_after_saying_so(
    make_member: Callable[..., Any],
) -> None:
    from commonshare.work import services as work

    ada, _bo = make_member("Ada"), make_member("Bo")
    given = work.ContributionInput(kind="work", summary="Docs", hours="1", evidence_text="e")
    contribution = work.log_contribution(ada, given)
    before = AuditEvent.objects.count()
    assert work.edit_contribution(ada, contribution.pk, given).version == 1
    assert AuditEvent.objects.count() == before
    with pytest.raises(ActionError, match="after declaring it unchanged"):
        _says_unchanged_then_writes(ada)
    assert AuditEvent.objects.count() == before


@pytest.mark.django_db
def test_an_action_that_says_unchanged_may_not_have_written_rows(
    make_member: Callable[..., Any],
) -> None:
    ada = make_member("Ada")
    before = AuditEvent.objects.count()
    with pytest.raises(ActionError, match="declared it changed nothing but wrote rows"):
        _says_unchanged_but_wrote(ada)
    assert _name(ada) == "Ada"  # rolled back
    assert AuditEvent.objects.count() == before


@pytest.mark.django_db
def test_keeping_derived_data_in_the_shared_cache_is_no_change(
    make_member: Callable[..., Any],
) -> None:
    ada = make_member("Ada")
    before = AuditEvent.objects.count()
    assert _reads_through_the_shared_cache(ada) == "Ada"  # the cache's table, not a record
    assert AuditEvent.objects.count() == before


@pytest.mark.django_db
def test_a_failing_subscriber_neither_stops_the_others_nor_undoes_the_write(
    make_member: Callable[..., Any],
    heard: list[AuditEvent],
    django_capture_on_commit_callbacks: Any,
) -> None:
    def broken(event: AuditEvent) -> None:
        raise RuntimeError("mail server down")

    ada = make_member("Ada")
    actions.unsubscribe(heard.append)
    actions.subscribe(broken)
    actions.subscribe(heard.append)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            _rename(ada, "Ada L")
    finally:
        actions.unsubscribe(broken)
    assert _name(ada) == "Ada L"
    assert [event.code for event in heard] == ["community.member.updated"]


def test_the_registry_knows_each_action_by_its_dotted_name() -> None:
    name = "commonshare.community.services.join"
    assert actions.ACTIONS[name] is community.join
    assert actions.is_action(community.join)
    assert not actions.is_action(community.member_for_token)


@pytest.mark.django_db(transaction=True)
def test_a_subscriber_may_run_an_action_of_its_own_after_the_commit(
    make_member: Callable[..., Any], caplog: pytest.LogCaptureFixture
) -> None:
    """Outside a test's wrapping transaction the hooks run as the commit completes; the
    subscriber's action is a fresh one, with its own single event, not a nested one."""
    ada = make_member("Ada")
    codes: list[str] = []

    def follows(event: AuditEvent) -> None:
        codes.append(event.code)
        if len(codes) == 1:
            _rename(ada, "Renamed")  # an action of its own, from the hook

    actions.subscribe(follows)
    try:
        community.update_profile(ada, display_name="Ada L", bio="")
        assert _name(ada) == "Renamed"
        community.update_profile(ada, display_name="Ada M", bio="")  # another, in a row
    finally:
        actions.unsubscribe(follows)
    assert "do not nest" not in caplog.text
    assert _name(ada) == "Ada M"
    assert codes == ["community.member.updated"] * 3  # the profile, the rename, the profile
    assert AuditEvent.objects.filter(code="community.member.updated").count() == 3
