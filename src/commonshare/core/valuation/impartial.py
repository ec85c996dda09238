"""The ``impartial`` method: a member's own reviews never change that member's pay.

Members are split into clusters drawn from the seed (as in Dollar Partition,
Aziz et al. 2016/2019). Reviews are valued in exact integers (micro-hours x
rating). For a contribution ``c`` of a member in cluster ``D``:

* each review by a member outside ``D`` proposes ``min(claimed, estimate) x rating``;
  reviews from inside ``D`` are not used;
* ``value(c)`` is the lowest proposal (0 if there is none);
* ``value(c | without C)`` is the lowest proposal from outside both ``C`` and ``D``;
  if ``C`` wrote every proposal it is the claimed effort x 5, the most ``C``
  could have proposed.

A member ``i`` of cluster ``C`` with value ``a_i`` (sum over its contributions) is paid

    floor(amount x a_i / den_C),  den_C = sum over D of sum over c in D of value(c | without C)

``a_i`` uses no review from ``C`` and ``den_C`` none either, so nothing anyone in
``C`` reports moves the pay of anyone in ``C``. Removing proposals only raises a
minimum, so ``den_C >= sum of all values``: payouts never exceed the amount and
the floored rest is the stated remainder. When all reviews of each contribution
agree (and every contribution has proposals from two clusters besides its
author's), ``den_C`` is the total value and each member gets exactly its share
(consensual, as in de Clippel, Moulin & Tideman 2008).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

import numpy as np

from commonshare.core.valuation.columns import EFFORT_SCALE, NO_EFFORT, Columns
from commonshare.core.valuation.engine import EngineResult, IntArray

_CHUNK_ROWS = 1 << 21  # rows of the (pair, proposal) expansion held at once


def clusters(member_ids: Sequence[str], seed: str, count: int) -> IntArray:
    """Cluster of each member: rank by sha256(seed, 'cluster', id), then deal round-robin."""
    m = max(1, min(count, len(member_ids)))
    tickets = [
        hashlib.sha256(f"{seed}\x1fcluster\x1f{member}".encode()).digest() for member in member_ids
    ]
    order = sorted(range(len(member_ids)), key=lambda i: (tickets[i], member_ids[i]))
    out = np.empty(len(member_ids), dtype=np.int64)
    out[np.array(order, dtype=np.int64)] = np.arange(len(member_ids), dtype=np.int64) % m
    return out


def _sorted_proposals(
    group: IntArray, proposal: IntArray, n_groups: int
) -> tuple[IntArray, IntArray, IntArray]:
    """Order of the proposals by (group, proposal), each group's start and size."""
    order = np.lexsort((proposal, group))
    size = np.bincount(group, minlength=n_groups).astype(np.int64)
    start = np.zeros(n_groups, dtype=np.int64)
    np.cumsum(size[:-1], out=start[1:])
    return order, start, size


def _twice_median(values: IntArray, start: IntArray, size: IntArray) -> IntArray:
    """Sum of the two middle values of each group (twice the median, exact); 0 when empty."""
    has = size > 0
    lo = start + np.maximum(size - 1, 0) // 2
    hi = start + size // 2
    last = max(values.size - 1, 0)
    pick_lo = values[np.minimum(lo, last)] if values.size else np.zeros_like(lo)
    pick_hi = values[np.minimum(hi, last)] if values.size else np.zeros_like(hi)
    return np.where(has, pick_lo + pick_hi, 0)


def _lifts(
    sorted_value: IntArray,
    sorted_cluster: IntArray,
    contribution: IntArray,
    *,
    start: IntArray,
    size: IntArray,
    ceiling: IntArray,
) -> tuple[IntArray, IntArray, IntArray]:
    """For each (contribution c, cluster C) with proposals of C on c: twice the median of c's
    proposals when C's are replaced by ``ceiling[c]`` (the most C could propose).

    Returns the pairs' contribution, cluster and that twice-median. Replacing proposals by the
    largest possible value can only raise a median, and the result does not depend on what C
    proposed, only on how many proposals C made.
    """
    key = contribution * (int(sorted_cluster.max()) + 1) + sorted_cluster
    pairs, first = np.unique(key, return_index=True)
    pair_c = contribution[first]
    pair_k = sorted_cluster[first]
    out = np.zeros(pairs.size, dtype=np.int64)
    # expand each pair to all proposals of its contribution, a bounded number of rows at a time
    ends = np.cumsum(size[pair_c])
    lo = 0
    while lo < pairs.size:
        hi = int(np.searchsorted(ends, (ends[lo - 1] if lo else 0) + _CHUNK_ROWS, "right"))
        hi = max(hi, lo + 1)
        out[lo:hi] = _raised_medians(
            sorted_value, sorted_cluster, pair_c[lo:hi], pair_k[lo:hi], start, size, ceiling
        )
        lo = hi
    return pair_c, pair_k, out


