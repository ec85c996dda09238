"""Who counts how much as a reviewer under ``robust``: standing, reliability, reciprocity.

* **Standing** (the anchor): a member's reputation from earlier periods where known, and
  ``anchor_reputation`` (0 by default) for a member without one while others have one. When
  nobody has a reputation yet, each member's claimed effort this period, so that splitting
  work across accounts adds no standing; equal for all if nobody claimed any.
* **Reliability**: how far a reviewer's ratings stand from what the *other* reviewers of the
  same contributions say (leave-one-out), turned into a weight by Tukey's biweight.
* **Reciprocal inflation**: two members who each rate the other's work well above the other
  reviewers of the same work; those reviews are not used.

A reviewer's weight is ``standing x reliability``; see docs/valuation.md for the formulas.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from commonshare.core.valuation.columns import Columns
from commonshare.core.valuation.engine import FloatArray, fbincount

_TYPICAL_FLOOR = 0.25  # rating points: the cutoff never falls below outlier_cutoff x this


def standing(columns: Columns, policy: dict[str, Any]) -> FloatArray:
    """Anchor weight per member, summing to 1 (see the module docstring)."""
    rep = columns.reputation
    known = rep >= 0
    if known.any():
        p = np.where(known, rep, float(policy["anchor_reputation"]))
    else:
        p = fbincount(
            columns.contribution_member,
            columns.contribution_effort.astype(np.float64),
            columns.n_members,
        )
    total = float(p.sum())
    if total <= 0:
        p = np.ones(columns.n_members)
        total = float(p.sum())
    return np.asarray(p / total, dtype=np.float64)


def reliability(
    columns: Columns, base: FloatArray, policy: dict[str, Any]
) -> tuple[FloatArray, FloatArray]:
    """Tukey-biweight reliability of each reviewer from its leave-one-out deviation.

    For a review ``e`` of ``c`` by ``r``: ``dev(e) = |rating(e) - m(c without r)|`` where ``m`` is
    the weighted mean of the other reviews of ``c`` (weights ``base x reliability``; no other
    review, no evidence). ``dev(r) = (sum of dev(e) + k x d) / (n(r) + k)`` shrinks toward the
    typical deviation ``d`` (median over reviewers with evidence) with ``k = reliability_prior``.
    ``reliability(r) = (1 - min(1, dev(r) / cutoff) ** 2) ** 2`` with
    ``cutoff = outlier_cutoff x max(d, 0.25)``. Repeated ``reliability_rounds`` times, each
    round's consensus weighted by the previous round's reliability.
    """
    n = columns.n_members
    rc, rr = columns.review_contribution, columns.review_reviewer
    x = columns.review_rating.astype(np.float64)
    n_c = columns.n_contributions
    rel = np.ones(n)
    deviation = np.zeros(n)
    k = float(policy["reliability_prior"])
    for _ in range(int(policy["reliability_rounds"])):
        w = (base * rel)[rr]
        total_w = fbincount(rc, w, n_c)
        total_x = fbincount(rc, w * x, n_c)
        others_w = total_w[rc] - w
        evidence = others_w > 1e-12 * np.maximum(total_w[rc], 1e-300)
        if not evidence.any():  # equal weights when the weights say nothing (new community)
            counts = fbincount(rc, None, n_c)
            others_w = counts[rc] - 1.0
            total_x = fbincount(rc, x, n_c)
            evidence = others_w > 0
            others_x = total_x[rc] - x
        else:
            others_x = total_x[rc] - w * x
        consensus = others_x / np.where(evidence, others_w, 1.0)
        dev_e = np.where(evidence, np.abs(x - consensus), 0.0)
        n_e = fbincount(rr[evidence], None, n)
        sum_e = fbincount(rr, dev_e, n)
        with_evidence = n_e > 0
        typical = (
            float(np.median(sum_e[with_evidence] / n_e[with_evidence]))
            if with_evidence.any()
            else 0.0
        )
        deviation = (sum_e + k * typical) / (n_e + k) if k > 0 else sum_e / np.maximum(n_e, 1)
        cutoff = float(policy["outlier_cutoff"]) * max(typical, _TYPICAL_FLOOR)
        u = np.minimum(deviation / cutoff, 1.0)
        rel = (1.0 - u**2) ** 2
    return np.asarray(rel, dtype=np.float64), np.asarray(deviation, dtype=np.float64)


def reciprocal_inflation(
    columns: Columns, weight: FloatArray, margin: float
) -> npt.NDArray[np.bool_]:
    """Reviews in a pair of members who inflate each other.

    A review ``e`` of contribution ``c`` lifts ``c`` by ``rating(e) - m(c without e)``, where
    ``m`` is the weighted mean of the other reviews of ``c`` (weights = reviewer weights, so
    accounts without weight cannot hide an inflation by rating ``c`` high too; equal weights
    when the others carry none). ``r`` inflates ``a`` when the mean lift of ``r``'s reviews of
    ``a``'s work is at least ``margin`` (reviews with no other review on the same contribution
    are no evidence). A review of ``a`` by ``r`` is excluded when ``r`` inflates ``a`` and
    ``a`` inflates ``r``.
    """
    n, n_c = columns.n_members, columns.n_contributions
    rc, rr = columns.review_contribution, columns.review_reviewer
    author = columns.contribution_member[rc]
    x = columns.review_rating.astype(np.float64)
    w = weight[rr]
    total_w, total_wx = fbincount(rc, w, n_c), fbincount(rc, w * x, n_c)
    count, total_x = fbincount(rc, None, n_c), fbincount(rc, x, n_c)
    others_w = total_w[rc] - w
    weighted = others_w > 1e-12 * np.maximum(total_w[rc], 1e-300)
    others_n = count[rc] - 1
    evidence = others_n > 0
    others_mean = np.where(
        weighted,
        (total_wx[rc] - w * x) / np.where(weighted, others_w, 1.0),
        (total_x[rc] - x) / np.maximum(others_n, 1),
    )
    lift = np.where(evidence, x - others_mean, 0.0)
    if not (lift >= margin).any():
        return np.zeros(columns.n_reviews, dtype=bool)
    shape = (n, n)
    pair_n = sp.csr_matrix((evidence.astype(np.float64), (rr, author)), shape=shape)
    pair_lift = sp.csr_matrix((lift, (rr, author)), shape=shape)
    rows = np.repeat(np.arange(n), np.diff(pair_n.indptr))
    has = pair_n.data > 0
    inflated = has & (pair_lift.data / np.where(has, pair_n.data, 1.0) >= margin)
    if not inflated.any():
        return np.zeros(columns.n_reviews, dtype=bool)
    edges = sp.csr_matrix(
        (np.ones(int(inflated.sum())), (rows[inflated], pair_n.indices[inflated])), shape
    )
    mutual = sp.coo_matrix(edges.multiply(edges.T))
    if mutual.nnz == 0:
        return np.zeros(columns.n_reviews, dtype=bool)
    keys = np.sort(mutual.row.astype(np.int64) * n + mutual.col)
    return np.isin(rr * n + author, keys)
