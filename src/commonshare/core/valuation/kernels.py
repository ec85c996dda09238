"""Compiled loops for ``robust``: one pass over the reviews where NumPy would need a dozen.

Reviews come sorted by contribution, so each loop walks the runs of one contribution's
reviews in order. Every array a loop writes is allocated by the caller, in NumPy, so memory
stays visible to the caller (and to ``tracemalloc`` in the benchmarks); the loops allocate
nothing larger than a six-bin histogram. Compiled by Numba on first use and cached on disk
next to this file.

Large inputs run in ``CHUNKS`` fixed ranges on threads (the loops release the GIL). Sums run
in review order within a range, and the ranges' partial sums are added in range order, so
the same input gives bit-identical results on any number of cores (and on every machine
with the same Numba build).
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar, cast

import numba
import numpy as np

from commonshare.core.valuation.columns import NO_EFFORT
from commonshare.core.valuation.results import FloatArray, IntArray

BoolArray = np.ndarray[Any, np.dtype[np.bool_]]
CodeArray = np.ndarray[Any, np.dtype[np.integer[Any]]]  # member codes: int32 or int64
_F = TypeVar("_F", bound=Callable[..., Any])
_EPS = 1e-12


# Large inputs are cut into this many chunks, whatever the number of cores, so that partial
# sums are always combined the same way: the result never depends on the machine.
CHUNKS = 4
PARALLEL_FROM = 1 << 18  # reviews; below this one chunk (threads would cost more than they save)


def review_chunks(contribution: IntArray) -> list[tuple[int, int]]:
    """Ranges of the reviews (sorted by contribution) of about equal length that never split
    one contribution's reviews."""
    size = contribution.shape[0]
    if size < PARALLEL_FROM:
        return _ranges([], size)
    targets = (np.arange(1, CHUNKS) * size) // CHUNKS
    return _ranges(np.searchsorted(contribution, contribution[targets], side="left"), size)


def row_chunks(indptr: IntArray) -> list[tuple[int, int]]:
    """Ranges of the rows of a CSR matrix (row offsets ``indptr``) holding about equal
    numbers of entries."""
    rows, entries = indptr.shape[0] - 1, int(indptr[-1])
    if entries < PARALLEL_FROM:
        return _ranges([], rows)
    targets = (np.arange(1, CHUNKS) * entries) // CHUNKS
    return _ranges(np.searchsorted(indptr, targets, side="right") - 1, rows)


def _ranges(cuts: Any, size: int) -> list[tuple[int, int]]:
    edges = sorted({0, size, *(int(c) for c in cuts if 0 < c < size)})
    return list(itertools.pairwise(edges))


def run_all(calls: Sequence[Callable[[], object]]) -> None:
    """Run the calls (compiled loops that release the GIL) on the machine's cores; wait for
    all. The threads end with the call: nothing lingers to trouble a later ``fork``."""
    workers = min(len(calls), os.cpu_count() or 1)
    if workers <= 1:
        for call in calls:
            call()
        return
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for future in [pool.submit(call) for call in calls]:
            future.result()


def _compiled(func: _F) -> _F:
    # numpy's error model: no per-division zero check (no loop here divides by zero)
    return cast(_F, numba.njit(cache=True, nogil=True, error_model="numpy")(func))


_ONE = cast(int, np.uint64(1))  # an unsigned one: adding it keeps an index unsigned


@_compiled
def _place(index: int) -> int:
    """``index`` as unsigned: Numba then skips the check for a negative index that wraps
    around, which costs the hottest loops about a fifth."""
    return np.uint64(index)  # type: ignore[return-value]


@_compiled
def _signed(index: int) -> int:
    return np.int64(index)  # type: ignore[return-value]


