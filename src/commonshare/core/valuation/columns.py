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
from functools import partial

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
