"""Votes: a proposal you may vote on opened, and the sweep's "closes within a day"; the
sweep's jobs, each safe to run again."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from commonshare import worker
from commonshare.decisions import services as decisions
from commonshare.notifications import sweep, vocab
from commonshare.notifications.models import Notification
from tests.decisions.helpers import make_proposal

pytestmark = pytest.mark.django_db


def _told(kind: str) -> set[int]:
    return set(Notification.objects.filter(kind=kind).values_list("recipient_id", flat=True))


def test_the_members_who_may_vote_are_told_a_proposal_opened(
    ada: Any, bo: Any, cy: Any, committed: Any
) -> None:
    with committed():
        proposal = make_proposal(ada)
    assert _told(vocab.VOTE_OPENED) == {bo.pk, cy.pk}
    note = Notification.objects.filter(kind=vocab.VOTE_OPENED).first()
    assert note.link == f"/decisions/{proposal.number}/"
    assert "is open for your vote" in note.sentence


def test_the_sweep_tells_who_has_not_voted_once_that_a_vote_closes_within_a_day(
    ada: Any, bo: Any, cy: Any, committed: Any
) -> None:
    proposal = make_proposal(ada, voting_days=3)
    decisions.vote(bo, proposal.number, {"choice": "for"})
    assert sweep.closing_soon() == 0  # three days left
    with time_machine.travel(proposal.closes_at - dt.timedelta(hours=2)):
        assert sweep.closing_soon() == 1
        assert sweep.closing_soon() == 0  # told once
        worker.run_periodic_jobs()
    assert _told(vocab.VOTE_CLOSING) == {ada.pk, cy.pk}
    assert Notification.objects.filter(kind=vocab.VOTE_CLOSING).count() == 2


def test_a_failing_job_is_logged_and_the_others_still_run(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    ran: list[str] = []

    def broken() -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(
        worker,
        "PERIODIC_JOBS",
        [worker.Job("broken", broken), worker.Job("fine", lambda: ran.append("fine"))],
    )
    done = worker.run_periodic_jobs()
    assert ran == ["fine"]
    assert done["broken"] is None
    assert "the periodic job 'broken' failed" in caplog.text
