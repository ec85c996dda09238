"""Checks a valuation request as a whole, and columns built without one; every problem at once."""

from __future__ import annotations

from functools import partial

import numpy as np
import numpy.typing as npt

from commonshare.core.money import MoneyError, check_currency, to_minor
from commonshare.core.valuation.columns import NO_EFFORT, Columns
from commonshare.core.valuation.types import (
    MAX_RATING,
    METHODS,
    AllocationRequest,
    ValuationError,
)


# C901, PLR0912 allowed: a flat list of checks, one per field, each adding its problem
def validate(request: AllocationRequest) -> None:  # noqa: C901, PLR0912
    """Raise ``ValuationError`` naming each bad record and field; return if all is well.

    When ``members`` is given it is the full roll: every author and reviewer
    must be on it. Otherwise the roll is whoever appears in the request.
    """
    problems: list[str] = []
    try:
        currency = check_currency(request.currency)
        if request.amount < 0:
            problems.append("amount: must not be negative")
        else:
            to_minor(request.amount, currency)
    except MoneyError as error:
        problems.append(f"currency/amount: {error}")
    if request.method not in METHODS:
        problems.append(f"method: {request.method!r} is not one of {', '.join(METHODS)}")

    roll: set[str] = set()
    for index, member in enumerate(request.members):
        if member.id in roll:
            problems.append(f"members[{index}] {member.id!r}: duplicate id")
        roll.add(member.id)
        if member.reputation is not None and member.reputation < 0:
            problems.append(f"members[{index}] {member.id!r}: reputation must not be negative")
    closed_roll = bool(request.members)

    authors: dict[str, str] = {}
    for index, contribution in enumerate(request.contributions):
        where = f"contributions[{index}] {contribution.id!r}"
        if contribution.id in authors:
            problems.append(f"{where}: duplicate id")
        authors[contribution.id] = contribution.member
        if closed_roll and contribution.member not in roll:
            problems.append(f"{where}: member: unknown member {contribution.member!r}")
        if contribution.effort < 0:
            problems.append(f"{where}: effort: must not be negative")

    seen_reviews: set[tuple[str, str]] = set()
    for index, review in enumerate(request.reviews):
        where = f"reviews[{index}] ({review.reviewer!r} on {review.contribution!r})"
        author = authors.get(review.contribution)
        if author is None:
            problems.append(f"{where}: contribution: unknown contribution {review.contribution!r}")
        elif author == review.reviewer:
            problems.append(f"{where}: reviewer: nobody reviews their own work")
        if closed_roll and review.reviewer not in roll:
            problems.append(f"{where}: reviewer: unknown member {review.reviewer!r}")
        if isinstance(review.rating, bool) or not 0 <= review.rating <= MAX_RATING:
            problems.append(f"{where}: rating: must be a whole number from 0 to {MAX_RATING}")
        if review.effort is not None and review.effort < 0:
            problems.append(f"{where}: effort: must not be negative")
        key = (review.reviewer, review.contribution)
        if key in seen_reviews:
            problems.append(f"{where}: duplicate review by the same reviewer")
        seen_reviews.add(key)
    if problems:
        raise ValuationError(problems)


def check_columns(columns: Columns) -> list[str]:
    """Checks for columns built without records (large inputs), each naming its first row."""
    problems: list[str] = []
    n_m, n_c = columns.n_members, columns.n_contributions
    cm = columns.contribution_member
    if n_c and (cm.min() < 0 or cm.max() >= n_m):
        problems.append(f"contributions: member: unknown member code at row {_first(cm >= n_m)}")
    if n_c and columns.contribution_effort.min() < 0:
        row = _first(columns.contribution_effort < 0)
        problems.append(f"contributions[{row}] {columns.contribution_ids[row]!r}: effort: negative")
    if columns.n_reviews:
        # one compiled pass (imported here: Numba costs every command a quarter second at start)
        from commonshare.core.valuation import kernels

        ranges = kernels.review_chunks(columns.review_contribution)  # any cut will do here
        firsts = np.empty((len(ranges), 6), dtype=np.int64)
        arguments = (
            columns.review_contribution,
            columns.review_reviewer,
            columns.review_rating,
            np.ascontiguousarray(cm, dtype=np.int64),
            n_m,
        )
        kernels.run_all(
            [
                partial(kernels.review_problems, lo, hi, *arguments, firsts[i])
                for i, (lo, hi) in enumerate(ranges)
            ]
        )
        # per problem, the first chunk that has it
        first = [next((int(row) for row in column if row >= 0), -1) for column in firsts.T]
        unknown_c, unknown_r, out_of_order, self_review, bad_rating, repeated = first
        if unknown_c >= 0:
            problems.append(f"reviews[{unknown_c}]: contribution: unknown contribution")
            return problems
        if unknown_r >= 0:
            problems.append(f"reviews[{unknown_r}]: reviewer: unknown member")
            return problems
        if out_of_order >= 0:
            problems.append(
                f"reviews[{out_of_order}]: not in canonical order (by contribution, then reviewer)"
            )
            return problems
        if self_review >= 0:
            problems.append(f"reviews[{self_review}]: reviewer: nobody reviews their own work")
        if bad_rating >= 0:
            problems.append(f"reviews[{bad_rating}]: rating: must be a whole number from 0 to 5")
        if repeated >= 0:
            problems.append(f"reviews[{repeated}]: duplicate review by the same reviewer")
        negative = columns.review_effort < NO_EFFORT
        if negative.any():
            problems.append(f"reviews[{_first(negative)}]: effort: negative")
    return problems


def _first(mask: npt.NDArray[np.bool_]) -> int:
    return int(np.flatnonzero(mask)[0]) if mask.any() else 0
