"""The quorum's base is counted at the close: the share of the members eligible then who
cast a ballot. A voter who left since counts neither among the eligible nor the ballots;
a secret ballot, which cannot be tied to its voter, keeps its voter in the base."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commonshare.community import services as community
from commonshare.decisions import selectors, services
from tests.decisions.helpers import after_close, make_proposal

pytestmark = pytest.mark.django_db


def _five(make_member: Any) -> list[Any]:
    return [make_member(name) for name in ("Alice", "Bob", "Carol", "Dan", "Eve")]


def test_ballots_of_members_who_left_before_the_close_do_not_meet_the_quorum(
    make_member: Any,
) -> None:
    alice, bob, carol, dan, _ = _five(make_member)
    proposal = make_proposal(alice, quorum="0.6")
    for voter in (bob, carol, dan):
        services.vote(voter, proposal.number, {"choice": "for"})
    # 3 of 5 would meet the quorum of 3; then two of the voters leave.
    community.leave(carol)
    community.leave(dan)
    with after_close(proposal):
        closed = services.close_decision(proposal.number)
    (phase,) = selectors.published(closed)["phases"]
    assert phase["eligible"] == 3  # Alice, Bob and Eve may vote at the close
    assert [b["voter"] for b in phase["ballots"]] == [bob.pk]
    assert sorted(b["voter"] for b in phase["set_aside"]) == sorted([carol.pk, dan.pk])
    assert closed.outcome == "no_quorum"
    assert "1 of 3 eligible members voted, fewer than the quorum of 2" in closed.statement
    assert selectors.recount(proposal.number).matches


def test_a_secret_ballot_keeps_its_departed_voter_in_the_base(make_member: Any) -> None:
    alice, bob, carol, dan, _ = _five(make_member)
    proposal = make_proposal(alice, quorum="0.6", secret=True)
    for voter in (bob, carol, dan):
        services.vote(voter, proposal.number, {"choice": "for"})
    community.leave(dan)
    with after_close(proposal):
        closed = services.close_decision(proposal.number)
    (phase,) = selectors.published(closed)["phases"]
    # Dan's ballot cannot be told apart: it stays, and so does Dan in the base.
    assert (phase["eligible"], len(phase["ballots"])) == (5, 3)
    assert closed.outcome == "passed"


CURRENT: list[int] = []  # the members not departed, across the property's examples


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(voted=st.sets(st.integers(0, 4)), left=st.sets(st.integers(0, 4)))
def test_the_quorum_counts_cast_ballots_of_those_eligible_at_the_close(
    make_member: Any, voted: set[int], left: set[int]
) -> None:
    """Property: the published base is the members eligible at the close, and the counted
    ballots are exactly the cast ones of those members (open ballots). The examples share
    one database, so the members of earlier examples who stayed are eligible too."""
    from commonshare.community.models import Member

    if not Member.objects.exists():
        CURRENT.clear()
    members = [make_member() for _ in range(5)]
    proposer = make_member()
    CURRENT.extend([*(m.pk for m in members), proposer.pk])
    proposal = make_proposal(proposer, quorum="0.5")
    for index in sorted(voted):
        services.vote(members[index], proposal.number, {"choice": "for"})
    for index in sorted(left):
        community.leave(members[index])
        CURRENT.remove(members[index].pk)
    with after_close(proposal):
        closed = services.close_decision(proposal.number)
    (phase,) = selectors.published(closed)["phases"]
    assert phase["eligible"] == len(CURRENT)
    counted = {b["voter"] for b in phase["ballots"]}
    assert counted == {members[i].pk for i in voted - left}
    assert {b["voter"] for b in phase.get("set_aside", [])} == {members[i].pk for i in voted & left}
    assert phase["tally"]["cast"] == len(counted)
    assert selectors.recount(proposal.number).matches
