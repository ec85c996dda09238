"""Proposals, ballots and the close: the terms fixed, one ballot each, the carried action once."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction

from commonshare.audit.models import AuditEvent
from commonshare.decisions import selectors, services
from commonshare.decisions.models import Ballot, Proposal, SecretBallot, VoterRoll
from commonshare.errors import Conflict, Forbidden, InvalidInput
from commonshare.governance.models import PolicyVersion
from commonshare.governance.selectors import current_policy
from tests.decisions.helpers import after_close, make_proposal

pytestmark = pytest.mark.django_db


def _events(code: str) -> int:
    return AuditEvent.objects.filter(code=code).count()


def test_a_majority_vote_passes_and_its_tally_is_published(make_member: Any) -> None:
    alice, bob, carol = make_member("Alice"), make_member("Bob"), make_member("Carol")
    proposal = make_proposal(alice)
    assert proposal.number == 1
    services.vote(alice, 1, {"choice": "for"})
    services.vote(bob, 1, {"choice": "for"})
    services.vote(carol, 1, {"choice": "against"})
    with after_close(proposal):
        closed = services.close_decision(1)
    assert closed.stage == "closed"
    assert closed.outcome == "passed"
    assert "2 for" in closed.statement
    assert closed.review_on is not None
    phase = selectors.published(closed)["phases"][0]
    assert sorted(b["ballot"]["choice"] for b in phase["ballots"]) == ["against", "for", "for"]
    assert {b["name"] for b in phase["ballots"]} == {"Alice", "Bob", "Carol"}
    assert selectors.recount(1).matches


def test_a_ballot_can_change_until_the_close_and_never_after(make_member: Any) -> None:
    alice, bob = make_member("Alice"), make_member("Bob")
    proposal = make_proposal(alice)
    first = services.vote(bob, 1, {"choice": "for"})
    second = services.vote(bob, 1, {"choice": "against"})
    assert second.changed and not first.changed
    assert first.receipt != second.receipt
    assert Ballot.objects.filter(proposal=proposal).count() == 1
    assert VoterRoll.objects.filter(proposal=proposal).count() == 1
    with after_close(proposal):
        with pytest.raises(Conflict) as late:
            services.vote(bob, 1, {"choice": "for"})
        assert late.value.field == "ballot"
        assert "after the close" in late.value.message
        services.close_decision(1)
        with pytest.raises(Conflict) as closed:
            services.vote(bob, 1, {"choice": "for"})
        assert "closed" in closed.value.message
    assert json.loads(Ballot.objects.get().content) == {"choice": "against"}


def test_a_ballot_that_does_not_fit_the_method_is_refused_naming_the_field(
    make_member: Any,
) -> None:
    alice = make_member("Alice")
    make_proposal(alice, method="consent")
    before = _events("decisions.ballot.cast")
    with pytest.raises(InvalidInput) as refused:
        services.vote(alice, 1, {"ranking": ["a", "b"]})
    assert refused.value.field.startswith("ballot")
    assert "ranking" in " ".join(f"{f} {m}" for f, m in refused.value.problems)
    assert Ballot.objects.count() == 0
    assert _events("decisions.ballot.cast") == before


def test_score_voting_with_no_criteria_and_a_quorum_outside_0_to_1_are_refused(
    make_member: Any,
) -> None:
    alice = make_member("Alice")
    with pytest.raises(InvalidInput) as refused:
        make_proposal(alice, method="score", options=["Red", "Blue"], criteria=[], quorum="1.5")
    fields = {field for field, _ in refused.value.problems}
    assert "quorum" in fields
    assert any(f and f.startswith("criteria") for f in fields)
    messages = " ".join(m for _, m in refused.value.problems)
    assert "0 to 1" in messages
    assert Proposal.objects.count() == 0


def test_a_policy_change_that_fails_the_policy_check_lists_every_problem(
    make_member: Any,
) -> None:
    alice = make_member("Alice")
    make_member("Bo")
    with pytest.raises(InvalidInput) as refused:
        make_proposal(
            alice,
            kind="rules",
            effect_kind="policy_change",
            effect={"changes": {"reserve.share": "1.5", "review.reviewers_per_contribution": 0}},
        )
    fields = {field for field, _ in refused.value.problems}
    assert fields == {
        "effect.policy.reserve.share",
        "effect.policy.review.reviewers_per_contribution",
    }
    assert Proposal.objects.count() == 0


def test_a_passed_policy_change_is_adopted_once_from_the_next_period(make_member: Any) -> None:
    alice, bob = make_member("Alice"), make_member("Bob")
    proposal = make_proposal(
        alice,
        kind="rules",
        effect_kind="policy_change",
        effect={"changes": {"reserve.share": "0.2"}},
    )
    services.vote(alice, 1, {"choice": "for"})
    services.vote(bob, 1, {"choice": "for"})
    versions = PolicyVersion.objects.count()
    with after_close(proposal):
        closed = services.close_decision(1)
        with pytest.raises(Conflict):
            services.close_decision(1)
        assert services.close_due_decisions() == []
    assert PolicyVersion.objects.count() == versions + 1
    version = PolicyVersion.objects.order_by("-number").first()
    assert version is not None and version.adopted_by == "decision 1"
    assert version.valid_from > closed.closed_at.date()
    assert version.valid_from.day == 1
    assert current_policy(at=version.valid_from).reserve.share == 2 * current_policy().reserve.share
    assert "Adopted policy version" in closed.effect_note
    # One event for the close names it all: no policy event of its own.
    assert _events("decisions.proposal.closed") == 1
    assert _events("governance.policy.adopted") == 0


def test_a_rejected_policy_change_changes_nothing(make_member: Any) -> None:
    alice, bob = make_member("Alice"), make_member("Bob")
    proposal = make_proposal(
        alice,
        kind="rules",
        effect_kind="policy_change",
        effect={"changes": {"reserve.share": "0.2"}},
    )
    services.vote(bob, 1, {"choice": "against"})
    versions = PolicyVersion.objects.count()
    with after_close(proposal):
        closed = services.close_decision(1)
    assert closed.outcome == "rejected"
    assert PolicyVersion.objects.count() == versions
    assert closed.effect_note == ""


def test_closing_before_the_closing_time_is_refused(make_member: Any) -> None:
    alice = make_member("Alice")
    make_proposal(alice)
    with pytest.raises(Conflict) as early:
        services.close_decision(1)
    assert "closes at" in early.value.message
    assert Proposal.objects.get().stage == "open"


def test_the_terms_are_fixed_and_a_closed_decision_never_changes_in_the_database(
    make_member: Any,
) -> None:
    alice = make_member("Alice")
    proposal = make_proposal(alice)
    with pytest.raises(DatabaseError), transaction.atomic():
        Proposal.objects.filter(pk=proposal.pk).update(method="consent")
    with pytest.raises(DatabaseError), transaction.atomic():
        Proposal.objects.filter(pk=proposal.pk).delete()
    services.vote(alice, 1, {"choice": "for"})
    with after_close(proposal):
        services.close_decision(1)
    with pytest.raises(DatabaseError), transaction.atomic():
        Proposal.objects.filter(pk=proposal.pk).update(outcome="rejected")
    with pytest.raises(DatabaseError), transaction.atomic():
        Ballot.objects.filter(proposal=proposal).update(content="{}")
    late = make_member("Late")
    with pytest.raises(DatabaseError), transaction.atomic():
        VoterRoll.objects.create(proposal=proposal, member=late)
    assert connection.vendor in ("sqlite", "postgresql")


def test_secret_ballots_keep_who_voted_public_and_no_ballot_tied_to_a_voter(
    make_member: Any,
) -> None:
    alice, bob = make_member("Alice"), make_member("Bob")
    proposal = make_proposal(alice, secret=True)
    cast = services.vote(alice, 1, {"choice": "for"})
    bobs = services.vote(bob, 1, {"choice": "against"})
    # Another voter's receipt changes nothing: nobody replaces someone else's ballot.
    with pytest.raises(InvalidInput) as not_hers:
        services.vote(alice, 1, {"choice": "for"}, receipt=bobs.receipt)
    assert not_hers.value.field == "receipt"
    assert selectors.check_receipt(1, bobs.receipt).ballot == {"choice": "against"}
    columns = {f.name for f in SecretBallot._meta.get_fields()}
    assert columns == {"receipt_digest", "proposal", "phase", "content"}
    assert [m.display_name for m in selectors.voters(proposal)] == ["Alice", "Bob"]
    # Changing a secret ballot needs its receipt; the old receipt then stops working.
    with pytest.raises(Conflict) as no_receipt:
        services.vote(alice, 1, {"choice": "against"})
    assert no_receipt.value.field == "receipt"
    with pytest.raises(InvalidInput):
        services.vote(alice, 1, {"choice": "against"}, receipt="0" * 32)
    changed = services.vote(alice, 1, {"choice": "against"}, receipt=cast.receipt)
    assert not selectors.check_receipt(1, cast.receipt).found
    check = selectors.check_receipt(1, changed.receipt)
    assert check.found and check.ballot == {"choice": "against"} and not check.counted
    assert SecretBallot.objects.count() == 2
    with after_close(proposal):
        closed = services.close_decision(1)
    assert closed.outcome == "rejected"
    published = selectors.published(closed)["phases"][0]["ballots"]
    assert all(set(b) == {"receipt_digest", "ballot"} for b in published)
    assert selectors.check_receipt(1, changed.receipt).counted
    events = AuditEvent.objects.filter(code="decisions.ballot.cast")
    assert all("choice" not in json.dumps(e.data) for e in events)


def test_lazy_consensus_with_an_objection_becomes_a_majority_vote(make_member: Any) -> None:
    alice, bob, carol = make_member("Alice"), make_member("Bob"), make_member("Carol")
    proposal = make_proposal(alice, method="lazy_consensus")
    services.vote(bob, 1, {"position": "object", "reason": "Too soon."})
    with after_close(proposal):
        objected = services.close_decision(1)
    assert objected.stage == "runoff"
    assert objected.runoff_closes_at is not None
    assert "majority vote" in objected.statement
    with after_close(proposal, extra=-__import__("datetime").timedelta(hours=1)):
        services.vote(bob, 1, {"choice": "against"})
        services.vote(carol, 1, {"choice": "for"})
        services.vote(alice, 1, {"choice": "for"})
    with after_close(proposal):
        closed = services.close_decision(1)
    assert closed.stage == "closed" and closed.outcome == "passed"
    phases = selectors.published(closed)["phases"]
    assert [p["terms"]["method"] for p in phases] == ["lazy_consensus", "majority"]
    assert selectors.recount(1).matches


def test_lazy_consensus_with_no_objection_passes(make_member: Any) -> None:
    alice = make_member("Alice")
    proposal = make_proposal(alice, method="lazy_consensus")
    with after_close(proposal):
        closed = services.close_decision(1)
    assert closed.outcome == "passed"


def test_who_may_vote_is_the_trust_level_the_terms_fixed(make_member: Any) -> None:
    alice = make_member("Alice")
    make_member("Bo")  # someone besides the proposer who may vote on money
    fresh = make_member("Fresh", level=0)
    basic = make_member("Basic", level=1)
    make_proposal(alice, kind="rules", eligibility=1)
    with pytest.raises(Forbidden) as refused:
        services.vote(fresh, 1, {"choice": "for"})
    assert "trust level 1" in refused.value.message
    services.vote(basic, 1, {"choice": "for"})
    make_proposal(alice, kind="money", eligibility=2)
    with pytest.raises(Forbidden):
        services.vote(basic, 2, {"choice": "for"})
    with pytest.raises(InvalidInput) as low:
        make_proposal(alice, kind="money", eligibility=1)
    assert low.value.field == "eligibility"
    # Nor can a proposer narrow who votes on money or rules, shutting out objections.
    with pytest.raises(InvalidInput) as high:
        make_proposal(alice, kind="money", eligibility=4)
    assert high.value.field == "eligibility"
    with pytest.raises(InvalidInput) as quorum:
        make_proposal(alice, kind="money", eligibility=2, quorum="0")
    assert quorum.value.field == "quorum"
    with pytest.raises(Forbidden):
        make_proposal(fresh)
    with pytest.raises(Forbidden):
        make_proposal(basic, kind="money", eligibility=2)


def test_ranked_choice_chooses_and_records_its_rounds(make_member: Any) -> None:
    members = [make_member(f"M{i}") for i in range(5)]
    proposal = make_proposal(members[0], method="ranked_irv", options=["Red", "Blue", "Green"])
    for member, ranking in zip(
        members,
        [["Red", "Blue"], ["Red"], ["Blue", "Red"], ["Green", "Blue"], ["Blue"]],
        strict=True,
    ):
        services.vote(member, 1, {"ranking": ranking})
    with after_close(proposal):
        closed = services.close_decision(1)
    assert closed.outcome == "chosen"
    tally = selectors.final_tally(closed)
    assert tally is not None and tally["winner"] == "Blue" and tally["rounds"]


def test_a_recount_notices_a_published_tally_that_was_changed(make_member: Any) -> None:
    alice = make_member("Alice")
    proposal = make_proposal(alice)
    services.vote(alice, 1, {"choice": "for"})
    with after_close(proposal):
        services.close_decision(1)
    from commonshare.decisions import fixed

    fixed.set_guard(connection, install=False)
    try:
        data = json.loads(Proposal.objects.get().tally)
        data["phases"][0]["tally"]["outcome"] = "rejected"
        Proposal.objects.filter(pk=proposal.pk).update(tally=json.dumps(data))
    finally:
        fixed.set_guard(connection, install=True)
    assert not selectors.recount(1).matches
