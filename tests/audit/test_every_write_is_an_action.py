"""Nothing writes around the action wrapper.

Every public function of every ``commonshare.*.services`` module (found by walking the
package, so a new app's services are covered without editing this file), and of every
module holding an action (``books/distribution.py`` and the like), is either an action
or named below as a read with its reason. Each action, called with valid input, writes
exactly one audit event and hands it to the subscribers after the commit.
"""

from __future__ import annotations

import datetime as dt
import importlib
import importlib.util
import inspect
import pkgutil
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from tests.dates import live_today
from tests.distributing import close_this_period, propose

import commonshare
from commonshare.audit import actions
from commonshare.audit.models import AuditEvent

# Public functions of services modules that are not writes, each with its reason. Keyed by
# app and name (not module), so moving a function between an app's modules keeps its entry.
NOT_ACTIONS = {
    "audit.record": "the primitive every action writes its one event with",
    "community.token_digest": "a pure function of the raw token",
    "community.member_for_token": (
        "signs an API request in; it stamps the token's last use, bookkeeping too frequent "
        "and too private for the audit chain"
    ),
    "work.label": "the words a message uses for a field",
    "community.display_name_problem": "checks a display name against the rule; writes nothing",
    "community.display_name_taken": "reads whether another member holds a name; writes nothing",
    "books.settled_contributions": "reads what earlier distributions valued",
    "books.valuation_request": "reads the input a distribution would value",
    "books.earlier_reputation": "reads the last distribution's reputations",
    "books.resource_payments": "reads what lent resources would be paid",
    "work.record_end_when_due": (
        "the audit subscriber that calls the end_steward_phase action when a condition holds"
    ),
    "work.update_trust_levels": (
        "computes levels and records each change by its own record_level_change action"
    ),
    "work.levels_after": (
        "the audit subscriber that queues record_levels_of for the members an event concerns"
    ),
    "governance.policy_problems": "checks a policy's content; writes nothing",
    "decisions.close_due_decisions": "closes each due decision by its own close_decision action",
    "books.use_decision_door": (
        "registers, at start-up, how the decisions app carries a proposed distribution"
    ),
}


DECORATED = re.compile(r"^@action\b", re.MULTILINE)


def _write_modules() -> list[ModuleType]:
    """Modules named ``services``, modules whose source decorates with ``@action``, and
    every module holding a registered action once the site's entry points are loaded."""
    chosen = set()
    for found in pkgutil.walk_packages(commonshare.__path__, "commonshare."):
        if ".migrations" in found.name or found.ispkg:
            continue
        spec = importlib.util.find_spec(found.name)
        source = Path(spec.origin).read_text() if spec and spec.origin else ""
        if found.name.rsplit(".", 1)[-1] == "services" or DECORATED.search(source):
            chosen.add(found.name)
    for entry_point in ("commonshare.urls", "commonshare.cli", *sorted(chosen)):
        importlib.import_module(entry_point)
    chosen |= {
        name.rsplit(".", 1)[0] for name in actions.ACTIONS if name.startswith("commonshare.")
    }
    return [importlib.import_module(name) for name in sorted(chosen)]


def _key(module: str, name: str) -> str:
    return f"{module.split('.')[1]}.{name}"


def _public_functions(module: ModuleType) -> dict[str, Any]:
    return {
        name: value
        for name, value in vars(module).items()
        if not name.startswith("_")
        and inspect.isfunction(value)
        and inspect.unwrap(value).__module__ == module.__name__
    }


WRITE_MODULES = _write_modules()
OUR_ACTIONS = sorted(name for name in actions.ACTIONS if name.startswith("commonshare."))


def _installed_apps_with_services() -> set[str]:
    """Our apps in INSTALLED_APPS that have a ``services`` module: a new app joins by itself."""
    from django.conf import settings

    return {
        f"{app}.services"
        for app in settings.INSTALLED_APPS
        if app.startswith("commonshare.") and importlib.util.find_spec(f"{app}.services")
    }


def test_the_walk_finds_every_app_with_services() -> None:
    names = {module.__name__ for module in WRITE_MODULES}
    wanted = _installed_apps_with_services()
    assert {
        f"commonshare.{app}.services"
        for app in ("audit", "community", "work", "books", "governance")
    } <= wanted
    assert wanted <= names, f"the walk missed {sorted(wanted - names)}"