@_compiled
def review_problems(
    lo: int,
    hi: int,
    contribution: IntArray,
    reviewer: IntArray,
    rating: IntArray,
    author_of: IntArray,
    n_members: int,
    first: IntArray,
) -> None:
    """The first review in ``lo:hi`` (or -1) with each problem: ``first[0]`` an unknown
    contribution, ``[1]`` an unknown reviewer, ``[2]`` out of the canonical order (by
    contribution, then reviewer), ``[3]`` a self-review, ``[4]`` a rating outside 0..5,
    ``[5]`` a second review by the same reviewer of the same contribution."""
    first[:] = -1
    n_contributions = author_of.shape[0]
    for e in range(_place(lo), _place(hi)):
        c, r = contribution[e], reviewer[e]
        if c < 0 or c >= n_contributions:
            if first[0] < 0:
                first[0] = e
            continue
        if r < 0 or r >= n_members:
            if first[1] < 0:
                first[1] = e
            continue
        if e > 0:
            before_c, before_r = contribution[e - _ONE], reviewer[e - _ONE]
            if first[2] < 0 and (c < before_c or (c == before_c and r < before_r)):
                first[2] = e
            if first[5] < 0 and c == before_c and r == before_r:
                first[5] = e
        if first[3] < 0 and author_of[_place(c)] == r:
            first[3] = e
        if first[4] < 0 and (rating[e] < 0 or rating[e] > 5):
            first[4] = e


@_compiled
def survey_reviews(
    lo: int,
    hi: int,
    contribution: IntArray,
    reviewer: IntArray,
    rating: IntArray,
    author_of: IntArray,
    out: BoolArray,
    count: FloatArray,
    rated: IntArray,
    largest: IntArray,
) -> None:
    """For reviews ``lo:hi``: ``out[e]``, another review of the same contribution exists
    (there is evidence); per reviewer ``r``, ``count[r, 0]`` of its reviews have evidence,
    it wrote ``count[r, 1]`` and gave ``count[r, 2]`` in ratings / 5; per author ``a``,
    ``rated[a]`` reviews rate its work (``count`` and ``rated`` come zeroed); ``largest[0]``,
    the largest number of reviews of one contribution."""
    largest[0] = 0
    start, stop = _place(lo), _place(hi)
    while start < stop:
        end = start + _ONE
        while end < stop and contribution[end] == contribution[start]:
            end += _ONE
        size = _signed(end - start)
        largest[0] = max(largest[0], size)
        rated[_place(author_of[_place(contribution[start])])] += size
        for e in range(start, end):
            r = _place(reviewer[e])
            out[e] = size > 1
            count[r, 0] += size > 1
            count[r, 1] += 1.0
            count[r, 2] += rating[e] / 5.0
        start = end


@_compiled
def biweight_agreement(
    lo: int,
    hi: int,
    deviation: FloatArray,
    cutoff: float,
    evidence: BoolArray,
    reliability: FloatArray,
    reviewer: IntArray,
    out: FloatArray,
) -> None:
    """Per review in ``lo:hi``, ``(1 - min(1, deviation / cutoff) ** 2) ** 2``; its
    reviewer's reliability where there is no evidence."""
    for e in range(_place(lo), _place(hi)):
        if evidence[e]:
            u = min(deviation[e] / cutoff, 1.0)
            u = u * u
            out[e] = (1.0 - u) * (1.0 - u)
        else:
            out[e] = reliability[_place(reviewer[e])]


@_compiled
def loo_residuals(
    lo: int,
    hi: int,
    contribution: IntArray,
    reviewer: IntArray,
    x: IntArray,
    member: FloatArray,
    absolute: bool,
    out: FloatArray,
) -> None:
    """``out[e] = x[e] - m`` for reviews ``lo:hi``, where ``m`` is the mean of the *other*
    reviews of the same contribution weighted by their reviewers' weights ``member[r, 0]``
    (their plain mean when those carry no weight); 0 when there is no other review.

    With ``absolute``, ``out[e]`` is the absolute value instead, and each reviewer's sum of
    them is added to ``member[r, 1]``. (Weight and sum share a row, hence one cache line:
    member lookups in random order are what this loop waits for.)"""
    start, stop = _place(lo), _place(hi)
    while start < stop:
        end = start + _ONE
        while end < stop and contribution[end] == contribution[start]:
            end += _ONE
        size = end - start
        if size == 1:
            out[start] = 0.0
        else:
            total_w = 0.0
            total_wx = 0.0
            total_x = 0.0
            for e in range(start, end):
                w = member[_place(reviewer[e]), 0]
                out[e] = w  # read back below: one lookup per review, not two
                total_w += w
                total_wx += w * x[e]
                total_x += x[e]
            for e in range(start, end):
                w = out[e]
                # exact 0 when no other review carries weight: adding zeros is exact
                others_w = total_w - w
                if others_w > 0:
                    mean = (total_wx - w * x[e]) / others_w
                else:
                    mean = (total_x - x[e]) / (size - 1)
                residual = x[e] - mean
                if absolute:
                    residual = abs(residual)
                    member[_place(reviewer[e]), 1] += residual
                out[e] = residual
        start = end


