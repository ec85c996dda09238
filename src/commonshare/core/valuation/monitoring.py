"""Monitoring: rings of mutual inflation and accounts that only ever rate one member.

* A **ring** is a connected group of at least two members in which each link is
  mutual inflation: ``r`` rates ``a`` at least ``ring_margin`` above the mean
  ``a`` gets from everyone else, and ``a`` does the same for ``r``. Evidence: the
  members, the reviews inside the group, their mean rating, and the mean
  rating the members get from outside.
* A **sock puppet** is an account with at least ``sock_puppet_min_reviews``
  reviews, all of one member's work. Evidence: the target, the count, the mean
  rating given and the mean the target gets from everyone else.

These are flags for people to look at, never automatic penalties.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from commonshare.core.valuation.columns import Columns
from commonshare.core.valuation.rounding import tidy


def monitor(columns: Columns, policy: dict[str, Any]) -> dict[str, Any]:
    n = columns.n_members
    if columns.n_reviews == 0:
        return {"rings": [], "sock_puppets": []}
    reviewer = columns.review_reviewer
    author = columns.contribution_member[columns.review_contribution]
    rating = columns.review_rating.astype(np.float64)
    pair, inverse = np.unique(reviewer * n + author, return_inverse=True)
    pair_count = np.bincount(inverse).astype(np.float64)
    pair_sum = np.bincount(inverse, rating)
    pr, pa = pair // n, pair % n
    got_count = np.bincount(author, minlength=n).astype(np.float64)
    got_sum = np.bincount(author, rating, n)
    others = got_count[pa] - pair_count
    others_mean = np.where(others > 0, (got_sum[pa] - pair_sum) / np.maximum(others, 1), np.nan)
    inflated = (others > 0) & (pair_sum / pair_count - others_mean >= policy["ring_margin"])
    return {
        "rings": _rings(columns, pr, pa, inflated, policy),
        "sock_puppets": _sock_puppets(
            columns,
            pr=pr,
            pa=pa,
            pair_count=pair_count,
            pair_sum=pair_sum,
            got_count=got_count,
            got_sum=got_sum,
            policy=policy,
        ),
    }


def _rings(
    columns: Columns,
    pr: np.ndarray[Any, Any],
    pa: np.ndarray[Any, Any],
    inflated: np.ndarray[Any, Any],
    policy: dict[str, Any],
) -> list[dict[str, Any]]:
    n = columns.n_members
    edges = sp.csr_matrix(
        (np.ones(int(inflated.sum())), (pr[inflated], pa[inflated])), shape=(n, n)
    )
    mutual = edges.multiply(edges.T)
    if mutual.nnz == 0:
        return []
    _, label = connected_components(mutual, directed=False)
    in_ring = np.zeros(n, dtype=bool)
    in_ring[mutual.nonzero()[0]] = True
    reviewer = columns.review_reviewer
    author = columns.contribution_member[columns.review_contribution]
    rating = columns.review_rating
    rings = []
    for group in np.unique(label[in_ring]):
        members = np.flatnonzero(in_ring & (label == group))
        inside = np.isin(reviewer, members) & np.isin(author, members)
        outside = ~np.isin(reviewer, members) & np.isin(author, members)
        if int(inside.sum()) < policy["ring_min_reviews"]:
            continue
        rings.append(
            {
                "members": [columns.member_ids[int(i)] for i in members],
                "reviews_inside": int(inside.sum()),
                "mean_rating_inside": tidy(float(rating[inside].mean())),
                "reviews_from_outside": int(outside.sum()),
                "mean_rating_from_outside": (
                    tidy(float(rating[outside].mean())) if outside.any() else None
                ),
            }
        )
    return sorted(rings, key=lambda ring: ring["members"])


def _sock_puppets(
    columns: Columns,
    *,
    pr: np.ndarray[Any, Any],
    pa: np.ndarray[Any, Any],
    pair_count: np.ndarray[Any, Any],
    pair_sum: np.ndarray[Any, Any],
    got_count: np.ndarray[Any, Any],
    got_sum: np.ndarray[Any, Any],
    policy: dict[str, Any],
) -> list[dict[str, Any]]:
    n = columns.n_members
    targets = np.bincount(pr, minlength=n)
    single = (targets[pr] == 1) & (pair_count >= policy["sock_puppet_min_reviews"])
    found = []
    for k in np.flatnonzero(single):
        r, a = int(pr[k]), int(pa[k])
        others = got_count[a] - pair_count[k]
        found.append(
            {
                "account": columns.member_ids[r],
                "only_rates": columns.member_ids[a],
                "reviews": int(pair_count[k]),
                "mean_rating_given": tidy(float(pair_sum[k] / pair_count[k])),
                "target_mean_from_others": (
                    tidy(float((got_sum[a] - pair_sum[k]) / others)) if others > 0 else None
                ),
            }
        )
    return found