def test_every_public_function_of_a_services_module_is_an_action_or_a_named_read() -> None:
    unwrapped, listed = [], set()
    for module in WRITE_MODULES:
        for name, function in _public_functions(module).items():
            key = _key(module.__name__, name)
            if key in NOT_ACTIONS:
                listed.add(key)
                assert not actions.is_action(function), f"{key} is an action; unlist it"
            elif not actions.is_action(function):
                unwrapped.append(f"{module.__name__}.{name}")
    assert not unwrapped, (
        f"not actions: {unwrapped}. Decorate each write with @action "
        "(commonshare.audit.actions), or move a read to the app's selectors"
    )
    assert listed == set(NOT_ACTIONS), f"stale entries: {sorted(set(NOT_ACTIONS) - listed)}"


# --- every action, called with valid input -----------------------------------------------


@dataclass
class World:
    make_member: Callable[..., Any]
    ada: Any
    bo: Any
    cy: Any
    di: Any


TODAY = live_today(__name__)
Call = Callable[[], object]


def _work(world: World, **extra: Any) -> Any:
    from commonshare.work import services as work

    given = {"kind": "work", "summary": "Docs", "hours": "1.5", "evidence_text": "e"} | extra
    return work.log_contribution(world.ada, work.ContributionInput(**given))


def _pending_income(world: World, amount: str = "100.00") -> Any:
    from commonshare.books import services as books

    return books.record_income(
        world.bo,
        amount=amount,
        currency="EUR",
        payer="Acme",
        description="Support",
        received_on=TODAY,
    )


def _income(world: World, amount: str = "100.00") -> Any:
    """Income Bo recorded and Cy confirmed: in the books."""
    from commonshare.books import services as books

    return books.confirm_income(world.cy, _pending_income(world, amount).pk)


def _member(world: World, pk: int) -> Any:
    return next(m for m in (world.ada, world.bo, world.cy, world.di) if m.pk == pk)


def _approved_expense(world: World) -> Any:
    """An expense claim by Ada, approved by as many peers as the policy asks."""
    from commonshare.books import services as books
    from commonshare.books.models import JournalEntry
    from commonshare.work import services as work

    claim = work.log_contribution(
        world.ada,
        work.ContributionInput(
            kind="expense",
            summary="Domain",
            amount="10.00",
            currency="EUR",
            receipt=SimpleUploadedFile("receipt.pdf", b"%PDF-1.4"),
        ),
    )
    for pk in claim.approvers:
        if JournalEntry.objects.filter(source=f"expense:{claim.pk}").exists():
            break
        books.decide_expense(_member(world, pk), claim.pk, verdict="approve")
    return claim


def _community(name: str, world: World) -> Call:  # noqa: PLR0911 - one branch per action
    from commonshare.community import services as community

    if name == "join":
        return lambda: community.join(
            email="new@example.org", display_name="New", password="a long pass phrase 42"
        )
    if name == "update_profile":
        return lambda: community.update_profile(world.ada, display_name="Ada L", bio="Hi")
    if name == "leave":
        return lambda: community.leave(world.ada)
    if name == "rejoin":
        community.leave(world.ada)
        return lambda: community.rejoin(world.ada)
    if name == "create_token":
        return lambda: community.create_token(world.ada, name="laptop")
    if name == "revoke_token":
        token, _raw = community.create_token(world.ada, name="laptop")
        return lambda: community.revoke_token(world.ada, token.pk)
    if name == "verify_email":
        from commonshare.community.tokens import uid_of, verification_tokens

        token = verification_tokens.make_token(world.ada)
        return lambda: community.verify_email(uid=uid_of(world.ada), token=token)
    if name == "reset_password":
        return lambda: community.reset_password(world.ada, password="a new pass phrase 43")
    return _avatars(name, world)