@_compiled
def settle_contributions(
    lo: int,
    hi: int,
    contribution: IntArray,
    reviewer: IntArray,
    rating: IntArray,
    review_effort: IntArray,
    claimed_effort: IntArray,
    member_weight: FloatArray,
    usable: BoolArray,
    cap: float,
    prior_rating: float,
    trim: float,
    challenges: bool,
    share: FloatArray,
    prior: FloatArray,
    rated: FloatArray,
    lower_median: IntArray,
    deviation_total: FloatArray,
    values: IntArray,
    weights: FloatArray,
) -> None:
    """One pass over the reviews ``lo:hi``, a contribution at a time: its rating (see
    ``_rate``), then each reviewer's distance from that rating (added to ``deviation_total``,
    one per member, zeroed: |rating - consensus| / 5, where consensus is 0 for a contribution
    without a usable review), then, when ``challenges`` is set and a
    review challenged the effort, the lower median of the effort estimates (see
    ``_lower_median``; ``lower_median[c]`` is left as is otherwise). ``values`` and
    ``weights`` are scratch space of at least the largest number of reviews per contribution
    plus one."""
    bins = np.zeros(6)
    start, stop = _place(lo), _place(hi)
    while start < stop:
        c = _place(contribution[start])
        end = start + _ONE
        challenged = review_effort[start] != NO_EFFORT
        while end < stop and contribution[end] == contribution[start]:
            challenged = challenged or review_effort[end] != NO_EFFORT
            end += _ONE
        _rate(
            start, end, c, reviewer, rating, member_weight, usable, cap, prior_rating, trim,
            bins, share, prior, rated,
        )  # fmt: skip
        consensus = 0.0 if np.isnan(rated[c]) else rated[c]
        for e in range(start, end):
            deviation_total[_place(reviewer[e])] += abs(rating[e] - consensus) / 5.0
        if challenges and challenged:
            lower_median[c] = _lower_median(
                start, end, review_effort, claimed_effort[c], share, prior[c], values, weights
            )
        start = end


@_compiled
def _rate(
    start: int,
    end: int,
    c: int,
    reviewer: IntArray,
    rating: IntArray,
    member_weight: FloatArray,
    usable: BoolArray,
    cap: float,
    prior_rating: float,
    trim: float,
    bins: FloatArray,
    share: FloatArray,
    prior: FloatArray,
    rated: FloatArray,
) -> None:
    """Capped review shares, the prior's share and the aggregated rating of contribution
    ``c`` (reviews ``start:end``).

    ``share[e]``: review ``e``'s part of the contribution's weight (0 if not usable), capped
    at ``max(cap, 1 / n)`` with ``n`` the reviews carrying weight (all usable ones, equally,
    when none does). ``prior[c]``: what the cap removed (0 without usable reviews).
    ``rated[c]``: the weighted median (``trim < 0``) or the ``trim``-trimmed mean of the
    ratings and the prior, never above the highest usable rating; left as is without a
    usable review.
    """
    total = 0.0
    n_usable = 0
    positive = 0
    highest = 0
    for e in range(start, end):
        w = 0.0
        if usable[e]:
            w = member_weight[_place(reviewer[e])]
            total += w
            n_usable += 1
            positive += w > 0
            highest = max(highest, rating[e])
        share[e] = w  # the weight for now: read back below
    nobody_trusted = total <= 0  # then equal weights
    carrying = n_usable if nobody_trusted else positive
    limit = max(cap, 1.0 / max(carrying, 1))
    bins[:] = 0.0
    shares = 0.0
    for e in range(start, end):
        s = 0.0
        if usable[e]:
            w = share[e]
            if nobody_trusted:
                s = 1.0 / max(carrying, 1)
            elif w > 0:
                s = w / total
        s = min(s, limit)
        share[e] = s
        shares += s
        bins[_place(rating[e])] += s
    p = max(1.0 - shares, 0.0) if carrying > 0 else 0.0
    prior[c] = p
    if n_usable > 0:
        low = int(np.floor(prior_rating))
        frac = prior_rating - low
        bins[low] += p * (1 - frac)
        if frac > 0:
            bins[low + 1] += p * frac
        value = _trimmed_mean(bins, trim) if trim >= 0 else _weighted_median(bins)
        rated[c] = min(value, float(highest))


