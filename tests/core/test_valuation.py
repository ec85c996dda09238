"""Properties of every valuation method, plus worked examples."""

from __future__ import annotations

import random
from dataclasses import replace
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commonshare.core.money import to_minor
from commonshare.core.valuation import (
    METHODS,
    AllocationRequest,
    ContributionInput,
    MemberInput,
    ReviewInput,
    ValuationError,
    allocate,
)
from commonshare.core.valuation.rounding import tidy

FAST = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def communities(draw: st.DrawFn, min_members: int = 2, max_members: int = 9) -> AllocationRequest:
    n = draw(st.integers(min_members, max_members))
    members = [f"m{i}" for i in range(n)]
    n_c = draw(st.integers(0, 12))
    contributions = []
    for i in range(n_c):
        author = draw(st.sampled_from(members))
        effort = draw(st.integers(0, 4000)) * Decimal("0.01")
        contributions.append(ContributionInput(f"c{i}", author, "work", effort))
    reviews = []
    for c in contributions:
        others = [m for m in members if m != c.member]
        chosen = draw(st.lists(st.sampled_from(others), unique=True, max_size=min(4, len(others))))
        for reviewer in chosen:
            rating = draw(st.integers(0, 5))
            challenge = draw(
                st.one_of(st.none(), st.integers(0, 4000).map(Decimal("0.01").__mul__))
            )
            reviews.append(ReviewInput(reviewer, c.id, rating, challenge))
    currency, places = draw(st.sampled_from([("EUR", 2), ("JPY", 0), ("BHD", 3)]))
    amount = Decimal(draw(st.integers(0, 10**7))).scaleb(-places)
    return AllocationRequest(
        currency=currency,
        amount=amount,
        method="robust",
        seed=draw(st.text(max_size=5)),
        members=tuple(MemberInput(m) for m in members),
        contributions=tuple(contributions),
        reviews=tuple(reviews),
    )


def minor(result_amount: Decimal, currency: str) -> int:
    return to_minor(result_amount, currency)


@pytest.mark.parametrize("method", METHODS)
@FAST
@given(request=communities())
def test_payouts_and_remainder_sum_exactly_to_the_amount(
    method: str, request: AllocationRequest
) -> None:
    result = allocate(replace(request, method=method))
    total = sum(minor(p.amount, request.currency) for p in result.payouts)
    remainder = minor(result.remainder, request.currency)
    assert remainder >= 0
    assert all(p.amount >= 0 for p in result.payouts)
    assert total + remainder == minor(request.amount, request.currency)
    if method != "impartial" and any(c.value > 0 for c in result.contributions):
        assert remainder == 0


@pytest.mark.parametrize("method", METHODS)
@FAST
@given(request=communities(), order=st.randoms(use_true_random=False))
def test_same_input_in_any_order_gives_the_same_output(
    method: str, request: AllocationRequest, order: random.Random
) -> None:
    request = replace(request, method=method)
    shuffled = replace(
        request,
        members=tuple(order.sample(request.members, len(request.members))),
        contributions=tuple(order.sample(request.contributions, len(request.contributions))),
        reviews=tuple(order.sample(request.reviews, len(request.reviews))),
    )
    assert allocate(request).to_json() == allocate(shuffled).to_json()


@pytest.mark.parametrize("method", METHODS)
@FAST
@given(request=communities())
def test_zero_effort_or_all_zero_ratings_earn_nothing(
    method: str, request: AllocationRequest
) -> None:
    result = allocate(replace(request, method=method))
    ratings: dict[str, list[int]] = {}
    for review in request.reviews:
        ratings.setdefault(review.contribution, []).append(review.rating)
    worthless: dict[str, bool] = {}
    for c in request.contributions:
        zero = c.effort == 0 or not any(ratings.get(c.id, []))
        worthless[c.member] = worthless.get(c.member, True) and zero
    for p in result.payouts:
        if worthless.get(p.member, True):
            assert p.amount == 0, p.member


