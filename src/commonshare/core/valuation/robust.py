"""The ``robust`` method (the default): reliable, capped, robustly aggregated reviews.

1. Weight. Each reviewer's weight is trust x reliability (``reviewers``): standing is the
   reputation from earlier periods (claimed effort this period while nobody has one);
   reliability is a Tukey biweight of how far the reviewer's ratings stand from the other
   reviewers of the same contributions. Reviews between two members who inflate each other
   are not used. Trust is an EigenTrust power iteration over who rated whom, anchored on the
   standing, along edges weighted by how well each rating agrees with the other reviewers;
   with ``trust_weighting = "none"`` trust is the standing itself.
2. Cap. No review holds more than ``max(reviewer_cap, 1 / n)`` of the weight on a
   contribution with ``n`` weighted reviews; the weight a cap removes goes to a neutral
   prior review (``prior_rating``, and the claimed effort). The prior can pull a rating
   down, never above the highest rating a used review gave.
3. Rating = weighted median (or trimmed mean) of the capped weights; accepted effort =
   claimed + ``effort_challenge_weight`` x (weighted median of the reviewers' effort
   estimates - claimed), where a reviewer who did not challenge counts as agreeing with the
   claim and an estimate above the claim counts as the claim.
4. Value = accepted effort x rating / 5; pay is split by value.
5. Reputation after the period = decay x before + (1 - decay) x agreement, where
   agreement = 1 - mean |rating - final rating| / 5 and decay = 2 ** (-1 / half_life_periods);
   members who did not review only decay.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from commonshare.core.valuation.columns import EFFORT_SCALE, NO_EFFORT, Columns
from commonshare.core.valuation.engine import (
    EngineResult,
    FloatArray,
    IntArray,
    claimed_hours,
    fbincount,
    member_sum,
)
from commonshare.core.valuation.reviewers import (
    LeaveOneOut,
    reciprocal_inflation,
    reliability,
    standing,
    trust,
)
from commonshare.core.valuation.rounding import apportion, exact_weights

BINS = 6  # ratings 0..5
_EPS = 1e-12


def capped_shares(
    contribution: IntArray,
    weight: FloatArray,
    n_contributions: int,
    cap: float,
    usable: npt.NDArray[np.bool_] | None = None,
) -> tuple[FloatArray, FloatArray]:
    """Each usable review's share of its contribution's weight, capped; and the prior's share.

    The cap is ``max(cap, 1 / n)`` where ``n`` is the number of reviews carrying weight (all
    usable ones when none does: equal weights), so a lone review holds all the weight.
    Reviews that are not ``usable`` get share 0.
    """
    if usable is None:
        usable = np.ones(weight.shape[0], dtype=bool)
    weight = np.where(usable, weight, 0.0)
    total = fbincount(contribution, weights=weight, size=n_contributions)
    zero = total[contribution] <= 0  # nobody trusted: fall back to equal weights
    carrying = usable & (zero | (weight > 0))
    counts = fbincount(contribution, carrying.astype(np.float64), n_contributions)
    share = np.where(
        zero,
        1.0 / np.maximum(counts[contribution], 1),
        weight / np.where(zero, 1.0, total[contribution]),
    )
    share = np.where(carrying, share, 0.0)
    # a cap below 1 / n could not be met by anyone: it binds from 1 / cap weighted reviews on
    share = np.minimum(share, np.maximum(cap, 1.0 / np.maximum(counts[contribution], 1)))
    prior = np.where(counts > 0, 1.0 - fbincount(contribution, share, n_contributions), 0.0)
    return share, np.maximum(prior, 0.0)


def rating_bins(
    columns: Columns, share: FloatArray, prior: FloatArray, prior_rating: float
) -> FloatArray:
    """Weight per contribution and rating 0..5 (the prior split between two bins)."""
    n_c = columns.n_contributions
    flat = fbincount(
        columns.review_contribution * BINS + columns.review_rating, share, n_c * BINS
    ).reshape(n_c, BINS)
    low = int(np.floor(prior_rating))
    frac = prior_rating - low
    flat[:, low] += prior * (1 - frac)
    if frac > 0:
        flat[:, low + 1] += prior * frac
    return flat


def weighted_median(bins: FloatArray) -> FloatArray:
    """Median of each row's rating distribution; mid-point when a half falls on a bin edge."""
    cum = np.cumsum(bins, axis=1)
    half = cum[:, -1:] / 2
    lo = np.argmax(cum >= half * (1 - _EPS), axis=1)
    hi = np.argmax(cum > half * (1 + _EPS), axis=1)
    return np.asarray((lo + hi) / 2.0, dtype=np.float64)


def trimmed_mean(bins: FloatArray, trim: float) -> FloatArray:
    cum = np.cumsum(bins, axis=1)
    total = cum[:, -1:]
    clipped = np.clip(cum, trim * total, (1 - trim) * total)
    kept = np.diff(np.concatenate([trim * total, clipped], axis=1), axis=1)
    kept_total = np.maximum(kept.sum(axis=1), _EPS)
    return np.asarray(kept @ np.arange(BINS, dtype=np.float64) / kept_total, dtype=np.float64)


def aggregate(bins: FloatArray, policy: dict[str, Any]) -> FloatArray:
    if policy["aggregate"] == "median":
        return weighted_median(bins)
    return trimmed_mean(bins, float(policy["trim"]))


