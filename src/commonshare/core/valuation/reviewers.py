"""Who counts how much as a reviewer under ``robust``: standing, reliability, reciprocity, trust.

* **Standing** (the anchor): a member's reputation from earlier periods where known, and
  ``anchor_reputation`` (0 by default) for a member without one while others have one. When
  nobody has a reputation yet, each member's claimed effort this period, so that splitting
  work across accounts adds no standing; equal for all if nobody claimed any.
* **Reliability**: how far a reviewer's ratings stand from what the *other* reviewers of the
  same contributions say (leave-one-out), turned into a weight by Tukey's biweight.
* **Reciprocal inflation**: two members who each rate the other's work well above the other
  reviewers of the same work; those reviews are not used.
* **Trust** (``trust_weighting = "eigentrust"``, the default): EigenTrust with damping over who
  rated whom, teleporting to the standing. A reviewer passes its own trust to the authors it
  rated, in proportion to the ratings it gave, but only as far as each rating agrees with the
  other reviewers of the same work; what it does not pass returns to the anchor.

A reviewer's weight is ``trust x reliability`` (``standing x reliability`` with
``trust_weighting = "none"``); see docs/valuation.md for the formulas.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from commonshare.core.valuation.columns import Columns
from commonshare.core.valuation.engine import FloatArray, IntArray, fbincount

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


class LeaveOneOut:
    """Reviews grouped by contribution (they are sorted by it), with what does not change
    between rounds computed once; sums use ``reduceat`` and ``repeat`` (no scatter/gather)."""

    def __init__(self, contribution: IntArray, x: FloatArray) -> None:
        edges = np.flatnonzero(np.diff(contribution)) + 1
        self.starts = np.concatenate([[0], edges]) if contribution.size else edges
        self.sizes = np.diff(np.append(self.starts, contribution.size))
        self.x = x
        others_n = np.repeat(self.sizes, self.sizes) - 1.0
        self.evidence = others_n > 0  # there is another review of the same contribution
        self.plain_mean = (self.sum_back(x) - x) / np.maximum(others_n, 1.0)

    def sum_back(self, values: FloatArray) -> FloatArray:
        """Each review gets the sum of ``values`` over its contribution."""
        if values.size == 0:
            return values
        return np.repeat(np.add.reduceat(values, self.starts), self.sizes)

    def mean(self, w: FloatArray) -> FloatArray:
        """Per review, the ``w``-weighted mean of the other reviews of the same contribution;
        the plain mean when the others carry no weight (0 when there is no other review)."""
        others_w = self.sum_back(w)
        others_w -= w  # exact 0 when no other review carries weight (adding zeros is exact)
        wx = w * self.x
        mean = self.sum_back(wx)
        mean -= wx
        unweighted = others_w <= 0
        others_w[unweighted] = 1.0
        mean /= others_w
        np.copyto(mean, self.plain_mean, where=unweighted)
        return mean


def reliability(
    columns: Columns, base: FloatArray, policy: dict[str, Any], loo: LeaveOneOut
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Tukey-biweight reliability of each reviewer from its leave-one-out deviation.

    For a review ``e`` of ``c`` by ``r``: ``dev(e) = |rating(e) - m(c without r)|`` where ``m`` is
    the weighted mean of the other reviews of ``c`` (weights ``base x reliability``, the plain
    mean if they carry none; no other review, no evidence). ``dev(r) = (sum of dev(e) + k x d) /
    (n(r) + k)`` shrinks toward the typical deviation ``d`` (median over reviewers with
    evidence) with ``k = reliability_prior``. ``reliability(r) = (1 - min(1, dev(r) / cutoff)
    ** 2) ** 2`` with ``cutoff = outlier_cutoff x max(d, 0.25)``. Repeated
    ``reliability_rounds`` times, each round's means weighted by the previous round's result.

    Also returns each review's own agreement from the last round, the same biweight of its
    ``dev(e)``: ``(1 - min(1, dev(e) / cutoff) ** 2) ** 2``; a review with no other review of
    the same contribution (no evidence) gets its reviewer's reliability.
    """
    n = columns.n_members
    rr = columns.review_reviewer
    x = loo.x
    evidence = loo.evidence
    evidence_count = fbincount(rr, evidence.astype(np.float64), n)
    with_evidence = evidence_count > 0
    rel = np.ones(n)
    deviation = np.zeros(n)
    dev_e = np.zeros(x.shape[0])
    cutoff = 1.0
    k = float(policy["reliability_prior"])
    for _ in range(int(policy["reliability_rounds"])):
        dev_e = x - loo.mean((base * rel)[rr])
        np.abs(dev_e, out=dev_e)
        dev_e[~evidence] = 0.0
        sum_e = fbincount(rr, dev_e, n)
        typical = (
            float(np.median(sum_e[with_evidence] / evidence_count[with_evidence]))
            if with_evidence.any()
            else 0.0
        )
        deviation = (sum_e + k * typical) / np.maximum(evidence_count + k, 1e-300)
        cutoff = float(policy["outlier_cutoff"]) * max(typical, _TYPICAL_FLOOR)
        u = np.minimum(deviation / cutoff, 1.0)
        rel = (1.0 - u**2) ** 2
    dev_e /= cutoff
    np.minimum(dev_e, 1.0, out=dev_e)
    dev_e **= 2
    agree_e = np.square(1.0 - dev_e, out=dev_e)
    np.copyto(agree_e, rel[rr], where=~evidence)
    return (
        np.asarray(rel, dtype=np.float64),
        np.asarray(deviation, dtype=np.float64),
        np.asarray(agree_e, dtype=np.float64),
    )


