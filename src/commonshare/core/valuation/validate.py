"""Checks a valuation request as a whole and lists every problem at once."""

from __future__ import annotations

from commonshare.core.money import MoneyError, check_currency, to_minor
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
