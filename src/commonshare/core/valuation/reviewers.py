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

from functools import partial
from typing import Any

import numpy as np
import numpy.typing as npt

from commonshare.core.valuation import kernels
from commonshare.core.valuation.columns import Columns
from commonshare.core.valuation.results import FloatArray, IntArray, fbincount

_TYPICAL_FLOOR = 0.25  # rating points: the cutoff never falls below outlier_cutoff x this
_TIE = 1e-9  # rating points: a lift this close to the ring margin counts as reaching it


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


class Evidence:
    """What one pass over the reviews tells the later ones: per review whether another review
    of the same contribution exists, per reviewer how many do, how
    many reviews it wrote and what it gave in ratings, and per author how many rate it (the
    last three per chunk too, for the trust graph's counting sort)."""

    def __init__(self, columns: Columns) -> None:
        self.columns = columns
        self.evidence = np.empty(columns.n_reviews, dtype=np.bool_)
        self.chunks = kernels.review_chunks(columns.review_contribution)
        k, n = len(self.chunks), columns.n_members
        counts = np.zeros((k, n, 3))
        self.rated_per_chunk = np.zeros((k, n), dtype=np.int64)
        largest = np.zeros((k, 1), dtype=np.int64)
        reviews = (columns.review_contribution, columns.review_reviewer, columns.review_rating)
        kernels.run_all(
            [
                partial(
                    kernels.survey_reviews,
                    lo,
                    hi,
                    *reviews,
                    columns.contribution_member,
                    self.evidence,
                    counts[i],
                    self.rated_per_chunk[i],
                    largest[i],
                )
                for i, (lo, hi) in enumerate(self.chunks)
            ]
        )
        self.largest_group = int(largest.max(initial=0))
        self.evidence_count = counts[:, :, 0].sum(axis=0)
        self.review_count = counts[:, :, 1].sum(axis=0)
        self.reviews_per_chunk = counts[:, :, 1].astype(np.int64)
        self.given = counts[:, :, 2].sum(axis=0)

    def residuals(self, member_weight: FloatArray) -> FloatArray:
        """Per review, its rating minus the weighted mean of the other reviews of the same
        contribution (weights ``member_weight`` of their reviewers; the plain mean when those
        carry none); 0 when there is no other review."""
        out = np.empty(self.columns.n_reviews)
        self._run(member_weight, out, absolute=False)
        return out

    def deviations(self, member_weight: FloatArray, out: FloatArray) -> FloatArray:
        """The absolute ``residuals`` into ``out``; returns their sum per reviewer."""
        return self._run(member_weight, out, absolute=True)

    def _run(self, member_weight: FloatArray, out: FloatArray, *, absolute: bool) -> FloatArray:
        # per chunk, a (weight, sum) row per member: its own sums, added up in chunk order
        member = np.zeros((len(self.chunks), self.columns.n_members, 2))
        member[:, :, 0] = member_weight
        rc, rr = self.columns.review_contribution, self.columns.review_reviewer
        rating = self.columns.review_rating
        kernels.run_all(
            [
                partial(kernels.loo_residuals, lo, hi, rc, rr, rating, member[i], absolute, out)
                for i, (lo, hi) in enumerate(self.chunks)
            ]
        )
        return np.asarray(member[:, :, 1].sum(axis=0), dtype=np.float64)


