"""Robust on small communities, and what rings and sock puppets gain under each method."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commonshare.core.valuation import (
    AllocationRequest,
    ContributionInput,
    MemberInput,
    ReviewInput,
    allocate,
    allocate_columns,
)
from commonshare.core.valuation.columns import NO_EFFORT, Columns

FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def pay(request: AllocationRequest, method: str = "robust") -> dict[str, Decimal]:
    result = allocate(AllocationRequest(**{**_fields(request), "method": method}))
    return {p.member: p.amount for p in result.payouts}


def _fields(request: AllocationRequest) -> dict[str, object]:
    return {name: getattr(request, name) for name in request.__dataclass_fields__}


@pytest.mark.parametrize(("a_gets", "b_gets"), [(4, 4), (5, 3), (2, 5), (1, 1)])
def test_two_members_who_review_each_other_are_paid_pro_rata(a_gets: int, b_gets: int) -> None:
    request = AllocationRequest(
        currency="EUR",
        amount=Decimal("1000.00"),
        contributions=(
            ContributionInput("ca", "a", "work", Decimal(3)),
            ContributionInput("cb", "b", "work", Decimal(1)),
        ),
        reviews=(ReviewInput("b", "ca", a_gets), ReviewInput("a", "cb", b_gets)),
    )
    robust = pay(request)
    value_a, value_b = 3 * a_gets, 1 * b_gets
    exact_a = Decimal(1000) * value_a / (value_a + value_b)
    assert abs(robust["a"] - exact_a) <= Decimal("0.01")
    assert robust["a"] + robust["b"] == Decimal("1000.00")
    assert robust == pay(request, "mean")


@st.composite
def small_agreeing_communities(draw: st.DrawFn) -> AllocationRequest:
    """2-10 members, no reputation, each contribution reviewed by 1-2 others who agree."""
    n = draw(st.integers(2, 10))
    members = [f"m{i}" for i in range(n)]
    contributions, reviews = [], []
    for i in range(draw(st.integers(1, 12))):
        author = draw(st.sampled_from(members))
        effort = Decimal(draw(st.integers(1, 800))) / 100
        contributions.append(ContributionInput(f"c{i}", author, "work", effort))
        others = [m for m in members if m != author]
        drawn = draw(st.lists(st.sampled_from(others), min_size=1, max_size=2, unique=True))
        rating = draw(st.integers(0, 5))
        reviews.extend(ReviewInput(r, f"c{i}", rating) for r in drawn)
    return AllocationRequest(
        currency="EUR",
        amount=Decimal(draw(st.integers(1, 10**6))) / 100,
        members=tuple(MemberInput(m) for m in members),
        contributions=tuple(contributions),
        reviews=tuple(reviews),
    )


@FAST
@given(request=small_agreeing_communities())
def test_small_community_with_agreeing_reviewers_is_paid_exactly_pro_rata(
    request: AllocationRequest,
) -> None:
    """With nobody's reputation known and each contribution's 1-2 reviewers agreeing, robust
    pays exactly what effort x rating / 5 gives (the same minor units as mean)."""
    assert pay(request) == pay(request, "mean")


def test_small_community_reviewer_who_disagrees_everywhere_is_outweighed() -> None:
    """Four members, two reviewers per piece of work; c rates everything 0, the others 4."""
    contributions = tuple(ContributionInput(f"c{m}", m, "work", Decimal(2)) for m in "abcd")
    reviews = (
        ReviewInput("b", "ca", 4),
        ReviewInput("d", "ca", 4),
        ReviewInput("a", "cb", 4),
        ReviewInput("c", "cb", 0),
        ReviewInput("a", "cc", 4),
        ReviewInput("d", "cc", 4),
        ReviewInput("b", "cd", 4),
        ReviewInput("c", "cd", 0),
    )
    request = AllocationRequest(
        currency="EUR", amount=Decimal("90.00"), contributions=contributions, reviews=reviews
    )
    robust = {c.id: c.rating for c in allocate(request).contributions}
    mean = {c.id: c.rating for c in allocate(replace(request, method="mean")).contributions}
    assert mean["cb"] == mean["cd"] == 2
    # a's 4 holds the capped half of the weight, c's 0 little, the neutral prior the rest
    assert robust == {"ca": 4, "cb": Decimal("3.5"), "cc": 4, "cd": Decimal("3.5")}


def test_first_period_reviewer_without_work_counts_only_where_alone() -> None:
    contributions = (
        ContributionInput("ca", "a", "work", Decimal(1)),
        ContributionInput("cb", "b", "work", Decimal(1)),
    )
    reviews = (
        ReviewInput("b", "ca", 4),
        ReviewInput("c", "ca", 1),  # c brought no work: a's reviewer with work decides
        ReviewInput("c", "cb", 2),  # c alone: c's rating is the rating
    )
    result = allocate(
        AllocationRequest(
            currency="EUR", amount=Decimal("60.00"), contributions=contributions, reviews=reviews
        )
    )
    assert {c.id: c.rating for c in result.contributions} == {"ca": 4, "cb": 2}
    assert {p.member: p.amount for p in result.payouts}["a"] == Decimal("40.00")


N, PER, K, TOTAL = 240, 4, 3, 10**8


def _community(
    ring: np.ndarray, owner: int = -1, puppets: int = 0, *, established: bool = False
) -> Columns:
    rng = np.random.default_rng(7)
    quality = rng.integers(2, 6, N)
    author = np.repeat(np.arange(N), PER)
    pool = rng.random((author.size, N)).argsort(axis=1)[:, : K + 1]
    reviewers = np.array([row[row != a][:K] for row, a in zip(pool, author, strict=True)])
    contribution = np.repeat(np.arange(author.size), K)
    reviewer = reviewers.ravel()
    rating = np.clip(quality[author[contribution]] + rng.integers(-1, 2, contribution.size), 0, 5)
    in_ring = np.isin(np.arange(N), ring)
    r_ring, a_ring = in_ring[reviewer], in_ring[author[contribution]]
    rating = np.where(r_ring & a_ring, 5, np.where(r_ring, 1, rating))
    if puppets:
        accounts = np.concatenate([[owner], N + np.arange(puppets)])
        mine = np.flatnonzero(author == owner)
        author[mine] = accounts[np.arange(mine.size) % accounts.size]
        extra = [
            (c, a)
            for c in mine
            for a in accounts
            if a != author[c] and not np.any((contribution == c) & (reviewer == a))
        ]
        contribution = np.concatenate([contribution, [c for c, _ in extra]])
        reviewer = np.concatenate([reviewer, [a for _, a in extra]])
        rating = np.concatenate([rating, np.full(len(extra), 5)])
    n = N + puppets
    order = np.lexsort((reviewer, contribution))
    return Columns(
        member_ids=[f"m{i:04d}" for i in range(n)],
        reputation=np.where(np.arange(n) < N, 0.7 if established else -1.0, -1.0),
        contribution_ids=[f"c{i:05d}" for i in range(author.size)],
        contribution_kind=["work"] * author.size,
        contribution_member=author.astype(np.int64),
        contribution_effort=np.full(author.size, 2_000_000, dtype=np.int64),
        review_contribution=contribution[order].astype(np.int64),
        review_reviewer=reviewer[order].astype(np.int64),
        review_rating=rating[order].astype(np.int64),
        review_effort=np.full(contribution.size, NO_EFFORT, dtype=np.int64),
    )


TRUST = ["eigentrust", "none"]


def _paid(
    columns: Columns, method: str, who: np.ndarray | list[int], trust: str = "eigentrust"
) -> int:
    run = allocate_columns(
        columns,
        currency="EUR",
        total_minor=TOTAL,
        method=method,
        seed="t",
        policy={"trust_weighting": trust},
        with_monitoring=False,
    )
    return sum(run.engine.payout_minor[int(i)] for i in who)


@pytest.mark.parametrize("trust", TRUST)
def test_a_ten_percent_ring_gains_under_robust_less_than_a_quarter_of_mean(trust: str) -> None:
    ring = np.arange(N // 10)
    honest, attacked = _community(np.array([], dtype=np.int64)), _community(ring)
    gain = {
        m: _paid(attacked, m, ring, trust) - _paid(honest, m, ring, trust)
        for m in ("mean", "robust")
    }
    assert gain["mean"] > 0
    assert gain["robust"] < gain["mean"] / 4, gain


def test_impartial_ring_gains_no_more_than_under_mean() -> None:
    ring = np.arange(N // 10)
    honest, attacked = _community(np.array([], dtype=np.int64)), _community(ring)
    gain = {m: _paid(attacked, m, ring) - _paid(honest, m, ring) for m in ("mean", "impartial")}
    assert gain["impartial"] < gain["mean"], gain


def _puppet_gain(
    owner: int, puppets: int, method: str, *, established: bool, trust: str = "eigentrust"
) -> int:
    none = np.array([], dtype=np.int64)
    honest = _community(none, established=established)
    attacked = _community(none, owner, puppets, established=established)
    accounts = np.concatenate([[owner], N + np.arange(puppets)])
    return _paid(attacked, method, accounts, trust) - _paid(honest, method, [owner], trust)


OWNER_OF_QUALITY_3, OWNER_OF_QUALITY_5 = 9, 5


@pytest.mark.parametrize("trust", TRUST)
@pytest.mark.parametrize("owner", [OWNER_OF_QUALITY_3, OWNER_OF_QUALITY_5])
@pytest.mark.parametrize("puppets", [1, 3, 10])
def test_sock_puppets_gain_nothing_under_robust_once_reputations_exist(
    puppets: int, owner: int, trust: str
) -> None:
    """An owner splits its work across new accounts that all rate each other's work 5; the
    honest members have a reputation from earlier periods, the new accounts none. Under
    EigenTrust the accounts review each other, so they pass each other no trust; what honest
    reviewers of their work pass them does not outweigh the honest reviews."""
    assert _puppet_gain(owner, puppets, "mean", established=True) > 0
    # nothing beyond rounding and a trace from moving trust (< 0.1% of the owner's pay)
    honest_pay = _paid(
        _community(np.array([], dtype=np.int64), established=True), "robust", [owner], trust
    )
    gain = _puppet_gain(owner, puppets, "robust", established=True, trust=trust)
    assert gain <= puppets + honest_pay // 1000


@pytest.mark.parametrize("trust", TRUST)
@pytest.mark.parametrize("puppets", [1, 3, 10])
def test_sock_puppets_in_a_new_community(puppets: int, trust: str) -> None:
    """Nobody has a reputation yet. An owner whose work others rate ~3 gains nothing (its
    accounts' 5s are reciprocal inflation); an owner rated ~4.75 can still tip ratings within
    the honest spread (documented limit). Without trust that is at most what mean gives;
    with EigenTrust the accounts' well-rated work earns them trust, and the measured limit is
    one contribution moved up one rating step (under a quarter of the owner's honest pay)."""
    bad = _puppet_gain(OWNER_OF_QUALITY_3, puppets, "robust", established=False, trust=trust)
    assert bad <= puppets
    good = _puppet_gain(OWNER_OF_QUALITY_5, puppets, "robust", established=False, trust=trust)
    mean = _puppet_gain(OWNER_OF_QUALITY_5, puppets, "mean", established=False)
    if trust == "none":
        assert good <= max(mean, 0)
    else:
        honest = _paid(_community(np.array([], dtype=np.int64)), "robust", [OWNER_OF_QUALITY_5])
        assert good <= honest // 4 // 4  # one of its 4 contributions, one step of its ~4.75


def test_impartial_values_a_contribution_by_the_median_outside_proposal() -> None:
    """One harsh review no longer sets the value (the lowest proposal did before)."""
    contributions = tuple(ContributionInput(f"c{m}", m, "work", Decimal(1)) for m in "abcd")
    reviews = tuple(
        ReviewInput(r, f"c{m}", 1 if (r, m) == ("b", "a") else 4)
        for m in "abcd"
        for r in "abcd"
        if r != m
    )
    result = allocate(
        AllocationRequest(
            currency="EUR",
            amount=Decimal("100.00"),
            method="impartial",
            seed="s",
            contributions=contributions,
            reviews=reviews,
        )
    )
    assert {c.id: c.rating for c in result.contributions}["ca"] == 4
