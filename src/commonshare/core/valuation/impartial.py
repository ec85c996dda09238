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

_BIG = np.iinfo(np.int64).max


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


def allocate_impartial(
    columns: Columns, total_minor: int, policy: dict[str, Any], seed: str
) -> EngineResult:
    n_c, n_m = columns.n_contributions, columns.n_members
    cluster = clusters(columns.member_ids, seed, int(policy["clusters"]))
    m = int(cluster.max()) + 1 if n_m else 1
    rc, rr = columns.review_contribution, columns.review_reviewer
    claimed = columns.contribution_effort
    author_cluster = cluster[columns.contribution_member]
    review_cluster = cluster[rr]
    eligible = review_cluster != author_cluster[rc]
    effort = np.where(columns.review_effort == NO_EFFORT, claimed[rc], columns.review_effort)
    effort = np.minimum(effort, claimed[rc])
    proposal = effort * columns.review_rating
    masked = np.where(eligible, proposal, _BIG)

    first = np.full(n_c, _BIG, dtype=np.int64)
    np.minimum.at(first, rc, masked)
    at_min = eligible & (masked == first[rc])
    first_cluster = np.full(n_c, _BIG, dtype=np.int64)
    np.minimum.at(first_cluster, rc, np.where(at_min, review_cluster, _BIG))
    second = np.full(n_c, _BIG, dtype=np.int64)
    np.minimum.at(second, rc, np.where(review_cluster != first_cluster[rc], masked, _BIG))
    has = first < _BIG
    value = np.where(has, first, 0)
    second = np.where(second < _BIG, second, claimed * 5)
    lift = np.where(has, second - value, 0)  # how much value(c) rises without first_cluster

    member_value = np.zeros(n_m, dtype=np.int64)
    np.add.at(member_value, columns.contribution_member, value)
    total_value = int(member_value.sum(dtype=np.int64))
    lift_by_cluster = np.zeros(m, dtype=np.int64)
    np.add.at(lift_by_cluster, np.where(has, first_cluster, 0), lift)
    denominator = [total_value + int(x) for x in lift_by_cluster]

    parts = [
        total_minor * int(a) // denominator[int(c)] if denominator[int(c)] else 0
        for a, c in zip(member_value.tolist(), cluster.tolist(), strict=True)
    ]
    chosen = eligible & (masked == first[rc]) & (review_cluster == first_cluster[rc])
    rating = np.full(n_c, np.nan)
    accepted = claimed.astype(np.float64) / EFFORT_SCALE
    idx = np.flatnonzero(chosen)
    # the first proposing review at the minimum (reviews are sorted by reviewer)
    _, first_idx = np.unique(rc[idx], return_index=True)
    picked = idx[first_idx]
    rating[rc[picked]] = columns.review_rating[picked]
    accepted[rc[picked]] = effort[picked] / EFFORT_SCALE
    review_weight = np.zeros(columns.n_reviews)
    review_weight[picked] = 1.0
    return EngineResult(
        method="impartial",
        payout_minor=parts,
        remainder_minor=total_minor - sum(parts),
        accepted_effort=accepted,
        rating=rating,
        value=value.astype(np.float64) / (EFFORT_SCALE * 5),
        member_value=member_value.astype(np.float64) / (EFFORT_SCALE * 5),
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
