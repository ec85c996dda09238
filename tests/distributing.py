"""Distributing in tests: a period must have ended and its challenge window closed.

``distribute`` proposes the period that contains the test's present day and closes the
lazy-consensus decision that carries it once its window is over (it posts at that close), by
moving the clock forward (``time_machine``, ticking): first to the
day after the period ends, then past the window. The clock stays there for the rest of the
test, so work logged afterwards falls in the next period, which the next call distributes;
the autouse fixture ``_back_to_the_present`` (``tests/conftest.py``) stops the travel.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import time_machine
from django.utils import timezone

TRAVELS: list[Any] = []


def travel_to(moment: dt.datetime) -> None:
    """Move the clock to ``moment`` (aware), ticking, until the test ends."""
    traveller = time_machine.travel(moment, tick=True)
    traveller.start()
    TRAVELS.append(traveller)


def back_to_the_present() -> None:
    while TRAVELS:
        TRAVELS.pop().stop()


def this_period() -> tuple[dt.date, dt.date]:
    """The first and last day of the period containing the (test's) present day."""
    from commonshare.core.policy import next_period_start, period_start
    from commonshare.governance.selectors import current_policy

    today = timezone.localdate()
    length = current_policy(at=today).period
    return period_start(today, length), next_period_start(today, length) - dt.timedelta(days=1)


def close_this_period() -> dt.date:
    """Move to noon of the day after the present period ends; return that period's start."""
    start, end = this_period()
    noon = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(12))
    travel_to(timezone.make_aware(noon))
    return start


def past_the_window(distribution: Any) -> None:
    travel_to(distribution.challenge_ends_at + dt.timedelta(minutes=1))


def propose(actor: Any, *, currency: str = "EUR", amount: Any = None) -> Any:
    """Close the present period and propose it (the window is left open)."""
    from commonshare.books.distribution import propose_distribution

    start = close_this_period()
    return propose_distribution(actor, period=start, currency=currency, amount=amount)


def close_its_decision(distribution: Any) -> Any:
    """Close the lazy consensus that carries ``distribution`` (anyone may, after its
    window) and return the distribution as it is then: posted, unless it was refused."""
    from commonshare.books.models import Distribution
    from commonshare.decisions.services import close_decision

    close_decision(distribution.decision_number)
    return Distribution.objects.get(pk=distribution.pk)


def distribute(actor: Any, *, currency: str = "EUR", amount: Any = None) -> Any:
    """Propose the present period and close its decision after the challenge window, with
    nobody objecting: it posts at that close."""
    proposal = propose(actor, currency=currency, amount=amount)
    past_the_window(proposal)
    return close_its_decision(proposal)