def _avatars(name: str, world: World) -> Call:
    import io

    from PIL import Image

    from commonshare.community import services as community

    def picture() -> io.BytesIO:
        out = io.BytesIO()
        Image.new("RGB", (8, 8), "teal").save(out, format="PNG")
        out.seek(0)
        return out

    if name == "set_avatar":
        return lambda: community.set_avatar(world.ada, picture())
    if name == "remove_avatar":
        community.set_avatar(world.ada, picture())
        return lambda: community.remove_avatar(world.ada)
    raise LookupError(name)


def _thanks(name: str, world: World) -> Call:
    from commonshare.work import recognition
    from commonshare.work import services as work

    logged = work.log_contribution(
        world.ada, work.ContributionInput(kind="work", summary="Docs", hours="1", evidence_text="e")
    )
    return lambda: recognition.thank(world.bo, contribution_id=logged.pk, note="Clear docs")


def _tasks(name: str, world: World) -> Call:
    from commonshare.work import services as work

    if name == "create_task":
        return lambda: work.create_task(world.ada, title="Write docs", estimate_hours="2")
    task = work.create_task(world.ada, title="Write docs", estimate_hours="2")
    if name == "claim_task":
        return lambda: work.claim_task(world.bo, task.pk)
    work.claim_task(world.bo, task.pk)
    if name == "release_task":
        return lambda: work.release_task(world.bo, task.pk)
    if name == "complete_task":
        return lambda: work.complete_task(world.bo, task.pk)
    raise LookupError(name)


def _contributions(name: str, world: World) -> Call:
    from commonshare.work import services as work

    if name == "log_contribution":
        return lambda: _work(world)
    contribution = _work(world)
    if name == "edit_contribution":
        changed = work.ContributionInput(kind="work", summary="Docs", hours="2", evidence_text="e")
        return lambda: work.edit_contribution(world.ada, contribution.pk, changed)
    if name == "submit_review":
        reviewer = contribution.assignments.order_by("rank").first().reviewer
        return lambda: work.submit_review(reviewer, contribution.pk, rating=4, comment="Good")
    raise LookupError(name)


def _books(name: str, world: World) -> Call:
    from commonshare.books import services as books
    from commonshare.work import services as work

    if name == "record_income":
        return lambda: _pending_income(world)
    if name == "confirm_income":
        pending = _pending_income(world)
        return lambda: books.confirm_income(world.cy, pending.pk)
    if name == "decide_expense":
        claim = work.log_contribution(
            world.ada,
            work.ContributionInput(
                kind="expense",
                summary="Domain",
                amount="10.00",
                currency="EUR",
                receipt=SimpleUploadedFile("receipt.pdf", b"%PDF-1.4"),
            ),
        )
        approver = _member(world, claim.approvers[0])
        return lambda: books.decide_expense(approver, claim.pk, verdict="approve")
    if name == "record_withdrawal":
        _income(world)
        _approved_expense(world)
        return lambda: books.record_withdrawal(
            world.bo, member_id=world.ada.pk, amount="10.00", currency="EUR", reference="TR-1"
        )
    if name in ("propose_distribution", "withdraw_distribution"):
        return _distribution_call(name, world)
    raise LookupError(name)


def _steward(name: str, world: World) -> Call:
    from commonshare.community import services as community
    from commonshare.work import steward_services

    if name == "end_steward_phase":
        # The world's members joined long ago: the phase's days have run out, unrecorded.
        return steward_services.end_steward_phase
    if name == "name_stewards":
        from tests.policies import insert_version

        # A community whose phase still has years to run and that nobody is a member of.
        insert_version(steward={"ends_after_days": 3650})
        for member in (world.ada, world.bo, world.cy, world.di):
            community.leave(member)
        return lambda: steward_services.name_stewards(["founder@example.org"])
    raise LookupError(name)


def _levels(name: str, world: World) -> Call:
    from commonshare.work import level_services

    if name == "start_level_history":
        return lambda: level_services.start_level_history({world.ada.pk: 2}, on=TODAY)
    if name == "record_level_change":
        return lambda: level_services.record_level_change(world.ada.pk, 1, on=TODAY)
    raise LookupError(name)


