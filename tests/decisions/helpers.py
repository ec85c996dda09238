"""Shared set-up for the decisions tests: a proposal made now, and travelling past its close."""

from __future__ import annotations

import datetime as dt
from typing import Any

import time_machine
from django.utils import timezone

from commonshare.decisions import services


def make_proposal(proposer: Any, **terms: Any) -> Any:
    given: dict[str, Any] = {
        "title": "Raise the reserve",
        "body": "Keep more for lean months.",
        "kind": "other",
        "method": "majority",
        "voting_days": 3,
    }
    given.update(terms)
    return services.propose(proposer, **given)


def after_close(proposal: Any, *, extra: dt.timedelta = dt.timedelta(minutes=1)) -> Any:
    """Travel to just after the proposal's (current phase's) closing time."""
    from commonshare.decisions import selectors

    proposal.refresh_from_db()
    return time_machine.travel(selectors.deadline(proposal) + extra, tick=True)


def now() -> dt.datetime:
    return timezone.now()
