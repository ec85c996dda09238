"""Consent, lazy consensus, simple majority and supermajority: worked cases."""

from __future__ import annotations

from decimal import Decimal

import pytest

from commonshare.core.decisions import (
    BallotError,
    Method,
    Outcome,
    Terms,
    TermsError,
    tally,
    tally_from_dict,
)

FOR = {"choice": "for"}
AGAINST = {"choice": "against"}
ABSTAIN = {"choice": "abstain"}
CONSENT = {"position": "consent"}


def objection(reason: str) -> dict[str, str]:
    return {"position": "object", "reason": reason}


def test_majority_passes_with_the_statement_of_the_brief() -> None:
    terms = Terms(Method.MAJORITY, quorum=Decimal("0.5"))
    result = tally(terms, [FOR] * 7 + [AGAINST] * 2 + [ABSTAIN], eligible=12)
    assert result.outcome is Outcome.PASSED
    assert result.counts == {"for": 7, "against": 2, "abstain": 1}
    assert (result.cast, result.eligible, result.quorum_needed) == (10, 12, 6)
    assert result.statement == (
        "Passed: 7 for, 2 against, 1 abstained; "
        "10 of 12 eligible members voted, more than the quorum of 6."
    )
    assert tally_from_dict(result.as_dict()) == result


def test_a_majority_tie_is_rejected() -> None:
    result = tally(Terms(Method.MAJORITY), [FOR, AGAINST, ABSTAIN], eligible=3)
    assert result.outcome is Outcome.REJECTED
    assert result.statement.startswith("Rejected: 1 for, 1 against, 1 abstained;")


def test_abstentions_count_for_the_quorum_but_not_the_result() -> None:
    terms = Terms(Method.MAJORITY, quorum=Decimal("0.5"))
    short = tally(terms, [FOR, ABSTAIN], eligible=6)
    assert short.outcome is Outcome.NO_QUORUM
    assert short.statement == (
        "No quorum: 2 of 6 eligible members voted, fewer than the quorum of 3, "
        "so nothing was decided."
    )
    enough = tally(terms, [FOR, ABSTAIN, ABSTAIN], eligible=6)
    assert enough.outcome is Outcome.PASSED
    assert "exactly the quorum of 3" in enough.statement


def test_the_quorum_rounds_up_to_whole_ballots() -> None:
    terms = Terms(Method.MAJORITY, quorum=Decimal("0.34"))
    assert tally(terms, [FOR], eligible=3).quorum_needed == 2
    assert tally(terms, [FOR, FOR], eligible=3).outcome is Outcome.PASSED


@pytest.mark.parametrize(
    ("fors", "againsts", "outcome"),
    [(2, 1, Outcome.PASSED), (1, 1, Outcome.REJECTED), (0, 0, Outcome.REJECTED)],
)
def test_supermajority_at_two_thirds(fors: int, againsts: int, outcome: Outcome) -> None:
    terms = Terms(Method.SUPERMAJORITY, threshold=Decimal("0.666"))
    ballots = [FOR] * fors + [AGAINST] * againsts + [ABSTAIN] * 3
    assert tally(terms, ballots, eligible=10).outcome is outcome


def test_supermajority_threshold_is_inclusive_and_exact() -> None:
    terms = Terms(Method.SUPERMAJORITY, threshold=Decimal("0.75"))
    assert tally(terms, [FOR] * 3 + [AGAINST], eligible=4).outcome is Outcome.PASSED
    result = tally(terms, [FOR] * 2 + [AGAINST], eligible=4)
    assert result.outcome is Outcome.REJECTED
    assert result.statement == (
        "Rejected: 2 for, 1 against, 0 abstained, so 66.6% of the 3 who took a side were "
        "for, below the threshold of 75%; 3 of 4 eligible members voted, and no quorum "
        "was set."
    )


def test_the_shown_share_never_seems_to_reach_a_threshold_it_missed() -> None:
    # 2 of 3 is 66.66..%: shown rounded down, below a threshold of 66.67%.
    terms = Terms(Method.SUPERMAJORITY, threshold=Decimal("0.6667"))
    missed = tally(terms, [FOR, FOR, AGAINST], eligible=3)
    assert missed.outcome is Outcome.REJECTED
    assert "so 66.66% of the 3 who took a side were for, below the threshold of 66.67%" in (
        missed.statement
    )
    reached = tally(
        Terms(Method.SUPERMAJORITY, threshold=Decimal("0.6666")), [FOR, FOR, AGAINST], eligible=3
    )
    assert reached.outcome is Outcome.PASSED
    assert "so 66.66% of the 3 who took a side were for, at least the threshold of 66.66%" in (
        reached.statement
    )
    nobody = tally(terms, [ABSTAIN], eligible=3)
    assert "abstained, so nobody took a side and the threshold of 66.67% was not reached;" in (
        nobody.statement
    )


def test_consent_is_blocked_by_one_reasoned_objection() -> None:
    terms = Terms(Method.CONSENT)
    passed = tally(terms, [CONSENT] * 4, eligible=5)
    assert passed.outcome is Outcome.PASSED
    assert passed.statement.startswith("Passed: 4 members consented and nobody objected;")
    blocked = tally(terms, [CONSENT] * 4 + [objection("It spends the reserve.")], eligible=5)
    assert blocked.outcome is Outcome.REJECTED
    assert blocked.objections == ("It spends the reserve.",)
    assert blocked.statement.startswith(
        "Rejected: 1 member objected, with a reason, and 4 members consented;"
    )


def test_lazy_consensus_needs_no_quorum_and_an_objection_sends_it_to_a_vote() -> None:
    terms = Terms(Method.LAZY_CONSENSUS, quorum=Decimal("0.9"))
    silent = tally(terms, [], eligible=30)
    assert silent.outcome is Outcome.PASSED
    assert silent.quorum_met
    assert "silence is consent" in silent.statement
    objected = tally(terms, [objection("b"), objection("a"), CONSENT], eligible=30)
    assert objected.outcome is Outcome.OBJECTED
    assert objected.objections == ("a", "b")
    assert "a majority vote follows with a fresh voting period" in objected.statement


def test_tally_refuses_bad_terms_and_ballots_naming_them() -> None:
    with pytest.raises(TermsError) as bad_terms:
        tally(Terms(Method.MAJORITY, quorum=Decimal("1.5")), [], eligible=1)
    assert [p.field for p in bad_terms.value.problems] == ["quorum"]
    with pytest.raises(BallotError) as bad_ballot:
        tally(Terms(Method.CONSENT), [CONSENT, {"ranking": ["a"]}], eligible=2)
    assert [p.field for p in bad_ballot.value.problems] == [
        "ballots.1.ranking",
        "ballots.1.position",
    ]
    with pytest.raises(ValueError, match="eligible"):
        tally(Terms(Method.MAJORITY), [FOR, FOR], eligible=1)