def _raised_medians(  # noqa: PLR0917 (one step of _lifts, arrays in)
    sorted_value: IntArray,
    sorted_cluster: IntArray,
    pair_c: IntArray,
    pair_k: IntArray,
    start: IntArray,
    size: IntArray,
    ceiling: IntArray,
) -> IntArray:
    n = size[pair_c]
    reps = np.repeat(np.arange(pair_c.size), n)
    offset = np.arange(reps.size) - np.repeat(np.cumsum(n) - n, n)
    element = start[pair_c][reps] + offset
    kept = sorted_cluster[element] != pair_k[reps]
    counts_kept = np.bincount(reps, weights=kept, minlength=pair_c.size).astype(np.int64)
    position = np.cumsum(kept) - 1  # position among the kept, counted from the first pair
    pair_first_kept = np.zeros(pair_c.size, dtype=np.int64)
    np.cumsum(counts_kept[:-1], out=pair_first_kept[1:])
    local = position - pair_first_kept[reps]
    out = np.zeros(pair_c.size, dtype=np.int64)
    for middle in ((n - 1) // 2, n // 2):
        at = kept & (local == middle[reps])
        value = ceiling[pair_c].copy()  # position at or above the kept ones: a replaced proposal
        value[reps[at]] = sorted_value[element[at]]
        out += value
    return out


def allocate_impartial(
    columns: Columns, total_minor: int, policy: dict[str, Any], seed: str
) -> EngineResult:
    n_c, n_m = columns.n_contributions, columns.n_members
    cluster = clusters(columns.member_ids, seed, int(policy["clusters"]))
    m = int(cluster.max()) + 1 if n_m else 1
    rc, rr = columns.review_contribution, columns.review_reviewer
    claimed = columns.contribution_effort
    eligible = cluster[rr] != cluster[columns.contribution_member][rc]
    effort = np.where(columns.review_effort == NO_EFFORT, claimed[rc], columns.review_effort)
    effort = np.minimum(effort, claimed[rc])
    proposal = effort * columns.review_rating

    used = np.flatnonzero(eligible)
    order, start, size = _sorted_proposals(rc[used], proposal[used], n_c)
    index = used[order]  # eligible reviews sorted by (contribution, proposal)
    sorted_value = proposal[index]
    value2 = _twice_median(sorted_value, start, size)  # exact, in units of 1 / 2

    member_value = np.zeros(n_m, dtype=np.int64)
    np.add.at(member_value, columns.contribution_member, value2)
    total_value = int(member_value.sum(dtype=np.int64))
    lift_by_cluster = np.zeros(m, dtype=np.int64)
    if index.size:
        pair_c, pair_k, raised = _lifts(
            sorted_value,
            cluster[rr[index]],
            rc[index],
            start=start,
            size=size,
            ceiling=claimed * 5,
        )
        np.add.at(lift_by_cluster, pair_k, raised - value2[pair_c])
    denominator = [total_value + int(x) for x in lift_by_cluster]

    parts = [
        total_minor * int(a) // denominator[int(c)] if denominator[int(c)] else 0
        for a, c in zip(member_value.tolist(), cluster.tolist(), strict=True)
    ]
    review_weight = np.zeros(columns.n_reviews)
    has = size > 0
    middle_lo = index[(start + np.maximum(size - 1, 0) // 2)[has]]
    middle_hi = index[(start + size // 2)[has]]
    np.add.at(review_weight, middle_lo, 0.5)
    np.add.at(review_weight, middle_hi, 0.5)
    accepted = claimed.astype(np.float64) / EFFORT_SCALE
    rating = np.full(n_c, np.nan)
    positive = has & (claimed > 0)
    rating[positive] = value2[positive] / (2.0 * claimed[positive])
    rating[has & (claimed == 0)] = 0.0
    return EngineResult(
        method="impartial",
        payout_minor=parts,
        remainder_minor=total_minor - sum(parts),
        accepted_effort=accepted,
        rating=rating,
        value=value2.astype(np.float64) / (2 * EFFORT_SCALE * 5),
        member_value=member_value.astype(np.float64) / (2 * EFFORT_SCALE * 5),
        review_weight=review_weight,
        reputation=np.where(columns.reputation < 0, np.nan, columns.reputation),
        rounding="floor",
        detail={
            "cluster": cluster,
            "eligible": eligible,
            "member_value_exact": member_value,
            "denominator": denominator,
            "total_value_exact": total_value,
        },
    )