@pytest.mark.parametrize("method", METHODS)
def test_five_minutes_of_well_rated_work_earns_its_exact_pro_rata_part(method: str) -> None:
    members = [MemberInput(m) for m in ("ann", "ben", "cat", "dan", "eve")]
    contributions = [
        ContributionInput("short", "ann", "work", Decimal("0.083333")),  # ~5 minutes
        ContributionInput("long", "ben", "work", Decimal("0.916667")),
    ]
    reviews = [ReviewInput(r, c.id, 5) for c in contributions for r in ("cat", "dan", "eve")]
    result = allocate(
        AllocationRequest(
            currency="EUR",
            amount=Decimal("1200.00"),
            method=method,
            seed="x",
            members=tuple(members),
            contributions=tuple(contributions),
            reviews=tuple(reviews),
        )
    )
    pay = {p.member: p.amount for p in result.payouts}
    # exact: 1200 * 0.083333 / 1.0 = 99.9996 -> 99.99 (floor) or 100.00 (largest remainder)
    assert pay["ann"] in (Decimal("99.99"), Decimal("100.00"))
    assert pay["ann"] + pay["ben"] + result.remainder == Decimal("1200.00")
    assert pay["ann"] > 0


@pytest.mark.parametrize("method", ["mean", "robust"])
@FAST
@given(request=communities(min_members=3), data=st.data())
def test_splitting_a_member_into_accounts_does_not_raise_their_pay(
    method: str, request: AllocationRequest, data: st.DataObject
) -> None:
    """A member who writes no reviews splits into accounts that write none either: the split
    total is at most the merged total (plus at most one minor unit per extra account from
    largest-remainder rounding)."""
    request = replace(request, method=method)
    if not request.contributions:
        return
    victim = request.contributions[0].member
    accounts = data.draw(st.integers(2, 4))
    moved = []
    for i, c in enumerate(request.contributions):
        owner = f"{victim}~{i % accounts}" if c.member == victim else c.member
        moved.append(replace(c, member=owner))
    reviews = tuple(r for r in request.reviews if r.reviewer != victim)
    request = replace(request, reviews=reviews)
    members = (
        tuple(m for m in request.members if m.id != victim)
        + tuple(MemberInput(f"{victim}~{k}") for k in range(accounts))
        + (MemberInput(victim),)
    )
    split = allocate(replace(request, contributions=tuple(moved), members=members, reviews=reviews))
    merged = allocate(request)
    cur = request.currency
    merged_pay = sum(minor(p.amount, cur) for p in merged.payouts if p.member == victim)
    split_pay = sum(minor(p.amount, cur) for p in split.payouts if p.member.startswith(victim))
    assert split_pay <= merged_pay + (accounts - 1)


def test_impartial_is_consensual_for_four_members() -> None:
    """Reports that agree on shares (0.4, 0.3, 0.2, 0.1) return exactly those."""
    shares = {"a": 4, "b": 3, "c": 2, "d": 1}
    contributions = tuple(ContributionInput(f"c{m}", m, "work", Decimal(1)) for m in shares)
    reviews = tuple(
        ReviewInput(r, f"c{m}", rating) for m, rating in shares.items() for r in shares if r != m
    )
    result = allocate(
        AllocationRequest(
            currency="EUR",
            amount=Decimal("1000.00"),
            method="impartial",
            seed="paper",
            contributions=contributions,
            reviews=reviews,
        )
    )
    assert [(p.member, str(p.amount)) for p in result.payouts] == [
        ("a", "400.00"),
        ("b", "300.00"),
        ("c", "200.00"),
        ("d", "100.00"),
    ]
    assert result.remainder == 0


@FAST
@given(request=communities(min_members=2, max_members=12), data=st.data())
def test_impartial_own_reviews_never_change_own_pay(
    request: AllocationRequest, data: st.DataObject
) -> None:
    request = replace(
        request, method="impartial", policy={"clusters": data.draw(st.integers(1, 6))}
    )
    if not request.reviews:
        return
    m = data.draw(st.sampled_from(sorted({r.reviewer for r in request.reviews})))
    changed = tuple(
        replace(
            r,
            rating=data.draw(st.integers(0, 5)),
            effort=data.draw(
                st.one_of(st.none(), st.integers(0, 9000).map(Decimal("0.01").__mul__))
            ),
        )
        if r.reviewer == m
        else r
        for r in request.reviews
    )
    before = {p.member: p.amount for p in allocate(request).payouts}
    after = {p.member: p.amount for p in allocate(replace(request, reviews=changed)).payouts}
    assert before[m] == after[m]


