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

The passes over the reviews run in ``kernels`` (compiled loops, on every core); this module
and ``reviewers`` say what they compute.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np
import numpy.typing as npt

from commonshare.core.valuation import kernels
from commonshare.core.valuation.columns import EFFORT_SCALE, Columns
from commonshare.core.valuation.results import (
    EngineResult,
    FloatArray,
    claimed_hours,
    member_sum,
)
from commonshare.core.valuation.reviewers import (
    Evidence,
    reciprocal_inflation,
    reliability,
    standing,
    trust,
)
from commonshare.core.valuation.rounding import apportion, exact_weights


@dataclass(frozen=True, slots=True)
class Settled:
    """What the reviews settle per contribution and per reviewer."""

    share: FloatArray  # per review: its capped part of the contribution's weight
    prior: FloatArray  # per contribution: the neutral prior's part
    rating: FloatArray  # per contribution; NaN without a usable review
    effort: FloatArray  # per contribution: accepted effort in hours
    agreement: FloatArray  # per member: 1 - mean |rating - final rating| / 5 (0: no reviews)
    reviewed: npt.NDArray[np.bool_]  # per member: wrote a review


def settle(
    columns: Columns,
    weight: FloatArray,
    usable: npt.NDArray[np.bool_],
    policy: dict[str, Any],
    loo: Evidence,
) -> Settled:
    """Ratings, accepted efforts and reviewers' agreement, in one pass over the reviews."""
    n_c, n_m = columns.n_contributions, columns.n_members
    ranges = loo.chunks
    share = np.empty(columns.n_reviews)
    prior = np.zeros(n_c)
    rating = np.full(n_c, np.nan)
    median = np.full(n_c, -1, dtype=np.int64)
    totals = np.zeros((len(ranges), n_m))
    move = float(policy["effort_challenge_weight"])
    arguments = (
        columns.review_contribution,
        columns.review_reviewer,
        columns.review_rating,
        columns.review_effort,
        columns.contribution_effort,
        np.ascontiguousarray(weight, dtype=np.float64),
        usable,
        float(policy["reviewer_cap"]),
        float(policy["prior_rating"]),
        float(policy["trim"]) if policy["aggregate"] == "trimmed_mean" else -1.0,
        move != 0,
        share,
        prior,
        rating,
        median,
    )
    kernels.run_all(
        [
            partial(
                kernels.settle_contributions,
                lo,
                hi,
                *arguments,
                totals[i],
                np.empty(loo.largest_group + 1, dtype=np.int64),
                np.empty(loo.largest_group + 1),
            )
            for i, (lo, hi) in enumerate(ranges)
        ]
    )
    total, count = totals.sum(axis=0), loo.review_count
    reviewed = count > 0
    agree = np.where(reviewed, 1.0 - total / np.maximum(count, 1), 0.0)
    # claimed effort moved toward the weighted median of the reviewers' estimates
    effort = claimed_hours(columns)
    touched = np.flatnonzero(median >= 0)
    medians = median[touched].astype(np.float64) / EFFORT_SCALE
    effort[touched] += move * (medians - effort[touched])
    return Settled(share, prior, rating, effort, agree, reviewed)


def allocate_robust(columns: Columns, total_minor: int, policy: dict[str, Any]) -> EngineResult:
    base = standing(columns, policy)
    loo = Evidence(columns)
    rel, deviation, agree_e = reliability(columns, base, policy, loo)
    excluded = reciprocal_inflation(columns, base * rel, float(policy["ring_margin"]), loo)
    usable = ~excluded
    if policy["trust_weighting"] == "eigentrust":
        agree_e[excluded] = 0.0  # reciprocal inflation carries no trust either
        t, iterations = trust(columns, base, agree_e, policy, loo)
    else:
        t, iterations = base, 0
    del agree_e
    settled = settle(columns, t * rel, usable, policy, loo)
    rating, effort = settled.rating, settled.effort
    value = np.where(np.isnan(rating), 0.0, effort * np.nan_to_num(rating) / 5.0)
    member_value = member_sum(columns, value)
    largest = policy["rounding"] == "largest_remainder"
    parts = apportion(total_minor, exact_weights(member_value), largest_remainder=largest)
    decay = (
        2.0 ** (-1.0 / float(policy["half_life_periods"])) if policy["half_life_periods"] else 0.0
    )
    before = np.where(columns.reputation < 0, 0.0, columns.reputation)
    reputation = np.where(
        settled.reviewed, decay * before + (1 - decay) * settled.agreement, decay * before
    )
    return EngineResult(
        method="robust",
        payout_minor=parts,
        remainder_minor=total_minor - sum(parts),
        accepted_effort=effort,
        rating=rating,
        value=value,
        member_value=member_value,
        review_weight=settled.share,
        reputation=reputation,
        rounding=policy["rounding"],
        detail={
            "standing": base,
            "trust": t,
            "trust_iterations": iterations,
            "agreement": settled.agreement,
            "reliability": rel,
            "excluded": excluded,
            "deviation": deviation,
            "prior_share": settled.prior,
            "decay": decay,
        },
    )
