"""``close_due_decisions``: every decision past its closing time is closed by its own close,
the earliest first; a second run, or one with nothing due, changes nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from click.testing import CliRunner
from django.utils import timezone

from commonshare.audit.models import AuditEvent
from commonshare.cli import main
from commonshare.decisions import services
from commonshare.decisions.models import Proposal
from tests import distributing
from tests.decisions.helpers import make_proposal

pytestmark = pytest.mark.django_db
START = dt.datetime(2026, 5, 4, 9, 0, tzinfo=dt.UTC)


def _state() -> list[tuple[int, str, str, str]]:
    return [(p.number, p.stage, p.outcome, p.tally) for p in Proposal.objects.order_by("number")]


def _three(make_member: Any) -> Any:
    """Decisions 1 (closes day 5), 2 (closes day 3) and 3 (closes day 10), made at START."""
    alice, bob = make_member("Alice"), make_member("Bob")
    with time_machine.travel(START, tick=False):
        make_proposal(alice, voting_days=5)
        make_proposal(alice, title="Second", voting_days=3)
        make_proposal(alice, title="Third", voting_days=10)
        services.vote(bob, 1, {"choice": "for"})
        services.vote(bob, 2, {"choice": "against"})
    return alice, bob


def test_it_closes_each_due_decision_once_the_earliest_closing_first(make_member: Any) -> None:
    _three(make_member)
    with time_machine.travel(START + dt.timedelta(days=6), tick=False):
        closed = services.close_due_decisions()
        assert [p.number for p in closed] == [2, 1]  # by closing time, not by number
        assert [p.outcome for p in closed] == ["rejected", "passed"]
        stages = dict(Proposal.objects.values_list("number", "stage"))
        assert stages == {1: "closed", 2: "closed", 3: "open"}
        events = AuditEvent.objects.filter(code="decisions.proposal.closed")
        assert [e.data["number"] for e in events.order_by("pk")] == [2, 1]
        before, count = _state(), AuditEvent.objects.count()
        assert services.close_due_decisions() == []
        assert _state() == before and AuditEvent.objects.count() == count


def test_the_workers_sweep_closes_them_with_nobody_at_the_keyboard(make_member: Any) -> None:
    """``commonshare worker`` runs the sweep each minute: due decisions close by themselves."""
    from commonshare import worker

    _three(make_member)
    with time_machine.travel(START + dt.timedelta(days=6), tick=False):
        done = worker.run_periodic_jobs()
    closed = done["close the decisions whose closing time has passed"]
    assert [p.number for p in closed] == [2, 1]  # type: ignore[attr-defined]
    assert dict(Proposal.objects.values_list("number", "stage")) == {
        1: "closed",
        2: "closed",
        3: "open",
    }


def test_it_never_closes_a_decision_before_its_time(make_member: Any) -> None:
    _three(make_member)
    with time_machine.travel(START + dt.timedelta(days=4), tick=False):
        # Looking back to day 2, nothing was due yet; looking ahead is not allowed.
        assert services.close_due_decisions(START + dt.timedelta(days=2)) == []
        ahead = services.close_due_decisions(START + dt.timedelta(days=30))
        assert [p.number for p in ahead] == [2]
    assert Proposal.objects.filter(stage="closed").count() == 1


def test_one_that_fails_stays_due_and_the_others_close(
    make_member: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _three(make_member)
    real = services.close_decision

    def breaks_on_two(number: int) -> Any:
        if number == 2:
            raise RuntimeError("the disk is full")
        return real(number)

    with time_machine.travel(START + dt.timedelta(days=6), tick=False):
        monkeypatch.setattr(services, "close_decision", breaks_on_two)
        assert [p.number for p in services.close_due_decisions()] == [1]
        assert Proposal.objects.get(number=2).stage == "open"
        monkeypatch.setattr(services, "close_decision", real)
        assert [p.number for p in services.close_due_decisions()] == [2]
    assert AuditEvent.objects.filter(code="decisions.proposal.closed").count() == 2


def test_an_objection_opens_the_vote_and_that_vote_is_closed_when_it_is_due(
    make_member: Any,
) -> None:
    alice, bob = make_member("Alice"), make_member("Bob")
    with time_machine.travel(START, tick=False):
        make_proposal(alice, method="lazy_consensus", voting_days=3)
        services.vote(bob, 1, {"position": "object", "reason": "Too soon."})
    with time_machine.travel(START + dt.timedelta(days=4), tick=False):
        [moved] = services.close_due_decisions()
        assert moved.stage == "runoff" and moved.runoff_closes_at is not None
        assert services.close_due_decisions() == []  # its vote is not due yet
        services.vote(alice, 1, {"choice": "for"})
        services.vote(bob, 1, {"choice": "for"})
        runoff_closes = moved.runoff_closes_at
    with time_machine.travel(runoff_closes + dt.timedelta(minutes=1), tick=False):
        [closed] = services.close_due_decisions()
    assert closed.stage == "closed" and closed.outcome == "passed"


def test_a_distributions_decision_closed_this_way_posts_the_distribution_once(
    make_member: Any,
) -> None:
    from commonshare.books.models import Distribution, JournalEntry
    from commonshare.work import services as work
    from commonshare.work.services import ContributionInput
    from tests.money import posted_income

    ada, bo = make_member("Ada"), make_member("Bo")
    done = work.log_contribution(
        ada, ContributionInput(kind="work", summary="Docs", hours="2", evidence_text="e")
    )
    work.submit_review(bo, done.pk, rating=5, comment="good")
    posted_income(
        bo, amount="100.00", currency="EUR", payer="P", description="d",
        received_on=timezone.localdate(),
    )  # fmt: skip
    proposed = distributing.propose(ada)
    assert services.close_due_decisions() == []  # the window is still open
    assert Distribution.objects.get(pk=proposed.pk).status == "proposed"
    distributing.past_the_window(proposed)
    [closed] = services.close_due_decisions()
    assert closed.number == proposed.decision_number and closed.outcome == "passed"
    assert Distribution.objects.get(pk=proposed.pk).status == "posted"
    source = f"distribution:{proposed.pk}"
    assert JournalEntry.objects.filter(source=source).count() == 1
    before, count = _state(), AuditEvent.objects.count()
    assert services.close_due_decisions() == []
    assert JournalEntry.objects.filter(source=source).count() == 1
    assert _state() == before and AuditEvent.objects.count() == count


def test_the_command_shows_its_progress_and_what_each_close_said(make_member: Any) -> None:
    _three(make_member)
    runner = CliRunner()
    with time_machine.travel(START + dt.timedelta(days=1), tick=False):
        idle = runner.invoke(main, ["decision", "close-due"])
    assert idle.exit_code == 0 and "No decision was due." in idle.output
    with time_machine.travel(START + dt.timedelta(days=6), tick=False):
        ran = runner.invoke(main, ["decision", "close-due"])
    assert ran.exit_code == 0, ran.output
    assert "Closing due decisions" in ran.output
    assert ran.output.index("Decision 2:") < ran.output.index("Decision 1:")
    assert "2 of 2 due closed." in ran.output
    assert Proposal.objects.filter(stage="closed").count() == 2
