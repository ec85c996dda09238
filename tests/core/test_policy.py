"""The policy's types and checks: a round trip that loses nothing, every problem at once."""

from __future__ import annotations

import copy
import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commonshare.core.policy import (
    DEFAULT_POLICY,
    PERIOD_MONTHS,
    Change,
    DiscussionPolicy,
    ExpensePolicy,
    PeriodPolicy,
    Policy,
    PolicyError,
    ReservePolicy,
    ResourcePolicy,
    ReviewPolicy,
    TrustPolicy,
    ValuationPolicy,
    canonical_json,
    check_policy,
    next_period_start,
    period_start,
    policy_diff,
    policy_from_dict,
    policy_sha256,
    policy_to_dict,
    version_start,
)
from commonshare.core.valuation.types import METHODS


def _decimals(high: int, places: int) -> st.SearchStrategy[Decimal]:
    return st.decimals(min_value=0, max_value=high, places=places, allow_nan=False)


_unit_names = st.text(
    alphabet=st.characters(codec="utf-8", categories=("L", "N", "Zs")), min_size=1, max_size=30
).filter(lambda name: name == name.strip() and bool(name))


@st.composite
def _trust(draw: st.DrawFn) -> TrustPolicy:
    days = sorted(draw(st.lists(st.integers(0, 1000), min_size=3, max_size=3)))
    reviewed = sorted(draw(st.lists(st.integers(0, 1000), min_size=3, max_size=3)))
    given_reviews = sorted(draw(st.lists(st.integers(0, 1000), min_size=2, max_size=2)))
    return TrustPolicy(
        level1_days=days[0],
        level1_reviewed_contributions=reviewed[0],
        level2_days=days[1],
        level2_reviewed_contributions=reviewed[1],
        level2_reviews_given=given_reviews[0],
        level3_days=days[2],
        level3_reviewed_contributions=reviewed[2],
        level3_reviews_given=given_reviews[1],
    )


policies = st.builds(
    Policy,
    valuation=st.builds(
        ValuationPolicy,
        method=st.sampled_from(METHODS),
        parameters=st.fixed_dictionaries(
            {},
            optional={
                "damping": st.floats(0, 1),
                "clusters": st.integers(1, 64),
                "aggregate": st.sampled_from(["median", "trimmed_mean"]),
            },
        ),
        effort_per_unit=st.fixed_dictionaries(
            {"work": _decimals(1000, 2), "deliverable": _decimals(1000, 2)}
        ),
    ),
    review=st.builds(
        ReviewPolicy,
        reviewers_per_contribution=st.integers(1, 20),
        redraw_reviewers_on_edit=st.booleans(),
    ),
    reserve=st.builds(ReservePolicy, share=_decimals(1, 4)),
    expenses=st.builds(
        ExpensePolicy,
        approvals=st.integers(1, 20),
        decision_above=st.dictionaries(
            st.sampled_from(["EUR", "USD", "JPY"]), _decimals(1_000_000, 2), max_size=2
        ),
    ),
    resources=st.builds(
        ResourcePolicy,
        prices=st.dictionaries(_unit_names, _decimals(1000, 4), max_size=4),
        default_price=_decimals(1000, 4),
        currency=st.sampled_from(["EUR", "USD", "JPY", "BHD"]),
    ),
    period=st.builds(PeriodPolicy, months=st.sampled_from(PERIOD_MONTHS)),
    trust=_trust(),
    discussion=st.builds(
        DiscussionPolicy,
        level0_per_day=st.integers(0, 1000),
        per_hour=st.integers(1, 1000),
        ugc_below_level=st.integers(0, 4),
    ),
)


@settings(max_examples=150)
@given(policies)
def test_a_policy_survives_its_dict_and_canonical_json(policy: Policy) -> None:
    data = policy_to_dict(policy)
    assert check_policy(data) == []
    assert policy_from_dict(data) == policy
    read_back = json.loads(canonical_json(data))
    assert policy_from_dict(read_back) == policy
    assert policy_sha256(policy_from_dict(read_back)) == policy_sha256(policy)
    assert canonical_json(policy_to_dict(policy_from_dict(read_back))) == canonical_json(data)


def test_the_same_share_written_two_ways_has_one_hash() -> None:
    one = policy_from_dict({"reserve": {"share": "0.10"}})
    other = policy_from_dict({"reserve": {"share": "0.1"}})
    assert policy_sha256(one) == policy_sha256(other)
    assert policy_sha256(one) != policy_sha256(policy_from_dict({"reserve": {"share": "0.2"}}))