def accepted_effort(
    columns: Columns, share: FloatArray, prior: FloatArray, weight_of_challenge: float
) -> FloatArray:
    """Claimed effort moved toward the weighted median of the reviewers' estimates."""
    claimed = claimed_hours(columns)
    challenged = columns.review_effort != NO_EFFORT
    if not challenged.any() or weight_of_challenge == 0:
        return claimed
    rc = columns.review_contribution
    touched = np.zeros(columns.n_contributions, dtype=bool)
    touched[rc[challenged]] = True
    rows = touched[rc]
    # a challenge can lower the claim, never raise it: authors decide what they claim
    estimate = np.minimum(
        np.where(challenged, columns.review_effort, columns.contribution_effort[rc]),
        columns.contribution_effort[rc],
    )
    touched_ids = np.flatnonzero(touched)
    group = np.concatenate([rc[rows], touched_ids])
    values = np.concatenate([estimate[rows], columns.contribution_effort[touched_ids]])
    weights = np.concatenate([share[rows], prior[touched_ids]])
    median = grouped_lower_median(group, values, weights)
    result = claimed.copy()
    medians = median[touched_ids].astype(np.float64) / EFFORT_SCALE
    result[touched_ids] += weight_of_challenge * (medians - claimed[touched_ids])
    return result


def grouped_lower_median(group: IntArray, values: IntArray, weights: FloatArray) -> IntArray:
    """Per group, the smallest value whose cumulative weight reaches half (dense by group id)."""
    span = int(values.max()) + 1 if values.size else 1
    if (int(group.max()) + 1 if group.size else 1) < 2**62 // span:
        # one integer key, stable: the same order as lexsort, and the runs of equal groups
        # (the reviews come sorted by contribution) make the merge sort fast
        order = np.argsort(group * span + values, kind="stable")
    else:
        order = np.lexsort((values, group))
    g, v, w = group[order], values[order], weights[order]
    size = int(g.max()) + 1
    total = fbincount(g, w, size)
    cum = np.cumsum(w)
    start = np.searchsorted(g, np.arange(size))
    before = np.where(start > 0, cum[np.maximum(start - 1, 0)], 0.0)
    within = cum - before[g]
    reached = within >= total[g] / 2 * (1 - _EPS)
    idx = np.flatnonzero(reached)
    first_groups, first_pos = np.unique(g[idx], return_index=True)
    out = np.zeros(size, dtype=np.int64)
    out[first_groups] = v[idx[first_pos]]
    return out


def agreement(columns: Columns, consensus: FloatArray) -> tuple[FloatArray, npt.NDArray[np.bool_]]:
    n = columns.n_members
    deviation = np.abs(columns.review_rating - consensus[columns.review_contribution]) / 5.0
    count = fbincount(columns.review_reviewer, size=n)
    total = fbincount(columns.review_reviewer, deviation, n)
    reviewed = count > 0
    return np.where(reviewed, 1.0 - total / np.maximum(count, 1), 0.0), reviewed


def allocate_robust(columns: Columns, total_minor: int, policy: dict[str, Any]) -> EngineResult:
    n_c = columns.n_contributions
    rc, rr = columns.review_contribution, columns.review_reviewer
    cap = float(policy["reviewer_cap"])
    prior_rating = float(policy["prior_rating"])
    base = standing(columns, policy)
    loo = LeaveOneOut(rc, columns.review_rating.astype(np.float64))
    rel, deviation, agree_e = reliability(columns, base, policy, loo)
    excluded = reciprocal_inflation(columns, base * rel, float(policy["ring_margin"]), loo)
    usable = ~excluded
    if policy["trust_weighting"] == "eigentrust":
        agree_e[excluded] = 0.0  # reciprocal inflation carries no trust either
        t, iterations = trust(columns, base, agree_e, policy)
    else:
        t, iterations = base, 0
    del agree_e
    weight = t * rel
    share, prior = capped_shares(rc, weight[rr], n_c, cap, usable)
    has_reviews = fbincount(rc, usable.astype(np.float64), n_c) > 0
    highest = np.zeros(n_c)
    np.maximum.at(highest, rc, np.where(usable, columns.review_rating, 0).astype(np.float64))
    aggregated = aggregate(rating_bins(columns, share, prior, prior_rating), policy)
    # the prior may pull a rating down toward neutral, never above what any reviewer gave
    rating = np.where(has_reviews, np.minimum(aggregated, highest), np.nan)
    agree, reviewed = agreement(columns, np.nan_to_num(rating))
    effort = accepted_effort(columns, share, prior, float(policy["effort_challenge_weight"]))
    value = np.where(has_reviews, effort * np.nan_to_num(rating) / 5.0, 0.0)
    member_value = member_sum(columns, value)
    largest = policy["rounding"] == "largest_remainder"
    parts = apportion(total_minor, exact_weights(member_value), largest_remainder=largest)
    decay = (
        2.0 ** (-1.0 / float(policy["half_life_periods"])) if policy["half_life_periods"] else 0.0
    )
    before = np.where(columns.reputation < 0, 0.0, columns.reputation)
    reputation = np.where(reviewed, decay * before + (1 - decay) * agree, decay * before)
    return EngineResult(
        method="robust",
        payout_minor=parts,
        remainder_minor=total_minor - sum(parts),
        accepted_effort=effort,
        rating=rating,
        value=value,
        member_value=member_value,
        review_weight=share,
        reputation=reputation,
        rounding=policy["rounding"],
        detail={
            "standing": base,
            "trust": t,
            "trust_iterations": iterations,
            "agreement": agree,
            "reliability": rel,
            "excluded": excluded,
            "deviation": deviation,
            "prior_share": prior,
            "decay": decay,
        },
    )