def test_impartial_over_many_random_communities() -> None:
    rng = random.Random(20240501)
    for trial in range(150):
        n = rng.randint(3, 30)
        members = [f"m{i}" for i in range(n)]
        contributions = [
            ContributionInput(
                f"c{i}", rng.choice(members), "work", Decimal(rng.randint(1, 800)) / 100
            )
            for i in range(rng.randint(1, 40))
        ]
        reviews = []
        for c in contributions:
            for r in rng.sample([x for x in members if x != c.member], min(3, n - 1)):
                reviews.append(ReviewInput(r, c.id, rng.randint(0, 5)))
        request = AllocationRequest(
            currency="EUR",
            amount=Decimal("997.13"),
            method="impartial",
            seed=str(trial),
            contributions=tuple(contributions),
            reviews=tuple(reviews),
        )
        base = {p.member: p.amount for p in allocate(request).payouts}
        m = rng.choice(sorted({r.reviewer for r in reviews}))
        for _ in range(3):
            changed = tuple(
                replace(r, rating=rng.randint(0, 5), effort=Decimal(rng.randint(0, 900)) / 100)
                if r.reviewer == m
                else r
                for r in reviews
            )
            after = {
                p.member: p.amount for p in allocate(replace(request, reviews=changed)).payouts
            }
            assert after[m] == base[m], (trial, m)


@FAST
@given(request=communities(min_members=3))
def test_robust_no_reviewer_holds_more_than_the_cap(request: AllocationRequest) -> None:
    cap = Decimal("0.4")
    result = allocate(replace(request, policy={"reviewer_cap": 0.4}))
    for explanation in result.explanations.values():
        for line in explanation["contributions"]:
            # the cap binds once there are enough reviews to meet it (1 / cap of them)
            used = [r for r in line["reviews"] if r["used"] and Decimal(r["weight"]) > 0]
            bound = max(cap, Decimal(1) / max(len(used), 1))
            for review in line["reviews"]:
                assert Decimal(review["weight"]) <= bound + Decimal("1e-9")
            total = sum(Decimal(r["weight"]) for r in line["reviews"]) + Decimal(
                line["prior_weight"]
            )
            if any(r["used"] for r in line["reviews"]):
                assert abs(total - 1) < Decimal("1e-9")


def test_robust_effort_challenge_moves_accepted_effort() -> None:
    request = AllocationRequest(
        currency="EUR",
        amount=Decimal("100.00"),
        method="robust",
        contributions=(ContributionInput("c", "a", "work", Decimal(10)),),
        reviews=(
            ReviewInput("b", "c", 4, Decimal(4)),
            ReviewInput("d", "c", 4, Decimal(5)),
            ReviewInput("e", "c", 4, Decimal(6)),
        ),
    )
    value = allocate(request).contributions[0]
    assert value.accepted_effort == Decimal(5)
    half = allocate(replace(request, policy={"effort_challenge_weight": 0.5})).contributions[0]
    assert half.accepted_effort == Decimal("7.5")


def test_robust_reputation_grows_with_agreement_and_has_a_half_life() -> None:
    contributions = tuple(ContributionInput(f"c{i}", "a", "work", Decimal(1)) for i in range(3))
    reviews = tuple(ReviewInput(r, c.id, 4) for c in contributions for r in ("b", "d", "e"))
    reviews += tuple(ReviewInput("f", c.id, 0) for c in contributions)
    request = AllocationRequest(
        currency="EUR",
        amount=Decimal(10),
        method="robust",
        members=tuple(MemberInput(m, Decimal("0.5")) for m in "abdef"),
        contributions=contributions,
        reviews=reviews,
        policy={"half_life_periods": 1},
    )
    rep = allocate(request).reputation
    assert Decimal(rep["b"]) == Decimal("0.75")  # 0.5 * 0.5 + 0.5 * 1
    assert Decimal(rep["a"]) == Decimal("0.25")  # did not review: halves
    assert Decimal(rep["f"]) < Decimal(rep["b"])