def reciprocal_inflation(
    columns: Columns, weight: FloatArray, margin: float, loo: LeaveOneOut
) -> npt.NDArray[np.bool_]:
    """Reviews in a pair of members who inflate each other.

    A review ``e`` of contribution ``c`` lifts ``c`` by ``rating(e) - m(c without e)``, where
    ``m`` is the weighted mean of the other reviews of ``c`` (weights = reviewer weights, so
    accounts without weight cannot hide an inflation by rating ``c`` high too; the plain mean
    when the others carry none). ``r`` inflates ``a`` when the mean lift of ``r``'s reviews of
    ``a``'s work is at least ``margin`` (reviews with no other review on the same contribution
    are no evidence). A review of ``a`` by ``r`` is excluded when ``r`` inflates ``a`` and
    ``a`` inflates ``r``.
    """
    n = columns.n_members
    rr = columns.review_reviewer
    if columns.n_reviews == 0:
        return np.zeros(0, dtype=bool)
    x = loo.x
    others_mean, evidence = loo.mean(weight[rr]), loo.evidence
    lift = np.where(evidence, x - others_mean, 0.0)
    lifted = np.flatnonzero(lift >= margin)
    author = columns.contribution_member[columns.review_contribution]
    # a pair's mean lift reaches the margin only if one of its reviews does, and the pair matters
    # only if the reverse pair has such a review too: evaluate those few pairs exactly
    edge = np.sort(rr[lifted] * n + author[lifted])
    edge = edge[np.concatenate([[True], edge[1:] != edge[:-1]])] if edge.size else edge
    reverse = (edge % n) * n + edge // n
    candidates = edge[_member_of(reverse, edge)]
    excluded = np.zeros(columns.n_reviews, dtype=bool)
    if candidates.size == 0:
        return excluded
    reviews_a_candidate = np.zeros(n, dtype=bool)
    reviews_a_candidate[candidates // n] = True
    rows = np.flatnonzero(reviews_a_candidate[rr] & evidence)
    key = rr[rows] * n + author[rows]
    rows, key = rows[_member_of(key, candidates)], key[_member_of(key, candidates)]
    pair = np.searchsorted(candidates, key)
    pair_count = np.bincount(pair, minlength=candidates.size)
    total = np.bincount(pair, lift[rows], minlength=candidates.size)
    inflated = (pair_count > 0) & (total >= margin * pair_count)
    at = np.searchsorted(candidates, (candidates % n) * n + candidates // n)
    mutual = inflated & inflated[at]  # every candidate's reverse is a candidate
    excluded[rows[mutual[pair]]] = True
    return excluded


def trust(
    columns: Columns,
    anchor: FloatArray,
    passed: FloatArray,
    policy: dict[str, Any],
) -> tuple[FloatArray, int]:
    """EigenTrust with damping over who rated whom; trust (sums to 1) and the iterations used.

    ``passed`` is, per review, the part of its edge that carries trust (its agreement, 0 for a
    review not used). A reviewer ``r`` with ratings ``x(e)`` of ``a``'s work passes

        P(r, a) = sum over r's reviews e of a's work of (x(e) / 5) passed(e) / sum over all of
                  r's reviews of x(e) / 5

    of its trust to ``a`` (rows sum to at most 1; a reviewer whose ratings are all 0 passes
    nothing), except that two members who review each other pass each other nothing. Power
    iteration from ``t = anchor``:

        t <- d P^T t + (1 - d sum(P^T t)) anchor,   d = damping

    so what is not passed (damping, disagreeing or unused reviews, reviewers without reviews)
    returns to the anchor; stops when the L1 change is below ``trust_tolerance`` or after
    ``trust_max_iterations``.
    """
    n = columns.n_members
    if columns.n_reviews == 0 or n == 0:
        return anchor, 0
    rr = columns.review_reviewer
    given = columns.review_rating.astype(np.float64)
    given /= 5.0
    row_total = fbincount(rr, given, n)
    inverse = np.divide(1.0, row_total, out=np.zeros(n), where=row_total > 0)
    given *= passed
    given *= inverse[rr]
    authors = columns.contribution_member[columns.review_contribution]
    # P^T as CSR: rows are the rated authors, columns the reviewers
    transition_t = sp.csr_matrix((given, (authors, rr)), shape=(n, n))
    transition_t = _without_mutual_edges(transition_t)
    d = float(policy["damping"])
    tolerance = float(policy["trust_tolerance"])
    t = anchor.copy()
    iterations = 0
    for iterations in range(1, int(policy["trust_max_iterations"]) + 1):  # noqa: B007
        step = transition_t @ t
        step *= d
        step += (1.0 - float(step.sum())) * anchor
        change = float(np.abs(step - t).sum())
        t = step
        if change < tolerance:
            break
    np.maximum(t, 0.0, out=t)
    total = float(t.sum())
    return np.asarray(t / total if total > 0 else anchor, dtype=np.float64), iterations


def _without_mutual_edges(matrix: sp.csr_matrix) -> sp.csr_matrix:
    """``matrix`` with 0 at the entries (a, r) whose mirror (r, a) is stored too (in place):
    members who review each other pass each other no trust, so trust cannot circulate in a
    pair."""
    # each stored entry carries its position + 1; the element-wise product with the mirrored
    # structure keeps exactly the mutual entries, with their positions
    # (small dtypes: fresh memory is what this step costs)
    kind = np.int32 if matrix.nnz < 2**31 - 1 else np.int64
    position = sp.csr_matrix(
        (np.arange(1, matrix.nnz + 1, dtype=kind), matrix.indices, matrix.indptr),
        shape=matrix.shape,
    )
    mirror = sp.csr_matrix(
        (np.ones(matrix.nnz, dtype=np.bool_), matrix.indices, matrix.indptr), shape=matrix.shape
    ).T.tocsr()
    mutual = position.multiply(mirror)
    matrix.data[np.asarray(mutual.data, dtype=np.int64) - 1] = 0.0
    return matrix


def _member_of(values: IntArray, sorted_set: IntArray) -> npt.NDArray[np.bool_]:
    """``values`` in ``sorted_set`` (sorted, unique), by binary search."""
    if sorted_set.size == 0:
        return np.zeros(values.shape[0], dtype=bool)
    at = np.minimum(np.searchsorted(sorted_set, values), sorted_set.size - 1)
    return np.asarray(sorted_set[at] == values, dtype=np.bool_)