@_compiled
def _weighted_median(bins: FloatArray) -> float:
    """Median of a rating distribution; the mid-point when a half ends on a bin edge."""
    total = 0.0
    for b in range(bins.shape[0]):
        total += bins[b]
    half = total / 2
    lo = -1
    hi = -1
    cum = 0.0
    for b in range(bins.shape[0]):
        cum += bins[b]
        if lo < 0 and cum >= half * (1 - _EPS):
            lo = b
        if hi < 0 and cum > half * (1 + _EPS):
            hi = b
    return (max(lo, 0) + max(hi, 0)) / 2.0


@_compiled
def _trimmed_mean(bins: FloatArray, trim: float) -> float:
    """Mean of a rating distribution after cutting ``trim`` of the weight off each end."""
    total = 0.0
    for b in range(bins.shape[0]):
        total += bins[b]
    floor = trim * total
    ceiling = (1 - trim) * total
    cum = 0.0
    previous = floor
    kept_total = 0.0
    weighted = 0.0
    for b in range(bins.shape[0]):
        cum += bins[b]
        clipped = min(max(cum, floor), ceiling)
        kept = clipped - previous
        previous = clipped
        kept_total += kept
        weighted += kept * b
    return weighted / max(kept_total, _EPS)


@_compiled
def _lower_median(
    start: int,
    end: int,
    review_effort: IntArray,
    claim: int,
    share: FloatArray,
    prior: float,
    values: IntArray,
    weights: FloatArray,
) -> int:
    """The smallest effort estimate whose cumulative weight reaches half, over the reviews
    ``start:end`` (weights ``share``; no challenge counts as the claim, and no estimate counts
    above it) and the claim itself (weight ``prior``)."""
    k = 0
    for e in range(start, end):
        estimate = claim if review_effort[e] == NO_EFFORT else review_effort[e]
        values[k] = min(estimate, claim)
        weights[k] = share[e]
        k += 1
    values[k] = claim
    weights[k] = prior
    k += 1
    # insertion sort by value: a handful of reviews per contribution
    for i in range(1, k):
        v, w = values[i], weights[i]
        j = i - 1
        while j >= 0 and values[j] > v:
            values[j + 1] = values[j]
            weights[j + 1] = weights[j]
            j -= 1
        values[j + 1] = v
        weights[j + 1] = w
    total = 0.0
    for i in range(k):
        total += weights[i]
    cum = 0.0
    for i in range(k):
        cum += weights[i]
        if cum >= total / 2 * (1 - _EPS):
            return int(values[i])
    return int(values[k - 1])


@_compiled
def place_edges(
    lo: int,
    hi: int,
    contribution: IntArray,
    reviewer: IntArray,
    rating: IntArray,
    passed: FloatArray,
    author_of: IntArray,
    inverse_given: FloatArray,
    author_slot: IntArray,
    reviewer_slot: IntArray,
    indices: CodeArray,
    data: FloatArray,
    rated: CodeArray,
) -> None:
    """Counting-sort reviews ``lo:hi`` into the rows of ``P^T`` (by author: the reviewer and
    the edge's weight) and into who-rated-whom lists (by reviewer: the author), from the next
    free places ``author_slot`` and ``reviewer_slot`` (advanced as they fill)."""
    for e in range(_place(lo), _place(hi)):
        r = reviewer[e]
        a = author_of[_place(contribution[e])]
        p = _place(author_slot[_place(a)])
        author_slot[_place(a)] = p + _ONE
        indices[p] = r
        data[p] = rating[e] / 5.0 * passed[e] * inverse_given[_place(r)]
        q = _place(reviewer_slot[_place(r)])
        reviewer_slot[_place(r)] = q + _ONE
        rated[q] = a