def reliability(
    columns: Columns, base: FloatArray, policy: dict[str, Any], loo: Evidence
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
    evidence = loo.evidence
    evidence_count = loo.evidence_count
    with_evidence = evidence_count > 0
    rel = np.ones(n)
    deviation = np.zeros(n)
    dev_e = np.zeros(columns.n_reviews)
    cutoff = 1.0
    k = float(policy["reliability_prior"])
    for _ in range(int(policy["reliability_rounds"])):
        sum_e = loo.deviations(base * rel, out=dev_e)
        typical = (
            float(np.median(sum_e[with_evidence] / evidence_count[with_evidence]))
            if with_evidence.any()
            else 0.0
        )
        deviation = (sum_e + k * typical) / np.maximum(evidence_count + k, 1e-300)
        cutoff = float(policy["outlier_cutoff"]) * max(typical, _TYPICAL_FLOOR)
        u = np.minimum(deviation / cutoff, 1.0)
        rel = (1.0 - u**2) ** 2
    agree_e = dev_e  # in place: the deviations are not needed after this
    kernels.run_all(
        [
            partial(kernels.biweight_agreement, lo, hi, dev_e, cutoff, evidence, rel, rr, agree_e)
            for lo, hi in loo.chunks
        ]
    )
    return (
        np.asarray(rel, dtype=np.float64),
        np.asarray(deviation, dtype=np.float64),
        np.asarray(agree_e, dtype=np.float64),
    )


def reciprocal_inflation(
    columns: Columns, weight: FloatArray, margin: float, loo: Evidence
) -> npt.NDArray[np.bool_]:
    """Reviews in a pair of members who inflate each other.

    A review ``e`` of contribution ``c`` lifts ``c`` by ``rating(e) - m(c without e)``, where
    ``m`` is the weighted mean of the other reviews of ``c`` (weights = reviewer weights, so
    accounts without weight cannot hide an inflation by rating ``c`` high too; the plain mean
    when the others carry none). ``r`` inflates ``a`` when the mean lift of ``r``'s reviews of
    ``a``'s work is at least ``margin`` (reviews with no other review on the same contribution
    are no evidence); "at least" to within ``_TIE``, because with whole-number ratings a lift
    of exactly the margin is common, and whether it counts must not hang on the last bit of a
    float sum. A review of ``a`` by ``r`` is excluded when ``r`` inflates ``a`` and ``a``
    inflates ``r``.
    """
    n = columns.n_members
    rr = columns.review_reviewer
    if columns.n_reviews == 0:
        return np.zeros(0, dtype=bool)
    evidence = loo.evidence
    lift = loo.residuals(weight)
    reach = margin - _TIE
    author_of = columns.contribution_member
    rc = columns.review_contribution
    # a pair's mean lift reaches the margin only if one of its reviews does, and the pair matters
    # only if the reverse pair has such a review too: evaluate those few pairs exactly
    pairs = np.empty(columns.n_reviews, dtype=np.int64)  # only the lifted reviews' are written
    found = np.zeros(len(loo.chunks), dtype=np.int64)

    def collect(i: int, lo: int, hi: int) -> None:
        found[i] = kernels.lifted_pairs(lo, hi, lift, reach, rc, rr, author_of, n, pairs)

    kernels.run_all([partial(collect, i, lo, hi) for i, (lo, hi) in enumerate(loo.chunks)])
    starts = [lo for lo, _ in loo.chunks]
    lifted = np.concatenate([pairs[lo : lo + k] for lo, k in zip(starts, found, strict=True)])
    candidates = kernels.pairs_both_ways(lifted, n)
    excluded = np.zeros(columns.n_reviews, dtype=bool)
    if candidates.size == 0:
        return excluded
    reviews_a_candidate = np.zeros(n, dtype=bool)
    reviews_a_candidate[candidates // n] = True
    rows = np.flatnonzero(reviews_a_candidate[rr] & evidence)
    key = rr[rows] * n + author_of[rc[rows]]
    of_a_candidate = _member_of(key, candidates)
    rows, key = rows[of_a_candidate], key[of_a_candidate]
    pair = np.searchsorted(candidates, key)
    pair_count = np.bincount(pair, minlength=candidates.size)
    total = np.bincount(pair, lift[rows], minlength=candidates.size)
    inflated = (pair_count > 0) & (total >= reach * pair_count)
    at = np.searchsorted(candidates, (candidates % n) * n + candidates // n)
    mutual = inflated & inflated[at]  # every candidate's reverse is a candidate
    excluded[rows[mutual[pair]]] = True
    return excluded


def trust(
    columns: Columns,
    anchor: FloatArray,
    passed: FloatArray,
    policy: dict[str, Any],
    loo: Evidence,
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
    transition_t = _transposed_transition(columns, passed, loo)
    d = float(policy["damping"])
    tolerance = float(policy["trust_tolerance"])
    t = anchor.copy()
    step = np.empty(n)
    iterations = 0
    rows = kernels.row_chunks(transition_t[0])
    for iterations in range(1, int(policy["trust_max_iterations"]) + 1):  # noqa: B007
        kernels.run_all(
            [partial(kernels.csr_matvec, lo, hi, *transition_t, t, step) for lo, hi in rows]
        )
        step *= d
        step += (1.0 - float(step.sum())) * anchor
        change = float(np.abs(step - t).sum())
        t, step = step, t
        if change < tolerance:
            break
    np.maximum(t, 0.0, out=t)
    total = float(t.sum())
    return np.asarray(t / total if total > 0 else anchor, dtype=np.float64), iterations


def _transposed_transition(
    columns: Columns, passed: FloatArray, loo: Evidence
) -> tuple[IntArray, IntArray, kernels.CodeArray, FloatArray]:
    """``P^T`` of ``trust`` (rows: rated authors; columns: reviewers) as row offsets, row
    lengths, columns and values; no entry between two members who review each other.

    A counting sort run in the fixed chunks of the reviews: each chunk places its reviews
    from its own offsets (from the counts ``loo`` took per chunk), so the order within a
    row is the review order.
    """
    n = columns.n_members
    rc, rr = columns.review_contribution, columns.review_reviewer
    common = (rc, rr, columns.review_rating)
    inverse_given = np.divide(1.0, loo.given, out=np.zeros(n), where=loo.given > 0)
    indptr, author_slot = _offsets(loo.rated_per_chunk)
    rated_ptr, reviewer_slot = _offsets(loo.reviews_per_chunk)
    indices = _member_codes(columns.n_reviews, n)
    data = np.empty(columns.n_reviews)
    rated = _member_codes(columns.n_reviews, n)
    weights = np.ascontiguousarray(passed, dtype=np.float64)
    kernels.run_all(
        [
            partial(
                kernels.place_edges,
                lo,
                hi,
                *common,
                weights,
                columns.contribution_member,
                inverse_given,
                author_slot[i],
                reviewer_slot[i],
                indices,
                data,
                rated,
            )
            for i, (lo, hi) in enumerate(loo.chunks)
        ]
    )
    row_length = np.empty(n, dtype=np.int64)
    kernels.run_all(
        [
            partial(
                kernels.merge_rows,
                lo,
                hi,
                indptr,
                indices,
                data,
                rated_ptr,
                rated,
                np.zeros(n, dtype=np.int64),
                np.empty(n, dtype=np.int64),
                row_length,
            )
            for lo, hi in kernels.row_chunks(indptr)
        ]
    )
    return indptr, row_length, indices, data


def _member_codes(size: int, members: int) -> kernels.CodeArray:
    """Room for member codes, in 4 bytes where they fit: the scatter that fills it is bound
    by memory traffic."""
    if members < 2**31:
        return np.empty(size, dtype=np.int32)
    return np.empty(size, dtype=np.int64)


def _offsets(counts: IntArray) -> tuple[IntArray, IntArray]:
    """Row offsets from per-chunk counts (chunks x rows), and each chunk's first place per
    row: after the earlier chunks' entries of the same row."""
    indptr = np.zeros(counts.shape[1] + 1, dtype=np.int64)
    np.cumsum(counts.sum(axis=0), out=indptr[1:])
    first = np.cumsum(counts, axis=0)
    first -= counts
    first += indptr[:-1]
    return indptr, first


def _member_of(values: IntArray, sorted_set: IntArray) -> npt.NDArray[np.bool_]:
    """``values`` in ``sorted_set`` (sorted, unique), by binary search."""
    if sorted_set.size == 0:
        return np.zeros(values.shape[0], dtype=bool)
    at = np.minimum(np.searchsorted(sorted_set, values), sorted_set.size - 1)
    return np.asarray(sorted_set[at] == values, dtype=np.bool_)
