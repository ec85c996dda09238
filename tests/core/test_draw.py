"""The reviewer draw is repeatable, never picks the author, and is uniform."""

from __future__ import annotations

from collections import Counter
from itertools import combinations

from hypothesis import given, settings
from hypothesis import strategies as st

from commonshare.core.draw import draw_reviewers, ticket


@settings(max_examples=50, deadline=None)
@given(
    seed=st.text(max_size=8),
    members=st.lists(st.text(min_size=1, max_size=4), unique=True, min_size=1, max_size=12),
    k=st.integers(0, 6),
    order=st.randoms(use_true_random=False),
)
def test_draw_is_repeatable_in_any_order_and_never_the_author(seed, members, k, order) -> None:  # type: ignore[no-untyped-def]
    author = members[0]
    first = draw_reviewers(seed, "c1", author, members, k)
    shuffled = order.sample(members, len(members))
    assert draw_reviewers(seed, "c1", author, shuffled, k) == first
    assert author not in first
    assert len(first) == min(k, len(members) - 1)
    assert len(set(first)) == len(first)


def test_draw_is_uniform_over_subsets() -> None:
    members = ["a", "b", "c", "d", "e"]
    counts: Counter[tuple[str, ...]] = Counter()
    trials = 6000
    for i in range(trials):
        counts[tuple(sorted(draw_reviewers(f"seed-{i}", "c", "a", members, 2)))] += 1
    subsets = list(combinations(["b", "c", "d", "e"], 2))
    assert set(counts) == set(subsets)
    expected = trials / len(subsets)
    chi2 = sum((counts[s] - expected) ** 2 / expected for s in subsets)
    assert chi2 < 20.5  # 5 degrees of freedom, p = 0.001


def test_ticket_can_be_checked_by_hand() -> None:
    import hashlib

    assert ticket("S", "C", "M") == hashlib.sha256(b"S\x1fC\x1fM").hexdigest()