def test_missing_rules_take_their_defaults() -> None:
    assert policy_from_dict({}) == DEFAULT_POLICY
    changed = policy_from_dict({"review": {"reviewers_per_contribution": 3}})
    assert changed.review == ReviewPolicy(reviewers_per_contribution=3)
    assert changed.reserve == DEFAULT_POLICY.reserve


# Field path -> values each of which breaks that rule (and no other).
BREAKERS: dict[str, list[Any]] = {
    "reserve.share": ["1.5", "-0.1", 0.1, "ten percent", None],
    "review.reviewers_per_contribution": [0, 21, "2", True, 2.0],
    "review.redraw_reviewers_on_edit": ["yes", 1],
    "expenses.approvals": [0, 21, 2.5, "two"],
    "expenses.decision_above": ["500", ["EUR"], 500],
    "period.months": [0, 5, 13, True],
    "resources.currency": ["XXX", "E", 3, "XAU"],
    "resources.default_price": [-1, 0.02, "free"],
    "valuation.method": ["best", ""],
    "valuation.parameters.damping": [2, "high"],
    "trust.level1_days": [-1, 1.5],
    "trust.level1_email_verified": ["yes", 1],
    "trust.level2_average_rating": ["6", 3.5, "good"],
    "trust.level3_review_agreement": ["1.2", "-0.1"],
    "trust.review_level": [5, -1, "1"],
    "trust.money_level": [True, 2.0],
}


def _broken(data: dict[str, Any], path: str, value: Any) -> None:
    *sections, key = path.split(".")
    target = data
    for name in sections:
        target = target[name]
    target[key] = value


@settings(max_examples=150)
@given(
    policies,
    st.lists(st.sampled_from(sorted(BREAKERS)), min_size=1, unique=True).flatmap(
        lambda paths: st.tuples(
            st.just(paths), st.tuples(*(st.sampled_from(BREAKERS[p]) for p in paths))
        )
    ),
)
def test_every_broken_rule_is_named_at_once(
    policy: Policy, broken: tuple[list[str], tuple[Any, ...]]
) -> None:
    paths, values = broken
    data = copy.deepcopy(policy_to_dict(policy))
    for path, value in zip(paths, values, strict=True):
        _broken(data, path, value)
    problems = check_policy(data)
    assert {p.field for p in problems} == set(paths)
    assert all(p.message and p.field not in p.message for p in problems)
    with pytest.raises(PolicyError) as raised:
        policy_from_dict(data)
    assert raised.value.problems == problems


def test_the_amount_for_a_decision_is_per_currency() -> None:
    problems = check_policy(
        {"expenses": {"decision_above": {"EUR": "500", "eur": "1", "USD": -1, "GBP": 2.5}}}
    )
    assert [p.field for p in problems] == [
        "expenses.decision_above.eur",
        "expenses.decision_above.USD",
        "expenses.decision_above.GBP",
    ]
    expenses = policy_from_dict({"expenses": {"decision_above": {"EUR": "500"}}}).expenses
    assert not expenses.needs_decision(Decimal("500"), "EUR")
    assert expenses.needs_decision(Decimal("500.01"), "EUR")
    assert expenses.needs_decision(Decimal("1"), "USD")  # no limit named for it
    assert not ExpensePolicy().needs_decision(Decimal("1000000"), "EUR")  # none set: never
    # Unset, it is not written: versions from before it keep their text and checksum.
    assert "decision_above" not in policy_to_dict(Policy())["expenses"]


def test_problems_read_as_sentences() -> None:
    problems = check_policy({"reserve": {"share": "2"}, "oops": {}, "review": {"size": 1}})
    assert [(p.field, p.message) for p in problems] == [
        ("reserve.share", "the reserve share must be between 0 and 1"),
        ("oops", "there is no policy section called 'oops'"),
        ("review.size", "the review section has no rule called 'size'"),
    ]
    assert check_policy([1, 2])[0].message == "a policy must be a JSON object with its sections"


def test_a_higher_trust_level_asks_at_least_as_much() -> None:
    problems = check_policy({"trust": {"level2_days": 3, "level3_reviews_given": 1}})
    assert {p.field for p in problems} == {"trust.level2_days", "trust.level3_reviews_given"}
    hours = check_policy({"trust": {"level3_reviewed_hours": 10}})
    assert [(p.field, p.message) for p in hours] == [
        (
            "trust.level3_reviewed_hours",
            "the reviewed hours trust level 3 asks cannot be fewer than level 2 asks",
        )
    ]


