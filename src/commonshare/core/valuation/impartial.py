"""The ``impartial`` method: nothing a member reports changes that member's pay.

What a member reports is which reviews they write (how many, none at all included), the
ratings in them and the effort estimates in them. None of it moves, by one minor unit, the pay
of that member or of anyone in that member's cluster.

Members are split into clusters drawn from the seed (as in Dollar Partition, Aziz et al.
2016/2019): member ``i`` is in cluster ``sha256(seed, "cluster", i) mod clusters``, which
depends on nothing but its id and the seed (not on who else is in the input, which depends on
who reviewed). Reviews are valued in exact integers. For a contribution ``c`` of a member in
cluster ``D``:

* each review by a member outside ``D`` proposes ``min(claimed, estimate) x rating``; reviews
  from inside ``D`` are not used;
* each cluster that proposed on ``c`` casts one **vote**: the lower median of its proposals;
* ``value(c)`` is the lower median of the votes (0 if there is none).

A cluster has one vote on a contribution however many of its members review it, so what it
could do to ``value(c)`` is bounded: whatever cluster ``C`` (not ``D``) reports,
``value(c) <= bound_C(c)``, the lower median of the votes from outside both ``C`` and ``D``
together with one vote ``claimed x 5`` (the most ``C`` could vote). ``bound_C(c)`` uses no
report of ``C``: not its votes, not whether it voted. A member ``i`` of cluster ``C`` with value
``a_i`` (the sum over its contributions) is paid

    floor(amount x a_i / den_C),
    den_C = (sum of value(c) over c in C) + (sum of bound_C(c) over c not in C)

``a_i`` uses no review from ``C`` and ``den_C`` none either, so nothing anyone in ``C``
reports moves the pay of anyone in ``C``. The floors stand alone (no unit is handed on by a
rule that looks at other members), and the rest is the stated remainder. ``den_C`` is at least
the total value, so the payouts never exceed the amount. When the votes on each contribution
agree and each contribution has votes from at least two clusters besides its author's,
``bound_C(c) = value(c)`` for every ``C``, every ``den_C`` is the total value and each member
gets exactly its share (consensual, as in de Clippel, Moulin & Tideman 2008). With one outside
cluster voting, ``bound_C`` of that cluster is the ceiling: its members' share shrinks and the
difference goes to the remainder.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

import numpy as np

from commonshare.core.valuation.columns import EFFORT_SCALE, NO_EFFORT, Columns
from commonshare.core.valuation.results import EngineResult, IntArray
from commonshare.core.valuation.types import ValuationError

_KEY_LIMIT = 1 << 62  # composite sort keys below this fit an int64
# every sum below is at most the sum of the ceilings (claimed x 5): kept below this, no int64
# sum can wrap around
_CEILING_LIMIT = 1 << 61


def clusters(member_ids: Sequence[str], seed: str, count: int) -> IntArray:
    """Cluster of each member: the first 8 bytes of sha256(seed, 'cluster', id), read as an
    unsigned big-endian number, mod count (counts above 2 ** 63 count as 2 ** 63)."""
    m = min(max(1, count), 1 << 63)
    heads = b"".join(
        hashlib.sha256(f"{seed}\x1fcluster\x1f{member}".encode()).digest()[:8]
        for member in member_ids
    )
    return (np.frombuffer(heads, dtype=">u8") % np.uint64(m)).astype(np.int64)


def _order(group: IntArray, value: IntArray, groups: int) -> IntArray:
    """Stable order by (group, value): one composite key when it fits an int64."""
    if value.size == 0:
        return np.zeros(0, dtype=np.int64)
    span = int(value.max()) + 1
    if groups * span < _KEY_LIMIT:
        return np.argsort(group * span + value, kind="stable")
    return np.lexsort((value, group))


def _runs(group: IntArray, groups: int) -> tuple[IntArray, IntArray]:
    """Start and size of each group's run in an array sorted by group."""
    size = np.bincount(group, minlength=groups).astype(np.int64)
    start = np.zeros(groups, dtype=np.int64)
    np.cumsum(size[:-1], out=start[1:])
    return start, size


