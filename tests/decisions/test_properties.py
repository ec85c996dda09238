"""Hypothesis: nobody votes twice; a closed decision never changes; no policy change that a
decision adopts takes effect in the middle of a period."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.db import DatabaseError, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commonshare.core.policy import PERIOD_MONTHS, period_start
from commonshare.decisions import selectors, services
from commonshare.decisions.models import Ballot, Proposal, SecretBallot, VoterRoll
from commonshare.errors import CommonshareError
from commonshare.governance.models import PolicyVersion
from commonshare.governance.selectors import current_policy
from tests.decisions.helpers import after_close, make_proposal
from tests.policies import insert_version
from tests.transactions import held_open

SETTINGS = settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
CHOICES = ("for", "against", "abstain")

# (voter, choice, use the latest receipt when changing a secret ballot)
votes = st.lists(st.tuples(st.integers(0, 3), st.sampled_from(CHOICES), st.booleans()), max_size=12)


@pytest.mark.django_db
@SETTINGS
@given(secret=st.booleans(), casts=votes)
def test_nobody_votes_twice(make_member: Any, secret: bool, casts: list[Any]) -> None:
    with held_open():
        members = [make_member(f"V{i}") for i in range(4)]
        proposal = make_proposal(members[0], secret=secret)
        receipts: dict[int, str] = {}
        last: dict[int, str] = {}
        for index, choice, with_receipt in casts:
            member = members[index]
            try:
                with held_open():
                    cast = services.vote(
                        member,
                        proposal.number,
                        {"choice": choice},
                        receipt=receipts.get(index, "") if with_receipt else "",
                    )
            except CommonshareError:
                # Only a secret ballot changed without its receipt is refused.
                assert secret and index in receipts and not with_receipt
                continue
            receipts[index] = cast.receipt
            last[index] = choice
        roll = VoterRoll.objects.filter(proposal=proposal)
        assert roll.count() == len(set(roll.values_list("member", flat=True))) == len(last)
        stored = (
            SecretBallot.objects.filter(proposal=proposal)
            if secret
            else Ballot.objects.filter(proposal=proposal)
        )
        assert stored.count() == len(last)
        assert sorted(json.loads(b.content)["choice"] for b in stored) == sorted(last.values())
        transaction.set_rollback(True)


def _snapshot(proposal: Proposal) -> Any:
    row = Proposal.objects.filter(pk=proposal.pk).values().get()
    ballots = sorted(Ballot.objects.filter(proposal=proposal).values_list("content", flat=True))
    roll = sorted(VoterRoll.objects.filter(proposal=proposal).values_list("member", flat=True))
    return row, ballots, roll


attempts = st.lists(
    st.sampled_from(["vote", "close", "outcome", "terms", "ballot", "roll", "delete"]),
    min_size=1,
    max_size=6,
)


def _attempt(what: str, proposal: Proposal, member: Any) -> None:
    if what == "vote":
        services.vote(member, proposal.number, {"choice": "against"})
    elif what == "close":
        services.close_decision(proposal.number)
    else:
        with transaction.atomic():
            if what == "outcome":
                Proposal.objects.filter(pk=proposal.pk).update(outcome="tied", statement="x")
            elif what == "terms":
                Proposal.objects.filter(pk=proposal.pk).update(terms="{}")
            elif what == "ballot":
                Ballot.objects.filter(proposal=proposal).update(content="{}")
            elif what == "roll":
                VoterRoll.objects.create(proposal=proposal, member=member)
            else:
                Ballot.objects.filter(proposal=proposal).delete()


@pytest.mark.django_db
@SETTINGS
@given(choices=st.lists(st.sampled_from(CHOICES), min_size=1, max_size=3), tries=attempts)
def test_a_closed_decision_never_changes(
    make_member: Any, choices: list[str], tries: list[str]
) -> None:
    with held_open():
        members = [make_member(f"C{i}") for i in range(len(choices) + 1)]
        proposal = make_proposal(members[0])
        for member, choice in zip(members, choices, strict=False):
            services.vote(member, proposal.number, {"choice": choice})
        with after_close(proposal):
            services.close_decision(proposal.number)
            before = _snapshot(proposal)
            for what in tries:
                with pytest.raises((CommonshareError, DatabaseError)), held_open():
                    _attempt(what, proposal, members[-1])
                assert _snapshot(proposal) == before
        assert selectors.recount(proposal.number).matches
        transaction.set_rollback(True)


@pytest.mark.django_db
@SETTINGS
@given(
    months=st.sampled_from(PERIOD_MONTHS),
    new_months=st.sampled_from(PERIOD_MONTHS),
    offset=st.integers(0, 700),
)
def test_no_policy_change_takes_effect_mid_period(
    make_member: Any, months: int, new_months: int, offset: int
) -> None:
    with held_open():
        insert_version(period={"months": months})
        start = dt.datetime(2027, 1, 1, 9, tzinfo=dt.UTC) + dt.timedelta(days=offset)
        with time_machine.travel(start, tick=False):
            ada = make_member("Ada")
            make_member("Bo")  # someone besides the proposer who could object
            changes: dict[str, Any] = {"reserve.share": "0.25"}
            if new_months != months:
                changes["period.months"] = new_months
            proposal = make_proposal(
                ada, kind="rules", effect_kind="policy_change", effect={"changes": changes}
            )
            services.vote(ada, proposal.number, {"choice": "for"})
        with after_close(proposal, extra=dt.timedelta(days=offset % 5)):
            closed = services.close_decision(proposal.number)
            today = dt.date.today()  # noqa: DTZ011 - the service dates the version so
        version = PolicyVersion.objects.order_by("-number").first()
        assert version is not None and version.adopted_by == f"decision {closed.number}"
        assert version.valid_from > today
        old = current_policy(at=today).period
        new = current_policy(at=version.valid_from).period
        # It starts a period under the rules before it and under its own.
        assert period_start(version.valid_from, old) == version.valid_from
        assert period_start(version.valid_from, new) == version.valid_from
        # Every day from the start of the period it was adopted in keeps the rules of that
        # day: the new ones begin only with a new period.
        in_force = current_policy(at=today)
        assert in_force.reserve.share != Decimal("0.25")
        day = period_start(today, old)
        while day < version.valid_from:
            assert current_policy(at=day) == in_force
            day += dt.timedelta(days=7)
        transaction.set_rollback(True)