@_compiled
def merge_rows(
    lo: int,
    hi: int,
    indptr: IntArray,
    indices: CodeArray,
    data: FloatArray,
    rated_ptr: IntArray,
    rated: CodeArray,
    stamp: IntArray,
    slot: IntArray,
    row_length: IntArray,
) -> None:
    """For rows ``lo:hi`` of ``P^T``: add up repeated reviewers, in place at the front of the
    row (``row_length[a]`` entries stay), and zero the entries between members who review
    each other. ``stamp`` (zeroed) and ``slot`` are scratch space, one per member."""
    for a in range(lo, hi):
        row = _place(a)
        start = _place(indptr[row])
        out = start
        mark = a + 1
        for p in range(start, _place(indptr[row + _ONE])):
            r = indices[p]
            if stamp[_place(r)] != mark:
                stamp[_place(r)] = mark
                slot[_place(r)] = out
                indices[out] = r
                data[out] = data[p]
                out += _ONE
            else:
                data[_place(slot[_place(r)])] += data[p]
        for q in range(_place(rated_ptr[row]), _place(rated_ptr[row + _ONE])):
            # stamp marks a's reviewers; -mark those among them a reviewed back
            if stamp[_place(rated[q])] == mark:
                stamp[_place(rated[q])] = -mark
        for p in range(start, out):
            if stamp[_place(indices[p])] == -mark:
                data[p] = 0.0
        row_length[row] = out - start


@_compiled
def csr_matvec(
    lo: int,
    hi: int,
    indptr: IntArray,
    row_length: IntArray,
    indices: CodeArray,
    data: FloatArray,
    x: FloatArray,
    out: FloatArray,
) -> None:
    """``out[lo:hi]`` = rows ``lo:hi`` of the matrix times ``x``; row ``a`` holds the
    ``row_length[a]`` entries from ``indptr[a]``."""
    for row in range(lo, hi):
        acc = 0.0
        p = _place(indptr[row])
        end = p + _place(row_length[row])
        while p < end:
            acc += data[p] * x[_place(indices[p])]
            p += _ONE
        out[row] = acc


@_compiled
def lifted_pairs(
    lo: int,
    hi: int,
    lift: FloatArray,
    reach: float,
    contribution: IntArray,
    reviewer: IntArray,
    author_of: IntArray,
    members: int,
    out: IntArray,
) -> int:
    """Writes ``reviewer x members + author`` of each review in ``lo:hi`` whose lift reaches
    ``reach`` to ``out[lo:]``; returns how many."""
    found = _place(lo)
    for e in range(_place(lo), _place(hi)):
        if lift[e] >= reach:
            out[found] = reviewer[e] * members + author_of[_place(contribution[e])]
            found += _ONE
    return _signed(found) - lo


@_compiled
def _slot(key: int, mask: int) -> int:
    """A hash of a non-negative key, its high bits mixed into the low ones the mask keeps."""
    mixed = (key ^ (key >> 29)) * 0x9E3779B1
    return (mixed ^ (mixed >> 32)) & mask


@_compiled
def pairs_both_ways(pairs: IntArray, members: int) -> IntArray:
    """The distinct ``pairs`` (``from x members + to``) whose reverse is among them too,
    sorted. An open-addressing hash set: sorting the pairs instead costs three times as much."""
    size = 1
    while size < 2 * pairs.shape[0] + 2:
        size *= 2
    empty = -1
    table = np.full(size, empty, dtype=np.int64)
    distinct = np.empty(pairs.shape[0], dtype=np.int64)
    n_distinct = 0
    for key in pairs:
        slot = _slot(key, size - 1)
        while table[slot] != empty and table[slot] != key:
            slot = (slot + 1) & (size - 1)
        if table[slot] == empty:
            table[slot] = key
            distinct[n_distinct] = key
            n_distinct += 1
    both = np.empty(n_distinct, dtype=np.int64)
    n_both = 0
    for i in range(n_distinct):
        key = distinct[i]
        reverse = (key % members) * members + key // members
        slot = _slot(reverse, size - 1)
        while table[slot] != empty and table[slot] != reverse:
            slot = (slot + 1) & (size - 1)
        if table[slot] == reverse:
            both[n_both] = key
            n_both += 1
    return np.sort(both[:n_both])
