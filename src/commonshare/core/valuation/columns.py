"""Columnar form of a valuation input: int-coded NumPy arrays, one per field.

Every method runs on ``Columns``. Members, contributions and reviews are held
in a canonical order (members and contributions by id, reviews by contribution
then reviewer), so the same input in any order gives bit-identical arithmetic.
Effort is held exactly as integer micro-hours (``EFFORT_SCALE`` per hour).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import numpy.typing as npt

from commonshare.core.valuation.types import AllocationRequest, ValuationError

EFFORT_SCALE = 1_000_000  # effort is exact to a micro-hour (3.6 ms)
NO_EFFORT = -1  # a review that does not challenge the claimed effort
NO_REPUTATION = -1.0  # a member with no reputation from earlier periods

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Columns:
    """A valuation input as arrays. Ids are sorted; codes index into them."""

    member_ids: Sequence[str]
    reputation: FloatArray  # per member; NO_REPUTATION when none was given
    contribution_ids: Sequence[str]
    contribution_kind: Sequence[str]
    contribution_member: IntArray  # member code of the author
    contribution_effort: IntArray  # claimed effort in micro-hours
    review_contribution: IntArray  # sorted ascending (then by reviewer)
    review_reviewer: IntArray
    review_rating: IntArray  # 0..5
    review_effort: IntArray  # micro-hours, or NO_EFFORT

    @property
    def n_members(self) -> int:
        return len(self.member_ids)

    @property
    def n_contributions(self) -> int:
        return int(self.contribution_member.shape[0])

    @property
    def n_reviews(self) -> int:
        return int(self.review_contribution.shape[0])


def effort_micro(effort: Decimal, *, where: str) -> int:
    """Effort in exact micro-hours; more than six decimal places is refused."""
    scaled = effort.scaleb(6)
    if scaled != scaled.to_integral_value():
        raise ValuationError([f"{where}: effort: at most 6 decimal places of an hour"])
    return int(scaled)


def micro_to_decimal(value: int) -> Decimal:
    return Decimal(value).scaleb(-6)


def columns_from_request(request: AllocationRequest) -> Columns:
    """Int-code a validated request into canonical columns."""
    roll = {m.id for m in request.members}
    roll.update(c.member for c in request.contributions)
    roll.update(r.reviewer for r in request.reviews)
    member_ids = tuple(sorted(roll))
    member_code = {member: code for code, member in enumerate(member_ids)}
    reputation = np.full(len(member_ids), NO_REPUTATION)
    for member in request.members:
        if member.reputation is not None:
            reputation[member_code[member.id]] = float(member.reputation)

    contributions = sorted(request.contributions, key=lambda c: c.id)
    contribution_code = {c.id: code for code, c in enumerate(contributions)}
    problems: list[str] = []
    efforts: list[int] = []
    for c in contributions:
        try:
            efforts.append(effort_micro(c.effort, where=f"contribution {c.id!r}"))
        except ValuationError as error:
            problems.extend(error.problems)
    reviews = sorted(request.reviews, key=lambda r: (contribution_code[r.contribution], r.reviewer))
    review_efforts: list[int] = []
    for r in reviews:
        if r.effort is None:
            review_efforts.append(NO_EFFORT)
            continue
        try:
            review_efforts.append(
                effort_micro(r.effort, where=f"review ({r.reviewer!r} on {r.contribution!r})")
            )
        except ValuationError as error:
            problems.extend(error.problems)
    if problems:
        raise ValuationError(problems)
    return Columns(
        member_ids=member_ids,
        reputation=reputation,
        contribution_ids=tuple(c.id for c in contributions),
        contribution_kind=tuple(c.kind for c in contributions),
        contribution_member=np.array(
            [member_code[c.member] for c in contributions], dtype=np.int64
        ),
        contribution_effort=np.array(efforts, dtype=np.int64),
        review_contribution=np.array(
            [contribution_code[r.contribution] for r in reviews], dtype=np.int64
        ),
        review_reviewer=np.array([member_code[r.reviewer] for r in reviews], dtype=np.int64),
        review_rating=np.array([r.rating for r in reviews], dtype=np.int64),
        review_effort=np.array(review_efforts, dtype=np.int64),
    )
