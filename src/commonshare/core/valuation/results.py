"""What every method returns, as arrays over the canonical columns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from commonshare.core.valuation.columns import EFFORT_SCALE, Columns

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class EngineResult:
    """A method's output. Efforts and values are in hours; value = effort x rating / 5."""

    method: str
    payout_minor: list[int]  # per member code
    remainder_minor: int
    accepted_effort: FloatArray  # per contribution, hours
    rating: FloatArray  # per contribution, NaN when nothing was used
    value: FloatArray  # per contribution, hours of full-rated work
    member_value: FloatArray  # per member, the weight its payout was split by
    review_weight: FloatArray  # per review, its share of the contribution's weight
    reputation: FloatArray  # per member after this period, NaN when none
    rounding: str
    detail: dict[str, Any] = field(default_factory=dict)


def claimed_hours(columns: Columns) -> FloatArray:
    return columns.contribution_effort.astype(np.float64) / EFFORT_SCALE


def member_sum(columns: Columns, per_contribution: FloatArray) -> FloatArray:
    return np.bincount(
        columns.contribution_member, weights=per_contribution, minlength=columns.n_members
    ).astype(np.float64)


def fbincount(codes: IntArray, weights: FloatArray | None = None, size: int = 0) -> FloatArray:
    """``np.bincount`` that always returns floats of length ``size`` (also when empty)."""
    return np.bincount(codes, weights=weights, minlength=size).astype(np.float64)