@pytest.mark.parametrize("method", METHODS)
def test_explanation_recomputes_by_hand(method: str) -> None:
    rng = random.Random(7)
    members = [f"m{i}" for i in range(8)]
    contributions = [
        ContributionInput(f"c{i}", rng.choice(members), "work", Decimal(rng.randint(1, 50)) / 4)
        for i in range(20)
    ]
    reviews = [
        ReviewInput(r, c.id, rng.randint(1, 5))
        for c in contributions
        for r in rng.sample([x for x in members if x != c.member], 3)
    ]
    request = AllocationRequest(
        currency="EUR",
        amount=Decimal("500.00"),
        method=method,
        seed="s",
        contributions=tuple(contributions),
        reviews=tuple(reviews),
    )
    result = allocate(request)
    for p in result.payouts:
        e = result.explanations[p.member]
        assert e["payout"] == str(p.amount)
        values = [Decimal(line["value"]) for line in e["contributions"]]
        assert abs(sum(values, Decimal(0)) - Decimal(e["value"])) < Decimal("1e-9")
        for line in e["contributions"]:
            effort, rating = Decimal(line["accepted_effort"]), Decimal(line["rating"] or 0)
            assert abs(effort * rating / 5 - Decimal(line["value"])) < Decimal("1e-9")
            if method == "mean":
                ratings = [r["rating"] for r in line["reviews"]]
                assert abs(Decimal(line["rating"]) * len(ratings) - sum(ratings)) < Decimal("1e-9")
        if method == "impartial":
            assert p.amount * 100 == 50000 * e["value_exact"] // e["denominator_exact"]


def test_bad_input_names_record_and_field() -> None:
    request = AllocationRequest(
        currency="EUR",
        amount=Decimal("1.001"),
        method="robust",
        members=(MemberInput("a"), MemberInput("a")),
        contributions=(ContributionInput("c", "zed", "work", Decimal(1)),),
        reviews=(ReviewInput("a", "c", 7), ReviewInput("zed", "c", 3)),
        policy={"reviewer_cap": 2, "nonsense": 1},
    )
    with pytest.raises(ValuationError) as error:
        allocate(request)
    text = " | ".join(error.value.problems)
    for fragment in ("amount", "duplicate id", "unknown member 'zed'", "rating", "own work"):
        assert fragment in text


def test_policy_problems_are_listed() -> None:
    with pytest.raises(ValuationError) as error:
        allocate(
            AllocationRequest(currency="EUR", amount=Decimal(1), policy={"reviewer_cap": 2, "x": 1})
        )
    assert any("policy.reviewer_cap" in p for p in error.value.problems)
    assert any("policy.x" in p for p in error.value.problems)


def test_monitoring_finds_a_ring_and_a_sock_puppet() -> None:
    honest = [f"h{i}" for i in range(6)]
    ring = ["r1", "r2", "r3"]
    contributions = [
        ContributionInput(f"c-{m}-{k}", m, "work", Decimal(1))
        for m in honest + ring
        for k in range(2)
    ]
    reviews = []
    for c in contributions:
        for h in honest[:3]:
            if h != c.member:
                reviews.append(ReviewInput(h, c.id, 3))
        if c.member in ring:
            reviews.extend(ReviewInput(r, c.id, 5) for r in ring if r != c.member)
    target = [c for c in contributions if c.member == "h5"]
    reviews.extend(ReviewInput("puppet", c.id, 5) for c in target)
    reviews.append(ReviewInput("puppet", "c-h5-0x", 5)) if False else None
    extra = [ContributionInput(f"c-h5-extra{i}", "h5", "work", Decimal(1)) for i in range(2)]
    reviews.extend(ReviewInput("puppet", c.id, 5) for c in extra)
    reviews.extend(ReviewInput("h0", c.id, 3) for c in extra)
    result = allocate(
        AllocationRequest(
            currency="EUR",
            amount=Decimal(100),
            contributions=tuple(contributions + extra),
            reviews=tuple(reviews),
        )
    )
    rings = result.monitoring["rings"]
    assert [r["members"] for r in rings] == [ring]
    assert rings[0]["mean_rating_inside"] == "5"
    puppets = result.monitoring["sock_puppets"]
    assert [(p["account"], p["only_rates"]) for p in puppets] == [("puppet", "h5")]


def test_tidy_decimal_output() -> None:
    assert tidy(Decimal("4.0000000000")) == "4"
    assert tidy(Decimal("1E-8")) == "0.00000001"
    assert tidy(Decimal("1E+3")) == "1000"
    assert tidy(0.5) == "0.5"
    assert tidy(Decimal("-0.0")) == "0"


