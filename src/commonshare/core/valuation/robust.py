"""The ``robust`` method (the default): trusted, capped, robustly aggregated reviews.

1. Trust. An EigenTrust power iteration over the review graph: each reviewer
   passes trust to the authors it rated, in proportion to the ratings it gave;
   with probability ``1 - damping`` trust returns to the anchor, which is the
   members' reputation from earlier periods (uniform when nobody has any).
2. Agreement. A first consensus per contribution (trust-weighted median);
   each reviewer's agreement is ``1 - mean |rating - consensus| / 5``.
   A reviewer's weight is ``trust x agreement``.
3. Cap. No reviewer holds more than ``reviewer_cap`` of the weight on one
   contribution; the weight a cap removes goes to a neutral prior review
   (``prior_rating``, and the claimed effort). So no single reviewer holds more
   than that share of the weight behind any member's pay. The prior can pull a
   rating down, never above the highest rating a reviewer gave.
4. Rating = weighted median (or trimmed mean) of the capped weights; accepted
   effort = claimed + ``effort_challenge_weight`` x (weighted median of the
   reviewers' effort estimates - claimed), where a reviewer who did not
   challenge counts as agreeing with the claim and an estimate above the claim
   counts as the claim.
5. Value = accepted effort x rating / 5; pay is split by value.
6. Reputation after the period = decay x before + (1 - decay) x agreement,
   with decay = 2 ** (-1 / half_life_periods); members who did not review decay.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from commonshare.core.valuation.columns import EFFORT_SCALE, NO_EFFORT, Columns
from commonshare.core.valuation.engine import (
    EngineResult,
    FloatArray,
    IntArray,
    claimed_hours,
    fbincount,
    member_sum,
)
from commonshare.core.valuation.rounding import apportion, exact_weights

BINS = 6  # ratings 0..5
_EPS = 1e-12


def anchor(columns: Columns, policy: dict[str, Any]) -> FloatArray:
    """Pre-trust: reputation where known, ``anchor_reputation`` otherwise; uniform if all 0."""
    rep = columns.reputation
    known = rep >= 0
    p = (
        np.where(known, rep, float(policy["anchor_reputation"]))
        if known.any()
        else np.ones(columns.n_members)
    )
    total = p.sum()
    if total <= 0:
        p = np.ones(columns.n_members)
        total = p.sum()
    return np.asarray(p / total, dtype=np.float64)


def trust(columns: Columns, policy: dict[str, Any]) -> tuple[FloatArray, int]:
    """EigenTrust with damping; returns trust (sums to 1) and the iterations used."""
    n = columns.n_members
    p = anchor(columns, policy)
    if columns.n_reviews == 0 or n == 0:
        return p, 0
    authors = columns.contribution_member[columns.review_contribution]
    local = sp.csr_matrix(
        (columns.review_rating.astype(np.float64) / 5.0, (columns.review_reviewer, authors)),
        shape=(n, n),
    )
    row_sum = np.asarray(local.sum(axis=1)).ravel()
    dangling = row_sum <= 0
    inverse = np.where(dangling, 0.0, 1.0 / np.where(dangling, 1.0, row_sum))
    transition_t = (sp.diags(inverse) @ local).T.tocsr()
    d = float(policy["damping"])
    t = p.copy()
    iterations = 0
    for iterations in range(1, int(policy["trust_max_iterations"]) + 1):  # noqa: B007
        step = d * (transition_t @ t + t[dangling].sum() * p) + (1 - d) * p
        change = float(np.abs(step - t).sum())
        t = step
        if change < float(policy["trust_tolerance"]):
            break
    return np.asarray(t / t.sum(), dtype=np.float64), iterations


def capped_shares(
    contribution: IntArray, weight: FloatArray, n_contributions: int, cap: float
) -> tuple[FloatArray, FloatArray]:
    """Each review's share of its contribution's weight, capped; and the prior's share."""
    total = fbincount(contribution, weights=weight, size=n_contributions)
    counts = fbincount(contribution, size=n_contributions)
    zero = total[contribution] <= 0  # nobody trusted: fall back to equal weights
    share = np.where(
        zero,
        1.0 / np.maximum(counts[contribution], 1),
        weight / np.where(zero, 1.0, total[contribution]),
    )
    share = np.minimum(share, cap)
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
    t, iterations = trust(columns, policy)
    share0, prior0 = capped_shares(rc, t[rr], n_c, cap)
    consensus = aggregate(rating_bins(columns, share0, prior0, prior_rating), policy)
    agree, reviewed = agreement(columns, consensus)
    weight = t * agree
    share, prior = capped_shares(rc, weight[rr], n_c, cap)
    has_reviews = fbincount(rc, size=n_c) > 0
    highest = np.zeros(n_c)
    np.maximum.at(highest, rc, columns.review_rating.astype(np.float64))
    aggregated = aggregate(rating_bins(columns, share, prior, prior_rating), policy)
    # the prior may pull a rating down toward neutral, never above what any reviewer gave
    rating = np.where(has_reviews, np.minimum(aggregated, highest), np.nan)
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
            "trust": t,
            "agreement": agree,
            "prior_share": prior,
            "trust_iterations": iterations,
            "decay": decay,
        },
    )
