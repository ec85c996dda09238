"""The compiled loops behind ``robust``, the exact rounding shortcut and the column checks."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commonshare.core.valuation import ValuationError, allocate_columns, kernels
from commonshare.core.valuation.columns import NO_EFFORT, NO_REPUTATION, Columns
from commonshare.core.valuation.reviewers import Evidence, _transposed_transition
from commonshare.core.valuation.rounding import apportion, apportion_exactly, exact_weights
from commonshare.core.valuation.validate import check_columns


def community(
    n_members: int, n_contributions: int, per: int, seed: int = 0, ring: int = 0
) -> Columns:
    """Random reviews in canonical order; the first ``ring`` members rate each other 5."""
    rng = np.random.default_rng(seed)
    author = rng.integers(0, n_members, n_contributions)
    rows: set[tuple[int, int]] = set()
    for c in range(n_contributions):
        for r in rng.choice(n_members, size=min(per, n_members), replace=False):
            if r != author[c]:
                rows.add((c, int(r)))
    ordered = sorted(rows)
    rc = np.array([c for c, _ in ordered], dtype=np.int64)
    rr = np.array([r for _, r in ordered], dtype=np.int64)
    rating = rng.integers(0, 6, rc.size)
    rating[(author[rc] < ring) & (rr < ring)] = 5
    effort = rng.integers(1, 40, n_contributions) * 250_000
    challenge = np.where(rng.random(rc.size) < 0.2, effort[rc] // 2, NO_EFFORT)
    reputation = np.where(rng.random(n_members) < 0.5, rng.random(n_members), NO_REPUTATION)
    return Columns(
        member_ids=[f"m{i:06d}" for i in range(n_members)],
        reputation=reputation,
        contribution_ids=[f"c{i:07d}" for i in range(n_contributions)],
        contribution_kind=["work"] * n_contributions,
        contribution_member=author.astype(np.int64),
        contribution_effort=effort.astype(np.int64),
        review_contribution=rc,
        review_reviewer=rr,
        review_rating=rating.astype(np.int64),
        review_effort=challenge.astype(np.int64),
    )


def robust(columns: Columns, **policy: object) -> dict[str, np.ndarray]:
    run = allocate_columns(
        columns,
        currency="EUR",
        total_minor=123_456_789,
        method="robust",
        policy=dict(policy),
        with_monitoring=False,
    )
    engine = run.engine
    assert sum(engine.payout_minor) + engine.remainder_minor == 123_456_789
    return {
        "payout": np.array(engine.payout_minor),
        "rating": engine.rating,
        "effort": engine.accepted_effort,
        "weight": engine.review_weight,
        "reputation": engine.reputation,
        "trust": engine.detail["trust"],
        "reliability": engine.detail["reliability"],
    }


def test_the_result_never_depends_on_the_number_of_cores(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    columns = community(3_000, 70_000, 5, seed=1, ring=30)
    assert columns.n_reviews >= kernels.PARALLEL_FROM  # large enough to be cut into chunks
    assert len(kernels.review_chunks(columns.review_contribution)) == kernels.CHUNKS
    results = []
    for cores in (1, 2, 3, 8):
        monkeypatch.setattr(kernels.os, "cpu_count", lambda cores=cores: cores)
        results.append(robust(columns))
    for other in results[1:]:
        for key, values in results[0].items():
            np.testing.assert_array_equal(values, other[key], err_msg=key)


@settings(max_examples=40, deadline=None)
@given(
    members=st.integers(2, 40),
    contributions=st.integers(0, 120),
    per=st.integers(1, 6),
    seed=st.integers(0, 2**16),
    trimmed=st.booleans(),
)
def test_chunked_loops_agree_with_one_pass(
    members: int, contributions: int, per: int, seed: int, trimmed: bool
) -> None:
    """Cut even small inputs into chunks: only the order of float additions may change."""
    columns = community(members, contributions, per, seed=seed, ring=min(3, members))
    policy = {"aggregate": "trimmed_mean"} if trimmed else {}
    whole = robust(columns, **policy)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(kernels, "PARALLEL_FROM", 1)
        chunked = robust(columns, **policy)
    for key, values in whole.items():
        if key == "payout":
            # a payout may move by a unit when two remainders tie within float noise
            assert np.abs(values - chunked[key]).max(initial=0) <= 1
        else:
            np.testing.assert_allclose(values, chunked[key], rtol=1e-9, atol=1e-12)


@given(sizes=st.lists(st.integers(1, 9), min_size=1, max_size=400), floor=st.integers(1, 600))
def test_review_chunks_cover_every_review_and_never_split_a_contribution(
    sizes: list[int], floor: int
) -> None:
    contribution = np.repeat(np.arange(len(sizes)), sizes).astype(np.int64)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(kernels, "PARALLEL_FROM", floor)
        ranges = kernels.review_chunks(contribution)
    assert ranges[0][0] == 0 and ranges[-1][1] == contribution.size
    assert all(a[1] == b[0] for a, b in itertools.pairwise(ranges))
    assert len(ranges) <= kernels.CHUNKS
    for _, hi in ranges[:-1]:
        assert contribution[hi] != contribution[hi - 1]


@settings(max_examples=60, deadline=None)
@given(
    members=st.integers(2, 12),
    contributions=st.integers(1, 40),
    per=st.integers(1, 5),
    seed=st.integers(0, 2**16),
)
def test_trust_matrix_matches_a_dense_reference(
    members: int, contributions: int, per: int, seed: int
) -> None:
    columns = community(members, contributions, per, seed=seed)
    passed = np.random.default_rng(seed).random(columns.n_reviews)
    indptr, length, indices, data = _transposed_transition(columns, passed, Evidence(columns))
    built = np.zeros((members, members))
    for a in range(members):
        for p in range(indptr[a], indptr[a] + length[a]):
            assert built[a, indices[p]] == 0, "a reviewer appears twice in a row"
            built[a, indices[p]] = data[p]
    # the definition: P(r, a) = sum of (x / 5) passed over r's reviews of a's work, over the
    # sum of x / 5 over all of r's reviews; nothing between members who review each other
    author = columns.contribution_member[columns.review_contribution]
    given_total = np.zeros(members)
    np.add.at(given_total, columns.review_reviewer, columns.review_rating / 5)
    expected = np.zeros((members, members))
    reviewed = np.zeros((members, members), dtype=bool)
    for e in range(columns.n_reviews):
        a, r = author[e], columns.review_reviewer[e]
        reviewed[a, r] = True
        if given_total[r] > 0:
            expected[a, r] += columns.review_rating[e] / 5 * passed[e] / given_total[r]
    expected[reviewed & reviewed.T] = 0.0
    np.testing.assert_allclose(built, expected, rtol=1e-12, atol=1e-15)


@st.composite
def weights_and_total(draw: st.DrawFn) -> tuple[list[int], int]:
    n = draw(st.integers(kernels_shortcut_from(), 3000))
    shape = draw(st.sampled_from(["random", "ties", "equal", "tiny", "sevenths"]))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    if shape == "random":
        values = rng.random(n)
    elif shape == "ties":
        values = rng.integers(0, 4, n).astype(float)
    elif shape == "equal":
        values = np.ones(n)
    elif shape == "tiny":
        values = np.where(rng.random(n) < 0.5, 0.0, rng.random(n) * 1e-9)
        values[0] = 1.0
    else:
        values = rng.integers(1, 10, n) / 7.0
    total = draw(st.sampled_from([1, 7, n - 1, n, 10**6, 10**8 + 7, 2**40, 2**40 + 1, 10**13]))
    return exact_weights(values), total


def kernels_shortcut_from() -> int:
    from commonshare.core.valuation import rounding

    return rounding._SHORTCUT_FROM


@settings(max_examples=60, deadline=None)
@given(case=weights_and_total(), largest=st.booleans())
def test_the_rounding_shortcut_is_exact(case: tuple[list[int], int], largest: bool) -> None:
    weights, total = case
    fast = apportion(total, weights, largest_remainder=largest)
    assert fast == apportion_exactly(total, weights, largest_remainder=largest)
    assert all(isinstance(part, int) for part in fast)
    if largest:
        assert sum(fast) == total


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda c: c.review_contribution.__setitem__(1, 10**6), "unknown contribution"),
        (lambda c: c.review_reviewer.__setitem__(1, -1), "reviewer: unknown member"),
        (lambda c: c.review_rating.__setitem__(2, 6), "rating: must be a whole number"),
        (lambda c: c.review_rating.__setitem__(2, -1), "rating: must be a whole number"),
        (lambda c: c.review_effort.__setitem__(4, -5), "reviews[4]: effort: negative"),
    ],
)
def test_columns_with_a_bad_review_are_refused(
    change: Callable[[Columns], object], message: str
) -> None:
    columns = community(10, 20, 3, seed=5)
    change(columns)
    problems = check_columns(columns)
    assert any(message in problem for problem in problems), problems
    with pytest.raises(ValuationError):
        allocate_columns(columns, currency="EUR", total_minor=100, method="robust")


def test_columns_out_of_order_duplicated_or_self_reviewed_are_refused() -> None:
    columns = community(10, 20, 3, seed=5)
    rc, rr = columns.review_contribution, columns.review_reviewer
    swapped = np.arange(rc.size)
    swapped[[0, -1]] = swapped[[-1, 0]]
    out_of_order = Columns(
        **{
            **{f: getattr(columns, f) for f in Columns.__dataclass_fields__},
            "review_contribution": rc[swapped],
            "review_reviewer": rr[swapped],
        }
    )
    assert check_columns(out_of_order) == [
        "reviews[1]: not in canonical order (by contribution, then reviewer)"
    ]
    twice = np.sort(np.append(np.arange(rc.size), 3))
    repeated = Columns(
        **{
            **{f: getattr(columns, f) for f in Columns.__dataclass_fields__},
            "review_contribution": rc[twice],
            "review_reviewer": rr[twice],
            "review_rating": columns.review_rating[twice],
            "review_effort": columns.review_effort[twice],
        }
    )
    assert check_columns(repeated) == ["reviews[4]: duplicate review by the same reviewer"]
    own = columns.contribution_member.copy()
    own[rc[7]] = rr[7]
    self_reviewed = Columns(
        **{
            **{f: getattr(columns, f) for f in Columns.__dataclass_fields__},
            "contribution_member": own,
        }
    )
    assert any(
        "nobody reviews their own work" in problem for problem in check_columns(self_reviewed)
    )