def test_a_stored_version_without_the_later_trust_rules_reads_their_defaults() -> None:
    stored = policy_to_dict(DEFAULT_POLICY)
    for rule in ("review_level", "level2_average_rating", "inactive_periods"):
        del stored["trust"][rule]
    assert policy_from_dict(stored) == DEFAULT_POLICY
    assert policy_to_dict(DEFAULT_POLICY)["trust"]["level2_average_rating"] == "3"


@settings(max_examples=300)
@given(
    st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2200, 1, 1)),
    st.sampled_from(PERIOD_MONTHS),
)
def test_a_new_version_waits_for_the_next_period(day: dt.date, months: int) -> None:
    period = PeriodPolicy(months=months)
    start = next_period_start(day, period)
    assert start > day
    assert start.day == 1 and period_start(start, period) == start
    # No period starts between the adoption day and the version taking effect.
    assert period_start(start - dt.timedelta(days=1), period) == period_start(day, period)
    assert period_start(day, period) <= day


def test_next_period_start_examples() -> None:
    month, quarter = PeriodPolicy(1), PeriodPolicy(3)
    assert next_period_start(dt.date(2026, 1, 1), month) == dt.date(2026, 2, 1)
    assert next_period_start(dt.date(2026, 12, 31), month) == dt.date(2027, 1, 1)
    assert next_period_start(dt.date(2026, 5, 3), quarter) == dt.date(2026, 7, 1)
    assert next_period_start(dt.date(2026, 10, 1), quarter) == dt.date(2027, 1, 1)


@settings(max_examples=300)
@given(
    st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2200, 1, 1)),
    st.sampled_from(PERIOD_MONTHS),
    st.sampled_from(PERIOD_MONTHS),
)
def test_a_change_of_period_length_starts_where_both_lengths_start(
    day: dt.date, old_months: int, new_months: int
) -> None:
    old, new = PeriodPolicy(months=old_months), PeriodPolicy(months=new_months)
    start = version_start(day, old, new)
    assert start > day
    # It begins a period under the old length and under the new one...
    assert period_start(start, old) == start and period_start(start, new) == start
    # ...and it is the first such day after ``day``: none lies between them.
    probe = next_period_start(day, old)
    while probe < start:
        assert period_start(probe, new) != probe
        probe = next_period_start(probe, old)
    # The same length changes nothing: the next period of it.
    assert version_start(day, old, old) == next_period_start(day, old)


def test_version_start_examples() -> None:
    month, quarter, half = PeriodPolicy(1), PeriodPolicy(3), PeriodPolicy(6)
    # Monthly to quarterly adopted in May: July, not 1 June in the middle of a quarter.
    assert version_start(dt.date(2026, 5, 1), month, quarter) == dt.date(2026, 7, 1)
    assert version_start(dt.date(2026, 5, 20), quarter, month) == dt.date(2026, 7, 1)
    assert version_start(dt.date(2026, 2, 3), PeriodPolicy(4), half) == dt.date(2027, 1, 1)
    assert version_start(dt.date(2026, 12, 31), month, month) == dt.date(2027, 1, 1)


def test_the_diff_lists_each_changed_rule() -> None:
    after = policy_from_dict(
        {"reserve": {"share": "0.2"}, "resources": {"prices": {"server hours": "0.05"}}}
    )
    assert policy_diff(DEFAULT_POLICY, after) == [
        Change("reserve.share", "0.1", "0.2"),
        Change("resources.prices.GB transferred", "0.01", None),
        Change("resources.prices.compute hours", "0.1", None),
    ]
    assert policy_diff(after, after) == []


def test_effort_and_prices_keep_their_meaning() -> None:
    policy = DEFAULT_POLICY
    assert policy.effort_of("work", Decimal("2.5")) == Decimal("2.5")
    assert policy.resource_price("server hours") == Decimal("0.05")
    assert policy.resource_price("lamp hours") == Decimal("0.02")


def test_a_challenge_window_lasts_at_least_a_day() -> None:
    problems = check_policy({"period": {"challenge_hours": 0}})
    assert [p.field for p in problems] == ["period.challenge_hours"]
    assert not check_policy({"period": {"challenge_hours": 24}})