def _distribution_call(name: str, world: World) -> Call:
    from commonshare.books import distribution
    from commonshare.work import services as work

    contribution = _work(world)
    for assignment in contribution.assignments.all():
        work.submit_review(assignment.reviewer, contribution.pk, rating=5, comment="c")
    _income(world, "10.00")
    if name == "propose_distribution":
        start = close_this_period()
        return lambda: distribution.propose_distribution(world.bo, period=start, currency="EUR")
    proposal = propose(world.bo, currency="EUR")
    return lambda: distribution.withdraw_distribution(
        world.bo, proposal.pk, reason="Income is missing"
    )


def _confirmations(name: str, world: World) -> Call:
    """The second person's step, and the withdrawal's answer by its payee."""
    from commonshare.books import services as books

    if name in ("confirm_withdrawal", "dispute_withdrawal", "resolve_withdrawal"):
        _income(world)
        _approved_expense(world)
        sent = books.record_withdrawal(
            world.bo, member_id=world.ada.pk, amount="10.00", currency="EUR", reference="TR-1"
        )
        if name == "confirm_withdrawal":
            return lambda: books.confirm_withdrawal(world.ada, sent.pk)
        if name == "resolve_withdrawal":
            books.dispute_withdrawal(world.ada, sent.pk, reason="Nothing arrived")
            return lambda: books.resolve_withdrawal(
                world.di, sent.pk, outcome="paid", reason="The statement shows it"
            )
        return lambda: books.dispute_withdrawal(world.ada, sent.pk, reason="Nothing arrived")
    if name == "request_reversal":
        _income(world)
        return lambda: books.request_reversal(world.bo, 1, reason="Recorded twice")
    if name == "confirm_reversal":
        _income(world)
        asked = books.request_reversal(world.bo, 1, reason="Recorded twice")
        return lambda: books.confirm_reversal(world.cy, asked.pk)
    raise LookupError(name)


def _governance(name: str, world: World) -> Call:
    from commonshare.core.policy import DEFAULT_POLICY, policy_to_dict
    from commonshare.governance import services as governance

    if name == "adopt_policy":
        content = policy_to_dict(DEFAULT_POLICY)
        return lambda: governance.adopt_policy(content, adopted_by="a test")
    raise LookupError(name)


def _decisions(name: str, world: World) -> Call:
    import time_machine

    from commonshare.decisions import services as decisions

    def proposal() -> Any:
        return decisions.propose(
            world.ada,
            title="Raise the reserve",
            kind="rules",
            method="majority",
            quorum="0.25",
            effect_kind="policy_change",
            effect={"changes": {"reserve.share": "0.2"}},
        )

    if name == "propose":
        return proposal
    made = proposal()
    if name == "vote":
        return lambda: decisions.vote(world.bo, made.number, {"choice": "for"})
    if name == "close_decision":
        decisions.vote(world.bo, made.number, {"choice": "for"})

        def close() -> Any:
            with time_machine.travel(made.closes_at + dt.timedelta(minutes=1)):
                return decisions.close_decision(made.number)

        return close
    raise LookupError(name)


def _discussion(name: str, world: World) -> Call:
    from commonshare.discussion import services as discussion
    from commonshare.work import services as work

    task = work.create_task(world.ada, title="Talk about it", estimate_hours="1")
    subject = f"task-{task.pk}"
    if name == "post_comment":
        return lambda: discussion.post_comment(world.bo, subject, "Hello @Ada")
    if name == "start_topic":
        return lambda: discussion.start_topic(world.ada, "Welcome", "Say hello")
    made = discussion.post_comment(world.ada, subject, "First")
    if name == "edit_comment":
        return lambda: discussion.edit_comment(world.ada, made.comment.pk, "Second")
    if name == "delete_comment":
        return lambda: discussion.delete_comment(world.ada, made.comment.pk)
    raise LookupError(name)


def _notifications(name: str, world: World) -> Call:
    from commonshare.discussion import services as discussion
    from commonshare.notifications import fanout, services, tokens
    from commonshare.work import services as work

    if name == "set_preferences":
        return lambda: services.set_preferences(world.ada, {"mention": "daily"})
    if name == "unsubscribe":
        return lambda: services.unsubscribe(tokens.make(world.ada.pk, "mention"))
    task = work.create_task(world.bo, title="Talk about it", estimate_hours="1")
    discussion.post_comment(world.bo, f"task-{task.pk}", "Hello @Ada")
    fanout.on_event(AuditEvent.objects.get(code="discussion.comment.posted"))
    if name == "mark_read":
        from commonshare.notifications.models import Notification

        note = Notification.objects.get(recipient=world.ada)
        return lambda: services.mark_read(world.ada, note.pk)
    if name == "mark_all_read":
        return lambda: services.mark_all_read(world.ada)
    raise LookupError(name)