def _votes(
    contribution: IntArray, cluster: IntArray, proposal: IntArray, m: int
) -> tuple[IntArray, IntArray, IntArray]:
    """Each (contribution, cluster)'s vote, the lower median of its proposals.

    Returns the votes' contribution, cluster, and the position (in the input) of the proposal
    that is the vote, sorted by contribution and then by vote."""
    pair = contribution * m + cluster
    order = _order(pair, proposal, int(pair.max()) + 1 if pair.size else 1)
    sorted_pair = pair[order]
    first = np.flatnonzero(np.r_[True, sorted_pair[1:] != sorted_pair[:-1]]) if pair.size else pair
    size = np.diff(np.r_[first, pair.size])
    chosen = order[first + (size - 1) // 2]  # lower median within the cluster
    vote_c = contribution[chosen]
    by_vote = _order(vote_c, proposal[chosen], int(vote_c.max()) + 1 if vote_c.size else 1)
    chosen = chosen[by_vote]
    return contribution[chosen], cluster[chosen], chosen


def _bounds(
    vote: IntArray, start: IntArray, size: IntArray, vote_c: IntArray, ceiling: IntArray
) -> tuple[IntArray, IntArray]:
    """``bound_C(c)`` for a cluster that did not vote on ``c`` (per contribution), and for
    each vote's own cluster (per vote); ``vote`` is sorted by (contribution, vote).

    Without C's vote and with one at the ceiling (above every vote): for a cluster that did
    not vote, ``n + 1`` votes, the lower median is the ``n // 2``-th vote (the ceiling when
    ``n = 0``); for the cluster of the vote at rank ``p``, ``n`` votes once that one is taken
    out, the lower median at rank ``(n - 1) // 2`` of the rest (the ceiling when ``n = 1``).
    """
    n = size
    last = max(vote.size - 1, 0)
    outside = np.where(n > 0, vote[np.minimum(start + n // 2, last)] if vote.size else 0, ceiling)
    n_v = n[vote_c]
    rank = np.arange(vote.size) - start[vote_c]
    middle = (n_v - 1) // 2
    at = start[vote_c] + middle + (middle >= rank)  # skip the vote taken out
    own = np.where(n_v > 1, vote[np.minimum(at, last)], ceiling[vote_c])
    return outside, own


def allocate_impartial(
    columns: Columns, total_minor: int, policy: dict[str, Any], seed: str
) -> EngineResult:
    n_c, n_m = columns.n_contributions, columns.n_members
    if float(columns.contribution_effort.sum(dtype=np.float64)) * 5 >= _CEILING_LIMIT:
        raise ValuationError(
            [
                "contributions: effort: the claimed hours add up to more than impartial values "
                "exactly (about 460 billion hours)"
            ]
        )
    label = clusters(columns.member_ids, seed, int(policy["clusters"]))
    # the clusters that hold a member, numbered 0..m-1 here (at most one per member, whatever
    # the policy's count)
    present, cluster = np.unique(label, return_inverse=True)
    cluster = cluster.astype(np.int64).reshape(-1)
    m = max(int(present.size), 1)
    rc, rr = columns.review_contribution, columns.review_reviewer
    claimed = columns.contribution_effort
    author_cluster = cluster[columns.contribution_member]
    eligible = cluster[rr] != author_cluster[rc]
    effort = np.where(columns.review_effort == NO_EFFORT, claimed[rc], columns.review_effort)
    proposal = np.minimum(effort, claimed[rc]) * columns.review_rating

    used = np.flatnonzero(eligible)
    vote_c, vote_k, chosen = _votes(rc[used], cluster[rr[used]], proposal[used], m)
    vote = proposal[used][chosen]
    start, size = _runs(vote_c, n_c)
    has = size > 0
    last = max(vote.size - 1, 0)
    setter = np.minimum(start + (size - 1) // 2, last)  # the vote that is the value
    value = np.where(has, vote[setter] if vote.size else 0, 0)

    ceiling = claimed * 5
    outside, own = _bounds(vote, start, size, vote_c, ceiling)
    member_value = np.zeros(n_m, dtype=np.int64)
    np.add.at(member_value, columns.contribution_member, value)
    cluster_value = np.zeros(m, dtype=np.int64)
    np.add.at(cluster_value, cluster, member_value)
    outside_by_cluster = np.zeros(m, dtype=np.int64)  # of the contributions of each cluster
    np.add.at(outside_by_cluster, author_cluster, outside)
    own_correction = np.zeros(m, dtype=np.int64)
    np.add.at(own_correction, vote_k, own - outside[vote_c])
    outside_total = int(outside.sum(dtype=np.int64))
    denominator = [
        int(cluster_value[k]) + outside_total - int(outside_by_cluster[k]) + int(own_correction[k])
        for k in range(m)
    ]

    parts = [
        total_minor * int(a) // denominator[k] if denominator[k] else 0
        for a, k in zip(member_value.tolist(), cluster.tolist(), strict=True)
    ]
    review_weight = np.zeros(columns.n_reviews)
    review_weight[used[chosen[setter[has]]]] = 1.0
    rating = np.full(n_c, np.nan)
    positive = has & (claimed > 0)
    rating[positive] = value[positive] / claimed[positive]
    rating[has & (claimed == 0)] = 0.0
    scale = EFFORT_SCALE * 5
    return EngineResult(
        method="impartial",
        payout_minor=parts,
        remainder_minor=total_minor - sum(parts),
        accepted_effort=claimed.astype(np.float64) / EFFORT_SCALE,
        rating=rating,
        value=value.astype(np.float64) / scale,
        member_value=member_value.astype(np.float64) / scale,
        review_weight=review_weight,
        reputation=np.where(columns.reputation < 0, np.nan, columns.reputation),
        rounding="floor",
        detail={
            "cluster": label,
            "eligible": eligible,
            "member_value_exact": member_value,
            "denominator": {int(present[k]): denominator[k] for k in range(present.size)},
            "total_value_exact": int(member_value.sum(dtype=np.int64)),
        },
    )