def test_trust_policy_keys_load_and_are_echoed() -> None:
    """Policies frozen by earlier versions (damping, trust_tolerance) resolve and are used."""
    result = allocate(
        AllocationRequest(
            currency="EUR", amount=Decimal(1), policy={"damping": 0.5, "trust_tolerance": 1e-6}
        )
    )
    assert result.policy["damping"] == 0.5
    assert result.policy["trust_weighting"] == "eigentrust"
    with pytest.raises(ValuationError) as bad:
        allocate(
            AllocationRequest(
                currency="EUR",
                amount=Decimal(1),
                policy={"trust_weighting": "pagerank", "damping": 2, "trust_max_iterations": 0},
            )
        )
    assert len(bad.value.problems) == 3


@FAST
@given(request=communities(min_members=3), order=st.randoms(use_true_random=False))
def test_robust_without_trust_keeps_the_properties(
    request: AllocationRequest, order: random.Random
) -> None:
    """``trust_weighting = "none"`` (weight = standing x reliability): exact sums, any input
    order, and the cap."""
    request = replace(request, policy={"trust_weighting": "none", "reviewer_cap": 0.4})
    result = allocate(request)
    cur = request.currency
    total = sum(minor(p.amount, cur) for p in result.payouts) + minor(result.remainder, cur)
    assert total == minor(request.amount, cur)
    shuffled = replace(request, reviews=tuple(order.sample(request.reviews, len(request.reviews))))
    assert allocate(shuffled).to_json() == result.to_json()
    for explanation in result.explanations.values():
        assert explanation["trust"] == explanation["standing"]
        assert explanation["trust_iterations"] == 0
        for line in explanation["contributions"]:
            used = [r for r in line["reviews"] if r["used"] and Decimal(r["weight"]) > 0]
            bound = max(Decimal("0.4"), Decimal(1) / max(len(used), 1))
            assert all(Decimal(r["weight"]) <= bound + Decimal("1e-9") for r in line["reviews"])


def _newcomer_request(**policy: object) -> AllocationRequest:
    """ana and ben are long-standing; chi is new, and both of them rate chi's work 5 (chi
    reviews neither: members who review each other pass each other no trust)."""
    return AllocationRequest(
        currency="EUR",
        amount=Decimal(100),
        members=(
            MemberInput("ana", Decimal("0.8")),
            MemberInput("ben", Decimal("0.6")),
            MemberInput("chi"),
        ),
        contributions=(
            ContributionInput("w1", "ana", "work", Decimal(4)),
            ContributionInput("w2", "ben", "work", Decimal(2)),
            ContributionInput("w3", "chi", "work", Decimal(1)),
        ),
        reviews=(
            ReviewInput("ben", "w1", 4),
            ReviewInput("ana", "w2", 5),
            ReviewInput("ana", "w3", 5),
            ReviewInput("ben", "w3", 5),
        ),
        policy=policy,
    )


def test_a_newcomer_earns_trust_from_long_standing_members_who_rate_its_work() -> None:
    trusted = allocate(_newcomer_request()).explanations["chi"]
    assert Decimal(trusted["standing"]) == 0
    assert Decimal(trusted["trust"]) > 0
    assert trusted["trust_iterations"] >= 1
    plain = allocate(_newcomer_request(trust_weighting="none")).explanations["chi"]
    assert Decimal(plain["trust"]) == 0
    once = allocate(_newcomer_request(trust_max_iterations=1)).explanations["chi"]
    assert once["trust_iterations"] == 1
    # with damping 0 nothing flows along the review graph: trust is the anchor
    still = allocate(_newcomer_request(damping=0.0)).explanations
    assert all(e["trust"] == e["standing"] for e in still.values())


def test_members_who_review_each_other_pass_each_other_no_trust() -> None:
    """Two long-standing members rate each other 5; a third rates one of them. Only the third
    member's edge moves trust: a pair cannot raise its trust by rating itself."""
    members = (MemberInput("a", Decimal("0.5")), MemberInput("b", Decimal("0.5")))
    contributions = (
        ContributionInput("ca", "a", "work", Decimal(1)),
        ContributionInput("cb", "b", "work", Decimal(1)),
    )
    reviews = (ReviewInput("b", "ca", 5), ReviewInput("a", "cb", 5))
    request = AllocationRequest(
        currency="EUR",
        amount=Decimal(10),
        members=members,
        contributions=contributions,
        reviews=reviews,
    )
    explained = allocate(request).explanations
    assert explained["a"]["trust"] == explained["a"]["standing"] == "0.5"
    assert explained["b"]["trust"] == "0.5"