def _demo(name: str, world: World) -> Call:
    from commonshare.sample import note_generated

    _income(world)  # a journal with an entry: the event names its head

    def generated() -> None:
        note_generated({"members": 4, "income": 1})

    return generated


SCENARIOS: dict[str, Callable[[str, World], Call]] = {
    "community.join": _community,
    "community.update_profile": _community,
    "community.leave": _community,
    "community.rejoin": _community,
    "community.create_token": _community,
    "community.revoke_token": _community,
    "community.verify_email": _community,
    "community.reset_password": _community,
    "community.set_avatar": _community,
    "community.remove_avatar": _community,
    "work.thank": _thanks,
    "work.create_task": _tasks,
    "work.claim_task": _tasks,
    "work.release_task": _tasks,
    "work.complete_task": _tasks,
    "work.log_contribution": _contributions,
    "work.edit_contribution": _contributions,
    "work.submit_review": _contributions,
    "books.record_income": _books,
    "books.confirm_income": _books,
    "books.decide_expense": _books,
    "books.record_withdrawal": _books,
    "books.propose_distribution": _books,
    "books.withdraw_distribution": _books,
    "books.confirm_withdrawal": _confirmations,
    "books.dispute_withdrawal": _confirmations,
    "books.resolve_withdrawal": _confirmations,
    "books.request_reversal": _confirmations,
    "books.confirm_reversal": _confirmations,
    "governance.adopt_policy": _governance,
    "work.end_steward_phase": _steward,
    "work.name_stewards": _steward,
    "work.start_level_history": _levels,
    "work.record_level_change": _levels,
    "decisions.propose": _decisions,
    "decisions.vote": _decisions,
    "decisions.close_decision": _decisions,
    "discussion.post_comment": _discussion,
    "discussion.start_topic": _discussion,
    "discussion.edit_comment": _discussion,
    "discussion.delete_comment": _discussion,
    "sample.note_generated": _demo,
    "notifications.mark_read": _notifications,
    "notifications.mark_all_read": _notifications,
    "notifications.set_preferences": _notifications,
    "notifications.unsubscribe": _notifications,
}


@pytest.fixture
def world(make_member: Callable[..., Any]) -> World:
    return World(
        make_member, make_member("Ada"), make_member("Bo"), make_member("Cy"), make_member("Di")
    )


@pytest.fixture
def heard() -> Iterator[list[AuditEvent]]:
    events: list[AuditEvent] = []
    actions.subscribe(events.append)
    yield events
    actions.unsubscribe(events.append)


def test_every_action_has_a_valid_call_here() -> None:
    keys = {_key(name, name.rsplit(".", 1)[1]) for name in OUR_ACTIONS}
    assert keys, "no actions registered"
    assert not keys - set(SCENARIOS), (
        f"add a valid call to SCENARIOS for {sorted(keys - set(SCENARIOS))}"
    )
    assert not set(SCENARIOS) - keys, f"not actions any more: {sorted(set(SCENARIOS) - keys)}"


@pytest.mark.django_db
@pytest.mark.parametrize("name", OUR_ACTIONS)
def test_each_action_writes_exactly_one_audit_event_and_announces_it_after_commit(
    name: str,
    world: World,
    heard: list[AuditEvent],
    django_capture_on_commit_callbacks: Any,
) -> None:
    key = _key(name, name.rsplit(".", 1)[1])
    call = SCENARIOS[key](key.split(".", 1)[1], world)
    before = set(AuditEvent.objects.values_list("pk", flat=True))
    heard.clear()
    with django_capture_on_commit_callbacks(execute=True):
        call()
    written = list(AuditEvent.objects.exclude(pk__in=before))
    assert len(written) == 1, [event.code for event in written]
    assert written[0].code.startswith(key.split(".", 1)[0] + ".")
    assert [event.pk for event in heard] == [written[0].pk]
