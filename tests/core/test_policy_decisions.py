"""The policy's decisions section: defaults, the dict form, and every problem named."""

from __future__ import annotations

from decimal import Decimal

from commonshare.core.policy import (
    DEFAULT_POLICY,
    check_policy,
    policy_from_dict,
    policy_to_dict,
)


def test_the_defaults_round_trip_through_the_dict_form() -> None:
    data = policy_to_dict(DEFAULT_POLICY)
    assert data["decisions"]["default_quorum"] == "0.25"
    assert policy_from_dict(data) == DEFAULT_POLICY
    assert policy_from_dict({}).decisions.default_quorum == Decimal("0.25")


def test_every_problem_is_named_with_its_field_path() -> None:
    problems = check_policy(
        {
            "decisions": {
                "default_quorum": "1.5",
                "propose_level": 9,
                "min_voting_days": 0,
                "lazy_consensus_days": True,
                "nonsense": 1,
            }
        }
    )
    fields = {p.field for p in problems}
    assert fields == {
        "decisions.default_quorum",
        "decisions.propose_level",
        "decisions.min_voting_days",
        "decisions.lazy_consensus_days",
        "decisions.nonsense",
    }
    assert all(p.message[0].islower() and "_" not in p.message.split(" ")[1] for p in problems)


def test_the_most_days_cannot_be_fewer_than_the_fewest() -> None:
    problems = check_policy({"decisions": {"min_voting_days": 10, "max_voting_days": 5}})
    assert [p.field for p in problems] == ["decisions.max_voting_days"]
